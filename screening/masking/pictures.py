"""Masking a leak that OCR read in a picture (issue 15): the picture's pixels painted over where the
recogniser found the piece of text holding it, so the copy no longer shows it (before, such a
picture was copied unmasked and the copy refused or noted).

`boxes_of(doc, needles)` takes, from a parsed Document, the OCR pieces (`Part.segments`) whose text
holds a needle, or lies inside one (a name cut into two pieces), grouped by the picture they were
read from (`Part.source`: "word/media/image1.png" in a Word document, "page 3" for a scanned PDF
page) with the paragraph's box in page points, so that a PDF page can be mapped too.

* `mask_docx_pictures(data, boxes)`: the Word document's pictures (word/media/*) re-saved in their
  format with black quadrilaterals over those pieces (a margin of `MARGIN` of the piece's height).
* `mask_picture(data, quads)`: the same for one picture file.
* `mask_pdf_pages(data, boxes)`: a scanned page's own picture (the one picture of the page, as OCR
  read it) painted over likewise and replaced in the PDF; and on every such page an opaque black
  box drawn over the place in page coordinates, so that nothing shows whatever picture lies under.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from PIL import Image, ImageDraw
from pypdf import PageObject
from pypdf.generic import ContentStream

from screening.masking import Needles, RedactionError, copied_info
from screening.model import Document, Part, Segment
from screening.parsers.ocr import ORIGIN

Quad = tuple[float, float, float, float, float, float, float, float]
Box = tuple[float, float, float, float]
# per picture: its source, and each masked piece's quad (picture pixels) with its paragraph's mapping
# to the page: (paragraph box in points, the union of the paragraph's pieces in pixels)
Boxes = tuple[tuple[str, tuple[tuple[Quad, Box, Box], ...]], ...]
MARGIN = 0.15


def boxes_of(doc: Document, needles: Sequence[str]) -> Boxes:
    keys = Needles(needles)
    found: dict[str, list[tuple[Quad, Box, Box]]] = {}
    for part in doc.parts:
        if part.origin != ORIGIN or not part.segments or part.embedded or not keys.spans(part.text):
            continue
        xs = [v for s in part.segments for v in s.quad[0::2]]
        ys = [v for s in part.segments for v in s.quad[1::2]]
        pixels: Box = (min(xs), min(ys), max(xs), max(ys))
        points: Box = part.box or pixels
        for seg in _holding(part, keys):
            found.setdefault(part.source, []).append((seg.quad, points, pixels))
    return tuple((source, tuple(quads)) for source, quads in sorted(found.items()))


def _holding(part: Part, keys: Needles) -> list[Segment]:
    """The pieces of an OCR part that hold a character of a needle's hit in the part's text (a
    name cut across two pieces, 负责人：王 | 小明教授, paints both) — found by the pieces' places
    in the text, which is their texts in order, one space or line break between two. When the
    pieces do not spell the text, those that hold a needle or lie inside one."""
    places = part.segment_places()
    if places is None:
        return [seg for seg in part.segments if keys.spans(seg.text) or _inside_a_needle(seg.text, keys)]
    hits = keys.spans(part.text)
    return [seg for seg, (first, after) in zip(part.segments, places, strict=True)
            if any(start < after and first < end for start, end in hits)]


def _inside_a_needle(text: str, keys: Needles) -> bool:
    from screening.text import norm

    piece = norm(text)
    return len(piece) >= 2 and any(piece in key for key in keys.keys)


def _padded(quad: Quad) -> list[tuple[float, float]]:
    xs, ys = quad[0::2], quad[1::2]
    pad = MARGIN * max(max(ys) - min(ys), 1.0)
    cx, cy = sum(xs) / 4, sum(ys) / 4
    return [(x + (pad if x > cx else -pad), y + (pad if y > cy else -pad)) for x, y in zip(xs, ys, strict=True)]


def mask_picture(data: bytes, quads: Sequence[Quad]) -> bytes:
    """The picture re-saved in its kind with black quadrilaterals over `quads` (its pixels), and
    without the metadata it carried (EXIF, XMP, PNG text: Pillow writes none it is not given). A
    picture of several frames (a multi-page TIFF) is refused: one frame painted would leave the others."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            kind = image.format or "PNG"
            canvas = image.convert("RGB") if image.mode not in ("RGB", "L") else image.copy()
    except Exception as err:
        raise RedactionError(f"图片无法打开，未能遮盖其中识别出的文字（{type(err).__name__}）") from None
    if frames > 1:
        raise RedactionError(f"图片有{frames}页（帧），无法自动脱敏，请人工处理")
    draw = ImageDraw.Draw(canvas)
    for quad in quads:
        draw.polygon(_padded(quad), fill=0)
    out = io.BytesIO()
    canvas.save(out, kind if kind in ("PNG", "JPEG", "GIF", "BMP", "TIFF") else "PNG", **({"quality": 95} if kind == "JPEG" else {}))
    return out.getvalue()


