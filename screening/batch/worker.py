"""What runs inside a batch worker process (a fresh, spawned process that imports this module).

A local pool worker (`serve`, started by `screening.batch.pool`) limits its own address space,
says it is ready, then screens the project folders its parent sends until the pipe closes. The
messages it sends, each a (kind, value, seconds) triple:

* ("ready", None, 0.0) — once, after it set its limit;
* ("parsing", name, 0.0) when it starts parsing the attachment `name` itself, ("parsing", None,
  0.0) when that is done — the parent holds each such parsing to `Limits.parse_timeout`;
* ("ok", report JSON, seconds) or ("error", "Type: message", seconds) — a project done.

A `Job` is screened by the batch's screener (`screen_in_worker`: `screen_project` parsing each
attachment in this process, `parse_in_worker`), or, for the retry of a project whose worker an
attachment killed or held too long, by `screen_isolated`: each attachment in its own limited
process, as `screening project` does. Screeners are passed to the worker by their import path,
so they must be importable by name.
"""

from __future__ import annotations

import os
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from screening.application import Application
from screening.engine import Upload, parse_upload, screen_project
from screening.errors import TooLargeError
from screening.isolation import Isolation, failed_document
from screening.limits import MB, Limits, from_env
from screening.model import Document, Report


class ProjectScreener(Protocol):
    def __call__(self, folder: Path, *, call: str | None = None) -> Report: ...


@dataclass(frozen=True, slots=True)
class Job:
    """A project folder sent to a pool worker."""

    folder: Path
    call: str
    isolated: bool = False  # each attachment in its own limited process (the retry of a killed project)


# In a worker process: how it tells the parent which attachment it is parsing (set by `serve`).
_announce: Callable[[str | None], None] | None = None


def parse_in_worker(upload: Upload, application: Application | None) -> Document:
    """`engine.parse_upload` in a batch worker: an attachment whose parsing runs out of the worker's
    memory (`RLIMIT_AS`) becomes its `document.too_large`, and the project is still screened. The
    parent is told when the parsing starts and ends, so that it holds it to `Limits.parse_timeout`."""
    if _announce is not None:
        _announce(upload.name)
    try:
        return parse_upload(upload, application)
    except MemoryError:
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        size = f"{limit // MB}MB" if limit != resource.RLIM_INFINITY else "可用"
        return failed_document(upload, application, TooLargeError(
            f"附件处理所需内存超过批处理工作进程{size}的上限，已中止；文件可能过大或是恶意构造的文件"))
    finally:
        if _announce is not None:
            _announce(None)


def screen_in_worker(folder: Path, *, call: str | None = None) -> Report:
    """What a local batch worker runs on a project folder: `screen_project` with `parse_in_worker`."""
    return screen_project(folder, call=call, parse=parse_in_worker)


_isolation: Isolation | None = None  # one per worker process, started by its first use


def worker_isolation(limits: Limits) -> Isolation:
    """This worker process's `Isolation` under `limits` (its fork server starts on first use)."""
    global _isolation
    if _isolation is None or _isolation.limits != limits:
        _isolation = Isolation(limits)
    return _isolation


def screen_isolated(folder: Path, *, call: str | None = None, limits: Limits | None = None) -> Report:
    """A project with each attachment parsed in its own limited process, as `screening project`
    does: the retry of a project whose worker an attachment killed or held past the time limit."""
    isolation = worker_isolation(limits or from_env())
    return screen_project(folder, call=call, parse=isolation.parse, deadline=isolation.deadline())


def limit_worker(memory: int | None) -> None:
    """The worker's own address-space limit (`Limits.worker_memory`); never above an inherited one."""
    if memory is None:
        return
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        memory = min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def serve(conn: Connection, screener: ProjectScreener, limits: Limits) -> None:
    """A pool worker: set its limit, say it is ready, then screen the folders it is sent until the
    pipe closes; while it parses an attachment in-process it says which ("parsing", name)."""
    global _announce
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    limit_worker(limits.worker_memory)
    _announce = lambda name: conn.send(("parsing", name, 0.0))  # noqa: E731
    conn.send(("ready", None, 0.0))
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            os._exit(0)  # nothing to flush: skip tearing down the loaded models (about a second)
        started = time.perf_counter()
        try:
            if job.isolated:
                report = screen_isolated(job.folder, call=job.call, limits=limits)
            else:
                report = screener(job.folder, call=job.call)
            answer: tuple[str, Any] = ("ok", report.to_json())
        except Exception as err:  # a bug in a check or parser: this project's report says so
            answer = ("error", f"{type(err).__name__}: {err}")
        try:
            conn.send((*answer, time.perf_counter() - started))
        except OSError:
            os._exit(0)  # the parent is gone
