"""How much a client may send and how much parsing one attachment may cost.

Defaults suit a portal hook on one machine. Each can be set by an environment variable and then by
an option of `screening serve` (an option wins over the variable, the variable over the default):

| field | variable | default |
| --- | --- | --- |
| `max_request_bytes` — a whole request (application and every attachment) | `SCREENING_MAX_UPLOAD_MB` | 64 MB |
| `max_files` — attachments in one request | `SCREENING_MAX_FILES` | 20 |
| `parse_timeout` — seconds one attachment may take to parse, and a project's checks after (`screening.deadline`) | `SCREENING_PARSE_TIMEOUT` | 30 |
| `parse_memory` — address space of the process parsing one attachment | `SCREENING_PARSE_MEMORY_MB` | 2048 MB |
| `workers` — attachments parsed at the same time | `SCREENING_PARSE_WORKERS` | CPU count |
| `max_concurrent` — requests screened at once; more are answered 503 with Retry-After | `SCREENING_MAX_CONCURRENT` | 2 × workers |
| `body_timeout` — seconds a client may take to send its request body (408 after) | `SCREENING_BODY_TIMEOUT` | 60 |
| `header_timeout` — seconds a connection may take to send a request's line and headers, the first or the next on a kept-alive connection (408, then closed) | `SCREENING_HEADER_TIMEOUT` | 10 |
| `max_connections` — open connections; beyond it one still sending its headers is dropped for the new one, or the new one is answered 503 | `SCREENING_MAX_CONNECTIONS` | 8 × max_concurrent + 64 |

A value that is not a positive number is refused with a `ConfigError` naming the variable.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from screening.errors import ConfigError

MB = 1024 * 1024
MIN_PARSE_MEMORY = 256 * MB  # below this the parsing process cannot even load its libraries
# a batch worker's own models (spaCy, jieba, lexicons, the OCR engine): about 1 GB of address space
WORKER_BASELINE = 1024 * MB


@dataclass(frozen=True, slots=True)
class Limits:
    max_request_bytes: int = 64 * MB
    max_files: int = 20
    parse_timeout: float = 30.0
    parse_memory: int = 2048 * MB  # OCR (onnxruntime) alone maps about 1.3 GB
    workers: int = max(os.cpu_count() or 1, 1)
    max_concurrent: int = 0  # 0: twice the workers
    body_timeout: float = 60.0
    header_timeout: float = 10.0
    max_connections: int = 0  # 0: 8 × max_concurrent + 64

    def __post_init__(self) -> None:
        if not (self.body_timeout > 0 and math.isfinite(self.body_timeout)):
            raise ConfigError(f"限制 body_timeout 必须是正数（秒），现为 {self.body_timeout}")
        if not (self.header_timeout > 0 and math.isfinite(self.header_timeout)):
            raise ConfigError(f"限制 header_timeout 必须是正数（秒），现为 {self.header_timeout}")
        if self.max_concurrent < 0:
            raise ConfigError(f"限制 max_concurrent 必须是正整数，现为 {self.max_concurrent}")
        if self.max_connections < 0:
            raise ConfigError(f"限制 max_connections 必须是正整数，现为 {self.max_connections}")
        for name in ("max_request_bytes", "max_files", "workers"):
            if getattr(self, name) < 1:
                raise ConfigError(f"限制 {name} 必须是正整数，现为 {getattr(self, name)}")
        if not (self.parse_timeout > 0 and math.isfinite(self.parse_timeout)):
            raise ConfigError(f"限制 parse_timeout 必须是正数（秒），现为 {self.parse_timeout}")
        if self.parse_memory < MIN_PARSE_MEMORY:
            raise ConfigError(f"限制 parse_memory 至少为 {MIN_PARSE_MEMORY // MB} MB，现为 {self.parse_memory // MB} MB")

    @property
    def concurrent(self) -> int:
        """Requests screened at once (`max_concurrent`, or twice the workers when it is 0)."""
        return self.max_concurrent or 2 * self.workers

    @property
    def connections(self) -> int:
        """Open connections at once (`max_connections`, or 8 × `concurrent` + 64 when it is 0)."""
        return self.max_connections or 8 * self.concurrent + 64

    @property
    def worker_memory(self) -> int:
        """Address space of a `screening batch` worker, which parses its attachments itself: the
        parse memory plus what the worker holds besides (`WORKER_BASELINE`)."""
        return self.parse_memory + WORKER_BASELINE

    @property
    def cpu_seconds(self) -> int:
        """CPU time a parsing process may use: a backstop for the wall-clock timeout."""
        return math.ceil(self.parse_timeout) + 1

    def override(self, **values: float | int | None) -> Limits:
        """A copy with the given fields replaced; None leaves a field as it is."""
        known = {f.name for f in fields(self)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"未知的限制项：{', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]


# variable → (field, parse, unit factor)
ENVIRONMENT: dict[str, tuple[str, type[int] | type[float], int]] = {
    "SCREENING_MAX_UPLOAD_MB": ("max_request_bytes", float, MB),
    "SCREENING_MAX_FILES": ("max_files", int, 1),
    "SCREENING_PARSE_TIMEOUT": ("parse_timeout", float, 1),
    "SCREENING_PARSE_MEMORY_MB": ("parse_memory", float, MB),
    "SCREENING_PARSE_WORKERS": ("workers", int, 1),
    "SCREENING_MAX_CONCURRENT": ("max_concurrent", int, 1),
    "SCREENING_BODY_TIMEOUT": ("body_timeout", float, 1),
    "SCREENING_HEADER_TIMEOUT": ("header_timeout", float, 1),
    "SCREENING_MAX_CONNECTIONS": ("max_connections", int, 1),
}
SECONDS = ("parse_timeout", "body_timeout", "header_timeout")  # the fields that stay fractional


def from_env(environ: Mapping[str, str] | None = None) -> Limits:
    """The defaults, with every `SCREENING_*` variable that is set applied."""
    env = os.environ if environ is None else environ
    values: dict[str, float | int] = {}
    for variable, (name, kind, unit) in ENVIRONMENT.items():
        raw = env.get(variable)
        if raw is None or not raw.strip():
            continue
        try:
            number = kind(raw.strip())
        except ValueError:
            raise ConfigError(f"环境变量 {variable}={raw!r} 不是{'整数' if kind is int else '数字'}") from None
        if not (number > 0 and math.isfinite(number)):
            raise ConfigError(f"环境变量 {variable}={raw!r} 必须是正数")
        scaled = number * unit
        values[name] = float(scaled) if name in SECONDS else int(scaled)
    return Limits().override(**values)
