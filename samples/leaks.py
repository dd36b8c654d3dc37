"""The identity evaluation set: projects QZ2020-0501… with leaks planted in every kind and place,
graded easy / medium / hard, and decoys that look like leaks and are not.

Each profile is a fictional applicant; `PLAN` says which leaks and decoys each project carries.
Sentences are built from neutral templates, so the planted surface is the only identity in them.
Grading (issue 3): easy = the exact name or a member in body text; medium = alias, trade name,
header/footer, metadata, label, contact, table, a PDF line break; hard = spaced out, full width,
traditional characters, pinyin or English, text box, comment, footnote, deleted or hidden text,
a wrong character.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from samples.docxkit import build_docx
from samples.make_samples import BUDGET_LINES, Project, application, filler
from samples.pdfkit import build_pdf


@dataclass
class Profile:
    name: str
    aliases: list[str]
    trade: str  # the trade name as people write it alone (distinctive ones only)
    english: str
    website: str
    phone: str
    email: str
    address: str
    street: str  # the distinctive part of the address
    topic: str
    team: list[tuple[str, str]]  # (name, role)
    partner: str | None = None
    partner_short: str | None = None  # a customary short form of the partner
    decoys: list[tuple[str, str]] = field(default_factory=list)  # (sentence containing the surface, surface)


def _credit_code(seed: int) -> str:
    from stdnum.cn import uscc

    body = f"91330800MA2{seed:04d}ABC"[:17]
    body = body.replace("I", "J").replace("O", "P").replace("S", "T").replace("V", "W").replace("Z", "Y")
    return body + uscc.calc_check_digit(body)


def _id_number(seed: int) -> str:
    from stdnum.cn import ric

    body = f"330802198{seed % 10}0{(seed % 9) + 1}1{(seed % 9) + 1}{seed % 1000:03d}"[:17]
    return body + ric.calc_check_digit(body)


PROFILES: list[Profile] = [
    Profile("衢州华友钴新材料有限公司", ["华友钴材"], "华友", "Quzhou Huayou Cobalt New Materials Co., Ltd.", "www.hy-cobalt.com.cn",
            "0570-3861234", "office@hy-cobalt.com.cn", "衢州市柯城区世纪大道88号", "世纪大道88号", "三元前驱体",
            [("李明辉", "leader"), ("金华", "member"), ("张敏", "member")],
            decoys=[("项目产品出口至欧洲，体现中华友好合作精神。", "中华友好"), ("样品送金华市检测中心分析。", "金华市")]),
    Profile("浙江巨峰氟化学有限公司", ["巨峰氟化"], "巨峰", "Zhejiang Jufeng Fluorochemical Co., Ltd.", "www.jufengchem.com",
            "0570-3012345", "jf@jufengchem.com", "衢州市衢江区东港三路18号", "东港三路18号", "含氟聚合物",
            [("王建国", "leader"), ("赵晓东", "member")],
            decoys=[("王建华等学者在该领域发表过综述。", "王建华"), ("国内同行中，浙江永和制冷股份有限公司产能较大。", "浙江永和制冷股份有限公司")]),
    Profile("衢州天鸿智能装备有限公司", ["天鸿装备"], "天鸿", "Quzhou Tianhong Intelligent Equipment Co., Ltd.", "www.tianhong-zb.cn",
            "0570-8765432", "sales@tianhong-zb.cn", "衢州市智造新城白云北大道6号", "白云北大道6号", "矿用智能卡车",
            [("高明", "leader"), ("陈静", "member")],
            decoys=[("该控制算法设计思路技术高明，已在行业推广。", "高明"), ("参考三一重工股份有限公司的同类产品。", "三一重工股份有限公司")]),
    Profile("浙江恒信环保科技有限公司", ["恒信环保"], "恒信", "Zhejiang Hengxin Environmental Technology Co., Ltd.", "www.hxhb.com.cn",
            "0570-6543210", "hx@hxhb.com.cn", "衢州市柯城区航埠路12号", "航埠路12号", "高浓度有机废水处理",
            [("刘洋", "leader"), ("徐丽", "member")],
            decoys=[("衢州市生态环境局发布的数据表明排放总量逐年下降。", "衢州市"), ("企业持之以恒信守承诺。", "恒信")]),
    Profile("衢州学院", [], "", "Quzhou University", "www.qzc.edu.cn",
            "0570-8026000", "kjc@qzc.edu.cn", "衢州市柯城区九华北大道78号", "九华北大道78号", "纸基柔性电子电路",
            [("杨帆", "leader"), ("周婷", "member")], partner="浙江大学", partner_short="浙大",
            decoys=[("衢州职业技术学院提供了部分实训场地。", "衢州职业技术学院"), ("产品检测委托浙江工业大学完成。", "浙江工业大学")]),
    Profile("衢州禾丰农业科技有限公司", ["禾丰农业"], "禾丰", "Quzhou Hefeng Agricultural Technology Co., Ltd.", "www.qzhefeng.com",
            "0570-2233445", "hefeng@qzhefeng.com", "衢州市衢江区高家镇丰收路9号", "丰收路9号", "柑橘绿色防控",
            [("黄志强", "leader"), ("吴芳", "member")], partner="浙江省农业科学院", partner_short="省农科院",
            decoys=[("中国农业科学院柑橘研究所的品种资源可供借鉴。", "中国农业科学院"), ("示范基地位于常山县和开化县。", "常山县")]),
    Profile("衢州博远信息技术有限公司", ["博远信息"], "博远", "Quzhou Boyuan Information Technology Co., Ltd.", "www.boyuan-it.cn",
            "0570-3344556", "hr@boyuan-it.cn", "衢州市柯城区芹江东路288号", "芹江东路288号", "政务大数据",
            [("孙浩", "leader"), ("朱琳", "member")],
            decoys=[("项目团队学识渊博远见卓识。", "博远"), ("系统架构参考阿里云计算有限公司的公开资料。", "阿里云计算有限公司")]),
    Profile("浙江康宁生物医药有限公司", ["康宁生物"], "", "Zhejiang Kangning Biomedical Co., Ltd.", "www.kn-bio.com",
            "0570-5566778", "info@kn-bio.com", "衢州市柯城区东方大道108号", "东方大道108号", "重组蛋白疫苗",
            [("郑伟", "leader"), ("何静", "member")],
            decoys=[("患者术后身体康宁，未见不良反应。", "康宁"), ("对照药品由华东医药股份有限公司提供。", "华东医药股份有限公司")]),
    Profile("衢州市人民医院", [], "", "Quzhou People's Hospital", "www.qzrmyy.com",
            "0570-3055000", "ky@qzrmyy.com", "衢州市柯城区钟楼底2号", "钟楼底2号", "智慧医疗",
            [("马俊杰", "leader"), ("林婉清", "member")],
            decoys=[("病例数据来自衢州市疾病预防控制中心公开年报。", "衢州市疾病预防控制中心"), ("人民群众的健康需求日益增长。", "人民")]),
    Profile("浙江开化元丰纸业有限公司", ["元丰纸业"], "", "Zhejiang Kaihua Yuanfeng Paper Co., Ltd.", "www.yfpaper.cn",
            "0570-6012345", "yf@yfpaper.cn", "开化县华埠镇华锋路3号", "华锋路3号", "纸基摩擦材料",
            [("钱立新", "leader"), ("沈雪梅", "member")],
            decoys=[("开化县森林覆盖率高，原料供应充足。", "开化县"), ("竞争对手仙鹤股份有限公司已有同类产品。", "仙鹤股份有限公司")]),
    Profile("衢州明德光电科技有限公司", ["明德光电"], "明德", "Quzhou Mingde Optoelectronic Technology Co., Ltd.", "www.mdgd.com.cn",
            "0570-7788990", "md@mdgd.com.cn", "衢州市柯城区新新街道柯城大道66号", "柯城大道66号", "光伏逆变器",
            [("欧阳文博", "leader"), ("宋佳", "member")],
            decoys=[("《大学》开篇即讲“在明明德”。", "明明德"), ("光伏组件采购自隆基绿能科技股份有限公司。", "隆基绿能科技股份有限公司")]),
    Profile("龙游县绿源食品有限公司", ["绿源食品"], "绿源", "Longyou Lvyuan Food Co., Ltd.", "www.lvyuanfood.cn",
            "0570-7012345", "ly@lvyuanfood.cn", "龙游县龙洲街道兴业大道20号", "兴业大道20号", "功能性食品",
            [("冯国栋", "leader"), ("曹雨", "member")],
            decoys=[("龙游县是传统的农业大县。", "龙游县"), ("营养标签执行GB 28050-2011标准，检测费3000元。", "28050-2011")]),
    Profile("江山市宏达机械制造有限公司", ["宏达机械"], "", "Jiangshan Hongda Machinery Co., Ltd.", "www.jshongda.com",
            "0570-4012345", "hd@jshongda.com", "江山市贺村镇贺村大道5号", "贺村大道5号", "精密轴承",
            [("韩立军", "leader"), ("彭晓", "member")],
            decoys=[("同类精密轴承主要由人本集团有限公司生产。", "人本集团有限公司"), ("参照专利ZL201510123456.1的技术方案。", "ZL201510123456.1")]),
    Profile("衢州智慧谷数字科技有限公司", ["智慧谷数字"], "智慧谷", "Quzhou Zhihuigu Digital Technology Co., Ltd.", "www.zhgdigital.cn",
            "0570-3998877", "contact@zhgdigital.cn", "衢州市柯城区信安街道智慧大道1号", "智慧大道1号", "智慧社区物联网",
            [("蒋欣然", "leader"), ("蔡文", "member")],
            decoys=[("项目负责人：XXX（隐去）", "XXX"), ("推广智慧谷物烘干技术。", "智慧谷")]),
]


def _pinyin(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text)


def _trad(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def _typo(text: str) -> str:
    """The name with a typing slip in its legal form (有限公司 → 有限工司) or a character dropped."""
    if text.endswith("有限公司"):
        return text[: -len("有限公司")] + "有限工司"
    i = len(text) - 2
    return text[:i] + text[i + 1 :]


# the guide domain each topic belongs to (and acceptable second ones), labelled by hand
DOMAINS: dict[str, tuple[str, list[str]]] = {
    "三元前驱体": ("2.2", []), "含氟聚合物": ("1.1", []), "矿用智能卡车": ("3.1", []),
    "高浓度有机废水处理": ("2.3", ["6.6"]), "纸基柔性电子电路": ("1.4", []), "柑橘绿色防控": ("6.2", []),
    "政务大数据": ("4.2", []), "重组蛋白疫苗": ("5.1", []), "智慧医疗": ("6.7", ["4.2", "5.2"]),
    "纸基摩擦材料": ("1.4", []), "光伏逆变器": ("2.1", []), "功能性食品": ("6.3", []), "精密轴承": ("3.4", []),
    "智慧社区物联网": ("4.1", []),
}
OTHER_COMPANIES = ["浙江新安化工集团股份有限公司", "中化蓝天集团有限公司", "杭州海康威视数字技术股份有限公司",
                   "宁德时代新能源科技股份有限公司", "浙江医药股份有限公司", "江南化工有限公司", "浙江龙盛集团股份有限公司",
                   "杭氧集团股份有限公司", "浙江大华技术股份有限公司", "东方电气集团有限公司", "中国巨石股份有限公司",
                   "浙江伟明环保股份有限公司", "浙江三花智能控制股份有限公司", "卧龙电气驱动集团股份有限公司"]
UNKNOWN_CONTACTS = ["胡家伟", "罗晓峰", "谢婷婷", "唐志远", "许文静", "邓凯", "彭丽娟", "曾国华", "肖楠", "董思远",
                    "袁静怡", "潘宇航", "石文涛", "崔海燕"]



# body sentences: {x} is the planted surface
BODY = {
    "org": "本项目由{x}牵头组织实施，已完成小试和中试。",
    "person": "课题组由{x}负责工艺开发与数据分析。",
    "alias": "{x}在该领域已有十余年的技术积累。",
    "trade": "近年来{x}的研发投入逐年增加。",
    "contact": "如需了解详情请联系{x}。",
    "english": "English abstract: the project is undertaken by {x} in Quzhou.",
}


def plan(p: Profile, index: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The leaks of one project: a list of placements (part, surface, kind, difficulty)."""
    leader, member = p.team[0][0], p.team[-1][0]
    alias = (p.aliases or [p.name])[0]
    rows: list[dict[str, Any]] = [
        {"part": "body", "surface": p.name, "kind": "org", "difficulty": "easy", "template": BODY["org"]},
        {"part": "body", "surface": leader, "kind": "person", "difficulty": "easy", "template": BODY["person"]},
        {"part": "header", "surface": alias, "kind": "alias", "difficulty": "medium"},
        {"part": "metadata", "surface": member, "kind": "metadata", "difficulty": "medium"},
        {"part": "table", "surface": member, "kind": "person", "difficulty": "medium"},
        {"part": "body", "surface": UNKNOWN_CONTACTS[index % len(UNKNOWN_CONTACTS)], "kind": "label",
         "difficulty": "medium", "template": "联系人：{x}；"},
        {"part": "body", "surface": p.phone, "kind": "contact", "difficulty": "medium", "template": BODY["contact"]},
    ]
    variants: list[dict[str, Any]] = [
        {"part": "footer", "surface": p.name, "kind": "org", "difficulty": "medium"},
        {"part": "body", "surface": " ".join(p.name), "kind": "spaced", "difficulty": "hard", "template": BODY["org"]},
        {"part": "body", "surface": _trad(p.name), "kind": "traditional", "difficulty": "hard", "template": BODY["org"]},
        {"part": "body", "surface": p.english, "kind": "english", "difficulty": "hard", "template": BODY["english"]},
        {"part": "textbox", "surface": leader, "kind": "person", "difficulty": "hard"},
        {"part": "comment", "surface": alias, "kind": "alias", "difficulty": "hard"},
        {"part": "footnote", "surface": p.name, "kind": "org", "difficulty": "hard"},
        {"part": "body", "surface": member, "kind": "deleted", "difficulty": "hard", "deleted": True},
        {"part": "body", "surface": p.email, "kind": "contact", "difficulty": "medium", "template": BODY["contact"]},
        {"part": "body", "surface": p.street, "kind": "contact", "difficulty": "medium",
         "template": "中试基地位于{x}，交通便利。"},
        {"part": "body", "surface": _full_width(p.phone), "kind": "fullwidth", "difficulty": "hard",
         "template": BODY["contact"]},
    ]
    if len(p.name) >= 10:  # one slip in ten characters still scores ≥ 90 (fails); shorter names only warn
        variants.append({"part": "body", "surface": _typo(p.name), "kind": "fuzzy", "difficulty": "hard",
                         "template": BODY["org"]})
    if p.trade:
        variants.append({"part": "body", "surface": p.trade, "kind": "trade", "difficulty": "medium",
                         "template": BODY["trade"]})
        pinyin = "".join(w.capitalize() for w in _pinyin(p.trade))
        variants.append({"part": "body", "surface": pinyin, "kind": "pinyin", "difficulty": "hard",
                         "template": "Products are sold under the brand {x} in China."})
    if p.partner:
        rows.append({"part": "body", "surface": p.partner, "kind": "partner", "difficulty": "easy",
                     "template": "项目联合{x}共同开展机理研究。"})
    if p.partner_short:
        variants.append({"part": "body", "surface": p.partner_short, "kind": "partner", "difficulty": "medium",
                         "template": "部分测试依托{x}的分析平台完成。"})
    rng = random.Random(index)
    rows += rng.sample(variants, k=min(len(variants), 7))
    decoys: list[dict[str, Any]] = []
    # near misses every project gets: a name one character off the leader's, another company of
    # the same trade, the project's city in prose
    similar = leader[:-1] + ("华" if leader[-1] != "华" else "明")
    other = OTHER_COMPANIES[index % len(OTHER_COMPANIES)]
    decoys += [{"sentence": f"国内{similar}等学者对该问题做过系统研究。", "surface": similar},
               {"sentence": f"主要竞争对手{other}的产品以中低端为主。", "surface": other},
               {"sentence": "项目产品主要面向衢州及长三角地区用户。", "surface": "衢州"}]
    return rows, decoys


