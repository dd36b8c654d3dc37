"""PDF → `Parsed`: page text by line and paragraph, metadata, annotations, form fields, pictures.

Text comes from pdfium (pypdfium2). pdfium's text of a page is its character list, with the
line breaks it detects inserted as generated "\\r\\n"; text index i is character i. The page is
cut into lines at those breaks (each line stripped of surrounding white space).

Where a line stands. Only what the PDF itself says is used, never the glyph outlines: pdfium
draws glyphs of a font the PDF does not embed from the machine's fonts, and without a CJK font it
reports every CJK glyph box with zero height (no line was then ever joined to the next). Each
character gets its em box: from its origin on the baseline (FPDFText_GetCharOrigin), its font
size and text matrix, a fixed share of an em below and above the baseline and an em (a narrow
character: half an em) along it (`pdf.em` in lexicons/parsing.yaml). A line's box is the union of
its characters' em boxes, turned into the page's reading view: (x0, top, x1, bottom) in points,
top measured from the top edge of the visible page; its bottom lies just under the baseline, its
height is the font size. The reading view is the page as displayed (/Rotate applied) unless most
lines run in another direction (text drawn sideways, judged from the first and last character's
origins): then the page is turned so that they run left to right, and the lines are put in
reading order.

Kinds. A line whose box's vertical centre lies in the top `BAND` (7 %) of the page height is a
HEADER line, in the bottom 7 % a FOOTER line (origin "position"), anything else BODY. The centre,
not the whole box, so that a Word footer set at the usual distance from the edge still counts.

Paragraphs. Within one kind on one page, consecutive lines are joined into one Part (their
original texts joined with "\\n", so a name broken across a line is one string again) unless
`layout.text_layer_paragraphs` says a new paragraph starts: a line not below the previous one, a
pitch beyond the usual one, a short line ending a sentence, an indent, a change of font size.

Vertical text. pdfium gives text written down the page as one character per line; when at least
`VERTICAL_MIN_LINES` such lines stand one under the other (at most `VERTICAL_MAX_PITCH` line
heights apart, overlapping horizontally: `layout.one_below`) and the paragraph rules split them
into several paragraphs, they are also joined top to bottom ("\n" between characters) into one
more Part of their kind, origin "vertical" (竖排文字), numbered as the paragraph of the first
character.

Pages without text. A page with fewer than `MIN_TEXT_CHARS` (5) non-space characters of body text
(a stamped header or page number on a scan does not count) is reported as
`document.scanned` with an `ImageRef` ("page N", size of the largest picture in pixels, else
the page size in points) — whether it holds a scan, vector drawings (text turned into curves)
or nothing: no text layer means no one has read it. On other pages every picture of at least
`MIN_IMAGE_AREA` pixels (150 × 150, sides ≥ 32 px), and every strip that may hold a line of text (see
`STRIP_MIN_SIDE`; at most `MAX_STRIPS` a page), becomes an `ImageRef` "page N image k".

Beyond the page text: Info fields (pdfium's standard keys plus custom keys read with pdfminer;
never CreationDate/ModDate) → METADATA "info.<Key>"; XMP text values → METADATA
"xmp.<localname>" (not dates, not IDs, not the xmpMM/stEvt/stRef bookkeeping); annotation
/Contents → COMMENT "annotation", their /T → COMMENT "annotation_author"; form field values
(/V) and tooltips (/TU) → BODY "form_field" (numbered after the page's body paragraphs);
bookmarks → METADATA "outline"; embedded files' names and descriptions → METADATA
"embedded_file".

Text nobody sees (`pdf_unseen`): characters drawn invisible (render mode 3, not over a picture),
white on nothing, covered by a box drawn after them, under 2 pt, outside the crop box or in a
layer switched off are left out of the page's lines and given as BODY parts of their own with
that origin ("invisible", "white", "covered", "tiny", "outside_crop", "hidden_layer"), numbered
after the page's other body paragraphs. Beyond that (`pdf_extras`): link URIs (METADATA "link"),
the text of stamps and free-text annotations, files attached to annotations and embedded in the
document (files inside the attachment, `Parsed.inner`), document JavaScript ("javascript"), page
labels ("page_label"), and the page text of earlier revisions kept by incremental updates that the
last one no longer shows (BODY "earlier_revision"). XMP file paths (stRef:filePath) are kept.
Text drawn as vector outlines on a page with a text layer (`pdf_outlines`: glyph-like filled paths
on no text) → an `ImageRef` "page N region k" that OCR reads by rendering that rectangle.

Failures. A file needing a user password → `EncryptedError`; a file pdfium cannot open →
`CorruptError`. Past that nothing raises: a page that fails becomes `document.unreadable` for
that page, a metadata section that fails becomes `document.unreadable` without a page.
pdfium is not thread-safe: parse PDFs in one thread at a time (processes are fine).

Known limit that no geometry can fix: pdfium leaves out of its text a text object that holds a
single character for which the machine has no glyph (a font the PDF does not embed, no CJK font
installed): "王" drawn on its own before "小明" is lost. Machines that screen real submissions
need a CJK font (README, "What the machine needs").

Every threshold named above is a value of lexicons/parsing.yaml (`pdf:`, `paragraphs:`).
"""

