"""Screen the sample batch (samples/batch) into a temporary folder and take a screenshot of its
report.html with headless Chromium, scrolled to a project whose findings have figures of their place
on the page (screening/figures.py) — to look at the report as a clerk sees it.

    .venv/bin/python docs/make_screenshot_report.py [--out docs/screenshots/report.png] [--project QZ2020-0004]

Not a test: it takes a minute or two (the whole batch, OCR included) and needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening import figures  # noqa: E402  (after the checkout is on the path)
from screening.batch import BatchResult, screen_batch  # noqa: E402
from screening.batch_report import REPORT_HTML, write_all  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars", "--allow-file-access-from-files",
         "--virtual-time-budget=5000")
# Headless Chromium paints nothing when a long page opens scrolled to a fragment (report.html#p-…);
# the report is shown in a frame of the window's size instead and scrolled there once loaded, a
# little above the project so that the sticky filter bar does not hide its heading.
HARNESS = """<!doctype html><meta charset="utf-8">
<style>body{{margin:0}}iframe{{border:0;display:block;width:{width}px;height:{height}px}}</style>
<iframe id="report" src="{page}"></iframe>
<script>
document.getElementById("report").addEventListener("load", function () {{
  this.contentDocument.getElementById({anchor!r}).scrollIntoView();
  this.contentWindow.scrollBy(0, -70);
}});
</script>
"""


def first_with_figures(result: BatchResult) -> str:
    """The first project (in the report's order) with a finding whose place a figure shows."""
    for item in result.items:
        if figures.placeable(item.report):
            return item.project_id
    raise SystemExit("没有任何项目的发现带有页面位置，无法截取缩略图")


def screenshot(page: Path, anchor: str, out: Path, profile: Path, size: str) -> None:
    width, height = (int(v) for v in size.split(","))
    harness = page.parent / "screenshot.html"
    harness.write_text(HARNESS.format(width=width, height=height, page=page.name, anchor=anchor), encoding="utf-8")
    done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", f"--screenshot={out}",
                           f"--window-size={size}", harness.as_uri()], capture_output=True, text=True, timeout=180,
                          check=False)
    if done.returncode != 0 or not out.is_file():
        raise SystemExit(f"chromium失败（{done.returncode}）：{done.stderr[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "report.png", help="截图文件（PNG）")
    parser.add_argument("--project", help="滚动到的项目编号（默认：第一个有页面缩略图的项目）")
    parser.add_argument("--batch", type=Path, default=ROOT / "samples" / "batch", help="批次文件夹")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", default="1280,2000", help="浏览器窗口大小（宽,高）")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"需要 {CHROMIUM}")
    with tempfile.TemporaryDirectory(prefix="screening-report-") as temp:
        out_dir = Path(temp) / "out"
        result = screen_batch(args.batch, out_dir, workers=args.workers)
        write_all(result)
        project = args.project or first_with_figures(result)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(out_dir / REPORT_HTML, f"p-{project}", args.out.resolve(), Path(temp) / "profile", args.size)
    print(f"{args.out}：{project}（共{len(result.items)}个项目）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
