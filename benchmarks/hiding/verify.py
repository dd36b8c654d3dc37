#!/usr/bin/env python3
"""Check every hiding place of a set written by make.py, reading the files back independently.

``verify.py OUT`` reads ``OUT/gold.json`` and ``OUT/projects``.  For each leak it opens the
file with a general-purpose reader (zipfile + lxml, openpyxl, python-docx, olefile, pypdf,
pdfplumber, pypdfium2, Pillow), pulls out the text of exactly the place the leak names and
checks that the planted surface is there; for PDF text a reader cannot see it checks how it is
hidden (render mode, colour, optional-content state, position against the CropBox, a filled
rectangle painted after it, the font size) and renders the page to check that the text's box
has no dark pixels.  For the clean projects it runs every extractor of the file's format and
checks that no identity of application.json is in any place.  Exit 1 on any failure.

This file never imports make.py: what it knows of a place is its id and the file.
"""

from __future__ import annotations

import io
import json
import re
import struct
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pdfplumber
import pypdfium2 as pdfium
from lxml import etree, html
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject, StreamObject, TextStringObject
from pypinyin import lazy_pinyin

try:
    import olefile
except ImportError:  # not a dependency of the project; the OLE check then says it was skipped
    olefile = None

Extractor = Callable[[Path], str]
NS_ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}
NS_OFD = {"ofd": "http://www.ofdspec.org/2016"}
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DARK = 160  # a pixel darker than this (0..255 luminance) counts as ink


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    return re.sub(r"[\s\W_]+", "", s)


def xml_text(data: bytes, path: str, ns: dict[str, str]) -> str:
    root = etree.fromstring(data)
    return "\n".join("".join(e.itertext()) if isinstance(e, etree._Element) else str(e)
                     for e in root.xpath(path, namespaces=ns))


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


# ---------------------------------------------------------------- ODT


def odt_body(p: Path) -> str:
    root = etree.fromstring(member(p, "content.xml"))
    for ann in root.xpath("//office:annotation", namespaces=NS_ODF):
        ann.getparent().remove(ann)
    return "\n".join("".join(e.itertext()) for e in root.xpath("//office:text//text:p", namespaces=NS_ODF))


ODT: dict[str, Extractor] = {
    "odt.body": odt_body,
    "odt.header": lambda p: xml_text(member(p, "styles.xml"), "//style:master-page/style:header", NS_ODF),
    "odt.footer": lambda p: xml_text(member(p, "styles.xml"), "//style:master-page/style:footer", NS_ODF),
    "odt.annotation": lambda p: xml_text(member(p, "content.xml"), "//office:annotation/text:p", NS_ODF),
    "odt.meta_initial_creator": lambda p: xml_text(member(p, "meta.xml"), "//meta:initial-creator", NS_ODF),
    "odt.meta_creator": lambda p: xml_text(member(p, "meta.xml"), "//office:meta/dc:creator", NS_ODF),
    "odt.meta_user_defined": lambda p: xml_text(member(p, "meta.xml"), "//meta:user-defined", NS_ODF),
}

# ---------------------------------------------------------------- RTF


def rtf_decode(s: str, codepage: str) -> str:
    """Text of an RTF fragment: \\uN (with its one fallback char), \\'xx in the ANSI code page."""
    out: list[str] = []
    pending = bytearray()
    i = 0

    def flush() -> None:
        if pending:
            out.append(pending.decode(codepage, errors="replace"))
            pending.clear()

    while i < len(s):
        c = s[i]
        if c == "\\":
            m = re.match(r"\\'([0-9a-fA-F]{2})", s[i:])
            if m:
                pending.append(int(m.group(1), 16))
                i += 4
                continue
            flush()
            m = re.match(r"\\u(-?\d+)\??", s[i:])
            if m:
                n = int(m.group(1))
                out.append(chr(n + 65536 if n < 0 else n))
                i += len(m.group(0))
                continue
            m = re.match(r"\\([a-z]+)(-?\d+)? ?", s[i:])
            if m:
                i += len(m.group(0))
                if m.group(1) in ("par", "cell", "row"):
                    out.append("\n")
                continue
            out.append(s[i + 1] if i + 1 < len(s) else "")
            i += 2
            continue
        flush()
        if c not in "{}\r\n":
            out.append(c)
        i += 1
    flush()
    return "".join(out)


