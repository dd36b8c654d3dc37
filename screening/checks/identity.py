"""`identity.*`: the applicant, a partner or a team member revealed by an attachment (rule 7 of
四、有关事项 of the notice).

For every part of every attachment, on normalised text (width, spacing, line breaks, traditional
characters) with offsets mapped back to the original:

1. known names and their variants (screening.targets), all in one Aho–Corasick automaton; a short
   name (≤ `short_name_length`) counts only where the segmenter keeps it as whole words (华友 is
   not in 中华友好, 金华 not in 金华市), and a person's name that is also an ordinary word (高明)
   only with a context word (教授, 负责人 …); a name glued to a stray character (王建国华) is unsure;
2. long names fuzzily (rapidfuzz) around their trade name, and on OCR text without an anchor;
3. contacts: the applicant's and members' phones, e-mails, credit code, ID numbers and street
   address fail; other valid-looking phones, e-mails and codes are unsure;
4. filled-in labels (申报单位：…, 项目负责人：…) with a real value, inline or in the next table cell;
5. self-references with a name (我公司（浙江某某有限公司）) and person or organisation names in
   author fields, reported as unsure even when unknown.

Unsure findings take the call's `identity.unsure_severity`; identities on a patent certificate
take `certificate_identity_severity`. One leak in one place gives one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from screening import contacts as contact_finder
from screening import lexicons, nlp
from screening.checks.context import Context
from screening.labels import (
    bare_line,
    cell_label,
    find_inline,
    is_placeholder,
    kind_of,
    org_shaped,
    person_shaped,
    shaped,
)
from screening.matching import ExactMatcher
from screening.model import Document, Finding, Location, Part, PartKind, Role, Severity
from screening.orgnames import split
from screening.targets import Contact, ContactKind, Target, TargetKind, contacts, phone_keys
from screening.text import Normalized, context, norm, normalize
from screening.wording import ROLE, where

_METADATA_KINDS = (PartKind.METADATA, PartKind.FILENAME)
# metadata fields that name a person or an organisation (not the software that wrote the file)
AUTHOR_ORIGINS = frozenset({
    "core.creator", "core.lastModifiedBy", "app.Manager", "app.Company", "info.Author", "xmp.creator",
    "xmp.Author", "revision_author", "comment_author", "annotation_author", "people",
})
GENERIC_AUTHORS = frozenset({"administrator", "admin", "user", "微软用户", "作者", "author", "owner", "lenovo", "dell", "hp"})
_TABLE_CELL = re.compile(r"^(?P<row>.*)c(?P<col>\d+)$")


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

    def overlaps(self, other: Hit) -> bool:
        return self.part == other.part and self.start < other.end and other.start < self.end


@cache
def _context_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    table = dict(lexicons.table("person-context.txt"))
    return tuple(norm(w) for w in table["before"]), tuple(norm(w) for w in table["after"])


def person_context(text: str, start: int, end: int) -> bool:
    """A title or role word right before or after a name (王建国教授, 负责人：王建国)."""
    before, after = _context_words()
    head = text[max(0, start - 8) : start].rstrip(":：")
    return any(text.startswith(w, end) for w in after) or any(head.endswith(w) for w in before)


def _latin_bounded(original: str, start: int, end: int) -> bool:
    left = original[start - 1] if start > 0 else " "
    right = original[end] if end < len(original) else " "
    return not (left.isascii() and left.isalnum()) and not (right.isascii() and right.isalnum())


class Engine:
    """Everything known about one project, compiled once, applied to every part."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rules = ctx.call.identity
        self.unsure = self.rules.unsure_severity
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
        self.ocr_targets = [t for t in ctx.targets if t.kind is TargetKind.ORG and not t.latin
                            and len(norm(t.text)) >= self.rules.ocr_min_length]

    # -- severity ---------------------------------------------------------------------------
    def severity(self, rule: str, sure: bool) -> Severity:
        return self.ctx.call.severity(rule) if sure else self.unsure

    # -- the passes ---------------------------------------------------------------------------
    def scan(self, doc: Document) -> list[Hit]:
        hits: list[Hit] = []
        for part in doc.parts:
            n = normalize(part.text)
            known = self.known_names(part, n)
            hits += known
            hits += self.fuzzy(part, n, known)
            hits += self.contact_hits(part, n)
            hits += self.label_hits(part, n)
            hits += self.self_references(part, n)
            if not known:
                hits += self.author_field(part)
        hits += self.table_labels(doc)
        return hits

    def known_names(self, part: Part, n: Normalized) -> list[Hit]:
        out: list[Hit] = []
        for found in self.matcher.find(n.text):
            target = found.payloads[0]
            start, end = n.span(found.start, found.end)
            verdict = self._certainty(part, n, found.start, found.end, target, start, end)
            if verdict is None:
                continue
            sure, note = verdict
            matched = part.text[start:end]
            method = self._method(part, target, matched)
            rule = self._rule(part, target.kind)
            score = {"exact": 1.0, "normalized": 0.97, "alias": 0.95, "pinyin": 0.85, "ocr": 0.9}[method]
            out.append(Hit(part, start, end, rule, self.severity(rule, sure), method,
                           score if sure else 0.6, target.identity, self._what(target), note))
        return out

    def _certainty(self, part: Part, n: Normalized, s: int, e: int, target: Target,
                   start: int, end: int) -> tuple[bool, str] | None:
        """(sure, note) for a known-name hit, or None when it is not the name at all."""
        key = n.text[s:e]
        if target.latin:
            return (True, "") if _latin_bounded(part.text, start, end) else None
        if norm(part.text) == key:  # a cell or field holding just the name
            return True, ""
        if len(key) > self.rules.short_name_length:
            return True, ""
        bound = nlp.boundary(n.text, s, e)
        if bound.inside_word(self.rules.crossing_word_min_freq):
            return None  # inside a longer word: 金华 in 金华市, 华友 in 中华友好
        if target.kind is TargetKind.PERSON:
            cue = person_context(n.text, s, e)
            if nlp.is_common_word(key, self.rules.common_word_min_freq) and not cue:
                return None  # an ordinary word (技术高明) with nothing marking a person
            if not bound.clean_edges and not cue:
                return False, "，其前后紧接其他字，可能是更长姓名的一部分，需人工判断"
            return True, ""
        if not bound.clean_edges:
            return False, "，其前后紧接其他字，可能是其他名称的一部分，需人工判断"
        return True, ""

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
            if any(h.start <= start and end <= h.end for h in (*known, *out)):
                continue  # nothing more than an exact hit already says
            sure = ocr or got.score >= self.rules.fuzzy_fail_score
            rule = self._rule(part, target.kind)
            note = "（文字识别结果，近似匹配）" if ocr else "（近似匹配，可能有错别字或缺字）"
            out.append(Hit(part, start, end, rule, self.severity(rule, sure), "ocr" if ocr else "fuzzy",
                           got.score / 100, target.identity, self._what(target), note))
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
                if owner is None and c.kind is kinds.DIGITS:
                    continue
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
            out.append(Hit(part, start, end, rule, self.severity(rule, owner is not None), "regex",
                           1.0 if owner else 0.5, owner.owner if owner else None, label, note))
        for street in self.streets:
            i = n.text.find(street.key)
            while i >= 0:
                start, end = n.span(i, i + len(street.key))
                out.append(Hit(part, start, end, "identity.contact", self.severity("identity.contact", True),
                               "normalized", 0.97, street.owner, "单位地址"))
                i = n.text.find(street.key, i + 1)
        return out

    def label_hits(self, part: Part, n: Normalized) -> list[Hit]:
        out: list[Hit] = []
        for lv in find_inline(n.text):
            start, end = n.span(lv.start, lv.end)
            out.append(self._label_hit(part, start, end, lv.label, lv.value))
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

    def table_labels(self, doc: Document) -> list[Hit]:
        """A label alone in a table cell, its value in the next cell of the row."""
        cells: dict[tuple[str, int], Part] = {}
        for part in doc.parts:
            if part.kind is PartKind.TABLE and not part.origin and (m := _TABLE_CELL.match(part.source)):
                cells.setdefault((m.group("row"), int(m.group("col"))), part)
        out: list[Hit] = []
        for (row, col), part in cells.items():
            found = cell_label(part.text)
            value_part = cells.get((row, col + 1))
            if not found or value_part is None:
                continue
            label, kind = found
            value = shaped(kind, value_part.text)
            n = normalize(value_part.text)
            i = n.text.find(value) if value else -1
            if i >= 0:
                start, end = n.span(i, i + len(value))
                out.append(self._label_hit(value_part, start, end, label, value))
        return out

    def _label_hit(self, part: Part, start: int, end: int, label: str, value: str) -> Hit:
        target = self._identity_of(value)
        return Hit(part, start, end, "identity.label", self.severity("identity.label", True), "label", 0.9,
                   target, f"已填写的“{label}”")

    def self_references(self, part: Part, n: Normalized) -> list[Hit]:
        out: list[Hit] = []
        for m in _self_reference().finditer(n.text):
            name = org_shaped(n.text[m.end() : m.end() + 40])
            if not name or is_placeholder(name):
                continue
            start, end = n.span(m.end(), m.end() + len(name))
            target = self._identity_of(name)
            sure = target is not None
            out.append(Hit(part, start, end, "identity.org", self.severity("identity.org", sure), "ner",
                           0.9 if sure else 0.5, target, f"以“{m.group(1)}”自称的单位名称",
                           "" if sure else "（不是已知的申报单位，但紧跟自称，可能暴露身份，需人工判断）"))
        return out

    def author_field(self, part: Part) -> list[Hit]:
        """An unknown person or organisation in an author-like property: unsure."""
        if part.origin not in AUTHOR_ORIGINS:
            return []
        value = norm(part.text)
        if not value or value in GENERIC_AUTHORS or is_placeholder(value):
            return []
        person, org = person_shaped(value), org_shaped(value)
        if person != value and org != value:
            return []
        start = len(part.text) - len(part.text.lstrip())
        end = len(part.text.rstrip())
        what = "人名" if person == value else "单位名称"
        return [Hit(part, start, end, "identity.metadata", self.unsure, "ner", 0.5, None, f"文档属性中的{what}",
                    "（不是已知的申报单位或成员，需人工判断是否暴露身份）")]

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
    return re.compile("(" + "|".join(map(re.escape, words)) + r")(?:[(:：,，]|即|是|为)?")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def dedupe(hits: list[Hit]) -> list[Hit]:
    """One finding per leak and place: the most severe, longest, surest of overlapping hits."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.severity.rank, -(h.end - h.start), -h.score, h.rule != "identity.label")):
        if not any(hit.overlaps(k) for k in kept):
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
                          end=hit.end, origin=part.origin),
        matched=matched,
        target=hit.target,
        method=hit.method,
        score=round(hit.score, 3),
        context=context(part.text, hit.start, hit.end),
    )


def check(ctx: Context) -> Iterator[Finding]:
    engine = ctx.once("identity.engine", lambda: Engine(ctx))
    for doc in ctx.documents:
        certificate = ctx.call.certificate_identity_severity if doc.role is Role.PATENT_CERTIFICATE else None
        for hit in dedupe(engine.scan(doc)):
            yield to_finding(doc, hit, certificate)


__all__ = ["Engine", "check", "person_context", "phone_keys"]
