"""The checks, one module per rule prefix, registered in one explicit table (run in this order)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from screening.checks import document, identity
from screening.checks.context import Context
from screening.model import Finding

Check = Callable[[Context], Iterable[Finding]]

REGISTRY: dict[str, Check] = {
    "document": document.check,
    "identity": identity.check,
}


def run_all(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for check in REGISTRY.values():
        findings.extend(check(ctx))
    return findings


__all__ = ["REGISTRY", "Context", "run_all"]
