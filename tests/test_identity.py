"""The identity engine, mechanism by mechanism, with near misses (issue 3).

Each case builds a one-part document in memory and runs the identity check the engine runs."""

from __future__ import annotations

from typing import Any

import pytest

from screening.application import parse_application
from screening.calls import Call, load_call
from screening.checks import identity
from screening.checks.context import Context
from screening.identity.targets import identities
from screening.model import Document, Finding, Part, PartKind, Role, Severity

APP: dict[str, Any] = {
    "project_id": "T-1", "title": "测试项目",
    "applicant": {"name": "浙江衢晟新材料有限公司", "aliases": ["衢晟新材", "Zhejiang Qusheng New Materials"],
                  "credit_code": "91330802MA2DH5Q77L", "phone": "0570-3012345", "email": "office@qusheng-nm.com",
                  "website": "www.qusheng-nm.com", "address": "衢州市柯城区世纪大道88号"},
    "partners": [{"name": "衢州学院"}, {"name": "衢州华友钴新材料有限公司"}, {"name": "浙江康宁生物医药有限公司"}],
    "team": [{"name": "王建国", "role": "leader", "phone": "13905701234", "id_number": "330802198001011236"},
             {"name": "金华", "role": "member"}, {"name": "高明", "role": "member"},
             {"name": "欧阳明华", "role": "member", "email": "oyMH@163.com"}],
}


def run(text: str, *, kind: PartKind = PartKind.BODY, origin: str = "", role: Role = Role.FEASIBILITY_REPORT,
        call: Call | None = None, parts: tuple[Part, ...] = (), application: dict[str, Any] | None = None) -> list[Finding]:
    the_call = call or load_call()
    app = parse_application(__import__("json").dumps(application or APP, ensure_ascii=False))
    doc = Document(file="报告.docx", format="docx", sha256="", pages=1, role=role,
                   parts=parts or (Part(kind=kind, text=text, paragraph=1, origin=origin),))
    ctx = Context(the_call, app, (doc,), tuple(identities(app, the_call.identity)))
    return list(identity.check(ctx))


def fails(text: str, **kw: Any) -> list[str]:
    return [f.matched or "" for f in run(text, **kw) if f.severity is Severity.FAIL]


def warns(text: str, **kw: Any) -> list[str]:
    return [f.matched or "" for f in run(text, **kw) if f.severity is Severity.WARN]


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("本项目由浙江衢晟新材料有限公司承担。", "浙江衢晟新材料有限公司"),
        ("衢晟新材在该领域积累深厚。", "衢晟新材"),  # alias given
        ("衢晟新材料的中试线已建成。", "衢晟新材料"),  # 字号+行业
        ("近年来衢晟的研发投入逐年增加。", "衢晟"),  # the trade name alone, distinctive
        ("由王建国负责工艺开发。", "王建国"),
        ("项目联合衢州学院开展机理研究。", "衢州学院"),
        ("近年来华友钴的前驱体产品供不应求。", "华友钴"),  # a partner's trade name as a word of its own
        ("样品由金华负责检测。", "金华"),  # a member named like a city, marked as a person by 负责
        ("项目负责人：高明", "高明"),  # a member named like an ordinary word, in a labelled field
        ("金华教授团队提供了支持。", "金华"),
        ("欧阳明华研究员参与了评审。", "欧阳明华"),
    ],
)
def test_leaks_are_found(text: str, leak: str) -> None:
    assert any(leak in m or m in leak for m in fails(text)), fails(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("王建华等学者对此做过综述。", "王建国/王建华: one character off"),
        ("衢州职业技术学院提供了实训场地。", "衢州学院/衢州职业技术学院"),
        ("体现了中华友好合作精神。", "华友 inside 中华友好"),
        ("样品送金华市检测中心分析。", "金华 inside 金华市"),
        ("该算法设计思路技术高明。", "高明 as an ordinary word"),
        ("衢州市生物医药产业基础较好。", "衢州 in prose"),
        ("主要竞争对手为浙江医药股份有限公司。", "another company"),
        ("浙江衢化新材料有限公司是同行企业。", "another company one character off the applicant"),
        ("申报单位：XXX；项目负责人：（隐去）；联系电话：略", "placeholders"),
        ("承担单位：某某公司", "placeholder company"),
        ("产品执行GB/T 12345-2019标准，专利号ZL201510123456.1，合计520.0万元，2020年6月28日。", "numbers"),
        ("Qushengxin is another brand.", "pinyin glued to other letters"),
        ("负责人：高级工程师", "a title, not a name"),
    ],
)
def test_innocent_text_does_not_fail(text: str, why: str) -> None:
    assert fails(text) == [], why


