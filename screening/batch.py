"""Screening a whole batch folder (contract §2, `screening batch`): every project folder through
the same `screen_project()` as `screening project`, on a local process pool or a Dask cluster,
then the `batch.*` rules across projects.

* Output: `OUT/<project_id>.json`, the report exactly as `screening project --format json` prints
  it, written atomically (a temporary file, then `os.replace`) as soon as the project is done.
* Resumable: `OUT/.state/<project_id>.json` is written after the report and holds a fingerprint of
  the inputs (application.json, every attachment's SHA-256) and the configuration (the call file's
  content, the screening version). A later run skips a project whose fingerprint is unchanged, so a
  run killed at any moment and started again loses nothing and duplicates nothing. A project whose
  screening crashed is tried again; `force` redoes everything.
* A project that crashes (`engine.crash`), takes longer than `timeout` (`document.timeout`) or has
  an unusable application.json (`document.application`) gets a report with that finding, and the
  batch goes on.
* Limits (`screening.limits`, the same `SCREENING_PARSE_*` settings as `check`, `project` and the
  hook): a local worker runs under `RLIMIT_AS` = `Limits.worker_memory` (the parse memory plus what
  the worker's models take), so an attachment that eats memory fails its allocation, and becomes
  that attachment's `document.too_large` when it fails as a `MemoryError`. Attachments are parsed
  in the worker itself, not in a process each as `project` does (that costs a fork per attachment,
  more than doubling the time of a batch of ordinary text PDFs, benchmarks/batch_speed.py), but the
  worker tells the parent which attachment it is parsing, and the parent holds it to
  `Limits.parse_timeout`; the project as a whole to `timeout`. A worker killed by an attachment or
  held past its parse timeout is replaced and the project screened again with every attachment in
  its own limited process (`screen_isolated`): only the attachment at fault gets its
  `document.timeout` / `document.too_large` / `document.unreadable`, the rest is screened.
* On a Dask cluster every attachment is parsed in its own limited process (`screen_payload_now`,
  the client's limits travel with the task), so the workers must not be daemons
  (`DASK_DISTRIBUTED__WORKER__DAEMON=False`); the batch checks that before sending work.
* `batch.*` findings (screening/checks/batch.py) are computed over all reports after every project
  is done, always from scratch: they are stripped from reports read back on resumption and the
  affected reports rewritten.

The people's reports (summary.csv, report.html, the 附件3 forms) are rendered from the result by
`screening.batch_report`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import resource
import secrets
import signal
import tempfile
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

from screening.application import Application, load_application, parse_application, plain_call_name
from screening.calls import DEFAULT_CALL, call_path, load_call
from screening.checks import batch as batch_rules
from screening.deadline import Cancelled
from screening.engine import APPLICATION_FILE, Upload, parse_upload, project_files, screen, screen_project
from screening.errors import ApplicationError, ConfigError, TooLargeError, UsageError
from screening.isolation import Isolation, failed_document
from screening.limits import MB, Limits, from_env
from screening.model import Document, Finding, Location, PartKind, Report, Severity, Verdict

DEFAULT_TIMEOUT = 300.0  # seconds one project may take
STATE_DIR = ".state"
_TEMP_PREFIX = ".screening-"  # temporary files of an atomic write; left only by a killed run
_WORST_FIRST = (Verdict.FAIL, Verdict.REVIEW, Verdict.PASS)


class Status(StrEnum):
    SCREENED = "screened"  # screened in this run
    RESUMED = "resumed"  # unchanged since a previous run: its report was kept


class Outcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # application.json (or the call it names) is unusable: document.application
    TIMEOUT = "timeout"  # document.timeout
    CRASH = "crash"  # engine.crash


def default_workers() -> int:
    """The number of cores this process may use."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


