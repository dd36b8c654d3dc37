"""A small deterministic PDF builder for tests and the sample generator.

Layout (all in points, A4 portrait, origin bottom-left as in PDF):

* text in reportlab's built-in CID font ``STSong-Light`` (no font file needed; pdfium extracts
  its text correctly), 12 pt, from the left margin (72 pt), first baseline 72 pt below the top;
* 18 pt line pitch; paragraphs separated by an extra 12 pt gap; a "\\n" inside a paragraph forces
  a line break and any longer line wraps every ``wrap_at`` characters; text that does not fit on
  a page flows onto a new page (which gets the header and footer too);
* ``header`` baseline 30 pt below the top edge (glyphs ~20–30 pt from the top), ``footer``
  baseline 22 pt above the bottom edge, drawn on every text page;
* ``scanned_page_png`` appends a last page holding only that picture (no text layer, no header).

reportlab runs with ``invariant=1`` (fixed dates and file ID), so the same arguments give the same
bytes. XMP, form field, embedded file and encryption are added afterwards with pypdf, which keeps
reportlab's file ID, so that stays deterministic too; for encryption pypdf's random file ID, salts
and IVs are drawn from a generator seeded by the content, so encrypted samples are reproducible.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from unittest import mock
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
FONT_SIZE = 12
LINE_PITCH = 18
PARAGRAPH_GAP = 12
MARGIN = 72
HEADER_BASELINE = 30  # below the top edge
FOOTER_BASELINE = 22  # above the bottom edge
PAGE_WIDTH, PAGE_HEIGHT = A4

INFO_SETTERS = {
    "Title": "setTitle",
    "Author": "setAuthor",
    "Subject": "setSubject",
    "Keywords": "setKeywords",
    "Creator": "setCreator",
}


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def wrap_paragraph(paragraph: str, wrap_at: int) -> list[str]:
    """The lines of one paragraph: split at "\\n", then every `wrap_at` characters."""
    lines: list[str] = []
    for segment in paragraph.split("\n"):
        if not segment:
            lines.append("")
            continue
        lines.extend(segment[i : i + wrap_at] for i in range(0, len(segment), wrap_at))
    return lines


class _Writer:
    """Draws lines top-down, starting a new page (with header and footer) when one is full."""

    def __init__(self, canvas: Canvas, header: str | None, footer: str | None) -> None:
        self.canvas = canvas
        self.header = header
        self.footer = footer
        self.y = 0.0
        self.started = False

    def new_page(self) -> None:
        if self.started:
            self.canvas.showPage()
        self.started = True
        self.canvas.setFont(FONT, FONT_SIZE)
        if self.header:
            self.canvas.drawString(MARGIN, PAGE_HEIGHT - HEADER_BASELINE, self.header)
        if self.footer:
            self.canvas.drawString(MARGIN, FOOTER_BASELINE, self.footer)
        self.y = PAGE_HEIGHT - MARGIN - FONT_SIZE

    def line(self, text: str) -> None:
        if self.y < MARGIN:
            self.new_page()
        if text:
            self.canvas.drawString(MARGIN, self.y, text)
        self.y -= LINE_PITCH

    def paragraph_gap(self) -> None:
        self.y -= PARAGRAPH_GAP


def _draw_text_pages(canvas: Canvas, pages: Sequence[Sequence[str]], wrap_at: int, header: str | None,
                     footer: str | None, on_first_page: Callable[[], None]) -> None:
    writer = _Writer(canvas, header, footer)
    for paragraphs in pages or (("",),):
        writer.new_page()
        if canvas.getPageNumber() == 1:
            on_first_page()  # annotations and bookmarks attach to the page being drawn
        for index, paragraph in enumerate(paragraphs):
            if index:
                writer.paragraph_gap()
            for line in wrap_paragraph(paragraph, wrap_at):
                writer.line(line)


def _draw_scanned_page(canvas: Canvas, png: bytes) -> None:
    canvas.showPage()
    image = ImageReader(io.BytesIO(png))
    width, height = image.getSize()
    scale = min((PAGE_WIDTH - 2 * MARGIN) / width, (PAGE_HEIGHT - 2 * MARGIN) / height)
    canvas.drawImage(image, MARGIN, PAGE_HEIGHT - MARGIN - height * scale, width * scale, height * scale)


def _decorate(canvas: Canvas, annotation: tuple[str, str] | None, outline: Sequence[str]) -> None:
    if annotation is not None:
        contents, author = annotation
        canvas.textAnnotation(contents, Rect=(MARGIN, 100, MARGIN + 20, 120), T=PDFString(author))
    for index, title in enumerate(outline):
        key = f"outline{index}"
        canvas.bookmarkPage(key)
        canvas.addOutlineEntry(title, key, level=0)


def _render(pages: Sequence[Sequence[str]], wrap_at: int, header: str | None, footer: str | None,
            info: Mapping[str, str] | None, annotation: tuple[str, str] | None, outline: Sequence[str],
            scanned_page_png: bytes | None) -> bytes:
    _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for key, value in (info or {}).items():
        getattr(canvas, INFO_SETTERS[key])(value)
    _draw_text_pages(canvas, pages, wrap_at, header, footer, lambda: _decorate(canvas, annotation, outline))
    if scanned_page_png is not None:
        _draw_scanned_page(canvas, scanned_page_png)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <dc:format>application/pdf</dc:format>
   <dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
   <xmp:CreateDate>2000-01-01T00:00:00Z</xmp:CreateDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def _post_process(data: bytes, *, xmp_creator: str | None, form_field: tuple[str, str] | None,
                  attachment: tuple[str, bytes] | None, user_password: str | None,
                  owner_password: str | None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    if xmp_creator is not None:
        writer.xmp_metadata = XMP_TEMPLATE.format(creator=escape(xmp_creator)).encode("utf-8")
    if form_field is not None:
        _add_form_field(writer, *form_field)
    if attachment is not None:
        writer.add_attachment(attachment[0], attachment[1])
    out = io.BytesIO()
    if user_password is not None or owner_password is not None:
        # pypdf draws the file ID, salts and IVs from secrets.token_bytes; a generator seeded by the
        # content makes sample files reproducible (never do this for real encryption).
        rng = random.Random(hashlib.sha256(data).digest())
        with mock.patch("secrets.token_bytes", lambda n=32: rng.randbytes(n)):
            writer.encrypt(user_password or "", owner_password or user_password, algorithm="AES-128")
            writer.write(out)
    else:
        writer.write(out)
    return out.getvalue()


def _add_form_field(writer: PdfWriter, name: str, value: str) -> None:
    """A text field on page 1 whose /V is `value` (reportlab's AcroForm cannot encode CJK values)."""
    page = writer.pages[0]
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"),
        NameObject("/T"): TextStringObject(name),
        NameObject("/V"): TextStringObject(value),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (MARGIN, 140, MARGIN + 200, 160)]),
        NameObject("/F"): NumberObject(4),
        NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
        NameObject("/P"): page.indirect_reference,
    })
    ref = writer._add_object(field)  # pypdf has no public "add object"
    annots = page.get("/Annots")
    if annots is None:
        page[NameObject("/Annots")] = ArrayObject([ref])
    else:
        annots.get_object().append(ref)
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([ref]),
        NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
        NameObject("/NeedAppearances"): BooleanObject(True),
    })


