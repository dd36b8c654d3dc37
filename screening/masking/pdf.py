"""Masking leaks in a PDF: the glyphs are taken out of the content streams, not covered.

Why this way. A box drawn over text leaves the text in the file; pdfium (pypdfium2) can remove
whole text objects and insert new ones, but a new object must re-encode its text through the
font, which fails for subset fonts (a mask character the subset lacks) and rewrites the whole
page. Editing the content stream with pypdf (BSD) instead keeps every other byte: in each
text-showing operation (Tj, TJ, ', ") the character codes of a leak are cut out of the string,
and a TJ adjustment of exactly their advance (glyph width, character and word spacing) keeps the
rest of the line where it was. The codes are decoded with pdfminer's font machinery (already a
dependency through pdfplumber): its CMaps split a string into codes (one or two bytes, predefined
CMaps such as reportlab's UniGB-UCS2-H included), and its fonts give each code's Unicode text and
width (simple, CID, Type 3; horizontal and vertical writing). The leak is found on the joined
text of the stream, normalised like the identity check (`Needles`), so a name drawn in two
operations or across a line is found too. Text inside form XObjects is edited the same way.

Then a black bar is drawn where each leak was (boxes from pdfium's character boxes), so a reader
sees that something was removed. Outside the page text: every text string in the document's
object tree (Info, outlines, annotation contents and authors, form field values and tooltips,
file specifications, name-tree keys) is masked; an annotation whose strings held a leak is
removed (with its pop-up), a form widget's stale appearance is dropped (the viewer redraws it
from the masked value); XMP metadata streams and embedded files are removed. Finally the file is
written and cloned once more, so that nothing unreferenced (an old content stream, the XMP
packet) survives in the output.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from pdfminer.cmapdb import CMap, IdentityCMap, IdentityCMapByte
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdffont import PDFCIDFont, PDFFont
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, PDFStream
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from screening.masking import Needles, RedactionError
from screening.parsers.pdf import _page_text
from screening.parsers.pdfium_lib import pdfium

MAX_FORM_DEPTH = 8
SHOW = frozenset({b"Tj", b"TJ", b"'", b'"'})
KEEP_ANNOTATIONS = frozenset({"/Link", "/Widget"})  # never removed: masking their strings suffices
BAR_PADDING = 1.0  # points around a removed leak's glyphs

Rect = tuple[float, float, float, float]  # left, bottom, right, top in user space
Operation = tuple[Any, bytes]


def mask_pdf(data: bytes, needles: Needles, *, bars: bool = True) -> bytes:
    """A copy of the PDF with every hit of `needles` removed (see the module docstring); without
    `bars`, no black bar is drawn where they stood (text that nobody saw: `redact --sanitize`)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise RedactionError("PDF设置了打开密码，无法脱敏")
        writer = PdfWriter(clone_from=reader)
        fonts = _PdfminerPages(data)
    except RedactionError:
        raise
    except Exception as err:  # pypdf / pdfminer on a damaged file
        raise RedactionError(f"PDF无法解析，未能脱敏（{type(err).__name__}）") from None
    drawn = _leak_bars(data, needles) if bars else {}
    for index, page in enumerate(writer.pages):
        _mask_page(writer, page, fonts.resources(index), needles, drawn.get(index, []))
    flagged = _mask_strings(writer, needles)
    _drop_flagged_annotations(writer, flagged)
    _mask_info(writer, needles)
    first = io.BytesIO()
    writer.write(first)
    clean = PdfWriter(clone_from=PdfReader(io.BytesIO(first.getvalue())))  # drops every orphan
    out = io.BytesIO()
    clean.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- fonts (pdfminer)


def resolve1(value: Any) -> Any:
    """pdfminer's resolve1, bounded: a reference cycle (a hostile file) resolves to None."""
    for _ in range(32):
        if not isinstance(value, PDFObjRef):
            return value
        value = value.resolve()
    return None


class _PdfminerPages:
    """pdfminer's view of the same file: resources (inherited ones resolved) of each page."""

    def __init__(self, data: bytes) -> None:
        self.manager = PDFResourceManager(caching=True)
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
        self.pages = [page.resources or {} for page in PDFPage.create_pages(document)]

    def resources(self, index: int) -> _Resources:
        return _Resources(self.manager, self.pages[index] if index < len(self.pages) else {})


