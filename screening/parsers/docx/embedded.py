"""What a Word document carries besides its stories: embedded files, imported content, building
blocks and custom XML (issue 15). Word's Document Inspector looks at all of these; an applicant who
pasted a workbook or an old letterhead rarely does.

* Embedded files (word/embeddings/*): a workbook, document or presentation stored as its own
  package is handed over whole as a file inside the attachment (`Inner`, parsed by what it is and
  screened as an attachment of its own: `screening.parsers` adds its parts with `Part.embedded`).
  An OLE object (oleObject*.bin, an OLE2 compound file read with olefile) is unwrapped: its
  "Package" stream is the embedded package; its "\\x01Ole10Native" stream (Packager, "object
  inserted from file") holds the file's name and bytes; an OLE file that is itself a legacy Office
  file (a WordDocument or Workbook stream) is handed over as it is. Other objects (equations,
  drawings) hold no text to screen here. A member the zip guard does not inflate is reported by the
  reader with the other members (`reader._images`).
* w:altChunk (content imported from another file into the body): HTML and MHT chunks are read here
  as BODY paragraphs (origin "alt_chunk"); any other chunk (a docx, an RTF, plain text) is handed
  over as a file inside the attachment.
* The glossary document (word/glossary/document.xml: building blocks, AutoText) → METADATA origin
  "glossary", one part per paragraph.
* Custom XML parts (customXml/item*.xml: data stores, bibliography sources, content-control
  bindings) → METADATA origin "custom_xml", one part per element's text or attribute value that
  holds a letter (GUIDs and numbers alone are bookkeeping).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct

import olefile

from screening.model import PartKind, Problem
from screening.parsers import plain
from screening.parsers.base import Inner
from screening.parsers.docx.ooxml import W_P, W_T, leaf_text
from screening.parsers.docx.package import Package
from screening.parsers.docx.sink import Sink

EMBEDDINGS = "word/embeddings/"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
MAX_EMBEDDED_BYTES = 64 * 1024 * 1024  # one embedded file (the package's own guard bounds the member)
_LETTER = re.compile(r"[^\W\d_]")
_HTML_CHUNK = (".htm", ".html", ".xhtml", ".mht", ".mhtml")


def files(pkg: Package) -> list[Inner]:
    """The files embedded in the package (word/embeddings/*), unwrapped, in member order."""
    out: list[Inner] = []
    for member in sorted(pkg.names.values()):
        if not member.lower().startswith(EMBEDDINGS) or member in pkg.skipped:
            continue
        data = _read(pkg, member)
        if data is not None:
            out += _unwrapped(member, data)
    return out


def _read(pkg: Package, member: str) -> bytes | None:
    try:
        return pkg.zf.read(member)
    except Exception:  # damaged member: the reader's problems about damage come from the XML parts
        pkg.sink.problems.append(_problem(f"Word文档中嵌入的对象“{member}”已损坏，无法读取，请人工核对"))
        return None


def _problem(message: str) -> Problem:
    return Problem("document.unreadable", message, part=PartKind.BODY)


def _unwrapped(member: str, data: bytes) -> list[Inner]:
    name = posixpath.basename(member)
    if data.startswith(ZIP_MAGIC) or not data.startswith(OLE_MAGIC):
        return [Inner(member, name, data)]
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError):
        return []
    try:
        if ole.exists("Package"):
            payload = ole.openstream("Package").read(MAX_EMBEDDED_BYTES + 1)
            return [Inner(member, _with_suffix(name, payload), payload)] if len(payload) <= MAX_EMBEDDED_BYTES else []
        if ole.exists("\x01Ole10Native"):
            native = _native(ole.openstream("\x01Ole10Native").read(MAX_EMBEDDED_BYTES + 1024))
            if native is not None:
                label, payload = native
                return [Inner(f"{member} › {label}", label, payload)]
            return []
        if ole.exists("WordDocument") or ole.exists("Workbook") or ole.exists("Book"):
            return [Inner(member, _with_suffix(name, data, ".doc" if ole.exists("WordDocument") else ".xls"), data)]
        return []
    finally:
        ole.close()


def _with_suffix(name: str, payload: bytes, legacy: str = "") -> str:
    """The embedded file's name with the extension of what it is (oleObject1.bin → oleObject1.xlsx),
    so that the dispatcher does not report a wrong extension."""
    stem = posixpath.splitext(name)[0]
    if legacy:
        return stem + legacy
    if payload.startswith(ZIP_MAGIC):
        head = payload[:4096]
        for marker, suffix in ((b"word/", ".docx"), (b"xl/", ".xlsx"), (b"ppt/", ".pptx")):
            if marker in head:
                return stem + suffix
    return name


def _native(stream: bytes) -> tuple[str, bytes] | None:
    """The name and bytes of a Packager object (the \\x01Ole10Native stream): a size, two bytes of
    flags, the label, the source path and two more bytes, the temporary path, then the data's size
    and the data; strings are zero-terminated in the system's ANSI code page (GBK on a Chinese
    Windows)."""
    try:
        at = 6
        label, at = _cstring(stream, at)
        _source, at = _cstring(stream, at)
        at += 4
        (length,) = struct.unpack_from("<I", stream, at)
        at += 4 + length
        (size,) = struct.unpack_from("<I", stream, at)
        at += 4
        payload = stream[at: at + size]
    except (struct.error, ValueError):
        return None
    if len(payload) != size or size > MAX_EMBEDDED_BYTES:
        return None
    return (label or "embedded.bin"), payload


def _cstring(data: bytes, at: int) -> tuple[str, int]:
    end = data.index(b"\x00", at)
    raw = data[at:end]
    for codec in ("utf-8", "gbk"):
        try:
            return raw.decode(codec), end + 1
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), end + 1


# -- w:altChunk -----------------------------------------------------------------------------------


def alt_chunk(pkg: Package, sink: Sink, member: str) -> Inner | None:
    """One imported chunk: HTML/MHT read into BODY parts here, anything else handed over."""
    data = _read(pkg, member) if member not in pkg.skipped else None
    if data is None:
        return None
    if member.lower().endswith(_HTML_CHUNK):
        for k, text in enumerate(plain.html_paragraphs(data, mht=member.lower().endswith((".mht", ".mhtml"))), 1):
            sink.add(PartKind.BODY, text, source=member, origin="alt_chunk", paragraph=k)
        return None
    return Inner(member, posixpath.basename(member), data)


# -- building blocks and custom XML -----------------------------------------------------------------


def glossary(pkg: Package, sink: Sink) -> None:
    member = pkg.find("word/glossary/document.xml")
    if member is None:
        return
    root = pkg.xml(member, "文档部件库（构建基块）", PartKind.METADATA)
    if root is None:
        return
    for p in root.iter(W_P):
        text = "".join(leaf_text(t) for t in p.iter(W_T))
        sink.add(PartKind.METADATA, text, source=member, origin="glossary", paragraph=sink.number(PartKind.METADATA, member))


def custom_xml(pkg: Package, sink: Sink) -> None:
    for member in sorted(pkg.names.values()):
        low = member.lower()
        if not (low.startswith("customxml/") and posixpath.basename(low).startswith("item")
                and not posixpath.basename(low).startswith("itemprops") and low.endswith(".xml")):
            continue
        root = pkg.xml(member, "自定义XML数据", PartKind.METADATA)
        if root is None:
            continue
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for value in (el.text, *el.attrib.values()):
                if value and _LETTER.search(value):
                    sink.add(PartKind.METADATA, value.strip(), source=member, origin="custom_xml",
                             paragraph=sink.number(PartKind.METADATA, member))
