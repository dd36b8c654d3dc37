"""Issue 12: evasions that used to pass — the applicant's name as a small picture strip (a docx
picture, a picture on a PDF page with a text layer) and the name written down a table column
or down a PDF page, one character per cell or line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from samples.docxkit import build_docx
from samples.pdfkit import build_pdf
from screening.engine import Upload, screen
from screening.model import PartKind
from screening.parsers import ocr, parse_bytes
from screening.parsers import pdf as pdf_parser

NAME = "浙江衢晟新材料有限公司"
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
PROSE = "本项目围绕高性能复合材料的连续化制备开展研究，形成中试生产线。"


pytestmark = pytest.mark.usefixtures("cache_dir")  # a fresh OCR cache for every test (conftest)


def identity_fails(path: Path) -> list[dict[str, Any]]:
    report = screen(None, [Upload(path.name, path=path)], orgs=[NAME]).to_json()
    return [f for f in report["findings"] if f["rule"].startswith("identity.") and f["severity"] == "fail"]


def strip_png(text: str = NAME, size: tuple[int, int] = (700, 31)) -> bytes:
    """The name as a one-line picture strip, black on white, as a screenshot of a title would be."""
    if not CJK_FONT.is_file():
        pytest.skip(f"{CJK_FONT} missing: the CJK font (apt-get install fonts-wqy-zenhei; .ci/run installs it)")
    image = Image.new("RGB", size, "white")
    font = ImageFont.truetype(str(CJK_FONT), size[1] - 7)
    ImageDraw.Draw(image).text((8, 3), text, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# ---------------------------------------------------------------- small picture strips


def test_strip_selection_keeps_icons_out_and_is_bounded() -> None:
    wanted = pdf_parser.worth_reading
    assert wanted(700, 31) and wanted(31, 700)  # a line of text, either way round
    assert wanted(150, 150) and wanted(400, 300)  # the old rule still holds
    assert not wanted(32, 32) and not wanted(64, 64) and not wanted(100, 20)  # icons, bullets, a tiny strip
    assert not wanted(700, 12)  # too thin to hold readable characters
    assert not wanted(120, 40)  # wide enough but too small a strip (3:1)
    many = [(700, 31)] * (pdf_parser.MAX_STRIPS + 5) + [(300, 300)]
    chosen = pdf_parser.selected_images(many)
    assert len(chosen) == pdf_parser.MAX_STRIPS + 1 and chosen[-1] == len(many) - 1


@pytest.mark.slow
def test_name_as_small_picture_in_docx_is_read(tmp_path: Path) -> None:
    path = tmp_path / "可行性报告.docx"
    build_docx(path, body=[PROSE], image_png=strip_png())
    hits = identity_fails(path)
    assert any(f["location"].get("origin") == ocr.ORIGIN for f in hits), hits
    assert all(f["location"]["part"] == "image" for f in hits), hits


@pytest.mark.slow
def test_name_as_small_picture_on_a_pdf_page_with_text_is_read(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    png = strip_png()
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.setFont("STSong-Light", 12)
    canvas.drawString(72, 760, PROSE)
    canvas.drawString(72, 740, "项目实施地点为中试车间，实施周期三年。")
    canvas.drawImage(ImageReader(io.BytesIO(png)), 72, 680, 350, 15.5)  # 700 × 31 px at 144 dpi
    canvas.showPage()
    canvas.save()
    path = tmp_path / "可行性报告.pdf"
    path.write_bytes(out.getvalue())
    doc = parse_bytes(path.read_bytes(), path.name)
    assert not any(p.rule == "document.scanned" and p.page == 1 and "没有文字层" in p.message for p in doc.problems)
    hits = identity_fails(path)
    assert any(f["location"].get("origin") == ocr.ORIGIN and f["location"]["page"] == 1 for f in hits), hits


# ---------------------------------------------------------------- the name down a column


def test_name_down_a_table_column_is_found(tmp_path: Path) -> None:
    rows = [[ch, str(n), "是"] for n, ch in enumerate(NAME, 1)]
    path = tmp_path / "可行性报告.docx"
    build_docx(path, body=[PROSE], table=rows)
    doc = parse_bytes(path.read_bytes(), path.name)
    (column,) = [p for p in doc.parts if p.origin == "column" and "浙" in p.text]
    assert column.kind is PartKind.TABLE and column.source.endswith("#t1r1c1")
    hits = identity_fails(path)
    assert hits, "the name written down the first column was not found"
    assert all(f["location"]["part"] == "table" and f["location"].get("origin") == "column" for f in hits), hits
    assert any("表格纵列" in f["message"] for f in hits), hits


def test_column_of_ordinary_short_cells_adds_nothing(tmp_path: Path) -> None:
    rows = [["序号", "数量", "是否"]] + [[str(n), str(n * 7 % 13), "是" if n % 2 else "否"] for n in range(1, 12)]
    plain = tmp_path / "预算.docx"
    build_docx(plain, body=[PROSE], table=rows)
    assert identity_fails(plain) == []


def test_long_cells_are_not_joined(tmp_path: Path) -> None:
    rows = [["设备购置费"], ["材料费用"], ["测试化验加工费"], ["差旅会议费"]]
    path = tmp_path / "预算.docx"
    build_docx(path, body=[PROSE], table=rows)
    doc = parse_bytes(path.read_bytes(), path.name)
    assert not [p for p in doc.parts if p.origin == "column"]


def test_name_one_character_per_line_down_a_pdf_page_is_found(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.setFont("STSong-Light", 12)
    canvas.drawString(72, 780, PROSE)
    for i, ch in enumerate(NAME):  # 36 pt apart: three line heights, too far for one paragraph
        canvas.drawString(500, 740 - 36 * i, ch)
    for i in range(12):
        canvas.drawString(72, 740 - 18 * i, "项目实施地点为中试车间，实施周期三年。")
    canvas.showPage()
    canvas.save()
    path = tmp_path / "可行性报告.pdf"
    path.write_bytes(out.getvalue())
    hits = identity_fails(path)
    assert any(f["location"].get("origin") == "vertical" and f["location"]["page"] == 1 for f in hits), hits
    assert any("竖排文字" in f["message"] for f in hits), hits


def test_name_one_character_per_paragraph_in_a_pdf_is_found(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "可行性报告.pdf", pages=[[PROSE, *NAME, "项目实施地点为中试车间。"]])
    assert identity_fails(path), "the name written one character per line was not found"


def test_pdf_table_of_short_cells_adds_nothing(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "预算.pdf", pages=[[PROSE, *"是否是否是否", *map(str, range(1, 9))]])
    doc = parse_bytes(path.read_bytes(), path.name)
    assert identity_fails(path) == []
    assert all(len(p.text.split()) >= 4 for p in doc.parts if p.origin == "vertical")


def test_vertical_text_direction_in_a_docx_cell_is_read_in_order(tmp_path: Path) -> None:
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document()
    document.add_paragraph(PROSE)
    cell = document.add_table(rows=1, cols=2).cell(0, 0)
    cell.text = NAME
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:textDirection {nsdecls("w")} w:val="tbRl"/>'))
    path = tmp_path / "可行性报告.docx"
    document.save(str(path))
    hits = identity_fails(path)
    assert any(f["location"]["part"] == "table" and not f["location"].get("origin") for f in hits), hits
