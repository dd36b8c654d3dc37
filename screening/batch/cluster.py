"""The Dask runner of a batch (`run_dask`, `screening batch --scheduler tcp://H:P`).

A project travels to a cluster worker as a `Payload`: its contents (application.json, every
attachment, the call file), never paths only the client sees. The task (`screen_payload`) hands it
to a screening process of that worker (`_serve`, one per task running at once, kept from project to
project), which screens it from memory (`screen_payload_now`) with every attachment parsed in its
own limited process, under the client's `Limits`, so every machine applies the operator's
settings. Time is held as in the local pool: a project's `timeout` starts when a started screening
process takes it, and past it that process is killed with its whole session (its fork server, the
attachment being parsed), so nothing of the project keeps running or using a core on the worker;
the project gets `document.timeout` and the next one a new screening process. Only a process that
is no daemon may start processes (`can_isolate`), so the workers must run with
`DASK_DISTRIBUTED__WORKER__DAEMON=False`: before sending work the batch checks that, and that the
workers run this screening version.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import multiprocessing.util
import os
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing import connection
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from screening.application import parse_application
from screening.batch.discovery import Project, screening_version
from screening.batch.reports import crash_message, failure_report, timeout_message
from screening.batch.results import Finish, Outcome
from screening.batch.store import write_atomic
from screening.batch.worker import limit_worker, worker_isolation
from screening.calls import call_path
from screening.engine import APPLICATION_FILE, Upload, project_files, screen
from screening.errors import UsageError
from screening.limits import Limits, from_env
from screening.warm import screen_sample


@dataclass(frozen=True, slots=True)
class Payload:
    """A project as it travels to a cluster worker: contents, never paths only the client sees."""

    project_id: str
    application: str  # the text of application.json
    source: str  # how messages name application.json (the client's path, as screening project does)
    files: tuple[tuple[str, bytes], ...]  # the attachments: name, bytes
    call_name: str
    call_text: str  # the call file itself, so the worker screens with exactly the fingerprinted call


# what screens a payload in a worker's screening process (`screen_payload_now`; tests pass stand-ins)
PayloadScreener = Callable[[Payload, Limits], dict[str, Any]]
READY_TIMEOUT = 120.0  # seconds a new screening process may take to start (its fork server included)


def make_payload(project: Project) -> Payload:
    app_file = project.folder / APPLICATION_FILE
    call_file = call_path(project.call)
    return Payload(
        project_id=project.project_id,
        application=app_file.read_bytes().decode("utf-8-sig"),
        source=str(app_file),
        files=tuple((p.name, p.read_bytes()) for p in project_files(project.folder)),
        call_name=call_file.stem,
        call_text=call_file.read_text(encoding="utf-8"),
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
                  deadline=isolation.deadline(cancel)).to_json()


# --- on a Dask worker: each project in a screening process, killed at the timeout -------------


def _serve(conn: Connection, limits: Limits) -> None:
    """A screening process of a Dask worker: a session of its own (so that killing it kills all it
    started: its fork server, the attachment being parsed), the batch worker's memory limit, its
    fork server started; then it screens the payloads it is sent until the pipe closes."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker, which stops this process
    limit_worker(limits.worker_memory)
    worker_isolation(limits).warm()
    screen_sample()  # the models loaded before "ready": a project's timeout never pays for them
    conn.send(("ready", None, 0.0))
    while True:
        try:
            payload, screener = conn.recv()
        except (EOFError, OSError):
            os._exit(0)  # the worker is gone or done with it
        started = time.perf_counter()
        try:
            answer: tuple[str, Any] = ("ok", screener(payload, limits))
        except Exception as err:  # a bug in a check: this project's report says so
            answer = ("error", f"{type(err).__name__}: {err}")
        try:
            conn.send((*answer, time.perf_counter() - started))
        except OSError:
            os._exit(0)


class _Screening:
    """A screening process (`_serve`) as the task that uses it sees it."""

    def __init__(self, limits: Limits) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork: the worker runs threads
        self.limits = limits
        self.conn, theirs = ctx.Pipe()
        # not a daemon: it starts a process per attachment; `_stop_all` stops it when the worker ends
        self.process = ctx.Process(target=_serve, args=(theirs, limits), name="screening-dask-project")
        self.process.start()
        theirs.close()
        self.ready = False
        self.stopped = False

    def dead(self) -> bool:
        """Whether it has exited (it is not reaped: `stop` still kills its session by its id)."""
        return bool(connection.wait([self.process.sentinel], 0))

    def screen(self, payload: Payload, screener: PayloadScreener, timeout: float) -> tuple[str, Any, float]:
        """("ok", report, s), ("error", detail, s) or ("timeout", None, s). It is stopped when it
        timed out, died or could not start; it stays usable after "ok" or an error a check raised."""
        started = time.monotonic()
        if not self.ready:
            got = self._next(READY_TIMEOUT)
            if isinstance(got, str):
                return "error", self._failed(got, "启动时"), time.monotonic() - started
            self.ready = True
            started = time.monotonic()  # as in the local pool: the timeout starts when a started process takes it
        with contextlib.suppress(OSError):  # it died a moment ago: its death is the answer
            self.conn.send((payload, screener))
        got = self._next(timeout)
        seconds = time.monotonic() - started
        if got == "silent":
            self.stop()
            return "timeout", None, seconds
        if isinstance(got, str):
            return "error", self._failed(got, ""), seconds
        return got

    def _next(self, timeout: float) -> tuple[str, Any, float] | str:
        """Its next message within `timeout` seconds, else "silent" — or "died"."""
        ready = connection.wait([self.conn, self.process.sentinel], timeout)
        if self.conn in ready:
            try:
                message: tuple[str, Any, float] = self.conn.recv()
            except (EOFError, OSError):
                return "died"
            return message
        return "died" if ready else "silent"

    def _failed(self, got: str, when: str) -> str:
        """Stop it; why it failed, for the project's `engine.crash`."""
        self.stop()
        if got == "silent":
            return f"Dask工作节点上的筛查进程{READY_TIMEOUT:g}秒内未能启动"
        return f"Dask工作节点上的筛查进程{when}意外退出，退出码{self.process.exitcode}"

    def stop(self) -> None:
        """Kill its session — the screening, its fork server, the parsing processes — then it."""
        if not self.stopped:
            pid = self.process.pid
            assert pid is not None
            with contextlib.suppress(ProcessLookupError):  # killed before it had a session of its own
                os.killpg(pid, signal.SIGKILL)
            self.process.kill()
            self.process.join()
            self.conn.close()
            self.stopped = True
        with _lock:
            _started.discard(self)


