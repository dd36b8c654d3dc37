"""Write the blind budget benchmark: budget tables as applicants really make them, and their gold.

    python benchmarks/budgets/make.py OUT        # OUT/projects/<id>/ + OUT/gold.json

Written BLIND: the author of this file had not read the screener's budget reader (see README.md).
The item names, layouts and wording follow real 经费预算表 forms of Chinese science programmes
(SOURCES.md); the numbers are invented, deterministically (one fixed seed per project).

Every project is a folder as ``../shared/spec/contract.md`` §1 describes: ``application.json``
(budget.total, budget.rd, budget.subsidy set as the applicant would type them) and one budget
attachment in one of seven file kinds (docx table, PDF with a ruled table, PDF with text lines only,
xlsx, legacy xls, a scanned PDF, a JPEG photo). No feasibility report: only the budget is scored.

Gold conventions (also in README.md):
* ``total`` is the printed 合计/总计 of the expense table, in 万元 (a table in 元 is divided by 10,000);
* ``items`` are the expense subjects (预算科目) the total is made of: 设备费, 材料费 … and 间接费用
  as one subject; not the total, not 直接费用/小计 subtotals, not the sub-items under a subject
  (其中：…, （1）购置设备费 …), not the sources of funds (经费来源, 财政补助, 自筹). Each amount is the
  subject's whole amount (the 合计 column when the table splits 财政补助 / 自筹). Subjects printed
  as 0, “—” or left blank are optional (scored only when present with a non-zero amount);
* ``items_accept`` lists other item lists that are also right (a table with 直接费用 / 间接费用
  levels may be read as those two);
* ``sum_ok`` is whether the items add up to the printed total (within 0.005 万元, i.e. 50 元).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import random
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分
FEN_PER_YUAN = 100
CJK_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
PDF_FONT = "STSong-Light"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FIXED_DT = datetime(2020, 6, 1, 9, 0, 0)
BASE_SEED = 20200618

KINDS = ["docx", "pdf_ruled", "pdf_text", "xlsx", "xls", "scan_pdf", "photo_jpg"]
KIND_FILES = {
    "docx": "经费预算表.docx",
    "pdf_ruled": "经费预算表.pdf",
    "pdf_text": "经费预算列表及说明.pdf",
    "xlsx": "经费预算表.xlsx",
    "xls": "经费预算表.xls",
    "scan_pdf": "经费预算表（扫描件）.pdf",
    "photo_jpg": "经费预算表.jpg",
}
TEMPLATES = ["bottom_total", "top_total_split", "levels", "subitems_sources", "transposed", "side_by_side",
             "yuan_note", "unit_header_top"]

# Planted errors, by (kind index, template index). About a third of the projects.
ERRORS: dict[tuple[int, int], str] = {
    (0, 0): "sum", (0, 1): "split", (0, 6): "mismatch",
    (1, 2): "sum", (1, 5): "sum", (1, 7): "mismatch",
    (2, 3): "sum", (2, 1): "split", (2, 4): "mismatch",
    (3, 2): "sum_subtotal", (3, 6): "sum", (3, 1): "split",
    (4, 4): "sum", (4, 0): "mismatch", (4, 2): "split",
    (5, 0): "sum", (5, 6): "split", (5, 3): "mismatch",
    (6, 7): "sum", (6, 1): "split", (6, 5): "mismatch",
}

# ---------------------------------------------------------------------------------------------
# Budget subjects, as the real forms name them (SOURCES.md)

STD = ["设备费", "材料费", "测试化验加工费", "燃料动力费", "差旅费", "会议费", "国际合作与交流费",
       "出版/文献/信息传播/知识产权事务费", "劳务费", "专家咨询费", "其他支出"]
MERGED = ["设备费", "材料费", "测试化验加工费", "燃料动力费", "差旅/会议/国际合作与交流费",
          "出版/文献/信息传播/知识产权事务费", "劳务费", "专家咨询费", "其他支出"]
OLD = ["人员费", "设备费", "能源材料费", "试验外协费", "差旅费", "会议费", "知识产权保护费", "管理费", "其他费用"]
SHORT = ["设备费", "材料费", "测试化验加工费", "燃料动力费", "差旅费", "会议费", "劳务费", "专家咨询费", "其他支出"]
INDIRECT = "间接费用"

WEIGHTS = {
    "设备费": 34, "材料费": 22, "测试化验加工费": 7, "燃料动力费": 4, "差旅费": 2.5, "会议费": 1.2,
    "国际合作与交流费": 1.0, "出版/文献/信息传播/知识产权事务费": 2.0, "劳务费": 10, "专家咨询费": 1.5,
    "其他支出": 1.2, "差旅/会议/国际合作与交流费": 3.5, "间接费用": 8, "人员费": 14, "能源材料费": 20,
    "试验外协费": 8, "知识产权保护费": 2, "管理费": 4, "其他费用": 1.2,
}
MINOR = {"会议费", "国际合作与交流费", "专家咨询费", "其他支出", "其他费用", "燃料动力费", "知识产权保护费"}
SUBSIDY_TARGETS = ["设备费", "材料费", "测试化验加工费", "劳务费", "能源材料费", "试验外协费"]

SUBSPLITS = {  # sub-items that add up to their subject
    "设备费": ["购置设备费", "试制设备费", "设备改造与租赁费"],
    "能源材料费": ["原材料", "燃料及动力费", "低值易耗品"],
}
PARTIALS = {  # 其中 rows that are only part of their subject
    "间接费用": "绩效支出",
    "劳务费": "研究生及临时聘用人员劳务费",
    "设备费": "单价10万元以上设备",
    "材料费": "进口材料",
}

BASIS = {
    "设备费": ["购置高效液相色谱仪1台×45万元等", "购置关键设备3台套，详见设备明细", "试制中试装置1套"],
    "材料费": ["原辅材料及试剂耗材", "试验用原料约12吨", "关键材料及元器件"],
    "测试化验加工费": ["委托第三方检测", "样品检测及性能测试", "外协加工"],
    "燃料动力费": ["中试线水电气消耗", "试验设备运行能耗"],
    "差旅费": ["调研及技术交流", "赴合作单位20人次"],
    "差旅/会议/国际合作与交流费": ["调研、技术交流及会议"],
    "会议费": ["项目研讨会2次"],
    "国际合作与交流费": ["参加国际学术会议"],
    "出版/文献/信息传播/知识产权事务费": ["申请发明专利3项", "论文版面费及文献检索"],
    "劳务费": ["临时聘用人员6人", "研究生劳务"],
    "专家咨询费": ["专家咨询10人次"],
    "其他支出": ["项目验收等"],
    "其他费用": ["验收鉴定等"],
    "间接费用": ["按直接费用扣除设备购置费后的一定比例核定"],
    "人员费": ["参与研发人员8人"],
    "能源材料费": ["原材料及燃料动力"],
    "试验外协费": ["测试化验及外协加工"],
    "知识产权保护费": ["专利申请及维护"],
    "管理费": ["项目管理"],
}

APPLICANTS = [
    ("浙江瑞弘新材料有限公司", "瑞弘新材", "柯城区"), ("衢州市恒拓智能装备有限公司", "恒拓智能", "衢江区"),
    ("浙江晟达氟硅科技有限公司", "晟达氟硅", "市本级"), ("衢州盛源生物医药有限公司", "盛源生物", "龙游县"),
    ("江山市华跃电气有限公司", "华跃电气", "江山市"), ("常山县丰禾农业科技有限公司", "丰禾农业", "常山县"),
    ("开化县绿岭林产开发有限公司", "绿岭林产", "开化县"), ("浙江泓川电子化学品有限公司", "泓川电子", "市本级"),
]
TITLES = [
    "高纯电子级氢氟酸连续化制备关键技术研究", "五轴联动数控机床智能控制系统研发", "动力电池正极材料回收再利用技术",
    "有机硅改性防污涂层材料研制", "智能电网配电终端关键技术研究", "特色柑橘采后保鲜与精深加工技术",
    "基于物联网的农田墒情监测系统", "新型医用导管材料及产品研发",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = ["建国", "海燕", "志强", "晓东", "丽萍", "文博", "国平", "雪梅", "振华", "立新"]


# ---------------------------------------------------------------------------------------------
# The budget model


@dataclass
class Row:
    label: str                 # as printed, numbering included
    role: str                  # total | subtotal | item | sub | section | source_total | source
    fen: int | None            # 合计 (or the only amount), in 分
    sub: int | None = None     # 财政补助 part
    own: int | None = None     # 自筹 part
    basis: str = ""
    name: str = ""             # the subject name for gold (no numbering)
    indent: int = 0
    other: int = 0             # 其他 funding (three-source tables)


@dataclass
class Case:
    pid: str
    kind: str
    template: str
    rng: random.Random
    error: str | None = None
    tags: list[str] = field(default_factory=list)
    vocab: list[str] = field(default_factory=list)
    unit: str = "wan"          # wan | yuan
    unit_place: str = "title"  # title | header | note | inline
    style: str = "2dp"         # 2dp | 1dp | int | auto | yuan_sep | yuan_sep0 | yuan_plain
    gran: int = 10_000         # granularity of generated amounts, in 分
    split: bool = False
    split_sources: int = 2     # 2 = 财政补助 + 自筹; 3 adds 其他
    total_first_col: bool = True
    total_pos: str = "bottom"  # bottom | top
    total_label: str = "合计"
    numbering: str = "1、"
    seq: str | None = None     # None | items | all
    basis_col: bool = False
    zero: str = "0.00"
    text_cells: bool = False   # xlsx/xls: amounts stored as text
    extra_sheet: bool = False
    explanation: bool = False
    title_in_table: bool = False
    text_style: str = "columns"  # pdf_text: columns | list
    description: str = ""


def numbered(style: str, index: int, name: str) -> str:
    cn = "一二三四五六七八九十"
    cn_num = cn[index - 1] if index <= 10 else "十" + cn[index - 11]
    return {
        "1、": f"{index}、{name}", "1.": f"{index}.{name}", "1. ": f"{index}. {name}",
        "（一）": f"（{cn_num}）{name}", "一、": f"{cn_num}、{name}", "(1)": f"({index}){name}", "none": name,
    }[style]


def allocate(rng: random.Random, names: list[str], total: int, gran: int, zeros: set[str]) -> dict[str, int]:
    """Split `total` (分) over `names` in steps of `gran`, roughly by the real weights."""
    units = total // gran
    weights = {n: (0.0 if n in zeros else WEIGHTS.get(n, 2) * rng.uniform(0.6, 1.4)) for n in names}
    wsum = sum(weights.values())
    out = {n: (max(1, int(units * w / wsum)) if w else 0) for n, w in weights.items()}
    biggest = max(names, key=lambda n: weights[n])
    out[biggest] += units - sum(out.values())
    assert out[biggest] > 0
    return {n: u * gran for n, u in out.items()}


def split_subsidy(rng: random.Random, amounts: dict[str, int], subsidy: int, gran: int) -> dict[str, int]:
    targets = [n for n in SUBSIDY_TARGETS if amounts.get(n, 0) > 0][: rng.choice([2, 3, 4])]
    if not targets:
        targets = [max(amounts, key=lambda n: amounts[n])]
    subs = dict.fromkeys(amounts, 0)
    left = subsidy
    for i, n in enumerate(targets):
        part = left if i == len(targets) - 1 else (int(left * rng.uniform(0.35, 0.6)) // gran) * gran
        part = min(part, amounts[n])
        subs[n] = part
        left -= part
    if left:  # what did not fit goes to the biggest remaining room
        for n in sorted(amounts, key=lambda n: amounts[n] - subs[n], reverse=True):
            room = amounts[n] - subs[n]
            take = min(room, left)
            subs[n] += take
            left -= take
            if not left:
                break
    return subs


def pick_total(rng: random.Random, gran: int) -> int:
    wan = rng.uniform(60, 620)
    return max(1, round(wan * FEN_PER_WAN / gran)) * gran


def error_delta(rng: random.Random, gran: int, base: int) -> int:
    """A typo-sized difference in 分, a multiple of the granularity, smaller than `base`."""
    choices_wan = [10, 5, 20, 1, 2.5, 0.5, 0.1, 8, 50]
    rng.shuffle(choices_wan)
    for wan in choices_wan:
        d = round(wan * FEN_PER_WAN)
        if d % gran == 0 and d < base:
            return d * rng.choice([1, -1]) if d < base // 2 else d
    return gran * 10


# ---------------------------------------------------------------------------------------------
# Building a case: rows, then the printed sheet


@dataclass
class Cell:
    text: str = ""
    value: float | None = None  # numeric value in the table's unit (for spreadsheets)
    num: bool = False
    bold: bool = False
    center: bool = False  # a zero marker (—, /) centred in its amount cell


@dataclass
class Sheet:
    title_lines: list[str]
    grid: list[list[Cell]]
    merges: list[tuple[int, int, int, int]]  # r0, c0, r1, c1 inclusive
    header_rows: int
    note_lines: list[str]
    explanation: list[str] = field(default_factory=list)
    wrap_header: bool = False
    landscape: bool = False
    list_lines: list[str] | None = None  # pdf_text list style


def fmt_amount(case: Case, fen: int | None, *, force: bool = False) -> Cell:
    if fen is None:
        return Cell("")
    if fen == 0 and not force:
        z = case.zero
        if z in ("0.00", "0"):
            if case.unit == "yuan" and z == "0.00":
                return Cell("0.00", 0.0, True)
            return Cell(z, 0.0, True)
        return Cell(z, None, False, center=True)
    if case.unit == "wan":
        v = fen / FEN_PER_WAN
        if case.style == "2dp":
            t = f"{v:.2f}"
        elif case.style == "1dp":
            t = f"{v:.1f}"
        elif case.style == "int":
            t = f"{round(v)}"
        else:  # auto: as people type it
            t = f"{v:.2f}".rstrip("0").rstrip(".")
        return Cell(t, round(v, 6), True)
    v = fen / FEN_PER_YUAN
    if case.style == "yuan_sep":
        t = f"{v:,.2f}"
    elif case.style == "yuan_sep0":
        t = f"{v:,.0f}"
    else:
        t = f"{v:.2f}"
    return Cell(t, round(v, 2), True)


def unit_word(case: Case) -> str:
    return "万元" if case.unit == "wan" else "元"


def build_rows(case: Case) -> tuple[list[Row], dict[str, Any]]:
    """The rows of the expense table (and the sources rows), plus the gold budget block."""
    rng = case.rng
    levels = "levels" in case.tags
    subitems = "subitems" in case.tags
    sources = "sources_block" in case.tags
    vocab = list(case.vocab)
    total = pick_total(rng, case.gran)
    zeros = {n for n in vocab if n in MINOR and rng.random() < 0.25}
    amounts = allocate(rng, vocab, total, case.gran, zeros)
    subsidy = 0
    subs: dict[str, int] = dict.fromkeys(vocab, 0)
    if case.split:
        subsidy = (int(total * rng.uniform(0.12, 0.35)) // max(case.gran, 100_000)) * max(case.gran, 100_000)
        subsidy = max(subsidy, case.gran)
        subs = split_subsidy(rng, amounts, subsidy, case.gran)
    others: dict[str, int] = dict.fromkeys(vocab, 0)
    if case.split and case.split_sources == 3:  # a little 其他 funding on one subject
        n = next(n for n in vocab if amounts[n] - subs[n] > 2 * case.gran)
        others[n] = ((amounts[n] - subs[n]) // 3 // case.gran) * case.gran

    def own_of(n: str) -> int:
        return amounts[n] - subs[n] - others[n]

    # planted item-level sum error: one subject printed differently from what the total was built from
    error = case.error
    item_delta: dict[str, int] = {}
    total_delta = 0
    if error == "sum" and not levels and not sources and rng.random() < 0.75:
        cand = [n for n in vocab if amounts[n] > 2 * FEN_PER_WAN]
        n = rng.choice(cand)
        item_delta[n] = error_delta(rng, case.gran, amounts[n])
    elif error == "sum":
        total_delta = error_delta(rng, case.gran, total)
    elif error == "sum_subtotal":
        cand = [n for n in vocab if n != INDIRECT and amounts[n] > 2 * FEN_PER_WAN]
        n = rng.choice(cand)
        item_delta[n] = error_delta(rng, case.gran, amounts[n])

    printed = {n: amounts[n] + item_delta.get(n, 0) for n in vocab}
    printed_own = {n: own_of(n) + item_delta.get(n, 0) for n in vocab}
    printed_total = total + total_delta
    total_sub = sum(subs.values())
    total_other = sum(others.values())
    total_own = printed_total - total_sub - total_other

    # a planted split error: 财政补助 + 自筹 ≠ 合计 on one row
    split_bad: str | None = None
    split_delta = 0
    if error == "split":
        cand = [n for n in vocab if subs[n] > 0 and printed_own[n] > FEN_PER_WAN]
        split_bad = rng.choice(cand) if cand and rng.random() < 0.8 else "__total__"
        split_delta = abs(error_delta(rng, case.gran, FEN_PER_WAN * 40))

    def row_for(n: str, label: str, indent: int = 0) -> Row:
        own = printed_own[n]
        if split_bad == n:
            own += split_delta
        basis = rng.choice(BASIS.get(n, [""])) if case.basis_col else ""
        return Row(label, "item", printed[n], subs[n] if case.split else None, own if case.split else None,
                   basis, n, indent, others[n])

    tot_own = total_own + (split_delta if split_bad == "__total__" else 0)
    total_row = Row(case.total_label, "total", printed_total, total_sub if case.split else None,
                    tot_own if case.split else None, other=total_other)
    rows: list[Row] = []
    direct = [n for n in vocab if n != INDIRECT]
    direct_sum = sum(amounts[n] for n in direct)  # subtotals are printed as the applicant computed them
    direct_sub = sum(subs[n] for n in direct)
    direct_other = sum(others[n] for n in direct)

    def add_subrows(n: str, parent_indent: int) -> None:
        if not subitems:
            if levels and n == INDIRECT and printed[n] > 4 * case.gran and rng.random() < 0.5:
                part = (printed[n] * rng.randint(15, 45) // 100 // case.gran) * case.gran
                rows.append(Row("其中：绩效支出", "sub", part, None, None, "", "绩效支出", parent_indent + 1))
            return
        if n in SUBSPLITS and (n != "设备费" or rng.random() < 0.7):
            parts = SUBSPLITS[n]
            units = printed[n] // case.gran
            cut1 = int(units * rng.uniform(0.55, 0.85))
            cut2 = int((units - cut1) * rng.uniform(0.0, 0.7))
            vals = [cut1 * case.gran, cut2 * case.gran, printed[n] - (cut1 + cut2) * case.gran]
            style = rng.choice(["(1)", "（1）", "其中"])
            left = subs[n]
            for i, (pname, v) in enumerate(zip(parts, vals, strict=True)):
                if style == "其中":
                    label = ("其中：" if i == 0 else "") + pname
                elif style == "(1)":
                    label = f"({i + 1}){pname}"
                else:
                    label = f"（{i + 1}）{pname}"
                s = o = None
                if case.split:
                    s = min(v, left)
                    left -= s
                    o = v - s
                rows.append(Row(label, "sub", v, s, o, "", pname, parent_indent + 1))
        elif n in PARTIALS and printed[n] > 4 * case.gran:
            part = (printed[n] * rng.randint(15, 45) // 100 // case.gran) * case.gran
            if part > 0:
                rows.append(Row("其中：" + PARTIALS[n], "sub", part, None if not case.split else min(part, subs[n]),
                                None if not case.split else part - min(part, subs[n]), "", PARTIALS[n],
                                parent_indent + 1))

    if levels:
        lv_style = case.rng.choice(["header", "subtotal"]) if "levels_subtotal" not in case.tags else "subtotal"
        if "levels_header" in case.tags:
            lv_style = "header"
        top_nums = ("（一）", "（二）") if case.total_label.startswith("一") else ("一、", "二、")
        if lv_style == "header":
            rows.append(Row(f"{top_nums[0]}直接费用", "subtotal", direct_sum,
                            direct_sub if case.split else None,
                            (direct_sum - direct_sub - direct_other) if case.split else None, name="直接费用",
                            other=direct_other))
            for i, n in enumerate(direct, 1):
                rows.append(row_for(n, numbered(case.numbering, i, n), 1))
                add_subrows(n, 1)
            rows.append(row_for(INDIRECT, f"{top_nums[1]}间接费用"))
            add_subrows(INDIRECT, 0)
        else:
            for i, n in enumerate(direct, 1):
                rows.append(row_for(n, numbered(case.numbering, i, n), 1))
                add_subrows(n, 1)
            rows.append(Row(rng.choice(["直接费用小计", "小计（直接费用）", "小计"]), "subtotal", direct_sum,
                            direct_sub if case.split else None,
                            (direct_sum - direct_sub - direct_other) if case.split else None, name="直接费用",
                            other=direct_other))
            rows.append(row_for(INDIRECT, numbered(case.numbering, len(direct) + 1, INDIRECT)))
            add_subrows(INDIRECT, 0)
    else:
        for i, n in enumerate(vocab, 1):
            rows.append(row_for(n, numbered(case.numbering, i, n), 1 if case.total_pos == "top" else 0))
            add_subrows(n, 1)

    if case.total_pos == "top":
        rows.insert(0, total_row)
    else:
        rows.append(total_row)

    if sources:
        sub_label = rng.choice(["（一）申请市财政补助", "（一）申请从专项经费获得的资助", "（一）市财政补助经费"])
        own_label = rng.choice(["（二）单位自筹", "（二）自筹经费来源", "（二）企业自筹资金"])
        src_sub = total_sub if case.split else (int(printed_total * rng.uniform(0.12, 0.3)) // FEN_PER_WAN) * FEN_PER_WAN
        rows.append(Row("二、经费来源", "source_total", printed_total, src_sub if case.split else None,
                        (printed_total - src_sub) if case.split else None))
        rows.append(Row(sub_label, "source", src_sub, src_sub if case.split else None, None))
        rows.append(Row(own_label, "source", printed_total - src_sub, None, (printed_total - src_sub) if case.split else None))
        case.description += f"; 经费来源 block after the items (财政 {src_sub / FEN_PER_WAN:g} 万元)"

    items = [{"name": r.name, "amount": round(r.fen / FEN_PER_WAN, 6)} for r in rows if r.role == "item"]
    item_sum = sum(r.fen for r in rows if r.role == "item")
    sum_ok = abs(item_sum - printed_total) <= 5_000  # 0.005 万元
    accept: list[list[dict[str, Any]]] = []
    if levels and error != "sum_subtotal":
        st = next(r for r in rows if r.role == "subtotal")
        ind = next(r for r in rows if r.role == "item" and r.name == INDIRECT)
        accept.append([{"name": "直接费用", "amount": round(st.fen / FEN_PER_WAN, 6)},  # type: ignore[operator]
                       {"name": INDIRECT, "amount": round(ind.fen / FEN_PER_WAN, 6)}])  # type: ignore[operator]
    gold = {
        "total": round(printed_total / FEN_PER_WAN, 6),
        "items": items,
        "sum_ok": sum_ok,
        "_subsidy": round(total_sub / FEN_PER_WAN, 6) if case.split else None,
        "_accept": accept,
        "_split_error_row": (case.total_label if split_bad == "__total__" else split_bad),
        "_delta": (item_delta, total_delta),
    }
    return rows, gold


def amount_headers(case: Case) -> list[str]:
    uw = unit_word(case)
    rng = case.rng
    if not case.split:
        base = rng.choice(["金额", "预算数", "预算金额", "合计"])
        return [base + (f"（{uw}）" if case.unit_place == "header" else "")]
    tot = rng.choice(["合计", "金额合计", "预算合计"]) if case.total_first_col else "合计"
    sub = rng.choice(["财政补助", "市财政补助", "申请市财政资助", "专项经费"])
    own = rng.choice(["自筹", "单位自筹", "自筹经费", "企业自筹"])
    cols = [sub, own] + (["其他"] if case.split_sources == 3 else [])
    return [tot, *cols] if case.total_first_col else [*cols, tot]


def amount_cells(case: Case, r: Row) -> list[Cell]:
    force = r.role in ("total", "subtotal", "source_total")
    if not case.split:
        return [fmt_amount(case, r.fen, force=force)]
    other = r.other if case.split_sources == 3 else None
    slash = Cell("/", center=True)
    if r.role == "source":
        tot = fmt_amount(case, r.fen, force=True)
        s = fmt_amount(case, r.sub, force=True) if r.sub is not None else slash
        o = fmt_amount(case, r.own, force=True) if r.own is not None else slash
        parts = [s, o] + ([slash] if other is not None else [])
    else:
        tot = fmt_amount(case, r.fen, force=force)
        parts = [fmt_amount(case, r.sub, force=force), fmt_amount(case, r.own, force=force)]
        if other is not None:
            parts.append(fmt_amount(case, other, force=force))
    return [tot, *parts] if case.total_first_col else [*parts, tot]


def title_lines(case: Case) -> list[str]:
    rng = case.rng
    title = rng.choice(["项目经费预算表", "科技计划项目经费预算表", "经费预算列表", "项目经费支出预算表",
                        "衢州市科技计划项目经费预算表"])
    lines = [title]
    if case.unit_place == "title":
        lines.append(rng.choice(["单位：万元", "金额单位：万元", "单位：万元（保留两位小数）"]) if case.unit == "wan"
                     else rng.choice(["单位：元", "金额单位：元"]))
    return lines


def note_lines(case: Case) -> list[str]:
    rng = case.rng
    notes = []
    if case.unit_place == "note":
        notes.append(rng.choice(["单位：元", "注：本表金额单位为元。", "（单位：元）"]) if case.unit == "yuan"
                     else rng.choice(["单位：万元", "注：金额单位为万元。"]))
    if rng.random() < 0.4:
        notes.append("注：不需要列支的预算科目，对应的表格中填写“0”。")
    return notes


def explanation_lines(case: Case, rows: list[Row]) -> list[str]:
    if not case.explanation or case.unit != "wan":
        return []
    out = ["预算说明："]
    items = [r for r in rows if r.role == "item" and r.fen]
    for i, r in enumerate(items[:4], 1):
        out.append(f"{i}. {r.name}{r.fen / FEN_PER_WAN:g}万元，主要用于{BASIS.get(r.name, ['项目实施'])[0]}。")  # type: ignore[operator]
    out.append("其余科目按实际需要测算，详见上表。")
    return out


def build_sheet(case: Case, rows: list[Row]) -> Sheet:
    rng = case.rng
    tl = title_lines(case)
    notes = note_lines(case)
    expl = explanation_lines(case, rows)
    if "transposed" in case.tags:
        return transposed_sheet(case, rows, tl, notes, expl)
    if "side_by_side" in case.tags:
        return side_sheet(case, rows, tl, notes, expl)
    seq_col = case.seq is not None
    headers: list[str] = []
    if seq_col:
        headers.append("序号")
    headers.append(rng.choice(["预算科目名称", "科目名称", "支出科目", "预算科目", "项目"]))
    ah = amount_headers(case)
    headers += ah
    if case.basis_col:
        headers.append(rng.choice(["测算依据及理由", "备注", "计算依据"]))
    grid: list[list[Cell]] = []
    merges: list[tuple[int, int, int, int]] = []
    header_rows = 1
    ncols = len(headers)
    a0 = 1 if seq_col else 0  # the name column
    if case.split and case.unit_place == "header":
        # two header rows: 金额（万元） spans the amount columns
        top = [Cell(h, bold=True) for h in headers]
        second = [Cell("", bold=True) for _ in headers]
        for i in range(len(ah)):
            top[a0 + 1 + i] = Cell(f"金额（{unit_word(case)}）" if i == 0 else "", bold=True)
            second[a0 + 1 + i] = Cell(ah[i], bold=True)
        grid += [top, second]
        merges.append((0, a0 + 1, 0, a0 + len(ah)))
        for c in range(ncols):
            if not (a0 + 1 <= c <= a0 + len(ah)):
                merges.append((0, c, 1, c))
        header_rows = 2
    else:
        grid.append([Cell(h, bold=True) for h in headers])
    n = 0
    for r in rows:
        line: list[Cell] = []
        if seq_col:
            if case.seq == "all" or r.role == "item":
                n += 1
                line.append(Cell(str(n)))
            else:
                line.append(Cell(""))
        label = ("  " * r.indent if case.kind in ("docx", "pdf_ruled", "pdf_text") else "") + r.label
        line.append(Cell(label, bold=r.role in ("total", "source_total")))
        line += amount_cells(case, r)
        if case.basis_col:
            line.append(Cell(r.basis))
        grid.append(line)
        if seq_col and r.role == "total" and case.seq == "items" and case.total_pos == "bottom":
            line[0] = Cell(r.label, bold=True)
            line[1] = Cell("")
            merges.append((len(grid) - 1, 0, len(grid) - 1, 1))
    if case.title_in_table:
        head = [Cell(tl[0] + (("    " + tl[1]) if len(tl) > 1 else ""), bold=True)] + [Cell("") for _ in range(ncols - 1)]
        grid.insert(0, head)
        merges = [(r0 + 1, c0, r1 + 1, c1) for r0, c0, r1, c1 in merges]
        merges.insert(0, (0, 0, 0, ncols - 1))
        header_rows += 1
        tl = []
    landscape = ncols >= 6 and case.basis_col
    return Sheet(tl, grid, merges, header_rows, notes, expl, landscape=landscape)


def transposed_sheet(case: Case, rows: list[Row], tl: list[str], notes: list[str], expl: list[str]) -> Sheet:
    items = [r for r in rows if r.role == "item"]
    total = next(r for r in rows if r.role == "total")
    cols: list[Row] = [total, *items] if case.total_pos == "top" else [*items, total]
    uw = unit_word(case)
    corner = "科目" if case.unit_place != "header" else f"科目（{uw}）"
    header = [Cell(corner, bold=True)] + [Cell(r.label, bold=True) for r in cols]
    grid = [header]
    if case.split:
        labels = ["合计", "财政补助", "自筹"]
        getters = [lambda r: r.fen, lambda r: r.sub, lambda r: r.own]
        order = [0, 1, 2] if case.total_first_col else [1, 2, 0]
        for k in order:
            grid.append([Cell(labels[k])] + [fmt_amount(case, getters[k](r), force=r.role == "total") for r in cols])
    else:
        lab = case.rng.choice(["金额", "预算金额", "预算数"])
        grid.append([Cell(lab)] + [fmt_amount(case, r.fen, force=r.role == "total") for r in cols])
    return Sheet(tl, grid, [], 1, notes, expl, wrap_header=True, landscape=True)


def side_sheet(case: Case, rows: list[Row], tl: list[str], notes: list[str], expl: list[str]) -> Sheet:
    rng = case.rng
    items = [r for r in rows if r.role == "item"]
    total = next(r for r in rows if r.role == "total")
    grid: list[list[Cell]] = []
    merges: list[tuple[int, int, int, int]] = []
    if "side_halves" in case.tags:
        half = math.ceil(len(items) / 2)
        amt = "金额" + (f"（{unit_word(case)}）" if case.unit_place == "header" else "")
        grid.append([Cell(h, bold=True) for h in ["序号", "支出科目", amt, "序号", "支出科目", amt]])
        for i in range(half):
            left = items[i]
            line = [Cell(str(i + 1)), Cell(left.name), fmt_amount(case, left.fen)]
            if half + i < len(items):
                right = items[half + i]
                line += [Cell(str(half + i + 1)), Cell(right.name), fmt_amount(case, right.fen)]
            else:
                line += [Cell(""), Cell(""), Cell("")]
            grid.append(line)
        label = rng.choice(["合计", "合  计", "支出合计"])
        grid.append([Cell(label, bold=True), Cell(""), Cell(""), Cell(""), Cell(""), fmt_amount(case, total.fen, force=True)])
        merges.append((len(grid) - 1, 0, len(grid) - 1, 4))
        return Sheet(tl, grid, merges, 1, notes, expl)
    # 经费来源预算 | 经费支出预算 side by side, totals in the first data row
    subsidy = total.sub if total.sub is not None else (int(total.fen * rng.uniform(0.12, 0.3)) // FEN_PER_WAN) * FEN_PER_WAN  # type: ignore[operator]
    own = total.fen - subsidy  # type: ignore[operator]
    grid.append([Cell("经费来源预算", bold=True), Cell(""), Cell("经费支出预算", bold=True), Cell("")])
    merges += [(0, 0, 0, 1), (0, 2, 0, 3)]
    grid.append([Cell(h, bold=True) for h in ["科  目", "预算数", "科  目", "预算数"]])
    sources = [("一、市财政补助", subsidy), ("二、单位自筹", own), ("三、银行贷款", 0), ("四、其他来源", 0)]
    grid.append([Cell("来源预算合计", bold=True), fmt_amount(case, total.fen, force=True),
                 Cell("支出预算合计", bold=True), fmt_amount(case, total.fen, force=True)])
    for i in range(max(len(items), len(sources))):
        line = [Cell(""), Cell("")]
        if i < len(sources):
            line = [Cell(sources[i][0]), fmt_amount(case, sources[i][1])]
        if i < len(items):
            line += [Cell(items[i].label), fmt_amount(case, items[i].fen)]
        else:
            line += [Cell(""), Cell("")]
        grid.append(line)
    case.description += f"; sources side (财政 {subsidy / FEN_PER_WAN:g} + 自筹 {own / FEN_PER_WAN:g}) are not items"
    return Sheet(tl, grid, merges, 2, notes, expl)


def list_sheet(case: Case, rows: list[Row]) -> Sheet:
    """pdf_text list style: one “科目：金额万元” line per row, as in a 经费预算列表 written in Word."""
    lines = [title_lines(case)[0], ""]
    for r in rows:
        if r.fen is None:
            continue
        amount = fmt_amount(case, r.fen, force=True).text
        if r.fen == 0:
            amount = "0"
        indent = "    " * r.indent
        lines.append(f"{indent}{r.label}：{amount}{unit_word(case)}")
    sheet = Sheet([], [], [], 0, [], explanation_lines(case, rows))
    sheet.list_lines = lines
    return sheet


# ---------------------------------------------------------------------------------------------
# Case configuration (templates)


def configure(k: int, t: int) -> Case:
    kind = KINDS[k]
    template = TEMPLATES[t]
    pid = f"BUD-{k + 1}{t + 1:02d}"
    seed = BASE_SEED + 100 * k + t
    rng = random.Random(seed)
    c = Case(pid=pid, kind=kind, template=template, rng=rng, error=ERRORS.get((k, t)))
    c.zero = rng.choice(["0.00", "0", "—", "", "/"])
    c.style = rng.choice(["2dp", "2dp", "auto", "1dp", "int"])
    if template == "bottom_total":
        c.vocab = rng.choice([[*STD, INDIRECT], [*MERGED, INDIRECT], OLD, STD])
        c.total_label = rng.choice(["合计", "合  计", "支出合计", "经费支出合计", "总计"])
        c.numbering = rng.choice(["1、", "1.", "none"])
        c.seq = rng.choice([None, "items"])
        c.basis_col = rng.random() < 0.4
        c.tags = ["bottom_total"]
        if kind == "xlsx":  # 元 in the header cell, plain numbers
            c.unit, c.style, c.unit_place = "yuan", "yuan_plain", "header"
        if kind == "pdf_text":
            c.text_style = "list"
            c.unit_place = "inline"
            c.tags.append("list_lines")
    elif template == "top_total_split":
        c.vocab = rng.choice([[*STD, INDIRECT], [*MERGED, INDIRECT]])
        c.total_label = rng.choice(["经费支出合计", "一、经费支出", "总计", "合计"])
        c.numbering = rng.choice(["（一）", "1."]) if c.total_label.startswith("一") else rng.choice(["1.", "（一）", "1、"])
        c.total_pos = "top"
        c.split = True
        c.total_first_col = rng.random() < 0.6
        c.unit_place = rng.choice(["title", "header"])
        c.seq = rng.choice([None, "all"])
        c.tags = ["top_total"]
        if kind == "xls":
            c.split_sources = 3
            c.total_first_col = False
            c.tags.append("three_sources")
    elif template == "levels":
        c.vocab = [*STD, INDIRECT]
        c.split = k not in (1, 5)
        c.numbering = rng.choice(["1、", "1."])
        c.tags = ["levels"]
        if k in (0, 2, 4, 6):
            c.tags.append("levels_subtotal")
            c.total_pos = "bottom"
            c.total_label = rng.choice(["合计", "总计"])
            c.tags.append("bottom_total")
        else:
            c.tags.append("levels_header")
            c.total_pos = rng.choice(["top", "bottom"])
            c.total_label = rng.choice(["一、经费支出", "经费支出合计"]) if c.total_pos == "top" else "合计"
            c.tags.append("top_total" if c.total_pos == "top" else "bottom_total")
        if kind == "pdf_ruled":
            c.unit, c.style, c.unit_place = "yuan", "yuan_sep", "header"
    elif template == "subitems_sources":
        c.vocab = rng.choice([[*STD, INDIRECT], OLD]) if k != 5 else [*STD, INDIRECT]
        c.total_pos = "top"
        c.total_label = "一、经费支出"
        c.numbering = "1、"
        c.seq = rng.choice(["all", None])
        c.split = k % 3 == 2
        c.tags = ["top_total", "subitems", "sources_block"]
        if INDIRECT in c.vocab and k in (1, 4):
            c.tags.append("levels")
            c.tags.append("levels_header")
    elif template == "transposed":
        c.vocab = rng.choice([SHORT, MERGED, [*SHORT, INDIRECT]])
        c.total_pos = rng.choice(["bottom", "top"])  # total column last / first
        c.split = k % 2 == 1
        c.total_first_col = rng.random() < 0.5
        c.numbering = "none"
        c.tags = ["transposed"]
    elif template == "side_by_side":
        c.vocab = rng.choice([STD, [*MERGED, INDIRECT], [*STD, INDIRECT]])
        c.numbering = rng.choice(["1.", "1、"])
        c.tags = ["side_by_side", "side_halves" if k % 2 == 0 else "side_sources"]
    elif template == "yuan_note":
        c.vocab = rng.choice([[*STD, INDIRECT], [*MERGED, INDIRECT]])
        c.unit, c.unit_place = "yuan", "note"
        c.style = rng.choice(["yuan_sep", "yuan_sep", "yuan_sep0"])
        c.total_label = rng.choice(["合计", "合  计", "经费支出合计"])
        c.numbering = rng.choice(["1、", "1.", "none"])
        c.split = k in (1, 5)
        c.tags = ["bottom_total"]
        if k == 2:  # a few odd 元 (not whole hundreds): the 万元 figure has more decimals
            c.gran = 100
    elif template == "unit_header_top":
        c.vocab = rng.choice([[*STD, INDIRECT], MERGED])
        c.unit_place = "header"
        c.total_pos = "top"
        c.total_label = "总计"
        c.numbering = "（一）"
        c.basis_col = True
        c.tags = ["top_total"]
    # granularity follows how the amounts are printed
    if c.unit == "wan":
        c.gran = {"2dp": 10_000, "auto": 10_000, "1dp": 100_000, "int": FEN_PER_WAN}[c.style]
    elif c.gran != 100:
        c.gran = 10_000
    if kind in ("xlsx", "xls"):
        c.text_cells = rng.random() < 0.3
        c.extra_sheet = t in (3, 6) and kind == ("xlsx" if t == 3 else "xls")
        if c.text_cells:
            c.tags.append("text_cells")
        if c.extra_sheet:
            c.tags.append("extra_sheet")
    if kind in ("docx", "pdf_ruled", "pdf_text"):
        c.explanation = rng.random() < 0.5
        if c.explanation and c.unit == "wan":
            c.tags.append("explanation_text")
    if kind in ("docx", "xlsx", "xls") and template in ("bottom_total", "levels", "yuan_note") and rng.random() < 0.5:
        c.title_in_table = True
        c.tags.append("title_in_table")
    # the layout families the brief names
    c.tags.append({"title": "unit_title", "header": "unit_header", "note": "unit_note", "inline": "unit_inline"}
                  [c.unit_place])
    if c.unit == "yuan":
        c.tags.append("yuan")
        if c.style in ("yuan_sep", "yuan_sep0"):
            c.tags.append("yuan_separators")
    c.tags.append("split_cols" if c.split else "single_col")
    if c.seq:
        c.tags.append("seq_col")
    if c.basis_col:
        c.tags.append("basis_col")
    return c


# ---------------------------------------------------------------------------------------------
# Renderers


def normalise_zip(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    if "docProps/core.xml" in members:  # openpyxl stamps the save time into dcterms:modified
        members["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                              rb"\g<1>2020-06-01T09:00:00Z\g<2>", members["docProps/core.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(members, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, members[name])
    return out.getvalue()


def anchors(sheet: Sheet) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Merge anchors (r, c) -> (r1, c1) and the set of covered, non-anchor cells."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in sheet.merges:
        spans[(r0, c0)] = (r1, c1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered.add((r, c))
    return spans, covered


def ncols(sheet: Sheet) -> int:
    return max(len(r) for r in sheet.grid) if sheet.grid else 0


def write_docx(case: Case, sheet: Sheet, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    if sheet.landscape or sheet.wrap_header:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Mm(297), Mm(210)
    else:
        sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(20)
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    doc.styles["Normal"].font.size = Pt(10.5)
    for i, line in enumerate(sheet.title_lines):
        p = doc.add_paragraph(line)
        if i == 0:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in p.runs:
                run.bold = True
                run.font.size = Pt(14)
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    nc = ncols(sheet)
    table = doc.add_table(rows=len(sheet.grid), cols=nc)
    table.style = "Table Grid"
    spans, covered = anchors(sheet)
    for (r0, c0), (r1, c1) in spans.items():
        table.cell(r0, c0).merge(table.cell(r1, c1))
    for r, row in enumerate(sheet.grid):
        for c, cell in enumerate(row):
            if (r, c) in covered:
                continue
            tc = table.cell(r, c)
            tc.text = cell.text
            para = tc.paragraphs[0]
            if cell.num:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif r < sheet.header_rows or cell.center:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if cell.bold:
                for run in para.runs:
                    run.bold = True
    for line in sheet.note_lines:
        doc.add_paragraph(line)
    for line in sheet.explanation:
        doc.add_paragraph(line)
    doc.core_properties.author = ""
    doc.core_properties.created = FIXED_DT
    doc.core_properties.modified = FIXED_DT
    doc.core_properties.last_modified_by = ""
    doc.core_properties.comments = ""
    raw = io.BytesIO()
    doc.save(raw)
    path.write_bytes(normalise_zip(raw.getvalue()))


def _pdf_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def write_pdf_ruled(case: Case, sheet: Sheet, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _pdf_font()
    size = 10
    page = landscape(A4) if (sheet.landscape or sheet.wrap_header) else A4
    margin = 50
    body = ParagraphStyle("b", fontName=PDF_FONT, fontSize=size, leading=size * 1.4, wordWrap="CJK")
    head = ParagraphStyle("h", parent=body, alignment=TA_CENTER)
    title = ParagraphStyle("t", fontName=PDF_FONT, fontSize=15, leading=22, alignment=TA_CENTER)
    unit = ParagraphStyle("u", parent=body, alignment=2)
    spans, covered = anchors(sheet)
    nc = ncols(sheet)
    avail = page[0] - 2 * margin
    while True:
        widths = [24.0] * nc
        for r, row in enumerate(sheet.grid):
            for c, cell in enumerate(row):
                if (r, c) in covered or (r, c) in spans:
                    continue
                if sheet.wrap_header and r == 0 and c > 0:
                    continue
                widths[c] = max(widths[c], stringWidth(cell.text, PDF_FONT, size) + 10)
        if sheet.wrap_header:
            for c in range(1, nc):
                widths[c] = max(widths[c], 4 * size + 10)
        if sum(widths) <= avail or size <= 7:
            break
        size -= 0.5
    body = ParagraphStyle("b", fontName=PDF_FONT, fontSize=size, leading=size * 1.4, wordWrap="CJK")
    head = ParagraphStyle("h", parent=body, alignment=TA_CENTER)
    if sum(widths) > avail:
        factor = avail / sum(widths)
        widths = [w * factor for w in widths]
    data: list[list[Any]] = []
    for r, row in enumerate(sheet.grid):
        line: list[Any] = []
        for c in range(nc):
            cell = row[c] if c < len(row) else Cell("")
            text = cell.text
            if sheet.wrap_header and r == 0:
                line.append(Paragraph(_esc(text), head))
            elif stringWidth(text, PDF_FONT, size) + 8 > widths[c] and not cell.num:
                line.append(Paragraph(_esc(text), body))
            else:
                line.append(text)
        data.append(line)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("FONT", (0, 0), (-1, -1), PDF_FONT, size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, sheet.header_rows - 1), "CENTER"),
    ]
    for r, row in enumerate(sheet.grid):
        for c, cell in enumerate(row):
            if cell.num:
                style.append(("ALIGN", (c, r), (c, r), "RIGHT"))
            elif cell.center:
                style.append(("ALIGN", (c, r), (c, r), "CENTER"))
    for (r0, c0), (r1, c1) in spans.items():
        style.append(("SPAN", (c0, r0), (c1, r1)))
    story: list[Any] = []
    for i, line in enumerate(sheet.title_lines):
        story.append(Paragraph(_esc(line), title if i == 0 else unit))
    story.append(Spacer(1, 6))
    story.append(Table(data, colWidths=widths, style=TableStyle(style), repeatRows=sheet.header_rows))
    story.append(Spacer(1, 6))
    for line in sheet.note_lines + sheet.explanation:
        story.append(Paragraph(_esc(line), body))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=60,
                            bottomMargin=50, invariant=1, title="", author="")
    doc.build(story)
    path.write_bytes(buf.getvalue())


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_pdf_text(case: Case, sheet: Sheet, path: Path) -> None:
    """Text lines only: the table's rows drawn as lines of text at column positions, no rules."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    _pdf_font()
    page = landscape(A4) if (sheet.landscape or sheet.wrap_header) else A4
    size = 10.5 if not sheet.wrap_header else 9
    pitch = size * 1.75
    margin = 56
    buf = io.BytesIO()
    cv = Canvas(buf, pagesize=page, invariant=1)
    cv.setFont(PDF_FONT, size)
    y = page[1] - 70

    def newline(step: float = pitch) -> None:
        nonlocal y
        y -= step
        if y < 60:
            cv.showPage()
            cv.setFont(PDF_FONT, size)
            y = page[1] - 70

    if sheet.list_lines is not None:
        for i, line in enumerate(sheet.list_lines):
            if i == 0:
                cv.setFont(PDF_FONT, 15)
                cv.drawCentredString(page[0] / 2, y, line)
                cv.setFont(PDF_FONT, size)
            elif line:
                cv.drawString(margin, y, line)
            newline()
    else:
        for i, line in enumerate(sheet.title_lines):
            if i == 0:
                cv.setFont(PDF_FONT, 15)
                cv.drawCentredString(page[0] / 2, y, line)
                cv.setFont(PDF_FONT, size)
            else:
                cv.drawRightString(page[0] - margin, y, line)
            newline()
        spans, covered = anchors(sheet)
        nc = ncols(sheet)
        gap = 14 if not sheet.wrap_header else 8
        avail = page[0] - 2 * margin
        while True:
            widths = [0.0] * nc
            for r, row in enumerate(sheet.grid):
                for c, cell in enumerate(row):
                    if (r, c) in covered or (r, c) in spans:
                        continue
                    widths[c] = max(widths[c], stringWidth(cell.text, PDF_FONT, size))
            if sum(widths) + gap * (nc - 1) <= avail or size <= 6:
                break
            size -= 0.5
        cv.setFont(PDF_FONT, size)
        xs = [margin]
        for w in widths[:-1]:
            xs.append(xs[-1] + w + gap)
        for r, row in enumerate(sheet.grid):
            for c, cell in enumerate(row):
                if (r, c) in covered or not cell.text:
                    continue
                if cell.num:
                    cv.drawRightString(xs[c] + widths[c], y, cell.text)
                elif cell.center:
                    cv.drawCentredString(xs[c] + widths[c] / 2, y, cell.text)
                else:
                    cv.drawString(xs[c], y, cell.text)
            newline()
        newline(pitch / 2)
        for line in sheet.note_lines:
            cv.drawString(margin, y, line)
            newline()
    newline(pitch / 2)
    for line in sheet.explanation:
        cv.drawString(margin, y, line)
        newline()
    cv.showPage()
    cv.save()
    path.write_bytes(buf.getvalue())


