"""Figures of findings (screening/figures.py): a finding's place on its page, the hit outlined in red,
in the JSON (`location.box`), as a PNG, and in the batch report — on the sample generator's files."""

from __future__ import annotations

import ctypes
import io
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from screening import figures, screen_project
from screening.batch import screen_batch
from screening.batch_report import REPORT_HTML, render_html, write_all
from screening.model import Location, Part, PartKind, Segment
from tests.conftest import BATCH, ROOT

RED = (255, 0, 0)
Rect = tuple[int, int, int, int]  # x0, top, x1, bottom, pixels, inclusive
LEAK = BATCH / "QZ2020-0004" / "经费预算表.pdf"  # 浙江衢江精|密机械有限公司 wrapped over two lines of page 2
WRAPPED = "浙江衢江精\n密机械有限公司"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cold figure cache (disk and memory) for every test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(folder))
    figures.forget()
    yield folder
    figures.forget()


@pytest.fixture(scope="module")
def leak_report() -> dict[str, Any]:
    return screen_project(BATCH / "QZ2020-0004").to_json()


def _finding(report: dict[str, Any], matched: str) -> tuple[int, dict[str, Any]]:
    return next((i, f) for i, f in enumerate(report["findings"]) if f.get("matched") == matched)


def _picture(png: bytes) -> Image.Image:
    Image.open(io.BytesIO(png)).verify()  # a valid PNG, not only a readable header
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def _red_rects(image: Image.Image) -> list[Rect]:
    """The bounds of every connected (8-neighbour) group of pure red pixels, largest first."""
    red = np.all(np.asarray(image) == RED, axis=-1)
    todo = {(int(y), int(x)) for y, x in zip(*np.nonzero(red), strict=True)}
    rects = []
    while todo:
        stack = [todo.pop()]
        ys, xs = [], []
        while stack:
            y, x = stack.pop()
            ys.append(y)
            xs.append(x)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    if (y + dy, x + dx) in todo:
                        todo.remove((y + dy, x + dx))
                        stack.append((y + dy, x + dx))
        rects.append((len(ys), (min(xs), min(ys), max(xs), max(ys))))
    return [rect for _, rect in sorted(rects, reverse=True)]


def _plumber_pieces(path: Path, page: int, matched: str) -> list[tuple[float, float, float, float]]:
    """pdfplumber's character boxes of `matched` on the page, united line by line."""
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[page - 1].chars
    text = "".join(c["text"] for c in chars)
    pieces = []
    at = text.index(matched.replace("\n", ""))
    for line in matched.split("\n"):
        run = chars[at:at + len(line)]
        assert "".join(c["text"] for c in run) == line
        pieces.append((min(c["x0"] for c in run), min(c["top"] for c in run),
                       max(c["x1"] for c in run), max(c["bottom"] for c in run)))
        at += len(line)
    return pieces


