"""The README's walk-through, done again from a fresh clone, with a screenshot of each thing a clerk
sees (docs/screenshots/, linked from the README):

1. a fresh clone of this repository's HEAD, the README's main command run in it, as written there
   (install, screen the sample batch into out/);
2. `report.html` of that run, scrolled to a project whose PDF hits have their page regions shown;
3. the 附件3 form of one unit, printed by LibreOffice as the bureau would print it (A4 landscape);
4. `screening serve` of the clone and its upload page in headless Chromium: a project with a PDF
   leak uploaded (the result, each hit's page region), the redaction preview with one item unticked,
   the masked copy and the marked-up copy made through the page's buttons;
5. `screening annotate` of the clone on a Word and a PDF attachment, opened in LibreOffice
   (headless, rendered to PNG; the comments drawn beside the page, see make_screenshots_annotate.py).

    python3 docs/walkthrough.py [--checkout DIR]

`--checkout DIR` reuses a clone where the main command already ran, or makes the fresh clone there
and keeps it. Needs git,
/usr/bin/chromium, LibreOffice with Writer and Calc (Debian: libreoffice-writer-nogui,
libreoffice-calc-nogui) and the package installs the README's commands do. Not a test:
a few minutes (the install and the whole sample batch).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
sys.path[:0] = [str(ROOT), str(ROOT / "docs")]

import make_screenshot_report as report_shot  # noqa: E402  (docs/ on the path)
import make_screenshots_annotate as annotated  # noqa: E402

from tests.browser import DevTools, page, screenshot  # noqa: E402
from tests.serving import free_port  # noqa: E402

PROJECT = "QZ2020-0004"  # a leak in a PDF's text (a figure), in its annotation and in the Word report's properties
UNIT = "柯城区"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="README 演示流程截图（docs/screenshots/）")
    parser.add_argument("--checkout", type=Path, help="已运行过 README 主命令的克隆；不存在时在此新克隆并运行（默认：临时目录）")
    args = parser.parse_args(argv)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screening-walkthrough-") as temp:
        work = Path(temp)
        clone = args.checkout if args.checkout and args.checkout.exists() else fresh_clone(args.checkout or work / "clone")
        out = clone / "out"
        report_shot.screenshot(out / "report.html", f"p-{PROJECT}", SHOTS / "report.png", work / "profile", "1280,1600")
        form(out / f"推荐表-{UNIT}.xlsx", work)
        upload_page(clone, work)
        annotated_copies(clone, work)
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(SHOTS.glob("*.png"))))
    return 0


def fresh_clone(target: Path) -> Path:
    """A clone of HEAD, and the README's main command run in it as the README gives it."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    readme = (target / "README.md").read_text(encoding="utf-8")
    command = re.search(r"<!-- main-command -->\s*```sh\n(.+?)\n```", readme, re.DOTALL)
    if command is None:
        raise SystemExit("README.md 中没有 main-command")
    print(f"$ {command[1]}")
    done = subprocess.run(["bash", "-c", command[1]], cwd=target, check=False)
    if done.returncode not in (0, 1):  # 1: the samples hold projects that fail, as they should
        raise SystemExit(f"README 主命令失败（退出码{done.returncode}）")
    return target


def form(xlsx: Path, work: Path) -> None:
    """The 附件3 form as LibreOffice prints it (its print settings: A4 landscape, fitted to the width)."""
    pdf = soffice(xlsx, work, "pdf")
    annotated.render(pdf, [0], []).save(SHOTS / "form-附件3.png")


def soffice(path: Path, work: Path, target: str) -> Path:
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        raise SystemExit("需要 LibreOffice（soffice）")
    subprocess.run([program, "--headless", f"-env:UserInstallation=file://{work / 'lo-profile'}", "--convert-to",
                    target, "--outdir", str(work / "lo"), str(path)], check=True, capture_output=True, timeout=180)
    written = work / "lo" / f"{path.stem}.{target}"
    if not written.is_file():  # soffice exits 0 when it has no filter for the file (no Calc for a workbook)
        raise SystemExit(f"LibreOffice 未能转换 {path.name}（表格需要 libreoffice-calc-nogui）")
    return written


def upload_page(clone: Path, work: Path) -> None:
    """The service as the README installs it (`pip install -c constraints.txt -e '.[server]'`), its page."""
    subprocess.run([str(clone / ".venv" / "bin" / "pip"), "install", "-q", "-c", "constraints.txt", "-e", ".[server]"],
                   cwd=clone, check=True)
    port = free_port()
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen([str(clone / ".venv" / "bin" / "screening"), "serve", "--port", str(port)],
                              cwd=clone, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        with page() as tab:
            tab.call("Page.navigate", url=f"{url}/")
            tab.wait_for("document.readyState === 'complete' && !!document.getElementById('files')")
            folder = clone / "samples" / "batch" / PROJECT
            tab.choose_files("#appfile", folder / "application.json")
            tab.choose_files("#files", *sorted(p for p in folder.iterdir() if p.name != "application.json"))
            tab.evaluate("document.getElementById('submit').click()")
            tab.wait_for("(() => { const i = Array.from(document.querySelectorAll('#result img.figure'));"
                         " return i.length && i.every(x => x.complete); })()")
            screenshot(tab, SHOTS / "upload-result.png")
            tab.evaluate("document.querySelector('#result .file button.redact').click()")
            tab.wait_for("document.querySelectorAll('#result .preview input[type=checkbox][value]').length")
            tab.evaluate("document.querySelector('#result .preview input[type=checkbox][value]').click()")
            tab.evaluate("document.querySelector('#result .preview button.make').click()")
            tab.wait_for("!!document.querySelector('#result .preview a.download')")
            tab.evaluate("document.querySelector('#result .file button.annotate').click()")
            tab.wait_for("!!document.querySelector('#result .annotated a')")
            scroll_to(tab, "#result .file")
            screenshot(tab, SHOTS / "upload-preview.png", selector="#result .file")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("screening serve 已退出")
        try:
            if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("screening serve 未在120秒内就绪")


def scroll_to(tab: DevTools, selector: str) -> None:
    tab.evaluate(f"document.querySelector({selector!r}).scrollIntoView()")


def annotated_copies(clone: Path, work: Path) -> None:
    """`screening annotate` of the clone, as a clerk runs it, then the copies laid out and rendered."""
    copies = {}
    for project, name in (("QZ2020-0003", "可行性报告.docx"), (PROJECT, "经费预算表.pdf")):
        folder = clone / "samples" / "batch" / project
        target = work / "annotated" / name
        target.parent.mkdir(exist_ok=True)
        subprocess.run([str(clone / ".venv" / "bin" / "screening"), "annotate", str(folder / name),
                        "--application", str(folder / "application.json"), "-o", str(target)], check=True)
        copies[name] = target
    laid_out = annotated.libreoffice(copies["可行性报告.docx"], work, annotated.AS_NOTES)
    annotated.render(laid_out, [0], annotated.notes(laid_out, 0), annotations=False).save(SHOTS / "annotated-docx.png")
    pdf = copies["经费预算表.pdf"]
    marks = [n for i in (0, 1) for n in annotated.notes(pdf, i, offset=i)]
    annotated.render(pdf, [0, 1], marks).save(SHOTS / "annotated-pdf.png")


if __name__ == "__main__":
    raise SystemExit(main())
