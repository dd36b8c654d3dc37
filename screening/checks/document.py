"""`document.*`: what the parsers could not do with a file becomes a finding, never silence; and a
role claimed for a file that its content contradicts is `document.role`.

A role lowers severities (identities on a patent certificate are only noted) and decides which
rules read a file, but application.json's `attachments` and the file name are written by the
applicant: they only claim it (`roles.claimed`). The opening text may contradict a claim
(`roles.contradicted`), and a claimed patent certificate must read as one
(`patent.is_certificate`). Either disagreement is reported here, naming the file and the claimed
and the apparent role; the file then counts as what it appears to be for the required attachments
(`roles.effective`) and its identities keep their full severities.
"""

from __future__ import annotations

from collections.abc import Iterator

from screening import roles
from screening.checks.attachments import ROLE_NAMES
from screening.checks.context import Context
from screening.checks.patent import is_certificate
from screening.model import Document, Finding, Location, PartKind, Role
from screening.patents import page_texts

CLAIMANTS = {"application": "申报书（application.json）", "filename": "文件名"}


def check(ctx: Context) -> Iterator[Finding]:
    yield from problem_findings(ctx)
    yield from role_findings(ctx)


def problem_findings(ctx: Context) -> Iterator[Finding]:
    """What the parsers reported of each attachment (encrypted, unreadable, unverifiable …)."""
    for doc in ctx.documents:
        for problem in doc.problems:
            yield Finding(
                rule=problem.rule,
                severity=ctx.call.severity(problem.rule),
                message=f"{doc.file}：{problem.message}",
                file=doc.file,
                location=Location(part=problem.part or PartKind.BODY, page=problem.page),
            )


def apparent_role(ctx: Context, doc: Document) -> str | None:
    """What the content says the file is, in Chinese, when that contradicts its claimed role."""
    if (read := roles.contradicted(doc)) is not None:
        return ROLE_NAMES[read]  # the opening text announces another role
    if doc.role is Role.PATENT_CERTIFICATE and page_texts(doc.parts) and not is_certificate(ctx, doc):
        return "其他附件（读不出专利号、日期和专利权人，不像专利证书）"
    return None


def role_findings(ctx: Context) -> Iterator[Finding]:
    for doc in ctx.documents:
        if doc.role_source not in CLAIMANTS or doc.role is Role.OTHER:
            continue
        if (apparent := apparent_role(ctx, doc)) is None:
            continue
        claim, source = doc.role, doc.role_source
        yield Finding(
            rule="document.role",
            severity=ctx.call.severity("document.role"),
            message=f"{doc.file}：{CLAIMANTS[source]}称其为{ROLE_NAMES[claim]}，但内容看来是{apparent}；"
                    "已按普通附件审查（身份信息按原严重程度，不按所称附件类型计），请人工核对",
            file=doc.file,
            location=Location(part=PartKind.BODY, page=1 if doc.pages else None),
        )
