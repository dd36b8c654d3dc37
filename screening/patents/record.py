"""The result of the patent rules on one certificate: `RuleResult` (one rule) and `PatentRecord`
(the certificate, its term at the reference date, every rule), which gives the overall outcome
and the report's `patent` block (contract §3).

Outcome (§1): FAIL when a counted rule fails, else REVIEW when one asks for a person, else PASS;
a SKIPPED rule (the data it needs was not given) is reported but not counted.

`eligible` (contract §3): true when the outcome is PASS, false when FAIL, null (not known) when
REVIEW.

Confidence of a field (`Certificate.confidence`): 1 for the text layer; for OCR the lowest
recognition score of the lines it was read from, else its page's, else `ocr_confidence`; times
`repaired_factor` for a field read through a known OCR confusion or taken from elsewhere on its row
(both numbers in lexicons/patent-reading.tsv).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from screening.patents.certificate import Certificate
from screening.patents.kinds import Outcome


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule's result: its E-number, outcome, reason code, the reason for people, the field concerned."""

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


@dataclass(frozen=True, slots=True)
class PatentRecord:
    """A certificate, its term, and the eligibility rules E1–E9 at a reference date (`rules.evaluate`)."""

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
    def eligible(self) -> bool | None:
        """True when every counted rule passes, False when one fails, None (not known) when none
        fails but one needs a person's review (contract §3)."""
        return {Outcome.PASS: True, Outcome.FAIL: False}.get(self.outcome)

    def rule(self, rule: str) -> RuleResult:
        return next(r for r in self.rules if r.rule == rule)

    def confidence(self, key: str) -> float:
        """The confidence of field `key` (`Certificate.confidence`)."""
        return self.certificate.confidence(key)

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