def rtf_group(src: str, word: str) -> str:
    m = re.search(r"\{\\" + word + r" ([^{}]*)\}", src)
    return m.group(1) if m else ""


def rtf_codepage(src: str) -> str:
    m = re.search(r"\\ansicpg(\d+)", src)
    return {"936": "gbk"}.get(m.group(1) if m else "", "cp1252")


def rtf_body(p: Path) -> str:
    src = p.read_text("ascii")
    src = re.sub(r"\{\\info(\{[^{}]*\})*\}", "", src)
    src = re.sub(r"\{\\fonttbl(\{[^{}]*\})*\}", "", src)
    return rtf_decode(src, rtf_codepage(src))


RTF: dict[str, Extractor] = {
    "rtf.body": rtf_body,
    "rtf.info_author": lambda p: rtf_decode(rtf_group(p.read_text("ascii"), "author"), rtf_codepage(p.read_text("ascii"))),
    "rtf.info_company": lambda p: rtf_decode(rtf_group(p.read_text("ascii"), "company"), rtf_codepage(p.read_text("ascii"))),
}

# ---------------------------------------------------------------- OFD


def ofd_doc_root(p: Path) -> tuple[str, etree._Element]:
    ofd = etree.fromstring(member(p, "OFD.xml"))
    loc = ofd.xpath("string(//ofd:DocBody/ofd:DocRoot)", namespaces=NS_OFD).lstrip("/")
    return loc.rsplit("/", 1)[0], etree.fromstring(member(p, loc))


def ofd_pages(p: Path) -> str:
    base, doc = ofd_doc_root(p)
    texts = []
    for loc in doc.xpath("//ofd:Pages/ofd:Page/@BaseLoc", namespaces=NS_OFD):
        page = etree.fromstring(member(p, f"{base}/{loc}"))
        texts.append("\n".join(page.xpath("//ofd:TextObject/ofd:TextCode/text()", namespaces=NS_OFD)))
    return "\n".join(texts)


def ofd_annotations(p: Path) -> str:
    base, doc = ofd_doc_root(p)
    loc = doc.xpath("string(//ofd:Annotations)", namespaces=NS_OFD)
    if not loc:
        return ""
    index_dir = f"{base}/{loc}".rsplit("/", 1)[0]
    index = etree.fromstring(member(p, f"{base}/{loc}"))
    out = []
    for fl in index.xpath("//ofd:Page/ofd:FileLoc/text()", namespaces=NS_OFD):
        annots = etree.fromstring(member(p, f"{index_dir}/{fl}"))
        out += annots.xpath("//ofd:Annot/ofd:Remark/text()", namespaces=NS_OFD)
    return "\n".join(out)


def ofd_attachments(p: Path) -> str:
    base, doc = ofd_doc_root(p)
    loc = doc.xpath("string(//ofd:Attachments)", namespaces=NS_OFD)
    if not loc:
        return ""
    adir = f"{base}/{loc}".rsplit("/", 1)[0]
    index = etree.fromstring(member(p, f"{base}/{loc}"))
    return "\n".join(member(p, f"{adir}/{fl}").decode("utf-8-sig")
                     for fl in index.xpath("//ofd:Attachment/ofd:FileLoc/text()", namespaces=NS_OFD))


OFD: dict[str, Extractor] = {
    "ofd.page_text": ofd_pages,
    "ofd.docinfo_title": lambda p: xml_text(member(p, "OFD.xml"), "//ofd:DocInfo/ofd:Title", NS_OFD),
    "ofd.docinfo_author": lambda p: xml_text(member(p, "OFD.xml"), "//ofd:DocInfo/ofd:Author", NS_OFD),
    "ofd.docinfo_custom_data": lambda p: xml_text(member(p, "OFD.xml"), "//ofd:DocInfo/ofd:CustomDatas/ofd:CustomData", NS_OFD),
    "ofd.annotation": ofd_annotations,
    "ofd.attachment": ofd_attachments,
}

# ---------------------------------------------------------------- XLSX


def workbook_cells(data: bytes, *, hidden_only: bool = False) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        if hidden_only and ws.sheet_state == "visible":
            continue
        for row in ws.iter_rows(values_only=True):
            out += [str(v) for v in row if v is not None]
    return "\n".join(out)


def xlsx_comments(p: Path) -> str:
    wb = openpyxl.load_workbook(p)
    return "\n".join(c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment)


