"""The `screening` command's entry point. Before the command's own modules load (~0.5 s: typer,
rich, the engine), it launches the process the command will need — the fork server that parses
attachments in limited processes (`check`, `project`) or the one the batch's workers are forked
from, warm (`batch` on this machine) — so that the two load at once, on two cores. Everything
else is `screening.cli`'s.
"""

from __future__ import annotations

import multiprocessing
import sys
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


def prestart(argv: Sequence[str]) -> None:
    """Launch the fork server the command in `argv` will use, without waiting for it."""
    if not argv or any(a in ("--help", "-h", "--version") for a in argv):
        return
    if argv[0] in ("check", "project"):
        fork_server(PARSE_PRELOAD)
    elif argv[0] == "batch" and not any(a == "--scheduler" or a.startswith("--scheduler=") for a in argv):
        fork_server(BATCH_PRELOAD)
    else:
        return
    from multiprocessing import forkserver

    forkserver.ensure_running()


def main() -> None:
    prestart(sys.argv[1:])
    from screening.cli import run

    run()
