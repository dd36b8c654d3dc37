"""screening.parsers.ocr: scans, picture files and pictures inside documents read by OCR.

Pictures are rendered with samples/scans.py (WenQuanYi Zen Hei). Every test gets its own OCR cache
folder, so nothing is written to the home directory; tests marked slow run the real engine on
whole pages (seconds each)."""

from __future__ import annotations

import io
import json
import logging
import sys
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from samples.docxkit import build_docx
from samples.make_samples import filler
from samples.pdfkit import FONT as PDF_FONT
from samples.pdfkit import build_pdf
from samples.scans import banner_photo, encode, projects, render_page, scan_pdf, table_picture
from screening import files
from screening.application import parse_application
from screening.engine import Upload, screen
from screening.errors import ConfigError
from screening.model import Document, PartKind
from screening.parsers import ocr, parse_bytes
from screening.parsers.ocr import Line, Reading
from screening.text import norm

NAME_PAGE = ["七、项目组织。本项目由浙江衢禾环境\n科技有限公司牵头实施，组建项目组。", "八、实施地点。项目在中试车间实施。"]


pytestmark = pytest.mark.usefixtures("cache_dir")  # a fresh OCR cache for every test (conftest)


def ocr_parts(doc: Document) -> list[str]:
    return [p.text for p in doc.parts if p.origin == ocr.ORIGIN]


def scanned(doc: Document) -> list[tuple[int | None, str]]:
    return [(p.page, p.message) for p in doc.problems if p.rule == "document.scanned"]


def flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def scanned_pdf(tmp_path: Path, *pages: list[str]) -> bytes:
    images = [render_page(text, seed=n) for n, text in enumerate(pages)]
    return scan_pdf(tmp_path / "scan.pdf", images).read_bytes()


# ---------------------------------------------------------------- recognition


@pytest.mark.slow
def test_clean_200_dpi_paragraph_is_read_accurately() -> None:
    paragraphs = filler("高纯电子级氢氟酸")
    reading = ocr.read_image(render_page(paragraphs, dpi=200, clean=True))
    got = flat("".join(line.text for line in reading.lines))
    accuracy = Levenshtein.normalized_similarity(flat("".join(paragraphs)), got)
    assert accuracy >= 0.95, got
    assert reading.confidence is not None and reading.confidence >= ocr.LOW_CONFIDENCE


@pytest.mark.slow
def test_scanned_pdf_page_becomes_body_parts_of_its_page(tmp_path: Path) -> None:
    doc = parse_bytes(scanned_pdf(tmp_path, filler("柑橘保鲜")[:2], NAME_PAGE), "可行性报告.pdf")
    assert doc.ocr and doc.pages == 2
    assert scanned(doc) == []  # both pages read well: their "not read" problems are gone
    parts = [p for p in doc.parts if p.origin == ocr.ORIGIN]
    assert {p.kind for p in parts} == {PartKind.BODY} and {p.page for p in parts} == {1, 2}
    (name,) = [p for p in parts if "有限公司" in p.text]
    assert name.page == 2 and name.source == "page 2" and name.paragraph == 1
    assert "浙江衢禾环境科技有限公司" in norm(name.text) and "\n" in name.text  # one part across the line break
    assert name.confidence is not None and name.confidence >= ocr.LOW_CONFIDENCE
    assert name.box is not None and 0 < name.box[0] < name.box[2] <= A4[0] and 0 < name.box[1] < name.box[3] <= A4[1]
    assert name.box[1] < 200  # near the top of the page, in points


@pytest.mark.slow
def test_scan_drawn_inside_margins_is_rendered(tmp_path: Path) -> None:
    picture = encode(render_page(NAME_PAGE, seed=3), "PNG")
    data = build_pdf(tmp_path / "r.pdf", pages=[["第一页是有文字层的正文。"]], scanned_page_png=picture).read_bytes()
    doc = parse_bytes(data, "可行性报告.pdf")
    assert scanned(doc) == []
    texts = [p for p in doc.parts if p.origin == ocr.ORIGIN]
    assert texts and {p.page for p in texts} == {2}
    assert any("浙江衢禾环境科技有限公司" in norm(p.text) for p in texts)


