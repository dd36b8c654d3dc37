"""Budget tables that are pictures (screening/budget_scan.py, issue 14): a photographed or scanned
table rebuilt from its OCR paragraphs reads every item right (names cut or wrapped, amounts in
paragraphs of their own, thousands split, empty cells, a turned picture); a digit OCR misread is
read otherwise when the table's own sums say so; a disagreement that stays is budget.sum at the
call's ocr_sum_severity (warn), never a fail, with both amounts in the message.

Most tests feed recorded OCR output: the paragraphs rapidocr gave for tables rendered with PIL and
wqy-zenhei (a ruled table, turned ±0.5–1.5°, speckled, blurred, saved as JPEG/PNG), so they are
fast and do not depend on the engine's version. Three tests (marked slow) render and OCR pictures
themselves: a JPEG photo, a scanned PDF, a planted real sum error.
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pydantic import ValidationError

from samples.rules import rows
from screening import budget, budget_scan
from screening.application import Application
from screening.calls import load_call
from screening.checks import budget as budget_check
from screening.checks.context import Context
from screening.engine import Upload, parse_upload
from screening.formats import Format
from screening.model import Document, Finding, Part, PartKind, Role, Severity, Verdict

LEXICONS = {"items": "budget-items.tsv", "columns": "budget-columns.tsv"}
SPLIT3 = (budget.AMOUNT, budget.SUBSIDY, budget.SELF_RAISED)  # 合计 | 财政补助 | 自筹
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
APP: dict[str, Any] = {
    "project_id": "T-S", "title": "测试", "category": "key",
    "applicant": {"name": "衢州测试科技有限公司"}, "team": [],
    "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0},
}
ITEMS_520 = [("设备费", 180.0), ("材料费", 120.0), ("测试化验加工费", 40.0), ("燃料动力费", 20.0),
             ("差旅费/会议费/国际合作与交流费", 10.0), ("出版/文献/信息传播/知识产权事务费", 10.0), ("劳务费", 60.0),
             ("专家咨询费", 10.0), ("其他支出", 20.0), ("间接费用", 50.0)]

# -- recorded OCR paragraphs: (box, confidence, text) -------------------------------------------------
# The standard table of samples/rules.py (520 = 180 + 120 + … ; 财政补助 100, 自筹 420), rendered by
# `picture` below and read by rapidocr: PHOTO 万元, label column 420 px, 0.6°; ONE_COLUMN a single
# 金额 (万元) column, 1.0°; YUAN_SPLIT the amounts in 元 with thousands separators, 0.4° (the detector
# split them: "300 000.00 100," … "000.00"); BLANK_CELLS the zero 财政补助 cells left empty, −0.5°;
# SIDE_BY_SIDE small print turned −1.5°: names and amounts came out as two tall paragraphs;
# SCANNED_YUAN the 元 table in 170 px columns, −0.6°, saved as a PDF (a scanned page, kind BODY):
# cells run together ("600,000.001,200,000.00"), "$" for 5, ".00" apart, "1" of 1,000,000.00 cut off;
# SUBTOTAL a 一、直接费用 row heading the items (（1）… （11）) and 二、间接费用, 0.7°: "（7）差" | "差旅费/…"
# (both boxes read 差), "20" | "0.00" (20.00 read by two overlapping boxes).

PHOTO = [
    ((75.9, 71.2, 264.4, 114.4), 1.0, '经费预算表'),
    ((605.6, 133.1, 1005.9, 233.4), 0.9996, '单位：万元\n合计 财政补助 自筹'),
    ((90.9, 201.6, 1005.9, 463.1), 0.9986, '预算科目\n一、设备费 180.00 60.00 120.00\n其中：购置设备费 150.00 50.00 100.00\n试制设备费\n二、'),
    ((588.7, 363.7, 1007.8, 402.2), 0.9995, '30.00 10.00 20.00'),
    ((95.6, 420.9, 1013.4, 1050.9), 0.9975, '材料费 120.00 20.00 100.00\n三、 测试化验加工费 40.00 10.00 30.00\n四、燃料动力费 20.00 0.00 20.00\n五、差旅费/会议费/国际合作 10.00 0.00 10.00\n与交流费\n六、出版/文献/信息传播/知识 10.00 0.00 10.00\n产权事务费\n七、劳务费\n八、专家咨询费 10.00 0.00 10.00\n九、其他支出 20.00 0.00 20.00\n十、间接费用 50.00 10.00 40.00\n合计'),
    ((595.3, 777.2, 1011.6, 813.7), 0.9996, '60.00 0.00 60.00'),
    ((580.3, 1004.1, 1012.5, 1042.5), 0.9997, '520.00 100.00 420.00'),
    ((91.9, 1095.9, 516.6, 1132.5), 0.9987, '预算说明：设备费用于购置中试装置。'),
]
ONE_COLUMN = [
    ((78.9, 71.4, 264.8, 115.5), 1.0, '经费预算表'),
    ((93.0, 142.7, 638.6, 468.6), 0.998, '预算科目 金额 (万元)\n一、设备费 180.00\n其中：购置设备费 150.00\n试制设备费 30.00\n二、 材料费 120.00\n三、'),
    ((98.6, 430.1, 648.0, 940.0), 0.9929, '测试化验加工费 40.00\n四、燃料动力费 20.00\n五、差旅费/会议费/国际合作 10.00\n与交流费\n六、出版/文献/信息传播/知识 10.00\n产权事务费\n七、劳务费 60.00\n八、专家咨询费 10.00\n九、其他支出 20.00\n十、1'),
    ((106.1, 899.6, 648.9, 1002.9), 0.9998, '间接费用 50.00\n合计 520.00'),
    ((96.7, 1043.3, 525.9, 1082.7), 0.9996, '预算说明：设备费用于购置中试装置。'),
]
YUAN_SPLIT = [
    ((78.3, 71.7, 261.4, 110.4), 1.0, '经费预算表'),
    ((618.2, 131.2, 1113.6, 230.3), 0.9998, '单位：元\n合计 财政补助 自筹'),
    ((90.6, 200.1, 1113.6, 446.4), 0.9885, '预算科目\n一、设备费 1,800,000.00 600,000.00 1,200,000.00\n其中：购置设备费 1,500,000.00 500,000.00 1,000,000.00\n试制设备费\n二、 材料费 1,200,000.00 200,000.00 1,000,000.00'),
    ((806.0, 354.9, 1113.6, 384.1), 0.9911, '000.00 200,000.00'),
    ((542.7, 359.6, 819.2, 386.9), 0.9806, '300 000.00 100,'),
    ((1025.9, 465.3, 1113.6, 491.7), 0.9797, '000.00'),
    ((95.3, 466.2, 1038.1, 499.2), 0.9863, '三、 测试化验加工费 400,000.00 100,000.00 300,'),
    ((96.3, 516.2, 1115.5, 553.0), 0.998, '四、 燃料动力费 200,000.00 0.00 200,000.00'),
    ((92.5, 573.8, 1116.5, 945.6), 0.9906, '五、差旅费/会议费/国际合作 100,000.00 0.00 100,000.00\n与交流费\n六、出版/文献/信息传播/知识 100,000.00 0.00 100,000.00\n产权事务费\n七、劳务费 600,000.00 0.00 600,000.00\n八、专家咨询费 100,000.00 0.00 100,000.00\n九、其他支出 200,000.00 0.00 200,0\n十、间接费用 500,000.00 100,000.00 400,'),
    ((1029.6, 852.2, 1115.5, 882.4), 0.9967, '000.00'),
    ((94.4, 907.9, 1118.3, 1003.2), 0.9828, ',000.00\n合计 5,200,000.00 1,000,000.00 4,200,000.00'),
    ((85.9, 1046.6, 479.4, 1079.7), 0.9989, '预算说明：设备费用于购置中试装置。'),
]
BLANK_CELLS = [
    ((86.1, 62.7, 272.4, 106.7), 1.0, '经费预算表'),
    ((591.5, 135.7, 993.0, 236.8), 0.9998, '单位：万元\n合计 财政补助 自筹'),
    ((96.4, 192.8, 989.3, 460.5), 0.9983, '预算科目\n一、设备费 180.00 60.00 120.00\n其中：购置设备费 150.00 50.00 100.00\n试制设备费 30.00 10.00 20.00\n二、 材料费 120.00 20.00 100.00'),
    ((99.2, 480.1, 988.3, 518.5), 0.9915, '三、 测试化验加工费 40.00 10.00 30.00'),
    ((91.7, 534.4, 988.3, 927.5), 0.9967, '四、燃料动力费 20.00 20.00\n五、差旅费/会议费/国际合作 10.00 10.00\n与交流费\n六、出版/文献/信息传播/知识 10.00 10.00\n产权事务费\n七、劳务费 60.00 60.00\n八、 专家咨询费 10.00 10.00\n九、'),
    ((94.5, 888.2, 985.5, 979.9), 0.9831, '其他支出 20.00 20.00\n十、1'),
    ((91.7, 949.0, 984.6, 1045.4), 0.9998, '间接费用 50.00 10.00 40.00\n合计 520.00 100.00 420.00'),
    ((79.6, 1091.3, 506.3, 1125.9), 0.9987, '预算说明：设备费用于购置中试装置。'),
]
SIDE_BY_SIDE = [
    ((101.1, 63.6, 245.9, 102.0), 0.9999, '经费预算表'),
    ((609.4, 133.4, 1027.9, 526.6), 0.9987, '单位：万元\n合计 财政补助 自筹\n180.00 60.00 120.00\n150.00 50.00 100.00\n30.00 10.00 20.00\n120.00 20.00 100.00\n40.00 10.00 30.00\n20.00 0.00 20.00\n10.00 0.00 10.00'),
    ((95.0, 159.6, 1016.6, 693.1), 0.9896, '预算科目\n一、设备费\n其中：购置设备费\n试制设备费\n二、 材料费\n三、 测试化验加工费\n四、燃料动力费\n五、差旅费/会议费/国际合作\n与交流费\n六、出版/文献/信息传播/知识 10.00 0.00 10.00\n产权事务费\n七、劳务费\n八、'),
    ((596.4, 634.7, 1015.7, 854.4), 0.9985, '60.00 0.00 60.00\n10.00 0.00 10.00\n20.00 0.00 20.00\n50.00 10.00 40.00\n520.00 100.00 420.00'),
    ((90.7, 666.1, 238.9, 834.4), 0.9986, '专家咨询费\n九、其他支出\n十、间接费用\n合计'),
    ((82.0, 877.1, 411.5, 912.0), 0.9975, '预算说明：设备费用于购置中试装置。'),
]

SCANNED_YUAN = [
    ((42.3, 30.1, 131.9, 51.3), 1.0, '经费预算表'),
    ((294.8, 65.7, 486.9, 113.9), 0.9995, '单位：元\n合计 财政补助 自筹'),
    ((46.4, 92.7, 485.1, 217.8), 0.9479, '预算科目\n一、设备费 1,800,000.00 600,000.001,200,000.00\n其中：购置设备费 1,500,000.00 500,000.001,000,000.00\n试制设备费 300,000.00 100,\n二、'),
    ((68.0, 180.0, 484.7, 219.6), 0.9771, '000.00 200,000.00\n材料费 1,200,000.00 200,'),
    ((47.2, 207.9, 484.2, 248.4), 0.9734, '000.00 ,000,000.00\n三、 测试化验加工费 400,000.00 100,000.00 300,000.00'),
    ((44.1, 256.5, 484.7, 442.8), 0.9893, '四、燃料动力费 200,000.00 0.00 200,000.00\n五、差旅费/会议费/国际合作 100,000.00 0.00 100,000.00\n与交流费\n六、出版/文献/信息传播/知识 100,000.00 0.00 100,000.00\n产权事务费\n七、劳务费 600,000.00 0.00 600,000.00\n八、 专家咨询费 100,000.00 0.00 100,000.00\n九、'),
    ((43.6, 427.5, 482.4, 472.5), 0.9895, '其他支出 200,000.00 0.00 200,000.00\n十、间接费用 500,000.00 100,000.'),
    ((43.2, 460.4, 482.0, 501.7), 0.9452, '.00 400,000.00\n合计 $,200,000.00 1,000,000.00 4,200,000.00'),
    ((38.3, 523.3, 243.0, 540.0), 0.9984, '预算说明：设备费用于购置中试装置。'),
]
SUBTOTAL = [
    ((76.7, 73.8, 262.6, 114.1), 1.0, '经费预算表'),
    ((826.2, 126.9, 962.9, 166.2), 0.9994, '单位：万元'),
    ((89.5, 185.9, 1009.2, 573.4), 0.9889, '预算科目 合计 财政补助 自筹\n一、直接费用 470.00 90.00 380.00\n(1）设备费 180.00 60.00 120.00\n其中：购置设备费 150.00 50.00 100.00\n试制设备费 30.00 10.00 20\n（4）材料费 120.00 20.00 100.00\n(5) 测试化验加工费 40.00 10.00 30.00'),
    ((957.0, 420.0, 1007.2, 449.5), 0.9654, '0.00'),
    ((113.1, 589.2, 1011.1, 632.5), 0.9768, '(6) 燃料动力费 20.00 0.00 20.00'),
    ((162.3, 647.2, 1011.1, 685.6), 0.9975, '差旅费/会议费/国际合作 10.00 0.00 10.00'),
    ((98.4, 659.0, 1016.1, 1107.5), 0.9839, '（7）差\n与交流费\n（8）出版/文献/信息传播/知识 10.00 0.00 10.00\n产权事务费\n（9）劳务费 60.00 0.00 60.00\n（10）专家咨询费 10.00 0.00 10.00\n(11）其他支出 20.00 0.00 20.00\n二、 间接费用 50.00 10.00 40.00\n合计 520.00 100.00 420.00'),
    ((93.4, 1150.8, 516.4, 1186.2), 0.9925, '预算说明：设备费用于购置中试装置。'),
]

def ocr_document(paragraphs: list[tuple[tuple[float, float, float, float], float, str]], *,
                 file: str = "经费预算表.jpg", change: tuple[str, str] | None = None,
                 confidence: float | None = None) -> Document:
    """A picture attachment as OCR leaves it: one IMAGE part per recorded paragraph; `change`
    replaces a text in the one paragraph holding it (a digit OCR misread), `confidence` then sets
    that paragraph's score."""
    parts = []
    changed = 0
    for number, (box, score, text) in enumerate(paragraphs, 1):
        if change is not None and change[0] in text:
            text, changed = text.replace(change[0], change[1], 1), changed + 1
            score = confidence if confidence is not None else score
        parts.append(Part(PartKind.IMAGE, text, page=1, paragraph=number, origin="ocr", source="page 1",
                          box=box, confidence=score))
    assert change is None or changed == 1, change
    return Document(file=file, format=Format.IMAGE, sha256="0" * 64, pages=1, parts=tuple(parts),
                    role=Role.BUDGET, ocr=True)


