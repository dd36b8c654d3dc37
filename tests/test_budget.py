"""Budget tables read right in every layout (docx table, ruled PDF via the table finder on pdfium's rules, PDF text lines,
元, wrapped names, sub-items, a table continued on the next page), and the budget.* checks: each
fires on its fault, stays silent on clean tables and within the tolerances."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from samples.docxkit import build_docx
from samples.make_samples import BUDGET_LINES, budget_pdf
from samples.pdfkit import build_pdf
from samples.rules import STANDARD, docx_table, rows, ruled_pdf, text_pdf
from screening import budget
from screening.application import Application, load_application
from screening.calls import load_call
from screening.checks import budget as budget_check
from screening.checks.context import Context
from screening.engine import Upload, parse_upload, project_files
from screening.model import Document, Finding, Role
from screening.parsers import parse_file
from screening.parsers.tables import with_tables
from tests.conftest import BATCH

LEXICONS = {"items": "budget-items.tsv", "columns": "budget-columns.tsv"}
APP: dict[str, Any] = {
    "project_id": "T-B", "title": "测试", "category": "key",
    "applicant": {"name": "衢州测试科技有限公司"}, "team": [],
    "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0},
}
ITEMS_520 = [("设备费", 180.0), ("材料费", 120.0), ("测试化验加工费", 40.0), ("燃料动力费", 20.0),
             ("差旅费/会议费/国际合作与交流费", 10.0), ("出版/文献/信息传播/知识产权事务费", 10.0), ("劳务费", 60.0),
             ("专家咨询费", 10.0), ("其他支出", 20.0), ("间接费用", 50.0)]


def parsed(path: Path, *, tables: bool = True) -> Document:
    """The attachment as the engine parses it for a budget: a PDF with its tables."""
    doc = parse_file(path, Role.BUDGET)
    if doc.format == "pdf" and tables:
        doc = with_tables(doc, path.read_bytes(), budget.budget_pages(doc, LEXICONS["items"]))
    return doc


def read(path: Path, *, with_bytes: bool = True) -> budget.Table | None:
    return budget.read(parsed(path, tables=with_bytes), **LEXICONS)


def context(paths: list[Path], app: dict[str, Any] | None = None, *, call: str = "quzhou-2020") -> Context:
    application = Application.model_validate(app or APP)
    docs = tuple(parse_upload(Upload(p.name, path=p), application) for p in paths)
    return Context(load_call(call), application, docs, ())


def run(paths: list[Path], app: dict[str, Any] | None = None) -> tuple[list[Finding], dict[str, Any] | None]:
    ctx = context(paths, app)
    return list(budget_check.check(ctx)), budget_check.block(ctx)


def fired(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def items(table: budget.Table) -> list[tuple[str, float]]:
    return [(r.name, float(r.amounts[budget.AMOUNT])) for r in table.items]


# -- reading ---------------------------------------------------------------------------------------


def test_the_existing_samples_budget_lines_read_520(tmp_path: Path) -> None:
    """samples/make_samples.py's BUDGET_LINES: prose-like lines, several items on a line."""
    assert "合计 520.0" in BUDGET_LINES[3]
    table = read(BATCH / "QZ2020-0001" / "经费预算表.pdf")
    assert table is not None and table.method == "text" and table.unit == "万元"
    assert items(table) == ITEMS_520
    assert table.total() == Decimal("520.0") == table.item_sum()
    findings, block = run([BATCH / "QZ2020-0001" / "经费预算表.pdf"])
    assert findings == []
    assert block is not None and block["total"] == 520.0 and block["sum_ok"] is True and block["file"] == "经费预算表.pdf"


