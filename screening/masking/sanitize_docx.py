"""Sanitising a .docx (`screening redact --sanitize`): every place a name could hide that the
reader does not see, removed whatever it holds — what Word's Document Inspector removes.

The package is re-zipped member by member (the zip limits of the parser apply):

* dropped: comments (word/comments*.xml, commentsExtended/Ids/Extensible), the reviewers list
  (word/people.xml), custom XML (customXml/*), the glossary (building blocks, word/glossary/*),
  custom properties (docProps/custom.xml), embedded files (word/embeddings/*: an embedded
  object keeps its preview picture), the thumbnail (docProps/thumbnail.*); their relationships
  and content-type overrides go with them;
* the stories (body, headers, footers, notes): tracked changes accepted (deletions and moved-away
  text dropped, insertions kept as plain text, formatting changes forgotten), comment marks and
  references dropped, runs hidden with w:vanish dropped, field codes' hyperlink targets kept as
  they are (a visible link is content);
* properties: the author, last editor, title, subject, keywords, description, category of
  docProps/core.xml and the company, manager and hyperlink base of docProps/app.xml emptied;
* settings: document variables and the attached template dropped;
* pictures (word/media/*): their EXIF, XMP and text chunks dropped (PNG, JPEG and GIF re-saved by
  Pillow without them; other pictures kept as they are).

`sanitize` returns the copy and what it removed, in Chinese, for the report.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from lxml import etree
from PIL import Image

from screening.masking import RedactionError, copied_info
from screening.parsers.docx import open_zip_for_copy
from screening.parsers.docx.ooxml import W_NS

W = f"{{{W_NS}}}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
O_NS = "urn:schemas-microsoft-com:office:office"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
DC = "http://purl.org/dc/elements/1.1/"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"

_DROPPED = (
    (re.compile(r"^word/comments[a-z]*\.xml$", re.I), "批注"),
    (re.compile(r"^word/people\.xml$", re.I), "审阅者列表"),
    (re.compile(r"^customxml/", re.I), "自定义XML数据"),
    (re.compile(r"^word/glossary/", re.I), "文档部件库（构建基块）"),
    (re.compile(r"^docprops/custom\.xml$", re.I), "自定义属性"),
    (re.compile(r"^word/embeddings/", re.I), "嵌入的对象和文件"),
    (re.compile(r"^docprops/thumbnail\.", re.I), "缩略图"),
)
_STORY = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$", re.I)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)
_CORE = [f"{{{DC}}}creator", f"{{{CP}}}lastModifiedBy", f"{{{DC}}}title", f"{{{DC}}}subject", f"{{{CP}}}keywords",
         f"{{{DC}}}description", f"{{{CP}}}category", f"{{{CP}}}contentStatus", f"{{{DC}}}identifier"]
_APP = [f"{{{EP}}}Company", f"{{{EP}}}Manager", f"{{{EP}}}HyperlinkBase", f"{{{EP}}}Template"]
_REMOVED_ELEMENTS = {W + n for n in ("del", "moveFrom", "commentRangeStart", "commentRangeEnd", "commentReference",
                                     "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange",
                                     "tcPrChange", "numberingChange", "moveFromRangeStart", "moveFromRangeEnd",
                                     "moveToRangeStart", "moveToRangeEnd", "customXmlDelRangeStart",
                                     "customXmlDelRangeEnd")}
_UNWRAPPED = {W + "ins", W + "moveTo"}


def _dropped(name: str) -> str | None:
    return next((what for pattern, what in _DROPPED if pattern.search(name)), None)


def sanitize(data: bytes) -> tuple[bytes, list[str]]:
    """The sanitised copy of a .docx and what was removed (module docstring)."""
    try:
        zf = open_zip_for_copy(data)
    except Exception as err:
        raise RedactionError(f"Word文档无法清理（{type(err).__name__}）") from None
    removed: set[str] = set()
    dropped: set[str] = set()
    for info in zf.infolist():
        if (what := _dropped(info.filename)) is not None:
            dropped.add(info.filename)
            removed.add(what)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in zf.infolist():
            if info.filename in dropped or info.is_dir():
                continue
            content = zf.read(info)
            name = info.filename
            low = name.lower()
            if low.endswith(".rels"):
                content = _rels(content, name, dropped)
            elif low == "[content_types].xml":
                content = _content_types(content, dropped)
            elif _STORY.match(name):
                content = _story(content, removed)
            elif low == "docprops/core.xml":
                content = _emptied(content, _CORE, removed, "文档属性（作者、标题等）")
            elif low == "docprops/app.xml":
                content = _emptied(content, _APP, removed, "文档属性（单位、经理、模板）")
            elif low == "word/settings.xml":
                content = _settings(content, removed)
            elif low.startswith("word/media/"):
                content = _picture(content, removed)
            target.writestr(copied_info(info, zipfile.ZIP_DEFLATED), content)
    return out.getvalue(), sorted(removed)


def _xml(content: bytes) -> etree._Element:
    return etree.fromstring(content, _PARSER)


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels(content: bytes, name: str, dropped: set[str]) -> bytes:
    """Relationships to dropped members removed (targets resolved against the source's folder)."""
    root = _xml(content)
    base = posixpath.dirname(posixpath.dirname(name))  # word/_rels/document.xml.rels → word
    for rel in list(root):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(base, target))
        if resolved in dropped or any(resolved.lower() == d.lower() for d in dropped):
            root.remove(rel)
    return _bytes(root)


