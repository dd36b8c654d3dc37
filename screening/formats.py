"""Every attachment format the screener knows, in one table: how the bytes are recognised, which
extensions promise it, what a clerk calls it, and the functions that parse, OCR, mask and annotate it.

Adding a format is one record here plus the modules it names (a parser returning `Parsed`; an
OCR loader and a masker when it has pictures or can be redacted; an annotator when the findings
can be shown in a copy) — nothing else branches on the format. The functions are named as
"module:function" and imported on first use: each parser pulls in its own heavy libraries, and
this module stays importable from anywhere (model.py uses `Format`).

The format is decided by the file's first bytes (`sniff`), never by its extension alone: an
extension that lies is reported and the file is read as what it really is (screening/parsers).
The one exception is a format whose bytes are another's (`FormatInfo.sniffed_as`: a Kingsoft .wps
is a Word 97 binary): there the extension tells which of the two it is (`settle`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any


class Format(StrEnum):
    """`Document.format`: what an attachment really is (a str: the report JSON writes the value)."""

    DOCX = "docx"
    PDF = "pdf"
    IMAGE = "image"
    XLSX = "xlsx"  # Excel workbook (a zip with xl/workbook.xml)
    XLS = "xls"  # legacy Excel workbook (OLE2 with a Workbook stream)
    DOC = "doc"  # legacy Word (OLE2 with a WordDocument stream): converted by LibreOffice, properties by olefile
    WPS = "wps"  # Kingsoft WPS text: a Word 97 binary too; the .wps extension tells it from a .doc
    ODT = "odt"  # OpenDocument text (a zip whose mimetype member says so)
    RTF = "rtf"  # Rich Text Format ("{\\rtf")
    OFD = "ofd"  # GB/T 33190-2016 fixed-layout document (a zip with OFD.xml)
    ENCRYPTED_OFFICE = "encrypted_office"  # an OOXML file behind a password (OLE2 with EncryptionInfo)
    ZIP = "zip"  # a zip that is no Word document or workbook: its members are screened
    TEXT = "text"  # plain text (no signature: the extension decides; files inside attachments)
    HTML = "html"  # a web page or web archive (no signature: the extension decides)
    UNKNOWN = ""


@dataclass(frozen=True, slots=True)
class FormatInfo:
    format: Format
    name: str  # what a clerk calls it (Chinese)
    extensions: tuple[str, ...] = ()  # file extensions that promise this format (lower case, with the dot)
    parser: str | None = None  # "module:function" (bytes → Parsed); None: recognised, not read
    parsed_as: Format | None = None  # Document.format once parsed (default: the format itself)
    ocr_loader: str | None = None  # "module:function" giving the pictures OCR reads (parsers/ocr.py)
    masker: str | None = None  # "module:function" (bytes, Needles → bytes): redaction
    sanitizer: str | None = None  # "module:function" (bytes → bytes, what it removed): redact --sanitize
    # "module:function" (bytes, findings, Document | None → annotate.Marked): a copy with the findings
    # shown where they are (`screening.annotate`: Word comments, PDF highlights and notes)
    annotator: str | None = None
    media_type: str | None = None  # the HTTP Content-Type of a (redacted) copy
    # its parser writes tables as TABLE parts whose source names the cell ("member#t1r2c3"), from
    # which budget.py rebuilds the grid (docx; a workbook's sheets, "sheet1:预算#t1r2c3")
    table_parts: bool = False
    # the format whose bytes this one's are (the sniffer cannot tell them apart: the extension does)
    sniffed_as: Format | None = None
    # an attachment the bureau accepts as an upload; False: read when it comes inside one (a .txt in
    # a zip or attached to a PDF), and as an upload read too but reported document.unsupported
    upload: bool = True


FORMATS: dict[Format, FormatInfo] = {info.format: info for info in (
    FormatInfo(Format.DOCX, "Word文档(docx)", (".docx",), "screening.parsers.docx:parse",
               ocr_loader="screening.parsers.ocr:docx_pictures", masker="screening.masking.docx:mask_docx",
               sanitizer="screening.masking.sanitize_docx:sanitize", annotator="screening.annotate.docx:annotate_docx",
               media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document", table_parts=True),
    FormatInfo(Format.PDF, "PDF", (".pdf",), "screening.parsers.pdf:parse",
               ocr_loader="screening.parsers.ocr:pdf_pictures", masker="screening.masking.pdf:mask_pdf",
               sanitizer="screening.masking.sanitize_pdf:sanitize", annotator="screening.annotate.pdf:annotate_pdf",
               media_type="application/pdf"),
    FormatInfo(Format.IMAGE, "图片", (".png", ".jpg", ".jpeg", ".tif", ".tiff"), "screening.parsers.image:parse",
               ocr_loader="screening.parsers.ocr:image_frames", masker="screening.masking.pictures:picture_copy",
               sanitizer="screening.masking.pictures:picture_sanitize"),
    FormatInfo(Format.XLSX, "Excel工作簿(xlsx)", (".xlsx",), "screening.parsers.sheets:parse_xlsx", table_parts=True),
    FormatInfo(Format.XLS, "旧版Excel工作簿(xls)", (".xls",), "screening.parsers.sheets:parse_xls", table_parts=True),
    FormatInfo(Format.DOC, "旧版Word(doc)", (".doc",), "screening.parsers.legacy:parse_doc",
               ocr_loader="screening.parsers.ocr:legacy_pictures", media_type="application/msword", table_parts=True),
    FormatInfo(Format.WPS, "WPS文字(wps)", (".wps",), "screening.parsers.legacy:parse_wps",
               ocr_loader="screening.parsers.ocr:legacy_pictures", media_type="application/wps-office.wps",
               table_parts=True, sniffed_as=Format.DOC),
    FormatInfo(Format.ODT, "ODF文本文档(odt)", (".odt",), "screening.parsers.odt:parse",
               ocr_loader="screening.parsers.ocr:zip_pictures", media_type="application/vnd.oasis.opendocument.text",
               table_parts=True),
    FormatInfo(Format.RTF, "RTF文档", (".rtf",), "screening.parsers.rtf:parse", media_type="application/rtf"),
    FormatInfo(Format.OFD, "OFD版式文件", (".ofd",), "screening.parsers.ofd:parse",
               ocr_loader="screening.parsers.ocr:zip_pictures", media_type="application/ofd"),
    FormatInfo(Format.TEXT, "纯文本", (".txt", ".csv", ".md"), "screening.parsers.plain:parse_text",
               media_type="text/plain", sniffed_as=Format.UNKNOWN, upload=False),
    FormatInfo(Format.HTML, "网页(html)", (".htm", ".html", ".mht", ".mhtml"), "screening.parsers.plain:parse_html",
               media_type="text/html", sniffed_as=Format.UNKNOWN, upload=False),
    FormatInfo(Format.ENCRYPTED_OFFICE, "加密的Office文档", parsed_as=Format.DOCX),
    FormatInfo(Format.ZIP, "压缩包(zip)", (".zip",), "screening.parsers.archive:parse", media_type="application/zip"),
    FormatInfo(Format.UNKNOWN, "未知格式"),
)}

ACCEPTED = "docx、doc、wps、odt、rtf、ofd、pdf、xlsx、xls或图片"  # what a clerk is told to upload instead of an unsupported file
EXTENSIONS: dict[str, Format] = {ext: info.format for info in FORMATS.values() for ext in info.extensions}
READABLE = frozenset(f for f, info in FORMATS.items() if info.parser is not None)
REDACTABLE = frozenset(f for f, info in FORMATS.items() if info.masker is not None)
ANNOTATABLE = frozenset(f for f, info in FORMATS.items() if info.annotator is not None)


# the kinds of picture read (and masked: a picture's copy keeps its kind): first bytes, the
# extension a copy takes, its HTTP Content-Type
PICTURE_KINDS = ((b"\x89PNG\r\n\x1a\n", ".png", "image/png"), (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
                 (b"II*\x00", ".tif", "image/tiff"), (b"MM\x00*", ".tif", "image/tiff"))


def picture_kind(data: bytes) -> tuple[str, str] | None:
    """A picture's (extension, Content-Type) by its first bytes; None when it is none of PICTURE_KINDS."""
    return next(((ext, media) for head, ext, media in PICTURE_KINDS if data.startswith(head)), None)