@pytest.mark.parametrize(
    ("make", "method", "split"),
    [
        (lambda p: docx_table(p.with_suffix(".docx"), rows()), "docx_table", True),
        (lambda p: ruled_pdf(p, rows()), "pdf_table", True),
        (lambda p: text_pdf(p, rows()), "text", True),
        (lambda p: ruled_pdf(p, rows(), split_at=7), "pdf_table", True),  # continued on a second page
        (lambda p: (budget_pdf(p), p)[1], "text", False),
    ],
    ids=["docx", "ruled-pdf", "text-pdf", "two-pages", "budget-lines"],
)
def test_every_layout_reads_the_same_budget(tmp_path: Path, make: Any, method: str, split: bool) -> None:
    table = read(make(tmp_path / "经费预算表.pdf"))
    assert table is not None, method
    assert table.method == method and table.unit == "万元"
    assert items(table) == ITEMS_520  # the sub-items 购置设备费 / 试制设备费 are not counted again
    assert table.total() == 520 and table.item_sum() == 520
    if split:
        assert table.total(budget.SUBSIDY) == 100 and table.total(budget.SELF_RAISED) == 420
        assert [(r.name, r.parent) for r in table.of(budget.Kind.SUB)] == [("购置设备费", "设备费"), ("试制设备费", "设备费")]


def test_ruled_pdf_reads_the_same_without_its_bytes(tmp_path: Path) -> None:
    path = ruled_pdf(tmp_path / "b.pdf", rows())
    with_rules, text = read(path), read(path, with_bytes=False)
    assert with_rules is not None and text is not None
    assert (with_rules.method, text.method) == ("pdf_table", "text")
    assert items(with_rules) == items(text) == ITEMS_520


def test_ruled_tables_are_read_by_the_parser_in_its_limited_process(tmp_path: Path) -> None:
    """What the CLI and the hook do: the parser, in its isolated process, finds the ruled tables of a
    budget PDF; the checks only read them. A PDF the table finder refuses is read from its lines."""
    from screening.isolation import Isolation
    from screening.limits import Limits

    path = ruled_pdf(tmp_path / "经费预算表.pdf", rows())
    doc = Isolation(Limits(workers=1)).parse(Upload(path.name, path=path), None)
    assert doc.role is Role.BUDGET and doc.tables and doc.tables_note == ""
    table = budget.read(doc, **LEXICONS)
    assert table is not None and table.method == "pdf_table" and items(table) == ITEMS_520
    refused = with_tables(parse_file(path, Role.BUDGET), b"%PDF-1.4 not really", {1})
    assert refused.tables == () and "无法读取此PDF的表格线" in refused.tables_note
    fallback = budget.read(refused, **LEXICONS)
    assert fallback is not None and fallback.method == "text" and items(fallback) == ITEMS_520
    assert "无法读取此PDF的表格线" in fallback.note


def test_an_empty_cell_keeps_its_column_only_with_the_rules(tmp_path: Path) -> None:
    """A blank 财政补助 cell: pdfplumber keeps the column; text lines cannot, so only 合计 is read."""
    grid = rows()
    for row in grid:
        if row[2] == "0.00":
            row[2] = ""
    path = ruled_pdf(tmp_path / "b.pdf", grid)
    ruled = read(path)
    assert ruled is not None and ruled.total(budget.SUBSIDY) == 100 and ruled.item_sum(budget.SUBSIDY) == 100
    assert ruled.item_sum(budget.SELF_RAISED) == 420 and ruled.note == ""
    text = read(path, with_bytes=False)
    assert text is not None and text.columns == (budget.AMOUNT,) and "合计栏" in text.note
    assert items(text) == ITEMS_520


def test_amounts_in_yuan_are_converted(tmp_path: Path) -> None:
    path = ruled_pdf(tmp_path / "b.pdf", rows(scale=10000), unit_line="单位：元")
    table = read(path)
    assert table is not None and table.unit == "元" and table.total() == 520 and items(table) == ITEMS_520
    findings, block = run([path])
    assert findings == [] and block is not None and block["total"] == 520.0 and block["unit"] == "元"


def test_unit_in_a_column_head(tmp_path: Path) -> None:
    grid = rows(scale=10000, head=["预算科目", "金额（元）", "财政补助（元）", "自筹（元）"])
    table = read(docx_table(tmp_path / "b.docx", grid, caption=["经费预算表"]))
    assert table is not None and table.unit == "元" and table.total() == 520