XLSX: dict[str, Extractor] = {
    "xlsx.hidden_sheet": lambda p: workbook_cells(p.read_bytes(), hidden_only=True),
    "xlsx.cell_comment": xlsx_comments,
    "xlsx.sheet_name": lambda p: "\n".join(openpyxl.load_workbook(p).sheetnames),
}

# ---------------------------------------------------------------- DOCX


def docx_rel_parts(p: Path, kind: str) -> list[tuple[str, str]]:
    """(relationship id, part name) of word/document.xml's relationships of one type."""
    rels = etree.fromstring(member(p, "word/_rels/document.xml.rels"))
    out = []
    for r in rels:
        if r.get("Type") == REL + kind:
            target = r.get("Target")
            name = target[3:] if target.startswith("../") else "word/" + target
            out.append((r.get("Id"), name))
    return out


def referenced(p: Path, rid: str) -> bool:
    return f'r:id="{rid}"' in member(p, "word/document.xml").decode("utf-8")


def docx_embedded_workbook(p: Path) -> str:
    parts = [(rid, n) for rid, n in docx_rel_parts(p, "package") if n.endswith(".xlsx")]
    assert all(referenced(p, rid) for rid, _ in parts), "package part not referenced from the body"
    return "\n".join(workbook_cells(member(p, n)) for _, n in parts)


def ole10native_payload(data: bytes) -> tuple[str, bytes]:
    body = data[4:]
    pos = 2
    label_end = body.index(b"\0", pos)
    label = body[pos:label_end].decode("gbk")
    pos = body.index(b"\0", label_end + 1) + 1 + 4  # original path, then 0x00030000
    (tlen,) = struct.unpack_from("<I", body, pos)
    pos += 4 + tlen
    (dlen,) = struct.unpack_from("<I", body, pos)
    return label, body[pos + 4 : pos + 4 + dlen]


def docx_ole(p: Path) -> str:
    if olefile is None:
        raise SkipCheck("olefile not installed")
    out = []
    for rid, name in docx_rel_parts(p, "oleObject"):
        assert referenced(p, rid), "OLE part not referenced from the body"
        ole = olefile.OleFileIO(member(p, name))
        streams = ["/".join(s) for s in ole.listdir()]
        assert "\x01Ole10Native" in streams, streams
        label, payload = ole10native_payload(ole.openstream("\x01Ole10Native").read())
        out.append(label + "\n" + payload.decode("gbk"))
    return "\n".join(out)


def docx_glossary(p: Path) -> str:
    return "\n".join(xml_text(member(p, n), "//*[local-name()='docPartBody']", {})
                     for _, n in docx_rel_parts(p, "glossaryDocument"))


def docx_custom_xml(p: Path) -> str:
    out = []
    for _, name in docx_rel_parts(p, "customXml"):
        d, _, f = name.rpartition("/")
        rels = member(p, f"{d}/_rels/{f}.rels").decode()
        assert "customXmlProps" in rels
        out.append("".join(etree.fromstring(member(p, name)).itertext()))
    return "\n".join(out)


def docx_altchunk(p: Path) -> str:
    out = []
    for rid, name in docx_rel_parts(p, "aFChunk"):
        assert referenced(p, rid), "altChunk not in the body"
        out.append(html.fromstring(member(p, name)).xpath("string(//body)"))
    return "\n".join(out)


def docx_images(p: Path, ext: str) -> list[bytes]:
    return [member(p, n) for _, n in docx_rel_parts(p, "image") if n.endswith(ext) and "image4" not in n
            and "image5" not in n]


def exif_field(p: Path, tag: int) -> str:
    out = []
    for data in docx_images(p, ".jpeg"):
        raw = Image.open(io.BytesIO(data)).getexif().get(tag)
        if isinstance(raw, str):  # Pillow reads EXIF ASCII as Latin-1; the bytes are UTF-8
            raw = raw.encode("latin-1").decode("utf-8")
        if raw:
            out.append(str(raw))
    return "\n".join(out)


def png_chunks(data: bytes, kind: bytes) -> list[tuple[str, str]]:
    out = []
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        if ctype == kind == b"tEXt":
            k, v = chunk.split(b"\0", 1)
            out.append((k.decode("latin-1"), v.decode("latin-1")))
        elif ctype == kind == b"iTXt":
            k, rest = chunk.split(b"\0", 1)
            rest = rest[2:]  # compression flag and method (uncompressed here)
            _lang, rest = rest.split(b"\0", 1)
            _tkey, text = rest.split(b"\0", 1)
            out.append((k.decode("latin-1"), text.decode("utf-8")))
        pos += 12 + length
    return out


