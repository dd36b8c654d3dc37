#!/usr/bin/env python3
"""Write the development budget set: OUT/projects/DEV-nnn/ (application.json + one budget attachment) and OUT/gold.json.

    python benchmarks/budgets_dev/make.py OUT

48 budget attachments (经费预算表) in seven file kinds — docx, pdf with a ruled table, pdf with text lines only,
xlsx, xls, a scanned page in a PDF and a phone photo — in layouts taken from real Chinese programme forms
(SOURCES.md), with budget.sum / budget.total_mismatch / budget.split errors planted in 17 of them. The gold follows
the conventions of benchmarks/budgets/README.md ("Gold conventions"); see README.md in this folder.

Deterministic: one seed per project, fixed document dates, zip members dated 1980, reportlab's invariant mode.
Every file is read back after it is written (python-docx, openpyxl, python-calamine for xls, pdfplumber for
PDFs, Pillow for pictures) and the amounts read back are checked against the gold.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pdfplumber
import xlwt
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl.styles import Alignment, Border, Font, Side
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
PDF_FONT = "STSong-Light"
FIXED_DT = datetime(2020, 6, 15, 9, 30, 0)
FIXED_ISO = "2020-06-15T09:30:00Z"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
WAN = 10000  # 元 per 万元

pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


# ----------------------------------------------------------------------------------------------------------------
# Money: every amount is an int in 元; 万元 tables use multiples of 100 元 (0.01 万元)
# ----------------------------------------------------------------------------------------------------------------


def wan(yuan: int) -> Decimal:
    return Decimal(yuan) / Decimal(WAN)


def gold_wan(yuan: int) -> float:
    return round(float(wan(yuan)), 6)


@dataclass(frozen=True)
class Fmt:
    """How the amounts of one table are printed."""

    unit: str = "万元"  # 万元 | 元
    style: str = "2dp"  # 万元: 2dp | typed ; 元: sep2 | sep0 | plain
    empty: str = "0.00"  # a subject left at zero: 0 | 0.00 | — | / | "" (blank)
    per_line: bool = False  # the unit after every amount (35.00万元)
    as_text: bool = False  # spreadsheets: numbers stored as text

    @property
    def mult(self) -> int:
        return WAN if self.unit == "万元" else 1

    def number(self, yuan: int) -> str:
        if self.unit == "万元":
            d = wan(yuan)
            if self.style == "typed":
                return format(d.normalize(), "f") if d != 0 else "0"
            return f"{d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"
        if self.style == "sep2":
            return f"{yuan:,.2f}"
        if self.style == "sep0":
            return f"{yuan:,}"
        return str(yuan)

    def text(self, yuan: int) -> str:
        if yuan == 0:
            if self.empty in ("0", "0.00") and self.per_line:
                return self.empty + self.unit
            return self.empty
        s = self.number(yuan)
        return s + self.unit if self.per_line else s

    def value(self, yuan: int) -> float | None:
        """The number a spreadsheet cell holds, or None when the cell holds text."""
        if self.per_line or self.as_text:
            return None
        if yuan == 0 and self.empty not in ("0", "0.00"):
            return None
        return float(Decimal(yuan) / Decimal(self.mult))

    def numfmt(self) -> str:
        if self.unit == "万元":
            return "General" if self.style == "typed" else "0.00"
        return {"sep2": "#,##0.00", "sep0": "#,##0"}.get(self.style, "0")

    def prose(self, yuan: int) -> str:
        """An amount inside a sentence, with its unit."""
        if self.unit == "万元":
            return f"{wan(yuan):.2f}万元"
        return f"{yuan:,}元"


def parse_amount(text: str, unit: str) -> int:
    """What a printed amount means, in 元 (an independent parser for the read-back checks)."""
    t = text.strip().replace(",", "").replace(" ", "")
    for u in ("万元", "元"):
        if t.endswith(u):
            t = t[: -len(u)]
    if t in ("", "—", "/", "-", "－"):
        return 0
    d = Decimal(t) * (WAN if unit == "万元" else 1)
    if d != d.to_integral_value():
        raise AssertionError(f"amount {text!r} is not a whole number of 元")
    return int(d)


# ----------------------------------------------------------------------------------------------------------------
# Subject schemes (SOURCES.md) and the invented budgets
# ----------------------------------------------------------------------------------------------------------------

# (name, weight, sub-items that partition the subject)
Scheme = list[tuple[str, float, list[str]]]

SCHEMES: dict[str, Scheme] = {
    # 2016-2019 national / provincial list: twelve subjects, 间接费用 last (fsou 177737, fsou 169922)
    "A": [
        ("设备费", 0.28, ["购置设备费", "试制设备费", "设备改造与租赁费"]),
        ("材料费", 0.20, []),
        ("测试化验加工费", 0.08, []),
        ("燃料动力费", 0.04, []),
        ("差旅费", 0.03, []),
        ("会议费", 0.015, []),
        ("国际合作与交流费", 0.0, []),
        ("出版/文献/信息传播/知识产权事务费", 0.025, []),
        ("劳务费", 0.12, []),
        ("专家咨询费", 0.02, []),
        ("其他支出", 0.0, []),
        ("间接费用", 0.08, []),
    ],
    # the merged travel subject of the 2019+ forms (360docs 课题收支决算明细表)
    "B": [
        ("设备费", 0.25, ["购置设备费", "试制设备费", "设备改造与租赁费"]),
        ("材料费", 0.22, []),
        ("测试化验加工费", 0.09, []),
        ("燃料动力费", 0.05, []),
        ("会议/差旅/国际合作交流费", 0.04, []),
        ("出版/文献/信息传播/知识产权事务费", 0.03, []),
        ("劳务费", 0.12, []),
        ("专家咨询费", 0.02, []),
        ("其他支出", 0.0, []),
        ("间接费用", 0.08, []),
    ],
    # the three direct subjects of the 2021+ forms (设备费 / 业务费 / 劳务费) plus 间接费用
    "C": [
        ("设备费", 0.30, ["购置设备费", "试制设备费", "设备升级改造与租赁费"]),
        ("业务费", 0.40, ["材料费", "测试化验加工费", "燃料动力费", "会议/差旅/国际合作交流费",
                          "出版/文献/信息传播/知识产权事务费"]),
        ("劳务费", 0.18, ["人员劳务费", "专家咨询费"]),
        ("间接费用", 0.09, []),
    ],
    # the older 科技三项费用 list (云南省科技计划项目经费预算表, qiqiwenku)
    "D": [
        ("人员费", 0.15, ["项目负责人", "主要研究人员"]),
        ("设备费", 0.30, ["购置费", "试制费"]),
        ("能源材料费", 0.22, ["原材料", "燃料及动力费", "低值易耗品"]),
        ("试验外协费", 0.10, ["测试及化验费", "外协费", "租赁费"]),
        ("技术引进费", 0.0, []),
        ("差旅费", 0.04, []),
        ("知识产权保护费", 0.02, []),
        ("管理费", 0.04, []),
        ("其他费用", 0.02, []),
    ],
    # an enterprise's list with 外协费 and the merged 差旅/会议 subject (wenke99 项目经费预算表)
    "H": [
        ("设备费", 0.30, []),
        ("材料费", 0.24, []),
        ("外协费", 0.10, []),
        ("测试化验加工费", 0.06, []),
        ("燃料动力费", 0.03, []),
        ("劳务费", 0.12, []),
        ("专家咨询费", 0.015, []),
        ("差旅/会议/国际合作与交流费", 0.03, []),
        ("出版/文献/信息传播/知识产权事务费", 0.02, []),
        ("其他支出", 0.02, []),
    ],
}

SCHEME_TAGS = {"A": "subjects_2016", "B": "subjects_merged_travel", "C": "subjects_three", "D": "subjects_old",
               "H": "subjects_enterprise"}
INDIRECT = {"间接费用"}


@dataclass
class Subj:
    name: str
    yuan: int
    fiscal: int
    subs: list[tuple[str, int]]
    direct: bool = True


@dataclass
class Budget:
    subjects: list[Subj]
    gran: int

    @property
    def total(self) -> int:
        return sum(s.yuan for s in self.subjects)


def split_parts(total: int, weights: Sequence[float], gran: int) -> list[int]:
    """Split total into parts of the given weights, rounded to gran; the heaviest part takes the rest."""
    ws = list(weights) if sum(weights) > 0 else [1.0] * len(weights)
    wsum = sum(ws)
    parts = [round(total * w / wsum / gran) * gran for w in ws]
    k = max(range(len(ws)), key=lambda i: ws[i])
    parts[k] += total - sum(parts)
    assert sum(parts) == total and min(parts) >= 0, (total, weights, parts)
    return parts


def make_budget(rng: random.Random, scheme: str, lo: float, hi: float, gran: int, fiscal_share: float,
                zero_extra: int = 1) -> Budget:
    spec = SCHEMES[scheme]
    total = round(rng.uniform(lo, hi) * WAN / gran) * gran
    weights = [w * rng.uniform(0.6, 1.4) for _, w, _ in spec]
    # one or two small subjects left at zero besides the ones the scheme leaves empty
    small = [i for i, (_, w, _) in enumerate(spec) if 0 < w <= 0.03]
    for i in rng.sample(small, min(zero_extra, len(small))):
        weights[i] = 0.0
    amounts = split_parts(total, weights, gran)
    subjects: list[Subj] = []
    for (name, _w, subs), amount in zip(spec, amounts, strict=True):
        fiscal = 0
        if amount and name not in INDIRECT and rng.random() < 0.85:
            share = min(1.0, fiscal_share * rng.uniform(0.5, 1.6))
            fiscal = min(amount, round(amount * share / gran) * gran)
        sub_amounts = split_parts(amount, [rng.uniform(0.4, 1.6) for _ in subs], gran) if subs else []
        subjects.append(Subj(name, amount, fiscal, list(zip(subs, sub_amounts, strict=True)), name not in INDIRECT))
    return Budget(subjects, gran)


# ----------------------------------------------------------------------------------------------------------------
# Planted errors and the values as printed
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plant:
    rule: str | None = None  # budget.sum | budget.total_mismatch | budget.split
    mode: str = ""  # sum: item | total | leaf_subtotal ; split: row | total_row ; mismatch: earlier | typo | fiscal | decimal
    target: str = ""  # the subject a row error is on
    delta: int = 0  # 元


class Vals:
    """The values printed in the table: the budget with the planted error applied."""

    def __init__(self, b: Budget, plant: Plant) -> None:
        self.b = b
        self.plant = plant
        self.names = [s.name for s in b.subjects]
        self.t = [s.yuan for s in b.subjects]
        self.f = [s.fiscal for s in b.subjects]
        self.s = [s.yuan - s.fiscal for s in b.subjects]
        self.total = sum(self.t)
        self.ftot = sum(self.f)
        self.stot = sum(self.s)
        direct = [i for i, s in enumerate(b.subjects) if s.direct]
        self.direct_t = sum(self.t[i] for i in direct)
        self.direct_f = sum(self.f[i] for i in direct)
        self.direct_s = sum(self.s[i] for i in direct)
        if plant.rule == "budget.sum":
            if plant.mode in ("item", "leaf_subtotal"):
                k = self.index(plant.target)
                self.t[k] += plant.delta
                self.s[k] += plant.delta
            elif plant.mode == "total":
                self.total += plant.delta
                self.stot += plant.delta
            else:
                raise ValueError(plant.mode)
        elif plant.rule == "budget.split":
            if plant.mode == "row":
                self.f[self.index(plant.target)] += plant.delta
            elif plant.mode == "total_row":
                self.stot += plant.delta
            else:
                raise ValueError(plant.mode)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def subject(self, i: int) -> Subj:
        return self.b.subjects[i]

    def sub_split(self, i: int) -> list[tuple[str, int, int, int]]:
        """Sub-items of subject i with their fiscal / self parts (fiscal shared out in proportion)."""
        s = self.subject(i)
        if not s.subs:
            return []
        fparts = split_parts(s.fiscal, [a or 0.0 for _, a in s.subs], 100) if s.fiscal and s.yuan else [0] * len(s.subs)
        # fiscal parts must not exceed the sub-item: move any excess to the largest sub-item
        out = []
        for (name, a), fp in zip(s.subs, fparts, strict=True):
            out.append((name, a, min(fp, a), a - min(fp, a)))
        excess = s.fiscal - sum(o[2] for o in out)
        if excess:
            j = max(range(len(out)), key=lambda k: out[k][3])
            name, a, fp, _sp = out[j]
            out[j] = (name, a, fp + excess, a - fp - excess)
        return out


# ----------------------------------------------------------------------------------------------------------------
# The document model every renderer draws
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    align: str = "c"  # l | c | r
    bold: bool = False
    value: float | None = None  # the number a spreadsheet holds (None: text)
    numfmt: str = "General"
    role: str = ""  # item:<i> | total | f:item:<i> | s:total | direct | sub … for the read-back checks


@dataclass
class Table:
    widths: list[float]
    rows: list[list[Cell | None]]
    header_rows: int = 1
    font_size: float = 10.5
    pad: float = 3.0
    repeat_header: bool = False


@dataclass
class Para:
    text: str
    size: float = 10.5
    bold: bool = False
    align: str = "l"
    space_before: float = 0.0
    space_after: float = 3.0


@dataclass
class PageBreak:
    pass


Block = Para | Table | PageBreak


@dataclass
class Doc:
    blocks: list[Block]
    landscape: bool = False
    title: str = ""
    probes: list[tuple[str, str]] = field(default_factory=list)  # (role, printed amount) outside tables

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


class TB:
    """Builds a table row by row; cells skip the positions covered by earlier spans."""

    def __init__(self, widths: list[float]) -> None:
        self.widths = widths
        self.n = len(widths)
        self.rows: list[list[Cell | None]] = []
        self.covered: set[tuple[int, int]] = set()

    def row(self, cells: Sequence[Cell]) -> None:
        r = len(self.rows)
        line: list[Cell | None] = [None] * self.n
        c = 0
        for cell in cells:
            while (r, c) in self.covered:
                c += 1
            assert c + cell.colspan <= self.n, (cell.text, c, self.n)
            line[c] = cell
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if dr or dc:
                        self.covered.add((r + dr, c + dc))
            c += cell.colspan
        for c in range(self.n):
            if line[c] is None and (r, c) not in self.covered:
                line[c] = Cell("")
        self.rows.append(line)

    def table(self, header_rows: int, **kw: Any) -> Table:
        return Table(self.widths, self.rows, header_rows, **kw)


# ----------------------------------------------------------------------------------------------------------------
# Layout options
# ----------------------------------------------------------------------------------------------------------------

CN = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫"


def cn_num(n: int) -> str:
    return CN[n - 1] if n <= 10 else "十" + CN[n - 11]


def numbered(style: str, n: int) -> str:
    return {
        "dunhao": f"{n}、",
        "dot": f"{n}.",
        "cn_dunhao": f"{cn_num(n)}、",
        "paren_cn": f"（{cn_num(n)}）",
        "paren": f"（{n}）",
        "paren_ascii": f"({n})",
        "circled": CIRCLED[n - 1],
        "none": "",
    }[style]


@dataclass
class Opts:
    scheme: str = "A"
    lo: float = 80.0  # total between lo and hi 万元
    hi: float = 400.0
    gran: int = 100  # 元
    fiscal_share: float = 0.3
    fmt: Fmt = Fmt()
    title: str = "项目经费预算表"
    project_line: bool = True  # 项目名称：… under the title
    # vertical tables
    split: tuple[str, str, str] | None = None  # labels of (total, fiscal, self) columns
    order: str = "TFS"
    group_header: str = ""  # a header cell spanning the amount columns
    total_pos: str = "bottom"  # bottom | top
    total_label: str = "合计"
    levels: str = ""  # "" | header | subtotal | header_subtotal (直接费用 / 间接费用 levels)
    level_style: str = "cn_dunhao"
    numbering: str = "dunhao"
    sub_numbering: str = "paren"  # paren | paren_ascii | qizhong | dot
    subitems: tuple[str, ...] = ()
    perf_row: bool = False  # 其中：绩效支出 under 间接费用
    seq: bool = False
    name_label: str = "预算科目名称"
    amount_label: str = "金额"
    unit_place: str = "title"  # title | head | note | per_line | in_table | heading
    unit_line: str = "单位：万元"
    note: str = ""  # extra note under the table
    basis: str = ""  # label of a 测算依据 column
    remark: str = ""  # label of a 备注 column
    title_in_table: bool = False
    col_numbers: str = ""  # "" | paren | circled_paren: a row (1)(2)(3) under the header
    sources: str = ""  # "" | after | after_simple | before_table
    cover: bool = False
    prose_after: bool = False
    wrap: bool = False
    two_pages: bool = False
    font_size: float = 10.5
    # transposed / side by side / by year
    rows_mode: str = "split"  # transposed: split | amount
    pct_row: bool = False
    total_first: bool = False
    side_mode: str = "two_lists"  # two_lists | sources_beside
    years: tuple[str, ...] = ("2020年", "2021年")
    # spreadsheets
    first_sheet: str = ""  # "" | cover | instructions
    sheet_name: str = "经费预算表"


@dataclass
class Ctx:
    pid: str
    o: Opts
    v: Vals
    rng: random.Random
    project_title: str
    tags: list[str] = field(default_factory=list)
    items_accept: list[list[tuple[str, int]]] = field(default_factory=list)

    @property
    def fmt(self) -> Fmt:
        return self.o.fmt

    def tag(self, *names: str) -> None:
        for n in names:
            if n not in self.tags:
                self.tags.append(n)


# ----------------------------------------------------------------------------------------------------------------
# 测算依据: prose with numbers in it (the numbers add up to the subject's amount)
# ----------------------------------------------------------------------------------------------------------------

DEVICES = ["高效液相色谱仪", "恒温恒湿试验箱", "真空干燥箱", "激光粒度分析仪", "旋转流变仪", "工业机器人工作站",
           "数字示波器", "中试反应釜", "三坐标测量机", "气相色谱-质谱联用仪", "多通道数据采集系统", "精密注塑机"]


def basis_text(ctx: Ctx, i: int) -> str:
    """The 测算依据 of subject i, written as applicants write them (numbers in the prose)."""
    v, f, rng = ctx.v, ctx.fmt, random.Random(f"{ctx.pid}-basis-{i}")
    name, amount = v.names[i], v.t[i]
    if amount == 0:
        return "不列支" if rng.random() < 0.5 else ""
    gran = max(100, ctx.v.b.gran) if f.unit == "万元" else ctx.v.b.gran
    if name in ("设备费", "购置费"):
        d1, d2 = rng.sample(DEVICES, 2)
        p1, p2 = split_parts(amount, [rng.uniform(0.4, 0.7), 0.5], gran)
        if p2 % 2 == 0 and (p2 // 2) % gran == 0 and rng.random() < 0.5:
            return f"购置{d1}1台，{f.prose(p1)}；{d2}2台，单价{f.prose(p2 // 2)}"
        return f"购置{d1}1台，{f.prose(p1)}；{d2}1套，{f.prose(p2)}"
    if name == "业务费":
        subs = v.subject(i).subs
        return "，".join(f"{n}{f.prose(a)}" for n, a in subs if a) + "。"
    if name in ("材料费", "能源材料费"):
        p1, p2 = split_parts(amount, [0.65, 0.35], gran)
        return f"原材料{f.prose(p1)}，化学试剂及实验耗材{f.prose(p2)}"
    if name in ("测试化验加工费", "试验外协费", "外协费"):
        return f"委托第三方检测、样品加工约{rng.randint(12, 60)}批次"
    if name == "燃料动力费":
        return f"中试装置运行水、电、气费用，按{rng.choice([12, 18, 24])}个月测算"
    if name in ("劳务费", "人员费"):
        return f"聘用研究生及临时研究人员{rng.randint(2, 6)}人，按{rng.choice([12, 18, 24])}个月计"
    if name == "专家咨询费":
        return f"邀请专家咨询约{rng.randint(6, 20)}人次"
    if "差旅" in name or name == "会议费":
        return f"调研、参加学术会议约{rng.randint(8, 30)}人次"
    if name.startswith("出版"):
        return f"申请发明专利{rng.randint(2, 5)}件，论文版面费等"
    if name in ("间接费用", "管理费"):
        return f"按直接费用扣除设备购置费后的{rng.choice([10, 13, 15, 20])}%以内核定"
    return "据实列支"


def remark_text(ctx: Ctx, i: int) -> str:
    name, amount = ctx.v.names[i], ctx.v.t[i]
    rng = random.Random(f"{ctx.pid}-remark-{i}")
    if not amount:
        return ""
    if name in ("设备费", "购置费") and rng.random() < 0.8:
        return "见设备明细"
    if name in ("劳务费", "人员费"):
        return "不含有工资性收入人员"
    if name in ("间接费用",):
        return "含绩效支出"
    return ""


# ----------------------------------------------------------------------------------------------------------------
# Builders: one per family of layouts
# ----------------------------------------------------------------------------------------------------------------


def amt_cell(f: Fmt, yuan: int | str | None, role: str = "", align: str = "r", bold: bool = False) -> Cell:
    if yuan is None:
        return Cell("", align=align)
    if isinstance(yuan, str):
        return Cell(yuan, align="c")
    return Cell(f.text(yuan), align=align, value=f.value(yuan), numfmt=f.numfmt(), role=role, bold=bold)


def head_paras(ctx: Ctx, *, unit_line: bool = True) -> list[Block]:
    o = ctx.o
    blocks: list[Block] = []
    if o.cover:
        ctx.tag("cover_page")
        blocks += [
            Para("衢州市科技计划项目", size=22, align="c", space_before=120, space_after=12),
            Para("经费预算表", size=26, align="c", space_after=90),
            Para(f"项目名称：{ctx.project_title}", size=14, space_after=10),
            Para("申报单位：（按要求隐去）", size=14, space_after=10),
            Para("项目负责人：（按要求隐去）", size=14, space_after=10),
            Para("填报日期：2020年6月", size=14, space_after=10),
            PageBreak(),
        ]
    if not o.title_in_table:
        blocks.append(Para(o.title, size=16, bold=True, align="c", space_after=8))
        if o.project_line:
            blocks.append(Para(f"项目名称：{ctx.project_title}", space_after=4))
    if unit_line and o.unit_place == "title":
        blocks.append(Para(o.unit_line, align="r", space_after=2))
        ctx.tag("unit_title")
    return blocks


def unit_note(ctx: Ctx) -> list[Block]:
    o, out = ctx.o, []
    if o.unit_place == "note":
        out.append(Para(o.unit_line, size=9, space_before=3))
        ctx.tag("unit_note")
    if o.note:
        out.append(Para(o.note, size=9, space_before=3))
    return out


def two_pages_intro(ctx: Ctx) -> list[Block]:
    """编制说明 before the table, long enough that the table runs onto a second page."""
    lines = [
        "编制说明",
        "1、本表由项目申报单位按照市科技计划项目资金管理的有关规定编制，经费预算应与项目任务相匹配，"
        "坚持目标相关性、政策相符性和经济合理性原则。",
        "2、直接费用是指在项目实施过程中发生的与之直接相关的费用；间接费用是指承担单位在组织实施项目过程中"
        "发生的无法在直接费用中列支的相关费用，主要包括承担单位为项目研究提供的现有仪器设备及房屋，"
        "水、电、气、暖消耗，有关管理费用的补助支出，以及激励科研人员的绩效支出等。",
        "3、设备费是指在项目实施过程中购置或试制专用仪器设备，对现有仪器设备进行升级改造，以及租赁外单位"
        "仪器设备而发生的费用。应当严格控制设备购置费支出，鼓励共享、试制、租赁专用仪器设备以及对现有仪器"
        "设备进行升级改造，避免重复购置。",
        "4、材料费是指在项目实施过程中消耗的各种原材料、辅助材料、低值易耗品等的采购及运输、装卸、整理等费用；"
        "测试化验加工费是指在项目实施过程中支付给外单位的检验、测试、化验及加工等费用。",
        "5、劳务费是指在项目实施过程中支付给参与项目研究的研究生、博士后、访问学者以及项目聘用的研究人员、"
        "科研辅助人员等的劳务性费用；专家咨询费是指在项目实施过程中支付给临时聘请的咨询专家的费用。",
        "6、经费来源应如实填写，自筹经费应有可靠来源。申请市财政补助经费的，应说明补助经费的主要用途。",
    ]
    out: list[Block] = [Para(lines[0], size=12, bold=True, align="c", space_after=6)]
    out += [Para(t, size=12, space_after=6) for t in lines[1:]]
    return out


def build_vertical(ctx: Ctx) -> Doc:
    """Subjects down the page: one amount column or 合计 / 财政 / 自筹 columns, levels, sub-items, sources."""
    o, v, f = ctx.o, ctx.v, ctx.fmt
    split = o.split is not None
    cols: list[tuple[str, float]] = []
    if o.seq:
        cols.append(("seq", 0.6))
    cols.append(("name", 1.7 if o.wrap else 3.1))
    amount_keys = list(o.order) if split else ["T"]
    cols += [(k, 1.25) for k in amount_keys]
    if o.basis:
        cols.append(("basis", 3.6))
    if o.remark:
        cols.append(("remark", 1.4))
    keys = [k for k, _ in cols]
    tb = TB([w for _, w in cols])
    n = len(keys)

    ctx.tag("split_cols" if split else "single_col")
    if o.wrap:
        ctx.tag("wrapped_names")
    if o.basis:
        ctx.tag("basis_column")
    if o.remark:
        ctx.tag("remark_column")
    if o.seq:
        ctx.tag("seq_column")
    ctx.tag(f"num_{o.numbering}")
    if f.unit == "元":
        ctx.tag("yuan_separators" if f.style in ("sep2", "sep0") else "yuan")
    if o.unit_place == "per_line" or f.per_line:
        ctx.tag("unit_per_line")

    unit_suffix = f"（{f.unit}）" if o.unit_place == "head" else ""
    if unit_suffix:
        ctx.tag("unit_header")
    labels = {"T": o.amount_label, "F": "", "S": ""}
    if o.split:
        labels = {"T": o.split[0], "F": o.split[1], "S": o.split[2]}

    header_rows = 0
    if o.title_in_table:
        tb.row([Cell(o.title, colspan=n, bold=True)])
        header_rows += 1
        ctx.tag("title_in_table")
        if o.unit_place == "in_table":
            tb.row([Cell(o.unit_line, colspan=n, align="r")])
            header_rows += 1
            ctx.tag("unit_title")
    two_level = split and bool(o.group_header)
    head: list[Cell] = []
    for k in keys:
        rs = 2 if two_level else 1
        if k == "seq":
            head.append(Cell("序号", rowspan=rs, bold=True))
        elif k == "name":
            head.append(Cell(o.name_label, rowspan=rs, bold=True))
        elif k in "TFS":
            if two_level:
                if k == amount_keys[0]:
                    head.append(Cell(o.group_header + unit_suffix, colspan=len(amount_keys), bold=True))
            else:
                head.append(Cell(labels[k] + unit_suffix, bold=True))
        elif k == "basis":
            head.append(Cell(o.basis, rowspan=rs, bold=True))
        elif k == "remark":
            head.append(Cell(o.remark, rowspan=rs, bold=True))
    tb.row(head)
    header_rows += 1
    if two_level:
        tb.row([Cell(labels[k], bold=True) for k in amount_keys])
        header_rows += 1
        ctx.tag("group_header")
    if o.col_numbers:
        nums: list[Cell] = []
        j = 1
        for k in keys:
            if k in ("name", "T", "F", "S"):
                nums.append(Cell(f"({j})" if o.col_numbers == "paren" else "⑴⑵⑶⑷⑸"[j - 1]))
                j += 1
            else:
                nums.append(Cell(""))
        tb.row(nums)
        header_rows += 1
        ctx.tag("col_numbers_row")

    seq = [0]

    def row(name: str, t: int | str | None, fv: int | str | None, sv: int | str | None, role: str = "",
            basis: str = "", remark: str = "", bold: bool = False) -> None:
        seq[0] += 1
        cells: list[Cell] = []
        for k in keys:
            if k == "seq":
                cells.append(Cell(str(seq[0])))
            elif k == "name":
                cells.append(Cell(name, align="l", bold=bold))
            elif k == "T":
                cells.append(amt_cell(f, t, role))
            elif k == "F":
                cells.append(amt_cell(f, fv, f"f:{role}" if role else ""))
            elif k == "S":
                cells.append(amt_cell(f, sv, f"s:{role}" if role else ""))
            elif k == "basis":
                cells.append(Cell(basis, align="l"))
            elif k == "remark":
                cells.append(Cell(remark, align="l"))
        tb.row(cells)

    def total_row() -> None:
        row(o.total_label, v.total, v.ftot, v.stot, "total", bold=True)

    def subject_rows(i: int, label: str) -> None:
        row(label, v.t[i], v.f[i], v.s[i], f"item:{i}",
            basis_text(ctx, i) if o.basis else "", remark_text(ctx, i) if o.remark else "")
        if v.names[i] in o.subitems:
            ctx.tag("subitems")
            for j, (sname, a, fa, sa) in enumerate(v.sub_split(i), 1):
                if o.sub_numbering == "qizhong":
                    slabel = ("其中：" if j == 1 else "　　　") + sname
                elif o.sub_numbering == "dot":
                    slabel = f"　{i + 1}.{j} {sname}"
                else:
                    slabel = "　" + numbered(o.sub_numbering, j) + sname
                row(slabel, a, fa, sa, "sub")
        if v.names[i] == "间接费用" and o.perf_row and v.t[i]:
            perf = round(v.t[i] * 0.4 / 100) * 100
            pf = min(perf, v.f[i])
            row("　其中：绩效支出", perf, pf, perf - pf, "sub")
            ctx.tag("perf_row")

    if o.total_pos == "top":
        total_row()
        ctx.tag("top_total")
    direct = [i for i in range(len(v.names)) if v.subject(i).direct]
    indirect = [i for i in range(len(v.names)) if not v.subject(i).direct]
    if o.levels:
        ctx.tag("levels")
        lv = 1 if o.total_label.startswith("一、") else 0
        style = "paren_cn" if lv else o.level_style
        if "header" in o.levels:
            row(numbered(style, 1) + "直接费用", v.direct_t, v.direct_f, v.direct_s, "direct", bold=True)
        else:
            row(numbered(style, 1) + "直接费用", None, None, None, bold=True)
        for j, i in enumerate(direct, 1):
            subject_rows(i, numbered(o.numbering, j) + v.names[i])
        if "subtotal" in o.levels:
            row("直接费用小计", v.direct_t, v.direct_f, v.direct_s, "direct", bold=True)
            ctx.tag("subtotal_row")
        for i in indirect:
            subject_rows(i, numbered(style, 2) + v.names[i])
        if "header" in o.levels or "subtotal" in o.levels:
            ctx.items_accept.append([("直接费用", v.direct_t)] + [(v.names[i], v.t[i]) for i in indirect])
    else:
        for j, i in enumerate(direct + indirect, 1):
            subject_rows(i, numbered(o.numbering, j) + v.names[i])
    if o.total_pos == "bottom":
        total_row()
        ctx.tag("bottom_total")

    if o.sources in ("after", "after_simple"):
        ctx.tag("sources_block")
        src_label = "二、经费来源" if o.total_label.startswith("一、") else "经费来源"
        row(src_label, v.total, v.ftot if split else None, v.stot if split else None, "src", bold=True)
        if o.sources == "after":
            p = split_parts(v.stot, [0.0, 1.0, 0.0], v.b.gran)
            row("（一）申请从专项经费获得的资助", v.ftot, v.ftot, "/", "src")
            row("（二）自筹经费来源", v.stot, "/", v.stot, "src")
            row("1、其他财政拨款", p[0], "/", p[0], "src")
            row("2、单位自有货币资金", p[1], "/", p[1], "src")
            row("3、其他资金", p[2], "/", p[2], "src")
        else:
            fl = o.split[1] if o.split else "市财政补助"
            sl = o.split[2] if o.split else "单位自筹"
            row(f"1.{fl}", v.ftot, v.ftot if split else None, "/" if split else None, "src")
            row(f"2.{sl}", v.stot, "/" if split else None, v.stot if split else None, "src")

    blocks: list[Block] = head_paras(ctx, unit_line=not o.two_pages)
    if o.sources == "before_table":
        ctx.tag("sources_block")
        blocks.append(Para(f"一、经费来源（{f.unit}）", bold=True, space_after=2))
        p = split_parts(v.stot, [0.0, 1.0, 0.0], v.b.gran)
        st = TB([4.0, 2.0])
        for lab, amount in [("1、申请从专项经费获得的资助", v.ftot), ("2、自筹经费来源", v.stot), ("（1）其他财政拨款", p[0]),
                            ("（2）单位自有货币资金", p[1]), ("（3）其他资金", p[2])]:
            st.row([Cell(lab, align="l"), amt_cell(f, amount, "src")])
        blocks.append(st.table(0))
        blocks.append(Para(f"二、经费支出（{f.unit}）", bold=True, space_before=6, space_after=2))
        ctx.tag("unit_heading")
    if o.two_pages:
        blocks += two_pages_intro(ctx)
        if o.unit_place == "title":
            blocks.append(Para(o.unit_line, align="r", space_after=2))
            ctx.tag("unit_title")
    blocks.append(tb.table(header_rows, font_size=12.0 if o.two_pages else o.font_size,
                           pad=6.0 if o.two_pages else 3.0, repeat_header=o.two_pages))
    blocks += unit_note(ctx)
    if o.prose_after:
        blocks += prose_section(ctx)
    return Doc(blocks, title=o.title)


def prose_section(ctx: Ctx) -> list[Block]:
    """预算说明 after the table, repeating the amounts in sentences."""
    v, f = ctx.v, ctx.fmt
    ctx.tag("prose_after")
    out: list[Block] = [Para("预算说明", size=12, bold=True, align="c", space_before=10, space_after=4)]
    if ctx.o.split:
        out.append(Para(f"本项目总预算{f.prose(v.total)}，其中申请市财政补助{f.prose(v.ftot)}，"
                        f"单位自筹{f.prose(v.stot)}。各科目预算说明如下：", space_after=3))
    else:
        out.append(Para(f"本项目经费预算总额{f.prose(v.total)}，各科目预算说明如下：", space_after=3))
    j = 0
    for i, name in enumerate(v.names):
        if not v.t[i]:
            continue
        j += 1
        basis = (basis_text(ctx, i) or "据实列支").rstrip("。")
        out.append(Para(f"{j}.{name}{f.prose(v.t[i])}：{basis}。", space_after=2))
    return out


def build_transposed(ctx: Ctx) -> Doc:
    """Subjects as columns; rows 财政补助 / 自筹 / 合计 or one 金额 row (and a 占比 row)."""
    o, v, f = ctx.o, ctx.v, ctx.fmt
    ctx.tag("transposed", "top_total" if o.total_first else "bottom_total")
    nsub = len(v.names)
    label_w = 1.6
    cols = [label_w] + [1.0] * (nsub + 1)
    tb = TB(cols)
    head = [Cell("预算科目" if o.rows_mode == "split" else "科目", bold=True)]
    names = [Cell(name, bold=True) for name in v.names]
    tot = Cell("合计", bold=True)
    tb.row(head + ([tot] if o.total_first else []) + names + ([] if o.total_first else [tot]))

    def line(label: str, vals: list[int], total: int, role: str) -> None:
        cells = [amt_cell(f, x, f"{role}item:{i}", "c") for i, x in enumerate(vals)]
        tc = amt_cell(f, total, f"{role}total", "c")
        tb.row([Cell(label, bold=True)] + ([tc] if o.total_first else []) + cells + ([] if o.total_first else [tc]))

    suffix = f"（{f.unit}）" if o.unit_place == "head" else ""
    if suffix:
        ctx.tag("unit_header")
    if o.rows_mode == "split" and o.split:
        ctx.tag("split_cols")
        line(o.split[1] + suffix, v.f, v.ftot, "f:")
        line(o.split[2] + suffix, v.s, v.stot, "s:")
        line(o.split[0] + suffix, v.t, v.total, "")
    else:
        ctx.tag("single_col")
        line("金额" + suffix, v.t, v.total, "")
    if o.pct_row:
        ctx.tag("pct_row")
        pcts = [f"{Decimal(x * 100) / Decimal(v.total):.1f}%" if x else "—" for x in v.t]
        cells = [Cell(p) for p in pcts]
        tc = Cell("100%")
        tb.row([Cell("占比", bold=True)] + ([tc] if o.total_first else []) + cells + ([] if o.total_first else [tc]))
    blocks = head_paras(ctx)
    blocks.append(tb.table(1, font_size=o.font_size))
    blocks += unit_note(ctx)
    if o.prose_after:
        blocks += prose_section(ctx)
    return Doc(blocks, landscape=nsub > 6, title=o.title)


def build_side_by_side(ctx: Ctx) -> Doc:
    o, v, f = ctx.o, ctx.v, ctx.fmt
    ctx.tag("side_by_side", "single_col", "bottom_total")
    suffix = f"（{f.unit}）" if o.unit_place == "head" else ""
    if suffix:
        ctx.tag("unit_header")
    if o.side_mode == "two_lists":
        ctx.tag("two_lists")
        tb = TB([0.5, 2.4, 1.1, 0.5, 2.4, 1.1])
        h = [Cell("序号", bold=True), Cell("预算科目", bold=True), Cell("金额" + suffix, bold=True)]
        tb.row(h + [Cell(c.text, bold=True) for c in h])
        half = (len(v.names) + 1) // 2
        for r in range(half):
            cells: list[Cell] = []
            for i in (r, r + half):
                if i < len(v.names):
                    cells += [Cell(str(i + 1)), Cell(v.names[i], align="l"), amt_cell(f, v.t[i], f"item:{i}")]
                else:
                    cells += [Cell(""), Cell(""), Cell("")]
            tb.row(cells)
        tb.row([Cell("合　　计", colspan=5, bold=True), amt_cell(f, v.total, "total", bold=True)])
    else:
        ctx.tag("sources_beside")
        tb = TB([2.2, 1.3, 3.0, 1.3])
        tb.row([Cell("经费来源预算", colspan=2, bold=True), Cell("经费支出预算", colspan=2, bold=True)])
        tb.row([Cell("来源科目", bold=True), Cell("金额" + suffix, bold=True), Cell("支出科目", bold=True),
                Cell("金额" + suffix, bold=True)])
        loan = 0
        sources = [("市财政补助", v.ftot), ("单位自筹", v.stot - loan), ("银行贷款", loan), ("其他", 0)]
        for r in range(max(len(sources), len(v.names))):
            cells = []
            if r < len(sources):
                cells += [Cell(sources[r][0], align="l"), amt_cell(f, sources[r][1], "src")]
            else:
                cells += [Cell(""), Cell("")]
            if r < len(v.names):
                cells += [Cell(numbered(o.numbering, r + 1) + v.names[r], align="l"), amt_cell(f, v.t[r], f"item:{r}")]
            else:
                cells += [Cell(""), Cell("")]
            tb.row(cells)
        tb.row([Cell("来源合计", bold=True), amt_cell(f, v.ftot + v.stot, "src", bold=True),
                Cell("支出合计", bold=True), amt_cell(f, v.total, "total", bold=True)])
    blocks = head_paras(ctx)
    blocks.append(tb.table(2 if o.side_mode != "two_lists" else 1, font_size=o.font_size))
    blocks += unit_note(ctx)
    return Doc(blocks, title=o.title)


def build_by_year(ctx: Ctx) -> Doc:
    """Amounts per year, with a 合计 column (first or last)."""
    o, v, f = ctx.o, ctx.v, ctx.fmt
    ctx.tag("by_year", "single_col")
    years = list(o.years)
    rng = random.Random(f"{ctx.pid}-years")
    # the true budget's yearly parts; a planted row error goes into the last year (the row stays consistent)
    true_parts = [split_parts(s.yuan, [rng.uniform(0.5, 1.5) for _ in years], v.b.gran) for s in v.b.subjects]
    yparts = [[*p[:-1], p[-1] + v.t[i] - v.b.subjects[i].yuan] for i, p in enumerate(true_parts)]
    ytot = [sum(p[y] for p in true_parts) for y in range(len(years))]
    ytot[-1] += v.total - v.b.total  # a printed total that is off stays consistent along its row
    suffix = f"（{f.unit}）" if o.unit_place == "head" else ""
    if suffix:
        ctx.tag("unit_header")
    cols = ([0.6] if o.seq else []) + [3.0] + [1.3] * (len(years) + 1)
    tb = TB(cols)
    tot_label = "合计" + suffix
    year_labels = [y + suffix for y in years]
    head = ([Cell("序号", bold=True)] if o.seq else []) + [Cell(o.name_label, bold=True)]
    head += [Cell(x, bold=True) for x in ([tot_label, *year_labels] if o.total_first else [*year_labels, tot_label])]
    tb.row(head)
    seq = [0]

    def line(label: str, total: int, parts: list[int], role: str, bold: bool = False) -> None:
        seq[0] += 1
        tc = amt_cell(f, total, role, bold=bold)
        pcs = [amt_cell(f, p, "year") for p in parts]
        cells = ([Cell(str(seq[0]))] if o.seq else []) + [Cell(label, align="l", bold=bold)]
        cells += [tc, *pcs] if o.total_first else [*pcs, tc]
        tb.row(cells)

    if o.total_pos == "top":
        ctx.tag("top_total")
        line(o.total_label, v.total, ytot, "total", True)
    for i, name in enumerate(v.names):
        line(numbered(o.numbering, i + 1) + name, v.t[i], yparts[i], f"item:{i}")
    if o.total_pos == "bottom":
        ctx.tag("bottom_total")
        line(o.total_label, v.total, ytot, "total", True)
    ctx.tag(f"num_{o.numbering}")
    blocks = head_paras(ctx)
    blocks.append(tb.table(1, font_size=o.font_size))
    blocks += unit_note(ctx)
    if o.prose_after:
        blocks += prose_section(ctx)
    return Doc(blocks, title=o.title)


def build_kv_lines(ctx: Ctx) -> Doc:
    """No table: 科目：金额万元 lines with prose, the total first, sources at the end."""
    o, v, f = ctx.o, ctx.v, ctx.fmt
    ctx.tag("kv_lines", "top_total", "unit_per_line", "prose_numbers", "sources_block")
    probes: list[tuple[str, str]] = []
    blocks: list[Block] = head_paras(ctx, unit_line=False)
    tot = f.number(v.total)
    probes.append(("total", tot))
    blocks.append(Para(f"一、项目经费预算总额：{tot}万元", bold=True, space_before=4))
    blocks.append(Para(f"其中：申请市财政补助{f.number(v.ftot)}万元，单位自筹{f.number(v.stot)}万元。"))
    blocks.append(Para("二、经费支出预算", bold=True, space_before=4))
    for i, name in enumerate(v.names):
        a = f.number(v.t[i])
        probes.append((f"item:{i}", a))
        extra = ""
        if v.t[i]:
            if name == "业务费":
                extra = "其中" + "、".join(f"{n}{f.number(x)}万元" for n, x in v.subject(i).subs if x) + "。"
            else:
                extra = basis_text(ctx, i) + "。"
        blocks.append(Para(f"{i + 1}、{name}：{a}万元。{extra}"))
    blocks.append(Para("三、经费来源预算", bold=True, space_before=4))
    blocks.append(Para(f"1、申请市财政补助：{f.number(v.ftot)}万元"))
    blocks.append(Para(f"2、单位自筹：{f.number(v.stot)}万元"))
    return Doc(blocks, title=o.title, probes=probes)


def build_yunnan(ctx: Ctx) -> Doc:
    """The older form: 来源预算 then 支出预算, columns 总预算数 / 其中：申请资助数 / 备注."""
    o, v, f = ctx.o, ctx.v, ctx.fmt
    ctx.tag("sources_block", "top_total", "subitems", "remark_column", "col_numbers_row", "subsidy_col",
            "num_paren_cn")
    tb = TB([3.4, 1.4, 1.6, 1.6])
    tb.row([Cell("预算科目", bold=True), Cell("总预算数", bold=True), Cell("其中：申请资助数", bold=True),
            Cell("备注", bold=True)])
    tb.row([Cell("⑴"), Cell("⑵"), Cell("⑶"), Cell("⑷")])

    def row(label: str, t: int, fv: int | None, role: str, remark: str = "", bold: bool = False) -> None:
        tb.row([Cell(label, align="l", bold=bold), amt_cell(f, t, role, bold=bold),
                amt_cell(f, fv, f"f:{role}" if role else "") if fv is not None else Cell(""),
                Cell(remark, align="l")])

    p = split_parts(v.stot, [0.8, 0.2, 0.0], v.b.gran)
    row("一、来源预算合计", v.ftot + v.stot, v.ftot, "src", bold=True)
    row("（一）申请科技项目经费", v.ftot, v.ftot, "src")
    row("（二）从其他渠道获得的经费", v.stot, None, "src", "附相关证明材料")
    row("　1.承担单位自筹经费", p[0], None, "src")
    row("　2.从银行获得的贷款", p[1], None, "src")
    row("　3.其他", p[2], None, "src")
    row("二、支出预算合计", v.total, v.ftot, "total", bold=True)
    remarks = {"人员费": "附表1列示", "设备费": "附表2列示", "能源材料费": "附表5列示", "试验外协费": "附表6列示",
               "差旅费": "附表7列示", "技术引进费": "附相关证明材料"}
    for i, name in enumerate(v.names):
        row(numbered("paren_cn", i + 1) + name, v.t[i], v.f[i], f"item:{i}", remarks.get(name, ""))
        for j, (sname, a, fa, _sa) in enumerate(v.sub_split(i), 1):
            row(f"　{j}.{sname}", a, fa, "sub")
    blocks = head_paras(ctx)
    blocks.append(tb.table(2, font_size=o.font_size))
    blocks.append(Para("备注：经费预算若有调整，按调整后的数额填写，并附相关调整文件。", size=9, space_before=3))
    blocks += unit_note(ctx)
    return Doc(blocks, title=o.title)


BUILDERS: dict[str, Callable[[Ctx], Doc]] = {
    "vertical": build_vertical,
    "transposed": build_transposed,
    "side_by_side": build_side_by_side,
    "by_year": build_by_year,
    "kv_lines": build_kv_lines,
    "yunnan": build_yunnan,
}


# ----------------------------------------------------------------------------------------------------------------
# Layout engine for PDFs and pictures: pages of positioned text and rules (points, origin top left)
# ----------------------------------------------------------------------------------------------------------------

Measure = Callable[[str, float], float]


@dataclass
class TextOp:
    x: float
    y: float  # baseline
    size: float
    text: str
    bold: bool = False


@dataclass
class Page:
    texts: list[TextOp] = field(default_factory=list)
    lines: set[tuple[float, float, float, float]] = field(default_factory=set)


@dataclass
class Laid:
    pages: list[Page]
    width: float
    height: float
    table_pages: list[set[int]]  # per table, the pages its rows are on
    min_size: float


ASCII_RUN = re.compile(r"[0-9A-Za-z.,%()\-/]")


def wrap(text: str, width: float, size: float, measure: Measure) -> list[str]:
    out: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for ch in para:
            if cur and measure(cur + ch, size) > width:
                # do not break inside a number or a word
                k = len(cur)
                if ASCII_RUN.match(ch):
                    while k > 0 and ASCII_RUN.match(cur[k - 1]):
                        k -= 1
                if 0 < k < len(cur):
                    out.append(cur[:k])
                    cur = cur[k:] + ch
                else:
                    out.append(cur)
                    cur = ch
            else:
                cur += ch
        out.append(cur)
    return out


class Layouter:
    """Places paragraphs and tables on A4 pages, breaking pages between table rows."""

    ML = MR = 54.0
    MT = MB = 56.0

    def __init__(self, doc: Doc, measure: Measure, ruled: bool) -> None:
        self.pw, self.ph = landscape(A4) if doc.landscape else A4
        self.avail = self.pw - self.ML - self.MR
        self.measure = measure
        self.ruled = ruled
        self.pages = [Page()]
        self.y = self.MT
        self.table_pages: list[set[int]] = []
        self.min_size = 99.0
        for block in doc.blocks:
            if isinstance(block, PageBreak):
                self.new_page()
            elif isinstance(block, Para):
                self.para(block)
            else:
                self.table(block)

    def laid(self) -> Laid:
        return Laid(self.pages, self.pw, self.ph, self.table_pages, self.min_size)

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = self.MT

    def para(self, p: Para) -> None:
        lead = p.size * 1.5
        self.y += p.space_before
        for line in wrap(p.text, self.avail, p.size, self.measure):
            if self.y + lead > self.ph - self.MB:
                self.new_page()
            w = self.measure(line, p.size)
            x = self.ML + {"c": (self.avail - w) / 2, "r": self.avail - w}.get(p.align, 0.0)
            if line:
                self.pages[-1].texts.append(TextOp(x, self.y + p.size * 1.1, p.size, line, p.bold))
                self.min_size = min(self.min_size, p.size)
            self.y += lead
        self.y += p.space_after

    def table(self, t: Table) -> None:
        fs, pad = t.font_size, t.pad
        self.min_size = min(self.min_size, fs)
        lead = fs * 1.3
        scale = self.avail / sum(t.widths)
        xs = [self.ML]
        for w in t.widths:
            xs.append(xs[-1] + w * scale)
        nrows = len(t.rows)
        wrapped: dict[tuple[int, int], list[str]] = {}
        row_h = [0.0] * nrows
        for r, line_cells in enumerate(t.rows):
            for c, cell in enumerate(line_cells):
                if cell is None:
                    continue
                cw = xs[c + cell.colspan] - xs[c] - 2 * pad
                wrapped[r, c] = wrap(cell.text, cw, fs, self.measure) if cell.text else [""]
                assert not (cell.role and len(wrapped[r, c]) > 1), f"amount {cell.text!r} wraps in its cell"
                if cell.rowspan == 1:
                    row_h[r] = max(row_h[r], len(wrapped[r, c]) * lead + 2 * pad, fs + 2 * pad + 4)
        for r, line_cells in enumerate(t.rows):
            for c, cell in enumerate(line_cells):
                if cell is not None and cell.rowspan > 1:
                    need = len(wrapped[r, c]) * lead + 2 * pad
                    have = sum(row_h[r:r + cell.rowspan])
                    if need > have:
                        row_h[r + cell.rowspan - 1] += need - have
        # rows joined by row spans stay on one page
        groups: list[tuple[int, int]] = []
        r = 0
        while r < nrows:
            end = k = r
            while k <= end:
                for cell in t.rows[k]:
                    if cell is not None:
                        end = max(end, k + cell.rowspan - 1)
                k += 1
            groups.append((r, end))
            r = end + 1
        on_pages: set[int] = set()
        geo = (xs, row_h, wrapped, lead, fs, pad)
        for r0, r1 in groups:
            gh = sum(row_h[r0:r1 + 1])
            if self.y + gh > self.ph - self.MB and self.y > self.MT + 1:
                self.new_page()
                if t.repeat_header and t.header_rows and r0 >= t.header_rows:
                    self.rows(t, 0, t.header_rows - 1, geo)
            self.rows(t, r0, r1, geo)
            on_pages.add(len(self.pages) - 1)
        self.table_pages.append(on_pages)
        self.y += 6

    def rows(self, t: Table, r0: int, r1: int,
             geo: tuple[list[float], list[float], dict[tuple[int, int], list[str]], float, float, float]) -> None:
        xs, row_h, wrapped, lead, fs, pad = geo
        top = {}
        yy = self.y
        for rr in range(r0, r1 + 1):
            top[rr] = yy
            yy += row_h[rr]
        page = self.pages[-1]
        for rr in range(r0, r1 + 1):
            for c, cell in enumerate(t.rows[rr]):
                if cell is None:
                    continue
                x0, x1 = xs[c], xs[c + cell.colspan]
                y0 = top[rr]
                y1 = y0 + sum(row_h[rr:rr + cell.rowspan])
                if self.ruled:
                    for a, b, cc, d in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
                        page.lines.add((round(a, 2), round(b, 2), round(cc, 2), round(d, 2)))
                lines = wrapped[rr, c]
                ty = y0 + (y1 - y0 - len(lines) * lead) / 2
                for li, text in enumerate(lines):
                    if not text:
                        continue
                    w = self.measure(text, fs)
                    tx = {"l": x0 + pad, "r": x1 - pad - w}.get(cell.align, x0 + (x1 - x0 - w) / 2)
                    page.texts.append(TextOp(tx, ty + li * lead + fs * 0.95, fs, text, cell.bold))
        self.y = yy


def layout(doc: Doc, measure: Measure, ruled: bool) -> Laid:
    return Layouter(doc, measure, ruled).laid()


def pdf_measure(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, PDF_FONT, size)


class PilFonts:
    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.cache: dict[int, ImageFont.FreeTypeFont] = {}

    def font(self, size: float) -> ImageFont.FreeTypeFont:
        px = round(size * self.scale)
        if px not in self.cache:
            self.cache[px] = ImageFont.truetype(WQY, px)
        return self.cache[px]

    def measure(self, text: str, size: float) -> float:
        return float(self.font(size).getlength(text)) / self.scale


def write_pdf(laid: Laid, path: Path, title: str, creator: str) -> None:
    c = canvas.Canvas(str(path), pagesize=(laid.width, laid.height), invariant=1)
    c.setTitle(title)
    c.setAuthor("")
    c.setCreator(creator)
    c.setSubject("")
    for page in laid.pages:
        c.setLineWidth(0.6)
        for x0, y0, x1, y1 in sorted(page.lines):
            c.line(x0, laid.height - y0, x1, laid.height - y1)
        for op in page.texts:
            c.setFont(PDF_FONT, op.size)
            c.drawString(op.x, laid.height - op.y, op.text)
        c.showPage()
    c.save()


def draw_page(laid: Laid, page: Page, fonts: PilFonts, paper: int | tuple[int, int, int],
              mode: str = "L") -> Image.Image:
    s = fonts.scale
    img = Image.new(mode, (round(laid.width * s), round(laid.height * s)), paper)  # type: ignore[arg-type]
    d = ImageDraw.Draw(img)
    ink: int | tuple[int, int, int] = 25 if mode == "L" else (30, 30, 38)
    lw = max(1, round(0.6 * s))
    for x0, y0, x1, y1 in sorted(page.lines):
        d.line([(x0 * s, y0 * s), (x1 * s, y1 * s)], fill=ink, width=lw)  # type: ignore[arg-type]
    for op in page.texts:
        d.text((op.x * s, op.y * s), op.text, font=fonts.font(op.size), fill=ink, anchor="ls",  # type: ignore[arg-type]
               stroke_width=1 if op.bold else 0, stroke_fill=ink)  # type: ignore[arg-type]
    return img


# ----------------------------------------------------------------------------------------------------------------
# Renderers: docx, xlsx, xls, pdf, scan, photo
# ----------------------------------------------------------------------------------------------------------------


def normalize_zip(data: bytes) -> bytes:
    """Rewrite an OOXML zip with members dated 1980 and fixed document dates (byte-identical runs)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = blob.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{FIXED_ISO}\g<2>", text)
                blob = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, blob)
    return out.getvalue()


