"""The fork servers the screener's processes are forked from, and what each loads once: the one
that parses attachments in limited processes (`screening.isolation`: check, project, the hook) and
the one a batch's workers are forked from, warm (`screening.batch.pool`).

`screening batch` on this machine launches its fork server before the command loads itself
(`prestart`, called by `screening.launch`): the fork server's warm-up (~1 s: the engine, jieba,
the guide; `batch.warm_workers`) and the command's own import (~0.5 s: typer, rich, the batch
modules) then run at once on two cores (measured: 0.1–0.9 s less per 40-project batch). The fork server holds the command's stdout
while it warms up, so the command stops it when it exits (`_stop_at_exit`): a batch with nothing to
do, or refused for a bad argument, does not keep `screening batch … | jq` waiting for a warm-up it
never used. (`check` and `project` gain nothing measurable from it — their critical path is jieba
and the guide in the command's own process — and do not prestart.)
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
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


def prestart(preload: Sequence[str]) -> None:
    """Launch the fork server that imports `preload` now, without waiting for it to be ready; it
    is stopped when this process exits."""
    from multiprocessing import forkserver

    fork_server(preload)
    forkserver.ensure_running()
    atexit.register(_stop_at_exit)


def _stop_at_exit() -> None:
    """Stop this process's fork server (its workers are stopped by then). Closing our end of its
    pipe would stop it too, but only once it is done importing `preload`; a signal stops it at once."""
    from multiprocessing import forkserver

    # multiprocessing has no public accessor for the fork server's pid
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
