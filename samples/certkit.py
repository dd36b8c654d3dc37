"""Fictional Chinese patent certificates (专利证书) for tests and the sample generator.

`build_certificate_pdf` writes a text PDF laid out like CNIPA's electronic certificates
(shared/spec/patents.md §2–§3); `render_certificate_png` draws the same page as a scan-like
picture (for OCR). Both render one layout model (`layout()`), so text and picture agree.

Layout (A4 portrait, points, y measured from the top edge):

* heading (`发 明 专 利 证 书`, 22 pt) centred at y 64; `证书号第…号` right-aligned at y 104;
* fields from y 150, 24 pt apart: the label at x 72 (letter-spaced when `letter_spaced`, with a
  full-width colon), the value at x 192, wrapped every `VALUE_WRAP` characters; in a `;`-list
  the separator is dropped at a wrap, as on real certificates (§4); 授权公告日 and 授权公告号
  share one line (the second label at x 330);
* the grant statement and term sentence, the register notice and, on the one-page layout, the
  annual-fee note, wrapped every `PROSE_WRAP` characters, 18 pt apart;
* `局长` and the director's name at x 400 near the bottom; the page marker `第1页（共N页）`
  centred at y 812;
* the two-page layout moves the annual-fee note and the filing-time applicant and inventors
  (申请日时本专利记载的申请人、发明人信息如下) to page 2.

PDF text uses reportlab's built-in CID font STSong-Light (no font file needed) with
`invariant=1`, so the same arguments give the same bytes. The picture uses WenQuanYi Zen Hei
(`FONT_PATH`), grey paper, noise from a seeded generator and a slight rotation: also deterministic.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

Kind = Literal["invention", "utility_model", "design"]
Layout = Literal["one_page", "two_page"]

PDF_FONT = "STSong-Light"
FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT, RIGHT = 72.0, PAGE_WIDTH - 72.0
VALUE_X = 192.0
SECOND_LABEL_X, SECOND_VALUE_X = 330.0, 440.0
FIELD_TOP, FIELD_PITCH = 150.0, 24.0
PROSE_PITCH = 18.0
VALUE_WRAP = 26
PROSE_WRAP = 36
SIZE = 12.0

HEADING = {"invention": "发明专利证书", "utility_model": "实用新型专利证书", "design": "外观设计专利证书"}
TITLE_LABEL = {"invention": "发明名称", "utility_model": "实用新型名称", "design": "外观设计名称"}
PEOPLE_LABEL = {"invention": "发明人", "utility_model": "发明人", "design": "设计人"}
TERM_WORDS = {10: "十", 15: "十五", 20: "二十"}
DIRECTOR = "申长雨"


@dataclass(frozen=True, slots=True)
class Text:
    """One string on a page: x of its left edge (or centre/right, see `align`), y of its baseline."""

    x: float
    y: float
    text: str
    size: float = SIZE
    align: Literal["left", "centre", "right"] = "left"


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def cn_date(value: date | str) -> str:
    d = _date(value)
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def spaced_label(label: str, letter_spaced: bool) -> str:
    return (" ".join(label) if letter_spaced else label) + "："


def printed_number(number: str) -> str:
    """`ZL202010430096.0` → `ZL 2020 1 0430096.0` (as printed; malformed input is kept)."""
    s = "".join(number.split()).upper().removeprefix("ZL").removeprefix("CN")
    body, dot, check = s.partition(".")
    if len(body) == 12:
        return f"ZL {body[:4]} {body[4]} {body[5:]}{dot}{check}"
    if len(body) == 8:
        return f"ZL {body[:2]} {body[2]} {body[3:]}{dot}{check}"
    return f"ZL {s}"


def printed_publication(number: str) -> str:
    """`CN111472379B` → `CN 111472379 B`."""
    s = "".join(number.split()).upper()
    digits = "".join(ch for ch in s[2:] if ch.isdigit())
    return f"CN {digits} {s[2 + len(digits):]}"


def wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def wrap_names(names: Sequence[str], width: int) -> list[str]:
    """A `;`-list wrapped like a certificate: the separator at a wrap is dropped (§4)."""
    lines: list[str] = []
    current = ""
    for name in names:
        candidate = f"{current};{name}" if current else name
        if len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = wrap(name, width)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    lines.append(current)
    return lines


def term_years(kind: Kind, filing: date) -> int:
    if kind == "design":
        return 15 if filing >= date(2021, 6, 1) else 10
    return 20 if kind == "invention" else 10


def grant_statement(kind: Kind, filing: date) -> str:
    review = "进行审查" if kind == "invention" else "经过初步审查"
    years = TERM_WORDS[term_years(kind, filing)]
    return (f"国家知识产权局依照中华人民共和国专利法{review}，决定授予专利权，颁发{HEADING[kind]}"
            f"并在专利登记簿上予以登记。专利权自授权公告之日起生效。专利权期限为{years}年，自申请日起算。")


REGISTER_NOTICE = ("专利证书记载专利权登记时的法律状况。专利权的转移、质押、无效、终止、恢复和专利权人的姓名或名称、"
                   "国籍、地址变更等事项记载在专利登记簿上。")


def fee_note(filing: date) -> str:
    return (f"专利权人应当依照专利法及其实施细则规定缴纳年费。本专利的年费应当在每年{filing.month:02d}月{filing.day:02d}日"
            "前缴纳。未按照规定缴纳年费的，专利权自应当缴纳年费期满之日起终止。")


@dataclass(frozen=True, slots=True)
class CertificateSpec:
    kind: Kind
    number: str
    title: str
    inventors: tuple[str, ...]
    patentees: tuple[str, ...]
    address: str
    filing_date: date
    grant_date: date
    publication_number: str
    certificate_serial: str
    layout: Layout = "one_page"
    letter_spaced: bool = True
    filing_applicants: tuple[str, ...] | None = None  # default: the patentees
    filing_inventors: tuple[str, ...] | None = None  # default: the inventors
    director: str = DIRECTOR


class _Page:
    def __init__(self) -> None:
        self.items: list[Text] = []
        self.y = FIELD_TOP

    def field(self, label: str, lines: Sequence[str], spec: CertificateSpec) -> None:
        self.items.append(Text(LEFT, self.y, spaced_label(label, spec.letter_spaced)))
        for line in lines:
            self.items.append(Text(VALUE_X, self.y, line))
            self.y += FIELD_PITCH

    def prose(self, text: str, gap: float = 10.0) -> None:
        self.y += gap
        for line in wrap(text, PROSE_WRAP):
            self.items.append(Text(LEFT, self.y, line))
            self.y += PROSE_PITCH


def layout(spec: CertificateSpec) -> list[list[Text]]:
    """The certificate's pages as positioned strings (see the module docstring)."""
    pages_total = 2 if spec.layout == "two_page" else 1
    first = _Page()
    first.items.append(Text(PAGE_WIDTH / 2, 64, " ".join(HEADING[spec.kind]), 22, "centre"))
    first.items.append(Text(RIGHT, 104, f"证书号第{spec.certificate_serial}号", 11, "right"))
    first.field(TITLE_LABEL[spec.kind], wrap(spec.title, VALUE_WRAP), spec)
    first.field(PEOPLE_LABEL[spec.kind], wrap_names(spec.inventors, VALUE_WRAP), spec)
    first.field("专利号", [printed_number(spec.number)], spec)
    first.field("专利申请日", [cn_date(spec.filing_date)], spec)
    first.field("专利权人", wrap_names(spec.patentees, VALUE_WRAP), spec)
    first.field("地址", wrap(spec.address, VALUE_WRAP), spec)
    applicants = spec.filing_applicants if spec.filing_applicants is not None else spec.patentees
    inventors = spec.filing_inventors if spec.filing_inventors is not None else spec.inventors
    if spec.layout == "one_page":
        first.field("申请日时申请人", wrap_names(applicants, VALUE_WRAP), spec)
        first.field("申请日时" + PEOPLE_LABEL[spec.kind], wrap_names(inventors, VALUE_WRAP), spec)
    first.items.append(Text(SECOND_LABEL_X, first.y, spaced_label("授权公告号", spec.letter_spaced)))
    first.items.append(Text(SECOND_VALUE_X, first.y, printed_publication(spec.publication_number)))
    first.field("授权公告日", [cn_date(spec.grant_date)], spec)
    first.prose(grant_statement(spec.kind, spec.filing_date))
    first.prose(REGISTER_NOTICE)
    if spec.layout == "one_page":
        first.prose(fee_note(spec.filing_date))
    else:
        first.prose("其他事项参见续页。")
    first.items.append(Text(400, 740, " ".join("局长")))
    first.items.append(Text(400, 764, spec.director))
    pages = [first]
    if spec.layout == "two_page":
        second = _Page()
        second.y = 90
        second.prose(fee_note(spec.filing_date), gap=0)
        second.prose(f"申请日时本专利记载的申请人、{PEOPLE_LABEL[spec.kind]}信息如下：", gap=20)
        for label, names in (("申请人", applicants), (PEOPLE_LABEL[spec.kind], inventors)):
            second.y += 6
            second.items.append(Text(LEFT, second.y, label + "："))
            second.y += PROSE_PITCH
            for line in wrap_names(names, PROSE_WRAP):
                second.items.append(Text(LEFT, second.y, line))
                second.y += PROSE_PITCH
        pages.append(second)
    for number, page in enumerate(pages, 1):
        page.items.append(Text(PAGE_WIDTH / 2, 812, f"第{number}页（共{pages_total}页）", 10, "centre"))
    return [page.items for page in pages]


