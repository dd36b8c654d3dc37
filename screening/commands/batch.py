"""`screening batch DIR --out OUT`: every project folder of DIR (contract §2). Arguments →
`screen_batch` → `batch_report` → exit code; the progress bar goes to stderr. With `--annotate`,
the annotated copies (OUT/annotated, `screening.batch.annotated`) are listed after the summary and
the ones that could not be made go to stderr."""

from __future__ import annotations

import importlib
import json
import sys
import threading
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


_WRITERS = ("openpyxl", "openpyxl.cell", "openpyxl.styles", "openpyxl.utils", "screening.recommendation_form")


def _import_writers() -> None:
    """Import what writes the summaries; one that fails is left to fail where it is used, in words."""
    for name in _WRITERS:
        try:
            importlib.import_module(name)
        except Exception:  # reported by the import where it is used
            return


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="批次文件夹：每个项目一个子文件夹")],
    out: Annotated[Path, typer.Option("--out", "-o", help="报告存放的文件夹（不存在则新建）")],
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, help="同时运行的进程数（默认每个CPU核一个）")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask 集群调度器地址 tcp://主机:端口（需安装 dist 扩展）")] = None,
    force: Annotated[bool, typer.Option("--force", help="全部重新筛查，未改动的项目也不跳过")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.001, help="每个项目的限时（秒）")] = DEFAULT_TIMEOUT,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="批次跑完即以 0 退出，不论项目是否通过（不加此项时，有项目不通过则退出码为 1）")] = False,
    annotate: Annotated[bool, typer.Option(
        "--annotate", help="为有问题的项目生成标注副本：在每个有问题的docx、pdf附件的副本中以批注或高亮标出问题（写入 OUT/annotated/项目编号/）")] = False,
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
) -> None:
    """筛查批次中的每个项目文件夹；可中断后续跑，可并行或在 Dask 集群上运行。"""
    from screening.batch import screen_batch
    from screening.batch_report import render_summary, write_all

    # what writes the summaries is imported while the workers screen (this process mostly waits
    # for them then), not after them, when it would hold up the end of the batch on one core
    threading.Thread(target=_import_writers, name="import-writers", daemon=True).start()
    with progress_bar() as progress:
        result = screen_batch(folder, out, workers=workers, scheduler=scheduler, force=force, call=call,
                              timeout=timeout, progress=progress, annotate=annotate)
    copies = result.copies
    files = write_all(result) + ([copies.folder] if copies is not None and copies.paths else [])
    summary = result.to_json(files)
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        render_summary(summary, sys.stdout)
    if copies is not None:
        if fmt is Format.TEXT:
            print(f"标注副本：{len(copies.paths)}份（本次生成{len(copies.made)}份，沿用上次{len(copies.kept)}份），"
                  f"在{one_line(str(copies.folder))}")
        for problem in copies.failed:
            print(f"screening: 未能生成标注副本：{one_line(problem)}", file=sys.stderr)
    raise typer.Exit(0 if exit_zero else exit_code([result.verdict]))
