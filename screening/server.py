"""The portal hook over HTTP (contract §4): FastAPI routes over `engine.screen`, nothing more.

* `POST /v1/screen` — multipart: one part `application` (the application.json text, as a field or
  a file) and one part `files` per attachment → the report JSON, byte for byte what
  `screening project --format json` prints.
* `POST /v1/redact` — the same parts with exactly one attachment → a copy with the leaked
  identities masked (`screening.redact`), verified clean by screening it again.
* `GET /healthz` — `{"status": "ok"}`; the service only listens once the warm-up is done: the
  fork server has imported the parsers, and a built-in document with a planted leak has been
  screened (call file, lexicons and the identity engine's models loaded) and the leak was found.
* `POST /v1/jobs` — the body of /v1/screen → 202 `{id, state, url}` at once; the job is screened
  in the background (`screening.job_runner`) and kept on disk (`screening.jobs`), so it survives a
  restart. `GET /v1/jobs/{id}` → its state (`queued` / `running` / `done` / `failed`) and, when
  done, the report /v1/screen would have answered; an unknown id is 404.
* `GET /` — the upload page (`screening/static/upload.html`, no external assets).
* `/openapi.json` — the API description, with the models of the report, the errors and the jobs
  (`screening.api_models`); `GET /docs` — Swagger UI over it, its assets served by the service
  from an installed package (`screening.api_docs`), no request leaving the host.

Hostile input; what holds (issue 12):

* Connections (`hook_protocol`: uvicorn's h11 protocol, passed to uvicorn explicitly — never
  httptools, whatever is installed): a connection whose request line and headers are not complete
  within `Limits.header_timeout` seconds — the first request or the next on a kept-alive
  connection, or one that sends nothing — is answered 408 and closed (slow loris). At most
  `connection_limit(limits)` connections are open (`max_connections`, within the process's file
  descriptors); at the limit the connection that has waited longest for its headers is dropped
  (503) for the new one, and when every connection is busy with a request the new one is answered
  503 at once. A request that is not HTTP (bad request line or header, conflicting Content-Length)
  is answered 400 `bad_http` and closed. These answers are JSON like every other; each kind of
  connection event is logged once, then counted once per 10 s while it goes on.
* The request body is read and checked by `screening.uploads` (spooled to a private directory
  past 1 MB and removed when the request ends, size and count limits, file names reduced to names,
  the application validated) within `body_timeout` seconds (408 after); a malformed body of any
  kind is 400.
* At most `Limits.concurrent` uploads (POST /v1/…) are handled at once, more are answered 503 with
  Retry-After at once instead of queueing (a poll of a job's state is never refused so). At most
  `Limits.concurrent` jobs are screened at once, beside the requests. Each attachment is parsed in its own limited process
  (`screening.isolation`), so a file that hangs or blows up becomes a finding and the service
  keeps serving; the checks have the same time budget (`deadline`, a `document.timeout` finding
  past it). A client that hangs up while its request is screened or redacted is noticed within
  `DISCONNECT_POLL` seconds: the parsing process is killed, the worker thread stops, its isolation
  slot is free again, one log line says so.

Every error answers `{"error": code, "detail": …}` with a 4xx/5xx status — never a stack trace or
uvicorn's plain text; a connection refused for bad HTTP is one log line, not a traceback.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import re
import resource
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from http import HTTPStatus
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar
from urllib.parse import quote

from screening import api_docs, formats, warm
from screening.api_models import ErrorBody, Health, JobCreated, JobStatus, RedactPlan
from screening.api_models import Report as ReportModel
from screening.deadline import Cancelled
from screening.engine import Upload
from screening.errors import AttachmentError, ScreeningError, UsageError
from screening.isolation import Busy, Isolation
from screening.jobs import JobSettings, JobStore, JobStoreError, settings_from_env
from screening.limits import Limits

try:
    import h11
    import uvicorn
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from screening.job_runner import JobRunner, QueueFull, screen_submission
    from screening.uploads import ApiError, Spool, Submission, read_parts, submission  # needs python-multipart
except ModuleNotFoundError as missing:  # pragma: no cover - depends on the installation
    raise UsageError(
        f"HTTP服务需要可选依赖（缺少 {missing.name}）：在源码目录中执行 pip install -c constraints.txt -e '.[server]'"
    ) from None

log = logging.getLogger("uvicorn.error")  # shown with uvicorn's own messages

PAGE = Path(__file__).resolve().parent / "static" / "upload.html"
MEDIA_TYPES = {str(f): info.media_type for f, info in formats.FORMATS.items() if info.media_type}  # of redacted copies
ERROR_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 408: "body_timeout", 413: "too_large",
               415: "unsupported_media_type", 422: "unprocessable", 500: "internal_error"}


def _error(status: int, error: str, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


RETRY_AFTER = 5  # seconds a client told 503 (busy) should wait
DISCONNECT_POLL = 0.5  # seconds between looks at whether the client of a running screening is still there
TALLY_SECONDS = 10.0  # a repeated connection event is logged at most once per this many seconds
FD_RESERVE = 64  # file descriptors kept for the rest of the process: listener, logs, libraries, fork server
MIN_CONNECTIONS = 16  # fewer connections than this (a tiny `ulimit -n`) and the service does not start
T = TypeVar("T")


class _OneLine(logging.Filter):
    """uvicorn logs every malformed HTTP request with its traceback: keep the one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and "Invalid HTTP request" in record.getMessage():
            record.exc_info = None
            record.exc_text = None
        return True


