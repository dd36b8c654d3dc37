"""`screening redact FILE --application APP.json -o OUT`: a copy with the leaked identities masked.

OUT is the copy's path; when OUT is an existing folder the copy goes into it under the original
name with leaks masked (`名称-脱敏.docx`). The copy is screened again before it is written; if
anything still leaks, nothing is written and the command fails (exit 2), naming what is left.
Parsing and masking run in limited processes (`screening.isolation`, limits from the
`SCREENING_*` variables), so a hostile file cannot hang or exhaust the command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from screening.cli import CallOpt, Format, FormatOpt, app
from screening.report import one_line


@app.command()
def redact(
    file: Annotated[Path, typer.Argument(help="the attachment to redact (docx or pdf)")],
    application: Annotated[Path, typer.Option("--application", "-a", help="application.json with the identities")],
    out: Annotated[Path, typer.Option("--out", "-o", help="where to write the copy (a file, or an existing folder)")],
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
    sanitize: Annotated[bool, typer.Option("--sanitize", help="同时清除批注、修订、隐藏文字、文档属性、自定义XML、嵌入文件、脚本、XMP和早期版本等所有可能藏名之处（无论其中有无泄露）")] = False,
) -> None:
    """Write a copy of FILE with every leaked identity masked, verified by screening it again."""
    from screening.application import load_application
    from screening.engine import Upload
    from screening.errors import UsageError
    from screening.isolation import Isolation
    from screening.limits import from_env
    from screening.redact import mask_bytes, sanitize_bytes
    from screening.redact import redact as make_copy

    if not file.is_file():
        raise UsageError(f"文件不存在或不是普通文件：{file}")
    given = None if out.is_dir() else out.name
    isolation = Isolation(from_env())
    result = make_copy(load_application(application), Upload(file.name, path=file), call=call, output_name=given,
                       parse=isolation.parse, mask=lambda *args: isolation.run(mask_bytes, *args),
                       sanitize=sanitize, clean=lambda *args: isolation.run(sanitize_bytes, *args))
    target = out / result.file if out.is_dir() else out
    try:
        target.write_bytes(result.data)
    except OSError as err:
        raise UsageError(f"{target}: 无法写入（{err.strerror or err}）") from None
    if fmt is Format.JSON:
        summary = {"file": str(target), "format": result.format, "masked": [f.to_json() for f in result.masked],
                   "removed": list(result.removed), "notes": list(result.notes)}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return
    print(f"已写出脱敏副本：{one_line(str(target))}（遮盖{len(result.masked)}处，复查未发现身份信息）")
    for finding in result.masked:
        print(f"  已遮盖  {one_line(finding.message)}")  # document text: no control characters reach the terminal
    for what in result.removed:
        print(f"  已清除  {what}")
    for note in result.notes:
        print(f"  注意  {one_line(note)}")
