"""What a PDF page draws, as the table finder needs it, read with pdfium (the parser's own library):
its characters with their em boxes and its rules (the horizontal and vertical strokes of its paths),
both in display space (x0, top, x1, bottom from the visible page's top-left, /Rotate applied).

Characters are placed as the parser places its lines (`pdf._em_offsets`: origin, font size and
text matrix, never glyph outlines, so no machine font matters). Rules follow what pdfplumber
took from pdfminer, so that its table finder (`screening/parsers/tables.py`) sees the same
page: every subpath of every path object (inside form XObjects too) that is a rectangle gives
its four sides, any other subpath each of its horizontal or vertical straight segments.
"""

from __future__ import annotations

import ctypes
import itertools
import math
from collections.abc import Iterator
from typing import Any
from unicodedata import east_asian_width

from screening.parsers.aligned import Char
from screening.parsers.pdf import _em_offsets, _Frame, _page_text, _text_object
from screening.parsers.pdfium_lib import pdfium, pdfium_c

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f
Box = tuple[float, float, float, float]
Edge = dict[str, Any]  # as pdfplumber's table finder takes it: x0 x1 top bottom width height orientation
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
SAME_LINE = 0.2  # ems two origins may differ in height and stand on one line
MAX_ADVANCE = 1.2  # ems: a larger step to the next character of an operator is a gap (TJ spacing), not its width
FLAT = 0.01  # points: a segment this close to level (or upright) is a horizontal (vertical) rule
MAX_DEPTH = 8  # form XObjects nested deeper are not looked into
MAX_OBJECTS = 50_000  # path objects looked at on one page (a drawing, not a table, beyond that)


def chars(textpage: pdfium.PdfTextPage, frame: _Frame) -> list[Char]:
    """The page's characters that stand upright (the table finder reads rows left to right), spaces
    left out, each with its box on the displayed page: from its origin up `ascent` em and down
    `descent` em, and across to where the next character drawn by the same text operator begins
    (the advance the PDF itself gives it: as exact as pdfminer's widths, and no font needed), or,
    for the last character of an operator, its estimated advance (`pdf._em_offsets`). A table's
    cells are drawn by operators of their own, so the gap between two cells stays a gap."""
    raw = textpage.raw
    text = _page_text(textpage)
    x, y = ctypes.c_double(), ctypes.c_double()
    m = pdfium_c.FS_MATRIX()
    placed: list[tuple[str, float, float, Box, int | None]] = []  # (char, origin, em offsets, its text object)
    text_object: int | None = 0
    wide = narrow = (0.0, 0.0, 0.0, 0.0)
    upright = True
    for i, char in enumerate(text):
        if char.isspace() or not pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y):
            continue
        now = _text_object(raw, i)
        if now != text_object or now is None:
            if not pdfium_c.FPDFText_GetMatrix(raw, i, m):
                continue
            text_object = now
            wide, narrow = _em_offsets(m.a, m.b, m.c, m.d, pdfium_c.FPDFText_GetFontSize(raw, i))
            upright = abs(m.b) <= FLAT * max(abs(m.a), 1.0) and m.a > 0
        if upright:
            placed.append((char, x.value, y.value, wide if east_asian_width(char) in "WF" else narrow, now))
    out: list[Char] = []
    for k, (char, ox, oy, (dx0, dy0, dx1, dy1), drawn_by) in enumerate(placed):
        right = ox + dx1
        if k + 1 < len(placed) and drawn_by is not None and placed[k + 1][4] == drawn_by:
            nx, ny = placed[k + 1][1], placed[k + 1][2]
            em = dy1 - dy0
            if abs(ny - oy) <= em * SAME_LINE and ox < nx <= ox + MAX_ADVANCE * em:
                right = nx
        x0, top, x1, bottom = frame.box(ox + dx0, oy + dy0, right, oy + dy1)
        out.append(Char(char, x0, x1, top, bottom))
    return out