def picture_copy(data: bytes, needles: Needles, boxes: Boxes = ()) -> bytes:
    """A picture attachment's copy (the masker of `Format.IMAGE`), in one re-save: painted over where
    OCR read a leak in it (`boxes`, source "page 1": its one frame), without its metadata. The
    needles are not looked for in the metadata: all of it goes."""
    return mask_picture(data, [quad for source, quads in boxes if source == "page 1" for quad, _, _ in quads])


def picture_sanitize(data: bytes) -> tuple[bytes, list[str]]:
    """The sanitizer of `Format.IMAGE`: the picture without its metadata, and what was removed (a
    copy from `picture_copy` has none left, and is returned as it is)."""
    from screening.parsers.picture_meta import texts

    if not texts(data):
        return data, []
    return mask_picture(data, ()), ["图片的元数据（EXIF、XMP、PNG文本）"]


def mask_docx_pictures(data: bytes, boxes: Boxes) -> bytes:
    wanted = {source: [q for q, _, _ in quads] for source, quads in boxes}
    if not wanted:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            raw = source.read(info)
            if info.filename in wanted:
                raw = mask_picture(raw, wanted[info.filename])
            target.writestr(copied_info(info), raw)
    return out.getvalue()


def _to_page(point: tuple[float, float], points: Box, pixels: Box) -> tuple[float, float]:
    """Picture pixels → page points (top-down), by the paragraph's two boxes."""
    sx = (points[2] - points[0]) / max(pixels[2] - pixels[0], 1e-6)
    sy = (points[3] - points[1]) / max(pixels[3] - pixels[1], 1e-6)
    return points[0] + (point[0] - pixels[0]) * sx, points[1] + (point[1] - pixels[1]) * sy


def mask_pdf_pages(data: bytes, boxes: Boxes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    pages = {int(source.split()[1]): quads for source, quads in boxes if re.fullmatch(r"page \d+", source)}
    if not pages:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for number, quads in pages.items():
        if not 1 <= number <= len(writer.pages):
            continue
        page = writer.pages[number - 1]
        images = list(page.images)
        height = float(page.mediabox.height)
        ops = []
        for quad, points, pixels in quads:
            corners = [_to_page(p, points, pixels) for p in _padded(quad)]
            xs, ys = [c[0] for c in corners], [height - c[1] for c in corners]
            ops.append(f"{min(xs):.2f} {min(ys):.2f} {max(xs) - min(xs):.2f} {max(ys) - min(ys):.2f} re f")
        if len(images) == 1 and images[0].image is not None:  # the scan itself: its pixels painted over too
            image = images[0]
            assert image.image is not None
            scale_x = image.image.width / float(page.mediabox.width)
            scale_y = image.image.height / height
            quads_px = []
            for quad, points, pixels in quads:
                corners = [_to_page(p, points, pixels) for p in zip(quad[0::2], quad[1::2], strict=True)]
                quads_px.append(tuple(v for x, y in corners for v in (x * scale_x, y * scale_y)))
            painted = Image.open(io.BytesIO(mask_picture(_png(image.image), quads_px)))  # type: ignore[arg-type]
            image.replace(painted)
        stream = ContentStream(None, writer)
        stream.set_data(("q 0 g " + " ".join(ops) + " Q").encode())
        page.merge_page(_overlay(page, stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def mask_pdf_pictures(data: bytes, boxes: Boxes) -> bytes:
    """The pictures on pages with text ("page N image k", OCR read them at their rendered size)
    painted over where a leak was read, and put back in the PDF (pdfium: the image object's
    bitmap replaced, the page's content regenerated)."""
    from screening.parsers import ocr
    from screening.parsers import pdf as pdf_parser
    from screening.parsers.pdfium_lib import pdfium

    wanted = {(int(m[1]), int(m[2])): [q for q, _, _ in quads] for source, quads in boxes
              if (m := re.fullmatch(r"page (\d+) image (\d+)", source))}
    if not wanted:
        return data
    pdf = pdfium.PdfDocument(data)
    try:
        for (number, k), quads in sorted(wanted.items()):
            page = pdf[number - 1]
            sized = [(obj, size) for obj in ocr._pdf_images(page) if (size := ocr._px_size(obj))]
            chosen = pdf_parser.selected_images([size for _, size in sized])
            if k > len(chosen):
                continue
            obj = sized[chosen[k - 1]][0]
            shown = obj.get_bitmap(render=True).to_pil()
            own = obj.get_bitmap(render=False).to_pil().convert("RGB")
            sx, sy = own.width / max(shown.width, 1), own.height / max(shown.height, 1)
            scaled = [tuple(v * (sx if i % 2 == 0 else sy) for i, v in enumerate(q)) for q in quads]
            painted = Image.open(io.BytesIO(mask_picture(_png(own), scaled)))
            obj.set_bitmap(pdfium.PdfBitmap.from_pil(painted.convert("RGB")))
            page.gen_content()
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    finally:
        pdf.close()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _overlay(page: PageObject, stream: ContentStream) -> PageObject:
    """A blank page of `page`'s size drawing `stream` (merged on top of it)."""
    overlay = PageObject.create_blank_page(width=page.mediabox.width, height=page.mediabox.height)
    overlay.replace_contents(stream)
    return overlay