# --- the projects of a batch ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Project:
    """One project folder as the batch found it, before screening."""

    folder: Path
    project_id: str
    call: str  # the call that applies: --call, else the application's
    application: Application | None
    problem: str | None  # why it cannot be screened: application.json or the call it names
    attachments: tuple[tuple[str, str], ...]  # (file name, sha256; "" when unreadable)
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry of the batch folder that is not screened, and why."""

    path: Path
    reason: str


def _sha256(path: Path) -> str:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""  # screen_project reports the file as unreadable


class _Calls:
    """The calls of one run: each validated once, with the digest of its file's content."""

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}

    def digest(self, name: str) -> str:
        if name not in self._digests:
            load_call(name)  # ConfigError when missing or invalid
            self._digests[name] = hashlib.sha256(call_path(name).read_bytes()).hexdigest()
        return self._digests[name]


def _version() -> str:
    import screening  # late: the package imports this module's siblings first

    return screening.__version__


def _fingerprint(project_call: str, call_digest: str, application_sha: str, attachments: Sequence[tuple[str, str]]) -> str:
    text = json.dumps([_version(), project_call, call_digest, application_sha, list(attachments)])
    return hashlib.sha256(text.encode()).hexdigest()


def read_project(folder: Path, call: str | None, calls: _Calls) -> Project:
    """A project folder's identity and fingerprint; an unusable application.json is `problem`.

    Whatever the application holds (nesting deep enough to exhaust the recursion, more aliases
    than the call allows, a call that names a file) stays this project's problem: it never stops
    the batch."""
    app_file = folder / APPLICATION_FILE
    application: Application | None = None
    problem: str | None = None
    try:
        application = load_application(app_file, call=call)
    except ApplicationError as err:
        problem = f"application.json无法使用，项目未筛查：{err}"
    except ConfigError:
        raise  # --call itself is unusable: screen_batch checked it before, so this is not the applicant's
    except Exception as err:  # RecursionError, MemoryError …: refused all the same, the batch goes on
        problem = f"application.json无法使用，项目未筛查：{app_file}: 无法读取（{type(err).__name__}）"
    if call is None and application is not None and not plain_call_name(application.call):
        problem = f"application.json无法使用，项目未筛查：字段 call: “{application.call}”不是申报通知的名称"
        application = None
    project_call = call or (application.call if application else DEFAULT_CALL)
    try:
        digest = calls.digest(project_call)
    except ConfigError as err:
        problem = problem or f"application.json指定的申报通知“{project_call}”无法使用，项目未筛查：{err}"
        project_call, digest = DEFAULT_CALL, calls.digest(DEFAULT_CALL)  # only to grade this finding
    attachments = tuple((p.name, _sha256(p)) for p in project_files(folder))
    return Project(
        folder=folder,
        project_id=application.project_id if application else folder.name,
        call=project_call,
        application=application,
        problem=problem,
        attachments=attachments,
        fingerprint=_fingerprint(project_call, digest, _sha256(app_file), attachments),
    )


def _usable_id(project_id: str) -> bool:
    """A project id that can name OUT/<project_id>.json without leaving OUT."""
    return bool(project_id) and not project_id.startswith(".") and not any(c in project_id for c in "/\\\0:") \
        and len(project_id.encode()) <= 200


def discover(folder: Path, out: Path, call: str | None) -> tuple[list[Project], list[Skipped]]:
    """Every project folder (a sub-folder with application.json), in name order, and what is not one."""
    calls = _Calls()
    projects: list[Project] = []
    skipped: list[Skipped] = []
    seen: dict[str, Path] = {}
    out_resolved = out.resolve()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.resolve() == out_resolved:
            continue
        if not path.is_dir():
            skipped.append(Skipped(path, "不是项目文件夹（批次文件夹中的散文件）"))
            continue
        if not (path / APPLICATION_FILE).is_file():
            skipped.append(Skipped(path, f"缺少{APPLICATION_FILE}，不是项目文件夹"))
            continue
        project = read_project(path, call, calls)
        pid = project.project_id
        if not _usable_id(pid):
            skipped.append(Skipped(path, f"project_id“{pid}”不能用作报告文件名（含路径符号或以点开头）"))
        elif pid in seen:
            skipped.append(Skipped(path, f"project_id“{pid}”与文件夹{seen[pid].name}重复，未筛查"))
        else:
            seen[pid] = path
            projects.append(project)
    return projects, skipped


