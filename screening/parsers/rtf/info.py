"""The \\info group of an RTF file and its user properties → METADATA parts.

    {\\info {\\title …}{\\author …}{\\operator …}{\\company …} … {\\creatim\\yr2020…}}
    {\\*\\userprops {\\propname 项目单位}\\proptype30{\\staticval 浙江…}}

Each field group inside \\info is decoded on its own (\\'hh escapes and \\uN in the file's code
page, by striprtf; of a field written twice, {\\upr{ANSI}{\\*\\ud{Unicode}}}, the Unicode
copy); dates and numbers (\\creatim, \\nofpages …) name no one and are skipped. A user
property is the \\staticval that follows its \\propname in the same \\userprops group.
"""

from __future__ import annotations

from collections.abc import Callable

from screening.model import Part, PartKind
from screening.parsers.rtf.scan import Group

FIELDS = {
    "title": "core.title", "subject": "core.subject", "author": "core.creator", "operator": "core.lastModifiedBy",
    "company": "app.Company", "manager": "app.Manager", "category": "core.category", "keywords": "core.keywords",
    "doccomm": "core.description", "comment": "core.description", "hlinkbase": "app.HyperlinkBase",
}


def _inside(inner: Group, outer: Group) -> bool:
    return outer.content[0] <= inner.span[0] and inner.span[1] <= outer.content[1]


def properties(rtf: str, groups: list[Group], decode: Callable[[str], str]) -> list[Part]:
    """The document properties, in the order they stand in the file."""
    infos = [g for g in groups if g.word == "info"]
    userprops = [g for g in groups if g.word == "userprops"]
    ansi = [g for g in groups if g.word == "upr"]  # {\\upr{ANSI field}{\\*\\ud{Unicode field}}}
    unicode = [g for g in groups if g.word == "ud"]
    out: list[Part] = []
    for group in sorted(groups, key=lambda g: g.span[0]):
        if any(_inside(group, a) for a in ansi) and not any(_inside(group, u) for u in unicode):
            continue  # the ANSI copy of a field whose Unicode copy follows
        if group.word in FIELDS and any(_inside(group, i) for i in infos):
            value = decode(rtf[slice(*group.content)])
            if value.strip():
                out.append(Part(PartKind.METADATA, value, origin=FIELDS[group.word], source="\\info"))
    for props in userprops:
        name = ""
        for group in sorted((g for g in groups if _inside(g, props)), key=lambda g: g.span[0]):
            if group.word == "propname":
                name = decode(rtf[slice(*group.content)]).strip()
            elif group.word == "staticval" and name:
                value = decode(rtf[slice(*group.content)])
                if value.strip():
                    out.append(Part(PartKind.METADATA, value, origin=f"custom.{name}", source="\\userprops"))
                name = ""
    return out
