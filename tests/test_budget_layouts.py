"""Budget tables as applicants make them (issue 14), each layout on generated docx and ruled PDF
files: the 合计 row first (经费支出合计 / 一、经费支出 / 总计, items numbered 1. or （一）), a 经费来源
section, 直接费用 / 间接费用 / 小计 levels each checked against its items, a transposed table and
two item lists side by side, a unit stated only in a column head or in a note above or below the
table, amounts in 元 with thousands separators (1,800,000.00, full-width ，, spaces) → 万元."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document as WordDocument
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from samples.rules import STANDARD, docx_table, rows, ruled_pdf
from screening import budget
from screening.model import Role
from screening.parsers import parse_file
from tests.test_budget import APP, ITEMS_520, fired, items, run
from tests.test_budget import read as read_file

FONT, SIZE, LINE, PAD = "STSong-Light", 10.5, 14, 5

# the items of the standard table (万元) as the 2016 forms name them, numbered 1. 2. …
PLAIN = [("设备费", "180"), ("材料费", "120"), ("测试化验加工费", "40"), ("燃料动力费", "20"),
         ("差旅费/会议费/国际合作与交流费", "10"), ("出版/文献/信息传播/知识产权事务费", "10"), ("劳务费", "60"),
         ("专家咨询费", "10"), ("其他支出", "20"), ("间接费用", "50")]
CN = "一二三四五六七八九十"

# the 2021 form (国办发〔2021〕32号): 直接费用 = 设备费 + 业务费 + 劳务费, then 间接费用; (合计, 财政补助, 自筹)
FORM_2021: list[tuple[str, float, float, float]] = [
    ("一、直接费用", 470, 90, 380),
    ("1.设备费", 180, 60, 120),
    ("其中：购置设备费", 150, 50, 100),
    ("试制设备费", 30, 10, 20),
    ("2.业务费", 230, 30, 200),
    ("（1）材料费", 120, 20, 100),
    ("（2）测试化验加工费", 40, 10, 30),
    ("（3）燃料动力费", 20, 0, 20),
    ("（4）出版/文献/信息传播/知识产权事务费", 10, 0, 10),
    ("（5）会议/差旅/国际合作交流费", 10, 0, 10),
    ("（6）专家咨询费", 10, 0, 10),
    ("（7）其他支出", 20, 0, 20),
    ("3.劳务费", 60, 0, 60),
    ("二、间接费用", 50, 10, 40),
    ("其中：绩效支出", 20, 5, 15),
]
ITEMS_2021 = [("设备费", 180.0), ("业务费", 230.0), ("劳务费", 60.0), ("间接费用", 50.0)]
TOTAL = ("合计", 520, 100, 420)


# -- generated files ------------------------------------------------------------------------------


def word(path: Path, grid: Sequence[Sequence[str | None]], *, before: Sequence[str] = ("经费预算表", "单位：万元"),
         after: Sequence[str] = (), merges: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()) -> Path:
    """A .docx: paragraphs, one table (None: a cell covered by a merge, see `merges`), paragraphs."""
    doc = WordDocument()
    for text in before:
        doc.add_paragraph(text)
    table = doc.add_table(rows=len(grid), cols=max(len(r) for r in grid))
    table.style = "Table Grid"
    for (r0, c0), (r1, c1) in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text.replace("\n", "")
    for text in after:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def ruled(path: Path, grid: Sequence[Sequence[str | None]], widths: Sequence[float], *,
          above: Sequence[str] = ("经费预算表", "单位：万元"), below: Sequence[str] = (), wide: bool = False,
          rules: bool = True) -> Path:
    """A PDF table drawn with rules (or laid out the same without them, `rules=False`): None is a
    cell merged into the one on its left (no rule between); text wraps in its cell ("\n" too);
    amounts are set right, names left."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    size = landscape(A4) if wide else A4
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, invariant=1)
    left, y = 50.0, size[1] - 70
    edges = [left]
    for w in widths:
        edges.append(edges[-1] + w)
    canvas.setFont(FONT, SIZE)
    if not rules:
        canvas.line = lambda *args: None  # type: ignore[method-assign]
    for text in above:
        canvas.drawString(left, y, text)
        y -= 20
    top = y
    for row in grid:
        spans = []  # (first column, last column, text)
        for c, text in enumerate(row):
            if text is None:
                spans[-1] = (spans[-1][0], c, spans[-1][2])
            else:
                spans.append((c, c, text))
        wrapped = [(first, last, _wrap(text, edges[last + 1] - edges[first] - 2 * PAD)) for first, last, text in spans]
        height = LINE * max(len(lines) for _, _, lines in wrapped) + 8
        canvas.line(edges[0], y, edges[-1], y)
        for first, last, lines in wrapped:
            for k, text in enumerate(lines):
                base = y - PAD - SIZE - k * LINE
                if budget.parse_amount(text) is not None or text[:1].isdigit():
                    canvas.drawRightString(edges[last + 1] - PAD, base, text)
                else:
                    canvas.drawString(edges[first] + PAD, base, text)
            canvas.line(edges[first], y, edges[first], y - height)
        canvas.line(edges[-1], y, edges[-1], y - height)
        y -= height
    canvas.line(edges[0], y, edges[-1], y)
    assert y > 60 and top > y, "the table fits on its page"
    y -= 26
    for text in below:
        canvas.drawString(left, y, text)
        y -= 20
    canvas.showPage()
    canvas.save()
    path.write_bytes(buffer.getvalue())
    return path


