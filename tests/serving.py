"""A real `screening serve` on loopback for tests and benchmarks: a subprocess on a free port,
healthy before use, always terminated."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Running:
    url: str
    started: float  # seconds from launch to the first healthy /healthz


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
            yield Running(url, started)
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
