"""The upload page in a real browser: headless Chromium, driven over the DevTools protocol,
uploads a sample with a leak through the page's own form and shows the leak highlighted."""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import BATCH
from tests.serving import LOOPBACK, running_server

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-proxy-server", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (CI installs it)"),
]


class DevTools:
    """The few DevTools protocol calls the test needs, over one page's websocket."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.last = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.last += 1
        self.socket.send(json.dumps({"id": self.last, "method": method, "params": params}))
        while True:  # events arrive in between; only our answer counts
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.last:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})  # type: ignore[no-any-return]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"never true: {expression}\n{self.evaluate('document.body.innerText')}")

    def node(self, selector: str) -> int:
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        return int(self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"])

    def choose_files(self, selector: str, *paths: Path) -> None:
        self.call("DOM.setFileInputFiles", nodeId=self.node(selector), files=[str(p) for p in paths])

    def type_into(self, selector: str, text: str) -> None:
        self.call("DOM.focus", nodeId=self.node(selector))
        self.call("Input.insertText", text=text)



@contextlib.contextmanager
def chromium() -> Iterator[str]:
    """A headless Chromium with a fresh profile; yields the DevTools endpoint, always ends it."""
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryFile() as log:
        process = subprocess.Popen([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                   stdout=log, stderr=log, start_new_session=True)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text().strip()):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"chromium did not start: {log.read().decode('utf-8', 'replace')[-2000:]}")
                time.sleep(0.05)
            yield f"http://{LOOPBACK}:{port_file.read_text().split()[0]}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser_page() -> Iterator[tuple[DevTools, str]]:
    with running_server() as server, chromium() as devtools:
        with httpx.Client(trust_env=False, timeout=10) as client:
            pages = [t for t in client.get(f"{devtools}/json/list").json() if t["type"] == "page"]
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as socket:
            tab = DevTools(socket)
            for domain in ("Page", "Runtime", "DOM"):
                tab.call(f"{domain}.enable")
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

    tab.evaluate("document.querySelector('#result .file button').click()")
    link = tab.wait_for("(() => { const a = document.querySelector('#result a.download');"
                        " return a && a.href.startsWith('blob:') ? a.textContent : ''; })()")
    assert link == "下载脱敏副本：可行性报告-脱敏.docx"


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
