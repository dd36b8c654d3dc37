"""Reading a whole OFD package into `Parsed`: the structure of GB/T 33190-2016 followed from its
entry file, and what each member yields.

    OFD.xml                      DocBody: DocInfo (properties), DocRoot, Signatures
    Doc_0/Document.xml           CommonData (PublicRes, DocumentRes, TemplatePage), Pages/Page
                                 (BaseLoc), Outlines, Annotations, Attachments
    Doc_0/Pages/Page_0/Content.xml   Page: Template, PageRes, Content/Layer/TextObject, ImageObject, PageBlock
    Doc_0/Annots/Annotations.xml     Page (PageID) → FileLoc: the page's Annot list
    Doc_0/Attachs/Attachments.xml    Attachment (Name) → FileLoc
    Doc_0/PublicRes.xml …        Res (BaseLoc): MultiMedia (ID) → MediaFile

A location is relative to the folder of the file that names it, or absolute from the package's
root ("/Doc_0/…"); names are matched whatever their case and namespace (files in the wild use the
ofd: namespace, another prefix or none). When OFD.xml cannot be read, or names no document, every
"Doc_N/Document.xml" in the package is read instead, so a damaged entry file hides nothing.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from screening.errors import CorruptError
from screening.model import Part, PartKind, Problem
from screening.parsers.base import Parsed
from screening.parsers.docx.sink import Sink
from screening.parsers.ofd import text
from screening.parsers.zippkg import Package, localname

WHAT = "OFD文件"
ENTRY = "OFD.xml"
MAX_PARAMETER = 2000  # a longer annotation parameter is data (a signature, a picture), not text
MAX_ATTACHMENT = 16 * 1024 * 1024  # an attachment larger than this is named but not screened itself
_DOCUMENT = re.compile(r"Doc_[^/]*/Document\.xml", re.IGNORECASE)
# DocInfo fields → the origins a docx's properties have (the identity check treats them alike)
INFO = {"Title": "core.title", "Author": "core.creator", "Subject": "core.subject", "Abstract": "core.description",
        "Creator": "app.Application", "DocUsage": "core.category"}


def children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else [c for c in el if localname(c) == name]


def child(el: etree._Element | None, name: str) -> etree._Element | None:
    found = children(el, name)
    return found[0] if found else None


def descendants(el: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if el is not None:
        yield from (d for d in el.iter() if localname(d) == name)


def value(el: etree._Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


@dataclass(slots=True)
class Doc:
    """One document of the package: its Document.xml member and root."""

    member: str
    root: etree._Element


@dataclass(slots=True)
class Reader:
    pkg: Package
    sink: Sink = field(default_factory=Sink)
    pictures: dict[str, int | None] = field(default_factory=dict)  # media member → the page first showing it
    pages: int = 0
    signatures: int = 0

    @classmethod
    def of(cls, zf: zipfile.ZipFile) -> Reader:
        return cls(Package(zf, WHAT))

    # the structure
    def documents(self, metadata: bool = True) -> Iterator[Doc]:
        """Each document the entry file names (its DocInfo read when `metadata`), else every Doc_N/Document.xml."""
        entry = self.pkg.find(ENTRY)
        if entry is None:
            raise CorruptError(f"{WHAT}缺少入口文件（OFD.xml），文件已损坏或不是OFD文件")
        root = self.pkg.xml(entry, "入口文件", PartKind.METADATA)
        named: list[str] = []
        for body in descendants(root, "DocBody"):
            if metadata:
                self._docinfo(child(body, "DocInfo"), entry)
                self._signatures(child(body, "Signatures"), entry)
            member = self.pkg.resolve(entry, value(child(body, "DocRoot")))
            if member is not None and member not in named:
                named.append(member)
        if not named:
            named = sorted(n for n in self.pkg.names.values() if _DOCUMENT.fullmatch(n))
        if not named:
            raise CorruptError(f"{WHAT}中找不到文档（OFD.xml未指明DocRoot），文件已损坏或不是OFD文件")
        for member in named:
            doc_root = self.pkg.xml(member, "文档结构", PartKind.BODY)
            if doc_root is not None:
                yield Doc(member, doc_root)

    def read(self) -> Parsed:
        for doc in self.documents():
            self._document(doc)
        images = self.pkg.images(self.pictures)
        problems = [*self.sink.problems, *self.pkg.problems]
        if self.signatures:
            problems.append(Problem(
                "document.scanned", f"{WHAT}含有{self.signatures}个电子签章，签章中的单位名称和印章图案未能读取，需人工查看",
                part=PartKind.IMAGE))
        parts = [Part(kind=kind, text=t, page=page if isinstance(page, int) else None, paragraph=paragraph,
                      origin=origin, source=source)
                 for kind, t, paragraph, origin, source, page in self.sink.items]
        parts.extend(Part(kind=kind, text=t, origin=origin, source=source)
                     for (kind, origin, t), source in self.sink.once_items.items())
        return Parsed(parts=tuple(parts), pages=self.pages or None, images=images, problems=tuple(problems))

    def _docinfo(self, info: etree._Element | None, entry: str) -> None:
        for el in info if info is not None else ():
            name = localname(el)
            if name in INFO:
                self.sink.add(PartKind.METADATA, value(el), source=entry, origin=INFO[name])
            elif name == "Keywords":
                for keyword in children(el, "Keyword"):
                    self.sink.add(PartKind.METADATA, value(keyword), source=entry, origin="core.keywords")
            elif name == "CustomDatas":
                for data in children(el, "CustomData"):
                    self.sink.add(PartKind.METADATA, value(data), source=entry,
                                  origin=f"custom.{data.get('Name') or ''}")

    def _signatures(self, loc: etree._Element | None, entry: str) -> None:
        member = self.pkg.resolve(entry, value(loc)) if loc is not None else None
        root = self.pkg.xml(member, "签章列表", PartKind.IMAGE, bears_text=False) if member else None
        self.signatures += sum(1 for _ in descendants(root, "Signature"))

    def _document(self, doc: Doc) -> None:
        common = child(doc.root, "CommonData")
        media = self._resources(doc.member, [value(r) for r in (*children(common, "PublicRes"),
                                                                *children(common, "DocumentRes"))])
        templates = {t.get("ID") or "": t.get("BaseLoc") or "" for t in children(common, "TemplatePage")}
        page_ids: dict[str, int] = {}
        read_templates: set[str] = set()
        for page_el in descendants(child(doc.root, "Pages"), "Page"):
            self.pages += 1
            number = self.pages
            page_ids[page_el.get("ID") or ""] = number
            member = self.pkg.resolve(doc.member, page_el.get("BaseLoc") or "")
            if member is None:
                self.sink.problems.append(Problem(
                    "document.unverifiable", f"{WHAT}第{number}页的内容（{page_el.get('BaseLoc') or '未指明'}）缺失，"
                    "无法确认是否暴露身份", page=number, part=PartKind.BODY))
                continue
            root = self.pkg.xml(member, f"第{number}页", PartKind.BODY)
            if root is None:
                continue
            page_media = {**media, **self._resources(member, [value(r) for r in children(root, "PageRes")])}
            self._text(root, PartKind.BODY, "", member, number)
            self._images(root, page_media, number)
            for used in children(root, "Template"):
                ident = used.get("TemplateID") or ""
                if ident in templates and ident not in read_templates:
                    read_templates.add(ident)
                    self._template(doc.member, templates[ident], media)
        for outline in descendants(child(doc.root, "Outlines"), "OutlineElem"):
            self.sink.once(PartKind.METADATA, "outline", outline.get("Title"), doc.member)
        self._annotations(doc.member, value(child(doc.root, "Annotations")), page_ids, media)
        for name, _member in self.attachment_files(doc):
            self.sink.once(PartKind.METADATA, "embedded_file", name, doc.member)

    def _template(self, base: str, loc: str, media: dict[str, str]) -> None:
        member = self.pkg.resolve(base, loc)
        root = self.pkg.xml(member, "模板页", PartKind.HEADER) if member else None
        if member is None or root is None:
            return
        self._text(root, PartKind.HEADER, "template", member, None)
        self._images(root, media, None)

    def _text(self, container: etree._Element, kind: PartKind, origin: str, member: str, page: int | None) -> None:
        for group in text.paragraphs(list(text.runs(container))):
            self.sink.add(kind, "\n".join(line.text for line in group), source=member, origin=origin,
                          paragraph=self.sink.number(kind, f"{member}#{page}"), page=page)

    # resources and pictures
    def _resources(self, base: str, locs: list[str]) -> dict[str, str]:
        """MultiMedia ID → media member, from the resource files `locs` names (relative to `base`)."""
        out: dict[str, str] = {}
        for loc in locs:
            member = self.pkg.resolve(base, loc)
            root = self.pkg.xml(member, "资源列表", PartKind.IMAGE, bears_text=False) if member else None
            if member is None or root is None:
                continue
            folder = posixpath.join(posixpath.dirname(member), root.get("BaseLoc") or "")
            for item in descendants(root, "MultiMedia"):
                path = value(child(item, "MediaFile"))
                found = self.pkg.find(path) if path.startswith("/") else \
                    self.pkg.find(posixpath.normpath(posixpath.join(folder, path)))
                if found is not None:
                    out[item.get("ID") or ""] = found
        return out

    def _images(self, root: etree._Element, media: dict[str, str], page: int | None) -> None:
        for obj in descendants(root, "ImageObject"):
            found = media.get(obj.get("ResourceID") or "")
            if found is not None:
                self.pictures.setdefault(found, page)

    # annotations and attachments
    def _annotations(self, base: str, loc: str, page_ids: dict[str, int], media: dict[str, str]) -> None:
        index = self.pkg.resolve(base, loc) if loc else None
        root = self.pkg.xml(index, "注释列表", PartKind.COMMENT) if index else None
        if index is None or root is None:
            return
        for page_el in children(root, "Page"):
            page = page_ids.get(page_el.get("PageID") or "")
            member = self.pkg.resolve(index, value(child(page_el, "FileLoc")))
            annots = self.pkg.xml(member, "注释", PartKind.COMMENT) if member else None
            if member is None or annots is None:
                continue
            for annot in descendants(annots, "Annot"):
                self._annot(annot, member, page, media)

    def _annot(self, annot: etree._Element, member: str, page: int | None, media: dict[str, str]) -> None:
        def add(content: str) -> None:
            self.sink.add(PartKind.COMMENT, content, source=member, origin="annotation",
                          paragraph=self.sink.number(PartKind.COMMENT, member), page=page)

        self.sink.once(PartKind.COMMENT, "annotation_author", annot.get("Creator"), member)
        add(value(child(annot, "Remark")))
        for parameter in descendants(child(annot, "Parameters"), "Parameter"):
            content = value(parameter)
            if len(content) <= MAX_PARAMETER:
                add(content)
        for appearance in children(annot, "Appearance"):
            for group in text.paragraphs(list(text.runs(appearance))):
                add("\n".join(line.text for line in group))
            self._images(appearance, media, page)

    def attachment_files(self, doc: Doc) -> list[tuple[str, str | None]]:
        """Each attachment of a document: its name (with the file's extension when the name has
        none) and its member (None when its FileLoc names no member)."""
        loc = value(child(doc.root, "Attachments"))
        index = self.pkg.resolve(doc.member, loc) if loc else None
        root = self.pkg.xml(index, "附件列表", PartKind.METADATA) if index else None
        if index is None or root is None:
            return []
        out: list[tuple[str, str | None]] = []
        for item in descendants(root, "Attachment"):
            file_loc = value(child(item, "FileLoc"))
            member = self.pkg.resolve(index, file_loc) if file_loc else None
            name = (item.get("Name") or "").strip() or posixpath.basename(file_loc)
            suffix = posixpath.splitext(file_loc)[1]
            if suffix and not posixpath.splitext(name)[1]:
                name += suffix
            if name:
                out.append((name, member))
        return out