class _Bounded:
    """ASGI middleware: at most `limit` uploads (POST /v1/…) at once; more are answered 503 with
    Retry-After at once, instead of queueing behind uploads that may take minutes. A GET (a job's
    state) reads a small file and is never refused so."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.now = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/") or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if self.now >= self.limit:
            busy = _error(503, "busy", f"服务繁忙：同时最多处理{self.limit}个请求，请{RETRY_AFTER}秒后重试",
                          {"Retry-After": str(RETRY_AFTER)})
            await busy(scope, receive, send)
            return
        self.now += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


# ---------------------------------------------------------------- connections


def raw_answer(status: int, error: str, detail: str, *headers: str) -> bytes:
    """A complete JSON error response with `Connection: close`, written to a connection below
    the application (no request was parsed, or it could not be)."""
    body = json.dumps({"error": error, "detail": detail}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "content-type: application/json",
            f"content-length: {len(body)}", "connection: close", *headers]
    return "\r\n".join(head).encode("ascii") + b"\r\n\r\n" + body


class _Tally:
    """One log line for a burst of the same connection event: the first at once, then the count of
    the next ones every `TALLY_SECONDS` while they go on — a flood is a line per 10 s, not per
    connection. `message` takes the count, then `args`."""

    def __init__(self, message: str, *args: object) -> None:
        self.message = message
        self.args = args
        self.count = 0
        self.timer: asyncio.TimerHandle | None = None

    def add(self, loop: asyncio.AbstractEventLoop) -> None:
        self.count += 1
        if self.timer is None:
            self._flush(loop)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self.timer = None
        if self.count:
            log.warning(self.message, self.count, *self.args)
            self.count = 0
            self.timer = loop.call_later(TALLY_SECONDS, self._flush, loop)


def hook_protocol(header_timeout: float, max_connections: int) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a header timeout, a connection cap and JSON protocol errors
    (see the module docstring); one class per server, the counters of its log lines shared."""
    overdue = _Tally("closed %d connection(s) whose request headers were not complete within %g s (408)",
                     header_timeout)
    dropped = _Tally("dropped %d connection(s) still waiting for their headers: open connections at the limit of %d"
                     " (503)", max_connections)
    refused = _Tally("refused %d new connection(s): open connections at the limit of %d, all busy (503)",
                     max_connections)
    full = f"服务器连接数已满（{max_connections}），请{RETRY_AFTER}秒后重试"

    class HookProtocol(H11Protocol):
        header_timer: asyncio.TimerHandle | None = None
        waiting_since = 0.0  # loop time since when the connection waits for a request's headers

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            if len(self.connections) >= max_connections and not self._drop_longest_waiting():
                self.transport = transport  # for `connection_lost`; never counted among the connections
                transport.write(raw_answer(503, "busy", full, f"retry-after: {RETRY_AFTER}"))
                transport.close()
                refused.add(self.loop)
                return
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request's headers get the same time

        def handle_websocket_upgrade(self, event: h11.Request) -> None:
            self._disarm()  # the connection is another protocol's now
            super().handle_websocket_upgrade(event)

        def send_400_response(self, msg: str) -> None:
            """h11 refused what the client sent (request line, a header, conflicting Content-Length)."""
            if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):  # no answer of ours begun
                self.transport.write(raw_answer(
                    400, "bad_http", "HTTP请求格式错误（请求行、请求头或 Content-Length 无效），连接已关闭"))
            self.transport.close()

        def waiting_for_headers(self) -> bool:
            """No request of this connection is being answered: the next one's headers are awaited."""
            return not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete)

        def _arm(self) -> None:
            self._disarm()
            self.waiting_since = self.loop.time()
            self.header_timer = self.loop.call_later(header_timeout, self._headers_overdue)

        def _disarm(self) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
                self.header_timer = None

        def _headers_overdue(self) -> None:
            self.header_timer = None
            if self.waiting_for_headers():
                overdue.add(self.loop)
                self._close_with(408, "header_timeout", f"请求头发送超时：请求行和请求头须在{header_timeout:g}秒内发送完毕")

        def _drop_longest_waiting(self) -> bool:
            """Close the connection that has waited longest for a request's headers, if any."""
            waiting = [c for c in self.connections if isinstance(c, HookProtocol) and c.waiting_for_headers()]
            if not waiting:
                return False
            min(waiting, key=lambda c: c.waiting_since)._close_with(503, "busy", full, f"retry-after: {RETRY_AFTER}")
            dropped.add(self.loop)
            return True

        def _close_with(self, status: int, error: str, detail: str, *headers: str) -> None:
            """Answer (when no answer is under way: the client is between requests) and close."""
            self._disarm()
            if self.conn.our_state is h11.IDLE and self.conn.their_state is h11.IDLE:
                self.transport.write(raw_answer(status, error, detail, *headers))
            self.connections.discard(self)  # gone now for the count, whenever the transport says so
            self.transport.close()

    return HookProtocol


