"""`screening check` / `screening project`: every part kind found, bad files become findings,
bad arguments exit 2 with one clear line."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from samples.docxkit import build_docx
from samples.pdfkit import build_pdf
from tests.conftest import Result

ORG = "浙江衢晟新材料有限公司"
PERSON = "王建国"


def parts_found(report: dict, rule_prefix: str = "identity.") -> set[tuple[str, str]]:
    return {
        (f["location"]["part"], f["location"].get("origin", ""))
        for f in report["findings"]
        if f["rule"].startswith(rule_prefix) and f["severity"] == "fail"
    }


def test_docx_every_part(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / f"{ORG}可行性报告.docx"
    png = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(png, format="PNG")
    build_docx(
        path,
        body=["本项目由" + ORG + "承担。", "第二段"],
        table=[["单位", ORG]], nested_table_cell=ORG,
        header=ORG, header_first=ORG, header_even=ORG,
        footer=ORG, footer_first=ORG, footer_even=ORG,
        textbox=ORG, vml_textbox=ORG,
        comment=("第二段", "批注：" + ORG, PERSON),
        footnote=ORG, endnote=ORG, deleted=ORG, hidden=ORG,
        core={"creator": PERSON, "last_modified_by": ORG, "title": ORG, "subject": ORG, "keywords": ORG,
              "description": ORG, "category": ORG},
        app={"Company": ORG, "Manager": PERSON}, custom={"单位": ORG},
        image_png=png.getvalue(), image_descr=ORG,
    )
    result = cli("check", path, "--org", ORG, "--person", PERSON, "--format", "json")
    assert result.code == 1, result.err
    report = result.json()
    assert report["verdict"] == "fail" and report["project_id"] == "-"
    found = parts_found(report)
    expected = {
        ("body", ""), ("table", ""), ("header", "default"), ("header", "first"), ("header", "even"),
        ("footer", "default"), ("footer", "first"), ("footer", "even"), ("textbox", ""), ("comment", ""),
        ("comment", "comment_author"), ("footnote", ""), ("footnote", "endnote"), ("body", "deleted"),
        ("body", "hidden"), ("metadata", "core.creator"), ("metadata", "core.lastModifiedBy"),
        ("metadata", "core.title"), ("metadata", "core.subject"), ("metadata", "core.keywords"),
        ("metadata", "core.description"), ("metadata", "core.category"), ("metadata", "app.Company"),
        ("metadata", "app.Manager"), ("metadata", "custom.单位"), ("filename", "filename"), ("image", "alt_text"),
    }
    assert expected <= found, expected - found
    # the two text boxes (DrawingML and VML) are each reported once, not twice through mc:Fallback
    boxes = [f for f in report["findings"] if f["location"]["part"] == "textbox"]
    assert len(boxes) == 2
    # metadata and file names are identity.metadata; text parts name the organisation or person
    rules = {(f["location"]["part"], f["rule"]) for f in report["findings"]}
    assert ("metadata", "identity.metadata") in rules and ("filename", "identity.metadata") in rules
    assert ("comment", "identity.person") in rules and ("body", "identity.org") in rules
    body = next(f for f in report["findings"] if f["location"] == {"part": "body", "paragraph": 1, "start": 4,
                                                                   "end": 4 + len(ORG), "source": "word/document.xml",
                                                                       "heading_paragraph": 1})
    assert body["matched"] == ORG and body["method"] == "exact" and ORG in body["context"]


def test_pdf_page_line_break_info_annotation(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "经费预算表.pdf"
    build_pdf(
        path,
        pages=[["第一页没有名称。"], ["预算由浙江衢晟新\n材料有限公司编制。"], ["负责人" + PERSON + "审核。"]],
        info={"Author": PERSON, "Title": ORG},
        annotation=("请" + ORG + "复核", "审阅人"),
        header=None,
    )
    result = cli("check", path, "--org", ORG, "--person", PERSON, "--format", "json")
    assert result.code == 1, result.err
    findings = result.json()["findings"]
    broken = [f for f in findings if f["rule"] == "identity.org" and f["location"]["part"] == "body"]
    assert len(broken) == 1 and broken[0]["location"]["page"] == 2
    assert broken[0]["matched"] == "浙江衢晟新\n材料有限公司" and broken[0]["method"] == "normalized"
    person = [f for f in findings if f["rule"] == "identity.person" and f["location"]["part"] == "body"]
    assert [f["location"]["page"] for f in person] == [3]
    meta = {f["location"]["origin"] for f in findings if f["rule"] == "identity.metadata"}
    assert {"info.Author", "info.Title"} <= meta
    notes = [f for f in findings if f["location"]["part"] == "comment"]
    assert len(notes) == 1 and notes[0]["location"]["page"] == 1


def test_text_output_for_people(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "报告.docx"
    build_docx(path, body=["由" + ORG + "研发"])
    result = cli("check", path, "--org", ORG)
    assert result.code == 1
    assert "FAIL" in result.out and "identity.org" in result.out and ORG in result.out


def test_check_without_identities_cannot_pass(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Without --org/--person/--application only tell-tale patterns can be looked for: never 通过."""
    path = tmp_path / "报告.docx"
    build_docx(path, body=["衢州市是浙江省的一个地级市。"])
    result = cli("check", path, "--format", "json")
    report = result.json()
    assert result.code == 3 and report["verdict"] == "review"
    assert [f["rule"] for f in report["findings"]] == ["document.no_identities"]
    text = cli("check", path)
    assert text.code == 3 and "未提供申报单位" in text.out and "通过" not in text.out.replace("不通过", "")


