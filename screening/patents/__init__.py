"""Patent certificates (专利证书) → `PatentRecord`: the invention patent a 发明专利产业化项目 is
about, read from its certificate and checked against the call's patent rules
(shared/spec/patents.md; the report's `patent` block is contract §3).

The way through, one module a step:

* `attachment` — the front door: `read_patent(path or Document, call=…, application=…)` →
  `CertificateRead` (the document and its record; `.block()` is the report block); the rules'
  inputs (policy, reference date R, owners) from the call and the application;
* `pages` — a document's parts → its visible text per page, in reading order (`page_texts`);
  OCR lines are put back into rows;
* `fields` — the scanner: lines → fields as printed (labels, values, wrapped lines), headings,
  prose, page markers;
* `certificate` — fields → `Certificate` (`read_certificate`): number, dates, names, title, term
  sentence, annual-fee date, missing pages;
* `numbers` — §5 patent numbers and check characters, §6 publication numbers, dates, Chinese
  numerals, §7 terms;
* `rules` — §8 rules E1–E9 on a certificate at a reference date (`evaluate`), and the decisions
  the spec leaves open;
* `record` — `RuleResult` and `PatentRecord`: overall outcome, `eligible` (true, false or None:
  not known), report block;
* `lexicon` — the printed words (lexicons/patent-certificate.tsv) as letter-spaced, OCR-tolerant
  patterns;
* `thresholds` — the numbers of the reading (row grouping, short labels, OCR confidence), from
  lexicons/patent-reading.tsv;
* `kinds` — `PatentType`, `Outcome`.

Nothing is ever guessed: a value that does not read exactly is None, and the rule that needs it
says REVIEW. The `patent.*` findings are made from the record by screening/checks/patent.py.
"""

from screening.patents.attachment import (
    CertificateRead,
    CertificateUnreadable,
    owners,
    parse_certificate,
    policy,
    read_document,
    read_patent,
    reference_date,
    unreadable_problem,
)
from screening.patents.certificate import Certificate, clean_name, join_wrapped, read_certificate, split_names
from screening.patents.fields import FieldText
from screening.patents.kinds import TYPE_WORD, Outcome, PatentType
from screening.patents.numbers import (
    PatentNumber,
    Publication,
    add_years,
    check_char,
    chinese_number,
    clean_number,
    format_number,
    lapse_date,
    parse_date,
    parse_number,
    parse_publication,
    statutory_term,
    years_between,
)
from screening.patents.pages import PageText, is_ocr_part, page_marker, page_texts
from screening.patents.record import PatentRecord, RuleResult
from screening.patents.rules import Policy, evaluate

__all__ = [
    "TYPE_WORD", "Certificate", "CertificateRead", "CertificateUnreadable", "FieldText", "Outcome", "PageText",
    "PatentNumber", "PatentRecord", "PatentType", "Policy", "Publication", "RuleResult", "add_years", "check_char",
    "chinese_number", "clean_name", "clean_number", "evaluate", "format_number", "is_ocr_part", "join_wrapped",
    "lapse_date", "owners", "page_marker", "page_texts", "parse_certificate", "parse_date", "parse_number",
    "parse_publication", "policy", "read_certificate", "read_document", "read_patent", "reference_date",
    "split_names", "statutory_term", "unreadable_problem", "years_between",
]