def docx_font(run: Any, size: float, bold: bool) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.name = "宋体"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "宋体")


ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}


def render_docx(doc: Doc, path: Path) -> None:
    d = Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    if doc.landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for m in ("left_margin", "right_margin"):
        setattr(sec, m, Cm(2.0))
    avail_cm = (29.7 if doc.landscape else 21.0) - 4.0
    normal = d.styles["Normal"]
    normal.font.size = Pt(10.5)
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            d.add_page_break()
            continue
        if isinstance(block, Para):
            p = d.add_paragraph()
            p.alignment = ALIGN[block.align]
            p.paragraph_format.space_after = Pt(block.space_after)
            p.paragraph_format.space_before = Pt(block.space_before)
            docx_font(p.add_run(block.text), block.size, block.bold)
            continue
        t = block
        nrows, ncols = len(t.rows), len(t.widths)
        table = d.add_table(rows=nrows, cols=ncols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        scale = avail_cm / sum(t.widths)
        for r in range(nrows):
            for c in range(ncols):
                table.cell(r, c).width = Cm(t.widths[c] * scale)
        for r, line in enumerate(t.rows):
            for c, cell in enumerate(line):
                if cell is not None and (cell.colspan > 1 or cell.rowspan > 1):
                    table.cell(r, c).merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        for r, line in enumerate(t.rows):
            for c, cell in enumerate(line):
                if cell is None or not cell.text:
                    continue
                p = table.cell(r, c).paragraphs[0]
                p.alignment = ALIGN[cell.align]
                docx_font(p.add_run(cell.text), t.font_size, cell.bold)
        if t.repeat_header:
            for r in range(t.header_rows):
                trpr = table.rows[r]._tr.get_or_add_trPr()
                trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
    cp = d.core_properties
    cp.author = ""
    cp.last_modified_by = ""
    cp.title = doc.title
    cp.subject = ""
    cp.comments = ""
    cp.keywords = ""
    cp.category = ""
    cp.revision = 1
    cp.created = FIXED_DT
    cp.modified = FIXED_DT
    cp.last_printed = FIXED_DT
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(normalize_zip(buf.getvalue()))


def sheet_positions(doc: Doc) -> list[int]:
    """The first sheet row (0-based) of each block when a Doc is written to a sheet."""
    pos, r = [], 0
    for block in doc.blocks:
        pos.append(r)
        if isinstance(block, Table):
            r += len(block.rows)
        else:
            r += 1
    return pos


def sheet_width(doc: Doc) -> int:
    return max((len(t.widths) for t in doc.tables()), default=1)


def render_xlsx(sheets: list[tuple[str, Doc]], path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    halign = {"l": "left", "c": "center", "r": "right"}
    for name, doc in sheets:
        ws = wb.create_sheet(name)
        ncols = sheet_width(doc)
        for block, r0 in zip(doc.blocks, sheet_positions(doc), strict=True):
            if isinstance(block, PageBreak):
                continue
            if isinstance(block, Para):
                cell = ws.cell(row=r0 + 1, column=1, value=block.text)
                cell.font = Font(name="宋体", size=block.size, bold=block.bold)
                cell.alignment = Alignment(horizontal=halign[block.align], vertical="center", wrap_text=True)
                if ncols > 1:
                    ws.merge_cells(start_row=r0 + 1, start_column=1, end_row=r0 + 1, end_column=ncols)
                if len(block.text) > 40:
                    ws.row_dimensions[r0 + 1].height = 15 * (1 + len(block.text) // 60)
                continue
            t = block
            for c, w in enumerate(t.widths):
                letter = openpyxl.utils.get_column_letter(c + 1)
                ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, w * 7.5)
            for r, line in enumerate(t.rows):
                for c, spec in enumerate(line):
                    xc = ws.cell(row=r0 + r + 1, column=c + 1)
                    xc.border = border
                    if spec is None:
                        continue
                    if spec.value is not None:
                        xc.value = spec.value
                        xc.number_format = spec.numfmt
                    elif spec.text:
                        xc.value = spec.text
                    xc.font = Font(name="宋体", size=t.font_size, bold=spec.bold)
                    xc.alignment = Alignment(horizontal=halign[spec.align], vertical="center", wrap_text=True)
            for r, line in enumerate(t.rows):
                for c, spec in enumerate(line):
                    if spec is not None and (spec.colspan > 1 or spec.rowspan > 1):
                        ws.merge_cells(start_row=r0 + r + 1, start_column=c + 1,
                                       end_row=r0 + r + spec.rowspan, end_column=c + spec.colspan)
    p = wb.properties
    p.creator = ""
    p.lastModifiedBy = ""
    p.title = sheets[-1][1].title
    p.created = FIXED_DT
    p.modified = FIXED_DT
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(normalize_zip(buf.getvalue()))


def render_xls(sheets: list[tuple[str, Doc]], path: Path) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    styles: dict[tuple[str, bool, bool, str, int], xlwt.XFStyle] = {}

    def style(align: str, bold: bool, bordered: bool, numfmt: str, size: float) -> xlwt.XFStyle:
        key = (align, bold, bordered, numfmt, round(size * 20))
        if key not in styles:
            horiz = {"l": "left", "c": "centre", "r": "right"}[align]
            spec = f"font: name 宋体, height {round(size * 20)}{', bold on' if bold else ''}; " \
                   f"align: wrap on, vert centre, horiz {horiz}"
            if bordered:
                spec += "; borders: left thin, right thin, top thin, bottom thin"
            styles[key] = xlwt.easyxf(spec, num_format_str=numfmt)
        return styles[key]

    for name, doc in sheets:
        ws = wb.add_sheet(name)
        ncols = sheet_width(doc)
        for block, r0 in zip(doc.blocks, sheet_positions(doc), strict=True):
            if isinstance(block, PageBreak):
                continue
            if isinstance(block, Para):
                st = style(block.align, block.bold, False, "General", block.size)
                if ncols > 1:
                    ws.write_merge(r0, r0, 0, ncols - 1, block.text, st)
                else:
                    ws.write(r0, 0, block.text, st)
                continue
            t = block
            for c, w in enumerate(t.widths):
                ws.col(c).width = max(ws.col(c).width, round(w * 7.5 * 256))
            covered: set[tuple[int, int]] = set()
            for r, line in enumerate(t.rows):
                for c, spec in enumerate(line):
                    if spec is None or (r, c) in covered:
                        continue
                    value: str | float = spec.value if spec.value is not None else spec.text
                    st = style(spec.align, spec.bold, True, spec.numfmt if spec.value is not None else "General",
                               t.font_size)
                    if spec.colspan > 1 or spec.rowspan > 1:
                        ws.write_merge(r0 + r, r0 + r + spec.rowspan - 1, c, c + spec.colspan - 1, value, st)
                        for dr in range(spec.rowspan):
                            for dc in range(spec.colspan):
                                covered.add((r + dr, c + dc))
                    else:
                        ws.write(r0 + r, c, value, st)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())


def jpeg_bytes(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=False, progressive=False, subsampling=2)
    return buf.getvalue()


def render_scan(doc: Doc, path: Path, seed: int) -> Laid:
    """The page printed, scanned at 200 dpi: grey paper, noise, a slight rotation, JPEG, one image page in a PDF."""
    scale = 200 / 72
    fonts = PilFonts(scale)
    laid = layout(doc, fonts.measure, ruled=True)
    assert len(laid.pages) == 1, f"a scan is one page, got {len(laid.pages)}"
    img = draw_page(laid, laid.pages[0], fonts, 255)
    rng = np.random.default_rng(seed)
    arr = np.asarray(img, dtype=np.float32) / 255.0
    h, w = arr.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    phase = float(rng.uniform(0, 6.28))
    paper = 226.0 + 7.0 * np.sin(xx / w * 2.7 + phase) * np.cos(yy / h * 2.1 + phase / 2) - 6.0 * (yy / h)
    out = 40.0 + (paper - 40.0) * arr + rng.normal(0.0, 5.0, size=arr.shape)
    scanned = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "L")
    angle = float(rng.uniform(0.4, 1.4)) * (1 if rng.random() < 0.5 else -1)
    scanned = scanned.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=int(paper.mean()))
    scanned = scanned.filter(ImageFilter.GaussianBlur(0.6))
    data = jpeg_bytes(scanned, 80)
    c = canvas.Canvas(str(path), pagesize=(laid.width, laid.height), invariant=1)
    c.setCreator("Scanner")
    c.setAuthor("")
    c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, width=laid.width, height=laid.height)
    c.showPage()
    c.save()
    return laid


