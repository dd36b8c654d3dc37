"""`screening batch --scheduler`: a real Dask scheduler and two workers on loopback, started as
processes; the batch screened through them gives the very reports of the local pool, and resumes;
a project past the timeout is stopped on its worker, nothing of it left running."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from screening.batch import (
    STATE_DIR,
    Outcome,
    Payload,
    Project,
    discover,
    failure_report,
    make_payload,
    run_dask,
    screen_batch,
    screen_payload,
    screen_payload_now,
)
from screening.batch.reports import timeout_message
from screening.engine import APPLICATION_FILE, screen_project
from screening.limits import Limits, from_env
from tests.conftest import BATCH, ROOT

distributed = pytest.importorskip("distributed", reason="needs the dist extra: pip install -e '.[dist]'")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # the process and the worker a nanny started
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tcp://127.0.0.1:PORT of a scheduler with two one-thread workers; stopped whatever happens."""
    tmp = tmp_path_factory.mktemp("dask")
    scheduler_file = tmp / "scheduler.json"
    processes: list[subprocess.Popen[bytes]] = []

    def start(module: str, *args: object) -> None:
        log = (tmp / f"{module.rsplit('.', 1)[-1]}-{len(processes)}.log").open("wb")
        # workers that may start processes: each attachment is parsed in its own limited process
        env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
        processes.append(subprocess.Popen([sys.executable, "-m", module, *map(str, args)], stdout=log,
                                          stderr=subprocess.STDOUT, cwd=tmp, start_new_session=True, env=env))

    try:
        # every listener on loopback: the http servers (health, metrics) bind even without a dashboard
        start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--dashboard-address", "127.0.0.1:0", "--scheduler-file", scheduler_file)
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file():
            assert time.monotonic() < deadline and processes[0].poll() is None, "the scheduler did not start"
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole, but give its writer a moment
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            start("distributed.cli.dask_worker", address, "--nworkers", 1, "--nthreads", 1, "--host", "127.0.0.1",
                  "--no-dashboard", "--dashboard-address", "127.0.0.1:0", "--local-directory", tmp / f"worker-{i}",
                  "--name", f"worker-{i}")
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


