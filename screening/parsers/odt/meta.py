"""meta.xml: the document's properties → METADATA parts, with the origins a docx's properties
have ("core.creator", "core.lastModifiedBy", "custom.<name>" …), so the identity check treats an
author property alike whatever the format (as the .xls parser does with the OLE properties).

ODF's meta:initial-creator is who created the file (docx core.creator), its dc:creator who saved
it last (core.lastModifiedBy); meta:printed-by → "core.lastPrintedBy"; dc:title, dc:subject,
dc:description, each meta:keyword → "core.title", "core.subject", "core.description",
"core.keywords"; meta:user-defined → "custom.<meta:name>" (the value); the template's title and
path → "app.Template". Returns meta:document-statistic's page count.
"""

from __future__ import annotations

from lxml import etree

from screening.model import PartKind
from screening.parsers.docx.sink import Sink
from screening.parsers.odt.names import (
    META_DOCUMENT_STATISTIC,
    META_PAGE_COUNT,
    OFFICE_META,
    XLINK_HREF,
    dc,
    meta,
    to_int,
)

_FIELDS = {
    meta("initial-creator"): "core.creator",
    dc("creator"): "core.lastModifiedBy",
    meta("printed-by"): "core.lastPrintedBy",
    dc("title"): "core.title",
    dc("subject"): "core.subject",
    dc("description"): "core.description",
    meta("keyword"): "core.keywords",
}
_USER_DEFINED, _NAME, _TEMPLATE = meta("user-defined"), meta("name"), meta("template")
_XLINK_TITLE = XLINK_HREF.replace("href", "title")


def properties(root: etree._Element | None, sink: Sink, member: str) -> int | None:
    """The properties of meta.xml (`root`) into `sink`; the page count it states (None: none)."""
    if root is None:
        return None
    pages: int | None = None
    for block in root.iter(OFFICE_META):
        for child in block:
            tag = child.tag
            if tag in _FIELDS:
                sink.add(PartKind.METADATA, "".join(child.itertext()), source=member, origin=_FIELDS[tag])
            elif tag == _USER_DEFINED:
                sink.add(PartKind.METADATA, "".join(child.itertext()), source=member,
                         origin=f"custom.{child.get(_NAME) or ''}")
            elif tag == _TEMPLATE:
                for value in (child.get(_XLINK_TITLE), child.get(XLINK_HREF)):
                    sink.once(PartKind.METADATA, "app.Template", value, member)
            elif tag == META_DOCUMENT_STATISTIC:
                count = to_int(child.get(META_PAGE_COUNT), 0)
                pages = count if count > 0 else None
    return pages
