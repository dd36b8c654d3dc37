"""screening.parsers.legacy: .doc and .wps converted by LibreOffice and read by the docx parser, their
OLE properties read by olefile with or without LibreOffice; without it, a finding naming what to
install.

The .doc files are made here: by LibreOffice from a generated .docx when it is installed (under CI,
where .ci/run installs it, its absence fails instead of skipping), and by hand as an OLE2 file
(samples/sheetkit.py's compound-file writer) for the cases that need no converter."""

from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import time
from pathlib import Path

import pytest

from samples.docxkit import build_docx
from samples.scans import encode, table_picture
from samples.sheetkit import _DOC_SUMMARY, _SUMMARY, _USER, compound_file, property_stream
from screening import formats
from screening.errors import CorruptError
from screening.formats import Format, settle, sniff
from screening.model import PartKind
from screening.parsers import legacy, ocr, parse_bytes
from tests.leaks import APPLICANT, LEADER, identity_findings, places

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def needs_libreoffice() -> str:
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed (.ci/run installs libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed")
    return SOFFICE


def doc_from_docx(tmp_path: Path, **kwargs: object) -> bytes:
    """A .doc LibreOffice writes (MS Word 97) from a .docx built by samples/docxkit.py."""
    program = needs_libreoffice()
    source = build_docx(tmp_path / "source.docx", **kwargs)  # type: ignore[arg-type]
    subprocess.run([program, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    return (tmp_path / "source.doc").read_bytes()


PLACES = dict(body=["正文：浙江衢晟新材料有限公司承担本项目"], table=[["负责人", "王建国"]], header="页眉王建国",
              footer="页脚：浙江衢晟新材料有限公司", comment=("正文", "批注王建国", "李审阅"), footnote="脚注王建国",
              deleted="删除的王建国", hidden="隐藏的王建国", textbox="文本框里的浙江衢晟新材料有限公司",
              core={"creator": "王建国", "last_modified_by": "李四", "title": "可行性报告"},
              custom={"项目单位": APPLICANT})


@pytest.fixture(scope="module")
def real_doc(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return doc_from_docx(tmp_path_factory.mktemp("doc"), **PLACES)


def fib(*, encrypted: bool = False) -> bytes:
    """The start of a WordDocument stream (FibBase: wIdent, nFib, lid, flags), padded to a sector run."""
    return struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, 0x0100 if encrypted else 0).ljust(4096, b"\x00")


def handmade_doc(*, encrypted: bool = False) -> bytes:
    """An OLE2 Word binary with properties and no text LibreOffice could read: for the no-converter cases."""
    summary = property_stream([(_SUMMARY, {2: "可行性报告", 4: "王建国", 8: "李四"}, None)])
    documents = property_stream([(_DOC_SUMMARY, {0x0F: APPLICANT}, None), (_USER, {2: APPLICANT}, {2: "项目单位"})])
    return compound_file({"WordDocument": fib(encrypted=encrypted), "1Table": b"\x00" * 4096,
                          "\x05SummaryInformation": summary, "\x05DocumentSummaryInformation": documents})


@pytest.fixture
def no_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert legacy.converter() is None


# ---------------------------------------------------------------- with LibreOffice


def test_a_doc_made_by_libreoffice_is_read_in_every_place(real_doc: bytes) -> None:
    assert sniff(real_doc) is Format.DOC
    doc = parse_bytes(real_doc, "可行性报告.doc")
    assert doc.format is Format.DOC and doc.problems == ()
    got = {(p.kind.value, p.origin, p.text.strip()) for p in doc.parts}
    for expected in [("body", "", "正文：浙江衢晟新材料有限公司承担本项目"), ("table", "", "王建国"),
                     ("header", "default", "页眉王建国"), ("footer", "default", f"页脚：{APPLICANT}"),
                     ("comment", "", "批注王建国"), ("comment", "comment_author", "李审阅"),
                     ("footnote", "", "脚注王建国"), ("body", "deleted", "删除的王建国"),
                     ("body", "hidden", "隐藏的王建国"), ("textbox", "", f"文本框里的{APPLICANT}"),
                     ("metadata", "core.creator", "王建国"), ("metadata", "core.title", "可行性报告"),
                     ("metadata", "custom.项目单位", APPLICANT)]:
        assert expected in got, expected
    metadata = [p for p in doc.parts if p.kind is PartKind.METADATA and p.origin.startswith(("core.", "app.", "custom."))]
    assert metadata and {p.source for p in metadata} <= {"SummaryInformation", "DocumentSummaryInformation"}
    assert not any(p.source.startswith("docProps/") for p in doc.parts)  # the original's properties, not LibreOffice's
    assert any(p.source == "word/document.xml#t1r1c2" and p.text == "王建国" for p in doc.parts)


def test_a_name_planted_in_each_doc_place_is_found(real_doc: bytes) -> None:
    found = places("可行性报告.doc", real_doc)
    for where in [("body", "", APPLICANT), ("table", "", LEADER), ("header", "default", LEADER),
                  ("footer", "default", APPLICANT), ("comment", "", LEADER), ("footnote", "", LEADER),
                  ("body", "deleted", LEADER), ("body", "hidden", LEADER), ("textbox", "", APPLICANT),
                  ("metadata", "core.creator", LEADER), ("metadata", "custom.项目单位", APPLICANT)]:
        assert where in found, where


def test_a_wps_is_a_word_binary_told_apart_by_its_extension(real_doc: bytes) -> None:
    assert sniff(real_doc) is Format.DOC  # the bytes cannot tell
    assert settle(Format.DOC, Format.WPS) is Format.WPS and settle(Format.DOC, Format.DOC) is Format.DOC
    assert settle(Format.DOC, None) is Format.DOC and settle(Format.XLS, Format.WPS) is Format.XLS
    assert settle(Format.DOC, Format.DOCX) is Format.DOC  # a .doc named .docx is still a lying extension
    assert legacy.parse_wps(real_doc).parts == legacy.parse_doc(real_doc).parts
    assert formats.EXTENSIONS[".wps"] is Format.WPS and formats.info(Format.WPS).parser == "screening.parsers.legacy:parse_wps"
    doc = parse_bytes(real_doc, "可行性报告.wps")
    assert doc.format in (Format.WPS, Format.DOC)  # WPS once the dispatcher settles the sniffed format
    assert any(p.text == "正文：浙江衢晟新材料有限公司承担本项目" for p in doc.parts)


@pytest.mark.usefixtures("cache_dir")
def test_doc_pictures_are_read_by_ocr_from_one_conversion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    picture = table_picture([["岗位", "姓名"], ["项目负责人", "周明轩"]], seed=11)
    data = doc_from_docx(tmp_path, body=["项目组见下图。"], image_png=encode(picture, "PNG"))
    legacy.forget()
    conversions: list[bytes] = []
    convert = legacy._convert
    monkeypatch.setattr(legacy, "_convert", lambda blob: conversions.append(blob) or convert(blob))
    doc = parse_bytes(data, "报告.doc")
    assert conversions == [data]  # the OCR loader reused the parser's conversion
    read = [p for p in doc.parts if p.origin == ocr.ORIGIN]
    assert read and all(p.kind is PartKind.IMAGE and p.source.startswith("word/media/") for p in read)
    assert any("周明轩" in p.text for p in read) and doc.ocr


# ---------------------------------------------------------------- without LibreOffice


@pytest.mark.usefixtures("no_libreoffice")
def test_without_libreoffice_the_text_is_not_read_and_the_fix_is_named() -> None:
    data = handmade_doc()
    assert sniff(data) is Format.DOC
    doc = parse_bytes(data, "可行性报告.doc")
    assert doc.format is Format.DOC
    (problem,) = doc.problems
    assert problem.rule == "document.unsupported"
    assert "apt-get install libreoffice-writer-nogui" in problem.message and "正文" in problem.message
    assert "未能读取" in problem.message
    assert [(p.origin, p.text, p.source) for p in doc.parts if p.kind is PartKind.METADATA] == [
        ("core.title", "可行性报告", "SummaryInformation"), ("core.creator", "王建国", "SummaryInformation"),
        ("core.lastModifiedBy", "李四", "SummaryInformation"), ("app.Company", APPLICANT, "DocumentSummaryInformation"),
        ("custom.项目单位", APPLICANT, "DocumentSummaryInformation")]
    found = places("可行性报告.doc", data)
    assert {("metadata", "core.creator", LEADER), ("metadata", "app.Company", APPLICANT)} <= found


@pytest.mark.usefixtures("no_libreoffice")
def test_without_libreoffice_a_real_doc_still_gives_its_properties(real_doc: bytes) -> None:
    doc = parse_bytes(real_doc, "可行性报告.wps")
    assert "document.unsupported" in {p.rule for p in doc.problems}
    assert not any(p.kind in (PartKind.BODY, PartKind.TABLE, PartKind.HEADER) for p in doc.parts)
    assert ("core.creator", "王建国") in {(p.origin, p.text) for p in doc.parts}
    found = identity_findings("可行性报告.doc", real_doc)
    assert any(f.location is not None and f.location.origin == "core.creator" and f.target == LEADER for f in found)


def test_a_password_protected_doc_is_refused() -> None:
    doc = parse_bytes(handmade_doc(encrypted=True), "加密.doc")
    assert [p.rule for p in doc.problems] == ["document.encrypted"]


def test_an_ole_file_that_is_no_word_document_is_corrupt() -> None:
    other = compound_file({"Contents": b"\x00" * 4096})
    assert sniff(other) is Format.UNKNOWN
    with pytest.raises(CorruptError, match="WordDocument"):
        legacy.parse_doc(other)
    with pytest.raises(CorruptError):
        legacy.parse_doc(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def fake_soffice(folder: Path, script: str) -> None:
    folder.mkdir(exist_ok=True)
    program = folder / "soffice"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)


def test_a_conversion_that_hangs_is_stopped_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pids = tmp_path / "pids"
    fake_soffice(tmp_path / "bin", f'echo $$ >> {pids}; sleep 60 & echo $! >> {pids}; wait')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(legacy, "CONVERT_TIMEOUT", 1.0)
    legacy.forget()
    started = time.monotonic()
    doc = parse_bytes(handmade_doc(), "报告.doc")
    assert time.monotonic() - started < 15
    assert [p.rule for p in doc.problems] == ["document.timeout"] and "超过1秒" in doc.problems[0].message
    # the launcher and what it started, as far as it got before the second was up: all killed (SIGKILL
    # is not instant: each gets a moment to die)
    for pid in map(int, pids.read_text().split() if pids.exists() else ()):
        deadline = time.monotonic() + 5
        while running(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not running(pid), pid


def running(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent to reap it does not)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def test_a_file_libreoffice_cannot_open_is_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_soffice(tmp_path / "bin", "exit 0")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    legacy.forget()
    doc = parse_bytes(handmade_doc(), "报告.doc")
    assert [p.rule for p in doc.problems] == ["document.unreadable"] and "LibreOffice" in doc.problems[0].message