def edges(page: pdfium.PdfPage, frame: _Frame) -> list[Edge]:
    """The page's horizontal and vertical rules, as pdfplumber's table finder takes them."""
    found: list[Edge] = []
    for points, closed in _subpaths(page):
        if closed and _is_rectangle(points):
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            left, bottom, right, top = min(xs), min(ys), max(xs), max(ys)
            pairs = [((left, bottom), (right, bottom)), ((left, top), (right, top)),
                     ((left, bottom), (left, top)), ((right, bottom), (right, top))]
        else:
            pairs = list(itertools.pairwise(points))
        for (ax, ay), (bx, by) in pairs:
            edge = _edge(frame, ax, ay, bx, by)
            if edge is not None:
                found.append(edge)
    return found


def _edge(frame: _Frame, ax: float, ay: float, bx: float, by: float) -> Edge | None:
    if abs(ay - by) > FLAT and abs(ax - bx) > FLAT:
        return None  # slanted: no rule
    x0, top, x1, bottom = frame.box(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
    orientation = "h" if bottom - top <= FLAT * 2 else "v"
    if orientation == "h":
        top = bottom = (top + bottom) / 2
    else:
        x0 = x1 = (x0 + x1) / 2
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "width": x1 - x0,
            "height": bottom - top, "orientation": orientation, "object_type": "line"}


def _is_rectangle(points: list[tuple[float, float]]) -> bool:
    """Four corners (a fifth repeating the first) joined by level and upright sides."""
    corners = points[:-1] if len(points) == 5 and _same(points[0], points[-1]) else points
    if len(corners) != 4:
        return False
    for (ax, ay), (bx, by) in zip(corners, [*corners[1:], corners[0]], strict=True):
        if abs(ax - bx) > FLAT and abs(ay - by) > FLAT:
            return False
    return True


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return math.isclose(a[0], b[0], abs_tol=FLAT) and math.isclose(a[1], b[1], abs_tol=FLAT)


def _subpaths(page: pdfium.PdfPage) -> Iterator[tuple[list[tuple[float, float]], bool]]:
    """Every subpath of the page's path objects in user space: its points and whether it is closed."""
    for seen, (obj, matrix) in enumerate(_paths(page), 1):
        if seen > MAX_OBJECTS:
            return
        points: list[tuple[float, float]] = []
        closed = False
        x, y = ctypes.c_float(), ctypes.c_float()
        a, b, c, d, e, f = matrix
        for k in range(max(pdfium_c.FPDFPath_CountSegments(obj), 0)):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj, k)
            if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                break
            point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO and points:
                yield points, closed
                points, closed = [], False
            points.append(point)
            closed = closed or bool(pdfium_c.FPDFPathSegment_GetClose(segment))
        if points:
            yield points, closed


def _paths(page: pdfium.PdfPage) -> Iterator[tuple[Any, Matrix]]:
    """The page's path objects with the matrix that takes their points to user space."""
    count = max(pdfium_c.FPDFPage_CountObjects(page.raw), 0)
    yield from _walk((pdfium_c.FPDFPage_GetObject(page.raw, k) for k in range(count)), IDENTITY, 0)


def _walk(objects: Iterator[Any], outer: Matrix, depth: int) -> Iterator[tuple[Any, Matrix]]:
    m = pdfium_c.FS_MATRIX()
    for obj in objects:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        own = (m.a, m.b, m.c, m.d, m.e, m.f) if pdfium_c.FPDFPageObj_GetMatrix(obj, m) else IDENTITY
        matrix = _times(own, outer)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, matrix
        elif depth < MAX_DEPTH:
            count = max(pdfium_c.FPDFFormObj_CountObjects(obj), 0)
            yield from _walk((pdfium_c.FPDFFormObj_GetObject(obj, k) for k in range(count)), matrix, depth + 1)


def _times(m: Matrix, n: Matrix) -> Matrix:
    """The matrix applying `m`, then `n` (PDF's row-vector convention: m × n)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)
