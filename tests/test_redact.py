"""Redacted copies: every identity leak of the sample attachments is gone (screening the copy finds
none), the rest of the document is untouched, and PDF text is really removed, not covered."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document as WordDocument
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    StreamObject,
    TextStringObject,
)

from samples.pdfkit import build_pdf
from screening.application import Application, load_application
from screening.engine import Upload, screen
from screening.masking import MASK, RedactionError
from screening.model import Severity
from screening.redact import Redaction, redact
from tests.conftest import BATCH, Result

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SAMPLES = [(p, f.name) for p in ("QZ2020-0002", "QZ2020-0003", "QZ2020-0004")
           for f in sorted((BATCH / p).iterdir()) if f.suffix in (".docx", ".pdf")]


def _leaks(application: Application, name: str, data: bytes) -> list[str]:
    report = screen(application, [Upload(name, data=data)])
    return [f.message for f in report.findings if f.rule.startswith("identity.") and f.severity is not Severity.INFO]


def _redact(project: str, name: str) -> tuple[Application, Redaction]:
    application = load_application(BATCH / project / "application.json")
    return application, redact(application, Upload(name, path=BATCH / project / name))


@pytest.mark.parametrize(("project", "name"), SAMPLES)
def test_the_copy_of_every_sample_attachment_screens_clean(project: str, name: str) -> None:
    application, result = _redact(project, name)
    before = _leaks(application, name, (BATCH / project / name).read_bytes())
    assert len(result.masked) == len(before)
    assert _leaks(application, result.file, result.data) == []
    assert MASK not in result.file and result.file.endswith(Path(name).suffix)


def _document_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def test_docx_runs_keep_their_formatting_and_length() -> None:
    _, result = _redact("QZ2020-0002", "可行性报告.docx")
    original = (BATCH / "QZ2020-0002" / "可行性报告.docx").read_bytes()
    before, after = _document_xml(original), _document_xml(result.data)
    props = [etree.tostring(r.find(f"{W}rPr")) if r.find(f"{W}rPr") is not None else b"" for r in before.iter(f"{W}r")]
    assert props == [etree.tostring(r.find(f"{W}rPr")) if r.find(f"{W}rPr") is not None else b""
                     for r in after.iter(f"{W}r")]
    texts = [(t.text or "") for t in before.iter(f"{W}t")]
    masked = [(t.text or "") for t in after.iter(f"{W}t")]
    assert [len(t) for t in texts] == [len(t) for t in masked]
    assert "项目负责人：＊＊＊" in masked
    with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(result.data)) as b:
        assert a.namelist() == b.namelist()
        assert a.read("word/styles.xml") == b.read("word/styles.xml")  # parts without leaks keep their bytes
        comments = b.read("word/comments.xml").decode()
        assert "陈志明" not in comments and "周丽华" not in comments and 'w:author="＊＊＊"' in comments


def test_docx_tracked_deletions_and_hidden_runs_with_leaks_are_dropped() -> None:
    _, result = _redact("QZ2020-0003", "可行性报告.docx")
    root = _document_xml(result.data)
    assert not [d for d in root.iter(f"{W}del") if MASK in "".join(d.itertext())]
    hidden = [r for r in root.iter(f"{W}r") if r.find(f"{W}rPr/{W}vanish") is not None]
    assert not [r for r in hidden if MASK in "".join(r.itertext())]
    text = "".join(root.itertext())
    for name in ("绿禾农业", "孙雨婷", "赵德胜"):
        assert name not in text


def test_a_leak_across_runs_is_masked_in_each_run_with_its_formatting(tmp_path: Path) -> None:
    doc = WordDocument()
    paragraph = doc.add_paragraph()
    for text, bold in (("本项目由衢州", False), ("绿禾", True), ("农业开发有限公司承担。", False)):
        paragraph.add_run(text).bold = bold
    doc.core_properties.author = "衢州绿禾农业开发有限公司"
    path = tmp_path / "跨段.docx"
    doc.save(path)
    application = load_application(BATCH / "QZ2020-0003" / "application.json")
    result = redact(application, Upload(path.name, path=path))
    runs = [(r.text, r.bold) for r in WordDocument(io.BytesIO(result.data)).paragraphs[0].runs]
    assert runs == [("本项目由＊＊", False), ("＊＊", True), ("＊＊＊＊＊＊＊＊承担。", False)]
    assert WordDocument(io.BytesIO(result.data)).core_properties.author == MASK * 12


def _all_strings_and_streams(data: bytes) -> bytes:
    """Every object of the file, referenced or not: decoded streams and strings, for a search
    that no viewer can fool."""
    reader = PdfReader(io.BytesIO(data))
    numbers = {n for table in reader.xref.values() for n in table} | set(reader.xref_objStm)
    out = bytearray()
    stack: list[object] = [reader.get_object(n) for n in sorted(numbers)]
    while stack:
        obj = stack.pop()
        if isinstance(obj, StreamObject):
            out += obj.get_data()
            out += _shown_bytes(obj, reader)
        if isinstance(obj, DictionaryObject):
            stack.extend(v for v in obj.values() if not isinstance(v, IndirectObject))
        elif isinstance(obj, ArrayObject):
            stack.extend(v for v in obj if not isinstance(v, IndirectObject))
        elif isinstance(obj, str):
            out += obj.encode("utf-8")
    return bytes(out)


def _shown_bytes(stream: StreamObject, reader: PdfReader) -> bytes:
    """The string operands of a stream read as a content stream (literal strings are escaped in
    the stream's source, so the raw data alone would hide them)."""
    try:
        operations = ContentStream(stream, reader).operations
    except Exception:  # not a content stream: a font, a picture
        return b""
    out = bytearray()
    for operands, _ in operations:
        for operand in operands if isinstance(operands, list) else []:
            for item in operand if isinstance(operand, list) else [operand]:
                if isinstance(item, ByteStringObject):
                    out += bytes(item)
                elif isinstance(item, TextStringObject):
                    out += item.get_original_bytes()
    return bytes(out)


def test_pdf_text_is_removed_not_covered_and_the_rest_stays_in_place() -> None:
    _, result = _redact("QZ2020-0004", "经费预算表.pdf")
    original = (BATCH / "QZ2020-0004" / "经费预算表.pdf").read_bytes()
    everything = _all_strings_and_streams(result.data) + result.data
    for leak in ("衢江精", "密机械有限公司", "衢江精密", "吴晓峰"):
        assert leak.encode("utf-16-be") not in everything and leak.encode() not in everything
    before, after = pdfium.PdfDocument(original), pdfium.PdfDocument(result.data)
    text_before = before[1].get_textpage().get_text_range()
    text_after = after[1].get_textpage().get_text_range()
    assert "财务部编制" in text_after and "衢江" not in text_after
    box_before = before[1].get_textpage().get_charbox(text_before.index("财务部"))
    box_after = after[1].get_textpage().get_charbox(text_after.index("财务部"))
    assert all(abs(a - b) < 0.01 for a, b in zip(box_before, box_after, strict=True))
    assert after.get_metadata_dict()["Author"] == MASK * 3
    assert pdfium.raw.FPDFPage_GetAnnotCount(after[0]) == 0  # the note that named the applicant


def test_pdf_metadata_annotations_fields_outline_and_attachments_are_cleaned(tmp_path: Path) -> None:
    name, person = "衢州绿禾农业开发有限公司", "赵德胜"
    path = build_pdf(tmp_path / "全都有.pdf", pages=[["正文没有泄露。"]], header=f"{name}内部资料",
                     info={"Author": person, "Title": "可行性报告"}, xmp_creator=person,
                     annotation=(f"请{person}核对", person), form_field=("编制单位", name),
                     outline=[f"{name}简介"], attachment=(f"{name}.txt", name.encode()))
    application = load_application(BATCH / "QZ2020-0003" / "application.json")
    assert len(_leaks(application, path.name, path.read_bytes())) >= 6
    result = redact(application, Upload(path.name, path=path))
    assert _leaks(application, result.file, result.data) == []
    everything = _all_strings_and_streams(result.data) + result.data
    for leak in (name, person, "绿禾"):
        assert leak.encode("utf-16-be") not in everything and leak.encode() not in everything
    assert PdfReader(io.BytesIO(result.data)).xmp_metadata is None
    assert "正文没有泄露" in pdfium.PdfDocument(result.data)[0].get_textpage().get_text_range()


def test_a_copy_that_still_leaks_is_refused() -> None:
    application = load_application(BATCH / "QZ2020-0002" / "application.json")
    upload = Upload("可行性报告.docx", path=BATCH / "QZ2020-0002" / "可行性报告.docx")
    with pytest.raises(RedactionError, match="仍发现5处"):
        redact(application, upload, mask=lambda data, fmt, needles, boxes: data)


def test_an_encrypted_file_is_refused(tmp_path: Path) -> None:
    application = load_application(BATCH / "QZ2020-0007" / "application.json")
    locked = build_pdf(tmp_path / "加密.pdf", pages=[["衢州"]], user_password="x")
    with pytest.raises(RedactionError, match="密码"):
        redact(application, Upload(locked.name, path=locked))


def test_the_command_writes_a_verified_copy(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = BATCH / "QZ2020-0004"
    done = cli("redact", folder / "衢江精密-可行性报告.docx", "--application", folder / "application.json",
               "-o", tmp_path)
    assert done.code == 0, done.err
    written = tmp_path / "可行性报告-脱敏.docx"
    assert written.is_file() and "遮盖5处" in done.out
    application = load_application(folder / "application.json")
    assert _leaks(application, written.name, written.read_bytes()) == []
    out = tmp_path / "copy.pdf"
    done = cli("redact", folder / "经费预算表.pdf", "-a", folder / "application.json", "-o", out, "--format", "json")
    assert done.code == 0 and out.is_file() and len(done.json()["masked"]) == 3


def test_the_command_fails_cleanly_and_writes_nothing(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = BATCH / "QZ2020-0007"
    out = tmp_path / "x.pdf"
    locked = build_pdf(tmp_path / "加密.pdf", pages=[["衢州"]], user_password="x")
    done = cli("redact", locked, "-a", folder / "application.json", "-o", out)
    assert done.code == 2 and "密码" in done.err and "Traceback" not in done.err
    assert not out.exists()
    assert cli("redact", tmp_path / "missing.docx", "-a", folder / "application.json", "-o", out).code == 2