def read(doc: Document) -> budget.Table:
    table = budget.read(doc, **LEXICONS)
    assert table is not None
    return table


def items(table: budget.Table) -> list[tuple[str, float]]:
    return [(r.name, float(r.amounts[budget.AMOUNT])) for r in table.items]


def checked(doc: Document, app: dict[str, Any] | None = None, *, call: Any = None) -> tuple[list[Finding], dict[str, Any] | None]:
    ctx = Context(call or load_call("quzhou-2020"), Application.model_validate(app or APP), (doc,), ())
    return list(budget_check.check(ctx)), budget_check.block(ctx)


# -- reading ---------------------------------------------------------------------------------------


def test_a_photographed_table_reads_every_item_in_its_row() -> None:
    """The paragraphs of issue 14: "二、" cut from its name, 试制设备费 / 劳务费 / 合计 with their
    amounts in paragraphs of their own, two names wrapped in their cells."""
    table = read(ocr_document(PHOTO))
    assert table.method == budget_scan.METHOD and table.unit == "万元" and table.note == ""
    assert items(table) == ITEMS_520
    assert table.total() == 520 == table.item_sum()
    assert table.total(budget.SUBSIDY) == 100 and table.total(budget.SELF_RAISED) == 420
    assert [(r.name, r.parent, r.amounts[budget.AMOUNT]) for r in table.of(budget.Kind.SUB)] == [
        ("购置设备费", "设备费", Decimal("150.00")), ("试制设备费", "设备费", Decimal("30.00"))]
    assert all(r.location.origin == "ocr" and r.location.part is PartKind.IMAGE for r in table.rows)
    findings, block = checked(ocr_document(PHOTO))
    assert findings == []
    assert block is not None and block["method"] == "ocr_table" and block["total"] == 520.0 and block["sum_ok"] is True


