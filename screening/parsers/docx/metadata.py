"""The parts of a docx read flat, without the story walker: properties, reviewers, document
variables, external links, and the text of SmartArt and charts.

Each function reads its members through the `Package` (so a member cut short or refused is
reported like any other) and adds its parts to the `Sink`; the reader calls them in a fixed
order, after the stories. What each yields is listed in the package docstring.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from lxml import etree

from screening.model import PartKind
from screening.parsers.docx import limits
from screening.parsers.docx.ooxml import (
    A_BR,
    A_P,
    A_T,
    C_STRCACHE,
    C_V,
    W15_AUTHOR,
    W15_PERSON,
    W15_PRESENCE,
    W15_USERID,
    W_DOCVAR,
    W_NAME,
    W_VAL,
    leaf_text,
    to_int,
)
from screening.parsers.docx.package import Package, natural
from screening.parsers.docx.sink import Sink

_CORE_FIELDS = ("creator", "lastModifiedBy", "title", "subject", "keywords", "description", "category",
                "contentStatus", "identifier")
_APP_FIELDS = ("Company", "Manager", "HyperlinkBase", "Template")
_DIAGRAM_NAME = re.compile(r"word/diagrams/data\d*\.xml", re.IGNORECASE)
_CHART_NAME = re.compile(r"word/charts/chart\d*\.xml", re.IGNORECASE)


def people(pkg: Package, sink: Sink, main: str) -> None:
    """word/people.xml: each reviewer's name and presence id → METADATA "people"."""
    member = pkg.part(main, "/people", "word/people.xml")
    root = pkg.xml(member, "审阅者列表", PartKind.METADATA) if member else None
    if member is None or root is None:
        return
    for person in root.iter(W15_PERSON):
        sink.once(PartKind.METADATA, "people", person.get(W15_AUTHOR), member)
        for presence in person.iter(W15_PRESENCE):
            sink.once(PartKind.METADATA, "people", presence.get(W15_USERID), member)


def drawings(pkg: Package, sink: Sink) -> None:
    """SmartArt data and chart text (DrawingML a:p paragraphs, chart string caches) → TEXTBOX
    "diagram" / "chart", numbered per member."""
    _drawing(pkg, sink, _DIAGRAM_NAME, "diagram", "SmartArt图形")
    _drawing(pkg, sink, _CHART_NAME, "chart", "图表")


def _drawing(pkg: Package, sink: Sink, pattern: re.Pattern[str], origin: str, what: str) -> None:
    for member in sorted((n for n in pkg.names.values() if pattern.fullmatch(n)), key=natural):
        root = pkg.xml(member, what, PartKind.TEXTBOX)
        if root is None:
            continue
        for p in root.iter(A_P):
            text = "".join(leaf_text(el) if el.tag == A_T else "\n" for el in p.iter(A_T, A_BR))
            sink.add(PartKind.TEXTBOX, text, source=member, origin=origin,
                     paragraph=sink.number(PartKind.TEXTBOX, member))
        for cache in root.iter(C_STRCACHE):
            for value in cache.iter(C_V):
                sink.add(PartKind.TEXTBOX, leaf_text(value), source=member, origin=origin,
                         paragraph=sink.number(PartKind.TEXTBOX, member))


def settings(pkg: Package, sink: Sink, main: str) -> None:
    """The document variables of word/settings.xml → METADATA "docvar.<name>" (add-in blobs left out)."""
    member = pkg.part(main, "/settings", "word/settings.xml")
    root = pkg.xml(member, "文档设置", PartKind.METADATA) if member else None
    if member is None or root is None:
        return
    for var in root.iter(W_DOCVAR):
        value = var.get(W_VAL) or ""
        if len(value) <= limits.MAX_DOCVAR:
            sink.add(PartKind.METADATA, value, source=member, origin=f"docvar.{var.get(W_NAME) or ''}")


def properties(pkg: Package, sink: Sink) -> int | None:
    """docProps/core.xml, app.xml and custom.xml → METADATA "core.*", "app.*", "custom.<name>";
    returns app.xml's <Pages> (None: absent or not a positive number)."""
    app_pages: int | None = None
    core = pkg.part("", "/core-properties", "docProps/core.xml")
    root = pkg.xml(core, "文档属性", PartKind.METADATA) if core else None
    if core and root is not None:
        for child in root:
            name = _localname(child)
            if name in _CORE_FIELDS:
                sink.add(PartKind.METADATA, "".join(child.itertext()), source=core, origin=f"core.{name}")
    app = pkg.part("", "/extended-properties", "docProps/app.xml")
    root = pkg.xml(app, "文档属性", PartKind.METADATA) if app else None
    if app and root is not None:
        for child in root:
            name = _localname(child)
            if name in _APP_FIELDS:
                sink.add(PartKind.METADATA, "".join(child.itertext()), source=app, origin=f"app.{name}")
            elif name == "Pages":
                pages = to_int((child.text or "").strip(), 0)
                app_pages = pages if pages > 0 else None
    custom = pkg.part("", "/custom-properties", "docProps/custom.xml")
    root = pkg.xml(custom, "自定义属性", PartKind.METADATA) if custom else None
    if custom and root is not None:
        for prop in root:
            if _localname(prop) == "property":
                sink.add(PartKind.METADATA, "".join(prop.itertext()), source=custom,
                         origin=f"custom.{prop.get('name') or ''}")
    return app_pages


def external_links(pkg: Package, sink: Sink) -> None:
    """External relationship targets of every .rels file → METADATA "hyperlink" / "external_target",
    a percent-encoded one also decoded."""
    for name in sorted((n for n in pkg.names.values() if n.lower().endswith(".rels")), key=natural):
        for rel in pkg.rels_file(name).values():
            if not rel.external or not rel.target.strip():
                continue
            origin = "hyperlink" if rel.type.endswith("/hyperlink") else "external_target"
            sink.once(PartKind.METADATA, origin, rel.target, name)
            decoded = unquote(rel.target)
            if decoded != rel.target:
                sink.once(PartKind.METADATA, origin, decoded, name)


def _localname(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
