"""`screening patent FILE`: read one patent certificate and print the report's `patent` block.

Exit codes: 0 the patent meets every rule of the call, 1 a rule fails, 3 something needs a
person's look (REVIEW), 2 bad arguments or a file that cannot be read at all.

Without `--application` the applicant is unknown, so whether the patentee is the applicant (E6:
独有 and 为申报单位) is not checked: a certificate that passes every other rule is not called
eligible on the command's headline — the text summary says the owner check was skipped, the json
block carries the same words under `notice`, and the exit code is 3. The block's `eligible` stays
what the report says (true: every rule that could be checked passes).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from screening.cli import CallOpt, Format, FormatOpt, app, parse_limited
from screening.errors import UsageError
from screening.patents import Outcome, PatentType
from screening.patents.rules import NO_APPLICANT
from screening.report import plain

EXIT = {Outcome.PASS: 0, Outcome.FAIL: 1, Outcome.REVIEW: 3}
RESULT_STYLE = {"PASS": "green", "FAIL": "red", "REVIEW": "yellow", "SKIPPED": "dim"}
RESULT_WORD = {"PASS": "符合条件", "FAIL": "不符合条件", "REVIEW": "需人工复核"}
ELIGIBLE_WORD = {True: "是", False: "否", None: "未定（需人工复核）"}
OWNER_UNCHECKED = ("未提供申报书（--application），未核对专利权人是否为申报单位（须由申报单位独有），"
                   "不能判定符合条件，需人工复核")
CHECKED_ONLY = "所核规则均符合（专利权人未核对，见提示）"
TYPE_WORD = {PatentType.INVENTION.value: "发明专利", PatentType.UTILITY_MODEL.value: "实用新型专利",
             PatentType.DESIGN.value: "外观设计专利"}


def parse_reference(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--reference-date：“{value}”不是YYYY-MM-DD格式的日期") from None


def headline(block: dict[str, Any]) -> str:
    """The result the command stands for: the block's, but never PASS with the owner check skipped."""
    return "REVIEW" if block["result"] == "PASS" and "notice" in block else block["result"]


def exit_code(outcome: Outcome, owner_checked: bool) -> int:
    return EXIT[Outcome.REVIEW] if outcome is Outcome.PASS and not owner_checked else EXIT[outcome]


def render(block: dict[str, Any], out: Any) -> None:
    console = Console(file=out, width=160 if not out.isatty() else None, highlight=False)
    result = headline(block)
    console.print(Text.assemble(
        (f"{block['file']}  ", "bold"),
        (f"{TYPE_WORD.get(block['type'] or '', '类型不明')}  {block['number'] or '专利号未读出'}  ", ""),
        (f"{result} {RESULT_WORD[result]}", f"bold {RESULT_STYLE[result]}"),
    ))
    rows = [
        ("名称", block["title"]),
        ("专利权人", "；".join(block["patentees"])),
        ("发明人", "；".join(block["inventors"])),
        ("专利申请日", block["filing_date"]),
        ("授权公告日", block["grant_date"]),
        ("授权公告号", block["publication_number"]),
        ("保护期", f"{block['term_years']}年，最后有效日{block['expiry_date']}" if block["term_years"] else None),
        ("剩余年限", f"{block['years_remaining']}年（参考日{block['reference_date']}）"
         if block["years_remaining"] is not None else f"—（参考日{block['reference_date']}）"),
        ("校验位", {True: "正确", False: "错误或格式不符", None: "—"}[block["check_digit_ok"]]),
        ("符合条件", CHECKED_ONLY if block["eligible"] is True and "notice" in block else ELIGIBLE_WORD[block["eligible"]]),
    ]
    if block["missing_pages"]:
        rows.append(("缺页", "、".join(f"第{n}页" for n in block["missing_pages"])))
    if "notice" in block:
        rows.append(("提示", block["notice"]))
    for label, value in rows:  # values come from the document: never read as markup, no control characters
        console.print(plain(f"  {label}：{value if value not in (None, '') else '—'}"))
    table = Table(pad_edge=False)
    for column in ("规则", "结果", "代码", "说明"):
        table.add_column(column, overflow="fold")
    for rule in block["rules"]:
        table.add_row(rule["rule"], Text(rule["result"], style=RESULT_STYLE[rule["result"]]), rule["code"],
                      plain(rule["reason"]))
    console.print(table)


@app.command("patent")
def patent(
    file: Annotated[Path, typer.Argument(help="专利证书（pdf、png、jpg 或 tif）")],
    application: Annotated[Path | None, typer.Option(
        "--application", "-a", help="申报书 application.json：用于核对专利权人是否为申报单位，并取申报日期")] = None,
    reference: Annotated[str | None, typer.Option(
        "--reference-date", help="计算剩余年限的参考日 YYYY-MM-DD（默认取申报书的申报日期，否则取申报截止日）")] = None,
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
) -> None:
    """读取专利证书，按申报通知的专利要求逐条核对。"""
    from screening.application import load_application
    from screening.calls import load_call
    from screening.engine import call_of
    from screening.model import Role
    from screening.parsers import parse_file
    from screening.patents import read_patent

    when = parse_reference(reference)
    if not file.is_file():
        raise UsageError(f"{file}: 文件不存在或不是普通文件")
    app_data = load_application(application) if application is not None else None
    the_call = load_call(call_of(app_data, call))  # the operator's, else the application's installed call
    read = read_patent(file, call=the_call, application=app_data, reference=when,
                       parse=lambda path: parse_limited(parse_file, path, Role.PATENT_CERTIFICATE, "command"))
    block = read.block()
    outcome = read.record.outcome
    owner_checked = read.record.rule("E6").code != NO_APPLICANT  # E6 is skipped only without an applicant
    if not owner_checked and outcome is not Outcome.FAIL:
        block["notice"] = OWNER_UNCHECKED
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(block, ensure_ascii=False, indent=2) + "\n")
    else:
        render(block, sys.stdout)
    raise typer.Exit(exit_code(outcome, owner_checked=owner_checked))
