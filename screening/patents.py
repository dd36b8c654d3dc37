"""Patent certificates (专利证书): certificate text → `PatentRecord` (shared/spec/patents.md).

Reading (§3, §4). The input is the certificate's text per page in reading order
(`page_texts(document.parts)`: text layer or OCR alike). It is read line by line:

* a line that starts with one of the certificate's sentences (grant statement, term sentence,
  register notice, annual-fee note; `prose` in lexicons/patent-certificate.tsv) is prose until a
  line ends a sentence; the term sentence (专利权期限为二十年) and the fee date (每年05月20日前)
  are read from the prose;
* a label (`label.*`) — matched with optional spaces between its characters, any of
  `：:;；，,` or nothing after it, and the lexicon's OCR confusions (专利权入 for 专利权人) —
  opens a field; a line may hold two fields (授权公告日… 授权公告号…): a value stops at the next
  label. A label counts at the start of a line, or inside a line when a separator follows it or
  spaces surround it, so 专利权人 inside 专利权人应当依照… never opens a field;
* any other line continues the open field (a wrapped title, a wrapped list of names);
* `第1页（共2页）` page markers give the pages that are missing.

Values. The number is read with §5 exactly (`parse_number`); dates need `YYYY年M月D日` (spaces
allowed, 1–2 digit month and day, 曰 read as 日) and a real calendar date, anything else is None
and a REVIEW, never a guess; the publication number is `CN` + 7 or 9 digits + kind code. Names
are separated by `;`/`；`; at a line wrap without a separator the inventors' list is split (§4:
the separator is dropped at a wrap), the patentees' is not: the lines are joined and the field is
ambiguous (REVIEW).

Rules (§8). `evaluate` checks E1–E9 against the applicant's names and a reference date R; each
gives PASS, FAIL or REVIEW with a reason code, or SKIPPED when the data it needs is not given (it
then does not count). `eligible` is true only when every counted rule passes.

Decisions on the points the spec leaves open ([U]):

* Boundary (E7): R = add_years(F, 15) is eligible ("不少于"); the rule is calendar-based, so
  `years_remaining` (a rounded figure for people) may show 4.99 or 5.0 on that day.
* 29 February: add_years() falls back to 28 February, for the term end as for the E7 cutoff.
* E8 (still in force): the certificate shows the status at registration only and no register
  data is read, so E8 is SKIPPED with code STATUS_UNVERIFIED — reported, not counted
  ("warn-only" in the spec's words, and quieter: no finding, only the block says it).
* E9: application.json carries only `patent.previously_funded`: true → FAIL FUNDED_BEFORE,
  false → PASS, absent → SKIPPED (the core-product link and the absence of disputes are
  declarations in the 承诺书, read by a person).
* E1: a certificate read by OCR is REVIEW (OCR_CONFIRM) — §4: OCR-derived key fields need a
  person's confirmation before PASS. A two-page certificate with a page missing is only noted
  (`missing_pages`): page 1 carries every field the rules need.
* E6: the applicant's aliases count as former names (an exact match after `screening.text.norm`,
  never fuzzy). A patentee field that wraps without a separator is resolved as one name only when
  the joined lines are exactly the applicant's name or a former name; otherwise REVIEW.
* E2: the heading is the primary signal; the number's type digit, the publication number's
  leading digit and kind, the title label (发明名称/实用新型名称/外观设计名称) and the term
  sentence must agree with it, else REVIEW. A pre-1989 number without check digit is malformed
  under §5's algorithm (REVIEW); such a patent has long expired, so E7 fails anyway.
* Switch from the two-page to the one-page layout: both are read, no date is assumed.
* Design terms: 15 years when filed on/after 2021-06-01, else 10 (§7); a design never passes E2.
* Term adjustment / drug extension: ignored (the certificate does not show them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from screening import lexicons
from screening.model import Part, PartKind
from screening.text import norm

LEXICON = "patent-certificate.tsv"


class PatentType(StrEnum):
    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"


TYPE_WORD = {PatentType.INVENTION: "发明", PatentType.UTILITY_MODEL: "实用新型", PatentType.DESIGN: "外观设计"}


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    REVIEW = "REVIEW"
    SKIPPED = "SKIPPED"  # the data the rule needs was not given: reported, not counted


# ---------------------------------------------------------------- §5 patent numbers

TYPE_DIGITS: dict[str, PatentType] = {
    "1": PatentType.INVENTION, "2": PatentType.UTILITY_MODEL, "3": PatentType.DESIGN,
    "8": PatentType.INVENTION, "9": PatentType.UTILITY_MODEL,  # PCT national phase
}
PCT_DIGITS = frozenset("89")
_DOTS = str.maketrans({"．": ".", "·": ".", "。": ".", "•": "."})
FIRST_NEW_FORMAT_YEAR = 2003  # 12-digit numbers from 2003-10-01
FIRST_OLD_FORMAT_YEAR = 1985


def check_char(body: str) -> str:
    """§5: Σ digit × weight (2,3,…,9,2,3,… from the left) mod 11; 10 is written X."""
    remainder = sum(int(d) * (2 + i % 8) for i, d in enumerate(body)) % 11
    return "X" if remainder == 10 else str(remainder)


@dataclass(frozen=True, slots=True)
class PatentNumber:
    """A patent (application) number as §5 reads it. `problem` is None when it is valid."""

    raw: str
    body: str  # the digits before the dot (as read, possibly not digits when malformed)
    check: str  # the character after the dot (or the last one when there is no dot)
    expected: str | None  # the check character the body calls for; None when the body is malformed
    year: int | None
    type_digit: str | None
    problem: str | None  # None | "MALFORMED" | "YEAR" | "TYPE" | "CHECK_DIGIT"

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def normalized(self) -> str:
        """`ZL` + body + `.` + check character, the form the report prints."""
        return f"ZL{self.body}.{self.check}" if self.check else f"ZL{self.body}"

    @property
    def era(self) -> str | None:
        """"new" (12 digits, applications from 2003-10-01) or "old" (8 digits, 1985–2003)."""
        return {12: "new", 8: "old"}.get(len(self.body)) if self.body.isdigit() else None

    @property
    def type(self) -> PatentType | None:
        return TYPE_DIGITS.get(self.type_digit or "")

    @property
    def pct(self) -> bool:
        return (self.type_digit or "") in PCT_DIGITS


def clean_number(text: str) -> str:
    """§5 normalize(): full-width → half-width, no whitespace, ．·。• → ., upper case, no ZL/CN."""
    s = "".join(unicodedata.normalize("NFKC", text).split()).translate(_DOTS).upper()
    for prefix in ("ZL", "CN"):
        if s.startswith(prefix):
            return s[len(prefix):]
    return s


def parse_number(text: str, *, today: date | None = None) -> PatentNumber:
    """Read a patent number exactly as §5 says; never corrects it."""
    s = clean_number(text)
    if "." in s:
        body, _, check = s.partition(".")
    else:
        body, check = s[:-1], s[-1:]
    digits = body.isdigit() and len(body) in (8, 12)
    if not digits or len(check) != 1 or check not in "0123456789X":
        expected = check_char(body) if digits else None
        return PatentNumber(text, body, check, expected, None, None, "MALFORMED")
    expected = check_char(body)
    if len(body) == 12:
        year, type_digit = int(body[:4]), body[4]
        year_ok = FIRST_NEW_FORMAT_YEAR <= year <= (today or date.today()).year
    else:
        yy, type_digit = int(body[:2]), body[2]
        year = (1900 if yy >= 85 else 2000) + yy
        year_ok = FIRST_OLD_FORMAT_YEAR <= year <= FIRST_NEW_FORMAT_YEAR
    problem = None
    if not year_ok:
        problem = "YEAR"
    elif type_digit not in TYPE_DIGITS:
        problem = "TYPE"
    elif check != expected:
        problem = "CHECK_DIGIT"
    return PatentNumber(text, body, check, expected, year, type_digit, problem)


def format_number(number: str) -> str:
    """The printed form: `ZL 2020 1 0430096.0` (new) or `ZL 99 1 13861.9` (old)."""
    s = clean_number(number)
    body, _, check = s.partition(".")
    if len(body) == 12:
        return f"ZL {body[:4]} {body[4]} {body[5:]}.{check}"
    if len(body) == 8:
        return f"ZL {body[:2]} {body[2]} {body[3:]}.{check}"
    return f"ZL {s}"


# ---------------------------------------------------------------- §6 publication numbers

GRANT_KINDS: dict[str, PatentType] = {
    "B": PatentType.INVENTION, "C": PatentType.INVENTION,  # C before about 2010
    "U": PatentType.UTILITY_MODEL, "Y": PatentType.UTILITY_MODEL,
    "S": PatentType.DESIGN, "D": PatentType.DESIGN,
}
APPLICATION_KINDS = frozenset({"A", "A8", "A9"})  # publication of an application: not a grant
LEADING_DIGITS = {"1": PatentType.INVENTION, "2": PatentType.UTILITY_MODEL, "3": PatentType.DESIGN}
_PUBLICATION = re.compile(r"CN(\d{7}|\d{9})([A-Z]\d?)")


@dataclass(frozen=True, slots=True)
class Publication:
    raw: str
    serial: str
    kind: str

    @property
    def normalized(self) -> str:
        return f"CN{self.serial}{self.kind}"

    @property
    def granted(self) -> bool | None:
        """True for a grant's kind (B C U Y S D), False for an application's (A A8 A9), else None."""
        if self.kind in GRANT_KINDS:
            return True
        return False if self.kind in APPLICATION_KINDS else None

    @property
    def leading_type(self) -> PatentType | None:
        return LEADING_DIGITS.get(self.serial[0])

    @property
    def kind_type(self) -> PatentType | None:
        if self.kind in GRANT_KINDS:
            return GRANT_KINDS[self.kind]
        return PatentType.INVENTION if self.kind in APPLICATION_KINDS else None

    @property
    def consistent(self) -> bool:
        """§6: leading digit 1 ↔ B/C (or A), 2 ↔ U/Y, 3 ↔ S/D."""
        return self.leading_type is not None and self.leading_type == self.kind_type


def parse_publication(text: str) -> Publication | None:
    s = "".join(unicodedata.normalize("NFKC", text).split()).upper()
    m = _PUBLICATION.fullmatch(s)
    return Publication(text, m.group(1), m.group(2)) if m else None


# ---------------------------------------------------------------- lexicon-driven patterns

_GAP = r"[ \t\u3000]*"
_SPACES = " \t\u3000"
_SEPARATORS = "：:;；，,"


@cache
def _lexicon() -> dict[str, tuple[str, ...]]:
    return dict(lexicons.table(LEXICON))


@cache
def _confusions() -> dict[str, str]:
    """character → the characters OCR reads instead of it."""
    return {key.removeprefix("confusable."): "".join(words) for key, words in _lexicon().items()
            if key.startswith("confusable.")}


@cache
def _canonical() -> dict[str, str]:
    """A confused character → the character it stands for."""
    return {alt: ch for ch, alts in _confusions().items() for alt in alts}


def _char(ch: str) -> str:
    alts = _confusions().get(ch, "")
    return f"[{re.escape(ch + alts)}]" if alts else re.escape(ch)


def spaced(word: str) -> str:
    """A regex for `word` printed letter-spaced (optional spaces between its characters)."""
    return _GAP.join(_char(ch) for ch in word)


def canonical(text: str) -> str:
    """A matched label without its spaces and with OCR confusions undone."""
    table = _canonical()
    return "".join(table.get(ch, ch) for ch in text if ch not in _SPACES)


@dataclass(frozen=True, slots=True)
class _Words:
    pattern: re.Pattern[str]
    keys: Mapping[str, str]  # canonical variant → key

    def key(self, matched: str) -> str:
        return self.keys[canonical(matched)]


def _words(entries: Iterable[tuple[str, str]]) -> _Words:
    """A pattern over (variant, key) pairs; a later pair overrides an earlier one; longest first."""
    keys: dict[str, str] = {}
    for variant, key in entries:
        keys[variant] = key
    ordered = sorted(keys, key=len, reverse=True)
    return _Words(re.compile("|".join(f"(?:{spaced(v)})" for v in ordered)), keys)


def _prefixed(prefix: str) -> list[tuple[str, str]]:
    return [(word, key.removeprefix(prefix)) for key, words in _lexicon().items()
            if key.startswith(prefix) for word in words]


@cache
def _labels(filing_block: bool) -> _Words:
    """Field labels; inside the two-page layout's filing block, 申请人/发明人 are the filing-time ones."""
    entries = _prefixed("label.")
    if filing_block:
        entries += [(w, k) for w, k in _prefixed("filing.") if k != "marker"]
    return _words(entries)


