"""Placeholders: what an applicant writes where a value was deliberately withheld.

申报单位：（按要求隐去）, 【单位名称略】, （保密）, ***, ×××公司, 某某, （已隐去）followed by a date — correct
anonymisation, never a filled-in field. A value is recognised by what it is, not from a list: a
bracketed or plain phrase whose words mean hidden / omitted / withheld / anonymised, or a run of
mask characters. The words, mask characters and brackets are data in
lexicons/placeholder-patterns.tsv; exact forms (本单位, 见附件 …) in lexicons/placeholders.txt.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from screening import lexicons
from screening.text import norm

_DATE = re.compile(r"^[\d年月日号.\-/:：\s]*$")
_PUNCT = re.compile(r"[\s,，。.;；:：、!！?？\"'“”‘’·…—\-]+")


@dataclass(frozen=True, slots=True)
class _Patterns:
    hidden: tuple[str, ...]  # longest first
    filler: tuple[str, ...]
    mask: frozenset[str]
    opening: frozenset[str]
    closing: frozenset[str]
    max_rest: int
    exact: frozenset[str]
    exact_words: tuple[str, ...]  # the exact forms of two or more characters, longest first (本公司…)


@cache
def _patterns() -> _Patterns:
    rows = lexicons.table_longest_first("placeholder-patterns.tsv")
    return _Patterns(
        hidden=rows["hidden"], filler=rows["filler"],
        mask=frozenset(norm(c) for c in rows["mask"]),
        opening=frozenset(norm(c) for c in rows["open"]), closing=frozenset(norm(c) for c in rows["close"]),
        max_rest=int(rows["max_rest"][0]),
        exact=frozenset(norm(p) for p in lexicons.lines("placeholders.txt")),
        exact_words=tuple(w for w in lexicons.longest_first("placeholders.txt") if len(w) >= 2),
    )


def _strip(text: str, words: tuple[str, ...]) -> tuple[str, bool]:
    """`text` without any of `words`; whether one was there."""
    found = False
    for w in words:
        if w in text:
            found = True
            text = text.replace(w, "")
    return text, found


def _mask_run(text: str, mask: frozenset[str]) -> bool:
    """Two mask characters in a row (×××公司, XX大学, 某某): the identifying part is masked."""
    return any(a in mask and b in mask for a, b in itertools.pairwise(text))


def is_placeholder(value: str) -> bool:
    """True when `value` says that the real value was withheld (or holds nothing)."""
    p = _patterns()
    v = norm(value)
    lines = [x for x in re.split(r"[\n\r]", value) if x.strip()]
    if len(lines) > 1 and all(_DATE.match(norm(x)) for x in lines[1:]):  # （已隐去）\n2020年6月
        v = norm(lines[0])
    v = _PUNCT.sub("", v)
    if not v or v in p.exact:
        return True
    if v.startswith("某") or _mask_run(v, p.mask):
        return True
    if all(c in p.mask or c in p.opening or c in p.closing for c in v):
        return True
    # a bracketed phrase at the start, then nothing but a date: （按要求隐去）2020年6月
    if v[0] in p.opening:
        close = next((i for i, c in enumerate(v) if c in p.closing), -1)
        if close > 0 and _DATE.match(v[close + 1 :]):
            v = v[1:close]
    inner = "".join(c for c in v if c not in p.opening and c not in p.closing and c not in p.mask)
    long_words = tuple(w for w in p.hidden if len(w) > 1)
    rest, hidden = _strip(inner, long_words)
    if not hidden:  # a one-character word (略, 隐) only at an end: 单位名称略, not 战略合作
        word = next((w for w in p.hidden if len(w) == 1 and (inner.endswith(w) or inner.startswith(w))), "")
        if not word:
            return False
        rest = inner.removesuffix(word) if inner.endswith(word) else inner.removeprefix(word)
    rest, _ = _strip(rest, p.filler)
    rest, _ = _strip(rest, p.exact_words)  # 本公司（…已隐去）
    return len(rest) <= p.max_rest


def leading_placeholder(value: str) -> bool:
    """The value opens with a bracketed placeholder, whatever follows (〔隐去〕 统一社会信用代码：…)."""
    p = _patterns()
    v = norm(value)
    self_word = next((w for w in p.exact_words if v.startswith(w)), "")
    v = v[len(self_word) :]  # 本公司（具体名称已隐去）为…
    if not v or v[0] not in p.opening:
        return False
    close = next((i for i, c in enumerate(v) if c in p.closing), -1)
    return close > 0 and is_placeholder(v[: close + 1])


@cache
def _public() -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    rows = {key: words for key, words in lexicons.table("public-numbers.txt")}
    return rows["prefix"], rows["short_prefix"], frozenset(rows["exact"])


def is_public_number(digits: str) -> bool:
    """A service hotline or public number (400-…, 800-…, 95598, 12345): nobody's identity."""
    prefix, short_prefix, exact = _public()
    d = re.sub(r"\D", "", digits)
    return d in exact or (len(d) == 10 and d.startswith(prefix)) or (len(d) <= 6 and d.startswith(short_prefix))


__all__ = ["is_placeholder", "is_public_number", "leading_placeholder"]