def png_author(p: Path, kind: bytes) -> str:
    return "\n".join(v for data in docx_images(p, ".png") for k, v in png_chunks(data, kind) if k == "Author")


DOCX: dict[str, Extractor] = {
    "docx.embedded_workbook": docx_embedded_workbook,
    "docx.ole_object": docx_ole,
    "docx.glossary": docx_glossary,
    "docx.custom_xml": docx_custom_xml,
    "docx.altchunk": docx_altchunk,
    "docx.jpeg_exif_artist": lambda p: exif_field(p, 0x013B),
    "docx.jpeg_exif_copyright": lambda p: exif_field(p, 0x8298),
    "docx.png_text_author": lambda p: png_author(p, b"tEXt"),
    "docx.png_itxt_author": lambda p: png_author(p, b"iTXt"),
}

# ---------------------------------------------------------------- ZIP


def zip_docx_body(p: Path) -> str:
    with zipfile.ZipFile(p) as zf:
        return "\n".join(par.text for n in zf.namelist() if n.endswith(".docx")
                         for par in docx.Document(io.BytesIO(zf.read(n))).paragraphs)


def zip_pdf_body(p: Path) -> str:
    with zipfile.ZipFile(p) as zf:
        out = []
        for n in zf.namelist():
            if n.endswith(".pdf"):
                with pdfplumber.open(io.BytesIO(zf.read(n))) as pdf:
                    out.append(pdf.pages[0].extract_text() or "")
        return "\n".join(out)


ZIP: dict[str, Extractor] = {
    "zip.docx_body": zip_docx_body,
    "zip.pdf_body": zip_pdf_body,
    "zip.member_name": lambda p: "\n".join(zipfile.ZipFile(p).namelist()),
}

# ---------------------------------------------------------------- PDF structure


def resolve(o: Any) -> Any:
    return o.get_object() if isinstance(o, IndirectObject) else o


def name_tree(node: Any) -> list[tuple[str, Any]]:
    node = resolve(node)
    out = []
    names = node.get("/Names", [])
    for i in range(0, len(names), 2):
        out.append((str(names[i]), resolve(names[i + 1])))
    for kid in node.get("/Kids", []):
        out += name_tree(kid)
    return out


def pdf_embedded(p: Path) -> str:
    r = PdfReader(p)
    tree = resolve(r.trailer["/Root"]).get("/Names", {})
    out = []
    for _, spec in name_tree(resolve(tree).get("/EmbeddedFiles", DictionaryObject())):
        data = resolve(spec["/EF"]["/F"]).get_data()
        if data[:2] == b"PK":
            out.append(zip_docx_text(data))
        else:
            out.append(data.decode("utf-8-sig"))
    return "\n".join(out)


def zip_docx_text(data: bytes) -> str:
    return "\n".join(par.text for par in docx.Document(io.BytesIO(data)).paragraphs)


def page_annots(p: Path, subtype: str) -> list[DictionaryObject]:
    r = PdfReader(p)
    return [resolve(a) for a in r.pages[0].get("/Annots", []) if resolve(a)["/Subtype"] == subtype]


def pdf_file_attachment(p: Path) -> str:
    out = []
    for a in page_annots(p, "/FileAttachment"):
        out.append(resolve(resolve(a["/FS"])["/EF"]["/F"]).get_data().decode("utf-8-sig"))
    return "\n".join(out)


def pdf_link(p: Path) -> str:
    return "\n".join(str(resolve(a["/A"])["/URI"]) for a in page_annots(p, "/Link"))


def pdf_js(p: Path) -> str:
    root = resolve(PdfReader(p).trailer["/Root"])
    tree = resolve(root.get("/Names", DictionaryObject())).get("/JavaScript")
    if tree is None:
        return ""
    out = []
    for _, action in name_tree(tree):
        js = resolve(action["/JS"])
        out.append(js.get_data().decode("utf-8") if isinstance(js, StreamObject) else str(js))
    return "\n".join(out)


def xmp(p: Path, path: str) -> str:
    root = resolve(PdfReader(p).trailer["/Root"])
    if "/Metadata" not in root:
        return ""
    data = resolve(root["/Metadata"]).get_data()
    ns = {"xmpMM": "http://ns.adobe.com/xap/1.0/mm/", "stRef": "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
          "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"}
    return xml_text(data[data.index(b"<x:xmpmeta") : data.rindex(b"</x:xmpmeta>") + 12], path, ns)


