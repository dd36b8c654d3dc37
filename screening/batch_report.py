"""A batch's reports for people, rendered from a `BatchResult`:

* `OUT/summary.csv` — one row per project (its verdict, how many findings fail and how many need
  review); UTF-8 with a BOM, so Excel shows the Chinese right;
* `OUT/审查发现.xlsx` — one row per finding (project, unit, file, where, rule, severity, message,
  matched text, the project's verdict), filterable, for a clerk who works through the findings;
* `OUT/report.html` — one self-contained page (inline CSS and JS, no external asset, works
  offline): a sortable, filterable table of the projects and each project's findings, the matched
  text highlighted in its context, and for a finding in a PDF or a picture a small figure of the
  place on the page, the hit outlined in red (screening/batch_figures.py). Every piece of report
  text is escaped: findings quote what applicants wrote, and the page never turns it into markup;
* `OUT/推荐表-<推荐单位>.xlsx` — the recommendation form of 附件3 for each recommending unit
  (screening/recommendation_form.py: the passing projects on the notice's form, the others with
  their reasons on two more sheets);
* the text summary `screening batch` prints.

Applicants write titles and names, so nothing they wrote is ever interpreted (issue 12): control
characters are removed everywhere (`screening.report.one_line` / `printable`), the terminal gets
rich `Text` (never markup), every spreadsheet cell is a string cell (a title `=HYPERLINK(…)` is
text, never a formula), and a CSV cell that Excel would read as a formula (=, +, -, @ first,
also after spaces, tabs or line breaks) gets a leading `'` as OWASP advises.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from rich.console import Console
from rich.table import Table
from rich.text import Text

from screening import batch_figures
from screening.batch import BatchItem, BatchResult, write_atomic
from screening.calls import load_call
from screening.model import Location, Severity, Verdict
from screening.recommendation_form import category, leader, write_forms
from screening.report import SEVERITY_STYLE, VERDICT_STYLE, VERDICT_WORD, one_line, plain, printable
from screening.wording import SEVERITY, location
from screening.xlsx_looks import Looks

SUMMARY_CSV = "summary.csv"
FINDINGS_XLSX = "审查发现.xlsx"
FINDING_COLUMNS = ("项目编号", "推荐单位", "文件", "位置", "规则", "严重性", "说明", "命中文字", "项目结论")
REPORT_HTML = "report.html"
FAMILIES = {  # rule prefix → column header
    "identity": "身份信息问题",
    "document": "附件问题",
    "eligibility": "申报资格问题",
    "patent": "专利问题",
    "budget": "经费预算问题",
    "batch": "批次问题",
    "engine": "程序错误",
}


def write_all(result: BatchResult) -> list[Path]:
    """Write summary.csv, report.html and the recommendation forms into the batch's OUT."""
    items = result.items
    return [
        write_summary_csv(result.out / SUMMARY_CSV, items),
        write_findings(result.out / FINDINGS_XLSX, items),
        write_html(result.out / REPORT_HTML, result),
        *write_forms(result.out, items),
    ]


# --- what every rendering shows of a project ----------------------------------------------------


def problems(item: BatchItem, family: str) -> int:
    """The findings of a rule family that fail or warn (info is not a problem)."""
    return sum(1 for f in item.report["findings"]
               if f["rule"].split(".", 1)[0] == family and f["severity"] != Severity.INFO.value)


def top_domain(report: dict[str, Any]) -> str:
    """The best guide domain of a report ("1.2 有机硅"), or that none fits and which came closest."""
    domains = report.get("domains") or []
    if not domains:
        return ""
    first = domains[0]
    best = " ".join(str(x) for x in (first.get("code"), first.get("name")) if x)
    return f"无合适领域（最接近 {best}）" if first.get("none_fits") else best


# --- summary.csv --------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")


