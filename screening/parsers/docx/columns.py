"""Table columns read top to bottom: one more part per column of short cells.

A name written down a column, one character per cell (浙/江/衢/晟/… in consecutive rows), is in
no single cell. So each column of each table is also read as text: a run of at least
COLUMN_MIN_CELLS consecutive non-empty cells of at most COLUMN_MAX_CHARS characters each (empty
cells are skipped, a longer cell ends the run) becomes one more part of the cells' kind, origin
"column", its cells' texts joined with "\\n" top to bottom (so digits of adjacent cells never
make one number), with the first cell's source, page and paragraph.
"""

from __future__ import annotations

import re

from screening.model import Part, PartKind
from screening.parsers.base import Parsed

COLUMN_MAX_CHARS = 2
COLUMN_MIN_CELLS = 4
COLUMN_ORIGIN = "column"
_CELL_SOURCE = re.compile(r"^(?P<table>.*t\d+)r(?P<row>\d+)c(?P<col>\d+)$")


def _column_parts(parts: tuple[Part, ...]) -> list[Part]:
    cells: dict[tuple[PartKind, str, int], dict[int, list[Part]]] = {}
    for part in parts:
        if part.origin or not (m := _CELL_SOURCE.match(part.source)):
            continue
        column = cells.setdefault((part.kind, m.group("table"), int(m.group("col"))), {})
        column.setdefault(int(m.group("row")), []).append(part)
    out: list[Part] = []
    for column in cells.values():
        run: list[tuple[str, Part]] = []
        for row in sorted(column):
            text = "".join("".join(p.text.split()) for p in column[row])
            if 0 < len(text) <= COLUMN_MAX_CHARS:
                run.append((text, column[row][0]))
                continue
            out += _column_run(run)
            run = []
        out += _column_run(run)
    return out


def _column_run(run: list[tuple[str, Part]]) -> list[Part]:
    if len(run) < COLUMN_MIN_CELLS:
        return []
    first = run[0][1]
    return [Part(kind=first.kind, text="\n".join(text for text, _ in run), page=first.page,
                 paragraph=first.paragraph, origin=COLUMN_ORIGIN, source=first.source)]


def with_columns(parsed: Parsed) -> Parsed:
    """`parsed` with the column parts of its tables appended after all other parts."""
    columns = _column_parts(parsed.parts)
    if not columns:
        return parsed
    return Parsed(parts=(*parsed.parts, *columns), pages=parsed.pages, images=parsed.images,
                  problems=parsed.problems)