def connection_limit(limits: Limits) -> int:
    """`limits.connections`, within the file descriptors the process may open (RLIMIT_NOFILE) less
    what the rest needs: `FD_RESERVE`, pipes to the workers, a spool file per request."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return limits.connections
    spare = soft - FD_RESERVE - 4 * limits.workers - 2 * limits.concurrent
    if spare < MIN_CONNECTIONS:
        raise UsageError(f"可打开的文件数上限（ulimit -n = {soft}）过低，HTTP服务至少需要 "
                         f"{soft - spare + MIN_CONNECTIONS}；请调高后再启动")
    return min(limits.connections, spare)


def uvicorn_options(limits: Limits) -> dict[str, Any]:
    """How uvicorn runs the service (`serve`, and the tests that serve in a thread)."""
    return {"log_level": "info", "timeout_keep_alive": 5, "server_header": False, "backlog": 256,
            "h11_max_incomplete_event_size": 64 * 1024,
            "http": hook_protocol(limits.header_timeout, connection_limit(limits))}


# ---------------------------------------------------------------- requests


async def read_body(request: Request, limits: Limits, spool: Spool) -> Any:
    """The request's parts (kept in `spool`), within the body time limit; anything malformed is a
    400, never a 500."""
    try:
        return await asyncio.wait_for(read_parts(request, limits, spool), timeout=limits.body_timeout)
    except TimeoutError:
        raise ApiError(408, "body_timeout", f"上传超时：请求体须在{limits.body_timeout:g}秒内发送完毕") from None
    except ApiError:
        raise
    except ClientDisconnect:
        log.info("client disconnected while sending its request body")
        raise ApiError(400, "client_gone", "请求方在上传过程中断开了连接") from None
    except Exception as err:  # the multipart parser's own limits (a 5,000-character boundary …)
        log.info("malformed request body refused: %s", type(err).__name__)
        raise ApiError(400, "bad_multipart", "multipart 请求体格式错误") from None


async def while_connected(request: Request, work: Callable[[threading.Event], T], what: str) -> T:
    """`work(cancel)` in the thread pool while its client waits. A client that hangs up is noticed
    within `DISCONNECT_POLL` s: `cancel` is set (the parsing process is killed, the checks stop
    with `Cancelled`), the thread is waited for — it holds the request's spool files — and
    `ApiError(499)` ends the request (nobody reads it)."""
    cancel = threading.Event()
    started = time.perf_counter()
    task = asyncio.ensure_future(run_in_threadpool(work, cancel))
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved even when nobody waits
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL)
            if done:
                return task.result()
            if await request.is_disconnected():
                break
        cancel.set()
        gone = time.perf_counter()
        await asyncio.wait({task})
        outcome = "cancelled" if task.cancelled() or isinstance(task.exception(), Cancelled) else "finished anyway"
        log.info("client disconnected during %s after %.1f s: %s, worker free %.2f s later",
                 what, gone - started, outcome, time.perf_counter() - gone)
        raise ApiError(499, "client_gone", "请求方已断开连接，处理已取消")
    finally:
        cancel.set()  # also when this request itself is cancelled (shutdown): the thread stops soon


# ---------------------------------------------------------------- warm-up


def _timed(func: Callable[[], object]) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def on_terminate(action: Callable[[], None]) -> None:
    """Run `action` as soon as SIGTERM arrives, then the handler there was (uvicorn's: a graceful
    shutdown). SIGTERM sent to the service's process group (systemd's default, `kill -- -PGID`)
    kills the parsing processes at once, long before the shutdown reaches the lifespan's end: the
    jobs must stop recording results at that moment (`JobRunner.stopping`). Only the main thread
    can set a signal handler; elsewhere (a test's server in a thread) nothing is done."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)

    def handler(signum: int, frame: FrameType | None) -> None:
        action()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)


