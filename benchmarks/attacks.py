"""Re-run the attacks of issue 12 against the screener and print what each one gets: exit code or
HTTP status, the verdict or rules that matter, seconds and the peak memory of the process.

Run it on this tree, and on an older one for a before/after table (the screener is run as
`python -m screening`, so PYTHONPATH picks the code):

    .venv/bin/python benchmarks/attacks.py
    PYTHONPATH=/path/to/old/checkout .venv/bin/python benchmarks/attacks.py

Every input is generated here, small (kilobytes) except where the attack is size itself; the
service attacks start a real `screening serve` on loopback and stop it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samples.docxkit import build_docx  # noqa: E402

ORG = "浙江衢晟新材料有限公司"
APP = {"project_id": "A-1", "call": "quzhou-2020", "title": "高纯电子级氢氟酸制备", "category": "key",
       "applicant": {"name": ORG, "region": "柯城区", "kind": "enterprise", "industrial": True,
                     "rd_investment_prev_year": 800.0},
       "team": [{"name": "王建国", "role": "leader", "ongoing_as_leader": 0, "ongoing_as_member": 0}],
       "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0}, "implementation_months": 24}


@dataclass
class Outcome:
    attack: str
    result: str
    seconds: float
    peak_mb: float


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> tuple[int, str, float, float]:
    """Exit code, stdout, seconds and peak RSS (MB) of `python -m screening ARGS` and its children."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "screening", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return -9, "", time.perf_counter() - started, 0.0
    seconds = time.perf_counter() - started
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return proc.returncode, out.decode("utf-8", "replace"), seconds, peak


def project(folder: Path, app: dict[str, object], files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "application.json").write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def leaky_docx(text: str = f"本项目由{ORG}承担。") -> bytes:
    buf = Path(tempfile.mkdtemp()) / "x.docx"
    build_docx(buf, body=[text])
    return buf.read_bytes()


def verdict_of(out: str) -> str:
    try:
        report = json.loads(out)
    except ValueError:
        return "no report"
    rules = sorted({f["rule"] for f in report["findings"] if f["severity"] != "info"})
    return f"verdict {report['verdict']} ({', '.join(rules[:4])})"


# --------------------------------------------------------------------------- attacks on verdicts


def call_path(tmp: Path) -> str:
    """A project ships a lenient call file and points `call` at it (a relative path); `batch`."""
    pipelines = subprocess.run([sys.executable, "-c", "from screening.resources import data_dir; print(data_dir('pipelines'))"],
                               capture_output=True, text=True, check=True, cwd=tmp).stdout.strip()  # the code under test's
    lenient = (Path(pipelines) / "quzhou-2020.yaml").read_text(encoding="utf-8").replace(
        "name: quzhou-2020", "name: lenient").replace("identity.org: fail", "identity.org: info")
    batch = tmp / "callbatch"
    project(batch / "A-1", {**APP, "call": "callbatch/A-1/lenient.yaml"},
            {"可行性报告.docx": leaky_docx(), "lenient.yaml": lenient.encode()})
    out = tmp / "callbatch-out"
    code, *_ = run(["batch", str(batch), "--out", str(out), "--workers", "1"], cwd=tmp)
    report = out / "A-1.json"
    return f"exit {code}, {verdict_of(report.read_text(encoding='utf-8')) if report.exists() else 'no report'}"


