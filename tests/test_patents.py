"""Patent certificates: numbers and check digits (patents.md §5 test vectors), publication numbers,
dates and labels with extraction artefacts, name lists with wraps, terms and the boundary, each
eligibility rule E1–E9, the `patent.*` check end to end on certkit PDFs, and `screening patent`."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from samples import certificates
from samples.certkit import build_certificate_pdf, render_certificate_png, spec_of
from screening import checks
from screening.application import Application, parse_application
from screening.calls import load_call
from screening.checks import patent as patent_check
from screening.engine import Upload, screen
from screening.model import Document, Part, PartKind, Role, Severity
from screening.patents import (
    Certificate,
    Outcome,
    PageText,
    PatentRecord,
    PatentType,
    add_years,
    check_char,
    chinese_number,
    evaluate,
    page_texts,
    parse_date,
    parse_number,
    parse_publication,
    policy,
    read_certificate,
    split_names,
    statutory_term,
)
from tests.conftest import Result

TODAY = date(2026, 6, 1)

# ---------------------------------------------------------------- §5 numbers and check digits

VALID = [
    "ZL 2020 1 0430096.0", "ZL 2020 1 1644446.X", "ZL 2018 1 0637498.0", "ZL 2018 1 0847616.0",
    "ZL 2019 1 0715061.9", "ZL 2023 2 2987593.2", "ZL 2023 2 3116576.8", "ZL 2020 2 1798230.4",
    "ZL 2024 2 0383103.X", "CN 2017 3 0033448.8", "CN 2017 1 0117081.7", "CN 2016 1 0311380.X",
    "CN 2010 8 0063196.9", "ZL 2005 1 0030457.8", "ZL 2005 1 0025251.6", "ZL 99 1 13861.9", "ZL 01 1 05715.7",
    "ZL 00 1 25301.8", "ZL 01 1 26463.2", "ZL 03 1 06254.7", "ZL 00 8 14037.5", "ZL 01 8 00565.9",
    "95115608.X", "97101765.4", "90101673.X",
]


@pytest.mark.parametrize("number", VALID)
def test_spec_vectors_have_valid_check_digits(number: str) -> None:
    n = parse_number(number, today=TODAY)
    assert n.valid, (number, n.problem, n.expected)
    assert n.expected == n.check


@pytest.mark.parametrize(("number", "expected"), [
    ("ZL 2020 1 0430096.1", "0"),  # wrong check
    ("ZL 2020 1 0403096.0", "1"),  # transposed digits
    ("2015 1 0123456.7", "1"),  # the spec's illustrative format
])
def test_spec_vectors_with_wrong_check_digits(number: str, expected: str) -> None:
    n = parse_number(number, today=TODAY)
    assert n.problem == "CHECK_DIGIT" and not n.valid
    assert n.expected == expected


def test_check_char_weights_and_x() -> None:
    assert check_char("202010430096") == "0"
    assert check_char("202011644446") == "X"  # remainder 10
    assert check_char("99113861") == "9"


@pytest.mark.parametrize(("text", "normalized", "era", "type_digit", "kind"), [
    ("ZL 2020 1 0430096.0", "ZL202010430096.0", "new", "1", PatentType.INVENTION),
    ("zl202011644446.x", "ZL202011644446.X", "new", "1", PatentType.INVENTION),  # lower case x
    ("ＺＬ２０２０１１６４４４４６．Ｘ", "ZL202011644446.X", "new", "1", PatentType.INVENTION),  # full width
    ("ZL 2020 2 1798230·4", "ZL202021798230.4", "new", "2", PatentType.UTILITY_MODEL),
    ("CN 2017 3 0033448。8", "ZL201730033448.8", "new", "3", PatentType.DESIGN),
    ("2010 8 0063196 9", "ZL201080063196.9", "new", "8", PatentType.INVENTION),  # no dot: last char is the check
    ("ZL 99 1 13861.9", "ZL99113861.9", "old", "1", PatentType.INVENTION),
    ("ZL 01 8 00565.9", "ZL01800565.9", "old", "8", PatentType.INVENTION),
    ("ZL 2005.1 0030457.8", "ZL200510030457.8", "new", "1", PatentType.INVENTION),  # OCR: a gap read as a dot
    ("ZL 2005 1:0030457.8", "ZL200510030457.8", "new", "1", PatentType.INVENTION),  # … or as a colon
    ("ZL 01，8 00565.9", "ZL01800565.9", "old", "8", PatentType.INVENTION),
    ("ZL 2005 1 0030457.8.", "ZL200510030457.8", "new", "1", PatentType.INVENTION),  # a speck read as a dot after it
])
def test_number_formats_of_both_eras(text: str, normalized: str, era: str, type_digit: str, kind: PatentType) -> None:
    n = parse_number(text, today=TODAY)
    assert n.valid
    assert (n.normalized, n.era, n.type_digit, n.type) == (normalized, era, type_digit, kind)
    assert n.pct == (type_digit in "89")


def test_type_digit_9_is_a_pct_utility_model() -> None:
    body = "201890012345"
    n = parse_number(f"ZL{body}.{check_char(body)}", today=TODAY)
    assert n.valid and n.type is PatentType.UTILITY_MODEL and n.pct


@pytest.mark.parametrize(("text", "problem"), [
    (f"ZL201540123456.{check_char('201540123456')}", "TYPE"),  # type digit 4 does not exist
    (f"ZL200210123456.{check_char('200210123456')}", "YEAR"),  # 12 digits before 2003
    (f"ZL202710123456.{check_char('202710123456')}", "YEAR"),  # a year still to come
    (f"ZL84112345.{check_char('84112345')}", "YEAR"),  # 8 digits: 84 → 2084
    ("ZL 87 1 00123", "MALFORMED"),  # 1985–1988 without check digit: 7 digits before the check
    ("ZL 2020 1 04300.0", "MALFORMED"),
    ("ZL 2020 1 0430096.05", "MALFORMED"),
    ("ZL 2020 1 O430096.0", "MALFORMED"),  # letter O for zero: never repaired
])
def test_impossible_numbers(text: str, problem: str) -> None:
    n = parse_number(text, today=TODAY)
    assert n.problem == problem and not n.valid


# ---------------------------------------------------------------- §6 publication numbers


@pytest.mark.parametrize(("text", "granted", "kind_type", "consistent"), [
    ("CN 111472379 B", True, PatentType.INVENTION, True),
    ("CN213239675U", True, PatentType.UTILITY_MODEL, True),
    ("CN 304218960 S", True, PatentType.DESIGN, True),
    ("CN 1304567 C", True, PatentType.INVENTION, True),  # before 2007: 7 digits, kind C
    ("CN106844774A", False, PatentType.INVENTION, True),  # an application's publication
    ("CN 213239675 B", True, PatentType.INVENTION, False),  # leading 2 with kind B
    ("CN 111472379 C1", None, None, False),  # a partial invalidation announcement
    ("CN.107001234.B", True, PatentType.INVENTION, True),  # OCR: the printed gaps read as dots
])
def test_publication_numbers(text: str, granted: bool | None, kind_type: PatentType | None, consistent: bool) -> None:
    pub = parse_publication(text)
    assert pub is not None
    assert (pub.granted, pub.kind_type, pub.consistent) == (granted, kind_type, consistent)


def test_publication_number_garbage_is_none() -> None:
    assert parse_publication("CN 11147237 B") is None
    assert parse_publication("授权公告号") is None


# ---------------------------------------------------------------- dates, numerals, names


@pytest.mark.parametrize(("text", "expected", "repaired"), [
    ("2020年05月20日", date(2020, 5, 20), False),
    ("2020 年 5 月 2 日", date(2020, 5, 2), False),
    ("２０２０年０５月２０日", date(2020, 5, 20), False),
    ("2021年05月18曰", date(2021, 5, 18), True),  # OCR: 曰 for 日
    ("“ 2018年11月23日.", date(2018, 11, 23), False),  # specks read as punctuation around it
    ("2020年08 A 244A", None, False),  # 月 and 日 corrupted: never guessed
    ("2021年02月29日", None, False),  # not a day
    ("2020-05-20", None, False),
    ("2020年05月20日 授权公告号", None, False),  # another field left in the value
])
def test_dates_with_artefacts(text: str, expected: date | None, repaired: bool) -> None:
    assert parse_date(text) == (expected, repaired)


@pytest.mark.parametrize(("text", "value"), [("二十", 20), ("十", 10), ("十五", 15), ("20", 20), ("两", 2),
                                             ("二十年", None), ("百", None), ("", None)])
def test_chinese_numbers(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


def test_inventors_wrap_without_separator_starts_a_new_name() -> None:
    assert split_names(["王建国;李晓燕;张三丰", "欧阳明月;赵 钱孙"], wrap_separates=True) == (
        ("王建国", "李晓燕", "张三丰", "欧阳明月", "赵钱孙"), False)


def test_patentees_wrap_without_separator_is_ambiguous() -> None:
    assert split_names(["浙江衢州某某新材料科技", "股份有限公司"], wrap_separates=False) == (
        ("浙江衢州某某新材料科技股份有限公司",), True)


def test_patentees_with_explicit_separators_are_not_ambiguous() -> None:
    assert split_names(["甲有限公司；", "乙大学"], wrap_separates=False) == (("甲有限公司", "乙大学"), False)
    assert split_names(["甲有限公司", ";乙大学"], wrap_separates=False) == (("甲有限公司", "乙大学"), False)
    assert split_names(["John Smith;王五"], wrap_separates=True) == (("John Smith", "王五"), False)
    assert split_names([], wrap_separates=True) == ((), False)


# ---------------------------------------------------------------- §7 terms


def test_add_years_29_february() -> None:
    assert add_years(date(2016, 2, 29), 15) == date(2031, 2, 28)
    assert add_years(date(2016, 2, 29), 4) == date(2020, 2, 29)


def test_statutory_terms() -> None:
    assert statutory_term(PatentType.INVENTION, date(2015, 3, 20)) == 20
    assert statutory_term(PatentType.UTILITY_MODEL, date(2015, 3, 20)) == 10
    assert statutory_term(PatentType.DESIGN, date(2021, 5, 31)) == 10
    assert statutory_term(PatentType.DESIGN, date(2021, 6, 1)) == 15


# ---------------------------------------------------------------- reading certificate text

GOOD = """发 明 专 利 证 书
证书号第7668232号
发 明 名 称：一种含氟聚合物乳液的连续化聚合方法
发 明 人：王建国;李晓燕
专 利 号：ZL 2018 1 0847616.0
专 利 申 请 日：2018年07月27日
专 利 权 人：浙江衢晟新材料有限公司
地 址：324000 浙江省衢州市柯城区世纪大道888号
授 权 公 告 日：2020年12月18日 授 权 公 告 号：CN 109578096 B
国家知识产权局依照中华人民共和国专利法进行审查，决定授予专利权，颁发发明
专利证书并在专利登记簿上予以登记。专利权自授权公告之日起生效。专利权期限
为二十年，自申请日起算。
专利证书记载专利权登记时的法律状况。专利权的转移、质押、无效、终止、恢复
和专利权人的姓名或名称、国籍、地址变更等事项记载在专利登记簿上。
专利权人应当依照专利法及其实施细则规定缴纳年费。本专利的年费应当在每年07
月27日前缴纳。未按照规定缴纳年费的，专利权自应当缴纳年费期满之日起终止。
局 长
申长雨
第1页（共1页）"""

APPLICANT = "浙江衢晟新材料有限公司"


def read(text: str, *, ocr: bool = False) -> Certificate:
    return read_certificate([PageText(1, text)], ocr=ocr, today=TODAY)


POLICY = policy(load_call())


def record(cert: Certificate, reference: date = date(2021, 6, 20), **kw: Any) -> PatentRecord:
    kw.setdefault("owners", (APPLICANT,))
    kw.setdefault("policy", POLICY)
    return evaluate(cert, reference=reference, **kw)


def test_reads_every_field_of_a_text_certificate() -> None:
    c = read(GOOD)
    assert c.type is PatentType.INVENTION and c.headings == (PatentType.INVENTION,)
    assert c.number is not None and c.number.normalized == "ZL201810847616.0" and c.number.valid
    assert c.publication is not None and c.publication.normalized == "CN109578096B"
    assert c.serial == "7668232"
    assert c.title == "一种含氟聚合物乳液的连续化聚合方法"
    assert c.inventors == ("王建国", "李晓燕")
    assert c.patentees == (APPLICANT,) and not c.patentees_ambiguous
    assert c.address == "324000 浙江省衢州市柯城区世纪大道888号"
    assert (c.filing_date, c.grant_date) == (date(2018, 7, 27), date(2020, 12, 18))
    assert c.term_stated == 20 and c.fee_due == (7, 27)
    assert c.pages_total == 1 and c.missing_pages == ()
    assert "director" in c.fields and c.fields["director"].raw == "申长雨"


def test_the_register_notice_and_fee_note_open_no_field() -> None:
    c = read(GOOD)
    assert c.fields["patentees"].lines == (APPLICANT,)  # not "应当依照…" nor "的姓名或名称…"
    assert c.fields["address"].lines == ("324000 浙江省衢州市柯城区世纪大道888号",)


OCR_LIKE = """发明专利证书
证书号 第13206472 号
发明名称 一种含氟聚合物乳液的
连续化聚合方法
发 明 人;王建国;李晓燕
欧阳明月
专利号:ZL 2018 1 0847616．0
专利申请日，2018 年 7 月 27 日
专利权入：浙江衢晟新材料有限公司
地址324000 浙江省衢州市柯城区世纪大道888号
授权公告日: 2020年12月18曰   授权公告号，CN 109578096 B
第1页（共2页）"""


def test_label_artefacts_of_ocr_text() -> None:
    c = read(OCR_LIKE, ocr=True)
    assert c.serial == "13206472"
    assert c.title == "一种含氟聚合物乳液的连续化聚合方法"
    assert c.inventors == ("王建国", "李晓燕", "欧阳明月")
    assert c.number is not None and c.number.normalized == "ZL201810847616.0"
    assert c.filing_date == date(2018, 7, 27)
    assert c.patentees == (APPLICANT,)  # 专利权入 is 专利权人 read by OCR
    assert c.address == "324000 浙江省衢州市柯城区世纪大道888号"
    assert c.grant_date == date(2020, 12, 18)
    assert c.publication is not None and c.publication.normalized == "CN109578096B"
    assert {"patentees", "grant_date"} <= c.repaired
    assert c.missing_pages == (2,)


@pytest.mark.parametrize("label", ["专 利 号：", "专利号:", "专利号 ", "专利号，", "专  利  号 : ", "专利号"])
def test_number_label_spacing_and_colons(label: str) -> None:
    c = read(GOOD.replace("专 利 号：", label))
    assert c.number is not None and c.number.normalized == "ZL201810847616.0"


def test_two_fields_on_one_line_stop_at_the_next_label() -> None:
    c = read(GOOD.replace("授 权 公 告 日：2020年12月18日 授 权 公 告 号：CN 109578096 B",
                          "授权公告号：CN 109578096 B    授权公告日：2020年12月18日"))
    assert c.grant_date == date(2020, 12, 18)
    assert c.publication is not None and c.publication.normalized == "CN109578096B"


def test_corrupted_date_is_none_not_a_guess() -> None:
    c = read(GOOD.replace("2018年07月27日", "2018年07 A 274A"))
    assert c.filing_date is None and c.fields["filing_date"].raw == "2018年07 A 274A"
    e7 = record(c).rule("E7")
    assert (e7.outcome, e7.code) == (Outcome.REVIEW, "FILING_DATE_UNREADABLE")


def test_two_page_layout_reads_the_filing_block_and_spots_a_missing_page() -> None:
    page2 = ("专利权人应当依照专利法及其实施细则规定缴纳年费。本专利的年费应当在每年07月27日前缴纳。\n"
             "申请日时本专利记载的申请人、发明人信息如下：\n申请人：\n浙江衢晟化工有限公司\n发明人：\n王建国;李晓燕\n第2页（共2页）")
    page1 = GOOD.replace("第1页（共1页）", "第1页（共2页）")
    both = read_certificate([PageText(1, page1), PageText(2, page2)], today=TODAY)
    assert both.inventors == ("王建国", "李晓燕") and both.patentees == (APPLICANT,)
    assert both.filing_applicants == ("浙江衢晟化工有限公司",) and both.filing_inventors == ("王建国", "李晓燕")
    assert both.missing_pages == ()
    only_first = read_certificate([PageText(1, page1)], today=TODAY)
    assert only_first.missing_pages == (2,) and only_first.number is not None
    assert record(only_first, date(2021, 6, 20)).eligible  # page 1 carries every field the rules need


def test_page_texts_orders_parts_and_joins_a_row() -> None:
    parts = [
        Part(PartKind.BODY, "授权公告号：CN 109578096 B", page=1, box=(330, 300, 500, 312)),
        Part(PartKind.BODY, "授权公告日：2020年12月18日", page=1, box=(72, 301, 300, 312)),
        Part(PartKind.HEADER, "发明专利证书", page=1, box=(200, 40, 380, 60)),
        Part(PartKind.METADATA, "专利号：ZL 2018 1 0847616.0", origin="info.Title"),
        Part(PartKind.BODY, "专利号：ZL 2018 1 0847616.0", page=1, origin="deleted", box=(72, 200, 300, 212)),
    ]
    assert page_texts(parts) == [PageText(1, "发明专利证书\n授权公告日：2020年12月18日    授权公告号：CN 109578096 B")]


def ocr_part(text: str, box: tuple[float, float, float, float]) -> Part:
    return Part(PartKind.IMAGE, text, page=1, origin="ocr", box=box, confidence=0.97)


# What the OCR of a scan (certkit, 150 dpi, rotated −0.8°) gave: lines grouped by column, and the
# publication number glued to the prose paragraph below it (its box starts at the left margin).
OCR_COLUMNS = [
    ocr_part("实用新型专利证书", (397.4, 86.3, 864.7, 146.6)),
    ocr_part("证书号第8412307号", (882.5, 196.0, 1103.1, 231.6)),
    ocr_part("实用新型名称：一种带位置反馈的智能调节阀\n发明人：", (150.7, 278.2, 735.9, 367.2)),
    ocr_part("蒋文涛：潘丽娟\nZL 2018 2 0671234.2\n2018年05月07日\n衢州精工阀门制造有限公司\n"
             "324000浙江省衢州市柯城区花园东大道58号\n2019年01月18日", (400.1, 331.6, 911.3, 622.1)),
    ocr_part("专利号：\n专利申请日：\n专利权人：\n地址：", (146.6, 379.6, 341.2, 565.9)),
    ocr_part("授权公告日：", (146.6, 579.6, 335.7, 616.6)),
    ocr_part("授权公告号：", (685.2, 583.8, 918.1, 626.2)),
    ocr_part("CN 208652147U\n国家知识产权局依照中华人民共和国专利法经过初步审查，决定授予专利权，颁发\n"
             "实用新型专利证书并在专利登记簿上予以登记。专利权自授权公告之日起生效。专\n利权期限为十年，自申请日起算。",
             (148.0, 590.6, 1125.0, 764.6)),
    ocr_part("第1页（共2页）", (527.6, 1667.7, 679.7, 1703.3)),
]


def test_ocr_columns_are_put_back_into_rows() -> None:
    text = page_texts(OCR_COLUMNS)[0].text.splitlines()
    assert text[3:7] == ["发明人：    蒋文涛：潘丽娟", "专利号：    ZL 2018 2 0671234.2", "专利申请日：    2018年05月07日",
                         "专利权人：    衢州精工阀门制造有限公司"]
    c = read_certificate(page_texts(OCR_COLUMNS), ocr=True, today=TODAY)
    assert c.inventors == ("蒋文涛", "潘丽娟")  # ： is how OCR reads ;
    assert c.number is not None and c.number.normalized == "ZL201820671234.2"
    assert (c.filing_date, c.grant_date, c.term_stated) == (date(2018, 5, 7), date(2019, 1, 18), 10)
    assert c.publication is not None and c.publication.normalized == "CN208652147U"
    assert c.rebound == {"grant_date", "publication"}  # the row held both values after the first label
    rec = evaluate(c, reference=date(2020, 6, 20), policy=POLICY, owners=("衢州精工阀门制造有限公司",))
    assert outcome(rec, "E2") == (Outcome.FAIL, "NOT_INVENTION") and outcome(rec, "E1") == (Outcome.REVIEW, "OCR_CONFIRM")
    assert rec.to_block()["fields"]["publication"]["from_row"] is True
    assert rec.confidence("publication") == 0.78 and rec.confidence("number") == 0.97


def test_each_line_keeps_the_lowest_score_of_the_parts_it_joins() -> None:
    parts = [Part(PartKind.IMAGE, "专利号：", page=1, origin="ocr", box=(100, 200, 200, 230), confidence=0.99),
             Part(PartKind.IMAGE, "ZL 2018 1 0847616.0\n2018年07月27日", page=1, origin="ocr", box=(300, 200, 600, 270),
                  confidence=0.91),
             Part(PartKind.IMAGE, "专利申请日：", page=1, origin="ocr", box=(100, 240, 200, 270), confidence=0.98)]
    page = page_texts(parts)[0]
    assert page.text.splitlines() == ["专利号：    ZL 2018 1 0847616.0", "专利申请日：    2018年07月27日"]
    assert page.line_confidence == (0.91, 0.91) and page.confidence == 0.91
    c = read_certificate([page], ocr=True, today=TODAY)
    assert c.fields["number"].confidence == 0.91 and c.confidence("filing_date") == 0.91
    text_layer = page_texts([replace(part, origin="", kind=PartKind.BODY, confidence=None) for part in parts])[0]
    assert text_layer.line_confidence == () and not text_layer.ocr


def test_a_seal_read_by_ocr_on_a_text_page_is_left_out(tmp_path: Path) -> None:
    from screening.parsers import parse_file

    doc = parse_file(build_certificate_pdf(tmp_path / "c.pdf", **CERT), Role.PATENT_CERTIFICATE)
    seal = Part(PartKind.IMAGE, "国家知识产权局\n专利局", page=1, origin="ocr", box=(3.0, 5.0, 400.0, 420.0),
                confidence=0.9)
    pages = page_texts((*doc.parts, seal))
    assert len(pages) == 1 and not pages[0].ocr and "专利局" not in pages[0].text
    rec = patent_check.read_document(replace(doc, parts=(*doc.parts, seal), ocr=True), load_call(), app_json())
    assert rec.eligible and not rec.certificate.ocr


def test_a_row_with_two_values_of_one_type_is_not_guessed() -> None:
    c = read("授权公告日：    2019年01月18日    2019年01月19日\n授权公告号：")
    assert c.grant_date is None and c.publication is None


# ---------------------------------------------------------------- §8 rules, each PASS / FAIL / REVIEW


def outcome(rec: PatentRecord, rule: str) -> tuple[Outcome, str]:
    r = rec.rule(rule)
    return r.outcome, r.code


def test_an_eligible_certificate_passes_every_counted_rule() -> None:
    rec = record(read(GOOD), previously_funded=False)
    assert [r.outcome for r in rec.rules] == [Outcome.PASS] * 7 + [Outcome.SKIPPED, Outcome.PASS]
    assert rec.eligible and rec.outcome is Outcome.PASS
    assert (rec.term_years, rec.expiry_date, rec.lapse_date) == (20, date(2038, 7, 26), date(2038, 7, 27))


def test_e1_readability() -> None:
    assert outcome(record(read("")), "E1") == (Outcome.REVIEW, "UNREADABLE")
    assert outcome(record(read(GOOD, ocr=True)), "E1") == (Outcome.REVIEW, "OCR_CONFIRM")
    assert outcome(record(read(GOOD.replace("每年07\n月27日", "每年08\n月27日"))), "E1") == (
        Outcome.REVIEW, "FEE_DATE_MISMATCH")
    assert not record(read(GOOD, ocr=True)).eligible


def scanned(text: str = GOOD, score: float = 0.99, lines: dict[str, float] | None = None) -> Certificate:
    """`text` as OCR read it: every line scored `score`, the lines that start with a key of `lines`
    (e.g. 专 利 权 人) scored as given."""
    rows = text.splitlines()
    scores = tuple(next((v for k, v in (lines or {}).items() if row.startswith(k)), score) for row in rows)
    return read_certificate([PageText(1, text, min(scores), True, scores)], ocr=True, today=TODAY)


def test_e1_a_scan_read_sure_and_agreeing_with_itself_passes() -> None:
    rec = record(scanned())
    assert outcome(rec, "E1") == (Outcome.PASS, "OCR_READ") and rec.eligible is True
    assert f"{POLICY.ocr_min_confidence:.2f}" in rec.rule("E1").reason
    assert rec.to_block()["fields"]["patentees"]["confidence"] == 0.99


def test_e1_a_key_field_read_unsure_is_review() -> None:
    rec = record(scanned(lines={"专 利 权 人": 0.9}))
    assert outcome(rec, "E1") == (Outcome.REVIEW, "OCR_CONFIRM") and rec.eligible is None
    assert f"专利权人识别置信度0.90低于{POLICY.ocr_min_confidence:.2f}" in rec.rule("E1").reason and rec.rule("E1").field == "patentees"
    assert rec.confidence("patentees") == 0.9 and rec.confidence("number") == 0.99  # each field its own lines
    assert outcome(record(scanned(score=POLICY.ocr_min_confidence - 0.01)), "E1") == (Outcome.REVIEW, "OCR_CONFIRM")
    assert outcome(record(scanned(score=POLICY.ocr_min_confidence)), "E1") == (Outcome.PASS, "OCR_READ")  # inclusive
    assert outcome(record(read(GOOD, ocr=True)), "E1") == (Outcome.REVIEW, "OCR_CONFIRM")  # no score: 0.5
    repaired = record(scanned(GOOD.replace("专 利 权 人", "专 利 权 入")))  # read through 入 for 人: × 0.8
    assert outcome(repaired, "E1") == (Outcome.REVIEW, "OCR_CONFIRM") and repaired.confidence("patentees") == 0.79
    headless = record(scanned(GOOD.replace("发 明 专 利 证 书", "")))
    assert outcome(headless, "E1") == (Outcome.REVIEW, "OCR_CONFIRM") and "证书标题" in headless.rule("E1").reason


@pytest.mark.parametrize(("old", "new", "words"), [
    ("0847616.0", "0847616.1", "校验位"),  # check character
    ("2018年07月27日", "2017年07月27日", "年份2018"),  # the number's year vs the filing date
    ("ZL 2018 1 0847616.0", f"ZL 2018 2 0847616.{check_char('201820847616')}", "类型位"),  # type digit vs heading
    ("2020年12月18日", "2018年07月27日", "不晚于"),  # granted on the filing day
    ("每年07", "每年08", "年费"),  # filing date vs the annual-fee date
])
def test_e1_a_scan_disagreeing_with_itself_is_review(old: str, new: str, words: str) -> None:
    rec = record(scanned(GOOD.replace(old, new)))
    rule = "OCR_INCONSISTENT" if old != "每年07" else "FEE_DATE_MISMATCH"
    assert outcome(rec, "E1") == (Outcome.REVIEW, rule) and words in rec.rule("E1").reason
    assert rec.eligible is None


def test_e1_a_pct_number_may_be_years_younger_than_its_filing_date() -> None:
    def pct(year: int) -> PatentRecord:
        body = f"{year}80012345"
        text = GOOD.replace("ZL 2018 1 0847616.0", f"ZL {year} 8 0012345.{check_char(body)}")
        return record(scanned(text.replace("2018年07月27日", "2016年07月27日")))

    assert outcome(pct(2016), "E1") == (Outcome.PASS, "OCR_READ")
    assert outcome(pct(2019), "E1") == (Outcome.PASS, "OCR_READ")  # pct_year_lag_max: 3
    assert outcome(pct(2020), "E1") == (Outcome.REVIEW, "OCR_INCONSISTENT") and "PCT" in pct(2020).rule("E1").reason
    divisional = record(scanned(GOOD.replace("2018年07月27日", "2016年07月27日")))  # direct filing: same year
    assert outcome(divisional, "E1") == (Outcome.REVIEW, "OCR_INCONSISTENT") and "分案" in divisional.rule("E1").reason


def test_a_fail_read_from_a_doubtful_scanned_field_is_review() -> None:
    two = GOOD.replace(f"专 利 权 人：{APPLICANT}", f"专 利 权 人：{APPLICANT};浙江理工大学")
    assert outcome(record(scanned(two)), "E5") == (Outcome.FAIL, "NOT_SOLE")  # read sure: the FAIL stands
    unsure = record(scanned(two, lines={"专 利 权 人": 0.9}))
    assert outcome(unsure, "E5") == (Outcome.REVIEW, "NOT_SOLE") and unsure.eligible is None
    assert f"扫描件识别结果（识别置信度0.90，低于{POLICY.ocr_min_confidence:.2f}）" in unsure.rule("E5").reason
    old = GOOD.replace("2018年07月27日", "2000年07月27日")  # expired, if the year was read right …
    assert outcome(record(read(old)), "E7") == (Outcome.FAIL, "EXPIRED")  # text layer: exact
    doubted = record(scanned(old))  # … but the number says 2018
    assert outcome(doubted, "E7") == (Outcome.REVIEW, "EXPIRED") and "年份2018" in doubted.rule("E7").reason
    um = GOOD.replace("发 明 专 利 证 书", "实用新型专利证书").replace("ZL 2018 1 0847616.0", "ZL 2023 2 2987593.2") \
        .replace("发 明 名 称", "实用新型名称").replace("CN 109578096 B", "CN 221741187 U").replace("二十年", "十年")
    e2 = record(scanned(um, lines={"专 利 号": 0.8}))  # every type signal agrees: E2's FAIL stands
    assert outcome(e2, "E2") == (Outcome.FAIL, "NOT_INVENTION") and e2.eligible is False


def test_e2_invention_or_not() -> None:
    base = read(GOOD)
    um = parse_number("ZL 2023 2 2987593.2", today=TODAY)
    assert outcome(record(base), "E2") == (Outcome.PASS, "INVENTION")
    assert outcome(record(replace(base, headings=(PatentType.UTILITY_MODEL,), number=um, publication=None,
                                  title_label_type=None, term_stated=10)), "E2") == (Outcome.FAIL, "NOT_INVENTION")
    assert outcome(record(replace(base, number=um)), "E2") == (Outcome.REVIEW, "TYPE_CONFLICT")
    assert outcome(record(replace(base, term_stated=10)), "E2") == (Outcome.REVIEW, "TYPE_CONFLICT")
    assert outcome(record(replace(base, headings=(), number=None, publication=None, title_label_type=None)), "E2") == (
        Outcome.REVIEW, "TYPE_UNREADABLE")
    relaxed = replace(POLICY, require_invention=False)
    assert record(replace(base, headings=(PatentType.DESIGN,), number=None, publication=None, title_label_type=None,
                          term_stated=None), policy=relaxed).rule("E2").outcome is Outcome.SKIPPED


def test_e2_reads_a_design_certificate_text() -> None:
    text = (GOOD.replace("发 明 专 利 证 书", "外观设计专利证书").replace("发 明 名 称", "外观设计名称")
            .replace("发 明 人", "设 计 人").replace("ZL 2018 1 0847616.0", "ZL 2017 3 0033448.8")
            .replace("CN 109578096 B", "CN 304218960 S").replace("二十年", "十年"))
    rec = record(read(text))
    assert rec.certificate.type is PatentType.DESIGN and rec.certificate.inventors == ("王建国", "李晓燕")
    assert outcome(rec, "E2") == (Outcome.FAIL, "NOT_INVENTION")
    assert rec.term_years == 10 and rec.expiry_date == date(2028, 7, 26)


def test_e3_number() -> None:
    base = read(GOOD)
    assert outcome(record(base), "E3") == (Outcome.PASS, "VALID")
    wrong = read(GOOD.replace("0847616.0", "0847616.1"))
    assert outcome(record(wrong), "E3") == (Outcome.REVIEW, "CHECK_DIGIT")
    assert "应为0" in record(wrong).rule("E3").reason
    assert outcome(record(read(GOOD.replace("ZL 2018 1 0847616.0", "ZL 2018 1 08476.0"))), "E3") == (
        Outcome.REVIEW, "MALFORMED")
    assert outcome(record(replace(base, number=None)), "E3") == (Outcome.REVIEW, "NUMBER_UNREADABLE")
    assert record(wrong).to_block()["check_digit_ok"] is False


def test_e4_granted() -> None:
    base = read(GOOD)
    assert outcome(record(base), "E4") == (Outcome.PASS, "GRANTED")
    assert outcome(record(replace(base, publication=parse_publication("CN109578096A"))), "E4") == (
        Outcome.FAIL, "NOT_GRANTED")
    assert outcome(record(read("发明专利申请受理通知书\n" + GOOD)), "E4") == (Outcome.FAIL, "NOT_GRANTED")
    assert outcome(record(base, date(2020, 12, 17)), "E4") == (Outcome.REVIEW, "GRANT_AFTER_REFERENCE")
    assert outcome(record(base, date(2020, 12, 18)), "E4") == (Outcome.PASS, "GRANTED")
    assert outcome(record(replace(base, grant_date=None)), "E4") == (Outcome.REVIEW, "GRANT_DATE_UNREADABLE")
    assert outcome(record(replace(base, publication=parse_publication("CN109578096C2"))), "E4") == (
        Outcome.REVIEW, "PUBLICATION_KIND")
    assert outcome(record(read(GOOD.replace("CN 109578096 B", "CN 1095 B"))), "E4") == (
        Outcome.REVIEW, "PUBLICATION_UNREADABLE")


def test_e5_sole_owner() -> None:
    base = read(GOOD)
    assert outcome(record(base), "E5") == (Outcome.PASS, "SOLE")
    two = read(GOOD.replace(f"专 利 权 人：{APPLICANT}", f"专 利 权 人：{APPLICANT};浙江理工大学"))
    assert outcome(record(two), "E5") == (Outcome.FAIL, "NOT_SOLE")
    wrapped = read(GOOD.replace(f"专 利 权 人：{APPLICANT}", "专 利 权 人：浙江衢晟新材料\n有限公司"))
    assert wrapped.patentees_ambiguous
    assert outcome(record(wrapped), "E5") == (Outcome.PASS, "SOLE")  # the joined lines are the applicant
    assert outcome(record(wrapped, owners=None), "E5") == (Outcome.REVIEW, "AMBIGUOUS_WRAP")
    two_lines = read(GOOD.replace(f"专 利 权 人：{APPLICANT}", f"专 利 权 人：{APPLICANT}\n浙江理工大学"))
    assert outcome(record(two_lines), "E5") == (Outcome.REVIEW, "AMBIGUOUS_WRAP")
    assert outcome(record(replace(base, patentees=())), "E5") == (Outcome.REVIEW, "PATENTEE_UNREADABLE")


def test_e6_owner_is_the_applicant() -> None:
    base = read(GOOD)
    assert outcome(record(base), "E6") == (Outcome.PASS, "OWNER_IS_APPLICANT")
    assert outcome(record(base, owners=("衢州新名有限公司", APPLICANT)), "E6") == (Outcome.PASS, "OWNER_IS_APPLICANT")
    assert "曾用名" in record(base, owners=("衢州新名有限公司", APPLICANT)).rule("E6").reason
    assert outcome(record(base, owners=("浙江衢晟新材料股份有限公司",)), "E6") == (Outcome.REVIEW, "OWNER_MISMATCH")
    assert outcome(record(base, owners=None), "E6") == (Outcome.SKIPPED, "NO_APPLICANT")
    brackets = replace(base, patentees=("浙江衢晟（集团）有限公司",))
    assert outcome(record(brackets, owners=("浙江衢晟(集团)有限公司",)), "E6") == (Outcome.PASS, "OWNER_IS_APPLICANT")
    assert record(base, owners=None).eligible  # without an applicant the owner check does not count


@pytest.mark.parametrize(("filing", "reference", "expected"), [
    ("2018-07-27", "2026-03-01", (Outcome.PASS, "TERM_OK")),
    ("2015-03-20", "2030-03-20", (Outcome.PASS, "TERM_OK")),  # the boundary counts (不少于)
    ("2015-03-20", "2030-03-21", (Outcome.FAIL, "TERM_SHORT")),
    ("2016-02-29", "2031-02-28", (Outcome.PASS, "TERM_OK")),  # 29 February → 28 February
    ("2016-02-29", "2031-03-01", (Outcome.FAIL, "TERM_SHORT")),
    ("2018-06-20", "2033-06-20", (Outcome.PASS, "TERM_OK")),
    ("2018-06-20", "2033-06-21", (Outcome.FAIL, "TERM_SHORT")),
    ("2000-08-10", "2020-08-10", (Outcome.FAIL, "EXPIRED")),  # lapses on the anniversary
    ("2000-08-10", "2020-08-09", (Outcome.FAIL, "TERM_SHORT")),  # its last day in force
])
def test_e7_term_cases_of_the_spec(filing: str, reference: str, expected: tuple[Outcome, str]) -> None:
    base = replace(read(GOOD), filing_date=date.fromisoformat(filing), fee_due=None,
                   grant_date=date.fromisoformat(filing))
    assert outcome(record(base, date.fromisoformat(reference)), "E7") == expected


def test_expiry_and_years_remaining_as_the_contract_shows() -> None:
    base = replace(read(GOOD), filing_date=date(2015, 3, 20), fee_due=None, grant_date=date(2017, 6, 9))
    rec = record(base, date(2020, 6, 20))
    block = rec.to_block()
    assert (block["expiry_date"], block["years_remaining"], block["reference_date"]) == ("2035-03-19", 14.74, "2020-06-20")
    boundary = record(base, date(2030, 3, 20))
    assert boundary.years_remaining == 5.0 and boundary.eligible


def test_e7_min_years_from_the_policy() -> None:
    base = replace(read(GOOD), filing_date=date(2015, 3, 20), fee_due=None, grant_date=date(2017, 6, 9))
    assert outcome(record(base, date(2027, 3, 20), policy=replace(POLICY, min_years_remaining=8)), "E7") == (
        Outcome.PASS, "TERM_OK")
    assert outcome(record(base, date(2027, 3, 21), policy=replace(POLICY, min_years_remaining=8)), "E7") == (
        Outcome.FAIL, "TERM_SHORT")


def test_e8_and_e9() -> None:
    base = read(GOOD)
    assert outcome(record(base), "E8") == (Outcome.SKIPPED, "STATUS_UNVERIFIED")
    assert outcome(record(base, previously_funded=True), "E9") == (Outcome.FAIL, "FUNDED_BEFORE")
    assert outcome(record(base, previously_funded=False), "E9") == (Outcome.PASS, "NOT_FUNDED_BEFORE")
    assert outcome(record(base), "E9") == (Outcome.SKIPPED, "NO_DECLARATION")
    assert record(base, previously_funded=True).outcome is Outcome.FAIL


def test_overall_fail_beats_review() -> None:
    two = read(GOOD.replace(f"专 利 权 人：{APPLICANT}", f"专 利 权 人：{APPLICANT};浙江理工大学")
               .replace("0847616.0", "0847616.1"))
    rec = record(two)
    assert outcome(rec, "E3") == (Outcome.REVIEW, "CHECK_DIGIT") and outcome(rec, "E5") == (Outcome.FAIL, "NOT_SOLE")
    assert rec.outcome is Outcome.FAIL and rec.eligible is False


def test_eligible_is_true_false_or_not_known() -> None:
    assert record(read(GOOD)).eligible is True
    assert record(read(GOOD.replace("0847616.0", "0847616.1"))).eligible is None  # E3 REVIEW: not known
    assert record(read(GOOD), owners=("另一家有限公司",)).eligible is None  # E6 REVIEW
    assert record(read(GOOD), date(2040, 1, 1)).eligible is False
    assert record(read(GOOD.replace("0847616.0", "0847616.1")), date(2040, 1, 1)).eligible is False  # FAIL beats REVIEW


# ---------------------------------------------------------------- the check, end to end

CERT = {"number": "ZL201810847616.0", "title": "一种含氟聚合物乳液的连续化聚合方法", "inventors": ["王建国", "李晓燕"],
        "patentees": [APPLICANT], "address": "324000 浙江省衢州市柯城区世纪大道888号", "filing_date": "2018-07-27",
        "grant_date": "2020-12-18", "publication_number": "CN109578096B", "certificate_serial": "7668232"}


def app_json(category: str = "patent", number: str | None = "ZL201810847616.0", **extra: Any) -> Application:
    data = {"project_id": "T-1", "title": "测试", "category": category, "submitted_at": "2021-06-20T09:00:00+08:00",
            "applicant": {"name": APPLICANT, "aliases": ["衢晟新材"]}, "team": [{"name": "王建国", "role": "leader"}],
            "patent": {"number": number, "previously_funded": False}, **extra}
    return parse_application(json.dumps(data, ensure_ascii=False))


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(checks.REGISTRY, "patent", patent_check.check)
    monkeypatch.setitem(checks.BLOCKS, "patent", patent_check.block)


def run(tmp_path: Path, app: Application | None, certs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    uploads = [Upload(name, path=build_certificate_pdf(tmp_path / name, **fields)) for name, fields in certs.items()]
    return screen(app, uploads).to_json()


def patent_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"].startswith("patent.")]


@pytest.mark.usefixtures("wired")
def test_end_to_end_eligible_certificate(tmp_path: Path) -> None:
    report = run(tmp_path, app_json(), {"专利证书.pdf": CERT})
    assert patent_findings(report) == []
    block = report["patent"]
    assert {k: block[k] for k in ("number", "type", "title", "patentees", "inventors", "filing_date", "grant_date",
                                  "expiry_date", "years_remaining", "reference_date", "check_digit_ok", "eligible")} == {
        "number": "ZL201810847616.0", "type": "invention", "title": CERT["title"], "patentees": [APPLICANT],
        "inventors": ["王建国", "李晓燕"], "filing_date": "2018-07-27", "grant_date": "2020-12-18",
        "expiry_date": "2038-07-26", "years_remaining": 17.1, "reference_date": "2021-06-20",
        "check_digit_ok": True, "eligible": True}
    assert block["file"] == "专利证书.pdf" and block["certificate_serial"] == "7668232"


@pytest.mark.usefixtures("wired")
def test_end_to_end_failures_carry_file_and_page(tmp_path: Path) -> None:
    cert = {**CERT, "kind": "utility_model", "number": "ZL202021798230.4", "publication_number": "CN213239675U",
            "patentees": [APPLICANT, "浙江理工大学"], "layout": "two_page", "filing_date": "2020-08-24",
            "grant_date": "2021-05-18"}
    report = run(tmp_path, app_json(number="ZL202021798230.4"), {"专利证书.pdf": cert})
    got = {(f["rule"], f["severity"]) for f in patent_findings(report)}
    assert got == {("patent.not_invention", "fail"), ("patent.ownership", "fail"), ("patent.ownership", "warn")}
    for f in patent_findings(report):
        assert f["file"] == "专利证书.pdf" and f["location"] == {"part": "body", "page": 1}
    assert report["verdict"] == "fail" and report["patent"]["eligible"] is False


@pytest.mark.usefixtures("wired")
def test_review_results_warn_even_where_the_call_fails(tmp_path: Path) -> None:
    report = run(tmp_path, app_json(number="ZL201810847616.7"), {"专利证书.pdf": {**CERT, "number": "ZL201810847616.7"}})
    assert [(f["rule"], f["severity"]) for f in patent_findings(report)] == [("patent.check_digit", "warn")]
    assert load_call().severity("patent.check_digit") is Severity.FAIL
    assert report["patent"]["check_digit_ok"] is False
    assert not [f for f in patent_findings(report) if f["severity"] == "fail"]


@pytest.mark.usefixtures("wired")
def test_number_mismatch_and_missing_certificate(tmp_path: Path) -> None:
    report = run(tmp_path, app_json(number="ZL 2018 1 0847661.0"), {"专利证书.pdf": CERT})
    assert [(f["rule"], f["severity"], f["target"]) for f in patent_findings(report)] == [
        ("patent.number_mismatch", "warn", "ZL 2018 1 0847661.0")]
    missing = screen(app_json(), []).to_json()
    assert [f["rule"] for f in patent_findings(missing)] == ["patent.missing"] and missing["patent"] is None


@pytest.mark.usefixtures("wired")
def test_other_categories_report_the_block_without_findings(tmp_path: Path) -> None:
    cert = {**CERT, "kind": "utility_model", "number": "ZL202021798230.4", "publication_number": "CN213239675U"}
    report = run(tmp_path, app_json(category="key"), {"专利证书.pdf": cert})
    assert patent_findings(report) == [] and report["patent"]["type"] == "utility_model"
    assert patent_findings(screen(app_json(category="key"), []).to_json()) == []


@pytest.mark.usefixtures("wired")
def test_without_application_the_rules_run_and_the_owner_check_is_skipped(tmp_path: Path) -> None:
    report = run(tmp_path, None, {"专利证书.pdf": {**CERT, "grant_date": "2019-12-18", "patentees": ["另一家有限公司"]}})
    assert patent_findings(report) == []
    assert report["patent"]["reference_date"] == "2020-06-28"  # the call's close
    assert {r["rule"]: r["result"] for r in report["patent"]["rules"]}["E6"] == "SKIPPED"


@pytest.mark.usefixtures("wired")
def test_several_certificates_report_the_declared_one(tmp_path: Path) -> None:
    other = {**CERT, "number": "ZL202021798230.4", "kind": "utility_model", "publication_number": "CN213239675U"}
    report = run(tmp_path, app_json(), {"专利证书-1.pdf": other, "专利证书-2.pdf": CERT})
    assert report["patent"]["file"] == "专利证书-2.pdf" and patent_findings(report) == []
    assert report["patent"]["others"] == [{"file": "专利证书-1.pdf", "number": "ZL202021798230.4",
                                           "type": "utility_model", "eligible": False, "result": "FAIL"}]


def test_ocr_certificate_needs_confirmation() -> None:
    parts = tuple(Part(PartKind.BODY, line, page=1, paragraph=i, origin="ocr", confidence=0.93)
                  for i, line in enumerate(OCR_LIKE.splitlines(), 1))
    doc = Document(file="专利证书.jpg", format="image", sha256="", pages=1, parts=parts, role=Role.PATENT_CERTIFICATE,
                   ocr=True)
    ctx = checks.Context(load_call(), app_json(number=None), (doc,), ())
    findings = list(patent_check.check(ctx))
    assert [(f.rule, f.severity) for f in findings] == [("patent.unreadable", Severity.WARN)]
    assert "OCR" in findings[0].message
    block = patent_check.block(ctx)
    assert block is not None and block["ocr"] is True and block["eligible"] is None and block["result"] == "REVIEW"
    assert block["fields"]["patentees"]["confidence"] == 0.74  # 0.93 × 0.8: read through 入 for 人
    assert ctx.memo["patent"] is patent_check.certificates(ctx)  # read once


def test_previously_funded_is_reported_only_when_the_call_sets_its_severity(tmp_path: Path) -> None:
    path = build_certificate_pdf(tmp_path / "专利证书.pdf", **CERT)
    from screening.parsers import parse_file

    doc = parse_file(path, Role.PATENT_CERTIFICATE)
    app = app_json(patent={"number": CERT["number"], "previously_funded": True})
    call = load_call()
    assert [f.rule for f in patent_check.check(checks.Context(call, app, (doc,), ()))] == []
    configured = call.model_copy(update={"severities": {**call.severities, "patent.previously_funded": Severity.FAIL}})
    assert [f.rule for f in patent_check.check(checks.Context(configured, app, (doc,), ()))] == [
        "patent.previously_funded"]


# ---------------------------------------------------------------- the sample projects


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("certificates")
    for project in certificates.projects():
        folder = root / project.pid
        folder.mkdir()
        (folder / "application.json").write_text(json.dumps(project.application, ensure_ascii=False), encoding="utf-8")
        for name, make in project.files.items():
            make(folder / name)
    return root


@pytest.mark.usefixtures("wired")
@pytest.mark.parametrize("project", certificates.projects(), ids=lambda p: p.pid)
def test_sample_projects_match_their_gold(project: Any, sample_dir: Path) -> None:
    from screening.engine import screen_project

    report = screen_project(sample_dir / project.pid).to_json()
    gold = project.gold
    assert report["verdict"] == gold["verdict"], report["findings"]
    fired = {f["rule"] for f in report["findings"] if f["severity"] in ("fail", "warn")}
    assert set(gold["rules"]) <= fired
    assert not {r["rule"] for r in gold["rules_must_not_fire"]} & fired
    if gold["patent"] is None:
        assert report["patent"] is None
    else:
        assert {k: report["patent"][k] for k in gold["patent"]} == gold["patent"]


def test_expected_patents_name_unique_files() -> None:
    expected = certificates.expected_patents()
    assert len(expected) == sum(1 for c in certificates.CASES if c.certificate is not None)
    assert all(name.startswith("专利证书-") for name in expected)


# ---------------------------------------------------------------- certkit pictures


def test_certificate_png_is_a_deterministic_scan(tmp_path: Path) -> None:
    fields = {**CERT, "layout": "two_page"}
    a = render_certificate_png(tmp_path / "a.png", dpi=150, page=2, **fields).read_bytes()
    b = render_certificate_png(tmp_path / "b.png", dpi=150, page=2, **fields).read_bytes()
    assert a == b
    image = Image.open(io.BytesIO(a))
    assert image.size == (1240, 1754) and image.mode == "L"
    assert 0 < sum(image.histogram()[:100]) < image.size[0] * image.size[1] // 5  # dark ink, mostly paper
    assert spec_of(**fields).layout == "two_page"  # type: ignore[arg-type]


# ---------------------------------------------------------------- screening patent


@pytest.mark.parametrize("case", [c for c in certificates.CASES if c.certificate is not None], ids=lambda c: c.pid)
def test_cli_json_block_is_the_expected_one(case: Any, sample_dir: Path, cli: Callable[..., Result]) -> None:
    name = certificates.certificate_file(case.pid)
    result = cli("patent", sample_dir / case.pid / name, "--format", "json")
    block = result.json()
    want = certificates.expected_patents()[name]
    assert {k: block[k] for k in want} == want
    # without --application the owner is not checked: never exit 0, never a PASS headline
    assert result.code == (1 if want["eligible"] is False else 3), result.err
    assert ("notice" in block) is (want["eligible"] is not False)
    assert result.err == ""


def test_cli_with_application_checks_the_owner(sample_dir: Path, cli: Callable[..., Result]) -> None:
    folder = sample_dir / "QZ2020-0107"
    result = cli("patent", folder / "专利证书-0107.pdf", "--application", folder / "application.json", "--format", "json")
    assert result.code == 3 and result.json()["reference_date"] == "2020-06-20"
    assert result.json()["eligible"] is None and "notice" not in result.json()  # E6 REVIEW: another company
    boundary = cli("patent", folder / "专利证书-0107.pdf", "--reference-date", "2033-01-10", "--format", "json")
    assert boundary.code == 3 and boundary.json()["years_remaining"] == 5.0  # filed 2018-01-10: the last good day
    assert boundary.json()["eligible"] is True and boundary.json()["result"] == "PASS"  # … but the owner unchecked
    later = cli("patent", folder / "专利证书-0107.pdf", "--reference-date", "2033-01-11", "--format", "json")
    assert later.code == 1 and later.json()["eligible"] is False and "notice" not in later.json()
    own = sample_dir / "QZ2020-0101"
    checked = cli("patent", own / "专利证书-0101.pdf", "--application", own / "application.json", "--format", "json")
    assert checked.code == 0 and checked.json()["eligible"] is True and "notice" not in checked.json()


def test_cli_text_summary(sample_dir: Path, cli: Callable[..., Result]) -> None:
    folder = sample_dir / "QZ2020-0101"
    result = cli("patent", folder / "专利证书-0101.pdf", "--application", folder / "application.json")
    assert result.code == 0
    head = result.out.splitlines()[0]
    assert "ZL201610243581.0" in head and "PASS 符合条件" in head and "E7" in result.out
    assert "符合条件：是" in result.out


def test_cli_without_application_does_not_headline_pass(sample_dir: Path, cli: Callable[..., Result]) -> None:
    result = cli("patent", sample_dir / "QZ2020-0101" / "专利证书-0101.pdf")
    assert result.code == 3
    head = result.out.splitlines()[0]
    assert "PASS" not in head and "REVIEW 需人工复核" in head
    assert "未核对专利权人是否为申报单位" in result.out and "--application" in result.out
    fails = cli("patent", sample_dir / "QZ2020-0102" / "专利证书-0102.pdf")  # a utility model fails whoever owns it
    assert fails.code == 1 and "FAIL 不符合条件" in fails.out.splitlines()[0] and "提示" not in fails.out


def test_cli_bad_arguments_and_unreadable_files(tmp_path: Path, sample_dir: Path, cli: Callable[..., Result]) -> None:
    cert = sample_dir / "QZ2020-0101" / "专利证书-0101.pdf"
    for args in (("patent", tmp_path / "nope.pdf"), ("patent", cert, "--reference-date", "2020-13-01")):
        result = cli(*args)
        assert result.code == 2 and result.out == "" and len(result.err.strip().splitlines()) == 1, result.err
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n garbage")
    result = cli("patent", broken, "--format", "json")
    assert result.code == 2 and result.out == "" and "Traceback" not in result.err
