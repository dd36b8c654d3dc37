"""Figures of findings: a small picture of the place on the page where a finding was made, the hit
outlined in red, for the batch report (screening/batch_report.py) and the upload page
(`figures_for`).

What is drawn. `figure(data, fmt, page, box, matched)` takes an attachment's bytes and a finding's
`location` (its page and box, `Location.box`) and returns a PNG:

* a PDF page (its text, a scanned page, text drawn as curves): the page rendered with pdfium
  (pypdfium2) in its reading view, only the region around the box; when `matched` is given, its
  occurrences in the page's text that lie in the box are found (`pdf.text_places`: the page's
  characters, white space and line breaks between the matched characters ignored, placed by the
  em boxes the parser gives `Part.box`, never by glyph outlines) and each line of each one is
  outlined (a name standing twice in one paragraph: both); else, or when none is found there
  (OCR text has no text layer; an annotation's text is not the page's), the box itself;
* a picture (a picture file's frame, a picture on a PDF page read by OCR, `source`
  "page N image k"): the picture exactly as OCR read it (`ocr.picture`), cropped with Pillow
  around the box (in its pixels) and the box outlined.

Size. The hit's text is drawn about `TEXT_PX` pixels high (readable Chinese), at most `MAX_SCALE`
pixels per point or per picture pixel; the figure is at most `MAX_WIDTH` × `MAX_HEIGHT` pixels:
the hit with room either side and `CONTEXT_LINES` lines above and below, cut at the page's edges;
a hit wider than the figure lowers the scale down to `MIN_SHARE` of it, and past that the figure
starts at the hit's first line (the rest of a name wrapped to the next line may be cut off); a
hit taller than the figure is shown from its top. The PNG has a palette of `COLOURS` colours (a
quarter of the bytes of true colour, text still crisp); the outline is pure red between two white
lines, visible on a red banner too.

Determinism and fonts. The same bytes and location give the same PNG bytes (pdfium and Pillow
render deterministically; the PNG carries no time stamp). pdfium draws a PDF's embedded fonts
itself; a font the PDF does not embed is drawn with whatever font the machine has (or none: a
machine without a CJK font shows no glyphs for such text), so such a figure differs between
machines — the outline's place does not, since it never comes from glyph outlines.

Cache. Rendered figures are kept on disk, one PNG per figure named by the SHA-256 of the file's
SHA-256, format, page, box, matched text and source, in a folder named by `VERSION` and the
settings below (and pdfium's and Pillow's versions), under the OCR cache's root
(`$SCREENING_CACHE_DIR/figures`, default `~/.cache/screening/figures`), written atomically; and
in memory (`MEMORY_ENTRIES`, least recently used dropped) for the figures of one batch. A cache
entry that cannot be read is a miss; a cache that cannot be written is logged once and the
figure still drawn.

Failures never reach the caller: a corrupt file, a page out of range, a format without pages give
`Rendered(None, reason)` (`render`) or None (`figure`), the reason in Chinese and logged.
pdfium is not thread-safe: every call here holds one lock while it renders, which keeps figures
drawn from several threads apart, but nothing else in the process may use pdfium meanwhile (a
batch writes its report after its workers are done; the HTTP service must not draw figures while
it parses in the same process).

Only locations in the attachment's own text have figures (`location.embedded` empty: a file
inside the attachment has its own pages), and only in PDFs and pictures (a Word document has no
fixed pages). A report written before boxes existed has no `location.box`: no figure.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from screening import files
from screening.model import Box

log = logging.getLogger(__name__)

VERSION = 1  # part of the cache key: raise it when the drawing changes
MAX_WIDTH = 480  # px
MAX_HEIGHT = 320  # px
TEXT_PX = 22.0  # px: the hit's line of text is drawn this high (scale = TEXT_PX / its height) …
MAX_SCALE = 4.0  # … at most this many px per point (PDF) or per pixel (picture)
MIN_SHARE = 0.6  # a hit wider than the figure may lower the scale to this share of the above
CONTEXT_LINES = 2.0  # lines of text shown above and below the hit
DEFAULT_LINE = 12.0  # points (pixels of a picture): a line of text's height when the box says nothing of it
OUTLINE = (255, 0, 0)  # the hit's outline: pure red …
OUTLINE_WIDTH = 3  # px …
OUTLINE_PAD = 2  # px … this far outside the text
COLOURS = 32  # the PNG's palette (the outline's two among them)
MAX_FIGURES = 10  # figures per project in the batch report and figures_for (the page's size stays bounded)
MEMORY_ENTRIES = 256  # figures kept in memory (a few tens of kB each)

PICTURE_FORMATS = frozenset({"image"})  # formats whose pages are pictures
PAGE_FORMATS = frozenset({"pdf"})  # formats with pages pdfium renders
_PICTURE_SOURCE = re.compile(r"page \d+ image \d+")  # a picture on a PDF page with text (parsers/pdf.py)
_LOCK = threading.RLock()


class FigureError(Exception):
    """Why a figure cannot be drawn (Chinese, for people)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A figure, or why there is none."""

    png: bytes | None
    reason: str = ""  # Chinese; "" when there is a figure


# ---------------------------------------------------------------- the figure of one place


def figure(data: bytes, fmt: str, page: int, box: Sequence[float], matched: str | None = None, *,
           source: str = "") -> bytes | None:
    """A PNG of the place on `page` (1-based) where `box` stands (`Location.box`, in the units its
    docstring gives), the hit outlined in red; None when it cannot be drawn (the reason logged).
    `source` is the location's `source`: it says whether a PDF's box is in a picture's pixels."""
    result = render(data, fmt, page, box, matched, source=source)
    if result.png is None:
        log.warning("页面缩略图未生成：%s", result.reason)
    return result.png