def _wrap(text: str, width: float) -> list[str]:
    """The lines of a cell: its own line breaks, then wherever the next character would not fit."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for ch in part:
            if line and pdfmetrics.stringWidth(line + ch, FONT, SIZE) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def read(path: Path) -> budget.Table | None:
    """The table of a generated file, which is always read from its cells (docx / ruled PDF)."""
    table = read_file(path)
    assert table is None or table.method == f"{path.suffix[1:]}_table", table.method
    return table


def money(lines: Sequence[tuple[str, float, float, float]], *, head: Sequence[str] = ("预算科目", "合计", "财政补助", "自筹"),
          change: dict[str, tuple[float, float, float]] | None = None) -> list[list[str | None]]:
    out: list[list[str | None]] = [list(head)]
    for label, *amounts in lines:
        out.append([label, *(f"{v:.2f}" for v in (change or {}).get(label, tuple(amounts)))])
    return out


def make(kind: str, path: Path, grid: Sequence[Sequence[str | None]], widths: Sequence[float], *,
         above: Sequence[str] = ("经费预算表", "单位：万元"), below: Sequence[str] = (),
         merges: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()) -> Path:
    """The grid as a docx table (`merges` merged) or a ruled PDF (None cells merged to the left)."""
    if kind == "docx":
        return word(path.with_suffix(".docx"), grid, before=above, after=below, merges=merges)
    return ruled(path.with_suffix(".pdf"), grid, widths, above=above, below=below)


KINDS = ["docx", "pdf"]
W2 = (260, 100)
W4 = (230, 75, 75, 75)


# -- 1. the 合计 row first ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("total", "number"), [
    ("经费支出合计", lambda i: f"{i + 1}."), ("一、经费支出", lambda i: f"（{CN[i]}）"), ("总计", lambda i: f"{i + 1}、"),
    ("合计", lambda i: ""), ("经费支出预算合计", lambda i: f"{i + 1}."), ("支出合计", lambda i: f"（{i + 1}）"),
])
def test_the_total_as_the_first_row(tmp_path: Path, kind: str, total: str, number: Any) -> None:
    grid = [["预算科目", "金额"], [total, "520"], *([f"{number(i)}{name}", amount] for i, (name, amount) in enumerate(PLAIN))]
    path = make(kind, tmp_path / "经费预算表", grid, W2)
    table = read(path)
    assert table is not None and table.unit == "万元"
    assert items(table) == ITEMS_520 and table.total() == 520
    findings, block = run([path])
    assert findings == [], [f.message for f in findings]
    assert block is not None and block["total"] == 520.0 and block["sum_ok"] is True


@pytest.mark.parametrize("kind", KINDS)
def test_a_total_first_that_the_items_miss(tmp_path: Path, kind: str) -> None:
    grid = [["预算科目", "金额"], ["经费支出合计", "520"], *([name, "110" if name == "材料费" else amount] for name, amount in PLAIN)]
    findings, block = run([make(kind, tmp_path / "经费预算表", grid, W2)])
    assert fired(findings) == ["budget.sum"]
    assert "510万元" in findings[0].message and "合计行的520万元" in findings[0].message
    assert block is not None and block["total"] == 520.0 and block["sum_ok"] is False


def test_rows_under_a_total_first_are_the_table(tmp_path: Path) -> None:
    """Under a bottom 合计 come notes; under a top one, the items: an unknown row there is named."""
    grid = [["预算科目", "金额"], ["经费支出合计", "525"], *([name, amount] for name, amount in PLAIN), ["招待费", "5"]]
    table = read(word(tmp_path / "b.docx", grid))
    assert table is not None and table.unknown == ("招待费",)
    findings, _ = run([tmp_path / "b.docx"])
    assert fired(findings) == ["budget.sum", "budget.total_mismatch"]
    assert "未计入无法识别的行：招待费" in next(f.message for f in findings if f.rule == "budget.sum")


def test_a_heading_without_amount_is_no_total(tmp_path: Path) -> None:
    """一、经费支出 heads the items without an amount; the 合计 at the bottom is the total."""
    grid = [["预算科目", "合计", "财政补助", "自筹"], ["一、经费支出", "", "", ""], *rows()[1:]]
    table = read(word(tmp_path / "b.docx", grid))
    assert table is not None and table.total() == 520 and table.total(budget.SUBSIDY) == 100
    assert table.total_row is not None and table.total_row.label == "合计" and items(table) == ITEMS_520
    headless = read(word(tmp_path / "c.docx", grid[:-1]))
    assert headless is not None and headless.total_row is None  # a heading alone: no total to check
    findings, _ = run([tmp_path / "c.docx"])
    assert fired(findings) == ["budget.total_missing"]


def test_a_head_cell_over_the_labels_keeps_the_column_heads(tmp_path: Path) -> None:
    """经费支出 | 合计 | 财政补助 | 自筹 as the head row: 经费支出 is a total word, the row is still the head."""
    grid = [["经费支出", "合计", "财政补助", "自筹"], *rows()[1:]]
    table = read(word(tmp_path / "b.docx", grid))
    assert table is not None and table.columns == (budget.AMOUNT, budget.SUBSIDY, budget.SELF_RAISED)
    assert table.total() == 520 and table.total(budget.SELF_RAISED) == 420 and items(table) == ITEMS_520


def test_a_total_first_table_continued_on_the_next_page(tmp_path: Path) -> None:
    """The 合计 on top of page 1 is no end of the table: page 2 is read and joined to it."""
    grid = rows([STANDARD[-1], *STANDARD[:-1]])
    path = ruled_pdf(tmp_path / "经费预算表.pdf", grid, split_at=8)
    assert {1, 2} <= budget.budget_pages(parse_file(path, Role.BUDGET), "budget-items.tsv")
    ended = ruled_pdf(tmp_path / "b.pdf", rows())  # 合计 last; the note under it names 设备费 in a sentence
    assert budget.budget_pages(parse_file(ended, Role.BUDGET), "budget-items.tsv") == {1}
    table = read(path)
    assert table is not None and table.method == "pdf_table"
    assert items(table) == ITEMS_520 and table.total() == 520 and table.total(budget.SUBSIDY) == 100
    assert run([path])[0] == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_sources_section_of_the_form(tmp_path: Path, kind: str) -> None:
    """一、经费来源 (申请财政补助, 单位自筹) above 二、经费支出: the sources are no items, they give
    财政补助 / 自筹 (checked against application.json) and must add up to the total."""
    sources = [["一、经费来源", "520"], ["1.申请市财政补助", "100"], ["2.单位自筹", "420"]]
    grid = [["科目", "预算数"], *sources, ["二、经费支出", "520"], *([f"{i + 1}.{n}", a] for i, (n, a) in enumerate(PLAIN))]
    path = make(kind, tmp_path / "经费预算表", grid, W2)
    table = read(path)
    assert table is not None and items(table) == ITEMS_520 and table.total() == 520 and table.unknown == ()
    assert table.total(budget.SUBSIDY) == 100 and table.total(budget.SELF_RAISED) == 420
    findings, block = run([path])
    assert findings == [], [f.message for f in findings]
    assert block is not None and (block["subsidy"], block["self_raised"], block["sum_ok"]) == (100.0, 420.0, True)
    sources[2][1] = "410"
    wrong = make(kind, tmp_path / "错", [["科目", "预算数"], *sources, *grid[4:]], W2)
    findings, _ = run([wrong])
    assert fired(findings) == ["budget.split", "budget.split"]  # against 经费来源 520 and against 合计 520
    assert "单位自筹410万元" in findings[0].message
    assert fired(run([path], {**APP, "budget": {"total": 520.0, "subsidy": 90.0}})[0]) == ["budget.total_mismatch"]


def test_sources_under_the_total(tmp_path: Path) -> None:
    """合计 then 其中：财政补助 / 自筹 below the items; 其中：财政补助 alone is no split to check."""
    grid = [["预算科目", "金额"], *([n, a] for n, a in PLAIN), ["合计", "520"], ["其中：财政补助", "100"], ["自筹", "420"]]
    findings, block = run([word(tmp_path / "b.docx", grid)])
    assert findings == [] and block is not None and block["subsidy"] == 100.0 and block["self_raised"] == 420.0
    findings, block = run([word(tmp_path / "c.docx", grid[:-1])])
    assert findings == [] and block is not None and block["subsidy"] == 100.0 and "self_raised" not in block


# -- 2. levels: 直接费用 / 间接费用 / 小计 ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("total_first", [True, False], ids=["total-first", "total-last"])
def test_the_2021_form_with_its_levels(tmp_path: Path, kind: str, total_first: bool) -> None:
    lines = [TOTAL, *FORM_2021] if total_first else [*FORM_2021, TOTAL]
    path = make(kind, tmp_path / "经费预算表", money(lines), W4)
    table = read(path)
    assert table is not None and items(table) == ITEMS_2021
    assert table.total() == 520 and table.total(budget.SUBSIDY) == 100
    assert [(lv.row.name, lv.summed()) for lv in table.levels()] == [("直接费用", 470), ("合计", 520)]
    assert [r.name for r in table.levels()[1].parts] == ["直接费用", "间接费用"]
    findings, block = run([path])
    assert findings == [], [f.message for f in findings]
    assert block is not None and block["sum_ok"] is True and [i["name"] for i in block["items"]] == [n for n, _ in ITEMS_2021]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("change", "levels"),
    [
        ({"3.劳务费": (50, 0, 50)}, ["直接费用"]),  # the direct items 460 ≠ 直接费用 470; 470 + 50 = 合计
        ({"一、直接费用": (480, 90, 390)}, ["直接费用", "合计"]),  # 470 ≠ 480, and 480 + 50 ≠ 520
        ({"二、间接费用": (60, 10, 50)}, ["合计"]),  # 470 + 60 ≠ 520
        ({"合计": (530, 100, 430)}, ["合计"]),  # 470 + 50 ≠ 530
    ],
)
def test_each_level_that_disagrees_is_named(tmp_path: Path, kind: str, change: dict[str, tuple[float, float, float]],
                                            levels: list[str]) -> None:
    path = make(kind, tmp_path / "经费预算表", money([*FORM_2021, TOTAL], change=change), W4)
    app = {**APP, "budget": {"total": change.get("合计", TOTAL[1:])[0], "subsidy": 100.0}}
    findings, block = run([path], app)
    sums = [f for f in findings if f.rule == "budget.sum"]
    assert len(sums) == len(levels) and {f.rule for f in findings} <= {"budget.sum", "budget.split"}
    for finding, level in zip(sums, levels, strict=True):
        if level == "直接费用":
            assert "“一、直接费用”所含各科目之和为" in finding.message and "与该行的" in finding.message
        else:
            assert "“直接费用”与“间接费用”之和为" in finding.message and "与合计行的" in finding.message
    assert block is not None and block["sum_ok"] is False


def test_a_subtotal_under_its_items(tmp_path: Path) -> None:
    """小计 below the direct items, then 间接费用 and 合计: 小计 holds the items above it."""
    direct = [(n, float(a), 0.0, float(a)) for n, a in PLAIN[:-1]]
    lines = [*direct, ("小计", 470, 0, 470), ("间接费用", 50, 0, 50), ("合计", 520, 0, 520)]
    table = read(word(tmp_path / "b.docx", money(lines)))
    assert table is not None and items(table) == ITEMS_520
    assert [(lv.row.label, lv.summed()) for lv in table.levels()] == [("小计", 470), ("合计", 520)]
    assert run([tmp_path / "b.docx"], {**APP, "budget": {"total": 520.0}})[0] == []
    lines[-3] = ("小计", 460, 0, 460)
    findings, _ = run([word(tmp_path / "c.docx", money(lines))], {**APP, "budget": {"total": 520.0}})
    assert fired(findings) == ["budget.sum", "budget.sum"]  # 小计 and 合计 (the 自筹 column is off with them: no split)
    assert "“小计”所含各科目之和为470万元，与该行的460万元不符" in findings[0].message


def test_a_level_of_the_subsidy_column(tmp_path: Path) -> None:
    """The 财政补助 of the direct items against the 直接费用 row's: budget.split names the level."""
    grid = money([*FORM_2021, TOTAL], change={"3.劳务费": (60, 10, 50)})
    findings, _ = run([word(tmp_path / "c.docx", grid)])
    assert fired(findings) == ["budget.split", "budget.split"]  # 财政补助 100 ≠ 90 and 自筹 370 ≠ 380
    assert "“财政补助”栏“一、直接费用”所含各科目之和为100万元，与该行的90万元不符" in findings[0].message


