"""Workbooks (.xlsx, .xls) → `Parsed`: every place in a spreadsheet where an applicant's identity
can leak, and the tables the budget reader needs.

The map:

* `xlsx` — `parse_xlsx`: openpyxl reads the structure and decodes the cells (cached values); the
  rows, merged ranges and headers are streamed here; comments, drawings, properties and external
  links are read through the docx parser's `Package` (each member streamed safely by `xmlsafe`).
* `xls` — `parse_xls`: python-calamine reads the cells; `cfb` (the OLE2 container, also used by
  the sniffer), `biff` (the records calamine does not give) and `oleprops` (document properties)
  read the rest.
* `book` — shared by both: a sheet, its cells turned into parts, values as text, header codes.
* `naming` — the `Part.source` of a sheet's parts, read back by `screening.wording`.
* `limits` — the guards' limits; patch them there.

What becomes a `Part` (kind / origin; page = the sheet's place in the workbook, 1-based; for a
cell, paragraph = its row and the source names the cell, "sheet1:预算#t1r3c2", see `naming`):

* each sheet, hidden ones included, in workbook order: its name → METADATA "sheet_name"; each
  non-empty cell → TABLE, origin "" when it is shown, "hidden" when nobody sees it (a hidden or
  very hidden sheet, a hidden row or column, a cell covered by a merged range: a merge shows its
  top-left cell only, whose value is not repeated over the range — the budget reader's grid keeps
  the other cells empty, as it does for a docx table's spanned cells). The value is the cached one
  (what Excel last showed): whole numbers without ".0", dates as 2024-01-31. A formula whose cell
  has no cached value (a file written by a program that does not calculate) → TABLE origin
  "formula" with the formula's text ("=SUM(B2:B9)") at its cell (.xlsx only: calamine gives no
  formula text);
* cell comments → COMMENT at their cell; each distinct author → COMMENT "comment_author"
  (threaded comments' authors from the persons list, their account → METADATA "people");
* headers and footers (codes such as &P and fonts removed, left/centre/right on lines of their
  own) → HEADER / FOOTER, origin "default", "first" or "even";
* text boxes and shapes drawn on a sheet → TEXTBOX ""; chart titles and labels → TEXTBOX "chart";
* properties: .xlsx docProps → METADATA "core.creator", "core.lastModifiedBy", "app.Company",
  "app.Manager", "custom.<name>" …, exactly as a docx's; .xls property streams → the same origins;
* external relationships (linked workbooks, hyperlinks) → METADATA "external_target" / "hyperlink";
  nothing is ever fetched;
* pictures are not read (OCR does not open workbooks yet): a workbook with pictures gets a
  `document.scanned` problem saying so.

Last, `docx.columns` adds the columns of short cells read top to bottom (origin "column").
"""

from __future__ import annotations

from screening.parsers.base import Parsed


def parse_xlsx(data: bytes) -> Parsed:
    from screening.parsers.sheets import xlsx  # late: openpyxl is only needed for a workbook

    return xlsx.parse(data)


def parse_xls(data: bytes) -> Parsed:
    from screening.parsers.sheets import xls  # late: python-calamine is only needed for a workbook

    return xls.parse(data)


__all__ = ["parse_xls", "parse_xlsx"]
