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


def padded_part(tmp: Path) -> str:
    data = leaky_docx()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "word/document.xml":
                body = body.replace(b"<w:body>", b"<w:body><!--" + b"x" * 3_000_000 + b"-->", 1)
            dst.writestr(item, body)
    path = tmp / "padded.docx"
    path.write_bytes(out.getvalue())
    code, out_text, *_ = run(["check", str(path), "--org", ORG, "--format", "json"], cwd=tmp)
    return f"exit {code}, {verdict_of(out_text)}"


def certificate_name(tmp: Path) -> str:
    path = tmp / "获奖证书.docx"
    path.write_bytes(leaky_docx(f"{ORG}" * 21))
    code, out, *_ = run(["check", str(path), "--org", ORG, "--format", "json"], cwd=tmp)
    return f"exit {code}, {verdict_of(out)}"


def column_text(tmp: Path) -> str:
    path = tmp / "column.docx"
    build_docx(path, body=["团队组成见下表。"], table=[[c, "—"] for c in ORG])
    code, out, *_ = run(["check", str(path), "--org", ORG, "--format", "json"], cwd=tmp)
    return f"exit {code}, {verdict_of(out)}"


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


# --------------------------------------------------------------------------- attacks on the service


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service(tmp: Path) -> list[Outcome]:
    import httpx

    port = _free_port()
    log = open(tmp / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "screening", "serve", "--port", str(port)], cwd=tmp,
                            stdout=log, stderr=log, env={**os.environ, "SCREENING_BODY_TIMEOUT": "5"})
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
