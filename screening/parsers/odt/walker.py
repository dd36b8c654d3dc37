"""Walking one OpenDocument story (the body of content.xml, a master page's header or footer, a
note, an annotation) into parts, in one recursive pass over its XML.

Blocks are paragraphs (text:p, text:h), tables, lists, sections, indexes and frames; the runs of
a paragraph are joined per channel — ordinary text, tracked deletions ("deleted") and hidden text
("hidden") — and each channel is emitted as its own part with the paragraph's number, as the docx
walker does. Frames (draw:frame, text boxes, shapes) met in a paragraph are walked after it as
TEXTBOX parts; annotations after it as COMMENT parts; notes as FOOTNOTE parts.

Inline text: character data, text:s (spaces, text:c of them) → " ", text:tab → "\\t",
text:line-break → "\\n"; fields (author name, sender, user fields…) are read for the text they
show; text:ruby's reading is skipped; text:a's xlink:href → METADATA "hyperlink" (once).

Coordinates. `paragraph` is 1-based per (kind, member), empty paragraphs counted. A paragraph in a
table cell has the cell in its `source`: "content.xml#t1r2c3" (table 1 of the member in document
order, nested ones counted, row 2, column 3; spanned and covered cells take their columns,
repeated rows and columns are counted), a nested table appending "/t2r1c1" — the docx parser's
naming, which `budget.part_grids` reads back.

Pages. Writer records where its last layout broke the pages (text:soft-page-break); when the body
has any, a body part's page is 1 + the breaks before it, and frames, notes and annotations take
their paragraph's page; without any, pages stay None.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from screening.model import PartKind
from screening.parsers.docx.sink import Sink
from screening.parsers.odt.names import (
    DC_CREATOR,
    DRAW_IMAGE,
    DRAW_NS,
    META_CREATOR_INITIALS,
    OFFICE_ANNOTATION,
    OFFICE_ANNOTATION_END,
    SVG_DESC,
    SVG_TITLE,
    TABLE_CELL,
    TABLE_COLUMNS_REPEATED,
    TABLE_COVERED_CELL,
    TABLE_ROW,
    TABLE_ROW_CONTAINERS,
    TABLE_ROWS_REPEATED,
    TABLE_TABLE,
    TEXT_A,
    TEXT_C,
    TEXT_CHANGE,
    TEXT_CHANGE_END,
    TEXT_CHANGE_ID,
    TEXT_CHANGE_START,
    TEXT_H,
    TEXT_HIDDEN_PARAGRAPH,
    TEXT_HIDDEN_TEXT,
    TEXT_LINE_BREAK,
    TEXT_NOTE,
    TEXT_NOTE_BODY,
    TEXT_NOTE_CLASS,
    TEXT_OUTLINE_LEVEL,
    TEXT_P,
    TEXT_RUBY,
    TEXT_RUBY_BASE,
    TEXT_S,
    TEXT_SOFT_PAGE_BREAK,
    TEXT_SPAN,
    TEXT_STRING_VALUE,
    TEXT_STYLE_NAME,
    TEXT_TAB,
    TEXT_TRACKED_CHANGES,
    XLINK_HREF,
    office,
    text,
    to_int,
)
from screening.parsers.odt.styles import HiddenStyles

MAX_REPEAT = 64  # a repeated row or cell with text is read at most this many times (its place is still counted)
MAX_SPACES = 1000  # text:s asks for at most this many spaces

# elements that hold no document text (declarations, marks, forms)
_SKIP = frozenset({
    *map(text, ("sequence-decls", "variable-decls", "user-field-decls", "dde-connection-decls", "alphabetical-index-mark",
                "toc-mark", "user-index-mark", "bookmark", "bookmark-start", "bookmark-end", "reference-mark",
                "reference-mark-start", "reference-mark-end", "note-citation", "index-title-template",
                "table-of-content-source", "alphabetical-index-source", "illustration-index-source",
                "user-index-source", "bibliography-source", "object-index-source", "table-index-source")),
    office("forms"), office("event-listeners"), TEXT_TRACKED_CHANGES, OFFICE_ANNOTATION_END, TEXT_CHANGE_START,
    TEXT_CHANGE_END,
})


class _Para:
    __slots__ = ("annotations", "boxes", "hidden", "notes", "page", "pieces")

    def __init__(self, hidden: bool) -> None:
        self.pieces: list[tuple[str, str]] = []  # (channel, text); channel "" | "deleted" | "hidden"
        self.boxes: list[etree._Element] = []
        self.annotations: list[etree._Element] = []
        self.notes: list[etree._Element] = []
        self.hidden = hidden
        self.page: int | None = None


class Walker:
    """One pass over one story of one member. `deletions` maps a tracked change's id to the text
    it deleted (content.xml's text:tracked-changes); `counting` says whether pages are counted."""

    def __init__(self, sink: Sink, styles: HiddenStyles, member: str, *, box_origin: str,
                 deletions: dict[str, str] | None = None, counting: bool = False, page: int | None = None) -> None:
        self.sink = sink
        self.styles = styles
        self.member = member
        self.box_origin = box_origin  # a text box's origin: "" in the body, "header", "footer", "comment"…
        self.deletions = deletions or {}
        self.used: set[str] = set()  # the deletions placed in a paragraph
        self.counting = counting
        self.breaks = 0
        self.page = page
        self.tables = 0
        self.pictures: list[tuple[str, int | None]] = []  # (xlink:href, page), in reading order
        self.headings: dict[int, int] = {}  # body paragraph number of each text:h → its outline level

    def where(self) -> int | None:
        return self.breaks + 1 if self.counting else self.page

    # blocks
    def blocks(self, container: etree._Element, kind: PartKind, origin: str, path: str = "") -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag in (TEXT_P, TEXT_H):
                self._paragraph(child, kind, origin, path)
            elif tag == TABLE_TABLE:
                self._table(child, kind, origin, path)
            elif tag == TEXT_SOFT_PAGE_BREAK:
                self.breaks += 1
            elif tag == OFFICE_ANNOTATION:
                self._annotation(child, self.where())
            elif tag == DRAW_IMAGE:
                self._image(child, self.where())
                self.blocks(child, kind, origin, path)
            elif tag in (SVG_TITLE, SVG_DESC):
                self._alt("".join(child.itertext()), self.where())
            elif tag.startswith(f"{{{DRAW_NS}}}") and kind is not PartKind.TEXTBOX:
                self._box(child, self.where())
            else:  # lists, list items, sections, index bodies, frames' insides …
                self.blocks(child, kind, origin, path)

    def _table(self, tbl: etree._Element, kind: PartKind, origin: str, path: str) -> None:
        self.tables += 1
        index = self.tables
        cell_kind = PartKind.TABLE if kind in (PartKind.BODY, PartKind.TABLE) else kind
        prefix = f"{path}/" if path else ""
        row = 0
        for tr in _rows(tbl):
            if tr.tag == TEXT_SOFT_PAGE_BREAK:
                self.breaks += 1
                continue
            repeat = max(1, to_int(tr.get(TABLE_ROWS_REPEATED), 1))
            for copy in range(repeat):
                row += 1
                if copy >= MAX_REPEAT:
                    row += repeat - copy - 1
                    break
                col = 1
                for tc in tr:
                    if tc.tag == TEXT_SOFT_PAGE_BREAK:
                        self.breaks += 1
                    if tc.tag not in (TABLE_CELL, TABLE_COVERED_CELL):
                        continue
                    times = max(1, to_int(tc.get(TABLE_COLUMNS_REPEATED), 1))  # a spanned cell's covered
                    for n in range(min(times, MAX_REPEAT) if len(tc) else 0):  # columns follow it as cells
                        self.blocks(tc, cell_kind, origin, f"{prefix}t{index}r{row}c{col + n}")
                    col += times

    def _paragraph(self, p: etree._Element, kind: PartKind, origin: str, path: str) -> None:
        number = self.sink.number(kind, self.member)
        if p.tag == TEXT_H and kind is PartKind.BODY and not path and self.box_origin == "":
            self.headings[number] = max(0, to_int(p.get(TEXT_OUTLINE_LEVEL), 1) - 1)
        hidden = self.styles.hides("paragraph", p.get(TEXT_STYLE_NAME)) or any(
            True for _ in p.iter(TEXT_HIDDEN_PARAGRAPH))
        para = _Para(hidden)
        channel = "hidden" if hidden else ""
        self._add(para, channel, p.text)
        self._inline(p, para, channel)
        page = para.page if para.page is not None else self.where()
        source = f"{self.member}#{path}" if path else self.member
        self._emit(para, kind, origin, number, source, page)
        for box in para.boxes:
            self._box(box, page)
        for note in para.notes:
            self._note(note, page)
        for annotation in para.annotations:
            self._annotation(annotation, page)

    def _emit(self, para: _Para, kind: PartKind, origin: str, number: int, source: str, page: int | None) -> None:
        self.sink.add(kind, "".join(t for ch, t in para.pieces if not ch), source=source, origin=origin,
                      paragraph=number, page=page)
        groups: list[tuple[str, list[str]]] = []
        for channel, piece in para.pieces:
            if not channel:
                groups.append(("", []))
            elif groups and groups[-1][0] == channel:
                groups[-1][1].append(piece)
            else:
                groups.append((channel, [piece]))
        for channel, texts in groups:
            if channel:
                self.sink.add(kind, "".join(texts), source=source, origin=channel, paragraph=number, page=page)

    # stories inside a paragraph
    def _box(self, el: etree._Element, page: int | None) -> None:
        """A frame or shape: its text boxes' paragraphs → TEXTBOX; its pictures and their titles."""
        saved, saved_counting = self.page, self.counting
        self.page, self.counting = page, False
        if el.tag == DRAW_IMAGE:
            self._image(el, page)
        self.blocks(el, PartKind.TEXTBOX, self.box_origin)
        self.page, self.counting = saved, saved_counting

    def _note(self, note: etree._Element, page: int | None) -> None:
        origin = "endnote" if (note.get(TEXT_NOTE_CLASS) or "") == "endnote" else ""
        saved, saved_counting = self.page, self.counting
        self.page, self.counting = page, False
        for body in note.iter(TEXT_NOTE_BODY):
            self.blocks(body, PartKind.FOOTNOTE, origin)
        self.page, self.counting = saved, saved_counting

    def _annotation(self, annotation: etree._Element, page: int | None) -> None:
        for tag in (DC_CREATOR, META_CREATOR_INITIALS):
            for el in annotation.iter(tag):
                self.sink.once(PartKind.COMMENT, "comment_author", "".join(el.itertext()), self.member)
        saved, saved_counting = self.page, self.counting
        self.page, self.counting = page, False
        self.blocks(annotation, PartKind.COMMENT, "")
        self.page, self.counting = saved, saved_counting

    def _image(self, el: etree._Element, page: int | None) -> None:
        href = el.get(XLINK_HREF)
        if href:
            self.pictures.append((href, page))

    def _alt(self, value: str, page: int | None) -> None:
        self.sink.add(PartKind.IMAGE, value, source=self.member, origin="alt_text",
                      paragraph=self.sink.number(PartKind.IMAGE, self.member), page=page)

    # inline
    def _add(self, para: _Para, channel: str, value: str | None) -> None:
        if value:
            if para.page is None and value.strip():
                para.page = self.where()
            para.pieces.append((channel, value))

    def _inline(self, el: etree._Element, para: _Para, channel: str) -> None:
        for child in el:
            self._node(child, para, channel)
            self._add(para, channel, child.tail)

    def _node(self, child: etree._Element, para: _Para, channel: str) -> None:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return
        if tag == TEXT_S:
            self._add(para, channel, " " * min(max(1, to_int(child.get(TEXT_C), 1)), MAX_SPACES))
        elif tag == TEXT_TAB:
            self._add(para, channel, "\t")
        elif tag == TEXT_LINE_BREAK:
            self._add(para, channel, "\n")
        elif tag == TEXT_SOFT_PAGE_BREAK:
            self.breaks += 1
        elif tag == TEXT_SPAN:
            inner = channel or ("hidden" if self.styles.hides("text", child.get(TEXT_STYLE_NAME)) else "")
            self._add(para, inner, child.text)
            self._inline(child, para, inner)
        elif tag == TEXT_HIDDEN_TEXT:
            shown = "".join(child.itertext())
            self._add(para, "hidden", shown or child.get(TEXT_STRING_VALUE))
        elif tag == TEXT_CHANGE:
            ident = child.get(TEXT_CHANGE_ID) or ""
            if ident in self.deletions:
                self.used.add(ident)
                self._add(para, "deleted", self.deletions[ident])
        elif tag == OFFICE_ANNOTATION:
            para.annotations.append(child)
        elif tag == TEXT_NOTE:
            para.notes.append(child)
        elif tag == DRAW_IMAGE or tag.startswith(f"{{{DRAW_NS}}}"):
            para.boxes.append(child)
        elif tag == TEXT_RUBY:
            for base in child.iter(TEXT_RUBY_BASE):
                self._add(para, channel, base.text)
                self._inline(base, para, channel)
        else:  # links, fields (author name, sender, user fields …), text:meta: the text they show
            if tag == TEXT_A:
                self.sink.once(PartKind.METADATA, "hyperlink", child.get(XLINK_HREF), self.member)
            self._add(para, channel, child.text)
            self._inline(child, para, channel)


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    """The rows of a table, also inside header rows and row groups, and the page breaks between them."""
    for child in tbl:
        if child.tag in (TABLE_ROW, TEXT_SOFT_PAGE_BREAK):
            yield child
        elif child.tag in TABLE_ROW_CONTAINERS:
            yield from _rows(child)


def flat_text(el: etree._Element) -> str:
    """The text of the paragraphs inside `el` (a tracked deletion), one paragraph a line."""
    lines: list[str] = []
    for p in el.iter(TEXT_P, TEXT_H):
        pieces: list[str] = []
        _flat(p, pieces)
        lines.append("".join(pieces))
    return "\n".join(lines)


def _flat(el: etree._Element, pieces: list[str]) -> None:
    if el.text:
        pieces.append(el.text)
    for child in el:
        tag = child.tag
        if tag == TEXT_S:
            pieces.append(" " * min(max(1, to_int(child.get(TEXT_C), 1)), MAX_SPACES))
        elif tag == TEXT_TAB:
            pieces.append("\t")
        elif tag == TEXT_LINE_BREAK:
            pieces.append("\n")
        elif isinstance(tag, str) and tag not in _SKIP and tag not in (OFFICE_ANNOTATION, TEXT_NOTE):
            _flat(child, pieces)
        if child.tail:
            pieces.append(child.tail)