# this worker process's screening processes: those waiting for a project, and all (to stop at exit)
_idle: list[_Screening] = []
_started: set[_Screening] = set()
_lock = threading.Lock()
_stopping_at_exit = False


def _take(limits: Limits) -> _Screening:
    """An idle screening process under `limits`, or a new one."""
    global _stopping_at_exit
    with _lock:
        if not _stopping_at_exit:
            # when the worker ends, before multiprocessing waits for its children (an idle one waits for ever)
            multiprocessing.util.Finalize(None, _stop_all, exitpriority=10)
            _stopping_at_exit = True
        stale = [s for s in _idle if s.limits != limits or s.dead()]  # other limits, or killed from outside
        usable = [s for s in _idle if s not in stale]
        mine = usable.pop() if usable else None
        _idle[:] = usable
    for screening in stale:
        screening.stop()
    if mine is None:
        mine = _Screening(limits)
        with _lock:
            _started.add(mine)
    return mine


def _stop_all() -> None:
    with _lock:
        every = list(_started)
        _idle.clear()
    for screening in every:
        screening.stop()


def screen_payload(payload: Payload, timeout: float, limits: Limits | None = None,
                   screener: PayloadScreener = screen_payload_now) -> tuple[str, Any, float]:
    """A cluster task: ("ok", report, seconds), ("error", detail, seconds) or ("timeout", None, seconds).

    The project is screened (`screener`, in tests a stand-in) in a screening process of this worker,
    kept for its next project; after `timeout` that process is killed with every process it
    started, so nothing keeps running the project, and the next project gets a new one."""
    limits = limits or from_env()
    screening = _take(limits)
    try:
        answer = screening.screen(payload, screener, timeout)
    except BaseException:
        screening.stop()
        raise
    if not screening.stopped:
        with _lock:
            _idle.append(screening)
    return answer


def can_isolate() -> bool:
    """Whether this process may start processes — a screening process, and a limited one per
    attachment (a daemon may not)."""
    return not multiprocessing.current_process().daemon


def run_dask(projects: Sequence[Project], *, scheduler: str, timeout: float, finish: Finish,
             screener: PayloadScreener = screen_payload_now) -> None:
    """Screen on the Dask cluster at `scheduler`; at most two projects per worker thread travel at once.
    `screener` is what a worker's screening process runs on a payload; it must be importable by name."""
    try:
        import distributed
    except ImportError:
        raise UsageError("--scheduler 需要 dask[distributed]：在源码目录中执行 pip install -c constraints.txt -e '.[dist]'") from None
    try:
        client = distributed.Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise UsageError(f"无法连接Dask调度器 {scheduler}：{err}") from None
    with client:
        _check_cluster(client, scheduler)
        limits = from_env()
        slots = 2 * max(1, sum(client.nthreads().values()))
        queue = deque(projects)
        running: dict[Hashable, Project] = {}  # by the future's key
        done = distributed.as_completed(loop=client.loop)

        def submit(project: Project) -> None:
            try:
                payload = make_payload(project)
            except (OSError, UnicodeDecodeError) as err:
                finish(project, failure_report(project, "engine.crash", crash_message(f"读取项目文件失败：{err}")),
                       Outcome.CRASH, 0.0)
                return
            future = client.submit(screen_payload, payload, timeout, limits, screener, pure=False,
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
                finish(project, failure_report(project, "document.timeout", timeout_message(timeout)),
                       Outcome.TIMEOUT, seconds)
            else:
                finish(project, failure_report(project, "engine.crash", crash_message(value)), Outcome.CRASH, seconds)
            while queue and len(running) < slots:
                submit(queue.popleft())


def _check_cluster(client: Any, scheduler: str) -> None:
    """Refuse a cluster without workers, with another screening version, or with daemon workers."""
    try:
        client.wait_for_workers(1, timeout=60)
    except TimeoutError:
        raise UsageError(f"Dask调度器 {scheduler} 上60秒内没有可用的工作节点") from None
    ours = screening_version()
    theirs = {addr: v for addr, v in client.run(screening_version).items() if v != ours}
    if theirs:
        raise UsageError(f"Dask工作节点的screening版本与本机（{ours}）不同：{theirs}")
    daemons = sorted(addr for addr, ok in client.run(can_isolate).items() if not ok)
    if daemons:
        raise UsageError(
            f"Dask工作节点 {', '.join(daemons)} 是守护进程，不能为每个附件启动受限的解析进程；"
            "请以环境变量 DASK_DISTRIBUTED__WORKER__DAEMON=False 启动 dask worker")