def pdf_page_label(p: Path) -> str:
    r = PdfReader(p)
    return "\n".join(r.page_labels) if "/PageLabels" in resolve(r.trailer["/Root"]) else ""


HEX_TJ = re.compile(rb"<([0-9A-Fa-f]+)>\s*Tj")


def stream_text(data: bytes) -> str:
    return "\n".join(bytes.fromhex(m.group(1).decode()).decode("utf-16-be") for m in HEX_TJ.finditer(data))


def pdf_prior_revision(p: Path) -> str:
    """Text of content streams kept in the file but no longer used by any page."""
    raw = p.read_bytes()
    assert raw.count(b"%%EOF") >= 2 and b"/Prev" in raw, "no incremental update"
    r = PdfReader(p)
    used = set()
    for page in r.pages:
        c = page.get("/Contents")
        used.add(c.idnum if isinstance(c, IndirectObject) else None)
    out = []
    for m in re.finditer(rb"(\d+) 0 obj", raw):
        num = int(m.group(1))
        if num in used:
            continue
        obj = r.get_object(IndirectObject(num, 0, r))
        if isinstance(obj, StreamObject) and "/Type" not in obj and "/Subtype" not in obj:
            out.append(stream_text(obj.get_data()))
    current = "\n".join(stream_text(resolve(pg["/Contents"]).get_data()) for pg in r.pages)
    text = "\n".join(out)
    # what the page shows now must not hold what the old revision said
    return "\n".join(line for line in text.splitlines() if line not in current.splitlines())


PDF_DOC: dict[str, Extractor] = {
    "pdf.embedded_file": pdf_embedded,
    "pdf.file_attachment": pdf_file_attachment,
    "pdf.link_uri": pdf_link,
    "pdf.javascript": pdf_js,
    "pdf.xmp_derived_from": lambda p: xmp(p, "//xmpMM:DerivedFrom//stRef:filePath"),
    "pdf.xmp_history": lambda p: xmp(p, "//xmpMM:History//stEvt:parameters"),
    "pdf.page_label": pdf_page_label,
    "pdf.prior_revision": pdf_prior_revision,
}

# ---------------------------------------------------------------- PDF text a reader cannot see


class SkipCheck(Exception):
    pass


@dataclass
class Run:
    text: str
    x: float
    y: float
    size: float
    fill: tuple[float, ...]
    mode: int
    layers: list[str]
    index: int

    @property
    def box(self) -> tuple[float, float, float, float]:
        w = sum(self.size * (0.5 if ord(c) < 128 else 1.0) for c in self.text)
        return (self.x, self.y - 0.2 * self.size, self.x + w, self.y + 0.9 * self.size)


def string_bytes(o: Any) -> bytes:
    return bytes(o.original_bytes) if isinstance(o, TextStringObject) else bytes(o)


def interpret(p: Path) -> tuple[list[Run], list[tuple[tuple[float, float, float, float], tuple[float, ...], int]]]:
    """Text runs and filled rectangles of page 1, from pypdf's parse of the content stream."""
    r = PdfReader(p)
    cs = ContentStream(r.pages[0]["/Contents"].get_object(), r)
    runs: list[Run] = []
    rects = []
    stack: list[tuple[tuple[float, ...], int]] = []
    fill: tuple[float, ...] = (0.0, 0.0, 0.0)
    mode, size, pos = 0, 0.0, (0.0, 0.0)
    layers: list[str] = []
    path: tuple[float, float, float, float] | None = None
    for i, (args, op) in enumerate(cs.operations):
        o = op.decode("latin-1")
        if o == "q":
            stack.append((fill, mode))
        elif o == "Q":
            fill, mode = stack.pop()
        elif o == "rg":
            fill = tuple(float(a) for a in args)
        elif o == "g":
            fill = (float(args[0]),) * 3
        elif o == "Tr":
            mode = int(args[0])
        elif o == "Tf":
            size = float(args[1])
        elif o == "Tm":
            pos = (float(args[4]), float(args[5]))
        elif o == "BDC":
            layers.append(str(args[1]) if str(args[0]) == "/OC" else "")
        elif o == "BMC":
            layers.append("")
        elif o == "EMC":
            layers.pop()
        elif o == "Tj":
            runs.append(Run(string_bytes(args[0]).decode("utf-16-be"), pos[0], pos[1], size, fill, mode,
                            [t for t in layers if t], i))
        elif o == "re":
            path = (float(args[0]), float(args[1]), float(args[2]), float(args[3]))
        elif o in ("f", "F", "f*") and path is not None:
            rects.append((path, fill, i))
            path = None
    return runs, rects


