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

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

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


def _address(obj: Any) -> int:
    return ctypes.cast(obj, ctypes.c_void_p).value or 0


def _fill(obj: object) -> tuple[int, int, int, int] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a):
        return None
    return r.value, g.value, b.value, a.value


def _bounds(obj: object) -> Box | None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return left.value, bottom.value, right.value, top.value


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


def _objects(page: pdfium.PdfPage) -> list[_Object]:
    """The page's own objects in painting order."""
    white = thresholds().pdf.unseen.white
    out: list[_Object] = []
    for k in range(max(pdfium_c.FPDFPage_CountObjects(page.raw), 0)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, k)
        box = _bounds(obj)
        if box is None:
            continue
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        fill = _fill(obj)
        filled = False
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            mode, stroke = ctypes.c_int(), ctypes.c_int()
            filled = bool(pdfium_c.FPDFPath_GetDrawMode(obj, mode, stroke)) and mode.value != pdfium_c.FPDF_FILLMODE_NONE
        opaque = kind == pdfium_c.FPDF_PAGEOBJ_IMAGE or (filled and fill is not None and fill[3] == 255)
        light = fill is not None and min(fill[:3]) >= white and kind == pdfium_c.FPDF_PAGEOBJ_PATH
        out.append(_Object(kind, box, opaque, light, _address(obj), _layer(obj)))
    return out


def _inside(inner: Box, outer: Box, slack: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crop(page: pdfium.PdfPage) -> Box:
    left, bottom, right, top = page.get_cropbox()
    return float(left), float(bottom), float(right), float(top)


def unseen(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, text: str, off_layers: frozenset[str]) -> dict[int, str]:
    """Character index → why nobody sees it, for the characters of the page text a reader cannot
    see (module docstring); `off_layers` names the optional content groups switched off. What lies
    under or over a character is judged once per text object, by the object's bounds."""
    cfg = thresholds().pdf.unseen
    objects = _objects(page)
    order = {o.address: k for k, o in enumerate(objects)}
    crop = _crop(page)
    by_object: dict[int, str] = {}
    out: dict[int, str] = {}
    raw = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    for i, char in enumerate(text):
        if char.isspace():
            continue
        if pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y) and not (crop[0] <= x.value <= crop[2] and crop[1] <= y.value <= crop[3]):
            out[i] = "outside_crop"
            continue
        if 0 < pdfium_c.FPDFText_GetFontSize(raw, i) < cfg.tiny_pt:
            out[i] = "tiny"
            continue
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        address = _address(obj) if obj else 0
        if address not in by_object or not address:
            by_object[address] = _reason(textpage, i, obj, order.get(address), objects, off_layers, cfg.white)
        if by_object[address]:
            out[i] = by_object[address]
    return out


def _reason(textpage: pdfium.PdfTextPage, i: int, obj: object, at: int | None, objects: list[_Object],
            off_layers: frozenset[str], white: int) -> str:
    """Why the text object drawing character i is not seen ("" when it is)."""
    if at is not None and objects[at].layer and objects[at].layer in off_layers:
        return "hidden_layer"
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj) if obj else pdfium_c.FPDF_TEXTRENDERMODE_FILL
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    has_fill = bool(pdfium_c.FPDFText_GetFillColor(textpage.raw, i, r, g, b, a))
    box = objects[at].box if at is not None else None
    below = [o for o in objects[:at] if box is not None and _overlaps(box, o.box)] if at is not None else []
    filled = mode == pdfium_c.FPDF_TEXTRENDERMODE_FILL
    if mode == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE or (has_fill and a.value == 0 and filled):
        # over a picture drawn before it: a scan's OCR text layer, which says what the picture shows
        return "" if any(o.kind == pdfium_c.FPDF_PAGEOBJ_IMAGE for o in below) else "invisible"
    if has_fill and filled and min(r.value, g.value, b.value) >= white and not any(o.opaque_fill and not o.light for o in below):
        return "white"
    if at is not None and box is not None and any(
            o.opaque_fill and o.kind == pdfium_c.FPDF_PAGEOBJ_PATH and _inside(box, o.box) for o in objects[at + 1:]):
        return "covered"
    return ""
