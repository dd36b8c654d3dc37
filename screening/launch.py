"""The `screening` command's entry point: `screening batch` on this machine launches the fork server
its workers are forked from before the command loads itself (`forkservers.prestart`: the two warm
up at once, on two cores); the command's modules are imported with the cycle collector paused
(`longlived.loading`); everything else is `screening.cli`'s. When the command is done the
process ends without tearing the interpreter down (`exit_now`)."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Sequence


def wants_batch_workers(argv: Sequence[str]) -> bool:
    """`argv` (without the program name) is a batch run on this machine's workers: not `--help`,
    not on a Dask cluster."""
    if not argv or argv[0] != "batch":
        return False
    return not any(a in ("--help", "-h", "--scheduler") or a.startswith("--scheduler=") for a in argv[1:])


def main() -> None:
    if wants_batch_workers(sys.argv[1:]):
        from screening.forkservers import BATCH_PRELOAD, prestart

        prestart(BATCH_PRELOAD)
    from screening.longlived import loading

    with loading():  # the modules stay for the process's life: not walked by the cycle collector
        from screening.cli import run

    try:
        run()
    except SystemExit as done:
        exit_now(done.code)
    exit_now(0)


def exit_now(code: object) -> None:
    """End the process as `sys.exit(code)` would — the output flushed, every exit handler run (the
    fork server stopped, multiprocessing's and logging's clean-up) — but without freeing every
    object and module one by one first, which takes a batch of 200 projects 0.2 s for nothing:
    the operating system takes the memory back at once. Threads are not waited for: when a command
    returns, nothing of it runs on (its thread pools — OCR's, the hook's — are idle)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe (`screening batch … | head`) is no error
            stream.flush()
    os._exit(status)
