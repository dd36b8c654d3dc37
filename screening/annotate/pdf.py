"""A PDF with its findings as annotations, written with pypdf as an incremental update: the
original bytes stay as they were (a signature over them too) and the annotations are appended.

Each finding with a place on a page (`pdf_places.locate`) gets a highlight over its text — or
over what OCR read on a scanned page — or, for an annotation's or a form field's text, a sticky
note next to that annotation; its /Contents is the note (`notes.note`: severity, where, message).
The findings without a place are listed in one sticky note (`notes.overview`): on their page when
they have one, else on page 1 (properties, attached files, the file name, findings without a
location). Every finding given appears in some annotation.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdfium2 import PdfiumError

from screening.annotate.notes import AnnotationError, Marked, note, overview
from screening.annotate.pdf_marks import NOTE_SIZE, highlight, sticky
from screening.annotate.pdf_places import Beside, Highlight, locate
from screening.model import Document, Finding

MARGIN = 12.0  # points between a page's top-left corner and its overview note
GAP = 4.0  # points between an annotation and the note beside it


def annotate_pdf(data: bytes, findings: Sequence[Finding], document: Document | None = None) -> Marked:
    """A copy of the PDF with every finding as an annotation (see the module docstring). With
    `document` (the parsed attachment), text read by OCR is highlighted too and the same text twice
    on a page is told apart by the finding's paragraph (`pdf_places`)."""
    try:
        if PdfReader(io.BytesIO(data)).is_encrypted:
            raise AnnotationError("PDF设置了密码，无法添加标注")
        places = locate(data, findings, document)
        writer = PdfWriter(io.BytesIO(data), incremental=True)
    except (PyPdfError, PdfiumError) as err:  # a damaged file
        raise AnnotationError(f"PDF无法解析，未能添加标注（{type(err).__name__}: {err}）") from None
    listed: dict[int | None, list[Finding]] = {}
    for finding, place in zip(findings, places, strict=True):
        if isinstance(place, Highlight):
            writer.add_annotation(place.page, highlight(writer, place.quads, note(finding)))
        elif isinstance(place, Beside):
            _, _, right, top = place.rect
            edge = float(writer.pages[place.page].cropbox.right) - NOTE_SIZE  # on the page, however far right it is
            writer.add_annotation(place.page, sticky(writer, (min(right + GAP, edge), top), note(finding)))
        else:
            page = finding.location.page if finding.location is not None else None
            listed.setdefault(page - 1 if page is not None and 1 <= page <= len(writer.pages) else None, []).append(finding)
    for page, unplaced in listed.items():
        index = page if page is not None else 0
        left, _, _, top = (float(v) for v in writer.pages[index].cropbox)
        shift = (NOTE_SIZE + GAP) if page is not None and page == 0 and None in listed else 0.0
        lines = overview(unplaced, "本页" if page is not None else "本文件")
        writer.add_annotation(index, sticky(writer, (left + MARGIN, top - MARGIN - shift), "\n".join(lines)))
    out = io.BytesIO()
    try:
        writer.write(out)
    except PyPdfError as err:
        raise AnnotationError(f"无法写出带标注的PDF（{type(err).__name__}: {err}）") from None
    return Marked(out.getvalue(), anchored=len(findings) - sum(map(len, listed.values())),
                  listed=sum(map(len, listed.values())))