@pytest.mark.parametrize(
    ("paragraphs", "unit", "columns", "note"),
    [
        (ONE_COLUMN, "万元", (budget.AMOUNT,), ""),  # unit in the head "金额 (万元)"; "十、1" | "间接费用"
        (YUAN_SPLIT, "元", SPLIT3, ""),  # "300 000.00 100," + "000.00 200,000.00", "200,0" + "000.00"
        (BLANK_CELLS, "万元", SPLIT3, budget_scan.INFERRED),
        (SIDE_BY_SIDE, "万元", SPLIT3, ""),
    ],
    ids=["one-column", "yuan-split", "blank-cells", "side-by-side-turned"],
)
def test_every_recorded_layout_reads_the_same_budget(paragraphs: Any, unit: str, columns: tuple[str, ...], note: str) -> None:
    table = read(ocr_document(paragraphs))
    assert (table.method, table.unit, table.columns, table.note) == (budget_scan.METHOD, unit, columns, note)
    assert items(table) == ITEMS_520
    assert table.total() == 520 == table.item_sum()
    if budget.SUBSIDY in columns:
        assert table.total(budget.SUBSIDY) == 100 == table.item_sum(budget.SUBSIDY)
        assert table.total(budget.SELF_RAISED) == 420 == table.item_sum(budget.SELF_RAISED)


