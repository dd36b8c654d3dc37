"""Headless Chromium driven over the DevTools protocol: the upload page's tests and the README's
screenshots (docs/make_screenshots.py) use it."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

LOOPBACK = "127.0.0.1"

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-proxy-server", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]



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
            _end_group(process)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """Chromium and every process it started (renderers, the GPU and network services write into the
    profile until they end): the whole session terminated, killed after 10 s, and waited for."""
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal_number)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the group's other members, after their leader
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


@contextlib.contextmanager
def page() -> Iterator[DevTools]:
    """A headless Chromium's first tab, its Page, Runtime and DOM domains enabled."""
    import httpx

    with chromium() as devtools:
        with httpx.Client(trust_env=False, timeout=10) as client:
            pages = [t for t in client.get(f"{devtools}/json/list").json() if t["type"] == "page"]
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as socket:
            tab = DevTools(socket)
            for domain in ("Page", "Runtime", "DOM"):
                tab.call(f"{domain}.enable")
            yield tab


def screenshot(tab: DevTools, path: Path, *, width: int = 1100, selector: str | None = None) -> None:
    """A PNG of the whole page (or of one element) at `width` CSS pixels."""
    height = int(tab.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
    tab.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
    clip = None
    if selector:
        rect = tab.evaluate(f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                            " return [r.x, r.y + window.scrollY, r.width, r.height]; })()")
        clip = {"x": rect[0], "y": rect[1], "width": rect[2], "height": rect[3], "scale": 1}
    shot = tab.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                    **({"clip": clip} if clip else {}))
    path.write_bytes(base64.b64decode(shot["data"]))
