"""The API description and its documentation page: real answers of the service validate against
the schemas in /openapi.json, every key the service writes is described there, every error status
it raises is listed; /docs is Swagger UI served entirely by the service, rendering in a real
browser under the page's CSP without a request to any other host."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from screening import model
from screening.api_docs import ASSETS
from screening.jobs import JobSettings
from screening.limits import Limits
from screening.server import create_app
from tests.browser import CHROMIUM, DevTools, chromium
from tests.conftest import BATCH, ROOT
from tests.serving import running_server
from tests.test_server import project_parts

PROJECTS = ["QZ2020-0101", "QZ2020-0501"]  # a patent with its certificate, budget and domains; leaks in every part


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    jobs = JobSettings(tmp_path_factory.mktemp("jobs"))
    with TestClient(create_app(Limits(parse_timeout=20), jobs=jobs)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The JSON schema of an answer, its references resolvable (the components at its root)."""
    content = spec["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    return {**content["schema"], "components": spec["components"]}


def validate(spec: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    schema = response_schema(spec, path, method, status)
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def undescribed(value: Any, schema: dict[str, Any], components: dict[str, Any], where: str = "") -> list[str]:
    """Keys of `value` that its schema does not name (extra properties are allowed, so validation
    alone would not notice a field the description forgot)."""
    while "$ref" in schema or "anyOf" in schema:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        else:
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            assert len(options) == 1, schema
            schema = options[0]
    out: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                out.append(f"{where}.{key}")
            else:
                out += undescribed(item, schema["properties"][key], components, f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            out += undescribed(item, schema["items"], components, f"{where}[{index}]")
    return out


@pytest.mark.parametrize("project", PROJECTS)
def test_a_real_report_validates_against_the_openapi_schema(client: TestClient, spec: dict[str, Any],
                                                            project: str) -> None:
    data, files = project_parts(BATCH / project)
    answer = client.post("/v1/screen", data=data, files=files)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["findings"] and report["budget"] and report["domains"]
    validate(spec, "/v1/screen", "post", 200, report)
    components = spec["components"]["schemas"]
    assert undescribed(report, {"$ref": "#/components/schemas/Report"}, components) == []


def test_the_schema_catches_a_report_that_breaks_it(client: TestClient, spec: dict[str, Any]) -> None:
    data, files = project_parts(BATCH / PROJECTS[1])
    report = client.post("/v1/screen", data=data, files=files).json()
    broken = json.loads(json.dumps(report))
    broken["findings"][0]["location"]["page"] = 0
    broken["verdict"] = "maybe"
    with pytest.raises(AssertionError, match="verdict"):
        validate(spec, "/v1/screen", "post", 200, broken)
    report["findings"][0]["location"]["column"] = 3
    assert undescribed(report, {"$ref": "#/components/schemas/Report"}, spec["components"]["schemas"]) == [
        ".findings[0].location.column"]


def test_every_field_of_a_finding_and_its_location_is_described(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    location = {f.name for f in dataclasses.fields(model.Location)}
    assert set(schemas["Location"]["properties"]) == location
    finding = {f.name for f in dataclasses.fields(model.Finding)} | {"where", "figure"}  # figure: ?figures=true
    assert set(schemas["Finding"]["properties"]) == finding
    assert set(schemas["Report"]["properties"]) == set(model.Report(project_id="x", findings=()).to_json())


def test_errors_and_jobs_validate_against_their_schemas(client: TestClient, spec: dict[str, Any]) -> None:
    data, files = project_parts(BATCH / "QZ2020-0002")
    for path in ("/v1/screen", "/v1/jobs", "/v1/redact"):
        validate(spec, path, "post", 415, client.post(path, json={"a": 1}).json())
        validate(spec, path, "post", 400, client.post(path, files=files).json())
    validate(spec, "/v1/redact", "post", 422, client.post("/v1/redact?sanitize=maybe", data=data,
                                                          files=files[:1]).json())
    validate(spec, "/v1/jobs/{job_id}", "get", 404, client.get("/v1/jobs/" + "0" * 32).json())
    accepted = client.post("/v1/jobs", data=data, files=files)
    assert accepted.status_code == 202
    validate(spec, "/v1/jobs", "post", 202, accepted.json())
    deadline = time.monotonic() + 60
    while (status := client.get(accepted.json()["url"]).json())["state"] not in ("done", "failed"):
        validate(spec, "/v1/jobs/{job_id}", "get", 200, status)
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status["state"] == "done"
    validate(spec, "/v1/jobs/{job_id}", "get", 200, status)
    validate(spec, "/healthz", "get", 200, client.get("/healthz").json())


def test_every_error_status_the_service_raises_is_described(spec: dict[str, Any]) -> None:
    """The statuses of the ApiErrors of reading a body (uploads.py, server.read_body) are answered
    by every upload; each endpoint lists them, and the ones of its own."""
    raised = set()
    for source in ("screening/uploads.py", "screening/server.py"):
        raised |= {int(s) for s in re.findall(r"ApiError\((\d{3})", (ROOT / source).read_text(encoding="utf-8"))}
    raised -= {499}  # the client hung up: nobody reads the answer
    raised |= {503}  # busy (`_Bounded`, `Busy`)
    for path, own in (("/v1/screen", {422, 500}), ("/v1/jobs", {500}), ("/v1/redact", {422, 500}),
                      ("/v1/redact/preview", {422, 500}), ("/v1/annotate", {422, 500})):
        documented = {int(s) for s in spec["paths"][path]["post"]["responses"] if s.startswith(("4", "5"))}
        assert documented == raised | own, path
        assert "Retry-After" in spec["paths"][path]["post"]["responses"]["503"]["headers"]
    assert set(spec["paths"]["/v1/jobs/{job_id}"]["get"]["responses"]) == {"200", "404", "500"}


# ---------------------------------------------------------------- /docs


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        self._in_script = tag == "script" and not any(name == "src" for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def test_the_docs_page_is_served_with_its_own_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = _Links()
    links.feed(page.text)
    assert len(links.urls) == 3 and not re.search(r"(https?:)?//", page.text.replace("<!DOCTYPE html>", ""))
    for url in links.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff"
        assert asset.headers["content-type"] == ASSETS[url.rsplit("/", 1)[-1]]
        assert len(asset.content) > 500
    assert client.get("/docs/assets/redoc.standalone.js").status_code == 404  # only what the page loads
    assert client.get("/docs/assets/..%2F__init__.py").status_code == 404
    policy = page.headers["content-security-policy"]
    inline = "'sha256-" + base64.b64encode(hashlib.sha256(links.scripts[0].encode()).digest()).decode() + "'"
    assert f"script-src 'self' {inline};" in policy and "style-src 'self';" in policy
    assert "default-src 'none'" in policy and "unsafe" not in policy and "connect-src 'self'" in policy


class _Recording(DevTools):
    """DevTools that keeps the events it is sent between answers."""

    def __init__(self, socket: Any) -> None:
        super().__init__(socket)
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.last += 1
        self.socket.send(json.dumps({"id": self.last, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.last:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (CI installs it)")
def test_swagger_ui_renders_offline_under_its_csp(tmp_path: Path) -> None:
    from websockets.sync.client import connect

    with running_server(env={"SCREENING_JOBS_DIR": str(tmp_path)}) as server, chromium() as devtools:
        with httpx.Client(trust_env=False, timeout=10) as http:
            pages = [t for t in http.get(f"{devtools}/json/list").json() if t["type"] == "page"]
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as socket:
            tab = _Recording(socket)
            for domain in ("Page", "Runtime", "Network"):
                tab.call(f"{domain}.enable")
            tab.call("Page.addScriptToEvaluateOnNewDocument", source=(
                "window.__violations = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"))
            tab.call("Page.navigate", url=f"{server.url}/docs")
            tab.wait_for("document.querySelectorAll('.opblock').length >= 6", timeout=30)
            paths = tab.evaluate("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.innerText)")
            assert {"/v1/screen", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/redact", "/healthz"} <= {
                p.replace("\u200b", "") for p in paths}
            models = tab.evaluate("[...document.querySelectorAll('section.models .json-schema-2020-12__title')]"
                                  ".map(e => e.innerText)")
            assert {"Report", "Finding", "Location", "ErrorBody", "JobCreated", "JobStatus"} <= set(models)
            assert tab.evaluate("document.querySelectorAll('.errors-wrapper').length") == 0
            assert tab.evaluate("window.__violations") == []
            requested = {e["params"]["request"]["url"] for e in tab.events if e["method"] == "Network.requestWillBeSent"}
    assert f"{server.url}/openapi.json" in requested
    assert all(url.startswith((f"{server.url}/", "data:")) for url in requested), requested
