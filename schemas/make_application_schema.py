"""Write schemas/application.schema.json from the pydantic model that reads application.json
(`screening.application.Application`), so that the portal's developers validate what they send
against what is read. Run after changing the model:

    .venv/bin/python schemas/make_application_schema.py

tests/test_application_schema.py fails when the file is not what this script writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from screening.application import Application  # noqa: E402

TARGET = HERE / "application.schema.json"


def schema() -> str:
    body = Application.model_json_schema(mode="validation")
    body = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "application.schema.json",
            "title": "application.json（申报书数据，contract §1）", **body}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(schema(), encoding="utf-8")
    print(f"wrote {TARGET}")
