"""A project's report as the batch handles it: JSON (a dict), exactly as `screening project
--format json` prints it.

* `report_text` — the bytes of `OUT/<project_id>.json`;
* `failure_report` and the messages — the report of a project that could not be screened
  (`engine.crash`, `document.timeout`, `document.application`): one finding saying why;
* `with_findings` / `without_batch_findings` — the `batch.*` findings added to or stripped from a
  report, its findings ordered again and its verdict derived again as `Report.to_json` does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from screening.batch.discovery import Project
from screening.calls import load_call
from screening.deadline import overtime_message
from screening.isolation import parse_timeout_message
from screening.model import Finding, Report


def report_text(report: dict[str, Any]) -> str:
    """A report as `screening project --format json` prints it."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def pages_of(report: dict[str, Any]) -> int:
    return sum(d.get("pages") or 0 for d in report.get("documents") or ())


def without_batch_findings(report: dict[str, Any]) -> dict[str, Any]:
    return with_findings(report, (), drop_prefix="batch.")


def with_findings(report: dict[str, Any], extra: Sequence[Finding], *, drop_prefix: str | None = None) -> dict[str, Any]:
    """The report with `extra` findings added (and those under `drop_prefix` removed), ordered as
    `Report.to_json` orders them and the verdict derived again. Finding objects are kept as they
    are in the JSON, extra fields included."""
    kept = [f for f in report["findings"] if drop_prefix is None or not f["rule"].startswith(drop_prefix)]
    items = [(Finding.from_json(f), f) for f in kept] + [(f, f.to_json()) for f in extra]
    items.sort(key=lambda item: item[0].sort_key())  # stable: equal keys keep the report's order
    verdict = Report(report["project_id"], tuple(f for f, _ in items)).verdict
    return {**report, "verdict": verdict.value, "findings": [data for _, data in items]}


def failure_report(project: Project, rule: str, message: str) -> dict[str, Any]:
    """The report of a project that could not be screened: one finding saying why."""
    call = load_call(project.call)
    finding = Finding(rule=rule, severity=call.severity(rule), message=message)
    title = project.application.title if project.application else None
    return Report(project.project_id, (finding,), call=call.name, title=title).to_json()


def timeout_message(timeout: float) -> str:
    """`document.timeout` of a project that took longer than the batch's `--timeout`."""
    return overtime_message(timeout)


def attachment_timeout_message(name: str, seconds: float) -> str:
    """`document.timeout` of an attachment that took longer than the parse timeout."""
    return f"{name}：{parse_timeout_message(seconds)}"


def crash_message(detail: str) -> str:
    """`engine.crash` of a project whose screening raised or whose worker died."""
    return f"筛查程序出错，本项目未能完成审查（{detail[:300]}）；请人工审查，或修复后用--force重新筛查"
