"""Running the jobs of a `JobStore` (screening/jobs.py) in the service, beside its requests.

* `workers` threads (the service passes `Limits.concurrent`) take queued jobs in the order they
  came and screen each exactly as POST /v1/screen does (`screen_submission`: every attachment
  parsed in its own limited process, the checks within the same deadline); request handling is
  never blocked by them. A job finds every parsing process busy (`Busy`): it waits
  `BUSY_RETRY` seconds and tries again, it does not fail.
* At start-up every job still `queued`, or `running` when the service stopped, is queued again,
  oldest first. A job found `running` was interrupted by a crash or a kill (a service that stops
  normally puts its running jobs back to `queued`); after `MAX_INTERRUPTED` such interruptions it
  fails instead of taking the service down once more.
* A finished job (done or failed) is announced to the operator's callback (`screening.callbacks`);
  finished jobs older than `keep_days` are removed at start-up and every `EXPIRE_EVERY` seconds.
* At most `max_pending` jobs are queued or running; one more is refused with `QueueFull` (503).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from screening.application import Application
from screening.callbacks import Notifier
from screening.deadline import Cancelled
from screening.engine import Upload, screen
from screening.errors import ScreeningError
from screening.isolation import Busy, Isolation
from screening.jobs import PENDING, Job, JobSettings, JobStore, now
from screening.report import to_json
from screening.uploads import ApiError, read_application

log = logging.getLogger("uvicorn.error")

BUSY_RETRY = 5.0  # seconds a job waits when every parsing process is busy
EXPIRE_EVERY = 3600.0  # seconds between two removals of expired jobs
MAX_INTERRUPTED = 3  # a job found running at start-up this many times fails
INTERNAL_ERROR = {"error": "internal_error", "detail": "服务器内部错误，请稍后重新提交或联系管理员"}


class QueueFull(ScreeningError):
    """As many jobs are queued or running as the configuration allows."""


def screen_submission(isolation: Isolation, application: Application, uploads: Sequence[Upload],
                      cancel: threading.Event) -> str:
    """The report JSON of one submission, byte for byte the answer of POST /v1/screen: every
    attachment parsed in its own limited process, the checks within the isolation's deadline.
    Raises `Busy` (every parsing process stayed busy), `Cancelled` (`cancel` was set) or the
    `ScreeningError` of a broken call file."""
    report = screen(application, uploads, parse=partial(isolation.parse, cancel=cancel),
                    deadline=isolation.deadline(cancel))
    return to_json([report]) + "\n"


class JobRunner:
    def __init__(self, store: JobStore, isolation: Isolation, settings: JobSettings, *, workers: int,
                 notifier: Notifier | None = None) -> None:
        self.store = store
        self.isolation = isolation
        self.settings = settings
        self.workers = workers
        self.notifier = notifier or Notifier(settings.callback, settings.callback_delays)
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        self._pending: set[str] = set()  # queued or running
        self._creating = 0  # jobs being written by `submit`
        self._stopping = threading.Event()  # also the cancel event of every running screening
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ life

    def start(self) -> None:
        """Queue again what the last run left, remove expired jobs, start the threads."""
        self.notifier.start()
        self._expire()
        for job in self._recover():
            self._enqueue(job.id)
        self._threads = [threading.Thread(target=self._work, name=f"jobs-worker-{n}", daemon=True)
                         for n in range(self.workers)]
        self._threads.append(threading.Thread(target=self._janitor, name="jobs-janitor", daemon=True))
        for thread in self._threads:
            thread.start()
        if self._pending:
            log.info("%d job(s) left by the last run queued again", len(self._pending))

    def stopping(self) -> None:
        """The service is about to stop: cancel the running screenings now and record no result
        from here on (their jobs are queued again). Safe in a signal handler: it sets an event."""
        self._stopping.set()

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the threads: running screenings are cancelled and their jobs queued again (run at
        the next start-up)."""
        self.stopping()
        for _ in range(self.workers):
            self._queue.put(None)
        until = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, until - time.monotonic()))
        still = [t.name for t in self._threads if t.is_alive()]
        if still:
            log.warning("jobs: %s still running at shutdown; their jobs run again at the next start-up", ", ".join(still))
        self._threads = []
        self.notifier.stop()

    # ------------------------------------------------------------ requests

    def submit(self, application: bytes, uploads: Sequence[Upload]) -> Job:
        """A new queued job (`QueueFull` when `max_pending` are waiting; `JobStoreError` when it
        cannot be written)."""
        limit = self.settings.max_pending
        with self._lock:
            if len(self._pending) + self._creating >= limit:
                raise QueueFull(f"任务队列已满：最多{limit}个任务同时排队或筛查，请稍后重试")
            self._creating += 1
        try:
            job = self.store.create(application, uploads)
        finally:
            with self._lock:
                self._creating -= 1
        self._enqueue(job.id)
        return job

    def status(self, job_id: str) -> dict[str, Any] | None:
        """What GET /v1/jobs/{id} answers, or None for an unknown id."""
        job = self.store.get(job_id)
        if job is None:
            return None
        report = self.store.report(job)
        if job.state == "done" and report is None:
            return None  # expired between the two reads
        return job.status(report)

    # ------------------------------------------------------------ work

    def _enqueue(self, job_id: str) -> None:
        with self._lock:
            self._pending.add(job_id)
        self._queue.put(job_id)

    def _recover(self) -> list[Job]:
        """The jobs to run again, oldest first; a job interrupted too often fails instead."""
        again = []
        for job in self.store.jobs():
            if job.state == "running":
                job = replace(job, state="queued", interrupted=job.interrupted + 1)
                log.warning("job %s was interrupted while screened (%d time(s))", job.id, job.interrupted)
                if job.interrupted >= MAX_INTERRUPTED:
                    done = self.store.finish(job, error={"error": "interrupted", "detail": (
                        f"筛查该任务时服务已{job.interrupted}次意外停止，不再重试；请检查附件后重新提交")})
                    self.notifier.notify(done.summary())
                    continue
                self.store.save(job)
            if job.state in PENDING:
                again.append(job)
        return again

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                self._run(job_id)
            except Exception:  # a disk error writing the job's state: logged, the job runs again at start-up
                log.exception("job %s could not be run", job_id)
            finally:
                with self._lock:
                    self._pending.discard(job_id)

    def _run(self, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is None or job.state not in PENDING or self._stopping.is_set():
            return
        job = self.store.save(replace(job, state="running", started=now(), attempts=job.attempts + 1))
        started = time.perf_counter()
        outcome = self._screen(job)
        if outcome is None:  # the service is stopping
            self.store.save(replace(job, state="queued"))
            log.info("job %s stopped by the shutdown, queued again", job.id)
            return
        report, error = outcome
        job = self.store.finish(job, report=report, error=error)
        log.info("job %s %s in %.1f s", job.id, job.state, time.perf_counter() - started)
        self.notifier.notify(job.summary())

    def _screen(self, job: Job) -> tuple[str | None, dict[str, Any] | None] | None:
        """(report, None), (None, error), or None when the service stops meanwhile."""
        try:
            raw, uploads = self.store.inputs(job)
            application = read_application(raw)  # checked when it came; the call may be gone since
        except ApiError as err:
            return None, {"error": err.error, "detail": err.detail}
        except OSError as err:
            log.error("job %s: cannot read its inputs: %s", job.id, err)
            return None, {"error": "job_inputs_lost", "detail": "任务的上传内容已丢失，请重新提交"}
        while True:
            try:
                report = screen_submission(self.isolation, application, uploads, self._stopping)
                # a stop signal sent to the process group killed the parsing processes too: whatever was
                # screened meanwhile may hold attachments "unreadable" because of it, not of themselves
                return None if self._stopping.is_set() else (report, None)
            except Busy:
                if self._stopping.wait(BUSY_RETRY):
                    return None
            except Cancelled:
                return None
            except ScreeningError as err:
                log.error("job %s: screening failed: %s", job.id, err)
                return None, {"error": "screening_failed", "detail": str(err)}
            except Exception:
                log.exception("job %s: internal error", job.id)
                return None, dict(INTERNAL_ERROR)

    def _janitor(self) -> None:
        while not self._stopping.wait(EXPIRE_EVERY):
            self._expire()

    def _expire(self) -> None:
        try:
            removed = self.store.expire(self.settings.keep_days)
        except Exception:  # never the end of the service
            log.exception("jobs: removing expired jobs failed")
            return
        if removed:
            log.info("removed %d job(s) finished more than %g day(s) ago", len(removed), self.settings.keep_days)
