"""The hostile corpus (tests/hostile.py) through the CLI and through the service: no crash, no
hang, and the finding each file must produce. The service keeps serving afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT
from tests.hostile import Hostile, write_corpus
from tests.serving import running_server

TRAVERSAL_TARGET = Path("/tmp/screening-traversal")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Hostile]]:
    folder = tmp_path_factory.mktemp("hostile")
    return folder, write_corpus(folder)


def _check(folder: Path, files: list[str], timeout: float) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "screening", "check", *files, "--application", "application.json", "--format", "json"],
        cwd=folder, capture_output=True, text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode in (1, 3), done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _rules(report: dict[str, Any], file: str) -> set[str]:
    return {f["rule"] for f in report["findings"] if f.get("file") == file}


@pytest.mark.slow
def test_the_cli_screens_every_hostile_file_in_bounded_time(corpus: tuple[Path, list[Hostile]]) -> None:
    folder, items = corpus
    started = time.perf_counter()
    report = _check(folder, [h.file for h in items], timeout=120)
    assert time.perf_counter() - started < 120
    assert [d["file"] for d in report["documents"]] == [h.file for h in items]
    for item in items:
        assert _rules(report, item.file) & item.expect, (item.file, _rules(report, item.file))


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    with running_server(env={"SCREENING_PARSE_TIMEOUT": "4", "SCREENING_PARSE_MEMORY_MB": "768"}) as server:
        yield server.url


@pytest.mark.slow
def test_the_service_screens_every_hostile_file_and_keeps_serving(
        corpus: tuple[Path, list[Hostile]], service: str) -> None:
    folder, items = corpus
    application = (folder / "application.json").read_text(encoding="utf-8")
    files = [("files", (h.upload_name, (folder / h.file).read_bytes())) for h in items]
    with httpx.Client(timeout=120, trust_env=False) as client:
        started = time.perf_counter()
        response = client.post(f"{service}/v1/screen", data={"application": application}, files=files)
        assert time.perf_counter() - started < 90
        assert response.status_code == 200, response.text
        report = response.json()
        names = [Path(h.upload_name.replace("\\", "/")).name for h in items]
        assert [d["file"] for d in report["documents"]] == names
        for item, name in zip(items, names, strict=True):
            assert _rules(report, name) & item.expect, (item.file, _rules(report, name))
        assert "root:" not in response.text  # the external entity to /etc/passwd was never read
        assert not TRAVERSAL_TARGET.exists()
        assert client.get(f"{service}/healthz").json() == {"status": "ok"}
        good = client.post(f"{service}/v1/screen", data={"application": application},
                           files=[("files", ("traversal.pdf", (folder / "traversal.pdf").read_bytes()))])
        assert good.status_code == 200 and good.json()["verdict"] == "fail"


@pytest.mark.slow
def test_each_hostile_file_alone_through_the_service(corpus: tuple[Path, list[Hostile]], service: str) -> None:
    folder, items = corpus
    application = (folder / "application.json").read_text(encoding="utf-8")
    with httpx.Client(timeout=60, trust_env=False) as client:
        for item in items:
            response = client.post(f"{service}/v1/screen", data={"application": application},
                                   files=[("files", (item.upload_name, (folder / item.file).read_bytes()))])
            assert response.status_code == 200, (item.file, response.text)
            rules = {f["rule"] for f in response.json()["findings"]}
            assert rules & item.expect, (item.file, rules)