@cache
def _headings() -> _Words:
    return _words(_prefixed("heading."))


@cache
def _single(key: str) -> re.Pattern[str]:
    words = sorted(_lexicon().get(key, ()), key=len, reverse=True)
    return re.compile("|".join(f"(?:{spaced(w)})" for w in words)) if words else re.compile(r"(?!)")


def _title_types() -> dict[str, PatentType]:
    return {word: PatentType(key) for word, key in _prefixed("title.")}


# ---------------------------------------------------------------- dates, numerals, names

_YEAR_MONTH_DAY = ("年", "月", "日")
_PAGE_MARK = re.compile(r"第(\d+)页[（(]共(\d+)页[）)]")
_SERIAL = re.compile(r"第?(\d+)[号弓]?")
_FEE_DUE = re.compile(r"每年(\d{1,2})月(\d{1,2})[日曰]前")
_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CJK = r"[\u3400-\u9fff]"


@cache
def _date_pattern() -> re.Pattern[str]:
    y, m, d = (f"[{re.escape(ch + _confusions().get(ch, ''))}]" for ch in _YEAR_MONTH_DAY)
    return re.compile(rf"(\d{{4}}){y}(\d{{1,2}}){m}(\d{{1,2}}){d}")


def parse_date(text: str) -> tuple[date | None, bool]:
    """`YYYY年MM月DD日` (spaces allowed, 1–2 digit month/day) → (date, read through an OCR confusion).

    Anything else — a corrupted 月 or 日 (`2020年08 A 244A`), a date that does not exist — is
    (None, False): never a guess.
    """
    s = "".join(unicodedata.normalize("NFKC", text).split())
    m = _date_pattern().fullmatch(s)
    if m is None:
        return None, False
    try:
        value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None, False
    return value, any(ch in _canonical() for ch in m.group(0))


