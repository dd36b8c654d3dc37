"""A certificate's page texts → `Certificate`: what it says, each value read exactly or None.

`read_certificate` scans the lines into fields (`fields.scan`), then reads each value:

* the patent number with §5 exactly (`numbers.parse_number`), the publication number with §6;
  dates need `YYYY年M月D日` and a real calendar date — anything else is None and a REVIEW later,
  never a guess. OCR may put a short value in a neighbouring column: a typed field whose own
  value does not fit its type takes the one chunk of its row that does (`typed_value`; the field
  is then `rebound`, and counted as repaired);
* names are separated by `;`/`；` (and the colons OCR makes of `;`). At a line wrap without a
  separator the inventors' list is split (§4: the separator is dropped at a wrap), the
  patentees' is not: the lines are joined and the field is ambiguous (REVIEW in E5);
* a wrapped title or address is joined (no space between Chinese text, one between Latin words);
* from the prose: the term sentence (专利权期限为二十年) and the annual-fee date (每年05月20日前);
* words of an application's papers (受理通知书 …) anywhere: the upload is not a grant;
* `第1页（共2页）` markers give the pages that are missing;
* `Certificate.confidence(key)`: how sure a field's reading is (1 for a text layer, the OCR score of
  its lines for a scan), which E1 weighs.

Punctuation OCR puts at a typed value's ends, or in the printed gaps of a number, is no part of it
(`numbers.trimmed`, `numbers.parse_number`); its characters are never changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from screening.patents.fields import FieldText, scan
from screening.patents.kinds import PatentType
from screening.patents.lexicon import CJK, canonical, phrase, title_types
from screening.patents.numbers import (
    PatentNumber,
    Publication,
    chinese_number,
    parse_date,
    parse_number,
    parse_publication,
)
from screening.patents.pages import COLUMN_GAP, PageText
from screening.patents.thresholds import thresholds

_SERIAL = re.compile(r"第?(\d+)[号弓]?")
_FEE_DUE = re.compile(r"每年(\d{1,2})月(\d{1,2})[日曰]前")
_TERM = re.compile(r"专利权期限为([0-9一二三四五六七八九十两〇零]+)年")


# ---------------------------------------------------------------- names and wrapped values


def clean_name(text: str) -> str:
    """A name as printed, without the spaces letter-spacing or OCR put between Chinese characters."""
    s = " ".join(text.split())
    return re.sub(rf"(?<={CJK}) (?={CJK})", "", s).strip(" 。.，,")


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

    def confidence(self, key: str) -> float:
        """How sure the reading of field `key` is: 1 for the text layer; for OCR the lowest score of
        the lines it was read from, else its page's score, else `ocr_confidence`; times
        `repaired_factor` when read through a known OCR confusion or taken from its row (the
        numbers in lexicons/patent-reading.tsv)."""
        numbers = thresholds()
        value = 1.0
        if self.ocr:
            own = self.fields[key].confidence if key in self.fields else None
            page = self.page_of(key)
            value = own if own is not None else \
                self.page_confidence.get(page, numbers.ocr_confidence) if page is not None else numbers.ocr_confidence
        return round(value * (numbers.repaired_factor if key in self.repaired else 1.0), 2)

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
    found = scan(pages)
    fields = found.fields
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
    title_label_type = title_types().get(canonical(fields["title"].label)) if "title" in fields else None
    patentees, ambiguous = split_names(fields["patentees"].lines, wrap_separates=False) \
        if "patentees" in fields else ((), False)
    prose = "".join("".join(unicodedata.normalize("NFKC", line).split()) for line in found.prose)
    term = _TERM.search(prose)
    fee = _FEE_DUE.search(prose)
    everything = "\n".join(p.text for p in pages)
    not_granted = phrase("not_granted").search(everything)
    total = max((t for _, t in found.markers), default=None)
    seen = {n for n, _ in found.markers}
    missing = tuple(n for n in range(1, total + 1) if n not in seen) if total is not None else ()
    return Certificate(
        fields=dict(fields),
        headings=tuple(dict.fromkeys(t for t, _ in found.headings)),
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
        labels_seen=found.labels_seen,
        ocr=ocr,
        repaired=frozenset(repaired | rebound),
        rebound=frozenset(rebound),
        page_confidence={p.page: p.confidence for p in pages if p.confidence is not None},
    )