from __future__ import annotations

import ctypes
import functools
import io
import math
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from unicodedata import east_asian_width

from screening.errors import CorruptError, EncryptedError
from screening.model import ImageRef, Part, PartKind, Problem
from screening.parsers import pdf_extras, pdf_kept, pdf_outlines, pdf_unseen
from screening.parsers.base import Inner, Parsed
from screening.parsers.layout import one_below, text_layer_paragraphs
from screening.parsers.pdfium_lib import pdfium, pdfium_c
from screening.parsers.thresholds import thresholds

_T = thresholds().pdf  # lexicons/parsing.yaml `pdf:` (what each value decides, and its unit)
_EM = _T.em
BAND = _T.band  # header / footer band, share of the page height
MIN_TEXT_CHARS = _T.min_text_chars  # fewer non-space characters of body text: the page has no text layer
MIN_IMAGE_AREA = _T.pictures.min_area  # px
MIN_IMAGE_SIDE = _T.pictures.min_side  # px
STRIP_MIN_SIDE = _T.pictures.strip_min_side  # px: a smaller picture may still be a strip of text …
STRIP_MIN_ASPECT = _T.pictures.strip_min_aspect  # … this many times longer than high,
STRIP_MIN_AREA = _T.pictures.strip_min_area  # px … and this large
MAX_STRIPS = _T.pictures.max_strips  # strips listed per page (and read per document by ocr.py)
VERTICAL_MIN_LINES = _T.vertical.min_lines  # one-character lines one under the other joined as vertical text
VERTICAL_MAX_PITCH = _T.vertical.max_pitch  # line heights between them, at most
VERTICAL_ORIGIN = "vertical"
MAX_FORM_DEPTH = 8  # nesting of form XObjects searched for pictures
MAX_BOOKMARKS = 10_000
MAX_XMP_BYTES = 4 * 1024 * 1024

SKIPPED_INFO = frozenset({"CreationDate", "ModDate", "Trapped"})
STANDARD_INFO = ("Title", "Author", "Subject", "Keywords", "Creator", "Producer")

Box = tuple[float, float, float, float]


# ---------------------------------------------------------------- geometry


@dataclass(frozen=True, slots=True)
class _Frame:
    """The visible page (PDF user space) and its /Rotate, to turn boxes into display space."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int  # clockwise degrees: 0, 90, 180, 270

    @classmethod
    def of(cls, page: pdfium.PdfPage) -> _Frame:
        left, bottom, right, top = page.get_bbox()
        return cls(left, bottom, right, top, page.get_rotation() % 360)

    @property
    def height(self) -> float:
        return (self.right - self.left) if self.rotation in (90, 270) else (self.top - self.bottom)

    @property
    def width(self) -> float:
        return (self.top - self.bottom) if self.rotation in (90, 270) else (self.right - self.left)

    def box(self, left: float, bottom: float, right: float, top: float) -> Box:
        """A user-space rectangle as (x0, top, x1, bottom) on the displayed page."""
        if self.rotation == 90:
            return bottom - self.bottom, left - self.left, top - self.bottom, right - self.left
        if self.rotation == 180:
            return self.right - right, bottom - self.bottom, self.right - left, top - self.bottom
        if self.rotation == 270:
            return self.top - top, self.right - right, self.top - bottom, self.right - left
        return left - self.left, self.top - top, right - self.left, self.top - bottom


def _union(boxes: list[Box]) -> Box:
    return (
        round(min(b[0] for b in boxes), 1),
        round(min(b[1] for b in boxes), 1),
        round(max(b[2] for b in boxes), 1),
        round(max(b[3] for b in boxes), 1),
    )


# ---------------------------------------------------------------- lines and paragraphs


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    box: Box

    @property
    def x0(self) -> float:
        return self.box[0]

    @property
    def x1(self) -> float:
        return self.box[2]

    @property
    def top(self) -> float:
        return self.box[1]

    @property
    def bottom(self) -> float:
        return self.box[3]

    @property
    def height(self) -> float:
        return max(self.box[3] - self.box[1], 1.0)


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters, one str character per pdfium character index."""
    count = textpage.count_chars()
    if count <= 0:
        return ""
    text = textpage.get_text_range()
    if len(text) == count:
        return text
    # characters outside the BMP (surrogate pairs) or chars pdfium left out of the text range
    return "".join(chr(code) if 0 < (code := pdfium_c.FPDFText_GetUnicode(textpage, i)) < 0x110000 else "\ufffd"
                   for i in range(count))


@dataclass(frozen=True, slots=True)
class _RawLine:
    """A line as pdfium gives it, in PDF user space."""

    text: str
    rect: Box  # left, bottom, right, top: the union of its characters' em boxes
    run: tuple[float, float]  # from the first to the last character's origin


