"""The budget development set (benchmarks/budgets_dev, written by a helper who had not read the
budget reader): every project built as real files (docx, ruled and unruled PDF, xlsx, xls, scans,
photos) and screened as `screening project` screens it; every budget read right and no budget
rule fired where it should not. The frozen set (benchmarks/budgets) is never asserted on: it is
measured and reported, not tuned to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.budgets.evaluate import score
from benchmarks.budgets_dev.make import main as make
from screening.engine import screen_project
from tests.test_budget_scan import CJK_FONT


@pytest.mark.slow
def test_every_budget_of_the_development_set_is_read_right(tmp_path: Path, cache_dir: Path) -> None:
    if not CJK_FONT.is_file():
        pytest.skip(f"{CJK_FONT} missing: the scans and photos are drawn with it (.ci/run installs fonts-wqy-zenhei)")
    assert make([str(tmp_path)]) == 0
    gold = json.loads((tmp_path / "gold.json").read_text(encoding="utf-8"))["projects"]
    wrong, false_alarms = [], []
    for pid, expected in gold.items():
        report = screen_project(tmp_path / "projects" / pid).to_json()
        result = score(expected, report)
        if not result["correct"]:
            wrong.append((pid, result["problems"], result["got_total"], result["got_sum_ok"]))
        false_alarms += [(pid, rule) for rule, outcome in result["rules"].items() if outcome in ("false", "missed")]
    assert wrong == [] and false_alarms == []
