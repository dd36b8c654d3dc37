"""The checks' time budget and cancelling a request's work (screening/deadline.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from screening.deadline import Cancelled, Deadline
from screening.engine import Upload, screen
from screening.isolation import Isolation
from screening.limits import Limits
from tests import isolated_functions
from tests.conftest import BATCH

LEAKING = BATCH / "QZ2020-0001"


def uploads(folder: Path) -> list[Upload]:
    return [Upload(p.name, path=p) for p in sorted(folder.iterdir()) if p.name != "application.json"]


def test_checks_past_their_budget_give_a_timeout_report_that_keeps_the_documents() -> None:
    from screening.application import load_application

    application = load_application(LEAKING / "application.json")
    in_time = screen(application, uploads(LEAKING), deadline=Deadline(60))
    assert in_time.verdict.value == "fail" and "document.timeout" not in {f.rule for f in in_time.findings}
    late = screen(application, uploads(LEAKING), deadline=Deadline(1e-9))
    assert [f.rule for f in late.findings] == ["document.timeout"]
    assert late.verdict.value == "review"  # not a pass: a person screens it
    assert "秒" in late.findings[0].message
    assert [d.file for d in late.documents] == [d.file for d in in_time.documents]


def test_a_cancelled_deadline_stops_the_screening() -> None:
    deadline = Deadline(60)
    deadline.cancel()
    with pytest.raises(Cancelled):
        screen(None, uploads(LEAKING), deadline=deadline)


def test_cancelling_kills_the_process_being_waited_for() -> None:
    isolation = Isolation(Limits(workers=1, parse_timeout=60))
    isolation.warm()
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        isolation.run(isolated_functions.sleep, 30, cancel=cancel)
    assert time.perf_counter() - started < 5
    # the one slot is free again at once
    started = time.perf_counter()
    assert isolation.run(isolated_functions.add, 2, 3) == 5
    assert time.perf_counter() - started < 5