def chinese_number(text: str) -> int | None:
    """一 … 九十九 or digits → int (for the term sentence: 十, 十五, 二十); None when it is not one."""
    s = unicodedata.normalize("NFKC", text).strip()
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _NUMERALS and ch != "十" for ch in s) or s.count("十") > 1:
        return None
    if "十" not in s:
        return _NUMERALS[s] if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


def clean_name(text: str) -> str:
    """A name as printed, without the spaces letter-spacing or OCR put between Chinese characters."""
    s = " ".join(text.split())
    return re.sub(rf"(?<={_CJK}) (?={_CJK})", "", s).strip(" 。.，,")


_NAME_SEPARATOR = re.compile(r"[;；:：]")  # OCR reads ; as ： (no name holds a colon)


def split_names(lines: Sequence[str], *, wrap_separates: bool) -> tuple[tuple[str, ...], bool]:
    """A `;`-separated list of names over one or more lines → (names, ambiguous). `；` and the
    colons OCR makes of `;` separate too.

    At a line wrap without a separator, `wrap_separates` (inventors) starts a new name; otherwise
    (patentees) the lines are joined into one name and the list is ambiguous (§4).
    """
    fragments: list[str] = []
    bounds: list[str] = []  # bounds[k] lies between fragments[k] and fragments[k + 1]
    pending: str | None = None
    for line_index, line in enumerate(lines):
        for piece_index, piece in enumerate(_NAME_SEPARATOR.split(line)):
            if piece_index > 0:
                pending = "separator"
            elif line_index > 0 and pending is None:
                pending = "wrap"
            text = clean_name(piece)
            if not text:
                continue
            if fragments:
                bounds.append(pending or "separator")
            fragments.append(text)
            pending = None
    if not fragments:
        return (), False
    names = [fragments[0]]
    ambiguous = False
    for bound, fragment in zip(bounds, fragments[1:], strict=True):
        if bound == "separator" or wrap_separates:
            names.append(fragment)
        else:
            names[-1] = join_wrapped((names[-1], fragment))
            ambiguous = True
    return tuple(names), ambiguous


def join_wrapped(lines: Iterable[str]) -> str:
    """Lines of one wrapped value joined: no space between Chinese text, one between Latin words."""
    out = ""
    for line in (s.strip() for s in lines):
        if not line:
            continue
        gap = " " if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum() else ""
        out += gap + line
    return out


# ---------------------------------------------------------------- §7 terms

DESIGN_15_YEARS_FROM = date(2021, 6, 1)  # Patent Law art. 42 as amended, in force 2021-06-01
TERM_YEARS = {PatentType.INVENTION: 20, PatentType.UTILITY_MODEL: 10}


def add_years(day: date, years: int) -> date:
    """Same month and day `years` later; 29 February becomes 28 February ([U], §7)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def statutory_term(kind: PatentType, filing: date) -> int:
    """Years of protection from the filing date (Patent Law art. 42(1))."""
    if kind is PatentType.DESIGN:
        return 15 if filing >= DESIGN_15_YEARS_FROM else 10
    return TERM_YEARS[kind]


def lapse_date(filing: date, term: int) -> date:
    """The day the patent lapses: the term's anniversary (no shift for weekends or holidays)."""
    return add_years(filing, term)


def years_between(start: date, end: date) -> float:
    """(end − start) in days / 365.25, rounded to 2 decimals (contract §3)."""
    return round((end - start).days / 365.25, 2)


# ---------------------------------------------------------------- page text


@dataclass(frozen=True, slots=True)
class PageText:
    page: int
    text: str
    confidence: float | None = None  # OCR: the lowest recognition score of the page's parts, where given
    ocr: bool = False  # the text was read by OCR


TEXT_KINDS = frozenset({PartKind.BODY, PartKind.TABLE, PartKind.HEADER, PartKind.FOOTER, PartKind.TEXTBOX,
                        PartKind.IMAGE})
SKIPPED_ORIGINS = frozenset({"deleted", "hidden", "form_field", "annotation", "annotation_author"})
COLUMN_GAP = "    "
OCR_ORIGIN = "ocr"  # Part.origin of text read by screening.parsers.ocr


@dataclass(frozen=True, slots=True)
class _Placed:
    """One line of a part, placed on the page: the part's lines share its box evenly."""

    text: str
    x0: float
    centre: float
    height: float


def _placed(part: Part) -> list[_Placed]:
    assert part.box is not None
    lines = part.text.split("\n")
    x0, top, _, bottom = part.box
    height = max((bottom - top) / len(lines), 1.0)
    return [_Placed(line, x0, top + (i + 0.5) * height, height) for i, line in enumerate(lines)]


def _bare_label(text: str) -> bool:
    return _labels(True).pattern.fullmatch(text.strip(_SPACES + _SEPARATORS)) is not None


