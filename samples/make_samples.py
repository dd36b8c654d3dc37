"""Write the sample batch (samples/batch/) and its gold file (samples/gold.json).

    python samples/make_samples.py            # rewrite both
    python samples/make_samples.py --check    # exit 1 if the committed files differ from a fresh build

Every project is fictional. Each planted leak is listed in gold.json in the format that
shared/tools/score.py reads (file, part, page, surface, kind, difficulty), and so is every decoy:
text that looks like a leak and is not one (another company, 衢州 in prose, a similar name).
The PDFs use the CID font STSong-Light built into reportlab, so no font has to be installed.
Output is deterministic: building twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from samples.docxkit import build_docx  # noqa: E402
from samples.pdfkit import build_pdf  # noqa: E402

FEASIBILITY = "可行性报告"
BUDGET = "经费预算表"


def filler(topic: str) -> list[str]:
    """Ordinary report prose about a topic, free of any identity."""
    return [
        f"一、项目背景与意义。{topic}是本市主导产业转型升级的重要方向，国内需求逐年增长，高端产品长期依赖进口。",
        f"二、国内外研究现状。国外企业在{topic}领域起步较早，已形成专利壁垒；国内研究集中在实验室阶段，工程化水平不高。",
        "三、主要研究内容。针对关键工艺参数开展系统研究，建立中试生产线，形成稳定的工艺包和质量控制标准。",
        "四、技术路线。采用理论计算、小试验证、中试放大相结合的技术路线，分阶段完成工艺优化与设备选型。",
        "五、预期目标。项目完成后申请发明专利3项，制定企业标准1项，新增销售收入2000万元，新增利税300万元。",
        "六、项目实施基础。申报单位建有省级企业研究院，拥有分析测试中心和中试车间，具备完成本项目的条件。",
    ]


BUDGET_LINES = [
    "经费预算列表（单位：万元）",
    "设备费 180.0；材料费 120.0；测试化验加工费 40.0；燃料动力费 20.0；",
    "差旅费/会议费/国际合作与交流费 10.0；出版/文献/信息传播/知识产权事务费 10.0；",
    "劳务费 60.0；专家咨询费 10.0；其他支出 20.0；间接费用 50.0；合计 520.0。",
    "预算说明：设备费主要用于购置中试反应装置及在线检测仪器，材料费用于原料和试剂采购。",
]


@dataclass
class Project:
    pid: str
    application: dict[str, Any]
    files: dict[str, Callable[[Path], object]] = field(default_factory=dict)
    gold: dict[str, Any] = field(default_factory=dict)

    def leak(self, file: str, part: str, surface: str, kind: str, difficulty: str, page: int | None = None) -> None:
        self.gold.setdefault("leaks", []).append(
            {"file": file, "part": part, "page": page, "surface": surface, "kind": kind,
             "difficulty": difficulty, "needs_ocr": False}
        )

    def decoy(self, file: str, surface: str, why: str) -> None:
        self.gold.setdefault("decoys", []).append({"file": file, "surface": surface, "why": why})


# Units that may apply to each category (附件2), weighted like the quotas, so that the sample batch
# as a whole stays within them: a project's region (and recommending unit) follows its number.
_UNITS = {
    "major": ["市本级", "市本级", "柯城区", "衢江区"],
    "key": ["市本级"] * 6 + ["柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县"],
    "patent": ["市本级"],
}


def _default_region(pid: str, category: str) -> str:
    units = _UNITS.get(category, _UNITS["key"])
    return units[int("".join(c for c in pid if c.isdigit()) or 0) % len(units)]


def application(pid: str, title: str, category: str, applicant: dict[str, Any], team: list[dict[str, Any]],
                partners: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    region = _default_region(pid, category)
    base_applicant = {"region": region, "kind": "enterprise", "industrial": True, "rd_investment_prev_year": 860.0,
                      "blacklisted": False, "unaccepted_projects": 0}
    # a leader's ongoing projects are typed into the portal; a sample that says nothing means none
    team = [{"ongoing_as_leader": 0, "ongoing_as_member": 0, **m} if m.get("role") == "leader" else m for m in team]
    return {
        "project_id": pid, "call": "quzhou-2020", "title": title, "category": category,
        "recommender": applicant.get("region", region),
        "submitted_at": "2020-06-20T10:15:00+08:00",
        "applicant": {**base_applicant, **applicant},
        "partners": partners or [], "team": team,
        "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0},
        "implementation_months": 24,
        **extra,
    }


def png(width: int = 800, height: int = 1100, label: str = "SCAN") -> bytes:
    """A grey 'scanned page' with some marks (Latin only: no font needed)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(img)
    for y in range(120, height - 120, 40):
        draw.line((80, y, width - 80, y), fill=90, width=3)
    draw.text((90, 50), label, fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def jpeg(label: str = "PHOTO") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(png(640, 480, label))).convert("RGB").save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def _project_title(path: Path) -> list[str]:
    """The title of the project whose folder `path` is in ([] outside a project folder, as in tests)."""
    app = path.parent / "application.json"
    return [json.loads(app.read_text(encoding="utf-8"))["title"]] if app.is_file() else []


