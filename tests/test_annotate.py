"""Annotated copies: every finding of a sample attachment appears in the copy — a Word comment
anchored on exactly the matched characters (or on the mark that shows them), a PDF highlight whose
quadrilaterals cover exactly the matched characters — the rest of the document is unchanged, and
the command and `batch --annotate` write the copies (a resumed batch keeps them)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from docx import Document as WordDocument
from docx.shared import Inches
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from samples.docxkit import build_docx
from screening.annotate import (
    AUTHOR,
    Annotation,
    AnnotationError,
    annotate,
    annotate_bytes,
    findings_of,
    mark_bytes,
    note,
)
from screening.annotate.docx import annotate_docx
from screening.annotate.pdf import annotate_pdf
from screening.application import load_application
from screening.engine import Upload, screen, screen_files
from screening.model import Finding, Location, PartKind, Severity
from tests.conftest import BATCH, Result

ORG, PERSON = "浙江衢晟新材料有限公司", "王建国"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_TAGS = (f"{W}t", f"{W}delText")
MARKS = (f"{W}footnoteReference", f"{W}endnoteReference", f"{W}commentReference")


def _annotate(project: str, name: str) -> Annotation:
    return annotate(load_application(BATCH / project / "application.json"), Upload(name, path=BATCH / project / name))


# ---------------------------------------------------------------- Word


def _part(data: bytes, member: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(member))


def _comments(data: bytes) -> dict[str, tuple[str, list[str]]]:
    """Comment id → (author, its paragraphs' texts); none when the document has no comments part."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if "word/comments.xml" not in zf.namelist():
            return {}
    root = _part(data, "word/comments.xml")
    return {c.get(f"{W}id"): (c.get(f"{W}author"), ["".join(t.text or "" for t in p.iter(f"{W}t"))
                                                  for p in c.iter(f"{W}p")]) for c in root.iter(f"{W}comment")}


def _ranges(data: bytes) -> dict[str, tuple[str, set[str]]]:
    """Comment id → (the text its range encloses, the note marks inside it), from document.xml."""
    open_: dict[str, tuple[list[str], set[str]]] = {}
    out: dict[str, tuple[str, set[str]]] = {}
    for el in _part(data, "word/document.xml").iter():
        if el.tag == f"{W}commentRangeStart":
            open_[el.get(f"{W}id")] = ([], set())
        elif el.tag == f"{W}commentRangeEnd":
            texts, marks = open_.pop(el.get(f"{W}id"))
            out[el.get(f"{W}id")] = ("".join(texts), marks)
        elif el.tag in TEXT_TAGS:
            for texts, _ in open_.values():
                texts.append(el.text or "")
        elif el.tag in MARKS:
            for _, marks in open_.values():
                marks.add(etree.QName(el).localname)
    assert not open_
    return out


def _all_text(data: bytes) -> str:
    return "".join(el.text or "" for el in _part(data, "word/document.xml").iter(*TEXT_TAGS))


def _commented(data: bytes, findings: tuple[Finding, ...] | list[Finding]) -> dict[Finding, tuple[str, str, list[str]]]:
    """Each finding → (the id of the comment holding its note, that comment's author, its paragraphs)."""
    comments = _comments(data)
    found = {}
    for finding in findings:
        holding = [(cid, author, paragraphs) for cid, (author, paragraphs) in comments.items()
                   if note(finding) in paragraphs]
        assert len(holding) == 1, note(finding)
        found[finding] = holding[0]
    return found


def _check_comments(original: bytes, data: bytes, findings: tuple[Finding, ...] | list[Finding], listed: int) -> None:
    """Every finding in exactly one comment by us: on exactly its characters (text of the body, a
    table, a text box), on its note's mark, on what the applicant's comment covers, on the picture,
    or in the one overview on the first paragraph; the text of the document unchanged."""
    ranges = _ranges(data)
    before = _ranges(original)
    first = next(p.text for p in WordDocument(io.BytesIO(original)).paragraphs if p.text.strip())
    overviews = set()
    for finding, (cid, author, paragraphs) in _commented(data, findings).items():
        assert author == AUTHOR
        text, marks = ranges[cid]
        loc = finding.location
        if len(paragraphs) > 1:  # the overview: everything without a place of its own, on the first paragraph
            assert paragraphs[0].startswith(f"{AUTHOR}：本文件有{listed}处问题") and len(paragraphs) == listed + 1
            assert text == first
            overviews.add(cid)
        elif loc is not None and loc.part in (PartKind.BODY, PartKind.TABLE, PartKind.TEXTBOX):
            assert text == finding.matched  # exactly the leaked characters, split runs and all
        elif loc is not None and loc.part is PartKind.FOOTNOTE:
            assert text == "" and marks & {"footnoteReference", "endnoteReference"}
        elif loc is not None and loc.part is PartKind.IMAGE:
            assert text == ""  # the run showing the picture
        else:  # a comment's text or author: the text that comment covers
            assert loc is not None and loc.part is PartKind.COMMENT
            assert text in {t for t, _ in before.values()} and text
    assert len(overviews) == (1 if listed else 0)
    assert _all_text(data) == _all_text(original)
    paragraphs = [p.text for p in WordDocument(io.BytesIO(data)).paragraphs]
    assert paragraphs == [p.text for p in WordDocument(io.BytesIO(original)).paragraphs]
    for cid, (author, texts) in _comments(original).items():  # the applicant's own comments are kept
        assert _comments(data)[cid] == (author, texts)


@pytest.mark.parametrize(("project", "name", "anchored", "listed"), [
    ("QZ2020-0002", "可行性报告.docx", 3, 2),  # text box, a comment's text and author; header, footer
    ("QZ2020-0003", "可行性报告.docx", 6, 2),  # text box, deletion, hidden, table, footnote, endnote; 2 headers
    ("QZ2020-0006", "可行性报告.pdf", 1, 1),  # a Word document named .pdf: body; the lying extension
])
def test_every_finding_is_a_comment_on_exactly_its_text(project: str, name: str, anchored: int, listed: int) -> None:
    result = _annotate(project, name)
    assert (result.anchored, result.listed) == (anchored, listed)
    assert result.format == "docx" and result.file.endswith("-标注.docx")
    _check_comments((BATCH / project / name).read_bytes(), result.data, result.findings, listed)


def test_every_place_of_a_word_document(tmp_path: Path) -> None:
    """Nested tables, DrawingML and VML text boxes, a comment, notes, a deletion, hidden text, a
    picture's alt text: each on its own text; six headers and footers, a property and the file
    name in the overview."""
    path = tmp_path / f"{ORG}可行性报告.docx"
    png = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(png, format="PNG")
    build_docx(path, body=["本项目由" + ORG + "承担。", "第二段"], table=[["单位", ORG]], nested_table_cell=ORG,
               header=ORG, header_first=ORG, header_even=ORG, footer=ORG, footer_first=ORG, footer_even=ORG,
               textbox=ORG, vml_textbox=ORG, comment=("第二段", "批注：" + ORG, PERSON), footnote=ORG, endnote=ORG,
               deleted=ORG, hidden=ORG, core={"creator": PERSON}, image_png=png.getvalue(), image_descr=ORG)
    report = screen_files([path], orgs=[ORG], persons=[PERSON])
    findings = findings_of(report, path.name)
    marked = mark_bytes(path.read_bytes(), "docx", findings, report.documents[0])
    assert (marked.anchored, marked.listed) == (len(findings) - 8, 8) and marked.anchored >= 12
    _check_comments(path.read_bytes(), marked.data, findings, 8)


def test_a_deleted_leak_keeps_its_comment_mark_out_of_the_deletion() -> None:
    result = _annotate("QZ2020-0003", "可行性报告.docx")
    root = _part(result.data, "word/document.xml")
    references = list(root.iter(f"{W}commentReference"))
    assert len(references) == len(_comments(result.data))
    for reference in references:
        assert not [a for a in reference.iterancestors() if a.tag in (f"{W}del", f"{W}moveFrom")]


def test_a_leak_across_runs_gets_exactly_its_characters_and_the_runs_keep_their_formatting(tmp_path: Path) -> None:
    doc = WordDocument()
    doc.add_paragraph("可行性报告")
    paragraph = doc.add_paragraph()
    for text, bold in (("本项目由衢州", False), ("绿禾", True), ("农业开发有限公司承担。", False)):
        paragraph.add_run(text).bold = bold
    doc.add_paragraph("另见衢州绿禾农业开发有限公司的说明。")
    path = tmp_path / "跨段.docx"
    doc.save(path)
    application = load_application(BATCH / "QZ2020-0003" / "application.json")
    result = annotate(application, Upload(path.name, path=path))
    copy = WordDocument(io.BytesIO(result.data))
    assert [(r.text, r.bold) for r in copy.paragraphs[1].runs if r.text] == [
        ("本项目由", False), ("衢州", False), ("绿禾", True), ("农业开发有限公司", False), ("承担。", False)]
    names = [f for f in result.findings if f.matched == "衢州绿禾农业开发有限公司"]
    assert len(names) == 2 and result.anchored == len(result.findings)
    ranges = _ranges(result.data)
    commented = _commented(result.data, result.findings)
    assert {ranges[commented[f][0]][0] for f in names} == {"衢州绿禾农业开发有限公司"}
    assert len({commented[f][0] for f in names}) == 2  # one comment on each paragraph's own occurrence
    assert [p.text for p in copy.paragraphs] == [p.text for p in WordDocument(path).paragraphs]


def test_a_picture_gets_the_comment_on_the_run_showing_it(tmp_path: Path) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (60, 30), "white").save(picture, "PNG")
    doc = WordDocument()
    doc.add_paragraph("项目简介")
    run = doc.add_paragraph("图1：").add_run()
    run.add_picture(io.BytesIO(picture.getvalue()), width=Inches(1))
    run._r.xpath(".//wp:docPr")[0].set("descr", "衢州绿禾农业开发有限公司标志")
    path = tmp_path / "图.docx"
    doc.save(path)
    result = annotate(load_application(BATCH / "QZ2020-0003" / "application.json"), Upload(path.name, path=path))
    (finding, (cid, _, _)), = _commented(result.data, result.findings).items()
    assert finding.location is not None and finding.location.origin == "alt_text" and result.anchored == 1
    drawings = [el for el in _part(result.data, "word/document.xml").iter(f"{W}drawing")]
    assert len(drawings) == 1 and _enclosed(result.data, cid, drawings[0])
    # what OCR reads in the picture goes to the same run, found by the picture's zip member
    media = next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/media/"))
    read = Finding("identity.person", Severity.FAIL, "图.docx图片中出现项目负责人姓名“赵德胜”", file=path.name,
                   location=Location(PartKind.IMAGE, paragraph=1, origin="ocr", source=media), matched="赵德胜")
    marked = annotate_docx(path.read_bytes(), [read])
    assert (marked.anchored, marked.listed) == (1, 0)
    (cid, _), = _comments(marked.data).items()
    assert _enclosed(marked.data, cid, next(_part(marked.data, "word/document.xml").iter(f"{W}drawing")))