def spec_of(
    *,
    kind: Kind = "invention",
    number: str,
    title: str,
    inventors: Sequence[str],
    patentees: Sequence[str],
    address: str,
    filing_date: date | str,
    grant_date: date | str,
    publication_number: str,
    certificate_serial: str,
    layout: Layout = "one_page",
    letter_spaced: bool = True,
    filing_applicants: Sequence[str] | None = None,
    filing_inventors: Sequence[str] | None = None,
    director: str = DIRECTOR,
) -> CertificateSpec:
    return CertificateSpec(
        kind=kind, number=number, title=title, inventors=tuple(inventors), patentees=tuple(patentees),
        address=address, filing_date=_date(filing_date), grant_date=_date(grant_date),
        publication_number=publication_number, certificate_serial=certificate_serial, layout=layout,
        letter_spaced=letter_spaced,
        filing_applicants=tuple(filing_applicants) if filing_applicants is not None else None,
        filing_inventors=tuple(filing_inventors) if filing_inventors is not None else None,
        director=director,
    )


# ---------------------------------------------------------------- PDF


def _register_font() -> None:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def certificate_pdf_bytes(spec: CertificateSpec) -> bytes:
    _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(HEADING[spec.kind])
    for items in layout(spec):
        for item in items:
            canvas.setFont(PDF_FONT, item.size)
            y = PAGE_HEIGHT - item.y
            if item.align == "centre":
                canvas.drawCentredString(item.x, y, item.text)
            elif item.align == "right":
                canvas.drawRightString(item.x, y, item.text)
            else:
                canvas.drawString(item.x, y, item.text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def build_certificate_pdf(path: Path | str, **fields: object) -> Path:
    """Write a text-layer certificate PDF; keyword arguments as `spec_of` (kind, number, title,
    inventors, patentees, address, filing_date, grant_date, publication_number,
    certificate_serial, layout="one_page"|"two_page", letter_spaced=True)."""
    target = Path(path)
    target.write_bytes(certificate_pdf_bytes(spec_of(**fields)))  # type: ignore[arg-type]
    return target


# ---------------------------------------------------------------- scan-like picture


def certificate_png_bytes(spec: CertificateSpec, *, page: int = 1, dpi: int = 170, rotation: float = 0.6,
                          noise: float = 0.03, seed: int = 0) -> bytes:
    """One page of the certificate as a grey, noisy, slightly rotated PNG at `dpi`."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    if not 150 <= dpi <= 300:
        raise ValueError("dpi must be between 150 and 300")
    items = layout(spec)[page - 1]
    scale = dpi / 72
    width, height = round(PAGE_WIDTH * scale), round(PAGE_HEIGHT * scale)
    image = Image.new("L", (width, height), 246)
    draw = ImageDraw.Draw(image)
    fonts: dict[float, ImageFont.FreeTypeFont] = {}
    for item in items:
        font = fonts.setdefault(item.size, ImageFont.truetype(FONT_PATH, round(item.size * scale), index=0))
        text_width = draw.textlength(item.text, font=font)
        x = item.x * scale - (text_width / 2 if item.align == "centre" else text_width if item.align == "right" else 0)
        draw.text((x, item.y * scale), item.text, font=font, fill=24, anchor="ls")
    rng = random.Random(seed)
    pixels = image.load()
    assert pixels is not None
    for _ in range(round(width * height * noise)):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.choice((90, 160, 200, 255))
    image = image.filter(ImageFilter.GaussianBlur(0.6)).rotate(rotation, resample=Image.Resampling.BICUBIC,
                                                               fillcolor=246)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()


def render_certificate_png(path: Path | str, *, page: int = 1, dpi: int = 170, rotation: float = 0.6,
                           noise: float = 0.03, seed: int = 0, **fields: object) -> Path:
    """Write one page of a certificate as a scan-like PNG; `fields` as `build_certificate_pdf`."""
    target = Path(path)
    spec = spec_of(**fields)  # type: ignore[arg-type]
    target.write_bytes(certificate_png_bytes(spec, page=page, dpi=dpi, rotation=rotation, noise=noise, seed=seed))
    return target
