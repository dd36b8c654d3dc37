"""`screen_batch`: a batch folder from start to end.

1. check the arguments (nothing is written when one is bad) and take OUT's lock;
2. find the project folders (`discovery`); keep the report of each project unchanged since a
   previous run (`store.resumable`), give a project with an unusable application.json its
   `document.application` report, and screen the rest on the local pool (`pool.run_local`) or a
   Dask cluster (`cluster.run_dask`) — each report is written, then its state, as it is done;
3. compute the `batch.*` findings (screening/checks/batch.py) over all reports, always from
   scratch (stripped from reports read back on resumption), and rewrite the reports they change;
4. with `annotate`, make the annotated copies of the attachments with findings from the final
   reports (`annotated.annotate_batch`; resumable the same way), still under the lock.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from screening.batch.annotated import annotate_batch
from screening.batch.cluster import run_dask
from screening.batch.discovery import Project, discover
from screening.batch.pool import default_workers, run_local
from screening.batch.reports import failure_report, pages_of, with_findings, without_batch_findings
from screening.batch.results import BatchItem, BatchResult, Outcome, Progress, Status, Tick
from screening.batch.store import STATE_DIR, locked, remove_temp_files, resumable, write_report, write_state
from screening.batch.worker import ProjectScreener, screen_in_worker
from screening.calls import load_call
from screening.checks import batch as batch_rules
from screening.engine import APPLICATION_FILE
from screening.errors import UsageError
from screening.isolation import Isolation
from screening.limits import from_env
from screening.model import Finding

DEFAULT_TIMEOUT = 300.0  # seconds one project may take


def batch_findings(projects: Sequence[Project], reports: dict[str, dict[str, Any]]) -> dict[str, list[Finding]]:
    """The `batch.*` findings of each project, the rules run per call over that call's projects."""
    by_call: dict[str, list[batch_rules.Entry]] = defaultdict(list)
    for p in projects:
        if p.application is not None and p.project_id in reports:
            by_call[p.call].append(batch_rules.Entry(p.project_id, p.application, p.attachments))
    out: dict[str, list[Finding]] = {}
    for call, entries in by_call.items():
        out.update(batch_rules.check(load_call(call), entries))
    return out


class _Ledger:
    """Each project's report as OUT holds it now, how it was obtained, and the progress ticks."""

    def __init__(self, projects: Sequence[Project], out: Path, timeout: float, progress: Progress | None) -> None:
        self.projects, self.out, self.timeout, self.progress = projects, out, timeout, progress
        self.written: dict[str, dict[str, Any]] = {}
        self.status: dict[str, tuple[Status, Outcome, float]] = {}
        self.pages = 0
        if progress is not None:
            progress(Tick(len(projects), 0, 0))

    def resume(self, project: Project, report: dict[str, Any], outcome: Outcome) -> None:
        """A previous run's report, kept."""
        self._record(project, report, Status.RESUMED, outcome, 0.0)

    def finish(self, project: Project, report: dict[str, Any], outcome: Outcome, seconds: float) -> None:
        """A project screened in this run: its report, then its state (`results.Finish`)."""
        write_report(self.out, report)
        write_state(self.out, project, outcome, seconds, self.timeout)
        self._record(project, report, Status.SCREENED, outcome, seconds)

    def _record(self, project: Project, report: dict[str, Any], how: Status, outcome: Outcome, seconds: float) -> None:
        self.written[project.project_id] = report
        self.status[project.project_id] = (how, outcome, seconds)
        self.pages += pages_of(report)
        if self.progress is not None:
            self.progress(Tick(len(self.projects), len(self.status), self.pages, project.project_id, how))

    def with_batch_findings(self) -> list[BatchItem]:
        """Every project's final report: the `batch.*` findings computed again over all of them;
        a report they change is written again."""
        bases = {pid: without_batch_findings(report) for pid, report in self.written.items()}
        extra = batch_findings(self.projects, bases)
        items = []
        for project in self.projects:
            pid = project.project_id
            final = with_findings(bases[pid], extra.get(pid, ()))
            if final != self.written[pid]:
                write_report(self.out, final)
            how, outcome, seconds = self.status[pid]
            items.append(BatchItem(project, final, how, outcome, seconds))
        return items


def screen_batch(
    folder: Path,
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    call: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    screener: ProjectScreener = screen_in_worker,
    annotate: bool = False,
) -> BatchResult:
    """Screen every project folder of `folder` into `out` (see `screening.batch`).

    `workers` processes on this machine (default: one per core), or the Dask cluster at
    `scheduler` ("tcp://host:port"). `screener` is what a local worker runs on a folder; it must
    be importable by name (workers are fresh processes). A local worker's memory limit comes from
    `screening.limits` (`SCREENING_PARSE_MEMORY_MB`). With `annotate`, the attachments with findings
    get annotated copies in OUT/annotated (`screening.batch.annotated`)."""
    started = time.monotonic()
    limits = from_env()  # a bad SCREENING_* value stops the batch before anything is written
    if not folder.is_dir():
        raise UsageError(f"{folder}: 不是文件夹")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers 须为正整数，而不是{workers}")
    if not timeout > 0:
        raise UsageError(f"--timeout 须为正数（秒），而不是{timeout}")
    if call is not None:
        load_call(call)  # a bad --call stops the batch before anything is written
    try:
        (out / STATE_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"{out}: 无法创建输出文件夹（{err.strerror or err}）") from None
    with locked(out):
        remove_temp_files(out)
        projects, skipped = discover(folder, out, call)
        if not projects:
            raise UsageError(f"{folder}: 没有项目文件夹（含{APPLICATION_FILE}的子文件夹）")
        ledger = _Ledger(projects, out, timeout, progress)
        todo: list[Project] = []
        for project in projects:
            previous = None if force else resumable(project, out, timeout)
            if previous is not None:
                ledger.resume(project, *previous)
            elif project.problem is not None:
                ledger.finish(project, failure_report(project, "document.application", project.problem),
                              Outcome.INVALID, 0.0)
            else:
                todo.append(project)
        if todo and scheduler is not None:
            run_dask(todo, scheduler=scheduler, timeout=timeout, finish=ledger.finish)
        elif todo:
            run_local(todo, workers=workers or default_workers(), timeout=timeout, screener=screener,
                      finish=ledger.finish, limits=limits)
        items = ledger.with_batch_findings()
        copies = annotate_batch(items, out, run=Isolation(limits).run, force=force) if annotate else None
    return BatchResult(folder, out, tuple(items), tuple(skipped), time.monotonic() - started, copies)
