"""Patent-category projects (QZ2020-0101…) and their certificates: one case of each patent rule.

Every project is a 发明专利产业化项目 of an industrial enterprise of 市本级 that meets the call's
other conditions (12 months, sales 800 万元), with a feasibility report and a budget free of
identities, so its verdict is the patent rules' alone. Each certificate is a text PDF built by
samples.certkit; scans of them are the OCR work's.

| id | case | patent rules | verdict |
| --- | --- | --- | --- |
| 0101 | eligible invention, one-page | none | pass |
| 0102 | utility model, two-page | patent.not_invention | fail |
| 0103 | design, labels not letter-spaced | patent.not_invention | fail |
| 0104 | invention filed 2004: 3.75 years left | patent.expiry | fail |
| 0105 | invention filed 2005-06-20, R 2020-06-20: exactly 5 years left | none | pass |
| 0106 | two patentees (the applicant and a university) | patent.ownership | fail |
| 0107 | another company owns it | patent.ownership (REVIEW → warn) | review |
| 0108 | wrong check digit (on the certificate and in the application) | patent.check_digit (REVIEW → warn) | review |
| 0109 | no certificate uploaded | patent.missing | fail |
| 0110 | PCT invention (type 8) owned under the applicant's former name, two-page | none | pass |
| 0111 | application.json names another number | patent.number_mismatch | review |

Gold. Each project's `patent` holds the block fields the report must show at R = submitted_at
(2020-06-20); `expected_patents()` gives, per certificate file, the block `screening patent FILE`
prints without an application — R is then the call's close (2020-06-28) and the owner check is
skipped, so 0105 is no longer eligible (8 days past its cutoff) while 0107 and 0111 are.
Expected dates are computed here from the patent law's terms, independently of screening.patents;
`eligible` is set by hand for each case: true, false, or None (null: no rule fails but one needs a
person's review — 0107's owner, 0108's check digit; contract §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from samples.certkit import build_certificate_pdf
from samples.make_samples import BUDGET, FEASIBILITY, Project, application, budget_pdf, filler, report_docx

SUBMITTED = date(2020, 6, 20)  # application()'s submitted_at
CALL_CLOSES = date(2020, 6, 28)  # pipelines/quzhou-2020.yaml closes
ADDRESS_PREFIX = "324000 浙江省衢州市"
PATENT_RULES = ("patent.missing", "patent.not_invention", "patent.check_digit", "patent.ownership", "patent.expiry",
                "patent.unreadable", "patent.number_mismatch")


def certificate_file(pid: str) -> str:
    return f"专利证书-{pid.rsplit('-', 1)[-1]}.pdf"


def with_check(body: str) -> str:
    """ZL + body + "." + its check character (patents.md §5, computed here on its own)."""
    remainder = sum(int(d) * (2 + i % 8) for i, d in enumerate(body)) % 11
    return f"ZL{body}.{'X' if remainder == 10 else remainder}"


def wrong_check(body: str) -> str:
    right = with_check(body)[-1]
    return f"ZL{body}.{'7' if right != '7' else '3'}"


@dataclass(frozen=True)
class Case:
    pid: str
    applicant: str
    aliases: tuple[str, ...]
    team: tuple[str, ...]  # the first is the leader
    topic: str
    title: str  # the project's title
    certificate: dict[str, Any] | None  # build_certificate_pdf's keyword arguments; None: not uploaded
    declared_number: str | None  # application.json patent.number
    eligible: bool | None  # at R = submitted_at, with the applicant (None: a rule needs a review)
    eligible_without_applicant: bool | None  # at R = the call's close, no owner check
    rules: tuple[str, ...]  # patent rules that must fire
    verdict: str


def _term(kind: str, filing: date) -> int:
    if kind == "design":
        return 15 if filing >= date(2021, 6, 1) else 10
    return 20 if kind == "invention" else 10


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def expected_block(cert: dict[str, Any], reference: date, eligible: bool | None) -> dict[str, Any]:
    filing = date.fromisoformat(cert["filing_date"])
    expiry = _anniversary(filing, _term(cert.get("kind", "invention"), filing)) - timedelta(days=1)
    body = cert["number"].removeprefix("ZL").split(".")[0]
    return {
        "number": cert["number"],
        "type": cert.get("kind", "invention"),
        "title": cert["title"],
        "patentees": list(cert["patentees"]),
        "inventors": list(cert["inventors"]),
        "filing_date": cert["filing_date"],
        "grant_date": cert["grant_date"],
        "expiry_date": expiry.isoformat(),
        "years_remaining": round((expiry - reference).days / 365.25, 2),
        "reference_date": reference.isoformat(),
        "check_digit_ok": cert["number"] == with_check(body),
        "eligible": eligible,
    }


def _cert(number: str, title: str, inventors: list[str], patentees: list[str], street: str, filing: str, grant: str,
          publication: str, serial: str, **extra: Any) -> dict[str, Any]:
    return {"number": number, "title": title, "inventors": inventors, "patentees": patentees,
            "address": ADDRESS_PREFIX + street, "filing_date": filing, "grant_date": grant,
            "publication_number": publication, "certificate_serial": serial, **extra}


CASES: list[Case] = [
    Case("QZ2020-0101", "衢州瑞丰氟材料有限公司", ("瑞丰氟材",), ("郑国栋", "沈雅琴"), "含氟聚合物乳液",
         "含氟聚合物乳液连续化聚合技术产业化",
         _cert(with_check("201610243581"), "一种含氟聚合物乳液的连续化聚合方法及装置", ["郑国栋", "沈雅琴", "方立群"],
               ["衢州瑞丰氟材料有限公司"], "柯城区东港八路16号", "2016-04-15", "2018-11-23", "CN105906347B", "3161024"),
         with_check("201610243581"), True, True, (), "pass"),
    Case("QZ2020-0102", "衢州精工阀门制造有限公司", ("精工阀门",), ("蒋文涛", "潘丽娟"), "智能调节阀",
         "高精度智能调节阀产业化",
         _cert(with_check("201820671234"), "一种带位置反馈的智能调节阀", ["蒋文涛", "潘丽娟"], ["衢州精工阀门制造有限公司"],
               "柯城区花园东大道58号", "2018-05-07", "2019-01-18", "CN208652147U", "8412307", kind="utility_model",
               layout="two_page"),
         with_check("201820671234"), False, False, ("patent.not_invention",), "fail"),
    Case("QZ2020-0103", "衢州美嘉家居用品有限公司", ("美嘉家居",), ("孔令辉", "曹雪梅"), "竹木家居用品",
         "竹木复合家居用品产业化",
         _cert(with_check("201930123456"), "收纳柜（竹木复合）", ["孔令辉"], ["衢州美嘉家居用品有限公司"],
               "衢江区廿里镇工业园3号", "2019-03-12", "2019-08-30", "CN305312345S", "5398765", kind="design",
               letter_spaced=False),
         with_check("201930123456"), False, False, ("patent.not_invention",), "fail"),
    Case("QZ2020-0104", "衢州宏远化工有限公司", ("宏远化工",), ("钟明远", "罗春燕"), "有机硅中间体",
         "有机硅中间体清洁生产技术产业化",
         _cert(with_check("200410016873"), "一种有机硅单体合成副产物的回收利用方法", ["钟明远", "罗春燕", "邱德华"],
               ["衢州宏远化工有限公司"], "柯城区巨化北路28号", "2004-03-22", "2007-05-30", "CN1304567C", "330123"),
         with_check("200410016873"), False, False, ("patent.expiry",), "fail"),
    Case("QZ2020-0105", "衢州博创电子科技有限公司", ("博创电子",), ("汪志刚", "秦晓红"), "电子级化学品",
         "电子级双氧水纯化技术产业化",
         _cert(with_check("200510050417"), "一种电子级过氧化氢的纯化方法", ["汪志刚", "秦晓红"], ["衢州博创电子科技有限公司"],
               "柯城区芹江东路9号", "2005-06-20", "2008-09-10", "CN100418234C", "423456"),
         with_check("200510050417"), True, False, (), "pass"),
    Case("QZ2020-0106", "衢州新安材料科技有限公司", ("新安材料",), ("严伟民", "魏秀英"), "锂电池隔膜涂层",
         "锂电池隔膜陶瓷涂层材料产业化",
         _cert(with_check("201710795624"), "一种锂离子电池隔膜用陶瓷涂层浆料及其制备方法", ["严伟民", "魏秀英", "陆一鸣"],
               ["衢州新安材料科技有限公司", "浙江理工大学"], "柯城区百灵中路18号", "2017-09-05", "2019-12-10",
               "CN107556789B", "3612345"),
         with_check("201710795624"), False, False, ("patent.ownership",), "fail"),
    Case("QZ2020-0107", "衢州恒达机械有限公司", ("恒达机械",), ("宋建军", "廖美玲"), "精密减速器",
         "精密行星减速器产业化",
         _cert(with_check("201810021575"), "一种低背隙精密行星减速器", ["宋建军", "廖美玲"], ["杭州恒达精密机械有限公司"],
               "衢江区东港二路66号", "2018-01-10", "2020-03-17", "CN108123456B", "3712580"),
         with_check("201810021575"), None, True, ("patent.ownership",), "review"),
    Case("QZ2020-0108", "衢州天工智能装备有限公司", ("天工智能",), ("石振华", "龚丽萍"), "矿用智能装备",
         "矿用智能巡检机器人产业化",
         _cert(wrong_check("201710345678"), "一种矿用轨道巡检机器人及其巡检方法", ["石振华", "龚丽萍"],
               ["衢州天工智能装备有限公司"], "柯城区白云北大道8号", "2017-05-16", "2019-08-20", "CN107234567B", "3498765"),
         wrong_check("201710345678"), None, None, ("patent.check_digit",), "review"),
    Case("QZ2020-0109", "衢州绿源环境工程有限公司", ("绿源环境",), ("谭永康", "黎晓静"), "工业废水处理",
         "高盐工业废水资源化技术产业化", None, with_check("201910456732"), False, False, ("patent.missing",), "fail"),
    Case("QZ2020-0110", "衢州中科新能源有限公司", ("衢州中科电池材料有限公司",), ("邓海峰", "许静怡"), "固态电解质",
         "固态电解质材料产业化",
         _cert(with_check("201680012345"), "一种硫化物固态电解质材料及其制备方法", ["邓海峰", "许静怡", "Peter Miller"],
               ["衢州中科电池材料有限公司"], "柯城区凯旋南路11号", "2015-11-03", "2019-07-26", "CN107001234B", "3456789",
               layout="two_page"),
         with_check("201680012345"), True, True, (), "pass"),
    Case("QZ2020-0111", "衢州明辉光电科技有限公司", ("明辉光电",), ("韩立新", "冯雨桐"), "光学薄膜",
         "光学增亮膜产业化",
         _cert(with_check("201610567890"), "一种光学增亮膜及其涂布方法", ["韩立新", "冯雨桐"], ["衢州明辉光电科技有限公司"],
               "衢江区东港四路20号", "2016-07-12", "2018-10-09", "CN106054321B", "3098765"),
         with_check("201610576890"), True, True, ("patent.number_mismatch",), "review"),
]


def _project(case: Case) -> Project:
    team = [{"name": case.team[0], "role": "leader", "title": "高级工程师", "ongoing_as_leader": 0, "ongoing_as_member": 0}]
    team += [{"name": name, "role": "member", "title": "工程师"} for name in case.team[1:]]
    attachments = [{"file": f"{FEASIBILITY}.docx", "role": "feasibility_report"},
                   {"file": f"{BUDGET}.pdf", "role": "budget"}]
    if case.certificate is not None:
        attachments.append({"file": certificate_file(case.pid), "role": "patent_certificate"})
    p = Project(case.pid, application(
        case.pid, case.title, "patent", {"name": case.applicant, "aliases": list(case.aliases), "region": "市本级"},
        team, implementation_months=12, sales_revenue=800.0,
        patent={"number": case.declared_number, "previously_funded": False}, attachments=attachments,
    ))
    p.files[f"{FEASIBILITY}.docx"] = partial(report_docx, body=filler(case.topic))
    p.files[f"{BUDGET}.pdf"] = partial(budget_pdf)
    if case.certificate is not None:
        p.files[certificate_file(case.pid)] = partial(_write_certificate, case.certificate)
    p.gold.update(
        verdict=case.verdict,
        identity_clean=True,
        patent=expected_block(case.certificate, SUBMITTED, case.eligible) if case.certificate else None,
        rules=list(case.rules),
        rules_must_not_fire=[{"rule": r} for r in PATENT_RULES if r not in case.rules],
    )
    return p


def _write_certificate(fields: dict[str, Any], path: Path) -> None:
    build_certificate_pdf(path, **fields)


def projects() -> list[Project]:
    return [_project(case) for case in CASES]


def expected_patents() -> dict[str, dict[str, Any]]:
    """Certificate file → the block `screening patent FILE --format json` prints (no application:
    R is the call's close and the owner check is skipped), for score.py's `patents` mode."""
    return {certificate_file(c.pid): expected_block(c.certificate, CALL_CLOSES, c.eligible_without_applicant)
            for c in CASES if c.certificate is not None}
