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
from types import ModuleType
from urllib.parse import urlsplit

from screening import lexicons
from screening.longlived import loading
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
    form: str = "short_form"  # the evidence weight of this kind of variant (call file identity.evidence.weights)
    trade: str = ""  # the 字号 the variant is built on ('' for the full name, aliases, short forms)


@cache
def _abbreviations() -> dict[str, tuple[str, ...]]:
    return {norm(full): words for full, words in lexicons.table("org-abbreviations.tsv")}


_PARENS = re.compile(r"[(（]([^()（）]{1,12})[)）]")


_ADMIN = ("自治区", "自治州", "省", "市", "县", "区", "州", "盟", "旗")
_UNLISTED_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(市|县|区)")


def _region_chain(rest: str) -> list[str]:
    """The place names that open a name, each with its administrative word (浙江省|衢州市, 深圳市,
    东莞市 even when the lexicon does not list 东莞)."""
    chain: list[str] = []
    pos = 0
    while True:
        head = lexicons.prefix_at("regions.txt", rest, pos)
        if head is None and not chain and (m := _UNLISTED_PLACE.match(rest)) and len(rest) - m.end() >= 2:
            head = m.group(0)
        if head is None:
            return chain
        admin = next((a for a in _ADMIN if rest.startswith(a, pos + len(head))
                      and not head.endswith(("省", "市", "县", "区"))), "")
        if len(rest) - (pos + len(head) + len(admin)) < 2:  # a name that is all place: leave the last part
            return chain
        chain.append(head + admin)
        pos += len(head) + len(admin)


def split(name: str) -> OrgName:
    """Split a registered name; parts that are absent are ''.

    The legal form is taken off the end first, then place names off the front (several:
    浙江省衢州市…), then up to two industry words off the end; what is left is the trade name.
    """
    rest = norm(name)
    regions = lexicons.longest_first("regions.txt")
    region = ""
    for m in _PARENS.finditer(rest):  # a parenthesised region inside the name: 巨化集团(衢州)有限公司
        if m.group(1) in regions:
            region = m.group(1)
            rest = rest[: m.start()] + rest[m.end() :]
            break
    suffix = lexicons.suffix_of("org-suffixes.txt", rest) or ""
    rest = rest[: len(rest) - len(suffix)]
    chain = _region_chain(rest)
    lead = "".join(chain)
    rest = rest[len(lead) :]
    industry = ""
    for _ in range(2):  # 新材料科技 = 新材料 + 科技
        word = lexicons.suffix_of("org-industries.txt", rest, keep=2)
        if word is None:
            break
        industry = word + industry
        rest = rest[: len(rest) - len(word)]
    return OrgName(full=norm(name), region=lead or region, trade=rest, industry=industry, suffix=suffix)


def splits(name: str) -> list[OrgName]:
    """Every plausible split of a name, the most likely (`split`) first.

    Splitting is ambiguous: 衢江 is a district and can be a 字号 (浙江|衢江|精密机械), and a name may
    go on with an industry word no lexicon lists (衢州|华瑞进出口). So keep each number of leading
    place names (at least one when there is one), each number of industry words taken off the end,
    and a trade name cut to its first two or three characters when what is left is longer; the
    variants of each are derived and the evidence of each hit decides.
    """
    best = split(name)
    full = best.full
    rest = full
    for m in _PARENS.finditer(rest):
        if m.group(1) in lexicons.longest_first("regions.txt"):
            rest = rest[: m.start()] + rest[m.end() :]
            break
    rest = rest[: len(rest) - len(best.suffix)]
    chain = _region_chain(rest)
    out: list[OrgName] = [best]
    for k in range(1 if chain else 0, len(chain) + 1):
        region = "".join(chain[:k])
        body = rest[len(region) :]
        tails = [("", body)]
        for _ in range(2):
            stem, tail = tails[-1][1], tails[-1][0]
            word = lexicons.suffix_of("org-industries.txt", stem, keep=2)
            if word is None:
                break
            tails.append((word + tail, stem[: len(stem) - len(word)]))
        for industry, trade in tails:
            out.append(OrgName(full=full, region=region or best.region, trade=trade, industry=industry, suffix=best.suffix))
        if len(tails) == 1:  # no industry word known: the 字号 may be its first two or three characters
            trade = tails[0][1]
            out += [OrgName(full=full, region=region or best.region, trade=trade[:n], industry="", suffix=best.suffix)
                    for n in (2, 3) if len(trade) > n + 1]
    unique: list[OrgName] = []
    for o in out:
        if o.trade and o not in unique:
            unique.append(o)
    return unique or [best]


@cache
def _generic_pieces() -> frozenset[str]:
    return frozenset((*lexicons.longest_first("org-industries.txt"), *lexicons.longest_first("generic-phrases.txt")))


def is_generic(word: str) -> bool:
    """A phrase that names a line of business, not an organisation: listed in generic-phrases.txt or
    made only of industry words (精密机械, 新材料科技)."""
    w = norm(word)
    pieces = _generic_pieces()
    reach = [True] + [False] * len(w)
    for i in range(len(w)):
        if reach[i]:
            for j in range(i + 1, len(w) + 1):
                if w[i:j] in pieces:
                    reach[j] = True
    return reach[len(w)]


