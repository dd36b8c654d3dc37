"""Where a part of a workbook is: the `Part.source` of everything read from a sheet.

    source := STATE INDEX ":" NAME [ "#t1r" ROW "c" COLUMN ]
    STATE  := "sheet" | "hidden-sheet" | "very-hidden-sheet"

e.g. "sheet1:预算#t1r3c2" is cell B3 of the first sheet (visible, named 预算), "hidden-sheet2:旧版" a
part of the hidden second sheet that belongs to no cell (its name, a header, a text box). INDEX is
the sheet's place in the workbook (1-based, hidden sheets counted), ROW and COLUMN are 1-based.

The cell path "t1rNcM" is the docx parser's table naming with one table per sheet, so
`budget.part_grids` rebuilds a sheet's grid, the identity check's `Layout` finds a cell's row and
its column head, and `docx.columns` reads its columns, none of them knowing it is a sheet. In NAME
"%" and "#" are written "%25" and "%23": the first "#" of a source always starts the cell path
(part_grids splits there). `screening.wording` words a place for a clerk (工作表“预算”第3行B列).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

VISIBLE, HIDDEN, VERY_HIDDEN = "visible", "hidden", "veryHidden"  # a sheet's state, as SpreadsheetML writes it
_PREFIX = {VISIBLE: "sheet", HIDDEN: "hidden-sheet", VERY_HIDDEN: "very-hidden-sheet"}
_STATE = {prefix: state for state, prefix in _PREFIX.items()}
_SOURCE = re.compile(
    r"^(?P<state>sheet|hidden-sheet|very-hidden-sheet)(?P<index>\d+):(?P<name>[^#]*)(?:#t1r(?P<row>\d+)c(?P<col>\d+))?$")


@dataclass(frozen=True, slots=True)
class Place:
    """A sheet, and the cell in it when the part belongs to one."""

    state: str  # VISIBLE | HIDDEN | VERY_HIDDEN
    index: int
    name: str
    row: int | None = None
    col: int | None = None

    @property
    def hidden(self) -> bool:
        return self.state != VISIBLE


def source(state: str, index: int, name: str, row: int | None = None, col: int | None = None) -> str:
    """The source of a part of sheet `index` (of cell row/col when given)."""
    sheet = _sheet(state, index, name)
    return f"{sheet}#t1r{row}c{col}" if row is not None and col is not None else sheet


@lru_cache(maxsize=64)
def _sheet(state: str, index: int, name: str) -> str:
    return f"{_PREFIX[state]}{index}:{name.replace('%', '%25').replace('#', '%23')}"


def place(text: str) -> Place | None:
    """The place a source names; None for a source that is no sheet's."""
    match = _SOURCE.match(text)
    if match is None:
        return None
    name = match["name"].replace("%23", "#").replace("%25", "%")
    row, col = match["row"], match["col"]
    return Place(_STATE[match["state"]], int(match["index"]), name,
                 int(row) if row is not None else None, int(col) if col is not None else None)


def column_letter(col: int) -> str:
    """1 → A, 27 → AA (Excel's column names)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


__all__ = ["HIDDEN", "VERY_HIDDEN", "VISIBLE", "Place", "column_letter", "place", "source"]
