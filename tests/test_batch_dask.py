"""`screening batch --scheduler`: a real Dask scheduler and two workers on loopback, started as
processes; the batch screened through them gives the very reports of the local pool, and resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.batch import STATE_DIR, discover, make_payload, screen_batch, screen_payload_now
from screening.engine import screen_project
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