def csv_cell(value: object) -> object:
    """A CSV cell that spreadsheets show as the text it is: one line, no control characters, and a
    `'` before what would start a formula (OWASP, CSV injection). Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    text = one_line(value)
    return "'" + text if text.lstrip().startswith(_FORMULA_START) else text


def write_summary_csv(path: Path, items: Sequence[BatchItem]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["项目编号", "项目名称", "申报单位", "项目类别", "推荐单位", "结论", "不通过项数", "需复核项数",
                     *(f"{name}({family})" for family, name in FAMILIES.items()), "主要领域"])
    for item in items:
        app = item.application
        findings = item.report.get("findings", [])
        writer.writerow([csv_cell(value) for value in (
            item.project_id,
            item.report.get("title") or "",
            app.applicant.name if app else "",
            category(item),
            (app.recommender or "") if app else "",
            VERDICT_WORD[item.verdict],
            sum(1 for f in findings if f.get("severity") == "fail"),
            sum(1 for f in findings if f.get("severity") == "warn"),
            *(problems(item, family) for family in FAMILIES),
            top_domain(item.report),
        )])
    write_atomic(path, buf.getvalue().encode("utf-8-sig"))
    return path


# --- every finding, one row each -----------------------------------------------------------------


def write_findings(path: Path, items: Sequence[BatchItem]) -> Path:
    """`审查发现.xlsx`: one row per finding of every project, a filter on the header row, the header
    kept in view, every cell a string (nothing an applicant wrote becomes a formula). Written as a
    stream (openpyxl's write-only mode: a row at a time, a third of the time of a full workbook)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("审查发现")
    for column, width in zip("ABCDEFGHI", (14, 12, 22, 28, 24, 8, 60, 18, 8), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    looks = Looks()

    def dress(out: WriteOnlyCell, font: Font | None, alignment: Alignment | None) -> None:
        if font is not None:
            out.font = font
        if alignment is not None:
            out.alignment = alignment

    def cell(value: str, *, font: Font | None = None, alignment: Alignment | None = None) -> WriteOnlyCell | str:
        if font is None and alignment is None and not value.startswith("="):
            return value  # a plain string is written as text
        out = WriteOnlyCell(sheet, value=value)
        out.data_type = "s"  # text, never a formula: openpyxl makes "=…" a formula
        looks.give(out, (id(font), id(alignment)), lambda c: dress(c, font, alignment))
        return out

    sheet.append([cell(name, font=bold) for name in FINDING_COLUMNS])
    rows = 1
    for item in items:
        unit = (item.application.recommender or "") if item.application else ""
        for f in item.report.get("findings", []):
            row = [_string_cell(value) for value in (
                item.project_id, unit, f.get("file") or "", location_text(f), f.get("rule", ""),
                SEVERITY.get(f.get("severity", ""), f.get("severity", "")), f.get("message", ""),
                f.get("matched") or "", VERDICT_WORD[item.verdict])]
            sheet.append([cell(value, alignment=wrap if index == 6 else None) for index, value in enumerate(row)])
            rows += 1
    sheet.auto_filter.ref = f"A1:I{rows}"
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())
    return path


def _string_cell(value: object) -> str:
    """A cell's text: one line, without the control characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return str(ILLEGAL_CHARACTERS_RE.sub("", one_line(str(value))))


# --- report.html --------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(printable("" if value is None else str(value)), quote=True)


def highlighted(context: str | None, matched: str | None) -> str:
    """Escaped `context` with `matched` in a <mark>; whitespace may differ between the two (a name
    broken across a PDF line is quoted with its line break, the context on one line)."""
    if not context:
        return f"<mark>{_e(matched)}</mark>" if matched else ""
    chars = [c for c in (matched or "") if not c.isspace()]
    found = re.search(r"\s*".join(map(re.escape, chars)), context) if chars else None
    if found is None:
        return _e(context)
    start, end = found.span()
    return f"{_e(context[:start])}<mark>{_e(context[start:end])}</mark>{_e(context[end:])}"


def location_text(finding: dict[str, Any]) -> str:
    """Where a finding is, worded as the findings' messages word it (e.g. 首页页眉, 第2页正文第1段)."""
    loc = finding.get("location")
    return location(Location.from_json(loc)) if loc else ""


_CSS = """
:root{--fail:#b3261e;--fail-bg:#fdecea;--review:#8a5a00;--review-bg:#fff4d6;--pass:#1b6e2e;--pass-bg:#e6f4ea}
*{box-sizing:border-box}
body{margin:0;padding:0 24px 48px;font:14px/1.6 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;color:#1f1f1f;background:#fafafa}
header{padding:16px 0 8px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 6px}
.counts span{margin-right:16px}
#controls{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:10px 0;background:#fafafa;border-bottom:1px solid #ddd}
#controls input[type=search]{width:22em}select,input{font:inherit;padding:3px 6px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}th button{all:unset;cursor:pointer;font-weight:bold}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:#bbb}td.id,td.verdict{white-space:nowrap}
.v-fail{color:var(--fail);background:var(--fail-bg);font-weight:bold}
.v-review{color:var(--review);background:var(--review-bg);font-weight:bold}
.v-pass{color:var(--pass);background:var(--pass-bg);font-weight:bold}
.badge{padding:1px 8px;border-radius:10px;font-size:13px}
article{margin:20px 0;padding:12px 16px;background:#fff;border:1px solid #ddd;border-left:6px solid #999}
article.s-fail{border-left-color:var(--fail)}article.s-review{border-left-color:var(--review)}
article.s-pass{border-left-color:var(--pass)}
.meta{color:#555;margin:0 0 8px}
table.findings{table-layout:fixed}table.findings th:nth-child(1){width:4.5em}table.findings th:nth-child(2){width:12em}
table.findings th:nth-child(3){width:11em}table.findings th:nth-child(4){width:10em}td{overflow-wrap:anywhere}
table.findings td.sev-fail{color:var(--fail);font-weight:bold}table.findings td.sev-warn{color:var(--review);font-weight:bold}
table.findings td.sev-info{color:#777}
mark{background:#ffd54f;color:#000;padding:0 2px;border-radius:2px;outline:1px solid #e0a800}
.ctx{white-space:pre-wrap}
.evidence{color:#555;font-size:90%;margin-top:2px}
[hidden]{display:none!important}
@media print{#controls{display:none}article{break-inside:avoid}}
"""

_JS = """
(function () {
  "use strict";
  var table = document.getElementById("projects");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var details = document.getElementById("details");
  var f = {
    verdict: document.getElementById("f-verdict"),
    category: document.getElementById("f-category"),
    recommender: document.getElementById("f-recommender"),
    text: document.getElementById("f-text")
  };
  var shown = document.getElementById("shown");
  function apply() {
    var q = f.text.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!f.verdict.value || d.verdict === f.verdict.value) &&
        (!f.category.value || d.category === f.category.value) &&
        (!f.recommender.value || d.recommender === f.recommender.value) &&
        (!q || d.search.indexOf(q) >= 0);
      row.hidden = !ok;
      var article = document.getElementById(d.detail);
      if (article) { article.hidden = !ok; }
      if (ok) { n += 1; }
    });
    shown.textContent = "显示 " + n + " / " + rows.length + " 个项目";
  }
  function key(cell, numeric) {
    var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    return numeric ? parseFloat(v) || 0 : v;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.querySelector("button").addEventListener("click", function () {
      var numeric = th.getAttribute("data-type") === "number";
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
        var c = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return dir * c;
      });
      rows.forEach(function (row) {
        tbody.appendChild(row);
        var article = document.getElementById(row.dataset.detail);
        if (article) { details.appendChild(article); }
      });
    });
  });
  [f.verdict, f.category, f.recommender].forEach(function (el) { el.addEventListener("change", apply); });
  f.text.addEventListener("input", apply);
  apply();
})();
"""


def _options(select_id: str, label: str, values: Iterable[str]) -> str:
    opts = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in sorted(set(values)) if v)
    return f'<label>{label} <select id="{select_id}"><option value="">全部</option>{opts}</select></label>'


