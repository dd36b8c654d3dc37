"""Reading a whole .odt into `Parsed`: which members are read in which order, and how the results
are put together.

`parse` opens the zip (`zippkg.open_zip`) and reads, in this order:

1. META-INF/manifest.xml: a content.xml with encryption data (a password) refuses the file
   (`EncryptedError`); a package without content.xml is no text document (`CorruptError`);
2. styles.xml (the master pages' headers and footers, the common styles) and content.xml's
   automatic styles, for what hides text (`styles`);
3. content.xml: the tracked changes first (what each deletion removed, who changed what), then the
   body (`walker`), counting Writer's page breaks; a deletion no paragraph marks is still a part;
4. the headers and footers of every master page (a header repeated on several master pages once);
5. meta.xml (`meta`), the text of embedded charts and objects ("Object N/content.xml");
6. the pictures (Pictures/*): each one the zip guard lets through → `ImageRef` for OCR on the
   page that first shows it; one it stops → `document.unverifiable`.

A member that a limit or damage cuts short is reported (see `zippkg`) and what was read of it is
screened; content.xml cut short or refused is `document.unverifiable` and the rest is still read.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

from lxml import etree

from screening.errors import CorruptError, EncryptedError
from screening.model import Part, PartKind
from screening.parsers.base import Parsed
from screening.parsers.docx.columns import with_columns
from screening.parsers.docx.sink import Sink
from screening.parsers.headings import with_headings
from screening.parsers.odt import meta
from screening.parsers.odt.names import (
    DC_CREATOR,
    HEADER_FOOTER,
    MANIFEST_ENCRYPTION_DATA,
    MANIFEST_FILE_ENTRY,
    MANIFEST_FULL_PATH,
    OFFICE_AUTOMATIC_STYLES,
    OFFICE_BODY,
    OFFICE_CHANGE_INFO,
    OFFICE_MASTER_STYLES,
    OFFICE_STYLES,
    OFFICE_TEXT,
    STYLE_MASTER_PAGE,
    TEXT_CHANGED_REGION,
    TEXT_DELETION,
    TEXT_H,
    TEXT_ID,
    TEXT_P,
    TEXT_SOFT_PAGE_BREAK,
    TEXT_TRACKED_CHANGES,
)
from screening.parsers.odt.styles import HiddenStyles
from screening.parsers.odt.walker import Walker, flat_text
from screening.parsers.zippkg import Package

WHAT = "ODF文档(odt)"
CONTENT, STYLES, META, MANIFEST = "content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"
_OBJECT = re.compile(r"Object[^/]*/content\.xml", re.IGNORECASE)
_PICTURES = "pictures/"


class Reader:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.pkg = Package(zf, WHAT)
        self.sink = Sink()
        self.styles = HiddenStyles()
        self.pictures: dict[str, int | None] = {}  # member → the page first showing it
        self.breaks: int | None = None  # page breaks Writer recorded in the body (None: none)
        self.headings: dict[str, dict[int, int]] = {}  # content member → its headings (walker.headings)

    def read(self) -> Parsed:
        content = self.pkg.find(CONTENT)
        if content is None:
            raise CorruptError(f"{WHAT}缺少正文部分（content.xml），文件已损坏或不是文本文档")
        self._manifest(content)
        styles_member = self.pkg.find(STYLES)
        styles_root = self.pkg.xml(styles_member, "样式与页眉页脚", PartKind.HEADER) if styles_member else None
        root = self.pkg.xml(content, "正文", PartKind.BODY)
        self.styles.add(styles_root.find(OFFICE_STYLES) if styles_root is not None else None,
                        styles_root.find(OFFICE_AUTOMATIC_STYLES) if styles_root is not None else None,
                        root.find(OFFICE_AUTOMATIC_STYLES) if root is not None else None)
        if root is not None:
            self._content(root, content)
        if styles_root is not None and styles_member is not None:
            self._headers_footers(styles_root, styles_member)
        meta_member = self.pkg.find(META)
        meta_root = self.pkg.xml(meta_member, "文档属性", PartKind.METADATA) if meta_member else None
        stated = meta.properties(meta_root, self.sink, meta_member or META)
        self._objects()
        images = self.pkg.images(self._picture_pages())
        counted = self.breaks + 1 if self.breaks is not None else None
        known = [n for n in (counted, stated) if n is not None]
        problems = (*self.sink.problems, *self.pkg.problems)
        return with_columns(Parsed(parts=self._parts(), pages=max(known) if known else None, images=images,
                                   problems=problems))

    def _manifest(self, content: str) -> None:
        member = self.pkg.find(MANIFEST)
        root = self.pkg.xml(member, "清单", bears_text=False) if member else None
        if root is None:
            return
        for entry in root.iter(MANIFEST_FILE_ENTRY):
            if (entry.get(MANIFEST_FULL_PATH) or "").lower() == content.lower() and \
                    entry.find(MANIFEST_ENCRYPTION_DATA) is not None:
                raise EncryptedError(f"{WHAT}设置了打开密码，无法审查，请去除密码后重新上传")

    def _content(self, root: etree._Element, member: str) -> None:
        deletions: dict[str, str] = {}
        for tracked in root.iter(TEXT_TRACKED_CHANGES):
            for region in tracked.iter(TEXT_CHANGED_REGION):
                for deletion in region.iter(TEXT_DELETION):
                    deletions[region.get(TEXT_ID) or ""] = flat_text(deletion)
            for info in tracked.iter(OFFICE_CHANGE_INFO):
                for creator in info.iter(DC_CREATOR):
                    self.sink.once(PartKind.METADATA, "revision_author", "".join(creator.itertext()), member)
        counting = any(True for _ in root.iter(TEXT_SOFT_PAGE_BREAK))
        walker = Walker(self.sink, self.styles, member, box_origin="", deletions=deletions, counting=counting)
        for body in root.iter(OFFICE_BODY):
            for text in body.iter(OFFICE_TEXT):
                walker.blocks(text, PartKind.BODY, "")
        if counting:
            self.breaks = walker.breaks
        self.headings[member] = walker.headings
        for ident, deleted in deletions.items():
            if ident not in walker.used:
                self.sink.add(PartKind.BODY, deleted, source=member, origin="deleted")
        self._note_pictures(walker, member)

    def _headers_footers(self, root: etree._Element, member: str) -> None:
        seen: set[tuple[PartKind, str, str]] = set()
        for masters in root.iter(OFFICE_MASTER_STYLES):
            for master in masters.iter(STYLE_MASTER_PAGE):
                for child in master:
                    if not isinstance(child.tag, str) or child.tag not in HEADER_FOOTER:
                        continue
                    is_header, origin = HEADER_FOOTER[child.tag]
                    kind = PartKind.HEADER if is_header else PartKind.FOOTER
                    key = (kind, origin, etree.tostring(child, method="text", encoding="unicode"))
                    if key in seen:
                        continue
                    seen.add(key)
                    walker = Walker(self.sink, self.styles, member, box_origin="header" if is_header else "footer",
                                    page=1 if origin == "first" else None)
                    walker.blocks(child, kind, origin)
                    self._note_pictures(walker, member)

    def _objects(self) -> None:
        """Charts and other embedded objects: their paragraphs and table cells → TEXTBOX "chart"."""
        for member in sorted(n for n in self.pkg.names.values() if _OBJECT.fullmatch(n)):
            root = self.pkg.xml(member, "嵌入对象", PartKind.TEXTBOX)
            if root is None:
                continue
            for p in root.iter(TEXT_P, TEXT_H):
                self.sink.add(PartKind.TEXTBOX, "".join(p.itertext()), source=member, origin="chart",
                              paragraph=self.sink.number(PartKind.TEXTBOX, member))

    def _note_pictures(self, walker: Walker, member: str) -> None:
        for href, page in walker.pictures:
            found = self.pkg.resolve(member, href) if "://" not in href else None
            if found is not None:
                self.pictures.setdefault(found, page)
            elif "://" in href:
                self.sink.once(PartKind.METADATA, "external_target", href, member)

    def _picture_pages(self) -> dict[str, int | None]:
        pages = dict(self.pictures)
        for name in sorted(self.pkg.names.values()):
            if name.lower().startswith(_PICTURES) and posixpath.basename(name):
                pages.setdefault(name, None)
        return {m: p for m, p in pages.items() if m.lower().startswith(_PICTURES)}

    def _parts(self) -> tuple[Part, ...]:
        parts = [Part(kind=kind, text=text, page=page if isinstance(page, int) else None, paragraph=paragraph,
                      origin=origin, source=source)
                 for kind, text, paragraph, origin, source, page in self.sink.items]
        for member, headings in self.headings.items():
            parts = with_headings(parts, member, headings)
        parts.extend(Part(kind=kind, text=text, origin=origin, source=source)
                     for (kind, origin, text), source in self.sink.once_items.items())
        return tuple(parts)