def _rows(parts: Iterable[Part]) -> list[str]:
    """Lines in reading order, those sharing a row joined left to right by a column gap.

    OCR groups lines by column (all labels in one paragraph, all values in the next), so rows are
    rebuilt from every line's estimated place. A paragraph's box is the union of its lines, so
    its left edge may belong to another line: within a row, a bare label (专利号：) near the row's
    left edge comes first.
    """
    rows: list[list[_Placed]] = []
    for line in sorted((line for part in parts for line in _placed(part)), key=lambda p: (p.centre, p.x0)):
        if rows and abs(line.centre - rows[-1][0].centre) <= 0.5 * max(line.height, rows[-1][0].height):
            rows[-1].append(line)
        else:
            rows.append([line])
    out = []
    for row in rows:
        left = min(line.x0 for line in row)
        row.sort(key=lambda p: (not (_bare_label(p.text) and p.x0 <= left + 2 * p.height), p.x0))
        out.append(COLUMN_GAP.join(line.text for line in row if line.text.strip()))
    return out


def is_ocr_part(part: Part) -> bool:
    return part.kind is PartKind.IMAGE or part.origin == OCR_ORIGIN or part.confidence is not None


def page_marker(text: str) -> tuple[int, int] | None:
    """The first `第N页（共M页）` line of a page's text: (N, M)."""
    for line in text.splitlines():
        if (mark := _PAGE_MARK.fullmatch("".join(unicodedata.normalize("NFKC", line).split()))) is not None:
            return int(mark.group(1)), int(mark.group(2))
    return None


def page_texts(parts: Iterable[Part]) -> list[PageText]:
    """The certificate's visible text per page, in reading order: by place where every part has a
    box (`_rows`), else in the parser's order. A part repeated at the same place counts once. On a
    page with a text layer, pictures' OCR (a seal, a logo; boxes in pixels) is left out."""
    pages: dict[int, list[Part]] = {}
    seen: set[tuple[object, ...]] = set()
    for part in parts:
        key = (part.page, part.text, part.box)
        if part.kind in TEXT_KINDS and part.origin not in SKIPPED_ORIGINS and part.text.strip() and key not in seen:
            seen.add(key)
            pages.setdefault(part.page or 1, []).append(part)
    out = []
    for page, items in sorted(pages.items()):
        if any(not is_ocr_part(p) for p in items):
            items = [p for p in items if p.kind is not PartKind.IMAGE]
        lines = _rows(items) if all(p.box is not None for p in items) else [p.text for p in items]
        scores = [p.confidence for p in items if p.confidence is not None]
        out.append(PageText(page, "\n".join(lines), min(scores) if scores else None,
                            any(is_ocr_part(p) for p in items)))
    return out


# ---------------------------------------------------------------- scanning lines into fields


@dataclass(frozen=True, slots=True)
class FieldText:
    """One field as printed: its label and its value's lines (the first one after the label)."""

    key: str
    label: str
    lines: tuple[str, ...]
    page: int
    repaired: bool = False  # the label was read through an OCR confusion
    row: int = 0  # the label's line on its page (0-based)
    inline: str = ""  # the value's text on the label's own line

    @property
    def raw(self) -> str:
        return "\n".join(line for line in self.lines if line)

    @property
    def joined(self) -> str:
        return "".join(self.lines)


@dataclass(slots=True)
class _Open:
    key: str
    label: str
    page: int
    repaired: bool
    lines: list[str]
    row: int
    inline: str


@dataclass(slots=True)
class _Scan:
    fields: dict[str, FieldText] = field(default_factory=dict)
    headings: list[tuple[PatentType, int]] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    markers: list[tuple[int, int]] = field(default_factory=list)  # (page number printed, pages in all)
    labels_seen: int = 0

    def close(self, item: _Open | None) -> None:
        if item is not None and item.key not in self.fields:  # the first reading of a field wins
            self.fields[item.key] = FieldText(item.key, item.label, tuple(item.lines), item.page, item.repaired,
                                              item.row, item.inline)


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int  # after the separator
    key: str
    label: str
    repaired: bool


def _ends_sentence(line: str) -> bool:
    return line.rstrip(" ”’）)").endswith(("。", "．", "."))


def _label_hits(line: str, words: _Words) -> list[_Hit]:
    lead = len(line) - len(line.lstrip(_SPACES))
    hits = []
    for m in words.pattern.finditer(line):
        after = line[m.end():]
        rest = after.lstrip(_SPACES)
        separated = bool(rest) and rest[0] in _SEPARATORS
        spaced_after = not after or after[0] in _SPACES
        key = words.key(m.group())
        if m.start() == lead:  # a short label (地址, 局长) needs something that is not a Chinese character after it
            ok = separated or spaced_after or len(canonical(m.group())) >= 3 or not re.match(_CJK, rest)
        else:
            ok = separated or (line[m.start() - 1] in _SPACES and spaced_after)
        if ok:
            end = m.end() + (len(after) - len(rest)) + (1 if separated else 0)
            end += len(line[end:]) - len(line[end:].lstrip(_SPACES))
            repaired = canonical(m.group()) != "".join(ch for ch in m.group() if ch not in _SPACES)
            hits.append(_Hit(m.start(), end, key, m.group(), repaired))
    return hits


def _strict_label_at_start(line: str) -> bool:
    hits = _label_hits(line, _labels(False))
    if not hits or hits[0].start != len(line) - len(line.lstrip(_SPACES)):
        return False
    return any(ch in _SEPARATORS for ch in line[hits[0].start:hits[0].end])


def _blank_headings(line: str, scan: _Scan, page: int) -> str:
    words = _headings()
    for m in words.pattern.finditer(line):
        scan.headings.append((PatentType(words.key(m.group())), page))
    return words.pattern.sub(lambda m: " " * len(m.group()), line)