def with_main_part(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """The docx with word/document.xml replaced by `edit` of it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, edit(body) if item.filename == "word/document.xml" else body)
    return out.getvalue()


def check_verdict(tmp: Path, path: Path) -> str:
    code, out_text, *_ = run(["check", str(path), "--org", ORG, "--format", "json"], cwd=tmp)
    return f"exit {code}, {verdict_of(out_text)}"


def padded_part(tmp: Path) -> str:
    path = tmp / "padded.docx"
    path.write_bytes(with_main_part(leaky_docx(), lambda body: body.replace(
        b"<w:body>", b"<w:body><!--" + b"x" * 3_000_000 + b"-->", 1)))
    return check_verdict(tmp, path)


def certificate_name(tmp: Path) -> str:
    path = tmp / "获奖证书.docx"
    path.write_bytes(leaky_docx(f"{ORG}" * 21))
    return check_verdict(tmp, path)


def column_text(tmp: Path) -> str:
    path = tmp / "column.docx"
    build_docx(path, body=["团队组成见下表。"], table=[[c, "—"] for c in ORG])
    return check_verdict(tmp, path)


# --------------------------------------------------------------------------- attacks on the batch


def hostile_batch(tmp: Path) -> str:
    batch = tmp / "hostile-batch"
    project(batch / "A-OK", {**APP, "project_id": "A-OK"}, {"可行性报告.docx": leaky_docx("无")})
    deep = batch / "A-DEEP"
    deep.mkdir(parents=True)
    (deep / "application.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    project(batch / "A-ESC", {**APP, "project_id": "A-ESC", "title": "标题\x1b[31m红[/]…[bold"},
            {"可行性报告.docx": leaky_docx("无")})
    project(batch / "A-FORMULA", {**APP, "project_id": "A-FORMULA", "title": "=HYPERLINK(\"http://x\",\"点击\")",
                                  "applicant": {**APP["applicant"], "name": "+1+cmd|' /C calc'!A0"}},  # type: ignore[dict-item]
            {"可行性报告.docx": leaky_docx("无")})
    out = tmp / "hostile-out"
    code, _, *_ = run(["batch", str(batch), "--out", str(out), "--workers", "1"], cwd=tmp)
    written = sorted(p.name for p in out.glob("*")) if out.exists() else []
    forms = [p for p in written if p.endswith(".xlsx")]
    formula = "none"
    if forms:
        from openpyxl import load_workbook

        cells = [c for ws in load_workbook(out / forms[0]).worksheets for row in ws.iter_rows() for c in row]
        formula = "live formula" if any(c.data_type == "f" for c in cells) else "text only"
    csv_text = (out / "summary.csv").read_text(encoding="utf-8-sig") if (out / "summary.csv").exists() else ""
    return (f"exit {code}, {len(written)} outputs, xlsx forms {len(forms)} ({formula}), "
            f"csv formula {'quoted' if chr(39) + '=HYPERLINK' in csv_text else 'raw' if '=HYPERLINK' in csv_text else '—'}")


def many_aliases(tmp: Path) -> str:
    app = {**APP, "applicant": {**APP["applicant"], "aliases": [f"别名{i:06d}" for i in range(500_000)]}}  # type: ignore[dict-item]
    folder = project(tmp / "aliases" / "A-1", app, {"可行性报告.docx": leaky_docx()})
    code, out, *_ = run(["project", str(folder), "--format", "json"], cwd=tmp)
    return f"exit {code}, {verdict_of(out) if code != 2 else 'refused'}"


def many_paragraphs(tmp: Path) -> str:
    path = tmp / "many.docx"
    build_docx(path, body=[f"第{i}段：{ORG}与王建国。" for i in range(10_000)])
    code, out, *_ = run(["check", str(path), "--org", ORG, "--person", "王建国", "--format", "json"], cwd=tmp)
    return f"exit {code}, {len(json.loads(out)['findings']) if code in (0, 1, 3) else 0} findings"


def huge_image(tmp: Path) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (20000, 20000), 1).save(buf, format="PNG")
    path = tmp / "huge.png"
    path.write_bytes(buf.getvalue())
    other = tmp / "report.docx"
    other.write_bytes(leaky_docx())
    code, out, *_ = run(["check", str(path), str(other), "--org", ORG, "--format", "json"], cwd=tmp,
                           env={"SCREENING_PARSE_MEMORY_MB": "1024", "SCREENING_PARSE_TIMEOUT": "20"})
    return f"exit {code}, {verdict_of(out)}"


def slow_attachment_batch(tmp: Path) -> str:
    """A 40,000-page PDF next to a leaky report, in `batch` with a 2 s parse timeout."""
    sys.path.insert(0, str(ROOT))
    from tests.test_hostile_cli import many_pages_pdf

    batch = tmp / "slowbatch"
    project(batch / "A-1", APP, {"可行性报告.docx": leaky_docx(), "附件2.pdf": many_pages_pdf(40_000)})
    out = tmp / "slowbatch-out"
    code, *_ = run(["batch", str(batch), "--out", str(out), "--workers", "1"], cwd=tmp,
                   env={"SCREENING_PARSE_TIMEOUT": "2"})
    report = out / "A-1.json"
    if not report.exists():
        return f"exit {code}, no report"
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    pdf = sorted({f["rule"] for f in findings if f.get("file") == "附件2.pdf"})
    leak = sorted({f["severity"] for f in findings if f.get("file") == "可行性报告.docx" and f["rule"] == "identity.org"})
    return f"exit {code}, 附件2.pdf: {', '.join(pdf) or '—'}; report leak {'/'.join(leak) or 'missed'}"


def certificate_then_report(tmp: Path) -> str:
    """A real-looking certificate page with a leaky report's pages after it, in one PDF."""
    from tests.test_hostile_verdicts import certificate_then_report as build

    path = build(tmp / "certificate", "one_page")
    folder = project(tmp / "certproj" / "A-1", {**APP, "category": "patent"}, {path.name: path.read_bytes()})
    code, out, *_ = run(["project", str(folder), "--format", "json"], cwd=tmp)
    try:
        findings = json.loads(out)["findings"]
    except ValueError:
        return f"exit {code}, no report"
    where = {"certificate page": lambda page: page == 1, "report pages": lambda page: page > 1}
    said = [f"{name} identity {'/'.join(sorted({f['severity'] for f in findings if f['rule'].startswith('identity.') and on((f.get('location') or {}).get('page') or 1)})) or '—'}"
            for name, on in where.items()]
    return f"exit {code}, {'; '.join(said)}"


def picture_bomb(tmp: Path) -> str:
    """A leaky report whose picture member inflates to 1 GB."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(leaky_docx())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        packer = zipfile.ZipInfo("word/media/image1.png")
        packer.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(packer, "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(bytes(1024 * 1024))
    path = tmp / "bomb.docx"
    path.write_bytes(out.getvalue())
    return check_verdict(tmp, path)


def corrupt_main_part(tmp: Path) -> str:
    """A report whose document.xml is cut mid-element, the applicant named in its header."""
    path = tmp / "header.docx"
    build_docx(path, body=["正文"], header=f"{ORG}")
    broken = tmp / "broken.docx"
    broken.write_bytes(with_main_part(path.read_bytes(), lambda body: body[: len(body) // 2]))
    return check_verdict(tmp, broken)


# --------------------------------------------------------------------------- attacks on the service


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident memory of one process (not its children), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _grandchildren(pid: int) -> list[int]:
    """The processes two levels below `pid`: the server's parsing workers, under its fork server."""
    def children(p: int) -> list[int]:
        try:
            return [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            return []
    return [g for c in children(pid) for g in children(c)]


def _raw_status(raw: bytes) -> str:
    """`HTTP 400 (json)` for a raw response, `closed` when the server sent nothing."""
    if not raw:
        return "closed"
    head, _, _ = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    kind = "json" if any(h.lower().startswith("content-type: application/json") for h in lines[1:]) else "text"
    return f"HTTP {lines[0].split()[1]} ({kind})"


def _until_closed(sock: socket.socket, limit: float) -> bytes:
    from tests.serving import read_until_closed

    return read_until_closed(sock, limit)[0]


def scan_pdf(pages: int = 5, size: int = 2500) -> bytes:
    """Scanned-looking pages, different on every run (no OCR cache hit): tens of seconds to parse."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(time.time_ns())
    images = []
    for _ in range(pages):
        image = Image.new("L", (size, size), 255)
        draw = ImageDraw.Draw(image)
        for y in range(0, size, 40):
            for x in range(0, size, 40):
                if rng.random() < 0.6:
                    draw.rectangle([x, y, x + 25, y + 12], fill=0)
        images.append(image)
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:])
    return buf.getvalue()


def service(tmp: Path) -> list[Outcome]:
    import contextlib
    import selectors
    import threading

    import httpx

    port = _free_port()
    log = open(tmp / "serve.log", "wb")  # noqa: SIM115
    # one worker, so that a worker held by a gone client shows as a wait of the next request;
    # 16 requests at once, so that 16 stalled uploads are all let in
    proc = subprocess.Popen([sys.executable, "-m", "screening", "serve", "--port", str(port)], cwd=tmp,
                            stdout=log, stderr=log, env={**os.environ, "SCREENING_BODY_TIMEOUT": "5",
                                                         "SCREENING_PARSE_WORKERS": "1", "SCREENING_MAX_CONCURRENT": "16"})
    url = f"http://127.0.0.1:{port}"
    out: list[Outcome] = []
    try:
        with httpx.Client(timeout=5, trust_env=False) as client:
            for _ in range(120):
                try:
                    if client.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
        app_text = json.dumps(APP, ensure_ascii=False)

        def post(body: bytes, ctype: str) -> str:
            with httpx.Client(timeout=60, trust_env=False) as client:
                r = client.post(f"{url}/v1/screen", content=body, headers={"Content-Type": ctype})
            kind = "json" if r.headers.get("content-type", "").startswith("application/json") else "text"
            return f"HTTP {r.status_code} ({kind})"

        started = time.perf_counter()
        b = "b" * 5000
        res = post(f"--{b}\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{app_text}\r\n--{b}--\r\n".encode(),
                   f"multipart/form-data; boundary={b}")
        out.append(Outcome("hook: 5,000-character boundary", res, time.perf_counter() - started, 0))
        started = time.perf_counter()
        deep = "[" * 100_000 + "]" * 100_000
        res = post(f"--b\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{deep}\r\n--b--\r\n".encode(),
                   "multipart/form-data; boundary=b")
        out.append(Outcome("hook: application nested 10^5 deep", res, time.perf_counter() - started, 0))
        started = time.perf_counter()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                     b"Content-Length: 60000000\r\n\r\n--b\r\n")
        sock.settimeout(120)
        try:
            answer = sock.recv(200).decode("latin-1").split("\r\n")[0]
        except OSError as err:
            answer = f"no answer ({type(err).__name__})"
        sock.close()
        out.append(Outcome("hook: stalled 60 MB upload", answer, time.perf_counter() - started, 0))

        # 16 uploads declaring 60 MB stall after 30 MB each: what the server holds meanwhile
        started = time.perf_counter()
        before = _rss_mb(proc.pid)
        part = (f"--b\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{app_text}\r\n--b\r\n"
                "Content-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n\r\n").encode()
        stalled: list[socket.socket] = []

        def stall() -> None:
            s = socket.create_connection(("127.0.0.1", port))
            stalled.append(s)
            s.sendall(b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                      b"Content-Length: 60000000\r\n\r\n" + part + bytes(30_000_000))

        senders = [threading.Thread(target=stall) for _ in range(16)]
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        time.sleep(0.5)
        grown = _rss_mb(proc.pid) - before
        answers = [_raw_status(_until_closed(s, 30)) for s in stalled]
        out.append(Outcome("hook: 16 uploads of 60 MB stalled at 30 MB",
                           f"server memory +{grown:.0f} MB; {answers.count('HTTP 408 (json)')}/16 answered 408 (json)",
                           time.perf_counter() - started, 0))

        # two Content-Length headers that disagree (request smuggling's first step)
        started = time.perf_counter()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
        res = _raw_status(_until_closed(sock, 30))
        out.append(Outcome("hook: two Content-Length headers", res, time.perf_counter() - started, 0))

        # a client that hangs up 2 s into the screening of a slow scan: is its worker freed?
        started = time.perf_counter()
        scan = scan_pdf()
        body = (f"--b\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{app_text}\r\n--b\r\n"
                "Content-Disposition: form-data; name=\"files\"; filename=\"扫描件.pdf\"\r\n\r\n").encode() + scan + b"\r\n--b--\r\n"
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(2)
        working = _grandchildren(proc.pid)
        sock.close()
        gone = time.perf_counter()
        freed: list[float] = []

        def watch_workers() -> None:  # until the workers busy at the hang-up have exited
            while any(Path(f"/proc/{w}").exists() for w in working) and time.perf_counter() - gone < 60:
                time.sleep(0.05)
            freed.append(time.perf_counter() - gone)

        watcher = threading.Thread(target=watch_workers)
        watcher.start()
        files = [("files", ("可行性报告.docx", leaky_docx()))]
        with httpx.Client(timeout=120, trust_env=False) as client:
            r = client.post(f"{url}/v1/screen", data={"application": app_text}, files=files)
        answered = time.perf_counter() - gone
        watcher.join()
        out.append(Outcome("hook: client hangs up during a slow parse",
                           f"{len(working)} worker busy: exited {freed[0]:.1f} s after the hang-up; "
                           f"next request HTTP {r.status_code} {answered:.1f} s after it",
                           time.perf_counter() - started, 0))

        # slow loris: 300 connections whose headers never end
        started = time.perf_counter()
        loris = []
        for _ in range(300):
            s = socket.create_connection(("127.0.0.1", port))
            with contextlib.suppress(OSError):  # dropped by now: counted below as closed
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            loris.append(s)
        time.sleep(0.5)
        with httpx.Client(timeout=30, trust_env=False) as client:
            asked = time.perf_counter()
            try:
                r = client.get(f"{url}/healthz")
                kind = "json" if r.headers.get("content-type", "").startswith("application/json") else "text"
                normal = f"HTTP {r.status_code} ({kind})"
            except httpx.HTTPError as err:
                normal = type(err).__name__
            normal += f" in {time.perf_counter() - asked:.1f} s"
        pending = set(loris)
        seen: dict[str, int] = {}
        last = 0.0
        with selectors.DefaultSelector() as watch:
            for s in loris:
                watch.register(s, selectors.EVENT_READ)
            while pending and time.perf_counter() - started < 30:
                for key, _ in watch.select(timeout=0.5):
                    s = key.fileobj  # type: ignore[assignment]
                    watch.unregister(s)
                    pending.discard(s)
                    status = _raw_status(_until_closed(s, 1))
                    seen[status] = seen.get(status, 0) + 1
                    last = time.perf_counter() - started
        for s in pending:
            s.close()
        closed = ", ".join(f"{n}× {k}" for k, n in sorted(seen.items()))
        when = f"{len(pending)} still open after 30 s" if pending else f"all closed by {last:.0f} s"
        out.append(Outcome("hook: slow loris, 300 connections",
                           f"{when} ({closed or 'none closed'}); /healthz meanwhile {normal}",
                           time.perf_counter() - started, 0))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    return out


ATTACKS: list[tuple[str, Callable[[Path], str]]] = [
    ("call file shipped by the applicant (batch)", call_path),
    ("3 MB comment padding document.xml", padded_part),
    ("leaky report named 获奖证书.docx", certificate_name),
    ("name down a table column", column_text),
    ("batch: deep JSON, ESC and markup title, formulas", hostile_batch),
    ("500,000 aliases (project)", many_aliases),
    ("10,000 paragraphs naming the applicant (check)", many_paragraphs),
    ("20000×20000 PNG + a leaky report (check)", huge_image),
    ("batch: 40,000-page PDF + a leaky report, 2 s limit", slow_attachment_batch),
    ("certificate page + leaky report pages (project)", certificate_then_report),
    ("leaky report with a 1 GB picture bomb (check)", picture_bomb),
    ("document.xml cut in half, name in header (check)", corrupt_main_part),
]


def main() -> None:
    results: list[Outcome] = []
    tmp = Path(tempfile.mkdtemp(prefix="attacks-"))
    try:
        for name, attack in ATTACKS:
            import resource

            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            started = time.perf_counter()
            try:
                result = attack(tmp)
            except Exception as err:  # an attack that breaks the harness is reported, the rest still run
                result = f"harness error: {type(err).__name__}: {err}"
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            results.append(Outcome(name, result, time.perf_counter() - started, max(peak, before)))
            print(f"{name:52} {result:70} {results[-1].seconds:7.1f} s", flush=True)
        for o in service(tmp):
            print(f"{o.attack:52} {o.result:70} {o.seconds:7.1f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("(peak memory of the children: RUSAGE_CHILDREN is a running maximum; see each attack's own test for bounds)")


if __name__ == "__main__":
    main()