def warm_up(isolation: Isolation) -> None:
    """Load everything a request needs, and prove that a planted leak is found.

    The fork server (which imports the parsers) starts in a thread while this process loads the
    call, the lexicons and the identity engine's models by screening a built-in document (ours,
    so parsed in-process); then one isolated parse proves the worker path end to end.
    """
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-forkserver") as pool:
        forkserver = pool.submit(_timed, isolation.warm)
        application, upload, report = warm.screen_sample()
        models = time.perf_counter() - started
        forking = forkserver.result()
    isolated = isolation.parse(upload, application)
    log.info("warm-up %.2f s: call, lexicons and models %.2f s; fork server %.2f s (in parallel)",
             time.perf_counter() - started, models, forking)
    if not any(f.rule.startswith("identity.") for f in report.findings):
        raise ScreeningError("服务启动自检失败：内置样例中的申报单位名称未被发现，服务不会启动")
    if isolated.problems or not any(warm.TEXT in part.text for part in isolated.parts):
        raise ScreeningError("服务启动自检失败：隔离进程未能解析内置样例，服务不会启动")


# ---------------------------------------------------------------- the page


def _csp(page: str, *, own_assets: bool = False) -> str:
    """A Content-Security-Policy allowing exactly the page's own inline script and style, and with
    `own_assets` the scripts and style sheets the service serves itself (/docs)."""
    def sources(tag: str) -> str:
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)
        own = ["'self'"] if own_assets else []
        return " ".join(own + [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'"
                               for b in blocks])

    return (f"default-src 'none'; script-src {sources('script')}; style-src {sources('style')}; "
            "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


# ---------------------------------------------------------------- the application


def _openapi_body(single: bool, keep: bool = False) -> dict[str, Any]:
    files: dict[str, Any] = {"type": "string", "format": "binary"} if single else {
        "type": "array", "items": {"type": "string", "format": "binary"}}
    properties: dict[str, Any] = {
        "application": {"type": "string", "description": "application.json 的内容（UTF-8 JSON，合同§1）"},
        "files": files | {"description": "附件（docx、pdf、图片），保留文件名"},
    }
    if keep:
        properties["keep"] = {"type": "array", "items": {"type": "string"},
                              "description": "保留原样、不遮盖的文字（可重复；须是 /v1/redact/preview 所列某项的 text）"}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["application", "files"] if single else ["application"],
        "properties": properties}}}}}


