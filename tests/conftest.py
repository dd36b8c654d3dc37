"""Shared fixtures: the sample batch, a CLI runner that captures stdout/stderr and the exit code."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from screening.cli import main

# OCR results are cached on disk; tests keep theirs out of the user's ~/.cache
os.environ.setdefault("SCREENING_CACHE_DIR", tempfile.mkdtemp(prefix="screening-test-cache-"))
os.environ.setdefault("SCREENING_JOBS_DIR", tempfile.mkdtemp(prefix="screening-test-jobs-"))  # never the home folder
# the guide lexicon's local overlay (classify --learn) of whoever runs the tests is never read by them
os.environ["SCREENING_GUIDE_OVERLAY"] = str(Path(tempfile.mkdtemp(prefix="screening-test-overlay-")) / "guide.local.yaml")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BATCH = SAMPLES / "batch"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def run(*args: object) -> Result:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def gold() -> dict[str, Any]:
    return json.loads((SAMPLES / "gold.json").read_text(encoding="utf-8"))


def sample_projects() -> list[Path]:
    return sorted(p for p in BATCH.iterdir() if (p / "application.json").is_file())


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh OCR cache for the test (SCREENING_CACHE_DIR), OCR switched on."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(folder))
    monkeypatch.delenv("SCREENING_OCR", raising=False)
    return folder