def _raw_lines(textpage: pdfium.PdfTextPage, text: str) -> list[_RawLine]:
    """The page's lines from its text (`_page_text`, unseen characters blanked)."""
    lines: list[_RawLine] = []
    for match in re.finditer(r"[^\r\n]+", text):
        segment = match.group()
        stripped = segment.strip()
        if not stripped:
            continue
        start = match.start() + (len(segment) - len(segment.lstrip()))
        placed = _placed(textpage, text, start, start + len(stripped))
        if placed is not None:
            lines.append(_RawLine(stripped, *placed))
    return lines


_text_object = pdf_unseen.text_object  # the text object drawing a character, as a plain address


def _em_offsets(a: float, b: float, c: float, d: float, size: float) -> tuple[Box, Box]:
    """Where a character's em box lies from its origin (left, bottom, right, top offsets in user
    space), for a wide and for a narrow character, given the text matrix (a b c d) and font size:
    `descent` em below the baseline to `ascent` em above it, `wide_advance` / `narrow_advance` em
    along it (lexicons/parsing.yaml `pdf.em`)."""
    along, up = (a * size, b * size), (c * size, d * size)  # one em along the baseline, one em up from it

    def box(advance: float) -> Box:
        xs = [s * along[0] + t * up[0] for s in (0.0, advance) for t in (-_EM.descent, _EM.ascent)]
        ys = [s * along[1] + t * up[1] for s in (0.0, advance) for t in (-_EM.descent, _EM.ascent)]
        return min(xs), min(ys), max(xs), max(ys)

    return box(_EM.wide_advance), box(_EM.narrow_advance)


def _placed(textpage: pdfium.PdfTextPage, text: str, start: int, end: int) -> tuple[Box, tuple[float, float]] | None:
    """The union of the em boxes of characters start…end-1 (spaces left out) in user space, and the
    run from the first one's origin to the last one's; None when pdfium places none of them.

    The em box comes from what the PDF says — the character's origin on the baseline, its font
    size and text matrix — never from the glyph outlines: pdfium draws those from the machine's
    fonts when the PDF does not embed its font, and without a CJK font it reports every CJK
    glyph box with zero height (lines then never joined into paragraphs). This runs for every
    character of every page, hence the plain loop: raw handles, and the matrix and size asked
    once per text object (pdfium gives those per character, but a text object's characters share
    them)."""
    raw = textpage.raw
    get_origin = pdfium_c.FPDFText_GetCharOrigin
    x, y = ctypes.c_double(), ctypes.c_double()
    m = pdfium_c.FS_MATRIX()
    left = bottom = math.inf
    right = top = -math.inf
    first: tuple[float, float] | None = None
    ox = oy = 0.0
    text_object: int | None = 0
    wide = narrow = (0.0, 0.0, 0.0, 0.0)
    for i in range(start, end):
        char = text[i]
        if char.isspace() or not get_origin(raw, i, x, y):
            continue
        now = _text_object(raw, i)  # its characters share the text matrix and font size
        if now != text_object or now is None:
            if not pdfium_c.FPDFText_GetMatrix(raw, i, m):
                continue
            text_object = now
            wide, narrow = _em_offsets(m.a, m.b, m.c, m.d, pdfium_c.FPDFText_GetFontSize(raw, i))
        dx0, dy0, dx1, dy1 = wide if east_asian_width(char) in "WF" else narrow
        ox, oy = x.value, y.value
        if first is None:
            first = (ox, oy)
        if ox + dx0 < left:
            left = ox + dx0
        if oy + dy0 < bottom:
            bottom = oy + dy0
        if ox + dx1 > right:
            right = ox + dx1
        if oy + dy1 > top:
            top = oy + dy1
    if first is None:
        return None
    return (left, bottom, right, top), (ox - first[0], oy - first[1])


def _reading_rotation(lines: list[_RawLine], default: int) -> int:
    """The view in which most lines run left to right: 0, 90, 180 or 270 (else the page's /Rotate).

    Text drawn sideways so that /Rotate shows it upright votes for that /Rotate; a page whose
    /Rotate turns upright text sideways is still read upright.
    """
    votes: Counter[int] = Counter()
    for line in lines:
        dx, dy = line.run
        if max(abs(dx), abs(dy)) < 1:
            continue
        if abs(dx) >= abs(dy):
            votes[0 if dx > 0 else 180] += 1
        else:
            votes[90 if dy > 0 else 270] += 1
    if not votes or votes[default] == max(votes.values()):
        return default
    return votes.most_common(1)[0][0]


def _lines(textpage: pdfium.PdfTextPage, page_frame: _Frame, text: str) -> tuple[list[_Line], _Frame]:
    """The page's lines in reading view, and that view.

    pdfium orders lines for the page as displayed; when the text reads in another direction
    that order is meaningless, and the lines are put in reading order (top, then left).
    """
    raw = _raw_lines(textpage, text)
    frame = replace(page_frame, rotation=_reading_rotation(raw, page_frame.rotation))
    lines = [_Line(line.text, _union([frame.box(*line.rect)])) for line in raw]
    if frame.rotation != page_frame.rotation:
        lines.sort(key=lambda line: (line.box[1], line.box[0]))
    return lines, frame