def test_a_subtotal_heading_the_items_is_a_level_of_its_own() -> None:
    table = read(ocr_document(SUBTOTAL))
    assert [(r.kind, r.name) for r in table.rows[:2]] == [(budget.Kind.SUBTOTAL, "直接费用"), (budget.Kind.ITEM, "设备费")]
    assert items(table) == ITEMS_520 and table.note == ""
    assert [(level.row.name, len(level.parts), level.summed()) for level in table.levels()] == [
        ("直接费用", 9, Decimal("470.00")), ("合计", 2, Decimal("520.00"))]
    assert checked(ocr_document(SUBTOTAL))[0] == []


def test_a_misread_subtotal_is_mended_by_both_its_levels() -> None:
    """直接费用 470 read 410 (7/1): its items and 直接费用 + 间接费用 = 合计 both say 470."""
    table = read(ocr_document(SUBTOTAL, change=("470.00 90.00", "410.00 90.00")))
    assert table.rows[0].amounts[budget.AMOUNT] == 470
    assert table.note == "第2行“一、直接费用”合计栏按识别备选读作470.00（原识别为410.00），表内加总相符"


def test_empty_cells_are_placed_by_the_column_sums() -> None:
    rows_ = {r.name: r.amounts for r in read(ocr_document(BLANK_CELLS)).items}
    assert rows_["燃料动力费"] == {budget.AMOUNT: Decimal("20.00"), budget.SELF_RAISED: Decimal("20.00")}
    assert rows_["材料费"] == {budget.AMOUNT: Decimal("120.00"), budget.SUBSIDY: Decimal("20.00"),
                            budget.SELF_RAISED: Decimal("100.00")}