def _scan(pages: Sequence[PageText]) -> _Scan:
    scan = _Scan()
    prose_start = _single("prose")
    filing_marker = _single("filing.marker")
    for page in pages:
        in_prose = in_filing = False
        current: _Open | None = None
        for row, raw_line in enumerate(page.text.splitlines()):
            line = raw_line.strip(_SPACES + "\r")
            if not line:
                continue
            compact = "".join(unicodedata.normalize("NFKC", line).split())
            if (mark := _PAGE_MARK.fullmatch(compact)) is not None:
                scan.markers.append((int(mark.group(1)), int(mark.group(2))))
                scan.close(current)
                current = None
                continue
            if in_prose and not _strict_label_at_start(line):
                scan.prose.append(line)
                in_prose = not _ends_sentence(line)
                continue
            in_prose = False
            if prose_start.match(line):
                scan.close(current)
                current = None
                scan.prose.append(line)
                in_prose = not _ends_sentence(line)
                continue
            if filing_marker.search(line):
                scan.close(current)
                current = None
                in_filing = True
                continue
            line = _blank_headings(line, scan, page.page)
            hits = _label_hits(line, _labels(in_filing))
            before = line[: hits[0].start if hits else len(line)].strip(_SPACES)
            if before and current is not None:
                current.lines.append(before)
            for index, hit in enumerate(hits):
                scan.close(current)
                scan.labels_seen += 1
                stop = hits[index + 1].start if index + 1 < len(hits) else len(line)
                value = line[hit.end:stop].strip(_SPACES)
                current = _Open(hit.key, hit.label, page.page, hit.repaired, [value] if value else [], row, value)
        scan.close(current)
    return scan


# ---------------------------------------------------------------- the certificate as read


@dataclass(frozen=True, slots=True)
class Certificate:
    """What the certificate says (§3), each value None (or empty) when it could not be read."""

    fields: Mapping[str, FieldText]
    headings: tuple[PatentType, ...]
    title_label_type: PatentType | None
    number: PatentNumber | None
    publication: Publication | None
    serial: str | None
    title: str | None
    inventors: tuple[str, ...]
    patentees: tuple[str, ...]
    patentees_ambiguous: bool
    address: str | None
    filing_date: date | None
    grant_date: date | None
    filing_applicants: tuple[str, ...]
    filing_inventors: tuple[str, ...]
    term_stated: int | None  # the term sentence's years
    fee_due: tuple[int, int] | None  # (month, day) of the annual-fee note
    not_granted: str | None  # words of an application's papers (受理通知书 …) found
    pages_total: int | None
    missing_pages: tuple[int, ...]
    labels_seen: int
    ocr: bool
    repaired: frozenset[str]  # fields read through an OCR confusion, or taken from their row (`rebound`)
    rebound: frozenset[str] = frozenset()  # typed fields whose value stood elsewhere on their row
    page_confidence: Mapping[int, float] = field(default_factory=dict)  # OCR scores by page

    @property
    def heading_type(self) -> PatentType | None:
        return self.headings[0] if self.headings else None

    @property
    def type(self) -> PatentType | None:
        """The heading's type (the primary signal), else the number's, else the publication's."""
        if self.heading_type is not None:
            return self.heading_type
        if self.number is not None and self.number.type is not None:
            return self.number.type
        if self.publication is not None and self.publication.consistent:
            return self.publication.kind_type
        return self.title_label_type

    def present(self, key: str) -> bool:
        return key in self.fields and bool(self.fields[key].joined.strip())

    def page_of(self, key: str) -> int | None:
        return self.fields[key].page if key in self.fields else None


def typed_value(fields: Mapping[str, FieldText], key: str, fits: Callable[[str], bool]) -> tuple[str | None, bool]:
    """The text of a typed field (number, publication number, date) → (text, taken from its row).

    The field's own value when it fits its type; else the one chunk (between column gaps) of the
    field's row — its own and other labels' values on that line — that fits: OCR may put a short
    value in a neighbouring paragraph, so a row can read `授权公告日： CN 2086…U 2019年01月18日
    授权公告号：`. Several or no fitting chunks: None. Characters are never changed.
    """
    own = fields.get(key)
    if own is None:
        return None, False
    if own.joined.strip() and fits(own.joined):
        return own.joined, False
    row = [f for f in fields.values() if f.page == own.page and f.row == own.row]
    chunks = [chunk for f in row for chunk in f.inline.split(COLUMN_GAP) if chunk.strip()]
    fitting = [chunk for chunk in chunks if fits(chunk)]
    return (fitting[0], True) if len(fitting) == 1 else (None, False)


def _number_fits(text: str) -> bool:
    return parse_number(text).problem != "MALFORMED"


def _date_fits(text: str) -> bool:
    return parse_date(text)[0] is not None


def _publication_fits(text: str) -> bool:
    return parse_publication(text) is not None


def _typed(fields: Mapping[str, FieldText], key: str, fits: Callable[[str], bool], rebound: set[str]) -> str | None:
    text, moved = typed_value(fields, key, fits)
    if moved:
        rebound.add(key)
    return text


def _date_field(fields: Mapping[str, FieldText], key: str, repaired: set[str], rebound: set[str]) -> date | None:
    text = _typed(fields, key, _date_fits, rebound)
    if text is None:
        return None
    value, confused = parse_date(text)
    if confused:
        repaired.add(key)
    return value


def read_certificate(pages: Sequence[PageText], *, ocr: bool = False, today: date | None = None) -> Certificate:
    """Read a certificate's text (one `PageText` per page, in reading order) into its fields."""
    scan = _scan(pages)
    fields = scan.fields
    repaired = {key for key, f in fields.items() if f.repaired}
    rebound: set[str] = set()
    number_text = _typed(fields, "number", _number_fits, rebound)
    if number_text is None and "number" in fields and fields["number"].joined.strip():
        number_text = fields["number"].joined  # malformed as printed: E3 says so
    number = parse_number(number_text, today=today) if number_text else None
    publication_text = _typed(fields, "publication", _publication_fits, rebound)
    publication = parse_publication(publication_text) if publication_text else None
    serial = None
    if "serial" in fields and (m := _SERIAL.fullmatch("".join(fields["serial"].joined.split()))) is not None:
        serial = m.group(1)
    title_label_type = _title_types().get(canonical(fields["title"].label)) if "title" in fields else None
    patentees, ambiguous = split_names(fields["patentees"].lines, wrap_separates=False) \
        if "patentees" in fields else ((), False)
    prose = "".join("".join(unicodedata.normalize("NFKC", line).split()) for line in scan.prose)
    term = re.search(r"专利权期限为([0-9一二三四五六七八九十两〇零]+)年", prose)
    fee = _FEE_DUE.search(prose)
    everything = "\n".join(p.text for p in pages)
    not_granted = _single("not_granted").search(everything)
    total = max((t for _, t in scan.markers), default=None)
    seen = {n for n, _ in scan.markers}
    missing = tuple(n for n in range(1, total + 1) if n not in seen) if total is not None else ()
    return Certificate(
        fields=dict(fields),
        headings=tuple(dict.fromkeys(t for t, _ in scan.headings)),
        title_label_type=title_label_type,
        number=number,
        publication=publication,
        serial=serial,
        title=(join_wrapped(fields["title"].lines) or None) if "title" in fields else None,
        inventors=split_names(fields["inventors"].lines, wrap_separates=True)[0] if "inventors" in fields else (),
        patentees=patentees,
        patentees_ambiguous=ambiguous,
        address=(join_wrapped(fields["address"].lines) or None) if "address" in fields else None,
        filing_date=_date_field(fields, "filing_date", repaired, rebound),
        grant_date=_date_field(fields, "grant_date", repaired, rebound),
        filing_applicants=split_names(fields["filing_applicants"].lines, wrap_separates=False)[0]
        if "filing_applicants" in fields else (),
        filing_inventors=split_names(fields["filing_inventors"].lines, wrap_separates=True)[0]
        if "filing_inventors" in fields else (),
        term_stated=chinese_number(term.group(1)) if term else None,
        fee_due=(int(fee.group(1)), int(fee.group(2))) if fee else None,
        not_granted=not_granted.group() if not_granted else None,
        pages_total=total,
        missing_pages=missing,
        labels_seen=scan.labels_seen,
        ocr=ocr,
        repaired=frozenset(repaired | rebound),
        rebound=frozenset(rebound),
        page_confidence={p.page: p.confidence for p in pages if p.confidence is not None},
    )


