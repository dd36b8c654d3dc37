"""The OpenDocument vocabulary the .odt parser reads: namespaces and tag names (Clark notation, as
lxml gives them), and small value readers."""

from __future__ import annotations

from lxml import etree

OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO_NS = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
SVG_NS = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
META_NS = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
LOEXT_NS = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
DC_NS = "http://purl.org/dc/elements/1.1/"
XLINK_NS = "http://www.w3.org/1999/xlink"

MIMETYPE = "application/vnd.oasis.opendocument.text"
TEMPLATE_MIMETYPE = "application/vnd.oasis.opendocument.text-template"


def office(name: str) -> str:
    return f"{{{OFFICE_NS}}}{name}"


def text(name: str) -> str:
    return f"{{{TEXT_NS}}}{name}"


def table(name: str) -> str:
    return f"{{{TABLE_NS}}}{name}"


def draw(name: str) -> str:
    return f"{{{DRAW_NS}}}{name}"


def style(name: str) -> str:
    return f"{{{STYLE_NS}}}{name}"


def meta(name: str) -> str:
    return f"{{{META_NS}}}{name}"


def dc(name: str) -> str:
    return f"{{{DC_NS}}}{name}"


OFFICE_BODY, OFFICE_TEXT, OFFICE_ANNOTATION, OFFICE_ANNOTATION_END = map(
    office, ("body", "text", "annotation", "annotation-end"))
OFFICE_CHANGE_INFO, OFFICE_META, OFFICE_MASTER_STYLES = map(office, ("change-info", "meta", "master-styles"))
OFFICE_AUTOMATIC_STYLES, OFFICE_STYLES = office("automatic-styles"), office("styles")
TEXT_OUTLINE_LEVEL = text("outline-level")
TEXT_P, TEXT_H, TEXT_SPAN, TEXT_S, TEXT_TAB, TEXT_LINE_BREAK = map(text, ("p", "h", "span", "s", "tab", "line-break"))
TEXT_SOFT_PAGE_BREAK, TEXT_A, TEXT_NOTE, TEXT_NOTE_BODY, TEXT_NOTE_CITATION = map(
    text, ("soft-page-break", "a", "note", "note-body", "note-citation"))
TEXT_TRACKED_CHANGES, TEXT_CHANGED_REGION, TEXT_DELETION, TEXT_CHANGE = map(
    text, ("tracked-changes", "changed-region", "deletion", "change"))
TEXT_CHANGE_START, TEXT_CHANGE_END = text("change-start"), text("change-end")
TEXT_HIDDEN_TEXT, TEXT_HIDDEN_PARAGRAPH, TEXT_RUBY, TEXT_RUBY_BASE = map(
    text, ("hidden-text", "hidden-paragraph", "ruby", "ruby-base"))
TEXT_ID, TEXT_CHANGE_ID, TEXT_C, TEXT_NOTE_CLASS = map(text, ("id", "change-id", "c", "note-class"))
TEXT_STYLE_NAME, TEXT_STRING_VALUE, TEXT_IS_HIDDEN, TEXT_DISPLAY = map(
    text, ("style-name", "string-value", "is-hidden", "display"))
TABLE_TABLE, TABLE_ROW, TABLE_CELL, TABLE_COVERED_CELL = map(
    table, ("table", "table-row", "table-cell", "covered-table-cell"))
TABLE_COLUMNS_REPEATED, TABLE_ROWS_REPEATED, TABLE_COLUMNS_SPANNED = map(
    table, ("number-columns-repeated", "number-rows-repeated", "number-columns-spanned"))
TABLE_ROW_CONTAINERS = frozenset(map(table, ("table-header-rows", "table-rows", "table-row-group")))
DRAW_FRAME, DRAW_TEXT_BOX, DRAW_IMAGE = map(draw, ("frame", "text-box", "image"))
SVG_TITLE, SVG_DESC = f"{{{SVG_NS}}}title", f"{{{SVG_NS}}}desc"
XLINK_HREF = f"{{{XLINK_NS}}}href"
STYLE_STYLE, STYLE_NAME, STYLE_FAMILY, STYLE_PARENT = map(style, ("style", "name", "family", "parent-style-name"))
STYLE_TEXT_PROPERTIES, STYLE_MASTER_PAGE = style("text-properties"), style("master-page")
FO_DISPLAY = f"{{{FO_NS}}}display"
DC_CREATOR = dc("creator")
META_CREATOR_INITIALS, META_PAGE_COUNT, META_DOCUMENT_STATISTIC = map(
    meta, ("creator-initials", "page-count", "document-statistic"))
MANIFEST_FILE_ENTRY, MANIFEST_FULL_PATH, MANIFEST_ENCRYPTION_DATA = (
    f"{{{MANIFEST_NS}}}file-entry", f"{{{MANIFEST_NS}}}full-path", f"{{{MANIFEST_NS}}}encryption-data")

# headers and footers of a master page → (kind is a header, origin); "-left" is the even pages' one
HEADER_FOOTER = {
    style("header"): (True, "default"), style("header-left"): (True, "even"), style("header-first"): (True, "first"),
    style("footer"): (False, "default"), style("footer-left"): (False, "even"), style("footer-first"): (False, "first"),
    f"{{{LOEXT_NS}}}header-first": (True, "first"), f"{{{LOEXT_NS}}}footer-first": (False, "first"),
}


def to_int(value: str | None, default: int) -> int:
    """An integer attribute; `default` when it is absent or no integer."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


def local(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
