"""`identity.*`: the applicant, its partners or a team member named in an attachment (rule 7 of
四、有关事项 of the notice).

This first engine finds the known names (full names, aliases, partners, members) in every part
of every attachment after normalisation (width, spacing, line breaks, traditional characters),
and reports each with its location in the original text.
"""

from __future__ import annotations

from collections.abc import Iterator

from screening.application import Target, TargetKind
from screening.checks.context import Context
from screening.matching import ExactMatcher
from screening.model import Document, Finding, Location, Part, PartKind, Role, Severity
from screening.text import context, normalize
from screening.wording import ROLE, where

_METADATA_KINDS = (PartKind.METADATA, PartKind.FILENAME)


def rule_for(part: Part, target: Target) -> str:
    if part.kind in _METADATA_KINDS:
        return "identity.metadata"
    return "identity.org" if target.kind is TargetKind.ORG else "identity.person"


def check(ctx: Context) -> Iterator[Finding]:
    matcher: ExactMatcher[Target] = ExactMatcher((t.text, t) for t in ctx.targets)
    for doc in ctx.documents:
        yield from _check_document(ctx, doc, matcher)


def _check_document(ctx: Context, doc: Document, matcher: ExactMatcher[Target]) -> Iterator[Finding]:
    certificate = doc.role is Role.PATENT_CERTIFICATE
    for part in doc.parts:
        normalized = normalize(part.text)
        for hit in matcher.find(normalized.text):
            start, end = normalized.span(hit.start, hit.end)
            matched = part.text[start:end]
            target = hit.payloads[0]
            rule = rule_for(part, target)
            severity = ctx.call.certificate_identity_severity if certificate else ctx.call.severity(rule)
            method = target.method if matched == target.text or target.method != "exact" else "normalized"
            who = ROLE[target.role] + ("简称" if target.method == "alias" else "名称" if target.kind is TargetKind.ORG else "")
            note = "（专利证书按规定载明权利人，仅提示）" if certificate and severity is Severity.INFO else ""
            yield Finding(
                rule=rule,
                severity=severity,
                message=f"{doc.file}{where(part)}出现{who}“{matched}”{note}",
                file=doc.file,
                location=Location(
                    part=part.kind,
                    page=part.page,
                    paragraph=part.paragraph,
                    start=start,
                    end=end,
                    origin=part.origin,
                ),
                matched=matched,
                target=target.identity,
                method=method,
                score=1.0 if method in ("exact", "alias") else 0.95,
                context=context(part.text, start, end),
            )
