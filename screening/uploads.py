"""The body of a portal request → a `Submission` (application + attachments), refusing what is
hostile or malformed with an `ApiError` (status, machine code, Chinese detail).

The multipart body is read by python-multipart's streaming parser into a `Spool`: a request keeps
at most `SPOOL_MEMORY` (1 MB) of its parts in memory; a part that would pass it is written to a
file of the request's own directory (`tempfile.mkdtemp` under the system temp directory, `TMPDIR`;
mode 0700, files named by `tempfile`, never after the client's file name), and its `Upload` has a
`path`. The directory is removed when the request ends, however it ends (`Spool` is a context
manager: answer, error, timeout, disconnect). So a stalled upload holds at most 1 MB of memory and
a file descriptor, whatever it declared. The body is cut off as soon as it passes
`Limits.max_request_bytes` (413), also when the client sends no Content-Length, before anything
beyond it is held; more than `Limits.max_files` attachments is 413 too.
Field names and file names must be UTF-8; a file name is reduced to its last path component
(either separator) without control characters. Exactly one `application` part (a field or a
file): UTF-8 JSON following the contract (`parse_application`), whose `call` is a plain call name
that exists — a path there would let a client make the server read files. Only the parts
`application` and `files` are accepted, and attachment names must be distinct.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import python_multipart
from starlette.requests import Request

from screening.application import Application, parse_application, plain_call_name
from screening.calls import load_call
from screening.engine import Upload
from screening.errors import ApplicationError, ConfigError
from screening.limits import MB, Limits

log = logging.getLogger("uvicorn.error")

SPOOL_MEMORY = 1 * MB  # what one request keeps of its parts in memory; the rest goes to files
SPOOL_PREFIX = "screening-upload-"  # the name of a request's spool directory under the system temp


class ApiError(Exception):
    """A request the service refuses, with its status, machine code and Chinese detail."""

    def __init__(self, status: int, error: str, detail: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail


@dataclass(slots=True)
class FormPart:
    """One part of a multipart body: in memory (`data`), or in a file of the request's spool
    directory (`path`) once the request's memory share was spent."""

    disposition: bytes = b""
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    path: Path | None = None

    def read(self) -> bytes:
        return self.path.read_bytes() if self.path is not None else bytes(self.data)

    def upload(self, name: str) -> Upload:
        return Upload(name, path=self.path) if self.path is not None else Upload(name, data=bytes(self.data))


class Spool:
    """Where the parts of one request are kept (see the module docstring); `with Spool() as spool:`
    removes whatever it wrote when the block ends."""

    def __init__(self, memory: int = SPOOL_MEMORY) -> None:
        self.memory = memory  # bytes still allowed in memory
        self.directory: Path | None = None
        self.file: IO[bytes] | None = None  # the part being written to disk

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def write(self, part: FormPart, data: bytes) -> None:
        if part.path is None and len(data) <= self.memory:
            part.data += data
            self.memory -= len(data)
            return
        if part.path is None:  # this part goes to disk, with what it had in memory
            if self.directory is None:
                self.directory = Path(tempfile.mkdtemp(prefix=SPOOL_PREFIX))
            handle, name = tempfile.mkstemp(prefix="part-", dir=self.directory)
            self.file = os.fdopen(handle, "wb")
            part.path = Path(name)
            self.memory += len(part.data)
            self.file.write(part.data)
            part.data = bytearray()
        assert self.file is not None
        self.file.write(data)

    def end(self) -> None:
        """The current part is complete: its file (if any) is closed, it stays until `close`."""
        if self.file is not None:
            self.file.close()
            self.file = None

    def close(self) -> None:
        self.end()
        if self.directory is not None:
            try:
                shutil.rmtree(self.directory)
            except OSError as err:  # not silently: an operator has to clean up what is left
                log.error("cannot remove the upload spool %s: %s", self.directory, err)
            self.directory = None


@dataclass(frozen=True, slots=True)
class Submission:
    application: Application
    uploads: tuple[Upload, ...]
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the extra text fields an endpoint takes

MAX_FIELD = 4096  # bytes of one extra text field (a text to keep unmasked is a name, not a document)


def clean_file_name(raw: str) -> str:
    """A client's file name as a plain name: last path component, no control characters."""
    name = re.split(r"[/\\]", raw)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        raise ApiError(400, "bad_file_name", f"附件文件名无效：{raw!r}")
    return name[:255]