def _anchor(item: BatchItem) -> str:
    return f"p-{item.project_id}"


def _search_text(item: BatchItem) -> str:
    app = item.application
    bits = [item.project_id, item.report.get("title") or "", category(item), leader(app)]
    if app is not None:
        bits += [app.applicant.name, app.recommender or ""]
    bits += [f["rule"] for f in item.report["findings"]]
    bits += [f.get("matched") or "" for f in item.report["findings"]]
    return " ".join(bits).lower()


def _row(item: BatchItem) -> str:
    app = item.application
    verdict = item.verdict
    cells = [
        f'<td class="id" data-sort="{_e(item.project_id)}"><a href="#{_e(quote(_anchor(item)))}">{_e(item.project_id)}</a></td>',
        f"<td>{_e(item.report.get('title'))}</td>",
        f"<td>{_e(app.applicant.name if app else '')}</td>",
        f"<td>{_e(category(item))}</td>",
        f"<td>{_e(app.recommender if app else '')}</td>",
        f'<td class="verdict v-{verdict.value}" data-sort="{verdict.rank}">{_e(VERDICT_WORD[verdict])}</td>',
        *(f'<td class="n{"" if n else " zero"}">{n}</td>' for n in (problems(item, family) for family in FAMILIES)),
        f"<td>{_e(top_domain(item.report))}</td>",
    ]
    data = {
        "verdict": verdict.value,
        "category": category(item),
        "recommender": (app.recommender or "") if app else "",
        "search": _search_text(item),
        "detail": _anchor(item),
    }
    attrs = " ".join(f'data-{k}="{_e(v)}"' for k, v in data.items())
    return f"<tr {attrs}>{''.join(cells)}</tr>"


