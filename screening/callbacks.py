"""Telling the operator's portal that a job finished: `{"id", "state", "url"}` POSTed as JSON to
the callback URL of the configuration (`SCREENING_JOBS_CALLBACK`; never one from a request).

The callbacks are sent by one thread of their own, in the order the jobs finished, so a slow or
absent portal never holds a job's worker. A callback that fails (no connection, a timeout, an
answer other than 2xx) is logged and tried again after each of `delays` seconds, then given up
(logged); nothing here raises into the service. Callbacks not yet sent when the service stops are
dropped, one log line says how many: the portal can still ask GET /v1/jobs/{id}.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from typing import Any

import httpx

log = logging.getLogger("uvicorn.error")

TIMEOUT = 10.0  # seconds one callback request may take


class Notifier:
    def __init__(self, url: str | None, delays: Sequence[float] = (2.0, 10.0, 60.0), timeout: float = TIMEOUT) -> None:
        self.url = url
        self.delays = tuple(delays)
        self.timeout = timeout
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.url is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="jobs-callback", daemon=True)
        self._thread.start()

    def notify(self, payload: dict[str, Any]) -> None:
        """Send `payload` soon (nothing without a callback URL)."""
        if self.url is not None:
            self._queue.put(payload)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        dropped = sum(1 for item in list(self._queue.queue) if item is not None)
        if dropped:
            log.warning("%d job callback(s) not sent: the service stopped", dropped)

    def _loop(self) -> None:
        assert self.url is not None
        with httpx.Client(timeout=self.timeout, trust_env=False, follow_redirects=False) as client:
            while not self._stop.is_set():
                payload = self._queue.get()
                if payload is None:
                    break
                self._send(client, self.url, payload)

    def _send(self, client: httpx.Client, url: str, payload: dict[str, Any]) -> bool:
        """POST `payload`, retried after each delay; whether it was taken (2xx)."""
        for attempt, delay in enumerate((*self.delays, None), start=1):
            try:
                answer = client.post(url, json=payload)
                if answer.is_success:
                    return True
                problem = f"answered {answer.status_code}"
            except Exception as err:  # no connection, a timeout, a bad URL …: logged, the service goes on
                problem = f"{type(err).__name__}: {err}"
            if delay is None:
                log.error("job %s: callback to %s failed %d times (%s), given up",
                          payload.get("id"), url, attempt, problem)
                return False
            log.warning("job %s: callback to %s failed (%s), retrying in %g s", payload.get("id"), url, problem, delay)
            if self._stop.wait(delay):
                log.warning("job %s: callback to %s not retried: the service stopped", payload.get("id"), url)
                return False
        return False
