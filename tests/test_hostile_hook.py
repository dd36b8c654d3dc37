"""The hook under a hostile client (issue 12): a stalled upload is cut off with 408, a busy service
answers 503 with Retry-After at once instead of queueing, a malformed body is a 400 JSON answer,
and uvicorn's report of a malformed request is one log line, not a traceback."""

from __future__ import annotations

import json
import logging
import socket
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from screening.limits import Limits
from screening.server import _OneLine, create_app
from tests.serving import running_server

APPLICATION = json.dumps({"project_id": "H-1", "title": "测试", "applicant": {"name": "浙江衢晟新材料有限公司"},
                          "team": [{"name": "王建国", "role": "leader"}]}, ensure_ascii=False)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server("--max-concurrent", "1", "--body-timeout", "2", "--workers", "1") as running:
        yield running.url


def _stalled_upload(url: str) -> socket.socket:
    """A client that sends the headers and half of a declared body, then nothing."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                 b"Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{")
    return sock


def test_a_stalled_upload_is_cut_off_with_408(server: str) -> None:
    sock = _stalled_upload(server)
    try:
        started = time.perf_counter()
        raw = b""
        while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            raw += chunk
        waited = time.perf_counter() - started
        answer = raw.decode("utf-8", "replace")
    finally:
        sock.close()
    assert answer.startswith("HTTP/1.1 408") and '"body_timeout"' in answer
    assert waited < 8


def test_a_busy_service_answers_503_with_retry_after(server: str) -> None:
    sock = _stalled_upload(server)  # holds the only slot for up to the body timeout
    try:
        time.sleep(0.3)
        with httpx.Client(timeout=10, trust_env=False) as client:
            started = time.perf_counter()
            answer = client.post(f"{server}/v1/screen", data={"application": APPLICATION},
                                 files={"files": ("a.docx", b"x")})
            waited = time.perf_counter() - started
    finally:
        sock.close()
    assert answer.status_code == 503 and answer.headers["retry-after"].isdigit()
    assert answer.json()["error"] == "busy" and waited < 2
    time.sleep(2.5)  # the stalled client's slot is given back after its body timeout
    with httpx.Client(timeout=30, trust_env=False) as client:
        assert client.get(f"{server}/healthz").status_code == 200


def test_malformed_bodies_are_400_json() -> None:
    with TestClient(create_app(Limits(parse_timeout=20)), raise_server_exceptions=False) as client:
        boundary = "b" * 5000
        body = f"--{boundary}\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{{}}\r\n--{boundary}--\r\n"
        answer = client.post("/v1/screen", content=body.encode(),
                             headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert 400 <= answer.status_code < 500 and answer.json()["error"]


def test_bad_http_is_one_log_line() -> None:
    try:
        raise ValueError("bad request line")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, "Invalid HTTP request received.",
                                   None, sys.exc_info())
    assert _OneLine().filter(record) and record.exc_info is None


def test_a_saturated_worker_pool_is_503_not_a_long_wait() -> None:
    """Every worker held (by hostile uploads): a waiting attachment gives up after one parse
    timeout with `Busy`, which the hook answers 503 + Retry-After."""
    from screening.isolation import Busy, Isolation

    isolation = Isolation(Limits(parse_timeout=1.0, workers=1))
    assert isolation._slots.acquire(timeout=1)  # the only worker is taken
    try:
        started = time.perf_counter()
        with pytest.raises(Busy):
            isolation.run(time.sleep, 0)
        assert 0.9 <= time.perf_counter() - started < 3
    finally:
        isolation._slots.release()