def test_a_category_column_merged_over_its_items(tmp_path: Path) -> None:
    """类别 | 科目 | 金额: 直接费用 merged down over its items, 间接费用 and 合计 merged across two columns."""
    grid: list[list[str | None]] = [["类别", "科目", "金额"]]
    for i, (name, amount) in enumerate(PLAIN[:-1]):
        grid.append(["直接费用" if i == 0 else None, name, amount])
    grid += [["间接费用", None, "50"], ["合计", None, "520"]]
    merges = [((1, 0), (9, 0)), ((10, 0), (10, 1)), ((11, 0), (11, 1))]
    table = read(word(tmp_path / "b.docx", grid, merges=merges))
    assert table is not None and items(table) == ITEMS_520 and table.total() == 520
    assert run([tmp_path / "b.docx"])[0] == []
    pdf = ruled(tmp_path / "b.pdf", [["类别", "科目", "金额"], *([n if n else "" for n in r] for r in grid[1:-2]),
                                     ["间接费用", None, "50"], ["合计", None, "520"]], (80, 220, 80))
    table = read(pdf)
    assert table is not None and table.method == "pdf_table" and items(table) == ITEMS_520 and table.total() == 520


# -- 3. a transposed table, two item lists side by side ------------------------------------------------


def test_a_transposed_table(tmp_path: Path) -> None:
    """Items as columns, the amounts in a row (or three: 合计, 财政补助, 自筹)."""
    names = [n for n, _ in PLAIN]
    grid = [["科目", *names, "合计"], ["金额", *(a for _, a in PLAIN), "520"]]
    table = read(word(tmp_path / "b.docx", grid))
    assert table is not None and items(table) == ITEMS_520 and table.total() == 520
    assert run([tmp_path / "b.docx"])[0] == []
    split = [("财政补助", {"设备费": "60", "材料费": "20", "测试化验加工费": "10", "间接费用": "10"}, "100")]
    grid3 = [["预算科目", *names, "合计"], ["合计", *(a for _, a in PLAIN), "520"]]
    for head, parts, total in split:
        grid3.append([head, *(parts.get(n, "0") for n in names), total])
    grid3.append(["自筹", *(str(int(a) - int(parts.get(n, "0"))) for n, a in PLAIN), "420"])
    table = read(word(tmp_path / "c.docx", grid3))
    assert table is not None and table.columns == (budget.AMOUNT, budget.SUBSIDY, budget.SELF_RAISED)
    assert items(table) == ITEMS_520 and table.total(budget.SUBSIDY) == 100 and table.total(budget.SELF_RAISED) == 420
    assert run([tmp_path / "c.docx"])[0] == []


