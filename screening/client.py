"""A Python client of the screening service (`screening serve`, contract §4), for a portal written
in Python:

    from screening.client import ScreeningClientError, screen

    report = screen("http://127.0.0.1:8080", "QZ2020-0001/application.json",
                    ["QZ2020-0001/可行性报告.docx", ("经费预算表.pdf", pdf_bytes)])
    report["verdict"]  # "pass" | "review" | "fail"

`application` is the application as a dict, or the path of an application.json; `files` are paths
or (file name, content) pairs. A busy service (503) is asked again after the Retry-After it names
(each wait at most `max_wait` seconds, at most `retries` times); any other error — or the last
503 — raises `ScreeningClientError` with the service's status, `error` code and Chinese `detail`.
`submit_job` / `job` / `wait_for_job` use the jobs API (POST /v1/jobs, GET /v1/jobs/{id}).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

DEFAULT_TIMEOUT = 300.0  # seconds for one request (a project of large scans takes minutes)
DEFAULT_RETRIES = 3  # times a 503 is asked again
MAX_WAIT = 60.0  # longest wait before asking again, whatever Retry-After says
NO_RETRY_AFTER = 5.0  # seconds waited after a 503 that names no Retry-After

ApplicationArg = Mapping[str, Any] | str | os.PathLike[str]
FileArg = str | os.PathLike[str] | tuple[str, bytes]


class ScreeningClientError(Exception):
    """The service refused or failed a request: the HTTP `status` of its answer (None: no answer
    at all; 200 for a job whose state is `failed`), its machine code `error` and its Chinese `detail`."""

    def __init__(self, status: int | None, error: str, detail: Any) -> None:
        self.status = status
        self.error = error
        self.detail = detail
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        where = f"筛查服务答复 {status}" if status is not None else "未收到筛查服务的答复"
        super().__init__(f"{where}（{error}）：{text}")


def screen(url: str, application: ApplicationArg, files: Sequence[FileArg], *, timeout: float = DEFAULT_TIMEOUT,
           retries: int = DEFAULT_RETRIES, max_wait: float = MAX_WAIT) -> dict[str, Any]:
    """The report of one project (POST /v1/screen): the JSON object of contract §3."""
    return _json(_post(url, "/v1/screen", application, files, timeout, retries, max_wait), 200)


def submit_job(url: str, application: ApplicationArg, files: Sequence[FileArg], *, timeout: float = DEFAULT_TIMEOUT,
               retries: int = DEFAULT_RETRIES, max_wait: float = MAX_WAIT) -> dict[str, Any]:
    """A job screening the project in the background (POST /v1/jobs): `{"id", "state", "url"}`."""
    return _json(_post(url, "/v1/jobs", application, files, timeout, retries, max_wait), 202)


def job(url: str, job_id: str, *, timeout: float = 30.0) -> dict[str, Any]:
    """A job's state (GET /v1/jobs/{id}): `state` and, when done, `report`; when failed, `error`."""
    with httpx.Client(base_url=url, timeout=timeout) as client:
        return _json(_send(url, lambda: client.get(f"/v1/jobs/{job_id}"), timeout), 200)


def wait_for_job(url: str, job_id: str, *, poll: float = 2.0, timeout: float = 3600.0) -> dict[str, Any]:
    """The report of a job once it is done (polled every `poll` seconds); `ScreeningClientError`
    when it failed (its `error` and `detail`) or is not done within `timeout` seconds (`job_timeout`)."""
    until = time.monotonic() + timeout
    while True:
        status = job(url, job_id)
        if status["state"] == "done":
            return dict(status["report"])
        if status["state"] == "failed":
            error = status.get("error") or {}
            raise ScreeningClientError(200, str(error.get("error", "job_failed")), error.get("detail", "任务失败"))
        if time.monotonic() + poll > until:
            raise ScreeningClientError(None, "job_timeout", f"任务 {job_id} 在{timeout:g}秒内未完成（状态：{status['state']}）")
        time.sleep(poll)


# ---------------------------------------------------------------- requests


def _parts(application: ApplicationArg, files: Sequence[FileArg]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The multipart parts of a submission: `application`, then one `files` part per attachment."""
    if isinstance(application, Mapping):
        raw = json.dumps(application, ensure_ascii=False).encode("utf-8")
    else:
        raw = _read(Path(application), "application.json")
    parts = [("application", ("application.json", raw, "application/json"))]
    for item in files:
        if isinstance(item, tuple):
            name, data = item
        else:
            name, data = Path(item).name, _read(Path(item), "附件")
        parts.append(("files", (name, data, "application/octet-stream")))
    return parts


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise ScreeningClientError(None, "unreadable_file", f"无法读取{what} {path}：{err.strerror or err}") from None


def _post(url: str, path: str, application: ApplicationArg, files: Sequence[FileArg], timeout: float,
          retries: int, max_wait: float) -> httpx.Response:
    """POST the submission; a 503 is sent again after its Retry-After, at most `retries` times."""
    parts = _parts(application, files)
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for _ in range(retries):
            response = _send(url, lambda: client.post(path, files=parts), timeout)
            if response.status_code != 503:
                return response
            time.sleep(retry_after(response, max_wait))
        return _send(url, lambda: client.post(path, files=parts), timeout)


def _send(url: str, request: Callable[[], httpx.Response], timeout: float) -> httpx.Response:
    try:
        return request()
    except httpx.TimeoutException:
        raise ScreeningClientError(None, "timeout", f"筛查服务 {url} 在{timeout:g}秒内没有答复") from None
    except httpx.TransportError as err:
        raise ScreeningClientError(None, "connection_failed", f"无法连接筛查服务 {url}：{err}") from None


def retry_after(response: httpx.Response, max_wait: float) -> float:
    """Seconds to wait before asking again: the Retry-After header (seconds or an HTTP date),
    `NO_RETRY_AFTER` without one, never more than `max_wait`."""
    value = response.headers.get("retry-after", "").strip()
    wait = NO_RETRY_AFTER
    if value.isdigit():
        wait = float(value)
    elif value:
        with contextlib.suppress(TypeError, ValueError):  # not a date either: the default wait
            wait = parsedate_to_datetime(value).timestamp() - time.time()
    return min(max(wait, 0.0), max_wait)


def _json(response: httpx.Response, expected: int) -> dict[str, Any]:
    """The JSON object of an answer with the `expected` status; any other raises."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == expected and isinstance(body, dict):
        return body
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        raise ScreeningClientError(response.status_code, body["error"], body.get("detail"))
    text = response.text.strip()[:300] or response.reason_phrase
    raise ScreeningClientError(response.status_code, "unexpected_answer", f"答复不是预期的JSON：{text}")
