"""screening — the formal-review screener for Chinese science-project applications.

Public API (the CLI and the HTTP hook are thin shells over it)::

    from screening import screen_files, screen_project
    report = screen_project(Path("samples/batch/QZ2020-0001"))
    report.verdict, report.to_json()

The names are imported on first use (PEP 562), so that importing one part of the package
(`screening.parsers.docx` in a parsing process, `screening.cli` for `--version`) does not load
the whole engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from screening.engine import Upload, screen, screen_files, screen_project

__version__ = "0.2.0"

__all__ = ["Upload", "__version__", "screen", "screen_files", "screen_project"]


def __getattr__(name: str) -> Any:
    if name in ("Upload", "screen", "screen_files", "screen_project"):
        from screening import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'screening' has no attribute {name!r}")
