"""`identity.*`: the applicant, a partner or a team member revealed by an attachment (rule 7 of
四、有关事项 of the notice).

For every part of every attachment, on normalised text (width, spacing, line breaks, traditional
characters) with offsets mapped back to the original:

1. known names and their variants (screening.identity.targets), all in one Aho–Corasick
   automaton; a short name (≤ `short_name_length`) counts only where the segmenter keeps it as
   whole words (华友 is not in 中华友好, 金华 not in 金华市), and a person's name that is also an
   ordinary word (高明) only with a context word (教授, 负责人 …); a name glued to a stray character
   (王建国华) is unsure;
2. long names fuzzily (rapidfuzz) around their trade name, and on OCR text without an anchor;
3. contacts: the applicant's and members' phones, e-mails, credit code, ID numbers and street
   address fail; other valid-looking phones, e-mails and codes are unsure;
4. filled-in labels (申报单位：…, 项目负责人：…) with a real value, inline or in the next table cell;
5. self-references with a name (我公司（浙江某某有限公司）) and person or organisation names in
   author fields, reported as unsure even when unknown.

Unsure findings take the call's `identity.unsure_severity`; identities on a patent certificate
take `certificate_identity_severity` on the pages that are the certificate itself
(`checks.patent.certificate_pages`: a report appended to a certificate is screened as any page).
One leak in one place gives one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from screening import lexicons
from screening.checks.context import Context
from screening.identity import contacts as contact_finder
from screening.identity import nlp
from screening.identity.evidence import Evidence
from screening.identity.labels import (
    bare_line,
    cell_label,
    find_inline,
    kind_of,
    org_shaped,
    person_shaped,
    shaped,
)
from screening.identity.matching import ExactMatcher
from screening.identity.orgnames import is_company, is_generic, split
from screening.identity.placeholders import is_placeholder, is_public_number
from screening.identity.sections import in_references, sections
from screening.identity.surroundings import (
    continues_name,
    foreign_place_before,
    industry_follows,
    inside_other_name,
    label_before,
    latin_bounded,
    listed_with,
    org_context,
    other_company_follows,
    person_context,
    person_words,
    place_before,
    place_ends,
    quoted_exactly,
    quoted_term,
    region_before,
    role_after,
    spaced,
    subject,
    time_after,
)
from screening.identity.targets import Contact, ContactKind, Target, TargetKind, contacts, phone_keys
from screening.model import Document, Finding, Location, Part, PartKind, Role, Severity
from screening.text import Normalized, context, norm, normalize
from screening.wording import ROLE, where

_METADATA_KINDS = (PartKind.METADATA, PartKind.FILENAME)
# metadata fields that name a person or an organisation (not the software that wrote the file)
AUTHOR_ORIGINS = frozenset({
    "core.creator", "core.lastModifiedBy", "app.Manager", "app.Company", "info.Author", "xmp.creator",
    "xmp.Author", "revision_author", "comment_author", "annotation_author", "people",
})

@cache
def generic_authors() -> frozenset[str]:
    """Author property values that name no one (lexicons/generic-authors.txt)."""
    return frozenset(lexicons.lines("generic-authors.txt"))


# 本单位为省级生猪美丽牧场, 本单位为国家级企业技术中心: a description, not a name
_DESCRIPTION = re.compile(r"^(?:国家级|省级|市级|县级|区级|一家|一所|一个|全国|国内|我国|全省|全市|重点|高新技术|专业|大型|中型|小型|知名|领先)")
_NEXT_FIELD = re.compile(r"\n[ \t\u3000]*[\u4e00-\u9fff]{2,8}[ \t\u3000]*[:：]")  # a line opening with 推荐部门：
_SENTENCE_END = re.compile(r"[,，。;；!！?？、)）】]")
_TABLE_CELL = re.compile(r"^(?P<row>.*)c(?P<col>\d+)$")


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a document's parts stand, computed once per document: the sections (参考文献) and the
    table cells by position (`source` …t1r2c3), for the evidence that depends on neighbours."""

    sections: dict[int, str]
    cells: dict[tuple[str, int], Part]  # (table + row, column) → the cell's part
    rows: dict[str, list[tuple[int, Part]]]  # table + row → its cells

    @classmethod
    def of(cls, doc: Document) -> Layout:
        cells: dict[tuple[str, int], Part] = {}
        rows: dict[str, list[tuple[int, Part]]] = {}
        for part in doc.parts:
            if part.kind is PartKind.TABLE and not part.origin and (m := _TABLE_CELL.match(part.source)):
                key = (m.group("row"), int(m.group("col")))
                if key not in cells:
                    cells[key] = part
                    rows.setdefault(key[0], []).append((key[1], part))
        return cls(sections(doc), cells, rows)

    def in_references(self, part: Part) -> bool:
        return in_references(self.sections, part)

    def neighbours(self, part: Part) -> list[str]:
        """The texts of its column's header cell and of the other cells of a cell's row, in that order."""
        m = _TABLE_CELL.match(part.source) if part.kind is PartKind.TABLE else None
        if not m:
            return []
        row, col = m.group("row"), int(m.group("col"))
        header = self.cells.get((re.sub(r"r\d+$", "r1", row), col))
        siblings = [p.text for c, p in self.rows.get(row, ()) if c != col]
        return [*([header.text] if header is not None else []), *siblings]


