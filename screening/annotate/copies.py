"""An annotated copy of one attachment: screen it (the same `screen()` as everything else), then
show every finding of that file in a copy of it (`mark_bytes`: the format's annotator, named in
the formats table). The copy is named after the original, with the extension of what the file
really is.

`annotate_bytes` is the same for a caller that has already screened (the HTTP service): the
upload, the findings, and the parsed document when there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from screening import formats
from screening.annotate.notes import AnnotationError, Marked
from screening.application import Application
from screening.engine import Upload, parse_upload, screen
from screening.errors import AttachmentError
from screening.model import Document, Finding, Report

Parse = Callable[[Upload, Application | None], Document]
Mark = Callable[[bytes, str, Sequence[Finding], Document | None], Marked]
SUFFIX = "-标注"
REFUSED = {"document.encrypted": "附件设置了密码"}  # nothing of it can be written back


@dataclass(frozen=True, slots=True)
class Annotation:
    data: bytes
    file: str  # the name the copy should have
    format: str  # "docx" | "pdf"
    findings: tuple[Finding, ...]  # every finding of the file: each is shown in the copy
    anchored: int  # … of which shown where it is
    listed: int  # … of which listed in the overview (no place of its own in the text)


def mark_bytes(data: bytes, fmt: str, findings: Sequence[Finding], document: Document | None = None) -> Marked:
    """The file with the findings shown in it, by the format's annotator; runs in a limited process
    in the command."""
    annotator = formats.info(fmt).annotator
    if annotator is None:
        raise AnnotationError(f"无法为“{formats.info(fmt).name}”格式的附件生成标注副本（只支持docx和pdf）")
    result: Marked = formats.function(annotator)(data, findings, document)
    return result


def annotate_bytes(upload: Upload, findings: Sequence[Finding], document: Document | None = None) -> tuple[bytes, int]:
    """The upload with its findings shown in it, and how many findings it shows: those of
    `findings` whose `file` is the upload's name (all of them), e.g. a report's findings. `document`
    (the report's parsed document of the upload) gives the format and the boxes OCR read; without it
    the format is read from the bytes. Raises `AnnotationError` for a format that cannot be annotated
    or a file behind a password. The service should run it in a limited process, as the command runs
    `mark_bytes` (`Isolation.run`): python-docx and pypdf read the whole file."""
    data = upload.read()
    name = Path(upload.name).name
    if document is not None:
        check_annotatable(document)
    fmt = document.format if document is not None else formats.parsed_as(formats.sniff(data))
    marked = mark_bytes(data, fmt, [f for f in findings if f.file == name], document)
    return marked.data, marked.count


def findings_of(report: Report, file: str) -> list[Finding]:
    """Every finding of one file of a report, in the report's order (most severe first)."""
    return sorted((f for f in report.findings if f.file == file), key=Finding.sort_key)


def copy_name(name: str, fmt: str, suffix: str = SUFFIX) -> str:
    """The original name with `suffix` and the extension of the real format: 可行性报告-标注.docx."""
    return f"{Path(name).stem or '附件'}{suffix}{formats.info(fmt).extensions[0]}"


def check_annotatable(doc: Document) -> None:
    """Refuse what no copy can be made of: a format without an annotator, a file behind a password."""
    if doc.format not in formats.ANNOTATABLE:
        what = formats.info(doc.format).name
        raise AnnotationError(f"{doc.file}：{what}无法生成标注副本（只支持docx和pdf），请对照审查报告人工处理")
    for problem in doc.problems:
        if problem.rule in REFUSED:
            raise AnnotationError(f"{doc.file}：{REFUSED[problem.rule]}，无法生成标注副本（{problem.message}）")


def annotate(application: Application, upload: Upload, *, parse: Parse = parse_upload, mark: Mark = mark_bytes,
             call: str | None = None, output_name: str | None = None) -> Annotation:
    """Screen one attachment and make its annotated copy (see the module docstring); `parse` and
    `mark` are injectable so that the command runs both in limited processes."""
    data = upload.content(AnnotationError)
    upload = Upload(Path(upload.name).name, data=data)
    report = screen(application, [upload], parse=parse, call=call)
    doc = report.documents[0]
    check_annotatable(doc)
    found = findings_of(report, doc.file)
    try:
        marked = mark(data, doc.format, found, doc)
    except AttachmentError as err:  # the limited process timed out or ran out of memory
        raise AnnotationError(f"无法生成标注副本：{err.message}") from None
    return Annotation(data=marked.data, file=output_name or copy_name(doc.file, doc.format), format=doc.format,
                      findings=tuple(found), anchored=marked.anchored, listed=marked.listed)
