"""Masking leaks in a .docx: every XML part of the package, formatting kept.

The package is re-zipped member by member: a part without a leak keeps its exact bytes (and
compression); a part with one is parsed (entities off, no network, no DTD), masked and written
back with its XML declaration. The zip limits of the parser apply (`parsers.docx.package`).

1. Paragraphs (w:p, and DrawingML a:p in charts, SmartArt and shapes). A leak may cross runs
   ("衢州" in one run, "绿禾" in the next, different formatting), so the text of a paragraph is
   joined first and the hits are mapped back to the characters of each w:t / w:delText / m:t,
   which are masked in place: each run keeps its properties. The text is joined per channel as
   the parser reads it — ordinary text, tracked deletions (w:del, w:moveFrom, w:delText), hidden
   text (w:vanish, directly or through a style) — so a deletion between two halves of a name
   does not hide the name. A tracked deletion that holds a leak is dropped whole (the deletion
   accepted), and so is a hidden run that holds one. Text boxes are paragraphs of their own
   (w:txbxContent), also in mc:Fallback copies; headers, footers, footnotes, endnotes and
   comments are parts of their own, all handled alike.
2. Everything else, node by node: text of any element (core/app/custom properties, document
   variables, field codes, VML text paths, XML comments) and attribute values (comment and
   revision authors, initials, alt text, people.xml, external link targets), except attributes
   that are references (ids, relationship targets inside the package, style ids), which a mask
   would break.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from lxml import etree

from screening.errors import AttachmentError
from screening.masking import Needles, RedactionError, copied_info, mask_spans
from screening.parsers.docx import Styles, open_zip_for_copy, read_styles
from screening.parsers.docx.ooxml import (
    A_P,
    A_T,
    M_T,
    MC_FALLBACK,
    W_DEL,
    W_DELTEXT,
    W_MOVEFROM,
    W_NS,
    W_P,
    W_PPR,
    W_PSTYLE,
    W_R,
    W_RPR,
    W_T,
    W_VAL,
)

XML_SUFFIXES = (".xml", ".rels", ".vml")
TEXT_SUFFIXES = (".htm", ".html", ".txt")  # chunks imported by w:altChunk, masked as text in their own encoding
W_RT = f"{{{W_NS}}}rt"
DELETED = frozenset({W_DEL, W_MOVEFROM})
RUN = frozenset({W_R})
OUTSIDE_TEXT = frozenset({MC_FALLBACK, W_RT})  # the parser skips these when joining a paragraph
REFERENCE_ATTRIBUTES = frozenset({"id", "Id", "embed", "link", "styleId", "PartName", "ContentType", "Type",
                                  "Extension", "TargetMode"})
STYLE_REFERENCES = frozenset(f"{{{W_NS}}}{n}" for n in ("pStyle", "rStyle", "basedOn", "next", "link", "tblStyle",
                                                       "numStyleLink", "styleLink", "name"))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def mask_docx(data: bytes, needles: Needles) -> bytes:
    """A copy of the .docx with every hit of `needles` masked (see the module docstring)."""
    try:
        zf = open_zip_for_copy(data)
    except AttachmentError as err:
        raise RedactionError(f"无法脱敏：{err.message}") from None
    out = io.BytesIO()
    with zf, zipfile.ZipFile(out, "w") as dst:
        styles = _styles(zf)
        for info in zf.infolist():
            raw = zf.read(info)
            if info.filename.lower().endswith(XML_SUFFIXES):
                raw = _mask_part(info.filename, raw, needles, styles) or raw
            elif info.filename.lower().endswith(TEXT_SUFFIXES):  # an imported chunk (w:altChunk): its text
                raw = _mask_text(raw, needles)
            dst.writestr(copied_info(info), raw)
    return out.getvalue()


def _mask_text(raw: bytes, needles: Needles) -> bytes:
    """An HTML or text member with every hit masked, written back in the encoding it was read in."""
    for codec in ("utf-8", "gb18030"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        masked = needles.mask(text)
        return raw if masked == text else masked.encode(codec)
    return raw


def _styles(zf: zipfile.ZipFile) -> Styles:
    names = {i.filename.lower(): i.filename for i in zf.infolist()}
    member = names.get("word/styles.xml")
    if member is None:
        return read_styles(None)
    try:
        return read_styles(etree.fromstring(zf.read(member), _parser()))
    except etree.XMLSyntaxError:
        raise RedactionError("Word文档的样式表已损坏，无法判断隐藏文字，未能脱敏") from None


def _mask_part(name: str, raw: bytes, needles: Needles, styles: Styles) -> bytes | None:
    """The masked part, or None when nothing in it leaks."""
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError:
        raise RedactionError(f"Word文档中的“{name}”不是有效的XML，无法脱敏") from None
    masker = _PartMasker(needles, styles)
    if not masker.run(root):
        return None
    tree = root.getroottree()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone)


class _PartMasker:
    def __init__(self, needles: Needles, styles: Styles) -> None:
        self.needles = needles
        self.styles = styles
        self.changed = False
        self.drop: list[etree._Element] = []

    def run(self, root: etree._Element) -> bool:
        for p in root.iter(W_P, A_P):
            self._paragraph(p)
        self._nodes(root)
        for el in self.drop:
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
        return self.changed or bool(self.drop)

    # 1. paragraphs, joined per channel
    def _paragraph(self, p: etree._Element) -> None:
        for channel, elements in paragraph_channels(p, self.styles).items():
            self._mask_joined(channel, elements)

    def _mask_joined(self, channel: str, elements: list[etree._Element]) -> None:
        spans = self.needles.spans(joined_text(elements))
        for el, local in element_spans(elements, spans):
            el.text = mask_spans(el.text or "", local)
            self.changed = True
            if channel == "deleted":
                self.drop.append(_first(_ancestor(el, DELETED), _ancestor(el, RUN), el))
            elif channel == "hidden":
                self.drop.append(_first(_ancestor(el, RUN), el))

    # 2. every other text and attribute
    def _nodes(self, root: etree._Element) -> None:
        mask = self.needles.mask
        for el in root.iter():
            for attr in ("text", "tail"):
                value = getattr(el, attr)
                if value and (new := mask(value)) != value:
                    setattr(el, attr, new)
                    self.changed = True
            if not isinstance(el.tag, str):
                continue
            for key, value in el.attrib.items():
                if _maskable(el, key) and (new := mask(value)) != value:
                    el.set(key, new)
                    self.changed = True


# ---------------------------------------------------------------- where a leak's characters are
# (shared with `screening.annotate.docx`, which anchors a comment on the same characters)


def paragraph_channels(p: etree._Element, styles: Styles) -> dict[str, list[etree._Element]]:
    """The text elements of paragraph `p` (w:t, w:delText, m:t; a:t for DrawingML), per channel as
    the parser joins them: "" ordinary text, "deleted" tracked deletions, "hidden" hidden text."""
    if p.tag == A_P:
        return {"": list(_own(p, (A_T,)))}
    hidden = styles.paragraph(_paragraph_style(p))[0]
    channels: dict[str, list[etree._Element]] = {"": [], "deleted": [], "hidden": []}
    for t in _own(p, (W_T, W_DELTEXT, M_T)):
        channels[_channel(t, p, hidden, styles)].append(t)
    return channels


def joined_text(elements: list[etree._Element]) -> str:
    """The text of a channel's elements, joined (the offsets `element_spans` maps back)."""
    return "".join(el.text or "" for el in elements)


