"""Which section of a document each part stands in, when that section changes what a name means.

A name in the reference list (参考文献) is usually somebody else's (the author of a cited paper).
A short paragraph naming such a section (lexicons/sections.tsv) opens it; the next heading-like
paragraph (numbered 一、/ 1. / （三）, or short without a full stop) closes it. A paragraph shaped
like a citation ([1] 作者. 题名[J]. …) is in the references wherever it stands.
"""

from __future__ import annotations

import re
from functools import cache

from screening import lexicons
from screening.model import Document, Part, PartKind
from screening.text import norm

_HEADING = re.compile(r"^(?:第?[一二三四五六七八九十]+[、.．章节]|[（(][一二三四五六七八九十\d]+[)）]|\d+(?:\.\d+)*[、.．\s])")
_CITATION = re.compile(r"^\s*[\[［【]?\d{1,3}[\]］】.．、]\s*\S.{0,200}?\[(?:J|M|C|D|P|R|S|N|EB/OL|Z)\]", re.IGNORECASE)
# a numbered citation anywhere in a paragraph: [3] 作者. 题名[J]. (a whole reference list in one paragraph)
_CITATION_INSIDE = re.compile(r"[\[［【]\d{1,3}[\]］】]\s*\S.{0,160}?\[(?:J|M|C|D|P|R|S|N|EB/OL|Z)\]", re.IGNORECASE)
_MAX_HEADING = 20


@cache
def _names() -> dict[str, str]:
    return {norm(w): key for key, words in lexicons.table("sections.tsv") for w in words}


def _heading(text: str) -> str | None:
    """The section key when `text` is a heading of a known section, '' for another heading, None
    for ordinary text."""
    t = text.strip()
    if not t or len(t) > _MAX_HEADING:
        return None
    bare = norm(_HEADING.sub("", t)).strip(":：")
    if bare in _names():
        return _names()[bare]
    if _HEADING.match(t) or (not re.search(r"[。；;，,]", t) and len(t) <= 12 and not _CITATION.match(t)):
        return ""
    return None


def sections(doc: Document) -> dict[int, str]:
    """id(part) → section key for the parts of the body that stand in a known section."""
    out: dict[int, str] = {}
    current = ""
    for part in doc.parts:
        if part.kind not in (PartKind.BODY, PartKind.TABLE):
            continue
        head = _heading(part.text)
        inline = re.match(r"^\s*([^:：\n]{2,12})[:：]", part.text)  # 参考文献：[1] … in one paragraph
        if head is None and inline and _names().get(norm(_HEADING.sub("", inline.group(1)))):
            current = _names()[norm(_HEADING.sub("", inline.group(1)))]
            out[id(part)] = current
            continue
        if head is not None:
            current = head
            continue
        if _CITATION.match(part.text) or _CITATION_INSIDE.search(part.text):
            out[id(part)] = "references"
        elif current:
            out[id(part)] = current
    return out


def in_references(section_map: dict[int, str], part: Part) -> bool:
    return section_map.get(id(part)) == "references"
