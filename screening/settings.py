"""What every data file of settings shares: strict models (an unknown or misspelt key is an
error, values are frozen) and one loader that turns a bad file into a one-line `ConfigError`
naming the file and the key. Used by the call files (calls.py), the guide (classify.py), the
parsers' thresholds (parsers/thresholds.py) and the scanned-budget reader (budget_scan.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from screening.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """A settings model: unknown keys refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def where(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as the dotted key a person finds in the file."""
    return ".".join(str(p) for p in loc) or "(整个文件)"


def load_yaml(path: Path, model: type[M], what: str) -> M:
    """`path` (YAML) validated as `model`; `what` names the file for people (Chinese)."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: 无法读取{what}：{err}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(f"{where(e['loc'])}: {e['msg']}" for e in err.errors()[:5])
        raise ConfigError(f"{path}: {problems}") from None
