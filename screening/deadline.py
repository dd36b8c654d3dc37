"""How long the checks of one project may run, and whether its requester still waits for them.

Parsing is bounded per attachment by `screening.isolation` (a process that is killed); the checks
run in the caller's process over the parsed text, where a thread cannot be killed, so they look at
a `Deadline` between parts of the work (`Deadline.check`, once per document part and per check):

* `seconds` — the budget of the checks, counted from `start()` (the engine starts it when parsing
  is done); past it `OverTime` is raised, and `engine.screen` turns that into a `document.timeout`
  finding of the project instead of a report (the limit is `Limits.parse_timeout`: the checks get
  the same budget as the parsing of one attachment);
* `cancelled` — set when nobody waits for the answer any more (the HTTP client hung up): the next
  `check` raises `Cancelled`, and `Isolation.run` kills the parsing process it is waiting for.
"""

from __future__ import annotations

import threading
import time

from screening.errors import ScreeningError


class Cancelled(ScreeningError):
    """The requester is gone: stop, nobody reads the answer."""

    def __init__(self, message: str = "请求方已断开连接，筛查已取消") -> None:
        super().__init__(message)


def overtime_message(seconds: float) -> str:
    """Why a project's screening stopped at its time limit (the checks' budget, a batch's --timeout)."""
    return f"筛查超过{seconds:g}秒仍未完成，已中止；附件可能过大或结构异常，请人工审查"


class OverTime(ScreeningError):
    """The checks of a project passed their time budget."""


class Deadline:
    def __init__(self, seconds: float | None = None, cancelled: threading.Event | None = None) -> None:
        self.seconds = seconds
        self.cancelled = cancelled or threading.Event()
        self.until: float | None = None

    def start(self) -> None:
        """Start counting `seconds` (a deadline without seconds only watches `cancelled`)."""
        if self.seconds is not None:
            self.until = time.monotonic() + self.seconds

    def cancel(self) -> None:
        self.cancelled.set()

    def check(self) -> None:
        """Raise `Cancelled` or `OverTime` when the work must stop; otherwise return at once."""
        if self.cancelled.is_set():
            raise Cancelled
        if self.until is not None and time.monotonic() > self.until:
            raise OverTime(overtime_message(self.seconds or 0))

