"""Text turned into curves on a PDF page that has a text layer (issue 15): a name drawn as vector
outlines (a letterhead pasted from a design program, "convert text to outlines" before printing to
PDF) is no text pdfium can give; only a person looking, or OCR, reads it.

`regions(page)` finds where that may be: the page's own filled path objects that look like glyphs
— many curve and line segments (`pdf.outlines.min_segments`) in a box no taller than
`max_height` points — lying on no text object, grouped into rows (boxes that overlap vertically
and stand at most `gap` of their height apart). A row at least `min_width` points wide is a region,
at most `max_regions` a page; table rules and frames (few segments) and large drawings (too tall)
are not. Each region becomes an `ImageRef` "page N region k" that OCR reads by rendering just that
rectangle of the page (`parsers/ocr.py`); the text it finds is a part of the page (kind IMAGE,
origin "ocr") like the text of a picture. The numbers are `pdf.outlines` in lexicons/parsing.yaml.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from screening.parsers.thresholds import thresholds

Box = tuple[float, float, float, float]  # left, bottom, right, top in user space


@dataclass(frozen=True, slots=True)
class _Glyph:
    box: Box


def _bounds(obj: object) -> Box | None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return left.value, bottom.value, right.value, top.value


def _filled(obj: object) -> bool:
    mode, stroke = ctypes.c_int(), ctypes.c_int()
    return bool(pdfium_c.FPDFPath_GetDrawMode(obj, mode, stroke)) and mode.value != pdfium_c.FPDF_FILLMODE_NONE


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def regions(page: pdfium.PdfPage) -> list[Box]:
    """Rectangles of the page (user space) where glyph-like paths stand on no text (module docstring)."""
    cfg = thresholds().pdf.outlines
    texts: list[Box] = []
    glyphs: list[_Glyph] = []
    for k in range(max(pdfium_c.FPDFPage_CountObjects(page.raw), 0)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        box = _bounds(obj)
        if box is None:
            continue
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts.append(box)
        elif (kind == pdfium_c.FPDF_PAGEOBJ_PATH and 0 < box[3] - box[1] <= cfg.max_height and _filled(obj)
              and pdfium_c.FPDFPath_CountSegments(obj) >= cfg.min_segments):
            glyphs.append(_Glyph(box))
    glyphs = [g for g in glyphs if not any(_overlaps(g.box, t) for t in texts)]
    rows: list[list[float]] = []
    for g in sorted(glyphs, key=lambda g: (g.box[0], -g.box[3])):  # left to right: a row grows rightwards
        left, bottom, right, top = g.box
        height = top - bottom
        for row in rows:
            same_line = min(top, row[3]) - max(bottom, row[1]) > 0.5 * min(height, row[3] - row[1])
            near = left <= row[2] + cfg.gap * height and right >= row[0] - cfg.gap * height
            if same_line and near:
                row[0], row[1], row[2], row[3] = min(row[0], left), min(row[1], bottom), max(row[2], right), max(row[3], top)
                break
        else:
            rows.append([left, bottom, right, top])
    found = [(r[0], r[1], r[2], r[3]) for r in rows if r[2] - r[0] >= cfg.min_width]
    return sorted(found, key=lambda b: (-b[3], b[0]))[: cfg.max_regions]