def _xl_number_format(case: Case) -> str:
    if case.unit == "yuan":
        return "#,##0.00" if case.style == "yuan_sep" else ("#,##0" if case.style == "yuan_sep0" else "0.00")
    return {"2dp": "0.00", "1dp": "0.0", "int": "0", "auto": "General"}[case.style]


def _sheet_rows(sheet: Sheet) -> tuple[list[tuple[int, list[Cell]]], list[tuple[int, int, int, int]], int]:
    """Rows as they go into a spreadsheet: title lines, the table, the notes; with merges shifted."""
    out: list[tuple[int, list[Cell]]] = []
    nc = ncols(sheet)
    merges: list[tuple[int, int, int, int]] = []
    r = 0
    for i, line in enumerate(sheet.title_lines):
        out.append((r, [Cell(line, bold=i == 0)]))
        if i == 0:
            merges.append((r, 0, r, nc - 1))
        r += 1
    top = r
    for row in sheet.grid:
        out.append((r, row))
        r += 1
    merges += [(r0 + top, c0, r1 + top, c1) for r0, c0, r1, c1 in sheet.merges]
    for line in sheet.note_lines:
        out.append((r, [Cell(line)]))
        r += 1
    return out, merges, top


def write_xlsx(case: Case, sheet: Sheet, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if case.extra_sheet:
        ws.title = "填表说明"
        ws["A1"] = "填表说明"
        ws["A2"] = "1. 请按预算科目如实填写，不需要列支的预算科目填写“0”。"
        ws["A3"] = "2. 经费预算表见第二张工作表。"
        ws.column_dimensions["A"].width = 70
        ws = wb.create_sheet("经费预算表")
    else:
        ws.title = "经费预算表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    rows, merges, top = _sheet_rows(sheet)
    nfmt = _xl_number_format(case)
    grid_rows = set(range(top, top + len(sheet.grid)))
    for r, row in rows:
        for c, cell in enumerate(row):
            x = ws.cell(row=r + 1, column=c + 1)
            if cell.num and cell.value is not None and not case.text_cells:
                x.value = cell.value
                x.number_format = nfmt
            else:
                x.value = cell.text if cell.text else None
            if cell.bold:
                x.font = Font(bold=True)
            if r in grid_rows:
                x.border = border
                x.alignment = Alignment(wrap_text=True, vertical="center",
                                        horizontal="right" if cell.num else None)
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    nc = ncols(sheet)
    for c in range(nc):
        letter = get_column_letter(c + 1)
        longest = max((len(row[c].text) for _, row in rows if c < len(row) and (len(row) > 1)), default=6)
        ws.column_dimensions[letter].width = min(40, max(8, longest * 2 + 2))
    wb.properties.created = FIXED_DT
    wb.properties.modified = FIXED_DT
    wb.properties.creator = ""
    raw = io.BytesIO()
    wb.save(raw)
    path.write_bytes(normalise_zip(raw.getvalue()))


def write_xls(case: Case, sheet: Sheet, path: Path) -> None:
    import xlwt  # dev dependency of this benchmark only (pip install xlwt)

    wb = xlwt.Workbook(encoding="utf-8")
    if case.extra_sheet:
        info = wb.add_sheet("填表说明")
        info.write(0, 0, "填表说明")
        info.write(1, 0, "1. 请按预算科目如实填写，不需要列支的预算科目填写“0”。")
        info.write(2, 0, "2. 经费预算表见第二张工作表。")
    ws = wb.add_sheet("经费预算表")
    borders = "borders: left thin, right thin, top thin, bottom thin;"
    font = "font: name 宋体;"
    st_text = xlwt.easyxf(font + borders + "alignment: wrap on, vert centre;")
    st_bold = xlwt.easyxf("font: name 宋体, bold on;" + borders + "alignment: wrap on, vert centre, horiz centre;")
    st_num = xlwt.easyxf(font + borders + "alignment: horiz right;", num_format_str=_xl_number_format(case))
    st_plain = xlwt.easyxf(font)
    st_title = xlwt.easyxf("font: name 宋体, bold on, height 320; alignment: horiz centre;")
    rows, merges, top = _sheet_rows(sheet)
    grid_rows = set(range(top, top + len(sheet.grid)))
    spans = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
               if (r, c) != (r0, c0)}
    for r, row in rows:
        for c, cell in enumerate(row):
            if (r, c) in covered:
                continue
            if r not in grid_rows:
                style = st_title if (r == 0 and cell.bold) else st_plain
            elif cell.num and cell.value is not None and not case.text_cells:
                style = st_num
            else:
                style = st_bold if cell.bold else st_text
            value: Any = cell.value if (cell.num and cell.value is not None and not case.text_cells) else cell.text
            if (r, c) in spans:
                r1, c1 = spans[(r, c)]
                ws.write_merge(r, r1, c, c1, value, style)
            else:
                ws.write(r, c, value, style)
    for c in range(ncols(sheet)):
        longest = max((len(row[c].text) for _, row in rows if c < len(row) and len(row) > 1), default=6)
        ws.col(c).width = 256 * min(40, max(8, longest * 2 + 2))
    raw = io.BytesIO()
    wb.save(raw)
    path.write_bytes(raw.getvalue())


