"""Attachments → `Document`. The table of formats (screening/formats.py) maps a sniffed format to
its parser.

The format is decided by the file's first bytes, never by its extension alone: an extension that
lies is reported (`document.unsupported`, warn) and the file is still read by what it really is,
so a leak cannot hide behind a wrong name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PureWindowsPath

from screening import formats
from screening.errors import AttachmentError, CorruptError, EncryptedError, UnsupportedError
from screening.formats import Format, sniff
from screening.model import Document, Part, PartKind, Problem, Role
from screening.parsers.base import Inner, Parsed


def _parser(fmt: Format) -> Callable[[bytes], Parsed]:
    reference = formats.info(fmt).parser
    if reference is None:
        raise UnsupportedError(f"不支持的附件格式：{formats.info(fmt).name}，请上传{formats.ACCEPTED}")
    return formats.function(reference)


def filename_part(name: str) -> Part:
    return Part(kind=PartKind.FILENAME, text=name, origin="filename", source=name)


# UTF-16 surrogate code points: a str holding one cannot be written as UTF-8 (the report's JSON,
# the text output), and they are the only code points for which that is so. Broken PDF ToUnicode
# maps (and pdfium's one-unit-per-character text) produce them, lone ('\ud835') or in halves.
_UNENCODABLE = re.compile("[\ud800-\udfff]")
TEXT_REPAIRED = "document.text_repaired"


def _clean(text: str) -> tuple[str, int]:
    """`text` with every surrogate replaced by U+FFFD, one for one (offsets stay valid), and how many."""
    if text.isascii() or _UNENCODABLE.search(text) is None:
        return text, 0
    return _UNENCODABLE.subn("\ufffd", text)


def repair_text(document: Document) -> Document:
    """Every text a parser produced, made encodable: the one place all of it passes through.

    What was replaced is said in the document (`document.text_repaired`, a problem at the call's
    severity, info by default) — the rest of the text is screened as usual."""
    fixed = 0
    first: Part | None = None  # where the first repaired text is, for the note
    parts: list[Part] = []
    for part in document.parts:
        text, n = _clean(part.text)
        source, m = _clean(part.source)
        origin, k = _clean(part.origin)
        if n + m + k:
            fixed += n + m + k
            first = first or part
            part = replace(part, text=text, source=source, origin=origin)
        parts.append(part)
    problems: list[Problem] = []
    for problem in document.problems:
        message, n = _clean(problem.message)
        fixed += n
        problems.append(replace(problem, message=message) if n else problem)
    file, n = _clean(document.file)
    fixed += n
    if not fixed:
        return document
    problems.append(Problem(
        TEXT_REPAIRED,
        f"附件中有{fixed}个无法编码的字符（孤立的UTF-16代理项，常见于字体编码表损坏的PDF），已替换为“\ufffd”后审查；"
        "这些位置的文字可能显示为乱码",
        page=first.page if first else None,
        part=first.kind if first else None,
    ))
    return replace(document, file=file, parts=tuple(parts), problems=tuple(problems))


def parse_bytes(data: bytes, name: str, role: Role = Role.OTHER, role_source: str = "inferred") -> Document:
    """Parse one attachment. Never raises for a bad file: problems become `Document.problems`.
    Its text is always encodable (`repair_text`)."""
    return repair_text(_parse_bytes(data, name, role, role_source))


# Files inside the attachment (`Parsed.inner`: zip members, objects embedded in a Word document,
# files attached to a PDF) are parsed as attachments of their own, their parts added to the
# attachment's with `Part.embedded` saying where they sit. Bounded: a file nested deeper than
# this, or more files than this in one attachment (all levels), is not read — and said so, at fail
# (document.unverifiable: the bureau cannot verify that it names nobody).
MAX_INNER_DEPTH = 3  # a document in a zip is depth 1, a workbook embedded in it depth 2
MAX_INNER_FILES = 100


def _parse_bytes(data: bytes, name: str, role: Role, role_source: str, depth: int = 0,
                 budget: list[int] | None = None) -> Document:
    sha = hashlib.sha256(data).hexdigest()
    name = PureWindowsPath(name).name  # a client's name is never a path (either separator)
    parts: list[Part] = [filename_part(name)]
    problems: list[Problem] = []
    ext = Path(name).suffix.lower()
    promised = formats.EXTENSIONS.get(ext)
    fmt = formats.settle(sniff(data), promised) if data else Format.UNKNOWN

    def doc(parsed: Parsed | None, real: Format) -> Document:
        return Document(
            file=name,
            format=real,
            sha256=sha,
            pages=parsed.pages if parsed else None,
            parts=tuple(parts) + (parsed.parts if parsed else ()),
            images=parsed.images if parsed else (),
            problems=tuple(problems) + (parsed.problems if parsed else ()),
            role=role,
            role_source=role_source,
        )

    if not data:
        problems.append(Problem("document.unreadable", "附件为空文件（0字节），无法审查"))
        return doc(None, Format.UNKNOWN)
    if depth == 0 and promised is not None and not formats.info(promised).upload:
        # read (a name in it is still found), but no attachment the bureau accepts (plain text, a web page)
        problems.append(Problem("document.unsupported", f"不支持的附件类型“{ext}”（{formats.info(promised).name}），"
                                                        f"其中文字已审查，请上传{formats.ACCEPTED}"))
    if promised is None:
        what = formats.info(fmt).name
        problems.append(Problem("document.unsupported", f"不支持的附件类型“{ext or '无扩展名'}”（内容为{what}），请上传{formats.ACCEPTED}"))
        if fmt not in formats.READABLE:
            return doc(None, fmt)
    elif fmt is Format.ENCRYPTED_OFFICE:
        sheet = promised in (Format.XLSX, Format.XLS)
        problems.append(Problem("document.encrypted", f"{'Excel表格' if sheet else 'Word文档'}设置了打开密码，无法审查，请去除密码后重新上传"))
        return doc(None, promised if sheet else formats.parsed_as(fmt))
    elif fmt != promised:
        if fmt in formats.READABLE:
            problems.append(Problem(
                "document.unsupported",
                f"文件扩展名为“{ext}”，但内容实际是{formats.info(fmt).name}；已按实际格式审查，请改正扩展名后重新上传",
            ))
        else:
            problems.append(Problem(
                "document.unsupported",
                f"文件扩展名为“{ext}”，但内容不是{formats.info(promised).name}（实际为{formats.info(fmt).name}），无法审查",
            ))
            return doc(None, fmt)
    try:
        parsed = _parser(fmt)(data)
    except AttachmentError as err:
        problems.append(Problem(err.rule, err.message, page=err.page))
        return doc(None, fmt)
    except MemoryError:
        problems.append(Problem("document.too_large", "附件解析所需内存超出限制，无法审查，请精简后重新上传"))
        return doc(None, fmt)
    except Exception as err:  # a parser bug or a file our libraries choke on: the run goes on
        problems.append(Problem("document.unreadable", f"附件无法解析（{type(err).__name__}: {str(err)[:200]}），可能已损坏"))
        return doc(None, fmt)
    document = _with_ocr(doc(parsed, fmt), data)
    return _with_inner(document, parsed.inner, depth, [MAX_INNER_FILES] if budget is None else budget)


def _with_inner(document: Document, inner: tuple[Inner, ...], depth: int, budget: list[int]) -> Document:
    """`document` with the parts of the files inside it (see MAX_INNER_DEPTH); `budget` holds how
    many more files may be read for this attachment, shared by every level."""
    if not inner:
        return document
    parts, problems, ocr = list(document.parts), list(document.problems), document.ocr
    for item in inner:
        if depth + 1 > MAX_INNER_DEPTH or budget[0] <= 0:
            why = "嵌套层数过多" if depth + 1 > MAX_INNER_DEPTH else f"内含文件超过{MAX_INNER_FILES}个"
            problems.append(Problem("document.unverifiable",
                                    f"附件中嵌入的文件“{item.path}”未审查（{why}），无法确认其中是否含有申报单位或人员信息，请人工核查"))
            continue
        budget[0] -= 1
        found = _parse_bytes(item.data, item.name, Role.OTHER, "inferred", depth + 1, budget)
        ocr = ocr or found.ocr
        for part in found.parts:
            parts.append(replace(part, embedded=f"{item.path} › {part.embedded}" if part.embedded else item.path))
        for problem in found.problems:
            problems.append(replace(problem, message=f"嵌入的文件“{item.path}”：{problem.message}", page=None))
    return replace(document, parts=tuple(parts), problems=tuple(problems), ocr=ocr)


def _with_ocr(document: Document, data: bytes) -> Document:
    """The text of scanned pages and pictures, read by OCR (parsers/ocr.py) unless SCREENING_OCR=0."""
    if not document.images:
        return document
    from screening.parsers import ocr

    return ocr.ocr_document(document, data) if ocr.enabled() else document


def parse_file(path: Path, role: Role = Role.OTHER, role_source: str = "inferred") -> Document:
    """Parse a file on disk; an unreadable path is a finding too (a race with a deleted upload)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        return repair_text(Document(
            file=path.name, format=Format.UNKNOWN, sha256="", pages=None,
            parts=(filename_part(path.name),),
            problems=(Problem("document.unreadable", f"附件无法读取：{err.strerror or err}"),),
            role=role, role_source=role_source,
        ))
    return parse_bytes(data, path.name, role, role_source)


__all__ = ["CorruptError", "EncryptedError", "Parsed", "UnsupportedError", "parse_bytes", "parse_file", "repair_text", "sniff"]