def render(data: bytes, fmt: str, page: int, box: Sequence[float], matched: str | None = None, *,
           source: str = "") -> Rendered:
    """`figure`, with the reason when there is none; never raises."""
    try:
        place = _place(box)
        key = _key(hashlib.sha256(data).hexdigest(), str(fmt), page, place, matched, source)
    except (TypeError, ValueError) as err:
        return Rendered(None, f"位置信息无效（{err}）")
    with _LOCK:
        png = _MEMORY.get(key)
        if png is None:
            png = _DISK.load(key)
            if png is None:
                try:
                    png = _draw(data, str(fmt), page, place, matched, source)
                except FigureError as err:
                    return Rendered(None, str(err))
                except Exception as err:  # a damaged file, pdfium or Pillow failing on it
                    log.debug("figure failed", exc_info=True)
                    return Rendered(None, f"无法渲染该页（{type(err).__name__}）")
                _DISK.store(key, png)
            _MEMORY.put(key, png)
    return Rendered(png)


def data_uri(png: bytes) -> str:
    """A PNG as a `data:` URI, for an `<img src>` that needs nothing from outside the page."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _place(box: Sequence[float]) -> Box:
    x0, top, x1, bottom = (round(float(v), 1) for v in box)
    if not all(math.isfinite(v) for v in (x0, top, x1, bottom)) or x1 < x0 or bottom < top:
        raise ValueError(f"box {list(box)}")
    return x0, top, x1, bottom


def _draw(data: bytes, fmt: str, page: int, box: Box, matched: str | None, source: str) -> bytes:
    if fmt in PICTURE_FORMATS or (fmt in PAGE_FORMATS and _PICTURE_SOURCE.fullmatch(source)):
        image, outlines = _picture_region(data, fmt, page, box, matched, source)
    elif fmt in PAGE_FORMATS:
        image, outlines = _pdf_region(data, page, box, matched)
    else:
        raise FigureError("该格式的附件没有固定页面，不生成页面缩略图")
    return _png(image, outlines)


def _png(image: Image.Image, outlines: Sequence[Box]) -> bytes:
    """The figure as a PNG of `COLOURS` colours (a quarter of the bytes of a true-colour one; text
    stays crisp), each outline drawn in red with a white line either side (red on a red banner)."""
    picture = image.quantize(colors=COLOURS - 2, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = (picture.getpalette() or [])[: 3 * (COLOURS - 2)]
    palette += [0] * (3 * (COLOURS - 2) - len(palette))
    picture.putpalette([*palette, *OUTLINE, 255, 255, 255])
    red, white = COLOURS - 2, COLOURS - 1
    draw = ImageDraw.Draw(picture)
    for x0, y0, x1, y1 in outlines:
        for grow, colour, width in ((OUTLINE_PAD + OUTLINE_WIDTH + 1, white, 1), (OUTLINE_PAD, white, 1),
                                    (OUTLINE_PAD + OUTLINE_WIDTH, red, OUTLINE_WIDTH)):
            draw.rectangle((round(x0) - grow, round(y0) - grow, round(x1) + grow, round(y1) + grow),
                           outline=colour, width=width)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------- the region to show


@dataclass(frozen=True, slots=True)
class _Region:
    """What part of a page (or picture) to show, in its units, and at how many pixels per unit."""

    x0: float
    top: float
    x1: float
    bottom: float
    scale: float


def _union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _line_height(hits: Sequence[Box], fallback: Box | None, matched: str | None, default: float) -> float:
    """A line of text's height: the lowest of the hit's lines; for a box of the whole hit, its
    height shared by the matched text's lines."""
    if fallback is None:
        return max(min(b[3] - b[1] for b in hits), 1e-3)
    lines = (matched or "").strip().count("\n") + 1
    height = (fallback[3] - fallback[1]) / lines
    return height if height > 0 else default


