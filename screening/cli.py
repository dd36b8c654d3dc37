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
from typer.core import TyperCommand, TyperGroup

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


HELP_OPTION = "显示本帮助并退出"


class _ChineseHelp:
    """click's own `--help` option says "Show this message and exit."; the clerk reads Chinese."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class Command(_ChineseHelp, TyperCommand):
    pass


class Group(_ChineseHelp, TyperGroup):
    pass


def _chinese_panels() -> None:
    """The help screens (typer's rich output) for Chinese: headings in Chinese, and help text that
    folds at the column's edge — rich wraps only at spaces and would cut a long Chinese run short."""
    try:
        from typer import rich_utils
    except ImportError:  # without rich, typer prints click's plain help
        return
    for name, text in (("ARGUMENTS_PANEL_TITLE", "参数"), ("OPTIONS_PANEL_TITLE", "选项"),
                       ("COMMANDS_PANEL_TITLE", "命令"), ("REQUIRED_LONG_STRING", "[必填]"),
                       ("DEFAULT_STRING", "[默认：{}]")):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    base = getattr(rich_utils, "highlighter", None)
    if base is None or not hasattr(base, "highlight"):
        return

    class Folding(type(base)):  # type: ignore[misc]
        def highlight(self, text: Any) -> None:
            super().highlight(text)
            text.overflow = "fold"

    rich_utils.highlighter = Folding()


_chinese_panels()

app = typer.Typer(
    name="screening",
    help="形式审查筛查：发现申报附件中泄露的申报单位与项目组成员信息。",
    cls=Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="输出格式：text 供人阅读，json 供程序读取")]
CallOpt = Annotated[str | None, typer.Option(
    "--call", help=f"申报通知（pipelines/ 中的文件名或路径；默认取申报书所填，否则 {DEFAULT_CALL}）")]
ParseTimeoutOpt = Annotated[float | None, typer.Option(
    "--parse-timeout", help="每个附件读取的限时（秒），其后的审查同样限时（环境变量 SCREENING_PARSE_TIMEOUT；默认 30）")]
ParseMemoryOpt = Annotated[int | None, typer.Option(
    "--parse-memory-mb", help="读取每个附件的进程可用内存（MB）（环境变量 SCREENING_PARSE_MEMORY_MB；默认 2048）")]


def package_version() -> str:
    """The installed package's version, else the one pyproject.toml states (a source checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("screening")
    except PackageNotFoundError:
        import tomllib

        try:
            with (Path(__file__).resolve().parents[1] / "pyproject.toml").open("rb") as fh:
                return str(tomllib.load(fh)["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def _show_version(value: bool) -> None:
    if value:
        print(f"screening {package_version()}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version, help="显示版本号并退出")] = False,
) -> None:
    """形式审查筛查。"""


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
    files: Annotated[list[Path], typer.Argument(help="要筛查的附件（docx、pdf、png、jpg、tif）")],
    application: Annotated[Path | None, typer.Option(
        "--application", "-a", help="申报书 application.json，其中有要查找的单位和人员")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="要查找的单位名称（可多次给出）")] = None,
    person: Annotated[list[str] | None, typer.Option("--person", help="要查找的人员姓名（可多次给出）")] = None,
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
    parse_timeout: ParseTimeoutOpt = None,
    parse_memory_mb: ParseMemoryOpt = None,
) -> None:
    """筛查单个或几个附件，查找其中泄露的申报单位和人员信息。"""
    limited = isolation(parse_timeout, parse_memory_mb).start()  # the fork server loads while this command does
    from screening.engine import screen_files

    emit([screen_files(files, application, orgs=org or (), persons=person or (), call=call, parse=limited.parse,
                       deadline=limited.deadline())], fmt)


@app.command()
def project(
    folder: Annotated[Path, typer.Argument(help="项目文件夹：申报书 application.json 和各附件")],
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
    parse_timeout: ParseTimeoutOpt = None,
    parse_memory_mb: ParseMemoryOpt = None,
) -> None:
    """筛查一个项目文件夹。"""
    limited = isolation(parse_timeout, parse_memory_mb).start()
    from screening.engine import screen_project

    emit([screen_project(folder, call=call, parse=limited.parse, deadline=limited.deadline())], fmt)


# Commands kept in screening/commands/<name>.py; each registers itself on `app` when imported.
COMMAND_MODULES: tuple[str, ...] = ("patent", "serve", "redact", "annotate", "batch", "classify")


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"screening.commands.{name}")
    for info in app.registered_commands:  # every command's --help says so in Chinese
        if info.cls in (None, TyperCommand):
            info.cls = Command


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
