"""OCR speed, memory and accuracy on typical scans.

    python benchmarks/ocr_speed.py [--pages 6]

Renders `--pages` A4 pages of report text (a full page: about 32 lines, 1000 characters of 12-pt
print) as 200-dpi scans
with samples/scans.py, wraps them into a PDF without a text layer, and screens it through
`parse_bytes` (the path every attachment takes: picture extraction, hashing, OCR, paragraphs).
Each thread count runs in a fresh process, since the engine's threads are fixed when it loads:

  load     seconds to import and load the engine (once per process)
  first    the first page, engine loaded but cold (onnxruntime's first runs are slower)
  cold     seconds per page for the other pages, nothing cached (wall clock, and CPU time of the
           process: on a busy machine the CPU time is the steadier figure)
  cached   seconds per page for the whole PDF again, every page from the OCR cache
  accuracy character accuracy (1 − normalised Levenshtein distance) against the rendered text,
           white space removed and NFKC applied to both (OCR writes ASCII punctuation at times)
  rss      peak resident memory of the process (getrusage), MB

Target: cold ≤ 0.5 s/page on 2 cores (issue "Speed"; not reached: 0.66–0.71 below). Run on a
quiet machine: other work on the same cores distorts every figure (the wall clock most; on a busy
machine the CPU time is the steadier figure, and a run that starts quiet may not stay so).

Last runs (2 CPUs, load average 0.05 and 0.7 at the start, rapidocr-onnxruntime 1.4.4,
onnxruntime 1.32.0), two of them:

  threads chars/page  load s  first s  cold s/page  cold CPU s/page  cached s/page  accuracy  peak RSS MB
        1        820    0.26     1.32         1.14             1.15          0.102    0.9964          568
        2        820    0.27     0.82         0.66             1.25          0.065    0.9964          600
        1        820    0.25     1.42         1.18             1.18          0.089    0.9964          530
        2        820    0.27     0.86         0.71             1.33          0.078    0.9964          625

The code before the models were fused and the lines spread over the threads (screening/parsers/
ocr.py, "Speed and resources"), run in alternation with those: 1 thread 1.97 and 1.63 s/page (CPU
the same), 2 threads 1.01 and 1.21 s/page (CPU 1.89 and 2.25), accuracy 0.9964, peak RSS
531–563 MB; on a quieter day it had measured 1.51 and 0.95 s/page. "cached" is mostly the barcode
decoder (0.06 s a page), which reads every picture again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOPICS = ("电子级氢氟酸", "柑橘采后保鲜", "数控机床功能部件", "重组蛋白疫苗", "政务大数据安全", "含氟电子特气", "纸基柔性电路")


def page_text(n: int) -> list[str]:
    """A full page of report prose (about 32 lines, 1000 characters), different on every page."""
    from samples.make_samples import filler

    topics = [TOPICS[(n + k) % len(TOPICS)] for k in (0, 2, 4)]
    return [*filler(topics[0]), *filler(topics[1]), *filler(topics[2])[:4]]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def worker(pages: int) -> dict[str, Any]:
    """Runs in a child process (SCREENING_OCR_THREADS and SCREENING_CACHE_DIR set by the parent)."""
    from rapidfuzz.distance import Levenshtein

    from samples.scans import render_page, scan_pdf
    from screening.parsers import ocr, parse_bytes

    texts = [page_text(n) for n in range(pages)]
    with tempfile.TemporaryDirectory() as tmp:
        singles = [scan_pdf(Path(tmp) / f"p{n}.pdf", [render_page(t, seed=n)]).read_bytes() for n, t in enumerate(texts)]
        whole = scan_pdf(Path(tmp) / "all.pdf", [render_page(t, seed=n) for n, t in enumerate(texts)]).read_bytes()

    t0 = time.perf_counter()
    ocr.engine()
    load = time.perf_counter() - t0
    times, cpu, accuracies = [], [], []
    for text, data in zip(texts, singles, strict=True):
        t0, c0 = time.perf_counter(), cpu_seconds()
        doc = parse_bytes(data, "scan.pdf")
        times.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
        got = flat("".join(p.text for p in doc.parts if p.origin == ocr.ORIGIN))
        accuracies.append(Levenshtein.normalized_similarity(flat("".join(text)), got))
    parse_bytes(whole, "all.pdf")  # fills the cache for the pages of the whole PDF (same pixels as the singles)
    t0 = time.perf_counter()
    parse_bytes(whole, "all.pdf")
    cached = (time.perf_counter() - t0) / pages
    return {
        "threads": ocr.ocr_threads(),
        "load": load,
        "first": times[0],
        "cold": sum(times[1:]) / max(len(times) - 1, 1),
        "cold_cpu": sum(cpu[1:]) / max(len(cpu) - 1, 1),
        "chars": sum(len(flat("".join(t))) for t in texts) / pages,
        "cached": cached,
        "accuracy": min(accuracies),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(threads: int, pages: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SCREENING_OCR_THREADS": str(threads), "SCREENING_CACHE_DIR": cache, "SCREENING_OCR": "1"}
        done = subprocess.run([sys.executable, __file__, "--worker", "--pages", str(pages)], env=env, cwd=ROOT,
                              capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.pages)))
        return 0
    print(f"{args.pages} A4 pages scanned at 200 dpi; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} "
          "at the start")
    print(f"{'threads':>7} {'chars/page':>10} {'load s':>7} {'first s':>8} {'cold s/page':>12} {'cold CPU s/page':>16} "
          f"{'cached s/page':>14} {'accuracy':>9} {'peak RSS MB':>12}")
    for threads in args.threads:
        r = run(threads, args.pages)
        print(f"{r['threads']:>7} {r['chars']:>10.0f} {r['load']:>7.2f} {r['first']:>8.2f} {r['cold']:>12.2f} "
              f"{r['cold_cpu']:>16.2f} {r['cached']:>14.3f} {r['accuracy']:>9.4f} {r['rss_mb']:>12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
