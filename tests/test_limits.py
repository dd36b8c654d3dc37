"""Service limits: defaults, environment variables, options, and refusals of nonsense."""

from __future__ import annotations

import pytest

from screening.errors import ConfigError
from screening.limits import MB, Limits, from_env


def test_defaults_without_environment() -> None:
    limits = from_env({})
    assert limits == Limits()
    assert limits.max_request_bytes == 64 * MB and limits.max_files == 20
    assert limits.parse_timeout == 30.0 and limits.parse_memory == 2048 * MB
    assert limits.workers >= 1


def test_environment_sets_every_limit() -> None:
    limits = from_env({
        "SCREENING_MAX_UPLOAD_MB": "1.5", "SCREENING_MAX_FILES": "3", "SCREENING_PARSE_TIMEOUT": "2.5",
        "SCREENING_PARSE_MEMORY_MB": "300", "SCREENING_PARSE_WORKERS": "4",
    })
    assert limits == Limits(max_request_bytes=int(1.5 * MB), max_files=3, parse_timeout=2.5,
                            parse_memory=300 * MB, workers=4)
    assert limits.cpu_seconds == 4


def test_an_option_wins_over_the_environment_and_none_keeps_it() -> None:
    limits = from_env({"SCREENING_MAX_FILES": "3"}).override(max_files=7, parse_timeout=None)
    assert limits.max_files == 7 and limits.parse_timeout == 30.0


@pytest.mark.parametrize(("variable", "value"), [
    ("SCREENING_MAX_FILES", "many"), ("SCREENING_MAX_FILES", "2.5"), ("SCREENING_PARSE_TIMEOUT", "0"),
    ("SCREENING_PARSE_TIMEOUT", "-1"), ("SCREENING_PARSE_TIMEOUT", "inf"), ("SCREENING_MAX_UPLOAD_MB", "nan"),
    ("SCREENING_PARSE_MEMORY_MB", "100"),
])
def test_nonsense_in_the_environment_is_refused_by_name(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match="SCREENING_PARSE_MEMORY_MB|parse_memory" if "MEMORY" in variable else variable):
        from_env({variable: value})


def test_a_limit_below_its_floor_is_refused() -> None:
    with pytest.raises(ConfigError, match="max_files"):
        Limits(max_files=0)
    with pytest.raises(ConfigError, match="未知"):
        Limits().override(max_megabytes=3)