def test_a_scanned_pdf_in_yuan_with_ocr_artefacts() -> None:
    doc = ocr_document(SCANNED_YUAN, file="经费预算表.pdf")
    doc = replace(doc, format=Format.PDF, parts=tuple(replace(p, kind=PartKind.BODY) for p in doc.parts), tables=())
    table = read(doc)
    assert (table.method, table.unit, table.columns) == (budget_scan.METHOD, "元", SPLIT3)
    assert items(table) == ITEMS_520 and table.total() == 520 and table.total(budget.SELF_RAISED) == 420
    assert table.note == "第5行“二、材料费”自筹栏按识别备选读作1,000,000.00（原识别为,000,000.00），表内加总相符"
    assert checked(doc)[0] == []


def test_a_scanned_pdf_page_is_read_like_a_picture() -> None:
    doc = ocr_document(PHOTO, file="经费预算表.pdf")
    parts = tuple(replace(p, kind=PartKind.BODY) for p in doc.parts)
    table = read(replace(doc, format=Format.PDF, parts=parts, tables=()))
    assert table.method == budget_scan.METHOD and items(table) == ITEMS_520


def test_without_ocr_boxes_the_text_reading_stays() -> None:
    """Parts with no box cannot be placed: the reader steps aside (None), the text lines are read."""
    doc = ocr_document(ONE_COLUMN)
    boxless = replace(doc, parts=tuple(replace(p, box=None) for p in doc.parts))
    assert budget_scan.read(boxless, **LEXICONS) is None
    table = budget.read(boxless, **LEXICONS)
    assert table is not None and table.method == "text"
    assert budget_scan.by_ocr(boxless, table)  # its rows stand on OCR paragraphs all the same


# -- arithmetic as a self-check ---------------------------------------------------------------------


def test_a_misread_digit_is_read_otherwise_when_the_row_says_so() -> None:
    """180.00 read as 130.00 (8/3): the items, the row's 财政补助 + 自筹 and the sub-items all say 180."""
    doc = ocr_document(PHOTO, change=("180.00 60.00", "130.00 60.00"))
    table = read(doc)
    assert items(table) == ITEMS_520 and table.total() == 520
    assert table.note == "第2行“一、设备费”合计栏按识别备选读作180.00（原识别为130.00），表内加总相符"
    findings, block = checked(doc)
    assert findings == []
    assert block is not None and block["sum_ok"] is True and "识别备选" in block["note"]


