"""The hook under a hostile client (issue 12): a stalled upload is cut off with 408, a busy service
answers 503 with Retry-After at once instead of queueing, a malformed body is a 400 JSON answer,
and uvicorn's report of a malformed request is one log line, not a traceback.

Below the application (`server.hook_protocol`): request headers not complete within the header
timeout are answered 408 and the connection closed (first request, next request on a kept-alive
connection, a trickle); what is not HTTP is a 400 JSON answer; open connections are capped — the
one waiting longest for its headers makes room, and when all are busy a new one is answered 503 —
with one log line per burst. Parts of a body are spooled to a private directory that is gone when
the request ends, however it ends; a client that hangs up during the screening frees its worker."""

from __future__ import annotations

import json
import logging
import select
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from screening.isolation import Isolation
from screening.limits import MB, Limits
from screening.server import _OneLine, create_app
from screening.uploads import SPOOL_PREFIX
from screening.warm import tiny_docx
from tests import isolated_functions as fn
from tests.serving import Running, read_until_closed, running_server, serving_in_thread

APPLICATION = json.dumps({"project_id": "H-1", "title": "测试", "applicant": {"name": "浙江衢晟新材料有限公司"},
                          "team": [{"name": "王建国", "role": "leader"}]}, ensure_ascii=False)
MAX_CONNECTIONS = 8  # of the `screening serve` below


@pytest.fixture(scope="module")
def running() -> Iterator[Running]:
    with running_server("--max-concurrent", "1", "--body-timeout", "2", "--workers", "1",
                        env={"SCREENING_HEADER_TIMEOUT": "1", "SCREENING_MAX_CONNECTIONS": str(MAX_CONNECTIONS)}) as served:
        yield served


@pytest.fixture(scope="module")
def server(running: Running) -> str:
    return running.url


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


# ---------------------------------------------------------------- below the application


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _until_closed(sock: socket.socket, limit: float = 10.0) -> bytes:
    """All the server sends until it closes the connection (fails when it is still open after `limit` s)."""
    raw, closed = read_until_closed(sock, limit)
    if not closed:
        pytest.fail(f"the server kept the connection open for {limit:g} s; received {raw[:200]!r}")
    return raw


