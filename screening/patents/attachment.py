"""A patent certificate attachment read for a call and an application: the front door of the
package for whoever has a file (`screening patent`) or a parsed `Document` (the `patent.*` check).

The rules' inputs come from the call and the application:

* `policy(call)`: the call's `patent:` rules (minimum years left, invention only, sole owner,
  owner = applicant, how sure a scanned certificate's reading must be);
* `reference_date`: R — the given date, else `submitted_at` (as a date in the call's time zone),
  else the call's close;
* `owners`: the applicant's name, then its aliases (they count as former names); None without an
  application (the owner check is then skipped);
* `application.patent.previously_funded` for E9.

`read_patent(path_or_document, call=…)` parses (when given a path), refuses a file that cannot be
read at all (`CertificateUnreadable`: corrupt, encrypted, unsupported … with no text), reads the
certificate and evaluates the rules; its `CertificateRead.block()` is the report's `patent` block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import UsageError
from screening.model import Document, Role
from screening.patents.certificate import read_certificate
from screening.patents.pages import page_texts
from screening.patents.record import PatentRecord
from screening.patents.rules import Policy, evaluate
from screening.rules import NOT_READ

if TYPE_CHECKING:
    from screening.application import Application
    from screening.calls import Call

FATAL_PROBLEMS = NOT_READ
ROLE_SOURCE = "command"  # the role of a file given to read_patent is the caller's word, as in `screening patent`


class CertificateUnreadable(UsageError):
    """The file cannot be read at all: no text, and a parse problem says why. `file: reason`."""


@dataclass(frozen=True, slots=True)
class CertificateRead:
    """A certificate attachment and what the rules made of it."""

    document: Document
    record: PatentRecord

    def block(self) -> dict[str, Any]:
        """The report's `patent` block: the record's fields, then the file name."""
        return {**self.record.to_block(), "file": self.document.file}


# ---------------------------------------------------------------- inputs of the rules


def policy(call: Call) -> Policy:
    rules = call.patent
    return Policy(
        min_years_remaining=rules.min_years_remaining,
        require_invention=rules.require_invention,
        require_sole_owner=rules.require_sole_owner,
        require_owner_is_applicant=rules.require_owner_is_applicant,
        ocr_min_confidence=rules.ocr_min_confidence,
        pct_year_lag_max=rules.pct_year_lag_max,
    )


def reference_date(call: Call, application: Application | None, override: date | None = None) -> date:
    """R: the given date, else the submission date (in the call's time zone), else the call's close."""
    if override is not None:
        return override
    if application is not None and application.submitted_at is not None:
        submitted = application.submitted_at
        if submitted.tzinfo is not None:
            submitted = submitted.astimezone(call.closes.tzinfo)
        return submitted.date()
    return call.closes.date()


def owners(application: Application | None) -> tuple[str, ...] | None:
    """The applicant's name, then its aliases (they count as former names); None without one."""
    if application is None:
        return None
    return (application.applicant.name, *application.applicant.aliases)


# ---------------------------------------------------------------- reading


def unreadable_problem(document: Document) -> str | None:
    """Why a file cannot be read at all (corrupt, encrypted, unsupported …), else None."""
    if page_texts(document.parts):
        return None
    return next((p.message for p in document.problems if p.rule in FATAL_PROBLEMS), None)


def read_document(document: Document, call: Call, application: Application | None, *,
                  reference: date | None = None, today: date | None = None) -> PatentRecord:
    """The certificate in `document` read and evaluated for the call and the application."""
    pages = page_texts(document.parts)
    certificate = read_certificate(pages, ocr=any(p.ocr for p in pages), today=today)
    funded = application.patent.previously_funded if application and application.patent else None
    return evaluate(certificate, reference=reference_date(call, application, reference), policy=policy(call),
                    owners=owners(application), previously_funded=funded)


def parse_certificate(path: Path) -> Document:
    """`path` parsed in this process as a patent certificate."""
    from screening.parsers import parse_file

    return parse_file(path, Role.PATENT_CERTIFICATE, ROLE_SOURCE)


def read_patent(
    source: Path | Document,
    *,
    call: Call,
    application: Application | None = None,
    reference: date | None = None,
    today: date | None = None,
    parse: Callable[[Path], Document] = parse_certificate,
) -> CertificateRead:
    """A certificate file (parsed with `parse`) or parsed document, read and evaluated: R is
    `reference`, else the application's submission date, else the call's close; without an
    application the owner check is skipped. Raises `CertificateUnreadable` when nothing in it can
    be read and the parser said why."""
    document = source if isinstance(source, Document) else parse(source)
    problem = unreadable_problem(document)
    if problem is not None:
        name = source.name if isinstance(source, Path) else document.file
        raise CertificateUnreadable(f"{name}: {problem}")
    return CertificateRead(document, read_document(document, call, application, reference=reference, today=today))
