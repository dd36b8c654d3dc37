"""The batch-rules set: projects QZ2020-0401… that make the `batch.*` rules fire across projects,
and one that must not. Attachments are neutral (no applicant or member is named, no rule of a
single project breaks), so on its own each project passes — except the late one — and every
difference between `screening project` and `screening batch` comes from the batch rules.

* 0401–0403: three 重大科技攻关 projects recommended by 柯城区, whose quota is 2 → batch.quota (warn, all three);
* 0404/0405: one applicant, near-identical titles, in 科技攻关 and 重大科技攻关 → batch.duplicate (fail, both);
* 0406/0407: one leader (the same ID number) in two applicants' projects → batch.leader_load (fail, both);
  0408: a leader of the same name as 0406's, at 0406's applicant, with another ID number: someone else;
* 0409/0410: the same budget file (byte for byte) in two projects → batch.same_attachment (warn, both);
* 0411: submitted the morning after the close → batch.deadline (and eligibility.deadline): fail.

Gold: per project "verdict" (screening project), "verdict_batch_accept" where screening batch differs,
"rules_must_not_fire"; the top-level "batch_rules" list is `batch_rules()`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from samples.docxkit import build_docx
from samples.make_samples import BUDGET, BUDGET_LINES, FEASIBILITY, Project, application, budget_pdf, filler
from samples.pdfkit import build_pdf

LEADER_ID = "330802198207150031"  # the leader of 0406 and 0407
OTHER_ID = "330803197911020018"  # 0408's leader: same name, another person


def _leader(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "role": "leader", "title": "高级工程师", "ongoing_as_leader": 0, "ongoing_as_member": 0, **extra}


def _project(pid: str, title: str, category: str, applicant: str, topic: str, leader: dict[str, Any], *,
             recommender: str = "市本级", region: str = "市本级", budget: str | None = None, **extra: Any) -> Project:
    """A project with a neutral feasibility report about `topic` and a budget whose explanation
    page is `budget` (its own sentence about the topic unless given: no two budgets alike)."""
    p = Project(pid, application(
        pid, title, category, {"name": applicant, "aliases": [], "region": region},
        [leader],
        **{"recommender": recommender, **extra},
    ))
    body = [*filler(topic), f"七、进度安排。第一年完成{topic}小试与中试方案设计，第二年完成中试验证与工艺定型。"]
    p.files[f"{FEASIBILITY}.docx"] = partial(build_docx, body=body)
    if budget is None:
        p.files[f"{BUDGET}.pdf"] = partial(budget_pdf, extra_pages=[[f"预算说明：设备费主要用于{topic}中试装置及在线检测仪器购置。"]])
    else:  # the very same file in every project that passes the same `budget`
        p.files[f"{BUDGET}.pdf"] = partial(build_pdf, pages=[BUDGET_LINES, [f"预算说明：{budget}"]])
    p.gold.update(verdict="pass", identity_clean=True)
    return p


def projects() -> list[Project]:
    out = [
        _project("QZ2020-0401", "高性能含氟聚酰亚胺薄膜制备关键技术研究", "major", "衢州柯联新材料科技有限公司",
                 "含氟聚酰亚胺薄膜", _leader("方志远"), recommender="柯城区", region="柯城区"),
        _project("QZ2020-0402", "矿山智能凿岩装备关键技术研发", "major", "衢州瑞丰智能装备有限公司",
                 "智能凿岩装备", _leader("俞海波"), recommender="柯城区", region="柯城区"),
        _project("QZ2020-0403", "工业园区含氟废水深度处理与资源化技术研究", "major", "衢州清源环保科技有限公司",
                 "含氟废水资源化", _leader("蒋文斌"), recommender="柯城区", region="柯城区"),
        _project("QZ2020-0404", "高效N型TOPCon光伏电池关键技术研究", "key", "衢州晶辉光电科技有限公司",
                 "N型光伏电池", _leader("祝永康")),
        _project("QZ2020-0405", "高效N型TOPCon光伏电池关键技术研究及产业化", "major", "衢州晶辉光电科技有限公司",
                 "光伏电池产业化", _leader("毛晓军")),
        _project("QZ2020-0406", "柑橘皮渣高值化利用关键技术研究", "key", "衢州绿源生物科技有限公司",
                 "柑橘皮渣利用", _leader("程立伟", id_number=LEADER_ID, phone="13905708811")),
        _project("QZ2020-0407", "危险化学品快速检测技术研究", "key", "浙江衢安检测技术有限公司",
                 "危险化学品检测", _leader("程立伟", id_number=LEADER_ID)),
        _project("QZ2020-0408", "食用菌菌渣循环利用技术研究", "key", "衢州绿源生物科技有限公司",
                 "菌渣循环利用", _leader("程立伟", id_number=OTHER_ID, phone="13905708811")),
        _project("QZ2020-0409", "工业互联网标识解析二级节点关键技术研究", "key", "衢州华信软件有限公司",
                 "工业互联网标识解析", _leader("郑国华"), budget="设备费主要用于服务器及网络安全设备购置。"),
        _project("QZ2020-0410", "城市级视频数据智能分析平台研发", "key", "衢州云智数据科技有限公司",
                 "视频数据智能分析", _leader("邵建明"), budget="设备费主要用于服务器及网络安全设备购置。"),
        _project("QZ2020-0411", "竹木废弃物制备生物质炭技术研究", "key", "龙游竹源生态科技有限公司",
                 "生物质炭", _leader("吴志强"), recommender="龙游县", region="龙游县",
                 submitted_at="2020-06-29T09:30:00+08:00"),
    ]
    batch_verdicts = {"0401": "review", "0402": "review", "0403": "review", "0404": "fail", "0405": "fail",
                      "0406": "fail", "0407": "fail", "0409": "review", "0410": "review"}
    for p in out:
        if (verdict := batch_verdicts.get(p.pid[-4:])) is not None:
            p.gold["verdict_batch_accept"] = [verdict]
    late = out[-1]
    late.gold.update(verdict="fail", rules=["eligibility.deadline"])
    decoy = next(p for p in out if p.pid == "QZ2020-0408")
    decoy.gold["rules_must_not_fire"] = [{"rule": "batch.leader_load"}, {"rule": "batch.duplicate"}]
    return out


def batch_rules() -> list[dict[str, Any]]:
    """gold.json's top-level "batch_rules": each rule and the projects it must fire on."""
    return [
        {"rule": "batch.quota", "projects": ["QZ2020-0401", "QZ2020-0402", "QZ2020-0403"]},
        {"rule": "batch.duplicate", "projects": ["QZ2020-0404", "QZ2020-0405"]},
        {"rule": "batch.leader_load", "projects": ["QZ2020-0406", "QZ2020-0407"]},
        {"rule": "batch.same_attachment", "projects": ["QZ2020-0409", "QZ2020-0410"]},
        {"rule": "batch.deadline", "projects": ["QZ2020-0411"]},
    ]