def _answer(raw: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    """Status, headers and JSON body of one raw HTTP response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body.decode("utf-8"))


def _is_header_timeout(raw: bytes) -> bool:
    status, headers, body = _answer(raw)
    return status == 408 and headers["content-type"] == "application/json" and body["error"] == "header_timeout" \
        and "请求头发送超时" in str(body["detail"])


def test_headers_not_complete_in_time_are_answered_408_and_closed(running: Running) -> None:
    """Slow loris: a connection that sends nothing, one whose headers stop halfway, and a kept-alive
    one whose next request stops halfway are all closed after the header timeout (1 s here; the
    keep-alive timeout is 5 s, uvicorn alone would hold the three forever)."""
    started = time.perf_counter()
    silent = _connect(running.url)
    halfway = _connect(running.url)
    halfway.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    kept = _connect(running.url)
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    first = b""
    while b'"ok"' not in first:
        first += kept.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    answered = time.perf_counter()
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    for sock in (silent, halfway):
        assert _is_header_timeout(_until_closed(sock))
    assert time.perf_counter() - started < 3
    assert _is_header_timeout(_until_closed(kept))
    assert time.perf_counter() - answered < 3
    with httpx.Client(timeout=10, trust_env=False) as client:
        assert client.get(f"{running.url}/healthz").status_code == 200
    output = running.output()
    assert "whose request headers were not complete within 1 s" in output and "Traceback" not in output


def test_a_header_trickle_is_cut_off_too(server: str) -> None:
    """A byte every 0.2 s keeps a connection busy, not its headers on time."""
    sock = _connect(server)
    started = time.perf_counter()
    raw = b""
    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            break
        if select.select([sock], [], [], 0.2)[0]:
            raw = _until_closed(sock)
            break
    assert raw, "the headers trickled for 20 s without an answer"
    assert _is_header_timeout(raw) and time.perf_counter() - started < 3


@pytest.mark.parametrize("request_bytes", [
    b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    b"GARBAGE\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n",
], ids=["two-content-lengths", "bad-request-line", "bad-header"])
def test_what_is_not_http_is_a_400_json_answer(server: str, request_bytes: bytes) -> None:
    sock = _connect(server)
    sock.sendall(request_bytes)
    status, headers, body = _answer(_until_closed(sock))
    assert status == 400 and headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert set(body) == {"error", "detail"} and body["error"] == "bad_http" and "HTTP请求格式错误" in str(body["detail"])


def test_at_the_connection_limit_the_longest_waiting_makes_room(server: str) -> None:
    """`MAX_CONNECTIONS` connections that have not sent their headers: a new client is served, the
    oldest of them is answered 503 and closed."""
    idle = [_connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.1)
        with httpx.Client(timeout=10, trust_env=False) as client:
            assert client.get(f"{server}/healthz").status_code == 200
        status, headers, body = _answer(_until_closed(idle[0], limit=0.8))  # before their header timeout
        assert status == 503 and body["error"] == "busy" and headers["retry-after"].isdigit()
    finally:
        for sock in idle:
            sock.close()


# ---------------------------------------------------------------- in this process: workers and spool


@pytest.fixture(scope="module")
def spool_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The system temp directory, for this module: where the service makes its spool directories."""
    root = tmp_path_factory.mktemp("spool")
    saved = tempfile.tempdir
    tempfile.tempdir = str(root)
    try:
        yield root
    finally:
        tempfile.tempdir = saved


THREADED = Limits(workers=1, parse_timeout=30, max_concurrent=16, max_connections=6, body_timeout=3,
                  header_timeout=2, max_request_bytes=4 * MB)


@pytest.fixture(scope="module")
def hanging() -> Isolation:
    """Parsing `…hang.pdf` takes an hour; anything else is parsed as usual."""
    return Isolation(THREADED, parser=fn.hanging_parse)


@pytest.fixture(scope="module")
def threaded(spool_root: Path, hanging: Isolation) -> Iterator[str]:
    with serving_in_thread(create_app(THREADED, hanging), THREADED) as url:
        yield url


def _spools(root: Path) -> list[Path]:
    return sorted(root.glob(f"{SPOOL_PREFIX}*"))


def _eventually(condition: Callable[[], bool], within: float) -> float:
    """Seconds until `condition()` held (fails after `within`)."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > within:
            pytest.fail(f"not within {within:g} s")
        time.sleep(0.02)
    return time.perf_counter() - started


def _multipart(file_name: str, data: bytes) -> tuple[bytes, str]:
    head = (f'--B\r\nContent-Disposition: form-data; name="application"\r\n\r\n{APPLICATION}\r\n'
            f'--B\r\nContent-Disposition: form-data; name="files"; filename="{file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + b"\r\n--B--\r\n", "multipart/form-data; boundary=B"


def _post_head(length: int, ctype: str = "multipart/form-data; boundary=B") -> bytes:
    return (f"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def test_a_client_that_hangs_up_frees_its_worker_at_once(threaded: str, hanging: Isolation, spool_root: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """The only worker parses a file that would take an hour (the parse timeout is 30 s); its
    client hangs up: the process is killed within a second, the next request is served at once,
    and the upload — spooled to disk, under a name of its own — is gone."""
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    body, ctype = _multipart("hang.pdf", b"%PDF-1.4\n" + bytes(2 * MB))
    sock = _connect(threaded)
    sock.sendall(_post_head(len(body), ctype) + body)
    _eventually(lambda: hanging._slots._value == 0, within=10)  # type: ignore[attr-defined]  # the worker has it
    spooled = [p for d in _spools(spool_root) for p in d.iterdir()]
    assert len(spooled) == 1 and spooled[0].name.startswith("part-") and spooled[0].stat().st_size > 2 * MB
    sock.close()
    freed = _eventually(lambda: hanging._slots._value == 1, within=5)  # type: ignore[attr-defined]
    assert freed < 1.5
    _eventually(lambda: not _spools(spool_root), within=1)
    docx = tiny_docx("本项目由某某公司承担。")
    with httpx.Client(timeout=60, trust_env=False) as client:
        started = time.perf_counter()
        answer = client.post(f"{threaded}/v1/screen", data={"application": APPLICATION},
                             files={"files": ("a.docx", docx)})
    assert answer.status_code == 200 and time.perf_counter() - started < 10
    assert any("client disconnected during screening" in r.getMessage() and "cancelled" in r.getMessage()
               for r in caplog.records)


def test_spooled_parts_are_removed_however_the_request_ends(threaded: str, spool_root: Path) -> None:
    big = b"%PDF-1.4\n" + bytes(2 * MB)  # not a PDF that parses: an unreadable finding, at once
    body, ctype = _multipart("big.pdf", big)
    with httpx.Client(timeout=60, trust_env=False) as client:
        assert client.post(f"{threaded}/v1/screen", content=body, headers={"Content-Type": ctype}).status_code == 200
        assert not _spools(spool_root)

        def chunks() -> Iterator[bytes]:  # no Content-Length: 413 while it streams, past the spool threshold
            yield _multipart("big.pdf", b"")[0][:-len(b"\r\n--B--\r\n")]
            for _ in range(10):
                yield bytes(MB // 2)
        too_big = client.post(f"{threaded}/v1/screen", content=chunks(), headers={"Content-Type": ctype})
        assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
        assert not _spools(spool_root)
    stalled = _connect(threaded)  # declares 3 MB, sends 2 MB, then nothing: 408 after the body timeout
    stalled.sendall(_post_head(3 * MB) + body[: 2 * MB])
    _eventually(lambda: bool(_spools(spool_root)), within=5)
    status, _, answer = _answer(_until_closed(stalled))
    assert status == 408 and answer["error"] == "body_timeout"
    assert not _spools(spool_root)
    gone = _connect(threaded)  # declares 3 MB, sends 2 MB, hangs up
    gone.sendall(_post_head(3 * MB) + body[: 2 * MB])
    _eventually(lambda: bool(_spools(spool_root)), within=5)
    gone.close()
    _eventually(lambda: not _spools(spool_root), within=2)


def test_at_the_limit_with_every_connection_busy_new_ones_are_503_with_one_log_line(
        threaded: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    busy = []
    for _ in range(THREADED.connections):  # requests under way: their bodies come slowly
        sock = _connect(threaded)
        sock.sendall(_post_head(1000) + b"--B\r\n")
        busy.append(sock)
    try:
        time.sleep(0.2)
        answers = []
        for _ in range(40):
            answers.append(_answer(_until_closed(_connect(threaded), limit=2)))
        assert all(status == 503 and body["error"] == "busy" and headers["retry-after"].isdigit()
                   for status, headers, body in answers)
    finally:
        for sock in busy:
            sock.close()
    lines = [r for r in caplog.records if r.name == "uvicorn.error" and "refused" in r.getMessage()]
    assert len(lines) == 1 and "limit of 6" in lines[0].getMessage() and lines[0].exc_info is None
    time.sleep(0.2)
    with httpx.Client(timeout=10, trust_env=False) as client:
        assert client.get(f"{threaded}/healthz").status_code == 200
