"""Where a finding of a Word document is, as elements of the package python-docx opened: the
characters of the matched text in a paragraph of the main document, or the run a comment can
stand on for what is elsewhere.

Paragraphs are found by the finding's location as the parser numbered them (parsers/docx/walker.py:
per kind and zip member, in the walker's order — mc:Choice rather than mc:Fallback, text boxes
after the paragraph holding them, every w:p counted), and inside one the matched text by the
masking's own search (`masking.docx.paragraph_channels`: the paragraph's text per channel,
normalised like the identity check), nearest to the finding's offset. A paragraph that does not
hold the text under that number is not guessed at: the finding goes to the overview.

What Word cannot comment on where it stands is anchored on the mark that shows it in the body:

* a footnote or endnote → the run of its reference mark;
* a comment (its text or its author) → the text the comment covers (else its reference mark);
* a picture (its OCR text, its alt text, its properties) → the run showing the picture.

Headers and footers (Word has no comments there), properties, file names, embedded files and the
rest have no place in the body: `Places.anchor` gives None and the annotator lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from lxml import etree

from screening.annotate.notes import AnnotationError
from screening.masking import Needles
from screening.masking.docx import element_spans, joined_text, paragraph_channels
from screening.model import Finding, PartKind
from screening.parsers.docx import Styles, read_styles
from screening.parsers.docx.ooxml import (
    A_BLIP,
    MC_ALTERNATE,
    MC_FALLBACK,
    O_TITLE,
    PIC_CNVPR,
    R_EMBED,
    R_ID,
    R_LINK,
    V_ALT_SHAPES,
    V_IMAGEDATA,
    W_BODY,
    W_COMMENT,
    W_COMMENTRANGESTART,
    W_COMMENTREFERENCE,
    W_CUSTOMXML,
    W_DEL,
    W_ENDNOTE,
    W_ENDNOTEREFERENCE,
    W_FOOTNOTE,
    W_FOOTNOTEREFERENCE,
    W_ID,
    W_INS,
    W_MOVEFROM,
    W_MOVETO,
    W_P,
    W_PPR,
    W_R,
    W_RPR,
    W_RUBY,
    W_RUBYBASE,
    W_SDT,
    W_SDTCONTENT,
    W_SECTPR,
    W_T,
    W_TBL,
    W_TC,
    W_TR,
    W_TXBXCONTENT,
    W_TYPE,
    WP_DOCPR,
    w,
)
from screening.parsers.docx.walker import _choice, _descendants
from screening.text import norm

Element: TypeAlias = etree._Element
Piece = tuple[Element, int, int]  # a text element and the characters [start, end) of it that are matched

W_AUTHOR, W_INITIALS = w("author"), w("initials")
W_COMMENTRANGEEND = w("commentRangeEnd")
BLOCK_TRANSPARENT = frozenset({W_CUSTOMXML, W_SDTCONTENT, W_INS, W_DEL, W_MOVETO, W_MOVEFROM})
INLINE_SKIP = frozenset({W_PPR, W_RPR, W_SECTPR, MC_FALLBACK})
SKIPPED_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
CHANNELS = {"deleted": "deleted", "hidden": "hidden"}  # a finding's origin → the paragraph's channel holding it
IN_BODY = frozenset({PartKind.BODY, PartKind.TABLE, PartKind.TEXTBOX})
PICTURE_ORIGINS = frozenset({"ocr", "picture_meta", "barcode"})
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True, slots=True)
class Text:
    """The matched characters in paragraphs of the main document: comment exactly these."""

    pieces: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Runs:
    """Runs of the main document (first, last) that show where the finding is."""

    first: Element
    last: Element


Anchor = Text | Runs


# ---------------------------------------------------------------- the parser's paragraph numbers


def numbered(containers: list[tuple[Element, PartKind, str]]) -> dict[PartKind, list[tuple[Element, str]]]:
    """The paragraphs of a story part per kind, in the walker's order (index + 1 is the paragraph's
    number), each with the key of the container it is in (a note's or a comment's id; "" for the body)."""
    out: dict[PartKind, list[tuple[Element, str]]] = {}
    for container, kind, key in containers:
        for p_kind, p in _blocks(container, kind):
            out.setdefault(p_kind, []).append((p, key))
    return out


def _blocks(container: Element, kind: PartKind) -> Iterator[tuple[PartKind, Element]]:
    for child in container:
        tag = child.tag
        if tag == W_P:
            yield kind, child
            for box in _boxes(child):
                yield from _blocks(box, PartKind.TEXTBOX)
        elif tag == W_TBL:
            cell_kind = PartKind.TABLE if kind in (PartKind.BODY, PartKind.TABLE) else kind
            for tr in _descendants(child, W_TR):
                for tc in _descendants(tr, W_TC):
                    yield from _blocks(tc, cell_kind)
        elif tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _blocks(content, kind)
        elif tag in BLOCK_TRANSPARENT:
            yield from _blocks(child, kind)
        elif tag == MC_ALTERNATE:
            chosen = _choice(child)
            if chosen is not None:
                yield from _blocks(chosen, kind)


def _boxes(el: Element) -> Iterator[Element]:
    """The text boxes (w:txbxContent) of a paragraph, as the walker meets them."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in INLINE_SKIP:
            continue
        if tag == W_TXBXCONTENT:
            yield child
        elif tag == MC_ALTERNATE:
            chosen = _choice(child)
            if chosen is not None:
                yield from _boxes(chosen)
        elif tag == W_RUBY:
            base = child.find(W_RUBYBASE)
            if base is not None:
                yield from _boxes(base)
        else:
            yield from _boxes(child)


