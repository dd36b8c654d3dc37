"""Jobs (POST /v1/jobs, GET /v1/jobs/{id}): accepted at once, screened in the background exactly as
/v1/screen screens, kept on disk through a restart of the service, announced to the operator's
callback; the store's own rules (expiry, interruptions, the queue's limit) on the library."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from screening.engine import Upload
from screening.errors import ConfigError
from screening.isolation import Isolation
from screening.job_runner import MAX_INTERRUPTED, JobRunner, QueueFull
from screening.jobs import Job, JobSettings, JobStore, default_directory, settings_from_env
from screening.limits import Limits
from screening.server import _Bounded, create_app
from tests.conftest import BATCH
from tests.serving import LOOPBACK, running_server
from tests.test_server import assert_error, project_parts

POLL_LIMIT = 60.0  # seconds a job may take before the test gives up


@dataclass
class Callbacks:
    """A tiny portal on loopback recording the callbacks; the first POST for each job is answered
    500, so that the service has to try again."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, job_id: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                mine = [r for r in self.received if r.get("id") == job_id]
            if len(mine) >= count:
                return mine
            time.sleep(0.05)
        raise AssertionError(f"{count} callback(s) for {job_id} expected, got {mine}")


@pytest.fixture(scope="module")
def callbacks() -> Iterator[Callbacks]:
    record = Callbacks()

    class Portal(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with record.lock:
                first = not any(r.get("id") == body.get("id") for r in record.received)
                record.received.append(body)
            self.send_response(500 if first else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    record.url = f"http://{LOOPBACK}:{server.server_address[1]}/screening-callback"
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Hook:
    client: TestClient
    jobs: Path


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory, callbacks: Callbacks) -> Iterator[Hook]:
    jobs = tmp_path_factory.mktemp("jobs")
    settings = JobSettings(jobs, callback=callbacks.url, callback_delays=(0.2, 0.2))
    with TestClient(create_app(Limits(parse_timeout=20), jobs=settings)) as client:
        yield Hook(client, jobs)


def poll(get: Any, url: str) -> dict[str, Any]:
    """GET `url` until the job is done or failed."""
    deadline = time.monotonic() + POLL_LIMIT
    while time.monotonic() < deadline:
        answer = get(url)
        assert answer.status_code == 200, answer.text
        status: dict[str, Any] = answer.json()
        if status["state"] in ("done", "failed"):
            return status
        assert status["state"] in ("queued", "running"), status
        time.sleep(0.1)
    raise TimeoutError(f"{url} not finished within {POLL_LIMIT:g} s")


def test_a_job_is_accepted_at_once_and_its_report_is_the_screen_answer(hook: Hook, callbacks: Callbacks) -> None:
    data, files = project_parts(BATCH / "QZ2020-0101")
    accepted = hook.client.post("/v1/jobs", data=data, files=files)
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert set(job) == {"id", "state", "url"} and job["state"] == "queued"
    assert job["url"] == f"/v1/jobs/{job['id']}" == accepted.headers["location"]

    status = poll(hook.client.get, job["url"])
    assert status["state"] == "done", status
    assert status["created"] <= status["started"] <= status["finished"]
    screened = hook.client.post("/v1/screen", data=data, files=files)
    assert status["report"] == screened.json()
    folder = hook.jobs / job["id"]  # the uploads are gone, the report is the very answer of /v1/screen
    assert sorted(p.name for p in folder.iterdir()) == ["job.json", "report.json"]
    assert (folder / "report.json").read_text(encoding="utf-8") == screened.text

    tried, taken = callbacks.of(job["id"], 2)  # the portal answered 500 first: the callback came again
    assert tried == taken == {"id": job["id"], "state": "done", "url": job["url"]}


def test_an_unknown_job_is_404(hook: Hook) -> None:
    for job_id in ("0" * 32, "A" * 32, "not-a-job-id", "0" * 31 + "g"):
        assert_error(hook.client.get(f"/v1/jobs/{job_id}"), 404, "not_found", "没有这个任务")


def test_a_bad_body_is_refused_as_by_screen_and_leaves_no_job(hook: Hook) -> None:
    data, files = project_parts(BATCH / "QZ2020-0002")
    before = sorted(hook.jobs.iterdir())
    bad: list[dict[str, Any]] = [
        {"json": {"a": 1}},
        {"files": files},
        {"data": {**data, "file": "x"}, "files": files},
        {"data": data, "files": [files[0], files[0]]},
        {"files": [("application", ("application.json", b"{not json")), files[0]]},
        {"content": b"--XyZ\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{}\r\n--Xy",
         "headers": {"content-type": "multipart/form-data; boundary=XyZ"}},
    ]
    for request in bad:
        screened = hook.client.post("/v1/screen", **request)
        queued = hook.client.post("/v1/jobs", **request)
        assert 400 <= queued.status_code < 500 and "error" in queued.json(), queued.text
        assert (queued.status_code, queued.json()) == (screened.status_code, screened.json())
    assert sorted(hook.jobs.iterdir()) == before


def test_a_poll_is_never_refused_as_busy() -> None:
    """Uploads are bounded (503 past `Limits.concurrent`); a job's state is answered regardless."""
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["method"])

    bounded = _Bounded(app, limit=1)
    bounded.now = 1  # one upload under way: the limit is reached

    async def sent(method: str) -> list[Any]:
        out: list[Any] = []

        async def send(message: Any) -> None:
            out.append(message)

        await bounded({"type": "http", "path": "/v1/jobs/" + "0" * 32, "method": method}, None, send)
        return out

    assert asyncio.run(sent("GET")) == [] and seen == ["GET"]
    refused = asyncio.run(sent("POST"))
    assert refused[0]["status"] == 503 and seen == ["GET"]


