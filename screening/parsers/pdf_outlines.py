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

from screening.parsers.pdf_unseen import Box, bounds, filled, overlaps
from screening.parsers.pdfium_lib import pdfium, pdfium_c
from screening.parsers.thresholds import thresholds


def regions(page: pdfium.PdfPage) -> list[Box]:
    """Rectangles of the page (user space) where glyph-like paths stand on no text (module docstring)."""
    cfg = thresholds().pdf.outlines
    texts: list[Box] = []
    glyphs: list[Box] = []
    for k in range(max(pdfium_c.FPDFPage_CountObjects(page.raw), 0)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        box = bounds(obj)
        if box is None:
            continue
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts.append(box)
        elif (kind == pdfium_c.FPDF_PAGEOBJ_PATH and 0 < box[3] - box[1] <= cfg.max_height and filled(obj)
              and pdfium_c.FPDFPath_CountSegments(obj) >= cfg.min_segments):
            glyphs.append(box)
    glyphs = [g for g in glyphs if not any(overlaps(g, t) for t in texts)]
    rows: list[list[float]] = []
    for g in sorted(glyphs, key=lambda g: (g[0], -g[3])):  # left to right: a row grows rightwards
        left, bottom, right, top = g
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
