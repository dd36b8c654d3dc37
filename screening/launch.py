"""The `screening` command's entry point: `screening batch` on this machine launches the fork server
its workers are forked from before the command loads itself (`forkservers.prestart`: the two warm
up at once, on two cores); everything else is `screening.cli`'s."""

from __future__ import annotations

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
    from screening.cli import run

    run()
