"""Scan-like pictures of Chinese text, PDFs of them without a text layer, and the sample projects
whose leaks only OCR can find.

Rendering (`render_page`): an A4 page at `dpi` (default 200) in grey levels, the text set in
WenQuanYi Zen Hei (`FONT`; needed only to regenerate, the outputs are committed) at 12 pt with a
1.5 line pitch, 2.5 cm margins and a two-character first-line indent. A "\\n" inside a paragraph
forces a line break (to put a name across two lines on purpose); longer lines wrap at the right
margin. The "scanner" (`scanner`) then adds what flatbed scans have, all drawn from
`random.Random(seed)` so the same arguments give the same pixels: a paper tone that varies slowly
across the page, dust specks, a slight blur and a rotation of at most `MAX_ANGLE` degrees.

`scan_pdf` puts pictures as full-page images (JPEG inside, the way scanners do) into a PDF with no
text layer at all; reportlab runs with `invariant=1`, so its bytes are reproducible too.

Projects (`projects()`): every leak is visible only in pixels, so gold marks it `"needs_ocr": true`,
with the surface as printed (a "\\n" where the printed line breaks).

| id | what | verdict |
| --- | --- | --- |
| 0201 | scanned feasibility report PDF (3 pages, no text layer): the applicant's full name on page 2, broken across two lines; a supplier and the city as decoys | fail |
| 0202 | JPEG photo of a red banner with the applicant's short name | fail |
| 0203 | docx with a pasted picture of a table naming a team member | fail |
| 0204 | clean scanned budget naming a supplier and the city (decoys) | pass |
| 0205 | patent project, certificate as a scan-like PNG (samples/certkit.py), read sure enough and agreeing with itself: every rule passes | pass |
| 0206 | patent project, two-page certificate scanned into a PDF: co-owned with a university | fail (patent.ownership) |

The patent projects follow samples/certificates.py's gold conventions (the `patent` block at
R = submitted_at, `rules` and `rules_must_not_fire`); `expected_patents()` gives their blocks for
`screening patent FILE` as samples.certificates.expected_patents does.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from samples.make_samples import (
    BUDGET,
    BUDGET_LINES,
    FEASIBILITY,
    Project,
    application,
    budget_pdf,
    filler,
    report_docx,
)

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
DPI = 200
A4_INCHES = (210 / 25.4, 297 / 25.4)
MARGIN_INCHES = 2.5 / 2.54
FONT_PT = 12
TITLE_PT = 16
PITCH = 1.5  # line pitch, in font sizes
MAX_ANGLE = 1.5  # degrees
PAPER = 246  # grey level of the paper
INK = 35  # grey level of the print
JPEG_QUALITY = 80


def font(size_px: int) -> ImageFont.FreeTypeFont:
    if not FONT.is_file():
        raise SystemExit(f"{FONT} is missing: install the WenQuanYi Zen Hei font (apt-get install fonts-wqy-zenhei)")
    return ImageFont.truetype(str(FONT), size_px)


def px(points: float, dpi: int) -> int:
    return round(points * dpi / 72)


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float, indent: float) -> list[tuple[str, float]]:
    """(line, x offset) of one paragraph: forced breaks at "\\n", else at the right margin — between
    any two Chinese characters, but never inside a number or a Latin word."""
    lines: list[tuple[str, float]] = []
    for number, segment in enumerate(text.split("\n")):
        current, offset = "", (indent if number == 0 else 0.0)
        for ch in segment:
            if current and face.getlength(current + ch) > width - offset:
                keep = len(current)
                while _word(ch) and keep > 0 and _word(current[keep - 1]):
                    keep -= 1
                keep = keep or len(current)  # a word longer than the line is cut
                lines.append((current[:keep], offset))
                current, offset = current[keep:], 0.0
            current += ch
        lines.append((current, offset))
    return lines


def scanner(page: Image.Image, seed: int, angle: float | None = None) -> Image.Image:
    """What a flatbed scan does to a clean page: paper tone, dust, blur, a small rotation.

    `angle` defaults to a value drawn from the seed within ±`MAX_ANGLE` degrees.
    """
    rng = random.Random(seed)
    if angle is None:
        angle = rng.uniform(-MAX_ANGLE, MAX_ANGLE)
    if abs(angle) > MAX_ANGLE:
        raise ValueError(f"angle {angle} beyond ±{MAX_ANGLE}°")
    width, height = page.size
    tone = Image.linear_gradient("L").resize((width, height)).point(lambda v: v // 40)  # 0..6 grey levels darker
    if rng.random() < 0.5:
        tone = tone.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    out = ImageChops.subtract(page.convert("L"), tone)
    draw = ImageDraw.Draw(out)
    for _ in range(width * height // 20_000):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.choice((1, 1, 2, 3))
        draw.ellipse((x, y, x + r, y + r), fill=rng.randrange(90, 200))
    out = out.filter(ImageFilter.GaussianBlur(0.6))
    return out.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=PAPER)


def render_page(paragraphs: Sequence[str], *, title: str | None = None, dpi: int = DPI, seed: int = 0,
                angle: float | None = None, clean: bool = False) -> Image.Image:
    """An A4 page of `paragraphs` as a scanner sees it (`clean=True`: the page before the scanner)."""
    width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    margin = round(MARGIN_INCHES * dpi)
    page = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(page)
    body, size = font(px(FONT_PT, dpi)), px(FONT_PT, dpi)
    y = float(margin)
    if title:
        head = font(px(TITLE_PT, dpi))
        draw.text(((width - head.getlength(title)) / 2, y), title, font=head, fill=INK)
        y += px(TITLE_PT, dpi) * 2.5
    for paragraph in paragraphs:
        for line, offset in wrap(paragraph, body, width - 2 * margin, 2 * size):
            if y > height - margin - size:
                raise ValueError("the text does not fit on one page")
            draw.text((margin + offset, y), line, font=body, fill=INK)
            y += size * PITCH
        y += size * 0.5
    return page if clean else scanner(page, seed, angle)


def encode(image: Image.Image, fmt: str = "JPEG", dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi))
    else:
        image.save(buffer, fmt, dpi=(dpi, dpi))
    return buffer.getvalue()


def scan_pdf(path: Path | str, pages: Sequence[Image.Image]) -> Path:
    """A PDF of full-page pictures (A4) and nothing else: no text layer, no fonts."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        canvas.drawImage(ImageReader(io.BytesIO(encode(page))), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    target = Path(path)
    target.write_bytes(buffer.getvalue())
    return target


