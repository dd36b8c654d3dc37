"""What stands around a name in normalised text, for the identity engine's evidence.

Each function looks at a hit `text[start:end]` and its neighbourhood and answers one question:
is there a title or role word (王建国教授, 由王伟完成, 马力（总工程师）, 林海，男), an organisation
word (长城公司, 委托长城, 与长城合作), a function word making it a subject (衢晟的), a place before it
(台湾|绿能), a legal form after it (武平紫金矿业有限公司), quotation marks around it (“天网工程”), a
form label before it (申报单位：)? The words are lexicons (person-context.txt, org-context.txt,
regions.txt, org-industries.txt, org-suffixes.txt); what the answers weigh is decided in
`screening.checks.identity` with the call file's weights.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from screening import lexicons
from screening.identity import nlp
from screening.identity.orgnames import is_company


def person_words(key: str) -> tuple[str, ...]:
    return lexicons.table_longest_first("person-context.txt").get(key, ())


def _org_words(key: str) -> tuple[str, ...]:
    return lexicons.table_longest_first("org-context.txt")[key]


def place_ends() -> tuple[str, ...]:
    """Last characters of landscape and place names (江郎山, 千岛湖)."""
    return _org_words("place_end")


def listed_with(text: str, start: int, end: int, people: Sequence[str]) -> str:
    """Another of `people` right before or after the name, joined by 、/和/与, a role in brackets
    allowed between (钱塘、鲁班; 钱塘（负责人）、丁香): '' if none."""
    after = text[end : end + 60]
    if after[:1] in "(（":
        after = _ROLE_BRACKET.sub("", after, count=1)
    head = text[max(0, start - 60) : start]
    head = _ROLE_BRACKET_END.sub("", head[:-1]) if head[-1:] in _JOINERS else ""
    name = text[start:end]
    for other in people:
        if other != name and ((after[:1] in _JOINERS and after.startswith(other, 1)) or head.endswith(other)):
            return other
    return ""


_JOINERS = frozenset("、,，;；和与及")
_ROLE_BRACKET = re.compile(r"^[(（][^()（）]{1,40}[)）]")
_ROLE_BRACKET_END = re.compile(r"[(（][^()（）]{1,40}[)）]$")
_LIST_END = re.compile(r"^等(?:\d{1,3}|[一二三四五六七八九十]{1,3})?(?:人|名)?(?=[,，。;；、]|$)|^等\d{1,3}人")


def role_after(text: str, end: int) -> str:
    """After a name: a role in brackets (马力（总工程师）, 周全（工艺设计）), a title after a comma
    (周正，博士; 常山，工程师), or the close of a list of people (常青等8人, 丁香等，): '' if none."""
    before, after, actor = person_words("before"), person_words("after"), person_words("actor_after")
    rest = text[end : end + 44]
    if m := _ROLE_BRACKET.match(rest):
        inner = m.group(0)[1:-1]
        if any(w in inner for w in (*after, *before, *actor)):
            return f"（{inner[:12]}）"
    if rest[:1] in ",，" and (w := next((w for w in after if rest.startswith(w, 1)), "")):
        return f"，{w}"
    if m := _LIST_END.match(rest):
        return m.group(0)
    return ""


_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s*")


def time_after(text: str, end: int) -> str:
    """A date or a time right after a name (王建国2016年起…, 李明3月完成…): the number is when the
    person acted, not a quantity of something the name is a word for (高达100吨): '' if none. The
    units are person-context.txt's `time_after`."""
    if not (m := _NUMBER.match(text, end)):
        return ""
    return next((m.group(0) + w for w in person_words("time_after") if text.startswith(w, m.end())), "")


def person_context(text: str, start: int, end: int, strength: str = "") -> str:
    """The title or role word right before or after a name (王建国教授, 负责人：王建国), or ''.
    With strength "actor": the weaker cues of someone acting (由王伟完成)."""
    prefix = f"{strength}_" if strength else ""
    before, after = person_words(prefix + "before"), person_words(prefix + "after")
    head = text[max(0, start - 8) : start].rstrip(":：")
    return next((w for w in after if text.startswith(w, end)), "") or next((w for w in before if head.endswith(w)), "")


def org_context(text: str, start: int, end: int) -> str:
    """The word around a short name that marks it as an organisation (长城公司, 委托长城, 与长城合作),
    or ''."""
    words = lexicons.table_longest_first("org-context.txt")
    head = text[max(0, start - 6) : start]
    if w := next((w for w in words["after"] if text.startswith(w, end)), ""):
        return w
    if w := next((w for w in words["before"] if head.endswith(w)), ""):
        return w
    b = next((w for w in words["pair_before"] if head.endswith(w)), "")
    a = next((w for w in words["pair_after"] if text.startswith(w, end)), "")
    return f"{b}…{a}" if a and b else ""


def latin_bounded(original: str, start: int, end: int) -> bool:
    """A Latin name standing alone: not inside a longer word, nor part of a code (QZSY-2020-011)."""
    left = original[start - 1] if start > 0 else " "
    right = original[end] if end < len(original) else " "
    if (left.isascii() and left.isalnum()) or (right.isascii() and right.isalnum()):
        return False
    code_after = right in "-_/" and original[end + 1 : end + 2].isdigit()
    code_before = left in "-_/" and original[start - 2 : start - 1].isalnum()
    return not (code_after or code_before)



