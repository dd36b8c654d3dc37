"""Asynchronous screening jobs, kept on disk so that they survive a restart of the service
(`POST /v1/jobs`, `GET /v1/jobs/{id}`; run by `screening.job_runner`).

The jobs directory (`JobSettings.directory`, mode 0700) holds one directory per job:

    <id>/job.json          state, times, attempts, the attachments' names
    <id>/application.json  the application as sent       } until the job is done or failed,
    <id>/files/<n>         the n-th attachment as sent    } then removed
    <id>/report.json       the report (done): byte for byte what POST /v1/screen answers

A job is written complete in `.new-<id>` and renamed into place, so a job that exists is whole;
job.json and report.json are replaced by renaming a complete temporary file over them. States:
`queued` → `running` → `done` | `failed`. Done and failed jobs are removed `keep_days` after they
finished (`JobStore.expire`). One service per jobs directory.

Configuration (environment variables, read by `settings_from_env`):

| variable | meaning | default |
| --- | --- | --- |
| `SCREENING_JOBS_DIR` | the jobs directory | `$XDG_STATE_HOME/screening/jobs` (`~/.local/state/screening/jobs`) |
| `SCREENING_JOBS_KEEP_DAYS` | days a finished job (and its report) is kept | 7 |
| `SCREENING_JOBS_CALLBACK` | an http(s) URL POSTed `{"id", "state", "url"}` when a job finishes | none |
| `SCREENING_JOBS_MAX_PENDING` | jobs queued or running at once; more are answered 503 | 200 |
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from screening.engine import Upload
from screening.errors import ConfigError, ScreeningError

log = logging.getLogger("uvicorn.error")

State = Literal["queued", "running", "done", "failed"]
PENDING: tuple[State, ...] = ("queued", "running")
FINISHED: tuple[State, ...] = ("done", "failed")
JOB_ID = re.compile(r"[0-9a-f]{32}")
NEW_PREFIX = ".new-"  # a job being written; never a job
JOB_FILE, APPLICATION_FILE, FILES_DIR, REPORT_FILE = "job.json", "application.json", "files", "report.json"


class JobStoreError(ScreeningError):
    """The jobs directory could not be written or read (disk full, permissions)."""


# ---------------------------------------------------------------- configuration


KEEP_DAYS = 7.0
MAX_PENDING = 200


@dataclass(frozen=True, slots=True)
class JobSettings:
    directory: Path
    keep_days: float = KEEP_DAYS
    callback: str | None = None  # POSTed {"id", "state", "url"} when a job finishes
    max_pending: int = MAX_PENDING
    callback_delays: tuple[float, ...] = (2.0, 10.0, 60.0)  # seconds before each retry of a failed callback

    def __post_init__(self) -> None:
        if not (self.keep_days > 0 and math.isfinite(self.keep_days)):
            raise ConfigError(f"任务保留天数（SCREENING_JOBS_KEEP_DAYS）必须是正数，现为 {self.keep_days:g}")
        if self.max_pending < 1:
            raise ConfigError(f"同时排队的任务数上限（SCREENING_JOBS_MAX_PENDING）必须是正整数，现为 {self.max_pending}")
        if self.callback is not None:
            parts = urlsplit(self.callback)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError("任务完成回调地址（SCREENING_JOBS_CALLBACK）必须是 http:// 或 https:// 开头的完整地址，"
                                  f"现为 {self.callback!r}")


def default_directory(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/screening/jobs`, else `~/.local/state/screening/jobs`."""
    env = os.environ if environ is None else environ
    state = env.get("XDG_STATE_HOME", "").strip()
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "screening" / "jobs"


def settings_from_env(environ: Mapping[str, str] | None = None) -> JobSettings:
    """The settings from the `SCREENING_JOBS_*` variables (see the module docstring)."""
    env = os.environ if environ is None else environ
    directory = env.get("SCREENING_JOBS_DIR", "").strip()
    keep = env.get("SCREENING_JOBS_KEEP_DAYS", "").strip()
    pending = env.get("SCREENING_JOBS_MAX_PENDING", "").strip()
    callback = env.get("SCREENING_JOBS_CALLBACK", "").strip()
    try:
        keep_days = float(keep) if keep else KEEP_DAYS
    except ValueError:
        raise ConfigError(f"环境变量 SCREENING_JOBS_KEEP_DAYS={keep!r} 不是数字") from None
    try:
        max_pending = int(pending) if pending else MAX_PENDING
    except ValueError:
        raise ConfigError(f"环境变量 SCREENING_JOBS_MAX_PENDING={pending!r} 不是整数") from None
    return JobSettings(directory=Path(directory).expanduser().absolute() if directory else default_directory(env),
                       keep_days=keep_days, callback=callback or None, max_pending=max_pending)


# ---------------------------------------------------------------- jobs


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def job_url(job_id: str) -> str:
    """Where a job's state is answered, relative to the service."""
    return f"/v1/jobs/{job_id}"


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    state: State
    created: str
    files: tuple[str, ...]  # the attachments' names, in the order sent
    started: str | None = None
    finished: str | None = None
    attempts: int = 0  # times a screening of it started
    interrupted: int = 0  # times the service stopped without finishing it (found `running` at start-up)
    error: dict[str, Any] | None = None  # {error, detail} of a failed job

    @property
    def url(self) -> str:
        return job_url(self.id)

    def summary(self) -> dict[str, Any]:
        """What POST /v1/jobs answers and the callback is sent: `{id, state, url}`."""
        return {"id": self.id, "state": self.state, "url": self.url}

    def status(self, report: str | None = None) -> dict[str, Any]:
        """What GET /v1/jobs/{id} answers: the summary, the times, and the report (done) or the
        error (failed)."""
        out = {**self.summary(), "created": self.created, "started": self.started, "finished": self.finished}
        if report is not None:
            out["report"] = json.loads(report)
        if self.error is not None:
            out["error"] = self.error
        return out

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "files": list(self.files)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        if data.get("state") not in (*PENDING, *FINISHED) or not JOB_ID.fullmatch(str(data.get("id"))):
            raise ValueError("not a job")
        return cls(id=data["id"], state=data["state"], created=str(data["created"]),
                   files=tuple(str(f) for f in data["files"]), started=data.get("started"),
                   finished=data.get("finished"), attempts=int(data.get("attempts", 0)),
                   interrupted=int(data.get("interrupted", 0)), error=data.get("error"))