def banner_photo(text: str, *, seed: int = 0, size: tuple[int, int] = (1600, 1000)) -> Image.Image:
    """A photo of a red banner with yellow characters hung on a wall (RGB)."""
    rng = random.Random(seed)
    width, height = size
    wall = Image.linear_gradient("L").resize((width, height)).point(lambda v: 150 + v // 4)
    photo = Image.merge("RGB", (wall, wall.point(lambda v: v - 8), wall.point(lambda v: v - 20)))
    draw = ImageDraw.Draw(photo)
    face = font(height // 12)
    text_width = face.getlength(text)
    pad_x, pad_y = height // 14, height // 22
    x0, y0 = (width - text_width) / 2 - pad_x, height * 0.3
    draw.rectangle((x0, y0, x0 + text_width + 2 * pad_x, y0 + height // 12 + 2 * pad_y), fill=(190, 22, 28))
    draw.text((x0 + pad_x, y0 + pad_y), text, font=face, fill=(255, 222, 60))
    for _ in range(6):  # people's heads and shoulders in front of the wall
        cx, r = rng.randrange(width), rng.randrange(height // 14, height // 9)
        draw.ellipse((cx - r, height * 0.72 - r, cx + r, height * 0.72 + r), fill=(40, 35, 30))
        draw.rectangle((cx - 2 * r, height * 0.72 + r, cx + 2 * r, height), fill=tuple(rng.randrange(30, 120) for _ in "rgb"))
    photo = photo.rotate(rng.uniform(-MAX_ANGLE, MAX_ANGLE), resample=Image.Resampling.BICUBIC, fillcolor=(120, 110, 100))
    return photo.filter(ImageFilter.GaussianBlur(0.8))


def table_picture(rows: Sequence[Sequence[str]], *, seed: int = 0, cell: tuple[int, int] = (330, 70)) -> Image.Image:
    """A screenshot-like picture of a table (RGB), as pasted into Word."""
    cell_w, cell_h = cell
    columns = max(len(row) for row in rows)
    image = Image.new("RGB", (columns * cell_w + 41, len(rows) * cell_h + 41), "white")
    draw = ImageDraw.Draw(image)
    face = font(cell_h * 4 // 10)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x, y = 20 + c * cell_w, 20 + r * cell_h
            draw.rectangle((x, y, x + cell_w, y + cell_h), outline=(60, 60, 60), width=2,
                           fill=(225, 235, 245) if r == 0 else None)
            draw.text((x + 18, y + (cell_h - cell_h * 4 // 10) / 2), text, font=face, fill=(20, 20, 20))
    return scanner(image.convert("L"), seed, angle=0.0).convert("RGB")


# -------------------------------------------------------------------------------- sample projects


def _leak(p: Project, file: str, part: str, surface: str, kind: str, difficulty: str, page: int | None = None) -> None:
    """A leak that only OCR can find."""
    p.leak(file, part, surface, kind, difficulty, page=page)
    p.gold["leaks"][-1]["needs_ocr"] = True


Page = tuple[Sequence[str], str | None]  # paragraphs, title


def _scanned_pdf(path: Path, pages: Sequence[Page], seed: int) -> None:
    scan_pdf(path, [render_page(text, title=title, seed=seed + n) for n, (text, title) in enumerate(pages)])


def _picture(path: Path, make: Callable[[], Image.Image], fmt: str, dpi: int = DPI) -> None:
    path.write_bytes(encode(make(), fmt, dpi))


def _docx_with_picture(path: Path, make: Callable[[], Image.Image], **kwargs: Any) -> None:
    report_docx(path, image_png=encode(make(), "PNG"), **kwargs)


def projects() -> list[Project]:
    out: list[Project] = []

    # 201 — a scanned feasibility report: the applicant's full name on page 2, across a line break.
    p = Project("QZ2020-0201", application(
        "QZ2020-0201", "工业高盐废水母液资源化处理技术研究", "key",
        {"name": "浙江衢禾环境科技有限公司", "aliases": ["衢禾环境"]},
        [{"name": "沈家豪", "role": "leader", "title": "高级工程师"}, {"name": "方若琳", "role": "member"}],
    ))
    f = f"{FEASIBILITY}.pdf"
    text = filler("高盐废水资源化")
    page2 = [
        "七、项目组织。本项目由浙江衢禾环境\n科技有限公司牵头实施，组建由工艺、设备和检测人员构成的项目组，实行项目负责人制。",
        "八、设备采购。蒸发结晶装置拟向杭州精测仪器有限公司等三家供应商询价采购，择优选用。",
        "九、实施地点。项目在衢州市高新技术产业园区内的中试车间实施。",
    ]
    p.files[f] = partial(_scanned_pdf, pages=[(text[:3], "项目可行性报告"), (page2, None), (text[3:], None)], seed=201)
    _leak(p, f, "body", "浙江衢禾环境\n科技有限公司", "org", "hard", page=2)
    p.decoy(f, "杭州精测仪器有限公司", "a supplier, not the applicant")
    p.decoy(f, "衢州市", "the city in prose")
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    p.gold.update(verdict="fail")
    out.append(p)

    # 202 — a JPEG photo of a banner with the applicant's short name.
    p = Project("QZ2020-0202", application(
        "QZ2020-0202", "高亮度MicroLED显示芯片巨量转移技术研究", "key",
        {"name": "衢州锦程光电科技有限公司", "aliases": ["锦程光电"]},
        [{"name": "韩立伟", "role": "leader", "title": "研究员"}],
    ))
    photo = "中试现场照片.jpg"
    p.files[photo] = partial(_picture, make=partial(banner_photo, "热烈庆祝锦程光电中试线建成投产", seed=202), fmt="JPEG", dpi=96)
    _leak(p, photo, "image", "锦程光电", "alias", "hard", page=1)
    p.files[f"{FEASIBILITY}.docx"] = partial(report_docx, body=filler("MicroLED巨量转移"))
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    p.gold.update(verdict="fail")
    out.append(p)

    # 203 — a docx whose pasted picture of a table names a team member.
    p = Project("QZ2020-0203", application(
        "QZ2020-0203", "协作机器人高精度力控关节模组研发", "key",
        {"name": "衢州恒越智能装备有限公司", "aliases": ["恒越智能"]},
        [{"name": "邵启航", "role": "leader", "title": "高级工程师"}, {"name": "周明轩", "role": "member"}],
    ))
    f = f"{FEASIBILITY}.docx"
    rows = [["岗位", "姓名", "分工"], ["项目负责人", "（隐去）", "总体设计"], ["技术骨干", "周明轩", "力控算法"]]
    p.files[f] = partial(_docx_with_picture, make=partial(table_picture, rows, seed=203), body=filler("力控关节模组"))
    _leak(p, f, "image", "周明轩", "person", "hard")
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    p.gold.update(verdict="fail")
    out.append(p)

    # 204 — clean: a scanned budget that names another company and the city.
    p = Project("QZ2020-0204", application(
        "QZ2020-0204", "城镇污水厂低碳脱氮除磷工艺优化研究", "key",
        {"name": "衢州清源水务科技有限公司", "aliases": ["清源水务"]},
        [{"name": "杜文涛", "role": "leader", "title": "高级工程师"}],
    ))
    b = f"{BUDGET}.pdf"
    lines = [*BUDGET_LINES, "设备供应商：杭州精测仪器有限公司（在线水质分析仪），单价参照衢州市同类项目。"]
    p.files[b] = partial(_scanned_pdf, pages=[(lines, "经费预算列表及说明")], seed=204)
    p.decoy(b, "杭州精测仪器有限公司", "a supplier, not the applicant")
    p.decoy(b, "衢州市", "the city in prose")
    p.files[f"{FEASIBILITY}.docx"] = partial(report_docx, body=filler("低碳脱氮除磷"))
    p.gold.update(verdict="pass", identity_clean=True)
    out.append(p)

    # 205, 206 — scanned patent certificates (samples/certkit.py draws them).
    out += [_certificate_project(case, seed=int(case["pid"][-3:])) for case in CERTIFICATES]
    return out


# -------------------------------------------------------------------------------- scanned patent certificates


CERTIFICATE_NOISE = 0.005  # share of specked pixels: certkit's default 0.03 makes 1.2 MB files of the samples


def _certificate_png(fields: dict[str, Any], page: int, seed: int) -> bytes:
    from samples.certkit import certificate_png_bytes, spec_of

    return certificate_png_bytes(spec_of(**fields), page=page, seed=seed, noise=CERTIFICATE_NOISE)


def _certificate_scan_pdf(path: Path, fields: dict[str, Any], pages: int, seed: int) -> None:
    scan_pdf(path, [Image.open(io.BytesIO(_certificate_png(fields, n, seed + n))) for n in range(1, pages + 1)])


# A scanned certificate passes E1 when OCR read its number, dates and owner sure enough and they agree
# with each other (check character, the number's year, type digit vs heading, grant after filing;
# screening.patents.rules.ocr_reading); otherwise E1 is REVIEW (patent.unreadable, warn). Both
# samples are clean scans, so their eligibility is their rules' own.
CERTIFICATES: list[dict[str, Any]] = [
    # 205 — a photo-like PNG of an invention certificate (one page) owned by the applicant alone:
    # every rule passes
    {"pid": "QZ2020-0205", "applicant": "衢州联创新材料有限公司", "aliases": ["联创新材"], "team": ["俞浩然", "杨雪琪"],
     "topic": "含氟精细化学品", "title": "含氟医药中间体连续流合成技术产业化", "file": "专利证书-0205.png",
     "eligible": True, "eligible_without_applicant": True, "rules": [], "verdict": "pass",
     "fields": {"number": "ZL201710458213.{}", "title": "一种含氟医药中间体的微通道连续流合成方法",
                "inventors": ["俞浩然", "杨雪琪", "程立峰"], "patentees": ["衢州联创新材料有限公司"],
                "address": "324000 浙江省衢州市柯城区东港三路39号", "filing_date": "2017-06-02",
                "grant_date": "2019-10-25", "publication_number": "CN107245678B", "certificate_serial": "3567890"}},
    # 206 — a scanned two-page PDF (no text layer): the applicant shares the patent with a university
    {"pid": "QZ2020-0206", "applicant": "衢州恒瑞电子材料有限公司", "aliases": ["恒瑞电子"], "team": ["金志远", "吕婉婷"],
     "topic": "电子级化学品", "title": "电子级硫酸深度纯化技术产业化", "file": "专利证书-0206.pdf",
     "eligible": False, "eligible_without_applicant": False, "rules": ["patent.ownership"], "verdict": "fail",
     "fields": {"number": "ZL201810369524.{}", "title": "一种电子级硫酸的深度纯化方法及系统",
                "inventors": ["金志远", "吕婉婷"], "patentees": ["衢州恒瑞电子材料有限公司", "浙江科技学院"],
                "address": "324000 浙江省衢州市衢江区东港六路12号", "filing_date": "2018-04-26",
                "grant_date": "2020-02-14", "publication_number": "CN108456789B", "certificate_serial": "3690123",
                "layout": "two_page"}},
]


def _certificate_fields(case: dict[str, Any]) -> dict[str, Any]:
    from samples.certificates import with_check

    fields = dict(case["fields"])
    body = fields["number"].removeprefix("ZL").split(".")[0]
    fields["number"] = with_check(body)
    return fields


def _certificate_project(case: dict[str, Any], seed: int) -> Project:
    from samples.certificates import PATENT_RULES, SUBMITTED, expected_block

    fields = _certificate_fields(case)
    team = [{"name": case["team"][0], "role": "leader", "title": "高级工程师", "ongoing_as_leader": 0, "ongoing_as_member": 0}]
    team += [{"name": name, "role": "member", "title": "工程师"} for name in case["team"][1:]]
    attachments = [{"file": f"{FEASIBILITY}.docx", "role": "feasibility_report"}, {"file": f"{BUDGET}.pdf", "role": "budget"},
                   {"file": case["file"], "role": "patent_certificate"}]
    p = Project(case["pid"], application(
        case["pid"], case["title"], "patent", {"name": case["applicant"], "aliases": case["aliases"], "region": "市本级"},
        team, implementation_months=12, sales_revenue=800.0,
        patent={"number": fields["number"], "previously_funded": False}, attachments=attachments,
    ))
    p.files[f"{FEASIBILITY}.docx"] = partial(report_docx, body=filler(case["topic"]))
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    if case["file"].endswith(".png"):
        p.files[case["file"]] = lambda path: Path(path).write_bytes(_certificate_png(fields, 1, seed))
    else:
        pages = 2 if fields.get("layout") == "two_page" else 1
        p.files[case["file"]] = partial(_certificate_scan_pdf, fields=fields, pages=pages, seed=seed)
    p.gold.update(
        verdict=case["verdict"], identity_clean=True, patent=expected_block(fields, SUBMITTED, case["eligible"]),
        rules=list(case["rules"]),
        rules_must_not_fire=[{"rule": r} for r in PATENT_RULES if r not in case["rules"]],
    )
    return p


def expected_patents() -> dict[str, dict[str, Any]]:
    """Certificate file → the block `screening patent FILE` prints without an application (R = the
    call's close, no owner check), as samples.certificates.expected_patents does for text PDFs."""
    from samples.certificates import CALL_CLOSES, expected_block

    return {case["file"]: expected_block(_certificate_fields(case), CALL_CLOSES, case["eligible_without_applicant"])
            for case in CERTIFICATES}
