"""eligibility.*: each rule fires past its edge and stays silent at it; missing values warn, naming
the field; the call file decides every number (demo-2021 changes outcomes with no code change);
a broken call file stops the command with one line naming the file and the key."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from samples.docxkit import build_docx
from screening.application import Application, load_application
from screening.calls import call_path, key_at, load_call
from screening.checks import eligibility
from screening.checks.context import Context
from screening.engine import Upload, parse_upload, project_files
from screening.errors import ConfigError
from screening.model import Finding
from tests.conftest import BATCH, Result

DEMO = Path(__file__).parent / "data" / "calls" / "demo-2021.yaml"

BASE: dict[str, Any] = {
    "project_id": "T-1", "title": "测试项目", "category": "major", "submitted_at": "2020-06-20T10:00:00+08:00",
    "applicant": {"name": "衢州测试科技有限公司", "region": "柯城区", "industrial": True,
                  "rd_investment_prev_year": 120.0, "blacklisted": False, "unaccepted_projects": 0},
    "team": [{"name": "钱守义", "role": "leader", "ongoing_as_leader": 0, "ongoing_as_member": 0},
             {"name": "孙若兰", "role": "member"}],
    "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0},
    "implementation_months": 24, "sales_revenue": 800.0,
}


def application(**changes: Any) -> Application:
    """BASE with changes; "__" steps inside ("applicant__region", "team__0__ongoing_as_leader"), None removes."""
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        target = data
        for step in path:
            target = target[int(step)] if isinstance(target, list) else target[step]
        if value is None:
            if isinstance(target, dict):
                target.pop(last, None)
        else:
            target[last] = value
    return Application.model_validate(data)


def findings(app: Application, call: str = "quzhou-2020") -> list[Finding]:
    return list(eligibility.check(Context(load_call(call), app, (), ())))


def rules(app: Application, call: str = "quzhou-2020") -> list[str]:
    return sorted(f.rule for f in findings(app, call))


def test_a_clean_application_passes_every_rule() -> None:
    assert findings(application()) == []


FIRES = [
    ({"category": "指导性项目"}, "eligibility.category"),
    ({"applicant__region": "龙游县"}, "eligibility.region"),
    ({"applicant__region": "杭州市"}, "eligibility.region"),
    ({"category": "patent", "applicant__region": "柯城区", "implementation_months": 12}, "eligibility.region"),
    ({"category": "patent", "applicant__region": "市本级", "applicant__industrial": False, "implementation_months": 12},
     "eligibility.industrial"),
    ({"applicant__rd_investment_prev_year": 0.0}, "eligibility.rd_investment"),
    ({"applicant__rd_investment_prev_year": -5.0}, "eligibility.rd_investment"),
    ({"applicant__blacklisted": True}, "eligibility.blacklist"),
    ({"applicant__unaccepted_projects": 1}, "eligibility.unaccepted"),
    ({"team__0__ongoing_as_leader": 2}, "eligibility.leader_load"),
    ({"team__0__ongoing_as_member": 3}, "eligibility.leader_load"),
    ({"submitted_at": "2020-06-28T17:00:00+08:00"}, "eligibility.deadline"),
    ({"submitted_at": "2020-06-28T09:00:01Z"}, "eligibility.deadline"),  # 17:00:01 in Beijing
    ({"submitted_at": "2020-05-17T23:59:00+08:00"}, "eligibility.deadline"),  # before the system opened
    ({"category": "patent", "applicant__region": "市本级", "implementation_months": 13}, "eligibility.duration"),
    ({"category": "patent", "applicant__region": "市本级", "implementation_months": 12, "sales_revenue": 499.99},
     "eligibility.sales"),
    ({"budget": {"total": 520.0, "rd": 299.99}}, "eligibility.rd_budget"),
]


@pytest.mark.parametrize(("changes", "rule"), FIRES, ids=[f"{r}-{i}" for i, (_, r) in enumerate(FIRES)])
def test_each_rule_fires_past_its_edge(changes: dict[str, Any], rule: str) -> None:
    got = findings(application(**changes))
    assert [f.rule for f in got] == [rule], [f.message for f in got]
    finding = got[0]
    assert finding.severity.value == "fail"
    assert finding.file is None and finding.location is None  # about the application, not a file
    assert any("\u4e00" <= ch <= "\u9fff" for ch in finding.message)


EDGES = [
    {"category": "重大科技攻关项目", "budget": {"total": 520.0, "rd": 300.0}},  # inclusive minimum, Chinese name
    {"submitted_at": "2020-06-28T16:59:59+08:00"},
    {"submitted_at": "2020-05-18T00:00:00+08:00"},
    {"team__0__ongoing_as_leader": 1, "team__0__ongoing_as_member": 2},
    {"applicant__rd_investment_prev_year": 0.01},
    {"category": "发明专利产业化项目", "applicant__region": "市本级", "implementation_months": 12, "sales_revenue": 500.0},
    {"category": "key", "applicant__region": "创新飞地", "applicant__industrial": False, "budget": {"total": 50.0}},
    {"applicant__unaccepted_projects": 0, "applicant__blacklisted": False},
]


@pytest.mark.parametrize("changes", EDGES)
def test_rules_stay_silent_at_their_edges(changes: dict[str, Any]) -> None:
    assert findings(application(**changes)) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"applicant__rd_investment_prev_year": None}, "applicant.rd_investment_prev_year"),
        ({"applicant__blacklisted": None}, "applicant.blacklisted"),
        ({"applicant__unaccepted_projects": None}, "applicant.unaccepted_projects"),
        ({"applicant__region": None}, "applicant.region"),
        ({"team__0__ongoing_as_leader": None}, "team[钱守义].ongoing_as_leader"),
        ({"team__0__ongoing_as_member": None}, "team[钱守义].ongoing_as_member"),
        ({"team": [{"name": "孙若兰", "role": "member"}]}, "team[role=leader]"),
        ({"submitted_at": None}, "submitted_at"),
        ({"category": None}, "category"),
        ({"budget": None, "category": "key"}, "budget.total"),
        ({"budget": {"total": 520.0}}, "budget.rd"),
        ({"category": "patent", "applicant__region": "市本级", "implementation_months": None}, "implementation_months"),
        ({"category": "patent", "applicant__region": "市本级", "implementation_months": 12, "sales_revenue": None},
         "sales_revenue"),
        ({"category": "patent", "applicant__region": "市本级", "implementation_months": 12, "applicant__industrial": None},
         "applicant.industrial"),
    ],
)
def test_a_missing_value_warns_and_names_the_field(changes: dict[str, Any], field: str) -> None:
    got = findings(application(**changes))
    assert [f.rule for f in got] == ["eligibility.missing_value"], [f.message for f in got]
    assert got[0].severity.value == "warn" and field in got[0].message


def test_a_timestamp_without_a_time_zone_is_not_compared() -> None:
    got = findings(application(submitted_at="2020-06-28T16:00:00"))
    assert [f.rule for f in got] == ["eligibility.missing_value"] and "时区" in got[0].message


def test_every_leader_is_checked() -> None:
    team = [{"name": "钱守义", "role": "leader", "ongoing_as_leader": 0, "ongoing_as_member": 0},
            {"name": "孙若兰", "role": "leader", "ongoing_as_leader": 2, "ongoing_as_member": 0}]
    got = findings(application(team=team))
    assert [f.rule for f in got] == ["eligibility.leader_load"] and "孙若兰" in got[0].message


def test_no_application_means_nothing_to_check() -> None:
    assert list(eligibility.check(Context(load_call(), None, (), ()))) == []


# -- the call decides ------------------------------------------------------------------------------


def test_demo_call_loads_with_other_numbers() -> None:
    demo, base = load_call(str(DEMO)), load_call()
    assert demo.name == "demo-2021" and demo.closes.year == 2021
    assert demo.categories["major"].rd_budget_min == 200 != base.categories["major"].rd_budget_min
    assert demo.categories["major"].quotas != base.categories["major"].quotas


@pytest.mark.parametrize(
    ("changes", "in_2020", "in_2021"),
    [
        # a major project with an R&D budget of 250: below 2020's 300, above 2021's 200
        ({"submitted_at": "2021-06-10T10:00:00+08:00", "budget": {"total": 520.0, "rd": 250.0}},
         ["eligibility.deadline", "eligibility.rd_budget"], []),
        # a leader in 3 ongoing projects as a member: 2020 allows 2, 2021 allows 3
        ({"submitted_at": "2021-06-10T10:00:00+08:00", "team__0__ongoing_as_member": 3},
         ["eligibility.deadline", "eligibility.leader_load"], []),
        # R&D spending of 30 万元: enough in 2020 (> 0), not in 2021 (> 50)
        ({"applicant__rd_investment_prev_year": 30.0}, [], ["eligibility.deadline", "eligibility.rd_investment"]),
        # a patent project of 15 months with sales of 400: too long and too small in 2020 only
        ({"category": "patent", "applicant__region": "市本级", "implementation_months": 15, "sales_revenue": 400.0,
          "submitted_at": "2021-06-30T16:59:00+08:00"},
         ["eligibility.deadline", "eligibility.duration", "eligibility.sales"], []),
    ],
)
def test_the_demo_call_changes_outcomes_without_code(changes: dict[str, Any], in_2020: list[str],
                                                     in_2021: list[str]) -> None:
    app = application(**changes)
    assert rules(app) == sorted(in_2020)
    assert rules(app, str(DEMO)) == sorted(in_2021)


# -- the sample projects -----------------------------------------------------------------------


def sample_rules(pid: str) -> list[str]:
    folder = BATCH / pid
    app = load_application(folder / "application.json")
    docs = tuple(parse_upload(Upload(p.name, path=p), app) for p in project_files(folder))
    return [f.rule for f in eligibility.check(Context(load_call(app.call), app, docs, ()))]


def rule_projects(gold: dict[str, Any], prefix: str) -> list[tuple[str, dict[str, Any]]]:
    return [(pid, g) for pid, g in gold["projects"].items() if "QZ2020-0301" <= pid <= "QZ2020-0399"
            and any(r.startswith(prefix) for r in [*g.get("rules", []), *(x["rule"] for x in g.get("rules_must_not_fire", []))])]


def test_each_eligibility_sample_fires_its_rule_and_nothing_else(gold: dict[str, Any]) -> None:
    projects = rule_projects(gold, "eligibility.")
    fired_somewhere = set()
    for pid, g in projects:
        got = sample_rules(pid)
        fired_somewhere.update(got)
        for rule in g["rules"]:
            if rule.startswith("eligibility."):
                assert rule in got, (pid, rule, got)
        for quiet in g["rules_must_not_fire"]:
            assert quiet["rule"] not in got, (pid, quiet, got)
    assert {r for r in fired_somewhere} >= {f"eligibility.{r}" for r in (
        "category", "region", "industrial", "rd_investment", "blacklist", "unaccepted", "leader_load", "deadline",
        "duration", "sales", "rd_budget", "missing_value")}


# -- the call file ---------------------------------------------------------------------------------


def broken_call(tmp_path: Path, change: Callable[[str], str], name: str = "broken") -> Path:
    text = call_path("quzhou-2020").read_text(encoding="utf-8").replace("name: quzhou-2020", f"name: {name}")
    path = tmp_path / f"{name}.yaml"
    path.write_text(change(text), encoding="utf-8")
    return path


BROKEN = [
    # a YAML syntax error: an unclosed list inside rules
    ("syntax", lambda t: t.replace("leader_max_ongoing_as_leader: 1", "leader_max_ongoing_as_leader: [1"),
     "rules.leader_max_ongoing_as_leader"),
    # a wrong type
    ("type", lambda t: t.replace("rd_budget_min: 300", "rd_budget_min: 三百"), "categories.major.rd_budget_min"),
    # a typo in a key
    ("typo", lambda t: t.replace("sum_tolerance:", "sum_tolerence:"), "budget.sum_tolerence"),
    # a key given twice (PyYAML would keep the last one silently)
    ("twice", lambda t: t.replace("  blacklist_forbidden: true", "  blacklist_forbidden: true\n  blacklist_forbidden: false"),
     "rules.blacklist_forbidden"),
    # a date without a time zone
    ("naive", lambda t: t.replace("closes: 2020-06-28T17:00:00+08:00", "closes: 2020-06-28T17:00:00"), "closes"),
    # a severity that is not one
    ("severity", lambda t: t.replace("budget.sum: fail", "budget.sum: fatal"), "severities.budget.sum"),
    # a lexicon that does not exist
    ("lexicon", lambda t: t.replace("items: budget-items.tsv", "items: budget-itemz.tsv"), "budget.items"),
    # quotas that do not add up
    ("quota", lambda t: t.replace("quota_total: 14", "quota_total: 15"), "categories.major"),
]


@pytest.mark.parametrize(("label", "change", "key"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_call_is_one_line_naming_file_and_key(tmp_path: Path, cli: Callable[..., Result], label: str,
                                                        change: Callable[[str], str], key: str) -> None:
    path = broken_call(tmp_path, change, name=f"broken-{label}")
    attachment = build_docx(tmp_path / "x.docx", body=["项目可行性报告"])
    result = cli("check", attachment, "--call", path)
    assert result.code == 2 and result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert str(path) in lines[0] and key in lines[0], lines[0]
    with pytest.raises(ConfigError):
        load_call(str(path))


def test_a_syntax_error_says_where(tmp_path: Path) -> None:
    path = broken_call(tmp_path, lambda t: t.replace("  unaccepted_projects_max: 0", "  unaccepted_projects_max: : 0"))
    with pytest.raises(ConfigError) as err:
        load_call(str(path))
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "unaccepted_projects_max" in text)
    assert f"第{line}行" in str(err.value) and "rules.unaccepted_projects_max" in str(err.value)


def test_key_at_follows_indentation() -> None:
    text = "a: 1\nb:\n  c:\n    d: [1\n  e: 2\nf: 3\n"
    assert key_at(text, 3) == "b.c.d" and key_at(text, 4) == "b.e" and key_at(text, 5) == "f" and key_at(text, 0) == "a"


def test_call_named_by_name_or_path(cli: Callable[..., Result], tmp_path: Path) -> None:
    attachment = build_docx(tmp_path / "经费预算表.docx", body=["经费预算表"])
    for call in ("quzhou-2020", str(DEMO)):
        result = cli("check", attachment, "--call", call, "--format", "json")
        assert result.code in (0, 1, 3), result.err
        assert json.loads(result.out)["call"] == load_call(call).name
