"""Organisation names: split into region + trade name (字号) + industry + legal form, and the
variants people actually write.

`浙江衢晟新材料有限公司` splits into 浙江 / 衢晟 / 新材料 / 有限公司, and gives the variants
衢晟新材料有限公司, 衢晟新材料, 衢晟新材, 衢晟公司, 浙江衢晟, 衢晟 (when 衢晟 is distinctive: at least
two characters and not an ordinary word), its pinyin `qusheng`, and the stem of the website.
Universities and institutes get their customary short forms from lexicons/org-abbreviations.tsv
plus a few systematic rules (浙江师范大学 → 浙师大, 浙江省农业科学院 → 省农科院). Every word list is
a lexicon file; this module only holds the rules of how names are built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from screening import lexicons
from screening.text import norm


@dataclass(frozen=True, slots=True)
class OrgName:
    full: str
    region: str
    trade: str
    industry: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Variant:
    text: str
    method: str  # exact | alias | pinyin
    why: str  # e.g. "字号", "字号+行业", "去掉地名", "拼音", "网站域名", "习惯简称"


@cache
def _ordered(name: str) -> tuple[str, ...]:
    """A lexicon's entries, longest first, so the longest one matches."""
    return tuple(sorted({norm(w) for w in lexicons.lines(name)}, key=len, reverse=True))


@cache
def _abbreviations() -> dict[str, tuple[str, ...]]:
    return {norm(full): words for full, words in lexicons.table("org-abbreviations.tsv")}


_PARENS = re.compile(r"[(（]([^()（）]{1,12})[)）]")


def split(name: str) -> OrgName:
    """Split a registered name; parts that are absent are ''.

    The legal form is taken off the end first, then place names off the front (several:
    浙江省衢州市…), then up to two industry words off the end; what is left is the trade name.
    """
    rest = norm(name)
    regions = _ordered("regions.txt")
    region = ""
    for m in _PARENS.finditer(rest):  # a parenthesised region inside the name: 巨化集团(衢州)有限公司
        if m.group(1) in regions:
            region = m.group(1)
            rest = rest[: m.start()] + rest[m.end() :]
            break
    suffix = next((s for s in _ordered("org-suffixes.txt") if rest.endswith(s) and len(rest) > len(s)), "")
    rest = rest[: len(rest) - len(suffix)]
    lead = ""
    while head := next((r for r in regions if rest.startswith(r)), None):
        lead += head
        rest = rest[len(head) :]
    industry = ""
    for _ in range(2):  # 新材料科技 = 新材料 + 科技
        word = next((w for w in _ordered("org-industries.txt") if rest.endswith(w) and len(rest) - len(w) >= 2), None)
        if word is None:
            break
        industry = word + industry
        rest = rest[: len(rest) - len(word)]
    return OrgName(full=norm(name), region=lead or region, trade=rest, industry=industry, suffix=suffix)


def is_distinctive(word: str, common_min_freq: int) -> bool:
    """A trade name alone names the organisation only when it is not an ordinary word."""
    from screening import nlp

    w = norm(word)
    if len(w) < 2 or w in _ordered("regions.txt") or w in _ordered("org-industries.txt"):
        return False
    return not nlp.is_common_word(w, common_min_freq)


def _rule_abbreviations(parts: OrgName) -> list[str]:
    """Systematic short forms of universities and academies (always with their place, since a
    bare 农科院 or 师大 names many)."""
    out: list[str] = []
    region, suffix = parts.region, parts.suffix
    field = parts.trade + parts.industry
    if suffix == "大学" and region:
        out.append(region[0] + (field[0] if field else "") + "大")  # 浙江大学 → 浙大, 浙江师范大学 → 浙师大
    if suffix in ("科学院", "科学研究院") and field and region:
        short = field[0] + "科院"  # 浙江省农业科学院 → 农科院
        place = region.removesuffix("省").removesuffix("市")
        out += [region + short, place + short]
        if region.endswith("省"):
            out.append("省" + short)
        elif region.endswith("市"):
            out.append("市" + short)
    if suffix == "职业技术学院" and region:
        out += [region + "职院", region[0] + "职院"]
    return out


def _pinyin(word: str, limit: int = 4) -> list[str]:
    """The pinyin spellings of a word, every reading of a heteronym (晟: sheng, cheng), at most `limit`."""
    from itertools import product

    from pypinyin import Style, pinyin

    readings = pinyin(word, style=Style.NORMAL, heteronym=True)
    return ["".join(combo) for combo in product(*readings)][:limit]


def web_stem(address: str | None) -> str:
    """The distinctive label of a website or e-mail domain: www.qusheng-nm.com.cn → qusheng-nm."""
    if not address:
        return ""
    host = address.split("@", 1)[1] if "@" in address else address
    host = urlsplit(host if "//" in host else "//" + host).hostname or ""
    labels = [x for x in host.lower().split(".") if x and x not in ("www", "mail", "com", "cn", "net", "org", "gov", "edu", "ac", "co")]
    stem = labels[-1] if labels else ""
    return "" if stem in set(lexicons.lines("generic-domains.txt")) else stem


def variants(name: str, aliases: tuple[str, ...] = (), websites: tuple[str | None, ...] = (), *,
             common_min_freq: int = 50, min_length: int = 2) -> list[Variant]:
    """Every way the organisation may be written, the full name first."""
    parts = split(name)
    out: list[Variant] = [Variant(name, "exact", "全称")]
    out += [Variant(a, "alias", "简称") for a in aliases]
    trade, industry, suffix = parts.trade, parts.industry, parts.suffix
    if trade and industry:  # 字号+行业 is specific enough even when the 字号 is an ordinary word
        out.append(Variant(trade + industry + suffix, "alias", "去掉地名"))
        out.append(Variant(trade + industry, "alias", "字号+行业"))
        if len(industry) > 2:
            out.append(Variant(trade + industry[:2], "alias", "字号+行业简称"))
    if trade and is_distinctive(trade, common_min_freq):
        if suffix and not industry:
            out.append(Variant(trade + suffix, "alias", "去掉地名"))
        if parts.region:
            out.append(Variant(parts.region.removesuffix("省").removesuffix("市") + trade, "alias", "地名+字号"))
        for word in ("公司", "集团", "股份"):
            out.append(Variant(trade + word, "alias", "字号+" + word))
        out.append(Variant(trade, "alias", "字号"))
        if all("\u4e00" <= c <= "\u9fff" for c in trade):
            out += [Variant(p, "pinyin", "字号拼音") for p in _pinyin(trade)]
    for short in (*_abbreviations().get(parts.full, ()), *_rule_abbreviations(parts)):
        out.append(Variant(short, "alias", "习惯简称"))
    for site in websites:
        stem = web_stem(site)
        if len(stem) >= 4:
            out.append(Variant(stem, "alias", "网站域名"))
    seen: set[str] = set()
    unique: list[Variant] = []
    for v in out:
        key = norm(v.text)
        if len(key) >= min_length and key not in seen:
            seen.add(key)
            unique.append(v)
    return unique
