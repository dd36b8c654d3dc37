"""Functions that tests run in isolated workers. A worker imports the module of what it runs, so
this one stays light: the standard library and the package's errors only."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from screening.application import Application
from screening.engine import Upload, parse_upload
from screening.errors import CorruptError
from screening.model import Document


def add(a: int, b: int) -> int:
    return a + b


def limits_in_worker() -> dict[str, tuple[int, int]]:
    names = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "core": resource.RLIMIT_CORE,
             "fsize": resource.RLIMIT_FSIZE}
    return {name: resource.getrlimit(limit) for name, limit in names.items()}


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def allocate(size: int) -> int:
    return len(bytearray(size))


def send_signal(sig: int) -> None:
    os.kill(os.getpid(), sig)


def raise_corrupt() -> None:
    raise CorruptError("文件坏了")


def raise_value() -> None:
    raise ValueError("boom")


def write(path: str, size: int) -> int:
    return Path(path).write_bytes(b"x" * size)


def hanging_parse(upload: Upload, application: Application | None) -> Document:
    """A parser stuck on one file (as pdfminer once was on a reference cycle), fine on others."""
    if upload.name.endswith("hang.pdf"):
        time.sleep(3600)
    return parse_upload(upload, application)
