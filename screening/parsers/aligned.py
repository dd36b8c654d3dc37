"""Tables without rules: the cells of a PDF page rebuilt from where its characters stand.

A budget list typed with spaces or tab stops, or exported without borders, has no drawn lines for
pdfplumber's table finder, and its text lines ("1 设备费 204.75 7 国际合作与交流费 7.12") no longer
say which number stands under which head. The positions still do:

* lines — characters whose vertical centres lie within `same_line` of a line's height of each other;
* cells — a line cut where the space between two characters is wider than `cell_gap` ems (CJK
  text and numbers are set solid; a space typed in a name, "合  计", cuts it too, and its pieces
  meet again in their column), except a line of single characters spaced out ("经 费 预 算 表");
* columns — from the data lines (a cell of text and a cell that is a number): the x-ranges their
  cells cover, merged where they overlap; an x-position crossed by at most `crossing_share` of
  the data lines (a long name running into the next column on one line) still separates columns.
  Every cell goes to the column it overlaps most (a head cell wider than its numbers too);
* tables — runs of lines with two cells or more, with at most `max_single_lines` one-cell lines
  between them (a name wrapped in its cell); the title above and the notes below have one cell.

The numbers are `tables` in lexicons/parsing.yaml. Nothing here knows budgets: the budget reader
(screening/budget.py) reads the grids as it reads ruled ones.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from screening.parsers.thresholds import thresholds

_NUMBER = re.compile(r"^[¥￥]?[-+]?[\d,，.．]*\d[\d,，.．]*(?:万元|元|%)?$")
_TEXT = re.compile(r"[\u3400-\u9fffA-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's text and where it stands across the page; `tag` is the caller's (where it was read)."""

    text: str
    x0: float
    x1: float
    tag: object = None


def _lines(chars: Sequence[Char]) -> list[list[Char]]:
    """Characters grouped into lines, top to bottom, each left to right."""
    same = thresholds().tables.same_line
    lines: list[list[Char]] = []
    centres: list[float] = []
    for char in sorted(chars, key=lambda c: ((c.top + c.bottom) / 2, c.x0)):
        centre, height = (char.top + char.bottom) / 2, char.bottom - char.top
        if lines and abs(centre - centres[-1]) <= same * max(height, 1e-6):
            lines[-1].append(char)
        else:
            lines.append([char])
            centres.append(centre)
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def _cells(line: Sequence[Char]) -> list[Cell]:
    """A line cut into cells where the space between two inked characters is wider than a cell gap."""
    gap = thresholds().tables.cell_gap
    inked = [c for c in line if c.text.strip()]
    if not inked:
        return []
    em = statistics.median(c.bottom - c.top for c in inked)
    cells: list[list[Char]] = [[inked[0]]]
    for prev, char in pairwise(inked):
        if char.x0 - prev.x1 > gap * em:
            cells.append([char])
        else:
            cells[-1].append(char)
    if len(cells) >= 3 and all(len(cell) == 1 and _CJK.match(cell[0].text) for cell in cells):
        cells = [inked]  # letter-spaced text ("经 费 预 算 表"): one cell
    return [Cell("".join(c.text for c in cell), cell[0].x0, max(c.x1 for c in cell)) for cell in cells]


def _is_data(cells: Sequence[Cell]) -> bool:
    return any(_TEXT.search(c.text) for c in cells) and any(_NUMBER.match(c.text) for c in cells)


def columns(rows: Sequence[Sequence[Cell]]) -> list[tuple[float, float]]:
    """Column x-ranges from the data rows: covered ranges merged; a range crossed by few rows
    (`crossing_share`), or by few compared with the columns on both sides of it (`valley_share`:
    a long cell running a little into the next column on a photo), separates columns."""
    settings = thresholds().tables
    data = [row for row in rows if _is_data(row)] or list(rows)
    allowed = int(settings.crossing_share * len(data))
    edges = sorted({x for row in data for c in row for x in (c.x0, c.x1)})
    spans = [(left, right, sum(1 for row in data for c in row if c.x0 <= (left + right) / 2 <= c.x1))
             for left, right in pairwise(edges)]
    crossed = [count > allowed for _, _, count in spans]

    def peak(i: int, step: int) -> int:
        best, j = 0, i + step
        while 0 <= j < len(spans) and crossed[j]:
            best, j = max(best, spans[j][2]), j + step
        return best

    ranges: list[tuple[float, float]] = []
    for i, (left, right, count) in enumerate(spans):
        if not crossed[i] or count <= settings.valley_share * min(peak(i, -1), peak(i, 1)):
            continue  # free space between columns
        if ranges and ranges[-1][1] >= left:
            ranges[-1] = (ranges[-1][0], right)
        else:
            ranges.append((left, right))
    return ranges


def column(cell: Cell, ranges: Sequence[tuple[float, float]]) -> int:
    """The column (index in `ranges`) a cell stands in: the one it overlaps most, else the nearest."""
    def overlap(i: int) -> float:
        left, right = ranges[i]
        return min(cell.x1, right) - max(cell.x0, left)

    best = max(range(len(ranges)), key=lambda i: (overlap(i), -i))
    if overlap(best) > 0:
        return best
    centre = (cell.x0 + cell.x1) / 2
    return min(range(len(ranges)), key=lambda i: abs((ranges[i][0] + ranges[i][1]) / 2 - centre))


def _grid(rows: Sequence[Sequence[Cell]]) -> tuple[tuple[str, ...], ...]:
    ranges = columns(rows)
    out: list[tuple[str, ...]] = []
    for row in rows:
        texts = [""] * len(ranges)
        for cell in row:
            i = column(cell, ranges)
            texts[i] = f"{texts[i]} {cell.text}" if texts[i] else cell.text
        out.append(tuple(texts))
    return tuple(out)


def tables(chars: Sequence[Char]) -> list[tuple[tuple[str, ...], ...]]:
    """The tables of one page without rules, each as rows of cell texts ("" for an empty cell)."""
    rows = [cells for cells in map(_cells, _lines(chars)) if cells]
    return [_grid(block) for block in blocks(rows)]


def blocks(rows: Sequence[Sequence[Cell]]) -> list[list[Sequence[Cell]]]:
    """The runs of rows (top to bottom) that are tables: rows of two cells or more, with at most
    `max_single_lines` rows of one cell between them, enough rows and data rows."""
    settings = thresholds().tables
    found: list[list[Sequence[Cell]]] = []
    current: list[Sequence[Cell]] = []
    singles: list[Sequence[Cell]] = []
    for row in rows:
        if len(row) >= 2:
            if current:
                current.extend(singles)
            current.append(row)
            singles = []
        elif current:
            singles.append(row)
            if len(singles) > settings.max_single_lines:
                found.append(current)
                current, singles = [], []
    if current:
        found.append(current)
    return [block for block in found
            if len(block) >= settings.min_rows and sum(_is_data(r) for r in block) >= settings.min_data_rows]
