"""Reading a whole .docx into `Parsed`: which parts are read in which order, and how the results
(parts, pages, pictures, problems) are put together.

`parse` opens the zip (`package.open_zip`) and a `Reader` reads, in this order:

1. the main document, first: it bears the body, where a leak would be. A package without one is
   no docx (`CorruptError`); one that damage, a limit or a refusal (a DOCTYPE, a root that is no
   w:document) stops is `document.unverifiable`, what was read of it is screened and everything
   else is still read; an encrypted one refuses the file (`EncryptedError`);
2. the styles (what hides text or breaks a page, `styles`), then the body with the main
   document's `Walker`, which counts the page breaks and records where comments, notes and
   pictures are anchored; w:altChunk content is read (HTML) or handed over as a file inside the
   document (`embedded`);
3. the headers and footers each section references (first reference wins), then those no section
   uses ("unreferenced"); the footnotes, endnotes and comments, each on its anchor's page;
4. the flat parts (`metadata`): reviewers, SmartArt and charts, document variables, properties,
   external links; the building blocks, custom XML and embedded files (`embedded`);
5. the pictures (word/media/*): each one the zip guard lets through becomes an `ImageRef` for OCR
   on the page where the body first shows it; each one it stops is a `document.unverifiable`
   problem naming where it is shown, at most `MAX_PICTURE_PROBLEMS` one by one (see `package`).

A part's page is resolved at the end (`sink.Page`): from the rendered page breaks if the body has
any, else from the explicit ones (see `walker`). Last, `columns` adds the table columns read top
to bottom. Revision authors and field-code links are collected from every story walked.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from screening.errors import CorruptError
from screening.model import ImageRef, Part, PartKind, Problem
from screening.parsers.base import Inner, Parsed
from screening.parsers.docx import embedded, limits, metadata
from screening.parsers.docx.columns import with_columns
from screening.parsers.docx.ooxml import (
    W_AUTHOR,
    W_BODY,
    W_COMMENT,
    W_DOCUMENT,
    W_ENDNOTE,
    W_FOOTNOTE,
    W_ID,
    W_INITIALS,
    W_SECTPR,
    W_SECTPRCHANGE,
    W_TYPE,
    W_VAL,
    w,
)
from screening.parsers.docx.package import Package, is_media, natural, open_zip, refused
from screening.parsers.docx.sink import Page, Sink
from screening.parsers.docx.styles import Styles, read_styles
from screening.parsers.docx.walker import Walker
from screening.parsers.headings import with_headings
from screening.parsers.image import meta_parts
from screening.parsers.xmlsafe import ZIP_DAMAGE
from screening.parsers.zippkg import image_size

_REVISION_TAGS = tuple(w(n) for n in (
    "ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblGridChange",
    "trPrChange", "tcPrChange", "tblPrExChange", "numberingChange", "cellIns", "cellDel", "cellMerge",
    "moveFromRangeStart", "moveToRangeStart", "customXmlInsRangeStart", "customXmlDelRangeStart",
    "customXmlMoveFromRangeStart", "customXmlMoveToRangeStart",
))
_SKIPPED_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_FIELD_LINK = re.compile(r'\b(HYPERLINK|INCLUDEPICTURE|INCLUDETEXT|LINK)\s+(?:\\[a-zA-Z*]\s+)*"([^"]+)"')
_HEADER_NAME = re.compile(r"word/(header|footer)\d*\.xml", re.IGNORECASE)


def _section_type(sect: etree._Element) -> str:
    """How a section starts: "nextPage" (the default), "continuous", "evenPage", …"""
    el = sect.find(W_TYPE)
    return (el.get(W_VAL) or "nextPage") if el is not None else "nextPage"


# a walker's box origin → the story it reads, as a clerk calls it
_STORY_NAMES = {"": "正文", "header": "页眉", "footer": "页脚", "footnote": "脚注", "endnote": "尾注", "comment": "批注"}
_INNER_NAMES = {PartKind.TABLE: "表格中", PartKind.TEXTBOX: "文本框中"}


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a picture is shown: the story, its zip member, the paragraph (kind and number), the page."""

    story: str
    member: str
    kind: PartKind
    paragraph: int
    page: Page

    def describe(self, page: int | None) -> str:
        """Where, as a clerk reads it: 正文第3段（第2页）, 正文表格中第5段, 页眉（word/header1.xml）第1段, …"""
        story = self.story if self.story == "正文" else f"{self.story}（{self.member}）"
        where = f"{story}{_INNER_NAMES.get(self.kind, '')}第{self.paragraph}段"
        return f"{where}（第{page}页）" if page is not None else where


