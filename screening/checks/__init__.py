"""The checks, one module per rule prefix, registered in one explicit table (run in this order)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from screening import classify
from screening.checks import attachments, budget, document, eligibility, identity, patent
from screening.checks.context import Context
from screening.model import Finding

Check = Callable[[Context], Iterable[Finding]]
Block = Callable[[Context], Any]

REGISTRY: dict[str, Check] = {
    "document": document.check,
    "identity": identity.check,
    "patent": patent.check,
    "eligibility": eligibility.check,
    "attachments": attachments.check,
    "budget": budget.check,
}


# The report's extra blocks (contract §3: "patent", "budget", "domains"), each computed from the
# context; a check that needs the same result gets it through `Context.once`.
BLOCKS: dict[str, Block] = {
    "patent": patent.block,
    "budget": budget.block,
    "domains": classify.block,
}


def run_all(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for check in REGISTRY.values():
        findings.extend(check(ctx))
    return findings


def blocks(ctx: Context) -> dict[str, Any]:
    return {name: block(ctx) for name, block in BLOCKS.items()}


__all__ = ["BLOCKS", "REGISTRY", "Context", "blocks", "run_all"]