def _one_file(sub: Submission, what: str) -> Submission:
    if len(sub.uploads) != 1:
        raise ApiError(400, "one_file", f"{what}一次只处理一个附件（files 字段恰好一个文件）")
    return sub


def with_figures(isolation: Isolation, report: str, uploads: Sequence[Upload], cancel: threading.Event) -> str:
    """The report JSON with a `figure` (the page region, the hit outlined: `figures.figures_for`) on
    each finding that has a place on a PDF page or a picture, rendered in a limited process (pdfium
    on an applicant's file). A figure that cannot be drawn is left out; the report is unchanged."""
    from screening.figures import figures_for

    data = json.loads(report)
    files = {u.name: u.read() for u in uploads}
    try:
        drawn = isolation.run(figures_for, data, files, cancel=cancel)
    except (AttachmentError, ScreeningError) as err:  # the report stands without its pictures
        log.warning("no figures for %s: %s", data.get("project_id"), err)
        return report
    for index, uri in drawn.items():
        data["findings"][index]["figure"] = uri
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# what each error status of the /v1 endpoints means (OpenAPI); `error` codes as the service writes them
ERROR_DESCRIPTIONS = {
    400: "请求有误（error：bad_multipart、invalid_application、unknown_field、bad_field、bad_file_name、"
         "duplicate_file、one_file、client_gone、bad_http）",
    404: "not_found：没有这个任务（编号有误，或已超过保留期被删除）",
    408: "body_timeout：请求体未在限时内发送完毕；header_timeout：请求头未在限时内发送完毕（连接随即关闭）",
    413: "too_large：超过请求大小上限；too_many_files：附件过多",
    415: "unsupported_media_type：请求体不是 multipart/form-data",
    422: "redaction_failed：无法脱敏；annotation_failed：无法生成批注版；validation_error：查询参数无效"
         "（detail 为逐项说明的列表）",
    500: "服务器错误（error：internal_error、screening_failed、spool_failed、jobs_unavailable）",
    503: "busy：服务繁忙（同时处理的上传、解析进程、排队任务或连接数已达上限），请按 Retry-After 的秒数后重试",
}
RETRY_HEADER = {"Retry-After": {"description": "建议等待的秒数", "schema": {"type": "integer"}}}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of these error statuses: `{error, detail}` (`api_models.ErrorBody`)."""
    return {status: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status],
                     **({"headers": RETRY_HEADER} if status == 503 else {})} for status in statuses}


UPLOAD_ERRORS = (400, 408, 413, 415, 500, 503)  # what every upload (POST /v1/…) may be answered


def create_app(limits: Limits | None = None, isolation: Isolation | None = None,
               jobs: JobSettings | None = None) -> FastAPI:
    """The service. Models load once, in the lifespan start-up, before it listens. `jobs`: where
    and how jobs are kept (default: the `SCREENING_JOBS_*` variables); the jobs directory is made
    ready here (`ConfigError` when it cannot be used)."""
    limits = limits or Limits()
    isolation = isolation or Isolation(limits)
    page = PAGE.read_text(encoding="utf-8")
    page_headers = {"Content-Security-Policy": _csp(page), "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    docs_page = api_docs.page()
    docs_headers = {**page_headers, "Content-Security-Policy": _csp(docs_page, own_assets=True)}
    for name in api_docs.ASSETS:  # loaded now: a missing package stops the start, not the first visit
        api_docs.asset(name)
    job_settings = jobs or settings_from_env()
    store = JobStore(job_settings.directory)
    store.prepare()
    runner = JobRunner(store, isolation, job_settings, workers=limits.concurrent)
    ready = {"ok": False}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        await run_in_threadpool(warm_up, isolation)
        await run_in_threadpool(runner.start)
        on_terminate(runner.stopping)
        log.info("request headers within %g s, bodies within %g s; at most %d open connections, %d requests "
                 "screened at once, %d attachments parsed at once; jobs in %s, kept %g day(s)%s",
                 limits.header_timeout, limits.body_timeout, connection_limit(limits), limits.concurrent,
                 limits.workers, job_settings.directory, job_settings.keep_days,
                 ", callback " + job_settings.callback if job_settings.callback else "")
        ready["ok"] = True
        try:
            yield
        finally:
            await run_in_threadpool(runner.stop)

    app = FastAPI(title="screening", version="1", summary="科技项目申报材料形式审查筛查（门户接口，合同§4）",
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan)
    app.state.limits = limits
    app.state.isolation = isolation
    app.state.jobs = runner
    app.add_middleware(_Bounded, limit=limits.concurrent)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.error, exc.detail)

    @app.exception_handler(Busy)
    async def _busy(_: Request, exc: Busy) -> JSONResponse:
        return _error(503, "busy", str(exc), {"Retry-After": str(RETRY_AFTER)})

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        detail = {404: "没有这个地址", 405: "不支持这个请求方法"}.get(exc.status_code, exc.detail)
        return _error(exc.status_code, ERROR_CODES.get(exc.status_code, "http_error"), detail,
                      dict(exc.headers) if exc.headers else None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return _error(422, "validation_error", detail)

    @app.exception_handler(Exception)
    async def _internal_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error", exc_info=exc)
        return _error(500, "internal_error", "服务器内部错误，请稍后重试或联系管理员")

    @app.get("/healthz", summary="就绪检查",
             responses={200: {"model": Health, "description": "已就绪"},
                        503: {"model": ErrorBody, "description": "starting：服务正在启动"}})
    async def healthz() -> Response:
        if not ready["ok"]:
            return _error(503, "starting", "服务正在启动，请稍候")
        return JSONResponse({"status": "ok"})

    @app.get("/", response_class=HTMLResponse, summary="上传页面")
    async def upload_page() -> HTMLResponse:
        return HTMLResponse(page, headers=page_headers)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_page, headers=docs_headers)

    @app.get(f"{api_docs.ASSET_PATH}/{{name}}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        if name not in api_docs.ASSETS:
            return _error(404, "not_found", "没有这个地址")
        return Response(api_docs.asset(name), media_type=api_docs.ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})

    @app.post("/v1/screen", summary="筛查一个项目：application + 附件 → 报告JSON（合同§3）",
              openapi_extra=_openapi_body(single=False),
              responses={200: {"model": ReportModel, "description": "报告（screening-report/1，一个项目一个对象）"},
                         **_errors(*UPLOAD_ERRORS, 422)})
    async def screen_endpoint(request: Request, figures: bool = False) -> Response:
        """`figures=true`（上传页面使用）：PDF 与图片中有位置框的发现另附 `figure`，即命中处所在页面区域的
        缩略图（PNG，data: 地址，命中处红框标出，每个项目至多10张）。"""
        with Spool() as spool:
            sub = submission(await read_body(request, limits, spool))

            def work(cancel: threading.Event) -> str:
                report = screen_submission(isolation, sub.application, sub.uploads, cancel)
                return with_figures(isolation, report, sub.uploads, cancel) if figures else report

            try:
                report = await while_connected(request, work, "screening")
            except Busy:
                raise  # the app's Busy handler: 503 with Retry-After
            except ScreeningError as err:
                log.error("screening failed: %s", err)
                return _error(500, "screening_failed", str(err))
        return Response(report, media_type="application/json")

    @app.post("/v1/jobs", status_code=202, summary="提交异步筛查任务：与 /v1/screen 相同的请求体 → 任务编号",
              openapi_extra=_openapi_body(single=False),
              responses={202: {"model": JobCreated, "description": "已受理，用 url 查询状态",
                               "headers": {"Location": {"description": "任务状态的地址", "schema": {"type": "string"}}}},
                         **_errors(*UPLOAD_ERRORS)})
    async def submit_job(request: Request) -> Response:
        """任务在后台筛查（与 /v1/screen 同样的隔离与限制），保存在服务器磁盘上，服务重启后继续；
        完成或失败时，如运维配置了回调地址，服务向其 POST `{id, state, url}`。"""
        with Spool() as spool:
            parts = await read_body(request, limits, spool)
            sub = submission(parts)
            application = next(p for p in parts if p.name == "application").read()
            try:
                job = await run_in_threadpool(runner.submit, application, sub.uploads)
            except QueueFull as err:
                return _error(503, "busy", str(err), {"Retry-After": str(RETRY_AFTER)})
            except JobStoreError as err:
                return _error(500, "jobs_unavailable", str(err))
        return JSONResponse(job.summary(), status_code=202, headers={"Location": job.url})

    @app.get("/v1/jobs/{job_id}", summary="查询异步筛查任务：状态，完成时附报告",
             openapi_extra={"parameters": [{"name": "job_id", "in": "path", "required": True,
                                            "description": "任务编号（POST /v1/jobs 答复的 id）",
                                            "schema": {"type": "string"}}]},
             responses={200: {"model": JobStatus, "description": "任务状态；done 时 report 与 /v1/screen 的答复相同"},
                        **_errors(404, 500)})
    async def job_status(request: Request) -> Response:
        try:
            status = await run_in_threadpool(runner.status, request.path_params["job_id"])
        except JobStoreError as err:
            return _error(500, "jobs_unavailable", str(err))
        if status is None:
            return _error(404, "not_found", "没有这个任务（编号有误，或已超过保留期被删除）")
        return JSONResponse(status, headers={"Cache-Control": "no-store"})

    @app.post("/v1/redact/preview", summary="脱敏预览：application + 一个附件 → 将遮盖的内容（不生成文件）",
              openapi_extra=_openapi_body(single=True),
              responses={200: {"model": RedactPlan, "description": "将遮盖的每一项文字及其位置"},
                         **_errors(*UPLOAD_ERRORS, 422)})
    async def redact_preview(request: Request) -> Response:
        """与 `screening redact --dry-run` 相同；其中任一项的文字可作为 keep 字段提交给 /v1/redact，使之保留原样。"""
        from screening import redact

        with Spool() as spool:
            sub = _one_file(submission(await read_body(request, limits, spool)), "脱敏")

            def work(cancel: threading.Event) -> redact.Plan:
                return redact.plan(sub.application, sub.uploads[0], parse=partial(isolation.parse, cancel=cancel))

            try:
                planned = await while_connected(request, work, "redaction preview")
            except redact.RedactionError as err:
                return _error(422, "redaction_failed", str(err))
        return JSONResponse(planned.to_json(), headers={"Cache-Control": "no-store"})

    @app.post("/v1/redact", summary="脱敏：application + 一个附件 → 遮盖了泄露身份信息的副本",
              openapi_extra=_openapi_body(single=True, keep=True), response_class=Response,
              responses={200: {"description": "脱敏后的文件（响应头 X-Screening-Masked：遮盖处数；X-Screening-Kept："
                                              "按 keep 保留的文字；X-Screening-Removed：sanitize=true 时删除的隐藏内容；"
                                              "后两者为 URL 编码）",
                               "content": {m: {"schema": {"type": "string", "format": "binary"}}
                                           for m in sorted(set(MEDIA_TYPES.values()))}},
                         **_errors(*UPLOAD_ERRORS, 422)})
    async def redact_endpoint(request: Request, sanitize: bool = False) -> Response:
        """`sanitize=true`: also remove every place a name could hide that the reader does not see
        (comments, tracked changes, hidden text, properties, custom XML, embedded files, scripts,
        XMP, earlier revisions), whatever it holds; the header X-Screening-Removed lists them.
        A `keep` field (repeatable) leaves that text of the preview's items unmasked."""
        from screening import redact

        with Spool() as spool:
            sub = _one_file(submission(await read_body(request, limits, spool), extra=("keep",)), "脱敏")

            def work(cancel: threading.Event) -> redact.Redaction:
                return redact.redact(sub.application, sub.uploads[0], parse=partial(isolation.parse, cancel=cancel),
                                     mask=lambda *args: isolation.run(redact.mask_bytes, *args, cancel=cancel),
                                     sanitize=sanitize, keep=sub.fields["keep"],
                                     clean=lambda *args: isolation.run(redact.sanitize_bytes, *args, cancel=cancel))

            try:
                result = await while_connected(request, work, "redaction")
            except redact.RedactionError as err:
                return _error(422, "redaction_failed", str(err))
        headers = {
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(result.file)}",
            "X-Screening-Masked": str(len(result.masked)),
            "X-Screening-Kept": quote("、".join(result.kept)),
            "X-Screening-Removed": quote("、".join(result.removed)),
            "Cache-Control": "no-store",
        }
        kind = formats.picture_kind(result.data)  # a picture's copy is of its own kind
        media = MEDIA_TYPES.get(result.format) or (kind[1] if kind else "application/octet-stream")
        return Response(result.data, media_type=media, headers=headers)

    @app.post("/v1/annotate", summary="批注版：application + 一个附件 → 每条发现标注在原处的副本（退回申报人修改）",
              openapi_extra=_openapi_body(single=True), response_class=Response,
              responses={200: {"description": "批注版文件：docx 中每条发现是锚定在命中文字上的 Word 批注，pdf 中是带说明的"
                                              "高亮注释（响应头 X-Screening-Annotated：标注的发现条数）",
                               "content": {m: {"schema": {"type": "string", "format": "binary"}}
                                           for m in sorted(set(MEDIA_TYPES.values()))}},
                         **_errors(*UPLOAD_ERRORS, 422)})
    async def annotate_endpoint(request: Request) -> Response:
        """与 `screening annotate` 相同：原文不变，每条发现都在副本中（有位置的标在原处，其余列在开头的总批注里）。"""
        from screening import annotate

        with Spool() as spool:
            sub = _one_file(submission(await read_body(request, limits, spool)), "生成批注版")

            def work(cancel: threading.Event) -> annotate.Annotation:
                return annotate.annotate(sub.application, sub.uploads[0], parse=partial(isolation.parse, cancel=cancel),
                                         mark=lambda *args: isolation.run(annotate.mark_bytes, *args, cancel=cancel))

            try:
                result = await while_connected(request, work, "annotation")
            except annotate.AnnotationError as err:
                return _error(422, "annotation_failed", str(err))
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(result.file)}",
                   "X-Screening-Annotated": str(len(result.findings)), "Cache-Control": "no-store"}
        return Response(result.data, media_type=MEDIA_TYPES[result.format], headers=headers)

    return app


def serve(host: str, port: int, limits: Limits) -> None:
    """Run the service with uvicorn until interrupted."""
    try:  # fail in a moment, not after the warm-up, when the address is taken or not ours
        with socket.create_server((host, port)):
            pass
    except OSError as err:
        raise UsageError(f"无法在 {host}:{port} 上监听：{err.strerror or err}") from None
    options = uvicorn_options(limits)  # a `ulimit -n` too low for the service stops it here
    logging.getLogger("uvicorn.error").addFilter(_OneLine())
    try:
        uvicorn.run(create_app(limits), host=host, port=port, **options)
    except SystemExit as done:  # uvicorn exits when it cannot start
        if done.code not in (0, None):
            raise UsageError(f"HTTP服务未能启动（{host}:{port}），详见上方日志") from None