@pytest.mark.parametrize(
    ("paragraphs", "change", "read_as"),
    [
        (PHOTO, ("100.00\n三、", "180.00\n三、"), ("二、材料费", budget.SELF_RAISED, "100.00")),  # 自筹 0/8
        (PHOTO, ("专家咨询费 10.00", "专家咨询费 70.00"), ("八、专家咨询费", budget.AMOUNT, "10.00")),  # 1/7
        (ONE_COLUMN, ("七、劳务费 60.00", "七、劳务费 6000"), ("七、劳务费", budget.AMOUNT, "60.00")),  # no point
        (PHOTO, None, None),  # nothing misread: nothing changed
        (PHOTO, ("150.00 50.00 100.00", "750.00 50.00 100.00"), ("其中：购置设备费", budget.AMOUNT, "150.00")),  # a sub-item
    ],
    ids=["self-raised-0-8", "amount-1-7", "lost-point-one-column", "none", "sub-item-7-1"],
)
def test_misreadings_mended(paragraphs: Any, change: tuple[str, str] | None, read_as: tuple[str, str, str] | None) -> None:
    table = read(ocr_document(paragraphs, change=change))
    assert table.total() == 520 == table.item_sum()
    if read_as is None:
        assert table.note == ""
        return
    label, column, value = read_as
    row = next(r for r in table.rows if r.label == label)
    assert row.amounts[column] == Decimal(value)
    assert "按识别备选读作" in table.note and f"读作{value}" in table.note


def test_a_lone_reading_is_taken_only_when_ocr_doubted_the_paragraph() -> None:
    """One money column: 材料费 720.00 (1/7) is the only reading that makes the sum agree, but
    nothing else speaks for it — it could as well hide the applicant's own error."""
    doc = ocr_document(ONE_COLUMN, change=("材料费 120.00", "材料费 720.00"))
    table = read(doc)
    assert table.item_sum() == 1120 and table.total() == 520
    assert "若第5行“二、材料费”金额栏读作120.00（原识别为720.00）则表内加总相符" in table.note and "未更正" in table.note
    findings, _ = checked(doc)
    (sum_finding,) = [f for f in findings if f.rule == "budget.sum"]
    assert sum_finding.severity is Severity.WARN
    assert "1120万元" in sum_finding.message and "520万元" in sum_finding.message and "文字识别" in sum_finding.message
    doubted = read(ocr_document(ONE_COLUMN, change=("材料费 120.00", "材料费 720.00"), confidence=0.93))
    assert doubted.item_sum() == 520 and "按识别备选读作120.00（原识别为720.00）" in doubted.note


def test_several_fitting_readings_are_named_and_none_is_taken() -> None:
    """合计 620: 40→140, 20→120, 10→110 … (a leading 1 not seen) would each fit."""
    table = read(ocr_document(ONE_COLUMN, change=("合计 520.00", "合计 620.00")))
    assert table.total() == 620 and table.item_sum() == 520
    assert "不止一种读法" in table.note and table.note.count("读作") == 3 and "等则表内加总相符" in table.note


# -- budget.sum on a scan: a warning, both amounts -------------------------------------------------


def test_a_real_sum_error_on_a_scan_is_a_warning_with_both_amounts() -> None:
    """合计 530 while the items add up to 520: no reading fits (5/6 of 50 would, but the row
    10 + 40 = 50 speaks against it)."""
    doc = ocr_document(PHOTO, change=("520.00 100.00", "530.00 110.00"))
    table = read(doc)
    assert table.total() == 530 and table.item_sum() == 520
    assert table.note == "识别备选中没有能使表内加总相符的读法"
    findings, block = checked(doc)
    (sum_finding,) = [f for f in findings if f.rule == "budget.sum"]
    assert load_call("quzhou-2020").severity("budget.sum") is Severity.FAIL
    assert sum_finding.severity is Severity.WARN  # the call's ocr_sum_severity
    assert "各科目之和为520万元，与合计行的530万元不符（相差10万元）" in sum_finding.message
    assert "文字识别读数" in sum_finding.message and "请对照原件核对" in sum_finding.message
    assert sum_finding.location is not None and sum_finding.location.origin == "ocr"
    assert block is not None and block["sum_ok"] is False and block["total"] == 530.0
    assert Verdict.worst(f.severity.verdict for f in findings) is Verdict.REVIEW


