"""Chinese wording of locations and identities, for findings' messages."""

from __future__ import annotations

import re

from screening.model import Location, Part, PartKind
from screening.parsers.sheets.naming import HIDDEN, VERY_HIDDEN, VISIBLE, Place, column_letter, place

KIND = {
    PartKind.BODY: "正文",
    PartKind.TABLE: "表格",
    PartKind.HEADER: "页眉",
    PartKind.FOOTER: "页脚",
    PartKind.TEXTBOX: "文本框",
    PartKind.FOOTNOTE: "脚注",
    PartKind.COMMENT: "批注",
    PartKind.METADATA: "文档属性",
    PartKind.FILENAME: "文件名",
    PartKind.IMAGE: "图片",
}

ORIGIN = {
    "first": "首页",
    "even": "偶数页",
    "endnote": "尾注",
    "deleted": "已删除的修订内容",
    "hidden": "隐藏文字",
    "comment_author": "批注作者",
    "annotation": "注释",
    "annotation_author": "注释作者",
    "form_field": "表单域",
    "outline": "书签",
    "revision_author": "修订作者",
    "hyperlink": "超链接地址",
    "embedded_file": "嵌入文件",
    "alt_text": "图片替代文字",
    "diagram": "SmartArt图形",
    "people": "审阅者列表",
    "ocr": "（文字识别）",
    "column": "表格纵列",
    "vertical": "竖排文字",
    "template": "模板页（OFD中各页共用的版面）",
    "glossary": "文档部件库（构建基块）",
    "custom_xml": "自定义XML数据",
    "alt_chunk": "导入的外部内容（altChunk）",
    "picture_meta": "图片属性（EXIF/XMP/PNG文本）",
    "barcode": "图片中的二维码/条码",
    "link": "链接地址",
    "javascript": "PDF脚本（JavaScript）",
    "page_label": "页码标签",
    "invisible": "不可见文字（透明渲染，页面上看不到，但可被搜索和复制）",
    "white": "白色文字（与白色页面同色，页面上看不到，但可被搜索和复制）",
    "covered": "被图形遮盖的文字（页面上看不到，但可被搜索和复制）",
    "tiny": "极小字号文字（页面上几乎看不到，但可被搜索和复制）",
    "outside_crop": "页面显示区域以外的文字（页面上看不到，但可被搜索和复制）",
    "hidden_layer": "隐藏图层中的文字（默认不显示，但可被搜索和复制）",
}

PROPERTY = {
    "creator": "作者",
    "lastModifiedBy": "最后修改者",
    "title": "标题",
    "subject": "主题",
    "keywords": "关键词",
    "description": "备注",
    "category": "类别",
    "Company": "单位",
    "Manager": "经理",
    "Author": "作者",
    "lastPrintedBy": "最后打印者",  # ODF meta:printed-by
    "Application": "生成软件",  # OFD DocInfo Creator
    "Template": "模板",
    "HyperlinkBase": "超链接基础地址",
}

ROLE = {
    "applicant": "申报单位",
    "partner": "合作单位",
    "leader": "项目负责人",
    "member": "项目组成员",
}


_CELL = re.compile(r"#(?:.*/)?t(\d+)r(\d+)c(\d+)$")  # a table cell's source: "word/document.xml#t2r3c2"
SEVERITY = {"fail": "不通过", "warn": "需复核", "info": "提示"}  # a finding's severity as a clerk reads it
VERDICT = {"fail": "不通过", "review": "需复核", "pass": "通过"}


def location(loc: Location | None) -> str:
    """A finding's location as a clerk finds it in Word or a PDF viewer (as `where` words a part):
    "第3页正文第2段", "偶数页页眉", "文档属性（作者）", "工作表“预算”第3行C列"."""
    if loc is None:
        return ""
    part = Part(kind=loc.part, text="", page=loc.page, paragraph=loc.paragraph, origin=loc.origin,
                embedded=loc.embedded, source=loc.source, heading=loc.heading,
                heading_paragraph=loc.heading_paragraph)
    return _inside(part) if part.embedded else _where(part)


def where(part: Part) -> str:
    """E.g. "第3页正文第2段", "“二、研究内容” › 第4段" (a Word paragraph under its heading), "首页页眉", "文档属性（作者）", "已删除的修订内容（正文第4段）";
    in a workbook "工作表“预算”第3行C列", "隐藏工作表“旧版”第2行A列", "工作表“预算”第3行C列的批注";
    in a file inside the attachment "中嵌入的文件“word/embeddings/预算.xlsx”的工作表“预算”第3行C列"."""
    return f"中{_inside(part)}" if part.embedded else _where(part)


