"""The HTTP hook in-process (FastAPI's TestClient): the report is the CLI's JSON byte for byte,
bad input is a 4xx JSON error and never a stack trace, redacted copies come back clean."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from screening.application import Application
from screening.engine import Upload, screen
from screening.isolation import Isolation
from screening.limits import MB, Limits
from screening.model import Document
from screening.server import create_app
from screening.uploads import FormPart, Spool
from tests.conftest import BATCH, Result

SMALL = Limits(max_request_bytes=1 * MB, max_files=2, parse_timeout=20, workers=2)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Limits(parse_timeout=20))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def small() -> Iterator[TestClient]:
    with TestClient(create_app(SMALL)) as test_client:
        yield test_client


def project_parts(folder: Path) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes]]]]:
    app = (folder / "application.json").read_text(encoding="utf-8")
    files = [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir()) if p.name != "application.json"]
    return {"application": app}, files


def assert_error(response: Any, status: int, error: str, detail: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"} and body["error"] == error, body
    assert detail in json.dumps(body["detail"], ensure_ascii=False)
    assert "Traceback" not in response.text


@pytest.mark.parametrize("project", ["QZ2020-0002", "QZ2020-0004"])
def test_the_report_is_the_cli_json_byte_for_byte(client: TestClient, cli: Callable[..., Result], project: str) -> None:
    data, files = project_parts(BATCH / project)
    response = client.post("/v1/screen", data=data, files=files)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text == cli("project", BATCH / project, "--format", "json").out


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert {"/v1/screen", "/v1/redact", "/healthz", "/"} <= set(spec["paths"])
    body = spec["paths"]["/v1/screen"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"application", "files"} <= set(body["properties"])
    assert client.get("/docs").status_code == 200  # its assets served by the service: tests/test_openapi.py


def test_the_page_is_self_contained_and_locked_down(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<form" in page and 'type="file"' in page and "/v1/screen" in page and "/v1/redact" in page
    assert "createElement" in page and '"mark"' in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy and "script-src 'sha256-" in policy


def test_client_file_names_are_never_paths(client: TestClient) -> None:
    folder = BATCH / "QZ2020-0002"
    data, _ = project_parts(folder)
    pdf = (folder / "经费预算表.pdf").read_bytes()
    response = client.post("/v1/screen", data=data, files=[("files", ("../../../etc/经费预算表.pdf", pdf)),
                                                           ("files", ("C:\\Users\\x\\可行性报告.docx", b""))])
    report = response.json()
    assert [d["file"] for d in report["documents"]] == ["经费预算表.pdf", "可行性报告.docx"]
    assert report["documents"][0]["role"] == "budget"


@pytest.mark.parametrize(("raw", "detail"), [
    (b'{"project_id": "\xff"}', "不是UTF-8编码"),
    (b"{not json", "不是合法的JSON"),
    (b'{"project_id": "X", "title": "t", "team": []}', "applicant"),
    (json.dumps({"project_id": "X", "title": "t", "team": [], "applicant": {"name": "某公司"},
                 "call": "../../../etc/passwd.yaml"}).encode(), "不是申报通知的名称"),
    (json.dumps({"project_id": "X", "title": "t", "team": [], "applicant": {"name": "某公司"},
                 "call": "no-such-call"}).encode(), "没有名为"),
])
def test_a_bad_application_is_400_with_a_clear_message(client: TestClient, raw: bytes, detail: str) -> None:
    response = client.post("/v1/screen", files=[("application", ("application.json", raw)),
                                                ("files", ("a.pdf", b"%PDF-1.4"))])
    assert_error(response, 400, "invalid_application", detail)


def test_request_shape_errors(client: TestClient) -> None:
    data, files = project_parts(BATCH / "QZ2020-0002")
    assert_error(client.post("/v1/screen", json={"a": 1}), 415, "unsupported_media_type")
    assert_error(client.post("/v1/screen", files=files), 400, "invalid_application", "application")
    assert_error(client.post("/v1/screen", data={**data, "file": "x"}, files=files), 400, "unknown_field", "file")
    no_name = [("files", (None, b"%PDF-1.4"))]  # a part called files, without a file name
    assert_error(client.post("/v1/screen", data=data, files=no_name), 400, "bad_file_name")
    twice = [files[0], files[0]]
    assert_error(client.post("/v1/screen", data=data, files=twice), 400, "duplicate_file", files[0][1][0])
    body = b'--XyZ\r\nContent-Disposition: form-data; name="application"\r\n\r\n{}\r\n--Xy'
    truncated = client.post("/v1/screen", content=body, headers={"content-type": "multipart/form-data; boundary=XyZ"})
    assert_error(truncated, 400, "bad_multipart")


def test_unknown_routes_and_methods_are_json(client: TestClient) -> None:
    assert_error(client.get("/v2/screen"), 404, "not_found")
    response = client.get("/v1/screen")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]


def test_limits_on_size_and_count(small: TestClient) -> None:
    data, files = project_parts(BATCH / "QZ2020-0007")
    assert len(files) > SMALL.max_files
    assert_error(small.post("/v1/screen", data=data, files=files), 413, "too_many_files", "2")
    big = [("files", ("big.pdf", b"%PDF-" + bytes(2 * MB)))]
    assert_error(small.post("/v1/screen", data=data, files=big), 413, "too_large", "1MB")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        yield b'--B\r\nContent-Disposition: form-data; name="files"; filename="x.pdf"\r\n\r\n'
        for _ in range(3):
            yield bytes(MB // 2)
    streamed = small.post("/v1/screen", content=chunks(), headers={"content-type": "multipart/form-data; boundary=B"})
    assert_error(streamed, 413, "too_large")
    assert small.get("/healthz").status_code == 200


def test_a_request_keeps_little_in_memory_and_nothing_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts of a request share `Spool.memory`; a part that would pass it goes to a file of the
    request's own directory, named by tempfile; the directory is gone when the request ends."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Spool(memory=10) as spool:
        small, big, late = FormPart(filename="a.pdf"), FormPart(filename="../b.pdf"), FormPart(filename="c.pdf")
        spool.write(small, b"12345")
        spool.end()
        spool.write(big, b"abc")
        spool.write(big, b"defghijk")  # 5 + 3 + 8 > 10: to disk, with its first 3 bytes
        spool.end()
        spool.write(late, b"xyz")  # the memory the big part gave back
        spool.end()
        assert small.path is None and late.path is None and big.path is not None
        assert big.read() == b"abcdefghijk" and big.path.name.startswith("part-") and big.path.parent.parent == tmp_path
        assert big.upload("b.pdf").path == big.path and small.upload("a.pdf").data == b"12345"
        assert (big.path.parent.stat().st_mode & 0o777) == 0o700
    assert list(tmp_path.iterdir()) == []


class _Exploding(Isolation):
    def parse(self, upload: Upload, application: Application | None, *, cancel: threading.Event | None = None) -> Document:
        if upload.name == "boom.pdf":
            raise RuntimeError("secret internals")
        return super().parse(upload, application, cancel=cancel)


def test_an_attachment_that_crashes_costs_only_itself() -> None:
    with TestClient(create_app(SMALL, _Exploding(SMALL)), raise_server_exceptions=False) as client:
        data, _ = project_parts(BATCH / "QZ2020-0002")
        response = client.post("/v1/screen", data=data, files=[("files", ("boom.pdf", b"%PDF-1.4"))])
        assert response.status_code == 200 and "secret internals" not in response.text
        findings = response.json()["findings"]
        assert {(f["file"], f["rule"]) for f in findings if f.get("file") == "boom.pdf"} == {("boom.pdf", "document.unreadable")}


def test_an_internal_error_is_500_json_without_internals(monkeypatch: pytest.MonkeyPatch) -> None:
    import screening.checks

    def explode(*_: object) -> None:
        raise RuntimeError("secret internals")

    with TestClient(create_app(SMALL), raise_server_exceptions=False) as client:
        monkeypatch.setitem(screening.checks.REGISTRY, "eligibility", explode)  # after the warm-up
        data, files = project_parts(BATCH / "QZ2020-0002")
        response = client.post("/v1/screen", data=data, files=files)
        assert_error(response, 500, "internal_error")
        assert "secret internals" not in response.text
        assert client.get("/healthz").status_code == 200


def test_redact_returns_a_copy_that_screens_clean(client: TestClient) -> None:
    folder = BATCH / "QZ2020-0003"
    data, _ = project_parts(folder)
    original = (folder / "可行性报告.docx").read_bytes()
    response = client.post("/v1/redact", data=data, files=[("files", ("可行性报告.docx", original))])
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''" + \
        "%E5%8F%AF%E8%A1%8C%E6%80%A7%E6%8A%A5%E5%91%8A-%E8%84%B1%E6%95%8F.docx"
    assert int(response.headers["x-screening-masked"]) == 8
    app = Application.model_validate_json(data["application"])
    again = screen(app, [Upload("可行性报告-脱敏.docx", data=response.content)])
    assert not [f for f in again.findings if f.rule.startswith("identity.")]


def test_redact_sanitize_removes_what_the_reader_does_not_see(client: TestClient) -> None:
    from urllib.parse import unquote

    folder = BATCH / "QZ2020-0003"
    data, _ = project_parts(folder)
    original = (folder / "可行性报告.docx").read_bytes()
    response = client.post("/v1/redact?sanitize=true", data=data, files=[("files", ("可行性报告.docx", original))])
    assert response.status_code == 200, response.text
    assert "文档属性" in unquote(response.headers["x-screening-removed"])
    plain = client.post("/v1/redact", data=data, files=[("files", ("可行性报告.docx", original))])
    assert plain.headers["x-screening-removed"] == ""


def test_redact_refuses_what_it_cannot_vouch_for(client: TestClient, tmp_path: Path) -> None:
    from samples.pdfkit import build_pdf

    folder = BATCH / "QZ2020-0007"
    data, files = project_parts(folder)
    locked = build_pdf(tmp_path / "加密.pdf", pages=[["衢州"]], user_password="x")
    assert_error(client.post("/v1/redact", data=data, files=[("files", (locked.name, locked.read_bytes()))]), 422,
                 "redaction_failed", "密码")
    assert_error(client.post("/v1/redact", data=data, files=files[:2]), 400, "one_file")


def test_redact_returns_a_picture_in_its_kind(client: TestClient) -> None:
    """A photo OCR read (the sample's names nobody): its copy, re-saved without its metadata, as a JPEG."""
    data, files = project_parts(BATCH / "QZ2020-0007")
    picture = [f for f in files if f[1][0].endswith(".jpg")]
    response = client.post("/v1/redact", data=data, files=picture)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg" and response.content.startswith(b"\xff\xd8\xff")
    assert response.headers["content-disposition"].endswith(".jpg")