# --- report files -------------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that a reader (or a killed run) only ever sees the old or the new content."""
    tmp = path.parent / f"{_TEMP_PREFIX}{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with tmp.open("xb") as f:  # unlike mkstemp, the file gets the umask's usual permissions
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def report_text(report: dict[str, Any]) -> str:
    """A report as `screening project --format json` prints it."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _write_report(out: Path, report: dict[str, Any]) -> None:
    write_atomic(out / f"{report['project_id']}.json", report_text(report).encode())


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _remove_temp_files(out: Path) -> None:
    for folder in (out, out / STATE_DIR):
        for tmp in folder.glob(f"{_TEMP_PREFIX}*.tmp"):
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One batch at a time writes into OUT; the lock dies with the process that holds it."""
    with (out / STATE_DIR / "lock").open("a+b") as f:
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"{out}: 另一个screening batch正在写入这个文件夹") from None
        yield


def pages_of(report: dict[str, Any]) -> int:
    return sum(d.get("pages") or 0 for d in report.get("documents") or ())


# --- findings in report JSON ----------------------------------------------------------------------


def finding_from_json(data: dict[str, Any]) -> Finding:
    """A finding of a report JSON back as a `Finding` (to order findings and derive the verdict)."""
    loc = data.get("location")
    return Finding(
        rule=data["rule"],
        severity=Severity(data["severity"]),
        message=data["message"],
        file=data.get("file"),
        location=Location(
            part=PartKind(loc["part"]),
            page=loc.get("page"),
            paragraph=loc.get("paragraph"),
            start=loc.get("start"),
            end=loc.get("end"),
            origin=loc.get("origin", ""),
        ) if loc else None,
        matched=data.get("matched"),
        target=data.get("target"),
        method=data.get("method"),
        score=data.get("score"),
        context=data.get("context"),
        evidence=tuple(data.get("evidence") or ()),
    )


def without_batch_findings(report: dict[str, Any]) -> dict[str, Any]:
    return with_findings(report, (), drop_prefix="batch.")


def with_findings(report: dict[str, Any], extra: Sequence[Finding], *, drop_prefix: str | None = None) -> dict[str, Any]:
    """The report with `extra` findings added (and those under `drop_prefix` removed), ordered as
    `Report.to_json` orders them and the verdict derived again. Finding objects are kept as they
    are in the JSON, extra fields included."""
    kept = [f for f in report["findings"] if drop_prefix is None or not f["rule"].startswith(drop_prefix)]
    items = [(finding_from_json(f), f) for f in kept] + [(f, f.to_json()) for f in extra]
    items.sort(key=lambda item: item[0].sort_key())  # stable: equal keys keep the report's order
    verdict = Report(report["project_id"], tuple(f for f, _ in items)).verdict
    return {**report, "verdict": verdict.value, "findings": [data for _, data in items]}


def failure_report(project: Project, rule: str, message: str) -> dict[str, Any]:
    """The report of a project that could not be screened: one finding saying why."""
    call = load_call(project.call)
    finding = Finding(rule=rule, severity=call.severity(rule), message=message)
    title = project.application.title if project.application else None
    return Report(project.project_id, (finding,), call=call.name, title=title).to_json()


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One project's final report (batch findings included) and how it was obtained."""

    project: Project
    report: dict[str, Any]
    status: Status
    outcome: Outcome
    seconds: float  # screening time, 0 for a resumed project

    @property
    def project_id(self) -> str:
        return self.project.project_id

    @property
    def application(self) -> Application | None:
        return self.project.application

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.report["verdict"])

    @property
    def pages(self) -> int:
        return pages_of(self.report)