# ---------------------------------------------------------------- §8 rules


@dataclass(frozen=True, slots=True)
class Policy:
    """The call's patent rules (pipelines/<call>.yaml `patent:`)."""

    min_years_remaining: float = 5
    require_invention: bool = True
    require_sole_owner: bool = True
    require_owner_is_applicant: bool = True


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str  # "E1" … "E9"
    outcome: Outcome
    code: str  # reason code, e.g. "NOT_INVENTION"
    reason: str  # for people, Chinese
    field: str | None = None  # the certificate field the result is about

    @property
    def counted(self) -> bool:
        return self.outcome is not Outcome.SKIPPED

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "result": self.outcome.value, "code": self.code,
                               "reason": self.reason}
        if self.field:
            out["field"] = self.field
        return out


OCR_CONFIDENCE = 0.5  # an OCR-read field needs a person's confirmation (§4)
REPAIRED_FACTOR = 0.8  # a label or date read through a known OCR confusion


@dataclass(frozen=True, slots=True)
class PatentRecord:
    """A certificate, its term, and the eligibility rules E1–E9 at a reference date."""

    certificate: Certificate
    reference_date: date
    term_years: int | None
    lapse_date: date | None  # the patent lapses on this day (the term's anniversary)
    expiry_date: date | None  # the last day in force (contract §3)
    years_remaining: float | None
    rules: tuple[RuleResult, ...]

    @property
    def outcome(self) -> Outcome:
        counted = [r.outcome for r in self.rules if r.counted]
        if Outcome.FAIL in counted:
            return Outcome.FAIL
        return Outcome.REVIEW if Outcome.REVIEW in counted else Outcome.PASS

    @property
    def eligible(self) -> bool:
        return self.outcome is Outcome.PASS

    def rule(self, rule: str) -> RuleResult:
        return next(r for r in self.rules if r.rule == rule)

    def confidence(self, key: str) -> float:
        """1 for the text layer; for OCR the page's recognition score (else `OCR_CONFIDENCE`); lower
        for a field read through a known OCR confusion."""
        c = self.certificate
        value = 1.0
        if c.ocr:
            page = c.page_of(key)
            value = c.page_confidence.get(page, OCR_CONFIDENCE) if page is not None else OCR_CONFIDENCE
        return round(value * (REPAIRED_FACTOR if key in c.repaired else 1.0), 2)

    def to_block(self) -> dict[str, Any]:
        """The report's `patent` block: the contract §3 fields, then extras."""
        c = self.certificate
        number = c.number
        iso = (lambda d: d.isoformat() if d else None)  # noqa: E731
        return {
            "number": number.normalized if number else None,
            "type": c.type.value if c.type else None,
            "title": c.title,
            "patentees": list(c.patentees),
            "inventors": list(c.inventors),
            "filing_date": iso(c.filing_date),
            "grant_date": iso(c.grant_date),
            "expiry_date": iso(self.expiry_date),
            "years_remaining": self.years_remaining,
            "reference_date": self.reference_date.isoformat(),
            "check_digit_ok": number.valid if number else None,
            "eligible": self.eligible,
            "result": self.outcome.value,
            "number_check": {"era": number.era, "type_digit": number.type_digit, "pct": number.pct,
                             "check": number.check, "expected": number.expected, "problem": number.problem}
            if number else None,
            "publication_number": c.publication.normalized if c.publication else None,
            "certificate_serial": c.serial,
            "address": c.address,
            "term_years": self.term_years,
            "lapse_date": iso(self.lapse_date),
            "filing_applicants": list(c.filing_applicants),
            "filing_inventors": list(c.filing_inventors),
            "patentees_ambiguous": c.patentees_ambiguous,
            "ocr": c.ocr,
            "pages": c.pages_total,
            "missing_pages": list(c.missing_pages),
            "rules": [r.to_json() for r in self.rules],
            "fields": {key: {"raw": f.raw, "page": f.page, "confidence": self.confidence(key),
                             **({"from_row": True} if key in c.rebound else {})}
                       for key, f in sorted(c.fields.items())},
        }


def _e1(c: Certificate) -> RuleResult:
    if c.labels_seen < 2 and not c.headings:
        return RuleResult("E1", Outcome.REVIEW, "UNREADABLE",
                          "证书中未能读出专利号、申请日、专利权人等栏目（无文字层或无法识别），需人工查看")
    if c.fee_due is not None and c.filing_date is not None and (c.filing_date.month, c.filing_date.day) != c.fee_due:
        month, day = c.fee_due
        return RuleResult("E1", Outcome.REVIEW, "FEE_DATE_MISMATCH",
                          f"专利申请日{c.filing_date:%m月%d日}与年费缴纳日“每年{month:02d}月{day:02d}日”不一致，"
                          "申请日可能识别有误，需核对原件", "filing_date")
    if c.ocr:
        return RuleResult("E1", Outcome.REVIEW, "OCR_CONFIRM",
                          "证书为扫描件，专利号、日期和专利权人由OCR识别，需人工核对后方可确认")
    return RuleResult("E1", Outcome.PASS, "READABLE", "证书文字可读")


