"""The fork servers the screener's processes are forked from, and what each loads once: the one
that parses attachments in limited processes (`screening.isolation`: check, project, the hook) and
the one a batch's workers are forked from, warm (`screening.batch.pool`).

(Launching the fork server before the command loads itself was tried and dropped: a cold `check`
gained nothing measurable — its critical path is jieba and the guide in the command's own process —
and a batch with nothing to do then waited for a fork server still warming up, which holds the
command's stdout: `screening batch … | jq` would wait for it.)
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.context import ForkServerContext

# what the parsing fork server imports once (every limited parsing process is forked from it)
PARSE_PRELOAD = (
    "screening.engine",
    "screening.parsers",
    "screening.parsers.docx",
    "screening.parsers.pdf",
    "screening.parsers.image",
    "screening.redact",
    "screening.masking.docx",
    "screening.masking.pdf",
)
# what a batch's fork server loads: the models, by screening a built-in sample (warm_workers)
BATCH_PRELOAD = ("screening.batch.warm_workers",)


def fork_server(preload: Sequence[str]) -> ForkServerContext:
    """The forkserver context, its server to import `preload` (the process has one fork server:
    the first command to start it decides what it loads)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    return ctx
