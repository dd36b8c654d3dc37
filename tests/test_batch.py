"""`screening batch`: every project's report and the people's files, the batch rules across
projects, resumption (unchanged skipped, --force, a changed attachment, a changed call, a killed
run), and projects that crash, time out or have an unusable application.json."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openpyxl import load_workbook
from rapidfuzz import fuzz

from samples.batch_rules import LEADER_ID, OTHER_ID, batch_rules
from samples.make_samples import filler
from samples.pdfkit import build_pdf
from screening.application import Application, load_application, parse_application
from screening.batch import STATE_DIR, Outcome, Status, discover, screen_batch, without_batch_findings
from screening.batch import batch_findings as run_batch_rules
from screening.calls import call_path, load_call
from screening.checks import batch as rules
from screening.engine import APPLICATION_FILE
from screening.errors import UsageError
from screening.model import Report
from screening.recommendation_form import FORM_COLUMNS, LEFT_OFF_COLUMNS, form_file_name
from tests.conftest import BATCH, ROOT, Result, sample_projects

SCHEMA = json.loads((ROOT / "schemas" / "screening-report-1.schema.json").read_text(encoding="utf-8"))
CALL = load_call()


def batch_cli(*args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screening", "batch", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def copy_project(src: Path, dst: Path, **changes: Any) -> Path:
    """A copy of a sample project, with `changes` to its application.json."""
    shutil.copytree(src, dst)
    if changes:
        app = json.loads((dst / APPLICATION_FILE).read_text(encoding="utf-8"))
        (dst / APPLICATION_FILE).write_text(json.dumps({**app, **changes}, ensure_ascii=False), encoding="utf-8")
    return dst


def reports(out: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}


def fired(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule and f["severity"] in ("fail", "warn")]


def fake_screener(folder: Path, *, call: str | None = None) -> Report:
    """Runs in a pool worker (imported by name): misbehaves as the folder's name asks."""
    if folder.name == "raises":
        raise RuntimeError("检查模块出错")
    if folder.name == "dies":
        os._exit(3)
    if folder.name == "hangs":
        time.sleep(600)
    return Report(load_application(folder / APPLICATION_FILE).project_id, (), call="quzhou-2020")


# --- the sample batch, screened once through the command --------------------------------------


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("batch-out")
    done = batch_cli(BATCH, "--out", out, "--workers", 2, "--format", "json")
    assert done.returncode != 2, done.stderr
    return out, done


