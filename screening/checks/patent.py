"""`patent.*`: the certificate of a 发明专利产业化项目 against the call's patent rules.

Certificates are the attachments with role `patent_certificate`; each is read once per project
(`Context.once("patent")`) into a `PatentRecord` (screening.patents.attachment.read_document) at
the reference date R — `submitted_at` (as a date in the call's time zone), else the call's close —
with the applicant's name and aliases (former names) as owners.

Scope. The rules are the patent category's: for an application of another category a certificate
is still read and reported (the `patent` block) but gives no finding. Without an application
(`screening check` on loose files) the category is unknown and the rules run, the owner check
skipped.

Findings (contract §3 ids; severities from the call file): E1 → `patent.unreadable`; E2 and E4
→ `patent.not_invention`; E3 → `patent.check_digit`; E5 and E6 → `patent.ownership`; E7 →
`patent.expiry`; a field a rule needs that could not be read → `patent.unreadable`; no
certificate in a patent project → `patent.missing`; a certificate number other than
application.json's `patent.number` → `patent.number_mismatch`; E9 (funded before) →
`patent.previously_funded`, only when the call configures its severity. A rule's FAIL takes the
configured severity; its REVIEW at most `warn` — the spec's REVIEW asks for a person, it does
not fail the project (so a wrong check digit, REVIEW in §8 E3, warns even though the call sets
`patent.check_digit: fail`).

Several certificates: each is read; the block (and the findings) are those of the certificate
whose number application.json names, else the first eligible one, else the first that needs a
review (it may still qualify), else the first (the call needs one patent passing every rule, [U]
in the spec); the others are listed under `others`.

`eligible` in the block (contract §3): true when every counted rule passes, false when one fails,
null when none fails but one needs a person's review. A scanned certificate read sure enough and
agreeing with itself passes E1 (screening/patents/rules.py `ocr_reading`; the thresholds are the
call's `patent:` section); otherwise E1 is REVIEW (`patent.unreadable`, warn).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from screening.application import Application
from screening.calls import Call
from screening.checks.context import Context
from screening.model import Document, Finding, Location, PartKind, Role, Severity
from screening.patents import (
    Certificate,
    CertificateRead,
    Outcome,
    PageText,
    PatentRecord,
    RuleResult,
    clean_number,
    page_marker,
    page_texts,
    read_certificate,
    read_document,
)

KEY = "patent"
PATENT_CATEGORY = "patent"

RULE_OF_CODE: dict[str, str] = {
    "UNREADABLE": "patent.unreadable",
    "OCR_CONFIRM": "patent.unreadable",
    "OCR_INCONSISTENT": "patent.unreadable",
    "FEE_DATE_MISMATCH": "patent.unreadable",
    "NOT_INVENTION": "patent.not_invention",
    "TYPE_CONFLICT": "patent.not_invention",
    "TYPE_UNREADABLE": "patent.unreadable",
    "CHECK_DIGIT": "patent.check_digit",
    "MALFORMED": "patent.check_digit",
    "NUMBER_UNREADABLE": "patent.unreadable",
    "NOT_GRANTED": "patent.not_invention",
    "PUBLICATION_KIND": "patent.not_invention",
    "GRANT_AFTER_REFERENCE": "patent.not_invention",
    "PUBLICATION_UNREADABLE": "patent.unreadable",
    "GRANT_DATE_UNREADABLE": "patent.unreadable",
    "DATES_INCONSISTENT": "patent.unreadable",
    "NOT_SOLE": "patent.ownership",
    "AMBIGUOUS_WRAP": "patent.ownership",
    "OWNER_MISMATCH": "patent.ownership",
    "PATENTEE_UNREADABLE": "patent.unreadable",
    "EXPIRED": "patent.expiry",
    "TERM_SHORT": "patent.expiry",
    "FILING_DATE_UNREADABLE": "patent.unreadable",
    "TERM_UNKNOWN": "patent.unreadable",
    "FUNDED_BEFORE": "patent.previously_funded",
}
OPTIONAL_RULES = frozenset({"patent.previously_funded"})  # reported only when the call sets a severity


# ---------------------------------------------------------------- the project's certificates


def certificates(ctx: Context) -> tuple[CertificateRead, ...]:
    """Every certificate of the project, read once."""
    return ctx.once(KEY, lambda: tuple(
        CertificateRead(doc, read_document(doc, ctx.call, ctx.application))
        for doc in ctx.documents if doc.role is Role.PATENT_CERTIFICATE))


def reads_as_certificate(record: PatentRecord) -> bool:
    """Whether a document's content reads as a patent certificate: its number, a date (filing or
    grant) and a patentee parse. A file name or application.json only claims the role."""
    return fields_read(record.certificate)


def fields_read(cert: Certificate) -> bool:
    return cert.number is not None and (cert.filing_date or cert.grant_date) is not None and bool(cert.patentees)


def is_certificate(ctx: Context, doc: Document) -> bool:
    """Whether `doc` is a patent certificate, claimed and borne out by its content: only then are
    the identities on it `certificate_identity_severity` (the call requires the certificate, which
    names its owner). Anything else named 证书 or 专利 is screened as any attachment."""
    if doc.role is not Role.PATENT_CERTIFICATE:
        return False
    return any(read.document is doc and reads_as_certificate(read.record) for read in certificates(ctx))


def certificate_pages(ctx: Context, doc: Document) -> frozenset[int]:
    """The pages of `doc` that are the patent certificate itself, where its owner's name is expected
    (page 1 stands for a document without pages, and for its properties and file name).

    A page counts when it reads as a certificate on its own (`reads_as_certificate`) and is no
    longer than the call's `certificate_page_chars`; so does a short page right after one that
    carries a later page marker (第2页（共2页）: the certificate's continuation). A report appended
    to a certificate, or a certificate block opening a long document, is screened as any attachment.
    """
    if not is_certificate(ctx, doc):
        return frozenset()
    limit = ctx.call.patent.certificate_page_chars
    found: set[int] = set()
    for page in page_texts(doc.parts):
        short = len(page.text) <= limit
        if short and (fields_read(read_certificate([page], ocr=page.ocr)) or (page.page - 1 in found and _continues(page))):
            found.add(page.page)
    return frozenset(found)


def _continues(page: PageText) -> bool:
    mark = page_marker(page.text)
    return mark is not None and 1 < mark[0] <= mark[1]


def declared_number(application: Application | None) -> str | None:
    if application is None or application.patent is None or not application.patent.number:
        return None
    return application.patent.number


def same_number(a: str, b: str) -> bool:
    return clean_number(a).replace(".", "") == clean_number(b).replace(".", "")


def main_certificate(reads: Sequence[CertificateRead], application: Application | None) -> CertificateRead | None:
    """The certificate the report is about (see the module docstring)."""
    if not reads:
        return None
    declared = declared_number(application)
    if declared is not None:
        for read in reads:
            number = read.record.certificate.number
            if number is not None and same_number(number.normalized, declared):
                return read
    return next((r for r in reads if r.record.eligible is True),
                next((r for r in reads if r.record.eligible is None), reads[0]))


# ---------------------------------------------------------------- the report block


def block(ctx: Context) -> dict[str, Any] | None:
    reads = certificates(ctx)
    main = main_certificate(reads, ctx.application)
    if main is None:
        return None
    out = main.block()
    others = [r for r in reads if r is not main]
    if others:
        out["others"] = [{"file": r.document.file, "number": (b := r.record.to_block())["number"],
                          "type": b["type"], "eligible": b["eligible"], "result": b["result"]} for r in others]
    return out


# ---------------------------------------------------------------- findings


def severity(call: Call, rule: str, outcome: Outcome) -> Severity:
    configured = call.severity(rule)
    if outcome is Outcome.REVIEW and configured is Severity.FAIL:
        return Severity.WARN
    return configured


def _location(read: CertificateRead, field: str | None) -> Location:
    page = read.record.certificate.page_of(field) if field else None
    if page is None and read.document.pages:
        page = 1
    return Location(part=PartKind.BODY, page=page)


def _finding(ctx: Context, read: CertificateRead, result: RuleResult, rule: str) -> Finding:
    record = read.record
    field = record.certificate.fields.get(result.field) if result.field else None
    location = _location(read, result.field)
    where = f"第{location.page}页" if location.page else ""
    return Finding(
        rule=rule,
        severity=severity(ctx.call, rule, result.outcome),
        message=f"{read.document.file}{where}：{result.reason}（{result.rule} {result.code}）",
        file=read.document.file,
        location=location,
        matched=field.raw if field is not None and field.raw else None,
        method="ocr" if record.certificate.ocr else "label",
        score=record.confidence(result.field) if result.field else None,
        context=f"{field.label}：{field.raw}" if field is not None and field.raw else None,
    )


def rule_findings(ctx: Context, read: CertificateRead) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for result in read.record.rules:
        if result.outcome not in (Outcome.FAIL, Outcome.REVIEW):
            continue
        rule = RULE_OF_CODE[result.code]
        if (rule, result.code) in seen or (rule in OPTIONAL_RULES and rule not in ctx.call.severities):
            continue
        seen.add((rule, result.code))
        yield _finding(ctx, read, result, rule)


def _number_mismatch(ctx: Context, read: CertificateRead) -> Iterator[Finding]:
    declared = declared_number(ctx.application)
    number = read.record.certificate.number
    if declared is None or number is None or same_number(number.normalized, declared):
        return
    field = read.record.certificate.fields["number"]
    location = _location(read, "number")
    yield Finding(
        rule="patent.number_mismatch",
        severity=ctx.call.severity("patent.number_mismatch"),
        message=f"{read.document.file}第{location.page}页：证书专利号{number.normalized}与申报书填写的“{declared}”不一致",
        file=read.document.file,
        location=location,
        matched=field.raw,
        target=declared,
        method="ocr" if read.record.certificate.ocr else "label",
        context=f"{field.label}：{field.raw}",
    )


def check(ctx: Context) -> Iterator[Finding]:
    app = ctx.application
    if app is not None and ctx.call.category_id(app.category) != PATENT_CATEGORY:
        return
    reads = certificates(ctx)
    main = main_certificate(reads, app)
    if main is None:
        if app is not None and ctx.whole_project:  # loose files (`check`) are no project: nothing is missing
            yield Finding(rule="patent.missing", severity=ctx.call.severity("patent.missing"),
                          message="发明专利产业化项目未上传发明专利证书（附件角色patent_certificate），无法核对专利条件")
        return
    yield from rule_findings(ctx, main)
    yield from _number_mismatch(ctx, main)