def _kind(line: _Line, frame: _Frame) -> PartKind:
    centre = (line.box[1] + line.box[3]) / 2
    if centre <= BAND * frame.height:
        return PartKind.HEADER
    if centre >= (1 - BAND) * frame.height:
        return PartKind.FOOTER
    return PartKind.BODY


# ---------------------------------------------------------------- one page


def _unseen_runs(textpage: pdfium.PdfTextPage, text: str, hidden: dict[int, str],
                 frame: _Frame) -> list[tuple[str, str, Box | None]]:
    """The unseen characters (`pdf_unseen.unseen`) as runs of one reason, in text order: (reason,
    text, box in reading view). A run goes on over white space and line breaks between its
    characters."""
    runs: list[tuple[str, int, int]] = []
    for i in sorted(hidden):
        reason = hidden[i]
        if runs and runs[-1][0] == reason and not text[runs[-1][2]:i].strip():
            runs[-1] = (reason, runs[-1][1], i + 1)
        else:
            runs.append((reason, i, i + 1))
    out: list[tuple[str, str, Box | None]] = []
    for reason, start, end in runs:
        chunk = " ".join(text[start:end].split())
        placed = _placed(textpage, text, start, end)
        out.append((reason, chunk, frame.box(*placed[0]) if placed else None))
    return out


@dataclass(slots=True)
class _PageResult:
    parts: list[Part]
    images: list[ImageRef]
    problems: list[Problem]
    inner: list[Inner]


def _text_parts(lines: list[_Line], frame: _Frame, page_no: int) -> list[Part]:
    by_kind: dict[PartKind, list[_Line]] = {PartKind.HEADER: [], PartKind.BODY: [], PartKind.FOOTER: []}
    for line in lines:
        by_kind[_kind(line, frame)].append(line)
    parts = []
    for kind, kind_lines in by_kind.items():
        origin = "" if kind is PartKind.BODY else "position"
        for number, group in enumerate(text_layer_paragraphs(kind_lines), 1):
            parts.append(Part(
                kind=kind,
                text="\n".join(line.text for line in group),
                page=page_no,
                paragraph=number,
                origin=origin,
                source=f"page {page_no}",
                box=_union([line.box for line in group]),
            ))
    return parts


def _vertical_parts(lines: list[_Line], frame: _Frame, page_no: int) -> list[Part]:
    """Text written down the page one character per line (vertical text as pdfium gives it, or a
    name spread over a column), joined top to bottom when the paragraphs left it apart: runs of at
    least VERTICAL_MIN_LINES one-character lines of one kind, each right under the previous one
    → one more Part, origin "vertical", numbered as the paragraph of its first line."""
    out: list[Part] = []
    for kind in (PartKind.HEADER, PartKind.BODY, PartKind.FOOTER):
        kind_lines = [line for line in lines if _kind(line, frame) is kind]
        paragraph = {id(line): number for number, group in enumerate(text_layer_paragraphs(kind_lines), 1) for line in group}
        runs: list[list[_Line]] = []
        for line in kind_lines:
            if runs and runs[-1] and one_below(runs[-1][-1], line, VERTICAL_MAX_PITCH, _T.vertical.overlap):
                runs[-1].append(line)
            else:
                runs.append([line] if len(line.text) == 1 else [])
        for run in runs:
            if len(run) < VERTICAL_MIN_LINES or len({paragraph[id(line)] for line in run}) == 1:
                continue  # too short, or one paragraph already holds the whole run
            out.append(Part(kind=kind, text="\n".join(line.text for line in run), page=page_no,
                            paragraph=paragraph[id(run[0])], origin=VERTICAL_ORIGIN, source=f"page {page_no}",
                            box=_union([line.box for line in run])))
    return out


def _object_images(count: int, get: Callable[[int], Any], depth: int) -> Iterator[tuple[int, int]]:
    width, height = ctypes.c_uint(), ctypes.c_uint()
    for i in range(count):
        obj = get(i)
        if not obj:
            continue
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if pdfium_c.FPDFImageObj_GetImagePixelSize(obj, width, height):
                yield width.value, height.value
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            yield from _object_images(pdfium_c.FPDFFormObj_CountObjects(obj),
                                      functools.partial(pdfium_c.FPDFFormObj_GetObject, obj), depth + 1)


def _page_images(page: pdfium.PdfPage) -> list[tuple[int, int]]:
    """Pixel sizes of the page's pictures, those inside form XObjects included."""
    count = pdfium_c.FPDFPage_CountObjects(page)
    return list(_object_images(max(count, 0), lambda i: pdfium_c.FPDFPage_GetObject(page, i), 0))


OUTLINE_DPI = 200  # a region of text drawn as curves is rendered at this for OCR (parsers/ocr.py)