def report_docx(path: Path, *, body: list[str], **kw: Any) -> None:
    """A feasibility report that ends with its project's title (read from the application.json in
    the same folder), so that no two projects upload byte-identical reports."""
    build_docx(path, body=[*body, *(f"（本报告对应项目：{t}）" for t in _project_title(path))], **kw)


def budget_pdf(path: Path, *, extra_pages: list[list[str]] | None = None, **kw: Any) -> None:
    """The standard budget table, explained for the project in the same folder (so that no two
    projects upload byte-identical budgets, which the batch reports as the same attachment)."""
    lines = [*BUDGET_LINES, *(f"本表为“{t}”的经费预算。" for t in _project_title(path))]
    build_pdf(path, pages=[lines, *(extra_pages or [])], **kw)


def projects() -> list[Project]:
    out: list[Project] = []

    # 1 — the plain case: the full name in the body, a member in the team table.
    p = Project("QZ2020-0001", application(
        "QZ2020-0001", "高纯电子级氢氟酸连续化制备关键技术研究", "major",
        {"name": "浙江衢晟新材料有限公司", "aliases": ["衢晟新材"], "credit_code": "91330802MA2DH5Q77L"},
        [{"name": "王建国", "role": "leader", "title": "高级工程师", "ongoing_as_leader": 0, "ongoing_as_member": 1},
         {"name": "李晓燕", "role": "member", "title": "工程师"}],
        partners=[{"name": "衢州学院", "aliases": []}],
    ))
    f = f"{FEASIBILITY}.docx"
    body = filler("电子级氢氟酸")
    body[5] = "六、项目实施基础。浙江衢晟新材料有限公司建有省级企业研究院，拥有分析测试中心和中试车间。"
    body.append("七、合作方式。项目联合衢州学院开展机理研究，衢州职业技术学院参与人才培养。")
    p.files[f] = partial(build_docx, body=body, table=[["姓名", "职称", "分工"], ["李晓燕", "工程师", "工艺开发"],
                                                               ["（隐去）", "高级工程师", "项目统筹"]])
    p.leak(f, "body", "浙江衢晟新材料有限公司", "org", "easy")
    p.leak(f, "body", "衢州学院", "partner", "easy")
    p.leak(f, "table", "李晓燕", "person", "medium")
    p.decoy(f, "衢州职业技术学院", "another institution whose name shares 衢州…学院 with the partner")
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf, extra_pages=[["衢州市绿色产业集聚区内同类项目的设备单价作为本预算的参考依据。"]])
    p.decoy(f"{BUDGET}.pdf", "衢州", "the city named in prose")
    p.gold.update(verdict="fail")
    out.append(p)

    # 2 — furniture and notes: header, footer, text box, comment text and comment author.
    p = Project("QZ2020-0002", application(
        "QZ2020-0002", "基于边缘计算的智慧社区物联网网关研发及产业化", "key",
        {"name": "衢州智远电子科技有限公司", "aliases": ["智远电子"]},
        [{"name": "陈志明", "role": "leader", "title": "高级工程师"}, {"name": "周丽华", "role": "member"}],
    ))
    f = f"{FEASIBILITY}.docx"
    p.files[f] = partial(
        build_docx, body=filler("物联网网关"), header="智远电子 项目可行性报告", footer="衢州智远电子科技有限公司 内部资料",
        textbox="项目负责人：陈志明", comment=("技术路线", "请周丽华核对中试数据", "陈志明"))
    p.leak(f, "header", "智远电子", "alias", "medium")
    p.leak(f, "footer", "衢州智远电子科技有限公司", "org", "medium")
    p.leak(f, "textbox", "陈志明", "person", "hard")
    p.leak(f, "comment", "周丽华", "person", "hard")
    p.leak(f, "comment", "陈志明", "person", "hard")  # the comment's author
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf, header="经费预算列表及说明")
    p.gold.update(verdict="fail")
    out.append(p)

    # 3 — first/even page headers, notes, tracked deletion, hidden text, VML text box, nested table.
    p = Project("QZ2020-0003", application(
        "QZ2020-0003", "柑橘绿色高效栽培与采后保鲜技术集成示范", "key",
        {"name": "衢州绿禾农业开发有限公司", "aliases": ["绿禾农业"], "region": "江山市", "industrial": False},
        [{"name": "赵德胜", "role": "leader", "title": "农艺师"}, {"name": "孙雨婷", "role": "member"}],
        partners=[{"name": "浙江省农业科学院", "aliases": ["省农科院"]}],
    ))
    f = f"{FEASIBILITY}.docx"
    p.files[f] = partial(
        build_docx, body=filler("柑橘采后保鲜"), header="柑橘保鲜项目", header_first="衢州绿禾农业开发有限公司",
        header_even="绿禾农业", footnote="数据来源：省农科院柑橘研究所2019年试验报告。",
        endnote="执笔：赵德胜", deleted="绿禾农业", hidden="联系人孙雨婷",
        vml_textbox="衢州绿禾农业开发有限公司示范基地",
        table=[["示范基地", "面积（亩）"], ["常山县", "300"]], nested_table_cell="基地负责人赵德胜")
    p.leak(f, "header", "衢州绿禾农业开发有限公司", "org", "medium", page=1)
    p.leak(f, "header", "绿禾农业", "alias", "medium")
    p.leak(f, "footnote", "省农科院", "partner", "hard")
    p.leak(f, "footnote", "赵德胜", "person", "hard")
    p.leak(f, "body", "绿禾农业", "alias", "hard")  # the tracked deletion
    p.leak(f, "body", "孙雨婷", "person", "hard")  # the hidden run
    p.leak(f, "textbox", "衢州绿禾农业开发有限公司", "org", "hard")
    p.leak(f, "table", "赵德胜", "person", "medium")
    p.decoy(f, "常山县", "a county named as a demonstration site")
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    p.gold.update(verdict="fail")
    out.append(p)

    # 4 — properties and file names, and a PDF: a name across a line break, Info, annotation.
    p = Project("QZ2020-0004", application(
        "QZ2020-0004", "五轴联动高档数控机床关键功能部件研发", "major",
        {"name": "浙江衢江精密机械有限公司", "aliases": ["衢江精密"], "region": "衢江区"},
        [{"name": "刘卫东", "role": "leader", "title": "教授级高工"}, {"name": "吴晓峰", "role": "member"}],
    ))
    f = f"衢江精密-{FEASIBILITY}.docx"
    p.files[f] = partial(
        build_docx, body=filler("数控机床功能部件"),
        core={"creator": "刘卫东", "last_modified_by": "吴晓峰", "title": "五轴数控机床可行性报告"},
        app={"Company": "浙江衢江精密机械有限公司"}, custom={"编制单位": "衢江精密"})
    p.leak(f, "filename", "衢江精密", "alias", "medium")
    p.leak(f, "metadata", "刘卫东", "person", "medium")
    p.leak(f, "metadata", "吴晓峰", "person", "medium")
    p.leak(f, "metadata", "浙江衢江精密机械有限公司", "org", "medium")
    p.leak(f, "metadata", "衢江精密", "alias", "medium")
    b = f"{BUDGET}.pdf"
    p.files[b] = partial(
        build_pdf, pages=[BUDGET_LINES, ["预算编制说明：本预算由浙江衢江精\n密机械有限公司财务部编制，经费使用严格执行国家有关规定。"]],
        info={"Author": "吴晓峰", "Title": "经费预算表"}, annotation=("请衢江精密财务复核", "财务部"))
    p.leak(b, "body", "浙江衢江精\n密机械有限公司", "org", "medium", page=2)
    p.leak(b, "metadata", "吴晓峰", "person", "medium")
    p.leak(b, "comment", "衢江精密", "alias", "hard", page=1)
    p.gold.update(verdict="fail")
    out.append(p)

    # 5 — clean, with decoys: other companies, the city in prose, names that are not members.
    p = Project("QZ2020-0005", application(
        "QZ2020-0005", "新型重组蛋白疫苗规模化纯化工艺研究", "key",
        {"name": "衢州康瑞生物医药有限公司", "aliases": ["康瑞生物"]},
        [{"name": "黄海涛", "role": "leader", "title": "研究员"}, {"name": "郑佳", "role": "member"}],
    ))
    f = f"{FEASIBILITY}.docx"
    body = filler("重组蛋白疫苗")
    body.append("八、市场分析。国内主要竞争对手包括浙江医药股份有限公司和华东医药股份有限公司，产品已进入衢州市及周边医院。")
    body.append("九、产业环境。衢州市生物医药产业基础较好，黄海、渤海沿岸的同类企业多以仿制药为主。")
    p.files[f] = partial(build_docx, body=body, header="项目可行性报告", footer="第 1 页",
                                         core={"creator": "Administrator", "title": "可行性报告"})
    p.decoy(f, "浙江医药股份有限公司", "a competitor")
    p.decoy(f, "华东医药股份有限公司", "a competitor")
    p.decoy(f, "衢州市", "the city in prose")
    p.decoy(f, "黄海", "a sea, not the leader 黄海涛")
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf, info={"Author": "Administrator", "Title": "经费预算表"})
    p.gold.update(verdict="pass", identity_clean=True)
    out.append(p)

    # 6 — a lying extension hides a leak: a .pdf that is really a docx is read as what it is.
    p = Project("QZ2020-0006", application(
        "QZ2020-0006", "政务大数据安全共享平台关键技术研究", "key",
        {"name": "衢州云帆信息技术有限公司", "aliases": ["云帆信息"]},
        [{"name": "马俊", "role": "leader", "title": "高级工程师"}, {"name": "林婉清", "role": "member"}],
    ))
    f = f"{FEASIBILITY}.pdf"
    body = filler("政务大数据安全")
    body[5] = "六、项目实施基础。云帆信息已承担多项市级信息化项目，具备完成本项目的技术积累。"
    p.files[f] = partial(build_docx, body=body)
    p.leak(f, "body", "云帆信息", "alias", "medium")
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    p.gold.update(verdict="fail", rules=["document.unsupported"])
    out.append(p)

    # 7 — nothing leaks but nothing can be trusted either: every attachment needs a person's look.
    p = Project("QZ2020-0007", application(
        "QZ2020-0007", "纸基柔性电子电路材料制备技术研究", "key",
        {"name": "衢州仙鹤纸基材料有限公司", "aliases": ["仙鹤纸基"]},
        [{"name": "钱立新", "role": "leader"}],
    ))
    p.files[f"{FEASIBILITY}.pdf"] = partial(
        build_pdf, pages=[filler("纸基柔性电路")], scanned_page_png=png(label="SCANNED PAGE"))
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf, user_password="qz2020")
    p.files["现场照片.jpg"] = lambda path: path.write_bytes(jpeg())
    p.files["补充说明.docx"] = lambda path: path.write_bytes(b"")
    p.files["附件-证明材料.docx"] = lambda path: _truncated_docx(path)
    p.files["说明.txt"] = lambda path: path.write_text("项目补充说明", encoding="utf-8")
    # the scanned page and the photo are read by OCR (they carry no identity); without OCR they
    # would add document.scanned warnings
    p.gold.update(verdict="review", identity_clean=True, rules=[
        "document.encrypted", "document.unreadable", "document.unsupported"])
    out.append(p)

    # 8 — a clean project that passes, with a patent-style reference to another owner.
    p = Project("QZ2020-0008", application(
        "QZ2020-0008", "含氟电子特气高效纯化技术研发及产业化", "key",
        {"name": "衢州北辰化工有限公司", "aliases": ["北辰化工"]},
        [{"name": "徐国庆", "role": "leader", "title": "高级工程师"}, {"name": "何敏", "role": "member"}],
    ))
    f = f"{FEASIBILITY}.docx"
    body = filler("含氟电子特气")
    body.append("七、知识产权。本项目引用的ZL201510123456.1号专利由中化蓝天集团有限公司持有，已获得许可。")
    p.files[f] = partial(build_docx, body=body, header="项目可行性报告（隐去单位信息）",
                                         core={"creator": "XXX"}, app={"Company": "某某公司"})
    p.decoy(f, "中化蓝天集团有限公司", "a licensor, not the applicant")
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    p.gold.update(verdict="pass", identity_clean=True)
    out.append(p)
    return out