def reports(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.json"))}


def test_cluster_gives_the_local_reports_and_resumes(cluster: str, tmp_path: Path) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    screen_batch(BATCH, local, workers=2)
    done = subprocess.run([sys.executable, "-m", "screening", "batch", str(BATCH), "--out", str(remote),
                           "--scheduler", cluster, "--format", "json"], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)
    assert done.returncode in (0, 1, 3), done.stderr
    summary = json.loads(done.stdout)
    assert summary["screened"] == summary["projects"] == len(list(local.glob("*.json")))
    assert reports(remote) == reports(local)  # same verdicts, same findings, byte for byte
    fingerprints = {p.name: json.loads(p.read_text())["fingerprint"] for p in (remote / STATE_DIR).glob("*.json")}
    assert fingerprints == {p.name: json.loads(p.read_text())["fingerprint"] for p in (local / STATE_DIR).glob("*.json")}

    again = screen_batch(BATCH, remote, scheduler=cluster)
    assert {i.status.value for i in again.items} == {"resumed"}
    assert reports(remote) == reports(local)


def test_a_payload_holds_contents_not_paths() -> None:
    """What travels to a worker: the texts and bytes; screened from memory it gives the folder's report."""
    projects, _ = discover(BATCH, BATCH / "no-such-out", None)
    for project in (p for p in projects if p.project_id in ("QZ2020-0004", "QZ2020-0007")):
        payload = make_payload(project)
        assert all(isinstance(data, bytes) for _, data in payload.files)
        assert {name for name, _ in payload.files} == {name for name, _ in project.attachments}
        assert screen_payload_now(payload) == screen_project(project.folder).to_json()


# --- a project past the timeout -----------------------------------------------------------------

TIMEOUT = 6.0


def screen_or_hang(payload: Payload, limits: Limits) -> dict[str, Any]:
    """What a worker's screening process runs in the test below (imported by name): T-hangs starts
    a process, as the parsing of an attachment would, notes the worker's, its own and that
    process's ids next to its application.json, and never returns; any other project is screened."""
    if payload.project_id != "T-hangs":
        return screen_payload_now(payload, limits)
    helper = subprocess.Popen(["sleep", "600"])
    Path(payload.source).with_name("pids.txt").write_text(f"{os.getppid()} {os.getpid()} {helper.pid}")
    time.sleep(600)
    raise AssertionError("the screening process was not stopped")


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_project_past_the_timeout_is_stopped_on_its_worker(cluster: str, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    for pid in ("QZ2020-0004", "QZ2020-0006"):
        shutil.copytree(BATCH / pid, batch / pid)
    hangs = shutil.copytree(BATCH / "QZ2020-0005", batch / "hangs")
    app = json.loads((hangs / APPLICATION_FILE).read_text(encoding="utf-8"))
    (hangs / APPLICATION_FILE).write_text(json.dumps({**app, "project_id": "T-hangs"}, ensure_ascii=False),
                                          encoding="utf-8")
    projects, _ = discover(batch, tmp_path / "out", None)
    fine = {p.project_id: p for p in projects if p.project_id != "T-hangs"}
    expected = {pid: screen_project(p.folder).to_json() for pid, p in fine.items()}

    with distributed.Client(cluster, timeout="30s") as client:
        workers = client.run(os.getpid)  # address → process id

        def screen_on(address: str, project: Project) -> Any:
            # the time a first project takes on a busy machine (the models load), not the test's timeout
            return client.submit(screen_payload, make_payload(project), 120.0, from_env(), workers=[address],
                                 pure=False)

        # every worker's screening process started (loading the models takes a first project a few seconds)
        first = [screen_on(address, fine["QZ2020-0004"]) for address in workers]
        assert [f.result(timeout=120)[:2] for f in first] == [("ok", expected["QZ2020-0004"])] * len(workers)

        done: dict[str, tuple[dict[str, Any], Outcome, float]] = {}

        def finish(project: Project, report: dict[str, Any], outcome: Outcome, seconds: float) -> None:
            done[project.project_id] = (report, outcome, seconds)

        # by this name a worker imports it (pytest imports this file as a top-level module)
        this = importlib.import_module("tests.test_batch_dask")
        started = time.monotonic()
        run_dask(projects, scheduler=cluster, timeout=TIMEOUT, finish=finish, screener=this.screen_or_hang)
        assert time.monotonic() - started < TIMEOUT + 20

        # the timed-out project: the local pool's report of a timeout, given at the timeout
        report, outcome, seconds = done.pop("T-hangs")
        assert outcome is Outcome.TIMEOUT and TIMEOUT <= seconds < TIMEOUT + 3
        hanging = next(p for p in projects if p.project_id == "T-hangs")
        assert report == failure_report(hanging, "document.timeout", timeout_message(TIMEOUT))
        # the others: complete, as `screening project` gives them
        assert {pid: (report, outcome) for pid, (report, outcome, _) in done.items()} == {
            pid: (report, Outcome.OK) for pid, report in expected.items()}

        # nothing of it runs on the worker: not its screening process, nor the process that one started
        worker, screening, helper = map(int, (hangs / "pids.txt").read_text().split())
        until = time.monotonic() + 5  # a killed process is reaped by whoever inherits it
        while (running(screening) or running(helper)) and time.monotonic() < until:
            time.sleep(0.1)
        assert not running(screening) and not running(helper)
        left = psutil.Process(worker).children(recursive=True)
        assert not {screening, helper} & {p.pid for p in left}
        assert not [p for p in left if p.name() == "sleep"]

        # and that worker screens its next project, in a new screening process
        address = next(a for a, pid in workers.items() if pid == worker)
        assert screen_on(address, fine["QZ2020-0006"]).result(timeout=120)[:2] == ("ok", expected["QZ2020-0006"])
