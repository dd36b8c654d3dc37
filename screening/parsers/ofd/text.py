"""The text objects of an OFD page (or of an annotation's appearance) → lines → paragraphs.

OFD is a fixed layout, like PDF: a page holds text objects (TextObject: a Boundary "x y w h" in
millimetres, a font Size, an optional CTM) whose TextCode elements place runs of characters —
X and Y (the first character's baseline, relative to the object's Boundary, through its CTM),
DeltaX / DeltaY (the advance to each next character; "g N d" repeats d N times). A TextCode
without X or Y goes on where the previous one ended.

Each TextCode becomes a `Run` (its text, baseline, left and right ends, height); a run with DeltaY
and no DeltaX is vertical text, one run per character. Runs whose baselines are within
`SAME_LINE` of a line's height are one line, joined left to right, with a space where the gap
between two runs is more than `SPACE_GAP` heights (a name spread over a table row keeps a word
boundary). Lines are grouped into paragraphs by `layout.text_layer_paragraphs`, the rules a PDF's
text layer follows, in points (1 mm = 72/25.4 pt); a paragraph's lines are joined with "\\n".
Objects nested in PageBlock elements are read too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from lxml import etree

from screening.parsers.layout import text_layer_paragraphs
from screening.parsers.zippkg import localname

PT_PER_MM = 72 / 25.4
SAME_LINE = 0.5  # line heights: baselines closer than this are one line
SPACE_GAP = 0.8  # line heights: a wider gap between two runs of a line is written as a space
MAX_DELTAS = 100_000  # advances read from one DeltaX / DeltaY (a "g N d" cannot ask for more)
DEFAULT_SIZE = 3.5  # mm (about 10 pt): a text object that states no size


@dataclass(frozen=True, slots=True)
class Run:
    """Characters placed in one go, in points of the page (y grows downwards)."""

    text: str
    x0: float
    x1: float
    baseline: float
    height: float


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    height: float


def numbers(value: str | None) -> list[float]:
    out: list[float] = []
    for token in (value or "").replace(",", " ").split():
        try:
            out.append(float(token))
        except ValueError:
            continue
    return [v for v in out if math.isfinite(v)]


def deltas(value: str | None) -> list[float]:
    """A DeltaX / DeltaY list with its "g N d" repetitions expanded (at most `MAX_DELTAS`)."""
    tokens = (value or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < MAX_DELTAS:
        if tokens[i] == "g" and i + 2 < len(tokens):
            count, step = numbers(tokens[i + 1]), numbers(tokens[i + 2])
            if count and step:
                out.extend([step[0]] * max(0, min(int(count[0]), MAX_DELTAS - len(out))))
            i += 3
            continue
        out.extend(numbers(tokens[i]))
        i += 1
    return out


def _matrix(value: str | None) -> tuple[float, float, float, float, float, float]:
    ctm = numbers(value)
    if len(ctm) != 6:
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    a, b, c, d, e, f = ctm
    return (a, b, c, d, e, f)


def runs(container: etree._Element) -> Iterator[Run]:
    """Every TextCode run under `container` (a page's Content, a layer, a PageBlock, an Appearance)."""
    for el in container.iter():
        if localname(el) == "TextObject":
            yield from _object_runs(el)


def _object_runs(obj: etree._Element) -> Iterator[Run]:
    box = numbers(obj.get("Boundary"))
    bx, by = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
    a, b, c, d, e, f = _matrix(obj.get("CTM"))
    scale = math.sqrt(abs(a * d - b * c)) or 1.0
    sizes = numbers(obj.get("Size"))
    size = (sizes[0] if sizes and sizes[0] > 0 else DEFAULT_SIZE) * scale
    x = y = 0.0
    for code in obj:
        if localname(code) != "TextCode":
            continue
        value = "".join(code.itertext())
        xs, ys = numbers(code.get("X")), numbers(code.get("Y"))
        x = xs[0] if xs else x
        y = ys[0] if ys else y
        dx, dy = deltas(code.get("DeltaX")), deltas(code.get("DeltaY"))
        chars = list(value)
        if not chars:
            continue
        positions = [(x, y)]
        for i in range(1, len(chars)):
            px, py = positions[-1]
            positions.append((px + (dx[i - 1] if i - 1 < len(dx) else (size if not dy else 0.0)),
                              py + (dy[i - 1] if i - 1 < len(dy) else 0.0)))
        x, y = positions[-1][0] + (size if not dy else 0.0), positions[-1][1] + (size if dy and not dx else 0.0)

        def page(px: float, py: float) -> tuple[float, float]:
            return ((bx + a * px + c * py + e) * PT_PER_MM, (by + b * px + d * py + f) * PT_PER_MM)

        height = size * PT_PER_MM
        if dy and not dx:  # vertical text: a run per character
            for char, (px, py) in zip(chars, positions, strict=True):
                left, base = page(px, py)
                yield Run(char, left, left + height, base, height)
            continue
        left, base = page(*positions[0])
        right, _ = page(positions[-1][0] + size, positions[-1][1])
        yield Run(value, min(left, right), max(left, right), base, height)


def lines(found: list[Run]) -> list[Line]:
    """Runs joined into lines, top to bottom (see the module docstring)."""
    ordered = sorted(found, key=lambda r: (r.baseline, r.x0))
    rows: list[list[Run]] = []
    for run in ordered:
        if rows and abs(run.baseline - rows[-1][0].baseline) <= SAME_LINE * max(run.height, rows[-1][0].height):
            rows[-1].append(run)
        else:
            rows.append([run])
    out: list[Line] = []
    for row in rows:
        row.sort(key=lambda r: r.x0)
        pieces = [row[0].text]
        for prev, cur in pairwise(row):
            if cur.x0 - prev.x1 > SPACE_GAP * max(prev.height, cur.height):
                pieces.append(" ")
            pieces.append(cur.text)
        height = max(r.height for r in row)
        base = max(r.baseline for r in row)
        out.append(Line("".join(pieces), min(r.x0 for r in row), max(r.x1 for r in row), base - height, base, height))
    return out


def paragraphs(found: list[Run]) -> list[list[Line]]:
    """The runs' lines grouped into paragraphs (`layout.text_layer_paragraphs`)."""
    return text_layer_paragraphs([line for line in lines(found) if line.text.strip()])
