"""screening.client against the real service (uvicorn in a thread, as `screening serve` runs it),
and its retry of a busy answer against a stub that answers 503 first."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from screening import client
from screening.client import ScreeningClientError
from screening.jobs import JobSettings
from screening.limits import Limits
from screening.server import create_app
from tests.conftest import BATCH
from tests.serving import LOOPBACK, free_port, serving_in_thread
from tests.test_server import project_parts

LIMITS = Limits(parse_timeout=20, workers=2)
PROJECT = BATCH / "QZ2020-0101"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(LIMITS, jobs=JobSettings(tmp_path_factory.mktemp("jobs")))
    with serving_in_thread(app, LIMITS) as url:
        yield url


@pytest.fixture(scope="module")
def expected(service: str) -> dict[str, Any]:
    data, files = project_parts(PROJECT)
    answer = httpx.post(f"{service}/v1/screen", data=data, files=files, timeout=60, trust_env=False)
    assert answer.status_code == 200
    return answer.json()


def attachments() -> list[Path]:
    return sorted(p for p in PROJECT.iterdir() if p.name != "application.json")


def test_a_project_screened_by_the_client_is_the_screen_answer(service: str, expected: dict[str, Any]) -> None:
    assert client.screen(service, PROJECT / "application.json", attachments()) == expected
    application = json.loads((PROJECT / "application.json").read_text(encoding="utf-8"))
    in_memory = [(p.name, p.read_bytes()) for p in attachments()]
    assert client.screen(service, application, in_memory) == expected


def test_a_job_through_the_client(service: str, expected: dict[str, Any]) -> None:
    job = client.submit_job(service, PROJECT / "application.json", attachments())
    assert job["state"] == "queued" and job["url"] == f"/v1/jobs/{job['id']}"
    assert client.wait_for_job(service, job["id"], poll=0.1, timeout=60) == expected
    assert client.job(service, job["id"])["state"] == "done"
    with pytest.raises(ScreeningClientError) as unknown:
        client.job(service, "0" * 32)
    assert (unknown.value.status, unknown.value.error) == (404, "not_found")


def test_a_bad_request_raises_with_the_service_s_error(service: str) -> None:
    with pytest.raises(ScreeningClientError) as refused:
        client.screen(service, {"project_id": "X", "title": "t", "team": []}, [("a.pdf", b"%PDF-1.4")])
    error = refused.value
    assert (error.status, error.error) == (400, "invalid_application") and "applicant" in error.detail
    assert str(error).startswith("筛查服务答复 400（invalid_application）：application")
    with pytest.raises(ScreeningClientError, match="无法读取附件") as missing:
        client.screen(service, PROJECT / "application.json", [PROJECT / "no-such-file.pdf"])
    assert (missing.value.status, missing.value.error) == (None, "unreadable_file")


def test_no_service_raises_a_connection_error() -> None:
    with pytest.raises(ScreeningClientError, match="无法连接筛查服务") as refused:
        client.screen(f"http://{LOOPBACK}:{free_port()}", {"project_id": "X"}, [])
    assert (refused.value.status, refused.value.error) == (None, "connection_failed")


class Stub:
    """A service that answers 503 (with `retry_after`) to the first `busy` POSTs, then 200."""

    def __init__(self, busy: int, retry_after: str) -> None:
        self.busy = busy
        self.retry_after = retry_after
        self.times: list[float] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                stub.times.append(time.monotonic())
                if len(stub.times) <= stub.busy:
                    self._answer(503, {"error": "busy", "detail": "服务繁忙"}, {"Retry-After": stub.retry_after})
                else:
                    self._answer(200, {"schema": "screening-report/1", "verdict": "pass"}, {})

            def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                for name, value in {**headers, "Content-Type": "application/json",
                                    "Content-Length": str(len(data))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}"

    def __enter__(self) -> Stub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_busy_answer_is_retried_after_its_retry_after() -> None:
    with Stub(busy=1, retry_after="1") as stub:
        assert client.screen(stub.url, {"project_id": "X"}, [("a.pdf", b"%PDF")]) == {
            "schema": "screening-report/1", "verdict": "pass"}
    # Retry-After honoured: not at once, and not after the wait of an answer without one (NO_RETRY_AFTER)
    assert len(stub.times) == 2 and 1.0 <= stub.times[1] - stub.times[0] < client.NO_RETRY_AFTER - 0.5


def test_retries_are_bounded_in_number_and_in_wait() -> None:
    with Stub(busy=10, retry_after="3600") as stub:
        started = time.monotonic()
        with pytest.raises(ScreeningClientError) as busy:
            client.screen(stub.url, {"project_id": "X"}, [], retries=2, max_wait=0.2)
    assert (busy.value.status, busy.value.error, busy.value.detail) == (503, "busy", "服务繁忙")
    assert len(stub.times) == 3 and time.monotonic() - started < 10  # not 3600 s


def test_retry_after_forms() -> None:
    def answer(value: str | None) -> httpx.Response:
        return httpx.Response(503, headers={} if value is None else {"Retry-After": value})

    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert client.retry_after(answer("7"), 60) == 7
    assert 25 <= client.retry_after(answer(in_a_minute), 60) <= 30
    assert client.retry_after(answer("120"), 60) == 60
    assert client.retry_after(answer(None), 60) == client.NO_RETRY_AFTER
    assert client.retry_after(answer("soon"), 60) == client.NO_RETRY_AFTER