def test_every_project_gets_its_report(sample_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, done = sample_run
    got = reports(out)
    assert set(got) == {p.name for p in sample_projects()}
    for pid, report in got.items():
        jsonschema.validate(report, SCHEMA)
        assert report["project_id"] == pid
    summary = json.loads(done.stdout)  # --format json: stdout holds the summary and nothing else
    assert summary["projects"] == len(got) and summary["screened"] == len(got) and summary["resumed"] == 0
    verdicts = {r["verdict"] for r in got.values()}
    worst = next(v for v in ("fail", "review", "pass") if v in verdicts)
    assert summary["verdict"] == worst and done.returncode == {"fail": 1, "review": 3, "pass": 0}[worst]
    assert {i["project_id"]: i["verdict"] for i in summary["items"]} == {p: r["verdict"] for p, r in got.items()}


def test_summary_csv_opens_in_excel(sample_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = sample_run
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["项目编号"] for r in rows] == sorted(p.name for p in sample_projects())
    row = next(r for r in rows if r["项目编号"] == "QZ2020-0401")
    assert row["申报单位"] == "衢州柯联新材料科技有限公司" and row["项目类别"] == "重大科技攻关项目"
    assert row["推荐单位"] == "柯城区" and row["结论"] == "需人工复核" and row["批次问题(batch)"] == "1"
    leaky = next(r for r in rows if r["项目编号"] == "QZ2020-0001")
    assert int(leaky["身份信息问题(identity)"]) >= 3 and leaky["结论"] == "不通过"


def test_recommendation_forms_per_unit(sample_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """附件3 as the notice prints it, the passing projects only; the others on two more sheets with
    their reasons; A4 landscape, the head row repeated, fitted to the width."""
    out, _ = sample_run
    units: dict[str, list[Application]] = {}
    for p in sample_projects():
        app = load_application(p / APPLICATION_FILE)
        units.setdefault(app.recommender or "未填写推荐单位", []).append(app)
    assert {f.name for f in out.glob("推荐表-*.xlsx")} == {form_file_name(u) for u in units}
    verdicts = {pid: r["verdict"] for pid, r in reports(out).items()}
    book = load_workbook(out / form_file_name("柯城区"))
    assert book.sheetnames == ["推荐表", "需人工复核", "未通过形式审查"]
    ws = book["推荐表"]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert rows[0][0] == "附件3" and rows[1][0] == "2020年度市科技计划竞争性项目推荐表"
    assert rows[2][0] == "推荐单位（盖章）：柯城区" and rows[2][-1] == "年　　月　　日"
    header = rows.index(FORM_COLUMNS)
    assert header == 3 and ws.print_title_rows == "$4:$4"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth) == ("landscape", 9, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # the grid: every cell of the table bordered and wrapped, the head bold and centred, the first
    # column centred, the rest not; the title rows above it untouched
    for row in ws.iter_rows(min_row=header + 1, max_col=len(FORM_COLUMNS)):
        for c in row:
            head, first = c.row == header + 1, c.column == 1
            assert c.border.left.style == c.border.top.style == "thin" and c.alignment.wrap_text
            assert (c.font.bold, c.alignment.horizontal) == (head, "center" if head or first else None)
    assert ws["A1"].border.left.style is None and ws["A2"].font.size == 18
    body = rows[header + 1 :]
    by_title = {a.title: a for a in units["柯城区"]}
    passing = [a for a in units["柯城区"] if verdicts[a.project_id] == "pass"]
    assert passing and len(passing) < len(units["柯城区"])  # the samples hold both
    assert [r[0] for r in body] == list(range(1, len(passing) + 1))
    assert {r[1] for r in body} == {a.title for a in passing}
    assert all(verdicts[by_title[r[1]].project_id] == "pass" for r in body)
    for sheet, verdict, reason in (("需人工复核", "review", "需复核的原因"), ("未通过形式审查", "fail", "未通过的原因")):
        rows = [tuple(c.value for c in row) for row in book[sheet].iter_rows()]
        assert rows[1] == (*LEFT_OFF_COLUMNS, reason)
        listed = {r[1]: r for r in rows[2:]}
        assert set(listed) == {a.project_id for a in units["柯城区"] if verdicts[a.project_id] == verdict}
        for pid, row in listed.items():
            messages = [f["message"] for f in reports(out)[pid]["findings"]
                        if f["severity"] == ("fail" if verdict == "fail" else "warn")]
            assert row[-1].split("\n")[0] == f"1. {messages[0]}"


def test_batch_report_is_the_project_report_plus_batch_findings(
    sample_run: tuple[Path, subprocess.CompletedProcess[str]], cli: Callable[..., Result]
) -> None:
    out, _ = sample_run
    for pid in ("QZ2020-0001", "QZ2020-0005", "QZ2020-0401", "QZ2020-0409"):
        single = cli("project", BATCH / pid, "--format", "json").json()
        assert without_batch_findings(reports(out)[pid]) == single, pid


def test_batch_rules_fire_on_the_crafted_projects(
    sample_run: tuple[Path, subprocess.CompletedProcess[str]], gold: dict[str, Any]
) -> None:
    got = reports(sample_run[0])
    for expected in batch_rules():
        ids = expected["projects"]
        for pid in ids:
            findings = fired(got[pid], expected["rule"])
            assert findings, f"{expected['rule']} did not fire on {pid}"
            others = set(ids) - {pid}
            assert all(any(o in f["message"] for f in findings) for o in others), (pid, findings)
    for pid, g in gold["projects"].items():
        if accept := g.get("verdict_batch_accept"):
            assert got[pid]["verdict"] in accept, pid
        for bad in g.get("rules_must_not_fire", []):
            rule = bad["rule"] if isinstance(bad, dict) else bad
            if rule.startswith("batch."):
                assert not fired(got[pid], rule), (pid, rule)


def test_batch_rules_stay_silent_on_the_original_samples() -> None:
    """The eight first samples break no batch rule: different applicants, leaders, titles and files
    (every budget names its own project), within the quotas, submitted in time."""
    projects, _ = discover(BATCH, BATCH / "no-such-out", None)
    first = [p for p in projects if p.project_id <= "QZ2020-0008"]
    assert len(first) == 8
    found = run_batch_rules(first, {p.project_id: {} for p in first})
    assert {pid: fs for pid, fs in found.items() if fs} == {}


def test_text_summary_and_bad_arguments(tmp_path: Path, cli: Callable[..., Result]) -> None:
    assert cli("batch", tmp_path / "missing", "--out", tmp_path / "o").code == 2
    assert cli("batch", BATCH).code == 2  # --out is required
    assert cli("batch", BATCH, "--out", tmp_path / "o", "--call", "no-such-call").code == 2
    empty = tmp_path / "empty"
    (empty / "notes").mkdir(parents=True)
    result = cli("batch", empty, "--out", tmp_path / "o")
    assert result.code == 2 and "没有项目文件夹" in result.err and "Traceback" not in result.err
    one = tmp_path / "one"
    copy_project(BATCH / "QZ2020-0005", one / "QZ2020-0005")
    result = cli("batch", one, "--out", tmp_path / "o1", "--workers", 1)
    assert result.code == 0, result.err
    assert "QZ2020-0005" in result.out and "通过" in result.out and "summary.csv" in result.out


def test_one_batch_at_a_time_in_an_out_folder(tmp_path: Path) -> None:
    one = tmp_path / "one"
    copy_project(BATCH / "QZ2020-0005", one / "QZ2020-0005")
    (tmp_path / "out" / STATE_DIR).mkdir(parents=True)
    with (tmp_path / "out" / STATE_DIR / "lock").open("a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(UsageError, match="正在写入"):
            screen_batch(one, tmp_path / "out", workers=1)


# --- the rules, at their edges ---------------------------------------------------------------


def app(pid: str, **fields: Any) -> Application:
    data: dict[str, Any] = {"project_id": pid, "title": f"项目{pid}", "category": "key", "recommender": "市本级",
                            "applicant": {"name": f"申报单位{pid}"}, "team": []}
    data.update(fields)
    return parse_application(json.dumps(data, ensure_ascii=False))


def entries(*apps: Application, files: dict[str, list[tuple[str, str]]] | None = None) -> list[rules.Entry]:
    return [rules.Entry(a.project_id, a, tuple((files or {}).get(a.project_id, []))) for a in apps]


def by_rule(found: dict[str, list[Any]], rule: str) -> set[str]:
    return {pid for pid, fs in found.items() if any(f.rule == rule for f in fs)}


@pytest.mark.parametrize(("count", "unit", "fires"), [(2, "柯城区", False), (3, "柯城区", True), (10, "市本级", False),
                                                      (11, "市本级", True), (1, "龙游县", True)])
def test_quota_per_unit_and_category(count: int, unit: str, fires: bool) -> None:
    apps = [app(f"P{i}", category="重大科技攻关项目", recommender=unit) for i in range(count)]
    found = rules.check(CALL, entries(*apps, app("K1", category="key", recommender=unit)))
    assert by_rule(found, "batch.quota") == ({a.project_id for a in apps} if fires else set())
    if fires and count > 1:
        assert all(o.project_id in found["P0"][0].message for o in apps[1:])


def test_a_long_overrun_names_the_first_others_and_counts_them_all() -> None:
    # a unit 100 projects over its quota: each message names the first LISTED others and says how
    # many there are, instead of repeating the whole unit in every project's message
    apps = [app(f"Q{i:03d}", category="重大科技攻关项目", recommender="柯城区") for i in range(102)]
    found = rules.check(CALL, entries(*apps))
    assert by_rule(found, "batch.quota") == {a.project_id for a in apps}
    message = next(f for f in found["Q000"] if f.rule == "batch.quota").message
    assert f"Q{rules.LISTED:03d}等101项" in message and f"Q{rules.LISTED + 1:03d}" not in message
    assert "Q000" not in message and "推荐重大科技攻关项目102项" in message
    sha = "c" * 64
    copies = rules.check(CALL, entries(*apps[:30], files={a.project_id: [("预算.pdf", sha)] for a in apps[:30]}))
    same = next(f for f in copies["Q029"] if f.rule == "batch.same_attachment").message
    assert same.count("的“预算.pdf”") == rules.LISTED and "等29项" in same


def test_duplicate_across_categories_at_the_threshold() -> None:
    base = "高效N型TOPCon光伏电池关键技术研究"
    near, far = base + "及产业化", base + "及产业化示范应用"

    def score(a: str, b: str) -> float:
        return fuzz.ratio(rules.norm(a), rules.norm(b))

    assert score(base, near) >= CALL.batch.title_similarity_min > score(base, far)  # the premise of this test
    same, traditional = {"name": "衢州晶辉光电科技有限公司"}, {"name": "衢州晶輝光電科技有限公司"}

    def duplicates(*apps: Application) -> set[str]:
        return by_rule(rules.check(CALL, entries(*apps)), "batch.duplicate")

    assert duplicates(app("A1", title=base, applicant=same), app("A2", title=near, applicant=traditional,
                                                                 category="重大科技攻关项目")) == {"A1", "A2"}
    assert duplicates(app("B1", title=base, applicant=same), app("B2", title=far, applicant=same, category="major")) == set()
    assert duplicates(app("C1", title=base, applicant=same),
                      app("C2", title=base, applicant={"name": "衢州另一家公司"}, category="major")) == set()
    assert duplicates(app("D1", title=base, applicant=same), app("D2", title=base, applicant=same)) == set()


@pytest.mark.parametrize(
    ("first", "second", "same_applicant", "same_person"),
    [
        ({}, {}, True, True),  # name alone, one applicant
        ({}, {}, False, False),  # name alone across applicants: a common name is not a person
        ({"id_number": LEADER_ID}, {"id_number": LEADER_ID}, False, True),  # the ID number decides
        ({"id_number": LEADER_ID}, {"id_number": OTHER_ID}, True, False),
        ({"phone": "139-0570-8811"}, {"phone": "13905708811"}, False, True),  # then the phone
        ({"phone": "13905708811"}, {"phone": "13905708812"}, True, False),
        ({"id_number": LEADER_ID}, {}, True, True),  # nothing to compare: the applicant
    ],
)
def test_leader_identity(first: dict[str, str], second: dict[str, str], same_applicant: bool, same_person: bool) -> None:
    def lead(pid: str, extra: dict[str, str], applicant: str) -> Application:
        return app(pid, applicant={"name": applicant}, team=[{"name": "程立伟", "role": "leader", **extra},
                                                             {"name": "孙雨婷", "role": "member"}])

    found = rules.check(CALL, entries(lead("L1", first, "衢州绿源生物科技有限公司"),
                                      lead("L2", second, "衢州绿源生物科技有限公司" if same_applicant else "浙江衢安检测技术有限公司")))
    assert by_rule(found, "batch.leader_load") == ({"L1", "L2"} if same_person else set())


def test_same_attachment_ignores_empty_files_and_one_projects_copies() -> None:
    sha, other = "a" * 64, "b" * 64
    files = {"S1": [("预算.pdf", sha), ("空.docx", rules.EMPTY_SHA256)], "S2": [("经费.pdf", sha), ("空.docx", rules.EMPTY_SHA256)],
             "S3": [("x.pdf", other), ("y.pdf", other)]}
    found = rules.check(CALL, entries(app("S1"), app("S2"), app("S3"), files=files))
    assert by_rule(found, "batch.same_attachment") == {"S1", "S2"}
    assert found["S1"][0].file == "预算.pdf" and "S2的“经费.pdf”" in found["S1"][0].message


@pytest.mark.parametrize(("when", "late"), [("2020-06-28T16:59:59+08:00", False), ("2020-06-28T17:00:00+08:00", True),
                                            ("2020-06-28T09:00:00Z", True), ("2020-06-29T09:00:00", False)])
def test_deadline_at_the_close(when: str, late: bool) -> None:
    found = rules.check(CALL, entries(app("T1", submitted_at=when)))
    assert by_rule(found, "batch.deadline") == ({"T1"} if late else set())


# --- resumption -------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.glob("*.json"))}


def statuses(result: Any) -> dict[str, Status]:
    return {i.project_id: i.status for i in result.items}


def test_resume_force_and_changes(tmp_path: Path) -> None:
    """Resumption is the parent's business; the workers run a quick stand-in screener."""
    batch, out = tmp_path / "batch", tmp_path / "out"
    for pid in ("QZ2020-0003", "QZ2020-0005", "QZ2020-0008"):
        copy_project(BATCH / pid, batch / pid)
    budget = "经费预算表.pdf"  # 0003 and 0008 attach the same budget file
    (batch / "QZ2020-0008" / budget).write_bytes((batch / "QZ2020-0003" / budget).read_bytes())
    first = screen_batch(batch, out, workers=2, screener=fake_screener)
    assert set(statuses(first).values()) == {Status.SCREENED}
    assert fired(reports(out)["QZ2020-0003"], "batch.same_attachment")
    reports_before, states_before = snapshot(out), snapshot(out / STATE_DIR)

    again = screen_batch(batch, out, workers=2, screener=fake_screener)
    assert set(statuses(again).values()) == {Status.RESUMED}
    assert snapshot(out) == reports_before and snapshot(out / STATE_DIR) == states_before

    with (batch / "QZ2020-0008" / "经费预算表.pdf").open("ab") as f:
        f.write(b"\n% a byte more\n")
    changed = screen_batch(batch, out, workers=2, screener=fake_screener)
    assert statuses(changed) == {"QZ2020-0003": Status.RESUMED, "QZ2020-0005": Status.RESUMED,
                                 "QZ2020-0008": Status.SCREENED}
    # batch findings are recomputed over all reports: 0003 no longer shares its budget with anyone
    assert not fired(reports(out)["QZ2020-0003"], "batch.same_attachment")
    assert snapshot(out / STATE_DIR)["QZ2020-0003.json"] == states_before["QZ2020-0003.json"]

    forced = screen_batch(batch, out, workers=2, force=True, screener=fake_screener)
    assert set(statuses(forced).values()) == {Status.SCREENED}

    call_copy = tmp_path / "calls" / "quzhou-2020.yaml"  # the same call, other bytes: configuration changed
    call_copy.parent.mkdir()
    call_copy.write_text(call_path("quzhou-2020").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    recalled = screen_batch(batch, out, workers=2, call=str(call_copy), screener=fake_screener)
    assert set(statuses(recalled).values()) == {Status.SCREENED}


def test_a_killed_run_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    batch, out = tmp_path / "batch", tmp_path / "out"
    big = tmp_path / "big.pdf"
    build_pdf(big, pages=[filler("含氟精细化学品")] * 400)
    ids = [f"KILL-{i:02d}" for i in range(8)]
    template = json.loads((BATCH / "QZ2020-0005" / APPLICATION_FILE).read_text(encoding="utf-8"))
    for pid in ids:
        (batch / pid).mkdir(parents=True)
        (batch / pid / APPLICATION_FILE).write_text(json.dumps({**template, "project_id": pid}, ensure_ascii=False),
                                                    encoding="utf-8")
        shutil.copy(big, batch / pid / "可行性报告.pdf")
    run = subprocess.Popen([sys.executable, "-m", "screening", "batch", str(batch), "--out", str(out), "--workers", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / STATE_DIR).glob("KILL-*.json"))) < 2 and run.poll() is None:
            assert time.monotonic() < deadline, "the batch never finished two projects"
            time.sleep(0.02)
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # the run and its workers, mid-way
        run.wait(timeout=30)
    complete = snapshot(out / STATE_DIR)
    assert 2 <= len(complete) < len(ids), "kill came too late to test anything"

    done = batch_cli(batch, "--out", out, "--workers", 2, "--format", "json")
    assert done.returncode in (0, 1, 3), done.stderr
    summary = json.loads(done.stdout)
    assert {i["project_id"] for i in summary["items"] if i["status"] == "resumed"} == {Path(n).stem for n in complete}
    after = snapshot(out / STATE_DIR)
    assert all(after[name] == complete[name] for name in complete)  # none redone that was complete
    assert sorted(p.stem for p in out.glob("*.json")) == ids  # every report once
    assert all(json.loads((out / f"{pid}.json").read_text(encoding="utf-8"))["project_id"] == pid for pid in ids)
    assert not list(out.rglob(".screening-*"))  # no temporary file left behind


# --- projects that cannot be screened -----------------------------------------------------------


@pytest.fixture
def troubled_batch(tmp_path: Path) -> Iterator[Path]:
    batch = tmp_path / "batch"
    for name in ("fine", "raises", "dies", "hangs"):
        copy_project(BATCH / "QZ2020-0005", batch / name, project_id=f"T-{name}", team=[])  # no shared leader
    (batch / "broken").mkdir()
    (batch / "broken" / APPLICATION_FILE).write_text('{"project_id": "T-broken", "title": ', encoding="utf-8")
    (batch / "no-application").mkdir()
    (batch / "说明.txt").write_text("不是项目", encoding="utf-8")
    yield batch


def test_crash_timeout_and_bad_application_each_get_a_report(troubled_batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    result = screen_batch(troubled_batch, out, workers=2, timeout=3, screener=fake_screener)
    assert time.monotonic() - started < 60
    outcomes = {i.project_id: i.outcome for i in result.items}
    # a worker that dies is replaced and its project screened again, each attachment in a limited
    # process of its own (the real screener: the stand-in's folder-name trick does not apply there)
    assert outcomes == {"T-fine": Outcome.OK, "T-raises": Outcome.CRASH, "T-dies": Outcome.OK,
                        "T-hangs": Outcome.TIMEOUT, "broken": Outcome.INVALID}
    got = reports(out)
    assert without_batch_findings(got["T-fine"])["verdict"] == "pass"  # the copies share files: same_attachment
    assert "RuntimeError: 检查模块出错" in fired(got["T-raises"], "engine.crash")[0]["message"]
    assert not fired(got["T-dies"], "engine.crash") and got["T-dies"]["documents"]
    assert "3秒" in fired(got["T-hangs"], "document.timeout")[0]["message"]
    assert "不是合法的JSON" in fired(got["broken"], "document.application")[0]["message"]
    for report in got.values():
        jsonschema.validate(report, SCHEMA)
    assert {s.path.name for s in result.skipped} == {"no-application", "说明.txt"}
    assert result.verdict.value == "review"

    again = screen_batch(troubled_batch, out, workers=2, timeout=3, screener=fake_screener)
    # crashes are tried again; a timeout under the same limit and an unchanged bad application are kept
    assert statuses(again) == {"T-fine": Status.RESUMED, "T-raises": Status.SCREENED, "T-dies": Status.RESUMED,
                               "T-hangs": Status.RESUMED, "broken": Status.RESUMED}