def test_the_ocr_severity_is_the_calls() -> None:
    call = load_call("quzhou-2020")
    demo = load_call(str(Path(__file__).parent / "data" / "calls" / "demo-2021.yaml"))
    assert call.budget.ocr_sum_severity is Severity.WARN and demo.budget.ocr_sum_severity is Severity.WARN
    milder = call.model_copy(update={"budget": call.budget.model_copy(update={"ocr_sum_severity": Severity.INFO})})
    findings, _ = checked(ocr_document(PHOTO, change=("520.00 100.00", "530.00 100.00")), call=milder)
    assert [f.severity for f in findings if f.rule == "budget.sum"] == [Severity.INFO]


def test_sub_items_over_their_item_on_a_scan_are_a_warning() -> None:
    """购置设备费 190.00 = 50.00 + 140.00 with 试制设备费 30.00 exceed their item 180, and no
    reading mends it: budget.sum (sub-items) is a warning on a scan."""
    doc = ocr_document(PHOTO, change=("150.00 50.00 100.00", "190.00 50.00 140.00"))
    findings, _ = checked(doc)
    sums = [f for f in findings if f.rule == "budget.sum"]
    assert sums and all(f.severity is Severity.WARN for f in sums)
    assert any("明细之和" in f.message and "文字识别" in f.message for f in sums)


# -- pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一、设备费 180.00 60.00 120.00", [(False, "一、设备费"), (True, "180.00"), (True, "60.00"), (True, "120.00")]),
        ("十、1", [(False, "十、"), (True, "1")]),
        ("设备费180 万元", [(False, "设备费"), (True, "180万元")]),
        ("（1）材料费 | 12.5", [(False, "（1）材料费"), (True, "12.5")]),
        ("金额 (万元)", [(False, "金额"), (False, "(万元)")]),
        ("１８０．００ —", [(True, "180.00"), (True, "—")]),
        ("600,000.001,200,000.00", [(True, "600,000.00"), (True, "1,200,000.00")]),  # two cells run together
        ("合计 $,200,000.00 .00", [(False, "合计"), (True, "5,200,000.00"), (True, ".00")]),
    ],
)
def test_tokens(text: str, expected: list[tuple[bool, str]]) -> None:
    assert budget_scan.tokens(text) == expected


@pytest.mark.parametrize(
    ("words", "grouped", "joined"),
    [
        (["300", "000.00", "100,", "000.00", "200,000.00"], True, ["300,000.00", "100,000.00", "200,000.00"]),
        (["200,0", "000.00"], True, ["200,000.00"]),  # the boxes overlapped by a digit
        (["400,", ",000.00"], True, ["400,000.00"]),
        (["100.", "0.00"], False, ["100.00"]),
        (["20", "100.00"], False, ["20", "100.00"]),  # two cells
        (["120.00", "20.00", "100.00"], False, ["120.00", "20.00", "100.00"]),
    ],
)
def test_split_amounts_are_joined(words: list[str], grouped: bool, joined: list[str]) -> None:
    assert budget_scan.join_split(words, grouped) == joined


def test_alternatives() -> None:
    readings = dict(budget_scan.alternatives("130.00", 2))
    assert readings["180.00"] == "digit" and readings["730.00"] == "digit" and readings["1130.00"] == "lead"
    assert "130.00" not in readings and "030.00" not in readings  # itself; a leading zero is no amount
    assert ("18.00", "point") in budget_scan.alternatives("1800", 2)
    assert ("1,200,000.00", "lead") in budget_scan.alternatives("200,000.00", 2)
    assert budget_scan.alternatives(",000,000.00", 2)[0] == ("1,000,000.00", "cut")
    assert budget_scan.alternatives("—", 2) == []


def test_the_settings_file_is_strict() -> None:
    assert budget_scan.settings().repair.max_changes == 2
    with pytest.raises(ValidationError):
        budget_scan.RepairSettings.model_validate({**budget_scan.settings().repair.model_dump(), "confusions": ["1"]})
    with pytest.raises(ValidationError):
        budget_scan.Settings.model_validate({**budget_scan.settings().model_dump(), "extra": 1})


# -- pictures read by OCR (slow) -------------------------------------------------------------------