def _image_refs(page: pdfium.PdfPage, frame: _Frame, page_no: int, scanned: bool) -> list[ImageRef]:
    sizes = _page_images(page)
    if scanned:
        if sizes:
            width, height = max(sizes, key=lambda s: s[0] * s[1])
        else:
            width, height = round(frame.width), round(frame.height)
        return [ImageRef(source=f"page {page_no}", page=page_no, width=width, height=height)]
    big = [sizes[i] for i in selected_images(sizes)]
    refs = [ImageRef(source=f"page {page_no} image {k}", page=page_no, width=w, height=h)
            for k, (w, h) in enumerate(big, 1)]
    scale = OUTLINE_DPI / 72  # text drawn as curves: its region rendered for OCR (pdf_outlines)
    refs += [ImageRef(source=f"page {page_no} region {k}", page=page_no, width=round((r - x) * scale),
                      height=round((t - y) * scale)) for k, (x, y, r, t) in enumerate(pdf_outlines.regions(page), 1)]
    return refs


def is_strip(width: int, height: int) -> bool:
    """A picture below the size rule that may still be one line of text (see MIN_IMAGE_AREA)."""
    short, long = min(width, height), max(width, height)
    return (short >= STRIP_MIN_SIDE and long >= STRIP_MIN_ASPECT * short and width * height >= STRIP_MIN_AREA
            and not is_large(width, height))


def is_large(width: int, height: int) -> bool:
    return width * height >= MIN_IMAGE_AREA and min(width, height) >= MIN_IMAGE_SIDE


def worth_reading(width: int, height: int) -> bool:
    """Whether a picture of this many pixels is worth OCR: large enough, or a strip of text."""
    return is_large(width, height) or is_strip(width, height)


def selected_images(sizes: list[tuple[int, int]]) -> list[int]:
    """Indices of the pictures of one page worth listing for OCR: the large ones, and the first
    MAX_STRIPS strips (ocr.py picks the k-th listed picture with this same function)."""
    chosen: list[int] = []
    strips = 0
    for i, (width, height) in enumerate(sizes):
        if is_large(width, height):
            chosen.append(i)
        elif is_strip(width, height) and strips < MAX_STRIPS:
            strips += 1
            chosen.append(i)
    return chosen


_wide_string = pdf_extras.wide_string


def _annot_string(annot: Any, key: bytes) -> str:
    return _wide_string(lambda buf, size: pdfium_c.FPDFAnnot_GetStringValue(annot, key, buf, size))


NON_TEXT_FIELDS = frozenset({
    pdfium_c.FPDF_FORMFIELD_PUSHBUTTON,
    pdfium_c.FPDF_FORMFIELD_CHECKBOX,
    pdfium_c.FPDF_FORMFIELD_RADIOBUTTON,
    pdfium_c.FPDF_FORMFIELD_SIGNATURE,
})


def _field_texts(annot: Any, form: Any) -> list[str]:
    """Value and tooltip of a widget; via the form env when there is one (values on parents)."""
    if not form:
        return [_annot_string(annot, b"V"), _annot_string(annot, b"TU")]
    texts = []
    if pdfium_c.FPDFAnnot_GetFormFieldType(form, annot) not in NON_TEXT_FIELDS:
        texts.append(_wide_string(lambda buf, size: pdfium_c.FPDFAnnot_GetFormFieldValue(form, annot, buf, size)))
    texts.append(_wide_string(lambda buf, size: pdfium_c.FPDFAnnot_GetFormFieldAlternateName(form, annot, buf, size)))
    return texts


def _annotation_texts(annot: Any, form: Any) -> list[tuple[PartKind, str, str]]:
    subtype = pdfium_c.FPDFAnnot_GetSubtype(annot)
    if subtype == pdfium_c.FPDF_ANNOT_WIDGET:
        return [(PartKind.BODY, "form_field", text) for text in _field_texts(annot, form)]
    return [
        (PartKind.COMMENT, "annotation", _annot_string(annot, b"Contents")),
        (PartKind.COMMENT, "annotation_author", _annot_string(annot, b"T")),
    ]


def _annot_box(annot: Any, frame: _Frame) -> Box | None:
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDFAnnot_GetRect(annot, rect):
        return None
    box = frame.box(min(rect.left, rect.right), min(rect.bottom, rect.top),
                    max(rect.left, rect.right), max(rect.bottom, rect.top))
    return _union([box])


def _annotation_parts(pdf: pdfium.PdfDocument, page: pdfium.PdfPage, form: Any, frame: _Frame,
                      page_no: int, numbers: dict[PartKind, int], inner: list[Inner]) -> list[Part]:
    """Annotation and form field texts, links, stamps' text and attached files (`pdf_extras`);
    one bad annotation is skipped, never fatal."""
    parts: list[Part] = []
    seen: set[tuple[PartKind, str, str]] = set()
    for i in range(max(pdfium_c.FPDFPage_GetAnnotCount(page), 0)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, i)
        if not annot:
            continue
        try:
            extra, files = pdf_extras.annotation_texts(pdf, annot)
            texts, box = _annotation_texts(annot, form) + extra, _annot_box(annot, frame)
            inner += files
        except Exception:  # a broken annotation must not cost the page
            continue
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
        for kind, origin, text in texts:
            text = text.strip()
            if not text or (kind, origin, text) in seen:
                continue
            seen.add((kind, origin, text))
            numbers[kind] = numbers.get(kind, 0) + 1
            parts.append(Part(kind=kind, text=text, page=page_no, paragraph=numbers[kind], origin=origin,
                              source=f"page {page_no}", box=box))
    return parts


