"""Work on untrusted attachments in a separate, limited process.

Every call of `Isolation.run` forks a fresh process from a fork server that has the parsers
already imported (so a process costs a few tens of milliseconds, not an interpreter start), sets
its limits, runs the function and sends the result back through a pipe:

* memory: `RLIMIT_AS` (address space) = `Limits.parse_memory`; an allocation beyond it fails;
* time: the parent waits `Limits.parse_timeout` seconds, then kills the process; `RLIMIT_CPU`
  (timeout + 1 s) also stops a spinning process should the parent be gone;
* no core files (`RLIMIT_CORE` 0), and no file written beyond `MAX_FILE_WRITTEN` (`RLIMIT_FSIZE`:
  the OCR cache may write its small files, nothing may fill the disk).

One process per attachment, never reused: a process that hangs, blows up or crashes takes
nothing else with it, and there is no pool to repair afterwards. The fork server itself is
restarted by `multiprocessing` when it has died (tested). At most `Limits.workers` processes run
at once; callers beyond that wait their turn (the wait does not count against the timeout), but
no longer than one `parse_timeout`: then `Busy` is raised, which the hook answers with 503 rather
than letting a queue of hostile uploads hold a normal request for minutes.

Waiting (for a slot or for the answer) stops as soon as the caller's `cancel` event is set (the
HTTP client hung up): the process is killed and `deadline.Cancelled` raised.

`Isolation.parse` has the signature `engine.screen(parse=...)` expects. What went wrong becomes a
`Problem` on the Document, never an exception: a timeout → `document.timeout`; memory exhausted
(a `MemoryError`, or the process killed the way allocators die when memory runs out) →
`document.too_large`; any other crash → `document.unreadable`. The Document keeps the file-name
part, so a leak in the name is still found.

Like every `multiprocessing` start method but fork, a worker imports the caller's main script
again (as `__mp_main__`): a script that uses this module must keep its work under
`if __name__ == "__main__":` (`python -m screening` and the `screening` command do).
"""

from __future__ import annotations

import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from screening.application import Application
from screening.deadline import Cancelled, Deadline
from screening.engine import Upload, parse_upload
from screening.engine import failed_document as engine_failed_document
from screening.errors import AttachmentError, ScreeningError, TooLargeError
from screening.forkservers import PARSE_PRELOAD, fork_server
from screening.formats import sniff
from screening.limits import MB, Limits
from screening.model import Document

T = TypeVar("T")
Parser = Callable[[Upload, Application | None], Document]

# imported once in the fork server, so that every parsing process starts with them loaded
# how an allocator dies when the address-space limit refuses it memory (pdfium: trap or abort)
MEMORY_SIGNALS = frozenset({signal.SIGABRT, signal.SIGILL, signal.SIGTRAP, signal.SIGKILL, signal.SIGBUS})
MAX_FILE_WRITTEN = 16 * MB
POLL = 0.2  # seconds between looks at a request's cancel flag while waiting


class Busy(ScreeningError):
    """Every worker stayed taken for a whole parse timeout: the service is saturated."""


class ParseTimeoutError(AttachmentError):
    rule = "document.timeout"


class WorkerCrashError(AttachmentError):
    rule = "document.unreadable"


def _limit(memory: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_WRITTEN, MAX_FILE_WRITTEN))


def _child(conn: Connection, func: Callable[..., Any], args: tuple[Any, ...], memory: int, cpu_seconds: int) -> None:
    """Runs in the isolated process: limits, the call, one message back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server is for the parent to handle
    try:
        _limit(memory, cpu_seconds)
        message: tuple[str, Any] = ("ok", func(*args))
    except MemoryError:
        message = ("memory", None)
    except ScreeningError as err:
        message = ("raised", err)
    except BaseException as err:  # anything else is reported, by name, to the parent
        message = ("error", f"{type(err).__name__}: {str(err)[:300]}")
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def parse_timeout_message(seconds: float) -> str:
    """Why an attachment's parsing was stopped at the parse timeout."""
    return f"附件处理超过{seconds:g}秒仍未完成，已中止；请检查文件是否损坏或过于复杂"


def _wait(step: Callable[[float], bool], timeout: float, cancel: threading.Event | None) -> bool | None:
    """`step(seconds)` in slices of at most POLL seconds until it is true (True), `timeout` passes
    (False) or `cancel` is set (None)."""
    until = time.monotonic() + timeout
    while not step(max(0.0, min(POLL, until - time.monotonic()))):
        if cancel is not None and cancel.is_set():
            return None
        if time.monotonic() >= until:
            return False
    return True


