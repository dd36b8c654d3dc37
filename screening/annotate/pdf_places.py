"""Where a finding of a PDF is on its page, in PDF user space.

* Text on a page (body, table, header, footer, text nobody sees): the matched text found on the
  finding's page by the masking's own search (`masking.pdf.page_hits`: pdfium's characters,
  normalised like the identity check; the full-height boxes of the characters), one quadrilateral
  per line. When the same text stands more than once on the page, the occurrence inside the
  finding's box (`Location.box`, else its part's) is taken; without a box, the first occurrence
  no earlier finding took.
* Text OCR read on a scanned page: the boxes of the recogniser's pieces holding the matched
  characters (`Part.span_box` of each run of them without a break), with the parsed document;
  without it, the finding's box (`Location.box`: their union). Text read from a picture on a page
  of text is located in the picture's pixels only: it gets no highlight.
* An annotation's or a form field's text: the annotation holding it (its /Rect), found by its
  strings.

Anything else (properties, attachments, outlines, scripts, a text not found) has no place:
`locate` gives None for it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from screening.masking import Needles
from screening.masking.pdf import page_hits
from screening.model import Box, Document, Finding, Part, PartKind
from screening.parsers.ocr import ORIGIN as OCR
from screening.parsers.pdf import _Frame, _page_text
from screening.parsers.pdfium_lib import pdfium

Rect = tuple[float, float, float, float]  # left, bottom, right, top (user space)
Quad = tuple[float, float, float, float, float, float, float, float]  # QuadPoints order: TL, TR, BL, BR
HIGHLIGHT_PADDING = 0.5  # points around the characters' boxes
ON_PAGE = frozenset({PartKind.BODY, PartKind.TABLE, PartKind.HEADER, PartKind.FOOTER, PartKind.TEXTBOX,
                     PartKind.FOOTNOTE})
IN_ANNOTATIONS = frozenset({"annotation", "annotation_author", "form_field", "link", "stamp"})
ANNOTATION_STRINGS = ("/Contents", "/T", "/V", "/TU", "/Subj", "/RC")


@dataclass(frozen=True, slots=True)
class Highlight:
    """Highlight these quadrilaterals of page `page` (0-based)."""

    page: int
    quads: tuple[Quad, ...]


@dataclass(frozen=True, slots=True)
class Beside:
    """A note next to the annotation at `rect` on page `page` (0-based)."""

    page: int
    rect: Rect


Place = Highlight | Beside


def locate(data: bytes, findings: Sequence[Finding], document: Document | None = None) -> list[Place | None]:
    """The place of each finding (None: it has none on a page; see the module docstring)."""
    reader = PdfReader(io.BytesIO(data))
    pdf = pdfium.PdfDocument(data)
    pages = _Pages(pdf, reader)
    try:
        return [pages.place(f, part_of(document, f) if document is not None else None) for f in findings]
    finally:
        pages.close()
        pdf.close()


def part_of(document: Document, finding: Finding) -> Part | None:
    """The part of the parsed document a finding was found in (by its location and text)."""
    loc = finding.location
    if loc is None:
        return None
    for part in document.parts:
        if (part.kind, part.page, part.paragraph, part.origin, part.source, part.embedded) == \
                (loc.part, loc.page, loc.paragraph, loc.origin, loc.source, loc.embedded) \
                and (not finding.matched or Needles([finding.matched]).spans(part.text)):
            return part
    return None


class _Pages:
    """The pages of one PDF as pdfium reads them (text, frame), opened as they are needed."""

    def __init__(self, pdf: pdfium.PdfDocument, reader: PdfReader) -> None:
        self.pdf = pdf
        self.reader = reader
        self.open: dict[int, tuple[Any, pdfium.PdfTextPage, str, _Frame]] = {}
        self.taken: dict[tuple[int, tuple[str, ...]], set[int]] = {}

    def close(self) -> None:
        for page, textpage, _, _ in self.open.values():
            textpage.close()
            page.close()

    def place(self, finding: Finding, part: Part | None) -> Place | None:
        loc, matched = finding.location, finding.matched
        if loc is None or loc.embedded or not matched or loc.page is None or not 1 <= loc.page <= len(self.pdf):
            return None
        index, keys = loc.page - 1, Needles([matched])
        if loc.origin in IN_ANNOTATIONS:
            return self._annotation(index, keys)
        if loc.origin == OCR:
            return self._ocr(index, finding, part) if loc.source == f"page {loc.page}" else None
        if loc.part in ON_PAGE:
            return self._text(index, keys, loc.box or (part.box if part is not None else None))
        return None

    def _page(self, index: int) -> tuple[Any, pdfium.PdfTextPage, str, _Frame]:
        if index not in self.open:
            page = self.pdf[index]
            textpage = page.get_textpage()
            self.open[index] = (page, textpage, _page_text(textpage), _Frame.of(page))
        return self.open[index]

    def _text(self, index: int, keys: Needles, box: Box | None) -> Highlight | None:
        _, textpage, text, frame = self._page(index)
        hits = [(n, rects) for n, (_, rects) in enumerate(page_hits(textpage, text, keys, loose=True,
                                                                     padding=HIGHLIGHT_PADDING)) if rects]
        if not hits:
            return None
        taken = self.taken.setdefault((index, keys.keys), set())
        if box is not None:
            chosen = max(hits, key=lambda hit: (sum(_overlap(frame.box(*r), box) for r in hit[1]), hit[0] not in taken))
        else:
            chosen = next((hit for hit in hits if hit[0] not in taken), hits[0])
        taken.add(chosen[0])
        return Highlight(index, tuple(_quad(rect) for rect in chosen[1]))

    def _ocr(self, index: int, finding: Finding, part: Part | None) -> Highlight | None:
        """The boxes (displayed page, points) of the OCR pieces holding the matched characters."""
        loc = finding.location
        assert loc is not None
        boxes: list[Box] = []
        if part is not None and loc.start is not None and loc.end is not None:
            for run in re.finditer(r"\S+", part.text[loc.start:loc.end]):
                box = part.span_box(loc.start + run.start(), loc.start + run.end())
                if box is not None and box not in boxes:
                    boxes.append(box)
        elif loc.box is not None:
            boxes.append(loc.box)
        if not boxes:
            return None
        frame = self._page(index)[3]
        return Highlight(index, tuple(_quad(self._user_rect(frame, box)) for box in boxes))

    @staticmethod
    def _user_rect(frame: _Frame, box: Box) -> Rect:
        xs, ys = zip(*(_to_user(frame, x, y) for x, y in ((box[0], box[1]), (box[2], box[3]))), strict=True)
        return min(xs), min(ys), max(xs), max(ys)

    def _annotation(self, index: int, keys: Needles) -> Beside | None:
        annots = self.reader.pages[index].get("/Annots")
        annots = annots.get_object() if annots is not None else None
        for ref in annots if isinstance(annots, ArrayObject) else []:
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject) or "/Rect" not in annot:
                continue
            strings = [str(annot[key].get_object()) for key in ANNOTATION_STRINGS if key in annot]
            rect = annot["/Rect"].get_object()
            if any(keys.spans(s) for s in strings) and isinstance(rect, ArrayObject) and len(rect) == 4:
                left, bottom, right, top = (float(v) for v in rect)
                return Beside(index, (min(left, right), min(bottom, top), max(left, right), max(bottom, top)))
        return None


def _quad(rect: Rect) -> Quad:
    """A rectangle as QuadPoints (top-left, top-right, bottom-left, bottom-right)."""
    left, bottom, right, top = rect
    return left, top, right, top, left, bottom, right, bottom


def _overlap(a: Box, b: Box) -> float:
    """The area two (x0, top, x1, bottom) boxes share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _to_user(frame: _Frame, x: float, y: float) -> tuple[float, float]:
    """A point of the displayed page (points from its top-left corner, as the parser's boxes are)
    in PDF user space: the inverse of `parsers.pdf._Frame.box`."""
    if frame.rotation == 90:
        return frame.left + y, frame.bottom + x
    if frame.rotation == 180:
        return frame.right - x, frame.bottom + y
    if frame.rotation == 270:
        return frame.right - y, frame.top - x
    return frame.left + x, frame.top - y
