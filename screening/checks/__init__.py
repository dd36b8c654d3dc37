"""The checks, one module per rule prefix, registered in one explicit table (run in this order).
Every rule id they can emit is in screening/rules.py, with its module and a line saying when it
fires; a call's severity is asked by id (`Call.severity`), which refuses an unregistered one.

`evaluate` runs them and the report blocks so that an unexpected error caused by one attachment
costs only that attachment: the attachments the failing run raises on when screened alone are
replaced by their name, hash and role with a `document.unreadable` problem (INTERNAL_ERROR, no
traceback), and everything is run again over the rest. An error that occurs without any
attachment (a bug in a project-level rule) and the package's own usage and configuration errors
still stop the project, as do the deadline's `Cancelled` and `OverTime` (screening/deadline.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from screening import classify
from screening.checks import attachments, budget, document, eligibility, identity, patent
from screening.checks.context import Context
from screening.deadline import Cancelled, OverTime
from screening.errors import UsageError
from screening.model import Document, Finding, Problem

log = logging.getLogger(__name__)

INTERNAL_ERROR = "处理该附件时发生内部错误，未能完成筛查，请人工审查该附件"

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
        ctx.deadline.check()
        findings.extend(check(ctx))
    return findings


def blocks(ctx: Context) -> dict[str, Any]:
    return {name: block(ctx) for name, block in BLOCKS.items()}


def broken(doc: Document) -> Document:
    """The attachment without its content, with the internal error as its problem."""
    return replace(doc, parts=(), images=(), problems=(*doc.problems, Problem("document.unreadable", INTERNAL_ERROR)))


def _raises(ctx: Context) -> bool:
    try:
        run_all(ctx)
        blocks(ctx)
    except (UsageError, Cancelled, OverTime):
        raise
    except Exception:
        log.debug("screening %s raised", [d.file for d in ctx.documents], exc_info=True)
        return True
    return False


def evaluate(ctx: Context) -> tuple[list[Finding], dict[str, Any], Context]:
    """The findings, the report blocks and the context they were computed on (its documents are
    those of `ctx`, an attachment that made a check crash replaced by `broken`)."""
    initial = dict(ctx.memo)  # what the caller put there (the budget's file readers), before any result
    while True:
        try:
            return run_all(ctx), blocks(ctx), ctx
        except (UsageError, Cancelled, OverTime):
            raise
        except Exception:
            fresh = partial_context(ctx, initial)
            if _raises(fresh(())):
                raise  # not an attachment's doing
            culprits = {d.file for d in ctx.documents if not _is_broken(d) and _raises(fresh((d,)))}
            if not culprits:
                raise
            ctx = fresh(tuple(broken(d) if d.file in culprits else d for d in ctx.documents))


def partial_context(ctx: Context, memo: dict[str, Any]) -> Callable[[tuple[Document, ...]], Context]:
    """A context over other documents, with only the caller's memo entries (no stale results)."""
    return lambda documents: replace(ctx, documents=documents, memo=dict(memo))


def _is_broken(doc: Document) -> bool:
    return any(p.rule == "document.unreadable" and p.message == INTERNAL_ERROR for p in doc.problems)


__all__ = ["BLOCKS", "INTERNAL_ERROR", "REGISTRY", "Context", "blocks", "broken", "evaluate", "run_all"]
