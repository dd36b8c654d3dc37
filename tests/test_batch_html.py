"""OUT/report.html in a real browser (headless Chromium): it opens offline, lists every project,
highlights the leaked text, filters and sorts, and shows what applicants wrote as text — markup
planted in an attachment stays inert."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from samples.docxkit import build_docx
from screening.batch import screen_batch
from screening.batch_report import REPORT_HTML, highlighted, write_all
from tests.conftest import BATCH

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)")

ORG = "衢州康瑞生物医药有限公司"  # QZ2020-0005's applicant, planted below with markup around it
PLANTED = f"<script>document.title='pwned'</script>{ORG}<img src=x onerror=\"document.title='pwned'\">研发中心"
MARK_RGB = (255, 213, 79)  # mark{background:#ffd54f}


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=90,
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    batch = tmp_path_factory.mktemp("batch")
    for pid in ("QZ2020-0001", "QZ2020-0004", "QZ2020-0008"):
        shutil.copytree(BATCH / pid, batch / pid)
    planted = shutil.copytree(BATCH / "QZ2020-0005", batch / "QZ2020-0005")
    build_docx(planted / "可行性报告.docx", body=["一、项目背景。", f"二、实施基础。{PLANTED}"])
    target = tmp_path_factory.mktemp("out")
    write_all(screen_batch(batch, target, workers=2))
    return target


def test_page_needs_nothing_from_outside(out: Path) -> None:
    page = (out / REPORT_HTML).read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    assert page.count("<script") == 1  # ours; the planted one is text
    report = json.loads((out / "QZ2020-0005.json").read_text(encoding="utf-8"))
    finding = next(f for f in report["findings"] if f.get("matched") == ORG)
    assert "</script>" in finding["context"] and "<img" in finding["context"]  # the markup reached the report …
    assert highlighted(finding["context"], ORG) in page  # … and the page holds it as text
    assert "&lt;/script&gt;<mark>衢州康瑞生物医药有限公司</mark>&lt;img" in page
    # severities as a clerk reads them, never the codes
    assert '<td class="sev-fail">不通过</td>' in page and ">fail<" not in page and ">warn<" not in page


def test_dom_after_scripts_ran(out: Path, tmp_path: Path) -> None:
    done = chromium(tmp_path / "profile", "--dump-dom", (out / REPORT_HTML).as_uri())
    dom = done.stdout
    assert "</html>" in dom, done.stderr[-2000:]
    rows = re.findall(r'<tr data-verdict="(\w+)"', dom)
    assert len(rows) == 4 and "显示 4 / 4 个项目" in dom  # the script ran and counted every project
    for pid in ("QZ2020-0001", "QZ2020-0004", "QZ2020-0005", "QZ2020-0008"):
        assert f'id="p-{pid}"' in dom
    marks = re.findall(r"<mark>(.*?)</mark>", dom, flags=re.S)
    assert ORG in marks and "浙江衢晟新材料有限公司" in marks
    assert '<div class="evidence">依据：全称' in dom  # why each finding fails, for the clerk
    assert any("\n" not in m and "衢江精" in m for m in marks)  # a name across a PDF line, highlighted whole
    assert "<title>形式审查筛查报告" in dom and "pwned</title>" not in dom
    # the planted <img> is text; the only pictures are the figures of findings (data: URIs, screening/figures.py)
    images = re.findall(r"<img\b[^>]*>", dom)
    assert images and all(re.match(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+"', tag) for tag in images), images[:3]
    assert dom.count("<script") == 1


def test_highlight_is_visible(out: Path, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    chromium(tmp_path / "profile", "--window-size=1400,6000", f"--screenshot={shot}", (out / REPORT_HTML).as_uri())
    image = Image.open(shot).convert("RGB")
    count = dict((color, n) for n, color in image.getcolors(maxcolors=1 << 24) or []).get(MARK_RGB, 0)
    assert count > 500, f"only {count} highlight pixels"


HARNESS = """<!doctype html><meta charset="utf-8"><pre id="result"></pre>
<iframe id="report" src="report.html" style="width:1200px;height:900px"></iframe>
<script>
document.getElementById("report").addEventListener("load", function () {
  var d = this.contentDocument, out = {};
  function shown(selector) {
    return Array.prototype.filter.call(d.querySelectorAll(selector), function (e) { return !e.hidden; })
      .map(function (e) { return e.id || e.cells[0].textContent; });
  }
  function set(id, value, event) { var el = d.getElementById(id); el.value = value; el.dispatchEvent(new Event(event)); }
  set("f-verdict", "pass", "change");
  out.pass = shown("#projects tbody tr"); out.passDetails = shown("#details article"); out.passCount = d.getElementById("shown").textContent;
  set("f-verdict", "", "change");
  set("f-text", "衢江精密", "input"); out.search = shown("#projects tbody tr");
  set("f-text", "", "input");
  var verdict = d.querySelectorAll("#projects thead th")[5].querySelector("button");
  verdict.click(); out.ascending = shown("#projects tbody tr");
  verdict.click(); out.descending = shown("#projects tbody tr"); out.details = shown("#details article");
  document.getElementById("result").textContent = JSON.stringify(out);
});
</script>
"""


def test_filter_and_sort_in_the_browser(out: Path, tmp_path: Path) -> None:
    harness = out / "harness.html"
    harness.write_text(HARNESS, encoding="utf-8")
    try:
        done = chromium(tmp_path / "profile", "--allow-file-access-from-files", "--dump-dom", harness.as_uri())
    finally:
        harness.unlink()
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, flags=re.S)
    assert found and found.group(1), done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(html.unescape(found.group(1)))
    verdicts = {pid: json.loads((out / f"{pid}.json").read_text(encoding="utf-8"))["verdict"]
                for pid in ("QZ2020-0001", "QZ2020-0004", "QZ2020-0005", "QZ2020-0008")}
    passing = sorted(pid for pid, v in verdicts.items() if v == "pass")
    assert sorted(result["pass"]) == passing and sorted(result["passDetails"]) == [f"p-{p}" for p in passing]
    assert result["passCount"] == f"显示 {len(passing)} / 4 个项目"
    assert result["search"] == ["QZ2020-0004"]  # the search reaches the matched texts of findings
    rank = {"pass": 0, "review": 1, "fail": 2}
    assert [rank[verdicts[p]] for p in result["ascending"]] == sorted(rank[verdicts[p]] for p in result["ascending"])
    assert [rank[verdicts[p]] for p in result["descending"]] == sorted((rank[v] for v in verdicts.values()), reverse=True)
    assert result["details"] == [f"p-{p}" for p in result["descending"]]  # the findings follow the table's order


@pytest.mark.parametrize(
    ("context", "matched", "want"),
    [
        ("由<b>衢江精密</b>编制", "衢江精密", "由&lt;b&gt;<mark>衢江精密</mark>&lt;/b&gt;编制"),
        ("本预算由浙江衢江精 密机械有限公司编制", "浙江衢江精\n密机械有限公司", "本预算由<mark>浙江衢江精 密机械有限公司</mark>编制"),
        ("a<i>x</i>", "<i>x</i>", "a<mark>&lt;i&gt;x&lt;/i&gt;</mark>"),
        ("没有命中的上下文", "王建国", "没有命中的上下文"),
        (None, "<王建国>", "<mark>&lt;王建国&gt;</mark>"),
    ],
)
def test_highlight_escapes_and_tolerates_line_breaks(context: str | None, matched: str, want: str) -> None:
    assert highlighted(context, matched) == want
