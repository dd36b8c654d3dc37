"""Issue 16, for the clerk: every command's `--help` is Chinese, `screening --version` prints the
installed version."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest
import typer

from screening.cli import app
from tests.conftest import Result

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
COMMANDS = sorted(typer.main.get_group(app).commands)


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """One line per option: its help is never wrapped onto a line of its own."""
    monkeypatch.setenv("COLUMNS", "400")


def option_lines(help_text: str) -> list[str]:
    """The rows of the help screen that name an option or an argument (`│ * --out -o <path> 报告…`)."""
    return [line for line in help_text.splitlines() if re.match(r"│\s*(\*\s*)?(--?\w|\w+(\.\.\.)?\s+<)", line)]


def test_every_command_is_registered() -> None:
    assert {"check", "project", "batch", "patent", "classify", "redact", "annotate", "serve"} <= set(COMMANDS)


@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_chinese(cli: Callable[..., Result], command: str) -> None:
    result = cli(*([command] if command else []), "--help")
    assert result.code == 0, result.err
    text = result.out
    summary = next(line for line in text.splitlines()[1:] if line.strip() and "Usage:" not in line)
    assert CJK.search(summary), summary  # the command's own description
    lines = option_lines(text)
    assert any("--help" in line for line in lines), text
    untranslated = [line for line in lines if not CJK.search(line)]
    assert not untranslated, "\n".join(untranslated)
    assert "Show this message" not in text


@pytest.mark.usefixtures("wide")
def test_batch_help_lists_every_option_in_chinese(cli: Callable[..., Result]) -> None:
    lines = option_lines(cli("batch", "--help").out)
    names = {m for line in lines for m in re.findall(r"--[\w-]+", line)}
    assert {"--out", "--workers", "--scheduler", "--force", "--timeout", "--exit-zero", "--annotate", "--format",
            "--call", "--help"} <= names
    assert all(CJK.search(line) for line in lines)


def test_version(cli: Callable[..., Result]) -> None:
    result = cli("--version")
    assert result.code == 0 and result.err == ""
    assert result.out == f"screening {version('screening')}\n"
    with (ROOT / "pyproject.toml").open("rb") as fh:  # the editable install is the checkout's
        assert version("screening") == tomllib.load(fh)["project"]["version"]


def test_version_without_installed_package(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    with (ROOT / "pyproject.toml").open("rb") as fh:
        expected = tomllib.load(fh)["project"]["version"]
    result = cli("--version")
    assert result.code == 0 and result.out == f"screening {expected}\n"
