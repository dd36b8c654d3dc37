"""Latency of the portal hook and its cold start, on a real uvicorn on loopback.

    python benchmarks/server_latency.py [--requests 50] [--starts 3]

Starts `screening serve` on a free loopback port (`--starts` times, each timed from launch to the
first healthy /healthz), then, on the last one, posts a 20-page text attachment (a PDF and a docx
of the same text, each with one planted leak) `--requests` times per format, one after another
after 3 warm-up requests, and prints p50 / p95 / max of the request latency. Targets: p95 ≤ 1 s,
start ≤ 3 s. The machine's load average is printed too: other work on the machine slows both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from samples.docxkit import build_docx  # noqa: E402
from samples.make_samples import filler  # noqa: E402
from samples.pdfkit import build_pdf  # noqa: E402
from tests.serving import running_server  # noqa: E402

PAGES = 20
APPLICANT = "衢州测速新材料有限公司"
APPLICATION = json.dumps({"project_id": "BENCH-1", "title": "接口延迟测试", "team": [{"name": "欧阳测速"}],
                          "applicant": {"name": APPLICANT}}, ensure_ascii=False)


def attachments(folder: Path) -> dict[str, tuple[str, bytes]]:
    """A 20-page report as PDF and the same text as docx (no page breaks, so Word would paginate
    it); the applicant is named once, on page 13."""
    pages = [filler(f"第{n}章 高性能复合材料") * 2 for n in range(1, PAGES + 1)]
    pages[12] = [*pages[12], f"本章数据由{APPLICANT}中试车间提供。"]
    pdf = build_pdf(folder / "可行性报告.pdf", pages=pages)
    paragraphs = [p for page in pages for p in page]
    docx = build_docx(folder / "可行性报告.docx", body=paragraphs)
    return {"pdf": (pdf.name, pdf.read_bytes()), "docx": (docx.name, docx.read_bytes())}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(url: str, name: str, data: bytes, requests: int) -> tuple[list[float], int]:
    """Latencies of `requests` posts after 3 warm-up ones, and the page count the report gives."""
    times: list[float] = []
    pages = 0
    with httpx.Client(timeout=60, trust_env=False) as client:
        for i in range(3 + requests):
            started = time.perf_counter()
            response = client.post(f"{url}/v1/screen", data={"application": APPLICATION}, files=[("files", (name, data))])
            elapsed = time.perf_counter() - started
            report = response.json()
            if response.status_code != 200 or not any(f.get("target") == APPLICANT for f in report["findings"]):
                raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:500]}")
            if i >= 3:
                times.append(elapsed)
            pages = report["documents"][0]["pages"] or 0
    return times, pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--starts", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (CPUs: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as tmp:
        files = attachments(Path(tmp))
        starts: list[float] = []
        for run in range(args.starts):
            with running_server() as server:
                starts.append(server.started)
                if run < args.starts - 1:
                    continue
                print(f"cold start to healthy: {', '.join(f'{s:.2f}' for s in starts)} s "
                      f"(median {statistics.median(starts):.2f} s; target ≤ 3 s)")
                for kind, (name, data) in files.items():
                    times, pages = measure(server.url, name, data, args.requests)
                    print(f"{kind:4} {PAGES} pages of text (report: {pages}), {len(data) // 1024} KiB, {len(times)} requests: "
                          f"p50 {percentile(times, 0.5) * 1000:.0f} ms  p95 {percentile(times, 0.95) * 1000:.0f} ms  "
                          f"max {max(times) * 1000:.0f} ms  (target p95 ≤ 1000 ms)")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
