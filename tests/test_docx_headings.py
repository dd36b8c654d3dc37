"""A Word paragraph is located as a person finds it: the heading above it and its place under it
(screening/parsers/docx/headings.py), in the parts, the finding's location and its Chinese words."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from screening.model import PartKind
from screening.parsers.docx import parse
from screening.wording import where
from tests.conftest import Result

ORG = "衢州鸿运新材料有限公司"


def body_places(path: Path) -> dict[str, tuple[str, int | None, str]]:
    parsed = parse(path.read_bytes())
    return {p.text: (p.heading, p.heading_paragraph, where(p)) for p in parsed.parts
            if p.kind is PartKind.BODY and p.origin == ""}


def test_heading_styles_and_empty_paragraphs(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("项目可行性报告")
    document.add_paragraph("")
    document.add_paragraph("本项目面向新材料产业。")
    document.add_heading("二、研究内容", level=1)
    document.add_paragraph("第一段。")
    document.add_paragraph("")  # an empty paragraph is no paragraph to a reader
    document.add_paragraph("第二段。")
    document.add_heading("（一）技术路线与关键工艺参数的确定方法及其在中试生产线上的验证", level=2)
    document.add_paragraph("第三段。")
    path = tmp_path / "a.docx"
    document.save(str(path))
    places = body_places(path)
    assert places["本项目面向新材料产业。"] == ("", 2, "正文第2段")
    assert places["二、研究内容"] == ("二、研究内容", None, "标题“二、研究内容”")
    assert places["第二段。"] == ("二、研究内容", 2, "“二、研究内容” › 第2段")
    heading, n, words = places["第三段。"]
    assert (n, words) == (1, f"“{heading}” › 第1段") and heading.endswith("…") and len(heading) == 24


def test_outline_level_on_the_paragraph_and_numbered_headings(tmp_path: Path) -> None:
    document = docx.Document()
    outlined = document.add_paragraph("项目背景")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    outlined._p.get_or_add_pPr().append(level)
    document.add_paragraph("一、这一行看似标题，但文档已有大纲级别")
    document.add_paragraph("正文。")
    path = tmp_path / "outline.docx"
    document.save(str(path))
    places = body_places(path)
    assert places["正文。"] == ("项目背景", 2, "“项目背景” › 第2段")  # outline levels rule: the numbered line is text

    plain = docx.Document()  # no heading style at all: numbered lines as applicants type them
    for text in ("第一章 项目概况", "概况。", "一、立项依据", "依据一。", "（二）国内外现状", "现状。",
                 "二、本段以编号开头，但是一句完整的话，不是标题。", "之后。"):
        plain.add_paragraph(text)
    path = tmp_path / "numbered.docx"
    plain.save(str(path))
    places = body_places(path)
    assert places["概况。"][2] == "“第一章 项目概况” › 第1段"
    assert places["依据一。"][2] == "“一、立项依据” › 第1段"
    assert places["现状。"][2] == "“（二）国内外现状” › 第1段"
    assert places["之后。"][2] == "“（二）国内外现状” › 第3段"


def test_a_leak_is_located_under_its_heading(tmp_path: Path, cli: Callable[..., Result]) -> None:
    document = docx.Document()
    document.add_heading("三、技术方案", level=1)
    document.add_paragraph("采用连续化工艺。")
    document.add_paragraph("本技术由" + ORG + "研发。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 1).text = "单位：" + ORG
    path = tmp_path / "报告.docx"
    document.save(str(path))
    report = cli("check", path, "--org", ORG, "--format", "json").json()
    found = {f["location"]["part"]: f for f in report["findings"] if f["rule"] == "identity.org"}
    body = found["body"]
    assert body["location"]["heading"] == "三、技术方案" and body["location"]["heading_paragraph"] == 2
    assert body["where"] == "“三、技术方案” › 第2段" and "“三、技术方案” › 第2段" in body["message"]
    assert re.fullmatch(r"表1第1行第2列", found["table"]["where"])  # a table keeps its cell
    assert "heading" not in found["table"]["location"]


def test_an_odt_heading_locates_its_paragraphs() -> None:
    from screening.parsers.odt import parse as parse_odt
    from tests.test_parse_odf import odt_bytes

    body = ("<text:p>封面文字</text:p><text:h text:outline-level=\"1\">一、项目背景</text:h>"
            "<text:p>背景。</text:p><text:p/><text:p>再一段。</text:p>"
            "<text:h text:outline-level=\"2\">（一）现状</text:h><text:p>现状。</text:p>")
    parsed = parse_odt(odt_bytes(body))
    places = {p.text: where(p) for p in parsed.parts if p.kind is PartKind.BODY and p.origin == ""}
    assert places["封面文字"] == "正文第1段"
    assert places["再一段。"] == "“一、项目背景” › 第2段"
    assert places["现状。"] == "“（一）现状” › 第1段"
    assert places["（一）现状"] == "标题“（一）现状”"