def render_image(sheet: Sheet, px: int = 30) -> Any:
    """The printed page as a picture: the table with its title and notes, black on white."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(CJK_FONT_FILE, px)
    bold = ImageFont.truetype(CJK_FONT_FILE, px)
    tfont = ImageFont.truetype(CJK_FONT_FILE, int(px * 1.45))
    spans, covered = anchors(sheet)
    nc = ncols(sheet)
    pad = int(px * 0.45)
    wrap_w = px * 4  # transposed header cells wrap at four characters

    def cell_lines(r: int, c: int, text: str) -> list[str]:
        if sheet.wrap_header and r == 0 and c > 0 and len(text) > 4:
            return [text[i:i + 4] for i in range(0, len(text), 4)]
        return text.split("\n")

    widths = [px * 2.0] * nc
    for r, row in enumerate(sheet.grid):
        for c, cell in enumerate(row):
            if (r, c) in covered or (r, c) in spans:
                continue
            w = max(font.getlength(x) for x in cell_lines(r, c, cell.text)) if cell.text else 0
            if sheet.wrap_header and r == 0 and c > 0:
                w = min(w, wrap_w)
            widths[c] = max(widths[c], w + 2 * pad)
    heights = []
    for r, row in enumerate(sheet.grid):
        n = max((len(cell_lines(r, c, cell.text)) for c, cell in enumerate(row)), default=1)
        heights.append(int(n * px * 1.25 + 2 * pad))
    margin = px * 3
    table_w = int(sum(widths))
    notes = sheet.note_lines + sheet.explanation
    width = table_w + 2 * margin
    for line in notes:
        width = max(width, int(font.getlength(line)) + 2 * margin)
    height = margin + len(sheet.title_lines) * int(px * 2.0) + sum(heights) + len(notes) * int(px * 1.6) + margin + px
    img = Image.new("L", (width, height), 255)
    d = ImageDraw.Draw(img)
    y = margin
    for i, line in enumerate(sheet.title_lines):
        if i == 0:
            d.text(((width - tfont.getlength(line)) / 2, y), line, font=tfont, fill=0)
        else:
            d.text((margin + table_w - font.getlength(line), y + px * 0.4), line, font=font, fill=0)
        y += int(px * 2.0)
    xs = [float(margin)]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [float(y)]
    for h in heights:
        ys.append(ys[-1] + h)
    for r, row in enumerate(sheet.grid):
        for c in range(nc):
            if (r, c) in covered:
                continue
            r1, c1 = spans.get((r, c), (r, c))
            box = (xs[c], ys[r], xs[c1 + 1], ys[r1 + 1])
            d.rectangle(box, outline=0, width=2)
            cell = row[c] if c < len(row) else Cell("")
            if not cell.text:
                continue
            lines = cell_lines(r, c, cell.text)
            f = bold if cell.bold else font
            th = len(lines) * px * 1.25
            ty = (box[1] + box[3]) / 2 - th / 2
            for line in lines:
                lw = f.getlength(line)
                if cell.num:
                    tx = box[2] - pad - lw
                elif r < sheet.header_rows or (sheet.wrap_header and r == 0) or cell.center:
                    tx = (box[0] + box[2]) / 2 - lw / 2
                else:
                    tx = box[0] + pad
                d.text((tx, ty), line, font=f, fill=0)
                ty += px * 1.25
    y = int(ys[-1] + px * 0.6)
    for line in notes:
        d.text((margin, y), line, font=font, fill=0)
        y += int(px * 1.6)
    return img


def write_scan(case: Case, sheet: Sheet, path: Path) -> None:
    import numpy as np
    from PIL import Image, ImageFilter
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    rng = case.rng
    img = render_image(sheet, px=30)
    # onto an A4-proportioned sheet (about 200 dpi), as a scanner delivers it
    page_w = max(img.width + 160, 1654)
    page_h = max(int(page_w * 297 / 210), img.height + 200)
    page_w = max(page_w, int(page_h * 210 / 297))
    page = Image.new("L", (page_w, page_h), 255)
    page.paste(img, ((page_w - img.width) // 2, 150))
    page = page.rotate(rng.uniform(-1.6, 1.6), resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    arr = np.asarray(page).astype(np.float32)
    nrng = np.random.default_rng(int(hashlib.sha256(case.pid.encode()).hexdigest()[:8], 16))
    arr = arr * rng.uniform(0.86, 0.95) + 14  # grey paper, not quite black ink
    arr += nrng.normal(0, 9, arr.shape)
    speck = nrng.random(arr.shape) < 0.0008
    arr[speck] = 40
    page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7))
    jpg = io.BytesIO()
    page.save(jpg, format="JPEG", quality=80)
    buf = io.BytesIO()
    cv = Canvas(buf, pagesize=A4, invariant=1)
    cv.drawImage(ImageReader(io.BytesIO(jpg.getvalue())), 0, 0, A4[0], A4[1])
    cv.showPage()
    cv.save()
    path.write_bytes(buf.getvalue())


def _perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """Coefficients for PIL's PERSPECTIVE transform mapping output points `dst` to input points `src`."""
    import numpy as np

    a = []
    b = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    res = np.linalg.solve(np.array(a, dtype=float), np.array(b, dtype=float))
    return [float(x) for x in res]


