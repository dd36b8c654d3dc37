"""Budget tables read by where their text stands (issue 14): PDFs without rules
(screening/parsers/aligned.py), scans and photos rebuilt from OCR's pieces (screening/scan_grid.py),
and what comes with them: a 预算说明 repeating the items, names as printed, sub-items indented
under 其中, a 其他来源 column, a table whose header repeats on its next page, an amount per line
with its own unit, and a short word the OCR angle classifier turns upside down."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from samples.rules import rows as standard_rows
from screening import budget, budget_scan, scan_grid
from screening.formats import Format
from screening.model import Document, Location, PageTable, Part, PartKind, Role, Segment
from screening.parsers import aligned, ocr
from tests.test_budget import APP, ITEMS_520, fired, run
from tests.test_budget import read as read_file
from tests.test_budget_layouts import CN, PLAIN, ruled, word
from tests.test_budget_scan import CJK_FONT, picture, screened

LEXICONS = {"items": "budget-items.tsv", "columns": "budget-columns.tsv"}
W4 = (230, 75, 75, 75)
SPLIT_APP = {**APP, "budget": {"total": 520.0, "rd": 380.0, "subsidy": 155.0}}


def named(table: budget.Table | None) -> list[tuple[str, float]]:
    assert table is not None
    return [(r.name, float(r.amounts[budget.AMOUNT])) for r in table.items]


def split_lines(total_first: bool) -> list[list[str | None]]:
    """合计 | 财政补助 | 自筹 with "/" where a column does not apply."""
    items = [[f"{k + 1}.{n}", f"{float(a):.2f}", "/" if k % 3 else f"{float(a) / 2:.2f}",
              f"{float(a):.2f}" if k % 3 else f"{float(a) / 2:.2f}"] for k, (n, a) in enumerate(PLAIN)]
    total = ["经费支出合计", "520.00", "155.00", "365.00"]
    head = ["预算科目名称", "合计", "市财政补助", "单位自筹"]
    return [head, total, *items] if total_first else [head, *items, total]  # type: ignore[list-item]


# -- a PDF without rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("total_first", [True, False])
def test_a_pdf_table_without_rules_is_read_by_where_its_cells_stand(tmp_path: Path, total_first: bool) -> None:
    path = ruled(tmp_path / "经费预算表.pdf", split_lines(total_first), W4, rules=False)
    table = read_file(path)
    assert table is not None and table.method == "pdf_aligned"
    assert named(table) == ITEMS_520 and table.total() == 520 == table.item_sum()
    assert table.columns == (budget.AMOUNT, budget.SUBSIDY, budget.SELF_RAISED)
    assert table.total(budget.SUBSIDY) == 155 and table.item_sum(budget.SELF_RAISED) == 365
    findings, block = run([path], SPLIT_APP)
    assert findings == [] and block is not None and block["subsidy"] == 155.0


def test_two_lists_side_by_side_without_rules(tmp_path: Path) -> None:
    left, right = PLAIN[:5], PLAIN[5:]
    grid: list[list[str | None]] = [["序号", "支出科目", "金额", "序号", "支出科目", "金额"]]
    for k, (name, amount) in enumerate(left):
        other = right[k] if k < len(right) else ("", "")
        grid.append([str(k + 1), name, amount, str(k + 6) if other[0] else "", other[0], other[1]])
    grid.append(["支出合计", None, None, None, None, "520"])  # merged across the table
    path = ruled(tmp_path / "b.pdf", grid, (30, 150, 50, 30, 150, 50), rules=False)
    table = read_file(path)
    assert table is not None and table.method == "pdf_aligned"
    assert sorted(named(table)) == sorted(ITEMS_520) and table.total() == 520


def test_a_transposed_table_without_rules(tmp_path: Path) -> None:
    names = ["设备费", "材料费", "测试化验加工费", "劳务费", "合计"]
    grid: list[list[str | None]] = [["科目", *names], ["金额", "180", "120", "40", "60", "400"]]
    path = ruled(tmp_path / "t.pdf", grid, (40, 50, 50, 90, 50, 50), rules=False)
    table = read_file(path)
    assert table is not None and table.method == "pdf_aligned"
    assert named(table) == [("设备费", 180.0), ("材料费", 120.0), ("测试化验加工费", 40.0), ("劳务费", 60.0)]
    assert table.total() == 400


def test_prose_and_a_spaced_title_are_no_table() -> None:
    """A line of letter-spaced characters and paragraphs of prose make no table."""
    chars: list[aligned.Char] = []
    for k, ch in enumerate("经费预算表"):
        chars.append(aligned.Char(ch, 100 + 30 * k, 112 + 30 * k, 50, 62))
    for line in range(3):
        for k, ch in enumerate("本项目经费预算按照有关规定编制"):
            chars.append(aligned.Char(ch, 50 + 12 * k, 62 + 12 * k, 100 + 20 * line, 112 + 20 * line))
    assert aligned.tables(chars) == []


def test_a_header_repeated_on_the_next_page_joins_the_pages() -> None:
    head = ("预算科目名称", "金额（万元）")
    first = PageTable(1, (head, ("经费支出合计", "520"), *((n, a) for n, a in PLAIN[:5])), ruled=False)
    second = PageTable(2, (head, *((n, a) for n, a in PLAIN[5:])), ruled=False)
    doc = Document(file="b.pdf", format=Format.PDF, sha256="0" * 64, pages=2, parts=(), role=Role.BUDGET,
                   tables=(first, second))
    table = budget.read(doc, **LEXICONS)
    assert table is not None and named(table) == ITEMS_520 and table.total() == 520


# -- text lines -------------------------------------------------------------------------------------


def text_doc(*lines: str) -> Document:
    parts = tuple(Part(PartKind.BODY, line, page=1, paragraph=k) for k, line in enumerate(lines, 1))
    return Document(file="b.pdf", format=Format.PDF, sha256="0" * 64, pages=1, parts=parts, role=Role.BUDGET)


def test_a_budget_explanation_repeating_the_items_adds_nothing() -> None:
    """预算说明 under the table names items and amounts again: below a 合计 (or after the items were
    read once) they are no new items."""
    lines = [f"{k + 1}.{n}：{a}万元" for k, (n, a) in enumerate(PLAIN)]
    notes = ["预算说明：", "1. 设备费180万元，主要用于购置中试装置1台×45万元等。", "2. 材料费120万元，主要用于原辅材料。"]
    for order in ([*lines, "合计：520万元", *notes], ["总计：520万元", *lines, *notes]):
        table = budget.read(text_doc(*order), **LEXICONS)
        assert table is not None and named(table) == ITEMS_520 and table.total() == 520
        assert table.unit == budget.WAN  # every amount states its own unit


def test_a_name_wrapped_onto_the_next_line_is_joined_although_its_end_names_a_row() -> None:
    table = budget.read(text_doc("出版/文献/信息传播", "/知识产权事务费 10.0", "设备费 20.0", "合计 30.0"), **LEXICONS)
    assert table is not None
    assert [r.printed for r in table.items] == ["出版/文献/信息传播/知识产权事务费", "设备费"]


# -- rows and columns -------------------------------------------------------------------------------


def test_names_are_reported_as_printed(tmp_path: Path) -> None:
    grid: list[list[str | None]] = [["预算科目", "金额"], ["1、设备费", "180"], ["2、会议/差旅/国际合作交流费", "10"],
                                     ["3、外协费", "30"], ["合  计", "220"]]
    _, block = run([word(tmp_path / "b.docx", grid)], {**APP, "budget": {"total": 220.0}})
    assert block is not None
    assert [i["name"] for i in block["items"]] == ["设备费", "会议/差旅/国际合作交流费", "外协费"]


def test_rows_indented_under_a_sub_item_are_sub_items(tmp_path: Path) -> None:
    grid: list[list[str | None]] = [
        ["预算科目名称", "金额（万元）"], ["1、设备费", "95.35"], ["2、业务费", "138.41"], ["3、劳务费", "54.82"],
        ["其中：人员劳务费", "34.09"], ["\u3000\u3000\u3000专家咨询费", "20.73"], ["4、间接费用", "19.30"], ["合计", "307.88"]]
    table = read_file(word(tmp_path / "b.docx", grid))
    assert named(table) == [("设备费", 95.35), ("业务费", 138.41), ("劳务费", 54.82), ("间接费用", 19.3)]
    # items at the item's own indentation after sub-items stay items
    grid = [["预算科目名称", "合计"], ["  1、人员费", "8"], ["  2、能源材料费", "16"], ["    其中：原材料", "9"],
            ["    燃料及动力费", "7"], ["  3、试验外协费", "8"], ["  4、管理费", "3"], ["合计", "35"]]
    table = read_file(word(tmp_path / "c.docx", grid))
    assert named(table) == [("人员费", 8.0), ("能源材料费", 16.0), ("试验外协费", 8.0), ("管理费", 3.0)]
    assert table is not None and table.total() == 35 == table.item_sum()


def test_a_column_of_other_sources_is_part_of_the_split(tmp_path: Path) -> None:
    grid: list[list[str | None]] = [["科目名称", "申请市财政资助", "自筹经费", "其他", "合计"],
                                     ["合计", "100", "380", "40", "520"]]
    grid += [[f"{k + 1}、{n}", "0", a, "0", a] for k, (n, a) in enumerate(PLAIN)]
    grid[2] = ["1、设备费", "100", "40", "40", "180"]
    findings, block = run([word(tmp_path / "b.docx", grid)])
    assert findings == [], [f.message for f in findings]
    assert block is not None and block["total"] == 520.0 and block["subsidy"] == 100.0
    grid[2] = ["1、设备费", "100", "40", "30", "180"]  # 100 + 40 + 30 ≠ 180
    findings, _ = run([word(tmp_path / "c.docx", grid)])
    assert "budget.split" in fired(findings)
    assert any("财政补助与自筹与其他来源之和不等于合计" in f.message for f in findings)


def test_a_broken_column_with_a_broken_total_is_one_finding(tmp_path: Path) -> None:
    """One subject mistyped across its row (合计 and 自筹): budget.sum, not also budget.split."""
    grid = split_lines(False)
    grid[1] = ["1.设备费", "170.00", "90.00", "80.00"]
    findings, _ = run([word(tmp_path / "b.docx", grid)], SPLIT_APP)
    assert fired(findings) == ["budget.sum"]


# -- scans and photos by position -------------------------------------------------------------------


def segment(text: str, x0: float, y0: float, x1: float, y1: float, *, slope: float = 0.0,
            shear: float = 0.0) -> Segment:
    """A piece as the detector gives it, the picture turned by `slope` and leaning by `shear`."""
    def at(x: float, y: float) -> tuple[float, float]:
        return x - slope * y + shear * y, y + slope * x

    corners = [at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1)]
    quad = tuple(v for point in corners for v in point)
    return Segment(text, 0.99, quad)  # type: ignore[arg-type]


def photo_rows(slope: float, shear: float) -> list[Segment]:
    """A 总计-first table with a 测算依据 column: amounts glued to their remark, a rule read as "|",
    an empty cell, 合 and 计 read apart."""
    out = [segment("预算科目", 100, 40, 220, 70, slope=slope, shear=shear),
           segment("金额（万元）", 500, 40, 660, 70, slope=slope, shear=shear),
           segment("测算依据", 760, 40, 880, 70, slope=slope, shear=shear)]
    lines: list[tuple[str, str, str]] = [("合", "", "")] + [(f"（{CN[k]}）{n}", a, "见明细") for k, (n, a) in enumerate(PLAIN)]
    for k, (name, amount, remark) in enumerate(lines):
        y = 90 + 45 * k
        if k == 0:
            out += [segment("合", 100, y, 130, y + 30, slope=slope, shear=shear),
                    segment("计", 190, y, 220, y + 30, slope=slope, shear=shear),
                    segment("520.00", 570, y, 660, y + 30, slope=slope, shear=shear)]
            continue
        out.append(segment(name, 100, y, 100 + 28 * len(name), y + 30, slope=slope, shear=shear))
        if k == 4:  # 燃料动力费: the amount glued to its remark by OCR, a rule between them read as "|"
            out.append(segment(f"{amount}.00|{remark}", 590, y, 850, y + 30, slope=slope, shear=shear))
        elif k == 2:  # 材料费: glued without the rule
            out.append(segment(f"{amount}.00{remark}", 570, y, 830, y + 30, slope=slope, shear=shear))
        else:
            out.append(segment(f"{amount}.00", 570 + 10 * (len(amount) < 3), y, 660, y + 30, slope=slope, shear=shear))
            out.append(segment(remark, 760, y, 850, y + 30, slope=slope, shear=shear))
    return out


@pytest.mark.parametrize(("slope", "shear"), [(0.0, 0.0), (0.02, 0.0), (-0.015, 0.06)])
def test_a_photographed_table_is_rebuilt_from_where_its_pieces_stand(slope: float, shear: float) -> None:
    where = Location(PartKind.IMAGE, page=1, paragraph=1, origin="ocr")
    built = scan_grid.grid([(s, where) for s in photo_rows(slope, shear)], LEXICONS["items"],
                           level=0.6, margin=0.2, wide=0.75, narrow=0.45)
    assert built is not None
    grid, confidence = built
    assert [c.text for c in grid[0]] == ["预算科目", "金额（万元）", "测算依据"]
    assert [r[0].text for r in grid[1:]] == ["合计", *(f"（{CN[k]}）{n}" for k, (n, _) in enumerate(PLAIN))]
    assert [r[1].text for r in grid[1:]] == ["520.00", *(f"{a}.00" for _, a in PLAIN)]
    assert all(0 < v <= 1 for v in confidence.values())


def test_the_slant_and_the_lean_are_measured() -> None:
    pieces = photo_rows(0.03, 0.0)
    assert math.isclose(scan_grid.slope(pieces), 0.03, abs_tol=1e-6)


def ocr_page(pieces: list[Segment]) -> Document:
    part = Part(PartKind.IMAGE, "\n".join(s.text for s in pieces), page=1, paragraph=1, origin="ocr",
                source="b.jpg", box=(0, 0, 1000, 1000), confidence=0.99, segments=tuple(pieces))
    return Document(file="b.jpg", format=Format.IMAGE, sha256="0" * 64, pages=1, parts=(part,), role=Role.BUDGET, ocr=True)


def test_a_scan_read_by_position_is_checked_as_any_table() -> None:
    table = budget.read(ocr_page(photo_rows(0.01, 0.04)), **LEXICONS)
    assert table is not None and table.method == budget_scan.METHOD
    assert named(table) == ITEMS_520 and table.total() == 520 == table.item_sum()


@pytest.mark.slow
def test_a_photo_with_a_remark_column_is_read_by_ocr(tmp_path: Path, cache_dir: Path) -> None:
    if not CJK_FONT.is_file():
        pytest.skip("the CJK font fonts-wqy-zenhei is needed to draw the photo")
    grid = [[*r, "备注" if k == 0 else ("见设备明细" if k == 1 else "")] for k, r in enumerate(standard_rows())]
    image = picture(grid, angle=1.0, seed=3)
    lean = image.transform(image.size, Image.Transform.AFFINE, (1, 0.03, -20, 0, 1, 0),
                           resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    path = tmp_path / "经费预算表.jpg"
    lean.save(path, quality=75)
    findings, block = screened(path)
    assert findings == [], [f.message for f in findings]
    assert block is not None and block["total"] == 520.0 and block["sum_ok"] is True
    assert [(i["name"], i["amount"]) for i in block["items"]][:2] == ITEMS_520[:2]


# -- the OCR angle classifier -----------------------------------------------------------------------


class _Engine:
    """The parts of RapidOCR `_recognise` calls, one crop the classifier turns upside down."""

    def text_det(self, image: Any) -> tuple[Any, None]:
        return np.asarray([[[10, 10], [90, 10], [90, 40], [10, 40]], [[100, 10], [200, 10], [200, 40], [100, 40]]],
                          dtype=np.float32), None

    def sorted_boxes(self, boxes: Any) -> list[Any]:
        return list(boxes)

    def get_crop_img_list(self, image: Any, quads: Any) -> list[str]:
        return ["总计-crop", "520.00-crop"]

    def text_cls(self, crops: list[str]) -> tuple[list[str], list[tuple[str, float]], float]:
        return [crops[0] + "-turned", crops[1]], [("180", 0.9), ("0", 1.0)], 0.0

    def text_rec(self, crops: list[str]) -> tuple[list[tuple[str, float]], float]:
        known = {"总计-crop": ("总计", 0.99), "总计-crop-turned": ("", 0.0), "520.00-crop": ("520.00", 0.99)}
        return [known[c] for c in crops], 0.0


def test_a_word_the_angle_classifier_turned_is_read_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "engine", lambda: _Engine())
    reading = ocr._recognise(Image.new("RGB", (300, 60), "white"))
    assert [line.text for line in reading.lines] == ["总计", "520.00"]