def test_trade_name_run_into_another_name_is_unsure() -> None:
    # 华友钴业 is not 衢州华友钴新材料有限公司, but shares its 字号: a person decides
    assert warns("华友钴业的前驱体产品。") == ["华友钴"] and fails("华友钴业的前驱体产品。") == []


def test_longer_name_is_unsure_not_fail() -> None:
    assert fails("王建国华同志参加了会议。") == []
    assert warns("王建国华同志参加了会议。") == ["王建国"]


@pytest.mark.parametrize("text", [
    "采样方案按王建国提供的标准执行。",  # a preposition right before the name (name-prepositions.txt)
    "据王建国测算，残压可降低三成。",
    "随访完成率比王建国去年统计的高出近20个百分点。",  # the segmenter glues 比 onto the surname (比王|建国)
    "王建国2016年起主持硅油车间的技术改造。",  # a year after the name: when he acted, not a quantity
    "王建国3月已完成中试。",
])
def test_a_name_after_a_preposition_or_before_a_date_fails(text: str) -> None:
    assert fails(text) == ["王建国"], run(text)


@pytest.mark.parametrize(("text", "why"), [
    ("令王建国华所在班组停机。", "令 is no preposition: 令王 may be another name's start, and 王建国华 is another person"),
    ("按王建国华提供的标准执行。", "王建国华 is another person, however clean the word before"),
    ("雷达2台，高明100吨。", "a quantity after an ordinary word"),
])
def test_glued_and_quantities_stay_short_of_fail(text: str, why: str) -> None:
    assert fails(text) == [], why


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("由浙 江 衢 晟 新 材 料 有 限 公 司承担", "normalized"),  # spaced out
        ("由浙江衢晟新材料\n有限公司承担", "normalized"),  # a PDF line break
        ("由浙江衢晟\u200b新材料有限公司承担", "normalized"),  # zero-width space
        ("由浙江衢晟新材料有限公司承擔", "exact"),  # traditional elsewhere: the name itself is exact
        ("由浙江衢晟新材料有限公司（ＱＵＳＨＥＮＧ）承担", "exact"),
        ("The brand QUSHENG is ours.", "pinyin"),
        ("The Qu Sheng brand.", "pinyin"),
        ("Zhejiang Qusheng New Materials has 200 staff.", "alias"),
    ],
)
def test_normalised_and_variant_methods(text: str, method: str) -> None:
    found = [f for f in run(text) if f.severity is Severity.FAIL and f.rule == "identity.org"]
    assert found and found[0].method == method
    loc = found[0].location
    assert loc is not None and loc.start is not None and loc.end is not None
    assert text[loc.start : loc.end] == found[0].matched


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("本項目由浙江衢晟新材料有限公司承擔", "浙江衢晟新材料有限公司"),
        ("本項目由衢晟新材承擔", "衢晟新材"),
        ("項目負責人：王建國", "王建國"),
        ("聯合衢州學院開展研究", "衢州學院"),
    ],
)
def test_traditional_characters(text: str, leak: str) -> None:
    found = [f for f in run(text) if f.severity is Severity.FAIL]
    assert [f.matched for f in found] == [leak]
    assert found[0].method in ("exact", "normalized", "alias")


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("联系电话：0570-3012345", Severity.FAIL),
        ("联系电话：（0570）3012345", Severity.FAIL),
        ("总机3012345转8001", Severity.FAIL),  # the local part of the applicant's landline
        ("手机 139 0570 1234", Severity.FAIL),  # the leader's mobile
        ("邮箱：office@qusheng-nm.com", Severity.FAIL),
        ("邮箱：oymh@163.com", Severity.FAIL),  # a member's e-mail, case folded
        ("信用代码91330802MA2DH5Q77L", Severity.FAIL),  # the applicant's code (its check digit is not ours to judge)
        ("身份证330802198001011236", Severity.FAIL),
        ("中试基地位于世纪大道88号。", Severity.FAIL),
        ("咨询电话13812345678", Severity.WARN),  # somebody's mobile: unsure
        ("代码{valid_code}", Severity.WARN),  # a valid code of some organisation
    ],
)
def test_contacts(text: str, severity: Severity) -> None:
    from stdnum.cn import uscc

    text = text.format(valid_code="91330100MA27XL0E3" + uscc.calc_check_digit("91330100MA27XL0E3"))
    found = [f for f in run(text) if f.rule == "identity.contact"]
    assert found and found[0].severity is severity, found


def test_invalid_unknown_codes_are_not_contacts() -> None:
    assert [f for f in run("代码91330100MA27XL0E3A，编号330802198001011230") if f.rule == "identity.contact"] == []