def _type_signals(c: Certificate) -> dict[str, PatentType]:
    signals: dict[str, PatentType] = {}
    if c.heading_type is not None:
        signals["证书标题"] = c.heading_type
    if c.number is not None and c.number.type is not None:
        signals["专利号类型位"] = c.number.type
    if c.publication is not None and c.publication.consistent and c.publication.kind_type is not None:
        signals["授权公告号"] = c.publication.kind_type
    if c.title_label_type is not None:
        signals["名称栏目"] = c.title_label_type
    return signals


def _term_fits(kind: PatentType, years: int) -> bool:
    return years == 20 if kind is PatentType.INVENTION else years == 10 if kind is PatentType.UTILITY_MODEL \
        else years in (10, 15)


def _e2(c: Certificate, policy: Policy) -> RuleResult:
    signals = _type_signals(c)
    problems = [f"{name}为{TYPE_WORD[kind]}" for name, kind in signals.items()]
    if len(c.headings) > 1:
        problems.append("证书出现多个类型标题")
    if c.publication is not None and not c.publication.consistent:
        problems.append(f"授权公告号{c.publication.normalized}的首位数字与类型代码不符")
    kinds = set(signals.values()) | (set(c.headings) if len(c.headings) > 1 else set())
    kind = c.type
    if not kinds:
        return RuleResult("E2", Outcome.REVIEW, "TYPE_UNREADABLE", "未能读出专利类型（证书标题、专利号均不可读）", "number")
    term_conflict = c.term_stated is not None and kind is not None and not _term_fits(kind, c.term_stated)
    if len(kinds) > 1 or term_conflict or (c.publication is not None and not c.publication.consistent):
        detail = "；".join(problems + ([f"期限语句为{c.term_stated}年"] if term_conflict else []))
        return RuleResult("E2", Outcome.REVIEW, "TYPE_CONFLICT", f"专利类型信号不一致（{detail}），需人工核对", "number")
    assert kind is not None
    if not policy.require_invention:
        return RuleResult("E2", Outcome.SKIPPED, "NOT_REQUIRED", f"本指南不限专利类型（证书为{TYPE_WORD[kind]}专利）")
    if kind is not PatentType.INVENTION:
        return RuleResult("E2", Outcome.FAIL, "NOT_INVENTION",
                          f"证书为{TYPE_WORD[kind]}专利证书（{'；'.join(problems)}），发明专利产业化项目须为发明专利",
                          "number")
    return RuleResult("E2", Outcome.PASS, "INVENTION", f"发明专利（{'；'.join(problems)}）")


def _e3(c: Certificate) -> RuleResult:
    n = c.number
    if n is None:
        return RuleResult("E3", Outcome.REVIEW, "NUMBER_UNREADABLE", "未能读出专利号", "number")
    shown = " ".join(n.raw.split())
    if n.problem == "CHECK_DIGIT":
        return RuleResult("E3", Outcome.REVIEW, "CHECK_DIGIT",
                          f"专利号{shown}的校验位为{n.check}，按专利号校验规则应为{n.expected}"
                          "（常见于识别或录入错误），请核对原件或重新上传", "number")
    if n.problem == "YEAR":
        return RuleResult("E3", Outcome.REVIEW, "MALFORMED", f"专利号{shown}中的年份{n.year}不可能出现", "number")
    if n.problem == "TYPE":
        return RuleResult("E3", Outcome.REVIEW, "MALFORMED", f"专利号{shown}的类型位“{n.type_digit}”不存在", "number")
    if n.problem == "MALFORMED":
        return RuleResult("E3", Outcome.REVIEW, "MALFORMED",
                          f"专利号“{shown}”格式不正确（应为ZL+8或12位数字+“.”+校验位）", "number")
    return RuleResult("E3", Outcome.PASS, "VALID", f"专利号{n.normalized}校验位正确")


def _e4(c: Certificate, reference: date) -> RuleResult:
    if c.not_granted is not None:
        return RuleResult("E4", Outcome.FAIL, "NOT_GRANTED", f"上传的是“{c.not_granted}”，不是授权的专利证书")
    pub = c.publication
    if pub is not None and pub.granted is False:
        return RuleResult("E4", Outcome.FAIL, "NOT_GRANTED",
                          f"公告号{pub.normalized}为申请公布号（{pub.kind}类），专利尚未授权", "publication")
    if "publication" in c.fields and pub is None:
        return RuleResult("E4", Outcome.REVIEW, "PUBLICATION_UNREADABLE",
                          f"授权公告号“{c.fields['publication'].raw}”无法识别", "publication")
    if pub is not None and pub.granted is None:
        return RuleResult("E4", Outcome.REVIEW, "PUBLICATION_KIND",
                          f"授权公告号{pub.normalized}的类型代码{pub.kind}不是授权公告（可能为更正或部分无效公告）",
                          "publication")
    if c.grant_date is None:
        return RuleResult("E4", Outcome.REVIEW, "GRANT_DATE_UNREADABLE", "未能读出授权公告日", "grant_date")
    if c.filing_date is not None and c.grant_date < c.filing_date:
        return RuleResult("E4", Outcome.REVIEW, "DATES_INCONSISTENT",
                          f"授权公告日{c.grant_date.isoformat()}早于专利申请日{c.filing_date.isoformat()}，需核对",
                          "grant_date")
    if c.grant_date > reference:
        return RuleResult("E4", Outcome.REVIEW, "GRANT_AFTER_REFERENCE",
                          f"授权公告日{c.grant_date.isoformat()}晚于参考日{reference.isoformat()}", "grant_date")
    return RuleResult("E4", Outcome.PASS, "GRANTED", f"已于{c.grant_date.isoformat()}授权公告")


def _owner_match(patentees: Sequence[str], owners: Sequence[str]) -> bool:
    keys = {norm(o) for o in owners if o.strip()}
    return bool(patentees) and all(norm(p) in keys for p in patentees)


