"""schemas/application.schema.json is the pydantic model's own schema, and the sample applications
validate against it (issue 16: the portal's developers validate what they send)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from schemas.make_application_schema import TARGET, schema
from tests.conftest import BATCH


def test_the_committed_schema_is_the_models() -> None:
    assert TARGET.read_text(encoding="utf-8") == schema(), "run schemas/make_application_schema.py"


def test_the_sample_applications_validate() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(TARGET.read_text(encoding="utf-8")))
    paths = sorted(Path(BATCH).glob("*/application.json"))
    assert len(paths) >= 50
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "project_id" in data and path.parent.name.startswith("QZ2020-0"):
            errors = [e.message for e in validator.iter_errors(data)]
            assert not errors or "hostile" in str(path), (path, errors[:3])
