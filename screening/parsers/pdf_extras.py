"""The places in a PDF beyond its page text and Info/XMP fields where a name hides (issue 15); what
Acrobat's "Sanitize document" removes.

Per annotation (`annotation_texts`, called for every annotation of every page):
* a link's URI (/A /URI: "https://www.<unit>.com/…?name=…", percent-encoding undone) → METADATA
  origin "link" on its page;
* the text drawn in a stamp's or a free-text annotation's appearance stream (a stamp "衢州XX公司
  审核") → COMMENT origin "annotation"; in a form field's (what it shows, which need not be its
  value) → BODY origin "form_field" (`appearance_texts`: pypdf extracts the text of each /AP /N
  form drawn on a blank page; pdfium gives no text of an annotation's own objects);
* a file-attachment annotation's file → its name as METADATA "embedded_file", its bytes handed over
  as a file inside the attachment (`Inner`, screened as an attachment of its own).

Per document (`document_parts`):
* the files in the EmbeddedFiles name tree → handed over likewise (their names are read by
  pdf.py's `_embedded_parts`);
* document-level JavaScript (/Names /JavaScript): each script's name and its string literals →
  METADATA origin "javascript";
* page labels (/PageLabels: what a viewer shows as the page number, "华康-1"): a label holding a
  letter → METADATA origin "page_label" on its page;
* earlier revisions (`earlier_revisions`): a PDF saved with incremental updates keeps every
  earlier version's objects; the text of the pages of each earlier version that the last one no
  longer has ("deleted" by a later save, still in the file) → BODY origin "earlier_revision" on
  its page. At most `MAX_REVISIONS` earlier versions are read.
"""

from __future__ import annotations

import ctypes
import functools
import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from screening.model import Part, PartKind
from screening.parsers.base import Inner
from screening.parsers.pdfium_lib import pdfium, pdfium_c

MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024
MAX_REVISIONS = 5
MAX_SCRIPT_CHARS = 200_000
_STRING = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)\"""")
_LETTER = re.compile(r"[^\W\d_]")
_EOF = re.compile(rb"%%EOF[ \t\r\n]*")


def wide_string(call: Callable[[Any, int], int]) -> str:
    """Run a pdfium getter that fills a UTF-16LE buffer (size query first) and decode it."""
    size = call(None, 0)
    if size <= 2:
        return ""
    buffer = (ctypes.c_ubyte * size)()
    call(ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size)
    return bytes(buffer)[: size - 2].decode("utf-16-le", errors="replace")





@functools.cache
def _pdf_doc_bytes() -> dict[str, int]:
    """Character → byte: Latin-1 (what pdfium hands over), plus PDFDocEncoding's other characters."""
    from pdfminer.utils import PDFDocEncoding

    return {ch: i for i, ch in enumerate(PDFDocEncoding) if ord(ch) > 0xFF} | {chr(i): i for i in range(256)}


def fix_text_string(value: str) -> str:
    """A PDF text string pdfium handed over undecoded (e.g. a file name in /F): "þÿ..." → UTF-16."""
    if not value.startswith(("\u00fe\u00ff", "\u00ef\u00bb\u00bf")):
        return value
    try:
        raw = bytes(_pdf_doc_bytes()[ch] for ch in value)
    except (KeyError, ValueError):
        return value
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    return raw[2:].decode("utf-16-be", errors="replace")


def _uri(pdf: pdfium.PdfDocument, annot: Any) -> str:
    link = pdfium_c.FPDFAnnot_GetLink(annot)
    action = pdfium_c.FPDFLink_GetAction(link) if link else None
    if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
        return ""
    size = pdfium_c.FPDFAction_GetURIPath(pdf.raw, action, None, 0)
    if size <= 1:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAction_GetURIPath(pdf.raw, action, buffer, size)
    raw = buffer.raw[: size - 1]
    for codec in ("utf-8", "gbk"):
        try:
            text = raw.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("latin-1")
    decoded = unquote(text, errors="replace")
    return text if decoded == text else f"{text}\n{decoded}"


def _attachment(handle: Any) -> tuple[str, bytes] | None:
    name = fix_text_string(wide_string(functools.partial(pdfium_c.FPDFAttachment_GetName, handle))).strip() or "附件"
    length = ctypes.c_ulong()
    if not pdfium_c.FPDFAttachment_GetFile(handle, None, 0, length) or length.value > MAX_ATTACHMENT_BYTES:
        return None
    buffer = ctypes.create_string_buffer(max(length.value, 1))
    if not pdfium_c.FPDFAttachment_GetFile(handle, buffer, length.value, length):
        return None
    return name, buffer.raw[: length.value]


def annotation_texts(pdf: pdfium.PdfDocument, annot: Any) -> tuple[list[tuple[PartKind, str, str]], list[Inner]]:
    """What one annotation adds beyond its /Contents and /T (module docstring): (kind, origin, text)
    triples and the file it carries."""
    subtype = pdfium_c.FPDFAnnot_GetSubtype(annot)
    out: list[tuple[PartKind, str, str]] = []
    inner: list[Inner] = []
    if subtype == pdfium_c.FPDF_ANNOT_LINK and (uri := _uri(pdf, annot)):
        out.append((PartKind.METADATA, "link", uri))
    elif subtype == pdfium_c.FPDF_ANNOT_FILEATTACHMENT:
        handle = pdfium_c.FPDFAnnot_GetFileAttachment(annot)
        found = _attachment(handle) if handle else None
        if found is not None:
            name, data = found
            out.append((PartKind.METADATA, "embedded_file", name))
            inner.append(Inner(f"注释附件：{name}", name, data))
    return out, inner