def picture(grid: list[list[str]], *, unit: str | None = "单位：万元", angle: float = 0.8, seed: int = 1) -> Image.Image:
    """A photographed ruled table: label column 420 px, money columns 170 px, 26 px type, turned,
    speckled and blurred."""
    font = ImageFont.truetype(str(CJK_FONT), 26)
    line, pad = 35, 11
    widths = [420] + [170] * (len(grid[0]) - 1)
    heights = [line * max(len(c.split("\n")) for c in r) + 2 * pad for r in grid]
    image = Image.new("L", (sum(widths) + 160, sum(heights) + 320), 255)
    draw = ImageDraw.Draw(image)
    left, y = 80, 60
    draw.text((left, y), "经费预算表", font=ImageFont.truetype(str(CJK_FONT), 36), fill=0)
    y += 70
    if unit:
        draw.text((left + sum(widths) - 200, y), unit, font=font, fill=0)
        y += 50
    edges = [left]
    for w in widths:
        edges.append(edges[-1] + w)
    top = y
    for row, height in zip(grid, heights, strict=True):
        draw.line([(edges[0], y), (edges[-1], y)], fill=0, width=2)
        for c, cell in enumerate(row):
            for k, text in enumerate(cell.split("\n")):
                x = edges[0] + pad if c == 0 else edges[c + 1] - pad - draw.textlength(text, font=font)
                draw.text((x, y + pad + k * line), text, font=font, fill=0)
        y += height
    draw.line([(edges[0], y), (edges[-1], y)], fill=0, width=2)
    for x in edges:
        draw.line([(x, top), (x, y)], fill=0, width=2)
    draw.text((left, y + 40), "预算说明：设备费用于购置中试装置。", font=font, fill=0)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    rnd, pixels = random.Random(seed), image.load()
    assert pixels is not None
    for _ in range(image.width * image.height // 60):
        x, y = rnd.randrange(image.width), rnd.randrange(image.height)
        pixels[x, y] = max(0, min(255, int(pixels[x, y]) + rnd.randint(-96, 96)))  # type: ignore[arg-type]
    return image.filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")


def screened(path: Path, app: dict[str, Any] | None = None) -> tuple[list[Finding], dict[str, Any] | None]:
    application = Application.model_validate(app or APP)
    doc = parse_upload(Upload(path.name, path=path), application)
    assert doc.ocr and doc.role is Role.BUDGET
    ctx = Context(load_call("quzhou-2020"), application, (doc,), ())
    return list(budget_check.check(ctx)), budget_check.block(ctx)


@pytest.fixture
def font() -> None:
    if not CJK_FONT.is_file():
        pytest.skip(f"{CJK_FONT} missing: the CJK font (apt-get install fonts-wqy-zenhei; .ci/run installs it)")


@pytest.mark.slow
def test_a_photographed_jpeg_is_read_by_ocr(tmp_path: Path, cache_dir: Path, font: None) -> None:
    path = tmp_path / "经费预算表.jpg"
    picture(rows(), angle=1.2, seed=7).save(path, quality=70)
    findings, block = screened(path)
    assert findings == []
    assert block is not None and block["method"] == "ocr_table" and block["unit"] == "万元"
    assert [(i["name"], i["amount"]) for i in block["items"]] == ITEMS_520
    assert (block["total"], block["subsidy"], block["self_raised"], block["sum_ok"]) == (520.0, 100.0, 420.0, True)


@pytest.mark.slow
def test_a_scanned_pdf_in_yuan_is_read_by_ocr(tmp_path: Path, cache_dir: Path, font: None) -> None:
    path = tmp_path / "经费预算表.pdf"
    picture(rows(scale=10000), unit="单位：元", angle=-0.6, seed=8).save(path, "PDF", resolution=150)
    findings, block = screened(path)
    assert findings == []
    assert block is not None and block["method"] == "ocr_table" and block["unit"] == "元"
    assert [(i["name"], i["amount"]) for i in block["items"]] == ITEMS_520
    assert (block["total"], block["subsidy"], block["sum_ok"]) == (520.0, 100.0, True)


@pytest.mark.slow
def test_a_real_sum_error_in_a_photo_is_a_warning(tmp_path: Path, cache_dir: Path, font: None) -> None:
    """劳务费 70 (0 + 70) while 合计 stays 520: budget.sum warn (the 自筹 column is off with it: no
    second finding)."""
    path = tmp_path / "经费预算表.jpg"
    picture(rows(change={"七、劳务费": (70, 0, 70)}), angle=-0.9, seed=9).save(path, quality=75)
    findings, block = screened(path)
    assert sorted((f.rule, f.severity) for f in findings) == [("budget.sum", Severity.WARN)]
    (sum_finding,) = [f for f in findings if f.rule == "budget.sum"]
    assert "各科目之和为530万元，与合计行的520万元不符（相差10万元）" in sum_finding.message
    assert "文字识别读数" in sum_finding.message
    assert block is not None and block["sum_ok"] is False and block["total"] == 520.0