def _finding_row(f: dict[str, Any], figure: str = "") -> str:
    detail = highlighted(f.get("context"), f.get("matched"))
    if f.get("evidence"):
        detail += f'<div class="evidence">依据：{_e("；".join(f["evidence"]))}</div>'
    detail += figure
    return (
        f'<tr><td class="sev-{_e(f["severity"])}">{_e(SEVERITY.get(f["severity"], f["severity"]))}</td>'
        f'<td>{_e(f["rule"])}</td>'
        f"<td>{_e(f.get('file'))}</td><td>{_e(location_text(f))}</td><td>{_e(f['message'])}</td>"
        f'<td class="ctx">{detail}</td></tr>'
    )


def _article(item: BatchItem) -> str:
    app = item.application
    verdict = item.verdict
    meta = []
    if app is not None:
        meta += [f"申报单位：{app.applicant.name}", f"类别：{category(item) or '未填写'}",
                 f"推荐单位：{app.recommender or '未填写'}", f"项目负责人：{leader(app) or '未填写'}"]
    docs = [f"{d['file']}（{d['pages']}页）" if d.get("pages") else d["file"] for d in item.report.get("documents") or ()]
    if docs:
        meta.append("附件：" + "、".join(docs))
    findings = item.report["findings"]
    shown = batch_figures.of_item(item)
    rows = "".join(_finding_row(f, batch_figures.cell(shown, i, f)) for i, f in enumerate(findings))
    body = (
        '<table class="findings"><thead><tr><th>严重性</th><th>规则</th><th>文件</th><th>位置</th><th>说明</th>'
        f"<th>上下文（命中处高亮）</th></tr></thead><tbody>{rows}</tbody></table>{batch_figures.note(shown)}"
        if findings else "<p>未发现问题</p>"
    )
    return (
        f'<article id="{_e(_anchor(item))}" class="s-{verdict.value}">'
        f"<h2>{_e(item.project_id)} {_e(item.report.get('title'))} "
        f'<span class="badge v-{verdict.value}">{_e(VERDICT_WORD[verdict])}</span></h2>'
        f'<p class="meta">{_e(" · ".join(meta))}</p>{body}</article>'
    )