def _content_types(content: bytes, dropped: set[str]) -> bytes:
    root = _xml(content)
    lowered = {"/" + d.lower() for d in dropped}
    for override in list(root):
        if override.tag == f"{{{CT_NS}}}Override" and override.get("PartName", "").lower() in lowered:
            root.remove(override)
    return _bytes(root)


def _story(content: bytes, removed: set[str]) -> bytes:
    root = _xml(content)
    for el in list(root.iter(*_REMOVED_ELEMENTS)):
        parent = el.getparent()
        if parent is not None:
            removed.add("修订记录和批注标记" if "omment" not in el.tag else "批注")
            run = parent if el.tag == W + "commentReference" and parent.tag == W + "r" else el
            holder = run.getparent()
            if holder is not None:
                holder.remove(run)
    for el in list(root.iter(*_UNWRAPPED)):
        parent = el.getparent()
        if parent is None:
            continue
        removed.add("修订记录和批注标记")
        at = parent.index(el)
        for child in list(el):
            parent.insert(at, child)
            at += 1
        parent.remove(el)
    for vanish in list(root.iter(W + "vanish")):
        rpr = vanish.getparent()
        run = rpr.getparent() if rpr is not None else None
        if run is not None and run.tag == W + "r" and run.getparent() is not None:
            removed.add("隐藏文字")
            run.getparent().remove(run)
    for ole in list(root.iter(f"{{{O_NS}}}OLEObject")):
        if ole.getparent() is not None:
            removed.add("嵌入的对象和文件")
            ole.getparent().remove(ole)
    return _bytes(root)


def _emptied(content: bytes, tags: list[str], removed: set[str], what: str) -> bytes:
    root = _xml(content)
    for el in root.iter(*tags):
        if (el.text or "").strip() or len(el):
            removed.add(what)
            el.text = None
            for child in list(el):
                el.remove(child)
    return _bytes(root)


def _settings(content: bytes, removed: set[str]) -> bytes:
    root = _xml(content)
    for el in list(root.iter(W + "docVars", W + "attachedTemplate")):
        if el.getparent() is not None:
            removed.add("文档变量和模板路径")
            el.getparent().remove(el)
    return _bytes(root)


def _picture(content: bytes, removed: set[str]) -> bytes:
    """A picture re-saved without what it says about itself (EXIF, XMP, text chunks)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            if kind not in ("PNG", "JPEG", "GIF") or not (image.info or image.getexif()):
                return content
            if not any(k in image.info for k in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile")) and not getattr(image, "text", None):
                return content
            buffer = io.BytesIO()
            clean = image.copy()
            clean.info = {}
            if kind == "JPEG":
                clean.save(buffer, "JPEG", quality=95)
            else:
                clean.save(buffer, kind)
            removed.add("图片属性（EXIF/XMP/PNG文本）")
            return buffer.getvalue()
    except Exception:  # not a picture Pillow reads (EMF, WMF): kept as it is
        return content