def _docx_kwargs(p: Profile, rows: list[dict[str, Any]], decoys: list[dict[str, Any]], index: int) -> dict[str, Any]:
    body = filler(p.topic)
    kw: dict[str, Any] = {"header": "项目可行性报告", "footer": "第1页",
                          "core": {"creator": "Administrator", "title": "项目可行性报告"}}
    inserts: list[str] = []
    for row in rows:
        part, x = row["part"], row["surface"]
        if part == "body" and row.get("deleted"):
            kw["deleted"] = x
        elif part == "body":
            inserts.append(row["template"].format(x=x))
        elif part == "header":
            kw["header"] = f"{x}项目可行性报告"
        elif part == "footer":
            kw["footer"] = f"{x} 内部资料"
        elif part == "metadata":
            kw["core"] = {**kw["core"], "last_modified_by": x}
        elif part == "table":
            kw["table"] = [["姓名", "职称", "分工"], [x, "工程师", "工艺研究"], ["（隐去）", "高级工程师", "项目统筹"]]
        elif part == "textbox":
            kw["textbox"] = f"项目负责人：{x}"
        elif part == "comment":
            kw["comment"] = ("技术路线", f"请{x}补充中试数据", "审阅人")
        elif part == "footnote":
            kw["footnote"] = f"数据来源：{x}2019年度试验记录。"
    inserts += [d["sentence"] for d in decoys]
    random.Random(1000 + index).shuffle(inserts)
    for i, sentence in enumerate(inserts):
        body.insert(1 + (i * 2) % (len(body) - 1), sentence)
    kw["body"] = body
    return kw