EMPTY_LAYOUT = Layout({}, {}, {})


@dataclass(frozen=True, slots=True)
class Hit:
    part: Part
    start: int  # offsets in part.text
    end: int
    rule: str
    severity: Severity
    method: str
    score: float
    target: str | None
    what: str  # for the message: 申报单位简称, 项目负责人姓名, 联系电话 …
    note: str = ""  # why it is unsure, or how it was found
    evidence: tuple[str, ...] = ()  # why, in short Chinese phrases, for the clerk

    def overlaps(self, other: Hit) -> bool:
        return self.part == other.part and self.start < other.end and other.start < self.end


class Engine:
    """Everything known about one project, compiled once, applied to every part."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rules = ctx.call.identity
        self.unsure = self.rules.unsure_severity
        self.scores = self.rules.scores
        self.matcher: ExactMatcher[Target] = ExactMatcher(
            ((t.text, t) for t in ctx.targets), min_length=self.rules.min_alias_length)
        self.contacts: dict[tuple[ContactKind, str], Contact] = {}
        for c in contacts(ctx.application):
            self.contacts.setdefault((c.kind, c.key), c)
        self.streets = [c for c in self.contacts.values() if c.kind is ContactKind.ADDRESS]
        long_names = [t for t in ctx.targets if t.kind is TargetKind.ORG and t.method != "pinyin" and not t.latin
                      and len(norm(t.text)) >= self.rules.fuzzy_min_length]
        anchored = [(split(t.identity).trade, t) for t in long_names]
        self.anchors: ExactMatcher[Target] = ExactMatcher((a, t) for a, t in anchored if len(a) >= 2)
        self.people = sorted({norm(t.identity) for t in ctx.targets if t.kind is TargetKind.PERSON}, key=len, reverse=True)
        self.ocr_targets = [t for t in ctx.targets if t.kind is TargetKind.ORG and not t.latin
                            and len(norm(t.text)) >= self.rules.ocr_min_length]

    # -- severity ---------------------------------------------------------------------------
    def severity(self, rule: str, sure: bool) -> Severity:
        return self.ctx.call.severity(rule) if sure else self.unsure

    # -- the passes ---------------------------------------------------------------------------
    def scan(self, doc: Document) -> list[Hit]:
        hits: list[Hit] = []
        layout = Layout.of(doc)
        for part in doc.parts:
            self.ctx.deadline.check()
            n = normalize(part.text)
            known = self.known_names(part, n, layout)
            hits += known
            hits += self.fuzzy(part, n, known)
            hits += self.contact_hits(part, n)
            hits += self.label_hits(part, n)
            hits += self.self_references(part, n)
            if not known:
                hits += self.author_field(part)
        hits += self.table_labels(layout)
        return hits

    def known_names(self, part: Part, n: Normalized, layout: Layout = EMPTY_LAYOUT) -> list[Hit]:
        out: list[Hit] = []
        for found in self.matcher.find(n.text):
            target = found.payloads[0]
            start, end = n.span(found.start, found.end)
            ev = self._evidence(part, n, found.start, found.end, target, start, end, layout)
            severity = ev.decide(self.unsure) if ev is not None else None
            if ev is None or severity is None:
                continue
            matched = part.text[start:end]
            method = self._method(part, target, matched)
            rule = self._rule(part, target.kind)
            note = "" if severity is Severity.FAIL else "，需人工判断是否暴露身份"
            out.append(Hit(part, start, end, rule, severity, method, ev.confidence(), target.identity,
                           self._what(target), note, ev.phrases))
        return out

    def _evidence(self, part: Part, n: Normalized, s: int, e: int, target: Target, start: int, end: int,
                  layout: Layout) -> Evidence | None:
        """The evidence that a hit of a known name names its owner; None when the hit is not the name
        at all (inside a longer word: 金华 in 金华市, 华友 in 中华友好)."""
        ev = Evidence(self.rules.evidence)
        text, key = n.text, n.text[s:e]
        person = target.kind is TargetKind.PERSON
        form = target.form
        if not person and form == "short_form" and len(key) >= self.rules.evidence.long_alias_length:
            form = "long_alias"
        ev.add(form, target.why or "简称")
        if target.latin:
            return ev if latin_bounded(part.text, start, end) else None
        whole = norm(part.text) == key
        if whole:
            ev.add("whole_field", "单独成为一个单元格或字段")
        if label := label_before(text, s):
            ev.add("label_value", f"填写在“{label}”栏")
        if layout.in_references(part):
            ev.add("references", "位于参考文献")
        author = part.origin in AUTHOR_ORIGINS  # an author, company or manager property names its holder
        if author:
            ev.add("person_context" if person else "org_context", "作者类文档属性")
        if target.why == "全称" or form == "web_stem":
            return ev
        if form == "long_alias":  # 县人民医院 in 开化县人民医院: a longer alias can still be inside another name
            if foreign_place_before(text, s) or inside_other_name(text, s, e, self.rules.common_word_min_freq):
                ev.add("other_name", "位于其他单位的名称中")
            return ev
        if form == "full_name":  # 衢晟新材料有限公司: another place before it makes another company
            if region_before(text, s):
                ev.add("other_name", "前有其他地名，是另一单位的名称")
            return ev
        # a space around the name in the file (a table row in a PDF or a scan: 技术骨干 周明轩 力控算法)
        # is a word boundary that normalisation removed
        gap = spaced(part.text, start, end)
        if person:
            return self._person_evidence(ev, text, s, e, key, whole, author, gap, layout.neighbours(part) if whole else [])
        return self._org_evidence(ev, part, text, s, e, key, target, whole, gap)

    def _org_evidence(self, ev: Evidence, part: Part, text: str, s: int, e: int, key: str, target: Target,
                      whole: bool, gap: bool) -> Evidence | None:
        rules = self.rules
        customary = target.why == "习惯简称"  # 浙大, 省农科院: short forms that name nothing else
        if is_generic(key) or (not customary and nlp.is_ordinary_for_org(
                key, rules.common_word_min_freq, rules.tagged_word_min_freq)):
            ev.add("ordinary_word", "普通词语")
        elif target.why in ("简称", "字号") and (
                (len(key) <= rules.short_name_length and (nlp.is_place(key) or key.endswith(place_ends())))
                or (nlp.is_place(key) and nlp.word_freq(key) >= rules.place_word_min_freq)):
            ev.add("ordinary_word", "地名或景物名")
        elif target.form == "short_form" and target.trade and norm(target.trade) != key and (
                nlp.is_ordinary_for_org(norm(target.trade), rules.common_word_min_freq, rules.tagged_word_min_freq)):
            ev.add("ordinary_trade", f"字号“{target.trade}”是普通词语")
        if target.form == "org_word_form" and place_before(text, s, split(target.identity).region, rules.common_word_min_freq):
            ev.add("other_name", "前有其他地名或字，是另一单位的名称")
            return ev
        if inside_other_name(text, s, e, rules.common_word_min_freq):
            ev.add("other_name", "位于其他单位的名称中")
            return ev
        if target.kind is TargetKind.ORG and len(key) <= 4 and foreign_place_before(text, s):
            ev.add("other_name", "前有其他地名，是另一单位")  # 台湾绿能科技 for 绿能 (the applicant's own
            return ev  # places are variants of their own, matched as longer hits)
        if (target.form in ("trade_alone", "short_form") and len(key) <= 4 and is_company(split(target.identity).suffix)
                and other_company_follows(text, e)):
            # 欧派家居集团 for 欧派门业: the same 字号 with another industry is another company
            ev.add("other_name", "同字号的其他单位名称")
            return ev
        name = split(target.identity)
        if (key == norm(name.trade) and is_company(name.suffix) and (word := industry_follows(text, e))
                and word not in norm(target.identity) and not org_context(text, s, e)):
            # 欧派家居、索菲亚 for 欧派门业: the 字号 alone, of another industry (not its own 技术中心):
            # maybe another company, so unsure at most (what would make it the applicant is not looked for)
            ev.add("other_industry", f"后接其他行业词“{word}”，可能是同字号的其他单位")
            return ev
        if len(key) <= rules.short_name_length and not whole:
            bound = nlp.boundary(text, s, e)
            if bound.inside_word(rules.crossing_word_min_freq):
                return None  # 华友 in 中华|友好, 金华 in 金华市
            institution = not is_company(split(target.identity).suffix)  # 浙大硅材料国家重点实验室: its own unit
            if (not bound.clean_edges or bound.crossing) and not gap and not institution:  # 永和大王
                ev.add("glued", "前后紧接其他字，可能是其他名称的一部分")
        if target.form == "trade_alone" and len(key) == 2 and all(c in nlp.neighbours() for c in key):
            ev.add("chance_chars", "由常用虚字组成，易偶然出现")
        if w := org_context(text, s, e):
            ev.add("org_context", f"单位语境（{w}）")
        elif (target.form == "trade_alone" or target.why == "地名+字号") and (w := subject(text, s, e)):
            ev.add("subject", f"作主语（{w}）")
        if part.kind in (PartKind.HEADER, PartKind.FOOTER):
            ev.add("header_footer", "位于页眉页脚")
        if quoted := quoted_term(text, s, e):
            ev.add("quoted", quoted)
        return ev

    def _person_evidence(self, ev: Evidence, text: str, s: int, e: int, key: str, whole: bool,
                         author: bool, gap: bool, neighbours: list[str]) -> Evidence | None:
        rules = self.rules
        # jieba's dictionary lists famous three-character names (刘卫东): only two-character names are
        # tested as words (高明, 施工; rarer: 黄精, 葛根)
        if len(key) == 2:
            level = nlp.person_word(key, rules.common_word_min_freq, rules.tagged_word_min_freq)
            if level == "ordinary":
                ev.add("ordinary_word", "普通词语")
            elif level == "rare":
                ev.add("rare_word", "词典中的词语")
        if whole:
            words = (*person_words("after"), *person_words("before"))
            if cue := next((w for t in neighbours for w in words if w in norm(t)), ""):
                ev.add("person_context", f"表格同行或表头（{cue}）")
            return ev
        bound = nlp.boundary(text, s, e)
        if len(key) <= 2 and bound.inside_word(rules.crossing_word_min_freq):
            return None  # 高峰 in 用电高峰期 (a dictionary word across the name's edge)
        cue = "" if author else (person_context(text, s, e) or role_after(text, e))
        bio = next((w for w in person_words("bio_after") if text.startswith(w, e)), "")
        actor_after = next((w for w in person_words("actor_after") if text.startswith(w, e)), "")
        follows = cue or bio or actor_after
        if (len(key) <= 2 and not gap and continues_name(text, e, bound)
                and not follows.startswith(text[e : e + 1])):
            ev.add("longer_name", "后接其他字，可能是另一人的姓名")
            return ev  # a title before belongs to that other name
        actor = "" if author else person_context(text, s, e, "actor")
        if ((not bound.clean_edges or bound.glued) and not gap
                and not (cue or actor).startswith(text[e : e + 1]) and not bio):
            ev.add("glued", "前后紧接其他字，可能是更长姓名的一部分")
        if bio:
            ev.add("biography", f"人物简介（{bio.strip(',(')}）")
        if cue:
            ev.add("person_context", f"人物语境（{cue}）")
        if actor and actor != cue:
            ev.add("person_actor", f"作为行为人（{actor}）")
        if other := listed_with(text, s, e, self.people):
            ev.add("member_list", f"与成员“{other}”并列")
        if quoted_exactly(text, s, e) and not (cue or bio):
            ev.add("quoted", "位于引号中，是被提及的词语")  # “高峰”期, “钱江”源头: a word, not a person
        bare = not (cue or actor or bio or ev.has("与成员")) and not author
        if bare and e < len(text) and text[e].isdigit() and not time_after(text, e):
            ev.add("number_after", "后接数字，不像人名")  # 高达100吨; not 王建国2016年起…
        elif bare and len(key) <= 2 and len(bound.after) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in bound.after):
            ev.add("word_after", f"与后面的“{bound.after}”连成词组，不像人名")  # 钱江源头, 洪波涌起
        return ev

    def fuzzy(self, part: Part, n: Normalized, known: list[Hit]) -> list[Hit]:
        """Long names with a wrong, missing or extra character; on OCR text, without an anchor."""
        ocr = part.origin.startswith("ocr")
        candidates: list[tuple[Target, int, int]] = []
        if ocr:
            candidates = [(t, 0, len(n.text)) for t in self.ocr_targets]
        else:
            for anchor in self.anchors.find(n.text):
                for t in anchor.payloads:
                    size = len(norm(t.text))
                    candidates.append((t, max(0, anchor.start - size), min(len(n.text), anchor.end + size)))
        cutoff = self.rules.ocr_fuzzy_fail_score if ocr else self.rules.fuzzy_warn_score
        out: list[Hit] = []
        for target, lo, hi in candidates:
            pattern = norm(target.text)
            got = fuzz.partial_ratio_alignment(pattern, n.text[lo:hi], score_cutoff=cutoff)
            if got is None or got.dest_end - got.dest_start < 2:
                continue
            start, end = n.span(lo + got.dest_start, lo + got.dest_end)
            place = split(target.identity).region.removesuffix("省").removesuffix("市")
            if place and not ocr and place not in n.text[lo + got.dest_start : lo + got.dest_end]:
                continue  # 浙江省疾病预防控制中心 is not 衢州市疾病预防控制中心: the place tells them apart
            if any(h.start <= start and end <= h.end for h in (*known, *out)):
                continue  # nothing more than an exact hit already says
            sure = ocr or got.score >= self.rules.fuzzy_fail_score
            rule = self._rule(part, target.kind)
            note = "（文字识别结果，近似匹配）" if ocr else "（近似匹配，可能有错别字或缺字）"
            why = (f"文字识别结果与{target.why or '名称'}近似（{got.score:.0f}分）" if ocr
                   else f"与{target.why or '名称'}近似（{got.score:.0f}分）")
            out.append(Hit(part, start, end, rule, self.severity(rule, sure), "ocr" if ocr else "fuzzy",
                           got.score / 100, target.identity, self._what(target), note, (why,)))
        return out

    def contact_hits(self, part: Part, n: Normalized) -> list[Hit]:
        light = normalize(part.text, keep_space=True, fold_case=False)
        out: list[Hit] = []
        kinds = contact_finder.Kind
        for c in contact_finder.find(light.text):
            start, end = light.span(c.start, c.end)
            if c.kind in (kinds.MOBILE, kinds.LANDLINE, kinds.DIGITS):
                owner = next((self.contacts[(ContactKind.PHONE, k)] for k in contact_finder.phone_keys_of(c)
                              if (ContactKind.PHONE, k) in self.contacts), None)
                if owner is None and (c.kind is kinds.DIGITS or is_public_number(c.key)):
                    continue  # a service hotline (400-…) is nobody's identity
                label = "联系电话"
            else:
                # an 18-character code may be read as either kind: look it up under both
                kinds_to_try = [ContactKind.EMAIL] if c.kind is kinds.EMAIL else [ContactKind.ID_NUMBER, ContactKind.CREDIT_CODE]
                owner = next((self.contacts[(k, c.key)] for k in kinds_to_try if (k, c.key) in self.contacts), None)
                if owner is not None and owner.kind is ContactKind.ID_NUMBER:
                    c = contact_finder.Candidate(kinds.ID_NUMBER, c.start, c.end, c.key, c.valid)
                if owner is None and not c.valid:
                    continue
                label = {kinds.EMAIL: "电子邮箱", kinds.CREDIT_CODE: "统一社会信用代码", kinds.ID_NUMBER: "身份证号"}[c.kind]
            rule = "identity.contact"
            note = "" if owner else "（不是已知的申报单位或成员信息，但可能暴露身份，需人工判断）"
            why = f"与“{owner.owner}”的{label}相同" if owner else f"未知的{label}"
            out.append(Hit(part, start, end, rule, self.severity(rule, owner is not None), "regex",
                           self.scores.contact_known if owner else self.scores.contact_unknown, owner.owner if owner else None, label, note, (why,)))
        for street in self.streets:
            i = n.text.find(street.key)
            while i >= 0:
                start, end = n.span(i, i + len(street.key))
                out.append(Hit(part, start, end, "identity.contact", self.severity("identity.contact", True),
                               "normalized", self.scores.address, street.owner, "单位地址", "", ("与申报单位地址相同",)))
                i = n.text.find(street.key, i + 1)
        return out

    def label_hits(self, part: Part, n: Normalized) -> list[Hit]:
        out: list[Hit] = []
        for lv in find_inline(n.text):
            start, end = n.span(lv.start, lv.end)
            value = lv.value
            # normalising joined the lines: a line that opens a field of its own ends the value
            # (申报单位：（隐去）⏎推荐部门：（隐去）: 推荐部门 is no label looked for, but a field all the same)
            if cut := _NEXT_FIELD.search(part.text, start, end):
                end, value = cut.start(), shaped(lv.kind, part.text[start : cut.start()])
                if not value:
                    continue
            out.append(self._label_hit(part, start, end, lv.label, value))
        for line_start, line in _lines(part.text):  # "申报单位    浙江某某有限公司" in a PDF table
            m = bare_line().match(line)
            if not m or m.group(2).startswith((":", "：")):
                continue
            label = norm(m.group(1))
            value = shaped(kind_of(label), m.group(2))
            if value:
                vn = normalize(m.group(2))
                i = vn.text.find(value)
                if i >= 0:
                    s, e = vn.span(i, i + len(value))
                    offset = line_start + m.start(2)
                    out.append(self._label_hit(part, offset + s, offset + e, label, value))
        return out

    def table_labels(self, layout: Layout) -> list[Hit]:
        """A label alone in a table cell, its value in the next cell of the row."""
        cells = layout.cells
        out: list[Hit] = []
        for (row, col), part in cells.items():
            found = cell_label(part.text)
            value_part = cells.get((row, col + 1))
            if not found or value_part is None:
                continue
            label, kind = found
            value = shaped(kind, value_part.text)
            if kind == "org" and value and not org_shaped(value) and self._identity_of(value) is None:
                continue  # a cell in an 单位 column (合作单位 | 表征分析) is data, not a label with its value
            n = normalize(value_part.text)
            i = n.text.find(value) if value else -1
            if i >= 0:
                start, end = n.span(i, i + len(value))
                out.append(self._label_hit(value_part, start, end, label, value))
        return out

    def _label_hit(self, part: Part, start: int, end: int, label: str, value: str) -> Hit:
        target = self._identity_of(value)
        why = (f"填写在“{label}”栏", "是已知的身份信息" if target else "不是占位符（如“（按要求隐去）”）")
        return Hit(part, start, end, "identity.label", self.severity("identity.label", True), "label", self.scores.label,
                   target, f"已填写的“{label}”", "", why)

    def self_references(self, part: Part, n: Normalized) -> list[Hit]:
        out: list[Hit] = []
        for m in _self_reference().finditer(n.text):
            window = _SENTENCE_END.split(n.text[m.end() : m.end() + 40], maxsplit=1)[0]  # 本公司总经理，…中心: no name
            name = org_shaped(window)
            if not name or is_placeholder(name) or re.search(r"[\"'“”‘’「」]|简称|以下", name) or _DESCRIPTION.match(name):
                continue
            start, end = n.span(m.end(), m.end() + len(name))
            target = self._identity_of(name)
            sure = target is not None
            out.append(Hit(part, start, end, "identity.org", self.severity("identity.org", sure), "ner",
                           self.scores.self_reference if sure else self.scores.self_reference_unknown, target,
                           f"以“{m.group(1)}”自称的单位名称",
                           "" if sure else "（不是已知的申报单位，但紧跟自称，可能暴露身份，需人工判断）",
                           (f"紧跟自称“{m.group(1)}”", "单位名称形态")))
        return out

    def author_field(self, part: Part) -> list[Hit]:
        """An unknown person or organisation in an author-like property: unsure."""
        if part.origin not in AUTHOR_ORIGINS:
            return []
        value = norm(part.text)
        if not value or value in generic_authors() or is_placeholder(value):
            return []
        person, org = person_shaped(value), org_shaped(value)
        if person != value and org != value:
            return []
        start = len(part.text) - len(part.text.lstrip())
        end = len(part.text.rstrip())
        what = "人名" if person == value else "单位名称"
        return [Hit(part, start, end, "identity.metadata", self.unsure, "ner", self.scores.metadata, None, f"文档属性中的{what}",
                    "（不是已知的申报单位或成员，需人工判断是否暴露身份）", ("作者类文档属性", f"{what}形态"))]

    # -- helpers ------------------------------------------------------------------------------
    def _identity_of(self, value: str) -> str | None:
        """The known identity a value names, if any."""
        n = normalize(value)
        hits = self.matcher.find(n.text)
        return hits[0].payloads[0].identity if hits else None

    @staticmethod
    def _rule(part: Part, kind: TargetKind) -> str:
        if part.kind in _METADATA_KINDS:
            return "identity.metadata"
        return "identity.org" if kind is TargetKind.ORG else "identity.person"

    @staticmethod
    def _method(part: Part, target: Target, matched: str) -> str:
        if part.origin.startswith("ocr"):
            return "ocr"
        if target.method in ("alias", "pinyin"):
            return target.method
        return "exact" if matched == target.text else "normalized"

    @staticmethod
    def _what(target: Target) -> str:
        role = ROLE[target.role]
        if target.kind is TargetKind.PERSON:
            return f"{role}姓名" + ("拼音" if target.method == "pinyin" else "")
        return role + ("名称" if target.method == "exact" else f"{target.why or '简称'}")


@cache
def _self_reference() -> re.Pattern[str]:
    words = sorted((norm(w) for w in lexicons.lines("self-references.txt")), key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, words)) + r")(?:[(（:：]|即为|即|是|为)")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def dedupe(hits: list[Hit]) -> list[Hit]:
    """One finding per leak and place: the most severe, longest, surest of overlapping hits.

    Greedy in that order: a hit is kept unless it overlaps (`Hit.overlaps`) one kept before it.
    Hits overlap only within one part, so the kept ones are indexed per part, sorted by offset;
    they never overlap each other, so sorted by start they are sorted by end too, and the one kept
    hit that can overlap a new one is the first whose end lies after the new one's start (a
    bisection). n log n in all, where comparing each hit with every kept one was quadratic.
    """
    from bisect import bisect_right

    kept: list[Hit] = []
    starts: dict[Part, list[int]] = {}  # per part, the kept hits' starts and ends, in offset order
    ends: dict[Part, list[int]] = {}
    for hit in sorted(hits, key=lambda h: (-h.severity.rank, -(h.end - h.start), -h.score, h.rule != "identity.label")):
        part_starts = starts.setdefault(hit.part, [])
        part_ends = ends.setdefault(hit.part, [])
        i = bisect_right(part_ends, hit.start)  # the first kept hit ending after this one starts
        if i < len(part_starts) and part_starts[i] < hit.end:
            continue  # overlaps it
        part_starts.insert(i, hit.start)
        part_ends.insert(i, hit.end)
        kept.append(hit)
    return kept


def to_finding(doc: Document, hit: Hit, certificate_severity: Severity | None) -> Finding:
    part = hit.part
    matched = part.text[hit.start : hit.end]
    severity = hit.severity
    note = hit.note
    if certificate_severity is not None:
        severity = certificate_severity
        note += "（专利证书按规定载明权利人和发明人，仅提示）"
    return Finding(
        rule=hit.rule,
        severity=severity,
        message=f"{doc.file}{where(part)}出现{hit.what}“{matched}”{note}",
        file=doc.file,
        location=Location(part=part.kind, page=part.page, paragraph=part.paragraph, start=hit.start,
                          end=hit.end, origin=part.origin, embedded=part.embedded, source=part.source,
                          heading=part.heading, heading_paragraph=part.heading_paragraph,
                          box=part.span_box(hit.start, hit.end)),
        matched=matched,
        target=hit.target,
        method=hit.method,
        score=round(hit.score, 3),
        context=context(part.text, hit.start, hit.end),
        evidence=hit.evidence,
    )


def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.targets:  # `screening check` without --org/--person/--application: it cannot say "clean"
        yield Finding(rule="document.no_identities", severity=ctx.call.severity("document.no_identities"),  # not identity.*: nothing matched
                      message="未提供申报单位、合作单位或项目组成员（--application、--org、--person），无法判断附件是否"
                              "暴露身份；只查找了已填写的表单栏、电话号码、信用代码等特征，请人工核对",
                      evidence=("没有已知身份可比对",))
    from screening.checks.patent import certificate_pages  # a certificate by its content, not by its name

    engine = ctx.once("identity.engine", lambda: Engine(ctx))
    expected = ctx.call.certificate_identity_severity
    for doc in ctx.documents:
        pages = certificate_pages(ctx, doc) if doc.role is Role.PATENT_CERTIFICATE else frozenset()
        for hit in dedupe(engine.scan(doc)):
            yield to_finding(doc, hit, expected if (hit.part.page or 1) in pages else None)


__all__ = ["Engine", "check", "person_context", "phone_keys"]