def element_spans(elements: list[etree._Element],
                  spans: list[tuple[int, int]]) -> Iterator[tuple[etree._Element, list[tuple[int, int]]]]:
    """Each element holding characters of `spans` (offsets of `joined_text`), in order, with
    those characters as offsets of its own text."""
    offset = 0
    for el in elements:
        text = el.text or ""
        low, high = offset, offset + len(text)
        offset = high
        local = [(max(a, low) - low, min(b, high) - low) for a, b in spans if a < high and b > low]
        if local:
            yield el, local


def _channel(t: etree._Element, p: etree._Element, para_hidden: bool, styles: Styles) -> str:
    run = None
    el = t.getparent()
    while el is not None and el is not p:
        if el.tag in DELETED:
            return "deleted"
        if el.tag == W_R and run is None:
            run = el
        el = el.getparent()
    if t.tag == W_DELTEXT:
        return "deleted"
    if t.tag == M_T or run is None:
        return "hidden" if para_hidden else ""
    return "hidden" if styles.run_hidden(run.find(W_RPR), para_hidden) else ""


def _own(p: etree._Element, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """The text elements of paragraph `p` itself: not those of a paragraph nested in it (a text
    box), nor those the parser leaves out of the paragraph (mc:Fallback copies, ruby readings)."""
    for el in p.iter(*tags):
        parent = el.getparent()
        while parent is not None and parent is not p and parent.tag != p.tag and parent.tag not in OUTSIDE_TEXT:
            parent = parent.getparent()
        if parent is p:
            yield el


def _ancestor(el: etree._Element, tags: frozenset[str]) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag not in tags:
        parent = parent.getparent()
    return parent


def _first(*candidates: etree._Element | None) -> etree._Element:
    return next(el for el in candidates if el is not None)


def _paragraph_style(p: etree._Element) -> str:
    ppr = p.find(W_PPR)
    style = ppr.find(W_PSTYLE) if ppr is not None else None
    return (style.get(W_VAL) or "") if style is not None else ""


def _maskable(el: etree._Element, key: str) -> bool:
    """Attributes that hold text, not references the package needs intact."""
    local = etree.QName(key).localname
    if local.startswith("rsid"):
        return False
    if local == "Target":
        return (el.get("TargetMode") or "").lower() == "external"
    if local == "val":
        return el.tag not in STYLE_REFERENCES
    return local not in REFERENCE_ATTRIBUTES
