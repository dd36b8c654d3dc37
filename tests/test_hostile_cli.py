"""Hostile attachments on the command line (issue 12): `check` and `project` parse each attachment
in its own limited process, as the hook does, with the limits of `screening.limits`; a file that
hangs or eats memory is that attachment's `document.timeout` / `document.too_large`, the rest of
the project is still screened and the command exits 1 or 3. `batch` workers run under the same
memory limit.

A monkeypatch does not cross a process: the library path uses parsers defined here (module level,
so that a worker imports them), the command path real files the real parsers take long on."""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from screening import batch as batch_module
from screening.application import Application
from screening.batch import screen_batch
from screening.batch import worker as batch_worker
from screening.engine import Upload, parse_upload, screen_project
from screening.isolation import Isolation
from screening.limits import MB, WORKER_BASELINE, Limits
from screening.model import Document, Report
from tests.conftest import BATCH

ROOT = Path(__file__).resolve().parent.parent
LEAKING = BATCH / "QZ2020-0001"  # its 可行性报告.docx names the applicant and a member (fail)
HOSTILE = "附件2.pdf"
LIMITS = Limits(parse_timeout=1.0, parse_memory=512 * MB, workers=1)
BOUND = 30.0  # seconds: generous; without the limits these runs take minutes or gigabytes


# --- parsers that run in the isolated worker --------------------------------------------------


def hanging_parser(upload: Upload, application: Application | None) -> Document:
    if upload.name == HOSTILE:
        time.sleep(3600)
    return parse_upload(upload, application)


def greedy_parser(upload: Upload, application: Application | None) -> Document:
    if upload.name == HOSTILE:
        hoard = [bytearray(64 * MB) for _ in range(64)]  # 4 GB, far beyond the limit
        return Document(file=upload.name, format="", sha256=str(len(hoard)), pages=None)
    return parse_upload(upload, application)


# --- hostile files, cheap to build ------------------------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    """`pages` pages sharing one content stream with a line of text: seconds of parsing per 10,000."""
    text = b"BT /F1 12 Tf 72 720 Td (Project report page text) Tj ET"
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
            b"/Contents 3 0 R >>")
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *[page] * pages,
    ])


def huge_png(side: int = 20000) -> bytes:
    """A single-colour side×side RGB PNG: a few hundred KB that decode to side² × 3 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * (side * 3)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = side.to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def many_pages() -> bytes:
    return many_pages_pdf(40_000)


def project_with(folder: Path, name: str, data: bytes) -> Path:
    """The leaking sample project plus one hostile attachment."""
    shutil.copytree(LEAKING, folder)
    (folder / name).write_bytes(data)
    return folder


def leaks_reported(report: dict) -> bool:
    return any(f["rule"].startswith("identity.") and f["severity"] == "fail" and f["file"] == "可行性报告.docx"
               for f in report["findings"])


def rules_of(report: dict, file: str) -> set[str]:
    return {f["rule"] for f in report["findings"] if f.get("file") == file}


def run_command(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "screening", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=120)
    return done, time.perf_counter() - started


# --- the library path -------------------------------------------------------------------------


def test_a_hanging_attachment_is_a_timeout_and_the_rest_is_screened(tmp_path: Path) -> None:
    folder = project_with(tmp_path / "p", HOSTILE, b"%PDF-1.7\n")
    started = time.perf_counter()
    report = screen_project(folder, parse=Isolation(LIMITS, parser=hanging_parser).parse).to_json()
    assert time.perf_counter() - started < BOUND
    assert "document.timeout" in rules_of(report, HOSTILE)
    assert leaks_reported(report)


def test_a_greedy_attachment_is_too_large_and_the_rest_is_screened(tmp_path: Path) -> None:
    folder = project_with(tmp_path / "p", HOSTILE, b"%PDF-1.7\n")
    report = screen_project(folder, parse=Isolation(LIMITS, parser=greedy_parser).parse).to_json()
    assert "document.too_large" in rules_of(report, HOSTILE)
    assert leaks_reported(report)


# --- the commands -----------------------------------------------------------------------------


def test_project_cuts_off_a_slow_pdf_at_the_parse_timeout(tmp_path: Path, many_pages: bytes) -> None:
    folder = project_with(tmp_path / "p", HOSTILE, many_pages)
    done, seconds = run_command("project", str(folder), "--format", "json",
                                env={"SCREENING_PARSE_TIMEOUT": "1", "SCREENING_PARSE_MEMORY_MB": "1024"})
    assert done.returncode in (1, 3), done.stderr
    report = json.loads(done.stdout)
    assert "document.timeout" in rules_of(report, HOSTILE)
    assert leaks_reported(report)
    assert seconds < BOUND


def test_check_takes_the_parse_timeout_as_an_option(tmp_path: Path, many_pages: bytes) -> None:
    slow = tmp_path / HOSTILE
    slow.write_bytes(many_pages)
    done, seconds = run_command("check", str(slow), str(LEAKING / "可行性报告.docx"),
                                "--application", str(LEAKING / "application.json"), "--format", "json",
                                "--parse-timeout", "1", env={})
    assert done.returncode in (1, 3), done.stderr
    report = json.loads(done.stdout)
    assert "document.timeout" in rules_of(report, HOSTILE)
    assert leaks_reported(report)
    assert seconds < BOUND


def test_check_refuses_a_huge_picture_quickly(tmp_path: Path) -> None:
    picture = tmp_path / "现场照片.png"
    picture.write_bytes(huge_png())
    done, seconds = run_command("check", str(picture), str(LEAKING / "可行性报告.docx"),
                                "--application", str(LEAKING / "application.json"), "--format", "json",
                                env={"SCREENING_PARSE_MEMORY_MB": "512", "SCREENING_PARSE_TIMEOUT": "20"})
    assert done.returncode in (1, 3), done.stderr
    report = json.loads(done.stdout)
    assert "document.too_large" in rules_of(report, picture.name)
    assert leaks_reported(report)
    assert seconds < BOUND


@pytest.mark.parametrize(("variable", "value"), [("SCREENING_PARSE_TIMEOUT", "soon"),
                                                 ("SCREENING_PARSE_MEMORY_MB", "100")])
def test_the_commands_read_the_limits_from_the_environment(variable: str, value: str) -> None:
    done, _ = run_command("project", str(LEAKING), env={variable: value})
    assert done.returncode == 2
    assert variable in done.stderr or "parse_memory" in done.stderr
    assert "Traceback" not in done.stderr


# --- the batch --------------------------------------------------------------------------------


def limit_reporter(folder: Path, *, call: str | None = None) -> Report:
    """A stand-in screener that says, through the crash report, the worker's address-space limit."""
    raise RuntimeError(f"RLIMIT_AS={resource.getrlimit(resource.RLIMIT_AS)[0]}")


