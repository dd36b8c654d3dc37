"""Text of a PDF page that search and copy find and a reader opening the page does not see (issue 15).

pdfium's text of a page holds every character drawn, seen or not. A character is unseen when:

* "invisible" — drawn in text render mode 3 (neither filled nor stroked) or fully transparent,
  unless it lies over a picture drawn before it: that is the text layer a scanner's OCR lays over
  its scan, which says what the picture shows;
* "white" — filled in white (each channel at least `unseen.white`) on a page where nothing drawn
  before it lies under it (a white title on a coloured banner is seen);
* "covered" — a filled shape drawn after it, opaque, covers it whole (a box drawn over a name);
  a picture drawn over text is a scan over its OCR text layer ("text under the page image"),
  which says what the picture shows: seen;
* "tiny" — its font size is under `unseen.tiny_pt` points;
* "outside_crop" — its origin lies outside the page's crop box (the part a viewer shows);
* "hidden_layer" — it belongs to an optional content group (layer) the document's default view
  switches off.

`unseen` maps those characters' indices in the page text to their reason; the parser leaves them
out of the page's lines and gives them as parts of their own with that origin, so a finding says
where and why nobody sees it. Only the page's own objects are looked at for what lies under or over
a character; text inside a form XObject is judged by its own render mode, colour, size and place.
The numbers are `pdf.unseen` in lexicons/parsing.yaml.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

from screening.parsers.pdfium_lib import pdfium, pdfium_c
from screening.parsers.thresholds import thresholds

Box = tuple[float, float, float, float]  # left, bottom, right, top in user space


@dataclass(frozen=True, slots=True)
class _Object:
    kind: int
    box: Box
    opaque_fill: bool  # a filled path or a picture: hides what is under it
    light: bool  # filled near-white (paper-coloured)
    address: int
    layer: str  # the Name of the optional content group it is marked with, "" if none
    fill: tuple[int, int, int, int] | None  # its fill colour (RGBA 0–255), when pdfium gives one


def _address(obj: Any) -> int:
    return ctypes.cast(obj, ctypes.c_void_p).value or 0


def _fill(obj: object) -> tuple[int, int, int, int] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a):
        return None
    return r.value, g.value, b.value, a.value


def bounds(obj: object) -> Box | None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return left.value, bottom.value, right.value, top.value


def filled(obj: object) -> bool:
    """Whether a path object is filled (not only stroked)."""
    mode, stroke = ctypes.c_int(), ctypes.c_int()
    return bool(pdfium_c.FPDFPath_GetDrawMode(obj, mode, stroke)) and mode.value != pdfium_c.FPDF_FILLMODE_NONE


def _layer(obj: object) -> str:
    """The /Name of the optional content group an object is marked with (BDC /OC), else ""."""
    for k in range(max(pdfium_c.FPDFPageObj_CountMarks(obj), 0)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, k)
        if not mark or _mark_text(pdfium_c.FPDFPageObjMark_GetName, mark) != "OC":
            continue
        return _mark_param(mark, b"Name")
    return ""


def _mark_text(call: Any, mark: Any) -> str:
    """A mark's name (FPDFPageObjMark_GetName): UTF-16LE into a buffer of FPDF_WCHAR, size asked first."""
    size = ctypes.c_ulong()
    if not call(mark, None, 0, size) or size.value <= 2:
        return ""
    buffer = (ctypes.c_ubyte * size.value)()
    call(mark, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size.value, size)
    return bytes(buffer)[: size.value].decode("utf-16-le", errors="replace").rstrip("\x00")


def _mark_param(mark: Any, key: bytes) -> str:
    size = ctypes.c_ulong()
    if not pdfium_c.FPDFPageObjMark_GetParamStringValue(mark, key, None, 0, size) or size.value <= 2:
        return ""
    buffer = (ctypes.c_ubyte * size.value)()
    pdfium_c.FPDFPageObjMark_GetParamStringValue(mark, key, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)),
                                                 size.value, size)
    return bytes(buffer)[: size.value].decode("utf-16-le", errors="replace").rstrip("\x00")


def _objects(page: pdfium.PdfPage, layers: bool) -> list[_Object]:
    """The page's own objects in painting order (their layers looked up when `layers`)."""
    white = thresholds().pdf.unseen.white
    out: list[_Object] = []
    for k in range(max(pdfium_c.FPDFPage_CountObjects(page.raw), 0)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, k)
        box = bounds(obj)
        if box is None:
            continue
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        fill = _fill(obj)
        opaque = kind == pdfium_c.FPDF_PAGEOBJ_IMAGE or (
            kind == pdfium_c.FPDF_PAGEOBJ_PATH and filled(obj) and fill is not None and fill[3] == 255)
        light = fill is not None and min(fill[:3]) >= white and kind == pdfium_c.FPDF_PAGEOBJ_PATH
        out.append(_Object(kind, box, opaque, light, _address(obj), _layer(obj) if layers else "", fill))
    return out