class _FormReader:
    """Callbacks of python-multipart's streaming parser; every part kept in the spool, counted."""

    def __init__(self, limits: Limits, spool: Spool) -> None:
        self.limits = limits
        self.spool = spool
        self.parts: list[FormPart] = []
        self.current = FormPart()
        self.header_name = b""
        self.header_value = b""
        self.files = 0
        self.ended = False

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._begin, "on_part_data": self._data, "on_part_end": self._end,
            "on_header_field": self._header_field, "on_header_value": self._header_value,
            "on_header_end": self._header_end, "on_headers_finished": self._headers_finished,
            "on_end": self._finished,
        }

    def _begin(self) -> None:
        self.current = FormPart()

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.spool.write(self.current, data[start:end])

    def _end(self) -> None:
        self.spool.end()
        self.parts.append(self.current)

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def _header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.current.disposition = self.header_value
        self.header_name = self.header_value = b""

    def _headers_finished(self) -> None:
        _, options = python_multipart.multipart.parse_options_header(self.current.disposition)
        if b"name" not in options:
            raise ApiError(400, "bad_multipart", "multipart 的每个部分都需要 Content-Disposition 的 name")
        self.current.name = _utf8(options[b"name"], "字段名")
        if b"filename" in options:
            self.current.filename = _utf8(options[b"filename"], "文件名")
            self.files += 1
            if self.files > self.limits.max_files:
                raise ApiError(413, "too_many_files", f"附件过多：每次最多{self.limits.max_files}个")

    def _finished(self) -> None:
        self.ended = True


def _utf8(raw: bytes, what: str) -> str:
    try:  # header bytes arrive as latin-1 text; browsers send UTF-8
        return raw.decode("latin-1").encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise ApiError(400, "bad_multipart", f"{what}不是UTF-8编码") from None


async def read_parts(request: Request, limits: Limits, spool: Spool) -> list[FormPart]:
    """The parts of a multipart/form-data body (kept in `spool`), refusing what is too big before
    holding it."""
    content_type = request.headers.get("content-type", "")
    ctype, params = python_multipart.multipart.parse_options_header(content_type)
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise ApiError(415, "unsupported_media_type", "请求体必须是 multipart/form-data（字段 application 与 files）")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_request_bytes:
        raise ApiError(413, "too_large", f"上传内容过大：上限{limits.max_request_bytes // MB}MB")
    reader = _FormReader(limits, spool)
    parser = python_multipart.MultipartParser(params[b"boundary"], reader.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limits.max_request_bytes:
                raise ApiError(413, "too_large", f"上传内容过大：上限{limits.max_request_bytes // MB}MB")
            parser.write(chunk)
        parser.finalize()
    except python_multipart.exceptions.FormParserError as err:
        raise ApiError(400, "bad_multipart", f"multipart 请求体格式错误：{err}") from None
    except OSError as err:  # the spool directory: disk full, no permission
        log.error("cannot keep an upload in %s: %s", tempfile.gettempdir(), err)
        raise ApiError(500, "spool_failed", "服务器暂时无法保存上传的内容，请稍后重试或联系管理员") from None
    if not reader.ended:
        raise ApiError(400, "bad_multipart", "multipart 请求体不完整（缺少结束分隔符）")
    return reader.parts


def submission(parts: list[FormPart], extra: tuple[str, ...] = ()) -> Submission:
    """The application and the attachments of a request, and the text fields named in `extra` (each
    may repeat); anything unexpected is refused."""
    applications = [p for p in parts if p.name == "application"]
    files = [p for p in parts if p.name == "files"]
    unknown = sorted({p.name for p in parts} - {"application", "files", *extra})
    if unknown:
        accepted = "、".join(("application", "files", *extra))
        raise ApiError(400, "unknown_field", f"未知的字段：{', '.join(unknown)}；只接受 {accepted}")
    fields = {name: tuple(_text_field(p) for p in parts if p.name == name) for name in extra}
    if len(applications) != 1:
        raise ApiError(400, "invalid_application", "需要恰好一个 application 字段（application.json 的内容）")
    application = read_application(applications[0].read())
    uploads: list[Upload] = []
    for part in files:
        if part.filename is None:
            raise ApiError(400, "bad_file_name", "files 字段的每个部分都需要文件名（filename）")
        uploads.append(part.upload(clean_file_name(part.filename)))
    names = [u.name for u in uploads]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ApiError(400, "duplicate_file", f"附件文件名重复：{', '.join(duplicates)}")
    return Submission(application, tuple(uploads), fields)


def _text_field(part: FormPart) -> str:
    raw = part.read()
    if len(raw) > MAX_FIELD:
        raise ApiError(400, "bad_field", f"字段 {part.name} 过长（超过{MAX_FIELD}字节）")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_field", f"字段 {part.name} 不是UTF-8编码的文本") from None


def read_application(raw: bytes) -> Application:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ApiError(400, "invalid_application",
                       f"application 不是UTF-8编码的文本（第{err.start + 1}个字节无法解码）") from None
    try:
        application = parse_application(text, "application")
    except ApplicationError as err:
        raise ApiError(400, "invalid_application", str(err)) from None
    if not plain_call_name(application.call):  # the same rule as batch and project: never a path or a file
        raise ApiError(400, "invalid_application", f"application: 字段 call: “{application.call}”不是申报通知的名称")
    try:
        load_call(application.call)
    except ConfigError:
        raise ApiError(400, "invalid_application", f"application: 字段 call: 没有名为“{application.call}”的申报通知") from None
    return application