def region(hits: Sequence[Box], line: float, width: float, height: float, max_scale: float,
           lead: float | None = None) -> _Region:
    """The region of a `width` × `height` page that shows `hits` (the first one's line first) with
    their surroundings, and its scale (see the module docstring); from `lead` on (where the hit's
    paragraph starts: its label) when the hit still fits."""
    ux0, utop, ux1, ubottom = _union(hits)
    scale = min(max_scale, TEXT_PX / line)
    room = 2 * line  # a character or two either side of the hit
    need = ux1 - ux0 + 2 * room
    if need * scale > MAX_WIDTH:
        scale = max(MAX_WIDTH / need, MIN_SHARE * scale)
    span = min(MAX_WIDTH / scale, width)
    if lead is not None and lead < ux0 and ux1 + room <= lead - room + span:
        x0 = lead - room  # the line from its start
    else:  # centred on the hit; too wide even so: from its first line on
        x0 = (ux0 + ux1) / 2 - span / 2 if need <= span else hits[0][0] - room
    x0 = min(max(x0, 0.0), max(width - span, 0.0))
    want = ubottom - utop + 2 * CONTEXT_LINES * line
    tall = min(want, MAX_HEIGHT / scale, height)
    top = (utop + ubottom) / 2 - want / 2 if want <= tall else utop - CONTEXT_LINES * line
    top = min(max(top, 0.0), max(height - tall, 0.0))
    return _Region(x0, top, min(x0 + span, width), min(top + tall, height), scale)


def _in_box(piece: Box, box: Box, slack: float) -> bool:
    cx, cy = (piece[0] + piece[2]) / 2, (piece[1] + piece[3]) / 2
    return box[0] - slack <= cx <= box[2] + slack and box[1] - slack <= cy <= box[3] + slack


# ---------------------------------------------------------------- PDF pages (pdfium)


def _pdf_region(data: bytes, page: int, box: Box, matched: str | None) -> tuple[Image.Image, list[Box]]:
    from screening.parsers import pdf as pdf_parser
    from screening.parsers.pdfium_lib import pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= page <= len(pdf):
            raise FigureError(f"第{page}页超出文件页数（共{len(pdf)}页）")
        pdf_page = pdf[page - 1]
        try:
            view, found = pdf_parser.text_places(pdf_page, matched)
            pieces = [b for occurrence in found if all(_in_box(p, box, 2.0) for p in occurrence) for b in occurrence]
            hits = pieces or [box]
            line = _line_height(hits, None if pieces else box, matched, DEFAULT_LINE)
            where = region(hits, line, view.width, view.height, MAX_SCALE, lead=box[0])
            image, to_pixels = _render(pdf_page, view.turn, where)
        finally:
            pdf_page.close()
    finally:
        pdf.close()
    return image, [to_pixels(b) for b in hits]