def projects() -> list[Project]:
    out: list[Project] = []
    for index, p in enumerate(PROFILES):
        pid = f"QZ2020-{501 + index:04d}"
        team = [{"name": n, "role": r, "title": "高级工程师", "phone": f"139{index:02d}57{k:04d}",
                 "id_number": _id_number(index * 10 + k), "ongoing_as_leader": 0, "ongoing_as_member": 1}
                for k, (n, r) in enumerate(p.team)]
        kind = "university" if p.name.endswith(("学院", "大学")) else "hospital" if p.name.endswith("医院") else "enterprise"
        app = application(pid, f"{p.topic}关键技术研究", "key",
                          {"name": p.name, "aliases": [*p.aliases, p.english], "credit_code": _credit_code(index),
                           "phone": p.phone, "email": p.email, "website": p.website, "address": p.address,
                           "kind": kind, "industrial": kind == "enterprise"},
                          team, partners=[{"name": p.partner, "aliases": []}] if p.partner else None)
        project = Project(pid, app)
        rows, decoys = plan(p, index)
        report = "可行性报告.docx"
        project.files[report] = partial(build_docx, **_docx_kwargs(p, rows, decoys, index))
        for row in rows:
            project.leak(report, row["part"], row["surface"], row["kind"], row["difficulty"])
        for d in decoys:
            project.decoy(report, d["surface"], "looks like the applicant or a member, is not")
        # the budget: a PDF whose second page breaks the name across a line (every other project)
        budget = "经费预算表.pdf"
        if index % 2 == 0:
            cut = len(p.name) // 2
            pages = [BUDGET_LINES, [f"预算编制说明：本预算由{p.name[:cut]}\n{p.name[cut:]}财务部编制。"]]
            project.files[budget] = partial(build_pdf, pages=pages, info={"Author": p.team[0][0]})
            project.leak(budget, "body", f"{p.name[:cut]}\n{p.name[cut:]}", "linebreak", "medium", page=2)
            project.leak(budget, "metadata", p.team[0][0], "metadata", "medium")
        else:
            project.files[budget] = partial(build_pdf, pages=[BUDGET_LINES, [f"预算编制依据衢州市有关财务管理办法（{p.topic}）。"]],
                                            info={"Author": "Administrator"})
            project.decoy(budget, "衢州市", "the city in prose")
        # the profile's own near misses (中华友好 for 华友, 技术高明 for a member 高明) go where no
        # real leak of the same surface is planted: a separate explanatory attachment
        notes = "研究基础说明.docx"
        project.files[notes] = partial(build_docx, body=["一、研究基础。", *(s for s, _ in p.decoys),
                                                         "二、其他说明。本说明不含申报单位信息。"])
        for _, d in p.decoys:
            project.decoy(notes, d, "a near miss of the applicant's or a member's name")
        project.gold.update(verdict="fail", domain=DOMAINS[p.topic][0], domain_alt=DOMAINS[p.topic][1])
        out.append(project)
    out += clean_projects(len(PROFILES))
    return out


