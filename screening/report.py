"""Rendering reports: JSON (contract §3) and text for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from screening.model import Finding, Report, Severity, Verdict

VERDICT_STYLE = {Verdict.PASS: "bold green", Verdict.REVIEW: "bold yellow", Verdict.FAIL: "bold red"}
VERDICT_WORD = {Verdict.PASS: "通过", Verdict.REVIEW: "需人工复核", Verdict.FAIL: "不通过"}
SEVERITY_STYLE = {Severity.FAIL: "red", Severity.WARN: "yellow", Severity.INFO: "dim"}


def to_json(reports: Sequence[Report]) -> str:
    """One report as an object; several (loose files never make several) as a list."""
    data = [r.to_json() for r in reports]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2)


def _location(f: Finding) -> str:
    loc = f.location
    if loc is None:
        return ""
    bits = [loc.part.value + (f"/{loc.origin}" if loc.origin else "")]
    if loc.page is not None:
        bits.append(f"p{loc.page}")
    if loc.paragraph is not None:
        bits.append(f"¶{loc.paragraph}")
    if loc.start is not None:
        bits.append(f"@{loc.start}")
    return " ".join(bits)


def _highlight(f: Finding) -> Text:
    ctx = f.context or ""
    text = Text(ctx)
    if f.matched and f.matched in ctx:
        i = ctx.index(f.matched)
        text.stylize("bold reverse", i, i + len(f.matched))
    return text


def render_text(report: Report, out: TextIO, *, color: bool | None = None) -> None:
    console = Console(file=out, width=160 if not out.isatty() else None, force_terminal=color, highlight=False)
    verdict = report.verdict
    title = f" {report.title}" if report.title else ""
    console.print(
        Text.assemble(
            (f"{report.project_id}{title}  ", "bold"),
            (f"{verdict.value.upper()} {VERDICT_WORD[verdict]}", VERDICT_STYLE[verdict]),
        )
    )
    for doc in report.documents:
        pages = f"{doc.pages}页" if doc.pages else "页数未知"
        console.print(f"  {doc.file}  [{doc.role.value}] {doc.format or '?'} {pages}  {len(doc.parts)}处文字")
    if not report.findings:
        console.print("  未发现问题")
        return
    table = Table(show_lines=False, pad_edge=False)
    for col in ("严重性", "规则", "文件", "位置", "命中", "说明 / 上下文"):
        table.add_column(col, overflow="fold")
    for f in sorted(report.findings, key=Finding.sort_key):
        detail = _highlight(f) if f.context else Text(f.message)
        if f.evidence:
            detail.append("\n依据：" + "；".join(f.evidence), style="dim")
        table.add_row(
            Text(f.severity.value, style=SEVERITY_STYLE[f.severity]),
            f.rule,
            f.file or "",
            _location(f),
            f.matched or "",
            detail,
        )
    console.print(table)
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    console.print(f"  fail {counts[Severity.FAIL]} · warn {counts[Severity.WARN]} · info {counts[Severity.INFO]}")
