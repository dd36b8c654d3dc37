"""A certificate attachment's parts → its visible text per page, in reading order (`PageText`).

The text layer and OCR alike: parts that are not visible (tracked deletions, hidden text, form
fields, annotations) are left out, a part repeated at the same place counts once, and on a page
that has a text layer the OCR of its pictures (a seal, a logo) is left out. Where every part has
a box, lines are put into rows by their place on the page (`_rows`): OCR returns a two-column
form column by column, the reader wants 专利号 next to its value. The tolerances of that come from
lexicons/patent-reading.tsv (`screening.patents.thresholds`).

OCR pages keep each line's recognition score (`line_confidence`: the lowest of the parts a line
is put together from), so a field is as sure as the lines it is read from.

Also `page_marker`/`line_marker`: the printed `第N页（共M页）` that tells a missing page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from screening.model import Part, PartKind
from screening.patents.lexicon import SEPARATORS, SPACES, labels
from screening.patents.thresholds import thresholds


@dataclass(frozen=True, slots=True)
class PageText:
    """One page's visible text, lines in reading order."""

    page: int
    text: str
    confidence: float | None = None  # OCR: the lowest recognition score of the page's parts, where given
    ocr: bool = False  # the text was read by OCR
    # OCR: the recognition score of each line of `text` (text.splitlines()), the lowest of the parts
    # it was put together from (None: a part without a score); () when no part has a score
    line_confidence: tuple[float | None, ...] = ()

    def line_score(self, row: int) -> float | None:
        """The recognition score of line `row` (0-based) of `text`, where known."""
        return self.line_confidence[row] if 0 <= row < len(self.line_confidence) else None


TEXT_KINDS = frozenset({PartKind.BODY, PartKind.TABLE, PartKind.HEADER, PartKind.FOOTER, PartKind.TEXTBOX,
                        PartKind.IMAGE})
SKIPPED_ORIGINS = frozenset({"deleted", "hidden", "form_field", "annotation", "annotation_author"})
COLUMN_GAP = "    "  # between the lines of one row (certificate.typed_value splits a row by it)
OCR_ORIGIN = "ocr"  # Part.origin of text read by screening.parsers.ocr
_PAGE_MARK = re.compile(r"第(\d+)页[（(]共(\d+)页[）)]")


@dataclass(frozen=True, slots=True)
class _Placed:
    """One line of a part, placed on the page: the part's lines share its box evenly."""

    text: str
    x0: float
    centre: float
    height: float
    confidence: float | None  # the part's recognition score


Line = tuple[str, float | None]  # a line of a page's text and its recognition score


def _placed(part: Part) -> list[_Placed]:
    assert part.box is not None
    lines = part.text.split("\n")
    x0, top, _, bottom = part.box
    height = max((bottom - top) / len(lines), thresholds().min_line_height)
    return [_Placed(line, x0, top + (i + 0.5) * height, height, part.confidence) for i, line in enumerate(lines)]


def _lowest(scores: Iterable[float | None]) -> float | None:
    """The lowest score, None when one is missing (a line is only as sure as its least sure part)."""
    values = list(scores)
    return None if not values or any(v is None for v in values) else min(v for v in values if v is not None)


def _bare_label(text: str) -> bool:
    return labels(True).pattern.fullmatch(text.strip(SPACES + SEPARATORS)) is not None


def _rows(parts: Iterable[Part]) -> list[Line]:
    """Lines in reading order, those sharing a row joined left to right by a column gap, each with
    the lowest score of the lines it joins.

    OCR groups lines by column (all labels in one paragraph, all values in the next), so rows are
    rebuilt from every line's estimated place. A paragraph's box is the union of its lines, so
    its left edge may belong to another line: within a row, a bare label (专利号：) near the row's
    left edge comes first.
    """
    tolerance, lead = thresholds().row_tolerance, thresholds().label_lead
    rows: list[list[_Placed]] = []
    for line in sorted((line for part in parts for line in _placed(part)), key=lambda p: (p.centre, p.x0)):
        if rows and abs(line.centre - rows[-1][0].centre) <= tolerance * max(line.height, rows[-1][0].height):
            rows[-1].append(line)
        else:
            rows.append([line])
    out = []
    for row in rows:
        left = min(line.x0 for line in row)
        row.sort(key=lambda p: (not (_bare_label(p.text) and p.x0 <= left + lead * p.height), p.x0))
        shown = [line for line in row if line.text.strip()]
        out.append((COLUMN_GAP.join(line.text for line in shown), _lowest(line.confidence for line in shown)))
    return out


def _split(lines: Iterable[Line]) -> list[Line]:
    """Lines cut where `str.splitlines` cuts them, so that a page's `text.splitlines()` and its
    `line_confidence` stay aligned."""
    return [(piece, score) for text, score in lines for piece in (text.splitlines() or [""])]


def is_ocr_part(part: Part) -> bool:
    return part.kind is PartKind.IMAGE or part.origin == OCR_ORIGIN or part.confidence is not None


def line_marker(line: str) -> tuple[int, int] | None:
    """(N, M) when the line is a `第N页（共M页）` page marker (spaces and full-width forms allowed)."""
    mark = _PAGE_MARK.fullmatch("".join(unicodedata.normalize("NFKC", line).split()))
    return (int(mark.group(1)), int(mark.group(2))) if mark is not None else None


def page_marker(text: str) -> tuple[int, int] | None:
    """The first `第N页（共M页）` line of a page's text: (N, M)."""
    for line in text.splitlines():
        if (mark := line_marker(line)) is not None:
            return mark
    return None


def page_texts(parts: Iterable[Part]) -> list[PageText]:
    """The certificate's visible text per page, in reading order: by place where every part has a
    box (`_rows`), else in the parser's order. A part repeated at the same place counts once. On a
    page with a text layer, pictures' OCR (a seal, a logo; boxes in pixels) is left out."""
    pages: dict[int, list[Part]] = {}
    seen: set[tuple[object, ...]] = set()
    for part in parts:
        key = (part.page, part.text, part.box)
        if part.kind in TEXT_KINDS and part.origin not in SKIPPED_ORIGINS and part.text.strip() and key not in seen:
            seen.add(key)
            pages.setdefault(part.page or 1, []).append(part)
    out = []
    for page, items in sorted(pages.items()):
        if any(not is_ocr_part(p) for p in items):
            items = [p for p in items if p.kind is not PartKind.IMAGE]
        lines = _split(_rows(items) if all(p.box is not None for p in items) else [(p.text, p.confidence) for p in items])
        scores = [p.confidence for p in items if p.confidence is not None]
        out.append(PageText(page, "\n".join(text for text, _ in lines), min(scores) if scores else None,
                            any(is_ocr_part(p) for p in items),
                            tuple(score for _, score in lines) if scores else ()))
    return out


