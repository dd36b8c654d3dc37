"""Contact details in text: mobile and landline numbers, e-mail addresses, unified social credit
codes (GB 32100, checked with python-stdnum) and resident ID numbers (GB 11643).

Numbers that only look like phones are not phones: a standard (GB/T 12345-2019), a patent number
(ZL201510123456.1), a date or an amount. The finders run on text where only the width of
characters was normalised (spaces kept), because a space is what separates two numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum.cn import ric, uscc


class Kind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    EMAIL = "email"
    CREDIT_CODE = "credit_code"
    ID_NUMBER = "id_number"
    DIGITS = "digits"  # a bare 7–8 digit number: a phone's local part only when it equals a known one


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: Kind
    start: int
    end: int
    key: str  # digits of a phone, lower-case e-mail, upper-case code
    valid: bool = True  # a code's check character holds; a bare number is never valid on its own


_NOT_BEFORE = r"(?<![0-9A-Za-z.@_/\-])"
_NOT_AFTER = r"(?![0-9A-Za-z@_])"
_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.EMAIL, re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")),
    (Kind.ID_NUMBER, re.compile(_NOT_BEFORE + r"\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]" + _NOT_AFTER)),
    (Kind.CREDIT_CODE, re.compile(_NOT_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}" + _NOT_AFTER)),
    (Kind.MOBILE, re.compile(_NOT_BEFORE + r"(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}" + _NOT_AFTER)),
    (Kind.LANDLINE, re.compile(_NOT_BEFORE + r"(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[ \-－—])[ ]?\d{7,8}(?:[ \-]?(?:转|ext\.?)\s?\d{1,5})?" + _NOT_AFTER)),
    (Kind.DIGITS, re.compile(r"(?<![0-9A-Za-z.\-/])\d{7,8}(?![0-9A-Za-z.])")),
)
# words right before a number that make it something other than a phone
_NOT_A_PHONE = re.compile(r"(?:GB|GB/T|GB/Z|HG/T|JB/T|ISO|IEC|ZL|CN|专利号|标准号|编号|证书号|合同号|批准号|No\.?|NO\.?)\s*$")


def find(text: str) -> list[Candidate]:
    """Every contact-like string, with its canonical key; codes only when their check digit holds."""
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(s < end and start < e for s, e in taken):
                continue
            raw = m.group(0)
            valid = True
            if kind is Kind.EMAIL:
                key = raw.lower()
            elif kind is Kind.CREDIT_CODE:
                key = raw.upper()
                valid = uscc.is_valid(key)
            elif kind is Kind.ID_NUMBER:
                key = raw.upper()
                valid = ric.is_valid(key)
                if not valid and uscc.is_valid(key):  # an all-digit credit code shaped like a date
                    kind, valid = Kind.CREDIT_CODE, True
            elif kind is Kind.DIGITS:
                key, valid = raw, False
            else:
                if _NOT_A_PHONE.search(text[max(0, start - 8) : start]):
                    continue
                key = re.sub(r"\D", "", raw.split("转")[0].split("ext")[0])
                if kind is Kind.MOBILE and key.startswith("86") and len(key) == 13:
                    key = key[2:]
            out.append(Candidate(kind, start, end, key, valid))  # an invalid code may still be a known one
            taken.append((start, end))
    return sorted(out, key=lambda c: c.start)


def phone_keys_of(candidate: Candidate) -> list[str]:
    """The keys a found phone is compared under: the number, and a landline's local part."""
    keys = [candidate.key]
    if candidate.kind is Kind.LANDLINE:
        for area in (3, 4):
            local = candidate.key[area:]
            if 7 <= len(local) <= 8:
                keys.append(local)
    return keys