def _write(path: Path, data: bytes) -> None:
    """`path` replaced by a complete file with `data` (a temporary file renamed over it)."""
    handle, name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


class JobStore:
    """The jobs directory (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def prepare(self) -> None:
        """Create the directory (0700) if needed and remove jobs half written when the service stopped."""
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            for leftover in self.directory.glob(f"{NEW_PREFIX}*"):
                shutil.rmtree(leftover)
            with tempfile.TemporaryFile(dir=self.directory):  # writable?
                pass
        except OSError as err:
            raise ConfigError(f"无法使用任务目录 {self.directory}：{err.strerror or err}"
                              "（请检查 SCREENING_JOBS_DIR 与目录权限）") from None

    def path(self, job_id: str) -> Path:
        return self.directory / job_id

    def create(self, application: bytes, uploads: Sequence[Upload]) -> Job:
        """A new queued job holding the application and the attachments as sent."""
        job = Job(id=uuid.uuid4().hex, state="queued", created=now(), files=tuple(u.name for u in uploads))
        new = self.directory / f"{NEW_PREFIX}{job.id}"
        try:
            (new / FILES_DIR).mkdir(mode=0o700, parents=True)
            (new / APPLICATION_FILE).write_bytes(application)
            for index, upload in enumerate(uploads):
                target = new / FILES_DIR / str(index)
                if upload.data is not None:
                    target.write_bytes(upload.data)
                else:
                    assert upload.path is not None
                    shutil.copyfile(upload.path, target)
            (new / JOB_FILE).write_text(json.dumps(job.to_json(), ensure_ascii=False), encoding="utf-8")
            new.rename(self.path(job.id))
        except OSError as err:
            shutil.rmtree(new, ignore_errors=True)
            log.error("cannot store a job in %s: %s", self.directory, err)
            raise JobStoreError("服务器暂时无法保存任务，请稍后重试或联系管理员") from None
        return job

    def get(self, job_id: str) -> Job | None:
        """The job, or None when there is none of that id (or it was just removed)."""
        if not JOB_ID.fullmatch(job_id):
            return None
        try:
            raw = (self.path(job_id) / JOB_FILE).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            log.error("cannot read job %s: %s", job_id, err)
            raise JobStoreError("服务器暂时无法读取任务，请稍后重试或联系管理员") from None
        try:
            return Job.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError) as err:
            log.error("job %s: %s is damaged (%s)", job_id, JOB_FILE, err)
            raise JobStoreError("任务记录已损坏，请重新提交") from None

    def report(self, job: Job) -> str | None:
        """The report of a done job (None for any other)."""
        if job.state != "done":
            return None
        try:
            return (self.path(job.id) / REPORT_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:  # removed since `get` read the job: expired right now
            return None

    def save(self, job: Job) -> Job:
        _write(self.path(job.id) / JOB_FILE, json.dumps(job.to_json(), ensure_ascii=False).encode("utf-8"))
        return job

    def inputs(self, job: Job) -> tuple[bytes, list[Upload]]:
        """The application and the attachments of a job (read from disk when screened)."""
        folder = self.path(job.id)
        uploads = [Upload(name, path=folder / FILES_DIR / str(i)) for i, name in enumerate(job.files)]
        return (folder / APPLICATION_FILE).read_bytes(), uploads

    def finish(self, job: Job, report: str | None = None, error: dict[str, Any] | None = None) -> Job:
        """Done with `report` (the answer of /v1/screen) or failed with `error` ({error, detail});
        the application and the attachments are removed."""
        folder = self.path(job.id)
        if report is not None:
            _write(folder / REPORT_FILE, report.encode("utf-8"))
        done = self.save(replace(job, state="done" if report is not None else "failed", finished=now(), error=error))
        try:
            if (folder / FILES_DIR).exists():
                shutil.rmtree(folder / FILES_DIR)
            (folder / APPLICATION_FILE).unlink(missing_ok=True)
        except OSError as err:  # not silently: the operator has to remove them
            log.error("job %s: cannot remove its uploaded files: %s", job.id, err)
        return done

    def jobs(self) -> list[Job]:
        """Every job, oldest first; a damaged one is logged and left alone."""
        out: list[Job] = []
        for entry in self.directory.iterdir():
            if not JOB_ID.fullmatch(entry.name):
                continue
            try:
                job = self.get(entry.name)
            except JobStoreError:
                continue  # logged by `get`
            if job is not None:
                out.append(job)
        return sorted(out, key=lambda j: (j.created, j.id))

    def expire(self, keep_days: float, at: datetime | None = None) -> list[str]:
        """Remove the jobs finished more than `keep_days` before `at` (now); their ids."""
        limit = (at or datetime.now(UTC)) - timedelta(days=keep_days)
        removed = []
        for job in self.jobs():
            if job.state in FINISHED and job.finished and datetime.fromisoformat(job.finished) < limit:
                try:
                    shutil.rmtree(self.path(job.id))
                except OSError as err:
                    log.error("cannot remove the expired job %s: %s", job.id, err)
                    continue
                removed.append(job.id)
        return removed