APPEARANCE_KINDS = {"/Stamp": (PartKind.COMMENT, "annotation"), "/FreeText": (PartKind.COMMENT, "annotation"),
                    "/Widget": (PartKind.BODY, "form_field")}
MAX_APPEARANCES = 200  # annotations' appearances read in one document


def appearance_texts(data: bytes) -> dict[int, list[tuple[PartKind, str, str]]]:
    """Page number → (kind, origin, text) of the text drawn in the appearance streams of its stamps,
    free-text annotations and form fields (module docstring)."""
    from pypdf import PageObject, PdfReader, PdfWriter
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    out: dict[int, list[tuple[PartKind, str, str]]] = {}
    reader = PdfReader(io.BytesIO(data))
    done = 0
    for number, page in enumerate(reader.pages, 1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            kind = APPEARANCE_KINDS.get(str(annot.get("/Subtype")))
            stream = annot.get("/AP", {}).get("/N") if kind else None
            if kind is None or stream is None or done >= MAX_APPEARANCES:
                continue
            done += 1
            form = stream.get_object()
            if not hasattr(form, "get_data"):  # an appearance per state (check boxes): no text to read
                continue
            writer = PdfWriter()
            blank = PageObject.create_blank_page(width=2000, height=2000)
            blank[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/XObject"): DictionaryObject({NameObject("/Ap"): writer._add_object(form)})})
            content = ContentStream(None, writer)
            content.set_data(b"q /Ap Do Q")
            blank.replace_contents(content)
            text = " ".join(blank.extract_text().split())
            if text:
                out.setdefault(number, []).append((*kind, text))
    return out


def embedded_files(pdf: pdfium.PdfDocument) -> list[Inner]:
    out = []
    for i in range(max(pdfium_c.FPDFDoc_GetAttachmentCount(pdf.raw), 0)):
        handle = pdfium_c.FPDFDoc_GetAttachment(pdf.raw, i)
        found = _attachment(handle) if handle else None
        if found is not None:
            name, data = found
            out.append(Inner(f"嵌入文件：{name}", name, data))
    return out


def scripts(pdf: pdfium.PdfDocument) -> list[Part]:
    parts = []
    for i in range(max(pdfium_c.FPDFDoc_GetJavaScriptActionCount(pdf.raw), 0)):
        action = pdfium_c.FPDFDoc_GetJavaScriptAction(pdf.raw, i)
        if not action:
            continue
        try:
            name = wide_string(functools.partial(pdfium_c.FPDFJavaScriptAction_GetName, action))
            script = wide_string(functools.partial(pdfium_c.FPDFJavaScriptAction_GetScript, action))[:MAX_SCRIPT_CHARS]
        finally:
            pdfium_c.FPDFDoc_CloseJavaScriptAction(action)
        literals = [a or b for a, b in _STRING.findall(script)]
        for text in (name, *literals):
            if text.strip() and _LETTER.search(text):
                parts.append(Part(PartKind.METADATA, text.strip(), origin="javascript", source="javascript"))
    return parts


def page_labels(pdf: pdfium.PdfDocument) -> list[Part]:
    parts = []
    for index in range(len(pdf)):
        label = wide_string(functools.partial(pdfium_c.FPDF_GetPageLabel, pdf.raw, index)).strip()
        if label and _LETTER.search(label):
            parts.append(Part(PartKind.METADATA, label, page=index + 1, origin="page_label", source="page_labels"))
    return parts


def revision_ends(data: bytes) -> list[int]:
    """Where each earlier version of the file ends (after its %%EOF), oldest first; the last version
    is the file itself."""
    ends = [m.end() for m in _EOF.finditer(data)]
    return [end for end in ends if end < len(data.rstrip())][-MAX_REVISIONS:]


def _page_lines(pdf: pdfium.PdfDocument) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for index in range(len(pdf)):
        page = pdf.get_page(index)
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
        finally:
            page.close()
        out[index + 1] = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return out


def earlier_revisions(data: bytes, final: pdfium.PdfDocument) -> list[Part]:
    """The page text of earlier versions that the file as saved last no longer shows."""
    ends = revision_ends(data)
    if not ends:
        return []
    now = {line for lines in _page_lines(final).values() for line in lines}
    parts: list[Part] = []
    seen: set[str] = set()
    for end in ends:
        try:
            older = pdfium.PdfDocument(data[:end])
        except Exception:  # an update that is no complete file by itself (a linearised first part)
            continue
        try:
            for page, lines in _page_lines(older).items():
                gone = [line for line in lines if line not in now and line not in seen]
                seen.update(gone)
                if gone:
                    parts.append(Part(PartKind.BODY, "\n".join(gone), page=page, origin="earlier_revision",
                                      source=f"revision {ends.index(end) + 1}"))
        finally:
            older.close()
    return parts