def build_pdf(
    path: Path | str,
    *,
    pages: Sequence[Sequence[str]] = (("",),),
    wrap_at: int = 32,
    header: str | None = None,
    footer: str | None = None,
    info: Mapping[str, str] | None = None,
    xmp_creator: str | None = None,
    annotation: tuple[str, str] | None = None,
    form_field: tuple[str, str] | None = None,
    outline: Sequence[str] = (),
    attachment: tuple[str, bytes] | None = None,
    user_password: str | None = None,
    scanned_page_png: bytes | None = None,
    owner_password: str | None = None,
) -> Path:
    """Write a PDF to `path` and return the path. See the module docstring for the layout.

    `pages` is a sequence of pages, each a sequence of paragraphs. `info` keys: Title, Author,
    Subject, Keywords, Creator. `annotation` is (contents, author) of a text note, `form_field`
    (name, value) of a text field; both go on page 1, as do the `outline` bookmarks.
    `user_password` makes opening need a password; `owner_password` alone (no user password)
    only restricts permissions — the file still opens without a password.
    """
    data = _render(pages, wrap_at, header, footer, info, annotation, outline, scanned_page_png)
    if xmp_creator is not None or form_field is not None or attachment is not None or user_password is not None \
            or owner_password is not None:
        data = _post_process(data, xmp_creator=xmp_creator, form_field=form_field, attachment=attachment,
                             user_password=user_password, owner_password=owner_password)
    target = Path(path)
    target.write_bytes(data)
    return target