def _enclosed(data: bytes, cid: str, target: etree._Element) -> bool:
    """Whether an element (found in another parse of the same part: compared by its path) lies in a
    comment's range."""
    root = _part(data, "word/document.xml")
    path = target.getroottree().getpath(target)
    inside = False
    for el in root.iter():
        if el.tag == f"{W}commentRangeStart" and el.get(f"{W}id") == cid:
            inside = True
        elif el.tag == f"{W}commentRangeEnd" and el.get(f"{W}id") == cid:
            return False
        elif inside and root.getroottree().getpath(el) == path:
            return True
    return False


# ---------------------------------------------------------------- PDF


def _highlights(data: bytes) -> list[tuple[int, Any]]:
    reader = PdfReader(io.BytesIO(data))
    return [(i, a.get_object()) for i, page in enumerate(reader.pages) for a in page.get("/Annots") or []
            if a.get_object().get("/T") == AUTHOR]


def _covered(data: bytes, page: int, quads: list[float]) -> str:
    """The characters (pdfplumber's, as a reader selects them) whose centre lies in the quadrilaterals."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sheet = pdf.pages[page]
        height = float(sheet.height)
        boxes = []
        for k in range(0, len(quads), 8):
            xs, ys = quads[k:k + 8:2], quads[k + 1:k + 8:2]
            boxes.append((min(xs), height - max(ys), max(xs), height - min(ys)))
        return "".join(c["text"] for c in sheet.chars
                       if any(x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
                              for x0, top, x1, bottom in boxes))


def _notes(data: bytes) -> list[str]:
    return [line for _, annot in _highlights(data) for line in str(annot["/Contents"]).split("\n")]


def test_pdf_highlights_cover_the_matched_characters_and_tell_repeated_names_apart() -> None:
    original = (BATCH / "QZ2020-0101" / "专利证书-0101.pdf").read_bytes()
    result = _annotate("QZ2020-0101", "专利证书-0101.pdf")
    assert result.data.startswith(original)  # an incremental update: the original bytes are untouched
    assert len(result.findings) == 6 and result.anchored == 6
    backwards = annotate_pdf(original, result.findings[::-1])  # the order of the findings decides nothing
    for data in (result.data, backwards.data):
        marks = _highlights(data)
        by_note = {str(annot["/Contents"]): (page, annot) for page, annot in marks}
        assert len(marks) == len(by_note) == 6
        for finding in result.findings:
            page, annot = by_note[note(finding)]
            assert annot["/Subtype"] == "/Highlight" and "/AP" in annot
            quads = [float(v) for v in annot["/QuadPoints"]]
            assert _covered(data, page, quads) == finding.matched
            box = finding.location.box if finding.location else None
            assert box is not None  # the name's own paragraph: 郑国栋 of paragraph 3 is not the one of paragraph 9
            height = float(PdfReader(io.BytesIO(data)).pages[page].mediabox.height)
            centre = (sum(quads[0::2]) / 4, height - sum(quads[1::2]) / 4)
            assert box[0] <= centre[0] <= box[2] and box[1] <= centre[1] <= box[3]


def test_pdf_text_over_two_lines_an_annotation_and_the_properties() -> None:
    result = _annotate("QZ2020-0004", "经费预算表.pdf")
    marks = _highlights(result.data)
    assert (result.anchored, result.listed) == (2, 1)
    highlight = [annot for _, annot in marks if annot["/Subtype"] == "/Highlight"]
    assert len(highlight) == 1 and len(highlight[0]["/QuadPoints"]) == 16  # one quadrilateral per line
    assert _covered(result.data, 1, [float(v) for v in highlight[0]["/QuadPoints"]]) == "浙江衢江精密机械有限公司"
    notes = {str(a["/Contents"]).split("\n")[0]: (page, a) for page, a in marks if a["/Subtype"] == "/Text"}
    annotation = next(f for f in result.findings if f.location and f.location.origin == "annotation")
    page, beside = notes[note(annotation)]
    theirs = next(a.get_object() for a in PdfReader(io.BytesIO(result.data)).pages[0]["/Annots"]
                  if a.get_object().get("/T") != AUTHOR and a.get_object()["/Subtype"] == "/Text")
    assert page == 0 and float(beside["/Rect"][0]) > float(theirs["/Rect"][2])  # next to the note that leaks
    page, overview = notes[f"{AUTHOR}：本文件有1处问题无法标注在原文位置，列出如下"]
    assert page == 0 and "文档属性（作者）" in str(overview["/Contents"])
    assert sorted(_notes(result.data)) == sorted([*(note(f) for f in result.findings), str(overview["/Contents"]).split("\n")[0]])


def test_a_scanned_page_gets_its_ocr_boxes_highlighted(cache_dir: Path) -> None:
    result = _annotate("QZ2020-0201", "可行性报告.pdf")
    (page, annot), = _highlights(result.data)
    finding, = result.findings
    assert page == 1 and finding.location is not None and finding.location.origin == "ocr"
    box = finding.location.box
    assert box is not None
    height = float(PdfReader(io.BytesIO(result.data)).pages[1].mediabox.height)
    quads = [float(v) for v in annot["/QuadPoints"]]
    assert len(quads) == 16  # the name is read on two lines: one box each
    assert all(box[0] - 1 <= x <= box[2] + 1 for x in quads[0::2])
    assert all(box[1] - 1 <= height - y <= box[3] + 1 for y in quads[1::2])
    assert str(annot["/Contents"]) == note(finding)


# ---------------------------------------------------------------- the library for the service, refusals


def test_annotate_bytes_takes_the_findings_of_its_file() -> None:
    folder = BATCH / "QZ2020-0004"
    uploads = [Upload(p.name, path=p) for p in sorted(folder.iterdir()) if p.suffix in (".docx", ".pdf")]
    report = screen(load_application(folder / "application.json"), uploads)
    for upload, document in zip(uploads, report.documents, strict=True):
        own = [f for f in report.findings if f.file == upload.name]
        data, count = annotate_bytes(upload, report.findings, document)
        assert count == len(own) > 0 and data != upload.read()
        assert annotate_bytes(upload, report.findings)[1] == count  # the format read from the bytes


def test_a_picture_is_refused_and_the_command_writes_nothing(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = BATCH / "QZ2020-0007"
    with pytest.raises(AnnotationError, match="图片无法生成标注副本"):
        annotate(load_application(folder / "application.json"), Upload("现场照片.jpg", path=folder / "现场照片.jpg"))
    done = cli("annotate", folder / "现场照片.jpg", "-a", folder / "application.json", "-o", tmp_path)
    assert done.code == 2 and "图片无法生成标注副本" in done.err and "Traceback" not in done.err
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_the_copy(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = BATCH / "QZ2020-0003"
    done = cli("annotate", folder / "可行性报告.docx", "--application", folder / "application.json", "-o", tmp_path)
    assert done.code == 0, done.err
    written = tmp_path / "可行性报告-标注.docx"
    assert written.is_file() and "共8处问题：6处标注在原文位置，2处" in done.out
    assert len(_comments(written.read_bytes())) == 7
    out = tmp_path / "预算.pdf"
    done = cli("annotate", BATCH / "QZ2020-0004" / "经费预算表.pdf", "-a", BATCH / "QZ2020-0004" / "application.json",
               "-o", out, "--format", "json")
    assert done.code == 0 and out.is_file() and done.json()["anchored"] == 2 and len(done.json()["findings"]) == 3


# ---------------------------------------------------------------- batch --annotate


def test_batch_annotate_writes_the_copies_and_a_resumed_batch_keeps_them(cli: Callable[..., Result],
                                                                         tmp_path: Path) -> None:
    source, out = tmp_path / "batch", tmp_path / "out"
    for project in ("QZ2020-0002", "QZ2020-0004", "QZ2020-0006"):
        shutil.copytree(BATCH / project, source / project)
    assert cli("batch", source, "-o", out, "-w", "1").code == 1
    reports = {p.name: p.read_bytes() for p in out.glob("*.json")}
    assert not (out / "annotated").exists()

    done = cli("batch", source, "-o", out, "-w", "1", "--annotate")
    assert done.code == 1, done.err
    assert {p.name: p.read_bytes() for p in out.glob("*.json")} == reports  # the reports are not touched
    copies = sorted(p.relative_to(out / "annotated").as_posix() for p in (out / "annotated").rglob("*") if p.is_file())
    assert copies == ["QZ2020-0002/可行性报告.docx", "QZ2020-0004/经费预算表.pdf", "QZ2020-0004/衢江精密-可行性报告.docx",
                      "QZ2020-0006/可行性报告.docx"]  # a Word document named .pdf gets its real extension
    assert "标注副本：4份（本次生成4份，沿用上次0份）" in done.out
    for copy in ("QZ2020-0002/可行性报告.docx", "QZ2020-0004/衢江精密-可行性报告.docx"):  # every finding of the file
        project, file = copy.split("/")
        findings = [Finding.from_json(f) for f in _json(out / f"{project}.json")["findings"] if f.get("file") == file]
        texts = {t for _, paragraphs in _comments((out / "annotated" / copy).read_bytes()).values() for t in paragraphs}
        assert findings and all(note(f) in texts for f in findings)
    pdf = (out / "annotated" / "QZ2020-0004" / "经费预算表.pdf").read_bytes()
    assert len(_highlights(pdf)) == 3 and _covered(pdf, 1, [float(v) for v in next(
        a for _, a in _highlights(pdf) if a["/Subtype"] == "/Highlight")["/QuadPoints"]]) == "浙江衢江精密机械有限公司"

    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (out / "annotated").rglob("*") if p.is_file()}
    done = cli("batch", source, "-o", out, "-w", "1", "--annotate")
    assert "标注副本：4份（本次生成0份，沿用上次4份）" in done.out  # resumed: neither redone nor lost
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in stamps} == stamps

    (out / "annotated" / "QZ2020-0006" / "可行性报告.docx").unlink()
    done = cli("batch", source, "-o", out, "-w", "1", "--annotate")
    assert "本次生成1份，沿用上次3份" in done.out and (out / "annotated" / "QZ2020-0006" / "可行性报告.docx").is_file()


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