def _parse_page(pdf: pdfium.PdfDocument, index: int, form: Any, off_layers: frozenset[str] = frozenset()) -> _PageResult:
    page_no = index + 1
    page = pdf.get_page(index)
    try:
        page_frame = _Frame.of(page)
        textpage = page.get_textpage()
        try:
            text = _page_text(textpage)
            hidden = pdf_unseen.unseen(page, textpage, text, off_layers)
            seen = "".join(" " if i in hidden else ch for i, ch in enumerate(text)) if hidden else text
            lines, frame = _lines(textpage, page_frame, seen)
            unseen_runs = _unseen_runs(textpage, text, hidden, frame)
        finally:
            textpage.close()
        return _page_result(pdf, page, form, page_frame, frame, lines, unseen_runs, page_no)
    finally:
        page.close()


def _page_result(pdf: pdfium.PdfDocument, page: pdfium.PdfPage, form: Any,
                 page_frame: _Frame, frame: _Frame, lines: list[_Line],
                 unseen_runs: list[tuple[str, str, Box | None]], page_no: int) -> _PageResult:
    """One page's parts (text, vertical text, annotations, unseen text), pictures and problems."""
    parts = _text_parts(lines, frame, page_no)
    body = (p.text for p in parts if p.kind is PartKind.BODY)
    scanned = sum(1 for text in body for ch in text if not ch.isspace()) < MIN_TEXT_CHARS
    problems = [Problem(
        "document.scanned",
        f"第{page_no}页没有文字层（可能是扫描件），尚未识别其中文字，需人工查看",
        page=page_no,
        part=PartKind.BODY,
    )] if scanned else []
    parts += _vertical_parts(lines, frame, page_no)
    images = _image_refs(page, page_frame, page_no, scanned)
    numbers: dict[PartKind, int] = {}
    for part in parts:
        numbers[part.kind] = max(numbers.get(part.kind, 0), part.paragraph or 0)
    inner: list[Inner] = []
    parts += _annotation_parts(pdf, page, form, frame, page_no, numbers, inner)
    first = numbers.get(PartKind.BODY, 0) + 1
    parts += [Part(kind=PartKind.BODY, text=run, page=page_no, paragraph=first + k, origin=reason,
                   source=f"page {page_no}", box=box) for k, (reason, run, box) in enumerate(unseen_runs)]
    return _PageResult(parts, images, problems, inner)


def _appearance_parts(data: bytes, parts: list[Part]) -> list[Part]:
    """The text drawn in annotations' and form fields' appearances (`pdf_extras.appearance_texts`)
    that the page's parts do not already hold, numbered after them; nothing when pypdf cannot read
    the file (pdfium read it: the rest stands)."""
    if b"/AP" not in data:
        return []
    try:
        found = pdf_extras.appearance_texts(data)
    except Exception:
        return []
    known = {(p.page, p.kind, p.text) for p in parts}
    numbers: dict[tuple[int, PartKind], int] = {}
    for p in parts:
        if p.page is not None:
            numbers[(p.page, p.kind)] = max(numbers.get((p.page, p.kind), 0), p.paragraph or 0)
    out = []
    for page, texts in found.items():
        for kind, origin, text in texts:
            if (page, kind, text) in known:
                continue
            known.add((page, kind, text))
            numbers[(page, kind)] = numbers.get((page, kind), 0) + 1
            out.append(Part(kind=kind, text=text, page=page, paragraph=numbers[(page, kind)], origin=origin,
                            source=f"page {page}"))
    return out


def _bounded_regions(images: list[ImageRef]) -> list[ImageRef]:
    """At most `pdf.outlines.max_document_regions` regions of curves per document (OCR's cost)."""
    most = _T.outlines.max_document_regions
    regions = [i for i in images if " region " in i.source]
    dropped = {id(i) for i in regions[most:]}
    return [i for i in images if id(i) not in dropped]


def _unreadable_page(page_no: int, err: Exception) -> Problem:
    return Problem(
        "document.unreadable",
        f"第{page_no}页无法解析（{type(err).__name__}），该页内容未审查，需人工查看",
        page=page_no,
        part=PartKind.BODY,
    )


# ---------------------------------------------------------------- document level


_fix_text_string = pdf_extras.fix_text_string


def _meta(text: str, origin: str, page: int | None = None, source: str = "") -> Part:
    return Part(kind=PartKind.METADATA, text=text, page=page, origin=origin, source=source or origin.split(".")[0])


def _info_parts(pdf: pdfium.PdfDocument) -> list[Part]:
    parts = []
    for key in STANDARD_INFO:
        value = pdf.get_metadata_value(key).strip()
        if value:
            parts.append(_meta(value, f"info.{key}", source="info"))
    return parts


def _outline_parts(pdf: pdfium.PdfDocument) -> list[Part]:
    parts = []
    for count, bookmark in enumerate(pdf.get_toc()):
        if count >= MAX_BOOKMARKS:
            break
        title = bookmark.get_title().strip()
        if not title:
            continue
        dest = bookmark.get_dest()
        index = dest.get_index() if dest is not None else None
        parts.append(_meta(title, "outline", page=index + 1 if index is not None else None))
    return parts