def write_photo(case: Case, sheet: Sheet, path: Path) -> None:
    import numpy as np
    from PIL import Image, ImageChops, ImageFilter

    rng = case.rng
    img = render_image(sheet, px=30)
    sheet_img = Image.new("L", (img.width + 120, img.height + 120), 255)
    sheet_img.paste(img, (60, 60))
    paper = ImageChops.multiply(Image.new("RGB", sheet_img.size, (246, 244, 236)), sheet_img.convert("RGB"))
    pw, ph = paper.size
    out_w, out_h = int(pw * 1.12), int(ph * 1.12)
    j = lambda s: rng.uniform(-s, s) * pw  # noqa: E731
    ox, oy = (out_w - pw) / 2, (out_h - ph) / 2
    dst = [(ox + j(0.05), oy + j(0.04)), (ox + pw + j(0.05), oy + j(0.04)),
           (ox + pw + j(0.04), oy + ph + j(0.03)), (ox + j(0.04), oy + ph + j(0.03))]
    src = [(0, 0), (pw, 0), (pw, ph), (0, ph)]
    coeffs = _perspective_coeffs(src, dst)
    bg = Image.new("RGB", (out_w, out_h), (92, 74, 60))  # a desk
    warped = paper.transform((out_w, out_h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC,
                             fillcolor=(92, 74, 60))
    mask = Image.new("L", paper.size, 255).transform((out_w, out_h), Image.Transform.PERSPECTIVE, coeffs,
                                                     Image.Resampling.BILINEAR, fillcolor=0)
    bg.paste(warped, (0, 0), mask)
    arr = np.asarray(bg).astype(np.float32)
    yy, xx = np.mgrid[0:out_h, 0:out_w]
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    light = 1.0 + 0.16 * ((xx / out_w - 0.5) * gx + (yy / out_h - 0.5) * gy) * 2
    arr *= light[..., None]
    arr *= np.array([1.0, 0.98, 0.93])  # warm indoor light
    nrng = np.random.default_rng(int(hashlib.sha256(case.pid.encode()).hexdigest()[:8], 16))
    arr += nrng.normal(0, 5, arr.shape)
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.0))
    if photo.width > 2200:
        photo = photo.resize((2200, int(photo.height * 2200 / photo.width)), Image.Resampling.LANCZOS)
    photo.save(path, format="JPEG", quality=82, optimize=False)


