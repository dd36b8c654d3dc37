"""Rendering reports: JSON (contract §3) and text for people.

Text from applications and attachments is never interpreted (issue 12): what goes to a terminal,
a CSV, a spreadsheet or a page passes `printable` / `one_line` first (no control character: no
terminal escape sequence, nothing openpyxl refuses, no bidi override that reorders what people
read), and the terminal gets it as rich `Text`, never as console markup (“[/]…[bold” is a title).
The JSON keeps the text exactly as found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from screening.model import Finding, Report, Severity, Verdict
from screening.wording import SEVERITY, location

VERDICT_STYLE = {Verdict.PASS: "bold green", Verdict.REVIEW: "bold yellow", Verdict.FAIL: "bold red"}
VERDICT_WORD = {Verdict.PASS: "通过", Verdict.REVIEW: "需人工复核", Verdict.FAIL: "不通过"}
SEVERITY_STYLE = {Severity.FAIL: "red", Severity.WARN: "yellow", Severity.INFO: "dim"}

# C0 but tab and line feed, DEL, C1, and the bidi embeddings, overrides and isolates
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile("\r\n?")
_SPACE_LIKE = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")


def printable(text: str) -> str:
    """`text` without control characters; line breaks (CR LF and CR become LF) and tabs kept."""
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def one_line(text: str) -> str:
    """`text` on one line, for a table cell: line breaks and tabs become spaces, other controls go."""
    return _CONTROL.sub("", _SPACE_LIKE.sub(" ", _LINE_BREAK.sub("\n", text)))


def plain(text: object, *, lines: bool = False, style: str = "") -> Text:
    """Text for the terminal, never read as markup: one line (or `lines` kept), no controls."""
    value = "" if text is None else str(text)
    return Text(printable(value) if lines else one_line(value), style=style)


def to_json(reports: Sequence[Report]) -> str:
    """One report as an object; several (loose files never make several) as a list."""
    data = [r.to_json() for r in reports]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2)


def _location(f: Finding) -> str:
    """Where, in Chinese as a clerk finds it (`wording.location`)."""
    return location(f.location)


def _highlight(f: Finding) -> Text:
    ctx = printable(f.context or "")
    matched = printable(f.matched or "")
    text = Text(ctx)
    if matched and matched in ctx:
        i = ctx.index(matched)
        text.stylize("bold reverse", i, i + len(matched))
    return text


# why no guide domain fits (`classify.Ranking.none_why`), as a clerk reads it
NONE_WHY = {"score": "得分均低于阈值", "model": "题目与不属于指南各领域的真实项目名称更相近"}


def domain_line(domains: Sequence[Mapping[str, Any]]) -> str:
    """The guide domains of a report in one line (best first), saying so when none fits: the
    report's `domains`, whose entries all carry the same `none_fits`."""
    if not domains:
        return ""

    def one(d: Mapping[str, Any]) -> str:
        terms = "、".join(str(t) for t in d.get("terms") or ())
        learned = f"；据本地更正：{'、'.join(str(t) for t in d['corrections'])}" if d.get("corrections") else ""
        why = f"（依据：{terms}{learned}）" if terms else ""
        return f"{d.get('code', '')} {d.get('name', '')} {float(d.get('score', 0)):.2f}{why}"

    listed = "；".join(one(d) for d in domains)
    if domains[0].get("none_fits"):
        why = NONE_WHY.get(str(domains[0].get("none_why") or "score"), NONE_WHY["score"])
        return f"指南领域：没有合适的领域（{why}），最接近的是 {listed}"
    return f"指南领域：{listed}"


def render_text(report: Report, out: TextIO, *, color: bool | None = None) -> None:
    console = Console(file=out, width=160 if not out.isatty() else None, force_terminal=color, highlight=False)
    verdict = report.verdict
    title = f" {report.title}" if report.title else ""
    console.print(
        Text.assemble(
            (one_line(f"{report.project_id}{title}  "), "bold"),
            (f"{verdict.value.upper()} {VERDICT_WORD[verdict]}", VERDICT_STYLE[verdict]),
        )
    )
    for doc in report.documents:
        pages = f"{doc.pages}页" if doc.pages else "页数未知"
        console.print(plain(f"  {doc.file}  [{doc.role.value}] {doc.format or '?'} {pages}  {len(doc.parts)}处文字"))
    domains = domain_line(report.domains)
    if domains:
        console.print(plain(f"  {domains}"))
    if not report.findings:
        console.print("  未发现问题")
        return
    table = Table(show_lines=False, pad_edge=False)
    for col in ("严重性", "规则", "文件", "位置", "命中", "说明 / 上下文"):
        table.add_column(col, overflow="fold")
    for f in sorted(report.findings, key=Finding.sort_key):
        detail = _highlight(f) if f.context else plain(f.message, lines=True)
        if f.evidence:
            detail.append("\n依据：" + one_line("；".join(f.evidence)), style="dim")
        table.add_row(
            Text(SEVERITY[f.severity.value], style=SEVERITY_STYLE[f.severity]),
            plain(f.rule),
            plain(f.file),
            plain(_location(f)),
            plain(f.matched, lines=True),
            detail,
        )
    console.print(table)
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    console.print(f"  不通过 {counts[Severity.FAIL]} · 需复核 {counts[Severity.WARN]} · 提示 {counts[Severity.INFO]}")
