"""What the upload page offers besides the report, through the service: the page regions of PDF hits
(`/v1/screen?figures=true`), the redaction preview and a copy keeping what a person unticked
(`/v1/redact/preview`, `keep`), and the marked-up copy for the applicant (`/v1/annotate`)."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import docx
from fastapi.testclient import TestClient
from PIL import Image

from tests import test_openapi
from tests.conftest import BATCH
from tests.test_openapi import validate
from tests.test_server import project_parts

client = test_openapi.client  # the service and its OpenAPI: the module fixtures of test_openapi
spec = test_openapi.spec


def one_file(project: str, name: str) -> tuple[dict[str, str], list[tuple[str, Any]]]:
    data, files = project_parts(BATCH / project)
    return data, [f for f in files if f[1][0] == name]


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def package_text(data: bytes) -> str:
    """Every XML member of a docx, as text: a name kept or masked wherever it stands (comments, hidden text)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "\n".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml"))


def test_figures_only_when_asked(client: TestClient, spec: dict[str, Any]) -> None:
    data, files = project_parts(BATCH / "QZ2020-0004")
    plain = client.post("/v1/screen", data=data, files=files).json()
    assert not any("figure" in f for f in plain["findings"])
    shown = client.post("/v1/screen?figures=true", data=data, files=files).json()
    validate(spec, "/v1/screen", "post", 200, shown)
    with_figure = [f for f in shown["findings"] if "figure" in f]
    assert with_figure and all(f["location"].get("box") for f in with_figure)
    assert {f["file"] for f in with_figure} == {"经费预算表.pdf"}
    for f in with_figure:
        png = base64.b64decode(f["figure"].removeprefix("data:image/png;base64,"))
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and 50 < image.width <= 480
    # the report itself is the same, figures aside
    assert [{k: v for k, v in f.items() if k != "figure"} for f in shown["findings"]] == plain["findings"]


def test_preview_then_a_copy_keeping_what_was_unticked(client: TestClient, spec: dict[str, Any]) -> None:
    data, files = one_file("QZ2020-0002", "可行性报告.docx")
    plan = client.post("/v1/redact/preview", data=data, files=files)
    assert plan.status_code == 200
    validate(spec, "/v1/redact/preview", "post", 200, plan.json())
    items = plan.json()["items"]
    texts = [i["text"] for i in items]
    assert {"衢州智远电子科技有限公司", "陈志明"} <= set(texts)
    assert all(i["findings"] and all(f["matched"] == i["text"] and f["where"] for f in i["findings"]) for i in items)

    copy = client.post("/v1/redact", data={**data, "keep": "陈志明"}, files=files)
    assert copy.status_code == 200, copy.text
    assert copy.headers["X-Screening-Kept"] == "%E9%99%88%E5%BF%97%E6%98%8E"  # 陈志明, percent-encoded
    text = package_text(copy.content)
    assert "陈志明" in text and "衢州智远电子科技有限公司" not in text
    full = client.post("/v1/redact", data=data, files=files)
    assert "陈志明" not in package_text(full.content) and full.headers["X-Screening-Kept"] == ""

    unknown = client.post("/v1/redact", data={**data, "keep": "与本文无关的文字"}, files=files)
    assert unknown.status_code == 422 and "不在将遮盖的内容中" in unknown.json()["detail"]
    too_long = client.post("/v1/redact", data={**data, "keep": "长" * 5000}, files=files)
    assert too_long.status_code == 400 and too_long.json()["error"] == "bad_field"
    stray = client.post("/v1/redact/preview", data={**data, "keep": "陈志明"}, files=files)
    assert stray.status_code == 400 and stray.json()["error"] == "unknown_field"


def test_annotated_copy(client: TestClient) -> None:
    data, files = one_file("QZ2020-0002", "可行性报告.docx")
    report = client.post("/v1/screen", data=data, files=files).json()
    answer = client.post("/v1/annotate", data=data, files=files)
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Screening-Annotated"] == str(sum(f.get("file") == "可行性报告.docx" for f in report["findings"]))
    assert "filename*=UTF-8''" in answer.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as package:
        comments = package.read("word/comments.xml").decode("utf-8")
    assert comments.count("<w:comment ") >= 1 and "形式审查筛查" in comments
    assert docx_text(answer.content) == docx_text(files[0][1][1])  # the text itself unchanged

    data, files = project_parts(BATCH / "QZ2020-0002")
    two = client.post("/v1/annotate", data=data, files=files)
    assert two.status_code == 400 and two.json()["error"] == "one_file"


def test_a_kept_name_broken_across_lines_comes_back_as_a_form_sends_it(client: TestClient) -> None:
    """A browser sends a field's line break as CRLF: the PDF's name broken over two lines is still the
    preview's item."""
    data, files = one_file("QZ2020-0004", "经费预算表.pdf")
    items = [i["text"] for i in client.post("/v1/redact/preview", data=data, files=files).json()["items"]]
    broken = next(t for t in items if "\n" in t)
    copy = client.post("/v1/redact", data={**data, "keep": broken.replace("\n", "\r\n")}, files=files)
    assert copy.status_code == 200, copy.text
    assert copy.headers["X-Screening-Masked"] == str(len(items) - 1) and copy.headers["X-Screening-Kept"]
