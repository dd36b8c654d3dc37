"""Where the data folders (`lexicons/`, `pipelines/`) are: inside the installed wheel
(`screening/data/<name>`) or, in a source checkout, beside the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder '{name}' not found beside the screening package (reinstall it)")