# ---------------------------------------------------------------- the places of one document


class Places:
    """The places of one Word document opened by python-docx, read before any comment is added."""

    def __init__(self, word: WordDocument) -> None:
        self.root: Element = word.element
        self.main = str(word.part.partname).lstrip("/")
        rels = {rel.reltype: rel for rel in word.part.rels.values() if not rel.is_external}
        styles = rels.get(RT.STYLES)
        self.styles: Styles = read_styles(_root(styles.target_part) if styles is not None else None)
        self.body = numbered([(body, PartKind.BODY, "") for body in self.root.iterchildren(W_BODY)])
        self.notes: dict[str, tuple[str, dict[PartKind, list[tuple[Element, str]]]]] = {}  # member → (reference tag, paragraphs)
        for reltype, tag, reference in ((RT.FOOTNOTES, W_FOOTNOTE, W_FOOTNOTEREFERENCE),
                                        (RT.ENDNOTES, W_ENDNOTE, W_ENDNOTEREFERENCE)):
            if (rel := rels.get(reltype)) is not None:
                notes = _root(rel.target_part)
                containers = [(n, PartKind.FOOTNOTE, n.get(W_ID) or "") for n in notes.iter(tag)
                              if (n.get(W_TYPE) or "normal") not in SKIPPED_NOTES]
                self.notes[str(rel.target_part.partname).lstrip("/")] = (reference, numbered(containers))
        self.comments: dict[PartKind, list[tuple[Element, str]]] = {}
        self.comment_member = ""
        self.authors: list[tuple[str, str]] = []  # (comment id, its author and initials, normalised)
        if (rel := rels.get(RT.COMMENTS)) is not None:
            root = _root(rel.target_part)
            self.comment_member = str(rel.target_part.partname).lstrip("/")
            comments = list(root.iter(W_COMMENT))
            self.comments = numbered([(c, PartKind.COMMENT, c.get(W_ID) or "") for c in comments])
            self.authors = [(c.get(W_ID) or "", norm(f"{c.get(W_AUTHOR) or ''}\n{c.get(W_INITIALS) or ''}"))
                            for c in comments]
        self.media = {rid: str(rel.target_part.partname).lstrip("/") for rid, rel in word.part.rels.items()
                      if not rel.is_external}

    def anchor(self, finding: Finding) -> Anchor | None:
        """Where the finding is in the main document, or None when it has no place there."""
        loc, matched = finding.location, finding.matched
        if loc is None or loc.embedded or not matched:
            return None
        member = loc.source.split("#", 1)[0]
        keys = Needles([matched])
        if loc.part in IN_BODY and member == self.main and loc.paragraph:
            return self._text(loc.part, loc.paragraph, CHANNELS.get(loc.origin, ""), keys, loc.start)
        if loc.part is PartKind.FOOTNOTE and member in self.notes and loc.paragraph:
            reference, paragraphs = self.notes[member]
            note = _key_of(paragraphs, PartKind.FOOTNOTE, loc.paragraph, keys, self.styles)
            return self._reference(reference, note) if note is not None else None
        if loc.part is PartKind.COMMENT and member == self.comment_member:
            if loc.origin == "comment_author":
                ids = [cid for cid, names in self.authors if keys.spans(names)]
                return self._commented(ids[0]) if ids else None
            if loc.paragraph:
                comment = _key_of(self.comments, PartKind.COMMENT, loc.paragraph, keys, self.styles)
                return self._commented(comment) if comment is not None else None
        if loc.part is PartKind.IMAGE:
            return self._picture(loc.origin, member, keys)
        return None

    def first_runs(self) -> Runs | None:
        """The runs of the first paragraph of the body (or of a table in it) with text: where the
        overview of what has no place in the body is anchored."""
        for body in self.root.iterchildren(W_BODY):
            for kind, p in _blocks(body, PartKind.BODY):
                runs = [r for t in paragraph_channels(p, self.styles)[""] if (t.text or "").strip()
                        and (r := t.getparent()) is not None and r.tag == W_R]
                if kind is not PartKind.TEXTBOX and runs:
                    return Runs(runs[0], runs[-1])
        return None

    def first_paragraph(self) -> Element | None:
        """The first paragraph of the body, for a body without any text."""
        return next((p for body in self.root.iterchildren(W_BODY) for _, p in _blocks(body, PartKind.BODY)), None)

    # the text itself
    def _text(self, kind: PartKind, number: int, channel: str, keys: Needles, start: int | None) -> Text | None:
        """The matched characters in paragraph `number` of `kind` of the body, nearest to `start`."""
        listed = self.body.get(kind, [])
        if not 1 <= number <= len(listed):
            return None
        elements = paragraph_channels(listed[number - 1][0], self.styles).get(channel, [])
        spans = keys.spans(joined_text(elements))
        if not spans:
            return None
        span = min(spans, key=lambda s: abs(s[0] - (start or 0)))
        return Text(tuple((el, a, b) for el, local in element_spans(elements, [span]) for a, b in local))

    # marks in the body
    def _reference(self, tag: str, note: str) -> Runs | None:
        for ref in self.root.iter(tag):
            run = ref.getparent()
            if ref.get(W_ID) == note and run is not None and run.tag == W_R:
                return Runs(run, run)
        return None

    def _commented(self, comment: str) -> Runs | None:
        """The runs a comment covers (between its range marks), else the run of its reference mark."""
        inside = False
        runs: list[Element] = []
        for el in self.root.iter(W_COMMENTRANGESTART, W_COMMENTRANGEEND, W_R):
            if el.tag == W_COMMENTRANGESTART and el.get(W_ID) == comment:
                inside = True
            elif el.tag == W_COMMENTRANGEEND and el.get(W_ID) == comment:
                break
            elif inside and el.tag == W_R and any((t.text or "").strip() for t in el.iter(W_T)):
                runs.append(el)
        if runs:
            return Runs(runs[0], runs[-1])
        return self._reference(W_COMMENTREFERENCE, comment)

    def _picture(self, origin: str, member: str, keys: Needles) -> Runs | None:
        """The run showing a picture: the one whose text OCR read (by its zip member), or whose alt
        text holds the matched text."""
        found: Element | None = None
        if origin in PICTURE_ORIGINS:
            rids = {rid for rid, target in self.media.items() if target == member}
            found = next((el for el in self.root.iter(A_BLIP, V_IMAGEDATA)
                          if {el.get(R_EMBED), el.get(R_LINK), el.get(R_ID)} & rids), None)
        elif origin == "alt_text" and member == self.main:
            found = next((el for el in self.root.iter(WP_DOCPR, PIC_CNVPR, *V_ALT_SHAPES)
                          if any(keys.spans(el.get(a) or "") for a in ("descr", "title", "alt", O_TITLE))), None)
        run = _ancestor(found, W_R) if found is not None else None
        return Runs(run, run) if run is not None else None


def _root(part: Part) -> Element:
    """The XML of a part of the package: python-docx's own tree for the parts it reads (styles,
    comments), else parsed here (notes: entities off, no network, bounded)."""
    element = getattr(part, "element", None)
    if isinstance(element, etree._Element):
        return element
    try:
        return etree.fromstring(part.blob, _XML)
    except etree.XMLSyntaxError:
        raise AnnotationError(f"Word文档中的“{str(part.partname).lstrip('/')}”不是有效的XML，无法添加批注") from None


def _key_of(paragraphs: dict[PartKind, list[tuple[Element, str]]], kind: PartKind, number: int, keys: Needles,
            styles: Styles) -> str | None:
    """The container (note, comment) of paragraph `number` of `kind`, when that paragraph holds the text."""
    listed = paragraphs.get(kind, [])
    if not 1 <= number <= len(listed):
        return None
    p, key = listed[number - 1]
    held = any(keys.spans(joined_text(elements)) for elements in paragraph_channels(p, styles).values())
    return key if held else None


def _ancestor(el: Element, tag: str) -> Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent
