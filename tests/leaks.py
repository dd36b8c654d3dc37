"""Screening one generated attachment against an application whose identities were planted in it,
for the parser tests of the formats added in issue 15 (odt, ofd, rtf, doc, wps)."""

from __future__ import annotations

import json
from typing import Any

from screening.application import parse_application
from screening.engine import Upload, screen
from screening.model import Finding

APPLICANT = "浙江衢晟新材料有限公司"
LEADER = "王建国"
APP: dict[str, Any] = {"project_id": "T-F", "title": "测试项目", "category": "key",
                       "applicant": {"name": APPLICANT}, "team": [{"name": LEADER, "role": "leader"}]}


def identity_findings(name: str, data: bytes) -> list[Finding]:
    """The identity findings of one attachment screened alone."""
    report = screen(parse_application(json.dumps(APP, ensure_ascii=False)), [Upload(name, data=data)])
    return [f for f in report.findings if f.rule.startswith("identity.")]


def places(name: str, data: bytes) -> set[tuple[str, str, str]]:
    """(part, origin, target) of every identity finding that is not about the file name."""
    return {(f.location.part.value, f.location.origin, f.target or "")
            for f in identity_findings(name, data) if f.location is not None and f.location.part.value != "filename"}
