"""The upload page in a real browser: headless Chromium, driven over the DevTools protocol,
uploads a sample with a leak through the page's own form and shows the leak highlighted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import CHROMIUM, DevTools, page
from tests.conftest import BATCH
from tests.serving import running_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (CI installs it)"),
]


@pytest.fixture(scope="module")
def browser_page() -> Iterator[tuple[DevTools, str]]:
    with running_server() as server, page() as tab:
        yield tab, server.url


def _open(tab: DevTools, url: str) -> None:
    tab.call("Page.navigate", url=f"{url}/")
    tab.wait_for("document.readyState === 'complete' && !!document.getElementById('files')", timeout=30)


def test_uploading_a_leaky_sample_shows_the_leak_marked(browser_page: tuple[DevTools, str]) -> None:
    tab, url = browser_page
    folder = BATCH / "QZ2020-0002"
    _open(tab, url)
    tab.choose_files("#appfile", folder / "application.json")
    tab.choose_files("#files", folder / "可行性报告.docx", folder / "经费预算表.pdf")
    tab.evaluate("document.getElementById('submit').click()")
    marks = tab.wait_for("Array.from(document.querySelectorAll('#result mark')).map(m => m.textContent)")
    assert {"智远电子", "衢州智远电子科技有限公司", "陈志明", "周丽华"} <= set(marks)
    evidence = tab.evaluate("Array.from(document.querySelectorAll('#result .evidence')).map(e => e.textContent)")
    assert any(e.startswith("依据：") and "全称" in e for e in evidence)
    verdict = tab.evaluate("document.querySelector('#result .verdict').textContent")
    assert verdict.startswith("审查结论：不通过") and "QZ2020-0002" in verdict
    headings = tab.evaluate("Array.from(document.querySelectorAll('#result .file h2')).map(h => h.textContent)")
    assert headings == ["可行性报告.docx", "经费预算表.pdf"]
    context = tab.evaluate("document.querySelector('#result mark').parentElement.textContent")
    assert len(context) > len(tab.evaluate("document.querySelector('#result mark').textContent"))

    assert not tab.evaluate("document.querySelectorAll('#result img.figure').length")  # Word has no pages to show

    # the preview lists what the copy will mask, each ticked; one unticked stays as it is
    tab.evaluate("document.querySelector('#result .file button.redact').click()")
    items = tab.wait_for("Array.from(document.querySelectorAll('#result .preview input[type=checkbox][value]'))"
                         ".map(b => [b.value, b.checked])")
    assert {"衢州智远电子科技有限公司", "陈志明"} <= {text for text, _ in items} and all(on for _, on in items)
    tab.evaluate("document.querySelector('#result .preview input[value=\"陈志明\"]').click()")
    tab.evaluate("document.querySelector('#result .preview button.make').click()")
    said = tab.wait_for("(() => { const a = document.querySelector('#result .preview a.download');"
                        " return a && a.href.startsWith('blob:') ? a.parentElement.textContent : ''; })()")
    assert "下载脱敏副本：可行性报告-脱敏.docx" in said and "按要求保留：陈志明" in said

    # the marked-up copy for the applicant
    tab.evaluate("document.querySelector('#result .file button.annotate').click()")
    link = tab.wait_for("(() => { const a = document.querySelector('#result .annotated a');"
                        " return a && a.href.startsWith('blob:') ? a.textContent : ''; })()")
    assert link.startswith("下载批注版：") and link.endswith(".docx")


def test_typed_fields_work_without_an_application_file(browser_page: tuple[DevTools, str]) -> None:
    tab, url = browser_page
    folder = BATCH / "QZ2020-0004"
    _open(tab, url)
    tab.type_into("#applicant", "浙江衢江精密机械有限公司")
    tab.type_into("#aliases", "衢江精密")
    tab.choose_files("#files", folder / "经费预算表.pdf")
    tab.evaluate("document.getElementById('submit').click()")
    marks = tab.wait_for("Array.from(document.querySelectorAll('#result mark')).map(m => m.textContent)")
    assert "浙江衢江精\n密机械有限公司" in marks or "浙江衢江精 密机械有限公司" in marks
    assert "衢江精密" in marks
    # a PDF hit shows the page region the service rendered, the hit outlined
    figures = tab.wait_for("(() => { const i = Array.from(document.querySelectorAll('#result img.figure'));"
                           " return i.length && i.every(x => x.complete) ? i.map(x => [x.naturalWidth, x.alt]) : null; })()")
    assert figures and all(width > 50 and alt.endswith("的命中位置") for width, alt in figures)
    assert "第2页正文第1段的命中位置" in {alt for _, alt in figures}
