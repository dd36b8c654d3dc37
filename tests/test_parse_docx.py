"""screening.parsers.docx: every planted string comes back in the right PartKind and origin."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from PIL import Image

from samples.docxkit import REVIEWER, build_docx
from screening.errors import CorruptError, TooLargeError
from screening.model import Part, PartKind
from screening.parsers.base import Parsed
from screening.parsers.docx import parse

MAIN = "word/document.xml"


def png(width: int = 24, height: int = 12) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def build(tmp_path: Path, **kwargs: Any) -> bytes:
    return build_docx(tmp_path / "t.docx", **kwargs).read_bytes()


def read(tmp_path: Path, **kwargs: Any) -> Parsed:
    return parse(build(tmp_path, **kwargs))


def find(parsed: Parsed, kind: PartKind, origin: str | None = None) -> list[Part]:
    return [p for p in parsed.parts if p.kind == kind and (origin is None or p.origin == origin)]


def texts(parsed: Parsed, kind: PartKind, origin: str | None = None) -> list[str]:
    return [p.text for p in find(parsed, kind, origin)]


def edit(data: bytes, member: str, change: Callable[[bytes], bytes | None]) -> bytes:
    """The package with one member changed (created from b"" if absent; removed when change gives None)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    new = change(members.get(member, b""))
    if new is None:
        members.pop(member, None)
    else:
        members[member] = new
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in members.items():
            dst.writestr(name, blob)
    return out.getvalue()