def _render(page: Any, turn: int, where: _Region) -> tuple[Image.Image, Any]:
    """The region of the page's reading view (turned `turn` degrees from the displayed page),
    rendered at its scale; and the function taking a box of the view to the picture's pixels."""
    width, height = page.get_width(), page.get_height()  # as displayed
    if turn in (90, 270):
        width, height = height, width
    scale = where.scale
    crop = (where.x0, height - where.bottom, width - where.x1, where.top)  # left, bottom, right, top
    bitmap = page.render(scale=scale, rotation=turn, crop=crop, draw_annots=True, may_draw_forms=False)
    image = bitmap.to_pil().convert("RGB")
    # pypdfium2 draws the whole view ceil(width × scale) pixels wide and cuts ceil(crop × scale) off
    sx, sy = math.ceil(width * scale) / width, math.ceil(height * scale) / height
    left, top = math.ceil(crop[0] * scale), math.ceil(crop[3] * scale)

    def to_pixels(b: Box) -> Box:
        return b[0] * sx - left, b[1] * sy - top, b[2] * sx - left, b[3] * sy - top

    return image, to_pixels


# ---------------------------------------------------------------- pictures (Pillow)


def _picture_region(data: bytes, fmt: str, page: int, box: Box, matched: str | None,
                    source: str) -> tuple[Image.Image, list[Box]]:
    from screening.parsers import ocr

    try:
        picture = ocr.picture(data, fmt, source or f"page {page}", page)
    except (ValueError, EOFError) as err:
        raise FigureError(f"找不到文字识别读取的图片“{source or f'第{page}页'}”（{type(err).__name__}）") from err
    if box[2] > picture.width + 1 or box[3] > picture.height + 1:
        raise FigureError(f"位置超出图片范围（图片{picture.width}×{picture.height}像素）")
    line = _line_height([box], box, matched, DEFAULT_LINE)
    where = region([box], line, picture.width, picture.height, MAX_SCALE)
    crop = (round(where.x0), round(where.top), round(where.x1), round(where.bottom))
    piece = _flat(picture.crop(crop))
    size = (max(1, round(piece.width * where.scale)), max(1, round(piece.height * where.scale)))
    if size != piece.size:
        piece = piece.resize(size, Image.Resampling.LANCZOS)
    sx, sy = size[0] / max(crop[2] - crop[0], 1), size[1] / max(crop[3] - crop[1], 1)
    outline = ((box[0] - crop[0]) * sx, (box[1] - crop[1]) * sy, (box[2] - crop[0]) * sx, (box[3] - crop[1]) * sy)
    return piece, [outline]


def _flat(image: Image.Image) -> Image.Image:
    """RGB on white (transparency flattened)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


# ---------------------------------------------------------------- the caches


@functools.cache
def _settings() -> str:
    from importlib.metadata import version

    import pypdfium2.version as pdfium_version

    return json.dumps([str(pdfium_version.PDFIUM_INFO), version("pillow"), MAX_WIDTH, MAX_HEIGHT, TEXT_PX, MAX_SCALE,
                       MIN_SHARE, CONTEXT_LINES, DEFAULT_LINE, OUTLINE, OUTLINE_WIDTH, OUTLINE_PAD, COLOURS])


def _key(file_sha: str, fmt: str, page: int, box: Box, matched: str | None, source: str) -> str:
    text = json.dumps([file_sha, fmt, int(page), list(box), matched, source], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class _Memory:
    """The figures of this process, least recently used dropped past `MEMORY_ENTRIES`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        png = self.entries.get(key)
        if png is not None:
            self.entries.move_to_end(key)
        return png

    def put(self, key: str, png: bytes) -> None:
        self.entries[key] = png
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()