def test_batch_workers_run_under_the_memory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = tmp_path / "batch"
    shutil.copytree(LEAKING, batch / LEAKING.name)
    monkeypatch.setenv("SCREENING_PARSE_MEMORY_MB", "700")
    result = screen_batch(batch, tmp_path / "out", workers=1, screener=limit_reporter)
    message = result.items[0].report["findings"][0]["message"]
    assert f"RLIMIT_AS={700 * MB + WORKER_BASELINE}" in message


def test_batch_memory_error_in_a_parser_is_that_attachments_too_large(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    def exhausted(upload: Upload, application: Application | None) -> Document:
        if upload.name == HOSTILE:
            raise MemoryError
        return parse_upload(upload, application)

    monkeypatch.setattr(batch_worker, "parse_upload", exhausted)
    folder = project_with(tmp_path / "p", HOSTILE, b"%PDF-1.7\n")
    report = batch_worker.screen_in_worker(folder).to_json()
    assert "document.too_large" in rules_of(report, HOSTILE)
    assert leaks_reported(report)


def test_batch_goes_on_past_a_hostile_attachment(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    project_with(batch / "hostile", "现场照片.png", huge_png())
    shutil.copytree(BATCH / "QZ2020-0005", batch / "QZ2020-0005")
    started = time.perf_counter()
    result = screen_batch(batch, tmp_path / "out", workers=1, timeout=60)
    assert time.perf_counter() - started < BOUND
    reports = {i.project_id: i.report for i in result.items}
    hostile = reports[json.loads((LEAKING / "application.json").read_text(encoding="utf-8"))["project_id"]]
    assert "document.too_large" in rules_of(hostile, "现场照片.png")
    assert leaks_reported(hostile)
    assert reports["QZ2020-0005"]["verdict"] == "pass"


def test_batch_holds_an_attachment_to_the_parse_timeout(tmp_path: Path, many_pages: bytes,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker parses in-process, but an attachment past `parse_timeout` gets the worker killed
    and the project screened again with each attachment isolated: that attachment times out, the
    leak in the report next to it is still found, and the project does not count as timed out."""
    batch = tmp_path / "batch"
    project_with(batch / "slow", HOSTILE, many_pages)
    monkeypatch.setenv("SCREENING_PARSE_TIMEOUT", "1")
    started = time.perf_counter()
    result = screen_batch(batch, tmp_path / "out", workers=1, timeout=120)
    assert time.perf_counter() - started < BOUND
    item = result.items[0]
    assert "document.timeout" in rules_of(item.report, HOSTILE)
    assert leaks_reported(item.report)
    assert item.outcome.value == "ok" and "engine.crash" not in {f["rule"] for f in item.report["findings"]}


def suicidal_screener(folder: Path, *, call: str | None = None) -> Report:
    """Runs in a batch worker: the process dies (as a native library crashing would) on HOSTILE."""
    def parse(upload: Upload, application: Application | None) -> Document:
        if upload.name == HOSTILE:
            os.kill(os.getpid(), signal.SIGKILL)
        return batch_module.parse_in_worker(upload, application)

    return screen_project(folder, call=call, parse=parse)


def test_a_worker_killed_by_an_attachment_costs_only_that_attachment(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    project_with(batch / "deadly", HOSTILE, b"%PDF-1.7\n")
    result = screen_batch(batch, tmp_path / "out", workers=1, screener=suicidal_screener)
    report = result.items[0].report
    assert "engine.crash" not in {f["rule"] for f in report["findings"]}
    assert "document.unreadable" in rules_of(report, HOSTILE)  # the isolated retry read it (it is no PDF)
    assert leaks_reported(report)


def _daemon_answer(queue: Any) -> None:
    queue.put(batch_module.can_isolate())


def test_a_daemon_process_cannot_isolate() -> None:
    """What `batch --scheduler` asks every Dask worker before it sends work: a daemon (Dask's default)
    may not start the limited parsing processes, so the batch refuses such a cluster."""
    import multiprocessing

    assert batch_module.can_isolate()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_daemon_answer, args=(queue,), daemon=True)
    process.start()
    assert queue.get(timeout=60) is False
    process.join()


@pytest.mark.parametrize("command", [["patent"], ["classify"]])
def test_patent_and_classify_parse_under_the_limits(tmp_path: Path, many_pages: bytes, command: list[str]) -> None:
    slow = tmp_path / "证书.pdf"
    slow.write_bytes(many_pages)
    done, seconds = run_command(*command, str(slow), env={"SCREENING_PARSE_TIMEOUT": "1"})
    assert done.returncode == 2 and "证书.pdf" in done.stderr and "秒" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and seconds < BOUND
