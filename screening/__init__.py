"""screening — the formal-review screener for Chinese science-project applications.

Public API (the CLI and the HTTP hook are thin shells over it)::

    from screening import screen_files, screen_project
    report = screen_project(Path("samples/batch/QZ2020-0001"))
    report.verdict, report.to_json()
"""

from __future__ import annotations

from screening.engine import Upload, screen, screen_files, screen_project

__version__ = "0.2.0"

__all__ = ["Upload", "__version__", "screen", "screen_files", "screen_project"]