class _Resources:
    def __init__(self, manager: PDFResourceManager, spec: Any) -> None:
        self.manager = manager
        self.spec = resolve1(spec) if spec else {}
        self._fonts: dict[str, PDFFont | None] = {}

    def font(self, name: str) -> PDFFont | None:
        if name not in self._fonts:
            ref = (resolve1(self.spec.get("Font")) or {}).get(name)
            try:
                spec = resolve1(ref)
                self._fonts[name] = self.manager.get_font(ref.objid if isinstance(ref, PDFObjRef) else None, spec)
            except Exception:  # a broken font: its glyphs stay undecoded, the verification tells
                self._fonts[name] = None
        return self._fonts[name]

    def form(self, name: str) -> _Resources | None:
        """The resources of the form XObject `name` (its own, else these)."""
        stream = resolve1((resolve1(self.spec.get("XObject")) or {}).get(name))
        if not isinstance(stream, PDFStream):
            return None
        own = resolve1(stream.attrs.get("Resources"))
        return _Resources(self.manager, own) if own else self


def _codes(font: PDFFont | None, data: bytes) -> Iterator[tuple[int, int, int]]:
    """(start, end, cid) of each character code in a string, as pdfminer decodes it."""
    cmap = font.cmap if isinstance(font, PDFCIDFont) else None
    if cmap is None or isinstance(cmap, IdentityCMapByte):
        yield from ((i, i + 1, b) for i, b in enumerate(data))
    elif isinstance(cmap, IdentityCMap):
        yield from ((i, i + 2, (data[i] << 8) | data[i + 1]) for i in range(0, len(data) - 1, 2))
    elif isinstance(cmap, CMap):  # the same walk as CMap.decode, keeping each code's bytes
        node: dict[int, object] = cmap.code2cid
        start = 0
        for i, byte in enumerate(data):
            value = node.get(byte)
            if isinstance(value, int):
                yield start, i + 1, value
                node, start = cmap.code2cid, i + 1
            elif isinstance(value, dict):
                node = value
            else:
                node, start = cmap.code2cid, i + 1
    else:
        raise RedactionError(f"PDF字体使用了不支持的编码（{type(cmap).__name__}），无法脱敏")


def _unicode(font: PDFFont | None, cid: int) -> str:
    if font is None:
        return "\ufffd"
    try:
        return font.to_unichr(cid) or "\ufffd"
    except Exception:  # no Unicode for this code: pdfium cannot extract it either
        return "\ufffd"


# ---------------------------------------------------------------- content streams


@dataclass(frozen=True, slots=True)
class _State:
    font: PDFFont | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0


@dataclass(frozen=True, slots=True)
class _Glyph:
    op: int  # index of the showing operation
    item: int  # index of the string among the operation's items
    start: int  # bytes of the code in that string
    end: int
    advance: float  # the TJ number that replaces it (thousandths of text space)


def _items(operands: list[Any], op: bytes) -> list[Any]:
    """The strings (and TJ numbers) a showing operation shows."""
    if op == b"TJ":
        return list(operands[0]) if operands and isinstance(operands[0], list) else []
    if op == b'"':
        return [operands[2]] if len(operands) >= 3 else []
    return [operands[0]] if operands else []


def _raw(value: Any) -> bytes | None:
    if isinstance(value, ByteStringObject):
        return bytes(value)
    if isinstance(value, TextStringObject):
        return value.get_original_bytes()
    return None


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _advance(font: PDFFont | None, cid: int, code: bytes, state: _State) -> float:
    width = font.char_width(cid) * 1000 if font is not None else 0.0
    if not state.size:
        return 0.0
    spacing = state.char_spacing + (state.word_spacing if code == b" " else 0.0)
    return -(width + spacing * 1000 / state.size)


def mask_operations(ops: list[Operation], resources: _Resources, needles: Needles) -> list[Operation] | None:
    """The operations with every leak's character codes removed; None when nothing leaks."""
    state, stack = _State(), []
    glyphs: list[_Glyph] = []
    chars: list[str] = []
    owner: list[int] = []
    for index, (operands, op) in enumerate(ops):
        if op == b"q":
            stack.append(state)
        elif op == b"Q":
            state = stack.pop() if stack else _State()
        elif op == b"Tf" and len(operands) >= 2:
            state = replace(state, font=resources.font(str(operands[0]).lstrip("/")), size=_number(operands[1]))
        elif op == b"Tc" and operands:
            state = replace(state, char_spacing=_number(operands[0]))
        elif op == b"Tw" and operands:
            state = replace(state, word_spacing=_number(operands[0]))
        elif op == b'"' and len(operands) >= 2:
            state = replace(state, word_spacing=_number(operands[0]), char_spacing=_number(operands[1]))
        if op not in SHOW:
            continue
        for item, value in enumerate(_items(operands, op)):
            raw = _raw(value)
            if raw is None:
                continue
            for start, end, cid in _codes(state.font, raw):
                glyphs.append(_Glyph(index, item, start, end, _advance(state.font, cid, raw[start:end], state)))
                for ch in _unicode(state.font, cid):
                    chars.append(ch)
                    owner.append(len(glyphs) - 1)
        chars.append("\n")  # operations join like lines: normalisation drops the break
        owner.append(-1)
    hit: set[int] = set()
    for start, end in needles.spans("".join(chars)):
        hit.update(g for g in owner[start:end] if g >= 0)
    if not hit:
        return None
    removed: dict[tuple[int, int], list[_Glyph]] = {}
    for g in sorted(hit):
        removed.setdefault((glyphs[g].op, glyphs[g].item), []).append(glyphs[g])
    touched = {op for op, _ in removed}
    out: list[Operation] = []
    for index, (operands, op) in enumerate(ops):
        if index not in touched:
            out.append((operands, op))
            continue
        if op == b"'":
            out.append(([], b"T*"))
        elif op == b'"':
            out += [([operands[0]], b"Tw"), ([operands[1]], b"Tc"), ([], b"T*")]
        out.append(([_without(_items(operands, op), index, removed)], b"TJ"))
    return out


