"""The local process pool of a batch (`run_local`): `workers` processes of this machine
(`screening.batch.worker.serve`), each under `RLIMIT_AS` = `Limits.worker_memory`, forked from a
fork server that loaded the models once (`warm_context`).

Time: a project's `timeout` starts when a started worker takes it, and an attachment the worker
parses itself may take `Limits.parse_timeout` (the worker says which attachment it is parsing).
A worker that dies (an attachment that blew up), or runs out of either time while parsing an
attachment itself, is killed and replaced, and its project is screened again — once — with each
attachment in its own limited process (`screen_isolated`, the way `screening project` works): only
the attachment at fault gets `document.timeout`, `document.too_large` or `document.unreadable`,
every other attachment is still screened. A project past its `timeout` otherwise, or whose
isolated retry fails too, gets a report saying so (`document.timeout`, `engine.crash`). A worker
that dies before it is ready stops the batch (`UsageError`); an idle worker killed from outside is
replaced. However the pool ends (done, Ctrl-C, an exception), every worker is stopped.

The parent's view of a worker is a small state machine (`_Worker`); each method handles one event:

    STARTING ──ready──► IDLE ──take──► BUSY ◄──("parsing", name) / ("parsing", None)──► PARSING
    BUSY, PARSING ──ok / error──► IDLE
    any ──death, or BUSY/PARSING past a deadline──► GONE (stopped; the pool starts another in its place)
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from multiprocessing import connection
from multiprocessing.context import ForkServerContext
from typing import Any, TypeAlias

from screening.batch.discovery import Project
from screening.batch.reports import attachment_timeout_message, crash_message, failure_report, timeout_message
from screening.batch.results import Finish, Outcome
from screening.batch.worker import Job, ProjectScreener, serve
from screening.errors import UsageError
from screening.forkservers import BATCH_PRELOAD, fork_server
from screening.limits import Limits, from_env


def default_workers() -> int:
    """The number of cores this process may use."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


class _State(Enum):
    STARTING = "starting"  # spawned, has not said "ready" yet
    IDLE = "idle"  # ready for a project
    BUSY = "busy"  # screening a project
    PARSING = "parsing"  # screening a project, parsing an attachment itself: held to the parse timeout
    GONE = "gone"  # died or was killed; its process is stopped


@dataclass(frozen=True, slots=True)
class _Task:
    project: Project
    isolated: bool  # the retry: each attachment in its own limited process
    since: float  # time.monotonic() when the worker took it


@dataclass(frozen=True, slots=True)
class _Done:
    """A project a worker is done with: its report and how its screening ended."""

    project: Project
    report: dict[str, Any]
    outcome: Outcome
    seconds: float


@dataclass(frozen=True, slots=True)
class _Retry:
    """A project whose worker an attachment killed or held too long: to screen again, isolated."""

    project: Project


_Ending: TypeAlias = _Done | _Retry


