"""Batch speed against a baseline measured in the same run.

    python benchmarks/batch_speed.py [--projects 200] [--small] [--repeat 3] [--profile]

Generates a batch of text projects into a temporary folder: half of them long (a 19-page PDF
feasibility report and a 2-page PDF budget), half small, as most applicants send them (a 2-page
Word report and a 1-page PDF budget), then measures
  (a) bare text extraction of the same files, one process (the floor: reading the text): pypdfium2
      for a PDF, lxml over word/document.xml for a docx; the best of three runs;
  (b) `screening batch DIR --out OUT` end to end (a fresh command process; the default workers,
      one per core), and again with --workers 1 and --workers 2 (`--repeat` times each, alternated:
      the best run of each counts);
  (c) a resumed run (nothing changed: every project skipped);
  (d) the cold start of `screening check` on one small docx (a fresh process each, median of 5);
and prints pages/s, the ratio of (b) to (a), the speed-up of 2 workers over 1, when the first and
the last project were done (the serial start and end of a run, which bound the speed-up), and the peak
resident memory (VmHWM) of the command process and of each of its other processes (the fork server
the workers are forked from, the workers; Linux /proc).
Targets (issue 17): one worker within 2× of (a); 2 workers at least 1.8× one; cold check ≤ 1.5 s.
--profile runs cProfile over one worker's work (screen_project on every project, in this process)
and prints where the time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.docxkit import build_docx  # noqa: E402
from samples.make_samples import BUDGET_LINES, filler  # noqa: E402
from samples.pdfkit import build_pdf  # noqa: E402

TOPICS = ["氟化工新材料", "有机硅改性树脂", "电子化学品", "纸基功能材料", "光伏电池", "动力电池正极材料", "工业废水处理",
          "氢能储运", "智能矿山装备", "高档数控机床", "智能电网", "精密轴承", "物联网网关", "工业大数据", "生物制药",
          "医疗器械", "现代农业装备", "柑橘保鲜", "功能食品", "竹木资源利用"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["建国", "晓燕", "志明", "丽华", "德胜", "雨婷", "卫东", "海涛", "国庆", "立新", "俊", "婉清", "文斌", "永康", "晓军"]
FEASIBILITY_PAGES = 19
SMALL_REPEAT = 2  # the small report: the filler twice, about two pages of Word text
SMALL_PAGES = 2


def make_batch(folder: Path, projects: int) -> int:
    """Write `projects` project folders (even ones long, odd ones small); returns the number of pages."""
    pages = 0
    for i in range(projects):
        topic = TOPICS[i % len(TOPICS)]
        pid = f"BENCH-{i:04d}"
        project = folder / pid
        project.mkdir(parents=True)
        leader = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
        app = {"project_id": pid, "title": f"{topic}关键技术研究（{i}）", "category": "key", "recommender": "市本级",
               "submitted_at": "2020-06-20T10:15:00+08:00",
               "applicant": {"name": f"衢州测试{i:04d}科技有限公司", "aliases": [f"测试{i:04d}"], "region": "市本级"},
               "team": [{"name": leader, "role": "leader", "ongoing_as_leader": 0, "ongoing_as_member": 0}],
               "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0}}
        (project / "application.json").write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
        body = [*filler(topic), f"七、经费安排。本项目计划研发投入{300 + i}万元，其中设备购置{100 + i % 50}万元。"]
        if i % 2 == 0:
            build_pdf(project / "可行性报告.pdf", pages=[body] * FEASIBILITY_PAGES, header="项目可行性报告", footer="内部资料")
            build_pdf(project / "经费预算表.pdf", pages=[BUDGET_LINES, [f"预算说明：{topic}中试装置购置。"]])
            pages += FEASIBILITY_PAGES + 2
        else:
            build_docx(project / "可行性报告.docx", body=body * SMALL_REPEAT, header="项目可行性报告")
            build_pdf(project / "经费预算表.pdf", pages=[BUDGET_LINES])
            pages += SMALL_PAGES + 1
    return pages


def bare_extraction(folder: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and pages of reading every file's text: pypdfium2 for a PDF, lxml
    over word/document.xml for a docx (pages of a docx: as the batch counts them, `SMALL_PAGES`)."""
    import zipfile

    import pypdfium2 as pdfium
    from lxml import etree

    started, cpu, pages = time.perf_counter(), time.process_time(), 0
    for path in sorted(folder.glob("*/*.pdf")):
        doc = pdfium.PdfDocument(path.read_bytes())
        for page in doc:
            page.get_textpage().get_text_range()
            pages += 1
        doc.close()
    for path in sorted(folder.glob("*/*.docx")):
        with zipfile.ZipFile(path) as package:
            root = etree.fromstring(package.read("word/document.xml"))
        "".join(root.itertext())
        pages += SMALL_PAGES
    return time.perf_counter() - started, time.process_time() - cpu, pages


