"""A real `screening serve` on loopback for tests and benchmarks: a subprocess on a free port,
healthy before use, always terminated (`running_server`); or the service's app, with an isolation
of the test's choosing, under uvicorn configured as `screening serve` does, in a thread of the test
process (`serving_in_thread`), so that a test can look at the isolation's workers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from screening.limits import Limits

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Running:
    url: str
    started: float  # seconds from launch to the first healthy /healthz
    log: IO[bytes]  # what the server printed (stdout and stderr)

    def output(self) -> str:
        """The server's log so far (read without moving the offset the server writes at)."""
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(*options: str, env: dict[str, str] | None = None, timeout: float = 60.0) -> Iterator[Running]:
    """`python -m screening serve` on a free loopback port, until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "screening", "serve", "--host", LOOPBACK, "--port", str(port), *options]
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would block the server
        launched = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log, stderr=log, start_new_session=True)
        url = f"http://{LOOPBACK}:{port}"
        try:
            started = _wait_healthy(process, url, launched, timeout, log)
            yield Running(url, started, log)
        finally:
            _stop(process)


def _wait_healthy(process: subprocess.Popen[bytes], url: str, launched: float, timeout: float, log: IO[bytes]) -> float:
    deadline = launched + timeout
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                log.seek(0)
                err = log.read().decode("utf-8", "replace")
                raise RuntimeError(f"screening serve exited with {process.returncode}:\n{err[-3000:]}")
            try:
                if client.get(f"{url}/healthz").status_code == 200:
                    return time.perf_counter() - launched
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"screening serve was not healthy within {timeout:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (uvicorn, the fork server, workers), then SIGKILL
    to whatever of that group is left."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextmanager
def serving_in_thread(app: Any, limits: Limits, timeout: float = 120.0) -> Iterator[str]:
    """`app` (from `create_app`) served on a free loopback port by uvicorn with the options of
    `screening serve` (`server.uvicorn_options`), in a thread; its log goes to the `uvicorn.error`
    logger of this process (no logging configuration of uvicorn's own)."""
    import uvicorn

    from screening.server import uvicorn_options  # here: the benchmarks import this module against older trees

    port = free_port()
    config = uvicorn.Config(app, host=LOOPBACK, port=port, log_config=None, **uvicorn_options(limits))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        deadline = time.perf_counter() + timeout
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn stopped before it listened")
            if time.perf_counter() > deadline:
                raise TimeoutError(f"uvicorn did not listen within {timeout:g} s")
            time.sleep(0.05)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def read_until_closed(sock: socket.socket, limit: float) -> tuple[bytes, bool]:
    """All the server sends on `sock` until it closes the connection or `limit` s pass, and
    whether it closed it. The socket is closed after."""
    sock.settimeout(limit)
    raw = b""
    try:
        while chunk := sock.recv(65536):
            raw += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        return raw, False
    finally:
        sock.close()
    return raw, True
