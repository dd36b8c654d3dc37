"""The wheel carries the data folders, so an installed screener works outside a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_ships_lexicons_and_pipelines(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="the dev extra installs hatchling")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("screening-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "screening/data/pipelines/quzhou-2020.yaml" in names
    assert "screening/data/lexicons/roles.tsv" in names
    assert "screening/data/lexicons/guide-titles/titles.jsonl" in names  # the n-grams' labelled titles
    assert "screening/data/lexicons/guide-titles/linear.json" in names  # the linear title model
    assert "screening/data/schemas/screening-report-1.schema.json" in names
    assert "screening/parsers/fonts/standin.ttf" in names  # the font pdfium is given (parsers/pdfium_lib.py)
    assert any(n.endswith("entry_points.txt") for n in names)