def test_labels_with_unknown_values() -> None:
    found = run("联系人：胡家伟；申报单位：杭州某创科技有限公司")
    labels = {(f.matched, f.severity) for f in found if f.rule == "identity.label"}
    assert labels == {("胡家伟", Severity.FAIL), ("杭州某创科技有限公司", Severity.FAIL)}


def test_label_and_known_name_give_one_finding() -> None:
    found = run("申报单位：浙江衢晟新材料有限公司")
    assert [(f.rule, f.matched) for f in found] == [("identity.org", "浙江衢晟新材料有限公司")]


def test_label_in_a_table_cell_takes_the_next_cell() -> None:
    parts = (
        Part(PartKind.TABLE, "项目负责人", paragraph=1, source="word/document.xml#t1r1c1"),
        Part(PartKind.TABLE, "张三丰", paragraph=2, source="word/document.xml#t1r1c2"),
        Part(PartKind.TABLE, "单位名称", paragraph=3, source="word/document.xml#t1r2c1"),
        Part(PartKind.TABLE, "XXX", paragraph=4, source="word/document.xml#t1r2c2"),
    )
    found = run("", parts=parts)
    assert [(f.rule, f.matched, f.location.paragraph if f.location else None) for f in found] == [
        ("identity.label", "张三丰", 2)]


def test_self_reference_with_an_unknown_name_warns() -> None:
    found = run("我公司（杭州某创新材料有限公司）成立于2010年。")
    assert [(f.rule, f.severity, f.method) for f in found] == [("identity.org", Severity.WARN, "ner")]
    assert fails("我公司（浙江衢晟新材料有限公司）成立于2010年。") == ["浙江衢晟新材料有限公司"]


@pytest.mark.parametrize(
    ("origin", "value", "expected"),
    [
        ("core.creator", "王建国", Severity.FAIL),
        ("core.creator", "张伟", Severity.WARN),  # some person: unsure
        ("core.lastModifiedBy", "Administrator", None),
        ("app.Company", "浙江衢晟新材料有限公司", Severity.FAIL),
        ("app.Company", "杭州某创科技有限公司", Severity.WARN),
        ("app.Company", "某某公司", None),
        ("core.title", "张伟", None),  # a title field is not an author field
    ],
)
def test_metadata(origin: str, value: str, expected: Severity | None) -> None:
    found = run(value, kind=PartKind.METADATA, origin=origin)
    assert [f.severity for f in found] == ([expected] if expected else [])
    assert all(f.rule == "identity.metadata" for f in found)


def test_fuzzy_threshold_edges() -> None:
    # a partner whose trade name 康宁 is an ordinary word, with one wrong character in twelve: 91.7
    typo = "由浙江康宁生勿医药有限公司承担"
    found = [f for f in run(typo) if f.method == "fuzzy"]
    assert found and found[0].severity is Severity.FAIL and found[0].score is not None and found[0].score < 0.92
    assert found[0].target == "浙江康宁生物医药有限公司"
    call = load_call()
    stricter = call.model_copy(update={"identity": call.identity.model_copy(update={"fuzzy_fail_score": 92.0})})
    found = [f for f in run(typo, call=stricter) if f.method == "fuzzy"]
    assert found and found[0].severity is Severity.WARN
    above_warn = call.model_copy(update={"identity": call.identity.model_copy(update={"fuzzy_warn_score": 92.0,
                                                                                         "fuzzy_fail_score": 95.0})})
    assert [f for f in run(typo, call=above_warn) if f.method == "fuzzy"] == []


def test_ocr_text_is_matched_with_tolerance() -> None:
    found = run("浙江衢晨新材料有限公司", origin="ocr")  # 晟 read as 晨
    assert [(f.method, f.severity) for f in found] == [("ocr", Severity.FAIL)]
    # the same text typed by a person is another company (the trade name differs)
    assert fails("浙江衢晨新材料有限公司") == []


CERT_LINES = ("发明专利证书", "专利号：ZL 2018 1 0847616.0", "专利申请日：2018年07月27日",
              "专利权人：浙江衢晟新材料有限公司", "授权公告日：2020年12月18日")


def test_certificate_identities_are_info() -> None:
    """Only a document that reads as a certificate names its owner by right (issue 12)."""
    parts = tuple(Part(kind=PartKind.BODY, text=t, paragraph=i, page=1) for i, t in enumerate(CERT_LINES, 1))
    found = run("", role=Role.PATENT_CERTIFICATE, parts=parts)
    assert found and {f.severity for f in found} == {Severity.INFO}
    assert {f.severity for f in run("专利权人：浙江衢晟新材料有限公司", role=Role.PATENT_CERTIFICATE)} == {Severity.FAIL}


