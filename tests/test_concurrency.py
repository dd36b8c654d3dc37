"""Twenty uploads at once to a real uvicorn on loopback: each gets its own, correct report."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from samples.pdfkit import build_pdf
from screening.warm import tiny_docx
from tests.serving import running_server

CORES = ["青松", "白鹭", "金桥", "银河", "碧水", "丹霞", "紫荆", "翠竹", "玉兰", "海棠",
         "云杉", "石榴", "雪峰", "星河", "晨曦", "朝阳", "明月", "长风", "远帆", "鹏程"]
COMPANIES = [f"衢州{core}新材料有限公司" for core in CORES]


def _application(index: int) -> str:
    return json.dumps({"project_id": f"QZ2020-C{index:02d}", "title": "并发测试", "team": [],
                       "applicant": {"name": COMPANIES[index]}}, ensure_ascii=False)


def _attachment(index: int, folder: Path) -> tuple[str, bytes]:
    text = f"本项目由{COMPANIES[index]}承担，研究内容见下文。"
    if index % 2:
        path = build_pdf(folder / f"{index}.pdf", pages=[[text]])
        return "经费预算表.pdf", path.read_bytes()
    return "可行性报告.docx", tiny_docx(text)


@pytest.mark.slow
def test_twenty_simultaneous_uploads_each_get_their_own_report(tmp_path: Path) -> None:
    uploads = [_attachment(i, tmp_path) for i in range(len(COMPANIES))]
    start = threading.Barrier(len(uploads))

    def post(index: int, url: str) -> dict[str, Any]:
        name, data = uploads[index]
        with httpx.Client(timeout=120, trust_env=False) as client:
            start.wait()
            response = client.post(f"{url}/v1/screen", data={"application": _application(index)},
                                   files=[("files", (name, data))])
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    # every request admitted at once (the busy limit, 503 beyond it, is tested in test_hostile_hook.py)
    with running_server(env={"SCREENING_PARSE_TIMEOUT": "60", "SCREENING_MAX_CONCURRENT": "20"}) as server, \
            ThreadPoolExecutor(max_workers=len(uploads)) as pool:
        reports = list(pool.map(lambda i: post(i, server.url), range(len(uploads))))
    for index, report in enumerate(reports):
        assert report["project_id"] == f"QZ2020-C{index:02d}"
        assert report["verdict"] == "fail"
        named = {f["target"] for f in report["findings"] if f["rule"].startswith("identity.")}
        assert named == {COMPANIES[index]}, (index, named)
        assert [d["file"] for d in report["documents"]] == [uploads[index][0]]
        others = set(COMPANIES) - {COMPANIES[index]}
        assert not any(other in json.dumps(report, ensure_ascii=False) for other in others)