def test_text_output_says_why(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "报告.docx"
    build_docx(path, body=["由" + ORG + "研发"])
    result = cli("check", path, "--org", ORG)
    assert "依据：全称" in result.out


def test_clean_file_passes(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "报告.docx"
    build_docx(path, body=["衢州市是浙江省的一个地级市。", "浙江医药股份有限公司是竞争对手。"])
    result = cli("check", path, "--org", ORG, "--person", PERSON, "--format", "json")
    assert (result.code, result.json()["verdict"], result.json()["findings"]) == (0, "pass", [])


def _bad_files(tmp: Path) -> dict[str, str]:
    """File name → the rule its finding must have."""
    good = tmp / "good.docx"
    build_docx(good, body=["由" + ORG + "研发"])
    data = good.read_bytes()
    (tmp / "corrupt.docx").write_bytes(data[: len(data) // 3])
    build_pdf(tmp / "encrypted.pdf", pages=[["内容"]], user_password="secret")
    (tmp / "empty.pdf").write_bytes(b"")
    (tmp / "lying.pdf").write_bytes(data)
    (tmp / "notes.txt").write_text("说明", encoding="utf-8")
    (tmp / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    return {
        "corrupt.docx": "document.unreadable",
        "encrypted.pdf": "document.encrypted",
        "empty.pdf": "document.unreadable",
        "lying.pdf": "document.unsupported",
        "notes.txt": "document.unsupported",
        "garbage.png": "document.unreadable",
    }


def test_bad_attachments_are_findings_not_tracebacks(tmp_path: Path, cli: Callable[..., Result]) -> None:
    expected = _bad_files(tmp_path)
    result = cli("check", *(tmp_path / n for n in expected), "--org", ORG, "--format", "json")
    assert "Traceback" not in result.err
    report = result.json()
    got = {(f["file"], f["rule"]) for f in report["findings"]}
    for name, rule in expected.items():
        assert (name, rule) in got, (name, rule, got)
    for f in report["findings"]:
        if f["rule"].startswith("document."):
            assert f["severity"] == "warn" and f["message"] and f["location"]["part"]
    # the .pdf that is really a docx is still read as a docx, so its leak is found
    assert ("lying.pdf", "identity.org") in got
    assert result.code == 1


def test_problems_alone_give_review(tmp_path: Path, cli: Callable[..., Result]) -> None:
    build_pdf(tmp_path / "encrypted.pdf", pages=[["内容"]], user_password="secret")
    result = cli("check", tmp_path / "encrypted.pdf", "--org", ORG, "--format", "json")
    assert result.code == 3 and result.json()["verdict"] == "review"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "does-not-exist.docx"], "文件不存在"),
        (["project", "no-such-folder"], "不是项目文件夹"),
        (["check"], "Missing argument"),
        (["check", "x.docx", "--format", "xml"], "xml"),
        (["check", "x.docx", "--call", "no-such-call"], "no-such-call"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, cli: Callable[..., Result], args: list[str], message: str) -> None:
    (tmp_path / "x.docx").write_bytes(b"")
    args = [str(tmp_path / a) if a.endswith(".docx") else a for a in args]
    result = cli(*args)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err
    assert result.out == ""


@pytest.mark.parametrize("content", ["{broken", '{"project_id": "X"}', "[1, 2]"])
def test_invalid_application_exits_2(tmp_path: Path, cli: Callable[..., Result], content: str) -> None:
    app = tmp_path / "application.json"
    app.write_text(content, encoding="utf-8")
    doc = tmp_path / "a.docx"
    build_docx(doc, body=["内容"])
    for args in (["check", doc, "--application", app], ["project", tmp_path]):
        result = cli(*args)
        assert result.code == 2 and "application.json" in result.err and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_application_gives_identities_and_project_id(tmp_path: Path, cli: Callable[..., Result]) -> None:
    app = tmp_path / "app.json"
    app.write_text(json.dumps({"project_id": "P-1", "title": "t", "applicant": {"name": ORG, "aliases": ["衢晟新材"]},
                               "team": [{"name": PERSON}]}, ensure_ascii=False), encoding="utf-8")
    doc = tmp_path / "a.docx"
    build_docx(doc, body=["衢晟新材的" + PERSON + "负责"])
    report = cli("check", doc, "--application", app, "--format", "json").json()
    assert report["project_id"] == "P-1"
    assert {(f["rule"], f["matched"], f["method"]) for f in report["findings"] if f["rule"].startswith("identity.")} == {
        ("identity.org", "衢晟新材", "alias"), ("identity.person", PERSON, "exact")}


# --- issue 16: redact --dry-run, batch --exit-zero -----------------------------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "batch"


def listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def test_redact_dry_run_lists_leaks_and_writes_nothing(tmp_path: Path, cli: Callable[..., Result],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "QZ2020-0003"
    shutil.copytree(SAMPLE / "QZ2020-0003", project)
    doc, app = project / "可行性报告.docx", project / "application.json"
    monkeypatch.chdir(project)
    before = listing(tmp_path)

    as_json = cli("redact", doc, "--application", app, "--dry-run", "--format", "json")
    assert as_json.code == 0, as_json.err
    summary = as_json.json()
    assert summary["file"] == str(doc) and summary["sanitize"] is False
    would = summary["would_mask"]
    assert len(would) >= 5 and {f["file"] for f in would} == {"可行性报告.docx"}
    assert all(f["rule"].startswith("identity.") and f["matched"] for f in would)

    text = cli("redact", doc, "--application", app, "--dry-run", "--sanitize")
    assert text.code == 0, text.err
    items = [line.split("“", 1)[1].rsplit("”", 1)[0] for line in text.out.splitlines()
             if re.match(r"  \d+\. “", line)]
    assert items == [i["text"] for i in summary["items"]] == list(dict.fromkeys(f["matched"] for f in would))
    for finding in would:  # every leak is listed under its text, where it is and what it is
        assert f"{finding['where']}  {finding['message']}" in text.out
    assert "未写出任何文件" in text.out and "另将清除" in text.out
    assert cli("redact", doc, "--application", app, "--dry-run", "--sanitize", "--format", "json").json()["sanitize"]
    assert listing(tmp_path) == before

    # the real run masks exactly what the dry run listed
    out = tmp_path / "out"
    out.mkdir()
    real = cli("redact", doc, "--application", app, "-o", out, "--format", "json")
    assert real.code == 0, real.err
    assert real.json()["masked"] == would and real.json()["kept"] == []

    # an item left unmasked on purpose: the copy keeps exactly it, nothing else of the list
    kept = summary["items"][-1]["text"]
    partial = cli("redact", doc, "--application", app, "-o", out / "kept.docx", "--keep", kept, "--format", "json")
    assert partial.code == 0, partial.err
    assert partial.json()["kept"] == [kept] and kept not in {f["matched"] for f in partial.json()["masked"]}
    again = cli("check", out / "kept.docx", "--application", app, "--format", "json").json()
    left = {f["matched"] for f in again["findings"] if f["rule"].startswith("identity.") and f["severity"] != "info"}
    assert left and all(m in kept for m in left)
    unknown = cli("redact", doc, "--application", app, "-o", out / "x.docx", "--keep", "不在列表中的文字")
    assert unknown.code != 0 and "不在将遮盖的内容中" in unknown.err and not (out / "x.docx").exists()


def test_redact_without_out_is_a_usage_error(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doc = SAMPLE / "QZ2020-0003" / "可行性报告.docx"
    result = cli("redact", doc, "--application", SAMPLE / "QZ2020-0003" / "application.json")
    assert result.code == 2 and result.out == ""
    assert "-o" in result.err and "--dry-run" in result.err and len(result.err.strip().splitlines()) == 1


def test_batch_exit_zero(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    for pid in ("QZ2020-0001", "QZ2020-0005"):  # one fails (leaks), one passes
        shutil.copytree(SAMPLE / pid, batch / pid)
    out = tmp_path / "out"

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "screening", "batch", str(batch), "--out", str(out),
                               "--workers", "1", "--format", "json", *extra],
                              capture_output=True, text=True, timeout=300, cwd=SAMPLE.parents[1])

    plain = run()
    assert plain.returncode == 1, plain.stderr  # for scripts: a project fails
    zero = run("--exit-zero")  # resumes: the same verdicts
    assert zero.returncode == 0, zero.stderr
    assert json.loads(zero.stdout)["verdict"] == "fail"