def _inside(inner: Box, outer: Box, slack: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crop(page: pdfium.PdfPage) -> Box:
    left, bottom, right, top = page.get_cropbox()
    return float(left), float(bottom), float(right), float(top)


# pdfium's FPDFText_GetTextObject answering the object's address as a plain int (None for a
# character pdfium generated): pypdfium2's binding answers a pointer object, costly for every character
_TEXT_OBJECT_ADDRESS = ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
if _TEXT_OBJECT_ADDRESS is None:
    raise ImportError("pypdfium2 lacks FPDFText_GetTextObject")
text_object = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(_TEXT_OBJECT_ADDRESS)


def unseen(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, text: str, off_layers: frozenset[str]) -> dict[int, str]:
    """Character index → why nobody sees it, for the characters of the page text a reader cannot
    see (module docstring); `off_layers` names the optional content groups switched off.

    The page's own text objects are judged once each (render mode, colour, size, layer, what lies
    under and over them, their bounds against the crop box); only when one is not seen, or the page
    has form XObjects (whose text is judged character by character), are the characters walked."""
    cfg = thresholds().pdf.unseen
    objects = _objects(page, layers=bool(off_layers))
    crop = _crop(page)
    verdict: dict[int, str] = {}
    straddling: set[int] = set()  # text objects partly outside the crop box: judged per character
    for k, o in enumerate(objects):
        if o.kind != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        if not overlaps(o.box, crop):
            verdict[o.address] = "outside_crop"
            continue
        if not _inside(o.box, crop):
            straddling.add(o.address)
        reason = _object_reason(o, k, objects, off_layers, cfg.white, cfg.tiny_pt)
        if reason:
            verdict[o.address] = reason
    forms = any(o.kind == pdfium_c.FPDF_PAGEOBJ_FORM for o in objects)
    if not verdict and not straddling and not forms:
        return {}
    out: dict[int, str] = {}
    raw = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    for i, char in enumerate(text):
        if char.isspace():
            continue
        address = text_object(raw, i) or 0
        if address in verdict:
            out[i] = verdict[address]
        elif address in straddling or (forms and address not in verdict and address and _foreign(address, objects)):
            if pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y) and not (crop[0] <= x.value <= crop[2] and crop[1] <= y.value <= crop[3]):
                out[i] = "outside_crop"
            elif address not in straddling and (reason := _char_reason(textpage, i, cfg.white, cfg.tiny_pt)):
                out[i] = reason
    return out


def _foreign(address: int, objects: list[_Object]) -> bool:
    """A text object that is not one of the page's own (it sits in a form XObject)."""
    return all(o.address != address for o in objects)


def _object_reason(o: _Object, at: int, objects: list[_Object], off_layers: frozenset[str], white: int,
                   tiny: float) -> str:
    """Why one of the page's own text objects is not seen ("" when it is)."""
    obj = ctypes.cast(ctypes.c_void_p(o.address), pdfium_c.FPDF_PAGEOBJECT)
    if o.layer and o.layer in off_layers:
        return "hidden_layer"
    size = ctypes.c_float()
    if pdfium_c.FPDFTextObj_GetFontSize(obj, size) and 0 < size.value * _scale(obj) < tiny:
        return "tiny"
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
    fill = o.fill
    filled = mode == pdfium_c.FPDF_TEXTRENDERMODE_FILL

    def below() -> list[_Object]:
        return [b for b in objects[:at] if overlaps(o.box, b.box)]

    if mode == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE or (fill is not None and fill[3] == 0 and filled):
        # over a picture drawn before it: a scan's OCR text layer, which says what the picture shows
        return "" if any(b.kind == pdfium_c.FPDF_PAGEOBJ_IMAGE for b in below()) else "invisible"
    if fill is not None and filled and min(fill[:3]) >= white and not any(b.opaque_fill and not b.light for b in below()):
        return "white"
    if any(b.opaque_fill and b.kind == pdfium_c.FPDF_PAGEOBJ_PATH and _inside(o.box, b.box)
           and any(_inside(o.box, piece) for piece in _pieces(b)) for b in objects[at + 1:]):
        return "covered"
    return ""


def _pieces(o: _Object) -> list[Box]:
    """The boxes of a path's subpaths in page space (a path of several rectangles covers only them,
    not the whole of its bounds); the path's bounds when its segments cannot be read."""
    obj = ctypes.cast(ctypes.c_void_p(o.address), pdfium_c.FPDF_PAGEOBJECT)
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return [o.box]
    pieces: list[list[float]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for k in range(max(pdfium_c.FPDFPath_CountSegments(obj), 0)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, k)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            return [o.box]
        px, py = m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO or not pieces:
            pieces.append([px, py, px, py])
        else:
            piece = pieces[-1]
            piece[0], piece[1], piece[2], piece[3] = min(piece[0], px), min(piece[1], py), max(piece[2], px), max(piece[3], py)
    return [(a, b, c, d) for a, b, c, d in pieces] or [o.box]


def _scale(obj: Any) -> float:
    """How much the object's matrix enlarges its text (1 for an unscaled one)."""
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return 1.0
    return abs(m.a * m.d - m.b * m.c) ** 0.5 or 1.0


def _char_reason(textpage: pdfium.PdfTextPage, i: int, white: int, tiny: float) -> str:
    """Why a character of a form XObject is not seen, from what pdfium says of the character alone."""
    raw = textpage.raw
    if 0 < pdfium_c.FPDFText_GetFontSize(raw, i) < tiny:
        return "tiny"
    obj = pdfium_c.FPDFText_GetTextObject(raw, i)
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj) if obj else pdfium_c.FPDF_TEXTRENDERMODE_FILL
    if mode == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
        return "invisible"
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if pdfium_c.FPDFText_GetFillColor(raw, i, r, g, b, a) and mode == pdfium_c.FPDF_TEXTRENDERMODE_FILL:
        if a.value == 0:
            return "invisible"
        if min(r.value, g.value, b.value) >= white:
            return "white"
    return ""