def off_layers(p: Path) -> set[str]:
    r = PdfReader(p)
    root = resolve(r.trailer["/Root"])
    if "/OCProperties" not in root:
        return set()
    off = [resolve(o) for o in root["/OCProperties"]["/D"].get("/OFF", [])]
    props = resolve(r.pages[0]["/Resources"]).get("/Properties", {})
    return {tag for tag, ocg in props.items() if resolve(ocg) in off}


def covered(run: Run, rects: list[tuple[tuple[float, float, float, float], tuple[float, ...], int]]) -> bool:
    x0, y0, x1, y1 = run.box
    return any(i > run.index and rx <= x0 and ry <= y0 and rx + rw >= x1 and ry + rh >= y1
               for (rx, ry, rw, rh), _fill, i in rects)


def hidden_runs(p: Path, kind: str) -> list[Run]:
    runs, rects = interpret(p)
    if kind == "invisible":
        return [r for r in runs if r.mode in (3, 7)]
    if kind == "white":
        return [r for r in runs if r.fill == (1.0, 1.0, 1.0) and r.mode not in (3, 7)]
    if kind == "hidden_layer":
        off = off_layers(p)
        return [r for r in runs if any(t in off for t in r.layers)]
    if kind == "outside_crop":
        crop = PdfReader(p).pages[0].cropbox
        return [r for r in runs if r.box[1] > float(crop.top) or r.box[3] < float(crop.bottom)
                or r.box[0] > float(crop.right) or r.box[2] < float(crop.left)]
    if kind == "covered":
        return [r for r in runs if covered(r, rects)]
    if kind == "tiny":
        return [r for r in runs if r.size < 3]
    raise ValueError(kind)


def ink(p: Path, box: tuple[float, float, float, float], scale: float = 3.0) -> int:
    """Dark pixels of page 1 rendered by pdfium inside a box in PDF user space (x0, y0, x1, y1)."""
    doc = pdfium.PdfDocument(p)
    page = doc[0]
    left, _bottom, _right, top = page.get_cropbox()
    img = page.render(scale=scale).to_pil().convert("L")
    x0, y0, x1, y1 = box
    px = img.crop((int((x0 - left) * scale), int((top - y1) * scale), int((x1 - left) * scale) + 1,
                   int((top - y0) * scale) + 1))
    return sum(1 for v in px.tobytes() if v < DARK)


def hidden_check(p: Path, surface: str, origin: str) -> str:
    """How the surface is hidden, and what pdfium paints where it stands."""
    run = next(r for r in hidden_runs(p, origin) if surface in r.text)
    with pdfplumber.open(p) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"] in surface]
        title = pdf.pages[0].chars[0]
    box = (run.box[0] - 1, run.box[1] - 1, run.box[2] + 1, run.box[3] + 1)
    control = ink(p, (title["x0"], title["y0"], title["x1"], title["y1"]))
    assert control > 20, f"control glyph has no ink ({control})"
    assert chars, "pdfplumber does not see the characters"
    where = f"pdfplumber sees it at x={run.x:.0f} y={run.y:.0f} size {run.size:g}"
    if origin == "outside_crop":
        crop = PdfReader(p).pages[0].cropbox
        return f"{where}; CropBox top {float(crop.top):.0f}, so pdfium does not render it"
    dark = ink(p, box)
    if origin == "tiny":
        return f"{where}; {dark} dark px at 216 dpi over {box[2] - box[0]:.1f}x{box[3] - box[1]:.1f} pt (title glyph {control})"
    assert dark == 0, f"{dark} dark pixels where the text stands"
    how = {"invisible": f"Tr {run.mode}", "white": f"fill {run.fill}", "hidden_layer": f"in /OC {run.layers} (OFF)",
           "covered": "a filled rectangle painted after it covers its box"}[origin]
    return f"{how}; {where}; 0 dark px at 216 dpi (title glyph {control})"


