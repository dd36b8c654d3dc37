"""The evidence model (issue 11): the same rules for declared aliases, derived short forms and
person names; an ordinary word names the applicant only where the evidence says so, and every
finding says why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from screening.application import parse_application
from screening.calls import Call, load_call
from screening.checks import identity
from screening.checks.context import Context
from screening.identity.targets import identities
from screening.model import Document, Finding, Part, PartKind, Role, Severity

APP: dict[str, Any] = {
    "project_id": "E-1", "title": "数控机床关键部件",
    "applicant": {"name": "浙江长城精密机械股份有限公司", "aliases": ["长城"]},
    "partners": [{"name": "衢州华瑞进出口有限公司"}],
    "team": [{"name": "高达", "role": "leader"}, {"name": "李明", "role": "member"}, {"name": "林海", "role": "member"}],
}


def run(*parts: Part, call: Call | None = None) -> list[Finding]:
    the_call = call or load_call()
    app = parse_application(json.dumps(APP, ensure_ascii=False))
    doc = Document(file="报告.docx", format="docx", sha256="", pages=1, role=Role.FEASIBILITY_REPORT, parts=parts)
    ctx = Context(the_call, app, (doc,), tuple(identities(app, the_call.identity)))
    return [f for f in identity.check(ctx) if f.severity is not Severity.INFO]


def body(*texts: str) -> tuple[Part, ...]:
    return tuple(Part(kind=PartKind.BODY, text=t, paragraph=i + 1) for i, t in enumerate(texts))


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("长城公司自2015年起专注于数控机床研发。", "长城公司"),  # a declared alias that is an ordinary word, as an actor
        ("项目将与长城合作开发专用夹具。", "长城"),
        ("样机试制委托长城完成。", "长城"),
        ("林海，男，1982年生，博士，长期从事机床热误差研究。", "林海"),  # a biography
        ("衢州华瑞承担出口渠道建设。", "衢州华瑞"),  # region + 字号 when the splitter did not know 进出口
        ("华瑞公司负责海外市场开拓。", "华瑞公司"),  # 字号 + 公司 although the legal form is 有限公司
        ("项目由高达牵头，负责总体方案。", "高达"),  # an ordinary-word name with a role word
    ],
)
def test_ordinary_words_fail_where_the_evidence_names_the_applicant(text: str, leak: str) -> None:
    fails = [f.matched for f in run(*body(text)) if f.severity is Severity.FAIL]
    assert leak in fails, fails


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("游客登上长城远眺群山，风景壮美。", "长城 as the Great Wall"),
        ("改造后该设备日产量高达120吨。", "高达 as 'as much as'"),
        ("精密机械行业竞争日趋激烈。", "a generic phrase derived from the name"),
        ("王强教授与李明辉研究员合作完成了测试。", "李明 is the start of another person's name"),
        ("长城汽车股份有限公司是国内知名车企。", "the same 字号 with another industry is another company"),
        ("项目负责人，男，1975年生，教授级高工，2015年至今任本公司总经理，负责技术中心工作。",
         "a self-reference whose 'name' would run across the sentence"),
        ("国家统计局数据显示，长城沿线旅游收入逐年增加。", "长城 as a landmark"),
    ],
)
def test_ordinary_meaning_is_not_a_leak(text: str, why: str) -> None:
    assert run(*body(text)) == [], why


def test_a_member_name_in_the_reference_list_is_another_author() -> None:
    parts = body("七、参考文献", "[1] 李明辉, 王强. 数控机床热误差补偿方法研究[J]. 机械工程学报, 2019, 55(3): 1-8.",
                 "参考文献：[2] 林海峰. 滚珠丝杠热变形[J]. 机床与液压, 2018.")
    assert run(*parts) == []


def test_a_team_table_marks_its_names_as_people() -> None:
    cells = [("姓名", 1, 1), ("职称", 1, 2), ("高达", 2, 1), ("高级工程师", 2, 2)]
    parts = tuple(Part(kind=PartKind.TABLE, text=t, paragraph=i + 1, source=f"word/document.xml#t1r{r}c{c}")
                  for i, (t, r, c) in enumerate(cells))
    found = [f for f in run(*parts) if f.severity is Severity.FAIL]
    assert [f.matched for f in found] == ["高达"]
    assert any("表格同行或表头" in e for e in found[0].evidence)


def test_every_name_finding_says_why() -> None:
    found = run(*body("长城公司自2015年起专注于数控机床研发。", "项目将与长城合作开发专用夹具。"))
    assert found and all(f.evidence for f in found)
    with_context = next(f for f in found if f.matched == "长城")
    assert any(e.startswith("单位语境") for e in with_context.evidence)
    assert any(e == "普通词语" for e in with_context.evidence)


def test_thresholds_in_the_call_decide() -> None:
    call = load_call()
    evidence = call.identity.evidence.model_copy(update={"fail_at": 1.5})
    stricter = call.model_copy(update={"identity": call.identity.model_copy(update={"evidence": evidence})})
    found = run(*body("项目将与长城合作开发专用夹具。"), call=stricter)
    assert [(f.matched, f.severity) for f in found] == [("长城", Severity.WARN)]
    evidence = call.identity.evidence.model_copy(update={"warn_at": 1.2, "fail_at": 1.5})
    silent = call.model_copy(update={"identity": call.identity.model_copy(update={"evidence": evidence})})
    assert run(*body("项目将与长城合作开发专用夹具。"), call=silent) == []


HOSPITAL: dict[str, Any] = {
    "project_id": "E-2", "title": "胸痛中心",
    "applicant": {"name": "常山县人民医院", "aliases": ["县人民医院"], "email": "qzsy@qzsy.cn"},
    "partners": [], "team": [{"name": "钱江", "role": "leader"}, {"name": "郑重", "role": "member"}],
}
DOORS: dict[str, Any] = {
    "project_id": "E-3", "title": "木门",
    "applicant": {"name": "江山欧派门业股份有限公司", "aliases": ["江山欧派", "欧派门业"]},
    "partners": [], "team": [{"name": "吴刚", "role": "leader"}],
}


def run_app(app_data: dict[str, Any], *parts: Part) -> list[Finding]:
    call = load_call()
    app = parse_application(json.dumps(app_data, ensure_ascii=False))
    doc = Document(file="报告.docx", format="docx", sha256="", pages=1, role=Role.FEASIBILITY_REPORT, parts=parts)
    ctx = Context(call, app, (doc,), tuple(identities(app, call.identity)))
    return [f for f in identity.check(ctx) if f.severity is not Severity.INFO]


@pytest.mark.parametrize(
    ("app", "text"),
    [
        (HOSPITAL, "开化县人民医院等兄弟单位也在探索县域模式。"),  # a generic alias inside another's name
        (HOSPITAL, "伦理审查批件号：QZSY-2020-011。"),  # the e-mail's stem inside a document number
        (HOSPITAL, "研究区位于钱江源头流域下游。"),  # a two-character name running into the next word
        (DOORS, "欧派家居集团也在推进定制化生产。"),  # the same 字号 with another industry
    ],
)
def test_look_alikes_of_other_applicants(app: dict[str, Any], text: str) -> None:
    assert run_app(app, *body(text)) == []


def test_a_department_is_not_another_company() -> None:
    found = run_app(DOORS, *body("欧派门业技术中心主任吴刚任项目负责人。"))
    assert {f.matched for f in found if f.severity is Severity.FAIL} >= {"欧派门业", "吴刚"}


def test_a_unit_column_is_data_not_a_label() -> None:
    cells = [("成员", 1, 1), ("单位", 1, 2), ("分工", 1, 3), ("（信息已隐去）", 2, 1), ("合作单位", 2, 2), ("表征分析", 2, 3)]
    parts = tuple(Part(kind=PartKind.TABLE, text=t, paragraph=i + 1, source=f"word/document.xml#t1r{r}c{c}")
                  for i, (t, r, c) in enumerate(cells))
    assert run_app(DOORS, *parts) == []


def test_a_quoted_word_is_not_a_person() -> None:
    assert run(*body("夏季用电“高达”两成的负荷集中在午间。")) == []
    assert run(*body("用电“高峰”期的负荷预测是本项目的难点。")) == []
