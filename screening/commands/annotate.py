"""`screening annotate FILE --application APP.json -o OUT`: a copy with every finding shown where it
is (Word comments, PDF highlights and notes), to send back to the applicant.

OUT is the copy's path; when OUT is an existing folder the copy goes into it under the original
name with "-标注" and the extension of what the file really is (`名称-标注.docx`). A file without
findings gets no copy (the command says so and exits 0). Only docx and PDF can be annotated;
anything else stops the command (exit 2), as `redact` does. Parsing and annotating run in limited
processes (`screening.isolation`, limits from the `SCREENING_*` variables).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from screening.cli import CallOpt, Format, FormatOpt, app
from screening.report import one_line
from screening.wording import SEVERITY


@app.command()
def annotate(
    file: Annotated[Path, typer.Argument(help="要标注的附件（docx 或 pdf）")],
    application: Annotated[Path, typer.Option(
        "--application", "-a", help="申报书 application.json，其中有要查找的单位和人员")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="标注副本的写出位置（文件，或已有的文件夹）")],
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
) -> None:
    """生成附件的标注副本：以Word批注或PDF高亮在原文位置标出筛查发现的每个问题，供退回申报单位修改。"""
    from screening.annotate import annotate as make_copy
    from screening.annotate import mark_bytes
    from screening.application import load_application
    from screening.engine import Upload
    from screening.errors import UsageError
    from screening.isolation import Isolation
    from screening.limits import from_env

    if not file.is_file():
        raise UsageError(f"文件不存在或不是普通文件：{file}")
    isolation = Isolation(from_env())
    given = None if out.is_dir() else out.name
    result = make_copy(load_application(application), Upload(file.name, path=file), call=call, output_name=given,
                       parse=isolation.parse, mark=lambda *args: isolation.run(mark_bytes, *args))
    target = out / result.file if out.is_dir() else out
    if not result.findings:
        if fmt is Format.JSON:
            sys.stdout.write(json.dumps({"file": None, "format": result.format, "findings": []}, ensure_ascii=False,
                                        indent=2) + "\n")
        else:
            print(f"{one_line(file.name)}：未发现问题，未写出标注副本")
        return
    try:
        target.write_bytes(result.data)
    except OSError as err:
        raise UsageError(f"{target}: 无法写入（{err.strerror or err}）") from None
    if fmt is Format.JSON:
        summary = {"file": str(target), "format": result.format, "anchored": result.anchored, "listed": result.listed,
                   "findings": [f.to_json() for f in result.findings]}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return
    listed = f"，{result.listed}处无法标注在原文位置，列于汇总批注中" if result.listed else ""
    print(f"已写出标注副本：{one_line(str(target))}（共{len(result.findings)}处问题：{result.anchored}处标注在原文位置{listed}）")
    for finding in result.findings:
        print(f"  {SEVERITY[finding.severity.value]}  {one_line(finding.message)}")