def spaced(original: str, start: int, end: int) -> bool:
    """Whitespace or the text's edge on both sides of the name as it stands in the file."""
    left = start == 0 or original[start - 1].isspace()
    right = end >= len(original) or original[end].isspace()
    return left and right



def continues_name(text: str, end: int, bound: nlp.Boundary) -> bool:
    """A given-name character follows (李明 in 李明辉): the segmenter glued a single character on, or
    made one unknown word across the end."""
    if end >= len(text) or not ("\u4e00" <= text[end] <= "\u9fff"):
        return False
    if any(len(w) >= 3 and nlp.word_freq(w) == 0 for w in bound.crossing):
        return True
    return len(bound.after) == 1 and bound.after not in nlp.neighbours()


_QUOTES = {"“": "”", "\"": "\"", "「": "」", "『": "』", "‘": "’"}
_MENTION = ("一词", "二字", "这个词", "之名", "这一名称", "的说法",  # “烂柯”一词: a word, talked about
            "车型", "品牌", "商标", "系列", "型号", "牌", "工程", "计划", "平台")  # “博瑞”车型: a product's name


def quoted_term(text: str, start: int, end: int) -> str:
    """The name inside quotation marks that hold a longer term (“天网工程”), or quoted as a word
    (“烂柯”一词): '' when not."""
    lo = max(0, start - 12)
    open_at = max(text.rfind(q, lo, start) for q in _QUOTES)
    if open_at < 0:
        return ""
    close_at = text.find(_QUOTES[text[open_at]], end, end + 12)
    if close_at < 0 or any(q in text[open_at + 1 : start] for q in _QUOTES.values()):
        return ""
    if open_at + 1 == start and close_at == end:
        return "作为词语或产品名被提及" if text.startswith(_MENTION, close_at + 1) else ""
    return "位于引号内的其他名称中"


def quoted_exactly(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1] in _QUOTES and text[end] == _QUOTES[text[start - 1]]


def subject(text: str, start: int, end: int) -> str:
    """A function word follows the name, making it a subject or possessor (衢晟的, 衢晟始终), or the
    name opens the paragraph: '' if not."""
    if w := next((w for w in _org_words("subject_after") if text.startswith(w, end)), ""):
        return w
    return "段首" if start == 0 or text[start - 1] == "\n" else ""


def inside_other_name(text: str, start: int, end: int, common_min_freq: int) -> bool:
    """The hit is the middle of another registered name: characters that are not an ordinary word
    before it and a legal form after it (武平紫金矿业有限公司 for 紫金矿业)."""
    if start == 0 or not ("\u4e00" <= text[start - 1] <= "\u9fff") or text[start - 1] in nlp.neighbours():
        return False
    if nlp.is_common_word(text[max(0, start - 2) : start], common_min_freq):  # 联合|紫金矿业有限公司
        return False
    return legal_form_follows(text, end)


def other_company_follows(text: str, end: int) -> bool:
    """An industry word and a company's legal form follow the 字号: 欧派|家居|集团 (a longer variant of
    the applicant's own name would have matched instead; 技术中心 is a department, not a company)."""
    word = industry_follows(text, end)
    tail = text[end + len(word) : end + 12]
    return bool(word) and any(tail.startswith(s) for s in lexicons.longest_first("org-suffixes.txt") if is_company(s))


def industry_follows(text: str, end: int) -> str:
    """The industry word right after a 字号 (欧派|家居): '' if none (org-industries.txt)."""
    return lexicons.prefix_at("org-industries.txt", text[end : end + 12]) or ""


def legal_form_follows(text: str, end: int) -> bool:
    """An industry word (or none) and a legal form follow: …家居集团, …有限公司."""
    rest = text[end + len(industry_follows(text, end)) : end + 12]
    return rest.startswith(lexicons.longest_first("org-suffixes.txt"))


def place_before(text: str, start: int, own_region: str, common_min_freq: int) -> bool:
    """Characters glued before 紫金公司 that are not an ordinary word nor the applicant's own place
    (武平紫金公司 is a subsidiary elsewhere, 委托紫金公司 and 福建紫金公司 are the applicant)."""
    if start < 2 or not all("\u4e00" <= c <= "\u9fff" for c in text[start - 2 : start]):
        return False
    head = text[start - 2 : start]
    if own_region and head in own_region:
        return False
    if text[:start].endswith(lexicons.longest_first("regions.txt")) or nlp.is_place(head):  # 常州星宇股份 for 星宇股份
        return True
    return not (text[start - 1] in nlp.neighbours() or nlp.is_common_word(head, common_min_freq))


def foreign_place_before(text: str, start: int) -> bool:
    """A place name right before the hit (台湾|绿能, 江苏|衢晟)."""
    return start >= 2 and (region_before(text, start) or nlp.is_place(text[start - 2 : start]))


def region_before(text: str, start: int) -> bool:
    """A place of the region lexicon ends right before `start`."""
    return text[:start].endswith(lexicons.longest_first("regions.txt"))


def label_before(text: str, start: int) -> str:
    """The form label right before `start` (申报单位：|长城), or ''."""
    from screening.identity.labels import labels

    head = text[max(0, start - 12) : start]
    if not head.endswith((":", "：")):
        return ""
    head = head[:-1]
    return next((label for label, _ in labels() if head.endswith(label)), "")