def pdf_hidden(kind: str) -> Extractor:
    return lambda p: "\n".join(r.text for r in hidden_runs(p, kind))


PDF_HIDDEN = {"pdf.invisible_text": "invisible", "pdf.white_text": "white", "pdf.hidden_layer": "hidden_layer",
              "pdf.outside_cropbox": "outside_crop", "pdf.covered_text": "covered", "pdf.tiny_text": "tiny"}


def pdf_visible_text(p: Path) -> str:
    with pdfplumber.open(p) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


PDF: dict[str, Extractor] = {**PDF_DOC, **{k: pdf_hidden(v) for k, v in PDF_HIDDEN.items()},
                             "pdf.page_text": pdf_visible_text}
DOCX["docx.body"] = lambda p: "\n".join(par.text for par in docx.Document(str(p)).paragraphs)

BY_EXT: dict[str, dict[str, Extractor]] = {".odt": ODT, ".rtf": RTF, ".ofd": OFD, ".xlsx": XLSX, ".docx": DOCX,
                                           ".zip": ZIP, ".pdf": PDF}


def identities(app: dict[str, Any]) -> list[str]:
    names = [app["applicant"]["name"], *app["applicant"].get("aliases", [])]
    for partner in app.get("partners", []):
        names += [partner["name"], *partner.get("aliases", [])]
    names += [m["name"] for m in app.get("team", [])]
    return names


def known(surface: str, app: dict[str, Any]) -> str:
    """Which identity of application.json a planted surface stands for."""
    s = norm(surface)
    for name in identities(app):
        if norm(name) == s:
            return name
        if "".join(lazy_pinyin(name)) == s:
            return name + " (pinyin)"
    site = app["applicant"].get("website", "")
    if s and s in norm(site):
        return "website " + site
    raise AssertionError(f"{surface} is no identity of application.json")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: verify.py OUT", file=sys.stderr)
        return 2
    out = Path(argv[1])
    gold = json.loads((out / "gold.json").read_text("utf-8"))
    failures = 0
    for pid, g in gold["projects"].items():
        folder = out / "projects" / pid
        app = json.loads((folder / "application.json").read_text("utf-8"))
        surfaces = [norm(leak["surface"]) for leak in g["leaks"]]
        if len(set(surfaces)) != len(surfaces):
            print(f"FAIL {pid}: a surface is used in two places")
            failures += 1
        for leak in g["leaks"]:
            path = folder / leak["file"]
            place = leak["place"]
            try:
                who = known(leak["surface"], app)
                text = BY_EXT[path.suffix][place](path)
                assert norm(leak["surface"]) in norm(text), f"{leak['surface']!r} not in {text[:120]!r}"
                others = [n for n in identities(app) if norm(n) in norm(text) and norm(n) != norm(leak["surface"])
                          and norm(n) not in norm(leak["surface"])]
                assert not others, f"other identities in the same place: {others}"
                note = f"= {who}"
                if leak["expected_origin"]:
                    note = hidden_check(path, leak["surface"], leak["expected_origin"])
                print(f"ok   {pid} {place:26} {leak['file']}: {leak['surface']} {note}")
            except SkipCheck as e:
                print(f"skip {pid} {place:26} {leak['file']}: {e}")
            except Exception as e:  # report every place, then fail
                failures += 1
                print(f"FAIL {pid} {place:26} {leak['file']}: {type(e).__name__}: {e}")
        for decoy in g.get("decoys", []):
            path = folder / decoy["file"]
            texts = []
            for fn in BY_EXT[path.suffix].values():
                try:
                    texts.append(fn(path))
                except Exception:
                    continue
            ok = any(norm(decoy["surface"]) in norm(t) for t in texts)
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {pid} decoy {decoy['surface']} in {decoy['file']}")
        if g.get("identity_clean"):
            names = identities(app)
            for f in app["attachments"]:
                path = folder / f["file"]
                present = []
                for place, fn in BY_EXT[path.suffix].items():
                    try:
                        text = fn(path)
                    except SkipCheck:
                        continue
                    except Exception:
                        text = ""
                    if text.strip():
                        present.append(place)
                    hit = [n for n in names if norm(n) in norm(text)]
                    if hit:
                        failures += 1
                        print(f"FAIL {pid} clean {place} in {f['file']} holds {hit}")
                print(f"ok   {pid} clean {f['file']}: no identity in {len(present)} places ({', '.join(present)})")
    print("all places verified" if not failures else f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