@dataclass(frozen=True, slots=True)
class BatchResult:
    folder: Path
    out: Path
    items: tuple[BatchItem, ...]
    skipped: tuple[Skipped, ...]
    seconds: float

    @property
    def verdict(self) -> Verdict:
        """The worst verdict of the batch: what the exit code follows (contract §2)."""
        verdicts = {i.verdict for i in self.items}
        return next(v for v in _WORST_FIRST if v in verdicts or v is Verdict.PASS)

    def to_json(self, files: Sequence[Path] = ()) -> dict[str, Any]:
        """The summary `screening batch --format json` prints."""
        counts = {v.value: sum(1 for i in self.items if i.verdict is v) for v in _WORST_FIRST}
        return {
            "schema": "screening-batch/1",
            "folder": str(self.folder),
            "out": str(self.out),
            "verdict": self.verdict.value,
            "projects": len(self.items),
            "verdicts": counts,
            "screened": sum(1 for i in self.items if i.status is Status.SCREENED),
            "resumed": sum(1 for i in self.items if i.status is Status.RESUMED),
            "pages": sum(i.pages for i in self.items),
            "seconds": round(self.seconds, 3),
            "items": [
                {
                    "project_id": i.project_id,
                    "folder": i.project.folder.name,
                    "title": i.report.get("title"),
                    "verdict": i.verdict.value,
                    "status": i.status.value,
                    "outcome": i.outcome.value,
                    "pages": i.pages,
                    "seconds": round(i.seconds, 3),
                    "findings": {s.value: sum(1 for f in i.report["findings"] if f["severity"] == s.value)
                                 for s in Severity},
                    "batch_rules": sorted({f["rule"] for f in i.report["findings"] if f["rule"].startswith("batch.")}),
                    "report": str(self.out / f"{i.project_id}.json"),
                }
                for i in self.items
            ],
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in self.skipped],
            "files": [str(p) for p in files],
        }


@dataclass(frozen=True, slots=True)
class Tick:
    """Progress: `done` of `total` projects, `pages` screened or resumed so far."""

    total: int
    done: int
    pages: int
    project_id: str | None = None
    status: Status | None = None


Progress = Callable[[Tick], None]
Finish = Callable[[Project, dict[str, Any], Outcome, float], None]


class ProjectScreener(Protocol):
    def __call__(self, folder: Path, *, call: str | None = None) -> Report: ...


# --- the local process pool ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Job:
    folder: Path
    call: str
    isolated: bool = False  # each attachment in its own limited process (the retry of a killed project)


# In a worker process: how it tells the parent which attachment it is parsing (set by `_serve`).
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


def screen_isolated(folder: Path, *, call: str | None = None, limits: Limits | None = None) -> Report:
    """A project with each attachment parsed in its own limited process, as `screening project`
    does: the retry of a project whose worker an attachment killed or held past the time limit."""
    isolation = worker_isolation(limits or from_env())
    return screen_project(folder, call=call, parse=isolation.parse, run=isolation.run, deadline=isolation.deadline())


_isolation: Isolation | None = None  # one per worker process, started by its first use


def worker_isolation(limits: Limits) -> Isolation:
    """This worker process's `Isolation` under `limits` (its fork server starts on first use)."""
    global _isolation
    if _isolation is None or _isolation.limits != limits:
        _isolation = Isolation(limits)
    return _isolation


def screen_in_worker(folder: Path, *, call: str | None = None) -> Report:
    """What a local batch worker runs on a project folder: `screen_project` with `parse_in_worker`."""
    return screen_project(folder, call=call, parse=parse_in_worker)


