"""The OUT folder of a batch: the reports, the resumption state, the lock.

* `OUT/<project_id>.json` — a project's report, written atomically (a temporary file, then
  `os.replace`) as soon as the project is done, so a reader or a killed run only ever sees the
  old or the new content; a killed run's temporary files are removed by the next run.
* `OUT/.state/<project_id>.json` — written after the report: the project's fingerprint
  (`screening.batch.discovery`), how its screening ended, and the `--timeout` it ran under. A later
  run keeps the report of a project whose fingerprint is unchanged (`resumable`), so a run killed
  at any moment and started again loses nothing and duplicates nothing. A crashed project, or one
  timed out under a shorter limit, is screened again.
* `OUT/.state/lock` — one batch at a time writes into OUT.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from screening.batch.discovery import Project
from screening.batch.reports import report_text
from screening.batch.results import Outcome
from screening.errors import UsageError
from screening.files import TEMP_PREFIX, write_atomic

STATE_DIR = ".state"


def write_report(out: Path, report: dict[str, Any]) -> None:
    write_atomic(out / f"{report['project_id']}.json", report_text(report).encode())


def write_state(out: Path, project: Project, outcome: Outcome, seconds: float, timeout: float) -> None:
    """Record that `project`'s report is written (after the report itself: resumption trusts it)."""
    state = {"project_id": project.project_id, "folder": project.folder.name,
             "fingerprint": project.fingerprint, "outcome": outcome.value, "seconds": round(seconds, 3),
             "timeout": timeout}
    write_atomic(out / STATE_DIR / f"{project.project_id}.json", json.dumps(state).encode())


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def resumable(project: Project, out: Path, timeout: float) -> tuple[dict[str, Any], Outcome] | None:
    """The report a previous run wrote for this very input and configuration, and how it ended;
    None when the project must be screened: new, changed, crashed, or timed out under a shorter limit."""
    state = _read_json(out / STATE_DIR / f"{project.project_id}.json")
    if state is None or state.get("fingerprint") != project.fingerprint or state.get("outcome") not in set(Outcome):
        return None
    outcome = Outcome(state["outcome"])
    if outcome is Outcome.CRASH or (outcome is Outcome.TIMEOUT and state.get("timeout", 0) < timeout):
        return None
    report = _read_json(out / f"{project.project_id}.json")
    if report is None or report.get("project_id") != project.project_id or not isinstance(report.get("findings"), list):
        return None
    return report, outcome


def remove_temp_files(out: Path) -> None:
    """The temporary files a killed run left behind."""
    for folder in (out, out / STATE_DIR):
        remove_temps(folder)


def remove_temps(folder: Path) -> None:
    """The temporary files `write_atomic` left in one folder (a killed run)."""
    for tmp in folder.glob(f"{TEMP_PREFIX}*.tmp"):
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """One batch at a time writes into OUT; the lock dies with the process that holds it."""
    with (out / STATE_DIR / "lock").open("a+b") as f:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"{out}: 另一个screening batch正在写入这个文件夹") from None
        yield