def render_html(result: BatchResult) -> str:
    items = result.items
    counts = Counter(i.verdict for i in items)
    titles = sorted({load_call(i.report["call"]).title for i in items if i.report.get("call")})
    heading = "、".join(titles) or "科技项目申报"
    headers = ["项目编号", "项目名称", "申报单位", "项目类别", "推荐单位", "结论", *FAMILIES.values(), "主要领域"]
    numeric = set(FAMILIES.values()) | {"结论"}
    head = "".join(
        f'<th{" data-type=number" if h in numeric else ""}><button type="button">{_e(h)}</button></th>' for h in headers
    )
    skipped = "".join(f"<li>{_e(s.path.name)}：{_e(s.reason)}</li>" for s in result.skipped)
    verdict_options = "".join(
        f'<option value="{v.value}">{_e(VERDICT_WORD[v])}</option>' for v in (Verdict.FAIL, Verdict.REVIEW, Verdict.PASS)
    )
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>形式审查筛查报告 — {_e(heading)}</title>
<style>{_CSS}{batch_figures.CSS}</style>
</head>
<body>
<header id="top">
<h1>形式审查筛查报告</h1>
<p>{_e(heading)} · 共{len(items)}个项目</p>
<p class="counts"><span class="badge v-fail">不通过 {counts[Verdict.FAIL]}</span><span class="badge v-review">需人工复核 {counts[Verdict.REVIEW]}</span><span class="badge v-pass">通过 {counts[Verdict.PASS]}</span></p>
{f'<p>未筛查的条目：</p><ul id="skipped">{skipped}</ul>' if skipped else ''}
</header>
<section id="controls">
<label>结论 <select id="f-verdict"><option value="">全部</option>{verdict_options}</select></label>
{_options("f-category", "类别", (category(i) for i in items))}
{_options("f-recommender", "推荐单位", ((i.application.recommender or "") for i in items if i.application))}
<label>搜索 <input id="f-text" type="search" placeholder="项目编号、名称、单位、负责人、规则……"></label>
<span id="shown"></span>
</section>
<table id="projects">
<thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(map(_row, items))}
</tbody>
</table>
<section id="details">
{chr(10).join(map(_article, items))}
</section>
<script>{_JS}</script>
</body>
</html>
"""


def write_html(path: Path, result: BatchResult) -> Path:
    write_atomic(path, render_html(result).encode())
    return path


# --- the text summary ---------------------------------------------------------------------------

_STATUS_WORD = {"screened": "本次筛查", "resumed": "沿用上次结果"}


def render_summary(summary: dict[str, Any], out: TextIO) -> None:
    """The summary `screening batch` prints for people (from `BatchResult.to_json`)."""
    console = Console(file=out, width=160 if not out.isatty() else None, highlight=False)
    table = Table(pad_edge=False)
    for col in ("项目编号", "项目名称", "结论", "不通过", "需复核", "批次规则", "状态"):
        table.add_column(col, overflow="fold")
    for item in summary["items"]:
        verdict = Verdict(item["verdict"])
        table.add_row(  # Text, never markup: a title may read “[/]…[bold”
            plain(item["project_id"]),
            plain(item["title"]),
            Text(VERDICT_WORD[verdict], style=VERDICT_STYLE[verdict]),
            Text(str(item["findings"]["fail"]), style=SEVERITY_STYLE[Severity.FAIL]),
            Text(str(item["findings"]["warn"]), style=SEVERITY_STYLE[Severity.WARN]),
            plain(" ".join(item["batch_rules"])),
            _STATUS_WORD[item["status"]] + ("" if item["outcome"] == "ok" else f"（{item['outcome']}）"),
        )
    console.print(table)
    v = summary["verdicts"]
    console.print(
        f"共{summary['projects']}个项目：不通过{v['fail']}，需人工复核{v['review']}，通过{v['pass']}；"
        f"本次筛查{summary['screened']}个，沿用上次结果{summary['resumed']}个；"
        f"共{summary['pages']}页，用时{summary['seconds']:.1f}秒"
    )
    for s in summary["skipped"]:
        console.print(plain(f"未筛查：{s['path']}：{s['reason']}", style="yellow"))
    console.print(plain(f"报告：{summary['out']}"))
    for path in summary["files"]:
        console.print(plain(f"  {path}"))