def test_a_transposed_ruled_pdf(tmp_path: Path) -> None:
    names = [n for n, _ in PLAIN]
    grid = [["科目", *names, "合计"], ["金额（万元）", *(a for _, a in PLAIN), "520"]]
    path = ruled(tmp_path / "经费预算表.pdf", grid, (62, *([63] * 11)), above=("经费预算表",), wide=True)
    table = read(path)
    assert table is not None and table.method == "pdf_table" and table.unit == "万元"
    assert items(table) == ITEMS_520 and table.total() == 520
    assert run([path])[0] == []


def test_a_transposed_table_under_level_heads(tmp_path: Path) -> None:
    """直接费用 merged over the direct items' heads, 间接费用 and 合计 merged down two head rows."""
    names = [n for n, _ in PLAIN[:-1]]
    grid: list[list[str | None]] = [
        ["科目", "直接费用", *([None] * (len(names) - 1)), "间接费用", "合计"],
        [None, *names, None, None],
        ["金额", *(a for _, a in PLAIN), "520"],
    ]
    merges = [((0, 1), (0, len(names))), ((0, len(names) + 1), (1, len(names) + 1)), ((0, len(names) + 2), (1, len(names) + 2)),
              ((0, 0), (1, 0))]
    table = read(word(tmp_path / "b.docx", grid, merges=merges))
    assert table is not None and items(table) == ITEMS_520 and table.total() == 520


