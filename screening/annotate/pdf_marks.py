"""The PDF annotations of an annotated copy, as pypdf dictionaries: a highlight (/Highlight with
/QuadPoints) over a finding's text and a sticky note (/Text) for what has no text to highlight.
Each carries the note as /Contents, the author "形式审查筛查" as /T, a date and a unique /NM, and
its own appearance stream (/AP), so that every viewer draws it the same way — also those that
draw nothing for an annotation without one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from screening.annotate.notes import AUTHOR
from screening.annotate.pdf_places import Quad, Rect

HIGHLIGHT_COLOR = (1.0, 0.85, 0.0)  # yellow
NOTE_COLOR = (1.0, 0.6, 0.0)  # orange
NOTE_SIZE = 20.0  # a sticky note's icon, points
PRINT = 4  # /F: printed with the page


def highlight(writer: PdfWriter, quads: Sequence[Quad], text: str) -> DictionaryObject:
    xs = [v for q in quads for v in q[0::2]]
    ys = [v for q in quads for v in q[1::2]]
    rect = (min(xs), min(ys), max(xs), max(ys))
    fill = " ".join(f"{q[0]:.2f} {q[1]:.2f} m {q[2]:.2f} {q[3]:.2f} l {q[6]:.2f} {q[7]:.2f} l {q[4]:.2f} {q[5]:.2f} l h f"
                    for q in quads)
    annot = _markup("/Highlight", rect, text, HIGHLIGHT_COLOR)
    annot[NameObject("/QuadPoints")] = ArrayObject(FloatObject(round(v, 2)) for q in quads for v in q)
    annot[NameObject("/AP")] = _appearance(writer, rect, f"q /M gs {_rgb(HIGHLIGHT_COLOR)} rg {fill} Q", multiply=True)
    return annot


def sticky(writer: PdfWriter, at: tuple[float, float], text: str) -> DictionaryObject:
    """A sticky note whose icon's top-left corner is `at`."""
    left, top = at
    rect = (left, top - NOTE_SIZE, left + NOTE_SIZE, top)
    annot = _markup("/Text", rect, text, NOTE_COLOR)
    annot[NameObject("/Name")] = NameObject("/Comment")
    annot[NameObject("/Open")] = BooleanObject(False)
    w = NOTE_SIZE
    icon = (f"q {_rgb(NOTE_COLOR)} rg 0 0 0 RG 1 w {left + 0.5:.2f} {top - w + 0.5:.2f} {w - 1:.2f} {w - 1:.2f} re B "
            f"0 0 0 rg {left + 4:.2f} {top - 6:.2f} {w - 8:.2f} 1.5 re f {left + 4:.2f} {top - 10:.2f} {w - 8:.2f} 1.5 re f "
            f"{left + 4:.2f} {top - 14:.2f} {w - 12:.2f} 1.5 re f Q")
    annot[NameObject("/AP")] = _appearance(writer, rect, icon, multiply=False)
    return annot


def _markup(subtype: str, rect: Rect, text: str, color: tuple[float, float, float]) -> DictionaryObject:
    now = dt.datetime.now(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): ArrayObject(FloatObject(round(v, 2)) for v in rect),
        NameObject("/Contents"): TextStringObject(text),
        NameObject("/T"): TextStringObject(AUTHOR),
        NameObject("/Subj"): TextStringObject("形式审查"),
        NameObject("/M"): TextStringObject(now),
        NameObject("/CreationDate"): TextStringObject(now),
        NameObject("/NM"): TextStringObject(f"screening-{secrets.token_hex(8)}"),
        NameObject("/C"): ArrayObject(FloatObject(c) for c in color),
        NameObject("/F"): NumberObject(PRINT),
    })


def _appearance(writer: PdfWriter, rect: Rect, content: str, *, multiply: bool) -> DictionaryObject:
    """An /AP dictionary whose normal appearance draws `content` (user-space coordinates: the form's
    /BBox is the annotation's /Rect, so it maps onto it unscaled)."""
    form = StreamObject()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(round(v, 2)) for v in rect)
    if multiply:
        state = DictionaryObject({NameObject("/Type"): NameObject("/ExtGState"), NameObject("/BM"): NameObject("/Multiply")})
        form[NameObject("/Resources")] = DictionaryObject({
            NameObject("/ExtGState"): DictionaryObject({NameObject("/M"): state})})
    form.set_data(content.encode("ascii"))
    return DictionaryObject({NameObject("/N"): writer._add_object(form)})


def _rgb(color: tuple[float, float, float]) -> str:
    return " ".join(f"{c:g}" for c in color)