WRITERS = {
    "docx": write_docx, "pdf_ruled": write_pdf_ruled, "pdf_text": write_pdf_text, "xlsx": write_xlsx,
    "xls": write_xls, "scan_pdf": write_scan, "photo_jpg": write_photo,
}


# ---------------------------------------------------------------------------------------------
# application.json and gold


def application(case: Case, gold: dict[str, Any], app_total: float, subsidy: float) -> dict[str, Any]:
    rng = case.rng
    name, alias, region = rng.choice(APPLICANTS)
    leader = rng.choice(SURNAMES) + rng.choice(GIVEN)
    digits = "".join(str(rng.randint(0, 9)) for _ in range(8))
    return {
        "project_id": case.pid,
        "call": "quzhou-2020",
        "title": rng.choice(TITLES),
        "category": "key",
        "recommender": "市本级" if region == "市本级" else region,
        "submitted_at": "2020-06-20T10:15:00+08:00",
        "applicant": {
            "name": name, "aliases": [alias], "credit_code": "91330800MA28" + digits[:5] + "X",
            "region": region, "kind": "enterprise", "industrial": True,
            "address": f"衢州市{region if region != '市本级' else '柯城区'}某某路{rng.randint(1, 200)}号",
            "phone": f"0570-{digits[:7]}", "rd_investment_prev_year": round(rng.uniform(120, 2600), 1),
            "blacklisted": False, "unaccepted_projects": 0,
        },
        "partners": [],
        "team": [{"name": leader, "role": "leader", "title": "高级工程师", "ongoing_as_leader": 0,
                  "ongoing_as_member": 1}],
        "budget": {"total": app_total, "rd": app_total, "subsidy": subsidy},
        "implementation_months": 24,
        "attachments": [{"file": KIND_FILES[case.kind], "role": "budget"}],
    }