@pytest.mark.parametrize("kind", KINDS)
def test_two_item_lists_side_by_side(tmp_path: Path, kind: str) -> None:
    """科目 | 金额 | 科目 | 金额, the 合计 merged across the table at the bottom."""
    grid: list[list[str | None]] = [["科目", "金额", "科目", "金额"]]
    for i in range(5):
        grid.append([PLAIN[i][0], PLAIN[i][1], PLAIN[i + 5][0], PLAIN[i + 5][1]])
    grid.append(["合计", None, None, "520"])
    path = make(kind, tmp_path / "经费预算表", grid, (140, 70, 140, 70), merges=[((6, 0), (6, 2))])
    table = read(path)
    assert table is not None and items(table) == ITEMS_520 and table.total() == 520
    findings, block = run([path])
    assert findings == [] and block is not None and block["sum_ok"] is True


@pytest.mark.parametrize("kind", KINDS)
def test_numbered_lists_side_by_side_with_the_total_in_one(tmp_path: Path, kind: str) -> None:
    """序号 | 科目 | 金额 | 序号 | 科目 | 金额: six items left, four and the 合计 right."""
    grid: list[list[str | None]] = [["序号", "预算科目", "金额", "序号", "预算科目", "金额"]]
    for i in range(6):
        right = [str(i + 7), PLAIN[i + 6][0], PLAIN[i + 6][1]] if i < 4 else (["", "合计", "520"] if i == 5 else ["", "", ""])
        grid.append([str(i + 1), PLAIN[i][0], PLAIN[i][1], *right])
    path = make(kind, tmp_path / "经费预算表", grid, (32, 130, 60, 32, 130, 60))
    table = read(path)
    assert table is not None and items(table) == ITEMS_520 and table.total() == 520
    assert run([path])[0] == []