def _without(items: list[Any], op: int, removed: dict[tuple[int, int], list[_Glyph]]) -> ArrayObject:
    """A TJ array showing `items` minus the removed codes, each replaced by its advance."""
    array = ArrayObject()
    for item, value in enumerate(items):
        raw = _raw(value)
        cut = removed.get((op, item))
        if raw is None or not cut:
            array.append(value)
            continue
        position = 0
        for glyph in cut:
            if glyph.start > position:
                array.append(ByteStringObject(raw[position:glyph.start]))
            array.append(FloatObject(round(glyph.advance, 4)))
            position = glyph.end
        if position < len(raw):
            array.append(ByteStringObject(raw[position:]))
    return array


def _mask_page(writer: PdfWriter, page: Any, resources: _Resources, needles: Needles, bars: list[Rect]) -> None:
    content = page.get_contents()
    ops = content.operations if content is not None else []
    masked = mask_operations(ops, resources, needles)
    if masked is not None or bars:
        assert content is not None  # a bar comes from text, which lives in a content stream
        content.operations = [([], b"q"), *(masked or ops), ([], b"Q"), *_bar_operations(bars)]
        page.replace_contents(content)
    page_resources = _inherited(page, "/Resources")
    if isinstance(page_resources, DictionaryObject):
        _mask_forms(writer, page_resources, resources, needles, 0, set())


def _mask_forms(writer: PdfWriter, pypdf_resources: DictionaryObject, resources: _Resources, needles: Needles,
                depth: int, seen: set[int]) -> None:
    xobjects = pypdf_resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, DictionaryObject) or depth >= MAX_FORM_DEPTH:
        return
    for name, ref in xobjects.items():
        form = ref.get_object()
        if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form" or id(form) in seen:
            continue
        seen.add(id(form))
        form_resources = resources.form(str(name).lstrip("/"))
        if form_resources is None:
            continue
        content = ContentStream(form, writer)
        masked = mask_operations(content.operations, form_resources, needles)
        if masked is not None:
            content.operations = masked
            try:
                form.set_data(content.get_data())
            except PdfReadError:
                raise RedactionError("PDF中的表单对象使用了不支持的压缩方式，无法脱敏") from None
        own = form.get("/Resources")
        own = own.get_object() if own is not None else pypdf_resources
        if isinstance(own, DictionaryObject):
            _mask_forms(writer, own, form_resources, needles, depth + 1, seen)


def _inherited(page: DictionaryObject, key: str) -> Any:
    node: Any = page
    for _ in range(64):
        if node is None:
            return None
        node = node.get_object()
        if key in node:
            return node[key].get_object()
        node = node.get("/Parent")
    return None


def _bar_operations(bars: list[Rect]) -> list[Operation]:
    if not bars:
        return []
    ops: list[Operation] = [([], b"q"), ([NumberObject(0)], b"g")]
    for left, bottom, right, top in bars:
        ops.append(([FloatObject(round(v, 2)) for v in (left, bottom, right - left, top - bottom)], b"re"))
    ops += [([], b"f"), ([], b"Q")]
    return ops


# ---------------------------------------------------------------- where the leaks were (pdfium)


def _leak_bars(data: bytes, needles: Needles) -> dict[int, list[Rect]]:
    """Per page, one rectangle per line of each leak, from pdfium's character boxes."""
    bars: dict[int, list[Rect]] = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                for _, rects in page_hits(textpage, _page_text(textpage), needles):
                    bars.setdefault(index, []).extend(rects)
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    return bars


