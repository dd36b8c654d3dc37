"""The rules evaluation set: projects QZ2020-0301… for the call's eligibility rules, attachment
completeness and budget tables.

Each eligibility project breaks one rule (or sits exactly at its edge and must pass); each budget
project carries one budget layout or one budget fault: a docx table, a ruled PDF table (with a
wrapped item name, sub-items and a rounding difference), a PDF in 元, an unruled PDF whose columns
are only spaces, items that do not add up, a total other than application.json's, 财政补助 + 自筹
wrong, a budget in prose only, an R&D row below the major-project minimum, no unit. Attachments
hold neutral text only (no applicant or member is named), so the verdicts come from these rules.
Gold: "rules" that must fire, "rules_must_not_fire", "budget" {total, sum_ok} or null, "verdict".

Amounts of the standard table (万元): items 520 = 设备费 180 (购置 150 + 试制 30) + 材料费 120 +
测试化验加工费 40 + 燃料动力费 20 + 差旅费/会议费/国际合作与交流费 10 + 出版/文献/信息传播/知识产权
事务费 10 + 劳务费 60 + 专家咨询费 10 + 其他支出 20 + 间接费用 50; 财政补助 100, 自筹 420.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from samples.docxkit import build_docx
from samples.make_samples import Project, application, budget_pdf, filler
from samples.pdfkit import build_pdf

FEASIBILITY = "可行性报告.docx"
BUDGET_PDF = "经费预算表.pdf"
BUDGET_DOCX = "经费预算表.docx"
HEAD = ["预算科目", "合计", "财政补助", "自筹"]

Row = list[str]

# (label, 合计, 财政补助, 自筹) in 万元; "\n" wraps a name inside its cell
STANDARD: list[tuple[str, float, float, float]] = [
    ("一、设备费", 180, 60, 120),
    ("其中：购置设备费", 150, 50, 100),
    ("试制设备费", 30, 10, 20),
    ("二、材料费", 120, 20, 100),
    ("三、测试化验加工费", 40, 10, 30),
    ("四、燃料动力费", 20, 0, 20),
    ("五、差旅费/会议费/国际合作\n与交流费", 10, 0, 10),
    ("六、出版/文献/信息传播/知识\n产权事务费", 10, 0, 10),
    ("七、劳务费", 60, 0, 60),
    ("八、专家咨询费", 10, 0, 10),
    ("九、其他支出", 20, 0, 20),
    ("十、间接费用", 50, 10, 40),
    ("合计", 520, 100, 420),
]


def rows(lines: Sequence[tuple[str, float, float, float]] = STANDARD, *, scale: float = 1, digits: int = 2,
         head: Row | None = None, change: dict[str, tuple[float, float, float]] | None = None) -> list[Row]:
    """A budget grid: the head, then one row per line (`change` replaces a line's amounts)."""
    out = [list(head or HEAD)]
    for label, *amounts in lines:
        values = (change or {}).get(label, tuple(amounts))
        out.append([label, *(f"{v * scale:,.{digits}f}" for v in values)])
    return out


# -- a ruled PDF table (reportlab canvas, deterministic) -------------------------------------------

FONT = "STSong-Light"
SIZE = 10.5
LINE = 14  # points between the lines of one cell
PAD = 5
WIDTHS = (190, 85, 85, 85)


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def ruled_pdf(path: Path, grid: list[Row], *, title: str = "经费预算表", unit_line: str | None = "单位：万元",
              after: Sequence[str] = ("预算说明：设备费用于购置中试装置和在线检测仪器，材料费用于原料与试剂采购。",),
              rules: bool = True, split_at: int | None = None) -> Path:
    """A table drawn with ruling lines (or only spaced out when `rules` is False), a title above;
    `split_at` continues the rows from that index on a second page (no head repeated)."""
    _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    height = A4[1]
    left = 72.0
    edges = [left]
    for w in WIDTHS:
        edges.append(edges[-1] + w)
    y = height - 80
    canvas.setFont(FONT, 16)
    canvas.drawString(left, y, title)
    canvas.setFont(FONT, SIZE)
    y -= 26
    if unit_line:
        canvas.drawString(left + sum(WIDTHS) - 80, y, unit_line)
        y -= 10
    pages = [grid] if split_at is None else [grid[:split_at], grid[split_at:]]
    for number, page_rows in enumerate(pages):
        if number:
            canvas.showPage()
            canvas.setFont(FONT, SIZE)
            y = height - 80
        y = _draw_rows(canvas, page_rows, edges, y, rules)
    y -= 30
    for text in after:
        canvas.drawString(left, y, text)
        y -= 20
    canvas.showPage()
    canvas.save()
    Path(path).write_bytes(buffer.getvalue())
    return Path(path)


def _draw_rows(canvas: Canvas, grid: list[Row], edges: list[float], y: float, rules: bool) -> float:
    """Draw the rows from `y` down (ruling lines around every cell when `rules`); the bottom y."""
    top = y
    for row in grid:
        row_height = LINE * max(len(cell.split("\n")) for cell in row) + 8
        for col, cell in enumerate(row):
            for k, text in enumerate(cell.split("\n")):
                base = y - PAD - SIZE - k * LINE
                if col == 0:
                    canvas.drawString(edges[0] + PAD, base, text)
                else:
                    canvas.drawRightString(edges[col + 1] - PAD, base, text)
        if rules:
            canvas.line(edges[0], y, edges[-1], y)
        y -= row_height
    if rules:
        canvas.line(edges[0], y, edges[-1], y)
        for x in edges:
            canvas.line(x, top, x, y)
    return y


def docx_table(path: Path, grid: list[Row], *, caption: Sequence[str] = ("经费预算表", "单位：万元")) -> Path:
    return build_docx(path, body=list(caption), table=[[cell.replace("\n", "") for cell in r] for r in grid])


def text_pdf(path: Path, grid: list[Row], *, caption: str = "经费预算表（单位：万元）") -> Path:
    """A budget set as plain text lines, columns only separated by spaces (no rules, no table)."""
    lines = [" ".join(cell.replace("\n", "").replace(",", "") for cell in r) for r in grid]
    return build_pdf(path, pages=[[caption, "\n".join(lines), "预算说明：各科目按实际需要测算。"]], wrap_at=60)


# -- projects ------------------------------------------------------------------------------------

LEADER = {"name": "周文博", "role": "leader", "title": "高级工程师", "ongoing_as_leader": 0, "ongoing_as_member": 1}
MEMBER = {"name": "沈佳怡", "role": "member", "title": "工程师"}

BUDGET_RULES = ["budget.sum", "budget.total_mismatch", "budget.split", "budget.unreadable", "budget.rd_threshold",
                "budget.total_missing", "budget.unit"]
ELIGIBILITY_RULES = ["eligibility.category", "eligibility.region", "eligibility.industrial",
                     "eligibility.rd_investment", "eligibility.blacklist", "eligibility.unaccepted",
                     "eligibility.leader_load", "eligibility.deadline", "eligibility.duration", "eligibility.sales",
                     "eligibility.rd_budget", "eligibility.missing_value"]
CLEAN_BUDGET = {"total": 520.0, "sum_ok": True}


def _project(pid: str, title: str, category: str, *, applicant: dict[str, Any] | None = None,
             leader: dict[str, Any] | None = None, **extra: Any) -> Project:
    number = int(pid[-2:])
    app = application(pid, title, category,
                      {"name": f"衢州示范{number:02d}科技有限公司", "aliases": [f"示范{number:02d}科技"], **(applicant or {})},
                      [{**LEADER, **(leader or {})}, MEMBER], **extra)
    return Project(pid, app)


def _attach(p: Project, topic: str, budget: tuple[str, Callable[[Path], object]] | None = None) -> None:
    p.files[FEASIBILITY] = partial(build_docx, body=filler(topic))
    name, make = budget or (BUDGET_PDF, partial(budget_pdf))
    p.files[name] = make


def _gold(p: Project, verdict: str, fire: Sequence[str] = (), quiet: Sequence[str] = (),
          budget: dict[str, Any] | None = CLEAN_BUDGET) -> None:
    quiet_rules = [r for r in quiet if r not in fire]
    p.gold.update(verdict=verdict, identity_clean=True, rules=list(fire),
                  rules_must_not_fire=[{"rule": r} for r in quiet_rules], budget=budget)


def _others(*firing: str) -> list[str]:
    """Every eligibility and budget rule except the ones that fire."""
    return [r for r in ELIGIBILITY_RULES + BUDGET_RULES + ["document.missing"] if r not in firing]


def eligibility_projects() -> list[Project]:
    out: list[Project] = []

    # 0301 — a major project exactly at every edge: R&D budget 300 (inclusive), submitted 16:59:59 on
    # the closing day, the leader at both maxima, the category by its Chinese name; a docx budget table.
    p = _project("QZ2020-0301", "高性能含氟聚合物连续聚合工艺研究", "重大科技攻关项目",
                 applicant={"region": "衢江区"}, leader={"ongoing_as_leader": 1, "ongoing_as_member": 2},
                 submitted_at="2020-06-28T16:59:59+08:00", budget={"total": 520.0, "rd": 300.0, "subsidy": 100.0})
    _attach(p, "含氟聚合物", (BUDGET_DOCX, partial(docx_table, grid=rows())))
    _gold(p, "pass", quiet=_others())
    out.append(p)

    # 0302 — a key project from a county with R&D spending just above zero; an unruled PDF budget.
    p = _project("QZ2020-0302", "山地果园轨道运输装备研制", "key",
                 applicant={"region": "开化县", "rd_investment_prev_year": 0.01, "industrial": False})
    _attach(p, "果园运输装备", (BUDGET_PDF, partial(text_pdf, grid=rows())))
    _gold(p, "pass", quiet=_others())
    out.append(p)

    cases: list[tuple[str, str, str, str, dict[str, Any]]] = [
        ("QZ2020-0303", "eligibility.region", "氢燃料电池膜电极批量制备技术", "major", {"applicant": {"region": "龙游县"}}),
        ("QZ2020-0304", "eligibility.industrial", "电子级硅烷偶联剂产业化", "patent",
         {"applicant": {"region": "市本级", "industrial": False}, "implementation_months": 12, "sales_revenue": 800.0}),
        ("QZ2020-0305", "eligibility.rd_investment", "智能网关安全通信模组研发", "key",
         {"applicant": {"rd_investment_prev_year": 0.0}}),
        ("QZ2020-0306", "eligibility.blacklist", "高效节水灌溉控制系统研发", "key", {"applicant": {"blacklisted": True}}),
        ("QZ2020-0307", "eligibility.unaccepted", "特种纸基摩擦材料制备技术", "key", {"applicant": {"unaccepted_projects": 1}}),
        ("QZ2020-0308", "eligibility.leader_load", "动力电池正极材料包覆改性研究", "key", {"leader": {"ongoing_as_leader": 2}}),
        ("QZ2020-0309", "eligibility.leader_load", "矿用卡车远程遥控系统研发", "key", {"leader": {"ongoing_as_member": 3}}),
        ("QZ2020-0310", "eligibility.deadline", "柑橘黄龙病快速检测试剂研发", "key", {"submitted_at": "2020-06-29T09:30:00+08:00"}),
        ("QZ2020-0311", "eligibility.duration", "无油涡旋压缩机产业化", "patent",
         {"applicant": {"region": "市本级"}, "implementation_months": 13, "sales_revenue": 800.0}),
        ("QZ2020-0312", "eligibility.sales", "高参数机械密封装置产业化", "patent",
         {"applicant": {"region": "市本级"}, "implementation_months": 12, "sales_revenue": 499.0}),
        ("QZ2020-0314", "eligibility.rd_budget", "光伏逆变器智能运维平台研发", "major",
         {"budget": {"total": 520.0, "rd": 299.99, "subsidy": 100.0}}),
        ("QZ2020-0315", "eligibility.category", "农产品冷链溯源平台研发", "指导性项目", {}),
    ]
    for pid, rule, title, category, kw in cases:
        p = _project(pid, title, category, **kw)
        _attach(p, title[:6])
        fire = [rule, "patent.missing"] if category == "patent" else [rule]
        _gold(p, "fail", fire=fire, quiet=_others(rule))
        out.append(p)

    # 0313 — a patent project exactly at its edges (12 months, sales 500): only the missing
    # certificate (patent.missing, the patent check's rule) fails it.
    p = _project("QZ2020-0313", "含氟表面活性剂绿色合成产业化", "patent",
                 applicant={"region": "市本级"}, implementation_months=12, sales_revenue=500.0)
    _attach(p, "含氟表面活性剂")
    _gold(p, "fail", fire=["patent.missing"], quiet=_others())
    out.append(p)

    # 0316 — values the rules need are absent: a person checks (review), nothing passes silently.
    p = _project("QZ2020-0316", "社区居家健康监测终端研发", "key",
                 applicant={"region": None, "rd_investment_prev_year": None})
    del p.application["submitted_at"]
    _attach(p, "健康监测终端")
    _gold(p, "review", fire=["eligibility.missing_value"], quiet=_others("eligibility.missing_value"))
    out.append(p)
    return out


def attachment_projects() -> list[Project]:
    out: list[Project] = []

    # 0317 — no budget attachment at all.
    p = _project("QZ2020-0317", "生物酶法农产品精深加工技术研究", "key")
    p.files[FEASIBILITY] = partial(build_docx, body=filler("生物酶法加工"))
    _gold(p, "fail", fire=["document.missing"], quiet=_others("document.missing"), budget=None)
    out.append(p)

    # 0318 — file names that say nothing: the roles are read from the titles inside.
    p = _project("QZ2020-0318", "纸基检测芯片规模化制备技术", "key")
    p.files["附件1.docx"] = partial(build_docx, body=["项目可行性报告", *filler("纸基检测芯片")])
    p.files["附件2.pdf"] = partial(ruled_pdf, grid=rows(), title="经费预算表")
    _gold(p, "pass", quiet=_others())
    out.append(p)
    return out


def budget_projects() -> list[Project]:
    out: list[Project] = []

    def add(pid: str, title: str, make: Callable[[Path], object], verdict: str, fire: Sequence[str] = (),
            read: dict[str, Any] | None = CLEAN_BUDGET, category: str = "key", also: Sequence[str] = (),
            **kw: Any) -> None:
        """`also`: rules that may fire too (the same fault seen from another side)."""
        p = _project(pid, title, category, **kw)
        _attach(p, title[:6], (BUDGET_PDF, make))
        _gold(p, verdict, fire=fire, quiet=_others(*fire, *also), budget=read)
        out.append(p)

    # 0319 — a ruled PDF table: wrapped item names, sub-items, 劳务费 60.01 (a rounding difference of
    # 0.01 万元 against the 合计: within the tolerance).
    add("QZ2020-0319", "有机硅封头剂连续化生产技术", partial(ruled_pdf, grid=rows(change={"七、劳务费": (60.01, 0, 60.01)})),
        "pass")
    # 0320 — the same table in 元, with thousands separators.
    add("QZ2020-0320", "高档数控机床伺服驱动器研发",
        partial(ruled_pdf, grid=rows(scale=10000, head=["预算科目", "合计", "财政补助", "自筹"]), unit_line="单位：元"),
        "pass")
    # 0321 — items that do not add up: 材料费 110 instead of 120, 合计 still 520 (so its 自筹 column does
    # not add up either: budget.split may say so too).
    add("QZ2020-0321", "新型制冷剂混配工艺研究", partial(ruled_pdf, grid=rows(change={"二、材料费": (110, 20, 90)})),
        "fail", ["budget.sum"], {"total": 520.0, "sum_ok": False}, also=["budget.split"])
    # 0322 — a consistent table whose 合计 (500) is not application.json's 520.
    add("QZ2020-0322", "垃圾分类智能回收站研发",
        partial(ruled_pdf, grid=rows(change={"二、材料费": (100, 20, 80), "合计": (500, 100, 400)})),
        "review", ["budget.total_mismatch"], {"total": 500.0, "sum_ok": True})
    # 0323 — 财政补助 + 自筹 is not 合计 on the 合计 row (自筹 typed as 410).
    add("QZ2020-0323", "珍贵树种容器育苗技术集成", partial(ruled_pdf, grid=rows(change={"合计": (520, 100, 410)})),
        "review", ["budget.split"])
    # 0324 — a budget in prose only: nothing to read, a person reads it.
    add("QZ2020-0324", "古村落建筑保护修缮技术研究",
        partial(build_pdf, pages=[["经费预算说明", "本项目经费主要用于中试设备购置、原材料采购和测试化验，"
                                                       "具体开支按照有关经费管理办法执行，由项目组据实列支。"]]),
        "review", ["budget.unreadable"], None)
    # 0325 — a major project whose table states 研发投入 280 万元, below 300 (application.json says 320).
    add("QZ2020-0325", "半导体级超纯试剂提纯技术", partial(ruled_pdf, grid=rows([*STANDARD, ("其中：研发投入", 280, 60, 220)])),
        "fail", ["budget.rd_threshold"], category="major", applicant={"region": "柯城区"},
        budget={"total": 520.0, "rd": 320.0, "subsidy": 100.0})
    # 0326 — a table that states no unit: its 合计 is not compared with application.json.
    add("QZ2020-0326", "高浓度有机废水膜分离技术", partial(ruled_pdf, grid=rows(), unit_line=None, title="经费预算表"),
        "review", ["budget.unit"])
    return out


def projects() -> list[Project]:
    return sorted(eligibility_projects() + attachment_projects() + budget_projects(), key=lambda p: p.pid)
