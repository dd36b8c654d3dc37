"""Limited worker processes: results come back, hangs, blow-ups and crashes become errors (and,
through `Isolation.parse`, findings), and nothing is left behind."""

from __future__ import annotations

import hashlib
import multiprocessing.forkserver
import os
import resource
import signal
import threading
import time
from pathlib import Path

import pytest

from screening.engine import Upload
from screening.errors import CorruptError, TooLargeError
from screening.isolation import MAX_FILE_WRITTEN, Isolation, ParseTimeoutError, WorkerCrashError
from screening.limits import MB, Limits
from screening.model import PartKind, Role
from tests import isolated_functions as fn
from tests.conftest import BATCH

LIMITS = Limits(parse_timeout=2.0, parse_memory=512 * MB, workers=2)


@pytest.fixture(scope="module")
def isolation() -> Isolation:
    iso = Isolation(LIMITS)
    iso.warm()
    return iso


def test_a_result_comes_back(isolation: Isolation) -> None:
    assert isolation.run(fn.add, 2, 3) == 5


def test_the_worker_runs_under_its_limits(isolation: Isolation) -> None:
    seen = isolation.run(fn.limits_in_worker)
    assert seen["as"] == (LIMITS.parse_memory, LIMITS.parse_memory)
    assert seen["cpu"][0] == LIMITS.cpu_seconds
    assert seen["core"] == (0, 0) and seen["fsize"] == (MAX_FILE_WRITTEN, MAX_FILE_WRITTEN)
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != LIMITS.parse_memory  # the caller is untouched


def test_a_hang_is_cut_off_at_the_timeout(isolation: Isolation) -> None:
    started = time.perf_counter()
    with pytest.raises(ParseTimeoutError, match="2秒"):
        isolation.run(fn.sleep, 60)
    assert time.perf_counter() - started < LIMITS.parse_timeout + 2


def test_a_memory_blow_up_is_too_large(isolation: Isolation) -> None:
    with pytest.raises(TooLargeError, match="512MB"):
        isolation.run(fn.allocate, 2 * 1024 * MB)
    assert isolation.run(fn.allocate, 16 * MB) == 16 * MB  # below the limit it works


def test_a_crash_is_reported_by_its_signal(isolation: Isolation) -> None:
    with pytest.raises(WorkerCrashError, match="SIGSEGV"):
        isolation.run(fn.send_signal, signal.SIGSEGV)
    with pytest.raises(TooLargeError):  # how the kernel's OOM killer ends a process
        isolation.run(fn.send_signal, signal.SIGKILL)


def test_errors_of_the_function_come_back(isolation: Isolation) -> None:
    with pytest.raises(CorruptError, match="文件坏了"):
        isolation.run(fn.raise_corrupt)
    with pytest.raises(WorkerCrashError, match="ValueError: boom"):
        isolation.run(fn.raise_value)


def test_the_worker_cannot_fill_the_disk(isolation: Isolation, tmp_path: Path) -> None:
    small, big = tmp_path / "cache.json", tmp_path / "big.bin"
    assert isolation.run(fn.write, str(small), 1000) == 1000  # a cache file is fine
    with pytest.raises(WorkerCrashError, match="File too large"):  # RLIMIT_FSIZE (Python ignores SIGXFSZ)
        isolation.run(fn.write, str(big), MAX_FILE_WRITTEN + 1)
    assert big.stat().st_size <= MAX_FILE_WRITTEN


def test_parse_turns_a_hang_into_a_timeout_finding_and_keeps_the_name() -> None:
    data = (BATCH / "QZ2020-0004" / "经费预算表.pdf").read_bytes()
    quick = Isolation(Limits(parse_timeout=1.5, parse_memory=512 * MB, workers=1), parser=fn.hanging_parse)
    doc = quick.parse(Upload("../secret/经费预算表-hang.pdf", data=data), None)
    assert [p.rule for p in doc.problems] == ["document.timeout"]
    assert doc.file == "经费预算表-hang.pdf" and doc.format == "pdf" and doc.role is Role.BUDGET
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert [p.kind for p in doc.parts] == [PartKind.FILENAME]
    assert quick.parse(Upload("经费预算表.pdf", data=data), None).problems == ()  # the next file is fine


def test_parse_of_a_good_file_is_the_in_process_parse(isolation: Isolation) -> None:
    from screening.engine import parse_upload

    data = (BATCH / "QZ2020-0004" / "经费预算表.pdf").read_bytes()
    upload = Upload("经费预算表.pdf", data=data)
    assert isolation.parse(upload, None) == parse_upload(upload, None)


def test_a_dead_fork_server_is_started_again(isolation: Isolation) -> None:
    server = multiprocessing.forkserver._forkserver  # type: ignore[attr-defined]
    pid = server._forkserver_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    _wait_dead(pid)  # multiprocessing reaps it itself when it next needs the server
    assert isolation.run(fn.add, 1, 1) == 2
    assert server._forkserver_pid != pid


def _wait_dead(pid: int) -> None:
    stat = Path(f"/proc/{pid}/stat")
    for _ in range(200):
        if not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z":
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not die")


def test_waiting_for_a_slot_does_not_count_against_the_timeout() -> None:
    one = Isolation(Limits(parse_timeout=3.0, parse_memory=512 * MB, workers=1))
    results: list[float] = []
    threads = [threading.Thread(target=lambda: results.append(one.run(fn.sleep, 1.0))) for _ in range(2)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1.0, 1.0]  # one after the other, neither timed out
    assert time.perf_counter() - started >= 2.0
