"""A scanned or photographed budget table's grid, from where OCR's pieces stand (issue 14).

OCR's detector cuts a table into pieces that are mostly its cells ("1.设备费", "205.49"), each with
its four corners (`Part.segments`, screening/parsers/ocr.py). Their positions say which amount
stands in which row and under which head, which the paragraphs' text alone cannot:

* the picture's slant is the median slope of the pieces' long edges; every corner is turned back
  by it, so rows are level; a photo taken at an angle also leans its columns (the table is a
  trapezoid): the median sideways drift, from one row to the next, of the cell edges that line up
  (names start at one edge, amounts end at one) is taken out too, so columns are upright;
* rows — pieces whose turned centres lie within `rows.level` text heights of a row's centre
  (lexicons/budget-scan.yaml; a text height is the median height of the pieces);
* cells — a piece holding several words (a 序号 and its name, two amounts OCR joined) is cut into
  its numbers and the text between them, each given its share of the piece's width by its
  characters (`glyphs`);
* columns and the table — as on a PDF page without rules (screening/parsers/aligned.py: the
  x-ranges of the rows that hold a name and an amount; the run of rows of two cells or more that
  holds the most budget rows).

The grid comes out the way `budget_scan` builds its own (one head row, the name column first,
the money columns after it, amounts as read), so the same reader and the same arithmetic
self-check (`budget_scan.repair`) apply to it; `budget_scan.read_sheet` takes whichever of the two
readings leaves fewer sums broken.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from screening import budget
from screening.model import Location, Segment
from screening.parsers import aligned

Located = tuple[Segment, Location]  # a piece and the OCR paragraph (Part) it belongs to
Confidence = dict[tuple[int, int], float]


@dataclass(frozen=True, slots=True)
class _Tag:
    score: float
    location: Location


def _height(q: Sequence[float]) -> float:
    return max(((q[7] - q[1]) + (q[5] - q[3])) / 2, 1.0)


def slope(segments: Sequence[Segment]) -> float:
    """The picture's slant: the median slope (height per width) of the long pieces' edges."""
    slopes = []
    for seg in segments:
        q = seg.quad
        width = ((q[2] - q[0]) + (q[4] - q[6])) / 2
        if width >= 3 * _height(q):
            slopes.append(((q[3] - q[1]) + (q[5] - q[7])) / 2 / width)
    return statistics.median(slopes) if slopes else 0.0


_CHAR = re.compile(r"[\u3400-\u9fff]")
_RULES = re.compile(r"[|丨│｜¦]")  # a drawn rule between two cells, read as a character
_LEADING_AMOUNT = re.compile(r"^(\d[\d,]*\.\d+)(?=[\u3400-\u9fff])")  # "53.76见设备明细": two cells read as one


def _apart(text: str) -> str:
    """A piece's text with the cells OCR read as one word set apart: at a rule read as "|", and an
    amount with decimals at its start glued to the text of the next cell."""
    return _LEADING_AMOUNT.sub(r"\1 ", _RULES.sub(" ", text))


def _cells(seg: Segment, tag: _Tag, x0: float, x1: float, wide: float, narrow: float) -> list[aligned.Cell]:
    """A piece cut into its numbers and the text between them, each with its share of the width."""
    from screening.budget_scan import tokens  # late: budget_scan imports this module

    words = tokens(_apart(seg.text))
    groups: list[tuple[bool, list[str]]] = []
    for is_number, word in words:
        if not is_number and groups and not groups[-1][0]:
            groups[-1][1].append(word)
        else:
            groups.append((is_number, [word]))
    if not groups:
        return []
    texts = [" ".join(g) for _, g in groups]

    def width(text: str) -> float:
        return sum(wide if unicodedata.east_asian_width(ch) in "WF" else narrow for ch in text) or narrow

    widths = [width(t) for t in texts]
    scale = (x1 - x0) / sum(widths)
    gap = narrow * scale / 2  # cells read as one piece still stood apart: half a digit between them
    out, left = [], x0
    for k, (text, w) in enumerate(zip(texts, widths, strict=True)):
        out.append(aligned.Cell(text, left + (gap if k else 0), left + w * scale - (gap if k < len(texts) - 1 else 0), tag))
        left += w * scale
    return out


def rows(located: Sequence[Located], level: float, margin: float, wide: float,
         narrow: float) -> list[list[aligned.Cell]]:
    """The pieces as rows of cells, top to bottom, each left to right, the slant turned back, each
    piece `margin` text heights narrower on either side (the detector's box reaches past its text)."""
    if not located:
        return []
    k = slope([s for s, _ in located])
    unit = statistics.median(_height(s.quad) for s, _ in located)
    placed = []
    for seg, where in located:
        q = seg.quad
        cx, cy = sum(q[0::2]) / 4, sum(q[1::2]) / 4
        xs = [q[i] + k * q[i + 1] for i in (0, 2, 4, 6)]
        inset = min(margin * unit, (max(xs) - min(xs)) / 4)
        placed.append((cy - k * cx, min(xs) + inset, max(xs) - inset, seg, _Tag(seg.score, where)))
    placed.sort(key=lambda p: p[0])
    out: list[list[tuple[float, float, float, Segment, _Tag]]] = []
    centres: list[float] = []
    for item in placed:
        if out and abs(item[0] - centres[-1]) <= level * unit:
            out[-1].append(item)
            centres[-1] = statistics.fmean(p[0] for p in out[-1])
        else:
            out.append([item])
            centres.append(item[0])
    shear = _shear([(centre, [(x0, x1) for _, x0, x1, _, _ in row]) for centre, row in zip(centres, out, strict=True)],
                   unit)
    return [_spaced([cell for y, x0, x1, seg, tag in sorted(row, key=lambda p: p[1])
                     for cell in _cells(seg, tag, x0 - shear * y, x1 - shear * y, wide, narrow)]) for row in out]


def _spaced(row: list[aligned.Cell]) -> list[aligned.Cell]:
    """Single characters side by side in a row are one word spaced out ("合　　计"): one cell."""
    out: list[aligned.Cell] = []
    run: list[aligned.Cell] = []
    for cell in [*row, None]:
        if cell is not None and _CHAR.fullmatch(cell.text):
            run.append(cell)
            continue
        if len(run) >= 2:
            out.append(aligned.Cell("".join(c.text for c in run), run[0].x0, run[-1].x1, run[0].tag))
        else:
            out += run
        run = []
        if cell is not None:
            out.append(cell)
    return out


def _shear(rows: Sequence[tuple[float, Sequence[tuple[float, float]]]], unit: float) -> float:
    """How far a column drifts sideways per unit of height (a photo taken at an angle: the table a
    trapezoid): the median drift of the left or right edges that line up from one row to the next
    (names start at one edge, amounts end at one), within half a text height per row."""
    drifts = []
    for (y0, upper), (y1, lower) in pairwise(rows):
        if y1 - y0 <= 0:
            continue
        for edge in (0, 1):
            for cell in upper:
                near = min((c[edge] - cell[edge] for c in lower), key=abs, default=None)
                if near is not None and abs(near) <= unit / 2:
                    drifts.append(near / (y1 - y0))
    return statistics.median(drifts) if drifts else 0.0


def grid(located: Sequence[Located], items: str, *, level: float, margin: float, wide: float,
         narrow: float) -> tuple[budget.Grid, Confidence] | None:
    """The budget table among the pieces as a grid of one head row and the rows below it, the name
    column first; and each amount cell's OCR score. None when no run of rows holds two budget rows."""
    blocks = aligned.blocks(rows(located, level, margin, wide, narrow))
    if not blocks:
        return None
    block = max(blocks, key=lambda b: sum(budget.is_budget_row(c.text, items) for r in b for c in r))
    ranges = aligned.columns(block)
    cells: list[list[budget.Cell]] = []
    scores: dict[tuple[int, int], float] = {}
    blank = next(c.tag.location for r in block for c in r if isinstance(c.tag, _Tag))
    label_columns = _label_columns(block, ranges, items)
    for r, row in enumerate(block):
        texts: list[list[str]] = [[] for _ in ranges]
        where: list[Location] = [blank] * len(ranges)
        for cell in row:
            c = aligned.column(cell, ranges)
            if label_columns and c not in label_columns and _alone(cell, row, items):
                c = label_columns[0]  # "合计" centred across the table, standing in no name column
            texts[c].append(cell.text)
            assert isinstance(cell.tag, _Tag)
            where[c] = cell.tag.location
            scores[(r, c)] = min(scores.get((r, c), 1.0), cell.tag.score)
        cells.append([budget.Cell(" ".join(t), w) for t, w in zip(texts, where, strict=True)])
    return _canonical(cells, scores, items)


def _label_columns(block: Sequence[Sequence[aligned.Cell]], ranges: Sequence[tuple[float, float]],
                   items: str) -> list[int]:
    """The columns holding two budget rows or more, left to right."""
    counts = [0] * len(ranges)
    for row in block:
        for cell in row:
            if budget.is_budget_row(cell.text, items):
                counts[aligned.column(cell, ranges)] += 1
    return [c for c, n in enumerate(counts) if n >= 2]


def _alone(cell: aligned.Cell, row: Sequence[aligned.Cell], items: str) -> bool:
    """The only name in its row, and a budget row (a 合计 merged across the table)."""
    return budget.is_budget_row(cell.text, items) and not any(
        other is not cell and _CHAR.search(other.text) for other in row)


def _canonical(cells: budget.Grid, scores: Confidence, items: str) -> tuple[budget.Grid, Confidence] | None:
    """The grid turned or stacked as `budget.read_grid` would, the columns left of the names dropped
    (序号) and the rows above the first priced budget row joined into one head row."""
    index = {id(c): (r, k) for r, row in enumerate(cells) for k, c in enumerate(row)}  # kept through turning
    rows = budget.upright(cells, items)
    width = max((len(r) for r in rows), default=0)
    if width < 2:
        return None
    counts = [sum(budget.is_budget_row(r[c].text, items) for r in rows) for c in range(width)]
    label = max(range(width), key=lambda c: counts[c])
    if counts[label] < 2:
        return None
    labelled = [i for i, r in enumerate(rows) if budget.is_budget_row(budget.label_cell(r, label, items).text, items)]
    priced = next((i for i in labelled if any(budget.parse_amount(c.text) for c in rows[i][label + 1:])), labelled[0])
    head = [budget.Cell(" ".join(r[c].text for r in rows[:priced] if r[c].text.strip()), rows[labelled[0]][c].location)
            for c in range(label, width)]
    body = [[budget.label_cell(r, label, items), *r[label + 1:]] for r in rows[labelled[0]:]]
    out: budget.Grid = [head, *body]
    confidence: Confidence = {}
    for r, row in enumerate(out[1:], 1):
        for c, cell in enumerate(row[1:], 1):
            if (at := index.get(id(cell))) is not None and at in scores:
                confidence[(r, c)] = scores[at]
    return out, confidence