class _Disk:
    """Figures on disk: `<root>/v<VERSION>-<settings>/<key[:2]>/<key>.png` under the cache folder
    (`files.cache_root`, read from the environment on every use: tests point it elsewhere); an
    unwritable folder is warned about once by `files.store`."""

    @staticmethod
    def folder() -> Path:
        digest = hashlib.sha256(_settings().encode()).hexdigest()[:16]
        return files.cache_root() / "figures" / f"v{VERSION}-{digest}"

    def path(self, key: str) -> Path:
        return self.folder() / key[:2] / f"{key}.png"

    def load(self, key: str) -> bytes | None:
        try:
            png = self.path(key).read_bytes()
        except OSError:
            return None
        return png if png.startswith(b"\x89PNG\r\n\x1a\n") else None  # a damaged entry is drawn again

    def store(self, key: str, png: bytes) -> None:
        target = self.path(key)
        files.store(target, png, root=target.parent.parent, cache="缩略图", items="缩略图")


_MEMORY = _Memory(MEMORY_ENTRIES)
_DISK = _Disk()


def forget() -> None:
    """Empty the in-memory cache (the disk cache stays)."""
    with _LOCK:
        _MEMORY.clear()


# ---------------------------------------------------------------- the figures of a report


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one report's findings (by index in `report["findings"]`)."""

    shown: dict[int, str]  # finding → its figure as a data URI
    missing: dict[int, str]  # finding that should have one → why it has none (Chinese)
    left_out: int = 0  # findings that could have one, beyond the limit


def placeable(report: dict[str, Any]) -> list[int]:
    """The findings that have a place a figure can show: a page and a box in a PDF or a picture
    attachment's own text, in report order (most severe first)."""
    formats = {d.get("file"): d.get("format") for d in report.get("documents") or ()}
    out = []
    for index, finding in enumerate(report.get("findings") or ()):
        loc = finding.get("location") or {}
        if (finding.get("file") and loc.get("page") and loc.get("box") and not loc.get("embedded")
                and formats.get(finding["file"]) in PAGE_FORMATS | PICTURE_FORMATS):
            out.append(index)
    return out


def project_figures(report: dict[str, Any], files: Mapping[str, bytes], *, limit: int | None) -> Figures:
    """The figures of a report's findings (`placeable`), from its attachments' bytes by file name:
    at most `limit` drawn (None: all), the rest counted in `left_out`; an attachment absent from
    `files`, or whose bytes are not those the report was made from (its sha256), gives a reason."""
    digests = {d.get("file"): d.get("sha256") for d in report.get("documents") or ()}
    formats = {d.get("file"): d.get("format") for d in report.get("documents") or ()}
    checked: dict[str, str] = {}  # file → why its bytes cannot be used ("" when they can)
    shown: dict[int, str] = {}
    missing: dict[int, str] = {}
    candidates = placeable(report)
    for n, index in enumerate(candidates):
        if limit is not None and len(shown) >= limit:
            return Figures(shown, missing, len(candidates) - n)
        finding = report["findings"][index]
        name, loc = finding["file"], finding["location"]
        if name not in checked:
            checked[name] = _usable(files.get(name), digests.get(name))
        if checked[name]:
            missing[index] = checked[name]
            continue
        result = render(files[name], str(formats[name]), int(loc["page"]), loc["box"], finding.get("matched"),
                        source=loc.get("source", ""))
        if result.png is None:
            log.warning("%s 第%s页的缩略图未生成：%s", name, loc["page"], result.reason)
            missing[index] = result.reason
        else:
            shown[index] = data_uri(result.png)
    return Figures(shown, missing)


def _usable(data: bytes | None, sha256: str | None) -> str:
    if data is None:
        return "找不到该附件"
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        return "附件已更改，与报告所依据的文件不同"
    return ""


def figures_for(report: dict[str, Any], files: Mapping[str, bytes]) -> dict[int, str]:
    """For the HTTP service: finding index → its figure as a `data:image/png;base64,…` URI, for the
    findings of `report` (a report JSON as `Report.to_json` gives it) whose place can be shown, from
    the uploaded files' bytes by file name; at most `MAX_FIGURES`. Findings without a figure are
    absent (the reason is logged); nothing raises."""
    return project_figures(report, files, limit=MAX_FIGURES).shown


__all__ = [
    "MAX_FIGURES",
    "FigureError",
    "Figures",
    "Rendered",
    "data_uri",
    "figure",
    "figures_for",
    "forget",
    "placeable",
    "project_figures",
    "region",
    "render",
]
