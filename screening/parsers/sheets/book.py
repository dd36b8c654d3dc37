"""What the .xlsx and .xls readers share: a sheet, its cells turned into parts, cell values as
text, header/footer codes, and the finished `Parsed`.

A reader collects one sheet's cells (`SheetCells`: values, formulas without a cached value, merged
ranges, hidden rows and columns) and `emit_sheet` turns them into TABLE parts once the sheet is
read — merged ranges come after the cells in both formats, so which cell a merge covers is only
known at the end. Parts go into the docx parser's `Sink` (one collector for every OOXML-like
reader), the sheet's page is its index and a cell's paragraph its row (`Location` has no column;
the source and the message carry it, see `naming`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from screening.model import Part, PartKind
from screening.parsers.base import Parsed
from screening.parsers.docx.columns import with_columns
from screening.parsers.docx.sink import Sink
from screening.parsers.sheets import limits, naming

HIDDEN = "hidden"  # the origin of a cell nobody sees: hidden sheet, row or column, or under a merge
FORMULA = "formula"  # the origin of a formula's text, read when its cell has no cached value
SHEET_NAME = "sheet_name"  # the origin (METADATA) of a sheet's name
MAX_COLUMN = 16384  # XFD, Excel's last column


@dataclass(frozen=True, slots=True)
class Sheet:
    index: int  # 1-based, in workbook order, hidden sheets counted
    name: str
    state: str  # naming.VISIBLE | HIDDEN | VERY_HIDDEN

    def source(self, row: int | None = None, col: int | None = None) -> str:
        return naming.source(self.state, self.index, self.name, row, col)

    @property
    def label(self) -> str:
        """How a problem names the sheet: 工作表“预算”, 隐藏工作表“旧版”."""
        return f"{'工作表' if self.state == naming.VISIBLE else '隐藏工作表'}“{self.name}”"


@dataclass(slots=True)
class SheetCells:
    """One sheet's cells as read (1-based rows and columns), until `emit_sheet`."""

    cells: list[tuple[int, int, str, str]] = field(default_factory=list)  # (row, col, text, formula)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (first row, first col, last row, last col)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: bytearray = field(default_factory=lambda: bytearray(MAX_COLUMN + 2))

    def add(self, row: int, col: int, text: str, formula: str = "") -> None:
        if text.strip() or formula.strip():
            self.cells.append((row, col, text, formula))

    def hide_columns(self, first: int, last: int) -> None:
        first, last = max(first, 1), min(last, MAX_COLUMN)
        if first <= last:
            self.hidden_cols[first : last + 1] = b"\x01" * (last - first + 1)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        if len(self.merges) < limits.MAX_MERGES and (first_row, first_col) != (last_row, last_col):
            self.merges.append((first_row, first_col, last_row, last_col))


def covered(cells: list[tuple[int, int, str, str]], merges: list[tuple[int, int, int, int]]) -> set[tuple[int, int]]:
    """The cells (of those read) that a merged range covers and does not show: all but its top-left one."""
    if not merges or not cells:
        return set()
    by_row: dict[int, list[int]] = {}
    for row, col, _, _ in cells:
        by_row.setdefault(row, []).append(col)
    rows = sorted(by_row)
    for cols in by_row.values():
        cols.sort()
    out: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in merges:
        for row in rows[bisect.bisect_left(rows, r1) : bisect.bisect_right(rows, r2)]:
            cols = by_row[row]
            for col in cols[bisect.bisect_left(cols, c1) : bisect.bisect_right(cols, c2)]:
                if (row, col) != (r1, c1):
                    out.add((row, col))
    return out


def emit_sheet(sink: Sink, sheet: Sheet, read: SheetCells) -> None:
    """The sheet's cells as TABLE parts in reading order: a shown value with origin "", a formula
    without cached value with origin "formula", anything nobody sees (hidden sheet, row or column,
    a cell under a merge) with origin "hidden"."""
    under = covered(read.cells, read.merges)
    for row, col, text, formula in read.cells:
        shown = (sheet.state == naming.VISIBLE and row not in read.hidden_rows
                 and not (col <= MAX_COLUMN and read.hidden_cols[col]) and (row, col) not in under)
        source = sheet.source(row, col)
        if text.strip():
            sink.add(PartKind.TABLE, text, source=source, origin="" if shown else HIDDEN, paragraph=row,
                     page=sheet.index)
        elif formula.strip():
            sink.add(PartKind.TABLE, formula, source=source, origin=FORMULA if shown else HIDDEN, paragraph=row,
                     page=sheet.index)


def sheet_name(sink: Sink, sheet: Sheet) -> None:
    sink.add(PartKind.METADATA, sheet.name, source=sheet.source(), origin=SHEET_NAME, page=sheet.index)


def value_text(value: object) -> str:
    """A cell value as the sheet shows it, near enough: whole numbers without ".0", dates as
    2024-01-31 (a time of day only when there is one), booleans as Excel writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# header/footer codes (&L &C &R sections, &P page, &"font", &12 size, &K colour …); && is a literal &
_HF_CODE = re.compile(r'&&|&[LCR]|&"[^"]*"|&K(?:[0-9A-Fa-f]{6}|\d\d[+-]\d{3})|&\d+|&[PNDTFAZGBIUESXYOH]|&\[[^\]]*\]')


def header_text(raw: str) -> str:
    """A header or footer as printed, without its codes: the left, centre and right sections on
    lines of their own (fields such as the page number or the file name are left out)."""

    def code(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "&&":
            return "&"
        return "\n" if token in ("&L", "&C", "&R") else ""

    return "\n".join(line for line in _HF_CODE.sub(code, raw).split("\n") if line.strip())


def parsed(sink: Sink, sheets: int) -> Parsed:
    """The parts collected (once-per-value ones last, as in a docx) and the column readings."""
    parts = [Part(kind=kind, text=text, page=page if isinstance(page, int) else None, paragraph=paragraph,
                  origin=origin, source=source)
             for kind, text, paragraph, origin, source, page in sink.items]
    parts.extend(Part(kind=kind, text=text, origin=origin, source=source)
                 for (kind, origin, text), source in sink.once_items.items())
    return with_columns(Parsed(parts=tuple(parts), pages=sheets or None, problems=tuple(sink.problems)))
