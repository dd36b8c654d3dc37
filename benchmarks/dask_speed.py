"""Batch speed on a Dask cluster on loopback: one worker, then two.

    python benchmarks/dask_speed.py [--projects 20]

Generates a batch of text projects (benchmarks/batch_speed.py's `make_batch`: a feasibility report
and a budget, both PDFs, 21 pages a project) into a temporary folder. Then, for 1 and for 2 workers,
starts a `distributed.LocalCluster` on 127.0.0.1 (worker processes of one thread each, not daemons:
a worker screens each project in a screening process of its own, each attachment in a limited
process) and runs `screening batch DIR --out OUT --scheduler tcp://…` as a fresh process twice:
  cold — the workers' screening processes start and load their models during the first projects;
  warm — the same batch again with --force, on the same cluster.
Prints seconds, pages/s and CPU seconds of each run (the command; the workers with every process
they started; the scheduler and nannies, in this process), the cores the run kept busy and those
the rest of the machine used meanwhile, then the speed-up of 2 workers over 1. Target: 2 workers
at least 1.8× one. The CPU seconds do not depend on what else the machine runs; the wall time
does: on a shared machine, "by others" says how many cores were not the cluster's to use.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.8


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (the batch command)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu() -> float:
    """CPU seconds of this process and all its descendants, those that ended included."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for process in [me, *me.children(recursive=True)]:
        try:
            t = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def _machine_busy() -> float:
    """CPU seconds every process of the machine has used (all cores)."""
    import psutil

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def run_batch(folder: Path, out: Path, scheduler: str, *extra: str) -> dict[str, Any]:
    """`screening batch --scheduler` as a fresh process: wall seconds, CPU seconds (its own, the
    cluster's, and the rest of the machine's), its summary."""
    busy = _machine_busy()
    started, tree, command, own = time.perf_counter(), _tree_cpu(), _children_cpu(), time.process_time()
    done = subprocess.run([sys.executable, "-m", "screening", "batch", str(folder), "--out", str(out),
                           "--scheduler", scheduler, "--format", "json", *extra],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1, 3):
        raise SystemExit(f"screening batch failed with exit code {done.returncode}:\n{done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    if summary["screened"] != summary["projects"]:
        raise SystemExit(f"not every project was screened: {summary['screened']} of {summary['projects']}")
    total, command_cpu, own_cpu = _tree_cpu() - tree, _children_cpu() - command, time.process_time() - own
    others = max(0.0, _machine_busy() - busy - total)
    return {"seconds": seconds, "cpu": total, "command_cpu": command_cpu, "scheduler_cpu": own_cpu,
            "workers_cpu": total - command_cpu - own_cpu, "others_cores": others / seconds, "summary": summary}


def on_cluster(workers: int, folder: Path, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The batch cold, then warm (--force), on a fresh loopback cluster of `workers` workers."""
    import dask
    import distributed

    # a daemon may not start processes: the screening process of each project, one per attachment
    with dask.config.set({"distributed.worker.daemon": False}), distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0") as cluster:
        address = cluster.scheduler_address
        if not address.startswith("tcp://127.0.0.1:"):
            raise SystemExit(f"the scheduler is not on loopback: {address}")
        cold = run_batch(folder, out, address)
        warm = run_batch(folder, out, address, "--force")
    return cold, warm


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=20)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    # imported here, not at the top: every worker process imports this script again (as __mp_main__)
    from benchmarks.batch_speed import make_batch
    from screening.batch import default_workers

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        t0 = time.perf_counter()
        pages = make_batch(folder, args.projects)
        print(f"generated {args.projects} projects, {pages} PDF pages in {time.perf_counter() - t0:.1f} s; "
              f"{default_workers()} cores")
        runs = {n: on_cluster(n, folder, Path(tmp) / f"out-{n}") for n in (1, 2)}
        print(f"{'':28s} {'seconds':>8s} {'pages/s':>8s} {'CPU s':>7s} {'command':>8s} {'workers':>8s} "
              f"{'scheduler':>9s} {'cores used':>10s} {'by others':>9s}")
        for n, pair in runs.items():
            for label, run in zip(("cold", "warm (--force)"), pair, strict=True):
                name = f"{n} worker{'s' if n > 1 else ''}, {label}"
                print(f"{name:28s} {run['seconds']:8.2f} {pages / run['seconds']:8.1f} {run['cpu']:7.2f} "
                      f"{run['command_cpu']:8.2f} {run['workers_cpu']:8.2f} {run['scheduler_cpu']:9.2f} "
                      f"{run['cpu'] / run['seconds']:10.2f} {run['others_cores']:9.2f}")
        for i, label in enumerate(("cold", "warm")):
            one, two = runs[1][i], runs[2][i]
            speedup = one["seconds"] / two["seconds"]
            print(f"2 workers vs 1, {label}: {speedup:.2f}× wall "
                  f"({'meets' if speedup >= TARGET else 'BELOW'} the {TARGET}× target); "
                  f"CPU seconds {two['cpu'] / one['cpu']:.2f}× of one worker's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