class _Worker:
    """One pool worker as the parent sees it (see the module docstring for its states)."""

    def __init__(self, ctx: ForkServerContext, screener: ProjectScreener, limits: Limits, timeout: float) -> None:
        self.conn, theirs = ctx.Pipe()
        # not a daemon: a daemon may not start the processes of an isolated retry; the parent stops
        # its workers itself, and a worker whose parent is gone exits when its pipe closes
        self.process = ctx.Process(target=serve, args=(theirs, screener, limits), name="screening-batch-worker")
        self.process.start()
        theirs.close()
        self.timeout = timeout
        self.parse_timeout = limits.parse_timeout
        self.state = _State.STARTING
        self.task: _Task | None = None  # while BUSY or PARSING
        self.parsing: str | None = None  # while PARSING: the attachment
        self.parsing_since = 0.0

    def take(self, project: Project, isolated: bool) -> None:
        """IDLE → BUSY: send it a project."""
        self.task = _Task(project, isolated, time.monotonic())
        self.state, self.parsing = _State.BUSY, None
        # a worker that died a moment ago refuses it: its death is the next event, and the project is retried
        with contextlib.suppress(OSError):
            self.conn.send(Job(project.folder, project.call, isolated))

    def deadline(self) -> float | None:
        """When the project it screens (or the attachment it parses) runs out of time."""
        if self.task is None:
            return None
        end = self.task.since + self.timeout
        if self.state is _State.PARSING:
            end = min(end, self.parsing_since + self.parse_timeout)
        return end

    def handle(self, ready: set[Any], now: float) -> _Ending | None:
        """The one event of this round, if any: a message, else its death, else a passed deadline."""
        if self.conn in ready:
            try:
                kind, value, seconds = self.conn.recv()
            except (EOFError, OSError):
                return self.on_death(now)
            return self.on_message(kind, value, seconds, now)
        if self.process.sentinel in ready:
            return self.on_death(now)
        return self.on_deadline(now)

    def on_message(self, kind: str, value: Any, seconds: float, now: float) -> _Ending | None:
        if kind == "ready":
            if self.state is _State.STARTING:
                self.state = _State.IDLE
            return None
        task = self.task
        if task is None:
            return None
        if kind == "parsing":
            self.parsing, self.parsing_since = value, now
            self.state = _State.BUSY if value is None else _State.PARSING
            return None
        self.task, self.parsing, self.state = None, None, _State.IDLE
        if kind == "ok":
            return _Done(task.project, value, Outcome.OK, seconds)
        return _Done(task.project, failure_report(task.project, "engine.crash", crash_message(value)),
                     Outcome.CRASH, seconds)

    def on_death(self, now: float) -> _Ending | None:
        if self.state is _State.STARTING:
            self.process.join()
            raise UsageError(f"批处理工作进程无法启动（退出码{self.process.exitcode}）")
        if self.task is None:  # an idle worker killed from outside
            self.stop(kill=True)
            return None
        self.process.join()
        detail = f"工作进程意外退出，退出码{self.process.exitcode}"
        if self.parsing is not None:
            detail += f"，当时正在解析附件“{self.parsing}”"
        return self._give_up(now, "engine.crash", crash_message(detail), Outcome.CRASH)

    def on_deadline(self, now: float) -> _Ending | None:
        task = self.task
        if task is None:
            return None
        if self.parsing is not None and now >= self.parsing_since + self.parse_timeout:
            message = attachment_timeout_message(self.parsing, self.parse_timeout)
        elif now - task.since >= self.timeout:
            message = timeout_message(self.timeout)
        else:
            return None
        return self._give_up(now, "document.timeout", message, Outcome.TIMEOUT)

    def _give_up(self, now: float, rule: str, message: str, outcome: Outcome) -> _Ending:
        """Stop the worker; its project is retried isolated when an attachment may be at fault (it
        died, or an attachment it parsed itself overran) unless this was the retry, else gets `rule`."""
        task, parsing = self.task, self.parsing
        assert task is not None
        self.stop(kill=True)
        if not task.isolated and (parsing is not None or outcome is Outcome.CRASH):
            return _Retry(task.project)
        return _Done(task.project, failure_report(task.project, rule, message), outcome, now - task.since)

    def stop(self, *, kill: bool) -> None:
        """→ GONE. An idle worker sees its pipe close and returns; `kill` for any other."""
        if kill:
            self.process.kill()
        self.conn.close()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.state, self.task, self.parsing = _State.GONE, None, None


class _Pool:
    """The workers, the queue of (project, isolated) and what becomes of each project."""

    def __init__(self, projects: Sequence[Project], *, timeout: float, screener: ProjectScreener, finish: Finish,
                 limits: Limits) -> None:
        self.ctx = warm_context()
        self.queue: deque[tuple[Project, bool]] = deque((p, False) for p in projects)
        self.workers: list[_Worker] = []
        self.timeout, self.screener, self.finish, self.limits = timeout, screener, finish, limits

    def start(self, n: int) -> None:
        self.workers += [self._new_worker() for _ in range(n)]

    def _new_worker(self) -> _Worker:
        return _Worker(self.ctx, self.screener, self.limits, self.timeout)

    def assign(self) -> bool:
        """Give queued projects to idle workers; False when every project is done."""
        for worker in self.workers:
            if worker.state is _State.IDLE and self.queue:
                worker.take(*self.queue.popleft())
        return bool(self.queue) or any(w.task is not None for w in self.workers)

    def wait(self) -> set[Any]:
        """The pipes and process sentinels that are ready, waiting no longer than the next deadline."""
        deadlines = [d for w in self.workers if (d := w.deadline()) is not None]
        left = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        handles = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
        return set(connection.wait(handles, timeout=left))

    def handle(self, ready: set[Any]) -> None:
        """Each worker's event; a gone worker is replaced, a project done is finished or re-queued."""
        for i, worker in enumerate(self.workers):
            ending = worker.handle(ready, time.monotonic())
            if worker.state is _State.GONE:
                self.workers[i] = self._new_worker()
            if isinstance(ending, _Retry):  # an attachment killed the worker or held it: find which, keep the rest
                self.queue.appendleft((ending.project, True))
            elif ending is not None:
                self.finish(ending.project, ending.report, ending.outcome, ending.seconds)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.state is not _State.GONE:
                worker.stop(kill=worker.state is not _State.IDLE)


def warm_context() -> ForkServerContext:
    """Workers forked from a fork server that has loaded the models once (`warm_workers`): start-up
    is paid once per batch, not once per worker. A fork server, not a plain fork: the parent may run
    threads (the progress bar), the fork server runs none."""
    return fork_server(BATCH_PRELOAD)


def run_local(projects: Sequence[Project], *, workers: int, timeout: float, screener: ProjectScreener,
              finish: Finish, limits: Limits | None = None) -> None:
    """Screen `projects` on `workers` processes of this machine (see the module docstring);
    `finish` is called with each project's report as it is done."""
    pool = _Pool(projects, timeout=timeout, screener=screener, finish=finish, limits=limits or from_env())
    try:
        pool.start(min(workers, len(projects)))
        while pool.assign():
            pool.handle(pool.wait())
    finally:
        pool.stop()
