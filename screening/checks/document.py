"""`document.*`: what the parsers could not do with a file becomes a finding, never silence."""

from __future__ import annotations

from collections.abc import Iterator

from screening.checks.context import Context
from screening.model import Finding, Location, PartKind


def check(ctx: Context) -> Iterator[Finding]:
    for doc in ctx.documents:
        for problem in doc.problems:
            yield Finding(
                rule=problem.rule,
                severity=ctx.call.severity(problem.rule),
                message=f"{doc.file}：{problem.message}",
                file=doc.file,
                location=Location(part=problem.part or PartKind.BODY, page=problem.page),
            )
