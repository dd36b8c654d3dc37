"""The findings workbook and the counts in summary.csv (issue 16): one row per finding, filterable,
text cells only; summary.csv says each project's verdict and how many findings fail and need review."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl

from screening.batch_report import FINDING_COLUMNS, FINDINGS_XLSX, SUMMARY_CSV
from screening.cli import app
from tests.conftest import BATCH


def run_batch(tmp_path: Path) -> Path:
    from typer.testing import CliRunner

    projects = tmp_path / "projects"
    for pid in ("QZ2020-0001", "QZ2020-0005"):
        shutil.copytree(BATCH / pid, projects / pid)
    out = tmp_path / "out"
    CliRunner().invoke(app, ["batch", str(projects), "--out", str(out), "--workers", "1"])
    return out


def test_the_findings_workbook_and_the_summary_counts(tmp_path: Path) -> None:
    out = run_batch(tmp_path)
    reports = {pid: json.loads((out / f"{pid}.json").read_text(encoding="utf-8")) for pid in ("QZ2020-0001", "QZ2020-0005")}
    sheet = openpyxl.load_workbook(out / FINDINGS_XLSX).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == FINDING_COLUMNS
    assert len(rows) - 1 == sum(len(r["findings"]) for r in reports.values())
    assert sheet.auto_filter.ref and sheet.freeze_panes == "A2"
    first = next(r for r in rows[1:] if r[4] == "identity.org")
    assert first[0] == "QZ2020-0001" and first[5] == "不通过" and first[3] == "正文第6段" and first[8] == "不通过"
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None)
    head, *body = list(sheet.iter_rows())
    assert all(c.font.bold for c in head) and not any(c.font.bold for row in body for c in row)
    assert all(row[6].alignment.wrap_text and not row[5].alignment.wrap_text for row in body)  # the message wraps
    with (out / SUMMARY_CSV).open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    by_id = {row["项目编号"]: row for row in table}
    for pid, report in reports.items():
        fails = sum(1 for f in report["findings"] if f["severity"] == "fail")
        warns = sum(1 for f in report["findings"] if f["severity"] == "warn")
        assert (int(by_id[pid]["不通过项数"]), int(by_id[pid]["需复核项数"])) == (fails, warns)
    assert by_id["QZ2020-0001"]["结论"] == "不通过"
