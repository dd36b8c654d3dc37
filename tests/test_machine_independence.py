"""The same files give the same report whatever the locale, time zone or number of cores of the
machine (DEVELOPERS.md: results must not depend on the machine). Screens a sample project in
subprocesses under different environments and compares the JSON byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "samples" / "batch" / "QZ2020-0503"  # leaks and ordinary-word decoys: the evidence model at work


def _screen(env_extra: dict[str, str]) -> bytes:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "TZ", "SCREENING_WORKERS")}
    env.update(env_extra)
    env["SCREENING_OCR"] = "0"
    done = subprocess.run([sys.executable, "-m", "screening", "project", str(PROJECT), "--format", "json"],
                          capture_output=True, env=env, cwd=ROOT, check=False, timeout=300)
    assert done.returncode in (0, 1, 3), done.stderr.decode()
    return done.stdout


def test_reports_do_not_depend_on_locale_time_zone_or_cores() -> None:
    base = _screen({"LANG": "C.UTF-8", "TZ": "UTC"})
    assert b'"evidence"' in base
    assert _screen({"LANG": "zh_CN.UTF-8", "LC_ALL": "C", "TZ": "Pacific/Kiritimati", "SCREENING_WORKERS": "1"}) == base
    assert _screen({"LANG": "en_US.ISO-8859-1", "TZ": "America/Los_Angeles", "SCREENING_WORKERS": "7"}) == base
