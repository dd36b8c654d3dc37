"""`screening batch DIR --out OUT`: every project folder of DIR (contract §2). Arguments →
`screen_batch` → `batch_report` → exit code; the progress bar goes to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from screening.batch import DEFAULT_TIMEOUT, Tick
from screening.cli import CallOpt, Format, FormatOpt, app, exit_code
from screening.report import one_line


@contextmanager
def progress_bar() -> Iterator[Callable[[Tick], None]]:
    """A rich progress bar on stderr (projects, pages, elapsed time, an estimate of what is left),
    shown from the first tick: a batch refused for bad arguments shows none."""
    bar = Progress(
        TextColumn("筛查"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("项目 · {task.fields[pages]}页 · {task.fields[last]}"),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task = bar.add_task("batch", total=None, pages=0, last="")

    def update(tick: Tick) -> None:
        if not bar.live.is_started:
            bar.start()
        last = escape(one_line(tick.project_id or ""))  # the column is markup: a project id is not
        bar.update(task, total=tick.total, completed=tick.done, pages=tick.pages, last=last)

    try:
        yield update
    finally:
        if bar.live.is_started:
            bar.stop()


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="a batch folder: one sub-folder per project")],
    out: Annotated[Path, typer.Option("--out", "-o", help="where the reports go (created if missing)")],
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, help="local processes (default: one per core)")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="a Dask scheduler, tcp://HOST:PORT (needs the dist extra)")] = None,
    force: Annotated[bool, typer.Option("--force", help="screen every project again, even unchanged ones")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.001, help="seconds one project may take")] = DEFAULT_TIMEOUT,
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
) -> None:
    """Screen every project folder of a batch; resumable, in parallel or on a Dask cluster."""
    from screening.batch import screen_batch
    from screening.batch_report import render_summary, write_all

    with progress_bar() as progress:
        result = screen_batch(folder, out, workers=workers, scheduler=scheduler, force=force, call=call,
                              timeout=timeout, progress=progress)
    summary = result.to_json(write_all(result))
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        render_summary(summary, sys.stdout)
    raise typer.Exit(exit_code([result.verdict]))