def test_an_item_with_an_empty_cell_takes_its_sub_items(tmp_path: Path) -> None:
    grid = rows(change={"一、设备费": (0, 0, 0)})
    grid[1][1:] = ["", "", ""]
    table = read(docx_table(tmp_path / "b.docx", grid))
    assert table is not None and items(table)[0] == ("设备费", 180.0) and table.item_sum() == 520
    assert budget.AMOUNT in table.items[0].derived


def test_business_costs_of_the_2021_forms(tmp_path: Path) -> None:
    """业务费 with its parts listed under it: the parts are not counted twice."""
    grid = [["预算科目", "金额"], ["1.设备费", "180"], ["2.业务费", "230"], ["（1）材料费", "120"],
            ["（2）测试化验加工费", "40"], ["（3）燃料动力费", "20"], ["（4）差旅费/会议费/国际合作与交流费", "10"],
            ["（5）出版/文献/信息传播/知识产权事务费", "10"], ["（6）专家咨询费", "10"], ["（7）其他支出", "20"],
            ["3.劳务费", "60"], ["4.间接费用", "50"], ["合 计", "520"]]
    table = read(docx_table(tmp_path / "b.docx", grid))
    assert table is not None
    assert items(table) == [("设备费", 180.0), ("业务费", 230.0), ("劳务费", 60.0), ("间接费用", 50.0)]
    assert table.total() == 520 == table.item_sum()


def test_a_table_without_unit_keeps_amounts_as_printed(tmp_path: Path) -> None:
    path = ruled_pdf(tmp_path / "b.pdf", rows(), unit_line=None)
    table = read(path)
    assert table is not None and table.unit is None and table.total() == 520
    findings, block = run([path])
    assert fired(findings) == ["budget.unit"] and block is not None and block["unit"] is None


def test_prose_only_is_no_table(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "b.pdf", pages=[["经费预算说明", "本项目经费主要用于设备购置和材料采购，合计约五百万元。"]])
    assert read(path) is None
    findings, block = run([path])
    assert fired(findings) == ["budget.unreadable"] and block is None
    assert findings[0].file == "b.pdf" and findings[0].location is not None


def test_an_unopened_budget_gets_no_second_finding(tmp_path: Path) -> None:
    """An encrypted budget already has document.encrypted; budget.unreadable would say it twice."""
    path = build_pdf(tmp_path / "经费预算表.pdf", pages=[BUDGET_LINES], user_password="pw")
    findings, block = run([path])
    assert findings == [] and block is None


def test_prose_numbers_are_not_rows(tmp_path: Path) -> None:
    prose = "项目完成后预计新增销售收入2000万元，利税300万元。"
    path = build_pdf(tmp_path / "b.pdf", pages=[[*BUDGET_LINES, prose]])
    table = read(path)
    assert table is not None and table.unknown == () and items(table) == ITEMS_520
    before = build_pdf(tmp_path / "c.pdf", pages=[[*BUDGET_LINES[:2], "其他收入 8.0", *BUDGET_LINES[2:]]])
    table = read(before)
    assert table is not None and table.unknown == ("其他收入",) and items(table) == ITEMS_520


@pytest.mark.parametrize(
    ("label", "cleaned", "qizhong"),
    [("（1）购置设备费", "购置设备费", False), ("一、设备费（万元）", "设备费", False), ("合 计", "合计", False),
     ("其中：研发投入", "研发投入", True), ("5.差旅费/会议费/国际合作与交流费", "差旅费会议费国际合作与交流费", False),
     ("２．材料费", "材料费", False)],
)
def test_labels_are_cleaned_before_the_lexicon(label: str, cleaned: str, qizhong: bool) -> None:
    assert budget.clean_label(label) == (cleaned, qizhong)


@pytest.mark.parametrize(("text", "value"), [("180.00", "180.00"), ("1,800,000", "1800000"), ("—", "0"),
                                             ("180万元", "180"), ("", None), ("见说明", None),
                                             ("1,800,000.00", "1800000.00"), ("1，800，000.00", "1800000.00"),
                                             ("1 800 000.00", "1800000.00"), ("１，８００，０００．００", "1800000.00"),
                                             ("1\u3000800\u3000000", "1800000"), ("1, 800, 000", "1800000"),
                                             ("¥1,800,000.00", "1800000.00"), ("￥ 180.5", "180.5"),
                                             ("1,800,00\n0.00", "1800000.00"), ("180 60", None), ("12,34", None),
                                             ("1 8000", None), ("2台×50万元", None)])