def compile_bytecode() -> None:
    """The package's modules compiled to bytecode first, as an installed package has them (pip
    compiles a wheel's modules; an editable install writes them on its first run — unless
    PYTHONDONTWRITEBYTECODE is set, as on some machines, where every process would compile
    ~30 modules again, ~0.1 s, and the start-up figures would be those of a first run)."""
    import compileall

    compileall.compile_dir(str(ROOT / "screening"), quiet=1)


def cold_check(folder: Path, runs: int = 5) -> float:
    """Median wall seconds of `screening check` on one small docx, a fresh process each time."""
    project = next(p for p in sorted(folder.iterdir()) if (p / "可行性报告.docx").is_file())
    app = project / "application.json"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "screening", "check", str(project / "可行性报告.docx"),
                        "--application", str(app), "--format", "json"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def _own_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used itself (Linux /proc)."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_batch(folder: Path, out: Path, *extra: str) -> dict[str, Any]:
    """`screening batch` as a fresh process; wall time, its summary, peak RSS of it and its workers."""
    import psutil

    started, wall = time.perf_counter(), time.time()
    command = subprocess.Popen([sys.executable, "-m", "screening", "batch", str(folder), "--out", str(out),
                                "--format", "json", *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peaks: dict[int, int] = {}  # the command, its fork server and pool workers (not the resource tracker)
    cpus: dict[int, float] = {}  # … and the CPU each has used, as last seen (every 50 ms: a worker forked from
    # the fork server is not the command's child, so getrusage(RUSAGE_CHILDREN) would not count it)
    stop = threading.Event()

    def watch() -> None:
        parent = psutil.Process(command.pid)
        while not stop.is_set():
            with_children = [command.pid]
            with contextlib.suppress(psutil.Error):  # it has just ended
                with_children += [c.pid for c in parent.children(recursive=True)
                                  if "resource_tracker" not in " ".join(c.cmdline())]
            for pid in with_children:
                peaks[pid] = max(peaks.get(pid, 0), _hwm_kib(pid))
                cpus[pid] = max(cpus.get(pid, 0.0), _own_cpu(pid))
            stop.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, _ = command.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    if command.returncode not in (0, 1, 3):
        raise SystemExit(f"screening batch failed with exit code {command.returncode}")
    summary = json.loads(stdout)
    parent_kib = peaks.pop(command.pid, 0)
    # when the first and the last project were done (their state files are written as each ends)
    done = sorted(p.stat().st_mtime - wall for p in (out / ".state").glob("*.json"))
    return {"seconds": seconds, "cpu": sum(cpus.values()), "summary": summary, "parent_mib": parent_kib / 1024,
            "worker_mib": sorted((k / 1024 for k in peaks.values() if k), reverse=True),
            "first_done": done[0] if done else None, "last_done": done[-1] if done else None}


def profile(folder: Path) -> str:
    from screening.engine import screen_project

    projects = sorted(p for p in folder.iterdir() if p.is_dir())
    screen_project(projects[0])  # models and lexicons load once per worker; profile the steady state
    profiler = cProfile.Profile()
    profiler.enable()
    for project in projects[1:]:
        screen_project(project)
    profiler.disable()
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(40)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--small", action="store_true", help="20 projects: a quick run")
    ap.add_argument("--repeat", type=int, default=3, help="runs of --workers 1 and of --workers 2, alternated; the best counts")
    ap.add_argument("--profile", action="store_true", help="also profile one worker's work")
    args = ap.parse_args()
    count = 20 if args.small else args.projects
    from screening.batch import default_workers

    cores = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        t0 = time.perf_counter()
        pages = make_batch(folder, count)
        print(f"generated {count} projects, {pages} PDF pages in {time.perf_counter() - t0:.1f} s; {cores} cores")

        compile_bytecode()
        bare_s, bare_cpu, bare_pages = min(bare_extraction(folder) for _ in range(3))  # the floor: its best run
        assert bare_pages == pages
        rows = [("a  bare text extraction (pypdfium2, lxml), 1 process", bare_s, bare_cpu)]
        default = run_batch(folder, Path(tmp) / "out-default")
        ones, twos = [], []
        for n in range(args.repeat):  # alternated, so that the machine's load weighs on both alike
            ones.append(run_batch(folder, Path(tmp) / f"out-1-{n}", "--workers", "1"))
            twos.append(run_batch(folder, Path(tmp) / f"out-2-{n}", "--workers", "2"))
        one = min(ones, key=lambda run: run["seconds"])
        two = min(twos, key=lambda run: run["seconds"])
        resumed = run_batch(folder, Path(tmp) / "out-default")
        assert resumed["summary"]["resumed"] == count
        rows += [
            (f"b  screening batch (default: {cores} workers)", default["seconds"], default["cpu"]),
            ("b1 screening batch --workers 1", one["seconds"], one["cpu"]),
            ("b2 screening batch --workers 2", two["seconds"], two["cpu"]),
            ("c  screening batch, resumed (all unchanged)", resumed["seconds"], resumed["cpu"]),
        ]
        # CPU seconds (all processes of the run, sampled every 50 ms) depend little on what else the machine does
        print(f"{'':48s} {'seconds':>8s} {'pages/s':>9s} {'× floor':>8s} {'CPU s':>8s} {'CPU × floor':>12s}")
        for name, seconds, cpu in rows:
            print(f"{name:48s} {seconds:8.2f} {pages / seconds:9.1f} {seconds / bare_s:8.2f} {cpu:8.2f} "
                  f"{cpu / bare_cpu:12.2f}")
        first = max(i["seconds"] for i in one["summary"]["items"])
        rest = sum(i["seconds"] for i in one["summary"]["items"]) - first
        print(f"one worker: its first project {first:.2f} s (models and lexicons load), the other {count - 1} "
              f"{rest:.2f} s = {(pages - pages / count) / rest:.0f} pages/s screened once warm")
        speedup = one["seconds"] / two["seconds"]
        print(f"2 workers vs 1: {speedup:.2f}×")
        for name, run in (("--workers 1", one), ("--workers 2", two)):
            if run["first_done"] is not None:
                print(f"{name}: first project done {run['first_done']:.2f} s after launch (start-up: the fork "
                      f"server's warm-up), last {run['last_done']:.2f} s, end {run['seconds']:.2f} s (summaries "
                      f"and exit: {run['seconds'] - run['last_done']:.2f} s)")
        for name, run in (("--workers 1", one), ("--workers 2", two)):
            workers = ", ".join(f"{m:.0f}" for m in run["worker_mib"])
            print(f"peak RSS {name}: command {run['parent_mib']:.0f} MiB, fork server and workers [{workers}] MiB")
        cold = cold_check(folder)
        print(f"cold start of `screening check` on one small docx: {cold:.2f} s (median of 5)")
        within = one["seconds"] <= 2 * bare_s
        print(f"targets: one worker within 2× of the floor: {'yes' if within else 'NO'} "
              f"({one['seconds'] / bare_s:.1f}×); 2 workers ≥ 1.8× one: {'yes' if speedup >= 1.8 else 'NO'}; "
              f"cold check ≤ 1.5 s: {'yes' if cold <= 1.5 else 'NO'}")
        if args.profile:
            print(profile(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
