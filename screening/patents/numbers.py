"""Patent numbers, publication numbers, dates and terms: the values a certificate prints, read
exactly as shared/spec/patents.md says and never corrected.

* §5 `parse_number`: `ZL` + 12 digits (applications from 2003-10-01) or 8 digits (1985–2003),
  `.`, check character (Σ digit × weight 2…9,2,3… mod 11, 10 written X). A `PatentNumber` says
  what is wrong with it (`problem`: MALFORMED, YEAR, TYPE, CHECK_DIGIT) instead of guessing.
* §6 `parse_publication`: `CN` + 7 or 9 digits + kind code (the printed gaps between them may
  come out of OCR as a dot, colon or comma) (B/C/U/Y/S/D a grant, A/A8/A9 an
  application's publication), and whether its leading digit agrees with its kind.
* Dates: `YYYY年M月D日` (spaces allowed, 曰 read as 日 through the lexicon's confusions) and a
  real calendar date, else None. Chinese numerals for the term sentence (二十 → 20).
* §7 terms: invention 20 years, utility model 10, design 15 when filed on/after 2021-06-01 else
  10; the patent lapses on the term's anniversary; 29 February becomes 28 February ([U]).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

from screening.patents.kinds import PatentType
from screening.patents.lexicon import confusions, repairs

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


def trimmed(text: str) -> str:
    """`text` without the punctuation OCR puts at its ends (a speck read as a dot, a quote mark):
    the value's own characters are kept as they are."""
    edge = (lambda ch: ch.isspace() or unicodedata.category(ch).startswith("P"))  # noqa: E731
    start, end = 0, len(text)
    while start < end and edge(text[start]):
        start += 1
    while end > start and edge(text[end - 1]):
        end -= 1
    return text[start:end]


def clean_number(text: str) -> str:
    """§5 normalize(): full-width → half-width, no whitespace, ．·。• → ., upper case, no ZL/CN."""
    s = "".join(unicodedata.normalize("NFKC", text).split()).translate(_DOTS).upper()
    for prefix in ("ZL", "CN"):
        if s.startswith(prefix):
            return s[len(prefix):]
    return s


# The printed groups of a number (`ZL 2020 1 0430096.0`, `ZL 99 1 13861.9`) with what OCR makes of
# the gaps after ZL and between them (a dot, a colon, a comma): the gaps are left out, no character
# is changed (the check character still has to agree).
_GAP = "[.:;,]?"
_PRINTED = re.compile(rf"{_GAP}(?:(\d{{4}}){_GAP}(\d){_GAP}(\d{{7}})\.([0-9X])|(\d{{2}}){_GAP}(\d){_GAP}(\d{{5}})\.([0-9X]))")


def parse_number(text: str, *, today: date | None = None) -> PatentNumber:
    """Read a patent number exactly as §5 says; never corrects it. A gap between its printed groups
    that OCR read as punctuation (`ZL 2004.1 0016873.8`) is a gap (`_PRINTED`); punctuation at its
    ends is no part of it (`trimmed`)."""
    s = clean_number(trimmed(text))
    if (printed := _PRINTED.fullmatch(s)) is not None:
        groups = [g for g in printed.groups() if g is not None]
        body, check = "".join(groups[:3]), groups[3]
    elif "." in s:
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
_PUBLICATION = re.compile(r"CN[.:;,·]?(\d{7}|\d{9})[.:;,·]?([A-Z]\d?)")  # a printed gap OCR read as punctuation


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
    s = "".join(unicodedata.normalize("NFKC", trimmed(text)).split()).upper()
    m = _PUBLICATION.fullmatch(s)
    return Publication(text, m.group(1), m.group(2)) if m else None



# ---------------------------------------------------------------- dates and numerals

_YEAR_MONTH_DAY = ("年", "月", "日")
_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@cache
def _date_pattern() -> re.Pattern[str]:
    y, m, d = (f"[{re.escape(ch + confusions().get(ch, ''))}]" for ch in _YEAR_MONTH_DAY)
    return re.compile(rf"(\d{{4}}){y}(\d{{1,2}}){m}(\d{{1,2}}){d}")


def parse_date(text: str) -> tuple[date | None, bool]:
    """`YYYY年MM月DD日` (spaces allowed, 1–2 digit month/day) → (date, read through an OCR confusion).

    Anything else — a corrupted 月 or 日 (`2020年08 A 244A`), a date that does not exist — is
    (None, False): never a guess. Punctuation at its ends is no part of it (`trimmed`).
    """
    s = "".join(unicodedata.normalize("NFKC", trimmed(text)).split())
    m = _date_pattern().fullmatch(s)
    if m is None:
        return None, False
    try:
        value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None, False
    return value, any(ch in repairs() for ch in m.group(0))


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