def _limit_worker(memory: int | None) -> None:
    """The worker's own address-space limit (`Limits.worker_memory`); never above an inherited one."""
    if memory is None:
        return
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        memory = min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _serve(conn: Connection, screener: ProjectScreener, limits: Limits) -> None:
    """A pool worker: set its limit, say it is ready, then screen the folders it is sent until the
    pipe closes; while it parses an attachment in-process it says which ("parsing", name)."""
    global _announce
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    _limit_worker(limits.worker_memory)
    _announce = lambda name: conn.send(("parsing", name, 0.0))  # noqa: E731
    conn.send(("ready", None, 0.0))
    while True:
        try:
            job: _Job = conn.recv()
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


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    project: Project | None = None
    isolated: bool = False  # the project is the isolated retry
    since: float = 0.0
    parsing: str | None = None  # the attachment parsed in the worker itself now
    parsing_since: float = 0.0

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        self.conn.close()  # an idle worker sees EOF and returns
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _start_worker(ctx: SpawnContext, screener: ProjectScreener, limits: Limits) -> _Worker:
    ours, theirs = ctx.Pipe()
    # not a daemon: a daemon may not start the processes of an isolated retry; the parent stops
    # its workers itself, and a worker whose parent is gone exits when its pipe closes
    process = ctx.Process(target=_serve, args=(theirs, screener, limits), name="screening-batch-worker")
    process.start()
    theirs.close()
    return _Worker(process, ours)


def _timeout_message(timeout: float) -> str:
    return f"筛查超过{timeout:g}秒仍未完成，已中止；附件可能过大或结构异常，请人工审查"


def _crash_message(detail: str) -> str:
    return f"筛查程序出错，本项目未能完成审查（{detail[:300]}）；请人工审查，或修复后用--force重新筛查"


def _attachment_timeout_message(name: str, seconds: float) -> str:
    return f"{name}：附件处理超过{seconds:g}秒仍未完成，已中止；请检查文件是否损坏或过于复杂"