def page_hits(textpage: pdfium.PdfTextPage, text: str, needles: Needles, *, loose: bool = False,
              padding: float = BAR_PADDING) -> list[tuple[tuple[int, int], list[Rect]]]:
    """Each hit of `needles` in a page's text (`parsers.pdf._page_text` of `textpage`): its
    characters [start, end) and one rectangle per line it covers (user space), from pdfium's
    character boxes — tight glyph boxes, or with `loose` the font's full height — grown by
    `padding` points (shared with `screening.annotate.pdf`, which highlights the same characters)."""
    return [((start, end), _line_rects(textpage, text, start, end, loose=loose, padding=padding))
            for start, end in needles.spans(text)]


def _line_rects(textpage: pdfium.PdfTextPage, text: str, start: int, end: int, *, loose: bool = False,
                padding: float = BAR_PADDING) -> list[Rect]:
    rects: list[list[float]] = []
    for i in range(start, end):
        if text[i].isspace():
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=loose)
        if right <= left or top <= bottom:
            continue
        last = rects[-1] if rects else None
        if last is not None and last[1] <= (bottom + top) / 2 <= last[3]:
            last[0], last[1], last[2], last[3] = min(last[0], left), min(last[1], bottom), max(last[2], right), max(last[3], top)
        else:
            rects.append([left, bottom, right, top])
    p = padding
    return [(r[0] - p, r[1] - p, r[2] + p, r[3] + p) for r in rects]


# ---------------------------------------------------------------- strings, annotations, metadata


def _mask_strings(writer: PdfWriter, needles: Needles) -> list[DictionaryObject]:
    """Mask every text string reachable from the catalog; drop XMP and embedded files.
    Returns the dictionaries whose strings changed (annotations among them are dealt with next)."""
    flagged: list[DictionaryObject] = []
    seen: set[int] = set()
    stack: list[Any] = [writer.root_object]
    names = writer.root_object.get("/Names")
    if names is not None and isinstance(names.get_object(), DictionaryObject):
        names.get_object().pop(NameObject("/EmbeddedFiles"), None)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, DictionaryObject):
            obj.pop(NameObject("/Metadata"), None)
            keys = list(obj.keys())
            if any(_mask_entry(obj, key, needles, stack) for key in keys):
                flagged.append(obj)
        elif isinstance(obj, ArrayObject):
            for i in range(len(obj)):
                _mask_entry(obj, i, needles, stack)
    return flagged


def _mask_entry(container: Any, key: Any, needles: Needles, stack: list[Any]) -> bool:
    value = container.raw_get(key) if isinstance(container, DictionaryObject) else list.__getitem__(container, key)
    target = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(target, (DictionaryObject, ArrayObject)):
        stack.append(target)
        return False
    if isinstance(target, TextStringObject):
        masked = needles.mask(str(target))
        if masked != target:
            container[key] = TextStringObject(masked)
            return True
    return False


def _drop_flagged_annotations(writer: PdfWriter, flagged: list[DictionaryObject]) -> None:
    """Remove markup annotations that held a leak (and file attachments); make widgets redraw."""
    marked = {id(d) for d in flagged}
    widget_changed = False
    for page in writer.pages:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        if not isinstance(annots, ArrayObject):
            continue
        kept = ArrayObject()
        for ref in annots:
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject):
                continue
            subtype = annot.get("/Subtype")
            if subtype in KEEP_ANNOTATIONS:
                if subtype == "/Widget" and _field_flagged(annot, marked):
                    annot.pop(NameObject("/AP"), None)
                    widget_changed = True
                kept.append(ref)
                continue
            parent = annot.get("/Parent")
            popup_of_flagged = parent is not None and id(parent.get_object()) in marked
            if id(annot) in marked or popup_of_flagged or subtype == "/FileAttachment":
                continue
            kept.append(ref)
        page[NameObject("/Annots")] = kept
    form = writer.root_object.get("/AcroForm")
    if widget_changed and form is not None and isinstance(form.get_object(), DictionaryObject):
        form.get_object()[NameObject("/NeedAppearances")] = BooleanObject(True)


def _field_flagged(annot: DictionaryObject, marked: set[int]) -> bool:
    node: Any = annot
    for _ in range(32):
        if node is None:
            return False
        node = node.get_object()
        if id(node) in marked:
            return True
        node = node.get("/Parent")
    return False


def _mask_info(writer: PdfWriter, needles: Needles) -> None:
    info: dict[str, Any] = dict(writer.metadata or {})
    updates = {key: needles.mask(str(value)) for key, value in info.items()
               if isinstance(value, str) and needles.mask(str(value)) != value}
    if updates:
        writer.add_metadata(updates)
