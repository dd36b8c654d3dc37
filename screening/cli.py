"""The `screening` command: arguments → library → rendering → exit code. No logic lives here.

Exit codes (contract §2): 0 every project passes, 1 one fails formal review, 3 none fails but
something needs a person's look, 2 the command could not do its work.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.calls import DEFAULT_CALL
from screening.errors import ScreeningError, UsageError
from screening.model import Document, Report, Verdict
from screening.report import render_text, to_json

if TYPE_CHECKING:
    from screening.isolation import Isolation

EXIT = {Verdict.PASS: 0, Verdict.FAIL: 1, Verdict.REVIEW: 3}  # the one table of `check`, `project`, `batch`
USAGE_EXIT = 2


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


app = typer.Typer(
    name="screening",
    help="形式审查筛查：发现申报附件中泄露的申报单位与项目组成员信息。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for machines")]
CallOpt = Annotated[str | None, typer.Option("--call", help=f"call file in pipelines/ (default: the application's, else {DEFAULT_CALL})")]
ParseTimeoutOpt = Annotated[float | None, typer.Option(
    "--parse-timeout", help="seconds one attachment may take to parse, and the checks of the project after (env SCREENING_PARSE_TIMEOUT; default 30)")]
ParseMemoryOpt = Annotated[int | None, typer.Option(
    "--parse-memory-mb", help="memory of the process parsing one attachment, MB (env SCREENING_PARSE_MEMORY_MB; default 2048)")]


def isolation(parse_timeout: float | None = None, parse_memory_mb: int | None = None) -> Isolation:
    """Each attachment parsed in its own limited process, as the HTTP hook does: the limits of
    `screening.limits` (defaults, then `SCREENING_PARSE_*`), then the command's options."""
    from screening.isolation import Isolation
    from screening.limits import MB, from_env

    return Isolation(from_env().override(
        parse_timeout=parse_timeout,
        parse_memory=parse_memory_mb * MB if parse_memory_mb is not None else None,
    ))


def parse_limited(parse: Callable[..., Document], file: Path, *args: Any) -> Document:
    """A command's own parse (`patent`, `classify FILE`) in a limited process, as everywhere else;
    a file that hangs or eats memory stops the command with one line (exit 2)."""
    from screening.errors import AttachmentError

    try:
        return isolation().run(parse, file, *args)
    except AttachmentError as err:
        raise UsageError(f"{file.name}: {err.message}") from None


def exit_code(verdicts: Iterable[Verdict]) -> int:
    """The exit code of a command over projects with these verdicts: that of the worst (`EXIT`)."""
    return EXIT[Verdict.worst(verdicts)]


def emit(reports: Sequence[Report], fmt: Format) -> None:
    if fmt is Format.JSON:
        sys.stdout.write(to_json(reports) + "\n")
    else:
        for report in reports:
            render_text(report, sys.stdout)
    raise typer.Exit(exit_code(r.verdict for r in reports))


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="attachments to screen (docx, pdf, png, jpg, tif)")],
    application: Annotated[Path | None, typer.Option("--application", "-a", help="application.json with the identities")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="an organisation name to look for (repeatable)")] = None,
    person: Annotated[list[str] | None, typer.Option("--person", help="a person's name to look for (repeatable)")] = None,
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
    parse_timeout: ParseTimeoutOpt = None,
    parse_memory_mb: ParseMemoryOpt = None,
) -> None:
    """Screen single files against the given identities."""
    from screening.engine import screen_files

    limited = isolation(parse_timeout, parse_memory_mb)
    emit([screen_files(files, application, orgs=org or (), persons=person or (), call=call, parse=limited.parse,
                       deadline=limited.deadline())], fmt)


@app.command()
def project(
    folder: Annotated[Path, typer.Argument(help="a project folder: application.json and the attachments")],
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
    parse_timeout: ParseTimeoutOpt = None,
    parse_memory_mb: ParseMemoryOpt = None,
) -> None:
    """Screen one project folder."""
    from screening.engine import screen_project

    limited = isolation(parse_timeout, parse_memory_mb)
    emit([screen_project(folder, call=call, parse=limited.parse, deadline=limited.deadline())], fmt)


# Commands kept in screening/commands/<name>.py; each registers itself on `app` when imported.
COMMAND_MODULES: tuple[str, ...] = ("patent", "serve", "redact", "batch", "classify")


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"screening.commands.{name}")


_register_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code instead of raising (callable from tests)."""
    try:
        code = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except typer.Exit as done:  # raised outside click's own handling
        return done.exit_code
    except ScreeningError as err:
        print(f"screening: 错误：{err}", file=sys.stderr)
        return USAGE_EXIT
    except (typer.Abort, KeyboardInterrupt):
        print("screening: 已中断", file=sys.stderr)
        return 130
    except Exception as err:  # usage errors of the argument parser, and anything unforeseen: no traceback
        show = getattr(err, "show", None)
        if callable(show) and isinstance(getattr(err, "exit_code", None), int):  # click's (typer's) usage errors
            show()
            return USAGE_EXIT
        if os.environ.get("SCREENING_DEBUG"):
            raise
        print(f"screening: 内部错误：{type(err).__name__}: {err}（设置 SCREENING_DEBUG=1 查看详情）", file=sys.stderr)
        return USAGE_EXIT
    return code if isinstance(code, int) else 0


def run() -> None:
    sys.exit(main())