# Modules in samples/ that add projects of their own: each has `projects() -> list[Project]`.
EXTRA_PROJECT_MODULES: tuple[str, ...] = ("leaks", "batch_rules", "rules", "certificates", "scans")


def all_projects() -> list[Project]:
    import importlib

    out = projects()
    for p in out:
        code, alt = FOUNDATION_DOMAINS[p.pid]
        p.gold.update(domain=code, domain_alt=alt)
    for name in EXTRA_PROJECT_MODULES:
        out += importlib.import_module(f"samples.{name}").projects()
    ids = [p.pid for p in out]
    if len(ids) != len(set(ids)):
        raise SystemExit(f"duplicate project ids in samples: {sorted(i for i in ids if ids.count(i) > 1)}")
    return out


# the guide domain of each foundation project's title (and acceptable second ones), by hand
FOUNDATION_DOMAINS = {"QZ2020-0001": ("1.3", ["1.1"]), "QZ2020-0002": ("4.1", []), "QZ2020-0003": ("6.2", ["6.3"]),
                      "QZ2020-0004": ("3.2", []), "QZ2020-0005": ("5.1", []), "QZ2020-0006": ("4.2", []),
                      "QZ2020-0007": ("1.4", []), "QZ2020-0008": ("1.3", ["1.1"])}


