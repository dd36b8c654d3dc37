"""Walking one story part (the body, a header, the notes, the comments…) into parts, in one
recursive pass over its XML.

A `Walker` goes through the blocks of a story (paragraphs, tables, content controls, tracked
insertions, mc:AlternateContent's choice, section properties) and through the runs of each
paragraph, joining its text per channel: ordinary text, tracked deletions ("deleted") and hidden
text ("hidden"), each channel emitted as its own part (the package docstring lists what becomes a
part). Text boxes met in a paragraph are walked after it, as TEXTBOX parts on the paragraph's
page. Along the way it collects what the reader resolves later, once the relationships are known:
the header/footer references of each section, field codes (for their links), w:altChunk ids,
pictures with the paragraph showing them, and (main document only) the page at which comments,
notes and pictures are anchored.

Coordinates. `paragraph` is 1-based and counted per (kind, member): every w:p of that kind in
that zip member counts, empty ones included, so a number points at the same paragraph Word has.
`source` is the zip member; for a paragraph inside a table cell it also carries the cell as a
fragment: "word/document.xml#t1r2c3" is table 1 (tables numbered in document order within the
member, nested ones included), row 2, grid column 3 (w:gridBefore and w:gridSpan counted), and a
nested table appends its own step: "word/document.xml#t1r2c3/t2r1c1". Deleted/hidden parts keep
their paragraph's number and source. Metadata parts have no paragraph.

Pages. A docx has no pages, but Word records where its last layout broke them
(w:lastRenderedPageBreak). If the main document has any, a main-document part's page is 1 + the
rendered breaks before its first character; otherwise explicit breaks are counted instead
(w:br w:type="page", w:pageBreakBefore direct or from the paragraph style, and section breaks
that start a new page). Text boxes, pictures, comments and notes take the page of their anchor.
Without any break, pages stay None. `Parsed.pages` is the larger of that count + 1 and app.xml's
<Pages> (explicit breaks alone undercount; a generator's app.xml can be stale), whichever exist.

The main document's walker keeps both counts (rendered and explicit breaks so far) as its
position (`sink.Marks`); the reader picks one once the body is read.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from screening.model import PartKind
from screening.parsers.docx.ooxml import (
    A_BLIP,
    M_T,
    MC_ALTERNATE,
    MC_CHOICE,
    MC_FALLBACK,
    O_TITLE,
    PIC_CNVPR,
    R_EMBED,
    R_ID,
    R_LINK,
    V_ALT_SHAPES,
    V_IMAGEDATA,
    V_TEXTPATH,
    W_ALTCHUNK,
    W_BR,
    W_COMMENTRANGESTART,
    W_COMMENTREFERENCE,
    W_CR,
    W_CUSTOMXML,
    W_DEL,
    W_DELTEXT,
    W_ENDNOTEREFERENCE,
    W_FLDSIMPLE,
    W_FOOTERREF,
    W_FOOTNOTEREFERENCE,
    W_GRIDBEFORE,
    W_GRIDSPAN,
    W_HEADERREF,
    W_ID,
    W_INS,
    W_INSTR,
    W_INSTRTEXT,
    W_LASTRENDERED,
    W_MOVEFROM,
    W_MOVETO,
    W_NOBREAKHYPHEN,
    W_OUTLINELVL,
    W_P,
    W_PAGEBREAKBEFORE,
    W_PPR,
    W_PSTYLE,
    W_PTAB,
    W_R,
    W_RPR,
    W_RUBY,
    W_RUBYBASE,
    W_SDT,
    W_SDTCONTENT,
    W_SECTPR,
    W_SOFTHYPHEN,
    W_T,
    W_TAB,
    W_TBL,
    W_TC,
    W_TCPR,
    W_TR,
    W_TRPR,
    W_TXBXCONTENT,
    W_TYPE,
    W_VAL,
    WP_DOCPR,
    is_on,
    leaf_text,
    to_int,
    w,
)
from screening.parsers.docx.sink import Page, Sink
from screening.parsers.docx.styles import Styles, outline_value

# elements whose text is never document text, skipped while walking a paragraph
_INLINE_SKIP = frozenset(
    {W_PPR, W_RPR, W_SECTPR, MC_FALLBACK, *map(w, ("sdtPr", "sdtEndPr", "bookmarkStart", "bookmarkEnd", "proofErr"))}
)
_INLINE_DELETED = frozenset({W_DEL, W_MOVEFROM})
_BLOCK_TRANSPARENT = frozenset({W_CUSTOMXML, W_SDTCONTENT, W_INS, W_DEL, W_MOVETO, W_MOVEFROM})
_RUN_SKIP = frozenset({W_RPR, *map(w, ("fldChar", "delInstrText", "sym", "footnoteRef", "endnoteRef", "annotationRef",
                                        "separator", "continuationSeparator"))})
_NO_NEW_PAGE = frozenset({"continuous", "nextColumn"})


class _Para:
    """What one w:p yields while it is walked: text pieces by channel, boxes, field codes."""

    __slots__ = ("alts", "boxes", "hidden", "instr", "kind", "number", "page", "pieces")

    def __init__(self, hidden: bool, kind: PartKind, number: int) -> None:
        self.pieces: list[tuple[str, str]] = []  # (channel, text); channel "" | "deleted" | "hidden"
        self.page: Page = None
        self.boxes: list[etree._Element] = []
        self.instr: list[str] = []
        self.alts: set[str] = set()
        self.hidden = hidden
        self.kind = kind  # the paragraph's kind and number, for the pictures in it
        self.number = number


class Walker:
    """One pass over one story part (the document, a header, the footnotes, …).

    The main document's walker also counts page breaks and remembers where comments, notes and
    pictures are anchored; other walkers carry a fixed `page` for what they emit.
    """

    def __init__(self, sink: Sink, styles: Styles, member: str, *, box_origin: str, main: bool = False,
                 page: Page = None, sect_types: list[str] | None = None) -> None:
        self.sink = sink
        self.styles = styles
        self.member = member
        self.box_origin = box_origin
        self.main = main
        self.page = page
        self.tables = 0
        self.in_box = 0
        self.box_page: Page = None
        # main document only
        self.rendered = 0
        self.explicit = 0
        self.seen_paragraph = False
        self.sect_types = sect_types or []
        self.section = 0
        self.section_refs: list[tuple[PartKind, str, str, int]] = []  # (kind, w:type, r:id, section index)
        self.anchors: dict[tuple[str, str], Page] = {}  # ("comment"|"footnote"|"endnote"|"image", id) → page
        self.field_links: list[str] = []
        self.alt_chunks: list[str] = []
        self.pictures: list[tuple[str, PartKind, int, Page]] = []  # (r:id, paragraph kind, number, page)
        self.headings: dict[int, int] = {}  # body paragraph number → outline level (0 = Heading 1), main document

    # where the text being read is
    def _where(self) -> Page:
        if self.in_box:
            return self.box_page
        if self.main:
            return (self.rendered, self.explicit)
        return self.page

    def _counting(self) -> bool:
        return self.main and not self.in_box

    def _anchor(self, what: str, ident: str | None) -> None:
        if self.main and ident is not None:
            self.anchors.setdefault((what, ident), self._where())

    # block level
    def blocks(self, container: etree._Element, kind: PartKind, origin: str, path: str = "") -> None:
        for child in container:
            tag = child.tag
            if tag == W_P:
                self._paragraph(child, kind, origin, path)
            elif tag == W_TBL:
                self._table(child, kind, origin, path)
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    self.blocks(content, kind, origin, path)
            elif tag in _BLOCK_TRANSPARENT:
                self.blocks(child, kind, origin, path)
            elif tag == MC_ALTERNATE:
                chosen = _choice(child)
                if chosen is not None:
                    self.blocks(chosen, kind, origin, path)
            elif tag == W_SECTPR:
                self._section(child)
            elif tag == W_ALTCHUNK:
                self.alt_chunks.append(child.get(R_ID) or "")

    def _table(self, tbl: etree._Element, kind: PartKind, origin: str, path: str) -> None:
        self.tables += 1
        index = self.tables
        cell_kind = PartKind.TABLE if kind in (PartKind.BODY, PartKind.TABLE) else kind
        prefix = f"{path}/" if path else ""
        for row, tr in enumerate(_descendants(tbl, W_TR), start=1):
            trpr = tr.find(W_TRPR)
            before = trpr.find(W_GRIDBEFORE) if trpr is not None else None
            col = 1 + (to_int(before.get(W_VAL), 0) if before is not None else 0)
            for tc in _descendants(tr, W_TC):
                span_el = tc.find(f"{W_TCPR}/{W_GRIDSPAN}")
                span = max(1, to_int(span_el.get(W_VAL), 1)) if span_el is not None else 1
                self.blocks(tc, cell_kind, origin, f"{prefix}t{index}r{row}c{col}")
                col += span

    def _section(self, sect: etree._Element) -> None:
        index = self.section
        self.section += 1
        for ref in sect:
            if ref.tag in (W_HEADERREF, W_FOOTERREF):
                kind = PartKind.HEADER if ref.tag == W_HEADERREF else PartKind.FOOTER
                self.section_refs.append((kind, ref.get(W_TYPE) or "default", ref.get(R_ID) or "", index))
        # a paragraph's sectPr ends a section; the next section's w:type says whether a page starts
        if self._counting() and index + 1 < len(self.sect_types) and self.sect_types[index + 1] not in _NO_NEW_PAGE:
            self.explicit += 1

    def _paragraph(self, p: etree._Element, kind: PartKind, origin: str, path: str) -> None:
        number = self.sink.number(kind, self.member)
        style, direct_break, sect, outline = "", None, None, None
        ppr = p.find(W_PPR)
        if ppr is not None:
            style_el = ppr.find(W_PSTYLE)
            style = style_el.get(W_VAL) or "" if style_el is not None else ""
            break_el = ppr.find(W_PAGEBREAKBEFORE)
            direct_break = is_on(break_el) if break_el is not None else None
            sect = ppr.find(W_SECTPR)
            outline = ppr.find(W_OUTLINELVL)
        hidden, style_break = self.styles.paragraph(style)
        level = outline_value(outline) if outline is not None else self.styles.outline(style)
        if level is not None and self._counting() and kind is PartKind.BODY and not path:
            self.headings[number] = level
        if self._counting():
            if (style_break if direct_break is None else direct_break) and self.seen_paragraph:
                self.explicit += 1
            self.seen_paragraph = True
        para = _Para(hidden, kind, number)
        self._children(p, para, False)
        page = para.page if para.page is not None else self._where()
        source = f"{self.member}#{path}" if path else self.member
        self._emit(para, kind, origin, number, source, page)
        if sect is not None:
            self._section(sect)
        if para.boxes:
            saved = self.box_page
            self.box_page = page
            self.in_box += 1
            for box in para.boxes:
                self.blocks(box, PartKind.TEXTBOX, self.box_origin)
            self.in_box -= 1
            self.box_page = saved

    def _emit(self, para: _Para, kind: PartKind, origin: str, number: int, source: str, page: Page) -> None:
        pieces = para.pieces
        self.sink.add(kind, "".join(t for ch, t in pieces if not ch), source=source, origin=origin,
                      paragraph=number, page=page)
        group: list[str] | None = None
        group_channel = ""
        groups: list[tuple[str, list[str]]] = []
        for channel, text in pieces:
            if not channel:
                group = None
            elif group is not None and channel == group_channel:
                group.append(text)
            else:
                group, group_channel = [text], channel
                groups.append((channel, group))
        for channel, texts in groups:
            self.sink.add(kind, "".join(texts), source=source, origin=channel, paragraph=number, page=page)
        if para.instr:
            self.field_links.append("".join(para.instr))

    # inline level
    def _add(self, para: _Para, channel: str, text: str) -> None:
        if text:
            if para.page is None and text.strip():
                para.page = self._where()
            para.pieces.append((channel, text))

    def _children(self, el: etree._Element, para: _Para, deleted: bool) -> None:
        for child in el:
            self._node(child, para, deleted)

    def _node(self, child: etree._Element, para: _Para, deleted: bool) -> None:
        tag = child.tag
        if tag == W_R:
            self._run(child, para, deleted)
        elif tag in _INLINE_SKIP or not isinstance(tag, str):
            return
        elif tag in _INLINE_DELETED:
            self._children(child, para, True)
        elif tag == W_TXBXCONTENT:
            para.boxes.append(child)
        elif tag == MC_ALTERNATE:
            chosen = _choice(child)
            if chosen is not None:
                self._children(chosen, para, deleted)
        elif tag == M_T:
            self._add(para, "deleted" if deleted else ("hidden" if para.hidden else ""), leaf_text(child))
        elif tag in (WP_DOCPR, PIC_CNVPR):
            self._alt(para, child.get("descr"), child.get("title"))
        elif tag == A_BLIP:
            self._picture(para, child.get(R_EMBED) or child.get(R_LINK))
        elif tag == V_IMAGEDATA:
            self._picture(para, child.get(R_ID))
            self._alt(para, child.get(O_TITLE))
        elif tag == V_TEXTPATH:
            origin = "watermark" if self.box_origin in ("header", "footer") else "wordart"
            self.sink.add(PartKind.TEXTBOX, child.get("string") or "", source=self.member, origin=origin,
                          paragraph=self.sink.number(PartKind.TEXTBOX, self.member), page=self._where())
        elif tag == W_COMMENTRANGESTART:
            self._anchor("comment", child.get(W_ID))
        else:
            if tag == W_FLDSIMPLE:
                para.instr.append(child.get(W_INSTR) or "")
            elif tag in V_ALT_SHAPES:
                self._alt(para, child.get("alt"))
            self._children(child, para, deleted)

    def _run(self, r: etree._Element, para: _Para, deleted: bool) -> None:
        hidden = not deleted and self.styles.run_hidden(r.find(W_RPR), para.hidden)
        channel = "deleted" if deleted else ("hidden" if hidden else "")
        for child in r:
            tag = child.tag
            if tag in (W_T, W_DELTEXT):
                self._add(para, channel or ("deleted" if tag == W_DELTEXT else ""), leaf_text(child))
            elif tag in _RUN_SKIP:
                continue
            elif tag in (W_TAB, W_PTAB):
                self._add(para, channel, "\t")
            elif tag == W_BR:
                self._add(para, channel, "\n")
                if child.get(W_TYPE) == "page" and not deleted and self._counting():
                    self.explicit += 1
            elif tag == W_CR:
                self._add(para, channel, "\n")
            elif tag == W_NOBREAKHYPHEN:
                self._add(para, channel, "-")
            elif tag == W_SOFTHYPHEN:
                continue
            elif tag == W_LASTRENDERED:
                if self._counting():
                    self.rendered += 1
            elif tag == W_INSTRTEXT:
                para.instr.append(leaf_text(child))
            elif tag == W_FOOTNOTEREFERENCE:
                self._anchor("footnote", child.get(W_ID))
            elif tag == W_ENDNOTEREFERENCE:
                self._anchor("endnote", child.get(W_ID))
            elif tag == W_COMMENTREFERENCE:
                self._anchor("comment", child.get(W_ID))
            elif tag == W_RUBY:
                base = child.find(W_RUBYBASE)  # the reading (w:rt) above the base text is skipped
                if base is not None:
                    self._children(base, para, deleted)
            else:
                self._node(child, para, deleted)

    def _picture(self, para: _Para, rid: str | None) -> None:
        self._anchor("image", rid)
        if rid:
            self.pictures.append((rid, para.kind, para.number, self._where()))

    def _alt(self, para: _Para, *values: str | None) -> None:
        for value in values:
            if value and value.strip() and value not in para.alts:
                para.alts.add(value)
                self.sink.add(PartKind.IMAGE, value, source=self.member, origin="alt_text",
                              paragraph=self.sink.number(PartKind.IMAGE, self.member), page=self._where())


def _choice(alternate: etree._Element) -> etree._Element | None:
    """The mc:Choice of an mc:AlternateContent; its mc:Fallback only when there is no choice."""
    fallback = None
    for child in alternate:
        if child.tag == MC_CHOICE:
            return child
        if child.tag == MC_FALLBACK and fallback is None:
            fallback = child
    return fallback


def _descendants(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Rows of a table / cells of a row, also when wrapped in content controls or custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (W_SDT, W_SDTCONTENT, W_CUSTOMXML, W_INS, W_DEL):
            yield from _descendants(child, tag)