def make_project(k: int, t: int, out: Path) -> dict[str, Any]:
    case = configure(k, t)
    rows, gold = build_rows(case)
    sheet = list_sheet(case, rows) if case.text_style == "list" else build_sheet(case, rows)
    folder = out / case.pid
    folder.mkdir(parents=True, exist_ok=True)
    WRITERS[case.kind](case, sheet, folder / KIND_FILES[case.kind])
    total = gold["total"]
    subsidy = gold["_subsidy"] if gold["_subsidy"] is not None else round(total * 0.2, 0)
    app_total = round(total, 2)
    mismatch_note = ""
    if case.error == "mismatch":
        how = case.rng.choice(["typo", "subsidy_as_total", "old_version"])
        if how == "subsidy_as_total" and subsidy and abs(subsidy - total) > 1:
            app_total = round(float(subsidy), 2)
            mismatch_note = "application.json total is the 财政补助 figure"
        elif how == "old_version":
            app_total = round(total + case.rng.choice([30, 50, -20, 12.5]), 2)
            mismatch_note = "application.json total from an earlier version of the budget"
        else:
            app_total = round(total + case.rng.choice([10, -10, 1, 100, -5]), 2)
            mismatch_note = "application.json total mistyped"
    app = application(case, gold, app_total, float(subsidy))
    (folder / "application.json").write_text(json.dumps(app, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    item_delta, total_delta = gold["_delta"]
    desc = [f"{case.template} as {case.kind}"]
    if case.error in ("sum", "sum_subtotal"):
        if item_delta:
            (n, d), = item_delta.items()
            where = "a leaf subject (subtotal and total kept)" if case.error == "sum_subtotal" else "one subject"
            desc.append(f"planted budget.sum: {where} {n} printed {d / FEN_PER_WAN:+g} 万元 off")
        else:
            desc.append(f"planted budget.sum: printed total {total_delta / FEN_PER_WAN:+g} 万元 off the items")
    if case.error == "split":
        desc.append(f"planted budget.split on row {gold['_split_error_row']}")
    if case.error == "mismatch":
        desc.append(f"planted budget.total_mismatch: {mismatch_note} ({app_total:g} vs printed {total:g})")
    entry: dict[str, Any] = {
        "kind": case.kind,
        "file": KIND_FILES[case.kind],
        "template": case.template,
        "layouts": sorted(set(case.tags)),
        "error": case.error if case.error != "sum_subtotal" else "sum",
        "budget": {"total": gold["total"], "items": gold["items"], "sum_ok": gold["sum_ok"]},
        "items_accept": gold["_accept"],
        "expect": {
            "budget.sum": not gold["sum_ok"],
            "budget.total_mismatch": case.error == "mismatch",
            "budget.split": case.error == "split",
        },
        "application_total": app_total,
        "description": "; ".join(desc) + case.description,
    }
    # the keys ../shared/tools/score.py reads
    entry["rules"] = [r for r, on in entry["expect"].items() if on]
    entry["rules_must_not_fire"] = [{"rule": r} for r, on in entry["expect"].items() if not on]
    assert entry["expect"]["budget.sum"] == (case.error in ("sum", "sum_subtotal")), case.pid
    return {case.pid: entry}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="output folder (its projects/ and gold.json are replaced)")
    args = ap.parse_args()
    out: Path = args.out
    projects = out / "projects"
    if projects.exists():
        shutil.rmtree(projects)
    projects.mkdir(parents=True)
    gold: dict[str, Any] = {}
    for k in range(len(KINDS)):
        for t in range(len(TEMPLATES)):
            gold.update(make_project(k, t, projects))
    doc = {
        "about": "Blind budget benchmark (benchmarks/budgets/make.py); amounts in 万元. "
                 "budget.items: the expense subjects; items with amount 0 are optional.",
        "projects": gold,
    }
    (out / "gold.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n_err = sum(1 for g in gold.values() if g["error"])
    print(f"{len(gold)} projects in {projects} ({n_err} with a planted error); gold: {out / 'gold.json'}")


if __name__ == "__main__":
    main()