def _embedded_parts(pdf: pdfium.PdfDocument) -> list[Part]:
    parts = []
    for i in range(max(pdf.count_attachments(), 0)):
        attachment = pdf.get_attachment(i)
        get_desc = getattr(attachment, "get_desc", None)  # pypdfium2 >= 5.14
        for value in (attachment.get_name(), get_desc() if get_desc else ""):
            text = _fix_text_string(value).strip()
            if text:
                parts.append(_meta(text, "embedded_file"))
    return parts


def _pdfminer_metadata(data: bytes) -> tuple[dict[str, str], bytes | None]:
    """Every Info entry (pdfium only knows the standard keys) and the XMP packet, via pdfminer."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream
    from pdfminer.utils import decode_text

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    info: dict[str, str] = {}
    for entries in document.info:
        for key, value in entries.items():
            value = _resolve(value)
            if isinstance(value, bytes):
                info[str(key)] = decode_text(value)
            elif isinstance(value, str):
                info[str(key)] = value
    metadata = _resolve(document.catalog.get("Metadata"))
    xmp = metadata.get_data() if isinstance(metadata, PDFStream) else None
    return info, xmp


def _resolve(value: Any, limit: int = 32) -> Any:
    """Follow indirect references one step at a time, giving up on a cycle (7 → 8 → 7) or a chain
    longer than `limit`; pdfminer's own resolve1 loops forever on a cycle."""
    from pdfminer.pdftypes import PDFObjRef

    seen: set[int] = set()
    while isinstance(value, PDFObjRef):
        if value.objid in seen or len(seen) >= limit:
            return None
        seen.add(value.objid)
        value = value.resolve()
    return value


XMP_SKIPPED_NAMESPACES = frozenset({
    "http://ns.adobe.com/xap/1.0/mm/",  # xmpMM: document / instance IDs, history
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",  # stEvt
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",  # stRef
})
XMP_KEPT_NAMES = frozenset({"filePath", "parameters"})  # stRef:filePath (DerivedFrom), stEvt:parameters (History): paths it was made from
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DATE = re.compile(r"^(D:)?\d{4}(-?\d{2}(-?\d{2}([T ]?[\d:.]+)?)?)?(Z|[+-]\d{2}'?:?\d{2}'?)?$")
IDENTIFIER = re.compile(
    r"^(uuid:|xmp\.did:|xmp\.iid:|adobe:docid:|urn:uuid:)|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    re.IGNORECASE,
)


def _xmp_property(element: Any) -> Any:
    """The property an rdf:li / rdf:Alt value belongs to: the nearest non-RDF ancestor."""
    from lxml import etree

    while element is not None and etree.QName(element).namespace == RDF:
        element = element.getparent()
    return element