def _truncated_docx(path: Path) -> None:
    full = path.with_suffix(".full.docx")
    build_docx(full, body=["证明材料"])
    data = full.read_bytes()
    full.unlink()
    path.write_bytes(data[: len(data) // 2])


def build(target: Path) -> dict[str, Any]:
    """Write every project under target/batch and return the gold dictionary."""
    batch = target / "batch"
    if batch.exists():
        shutil.rmtree(batch)
    gold: dict[str, Any] = {"projects": {}}
    all_projects_built = all_projects()
    for project in all_projects_built:
        folder = batch / project.pid
        folder.mkdir(parents=True)
        (folder / "application.json").write_text(
            json.dumps(project.application, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for name, make in project.files.items():
            make(folder / name)
        gold["projects"][project.pid] = project.gold
    from samples import certificates, scans
    from samples.batch_rules import batch_rules

    gold["batch_rules"] = batch_rules()
    _quota_overruns(all_projects_built, gold)
    gold["patents"] = {**certificates.expected_patents(), **scans.expected_patents()}
    (target / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return gold


def _quota_overruns(projects_: list[Project], gold: dict[str, Any]) -> None:
    """Where the sample intake itself exceeds a unit's quota (附件2), `screening batch` rightly warns
    on every project of that unit and category: a project that passes alone is `review` in a batch."""
    from collections import Counter

    from screening.calls import load_call

    call = load_call()
    key = [(call.category_id(p.application.get("category")), p.application.get("recommender")) for p in projects_]
    counts = Counter(key)
    for project, (category, unit) in zip(projects_, key, strict=True):
        quota = call.categories[category].quotas.get(unit or "") if category in call.categories else None
        g = gold["projects"][project.pid]
        if quota is not None and counts[(category, unit)] > quota and g.get("verdict") == "pass":
            g.setdefault("verdict_batch_accept", ["review"])


def same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.diff_files or cmp.funny_files:
        return False
    return all(same_tree(a / d, b / d) for d in cmp.common_dirs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare a fresh build with the committed samples")
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))
            ok = same_tree(Path(tmp) / "batch", HERE / "batch") and filecmp.cmp(
                Path(tmp) / "gold.json", HERE / "gold.json", shallow=False)
        print("samples are up to date" if ok else "samples differ from a fresh build: run samples/make_samples.py")
        return 0 if ok else 1
    gold = build(HERE)
    leaks = sum(len(p.get("leaks", [])) for p in gold["projects"].values())
    decoys = sum(len(p.get("decoys", [])) for p in gold["projects"].values())
    print(f"wrote {len(gold['projects'])} projects, {leaks} planted leaks, {decoys} decoys to {HERE / 'batch'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