def run_local(projects: Sequence[Project], *, workers: int, timeout: float, screener: ProjectScreener,
              finish: Finish, limits: Limits | None = None) -> None:
    """Screen on `workers` processes of this machine, each limited to `Limits.worker_memory` bytes
    of address space.

    Time: a project's `timeout` starts when a started worker takes it, and an attachment the worker
    parses itself may take `Limits.parse_timeout` (the worker says which attachment it is parsing).
    A worker that passes either limit is killed and replaced, as is one that dies (an attachment
    that blew up); the project is then screened again with each attachment in its own limited
    process (`screen_isolated`, the way `screening project` works), so that only the attachment at
    fault gets `document.timeout`, `document.too_large` or `document.unreadable` and every other
    attachment is still screened. A project whose isolated retry fails too gets a report saying so.
    A worker that dies before it is ready stops the batch."""
    limits = limits or from_env()
    ctx = multiprocessing.get_context("spawn")  # no fork: the parent may run threads (the progress bar)
    queue: deque[tuple[Project, bool]] = deque((p, False) for p in projects)
    pool = [_start_worker(ctx, screener, limits) for _ in range(min(workers, len(queue)))]

    def replace(i: int) -> None:
        pool[i].stop(kill=True)
        pool[i] = _start_worker(ctx, screener, limits)

    def limit_of(w: _Worker) -> float:
        project_end = w.since + timeout
        if w.parsing is None:
            return project_end
        return min(project_end, w.parsing_since + limits.parse_timeout)

    try:
        while True:
            for w in pool:
                if w.ready and w.project is None and queue:
                    (w.project, w.isolated), w.since, w.parsing = queue.popleft(), time.monotonic(), None
                    w.conn.send(_Job(w.project.folder, w.project.call, w.isolated))
            if not queue and all(w.project is None for w in pool):
                return
            deadlines = [limit_of(w) for w in pool if w.project is not None]
            left = min(deadlines) - time.monotonic() if deadlines else None
            ready = set(wait([w.conn for w in pool] + [w.process.sentinel for w in pool],
                             timeout=None if left is None else max(0.0, left)))
            for i, w in enumerate(pool):
                project = w.project
                if w.conn in ready:
                    try:
                        kind, value, seconds = w.conn.recv()
                    except (EOFError, OSError):
                        pass  # it died: handled below
                    else:
                        if kind == "ready":
                            w.ready = True
                        elif kind == "parsing":
                            w.parsing, w.parsing_since = value, time.monotonic()
                        elif project is not None:
                            w.project = None
                            if kind == "ok":
                                finish(project, value, Outcome.OK, seconds)
                            else:
                                finish(project, failure_report(project, "engine.crash", _crash_message(value)),
                                       Outcome.CRASH, seconds)
                        continue
                if not w.ready and not w.process.is_alive():
                    w.process.join()
                    raise UsageError(f"批处理工作进程无法启动（退出码{w.process.exitcode}）")
                if project is None:
                    if w.process.sentinel in ready:  # an idle worker died (killed from outside)
                        replace(i)
                    continue
                now = time.monotonic()
                elapsed = now - w.since
                if w.process.sentinel in ready or w.conn in ready:
                    w.process.join()
                    detail = f"工作进程意外退出，退出码{w.process.exitcode}"
                    if w.parsing is not None:
                        detail += f"，当时正在解析附件“{w.parsing}”"
                    report, outcome = failure_report(project, "engine.crash", _crash_message(detail)), Outcome.CRASH
                elif w.parsing is not None and now >= w.parsing_since + limits.parse_timeout:
                    message = _attachment_timeout_message(w.parsing, limits.parse_timeout)
                    report, outcome = failure_report(project, "document.timeout", message), Outcome.TIMEOUT
                elif elapsed >= timeout:
                    report, outcome = failure_report(project, "document.timeout", _timeout_message(timeout)), Outcome.TIMEOUT
                else:
                    continue
                retry = not w.isolated and (w.parsing is not None or outcome is Outcome.CRASH)
                replace(i)
                if retry:  # an attachment killed the worker or held it: find which, keep the rest
                    queue.appendleft((project, True))
                else:
                    finish(project, report, outcome, elapsed)
    finally:
        for w in pool:
            w.stop(kill=w.project is not None or not w.ready)


# --- a Dask cluster ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payload:
    """A project as it travels to a cluster worker: contents, never paths only the client sees."""

    project_id: str
    application: str  # the text of application.json
    source: str  # how messages name application.json (the client's path, as screening project does)
    files: tuple[tuple[str, bytes], ...]  # the attachments: name, bytes
    call_name: str
    call_text: str  # the call file itself, so the worker screens with exactly the fingerprinted call


def make_payload(project: Project) -> Payload:
    app_file = project.folder / APPLICATION_FILE
    return Payload(
        project_id=project.project_id,
        application=app_file.read_bytes().decode("utf-8-sig"),
        source=str(app_file),
        files=tuple((p.name, p.read_bytes()) for p in project_files(project.folder)),
        call_name=call_path(project.call).stem,
        call_text=call_path(project.call).read_text(encoding="utf-8"),
    )


