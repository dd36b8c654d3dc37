"""Golden tests over samples/: every planted leak found where it was planted, no decoy fails,
the verdicts and rules of gold.json, the reports valid against the contract's schema.

Golden reports live in tests/golden/; regenerate them deliberately with
`SCREENING_UPDATE_GOLDEN=1 pytest tests/test_samples.py` and review the diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from screening import screen_project
from screening.text import norm
from tests.conftest import ROOT, SAMPLES, sample_projects

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = json.loads((ROOT / "schemas" / "screening-report-1.schema.json").read_text(encoding="utf-8"))
PROJECTS = sample_projects()


@cache
def report(pid: str) -> dict[str, Any]:
    return screen_project(SAMPLES / "batch" / pid).to_json()


def overlaps(a: str, b: str) -> bool:
    a, b = norm(a), norm(b)
    return bool(a) and bool(b) and (a in b or b in a)


def identity_fails(rep: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in rep["findings"] if f["rule"].startswith("identity.") and f["severity"] == "fail"]


def test_there_are_enough_samples(gold: dict[str, Any]) -> None:
    assert len(PROJECTS) >= 6 and set(gold["projects"]) == {p.name for p in PROJECTS}
    parts = {leak["part"] for g in gold["projects"].values() for leak in g.get("leaks", [])}
    assert {"body", "table", "header", "footer", "textbox", "footnote", "comment", "metadata", "filename"} <= parts


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_report_matches_gold(project: Path, gold: dict[str, Any]) -> None:
    g = gold["projects"][project.name]
    rep = report(project.name)
    fails = identity_fails(rep)
    for leak in g.get("leaks", []):
        hits = [f for f in fails if f["file"] == leak["file"] and overlaps(f["matched"], leak["surface"])]
        assert hits, f"missed {leak}"
        assert any(f["location"]["part"] == leak["part"] and f["location"].get("page") in (None, leak["page"])
                   for f in hits), f"found but not located: {leak} in {[f['location'] for f in hits]}"
    planted = {(leak["file"], norm(leak["surface"])) for leak in g.get("leaks", [])}
    for f in fails:
        assert any(file == f["file"] and overlaps(f["matched"], s) for file, s in planted), f"false alarm {f}"
    for decoy in g.get("decoys", []):
        assert not any(f["file"] == decoy["file"] and overlaps(f["matched"], decoy["surface"])
                       and len(norm(f["matched"])) <= len(norm(decoy["surface"])) for f in fails), decoy
    if g.get("identity_clean"):
        assert fails == []
    assert rep["verdict"] == g["verdict"]
    for rule in g.get("rules", []):
        assert any(f["rule"] == rule and f["severity"] in ("fail", "warn") for f in rep["findings"]), rule


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_report_is_valid_and_golden(project: Path) -> None:
    rep = report(project.name)
    jsonschema.validate(rep, SCHEMA)
    golden = GOLDEN / f"{project.name}.json"
    text = json.dumps(rep, ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("SCREENING_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden report {golden.name}: run with SCREENING_UPDATE_GOLDEN=1"
    assert json.loads(golden.read_text(encoding="utf-8")) == rep


def test_the_golden_switch_is_off() -> None:
    """A run that rewrites the goldens has checked nothing: it must end red, so that the switch is
    never left on (in CI, a shell profile, a tox file)."""
    assert not os.environ.get("SCREENING_UPDATE_GOLDEN"), (
        "SCREENING_UPDATE_GOLDEN is set: the golden reports were rewritten, not compared; review "
        "`git diff tests/golden`, then run the tests without it")


def test_committed_samples_are_what_the_generator_makes() -> None:
    done = subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_exit_codes_follow_the_verdicts(cli, gold: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    want = {"pass": 0, "fail": 1, "review": 3}
    for project in PROJECTS:
        result = cli("project", project, "--format", "json")
        assert result.code == want[gold["projects"][project.name]["verdict"]], project.name
        assert json.loads(result.out)["project_id"] == project.name
