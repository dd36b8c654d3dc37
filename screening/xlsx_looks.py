"""Cell looks in openpyxl workbooks, given cheaply.

openpyxl's style setters (`cell.font = …`, `cell.border = …`) hash the style into the workbook's
style lists on every call (~0.1 ms each): a form or a findings workbook of a few thousand cells
spent most of its time there. A workbook's cells take a few looks only, so each look is given to
one cell through the setters and the others get a copy of that cell's style indices (`_style`,
what openpyxl's own copy of a style copies).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from copy import copy
from typing import Any


class Looks:
    """The looks given so far in one workbook, by a key the caller chooses."""

    def __init__(self) -> None:
        self._styles: dict[Hashable, Any] = {}

    def give(self, cell: Any, key: Hashable, dress: Callable[[Any], None]) -> None:
        """Give `cell` the look `key`: `dress(cell)` sets it through openpyxl the first time, a copy
        of those style indices after that."""
        if key in self._styles:
            cell._style = copy(self._styles[key])
            return
        dress(cell)
        self._styles[key] = copy(cell._style)