def is_company(suffix: str) -> bool:
    """A company (有限公司, 集团, 厂 …) rather than an institution (大学, 研究所, 医院 …), whose names
    are not built from a 字号."""
    return any(w in suffix for w in ("公司", "集团", "厂", "合作社", "商行", "工作室"))


def is_distinctive(word: str, common_min_freq: int) -> bool:
    """A trade name alone names the organisation only when it is not an ordinary word."""
    from screening.identity import nlp

    w = norm(word)
    if len(w) < 2 or w in lexicons.longest_first("regions.txt") or w in lexicons.longest_first("org-industries.txt"):
        return False
    return not nlp.is_common_word(w, common_min_freq)


def _ordinary_words_only(word: str) -> bool:
    """`word` is made of dictionary words of two characters or more, none of them a name (疾病|预防|控制,
    特种设备|检验, 妇幼): without its place, the name of a public body says what kind of body it is
    (疾病预防控制中心: every city has one), not which one. An unknown word falls apart in single
    characters (衢|晟), and a place or a proper name (之江, 天目山) names one body."""
    from screening.identity import nlp

    words = nlp.dictionary_words(nlp.dictionary(), norm(word))
    return all(len(w) >= 2 and nlp.word_freq(w) > 0 and not nlp.is_proper_noun(w) for w in words)


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


@cache
def pinyin_tables() -> ModuleType:
    """pypinyin, imported once per process: its tables (400,000 phrases read from JSON, 0.15 s) are
    loaded with the cycle collector paused and kept out of its walks (`screening.longlived`)."""
    with loading():
        import pypinyin
    return pypinyin


def _pinyin(word: str, limit: int = 4) -> list[str]:
    """The pinyin spellings of a word, every reading of a heteronym (晟: sheng, cheng), at most `limit`."""
    from itertools import product

    pypinyin = pinyin_tables()
    readings = pypinyin.pinyin(word, style=pypinyin.Style.NORMAL, heteronym=True)
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
             common_min_freq: int = 50, min_length: int = 2, places: tuple[str, ...] = ()) -> list[Variant]:
    """Every way the organisation may be written, the full name first. Variants that are ordinary
    words are kept: whether a hit of one names the organisation is decided by its evidence
    (screening.identity.evidence), not here. Generic phrases (精密机械) and place names are never
    variants."""
    parts = split(name)
    out: list[Variant] = [Variant(name, "exact", "全称", "full_name")]
    # customary short forms first: a declared alias that is one (浙大) keeps what it is
    out += [Variant(short, "alias", "习惯简称", "short_form") for short in (*_abbreviations().get(parts.full, ()),
                                                                         *_rule_abbreviations(parts))]
    out += [Variant(a, "alias", "简称", "short_form") for a in aliases]
    company = is_company(parts.suffix)
    for p in splits(name) if company else [parts]:
        if not company:  # 衢州学院, 浙江省农业科学院: customary short forms only (below), and the name
            # without its place when what is left is distinctive (浙江衢晟研究院 → 衢晟研究院)
            if (p.region and p.trade and is_distinctive(p.trade, common_min_freq) and not p.industry
                    and not _ordinary_words_only(p.trade)):
                out.append(Variant(p.trade + p.suffix, "alias", "去掉地名", "full_name", p.trade))
            continue
        trade, industry, suffix = p.trade, p.industry, p.suffix
        if not trade:
            continue
        if industry:
            out.append(Variant(trade + industry + suffix, "alias", "去掉地名", "full_name", trade))
            out.append(Variant(trade + industry, "alias", "字号+行业", "short_form", trade))
            if len(industry) > 2:
                out.append(Variant(trade + industry[:2], "alias", "字号+行业简称", "short_form", trade))
        elif suffix:
            out.append(Variant(trade + suffix, "alias", "去掉地名", "full_name", trade))
        if len(trade) < 2 or trade in lexicons.longest_first("regions.txt") or trade in lexicons.longest_first("org-industries.txt"):
            continue
        # 浙江天马, 常山天马 (of 浙江常山天马), and the places of the applicant's home (衢州天马)
        here = {p.region, p.region.removesuffix("省").removesuffix("市")} if p.region else set()
        here |= {r.removesuffix("省").removesuffix("市") for r in _region_chain(p.region)}
        here |= set(places)  # for every reading of the name: 常山艾佳 of 浙江艾佳果蔬开发 (常山县)
        if here:
            for place in sorted(here, key=len, reverse=True):
                if place:
                    out.append(Variant(place + trade, "alias", "地名+字号", "short_form", trade))
        for word in ("公司", "集团", "股份"):
            out.append(Variant(trade + word, "alias", "字号+" + word, "org_word_form", trade))
        out.append(Variant(trade, "alias", "字号", "trade_alone", trade))
        if p == parts and is_distinctive(trade, common_min_freq) and all("\u4e00" <= c <= "\u9fff" for c in trade):
            out += [Variant(py, "pinyin", "字号拼音", "pinyin", trade) for py in _pinyin(trade)]
    for site in websites:
        stem = web_stem(site)
        if len(stem) >= 4:
            out.append(Variant(stem, "alias", "网站域名", "web_stem"))
    seen: set[str] = set()
    unique: list[Variant] = []
    for v in out:
        key = norm(v.text)
        core = key.removesuffix(norm(parts.suffix)) if v.why == "去掉地名" else key
        if len(key) >= min_length and key not in seen and (v.why == "全称" or not is_generic(core)):
            seen.add(key)
            unique.append(v)
    return unique