class Reader:
    """One package read into `Parsed`: every story walked, the flat parts, the pictures, the pages."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.sink = Sink()
        self.pkg = Package(zf, self.sink)
        self.main = ""
        self.styles = Styles({}, {}, {})
        self.walker: Walker | None = None
        self.places: dict[str, list[_Place]] = {}  # picture member → where it is shown, in reading order
        self.mode: int | None = None  # 0: rendered page breaks, 1: explicit ones, None: no pages
        self.app_pages: int | None = None
        self.inner: list[Inner] = []  # files inside the document: embedded objects, imported chunks
        self.picture_meta: list[Part] = []  # what the pictures say about themselves (EXIF, XMP …)

    def read(self) -> Parsed:
        root = self._main_root()
        styles_member = self.pkg.part(self.main, "/styles", "word/styles.xml")
        if styles_member:
            self.styles = read_styles(self.pkg.xml(styles_member, "样式表", bears_text=False))
        if root is not None:
            self._main(root)
        self._headers_footers()
        self._notes("/footnotes", "word/footnotes.xml", W_FOOTNOTE, "footnote", "", "脚注")
        self._notes("/endnotes", "word/endnotes.xml", W_ENDNOTE, "endnote", "endnote", "尾注")
        self._comments()
        metadata.people(self.pkg, self.sink, self.main)
        metadata.drawings(self.pkg, self.sink)
        metadata.settings(self.pkg, self.sink, self.main)
        self.app_pages = metadata.properties(self.pkg, self.sink)
        metadata.external_links(self.pkg, self.sink)
        embedded.glossary(self.pkg, self.sink)
        embedded.custom_xml(self.pkg, self.sink)
        self.inner += embedded.files(self.pkg)
        images = self._images()
        return Parsed(parts=(*self._parts(), *self.picture_meta), pages=self._pages(), images=images,
                      problems=tuple(self.sink.problems), inner=tuple(self.inner))

    # the main document
    def _main_root(self) -> etree._Element | None:
        """The main document, read first. The body is where a leak would be: a main part that
        damage (malformed XML, a broken deflate stream, a CRC error), a limit or a refusal (a
        DOCTYPE) stops is `document.unverifiable`, what was read of it is returned (None: nothing)
        and the other parts are still read. Only a package without a main part is no docx at all
        (`CorruptError`); an encrypted main part refuses the file (`EncryptedError`)."""
        main = self.pkg.part("", "/officeDocument", "word/document.xml")
        if main is None:
            raise CorruptError("Word文档缺少正文部分（word/document.xml），文件已损坏或不是Word文档")
        self.main = main
        try:
            root, cut = self.pkg.read_xml(main)
        except (*ZIP_DAMAGE, RuntimeError, CorruptError) as err:
            self.pkg.unverifiable(main, "正文", refused(err), PartKind.BODY)
            return None
        if root is not None and root.tag != W_DOCUMENT:
            self.pkg.unverifiable(main, "正文", "不是Word正文格式，其中的内容无法读取", PartKind.BODY)
            return None
        if cut is not None:
            self.pkg.cut(main, "正文", cut, PartKind.BODY)
        return root

    def _main(self, root: etree._Element) -> None:
        sect_types = [_section_type(s) for s in root.iter(W_SECTPR) if s.getparent().tag != W_SECTPRCHANGE]
        walker = Walker(self.sink, self.styles, self.main, box_origin="", main=True, sect_types=sect_types)
        self.walker = walker
        for body in root.iterchildren(W_BODY):  # Word opens a document with several bodies: read them all
            self._walk(walker, body, PartKind.BODY, "")
        self.mode = 0 if walker.rendered else (1 if walker.explicit else None)
        self._revision_authors(root, self.main)
        rels = self.pkg.rels_of(self.main)
        for rid in walker.alt_chunks:
            rel = rels.get(rid)
            member = self.pkg.resolve(self.main, rel.target) if rel and not rel.external else None
            if member is not None and member not in self.pkg.skipped:
                if (chunk := embedded.alt_chunk(self.pkg, self.sink, member)) is not None:
                    self.inner.append(chunk)
                continue
            target = rel.target if rel else rid
            self.sink.problems.append(Problem(
                "document.unreadable", f"Word文档嵌入了外部格式的内容块（{target}），其中的文字未能审查，请人工核对",
                part=PartKind.BODY))

    def _walk(self, walker: Walker, container: etree._Element, kind: PartKind, origin: str) -> None:
        try:
            walker.blocks(container, kind, origin)
        except RecursionError:  # every story bears text: what was walked is kept, the rest is unverifiable
            self.pkg.unverifiable(walker.member, _STORY_NAMES.get(walker.box_origin, "正文"),
                                  "结构嵌套过深，部分内容无法读取", kind)
        self._field_links(walker)
        self._pictures(walker)

    def _pictures(self, walker: Walker) -> None:
        """Where the pictures the walker met are shown, by the zip member each one is."""
        if not walker.pictures:
            return
        rels = self.pkg.rels_of(walker.member)
        story = _STORY_NAMES.get(walker.box_origin, "正文")
        for rid, kind, paragraph, page in walker.pictures:
            rel = rels.get(rid)
            member = self.pkg.resolve(walker.member, rel.target) if rel and not rel.external else None
            if member is not None:
                self.places.setdefault(member, []).append(_Place(story, walker.member, kind, paragraph, page))
        walker.pictures.clear()

    def _field_links(self, walker: Walker) -> None:
        for code in walker.field_links:
            for match in _FIELD_LINK.finditer(code):
                origin = "hyperlink" if match.group(1) == "HYPERLINK" else "external_target"
                self.sink.once(PartKind.METADATA, origin, match.group(2), walker.member)
        walker.field_links.clear()

    def _revision_authors(self, root: etree._Element, member: str) -> None:
        for el in root.iter(*_REVISION_TAGS):
            self.sink.once(PartKind.METADATA, "revision_author", el.get(W_AUTHOR), member)

    def _anchor(self, what: str, ident: str | None) -> Page:
        if self.walker is None or ident is None:
            return None
        return self.walker.anchors.get((what, ident))

    # stories other than the body
    def _story(self, member: str, kind: PartKind, origin: str, page: Page, what: str) -> None:
        root = self.pkg.xml(member, what, kind)
        if root is None:
            return
        box_origin = "header" if kind == PartKind.HEADER else "footer"
        walker = Walker(self.sink, self.styles, member, box_origin=box_origin, page=page)
        self._walk(walker, root, kind, origin)
        self._revision_authors(root, member)

    def _headers_footers(self) -> None:
        rels = self.pkg.rels_of(self.main)
        done: set[str] = set()
        refs = self.walker.section_refs if self.walker is not None else ()  # None: the main document was not read
        for kind, typ, rid, section in refs:
            rel = rels.get(rid)
            member = self.pkg.resolve(self.main, rel.target) if rel and not rel.external else None
            if member is None or member in done:
                continue
            done.add(member)
            page = 1 if typ == "first" and section == 0 else None
            self._story(member, kind, typ, page, "页眉" if kind == PartKind.HEADER else "页脚")
        unreferenced = self.pkg.related(self.main, "/header") + self.pkg.related(self.main, "/footer")
        unreferenced += sorted((n for n in self.pkg.names.values() if _HEADER_NAME.fullmatch(n)), key=natural)
        for member in unreferenced:
            if member in done:
                continue
            done.add(member)
            is_header = posixpath.basename(member).lower().startswith("header")
            self._story(member, PartKind.HEADER if is_header else PartKind.FOOTER, "unreferenced", None,
                        "页眉" if is_header else "页脚")

    def _notes(self, rel_type: str, fallback: str, tag: str, anchor: str, origin: str, what: str) -> None:
        member = self.pkg.part(self.main, rel_type, fallback)
        root = self.pkg.xml(member, what, PartKind.FOOTNOTE) if member else None
        if member is None or root is None:
            return
        walker = Walker(self.sink, self.styles, member, box_origin=anchor)
        for note in root.iter(tag):
            if (note.get(W_TYPE) or "normal") in _SKIPPED_NOTES:
                continue
            walker.page = self._anchor(anchor, note.get(W_ID))
            self._walk(walker, note, PartKind.FOOTNOTE, origin)
        self._revision_authors(root, member)

    def _comments(self) -> None:
        member = self.pkg.part(self.main, "/comments", "word/comments.xml")
        root = self.pkg.xml(member, "批注", PartKind.COMMENT) if member else None
        if member is None or root is None:
            return
        walker = Walker(self.sink, self.styles, member, box_origin="comment")
        for comment in root.iter(W_COMMENT):
            self.sink.once(PartKind.COMMENT, "comment_author", comment.get(W_AUTHOR), member)
            self.sink.once(PartKind.COMMENT, "comment_author", comment.get(W_INITIALS), member)
            walker.page = self._anchor("comment", comment.get(W_ID))
            self._walk(walker, comment, PartKind.COMMENT, "")
        self._revision_authors(root, member)


    def _images(self) -> tuple[ImageRef, ...]:
        """The pictures (word/media/*) to read by OCR. One the zip guard does not inflate is not
        listed but reported: `document.unverifiable` where it is shown (a logo or a scanned stamp
        can name the applicant); any other member it does not inflate (never read anyway):
        `document.too_large`."""
        pages: dict[str, Page] = {}
        if self.walker is not None:
            rels = self.pkg.rels_of(self.main)
            for (what, rid), page in self.walker.anchors.items():
                rel = rels.get(rid) if what == "image" else None
                member = self.pkg.resolve(self.main, rel.target) if rel and not rel.external else None
                if member:
                    pages.setdefault(member, page)
        out: list[ImageRef] = []
        unread: list[tuple[str, str]] = []  # pictures not inflated: (member, why)
        others: list[tuple[str, str]] = []  # other members not inflated
        for info in self.pkg.zf.infolist():
            if info.is_dir():
                continue
            reason = self.pkg.skipped.get(info.filename)
            if not is_media(info.filename):
                if reason is not None:
                    others.append((info.filename, reason))
                continue
            if reason is not None:
                unread.append((info.filename, reason))
                continue
            width, height = image_size(self.pkg.zf, info)
            page = self._resolve(pages.get(info.filename))
            out.append(ImageRef(source=info.filename, page=page, width=width, height=height, size=info.file_size))
            self.picture_meta += meta_parts(self.pkg.zf.read(info), source=info.filename, page=page)
        for member, reason in unread[:limits.MAX_PICTURE_PROBLEMS]:
            self.sink.problems.append(self._unread_picture(member, reason))
        if len(unread) > limits.MAX_PICTURE_PROBLEMS:
            rest = unread[limits.MAX_PICTURE_PROBLEMS:]
            self.sink.problems.append(Problem(
                "document.unverifiable", f"附件中另有{len(rest)}张图片（{rest[0][0]}等）同样超出解压限制，未予读取，"
                "无法确认其中是否暴露身份", part=PartKind.IMAGE))
        for member, reason in others[:limits.MAX_PICTURE_PROBLEMS]:
            self.sink.problems.append(Problem("document.too_large", f"Word文档中的“{member}”{reason}，未予解压"))
        if len(others) > limits.MAX_PICTURE_PROBLEMS:
            rest = others[limits.MAX_PICTURE_PROBLEMS:]
            self.sink.problems.append(Problem(
                "document.too_large", f"Word文档中另有{len(rest)}个文件（{rest[0][0]}等）同样超出解压限制，未予解压"))
        return tuple(out)

    def _unread_picture(self, member: str, reason: str) -> Problem:
        places = self.places.get(member, [])
        page = self._resolve(places[0].page) if places else None
        where = "中"  # a picture no story shows (a chart's, SmartArt's, or none): only its member is known
        if places:
            where = places[0].describe(page) + (f"等{len(places)}处" if len(places) > 1 else "")
        return Problem(
            "document.unverifiable",
            f"附件{where}的图片（{member}）{reason}，未予读取；图片可能含有申报单位名称或标志（如徽标、印章），"
            "无法确认是否暴露身份", page=page, part=PartKind.IMAGE)

    # results
    def _resolve(self, page: Page) -> int | None:
        if isinstance(page, tuple):
            return None if self.mode is None else page[self.mode] + 1
        return page

    def _parts(self) -> tuple[Part, ...]:
        parts = with_headings([
            Part(kind=kind, text=text, page=self._resolve(page), paragraph=paragraph, origin=origin, source=source)
            for kind, text, paragraph, origin, source, page in self.sink.items
        ], self.main, self.walker.headings if self.walker is not None else {})
        parts.extend(
            Part(kind=kind, text=text, origin=origin, source=source)
            for (kind, origin, text), source in self.sink.once_items.items()
        )
        return tuple(parts)

    def _pages(self) -> int | None:
        counted = None
        if self.walker is not None and self.mode is not None:
            counted = (self.walker.rendered, self.walker.explicit)[self.mode] + 1
        known = [n for n in (counted, self.app_pages) if n is not None]
        return max(known) if known else None


def parse(data: bytes) -> Parsed:
    """Read a .docx. Raises `CorruptError` for a file that is no docx at all (no zip, a truncated
    one whose central directory is missing, no main document part: nothing could be read),
    `TooLargeError` for one with more than `MAX_ENTRIES` members, `EncryptedError` for one whose
    main document is encrypted. Everything else that cannot be read is a problem in `Parsed`."""
    with open_zip(data) as zf:
        return with_columns(Reader(zf).read())