def test_a_total_first_merged_across_lists(tmp_path: Path) -> None:
    """The 合计 merged across the top of two lists is read first, the lists after it."""
    grid: list[list[str | None]] = [["科目", "金额", "科目", "金额"], ["经费支出合计", None, None, "520"]]
    for i in range(5):
        grid.append([PLAIN[i][0], PLAIN[i][1], PLAIN[i + 5][0], PLAIN[i + 5][1]])
    table = read(word(tmp_path / "b.docx", grid, merges=[((1, 0), (1, 2))]))
    assert table is not None and table.rows[0].kind is budget.Kind.TOTAL and items(table) == ITEMS_520
    assert run([tmp_path / "b.docx"])[0] == []


@pytest.mark.parametrize("kind", KINDS)
def test_sources_beside_expenses(tmp_path: Path, kind: str) -> None:
    """经费来源 | 金额 | 经费支出 | 金额: the left list's 合计 is the sources' total, the right one's the table's."""
    grid: list[list[str | None]] = [["经费来源", "金额（万元）", "经费支出", "金额（万元）"]]
    left = [["1.申请市财政补助", "100"], ["2.单位自筹", "420"], ["3.其他", "0"]]
    for i, (name, amount) in enumerate(PLAIN):
        grid.append([*(left[i] if i < len(left) else ["", ""]), f"{i + 1}.{name}", amount])
    grid.append(["合计", "520", "合计", "520"])
    path = make(kind, tmp_path / "经费预算表", grid, (130, 70, 190, 70), above=("项目经费预算表",))
    table = read(path)
    assert table is not None and table.unit == "万元" and items(table) == ITEMS_520
    assert table.total_row is not None and table.total_row.location == table.rows[-1].location
    assert table.total() == 520 and table.total(budget.SUBSIDY) == 100 and table.total(budget.SELF_RAISED) == 420
    assert [r.name for r in table.of(budget.Kind.SOURCE)] == ["amount", "subsidy", "self_raised", "other", "amount"]
    findings, block = run([path])
    assert findings == [] and block is not None and block["sum_ok"] is True
    grid[-1][1] = "510"
    findings, _ = run([make(kind, tmp_path / "错", grid, (130, 70, 190, 70), above=("项目经费预算表",))])
    assert fired(findings) == ["budget.split"] and "与经费来源合计的510万元不符" in findings[0].message