def perspective_coeffs(dst: Sequence[tuple[float, float]], src: Sequence[tuple[float, float]]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE): output point (dst) -> input point (src)."""
    a, b = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    return [float(z) for z in np.linalg.solve(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64))]


PHOTO_SCALE = 3.0


def render_photo(doc: Doc, path: Path, seed: int) -> tuple[Laid, float]:
    """A phone photo of the printed sheet on a desk: perspective, uneven warm light, slight blur, JPEG."""
    fonts = PilFonts(PHOTO_SCALE)
    laid = layout(doc, fonts.measure, ruled=True)
    assert len(laid.pages) == 1, f"a photo shows one page, got {len(laid.pages)}"
    page = draw_page(laid, laid.pages[0], fonts, (246, 244, 238), "RGB").convert("RGBA")
    pw, ph = page.size
    rng = np.random.default_rng(seed)
    cw, ch = round(pw * 1.1), round(ph * 1.08)

    def j(k: float) -> float:
        return float(rng.uniform(-k, k))

    quad = [(cw * 0.05 + j(18), ch * 0.035 + j(14)), (cw * 0.95 + j(18), ch * 0.03 + j(14)),
            (cw * 0.965 + j(14), ch * 0.97 + j(10)), (cw * 0.035 + j(14), ch * 0.965 + j(10))]
    coeffs = perspective_coeffs(quad, [(0, 0), (pw, 0), (pw, ph), (0, ph)])
    warped = page.transform((cw, ch), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    desk = np.zeros((ch, cw, 3), dtype=np.float32)
    grain = np.sin(xx / 9.0 + np.sin(yy / 57.0) * 3.0) * 6.0
    for k, base in enumerate((128.0, 98.0, 70.0)):
        desk[..., k] = base + grain + rng.normal(0.0, 3.0, size=(ch, cw))
    bg = Image.fromarray(np.clip(desk, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    bg.alpha_composite(warped)
    arr = np.asarray(bg.convert("RGB"), dtype=np.float32)
    cx, cy = float(rng.uniform(0.2, 0.8)) * cw, float(rng.uniform(0.1, 0.4)) * ch
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / np.hypot(cw, ch)
    light = 1.06 - 0.42 * dist
    tint = np.array([1.0, 0.965, 0.88], dtype=np.float32)
    arr = arr * light[..., None] * tint + rng.normal(0.0, 2.5, size=arr.shape)
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(1.0))
    path.write_bytes(jpeg_bytes(photo, 85))
    # how much the page shrank at worst: the shortest edge of the quad against the page's edge
    edges = [np.hypot(quad[(k + 1) % 4][0] - quad[k][0], quad[(k + 1) % 4][1] - quad[k][1]) for k in range(4)]
    shrink = min(min(edges[0], edges[2]) / pw, min(edges[1], edges[3]) / ph)
    return laid, float(shrink)


# ----------------------------------------------------------------------------------------------------------------
# Read-back checks
# ----------------------------------------------------------------------------------------------------------------


def role_cells(doc: Doc) -> list[tuple[int, int, int, Cell]]:
    out = []
    for ti, t in enumerate(doc.tables()):
        for r, line in enumerate(t.rows):
            for c, cell in enumerate(line):
                if cell is not None and cell.role:
                    out.append((ti, r, c, cell))
    return out


def verify_docx(path: Path, doc: Doc) -> dict[str, str]:
    d = Document(str(path))
    assert len(d.tables) == len(doc.tables()), "docx: number of tables"
    got: dict[str, str] = {}
    for t, spec in zip(d.tables, doc.tables(), strict=True):
        for r, line in enumerate(spec.rows):
            for c, cell in enumerate(line):
                if cell is None:
                    continue
                text = t.cell(r, c).text
                assert text == cell.text, f"docx cell {r},{c}: {text!r} != {cell.text!r}"
    body = "\n".join(p.text for p in d.paragraphs)
    for block in doc.blocks:
        if isinstance(block, Para):
            assert block.text in body, f"docx paragraph missing: {block.text[:20]}"
    for ti, r, c, cell in role_cells(doc):
        got.setdefault(cell.role, d.tables[ti].cell(r, c).text)
    return got


def cell_text_of(value: Any, spec: Cell) -> str:
    """A spreadsheet value read back, as the text the checks compare (numbers in the spec's format)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        assert spec.value is not None and abs(float(value) - spec.value) < 1e-9, (value, spec.text)
        return spec.text
    return str(value)


def verify_sheets(sheets: list[tuple[str, Doc]], read: Callable[[int, int, int], Any]) -> dict[str, str]:
    """read(sheet, row, col) -> value; every cell of every table is compared with what was meant."""
    got: dict[str, str] = {}
    for si, (_name, doc) in enumerate(sheets):
        pos = sheet_positions(doc)
        for block, r0 in zip(doc.blocks, pos, strict=True):
            if isinstance(block, Para):
                assert read(si, r0, 0) == block.text, f"sheet paragraph row {r0}"
            if not isinstance(block, Table):
                continue
            for r, line in enumerate(block.rows):
                for c, cell in enumerate(line):
                    if cell is None:
                        continue
                    text = cell_text_of(read(si, r0 + r, c), cell)
                    assert text == cell.text, f"sheet {si} cell {r0 + r},{c}: {text!r} != {cell.text!r}"
                    if cell.role:
                        got.setdefault(cell.role, text)
    return got


def verify_xlsx(path: Path, sheets: list[tuple[str, Doc]]) -> dict[str, str]:
    wb = openpyxl.load_workbook(str(path))
    assert wb.sheetnames == [n for n, _ in sheets], wb.sheetnames
    return verify_sheets(sheets, lambda s, r, c: wb.worksheets[s].cell(row=r + 1, column=c + 1).value)


def read_xls(path: Path) -> list[dict[tuple[int, int], str | float]]:
    """The cells of every worksheet of a legacy .xls, read back with python-calamine (a dependency of
    the screener, so installed with it)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets: list[dict[tuple[int, int], str | float]] = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheets.append({(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row)
                       if v != "" and isinstance(v, (str, int, float))})
    return sheets


def verify_xls(path: Path, sheets: list[tuple[str, Doc]]) -> dict[str, str]:
    cells = read_xls(path)
    assert len(cells) == len(sheets), "xls: number of sheets"
    return verify_sheets(sheets, lambda s, r, c: cells[s].get((r, c)))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def verify_pdf(path: Path, laid: Laid, ruled: bool) -> None:
    with pdfplumber.open(str(path)) as pdf:
        assert len(pdf.pages) == len(laid.pages), f"pdf pages {len(pdf.pages)} != {len(laid.pages)}"
        for page, spec in zip(pdf.pages, laid.pages, strict=True):
            text = squash(page.extract_text() or "")
            for op in spec.texts:
                assert squash(op.text) in text, f"pdf text missing on page {page.page_number}: {op.text!r}"
            if ruled and any(spec.lines):
                assert page.lines or page.rects, "ruled pdf without rules"
            if not ruled:
                assert not page.lines and not page.rects, "text-only pdf with rules"
        assert pdf.metadata.get("Author", "") == ""


def verify_scan(path: Path) -> None:
    with pdfplumber.open(str(path)) as pdf:
        assert len(pdf.pages) == 1, "scan: one page"
        page = pdf.pages[0]
        assert not page.chars, "scan: no text layer"
        assert len(page.images) == 1, "scan: one image"
        w, h = page.images[0]["srcsize"]
        assert w >= 1600 and h >= 2200, (w, h)


def verify_photo(path: Path, laid: Laid, shrink: float) -> None:
    with Image.open(path) as im:
        assert im.format == "JPEG" and im.mode == "RGB", (im.format, im.mode)
        assert im.width >= 1700 and im.height >= 2400, im.size
    px = laid.min_size * PHOTO_SCALE * shrink
    assert px >= 26, f"photo text only {px:.1f} px high"


# ----------------------------------------------------------------------------------------------------------------
# The set
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    kind: str  # docx | pdf_ruled | pdf_text | xlsx | xls | scan_pdf | photo_jpg
    template: str  # builder/variant
    file: str
    opts: Opts
    plant: Plant = Plant()
    roles_attached: bool = True  # application.json names the attachment's role


S_NAT = ("合计", "专项经费", "自筹经费")
S_CITY = ("合计", "市财政补助", "单位自筹")
S_APPLY = ("合计", "申请资助", "单位自筹")
S_FIN = ("合计", "财政补助", "自筹")

NOTE_ZERO = "注：不需要列支的预算科目，对应的表格中填写“0”。"

SPECS: list[Spec] = [
    # ---- docx
    Spec("docx", "vertical/sources_before", "经费预算表.docx", Opts(
        scheme="A", split=S_NAT, seq=True, sources="before_table", unit_place="heading", subitems=("设备费",),
        sub_numbering="paren", fmt=Fmt(empty=""), title="项目经费预算")),
    Spec("docx", "vertical/national_levels", "经费预算表.docx", Opts(
        scheme="A", split=S_NAT, seq=True, total_pos="top", total_label="一、经费支出", levels="header",
        numbering="dunhao", subitems=("设备费",), sub_numbering="paren", perf_row=True, col_numbers="paren",
        sources="after", unit_line="金额单位：万元", fmt=Fmt(empty="")),
        Plant("budget.split", "row", "材料费", 20000)),
    Spec("docx", "vertical/three_subjects_basis", "经费预算列表及说明.docx", Opts(
        scheme="C", basis="测算依据", cover=True, title="经费预算列表及说明", gran=1000, fmt=Fmt())),
    Spec("docx", "vertical/yuan_remarks", "经费预算表.docx", Opts(
        scheme="A", unit_place="head", remark="备注", numbering="circled", total_label="合  计",
        amount_label="金额", gran=100, fmt=Fmt(unit="元", style="sep2", empty="—")),
        Plant("budget.sum", "item", "差旅费", 30000)),
    Spec("docx", "transposed/sources_rows", "经费预算表.docx", Opts(
        scheme="C", split=("合计", "市财政补助", "单位自筹"), rows_mode="split", title="项目经费预算表",
        fmt=Fmt(empty="0.00"))),
    Spec("docx", "by_year/total_first", "经费预算.docx", Opts(
        scheme="B", total_first=True, total_pos="top", total_label="经费支出总计", numbering="paren_cn",
        unit_place="head", fmt=Fmt()),
        Plant("budget.total_mismatch", "earlier", delta=120000)),
    Spec("docx", "side_by_side/sources_beside", "经费预算表.docx", Opts(
        scheme="H", side_mode="sources_beside", numbering="dunhao", fmt=Fmt(empty="0"))),
    Spec("docx", "vertical/title_in_table_subtotal", "经费预算列表及说明.docx", Opts(
        scheme="B", title_in_table=True, unit_place="in_table", levels="subtotal", level_style="cn_dunhao",
        numbering="paren_cn", wrap=True, prose_after=True, title="科技计划项目经费预算表",
        fmt=Fmt(per_line=True, empty="0.00")),
        Plant("budget.sum", "leaf_subtotal", "测试化验加工费", 35000)),
    # ---- pdf with a ruled table
    Spec("pdf_ruled", "vertical/basis_dot", "经费预算表.pdf", Opts(
        scheme="A", basis="计算依据及理由", numbering="dot", subitems=("设备费",), sub_numbering="paren_ascii",
        unit_line="单位：万元（保留两位小数）", note=NOTE_ZERO, fmt=Fmt(empty="0"))),
    Spec("pdf_ruled", "vertical/split_total_last_two_pages", "经费预算表.pdf", Opts(
        scheme="B", split=S_CITY, order="FST", total_pos="top", total_label="总计", two_pages=True,
        subitems=("设备费",), sub_numbering="qizhong", fmt=Fmt(empty="0.00")),
        Plant("budget.split", "row", "劳务费", -15000)),
    Spec("pdf_ruled", "yunnan/old_subjects", "项目经费预算表.pdf", Opts(
        scheme="D", unit_line="单位：万元（保留两位小数）", title="科技计划项目经费预算表", fmt=Fmt(empty=""))),
    Spec("pdf_ruled", "vertical/yuan_note_wrapped", "经费预算表.pdf", Opts(
        scheme="H", seq=True, wrap=True, unit_place="note", unit_line="注：本表金额单位为元。", numbering="none",
        name_label="支出科目", amount_label="预算金额", gran=100, fmt=Fmt(unit="元", style="sep0", empty="0")),
        Plant("budget.total_mismatch", "fiscal")),
    Spec("pdf_ruled", "side_by_side/two_lists", "经费预算表.pdf", Opts(
        scheme="A", side_mode="two_lists", unit_place="head", fmt=Fmt(empty="—"))),
    Spec("pdf_ruled", "vertical/levels_group_header", "经费预算.pdf", Opts(
        scheme="A", split=S_APPLY, group_header="经费预算", unit_place="head", levels="header_subtotal",
        level_style="cn_dunhao", numbering="dunhao", fmt=Fmt(empty="0.00")),
        Plant("budget.sum", "total", delta=100000)),
    Spec("pdf_ruled", "vertical/cover_prose_after", "经费预算列表及说明.pdf", Opts(
        scheme="B", cover=True, prose_after=True, remark="备注", unit_place="head", total_label="经费支出合计",
        gran=1000, fmt=Fmt(empty="0.00"))),
    # ---- pdf with text lines only
    Spec("pdf_text", "kv_lines/total_first", "经费预算及说明.pdf", Opts(
        scheme="C", title="项目经费预算及说明", gran=1000, fmt=Fmt())),
    Spec("pdf_text", "vertical/split_columns", "经费预算表.pdf", Opts(
        scheme="B", split=S_FIN, seq=True, fmt=Fmt(empty="0.00")),
        Plant("budget.split", "total_row", delta=50000)),
    Spec("pdf_text", "transposed/amount_pct", "经费预算表.pdf", Opts(
        scheme="C", rows_mode="amount", pct_row=True, total_first=True, unit_place="head", fmt=Fmt())),
    Spec("pdf_text", "vertical/yuan_odd", "经费预算表.pdf", Opts(
        scheme="A", unit_place="head", gran=1, numbering="dunhao", lo=150, hi=420,
        fmt=Fmt(unit="元", style="sep2", empty="0.00"))),
    Spec("pdf_text", "by_year/prose_after", "经费预算表.pdf", Opts(
        scheme="C", years=("2020年", "2021年", "2022年"), prose_after=True, numbering="dunhao", fmt=Fmt()),
        Plant("budget.sum", "item", "劳务费", 5000)),
    Spec("pdf_text", "vertical/levels_two_pages", "经费预算表.pdf", Opts(
        scheme="A", levels="header", total_pos="top", total_label="经费支出合计", numbering="dot",
        subitems=("设备费",), sub_numbering="paren_ascii", two_pages=True, unit_place="head", fmt=Fmt())),
    Spec("pdf_text", "vertical/sources_after_simple", "经费预算.pdf", Opts(
        scheme="B", sources="after_simple", numbering="dunhao", fmt=Fmt(empty="/")),
        Plant("budget.total_mismatch", "typo")),
    # ---- xlsx
    Spec("xlsx", "vertical/title_in_table_remarks", "经费预算表.xlsx", Opts(
        scheme="C", title_in_table=True, unit_place="in_table", remark="备注", subitems=("业务费",),
        sub_numbering="qizhong", title="经费预算表", fmt=Fmt())),
    Spec("xlsx", "vertical/cover_sheet_levels", "经费预算表.xlsx", Opts(
        scheme="A", split=S_NAT, levels="header", total_pos="top", total_label="经费支出合计", unit_place="head",
        first_sheet="cover", level_style="paren_cn", fmt=Fmt(empty="0")),
        Plant("budget.split", "row", "设备费", 50000)),
    Spec("xlsx", "vertical/yuan_numbers_note", "预算表.xlsx", Opts(
        scheme="H", seq=True, unit_place="note", unit_line="注：金额单位为元", gran=100,
        fmt=Fmt(unit="元", style="sep0", empty="0"))),
    Spec("xlsx", "side_by_side/sources_beside", "经费预算表.xlsx", Opts(
        scheme="B", side_mode="sources_beside", numbering="dot", fmt=Fmt(empty=""))),
    Spec("xlsx", "vertical/text_numbers_top", "经费预算表.xlsx", Opts(
        scheme="A", total_pos="top", total_label="总计", numbering="paren_cn", unit_place="head",
        fmt=Fmt(as_text=True, empty=""))),
    Spec("xlsx", "transposed/wide", "经费预算表.xlsx", Opts(
        scheme="B", split=S_FIN, rows_mode="split", total_first=True, fmt=Fmt(empty="0.00"))),
    # ---- xls
    Spec("xls", "vertical/group_header", "经费预算表.xls", Opts(
        scheme="A", split=S_FIN, group_header="预算金额", unit_place="head", total_label="合  计",
        fmt=Fmt(empty="0.00"))),
    Spec("xls", "vertical/levels_subtotal", "经费预算表.xls", Opts(
        scheme="B", levels="subtotal", level_style="paren_cn", numbering="dot", fmt=Fmt(empty="0.00")),
        Plant("budget.sum", "leaf_subtotal", "材料费", 20000)),
    Spec("xls", "vertical/three_subjects_subitems", "经费预算表.xls", Opts(
        scheme="C", subitems=("业务费", "劳务费"), sub_numbering="qizhong", basis="测算依据", unit_place="head",
        fmt=Fmt())),
    Spec("xls", "vertical/yuan_text", "经费预算.xls", Opts(
        scheme="A", unit_line="金额单位：元", gran=100, fmt=Fmt(unit="元", style="sep2", as_text=True, empty="0.00")),
        Plant("budget.total_mismatch", "decimal")),
    Spec("xls", "by_year/top", "经费预算表.xls", Opts(
        scheme="A", total_pos="top", total_label="合计", total_first=False, seq=True, fmt=Fmt(empty="0"))),
    Spec("xls", "vertical/sources_after_slash", "经费预算表.xls", Opts(
        scheme="H", split=S_APPLY, sources="after_simple", fmt=Fmt(empty="/"))),
    # ---- scanned pages
    Spec("scan_pdf", "vertical/classic", "经费预算表.pdf", Opts(
        scheme="A", seq=True, numbering="dunhao", fmt=Fmt(empty="0.00"))),
    Spec("scan_pdf", "vertical/split_total_last", "经费预算表.pdf", Opts(
        scheme="B", split=S_FIN, order="FST", unit_place="head", fmt=Fmt(empty="0.00")),
        Plant("budget.split", "row", "设备费", -30000)),
    Spec("scan_pdf", "vertical/levels_top", "经费预算表.pdf", Opts(
        scheme="A", levels="header", total_pos="top", total_label="经费支出合计", remark="备注", fmt=Fmt(empty="—"))),
    Spec("scan_pdf", "vertical/three_subjects_basis", "经费预算表.pdf", Opts(
        scheme="C", basis="测算依据", gran=1000, fmt=Fmt()),
        Plant("budget.sum", "item", "设备费", -100000)),
    Spec("scan_pdf", "vertical/yuan_head", "经费预算表（扫描件）.pdf", Opts(
        scheme="H", unit_place="head", gran=100, fmt=Fmt(unit="元", style="sep2", empty="—"))),
    Spec("scan_pdf", "transposed/sources_rows", "经费预算表.pdf", Opts(
        scheme="C", split=S_CITY, rows_mode="split", unit_place="head", fmt=Fmt(empty="0.00"))),
    Spec("scan_pdf", "side_by_side/two_lists", "经费预算表.pdf", Opts(
        scheme="B", side_mode="two_lists", fmt=Fmt(empty="0.00")),
        Plant("budget.total_mismatch", "earlier", delta=-85000)),
    # ---- phone photos
    Spec("photo_jpg", "vertical/classic", "经费预算表.jpg", Opts(
        scheme="B", numbering="dunhao", fmt=Fmt(empty="0.00"))),
    Spec("photo_jpg", "vertical/three_subjects_remarks", "经费预算表.jpg", Opts(
        scheme="C", remark="备注", unit_place="head", gran=1000, fmt=Fmt())),
    Spec("photo_jpg", "vertical/split_top", "经费预算表.jpg", Opts(
        scheme="A", split=S_FIN, total_pos="top", total_label="总计", fmt=Fmt(empty="0.00"))),
    Spec("photo_jpg", "vertical/yuan_note", "预算表.jpg", Opts(
        scheme="H", unit_place="note", unit_line="注：以上金额单位为元。", gran=100,
        fmt=Fmt(unit="元", style="sep0", empty="—"))),
    Spec("photo_jpg", "vertical/levels_subtotal_split", "经费预算表.jpg", Opts(
        scheme="B", split=S_CITY, levels="subtotal", numbering="dunhao", fmt=Fmt(empty="0.00")),
        Plant("budget.total_mismatch", "fiscal")),
    Spec("photo_jpg", "yunnan/old_subjects", "经费预算表.jpg", Opts(
        scheme="D", unit_line="单位：万元（保留两位小数）", title="科技计划项目经费预算表", fmt=Fmt(empty=""))),
    Spec("photo_jpg", "vertical/circled_per_line", "经费预算表.jpg", Opts(
        scheme="H", split=S_APPLY, order="FST", numbering="circled", unit_place="per_line",
        fmt=Fmt(per_line=True, empty="—"))),
]

TITLES = [
    "高纯电子级氢氟酸连续化制备关键技术研究", "含氟聚合物超临界纯化工艺开发", "有机硅封头剂绿色合成技术研究",
    "纸基柔性电子电路材料制备技术研究", "分布式光伏微电网能量管理系统研发", "高镍三元前驱体连续共沉淀工艺研究",
    "高浓度有机废水膜分离处理装备研发", "副产氢纯化与储氢关键技术研究", "露天矿山智能遥控作业系统研发",
    "五轴联动数控机床误差补偿技术研究", "智能配电终端关键技术研究", "高参数机械密封装置研制",
    "智慧社区物联网感知平台开发", "政务大数据安全分析平台研发", "新型光电传感器件研制",
    "新型疫苗规模化细胞培养工艺研究", "可降解医用植入材料研发", "山地果园智能植保无人机研制",
    "胡柚新品种选育与绿色栽培技术示范", "功能性食品酶法制备技术研究", "珍贵树种容器育苗技术研究",
    "农村生活污水一体化处理技术研究", "化工园区挥发性有机物协同治理技术研究", "社区慢病智慧管理技术研究",
]
TRADE = ["岚澈", "禾岫", "锦涟", "澄岙", "翊霖", "沛珩", "璟川", "栎岚", "昀澜", "泓岑", "霁岭", "蕴峤"]
SUFFIX = ["新材料有限公司", "科技有限公司", "化工有限公司", "智能装备有限公司", "生物科技有限公司", "环境科技有限公司"]
REGIONS = ["市本级", "柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县", "创新飞地"]
LEADERS = ["程立衡", "邵雯珂", "俞景澄", "方黎昕", "祝允恒", "毛岑溪", "童逸帆", "傅箴言"]


def swap_digits(s: str, rng: random.Random) -> str:
    """A typing slip: two neighbouring different digits swapped."""
    spots = [k for k in range(len(s) - 1) if s[k].isdigit() and s[k + 1].isdigit() and s[k] != s[k + 1]]
    k = rng.choice(spots)
    return s[:k] + s[k + 1] + s[k] + s[k + 2:]


def application(pid: str, n: int, spec: Spec, v: Vals, rng: random.Random, title: str) -> tuple[dict[str, Any], str]:
    trade = TRADE[n % len(TRADE)]
    region = REGIONS[n % len(REGIONS)]
    printed = wan(v.total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    has_fiscal = spec.opts.split is not None or spec.template.startswith(("yunnan", "kv_lines", "side_by_side/sources"))
    subsidy = wan(v.ftot) if has_fiscal else (wan(v.total) * Decimal("0.3")).quantize(Decimal("1"))
    subsidy = subsidy.quantize(Decimal("0.01"))
    total = printed
    note = ""
    p = spec.plant
    if p.rule == "budget.total_mismatch":
        if p.mode == "earlier":
            total = printed + wan(p.delta)
            note = f"application.json has an earlier version's total {total} (printed {printed})"
        elif p.mode == "typo":
            total = Decimal(swap_digits(f"{printed:.2f}", rng))
            note = f"application.json total {total}: two digits of the printed {printed} swapped"
        elif p.mode == "fiscal":
            total = subsidy
            note = f"the 财政补助 figure {subsidy} typed as the total (printed {printed})"
        elif p.mode == "decimal":
            total = (printed / 10).quantize(Decimal("0.01"))
            note = f"application.json total {total}: the decimal point one place off (printed {printed})"
        assert abs(total - wan(v.total)) > Decimal("0.01"), (pid, total, printed)
    app: dict[str, Any] = {
        "project_id": pid,
        "call": "quzhou-2020",
        "title": title,
        "category": "key",
        "recommender": region if region != "创新飞地" else "市本级",
        "submitted_at": f"2020-06-{10 + n % 15:02d}T{9 + n % 8:02d}:{(7 * n) % 60:02d}:00+08:00",
        "applicant": {
            "name": f"浙江{trade}{SUFFIX[n % len(SUFFIX)]}",
            "aliases": [trade + SUFFIX[n % len(SUFFIX)][:2]],
            "region": region,
            "kind": "enterprise",
            "industrial": True,
            "rd_investment_prev_year": round(rng.uniform(150, 2400), 1),
            "blacklisted": False,
            "unaccepted_projects": 0,
        },
        "partners": [],
        "team": [{"name": LEADERS[n % len(LEADERS)], "role": "leader", "title": "高级工程师",
                  "ongoing_as_leader": 0, "ongoing_as_member": 1}],
        "budget": {"total": float(total), "rd": float(total), "subsidy": float(subsidy)},
        "implementation_months": 36 if len(spec.opts.years) > 2 and spec.template.startswith("by_year") else 24,
    }
    if spec.roles_attached:
        app["attachments"] = [{"file": spec.file, "role": "budget"}]
    return app, note


def choose_plant(spec: Spec, b: Budget) -> Plant:
    """Check the planted error's target exists, is not a subject whose sub-items are printed, and that the
    changed figure stays positive (else the error goes the other way)."""
    p = spec.plant
    if p.target:
        names = [s.name for s in b.subjects]
        subj = b.subjects[names.index(p.target)]
        assert subj.yuan > 0, (spec.template, p.target)
        assert p.target not in spec.opts.subitems, (spec.template, p.target)
        base = subj.fiscal if p.rule == "budget.split" else subj.yuan - subj.fiscal
        if p.rule == "budget.split":
            assert spec.opts.split is not None
        if base + p.delta < 0:
            p = replace(p, delta=-p.delta)
    return p


def describe(plant: Plant, v: Vals, f: Fmt, app_note: str) -> str:
    if plant.rule is None:
        return ""
    amt = f.prose(abs(plant.delta)) if plant.delta else ""
    if plant.rule == "budget.sum":
        if plant.mode == "item":
            return f"{plant.target} printed {'+' if plant.delta > 0 else '-'}{amt} off, the total left as it was"
        if plant.mode == "leaf_subtotal":
            return (f"{plant.target} printed {'+' if plant.delta > 0 else '-'}{amt} off while 直接费用小计 and the total "
                    "still add up (the subjects do not add up to the total)")
        return f"the printed total {'+' if plant.delta > 0 else '-'}{amt} off the sum of the subjects"
    if plant.rule == "budget.split":
        if plant.mode == "row":
            return f"on the {plant.target} row 财政 + 自筹 ≠ 合计 (财政 {'+' if plant.delta > 0 else '-'}{amt})"
        return f"on the total row 财政 + 自筹 ≠ 合计 (自筹 {'+' if plant.delta > 0 else '-'}{amt})"
    return app_note


RULES = ("budget.sum", "budget.total_mismatch", "budget.split")


def make_project(out: Path, n: int, spec: Spec) -> dict[str, Any]:
    pid = f"DEV-{n:03d}"
    seed = 20200 + n * 7919
    rng = random.Random(seed)
    o = spec.opts
    budget = make_budget(rng, o.scheme, o.lo, o.hi, o.gran, o.fiscal_share)
    plant = choose_plant(spec, budget)
    v = Vals(budget, plant)
    title = TITLES[(n * 5) % len(TITLES)]
    ctx = Ctx(pid, o, v, random.Random(seed + 1), title)
    ctx.tag(SCHEME_TAGS[o.scheme])
    doc = BUILDERS[spec.template.split("/")[0]](ctx)
    zero = o.fmt.text(0)
    if any(c.role.split(":")[0] in ("item", "f", "s") and c.text == zero for *_, c in role_cells(doc)):
        ctx.tag({"0": "empty_zero", "0.00": "empty_zero", "—": "empty_dash", "/": "empty_slash", "": "empty_blank"}[
            o.fmt.empty.removesuffix(o.fmt.unit)])
    folder = out / "projects" / pid
    folder.mkdir(parents=True)
    path = folder / spec.file
    f = o.fmt

    read: dict[str, str] = {}
    if spec.kind == "docx":
        render_docx(doc, path)
        read = verify_docx(path, doc)
    elif spec.kind in ("xlsx", "xls"):
        sheets = [(o.sheet_name, doc)]
        if o.first_sheet == "cover":
            cover = Doc([Para("衢州市科技计划项目", size=18, align="c"), Para("经费预算表", size=22, align="c"),
                         Para(f"项目名称：{title}"), Para("申报单位：（按要求隐去）"), Para("填报日期：2020年6月")])
            sheets.insert(0, ("封面", cover))
            ctx.tag("cover_sheet")
        if spec.kind == "xlsx":
            render_xlsx(sheets, path)
            read = verify_xlsx(path, sheets)
        else:
            render_xls(sheets, path)
            read = verify_xls(path, sheets)
        if f.as_text:
            ctx.tag("numbers_as_text")
    elif spec.kind in ("pdf_ruled", "pdf_text"):
        ruled = spec.kind == "pdf_ruled"
        laid = layout(doc, pdf_measure, ruled)
        write_pdf(laid, path, doc.title, "Microsoft® Word 2016" if ruled else "WPS 文字")
        verify_pdf(path, laid, ruled)
        if o.two_pages:
            assert any(len(p) > 1 for p in laid.table_pages), f"{pid}: the table should run over two pages"
            ctx.tag("two_pages")
        read = {c.role: c.text for _, _, _, c in reversed(role_cells(doc))}
    elif spec.kind == "scan_pdf":
        render_scan(doc, path, seed)
        verify_scan(path)
        read = {c.role: c.text for _, _, _, c in reversed(role_cells(doc))}
    elif spec.kind == "photo_jpg":
        laid, shrink = render_photo(doc, path, seed)
        verify_photo(path, laid, shrink)
        read = {c.role: c.text for _, _, _, c in reversed(role_cells(doc))}
    else:
        raise ValueError(spec.kind)
    for role, text in doc.probes:
        read.setdefault(role, text)
        if spec.kind.startswith("pdf"):
            with pdfplumber.open(str(path)) as pdf:
                assert squash(text) in squash("".join(p.extract_text() or "" for p in pdf.pages)), (pid, text)

    # the gold, checked against what was read back from the file
    items = [{"name": name, "amount": gold_wan(v.t[i])} for i, name in enumerate(v.names)]
    total = gold_wan(v.total)
    for i in range(len(v.names)):
        assert f"item:{i}" in read, f"{pid}: subject {v.names[i]} not printed"
        assert parse_amount(read[f"item:{i}"], f.unit) == v.t[i], (pid, v.names[i], read[f"item:{i}"])
    assert parse_amount(read["total"], f.unit) == v.total, (pid, read["total"])
    sum_ok = abs(sum(v.t) - v.total) < 50
    assert sum_ok == (plant.rule != "budget.sum"), (pid, sum(v.t), v.total)
    if o.split and spec.template.startswith(("vertical", "transposed")):
        rows_bad = [r for r in [*(f"item:{i}" for i in range(len(v.names))), "total"]
                    if parse_amount(read[f"f:{r}"], f.unit) + parse_amount(read[f"s:{r}"], f.unit)
                    != parse_amount(read[r], f.unit)]
        assert bool(rows_bad) == (plant.rule == "budget.split"), (pid, rows_bad)

    app, app_note = application(pid, n, spec, v, rng, title)
    (folder / "application.json").write_text(json.dumps(app, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    mismatch = abs(Decimal(str(app["budget"]["total"])) - wan(v.total)) >= Decimal("0.005")
    assert mismatch == (plant.rule == "budget.total_mismatch"), (pid, app["budget"]["total"], v.total)

    expect = {r: plant.rule == r for r in RULES}
    entry: dict[str, Any] = {
        "kind": spec.kind,
        "file": spec.file,
        "template": spec.template,
        "layouts": ctx.tags,
        "error": plant.rule,
        "description": describe(plant, v, f, app_note),
        "budget": {"total": total, "items": items, "sum_ok": sum_ok},
    }
    if ctx.items_accept:
        entry["items_accept"] = [[{"name": nm, "amount": gold_wan(a)} for nm, a in alt] for alt in ctx.items_accept]
    entry["expect"] = expect
    entry["rules"] = [r for r in RULES if expect[r]]
    entry["rules_must_not_fire"] = [r for r in RULES if not expect[r]] + ["budget.unreadable"]
    return entry


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="output folder (projects/ and gold.json are replaced)")
    ap.add_argument("--only", default="", help="comma-separated ids to build (for debugging; gold holds only those)")
    args = ap.parse_args(argv)
    out: Path = args.out
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if (out / "projects").exists():
        shutil.rmtree(out / "projects")
    out.mkdir(parents=True, exist_ok=True)
    projects: dict[str, Any] = {}
    for n, spec in enumerate(SPECS, 1):
        pid = f"DEV-{n:03d}"
        if only and pid not in only:
            continue
        projects[pid] = make_project(out, n, spec)
        print(f"{pid} {spec.kind:9} {spec.template:34} {projects[pid]['error'] or '-'}", file=sys.stderr)
    gold = {
        "schema": "budgets-dev/1",
        "description": "Development set of budget attachments (benchmarks/budgets_dev/README.md); amounts in 万元.",
        "projects": projects,
    }
    (out / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    errors = sum(1 for p in projects.values() if p["error"])
    print(f"{len(projects)} projects, {errors} with a planted error -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