def info(fmt: str) -> FormatInfo:
    """The record of a format (a `Format` or its value; anything else is `UNKNOWN`'s)."""
    try:
        return FORMATS[Format(fmt)]
    except ValueError:
        return FORMATS[Format.UNKNOWN]


def parsed_as(fmt: str) -> Format:
    """What `Document.format` says of a file sniffed as `fmt`."""
    record = info(fmt)
    return record.parsed_as or record.format


def settle(sniffed: Format, promised: Format | None) -> Format:
    """The format of a file whose bytes sniff as `sniffed` and whose extension promises `promised`:
    the promised one when its bytes are the sniffed one's (`FormatInfo.sniffed_as`: a .wps is a
    Word 97 binary, sniffed as DOC), else what the bytes are."""
    if promised is not None and promised in FORMATS and FORMATS[promised].sniffed_as is sniffed:
        return promised
    return sniffed


def sniff(data: bytes) -> Format:
    """The format the bytes really are (a .wps sniffs as DOC: see `settle`)."""
    head = data[:8]
    if head.startswith(b"%PDF-"):
        return Format.PDF
    # a zip's magic at the very start decides before a "%PDF-" further on (readers accept that up
    # to 1024 bytes in): a zip storing a PDF uncompressed holds one there
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if _odf_text(data):
            return Format.ODT
        names = _zip_names(data)
        if names is not None:  # the package's own members, not names inside a file it stores
            if any(n.startswith("word/") for n in names):
                return Format.DOCX
            if "xl/workbook.xml" in names:
                return Format.XLSX
            return Format.OFD if "ofd.xml" in names else Format.ZIP
        # a damaged central directory: the member names in the local headers and wherever they are
        ends = (data[:65536], data[-65536:])
        if any(b"word/" in part for part in ends):
            return Format.DOCX
        if any(b"xl/workbook.xml" in part for part in ends):
            return Format.XLSX
        return Format.OFD if any(b"ofd.xml" in part.lower() for part in ends) else Format.ZIP
    if b"%PDF-" in data[:1024]:
        return Format.PDF
    if picture_kind(head) is not None:
        return Format.IMAGE
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2
        return _ole2(data)
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return Format.RTF
    return Format.UNKNOWN


