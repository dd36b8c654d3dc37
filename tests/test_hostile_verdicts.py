"""Issue 12, verdicts an applicant controls: the call, an attachment's role and a crash in one
attachment must not decide a project's verdict.

1. application.json's `call` naming a lenient call file shipped as an attachment;
2. a file name (获奖证书.docx, 专利技术可行性报告.docx, …report.docx) or application.json claiming a
   role that lowers severities or satisfies a required attachment, which the content contradicts;
3. one attachment raising an internal error, which erased the other attachments' findings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samples.certkit import build_certificate_pdf
from samples.docxkit import build_docx
from samples.pdfkit import build_pdf
from samples.rules import rows, ruled_pdf
from screening import engine
from screening.application import Application
from screening.checks import INTERNAL_ERROR
from screening.checks import identity as identity_check
from screening.cli import main
from screening.engine import Upload, screen, screen_project
from screening.errors import ApplicationError
from screening.model import Report, Role
from screening.resources import data_dir

APPLICANT = "浙江衢晟新材料有限公司"
LEADER = "王建国"
APP: dict[str, Any] = {
    "project_id": "T-H1", "title": "含氟聚合物乳液连续化聚合技术", "category": "key",
    "applicant": {"name": APPLICANT, "aliases": ["衢晟新材"], "region": "柯城区", "industrial": True,
                  "rd_investment_prev_year": 300.0},
    "team": [{"name": LEADER, "role": "leader"}],
    "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0},
    "submitted_at": "2020-06-20T10:00:00+08:00",
}
LEAKY_REPORT = ["项目可行性报告", f"本项目由{APPLICANT}承担，{LEADER}任项目负责人。",
                f"{APPLICANT}在含氟材料领域积累深厚。", f"{APPLICANT}已建成中试线。"]


def app(**changes: Any) -> Application:
    return Application.model_validate({**APP, **changes})


def rules(report: Report | dict[str, Any], *, severity: str | None = None) -> list[str]:
    data = report.to_json() if isinstance(report, Report) else report
    return [f["rule"] for f in data["findings"] if severity is None or f["severity"] == severity]


def of_file(report: Report, name: str) -> list[dict[str, Any]]:
    return [f for f in report.to_json()["findings"] if f.get("file") == name]


def lenient_call(path: Path) -> Path:
    """The installed call with every severity lowered to info and no identity hit sure enough to fail
    (or even warn): what a project would like to ship."""
    text = (data_dir("pipelines") / "quzhou-2020.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^name: quzhou-2020", f"name: {path.stem}", text, flags=re.MULTILINE)
    text = re.sub(r"^(  [a-z_.]+:\s+)(fail|warn)\b", r"\1info", text, flags=re.MULTILINE)
    text = re.sub(r"^(  unsure_severity:\s+)warn\b", r"\1info", text, flags=re.MULTILINE)
    text = re.sub(r"^(    (?:fail|warn)_at:\s+)[0-9.]+", r"\g<1>99", text, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")
    return path


def project(folder: Path, application: dict[str, Any], *, budget: bool = True) -> Path:
    folder.mkdir(parents=True)
    (folder / "application.json").write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    build_docx(folder / "可行性报告.docx", body=LEAKY_REPORT)
    if budget:
        ruled_pdf(folder / "经费预算表.pdf", rows())
    return folder


# ---------------------------------------------------------------- 1. the call is the operator's


@pytest.fixture
def shipped_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose application points `call` (a relative path) at a lenient call it attaches."""
    monkeypatch.chdir(tmp_path)
    folder = project(tmp_path / "batch" / "T-H1", {**APP, "call": "batch/T-H1/lenient.yaml"})
    lenient_call(folder / "lenient.yaml")
    return folder


def test_the_shipped_call_would_let_the_project_pass(shipped_call: Path) -> None:
    """The attack's premise: under its own call the leaking project passes (the operator may still
    choose such a file with --call)."""
    report = screen_project(shipped_call, call=str(shipped_call / "lenient.yaml"))
    assert report.verdict.value == "pass" and "identity.org" in rules(report, severity="info")