def _xmp_values(xml: bytes) -> list[tuple[str, str]]:
    """(localname, text) of every XMP value worth screening, in document order, without repeats."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True, recover=True)
    root = etree.fromstring(xml.strip(b"\x00 \t\r\n"), parser)
    if root is None:
        return []
    values: list[tuple[str, str]] = []

    def add(qname: Any, text: str | None) -> None:
        text = (text or "").strip()
        skipped = qname.namespace in XMP_SKIPPED_NAMESPACES and qname.localname not in XMP_KEPT_NAMES
        if not text or skipped or DATE.match(text) or IDENTIFIER.match(text):
            return
        if (qname.localname, text) not in values:
            values.append((qname.localname, text))

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        if qname.namespace == RDF and qname.localname == "Description":
            for attribute, value in element.attrib.items():
                attr = etree.QName(attribute)
                if attr.namespace not in (RDF, None):
                    add(attr, value)
        elif len(element) == 0:
            owner = _xmp_property(element)
            if owner is not None:
                add(etree.QName(owner), element.text)
    return values


def _off_layers(data: bytes) -> frozenset[str]:
    """The names of the optional content groups (layers) the document's default view switches off
    (/OCProperties /D /OFF); empty when it has none or they cannot be read."""
    if b"/OCProperties" not in data:
        return frozenset()
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.utils import decode_text

    try:
        catalog = PDFDocument(PDFParser(io.BytesIO(data))).catalog
        properties = _resolve(catalog.get("OCProperties"))
        default = _resolve(properties.get("D")) if isinstance(properties, dict) else None
        off = _resolve(default.get("OFF")) if isinstance(default, dict) else None
        names = set()
        for ref in off if isinstance(off, list) else []:
            group = _resolve(ref)
            name = _resolve(group.get("Name")) if isinstance(group, dict) else None
            if isinstance(name, bytes):
                names.add(decode_text(name))
            elif isinstance(name, str):
                names.add(name)
        return frozenset(names)
    except Exception:  # a damaged catalog: layers are then judged visible, the text is still read
        return frozenset()


def _pdfminer_parts(data: bytes) -> list[Part]:
    info, xmp = _pdfminer_metadata(data)
    parts = [_meta(value.strip(), f"info.{key}", source="info") for key, value in info.items()
             if key not in STANDARD_INFO and key not in SKIPPED_INFO and value.strip()]
    if xmp and len(xmp) <= MAX_XMP_BYTES:
        parts += [_meta(text, f"xmp.{name}", source="xmp") for name, text in _xmp_values(xmp)]
    return parts


def _document_parts(pdf: pdfium.PdfDocument, data: bytes) -> tuple[list[Part], list[Problem]]:
    """Metadata, bookmarks, embedded files' names, scripts, page labels and earlier revisions
    (`pdf_extras`); a section that fails becomes a problem."""
    sections: list[tuple[str, Callable[[], list[Part]]]] = [
        ("文档属性", lambda: _info_parts(pdf)),
        ("扩展元数据(XMP)", lambda: _pdfminer_parts(data)),
        ("书签", lambda: _outline_parts(pdf)),
        ("嵌入文件", lambda: _embedded_parts(pdf)),
        ("脚本", lambda: pdf_extras.scripts(pdf)),
        ("页码标签", lambda: pdf_extras.page_labels(pdf)),
        ("早期版本", lambda: pdf_extras.earlier_revisions(data, pdf)),
    ]
    parts: list[Part] = []
    problems: list[Problem] = []
    for label, section in sections:
        try:
            parts += section()
        except Exception as err:
            problems.append(Problem("document.unreadable", f"PDF的{label}无法读取（{type(err).__name__}），需人工查看"))
    return parts, problems


# ---------------------------------------------------------------- where text stands (figures of findings)


@dataclass(frozen=True, slots=True)
class View:
    """A page's reading view (the view `Part.box` is given in): `turn`, the clockwise degrees it is
    turned from the page as displayed (0 unless the text runs another way), and its size in points."""

    turn: int
    width: float
    height: float


def text_places(page: pdfium.PdfPage, needle: str | None) -> tuple[View, list[list[Box]]]:
    """Where `needle` stands on a page, placed as the parser places text (screening/figures.py
    outlines it): the page's reading view and, for every occurrence of `needle` in the page's text
    (white space and line breaks between its characters ignored), the em boxes of its pieces, one
    per line, (x0, top, x1, bottom) in points of that view. Unseen characters count too (a finding
    may be about them); the view is judged from every line, unseen ones included, which can differ
    from the parser's only on a page whose hidden text runs another way than its visible text."""
    page_frame = _Frame.of(page)
    textpage = page.get_textpage()
    try:
        text = _page_text(textpage)
        _, frame = _lines(textpage, page_frame, text)
        found: list[list[Box]] = []
        chars = [c for c in needle or "" if not c.isspace()]
        for match in re.finditer(r"\s*".join(map(re.escape, chars)), text) if chars else ():
            pieces = []
            for line in re.finditer(r"[^\r\n]+", match.group()):
                placed = _placed(textpage, text, match.start() + line.start(), match.start() + line.end())
                if placed is not None:
                    pieces.append(_union([frame.box(*placed[0])]))
            if pieces:
                found.append(pieces)
    finally:
        textpage.close()
    return View((frame.rotation - page_frame.rotation) % 360, frame.width, frame.height), found


# ---------------------------------------------------------------- entry point


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedError("PDF设置了打开密码，无法审查，请去除密码后重新上传") from err
        raise CorruptError("PDF文件已损坏或不完整，无法打开") from err
    except Exception as err:
        raise CorruptError("PDF文件已损坏或不完整，无法打开") from err


def _form_handle(pdf: pdfium.PdfDocument) -> Any:
    """pdfium's form env, needed to read field values that live on a parent field; None if none."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pdf.init_forms()
    except Exception:
        return None
    return pdf.formenv.raw if pdf.formenv else None


def parse(data: bytes) -> Parsed:
    """Read a PDF (see the module docstring). Raises only `EncryptedError` and `CorruptError`."""
    pdf = _open(data)
    try:
        form = _form_handle(pdf)  # before any page is loaded
        pages = len(pdf)
        parts: list[Part] = []
        images: list[ImageRef] = []
        problems: list[Problem] = []
        inner: list[Inner] = []
        off_layers = _off_layers(data)
        for index in range(pages):
            try:
                result = _parse_page(pdf, index, form, off_layers)
            except Exception as err:
                problems.append(_unreadable_page(index + 1, err))
                continue
            parts += result.parts
            images += result.images
            problems += result.problems
            inner += result.inner
        images = _bounded_regions(images)
        parts += _appearance_parts(data, parts)
        doc_parts, doc_problems = _document_parts(pdf, data)
        try:
            inner = pdf_extras.embedded_files(pdf) + inner
        except Exception as err:
            doc_problems.append(Problem("document.unreadable", f"PDF的嵌入文件无法读取（{type(err).__name__}），需人工查看"))
        parsed = Parsed(parts=tuple(parts + doc_parts), pages=pages, images=tuple(images),
                        problems=tuple(problems + doc_problems), inner=tuple(inner))
    except BaseException:
        pdf.close()
        raise
    pdf_kept.keep(data, pdf)  # open still for its tables, when the engine reads them next (pdf_kept)
    return parsed
