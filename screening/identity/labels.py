"""Filled-in form fields: 申报单位：浙江某某有限公司, 项目负责人：王建国, 联系电话：0570-… .

A label (lexicons/labels.tsv) followed by a colon and a value that looks like what the label asks
for (an organisation, a person, a phone …) reveals an identity even when the portal does not know
the value. Placeholders (XXX, 某某, （按要求隐去）: screening.identity.placeholders) are correct
anonymisation. Values are read from normalised text (no spaces), so a value ends at punctuation or
at the next label; a label on its own in a table cell takes the next cell of the row as its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from screening import lexicons
from screening.identity.placeholders import is_placeholder, is_public_number, leading_placeholder
from screening.text import norm

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class LabelValue:
    label: str
    kind: str  # org | person | phone | email | address | any
    start: int  # of the value, in the text given
    end: int
    value: str


@cache
def labels() -> tuple[tuple[str, str], ...]:
    rows = [(norm(label), words[0]) for label, words in lexicons.table("labels.tsv")]
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


@cache
def _label_kinds() -> dict[str, str]:
    return dict(labels())


@cache
def _alternation() -> str:
    return "|".join(re.escape(label) for label, _ in labels())


@cache
def _inline() -> re.Pattern[str]:
    return re.compile(rf"({_alternation()})[:：]")


@cache
def _terminator() -> re.Pattern[str]:
    return re.compile(rf"[,，。;；|]|(?:{_alternation()})[:：]")


@cache
def bare_line() -> re.Pattern[str]:
    """A line that starts with a label and, after spaces, its value (a PDF form or table row)."""
    return re.compile(rf"^[ \t\u3000]*({_alternation()})[ \t\u3000]+(\S.*)$")


def kind_of(label: str) -> str:
    return _label_kinds()[label]


@cache
def surnames() -> tuple[str, ...]:
    return tuple(sorted(lexicons.lines("surnames.txt"), key=len, reverse=True))


@cache
def _titles() -> tuple[str, ...]:
    words = [w for key, row in lexicons.table("person-context.txt") if key == "after" for w in row]
    return tuple(sorted(set(words), key=len, reverse=True))


def org_shaped(value: str) -> str:
    """The organisation name at the start of `value` (up to its legal form), or ''."""
    v = norm(value)
    best = ""
    for suffix in lexicons.longest_first("org-suffixes.txt"):
        i = v.find(suffix)
        while i >= 0:
            candidate = v[: i + len(suffix)]
            if len(candidate) >= len(suffix) + 2 and len(candidate) > len(best) and len(candidate) <= 40:
                best = candidate
            i = v.find(suffix, i + 1)
    return best if best and _CJK.search(best[: -1] or best) else ""


def person_shaped(value: str) -> str:
    """The person's name at the start of `value` (surname + one or two characters), or ''."""
    v = norm(value)
    if any(v.startswith(t) for t in _titles()):  # 负责人：高级工程师 names a title, not a person
        return ""
    for title in _titles():  # 王建国教授 → 王建国
        cut = v.find(title, 2)
        if 2 <= cut <= 4:
            v = v[:cut]
            break
    surname = next((s for s in surnames() if v.startswith(s)), "")
    run = re.match(r"[\u4e00-\u9fff·]*", v)
    name = run.group(0) if run else ""
    if not surname or len(name) < 2:
        return ""
    if len(name) <= len(surname) + 3:
        return name
    from screening.identity.nlp import neighbours  # 王建国负责全面工作: the name ends where a function word starts

    for size in (len(surname) + 2, len(surname) + 1):
        if name[size] in neighbours():
            return name[:size]
    return ""


def shaped(kind: str, value: str) -> str:
    """The part of `value` that looks like what a label of `kind` asks for ('' when nothing does)."""
    if is_placeholder(value) or leading_placeholder(value):
        return ""
    v = norm(value)
    if kind == "org":
        return org_shaped(v) or (v if len(v) >= 4 and _CJK.search(v) and not is_placeholder(v) and len(v) <= 30 else "")
    if kind == "person":
        return person_shaped(v)
    if kind == "phone":
        digits = re.sub(r"\D", "", v)
        return v if len(digits) >= 7 and not is_public_number(digits) else ""
    if kind == "email":
        return v if re.search(r"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}", v) else ""
    if kind == "address":
        return v if len(v) >= 6 and re.search(r"[路街号区县市镇村园幢栋楼室]", v) else ""
    return v if len(v) >= 2 else ""


def find_inline(normalized: str) -> list[LabelValue]:
    """`label：value` pairs in normalised text; the value span covers only its identity-shaped part."""
    out: list[LabelValue] = []
    for m in _inline().finditer(normalized):
        start = m.end()
        stop = _terminator().search(normalized, start)
        end = stop.start() if stop else len(normalized)
        raw = normalized[start:end][:60]
        kind = _label_kinds()[m.group(1)]
        value = shaped(kind, raw)
        if value and raw.startswith(value):
            out.append(LabelValue(m.group(1), kind, start, start + len(value), value))
    return out


def cell_label(cell_text: str) -> tuple[str, str] | None:
    """(label, kind) when a table cell holds only a label (with or without a colon)."""
    v = norm(cell_text).rstrip(":：")
    kind = _label_kinds().get(v)
    return (v, kind) if kind else None