def test_picture_on_a_text_page_is_read(tmp_path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setFont(PDF_FONT, 12)
    canvas.drawString(72, 760, "本页正文有文字层，下图为项目分工。")
    picture = table_picture([["岗位", "姓名"], ["技术骨干", "周明轩"]], seed=5)
    canvas.drawImage(ImageReader(picture), 72, 400, width=300, height=300 * picture.height / picture.width)
    canvas.showPage()
    canvas.save()
    doc = parse_bytes(buffer.getvalue(), "附件.pdf")
    parts = [p for p in doc.parts if p.origin == ocr.ORIGIN]
    assert {(p.kind, p.page, p.source) for p in parts} == {(PartKind.IMAGE, 1, "page 1 image 1")}
    assert any("技术骨干 周明轩" in p.text for p in parts)
    assert doc.ocr and scanned(doc) == []


def test_docx_picture_is_read(tmp_path: Path) -> None:
    picture = table_picture([["岗位", "姓名", "分工"], ["技术骨干", "周明轩", "力控算法"]], seed=7)
    data = build_docx(tmp_path / "p.docx", body=["项目组分工见下图。"], image_png=encode(picture, "PNG")).read_bytes()
    doc = parse_bytes(data, "可行性报告.docx")
    (part,) = [p for p in doc.parts if p.origin == ocr.ORIGIN and "周明轩" in p.text]
    assert (part.kind, part.source) == (PartKind.IMAGE, "word/media/image1.png")
    assert part.box is not None and part.box[2] <= picture.width  # pixels of the picture
    assert doc.ocr and doc.problems == ()


def test_small_docx_picture_is_not_read(tmp_path: Path) -> None:
    icon = encode(Image.new("RGB", (120, 120), "white"), "PNG")
    doc = parse_bytes(build_docx(tmp_path / "i.docx", body=["正文"], image_png=icon).read_bytes(), "报告.docx")
    assert not doc.ocr and ocr_parts(doc) == []


def test_undecodable_docx_picture_is_reported(tmp_path: Path) -> None:
    picture = encode(table_picture([["姓名"], ["周明轩"]], seed=1), "PNG")
    built = build_docx(tmp_path / "b.docx", body=["正文"], image_png=picture).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(built)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, b"\x89PNG broken" if info.filename == "word/media/image1.png" else src.read(info))
    doc = parse_bytes(out.getvalue(), "报告.docx")
    ((_, message),) = scanned(doc)
    assert "image1.png" in message and "无法解码" in message and "需人工查看" in message