# -- 4. the unit in a column head or a note ------------------------------------------------------------


YUAN_ROWS = [[n, f"{int(a) * 10000:,}.00"] for n, a in PLAIN] + [["合计", "5,200,000.00"]]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("head", "unit", "scale"), [("金额（万元）", "万元", 1), ("预算数（元）", "元", 10000),
                                                     ("预算金额(单位:元)", "元", 10000), ("金额（万）", "万元", 1)])
def test_the_unit_only_in_a_column_head(tmp_path: Path, kind: str, head: str, unit: str, scale: int) -> None:
    grid = [["预算科目", head], *([n, f"{int(a) * scale:,}.00"] for n, a in PLAIN), ["合计", f"{520 * scale:,}.00"]]
    path = make(kind, tmp_path / "经费预算表", grid, W2, above=("经费预算表",))
    table = read(path)
    assert table is not None and table.unit == unit and items(table) == ITEMS_520 and table.total() == 520
    assert run([path])[0] == []


def test_the_unit_in_a_head_of_two_rows(tmp_path: Path) -> None:
    grid = [["预算科目", "金额"], ["", "元"], *YUAN_ROWS]
    table = read(word(tmp_path / "b.docx", grid, before=("经费预算表",)))
    assert table is not None and table.unit == "元" and table.total() == 520


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("where", "note"), [("below", "注：表中金额单位为元。"), ("below", "金额单位：元"),
                                             ("above", "（单位：人民币元）"), ("above", "单 位：元"), ("below", "以元为单位")])