def _has_cjk_glyphs(path: Path) -> bool:
    """Whether pdfium has a font to draw the sample's CJK text (its font is not embedded)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    pdf = pdfium.PdfDocument(path)
    try:
        text = pdf[0].get_textpage()
        i = next(i for i in range(text.count_chars()) if 0x4E00 <= c.FPDFText_GetUnicode(text, i) <= 0x9FFF)
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        c.FPDFText_GetCharBox(text, i, left, right, bottom, top)
        return top.value - bottom.value > 1
    finally:
        pdf.close()


# ---------------------------------------------------------------- the box in the report


def test_location_box_round_trips() -> None:
    loc = Location(PartKind.BODY, page=2, paragraph=1, start=3, end=7, box=(72.04, 73.36, 408.0, 103.44))
    data = loc.to_json()
    assert data["box"] == [72.0, 73.4, 408.0, 103.4]
    assert Location.from_json(data).to_json() == data
    assert Location.from_json(data).box == (72.0, 73.4, 408.0, 103.4)
    assert Location.from_json({"part": "body", "page": 1}).box is None  # a report written before boxes
    assert "box" not in Location(PartKind.BODY, page=1).to_json()


def test_an_ocr_hit_is_narrowed_to_the_pieces_holding_it() -> None:
    quad = (0.0,) * 8
    pieces = (Segment("专利权人：", 0.9, quad, (10.0, 10.0, 60.0, 20.0)),  # type: ignore[arg-type]
              Segment("衢州联创新材料有限公司", 0.9, quad, (70.0, 10.0, 200.0, 20.0)),  # type: ignore[arg-type]
              Segment("发明人：俞浩然", 0.9, quad, (10.0, 30.0, 90.0, 40.0)))  # type: ignore[arg-type]
    text = "专利权人： 衢州联创新材料有限公司\n发明人：俞浩然"
    part = Part(PartKind.IMAGE, text, page=1, origin="ocr", box=(10.0, 10.0, 200.0, 40.0), segments=pieces)
    org = text.index("联创")
    assert part.span_box(org, org + 4) == (70.0, 10.0, 200.0, 20.0)
    name = text.index("俞浩然")
    assert part.span_box(name, name + 3) == (10.0, 30.0, 90.0, 40.0)
    assert part.span_box(org, name + 3) == (10.0, 10.0, 200.0, 40.0)  # across two pieces: both
    changed = Part(PartKind.IMAGE, text.replace("发明人", "设计人"), page=1, origin="ocr", box=part.box, segments=pieces)
    assert changed.span_box(name, name + 3) == part.box  # the pieces do not spell the text: no guess
    assert Part(PartKind.BODY, text, page=1, box=(1.0, 2.0, 3.0, 4.0)).span_box(0, 2) == (1.0, 2.0, 3.0, 4.0)


def test_pdf_leaks_have_boxes(leak_report: dict[str, Any]) -> None:
    _, finding = _finding(leak_report, WRAPPED)
    x0, top, x1, bottom = finding["location"]["box"]  # the paragraph's box, in points of page 2
    # the parser's em boxes stand 0.88 em above the baseline; pdfplumber's take the font's own ascent
    # and descent and stand ~1.9 pt (of a 12-pt line) lower
    for px0, ptop, px1, pbottom in _plumber_pieces(LEAK, 2, WRAPPED):
        assert x0 - 1 <= px0 and px1 <= x1 + 1 and top - 1 <= ptop and pbottom <= bottom + 2.5


# ---------------------------------------------------------------- the figure of a PDF text leak


def test_pdf_figure_outlines_the_matched_text(leak_report: dict[str, Any]) -> None:
    _, finding = _finding(leak_report, WRAPPED)
    loc = finding["location"]
    png = figures.figure(LEAK.read_bytes(), "pdf", loc["page"], loc["box"], finding["matched"])
    assert png is not None
    image = _picture(png)
    assert image.width <= figures.MAX_WIDTH and image.height <= figures.MAX_HEIGHT
    rects = _red_rects(image)
    assert len(rects) == 2, rects  # one outline per line of the wrapped name
    grow = figures.OUTLINE_PAD + figures.OUTLINE_WIDTH  # the red's outer edge from the text
    first, second = sorted(((x0 + grow, t + grow, x1 - grow, b - grow) for x0, t, x1, b in rects), key=lambda r: r[1])
    p1, p2 = _plumber_pieces(LEAK, 2, WRAPPED)
    # the figure's scale and origin from two outer edges; every other edge must then agree with pdfplumber
    scale = (first[2] - second[0]) / (p1[2] - p2[0])
    ox, oy = second[0] - p2[0] * scale, first[1] - p1[1] * scale
    assert abs(scale - figures.TEXT_PX / 12) < 0.25  # 12-pt text drawn about TEXT_PX high
    assert abs(first[0] - (p1[0] * scale + ox)) <= 3
    assert abs(second[2] - (p2[2] * scale + ox)) <= 3
    assert abs(second[1] - (p2[1] * scale + oy)) <= 3
    assert abs(first[3] - (p1[3] * scale + oy)) <= 3 and abs(second[3] - (p2[3] * scale + oy)) <= 3
    if _has_cjk_glyphs(LEAK):  # the font is not embedded: the text is drawn only with a CJK font on the machine
        ink = (np.asarray(image.convert("L")) < 128) & ~np.all(np.asarray(image) == RED, axis=-1)  # text, not the outline
        for x0, t, x1, b in (first, second):
            assert ink[t:b + 1, x0:x1 + 1].mean() > 0.08, "no text drawn inside the outline"
        # and drawn where the outline says: line 1 ends with 精, line 2 starts at the margin with 密
        band1 = np.nonzero(ink[first[1]:first[3] + 1].any(axis=0))[0]
        band2 = np.nonzero(ink[second[1]:second[3] + 1].any(axis=0))[0]
        assert abs(int(band1.max()) - first[2]) <= 4 and abs(int(band2.min()) - second[0]) <= 4


def test_figures_are_deterministic_cold_and_warm(leak_report: dict[str, Any], own_cache: Path,
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, finding = _finding(leak_report, WRAPPED)
    loc = finding["location"]
    data = LEAK.read_bytes()
    cold = figures.render(data, "pdf", loc["page"], loc["box"], finding["matched"]).png
    assert cold is not None
    assert figures.figure(data, "pdf", loc["page"], loc["box"], finding["matched"]) == cold  # in memory
    stored = list(own_cache.glob("figures/v*/*/*.png"))
    assert len(stored) == 1 and stored[0].read_bytes() == cold
    figures.forget()
    assert figures.figure(data, "pdf", loc["page"], loc["box"], finding["matched"]) == cold  # from disk
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "other"))
    figures.forget()
    assert figures.figure(data, "pdf", loc["page"], loc["box"], finding["matched"]) == cold  # drawn again
    program = ("import sys; from screening.figures import figure; "
               f"sys.stdout.buffer.write(figure(open(sys.argv[1], 'rb').read(), 'pdf', {loc['page']}, "
               f"{loc['box']!r}, {finding['matched']!r}))")
    env = {"SCREENING_CACHE_DIR": str(tmp_path / "third"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", program, str(LEAK)], capture_output=True, cwd=ROOT, env=env,
                          check=True, timeout=120)
    assert done.stdout == cold  # another process, another cache: the same bytes


# ---------------------------------------------------------------- scans and photos (OCR)


def _ocr_text_inside(image: Image.Image, rect: Rect) -> str:
    from screening.parsers import ocr

    grow = figures.OUTLINE_PAD + figures.OUTLINE_WIDTH + 1
    x0, top, x1, bottom = rect
    return "".join(line.text for line in ocr.read_image(image.crop((x0 + grow, top + grow, x1 - grow, bottom - grow))).lines)


@pytest.mark.parametrize(("project", "file", "name"), [
    ("QZ2020-0201", "可行性报告.pdf", "衢禾环境"),  # a scanned PDF page: the page rendered, box in points
    ("QZ2020-0202", "中试现场照片.jpg", "锦程光电"),  # a photo: cropped with Pillow, box in its pixels
])
def test_scans_and_photos_outline_the_pieces_read(project: str, file: str, name: str, cache_dir: Path) -> None:
    report = screen_project(BATCH / project).to_json()
    index, finding = next((i, f) for i, f in enumerate(report["findings"])
                          if f.get("file") == file and name in (f.get("matched") or "").replace("\n", ""))
    assert finding["location"]["origin"] == "ocr" and len(finding["location"]["box"]) == 4
    data = (BATCH / project / file).read_bytes()
    shown = figures.figures_for(report, {file: data})
    assert shown[index].startswith("data:image/png;base64,")
    png = figures.figure(data, next(d["format"] for d in report["documents"] if d["file"] == file),
                         finding["location"]["page"], finding["location"]["box"], finding["matched"],
                         source=finding["location"].get("source", ""))
    assert png is not None
    image = _picture(png)
    assert image.width <= figures.MAX_WIDTH and image.height <= figures.MAX_HEIGHT
    rects = _red_rects(image)
    assert rects, "no red outline"
    assert name in _ocr_text_inside(image, rects[0])  # what is outlined is the matched text


# ---------------------------------------------------------------- failures: None and a reason


def test_bad_input_gives_no_figure_and_a_reason(leak_report: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    _, finding = _finding(leak_report, WRAPPED)
    box = finding["location"]["box"]
    data = LEAK.read_bytes()
    with caplog.at_level(logging.WARNING, logger="screening.figures"):
        assert figures.figure(data[: len(data) // 3], "pdf", 2, box, WRAPPED) is None  # truncated
        assert figures.figure(b"%PDF-1.7\n" + b"\x00garbage" * 50, "pdf", 1, box) is None
        assert figures.figure(b"\xff\xd8\xff\xe0 not a jpeg", "image", 1, (1, 2, 3, 4)) is None
    assert caplog.text.count("页面缩略图未生成") == 3
    assert "超出文件页数（共2页）" in figures.render(data, "pdf", 9, box).reason
    assert "超出文件页数" in figures.render(data, "pdf", 0, box).reason
    assert figures.render(data, "docx", 1, box).png is None
    assert "位置信息无效" in figures.render(data, "pdf", 2, (5, 5, 1, 1)).reason
    assert "位置信息无效" in figures.render(data, "pdf", 2, ("a", 1, 2, 3)).reason  # type: ignore[arg-type]


def test_a_changed_or_absent_attachment_is_said(leak_report: dict[str, Any]) -> None:
    index, _ = _finding(leak_report, WRAPPED)
    changed = figures.project_figures(leak_report, {LEAK.name: LEAK.read_bytes() + b"\n"}, limit=None)
    assert index not in changed.shown and "附件已更改" in changed.missing[index]
    absent = figures.project_figures(leak_report, {}, limit=None)
    assert absent.missing[index] == "找不到该附件"


# ---------------------------------------------------------------- the batch report


def test_batch_report_shows_figures_of_pdf_leaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = tmp_path / "batch"
    shutil.copytree(BATCH / "QZ2020-0004", batch / "QZ2020-0004")
    monkeypatch.setenv("SCREENING_OCR", "0")
    result = screen_batch(batch, tmp_path / "out", workers=1)
    write_all(result)
    page = (tmp_path / "out" / REPORT_HTML).read_text(encoding="utf-8")
    report = result.items[0].report
    placeable = figures.placeable(report)
    assert len(placeable) == 2  # the wrapped name on page 2 and the annotation on page 1
    assert page.count('<img src="data:image/png;base64,') == 2 and page.count('<figure class="where">') == 2
    assert "第2页位置示意，红框为命中处" in page and "未生成页面缩略图" not in page and "另有" not in page
    monkeypatch.setattr(figures, "MAX_FIGURES", 1)
    limited = render_html(result)
    assert limited.count('<img src="data:image/png;base64,') == 1
    assert "另有 1 处未显示缩略图" in limited
    (batch / "QZ2020-0004" / LEAK.name).write_bytes(LEAK.read_bytes() + b"\n")  # changed after screening
    assert "未生成页面缩略图：附件已更改" in render_html(result)


def _turned_pdf(rotate: int, sideways: bool) -> bytes:
    """A page of twelve-point lines, one naming an applicant: the page turned by /Rotate, or its
    text drawn running up the page."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    from samples.pdfkit import FONT, _register_font

    _register_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(595, 842))
    pdf.setFont(FONT, 12)
    if sideways:
        pdf.translate(300, 100)
        pdf.rotate(90)
    for i in range(6):
        text = "本项目由浙江衢江精密机械有限公司承担" if i == 3 else f"第{i}行普通文字内容"
        pdf.drawString(0 if sideways else 72, -i * 18 if sideways else 700 - i * 18, text)
    pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    if rotate:
        writer.pages[0].rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("rotate", "sideways"), [(90, False), (270, False), (0, True)])
def test_turned_pages_are_shown_the_way_they_read(rotate: int, sideways: bool) -> None:
    from screening.parsers import pdf as pdf_parser

    data = _turned_pdf(rotate, sideways)
    part = next(p for p in pdf_parser.parse(data).parts if "衢江精密" in p.text)
    assert part.box is not None
    png = figures.figure(data, "pdf", 1, part.box, "浙江衢江精密机械有限公司")
    assert png is not None
    image = _picture(png)
    rects = _red_rects(image)
    assert len(rects) == 1
    x0, top, x1, bottom = rects[0]
    assert (x1 - x0) > 8 * (bottom - top)  # twelve characters side by side: the line reads left to right
    if _has_cjk_glyphs(LEAK):  # and the page is drawn that way round: the text fills the outline
        grow = figures.OUTLINE_PAD + figures.OUTLINE_WIDTH
        ink = np.asarray(image.convert("L"))[top + grow:bottom - grow + 1, x0 + grow:x1 - grow + 1] < 128
        assert ink.mean() > 0.08 and ink.any(axis=0).mean() > 0.7