def _zip_names(data: bytes) -> set[str] | None:
    """The zip's member names (lower case) from its central directory, None when it cannot be read."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {name.lower() for name in zf.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


_ODF_TEXT = (b"application/vnd.oasis.opendocument.text", b"application/vnd.oasis.opendocument.text-template")


def _odf_text(data: bytes) -> bool:
    """An OpenDocument text: its first member is "mimetype", stored, holding the text media type
    (the OpenDocument package rule that lets the first bytes tell the kind)."""
    if len(data) < 30:
        return False
    name_length, extra_length = int.from_bytes(data[26:28], "little"), int.from_bytes(data[28:30], "little")
    if data[30 : 30 + name_length] != b"mimetype":
        return False
    start = 30 + name_length + extra_length
    content = data[start : start + 64]
    return any(content.startswith(kind) and content[len(kind):len(kind) + 1] in (b"", b"P", b"\n", b"\r", b" ")
               for kind in _ODF_TEXT)


# the top-level streams that tell an OLE2 file's kind, in the order they are asked about
_OLE2_STREAMS = ((("encryptioninfo", "encryptedpackage"), Format.ENCRYPTED_OFFICE), (("workbook",), Format.XLS),
                 (("book",), Format.XLS), (("worddocument",), Format.DOC))
_OLE2_DAMAGED = (("encryptioninfo", Format.ENCRYPTED_OFFICE), ("workbook", Format.XLS), ("worddocument", Format.DOC))


def _ole2(data: bytes) -> Format:
    """An OLE2 file by the streams at the top of its directory: a password-protected OOXML file
    (EncryptionInfo and EncryptedPackage), a legacy workbook (Workbook; "Book" for Excel 5.0/95),
    a legacy Word file (WordDocument); any other (PowerPoint, Outlook, an installer …) is UNKNOWN.
    A directory that cannot be read (a truncated or damaged file) is judged by the stream names its
    bytes hold (the parser then reports the damage); when they hold none of these, UNKNOWN."""
    from screening.parsers.sheets import cfb  # the standard library only; late, like every parser

    try:
        names = cfb.top_level_names(data)
    except cfb.CfbError:
        lowered = data.lower()
        return next((fmt for name, fmt in _OLE2_DAMAGED if name.encode("utf-16-le") in lowered), Format.UNKNOWN)
    return next((fmt for streams, fmt in _OLE2_STREAMS if all(s in names for s in streams)), Format.UNKNOWN)


@cache
def function(reference: str) -> Callable[..., Any]:
    """The function a record names as "module:function", imported on first use."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


__all__ = ["ANNOTATABLE", "EXTENSIONS", "FORMATS", "PICTURE_KINDS", "READABLE", "REDACTABLE", "Format", "FormatInfo",
           "function", "info", "parsed_as", "picture_kind", "settle", "sniff"]