def clean_projects(start: int) -> list[Project]:
    """Identity-clean projects full of decoys: they must pass."""
    out: list[Project] = []
    for k, p in enumerate(PROFILES[:4]):
        index = start + k
        pid = f"QZ2020-{501 + index:04d}"
        # the same applicant as its leaking twin, led by another member (one leader, one project)
        team = [{"name": n, "role": "member" if r == "leader" else "leader", "title": "工程师"} for n, r in p.team]
        app = application(pid, f"{p.topic}工艺优化研究", "key", {"name": p.name, "aliases": p.aliases}, team)
        project = Project(pid, app)
        body = filler(p.topic)
        body += [s for s, _ in p.decoys]
        body.append("申报单位：XXX；项目负责人：（隐去）；联系电话：略。")
        body.append("产品执行GB/T 12345-2019标准，总投资520.0万元，2020年6月28日前完成备案。")
        report = "可行性报告.docx"
        project.files[report] = partial(build_docx, body=body, header="项目可行性报告（隐去单位信息）",
                                        core={"creator": "Administrator", "title": "可行性报告"})
        for _s, d in p.decoys:
            project.decoy(report, d, "near miss")
        for d in ("XXX", "GB/T 12345-2019", "520.0万元", "2020年6月28日"):
            project.decoy(report, d, "placeholder, standard, amount or date")
        project.files["经费预算表.pdf"] = partial(build_pdf, pages=[BUDGET_LINES, [f"本表为{p.topic}工艺优化研究的经费预算。"]])
        project.gold.update(verdict="pass", identity_clean=True, domain=DOMAINS[p.topic][0],
                            domain_alt=DOMAINS[p.topic][1])
        out.append(project)
    return out


def count(projects_: list[Project]) -> tuple[int, int]:
    return (sum(len(p.gold.get("leaks", [])) for p in projects_), sum(len(p.gold.get("decoys", [])) for p in projects_))


if __name__ == "__main__":
    ps = projects()
    print(len(ps), "projects; leaks, decoys:", count(ps))
