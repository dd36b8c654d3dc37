"""document.missing: the category's required attachments, with roles from application.json, the
file name, or the opening text (and the report says which)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from samples.docxkit import build_docx
from samples.pdfkit import build_pdf
from samples.rules import rows, ruled_pdf
from screening.application import Application, load_application
from screening.calls import load_call
from screening.checks import attachments
from screening.checks.context import Context
from screening.engine import Upload, parse_upload, project_files, screen
from screening.model import Finding, Role
from screening.roles import from_content, role_in
from tests.conftest import BATCH

APP: dict[str, Any] = {"project_id": "T-A", "title": "测试", "category": "key",
                       "applicant": {"name": "衢州测试科技有限公司"}, "team": []}


def app(**changes: Any) -> Application:
    return Application.model_validate({**APP, **changes})


def findings(paths: list[Path], application: Application | None) -> list[Finding]:
    docs = tuple(parse_upload(Upload(p.name, path=p), application) for p in paths)
    return list(attachments.check(Context(load_call(), application, docs, ())))


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return build_docx(tmp_path / "可行性报告.docx", body=["项目可行性报告", "一、项目背景。"])


@pytest.fixture
def budget(tmp_path: Path) -> Path:
    return ruled_pdf(tmp_path / "经费预算表.pdf", rows())


def test_complete_project_is_quiet(report: Path, budget: Path) -> None:
    assert findings([report, budget], app()) == []


def test_a_missing_budget_fails_without_file_or_location(report: Path) -> None:
    got = findings([report], app())
    assert [f.rule for f in got] == ["document.missing"]
    assert got[0].severity.value == "fail" and got[0].file is None and got[0].location is None
    assert "经费预算列表及说明" in got[0].message


def test_both_missing(tmp_path: Path) -> None:
    other = build_docx(tmp_path / "说明.docx", body=["补充说明"])
    got = findings([other], app())
    assert sorted(f.message for f in got) == sorted(["缺少必需附件：项目可行性报告", "缺少必需附件：经费预算列表及说明"])


def test_a_listed_file_not_uploaded_is_named(report: Path) -> None:
    listed = app(attachments=[{"file": "可行性报告.docx", "role": "feasibility_report"},
                              {"file": "经费预算表.xlsx", "role": "budget"}])
    got = findings([report], listed)
    assert len(got) == 1 and "经费预算表.xlsx" in got[0].message and "未上传" in got[0].message


def test_the_patent_certificate_is_left_to_the_patent_check(report: Path, budget: Path) -> None:
    """Its absence is patent.missing (checks/patent.py): one absence, one finding."""
    assert Role.PATENT_CERTIFICATE in load_call().categories["patent"].required_attachments
    assert findings([report, budget], app(category="patent")) == []
    assert findings([report], app(category="发明专利产业化项目"))[0].message == "缺少必需附件：经费预算列表及说明"


def test_unknown_category_still_needs_what_every_category_needs(report: Path) -> None:
    for category in ("指导性项目", None):
        got = findings([report], app(category=category))
        assert [f.message for f in got] == ["缺少必需附件：经费预算列表及说明"]


def test_an_unreadable_file_is_present_not_missing(tmp_path: Path, report: Path) -> None:
    broken = tmp_path / "经费预算表.pdf"
    broken.write_bytes(b"%PDF-1.4 garbage")
    assert findings([report, broken], app()) == []


def test_loose_files_need_nothing(report: Path) -> None:
    assert findings([report], None) == []


def test_the_demo_call_requires_its_own_list(report: Path, budget: Path) -> None:
    """demo-2021 asks key projects for a 承诺书 too: the same files fail there, with no code change."""
    demo = load_call(str(Path(__file__).parent / "data" / "calls" / "demo-2021.yaml"))
    docs = tuple(parse_upload(Upload(p.name, path=p), app()) for p in (report, budget))
    assert findings([report, budget], app()) == []
    assert [f.message for f in attachments.check(Context(demo, app(), docs, ()))] == ["缺少必需附件：承诺书"]


# -- where a role comes from ---------------------------------------------------------------------


def test_role_from_the_opening_text(tmp_path: Path) -> None:
    feasibility = build_docx(tmp_path / "附件1.docx", body=["某某项目可行性研究报告", "一、项目背景。"])
    spaced = build_pdf(tmp_path / "附件2.pdf", pages=[["经 费 预 算 表", "设备费 180.0；合计 180.0。"]])
    certificate = build_pdf(tmp_path / "附件3.pdf", pages=[["发明专利证书", "发明名称：一种装置"]])
    nothing = build_docx(tmp_path / "附件4.docx", body=["补充说明", "无。"])
    docs = [parse_upload(Upload(p.name, path=p), None) for p in (feasibility, spaced, certificate, nothing)]
    assert [(d.role, d.role_source) for d in docs] == [
        (Role.FEASIBILITY_REPORT, "content"), (Role.BUDGET, "content"), (Role.PATENT_CERTIFICATE, "content"),
        (Role.OTHER, "inferred")]
    assert findings([feasibility, spaced], app()) == []


def test_application_and_file_name_come_before_the_text(tmp_path: Path) -> None:
    titled = build_docx(tmp_path / "经费预算表.docx", body=["项目可行性报告"])
    doc = parse_upload(Upload(titled.name, path=titled), None)
    assert (doc.role, doc.role_source) == (Role.BUDGET, "filename")
    given = app(attachments=[{"file": "经费预算表.docx", "role": "commitment"}])
    doc = parse_upload(Upload(titled.name, path=titled), given)
    assert (doc.role, doc.role_source) == (Role.COMMITMENT, "application")


def test_the_title_word_that_comes_first_wins() -> None:
    assert role_in("项目可行性报告（含经费预算）") is Role.FEASIBILITY_REPORT
    assert role_in("经费预算表及可行性报告") is Role.BUDGET
    assert role_in("第一章 概述") is None


def test_text_deep_in_the_document_does_not_decide(tmp_path: Path) -> None:
    body = ["项目概况", *[f"第{i}段正文。" for i in range(1, 8)], "九、经费预算"]
    doc = parse_upload(Upload("附件.docx", path=build_docx(tmp_path / "附件.docx", body=body)), None)
    assert from_content(doc) is None and doc.role is Role.OTHER


def test_the_report_says_where_each_role_came_from(tmp_path: Path) -> None:
    paths = [build_docx(tmp_path / "附件1.docx", body=["项目可行性报告"]), ruled_pdf(tmp_path / "经费预算表.pdf", rows())]
    report = screen(app(), [Upload(p.name, path=p) for p in paths]).to_json()
    assert [(d["role"], d["role_source"]) for d in report["documents"]] == [
        ("feasibility_report", "content"), ("budget", "filename")]


def test_each_attachment_sample_as_gold_says(gold: dict[str, Any]) -> None:
    seen = 0
    for pid, g in gold["projects"].items():
        if not ("QZ2020-0301" <= pid <= "QZ2020-0399"):
            continue
        folder = BATCH / pid
        application = load_application(folder / "application.json")
        got = [f.rule for f in findings(project_files(folder), application)]
        assert ("document.missing" in got) == ("document.missing" in g["rules"]), (pid, got)
        seen += 1
    assert seen >= 20
    sources = {parse_upload(Upload(p.name, path=p), None).role_source for p in project_files(BATCH / "QZ2020-0318")}
    assert sources == {"content"}


def test_check_on_loose_files_does_not_judge_the_project_complete(tmp_path: Path) -> None:
    """`check` with --application screens the files given; what else the project needs is judged on a
    project (`project`, `batch`, the hook), not on loose files: no document.missing, no patent.missing."""
    import json as _json

    from screening.engine import screen_files, screen_project

    folder = Path(__file__).resolve().parents[1] / "samples" / "batch" / "QZ2020-0001"
    report = screen_files([folder / "可行性报告.docx"], application=folder / "application.json")
    assert not [f for f in report.findings if f.rule in ("document.missing", "patent.missing")]
    project = tmp_path / "p"
    project.mkdir()
    (project / "application.json").write_text((folder / "application.json").read_text(encoding="utf-8"), encoding="utf-8")
    (project / "可行性报告.docx").write_bytes((folder / "可行性报告.docx").read_bytes())
    whole = screen_project(project)
    assert [f.rule for f in whole.findings if f.rule == "document.missing"], _json.dumps(whole.to_json(), ensure_ascii=False)[:300]