def _e5(c: Certificate, policy: Policy, owners: Sequence[str] | None) -> RuleResult:
    if not policy.require_sole_owner:
        return RuleResult("E5", Outcome.SKIPPED, "NOT_REQUIRED", "本指南不要求独有专利权")
    if not c.patentees:
        return RuleResult("E5", Outcome.REVIEW, "PATENTEE_UNREADABLE", "未能读出专利权人", "patentees")
    if c.patentees_ambiguous and not (owners and _owner_match(c.patentees, owners)):
        return RuleResult("E5", Outcome.REVIEW, "AMBIGUOUS_WRAP",
                          f"专利权人栏跨行且无分隔符（“{c.fields['patentees'].raw}”），无法确定是一个还是多个专利权人",
                          "patentees")
    if len(c.patentees) > 1:
        return RuleResult("E5", Outcome.FAIL, "NOT_SOLE",
                          f"专利权人有{len(c.patentees)}个（{'；'.join(c.patentees)}），不是申报单位独有", "patentees")
    note = "（跨行的名称与申报单位名称一致，按一个专利权人计）" if c.patentees_ambiguous else ""
    return RuleResult("E5", Outcome.PASS, "SOLE", f"专利权人唯一：{c.patentees[0]}{note}")


def _e6(c: Certificate, policy: Policy, owners: Sequence[str] | None) -> RuleResult:
    if not policy.require_owner_is_applicant:
        return RuleResult("E6", Outcome.SKIPPED, "NOT_REQUIRED", "本指南不要求专利权人为申报单位")
    if owners is None:
        return RuleResult("E6", Outcome.SKIPPED, "NO_APPLICANT", "未提供申报单位，未核对专利权人")
    if not c.patentees:
        return RuleResult("E6", Outcome.REVIEW, "PATENTEE_UNREADABLE", "未能读出专利权人", "patentees")
    if _owner_match(c.patentees, owners):
        former = not _owner_match(c.patentees, owners[:1])
        note = "（与申报单位曾用名一致，需提供更名证明）" if former else ""
        return RuleResult("E6", Outcome.PASS, "OWNER_IS_APPLICANT", f"专利权人为申报单位{note}")
    others = [p for p in c.patentees if norm(p) not in {norm(o) for o in owners}]
    return RuleResult("E6", Outcome.REVIEW, "OWNER_MISMATCH",
                      f"专利权人“{'；'.join(others)}”与申报单位“{owners[0]}”不一致"
                      "（如系更名或转让，需提供专利登记簿副本等证明）", "patentees")


def _cutoff(filing: date, term: int, min_years: float, lapse: date) -> date:
    """The last reference date with at least `min_years` left: add_years(F, term − min) (§8 E7)."""
    if float(min_years).is_integer():
        return add_years(filing, term - int(min_years))
    return lapse - timedelta(days=round(min_years * 365.25))


def _e7(c: Certificate, policy: Policy, reference: date, term: int | None) -> RuleResult:
    if c.filing_date is None:
        shown = f"“{c.fields['filing_date'].raw}”" if c.present("filing_date") else ""
        return RuleResult("E7", Outcome.REVIEW, "FILING_DATE_UNREADABLE", f"未能读出专利申请日{shown}，无法计算保护期",
                          "filing_date")
    if term is None:
        return RuleResult("E7", Outcome.REVIEW, "TERM_UNKNOWN", "专利类型不明，无法确定保护期", "filing_date")
    lapse = lapse_date(c.filing_date, term)
    expiry = lapse - timedelta(days=1)
    left = years_between(reference, expiry)
    if reference >= lapse:
        return RuleResult("E7", Outcome.FAIL, "EXPIRED",
                          f"专利权保护期（申请日{c.filing_date.isoformat()}起{term}年）已于{expiry.isoformat()}届满",
                          "filing_date")
    cutoff = _cutoff(c.filing_date, term, policy.min_years_remaining, lapse)
    minimum = f"{policy.min_years_remaining:g}"
    if reference > cutoff:
        return RuleResult("E7", Outcome.FAIL, "TERM_SHORT",
                          f"保护期至{expiry.isoformat()}届满，参考日{reference.isoformat()}距法定期限到期约{left}年，"
                          f"不足{minimum}年（须在{cutoff.isoformat()}前申报）", "filing_date")
    return RuleResult("E7", Outcome.PASS, "TERM_OK",
                      f"保护期至{expiry.isoformat()}，距法定期限到期约{left}年，不少于{minimum}年")


def _e9(previously_funded: bool | None) -> RuleResult:
    if previously_funded is None:
        return RuleResult("E9", Outcome.SKIPPED, "NO_DECLARATION",
                          "与主导产品的关联、无权属纠纷、未获产业化资助等声明需人工核对承诺书")
    if previously_funded:
        return RuleResult("E9", Outcome.FAIL, "FUNDED_BEFORE", "该专利已获得过产业化项目资助，不得重复申报")
    return RuleResult("E9", Outcome.PASS, "NOT_FUNDED_BEFORE", "申报书声明该专利未获产业化资助（关联与纠纷声明需人工核对）")


E8_UNVERIFIED = RuleResult("E8", Outcome.SKIPPED, "STATUS_UNVERIFIED",
                           "证书仅记载登记时的状态；专利权是否仍有效（年费、放弃、无效）需查询专利登记簿")


def evaluate(
    certificate: Certificate,
    *,
    reference: date,
    policy: Policy = Policy(),
    owners: Sequence[str] | None = None,
    previously_funded: bool | None = None,
) -> PatentRecord:
    """Check E1–E9 (§8) at reference date R. `owners`: the applicant's name then its former names
    (None: no applicant known, E6 is skipped)."""
    c = certificate
    kind = c.type
    if kind is not None and c.filing_date is not None:
        term: int | None = statutory_term(kind, c.filing_date)
    else:
        term = c.term_stated
    lapse = lapse_date(c.filing_date, term) if c.filing_date is not None and term is not None else None
    expiry = lapse - timedelta(days=1) if lapse is not None else None
    rules = (
        _e1(c),
        _e2(c, policy),
        _e3(c),
        _e4(c, reference),
        _e5(c, policy, owners),
        _e6(c, policy, owners),
        _e7(c, policy, reference, term),
        E8_UNVERIFIED,
        _e9(previously_funded),
    )
    return PatentRecord(
        certificate=c,
        reference_date=reference,
        term_years=term,
        lapse_date=lapse,
        expiry_date=expiry,
        years_remaining=years_between(reference, expiry) if expiry is not None else None,
        rules=rules,
    )


__all__ = [
    "Certificate", "FieldText", "Outcome", "PageText", "PatentNumber", "PatentRecord", "PatentType", "Policy",
    "Publication", "RuleResult", "add_years", "check_char", "chinese_number", "evaluate", "format_number",
    "page_texts", "parse_date", "parse_number", "parse_publication", "read_certificate", "split_names",
    "statutory_term",
]