class Isolation:
    """Runs functions on untrusted data in limited processes (see the module docstring)."""

    def __init__(self, limits: Limits | None = None, parser: Parser = parse_upload) -> None:
        self.limits = limits or Limits()
        self.parser = parser  # what `parse` runs in the worker (module level, so that it pickles)
        self._ctx = fork_server(PARSE_PRELOAD)
        self._slots = threading.BoundedSemaphore(self.limits.workers)

    def warm(self) -> None:
        """Start the fork server now (it imports the parsers once), not on the first request."""
        self.run(sniff, b"%PDF-")

    def start(self) -> Isolation:
        """Launch the fork server without waiting for it: it imports the parsers while the caller
        loads what it needs itself (a command's cold start pays the two at once, not one after the
        other). Returns self."""
        from multiprocessing import forkserver

        forkserver.ensure_running()
        return self

    def run(self, func: Callable[..., T], *args: Any, cancel: threading.Event | None = None) -> T:
        """`func(*args)` in a fresh limited process. `func` and its arguments must pickle.

        Raises `ParseTimeoutError`, `TooLargeError` (memory), `WorkerCrashError`, or the
        `ScreeningError` the function raised itself; `deadline.Cancelled` (the process killed)
        as soon as `cancel` is set.
        """
        limits = self.limits
        if not self._acquire(limits.parse_timeout, cancel):
            raise Busy(f"所有解析进程已被占用超过{limits.parse_timeout:g}秒，服务繁忙，请稍后重试")
        try:
            receiver, sender = self._ctx.Pipe(duplex=False)
            process = self._ctx.Process(
                target=_child, args=(sender, func, args, limits.parse_memory, limits.cpu_seconds),
                name="screening-worker", daemon=True,
            )
            try:
                process.start()
            finally:
                sender.close()
            message: tuple[str, Any] | None = None
            try:
                if self._answered(receiver, limits.parse_timeout, cancel):
                    try:
                        message = receiver.recv()
                    except (EOFError, OSError):  # the process died without answering
                        message = None
                else:
                    message = ("cancelled" if cancel is not None and cancel.is_set() else "timeout", None)
            finally:
                if process.is_alive():
                    process.kill()
                process.join()
                exitcode = process.exitcode
                receiver.close()
                process.close()
        finally:
            self._slots.release()
        return self._outcome(message, exitcode)

    def deadline(self, cancel: threading.Event | None = None) -> Deadline:
        """The deadline of a project's checks: the same budget as one attachment's parsing."""
        return Deadline(self.limits.parse_timeout, cancel)

    def _acquire(self, timeout: float, cancel: threading.Event | None) -> bool:
        """A worker slot within `timeout` seconds; `Cancelled` when `cancel` is set meanwhile."""
        got = _wait(lambda step: self._slots.acquire(timeout=step), timeout, cancel)
        if got is None:
            raise Cancelled
        return got

    @staticmethod
    def _answered(receiver: Connection, timeout: float, cancel: threading.Event | None) -> bool:
        """Whether the process answered within `timeout` seconds (False at once when `cancel` is set)."""
        return bool(_wait(receiver.poll, timeout, cancel))

    def _outcome(self, message: tuple[str, Any] | None, exitcode: int | None) -> Any:
        limits = self.limits
        if message is None:
            sig = -exitcode if exitcode is not None and exitcode < 0 else None
            if sig == signal.SIGXCPU:
                message = ("timeout", None)
            elif sig in MEMORY_SIGNALS:
                message = ("memory", None)
            else:
                what = signal.Signals(sig).name if sig else f"退出码{exitcode}"
                raise WorkerCrashError(f"处理附件的进程异常终止（{what}），附件可能已损坏或构造异常，未能审查")
        status, payload = message
        if status == "ok":
            return payload
        if status == "cancelled":
            raise Cancelled
        if status == "timeout":
            raise ParseTimeoutError(parse_timeout_message(limits.parse_timeout))
        if status == "memory":
            raise TooLargeError(f"附件处理所需内存超过{limits.parse_memory // MB}MB上限，已中止；文件可能过大或是恶意构造的文件")
        if status == "raised" and isinstance(payload, ScreeningError):
            raise payload
        raise WorkerCrashError(f"处理附件时出错（{payload}），未能审查")

    def parse(self, upload: Upload, application: Application | None, *, cancel: threading.Event | None = None) -> Document:
        """`engine.parse_upload` (or the given parser) in a limited process; a failure becomes a
        Problem on the Document (`deadline.Cancelled` is raised: nobody waits for the Document)."""
        if upload.data is None:
            assert upload.path is not None
            try:
                upload = Upload(upload.name, data=upload.path.read_bytes())
            except OSError:  # the parser reports an unreadable path as a finding; no parsing happens
                return parse_upload(upload, application)
        try:
            return self.run(self.parser, upload, application, cancel=cancel)
        except AttachmentError as err:
            return failed_document(upload, application, err)


def failed_document(upload: Upload, application: Application | None, err: AttachmentError) -> Document:
    """What is known of an attachment whose parsing failed (`engine.failed_document`)."""
    return engine_failed_document(upload, application, err.rule, err.message, page=err.page)