def test_project_refuses_an_application_that_names_a_call_file(shipped_call: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["project", str(shipped_call), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "batch/T-H1/lenient.yaml" in err and "不是已安装申报通知的名称" in err and "Traceback" not in err


def test_screen_refuses_an_application_call_that_is_a_path(tmp_path: Path) -> None:
    doc = build_docx(tmp_path / "可行性报告.docx", body=LEAKY_REPORT)
    for named in ("../lenient.yaml", "lenient.yaml", "/tmp/lenient", "a/b"):
        with pytest.raises(ApplicationError, match="call"):
            screen(app(call=named), [Upload(doc.name, path=doc)])
    # the operator's call, a path included, is taken as given; a plain installed name is fine
    assert screen(app(call="quzhou-2020"), [Upload(doc.name, path=doc)]).verdict.value == "fail"


def test_the_operators_call_path_still_applies(shipped_call: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["project", str(shipped_call), "--call", str(shipped_call / "lenient.yaml"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["call"] == "lenient"


# ---------------------------------------------------------------- 2. roles are claims to verify


def test_a_report_named_as_a_certificate_keeps_its_full_severities(tmp_path: Path) -> None:
    for name in ("获奖证书.docx", "专利证书.docx"):
        report_doc = build_docx(tmp_path / name, body=LEAKY_REPORT)
        budget = ruled_pdf(tmp_path / "经费预算表.pdf", rows())
        report = screen(app(), [Upload(report_doc.name, path=report_doc), Upload(budget.name, path=budget)])
        found = of_file(report, name)
        assert {f["severity"] for f in found if f["rule"] == "identity.org"} == {"fail"}, name
        role = [f for f in found if f["rule"] == "document.role"]
        assert len(role) == 1 and role[0]["severity"] == "warn"
        assert name in role[0]["message"] and "发明专利授权证书" in role[0]["message"]
        assert "项目可行性报告" in role[0]["message"]
        assert report.verdict.value == "fail"
        assert "document.missing" not in rules(report)  # it is the feasibility report, by its content


def test_a_feasibility_report_about_a_patent_is_a_report(tmp_path: Path) -> None:
    assert engine.infer_role("专利技术可行性报告.docx") is Role.FEASIBILITY_REPORT
    doc = build_docx(tmp_path / "专利技术可行性报告.docx", body=LEAKY_REPORT)
    report = screen(app(), [Upload(doc.name, path=doc)])
    assert report.documents[0].role is Role.FEASIBILITY_REPORT
    assert "document.role" not in rules(report)
    assert {f["severity"] for f in of_file(report, doc.name) if f["rule"].startswith("identity.")} == {"fail"}


def test_an_application_claiming_a_certificate_is_verified_too(tmp_path: Path) -> None:
    doc = build_docx(tmp_path / "附件1.docx", body=LEAKY_REPORT[1:])  # no title: only the claim speaks
    claimed = app(attachments=[{"file": "附件1.docx", "role": "patent_certificate"}])
    report = screen(claimed, [Upload(doc.name, path=doc)])
    assert report.documents[0].role is Role.PATENT_CERTIFICATE
    found = of_file(report, doc.name)
    assert "fail" in {f["severity"] for f in found if f["rule"] == "identity.org"}
    role = [f for f in found if f["rule"] == "document.role"]
    assert len(role) == 1 and "申报书" in role[0]["message"] and "不像专利证书" in role[0]["message"]


def test_a_real_certificate_still_names_its_owner_as_info(tmp_path: Path) -> None:
    cert = build_certificate_pdf(
        tmp_path / "专利证书.pdf", number="ZL201810847616.0", title="一种含氟聚合物乳液的连续化聚合方法",
        inventors=[LEADER, "李晓燕"], patentees=[APPLICANT], address="324000 浙江省衢州市柯城区世纪大道888号",
        filing_date="2018-07-27", grant_date="2020-12-18", publication_number="CN109578096B",
        certificate_serial="7668232")
    report = screen(app(category="patent"), [Upload(cert.name, path=cert)])
    found = of_file(report, cert.name)
    identities = [f for f in found if f["rule"].startswith("identity.")]
    assert identities and {f["severity"] for f in identities} == {"info"}
    assert "document.role" not in rules(report)


def certificate_then_report(tmp_path: Path, layout: str) -> Path:
    """A real certificate's pages with a leaky report's pages after them, in one PDF
    (benchmarks/attacks.py uses it too)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    import pypdf

    cert = build_certificate_pdf(
        tmp_path / "cert.pdf", number="ZL201810847616.0", title="一种含氟聚合物乳液的连续化聚合方法",
        inventors=[LEADER, "李晓燕"], patentees=[APPLICANT], address="324000 浙江省衢州市柯城区世纪大道888号",
        filing_date="2018-07-27", grant_date="2020-12-18", publication_number="CN109578096B",
        certificate_serial="7668232", layout=layout)
    report = build_pdf(tmp_path / "report.pdf", pages=[LEAKY_REPORT, LEAKY_REPORT[1:]])
    writer = pypdf.PdfWriter()
    for source in (cert, report):
        writer.append(str(source))
    target = tmp_path / "专利证书.pdf"
    with target.open("wb") as out:
        writer.write(out)
    return target


@pytest.mark.parametrize("layout", ["one_page", "two_page"])
def test_a_certificate_exempts_its_own_pages_only(tmp_path: Path, layout: str) -> None:
    combined = certificate_then_report(tmp_path, layout)
    certificate_pages = 1 if layout == "one_page" else 2
    report = screen(app(category="patent"), [Upload(combined.name, path=combined)])
    found = [f for f in of_file(report, combined.name) if f["rule"].startswith("identity.")]
    on_certificate = [f for f in found if (f["location"] or {}).get("page", 1) <= certificate_pages]
    after = [f for f in found if (f["location"] or {}).get("page", 1) > certificate_pages]
    assert on_certificate and {f["severity"] for f in on_certificate} == {"info"}
    assert after and {f["severity"] for f in after} == {"fail"}
    assert report.verdict.value == "fail"


def test_a_file_named_report_is_what_its_content_says(tmp_path: Path) -> None:
    commitment = build_docx(tmp_path / "project_report.docx", body=["承诺书", "本单位承诺所填信息真实。"])
    budget = ruled_pdf(tmp_path / "经费预算表.pdf", rows())
    report = screen(app(), [Upload(commitment.name, path=commitment), Upload(budget.name, path=budget)])
    role = [f for f in report.to_json()["findings"] if f["rule"] == "document.role"]
    assert len(role) == 1 and "项目可行性报告" in role[0]["message"] and "承诺书" in role[0]["message"]
    missing = [f for f in report.to_json()["findings"] if f["rule"] == "document.missing"]
    assert len(missing) == 1 and "项目可行性报告" in missing[0]["message"]


# ---------------------------------------------------------------- 3. a crash costs one attachment


@pytest.fixture
def pdf_parser_raises(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = engine.parse_file

    def parse_file(path: Path, role: Role = Role.OTHER, role_source: str = "inferred") -> Any:
        if path.suffix == ".pdf":
            raise RuntimeError("内部错误：测试注入")
        return real(path, role, role_source)

    monkeypatch.setattr(engine, "parse_file", parse_file)
    yield


def crash_project(tmp_path: Path) -> Path:
    folder = project(tmp_path / "T-H3", {**APP, "project_id": "T-H3"}, budget=False)
    build_pdf(folder / "经费预算表.pdf", pages=[["经费预算表", f"编制单位：{APPLICANT}"]])
    return folder


def test_a_parser_crash_costs_only_that_attachment(tmp_path: Path, pdf_parser_raises: None) -> None:
    report = screen_project(crash_project(tmp_path))
    pdf = of_file(report, "经费预算表.pdf")
    assert [(f["rule"], f["severity"]) for f in pdf] == [("document.unreadable", "warn")]
    assert INTERNAL_ERROR in pdf[0]["message"] and "Traceback" not in pdf[0]["message"]
    docx = of_file(report, "可行性报告.docx")
    assert sum(f["rule"] == "identity.org" for f in docx) >= 3 and "identity.person" in rules(report)
    assert [d.file for d in report.documents] == ["可行性报告.docx", "经费预算表.pdf"]
    assert report.documents[1].role is Role.BUDGET and "document.missing" not in rules(report)


def test_project_command_reports_despite_a_crash(tmp_path: Path, pdf_parser_raises: None,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import screening.cli
    from screening import engine

    # the command parses in a limited process, where this test's patched parser does not reach:
    # parse in-process here (the isolated path's own crash handling is tested in test_hostile_cli)
    in_process = types.SimpleNamespace(parse=engine.parse_upload, deadline=lambda: None)
    in_process.start = lambda: in_process
    monkeypatch.setattr(screening.cli, "isolation", lambda *a, **k: in_process)
    assert main(["project", str(crash_project(tmp_path)), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "identity.org" in rules(report) and "document.unreadable" in rules(report)


def test_a_check_crash_costs_only_that_attachment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = identity_check.Engine.scan

    def scan(self: Any, doc: Any) -> Any:
        if any("编制单位" in part.text for part in doc.parts):  # something in this file's content
            raise ValueError("测试注入")
        return real(self, doc)

    monkeypatch.setattr(identity_check.Engine, "scan", scan)
    report = screen_project(crash_project(tmp_path))
    pdf = of_file(report, "经费预算表.pdf")
    assert [f["rule"] for f in pdf] == ["document.unreadable"] and INTERNAL_ERROR in pdf[0]["message"]
    assert sum(f["rule"] == "identity.org" for f in of_file(report, "可行性报告.docx")) >= 3


def test_a_crash_that_is_no_attachments_doing_still_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from screening.checks import eligibility

    def boom(ctx: Any) -> Any:
        raise RuntimeError("规则出错")

    monkeypatch.setitem(__import__("screening.checks", fromlist=["REGISTRY"]).REGISTRY, "eligibility", boom)
    assert eligibility.check is not boom
    with pytest.raises(RuntimeError):
        screen_project(crash_project(tmp_path))


# ---------------------------------------------------------------- the batch: both at once


def crashing_screener(folder: Path, *, call: str | None = None) -> Report:
    """Runs in a batch worker (imported by name): every PDF's parser raises."""
    if not getattr(engine, "_test_patched", False):
        real = engine.parse_file

        def parse_file(path: Path, role: Role = Role.OTHER, role_source: str = "inferred") -> Any:
            if path.suffix == ".pdf":
                raise RuntimeError("内部错误：测试注入")
            return real(path, role, role_source)

        engine.parse_file = parse_file  # type: ignore[assignment]
        engine._test_patched = True  # type: ignore[attr-defined]
    return screen_project(folder, call=call)


def test_batch_refuses_the_shipped_call_and_keeps_what_a_crash_spares(shipped_call: Path, tmp_path: Path) -> None:
    from screening.batch import screen_batch

    crash_project(tmp_path / "batch")
    result = screen_batch(tmp_path / "batch", tmp_path / "out", workers=1, screener=crashing_screener)
    reports = {item.project.project_id: item.report for item in result.items}
    assert set(reports) == {"T-H1", "T-H3"}
    refused = reports["T-H1"]
    assert refused["verdict"] != "pass" and rules(refused) == ["document.application"]
    assert "lenient.yaml" in refused["findings"][0]["message"] and refused["call"] == "quzhou-2020"
    crashed = reports["T-H3"]
    assert "engine.crash" not in rules(crashed) and crashed["verdict"] == "fail"
    assert "identity.org" in rules(crashed, severity="fail") and "identity.person" in rules(crashed)
    assert [f["message"] for f in crashed["findings"] if f["rule"] == "document.unreadable"] == [
        f"经费预算表.pdf：{INTERNAL_ERROR}"]