# ---------------------------------------------------------------- restart


def _job(store: JobStore, project: str, **changes: Any) -> Job:
    """A job of the sample `project` written straight into the store, then changed."""
    folder = BATCH / project
    application = (folder / "application.json").read_bytes()
    if "call" in changes:
        raw = json.loads(application)
        raw["call"] = changes.pop("call")
        application = json.dumps(raw, ensure_ascii=False).encode("utf-8")
    uploads = [Upload(p.name, path=p) for p in sorted(folder.iterdir()) if p.name != "application.json"]
    job = store.create(application, uploads)
    return store.save(replace(job, **changes)) if changes else job


def test_jobs_survive_a_restart_of_the_service(tmp_path: Path) -> None:
    env = {"SCREENING_JOBS_DIR": str(tmp_path), "SCREENING_PARSE_WORKERS": "1", "SCREENING_MAX_CONCURRENT": "1"}
    data, files = project_parts(BATCH / "QZ2020-0002")
    with running_server(env=env) as first, httpx.Client(base_url=first.url, trust_env=False, timeout=30) as client:
        submitted = [client.post("/v1/jobs", data=data, files=files).json() for _ in range(3)]
    store = JobStore(tmp_path)
    left = [store.get(job["id"]) for job in submitted]
    # an orderly stop puts a running job back in the queue; with one worker the last one had not even started
    assert all(job is not None and job.state in ("queued", "done") for job in left), left
    assert left[-1] is not None and left[-1].state == "queued" and left[-1].attempts == 0

    # what a crash (no orderly stop) leaves behind, written by hand
    crashed = _job(store, "QZ2020-0004", state="running", attempts=1)
    queued = _job(store, "QZ2020-0101")
    no_call = _job(store, "QZ2020-0003", call="no-such-call")
    poison = _job(store, "QZ2020-0005", state="running", attempts=MAX_INTERRUPTED - 1,
                  interrupted=MAX_INTERRUPTED - 1)
    expired = store.finish(_job(store, "QZ2020-0006"), report="{}\n")
    store.save(replace(expired, finished=(datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")))
    (tmp_path / ".new-0123").mkdir()  # a job half written when the service died

    with running_server(env=env) as second, httpx.Client(base_url=second.url, trust_env=False, timeout=60) as client:
        expected = client.post("/v1/screen", data=data, files=files).json()
        for job in submitted:
            status = poll(client.get, job["url"])
            assert status["state"] == "done" and status["report"] == expected
        for job in (crashed, queued):
            assert poll(client.get, job.url)["state"] == "done"
        failed = poll(client.get, no_call.url)
        assert failed["state"] == "failed" and failed["error"]["error"] == "invalid_application"
        assert "no-such-call" in failed["error"]["detail"] and "report" not in failed
        stopped = poll(client.get, poison.url)
        assert stopped["state"] == "failed" and stopped["error"]["error"] == "interrupted"
        assert_error(client.get(expired.url), 404, "not_found")
    assert not (tmp_path / ".new-0123").exists() and not (tmp_path / expired.id).exists()
    again = store.get(crashed.id)
    assert again is not None and (again.attempts, again.interrupted) == (2, 1)
    for job in (*left, crashed, queued, no_call, poison):
        assert job is not None and not (tmp_path / job.id / "files").exists()


# ---------------------------------------------------------------- the library


def test_finished_jobs_expire_after_the_days_kept(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    store.prepare()
    done = store.finish(_job(store, "QZ2020-0002"), report="{}\n")
    failed = store.finish(_job(store, "QZ2020-0002"), error={"error": "x", "detail": "y"})
    waiting = _job(store, "QZ2020-0002")
    assert store.expire(7, datetime.now(UTC) + timedelta(days=6)) == []
    assert sorted(store.expire(7, datetime.now(UTC) + timedelta(days=8))) == sorted([done.id, failed.id])
    assert [j.id for j in store.jobs()] == [waiting.id]  # never a job still to screen


def test_the_queue_is_bounded(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    store.prepare()
    runner = JobRunner(store, Isolation(Limits()), JobSettings(tmp_path, max_pending=2), workers=1)  # not started
    upload = [Upload("a.pdf", data=b"%PDF-1.4")]
    runner.submit(b"{}", upload)
    runner.submit(b"{}", upload)
    with pytest.raises(QueueFull, match="任务队列已满"):
        runner.submit(b"{}", upload)
    assert len(store.jobs()) == 2


def test_settings_from_the_environment(tmp_path: Path) -> None:
    settings = settings_from_env({"SCREENING_JOBS_DIR": str(tmp_path), "SCREENING_JOBS_KEEP_DAYS": "0.5",
                                  "SCREENING_JOBS_CALLBACK": "https://portal.example/cb",
                                  "SCREENING_JOBS_MAX_PENDING": "9"})
    assert (settings.directory, settings.keep_days, settings.callback, settings.max_pending) == (
        tmp_path, 0.5, "https://portal.example/cb", 9)
    assert settings_from_env({"HOME": "/home/x", "XDG_STATE_HOME": "/var/state"}).directory == Path(
        "/var/state/screening/jobs")
    assert default_directory({"XDG_STATE_HOME": "relative"}) == Path.home() / ".local/state/screening/jobs"
    for variable, value, message in [("SCREENING_JOBS_KEEP_DAYS", "a week", "不是数字"),
                                     ("SCREENING_JOBS_KEEP_DAYS", "0", "正数"),
                                     ("SCREENING_JOBS_MAX_PENDING", "1.5", "不是整数"),
                                     ("SCREENING_JOBS_CALLBACK", "portal.example/cb", "http://"),
                                     ("SCREENING_JOBS_CALLBACK", "file:///etc/passwd", "http://")]:
        with pytest.raises(ConfigError, match=message):
            settings_from_env({"SCREENING_JOBS_DIR": str(tmp_path), variable: value})


def test_an_unusable_jobs_directory_stops_the_start(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="无法使用任务目录"):
        JobStore(blocker / "jobs").prepare()
