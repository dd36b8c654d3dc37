"""What a batch gives back: each project's final report and how it was obtained (`BatchItem`),
the whole batch (`BatchResult`, whose `to_json` is what `screening batch --format json` prints),
and the progress ticks on the way (`Tick`).

The batch's verdict is the worst of its projects' (`Verdict.worst`); the exit code follows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.application import Application
from screening.batch.discovery import Project, Skipped
from screening.batch.reports import pages_of
from screening.model import Severity, Verdict

if TYPE_CHECKING:
    from screening.batch.annotated import Copies


class Status(StrEnum):
    SCREENED = "screened"  # screened in this run
    RESUMED = "resumed"  # unchanged since a previous run: its report was kept


class Outcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # application.json (or the call it names) is unusable: document.application
    TIMEOUT = "timeout"  # document.timeout
    CRASH = "crash"  # engine.crash


# How a runner (the local pool, the Dask cluster) hands back a project it is done with:
# finish(project, report, outcome, seconds).
Finish = Callable[[Project, dict[str, Any], Outcome, float], None]


@dataclass(frozen=True, slots=True)
class Tick:
    """Progress: `done` of `total` projects, `pages` screened or resumed so far."""

    total: int
    done: int
    pages: int
    project_id: str | None = None
    status: Status | None = None


Progress = Callable[[Tick], None]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One project's final report (batch findings included) and how it was obtained."""

    project: Project
    report: dict[str, Any]
    status: Status
    outcome: Outcome
    seconds: float  # screening time, 0 for a resumed project

    @property
    def project_id(self) -> str:
        return self.project.project_id

    @property
    def application(self) -> Application | None:
        return self.project.application

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.report["verdict"])

    @property
    def pages(self) -> int:
        return pages_of(self.report)


@dataclass(frozen=True, slots=True)
class BatchResult:
    folder: Path
    out: Path
    items: tuple[BatchItem, ...]
    skipped: tuple[Skipped, ...]
    seconds: float
    copies: Copies | None = None  # the annotated copies (`screen_batch(annotate=True)`), else None

    @property
    def verdict(self) -> Verdict:
        """The worst verdict of the batch: what the exit code follows (contract §2)."""
        return Verdict.worst(i.verdict for i in self.items)

    def to_json(self, files: Sequence[Path] = ()) -> dict[str, Any]:
        """The summary `screening batch --format json` prints."""
        worst_first = sorted(Verdict, key=lambda v: v.rank, reverse=True)
        counts = {v.value: sum(1 for i in self.items if i.verdict is v) for v in worst_first}
        return {
            "schema": "screening-batch/1",
            "folder": str(self.folder),
            "out": str(self.out),
            "verdict": self.verdict.value,
            "projects": len(self.items),
            "verdicts": counts,
            "screened": sum(1 for i in self.items if i.status is Status.SCREENED),
            "resumed": sum(1 for i in self.items if i.status is Status.RESUMED),
            "pages": sum(i.pages for i in self.items),
            "seconds": round(self.seconds, 3),
            "items": [
                {
                    "project_id": i.project_id,
                    "folder": i.project.folder.name,
                    "title": i.report.get("title"),
                    "verdict": i.verdict.value,
                    "status": i.status.value,
                    "outcome": i.outcome.value,
                    "pages": i.pages,
                    "seconds": round(i.seconds, 3),
                    "findings": {s.value: sum(1 for f in i.report["findings"] if f["severity"] == s.value)
                                 for s in Severity},
                    "batch_rules": sorted({f["rule"] for f in i.report["findings"] if f["rule"].startswith("batch.")}),
                    "report": str(self.out / f"{i.project_id}.json"),
                }
                for i in self.items
            ],
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in self.skipped],
            "files": [str(p) for p in files],
        }
