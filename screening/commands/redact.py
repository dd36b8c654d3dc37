"""`screening redact FILE --application APP.json -o OUT`: a copy with the leaked identities masked.

OUT is the copy's path; when OUT is an existing folder the copy goes into it under the original
name with leaks masked (`名称-脱敏.docx`). The copy is screened again before it is written; if
anything still leaks, nothing is written and the command fails (exit 2), naming what is left.
Parsing and masking run in limited processes (`screening.isolation`, limits from the
`SCREENING_*` variables), so a hostile file cannot hang or exhaust the command.

With `--dry-run` nothing is written and `-o` is not needed: the file is screened and what would
be masked is listed (with `--sanitize`, that the hidden places would be cleared too).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from screening.cli import CallOpt, Format, FormatOpt, app
from screening.report import one_line

if TYPE_CHECKING:
    from screening.application import Application
    from screening.redact import Parse


@app.command()
def redact(
    file: Annotated[Path, typer.Argument(help="要脱敏的附件（docx、pdf 或图片：png、jpg、单页tif）")],
    application: Annotated[Path, typer.Option(
        "--application", "-a", help="申报书 application.json，其中有要遮盖的单位和人员")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="脱敏副本的写出位置（文件，或已有的文件夹）；--dry-run 时不需要")] = None,
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
    sanitize: Annotated[bool, typer.Option("--sanitize", help="同时清除批注、修订、隐藏文字、文档属性、自定义XML、嵌入文件、脚本、XMP和早期版本等所有可能藏名之处（无论其中有无泄露）")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将要遮盖的内容，不写出任何文件")] = False,
    keep: Annotated[list[str] | None, typer.Option(
        "--keep", help="保留不遮盖的内容（须是 --dry-run 列出的某一项的文字；可重复）")] = None,
) -> None:
    """生成附件的脱敏副本：遮盖泄露的单位和人员信息，并重新筛查确认副本中已无泄露。"""
    from screening.application import load_application
    from screening.engine import Upload
    from screening.errors import UsageError
    from screening.isolation import Isolation
    from screening.limits import from_env
    from screening.redact import mask_bytes, sanitize_bytes
    from screening.redact import redact as make_copy

    if not file.is_file():
        raise UsageError(f"文件不存在或不是普通文件：{file}")
    isolation = Isolation(from_env())
    if dry_run:
        preview(load_application(application), file, fmt, call=call, sanitize=sanitize, parse=isolation.parse)
        return
    if out is None:
        raise UsageError("缺少 -o/--out：请给出脱敏副本的写出位置（只想查看将遮盖的内容时用 --dry-run）")
    given = None if out.is_dir() else out.name
    result = make_copy(load_application(application), Upload(file.name, path=file), call=call, output_name=given,
                       parse=isolation.parse, mask=lambda *args: isolation.run(mask_bytes, *args),
                       sanitize=sanitize, clean=lambda *args: isolation.run(sanitize_bytes, *args),
                       keep=keep or ())
    target = out / result.file if out.is_dir() else out
    try:
        target.write_bytes(result.data)
    except OSError as err:
        raise UsageError(f"{target}: 无法写入（{err.strerror or err}）") from None
    if fmt is Format.JSON:
        summary = {"file": str(target), "format": result.format, "masked": [f.to_json() for f in result.masked],
                   "kept": list(result.kept), "removed": list(result.removed), "notes": list(result.notes)}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return
    print(f"已写出脱敏副本：{one_line(str(target))}（遮盖{len(result.masked)}处，复查未发现身份信息）")
    for finding in result.masked:
        print(f"  已遮盖  {one_line(finding.message)}")  # document text: no control characters reach the terminal
    for text in result.kept:
        print(f"  按要求保留  “{one_line(text)}”")
    for what in result.removed:
        print(f"  已清除  {what}")
    for note in result.notes:
        print(f"  注意  {one_line(note)}")


def preview(application: Application, file: Path, fmt: Format, *, call: str | None, sanitize: bool,
            parse: Parse) -> None:
    """`--dry-run`: what a copy would mask (`redact.plan`: one item per text, with where it is),
    refused as the real run refuses it; nothing is written."""
    from screening.engine import Upload
    from screening.redact import plan

    planned = plan(application, Upload(file.name, path=file), parse=parse, call=call)
    if fmt is Format.JSON:
        summary = {**planned.to_json(), "file": str(file), "sanitize": sanitize}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return
    print(f"试运行，未写出任何文件。{one_line(str(file))}：将遮盖{len(planned.texts)}项、{len(planned.found)}处"
          "（要保留某项，正式运行时加 --keep 该项文字）")
    for n, text in enumerate(planned.texts, start=1):
        print(f"  {n}. “{one_line(text)}”")
        for finding in planned.findings_of(text):
            print(f"       {one_line(finding.to_json().get('where') or '')}  {one_line(finding.message)}")
    if sanitize:
        print("  另将清除批注、修订、隐藏文字、文档属性等所有可能藏名之处（--sanitize）")
