"""The Dask runner of a batch (`run_dask`, `screening batch --scheduler tcp://H:P`).

A project travels to a cluster worker as a `Payload`: its contents (application.json, every
attachment, the call file), never paths only the client sees. The task (`screen_payload`) screens
it from memory (`screen_payload_now`) with every attachment parsed in its own limited process,
under the client's `Limits`, so every machine applies the operator's settings; after `timeout` the
screening thread is told to stop. A process may only start those parsing processes when it is no
daemon (`can_isolate`), so the workers must run with `DASK_DISTRIBUTED__WORKER__DAEMON=False`:
before sending work the batch checks that, and that the workers run this screening version.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import tempfile
import threading
import time
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from screening.application import parse_application
from screening.batch.discovery import Project, screening_version
from screening.batch.reports import crash_message, failure_report, timeout_message
from screening.batch.results import Finish, Outcome
from screening.batch.store import write_atomic
from screening.batch.worker import worker_isolation
from screening.calls import call_path
from screening.deadline import Cancelled
from screening.engine import APPLICATION_FILE, Upload, project_files, screen
from screening.errors import UsageError
from screening.limits import Limits, from_env


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