def _inside(part: Part) -> str:
    """A part of a file inside the attachment: 嵌入的文件“word/embeddings/预算.xlsx”的工作表…"""
    return f"嵌入的文件“{part.embedded}”的{_where(part)}"


def _where(part: Part) -> str:
    if part.kind is not PartKind.FILENAME and (sheet := place(part.source)) is not None:
        return _in_sheet(part, sheet)
    kind = KIND[part.kind]
    origin = part.origin
    if part.kind is PartKind.METADATA and "." in origin:
        family, _, key = origin.partition(".")
        label = PROPERTY.get(key, key)
        return f"{kind}（{label}）" if family != "custom" else f"自定义{kind}（{key}）"
    page = f"第{part.page}页" if part.page else ""
    para = f"第{part.paragraph}段" if part.paragraph and part.kind not in (PartKind.FILENAME,) else ""
    if part.heading_paragraph is not None or part.heading:  # a Word body paragraph (parsers/docx/headings.py)
        kind, para = _under_heading(part)
    if part.kind is PartKind.TABLE and (cell := _CELL.search(part.source)) and origin in ("", "hidden", "deleted"):
        # a Word (or OpenDocument) table's cell, as a person counts it: 表2 第3行第2列
        para = f"表{cell[1]}第{cell[2]}行第{cell[3]}列"
        kind = ""
    if origin in ("deleted", "hidden"):
        return f"{ORIGIN[origin]}（{page}{kind}{para}）"
    if origin in ("first", "even"):
        return f"{ORIGIN[origin]}{kind}"
    if origin == "ocr":
        return f"{page}{kind}{para}{ORIGIN[origin]}"
    if origin in ORIGIN:
        return f"{page}{ORIGIN[origin]}"
    return f"{page}{kind}{para}"


def _under_heading(part: Part) -> tuple[str, str]:
    """A Word body paragraph as (kind, paragraph) words: "标题“二、研究内容”", "“二、研究内容” › 第4段",
    or before any heading "正文第2段" (paragraphs with text, as a person counts them)."""
    if part.heading_paragraph is None:
        return "", f"标题“{part.heading}”"
    if part.heading:
        return "", f"“{part.heading}” › 第{part.heading_paragraph}段"
    return KIND[PartKind.BODY], f"第{part.heading_paragraph}段"


SHEET = {VISIBLE: "工作表", HIDDEN: "隐藏工作表", VERY_HIDDEN: "深度隐藏的工作表"}
# a cell with origin "hidden" in a visible sheet: a hidden row or column, or under a merged range
_UNSEEN_CELL = "（隐藏的行或列，或被合并单元格遮住的内容）"


def _in_sheet(part: Part, sheet: Place) -> str:
    """Where a part of a workbook is (its source names the sheet and the cell: parsers/sheets/naming.py)."""
    name = f"{SHEET.get(sheet.state, '工作表')}“{sheet.name}”"
    cell = f"第{sheet.row}行{column_letter(sheet.col)}列" if sheet.row and sheet.col else ""
    origin = part.origin
    if part.kind is PartKind.TABLE:
        if origin == "formula":
            return f"{name}{cell}的公式"
        if origin == "column" and sheet.row and sheet.col:
            return f"{name}{column_letter(sheet.col)}列（自第{sheet.row}行起纵向连读）"
        if origin == "hidden" and sheet.state == VISIBLE:
            return f"{name}{cell}{_UNSEEN_CELL}"
        return f"{name}{cell}"
    if part.kind is PartKind.COMMENT:
        return f"{name}的批注作者" if origin == "comment_author" else f"{name}{cell}的批注"
    if part.kind in (PartKind.HEADER, PartKind.FOOTER):
        return f"{name}的{ORIGIN.get(origin, '') if origin in ('first', 'even') else ''}{KIND[part.kind]}"
    if part.kind is PartKind.TEXTBOX:
        return f"{name}中的{'图表' if origin == 'chart' else '文本框'}"
    if part.kind is PartKind.METADATA and origin == "sheet_name":
        return f"{name}的名称"
    return f"{name}中的{KIND[part.kind]}"
