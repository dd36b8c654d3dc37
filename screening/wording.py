"""Chinese wording of locations and identities, for findings' messages."""

from __future__ import annotations

from screening.model import Part, PartKind

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
    "annotation": "PDF注释",
    "annotation_author": "PDF注释作者",
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
}

ROLE = {
    "applicant": "申报单位",
    "partner": "合作单位",
    "leader": "项目负责人",
    "member": "项目组成员",
}


def where(part: Part) -> str:
    """E.g. "第3页正文第2段", "首页页眉", "文档属性（作者）", "已删除的修订内容（正文第4段）"."""
    kind = KIND[part.kind]
    origin = part.origin
    if part.kind is PartKind.METADATA and "." in origin:
        family, _, key = origin.partition(".")
        label = PROPERTY.get(key, key)
        return f"{kind}（{label}）" if family != "custom" else f"自定义{kind}（{key}）"
    page = f"第{part.page}页" if part.page else ""
    para = f"第{part.paragraph}段" if part.paragraph and part.kind not in (PartKind.FILENAME,) else ""
    if origin in ("deleted", "hidden"):
        return f"{ORIGIN[origin]}（{page}{kind}{para}）"
    if origin in ("first", "even"):
        return f"{ORIGIN[origin]}{kind}"
    if origin == "ocr":
        return f"{page}{kind}{para}{ORIGIN[origin]}"
    if origin in ORIGIN:
        return f"{page}{ORIGIN[origin]}"
    return f"{page}{kind}{para}"