def test_the_unit_only_in_a_note(tmp_path: Path, kind: str, where: str, note: str) -> None:
    grid = [["预算科目", "金额"], *YUAN_ROWS]
    above = ("经费预算表", note) if where == "above" else ("经费预算表",)
    below = (note, "预算说明：各科目按实际需要测算。") if where == "below" else ()
    path = make(kind, tmp_path / "经费预算表", grid, W2, above=above, below=below)
    table = read(path)
    assert table is not None and table.unit == "元" and items(table) == ITEMS_520 and table.total() == 520
    assert run([path])[0] == []


def test_the_note_nearest_the_table_names_its_unit(tmp_path: Path) -> None:
    """A 万元 statement of the project's investment above, 单位：元 just over the budget table."""
    before = ("一、项目总投资情况（单位：万元）", "项目总投资1200，其中研发投入800。", "二、经费预算表", "单位：元")
    table = read(word(tmp_path / "b.docx", [["预算科目", "金额"], *YUAN_ROWS], before=before))
    assert table is not None and table.unit == "元" and table.total() == 520
    after = ("注：金额单位为元。", "三、其他说明（单位：万元）")
    table = read(word(tmp_path / "c.docx", [["预算科目", "金额"], *YUAN_ROWS], before=("经费预算表",), after=after))
    assert table is not None and table.unit == "元" and table.total() == 520


# -- 5. amounts in 元 with thousands separators ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("separator", [",", "，", " "], ids=["comma", "full-width-comma", "space"])
def test_amounts_in_yuan_with_separators(tmp_path: Path, kind: str, separator: str) -> None:
    grid = money(STANDARD)
    for row in grid[1:]:
        row[1:] = [f"{float(v or 0) * 10000:,.2f}".replace(",", separator) for v in row[1:]]
    path = make(kind, tmp_path / "经费预算表", grid, W4, above=("经费预算表", "金额单位：元"))
    table = read(path)
    assert table is not None and table.unit == "元" and table.method.endswith("_table")
    assert items(table) == ITEMS_520 and table.total() == 520 and table.total(budget.SUBSIDY) == 100
    findings, block = run([path])
    assert findings == [] and block is not None and block["total"] == 520.0 and block["self_raised"] == 420.0


def test_short_integer_amounts_stay_in_their_cells(tmp_path: Path) -> None:
    """"40", "20", "10", "10" down a column: the parser's column part (those cells read top to bottom)
    is no cell of the table."""
    grid = [["预算科目", "金额"], *([n, a] for n, a in PLAIN), ["合计", "520"]]
    table = read(docx_table(tmp_path / "b.docx", grid))
    assert table is not None and items(table) == ITEMS_520 and table.total() == 520 == table.item_sum()


def test_a_number_wrapped_in_a_narrow_cell(tmp_path: Path) -> None:
    grid = [["科目", "金额"], *([n, f"{int(a) * 10000:,}.00"] for n, a in PLAIN), ["合计", "5,200,00\n0.00"]]
    table = read(ruled(tmp_path / "b.pdf", grid, (260, 100), above=("经费预算表", "单位：元")))
    assert table is not None and table.total() == 520 == table.item_sum()


def test_amounts_read_as_decimals(tmp_path: Path) -> None:
    table = read(word(tmp_path / "b.docx", [["预算科目", "金额（元）"], ["设备费", "1,234,567.89"], ["劳务费", "1,000.11"],
                                            ["合计", "1,235,568.00"]]))
    assert table is not None and table.total() == Decimal("123.5568") == table.item_sum()