def _call_file(name: str, text: str) -> Path:
    """The call text as a file on this worker (named as the call, as load_call requires)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / "screening-calls" / digest / f"{name}.yaml"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode())
    return path


def screen_payload_now(payload: Payload, limits: Limits | None = None, cancel: threading.Event | None = None) -> dict[str, Any]:
    """Screen a project from memory: what `screen_project()` does with the folder, each attachment
    parsed in its own limited process (`limits`: the client's, so that every machine of the
    cluster applies the operator's settings)."""
    isolation = worker_isolation(limits or from_env())
    application = parse_application(payload.application, payload.source)
    uploads = [Upload(name, data=data) for name, data in payload.files]
    call = str(_call_file(payload.call_name, payload.call_text))
    return screen(application, uploads, call=call, parse=partial(isolation.parse, cancel=cancel),
                  run=partial(isolation.run, cancel=cancel), deadline=isolation.deadline(cancel)).to_json()


def screen_payload(payload: Payload, timeout: float, limits: Limits | None = None) -> tuple[str, Any, float]:
    """A cluster task: ("ok", report, seconds), ("error", detail, seconds) or ("timeout", None, seconds).

    A thread cannot be killed: after `timeout` the screening thread is told to stop (it kills the
    parsing process it waits for, and its checks stop at their next look at the deadline)."""
    answer: list[tuple[str, Any]] = []
    cancel = threading.Event()

    def run() -> None:
        try:
            answer.append(("ok", screen_payload_now(payload, limits, cancel)))
        except Cancelled:
            pass
        except Exception as err:
            answer.append(("error", f"{type(err).__name__}: {err}"))

    started = time.perf_counter()
    thread = threading.Thread(target=run, name=f"screen-{payload.project_id}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        cancel.set()
    seconds = time.perf_counter() - started
    return (*answer[0], seconds) if answer else ("timeout", None, seconds)


def can_isolate() -> bool:
    """Whether this process may start the limited parsing processes (a daemon may not)."""
    return not multiprocessing.current_process().daemon


def run_dask(projects: Sequence[Project], *, scheduler: str, timeout: float, finish: Finish) -> None:
    """Screen on the Dask cluster at `scheduler`; at most two projects per worker thread travel at once."""
    try:
        import distributed
    except ImportError:
        raise UsageError("--scheduler 需要 dask[distributed]：pip install 'screening[dist]'") from None
    try:
        client = distributed.Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise UsageError(f"无法连接Dask调度器 {scheduler}：{err}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise UsageError(f"Dask调度器 {scheduler} 上60秒内没有可用的工作节点") from None
        ours = _version()
        theirs = {addr: v for addr, v in client.run(_version).items() if v != ours}
        if theirs:
            raise UsageError(f"Dask工作节点的screening版本与本机（{ours}）不同：{theirs}")
        daemons = sorted(addr for addr, ok in client.run(can_isolate).items() if not ok)
        if daemons:
            raise UsageError(
                f"Dask工作节点 {', '.join(daemons)} 是守护进程，不能为每个附件启动受限的解析进程；"
                "请以环境变量 DASK_DISTRIBUTED__WORKER__DAEMON=False 启动 dask worker")
        limits = from_env()
        slots = 2 * max(1, sum(client.nthreads().values()))
        queue = deque(projects)
        running: dict[str, Project] = {}
        done = distributed.as_completed(loop=client.loop)

        def submit(project: Project) -> None:
            try:
                payload = make_payload(project)
            except (OSError, UnicodeDecodeError) as err:
                finish(project, failure_report(project, "engine.crash", _crash_message(f"读取项目文件失败：{err}")),
                       Outcome.CRASH, 0.0)
                return
            future = client.submit(screen_payload, payload, timeout, limits, pure=False,
                                   key=f"screening-{project.project_id}-{project.fingerprint[:16]}")
            running[future.key] = project
            done.add(future)

        while queue and len(running) < slots:
            submit(queue.popleft())
        for future in done:
            project = running.pop(future.key)
            try:
                kind, value, seconds = future.result()
            except Exception as err:  # KilledWorker (it took its workers down), a lost connection
                kind, value, seconds = "error", f"{type(err).__name__}: {err}", 0.0
            future.release()
            if kind == "ok":
                finish(project, value, Outcome.OK, seconds)
            elif kind == "timeout":
                finish(project, failure_report(project, "document.timeout", _timeout_message(timeout)),
                       Outcome.TIMEOUT, seconds)
            else:
                finish(project, failure_report(project, "engine.crash", _crash_message(value)), Outcome.CRASH, seconds)
            while queue and len(running) < slots:
                submit(queue.popleft())


# --- the batch ----------------------------------------------------------------------------------


def _resumable(project: Project, out: Path, timeout: float) -> tuple[dict[str, Any], Outcome] | None:
    """The report a previous run wrote for this very input and configuration, and how it ended;
    None when the project must be screened: new, changed, crashed, or timed out under a shorter limit."""
    state = _read_json(out / STATE_DIR / f"{project.project_id}.json")
    if state is None or state.get("fingerprint") != project.fingerprint or state.get("outcome") not in set(Outcome):
        return None
    outcome = Outcome(state["outcome"])
    if outcome is Outcome.CRASH or (outcome is Outcome.TIMEOUT and state.get("timeout", 0) < timeout):
        return None
    report = _read_json(out / f"{project.project_id}.json")
    if report is None or report.get("project_id") != project.project_id or not isinstance(report.get("findings"), list):
        return None
    return report, outcome


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
) -> BatchResult:
    """Screen every project folder of `folder` into `out` (see the module docstring).

    `workers` processes on this machine (default: one per core), or the Dask cluster at
    `scheduler` ("tcp://host:port"). `screener` is what a local worker runs on a folder; it must
    be importable by name (workers are fresh processes). A local worker's memory limit comes from
    `screening.limits` (`SCREENING_PARSE_MEMORY_MB`)."""
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
    with _locked(out):
        _remove_temp_files(out)
        projects, skipped = discover(folder, out, call)
        if not projects:
            raise UsageError(f"{folder}: 没有项目文件夹（含{APPLICATION_FILE}的子文件夹）")

        written: dict[str, dict[str, Any]] = {}  # what OUT/<id>.json holds now
        status: dict[str, tuple[Status, Outcome, float]] = {}
        pages = 0

        def tick(project: Project, how: Status) -> None:
            if progress is not None:
                progress(Tick(len(projects), len(status), pages, project.project_id, how))

        def finish(project: Project, report: dict[str, Any], outcome: Outcome, seconds: float) -> None:
            nonlocal pages
            _write_report(out, report)
            state = {"project_id": project.project_id, "folder": project.folder.name,
                     "fingerprint": project.fingerprint, "outcome": outcome.value, "seconds": round(seconds, 3),
                     "timeout": timeout}
            write_atomic(out / STATE_DIR / f"{project.project_id}.json", json.dumps(state).encode())
            written[project.project_id] = report
            status[project.project_id] = (Status.SCREENED, outcome, seconds)
            pages += pages_of(report)
            tick(project, Status.SCREENED)

        if progress is not None:
            progress(Tick(len(projects), 0, 0))
        todo: list[Project] = []
        for project in projects:
            previous = None if force else _resumable(project, out, timeout)
            if previous is not None:
                written[project.project_id], outcome = previous
                status[project.project_id] = (Status.RESUMED, outcome, 0.0)
                pages += pages_of(written[project.project_id])
                tick(project, Status.RESUMED)
            elif project.problem is not None:
                finish(project, failure_report(project, "document.application", project.problem), Outcome.INVALID, 0.0)
            else:
                todo.append(project)
        if todo and scheduler is not None:
            run_dask(todo, scheduler=scheduler, timeout=timeout, finish=finish)
        elif todo:
            run_local(todo, workers=workers or default_workers(), timeout=timeout, screener=screener, finish=finish,
                      limits=limits)

        bases = {pid: without_batch_findings(report) for pid, report in written.items()}
        extra = batch_findings(projects, bases)
        items = []
        for project in projects:
            pid = project.project_id
            final = with_findings(bases[pid], extra.get(pid, ()))
            if final != written[pid]:
                _write_report(out, final)
            how, outcome, seconds = status[pid]
            items.append(BatchItem(project, final, how, outcome, seconds))
    return BatchResult(folder, out, tuple(items), tuple(skipped), time.monotonic() - started)
