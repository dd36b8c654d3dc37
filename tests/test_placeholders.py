"""Placeholders by what they are (issue 11): a bracketed or starred run whose words mean hidden,
omitted, withheld or anonymised, or mask characters, in any bracket style — never a leak. And
what is not one: a real value, a phrase that merely contains 略 or 隐."""

from __future__ import annotations

import pytest

from screening.identity.labels import find_inline
from screening.identity.placeholders import is_placeholder, is_public_number, leading_placeholder
from screening.text import normalize


@pytest.mark.parametrize(
    "value",
    ["（按要求隐去）", "（已隐去）", "【单位名称略】", "（保密）", "***", "×××公司", "某某", "XX大学", "■■■■",
     "〔根据评审要求隐去〕", "「匿名」", "[已隐去]", "（略）", "单位名称略", "○○○有限公司", "（隐去）\n2020年6月",
     "（不予公开）2020年6月20日", "〈信息已脱敏〉", "＊＊＊＊＊", "（盲审需要，此处隐去）", "本单位", "见附件", "〔按规定不予填写〕",
     "本公司（具体名称已隐去）"],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    ["浙江衢晟新材料有限公司", "王建国", "战略合作伙伴", "衢州市柯城区世纪大道88号", "0570-3012345",
     "（浙江衢晟新材料有限公司）", "隐形冠军企业培育计划", "省略号的用法研究"],
)
def test_values_that_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


def test_a_value_that_opens_with_a_placeholder_is_one() -> None:
    assert leading_placeholder("〔隐去〕 统一社会信用代码：〔隐去〕")
    assert not leading_placeholder("（浙江衢晟新材料有限公司）")
    text = normalize("申报单位名称：〔隐去〕 统一社会信用代码：〔隐去〕 项目负责人：（按要求隐去）").text
    assert find_inline(text) == []


@pytest.mark.parametrize(("number", "public"), [("400-826-1234", True), ("800-810-8888", True), ("12345", True),
                                                ("95598", True), ("0570-3012345", False), ("13905701234", False)])
def test_public_numbers(number: str, public: bool) -> None:
    assert is_public_number(number) is public


def test_hotline_after_a_phone_label_is_not_a_contact() -> None:
    assert find_inline(normalize("客服电话：400-826-1234").text) == []
    assert [lv.value for lv in find_inline(normalize("联系电话：0570-3012345").text)] == ["0570-3012345"]