def test_every_finding_explains_itself() -> None:
    found = run("由王建国负责，浙江衢晟新材料有限公司承担，电话0570-3012345。我公司（浙江某达化工有限公司）成立于2001年。"
                "申报单位：浙江恒远化工有限公司。衢晟新材料有限公司的产品", parts=(
                    Part(kind=PartKind.BODY, text="由王建国负责，浙江衢晟新材料有限公司承担，电话0570-3012345。", paragraph=1),
                    Part(kind=PartKind.BODY, text="我公司（浙江某达化工有限公司）成立于2001年。申报单位：浙江恒远化工有限公司。", paragraph=2),
                    Part(kind=PartKind.BODY, text="由浙江衢晟新材科有限公司承担。", paragraph=3),
                    Part(kind=PartKind.METADATA, text="李四", origin="core.creator")))
    assert {f.method for f in found} >= {"exact", "regex", "label", "ner", "fuzzy"}
    for f in found:
        assert f.method and f.score is not None and f.context and f.matched and f.message and f.location
        assert f.matched in f.message
        assert f.evidence and all(isinstance(e, str) and e for e in f.evidence)  # contract §3: why this severity


def _applicant(name: str, aliases: list[str]) -> dict[str, Any]:
    return {**APP, "applicant": {"name": name, "aliases": aliases}}


def test_the_trade_name_of_another_industry_is_not_the_applicant() -> None:
    app = _applicant("江山欧派门业股份有限公司", ["江山欧派", "欧派"])
    other = "行业外部，欧派家居、索菲亚等定制家居企业已在柜类产品上全面推行水性漆。"
    assert fails(other, application=app) == [] and warns(other, application=app) == ["欧派"]
    assert fails("与欧派家居合作开发柜门。", application=app) == []  # context cannot make it the applicant
    assert fails("欧派门业的木门生产线已全部改用水性漆。", application=app)
    assert fails("江山欧派的木门生产线已全部改用水性漆。", application=app)


@pytest.mark.parametrize("value", ["（研究机构名称已略去）", "【企业名称已隐去】", "〔医院名称略〕"])
def test_a_withheld_value_that_names_the_kind_of_body(value: str) -> None:
    assert fails(f"申报单位：{value}") == []


def test_a_field_on_the_next_line_ends_a_withheld_value() -> None:
    """Normalising joins a form's lines; a line that opens a field of its own (推荐部门 is no label the
    engine looks for) still ends the value before it."""
    form = "申报单位：（隐去）\n推荐部门：（隐去）\n项目负责人：（隐去）"
    assert fails(form) == [] and warns(form) == []
    assert fails("申报单位：浙江恒远化工有限公司\n推荐部门：（隐去）") == ["浙江恒远化工有限公司"]


def test_a_public_body_without_its_place_is_a_kind_of_body() -> None:
    """疾病预防控制中心 is what every city has; 衢晟研究院 is one body."""
    cdc = {**APP, "applicant": {"name": "衢州市疾病预防控制中心", "aliases": ["衢州市疾控中心"]}}
    for text in ("美国疾病预防控制中心（CDC）建立了国家症状监测项目。", "成果可供各地疾病预防控制中心推广使用。"):
        assert fails(text, application=cdc) == [], text
    assert fails("本项目由衢州市疾病预防控制中心承担。", application=cdc)
    institute = {**APP, "applicant": {"name": "浙江衢晟研究院", "aliases": []}}
    assert fails("衢晟研究院的中试基地已建成。", application=institute)


def test_the_home_place_goes_with_every_reading_of_the_name() -> None:
    """浙江艾佳果蔬开发有限公司 reads as 艾佳果蔬开发 and as 艾佳 (+果蔬开发): people in 常山县 write 常山艾佳."""
    app = {**APP, "applicant": {"name": "浙江艾佳果蔬开发有限公司", "aliases": ["艾佳果蔬"], "region": "常山县"}}
    assert fails("基础：常山艾佳是胡柚深加工领域的骨干企业，年加工鲜果3万吨。", application=app) == ["常山艾佳"]


def test_a_maternal_and_child_hospital_without_its_place_is_every_such_hospital() -> None:
    app = {**APP, "applicant": {"name": "衢州市柯城区妇幼保健院", "aliases": []}}
    assert fails("各县（市、区）妇幼保健院均已开展新生儿听力筛查。", application=app) == []
    assert fails("本项目由衢州市柯城区妇幼保健院承担。", application=app)