def test_amount_cells(text: str, value: str | None) -> None:
    amount = budget.parse_amount(text)
    assert (amount.value if amount else None) == (Decimal(value) if value is not None else None)


@pytest.mark.parametrize(("text", "unit"), [("180万元", "万元"), ("180万", "万元"), ("1,800,000元", "元"), ("180", None)])
def test_an_amount_cell_with_its_own_unit(text: str, unit: str | None) -> None:
    amount = budget.parse_amount(text)
    assert amount is not None and amount.unit == unit


@pytest.mark.parametrize(
    ("text", "unit"),
    [("单位：万元", "万元"), ("金额单位：元", "元"), ("（单位：人民币元）", "元"), ("注：表中金额单位为元。", "元"),
     ("单 位：万 元", "万元"), ("以万元为单位", "万元"), ("金额（万）", "万元"), ("预算数(元)", "元"), ("元", "元"),
     ("单位:人民币万元", "万元"), ("经费预算表（单位：万元）", "万元"),
     ("项目总投资1200万元", None), ("申报单位为衢州某某公司", None), ("单位：万吨", None), ("万元户", None)],
)
def test_unit_statements(text: str, unit: str | None) -> None:
    assert budget.unit_in(text) == unit


# -- checking --------------------------------------------------------------------------------------


def test_a_clean_table_has_no_finding_and_a_full_block(tmp_path: Path) -> None:
    findings, block = run([ruled_pdf(tmp_path / "经费预算表.pdf", rows())])
    assert findings == []
    assert block == {"total": 520.0, "items": [{"name": n, "amount": a} for n, a in ITEMS_520], "sum_ok": True,
                     "unit": "万元", "file": "经费预算表.pdf", "method": "pdf_table", "subsidy": 100.0,
                     "self_raised": 420.0}


@pytest.mark.parametrize(
    ("change", "rules"),
    [
        ({"二、材料费": (110, 20, 90)}, ["budget.sum"]),  # items 510 vs 合计 520; the 自筹 column with it
        ({"七、劳务费": (60.01, 0, 60.01)}, []),  # 0.01 万元 off: rounding, within sum_tolerance 0.011
        ({"七、劳务费": (60.02, 0, 60.02)}, ["budget.sum"]),  # 0.02 off: beyond it
        ({"合计": (520, 100, 410)}, ["budget.split"]),  # the row; the 自筹 column follows from it
        ({"二、材料费": (120, 20, 90), "三、测试化验加工费": (40, 10, 40)}, ["budget.split"]),  # two rows, columns even
        ({"二、材料费": (100, 20, 80), "合计": (500, 100, 400)}, ["budget.total_mismatch"]),
        ({"二、材料费": (120, 10, 110), "十、间接费用": (50, 20, 30)}, []),  # subsidy moved between items: fine
        ({"合计": (520, 90, 430), "二、材料费": (120, 10, 110)}, ["budget.total_mismatch"]),  # 财政补助 90 ≠ 100
        ({"其中：购置设备费": (190, 50, 140)}, ["budget.sum"]),  # sub-items above their item
    ],
)
def test_budget_faults(tmp_path: Path, change: dict[str, tuple[float, float, float]], rules: list[str]) -> None:
    findings, _ = run([ruled_pdf(tmp_path / "经费预算表.pdf", rows(change=change))])
    assert fired(findings) == sorted(rules), [f.message for f in findings]
    for f in findings:
        assert f.file == "经费预算表.pdf" and f.location is not None and "经费预算表" in f.message


def test_sum_message_names_both_amounts(tmp_path: Path) -> None:
    findings, block = run([ruled_pdf(tmp_path / "b.pdf", rows(change={"二、材料费": (110, 20, 90)}))])
    message = next(f.message for f in findings if f.rule == "budget.sum")
    assert "510万元" in message and "520万元" in message and block is not None and block["sum_ok"] is False