def test_banner_photo_frames_of_a_tiff_and_image_parts() -> None:
    photo = encode(banner_photo("热烈庆祝锦程光电中试线建成投产", seed=2), "JPEG")
    doc = parse_bytes(photo, "现场照片.jpg")
    assert [(p.kind, p.page, p.text) for p in doc.parts if p.origin == ocr.ORIGIN] == [
        (PartKind.IMAGE, 1, "热烈庆祝锦程光电中试线建成投产")]
    assert doc.ocr and scanned(doc) == []
    frames = [table_picture([[name]], seed=n).convert("L") for n, name in enumerate(("周明轩", "方若琳"))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    tiff = parse_bytes(buffer.getvalue(), "证明材料.tif")
    assert [(p.page, p.text) for p in tiff.parts if p.origin == ocr.ORIGIN] == [(1, "周明轩"), (2, "方若琳")]


def test_page_without_any_text_keeps_a_problem() -> None:
    doc = parse_bytes(encode(Image.new("L", (800, 600), 250), "PNG"), "空白.png")
    assert doc.ocr and ocr_parts(doc) == []
    assert scanned(doc) == [(1, "图片经文字识别未发现文字，需人工查看")]


# ---------------------------------------------------------------- confidence, switches and failures


def fake_reading(score: float) -> Reading:
    return Reading((Line("项目负责人周明轩", score, (10, 10, 200, 10, 200, 40, 10, 40)),), 400, 300)


@pytest.mark.parametrize(("score", "flagged"), [(ocr.LOW_CONFIDENCE, False), (ocr.LOW_CONFIDENCE - 0.01, True)])
def test_low_confidence_keeps_the_page_for_a_person(monkeypatch: pytest.MonkeyPatch, score: float,
                                                     flagged: bool) -> None:
    monkeypatch.setattr(ocr, "_recognise", lambda image: fake_reading(score))
    doc = parse_bytes(encode(Image.new("L", (400, 300), 255), "PNG"), "照片.png")
    assert ocr_parts(doc) == ["项目负责人周明轩"]  # screened all the same
    assert [p.confidence for p in doc.parts if p.origin == ocr.ORIGIN] == [score]
    assert scanned(doc) == ([(1, f"图片文字识别置信度低（{score:.2f}，低于{ocr.LOW_CONFIDENCE:.2f}），需人工查看")]
                            if flagged else [])


def test_second_read_comes_from_the_cache(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    data = encode(table_picture([["姓名"], ["周明轩"]], seed=9), "PNG")
    first = parse_bytes(data, "名单.png")
    assert len(list(cache_dir.rglob("*.json"))) == 1

    def no_engine() -> None:
        raise AssertionError("the engine must not run on a cached picture")

    monkeypatch.setattr(ocr, "engine", no_engine)
    second = parse_bytes(data, "名单.png")
    assert second.parts == first.parts and second.problems == first.problems and second.ocr


def test_unwritable_cache_is_a_warning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(blocker))
    monkeypatch.setattr(files, "_unwritable", set())
    monkeypatch.setattr(ocr, "_recognise", lambda image: fake_reading(0.99))
    with caplog.at_level(logging.WARNING, logger="screening.files"):
        doc = parse_bytes(encode(Image.new("L", (400, 300), 255), "PNG"), "照片.png")
    assert ocr_parts(doc) == ["项目负责人周明轩"]
    assert any("OCR缓存无法写入" in r.getMessage() for r in caplog.records)


def test_damaged_cache_entry_is_read_again(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    monkeypatch.setattr(ocr, "_recognise", lambda image: fake_reading(0.99))
    data = encode(Image.new("L", (400, 300), 255), "PNG")
    parse_bytes(data, "照片.png")
    (entry,) = cache_dir.rglob("*.json")
    entry.write_text("{not json", encoding="utf-8")
    assert ocr_parts(parse_bytes(data, "照片.png")) == ["项目负责人周明轩"]
    assert entry.read_text(encoding="utf-8").startswith("{\"width\"")


def test_ocr_off_keeps_the_not_read_warning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCREENING_OCR", "0")
    monkeypatch.setattr(ocr, "engine", lambda: pytest.fail("OCR is off"))
    doc = parse_bytes(scanned_pdf(tmp_path, NAME_PAGE), "可行性报告.pdf")
    assert not doc.ocr and ocr_parts(doc) == []
    assert scanned(doc) == [(1, "第1页没有文字层（可能是扫描件），尚未识别其中文字，需人工查看")]


@pytest.fixture
def no_rapidocr(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # `import` now raises ImportError
    ocr.engine.cache_clear()
    yield
    ocr.engine.cache_clear()


@pytest.mark.usefixtures("no_rapidocr")
def test_missing_rapidocr_says_how_to_install(tmp_path: Path) -> None:
    doc = parse_bytes(scanned_pdf(tmp_path, NAME_PAGE), "可行性报告.pdf")
    assert not doc.ocr and ocr_parts(doc) == []
    assert scanned(doc) == [
        (1, "第1页没有文字层（可能是扫描件），尚未识别其中文字，需人工查看"),
        (None, "OCR未安装：在源码目录中执行 pip install -c constraints.txt -e '.[ocr]'；本附件扫描页和图片中的文字未识别，需人工查看"),
    ]
    with pytest.raises(ocr.OcrUnavailableError, match=r"pip install -c constraints.txt -e '\.\[ocr\]'"):
        ocr.engine()


def test_switch_and_thread_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ocr.enabled({}) and ocr.enabled({"SCREENING_OCR": "1"}) and not ocr.enabled({"SCREENING_OCR": "off"})
    with pytest.raises(ConfigError, match="SCREENING_OCR"):
        ocr.enabled({"SCREENING_OCR": "maybe"})
    monkeypatch.setattr(ocr.os, "cpu_count", lambda: 4)
    assert ocr.ocr_threads({}) == 4
    assert ocr.ocr_threads({"SCREENING_WORKERS": "2"}) == 2
    assert ocr.ocr_threads({"SCREENING_WORKERS": "8"}) == 1
    assert ocr.ocr_threads({"SCREENING_OCR_THREADS": "1", "SCREENING_WORKERS": "1"}) == 1
    assert ocr.ocr_threads({"SCREENING_OCR_THREADS": "16"}) == 4
    for bad in ({"SCREENING_OCR_THREADS": "0"}, {"SCREENING_WORKERS": "two"}):
        with pytest.raises(ConfigError):
            ocr.ocr_threads(bad)


# ---------------------------------------------------------------- speed: the models and the threads


@pytest.mark.parametrize(("module", "shape"), [("det", (1, 3, 320, 256)), ("cls", (3, 3, 48, 192)),
                                                ("rec", (2, 3, 48, 400))])
def test_the_fused_models_compute_what_the_shipped_ones_do(module: str, shape: tuple[int, ...]) -> None:
    import numpy as np
    import onnxruntime as ort

    from screening.parsers.onnx_fusion import _model_class, fuse

    shipped = ocr.shipped_models()[module].read_bytes()
    fused = fuse(shipped)
    sessions = [ort.InferenceSession(model, providers=["CPUExecutionProvider"]) for model in (shipped, fused)]
    x = np.random.default_rng(7).uniform(-1, 1, shape).astype(np.float32)
    before, after = (session.run(None, {"x": x})[0] for session in sessions)
    assert np.abs(before - after).max() < 1e-4  # the same function, rounded a little differently
    meta = [session.get_modelmeta().custom_metadata_map for session in sessions]
    assert meta[0] == meta[1]  # the recogniser's character list travels in the metadata

    def ops(model: bytes) -> list[str]:
        message = _model_class()()
        message.ParseFromString(model)
        return [node.op_type for node in message.graph.node if node.op_type != "Constant"]

    assert len(ops(fused)) < len(ops(shipped))
    assert "Clip" not in ops(fused)  # every hard-swish rewritten


def test_a_graph_without_those_patterns_comes_back_as_it_was() -> None:
    from screening.parsers.onnx_fusion import _model_class, fuse

    message = _model_class()()
    message.ir_version = 8
    node = message.graph.node.add()
    node.op_type, node.name = "Relu", "relu"
    node.input.append("x")
    node.output.append("y")
    data = message.SerializeToString()
    assert fuse(data) == data


def test_lines_read_on_several_threads_come_back_in_their_order(monkeypatch: pytest.MonkeyPatch) -> None:
    picture = table_picture([["岗位", "姓名", "分工"], ["技术骨干", "周明轩", "力控算法"], ["财务", "方若琳", "经费"]], seed=4)
    prepared, _ = ocr._prepare(picture)
    monkeypatch.setenv("SCREENING_OCR_THREADS", "1")
    alone = ocr._recognise(prepared)
    monkeypatch.setenv("SCREENING_OCR_THREADS", "2")
    monkeypatch.setattr(ocr.os, "cpu_count", lambda: 2)  # two threads on a one-CPU machine too
    assert ocr._pool() is not None
    assert ocr._recognise(prepared) == alone and len(alone.lines) >= 6
    assert ocr._spread(lambda n: n * n, [3, 1, 2], costs=[3, 1, 2]) == [9, 1, 4]


def test_an_opaque_picture_with_an_alpha_channel_is_its_colours() -> None:
    picture = table_picture([["姓名"], ["周明轩"]], seed=2)
    assert ocr._prepare(picture.convert("RGBA"))[0].tobytes() == picture.tobytes()
    see_through = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    assert ocr._prepare(see_through)[0].getextrema() == ((255, 255),) * 3  # flattened on white


# ---------------------------------------------------------------- lines → paragraphs


def line(text: str, x0: float, top: float, x1: float, height: float = 30, slant: float = 0) -> Line:
    return Line(text, 0.99, (x0, top, x1, top + slant, x1, top + slant + height, x0, top + height))


def test_a_name_broken_over_two_lines_is_one_paragraph() -> None:
    lines = [
        line("七、项目组织。本项目由浙江衢禾环境", 260, 100, 900),
        line("科技有限公司牵头实施，组建项目组。", 200, 145, 1400),
        line("八、实施地点。", 260, 210, 500),  # indented and after a wider gap: a new paragraph
        line("项目在中试车间实施，", 200, 255, 1400),
    ]
    assert [[x.text for x in group] for group in ocr.paragraphs(lines)] == [
        [lines[0].text, lines[1].text], [lines[2].text, lines[3].text]]


def test_slanted_lines_of_a_rotated_scan_still_join() -> None:
    lines = [line("本项目由浙江衢禾环境", 200, 100, 1400, slant=-30), line("科技有限公司牵头实施", 200, 145, 600, slant=-10)]
    assert len(ocr.paragraphs(lines)) == 1


def test_a_row_of_a_form_or_table_is_one_line() -> None:
    lines = [
        line("专利权人：", 72, 100, 150),
        line("衢州联创新材料有限公司", 192, 101, 460, slant=2),  # the value, a little lower on a rotated scan
        line("地址：", 72, 145, 120),
        line("324000浙江省衢州市柯城区", 192, 146, 500),
        line("东港三路39号", 530, 144, 700),  # a third piece of the row
        line("附：说明", 72, 400, 200),
    ]
    rows = ocr.rows(lines)
    assert [r.text for r in rows] == ["专利权人： 衢州联创新材料有限公司", "地址： 324000浙江省衢州市柯城区 东港三路39号", "附：说明"]
    assert rows[0].box == (72, 100, 460, 133)
    assert [[r.text for r in group] for group in ocr.paragraphs(rows)] == [[rows[0].text, rows[1].text], [rows[2].text]]


def test_pieces_far_apart_are_separate_rows() -> None:
    lines = [line("姓名", 40, 40, 100), line("周明轩", 100 + ocr.ROW_GAP * 30 + 5, 40, 500)]
    assert [r.text for r in ocr.rows(lines)] == ["姓名", "周明轩"]


def test_the_gap_limit_between_rows_is_the_thresholds_files() -> None:
    """A gap just inside `gap_max` line heights continues a paragraph (the usual gap is as large),
    one just beyond starts a new one: the factor lives in lexicons/parsing.yaml."""
    from screening.parsers.thresholds import thresholds

    factors = thresholds().paragraphs.recognised
    for gap, joined in ((factors.gap_max * 30 - 1, True), (factors.gap_max * 30 + 1, False)):
        rows = [line(f"第{k}行文字文字文字", 200, 100 + k * (30 + gap), 1400) for k in range(4)]
        assert (len(ocr.paragraphs(rows)) == 1) is joined, gap


# ---------------------------------------------------------------- end to end


@pytest.mark.slow
def test_screen_finds_the_leak_only_ocr_can_see(tmp_path: Path) -> None:
    (project,) = [p for p in projects() if p.pid == "QZ2020-0201"]
    (tmp_path / "application.json").write_text(json.dumps(project.application, ensure_ascii=False), encoding="utf-8")
    uploads = []
    for name, make in project.files.items():
        make(tmp_path / name)
        uploads.append(Upload(name, path=tmp_path / name))
    app = parse_application(json.dumps(project.application, ensure_ascii=False))
    report = screen(app, uploads).to_json()
    (leak,) = project.gold["leaks"]
    assert leak["needs_ocr"]
    hits = [f for f in report["findings"] if f["rule"].startswith("identity.") and f["severity"] == "fail"]
    assert any(f["file"] == leak["file"] and norm(f["matched"]) == norm(leak["surface"])
               and (f["location"]["part"], f["location"]["page"], f["location"].get("origin")) == ("body", 2, "ocr")
               for f in hits), hits
    assert report["verdict"] == "fail"
    assert next(d for d in report["documents"] if d["file"] == leak["file"])["ocr"] is True