def sub(old: str, new: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        assert old in text, old
        return text.replace(old, new, 1).encode("utf-8")

    return change


# -- body and tables -----------------------------------------------------------------------------


def test_body_paragraphs_keep_original_text(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["浙江衢晟新材料有限公司", "姓名：\t王建国\n职称：高级工程师"])
    body = find(parsed, PartKind.BODY)
    assert [p.text for p in body] == ["浙江衢晟新材料有限公司", "姓名：\t王建国\n职称：高级工程师"]
    assert [p.paragraph for p in body] == [1, 2]
    assert {(p.origin, p.source, p.page) for p in body} == {("", MAIN, None)}


def test_table_cells_carry_coordinates(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["团队"], table=[["姓名", "职称"], ["李晓燕", "工程师"]],
                  nested_table_cell="基地负责人赵德胜")
    cells = {p.text: p for p in find(parsed, PartKind.TABLE)}
    assert cells["姓名"].source == f"{MAIN}#t1r1c1"
    assert cells["工程师"].source == f"{MAIN}#t1r2c2"
    assert cells["李晓燕"].origin == ""
    assert cells["基地负责人赵德胜"].source == f"{MAIN}#t1r1c1/t2r1c1"
    assert "李晓燕" not in texts(parsed, PartKind.BODY)
    numbers = [p.paragraph for p in find(parsed, PartKind.TABLE)]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


# -- headers and footers -------------------------------------------------------------------------


def test_headers_and_footers_by_type(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["正文"], header="默认页眉", header_first="衢州绿禾农业开发有限公司",
                  header_even="绿禾农业", footer="默认页脚", footer_first="首页页脚", footer_even="偶数页脚")
    headers = {p.text: p for p in find(parsed, PartKind.HEADER)}
    footers = {p.text: p for p in find(parsed, PartKind.FOOTER)}
    assert {t: p.origin for t, p in headers.items()} == {
        "默认页眉": "default", "衢州绿禾农业开发有限公司": "first", "绿禾农业": "even"}
    assert {t: p.origin for t, p in footers.items()} == {"默认页脚": "default", "首页页脚": "first", "偶数页脚": "even"}
    assert headers["衢州绿禾农业开发有限公司"].page == 1 and footers["首页页脚"].page == 1
    assert headers["默认页眉"].page is None and headers["绿禾农业"].page is None
    assert all(p.source.startswith("word/header") for p in headers.values())
    assert all(p.paragraph == 1 for p in headers.values())


def test_header_no_section_uses_is_still_read(tmp_path: Path) -> None:
    data = build(tmp_path, body=["正文"], header="页眉")
    data = edit(data, "word/header9.xml", lambda _: (
        '<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:p><w:r><w:t>浙江衢江精密机械有限公司</w:t></w:r></w:p></w:hdr>").encode())
    parsed = parse(data)
    assert [(p.text, p.origin) for p in find(parsed, PartKind.HEADER)] == [
        ("页眉", "default"), ("浙江衢江精密机械有限公司", "unreferenced")]


# -- text boxes ----------------------------------------------------------------------------------


def test_drawingml_text_box_read_once(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["正文"], textbox="项目负责人：陈志明")
    assert texts(parsed, PartKind.TEXTBOX) == ["项目负责人：陈志明"]  # the VML mc:Fallback copy is skipped
    assert find(parsed, PartKind.TEXTBOX)[0].origin == ""
    assert all("陈志明" not in p.text for p in parsed.parts if p.kind != PartKind.TEXTBOX)


def test_vml_text_box(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["正文"], vml_textbox="衢州绿禾农业开发有限公司示范基地")
    assert texts(parsed, PartKind.TEXTBOX, "") == ["衢州绿禾农业开发有限公司示范基地"]


# -- comments and notes --------------------------------------------------------------------------


def test_comment_text_and_author(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["四、技术路线。采用理论计算。"],
                  comment=("技术路线", "请周丽华核对中试数据", "陈志明"))
    assert texts(parsed, PartKind.COMMENT, "") == ["请周丽华核对中试数据"]
    assert texts(parsed, PartKind.COMMENT, "comment_author") == ["陈志明"]
    assert texts(parsed, PartKind.BODY) == ["四、技术路线。采用理论计算。"]  # the anchor stays in the body


def test_footnote_and_endnote(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["正文"], footnote="数据来源：省农科院柑橘研究所。", endnote="执笔：赵德胜")
    footnotes = find(parsed, PartKind.FOOTNOTE, "")
    endnotes = find(parsed, PartKind.FOOTNOTE, "endnote")
    assert len(footnotes) == 1 and "省农科院" in footnotes[0].text  # the separators give nothing
    assert len(endnotes) == 1 and "赵德胜" in endnotes[0].text
    assert footnotes[0].source == "word/footnotes.xml" and endnotes[0].source == "word/endnotes.xml"


# -- tracked changes and hidden text -------------------------------------------------------------


def test_tracked_deletion_and_insertion(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["申报单位：", "第二段"], deleted="绿禾农业", inserted="某公司")
    body = find(parsed, PartKind.BODY, "")
    deleted = find(parsed, PartKind.BODY, "deleted")
    assert body[0].text == "申报单位：某公司"  # inserted text is ordinary text, the deletion is not in it
    assert [p.text for p in deleted] == ["绿禾农业"]
    assert deleted[0].paragraph == body[0].paragraph == 1
    assert texts(parsed, PartKind.METADATA, "revision_author") == [REVIEWER]


def test_hidden_run(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["第一段", "联系人："], hidden="孙雨婷")
    assert texts(parsed, PartKind.BODY, "") == ["第一段", "联系人："]
    hidden = find(parsed, PartKind.BODY, "hidden")
    assert [(p.text, p.paragraph) for p in hidden] == [("孙雨婷", 2)]


def test_hidden_through_a_character_style(tmp_path: Path) -> None:
    data = build(tmp_path, body=["公开", "机密"])
    data = edit(data, "word/styles.xml", sub(
        "</w:styles>",
        '<w:style w:type="character" w:styleId="Secret"><w:name w:val="Secret"/><w:rPr><w:vanish/></w:rPr>'
        "</w:style></w:styles>"))
    data = edit(data, MAIN, sub("<w:r><w:t>机密</w:t></w:r>",
                                '<w:r><w:rPr><w:rStyle w:val="Secret"/></w:rPr><w:t>机密</w:t></w:r>'))
    parsed = parse(data)
    assert texts(parsed, PartKind.BODY, "") == ["公开"]
    assert texts(parsed, PartKind.BODY, "hidden") == ["机密"]


# -- properties and links ------------------------------------------------------------------------

CORE = {
    "creator": ("刘卫东", "core.creator"),
    "last_modified_by": ("吴晓峰", "core.lastModifiedBy"),
    "title": ("五轴数控机床可行性报告", "core.title"),
    "subject": ("衢江精密主题", "core.subject"),
    "keywords": ("衢江精密;数控", "core.keywords"),
    "description": ("浙江衢江精密机械有限公司编制", "core.description"),
    "category": ("衢江精密类别", "core.category"),
}


@pytest.mark.parametrize("key", sorted(CORE))
def test_core_property(tmp_path: Path, key: str) -> None:
    value, origin = CORE[key]
    parsed = read(tmp_path, body=["正文"], core={key: value})
    assert texts(parsed, PartKind.METADATA, origin) == [value]
    assert find(parsed, PartKind.METADATA, origin)[0].source == "docProps/core.xml"


def test_app_and_custom_properties(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["正文"], app={"Company": "浙江衢江精密机械有限公司", "Manager": "刘卫东"},
                  custom={"编制单位": "衢江精密"})
    assert texts(parsed, PartKind.METADATA, "app.Company") == ["浙江衢江精密机械有限公司"]
    assert texts(parsed, PartKind.METADATA, "app.Manager") == ["刘卫东"]
    assert texts(parsed, PartKind.METADATA, "custom.编制单位") == ["衢江精密"]


def test_empty_properties_give_nothing(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["正文"])
    origins = {p.origin for p in find(parsed, PartKind.METADATA)}
    assert not any(o.startswith(("core.", "custom.")) or o in ("app.Company", "app.Manager") for o in origins)


def test_external_hyperlink_target(tmp_path: Path) -> None:
    data = build(tmp_path, body=["正文"])
    data = edit(data, "word/_rels/document.xml.rels", sub(
        "</Relationships>",
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'hyperlink" Target="mailto:zhangsan@qzsx.com" TargetMode="External"/></Relationships>'))
    assert texts(parse(data), PartKind.METADATA, "hyperlink") == ["mailto:zhangsan@qzsx.com"]


# -- pictures ------------------------------------------------------------------------------------


def test_image_ref_and_alt_text(tmp_path: Path) -> None:
    picture = png(24, 12)
    parsed = read(tmp_path, body=["正文"], image_png=picture, image_descr="衢江精密厂区照片")
    assert len(parsed.images) == 1
    image = parsed.images[0]
    assert (image.source, image.width, image.height, image.size) == ("word/media/image1.png", 24, 12, len(picture))
    assert texts(parsed, PartKind.IMAGE, "alt_text") == ["衢江精密厂区照片"]


# -- pages ---------------------------------------------------------------------------------------


def test_page_numbers_after_a_page_break(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["第一页", "第二页开头", "第二页续"], page_break_before=1,
                  table=[["表格"]], textbox="文本框")
    pages = {p.text: p.page for p in parsed.parts if p.kind in (PartKind.BODY, PartKind.TABLE, PartKind.TEXTBOX)}
    assert pages == {"第一页": 1, "第二页开头": 2, "第二页续": 2, "表格": 2, "文本框": 2}
    assert parsed.pages == 2


def test_no_break_means_no_page(tmp_path: Path) -> None:
    parsed = read(tmp_path, body=["一", "二"])
    assert {p.page for p in find(parsed, PartKind.BODY)} == {None}
    assert parsed.pages == 1  # python-docx's template says <Pages>1</Pages>


def test_hard_and_rendered_page_breaks(tmp_path: Path) -> None:
    data = build(tmp_path, body=["一", "二", "三"])
    hard = edit(data, MAIN, sub("<w:r><w:t>二</w:t></w:r>", '<w:r><w:t>二</w:t><w:br w:type="page"/></w:r>'))
    assert [p.page for p in find(parse(hard), PartKind.BODY)] == [1, 1, 2]
    # Word's own layout wins: a rendered break after the hard one is the same page, not another
    rendered = edit(hard, MAIN, sub("<w:r><w:t>三</w:t></w:r>", "<w:r><w:lastRenderedPageBreak/><w:t>三</w:t></w:r>"))
    assert [p.page for p in find(parse(rendered), PartKind.BODY)] == [1, 1, 2]
    rendered = edit(rendered, MAIN, sub("<w:r><w:t>二</w:t>", "<w:r><w:lastRenderedPageBreak/><w:t>二</w:t>"))
    parsed = parse(rendered)
    assert [p.page for p in find(parsed, PartKind.BODY)] == [1, 2, 3]
    assert parsed.pages == 3


# -- refused and damaged files -------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really a zip", b"%PDF-1.7 nonsense"])
def test_not_a_zip_is_corrupt(data: bytes) -> None:
    with pytest.raises(CorruptError, match="损坏"):
        parse(data)


def test_truncated_docx_is_corrupt(tmp_path: Path) -> None:
    data = build(tmp_path, body=["证明材料"])
    with pytest.raises(CorruptError):
        parse(data[: len(data) // 2])


def test_zip_without_main_document_is_corrupt(tmp_path: Path) -> None:
    data = edit(build(tmp_path, body=["正文"]), MAIN, lambda _: None)
    with pytest.raises(CorruptError, match=r"document\.xml"):
        parse(data)


def test_malformed_main_document_is_unverifiable(tmp_path: Path) -> None:
    # the body is where a leak would be: a main part that cannot be read fails (issue 12), the rest is read
    data = edit(build(tmp_path, body=["正文"], header="页眉"), MAIN, lambda xml: xml[: len(xml) // 2])
    parsed = parse(data)
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"]
    assert parsed.problems[0].part == PartKind.BODY and MAIN in parsed.problems[0].message
    assert texts(parsed, PartKind.HEADER, "unreferenced") == ["页眉"]


def test_malformed_optional_part_is_a_problem(tmp_path: Path) -> None:
    data = build(tmp_path, body=["正文"], comment=("正文", "批注", "陈志明"), header="页眉")
    data = edit(data, "word/comments.xml", lambda xml: xml[:-40])
    parsed = parse(data)
    assert texts(parsed, PartKind.BODY) == ["正文"] and texts(parsed, PartKind.HEADER) == ["页眉"]
    # a damaged text-bearing part could hide a name: the attachment fails as unverifiable (issue 12)
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"]
    assert "word/comments.xml" in parsed.problems[0].message


def test_billion_laughs_does_not_expand(tmp_path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>a&lol9;b</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    data = edit(build(tmp_path, body=["正文"]), MAIN, lambda _: bomb)
    try:
        parsed = parse(data)
    except CorruptError:
        return  # libxml2 refuses the amplification outright
    assert all(len(p.text) < 100 for p in parsed.parts)


def test_zip_bomb_picture_is_reported_alone() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MAIN, '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                          "<w:body><w:p><w:r><w:t>正文</w:t></w:r></w:p></w:body></w:document>")
        zf.writestr("word/media/image1.png", b"\0" * (65 * 1024 * 1024))  # over the 64 MB a member
    parsed = parse(out.getvalue())
    assert texts(parsed, PartKind.BODY) == ["正文"] and parsed.images == ()
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"]
    assert "word/media/image1.png" in parsed.problems[0].message and "压缩炸弹" in parsed.problems[0].message


def test_too_many_entries_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for i in range(5001):
            zf.writestr(f"word/media/x{i}.bin", b"")
    with pytest.raises(TooLargeError):
        parse(out.getvalue())


# -- the builder ---------------------------------------------------------------------------------

EVERYTHING: dict[str, Any] = {
    "body": ["一、项目背景。", "四、技术路线。", "六、实施基础。"],
    "table": [["姓名", "职称"], ["李晓燕", "工程师"]],
    "nested_table_cell": "赵德胜",
    "header": "页眉", "header_first": "首页页眉", "header_even": "偶数页眉",
    "footer": "页脚", "footer_first": "首页页脚", "footer_even": "偶数页脚",
    "textbox": "文本框", "vml_textbox": "VML文本框",
    "comment": ("技术路线", "批注", "陈志明"),
    "footnote": "脚注", "endnote": "尾注",
    "deleted": "删除", "inserted": "插入", "hidden": "隐藏",
    "core": {"creator": "刘卫东", "title": "标题"}, "app": {"Company": "公司", "Manager": "经理"},
    "custom": {"编制单位": "衢江精密"},
    "image_png": png(), "image_descr": "照片",
    "page_break_before": 2,
}


def test_builder_is_deterministic(tmp_path: Path) -> None:
    first = build_docx(tmp_path / "a.docx", **EVERYTHING).read_bytes()
    second = build_docx(tmp_path / "b.docx", **EVERYTHING).read_bytes()
    assert first == second
    assert build_docx(tmp_path / "c.docx", body=["别的"]).read_bytes() != first


def test_builder_output_opens_in_python_docx(tmp_path: Path) -> None:
    path = build_docx(tmp_path / "all.docx", **EVERYTHING)
    document = docx.Document(str(path))
    assert [p.text for p in document.paragraphs][:3] == ["一、项目背景。", "四、技术路线。", "六、实施基础。隐藏"]
    assert document.core_properties.author == "刘卫东"
    assert document.sections[0].different_first_page_header_footer
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        types = zf.read("[Content_Types].xml").decode()
        for part in ("footnotes", "endnotes", "comments"):
            assert f'PartName="/word/{part}.xml"' in types
        assert 'PartName="/docProps/custom.xml"' in types


def test_everything_at_once(tmp_path: Path) -> None:
    parsed = read(tmp_path, **EVERYTHING)
    got = {(p.kind, p.origin, p.text.strip()) for p in parsed.parts}
    expected = {
        (PartKind.BODY, "", "四、技术路线。"), (PartKind.BODY, "deleted", "删除"), (PartKind.BODY, "hidden", "隐藏"),
        (PartKind.TABLE, "", "李晓燕"), (PartKind.TABLE, "", "赵德胜"),
        (PartKind.HEADER, "first", "首页页眉"), (PartKind.FOOTER, "even", "偶数页脚"),
        (PartKind.TEXTBOX, "", "文本框"), (PartKind.TEXTBOX, "", "VML文本框"),
        (PartKind.COMMENT, "", "批注"), (PartKind.COMMENT, "comment_author", "陈志明"),
        (PartKind.FOOTNOTE, "", "脚注"), (PartKind.FOOTNOTE, "endnote", "尾注"),
        (PartKind.METADATA, "core.creator", "刘卫东"), (PartKind.METADATA, "app.Manager", "经理"),
        (PartKind.METADATA, "custom.编制单位", "衢江精密"), (PartKind.METADATA, "revision_author", REVIEWER),
        (PartKind.IMAGE, "alt_text", "照片"),
    }
    assert expected <= got
    assert parsed.problems == ()
    assert parsed.pages == 2


def test_dispatcher_reads_docx(tmp_path: Path) -> None:
    from screening.parsers import parse_bytes

    document = parse_bytes(build(tmp_path, body=["浙江衢晟新材料有限公司"]), "可行性报告.docx")
    assert document.format == "docx" and document.problems == ()
    assert [p.text for p in document.parts if p.kind == PartKind.BODY] == ["浙江衢晟新材料有限公司"]