def test_total_missing(tmp_path: Path) -> None:
    findings, block = run([docx_table(tmp_path / "b.docx", rows()[:-1])])
    assert fired(findings) == ["budget.total_missing"] and block is not None and block["sum_ok"] is None


def test_total_tolerance_edges(tmp_path: Path) -> None:
    path = ruled_pdf(tmp_path / "b.pdf", rows())
    assert run([path], {**APP, "budget": {"total": 520.01, "subsidy": 100.0}})[0] == []
    assert fired(run([path], {**APP, "budget": {"total": 520.02, "subsidy": 100.0}})[0]) == ["budget.total_mismatch"]
    assert run([path], {**APP, "budget": None})[0] == []  # eligibility.missing_value reports budget.total


@pytest.mark.parametrize(("rd", "rules"), [(280, ["budget.rd_threshold"]), (300, [])])
def test_rd_row_against_the_major_minimum(tmp_path: Path, rd: float, rules: list[str]) -> None:
    path = ruled_pdf(tmp_path / "b.pdf", rows([*STANDARD, ("其中：研发投入", rd, 60, rd - 60)]))
    app = {**APP, "category": "major"}
    findings, block = run([path], app)
    assert fired(findings) == rules and block is not None and block["rd"] == rd and block["total"] == 520.0
    assert run([path], {**APP, "category": "key"})[0] == []  # no minimum for 科技攻关项目


def test_only_budget_attachments_are_read(tmp_path: Path) -> None:
    report = build_docx(tmp_path / "可行性报告.docx", body=["项目可行性报告", "设备费 180.0；合计 999.0。"])
    findings, block = run([report])
    assert findings == [] and block is None


def test_the_block_is_the_first_budget_table(tmp_path: Path) -> None:
    first = ruled_pdf(tmp_path / "经费预算表.pdf", rows())
    second = docx_table(tmp_path / "预算明细.docx", rows(change={"二、材料费": (100, 20, 80), "合计": (500, 100, 400)}))
    ctx = context([first, second])
    assert [d.role for d in ctx.documents] == [Role.BUDGET, Role.BUDGET]
    block = budget_check.block(ctx)
    assert block is not None and block["file"] == "经费预算表.pdf"
    assert fired(list(budget_check.check(ctx))) == ["budget.total_mismatch"]  # the second one's 500


# -- the sample projects -----------------------------------------------------------------------


def test_each_budget_sample_reads_and_checks_as_gold_says(gold: dict[str, Any]) -> None:
    checked = 0
    for pid, g in gold["projects"].items():
        if not ("QZ2020-0301" <= pid <= "QZ2020-0399"):
            continue
        folder = BATCH / pid
        app = load_application(folder / "application.json")
        paths = project_files(folder)
        docs = tuple(parse_upload(Upload(p.name, path=p), app) for p in paths)
        ctx = Context(load_call(app.call), app, docs, ())
        got = [f.rule for f in budget_check.check(ctx)]
        block = budget_check.block(ctx)
        for rule in g["rules"]:
            if rule.startswith("budget."):
                assert rule in got, (pid, rule, got)
        for quiet in g["rules_must_not_fire"]:
            assert quiet["rule"] not in got, (pid, quiet, got)
        if g["budget"] is None:
            assert block is None, pid
        else:
            assert block is not None and block["total"] == g["budget"]["total"], (pid, block)
            assert block["sum_ok"] == g["budget"]["sum_ok"], pid
        checked += 1
    assert checked >= 20


def test_samples_cover_every_layout(gold: dict[str, Any]) -> None:
    methods, units = set(), set()
    for pid in gold["projects"]:
        if "QZ2020-0301" <= pid <= "QZ2020-0399":
            for path in project_files(BATCH / pid):
                if "预算" in path.name or path.name == "附件2.pdf":
                    table = budget.read(parsed(path), **LEXICONS)
                    if table is not None:
                        methods.add(table.method)
                        units.add(table.unit)
    assert methods == {"docx_table", "pdf_table", "text"} and units == {"万元", "元", None}
