"""Lines → paragraphs: the one place that decides which lines of a page belong together.

A name broken across a line is found only when the two lines are one string again, so both
readers of pages hand their lines here: pdf.py (the lines of a PDF's text layer) and ocr.py (the
rows recognised in a picture). When in doubt lines are joined: a name split over two parts is
missed, while two lines joined by mistake rarely make a false name. Every factor is a value of
`lexicons/parsing.yaml` (`paragraphs:`), in line heights unless it says otherwise; "line height"
is the larger height of the two lines compared.

Shared rules (both readers): a line indented more than `indent` starts a paragraph; so does a line
after one that ends a sentence (`ends_sentence`: 。！？；： or ASCII ! ? ; :, before closing quotes
and brackets) at least `sentence_margin` left of the usual right edge; the usual spacing of lines is
a low quantile (`usual_quantile`) of the spacings seen, and a spacing beyond `usual_factor` times
it separates paragraphs.

Text layer (`text_layer_paragraphs`): lines in pdfium's order, one kind of one page at a time, each
continuing the previous one or starting a paragraph. The spacing is the pitch, from one line's
bottom to the next one's (on a text layer the bottoms sit at the baselines, so this is the
baseline pitch). A new paragraph starts when

1. the line does not sit below the previous one (pitch < `same_row`: another column, a table cell
   on the same row, text drawn out of order);
2. the pitch is more than `usual_factor` × the usual pitch + `slack` points. The usual pitch is the
   `usual_quantile` (nearest rank) of the pitches between `pitch_range` line heights, but at most
   `pitch_cap` line heights — or `pitch_guess` (single spacing) with fewer than `min_pitches`
   pitches to go by;
3. the previous line ends a sentence and ends `sentence_margin` left of the usual right edge (the
   `right_quantile` of the lines' right ends);
4. the line is indented (x0 more than `indent` right of the previous line's);
5. the line height (the font size) changes by more than `height_change`.

`one_below` tells whether a one-character line stands right under another: pdf.py joins such
columns as vertical text.

OCR (`recognised_paragraphs`): rows in reading order; a row continues the latest of the last
`open` paragraphs whose last row it sits right under: the gap from that row's bottom to this one's
top at least −`overlap` and at most `gap_min` line heights, or `usual_factor` × the picture's usual
gap up to `gap_max` (the usual gap: the element at `usual_quantile` of the sorted gaps below
`gap_range` between rows sharing a column, rounded down — as first measured); heights within
`height_change`; overlapping horizontally; not indented; the row above not a short one ending a
sentence (short against the paragraph's rightmost end so far).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol, TypeVar

from screening.parsers.thresholds import thresholds

_P = thresholds().paragraphs
_TEXT = _P.text_layer
_OCR = _P.recognised

SENTENCE_END = frozenset("。！？；：!?;:")
CLOSERS = "”’」』）)】》〉\"' \u3000"


class Line(Protocol):
    """A line as both readers give it: its text and its upright extent (y grows downwards)."""

    @property
    def text(self) -> str: ...

    @property
    def x0(self) -> float: ...

    @property
    def x1(self) -> float: ...

    @property
    def top(self) -> float: ...

    @property
    def bottom(self) -> float: ...

    @property
    def height(self) -> float: ...


L = TypeVar("L", bound=Line)


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def _indented(prev: Line, cur: Line, height: float) -> bool:
    return cur.x0 > prev.x0 + _P.indent * height


def _ends_short(prev: Line, right: float, height: float) -> bool:
    """`prev` ends a sentence clearly left of `right`: the paragraph ends with it."""
    return ends_sentence(prev.text) and prev.x1 < right - _P.sentence_margin * height


# ---------------------------------------------------------------- a PDF's text layer


@dataclass(frozen=True, slots=True)
class Spacing:
    """What is usual for the lines of one kind on one page: the pitch and the right edge."""

    pitch: float
    right: float

    @classmethod
    def of(cls, lines: Sequence[Line]) -> Spacing:
        height = quantile([line.height for line in lines], 0.5)
        low, high = _TEXT.pitch_range
        pitches = [cur.bottom - prev.bottom for prev, cur in pairwise(lines)
                   if low * height < cur.bottom - prev.bottom < high * height]
        cap = (_TEXT.pitch_cap if len(pitches) >= _TEXT.min_pitches else _TEXT.pitch_guess) * height
        pitch = min(quantile(pitches, _P.usual_quantile), cap) if pitches else cap
        return cls(pitch=pitch, right=quantile([line.x1 for line in lines], _TEXT.right_quantile))

    def breaks(self, prev: Line, cur: Line) -> bool:
        """Whether `cur` starts a new paragraph after `prev`."""
        height = max(prev.height, cur.height)
        pitch = cur.bottom - prev.bottom
        if pitch < _TEXT.same_row * height or pitch > _P.usual_factor * self.pitch + _TEXT.slack:
            return True
        if _ends_short(prev, self.right, height) or _indented(prev, cur, height):
            return True
        return abs(cur.height - prev.height) > _TEXT.height_change * height


def text_layer_paragraphs(lines: Sequence[L]) -> list[list[L]]:
    """Consecutive lines of one kind of one page grouped into paragraphs (rules 1–5 above)."""
    if not lines:
        return []
    spacing = Spacing.of(lines)
    groups = [[lines[0]]]
    for prev, cur in pairwise(lines):
        if spacing.breaks(prev, cur):
            groups.append([cur])
        else:
            groups[-1].append(cur)
    return groups


def one_below(prev: Line, cur: Line, max_pitch: float, overlap: float) -> bool:
    """Whether one-character `cur` stands right under `prev`: pitch between `same_row` and
    `max_pitch` line heights, their widths missing each other by less than `overlap`."""
    height = max(prev.height, cur.height)
    return (len(cur.text) == 1 and _TEXT.same_row * height <= cur.bottom - prev.bottom <= max_pitch * height
            and min(prev.x1, cur.x1) - max(prev.x0, cur.x0) > -overlap * height)


# ---------------------------------------------------------------- OCR rows


def overlap(a: Line, b: Line) -> bool:
    """Whether two lines share some horizontal extent (cells of a table's other column do not)."""
    return min(a.x1, b.x1) > max(a.x0, b.x0)


def usual_gap(lines: Sequence[Line]) -> float:
    """The usual gap between a row and the next one right under it (0 when there is none)."""
    gaps = sorted(cur.top - prev.bottom for prev, cur in pairwise(lines)
                  if overlap(prev, cur) and 0 <= cur.top - prev.bottom < _OCR.gap_range * prev.height)
    return gaps[int(len(gaps) * _P.usual_quantile)] if gaps else 0.0


def continues(group: Sequence[Line], line: Line, usual: float) -> bool:
    """Whether `line` continues the paragraph `group` (see the module docstring)."""
    prev = group[-1]
    height = max(prev.height, line.height)
    gap = line.top - prev.bottom
    limit = min(max(_OCR.gap_min * height, _P.usual_factor * usual), _OCR.gap_max * height)
    if not -_OCR.overlap * height <= gap <= limit:
        return False
    if abs(prev.height - line.height) > _OCR.height_change * height or not overlap(prev, line):
        return False
    if _indented(prev, line, height):
        return False
    return not _ends_short(prev, max(other.x1 for other in group), height)


def recognised_paragraphs(lines: Sequence[L]) -> list[list[L]]:
    """Rows grouped into paragraphs: each row joins the latest open paragraph it continues."""
    usual = usual_gap(lines)
    groups: list[list[L]] = []
    for line in lines:
        for group in reversed(groups[-_OCR.open:]):  # a few open paragraphs: columns, table cells
            if continues(group, line, usual):
                group.append(line)
                break
        else:
            groups.append([line])
    return groups
