"""Legacy Word (.doc) and WPS (.wps) → `Parsed`: converted to .docx by LibreOffice and read by the
docx parser; the document properties read from the original through olefile.

Both are OLE2 compound files with a "WordDocument" stream: Kingsoft WPS writes the Word 97 binary
format (with extensions of its own that LibreOffice ignores), so the bytes cannot tell a .wps from
a .doc — the extension decides (`formats.settle`), and the `Document` keeps its format (doc or
wps). (Microsoft Works .wps files have no WordDocument stream and are not read.)

What becomes a `Part`:

* with LibreOffice (`soffice` or `libreoffice` on PATH): the file is converted to .docx
  (`soffice --headless --convert-to docx`, in a private temporary folder with a private user
  profile, at most `CONVERT_TIMEOUT` seconds, its whole process group killed past that:
  `document.timeout`) and every part the docx parser finds is kept — body, tables, headers and
  footers, text boxes, comments and their authors, notes, tracked deletions, hidden text, pictures
  for OCR (`ocr.legacy_pictures`, which reuses the conversion) — except the converted file's own
  properties (docProps/*, LibreOffice's rewriting of the same properties), replaced by the
  original's below. Sources and paragraph numbers are the converted file's ("word/document.xml");
  pages are LibreOffice's layout;
* always, converter or not: the OLE property streams (\\x05SummaryInformation,
  \\x05DocumentSummaryInformation, read by olefile, decoded by `sheets.oleprops`) → METADATA
  "core.creator" (author), "core.lastModifiedBy" (last saved by), "core.title", "core.subject",
  "core.keywords", "core.description", "app.Company", "app.Manager", "app.Template",
  "core.category", "custom.<name>" — the origins a docx's properties have.

Without LibreOffice the text is not read: the file gets a `document.unsupported` problem saying so
and what to install (`INSTALL`), and its properties are still screened. A file olefile cannot open
or without a WordDocument stream → `CorruptError`; a password-protected one (the FIB's fEncrypted
flag) → `EncryptedError`; a file LibreOffice cannot convert → `CorruptError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import struct
import subprocess
import tempfile
from pathlib import Path

from screening.errors import AttachmentError, CorruptError, EncryptedError
from screening.model import Part, PartKind, Problem
from screening.parsers.base import Parsed
from screening.parsers.sheets import oleprops

CONVERTERS = ("soffice", "libreoffice")  # LibreOffice's command, by either of its names
CONVERT_TIMEOUT = 20.0  # seconds one conversion may take (a 100-page report takes about 3); under the parse timeout
INSTALL = "apt-get install libreoffice-writer-nogui"
NAMES = {"doc": "旧版Word(doc)", "wps": "WPS文字(wps)"}
_FENCRYPTED = 0x0100  # FibBase flags (offset 10 of the WordDocument stream): the document has a password


class ConversionTimeout(AttachmentError):
    """LibreOffice took longer than `CONVERT_TIMEOUT`."""

    rule = "document.timeout"


def converter() -> str | None:
    """The path of LibreOffice's command, or None when it is not installed."""
    return next((found for name in CONVERTERS if (found := shutil.which(name))), None)


def parse_doc(data: bytes) -> Parsed:
    return _parse(data, "doc")


def parse_wps(data: bytes) -> Parsed:
    return _parse(data, "wps")


def _parse(data: bytes, kind: str) -> Parsed:
    what = NAMES[kind]
    properties, problems = _properties(data, what)
    if converter() is None:
        problems.append(Problem(
            "document.unsupported",
            f"{what}文件的正文未能读取：本机未安装LibreOffice，无法转换后审查（Debian/Ubuntu请执行：{INSTALL}）；"
            "目前只审查了文档属性，正文、页眉页脚、批注等均未审查。请安装后重新审查，或请申报单位另存为docx后重新上传"))
        return Parsed(parts=tuple(properties), pages=None, problems=tuple(problems))
    from screening.parsers import docx

    parsed = docx.parse(converted(data))
    kept = tuple(p for p in parsed.parts if not p.source.startswith("docProps/"))
    return Parsed(parts=(*kept, *properties), pages=parsed.pages, images=parsed.images,
                  problems=(*parsed.problems, *problems))


def _properties(data: bytes, what: str) -> tuple[list[Part], list[Problem]]:
    """The OLE property streams → METADATA parts; refuses a file that is no Word binary or has a password."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error, IndexError, TypeError) as err:
        raise CorruptError(f"{what}文件已损坏或不完整（{type(err).__name__}）") from err
    with ole:
        if not ole.exists("WordDocument"):
            raise CorruptError(f"{what}文件缺少正文数据流（WordDocument），文件已损坏或不是Word/WPS文档")
        try:
            fib = ole.openstream("WordDocument").read(12)
        except (OSError, ValueError, struct.error, IndexError) as err:
            raise CorruptError(f"{what}文件的正文数据流已损坏（{type(err).__name__}）") from err
        if len(fib) >= 12 and struct.unpack_from("<H", fib, 10)[0] & _FENCRYPTED:
            raise EncryptedError(f"{what}文件设置了打开密码，无法审查，请去除密码后重新上传")
        parts: list[Part] = []
        problems: list[Problem] = []
        for stream in (oleprops.SUMMARY, oleprops.DOC_SUMMARY):
            if not ole.exists(stream):
                continue
            try:
                found, unknown = oleprops.read(ole.openstream(stream).read())
            except (oleprops.PropertyError, OSError, ValueError, struct.error, IndexError) as err:
                problems.append(Problem("document.unreadable", f"{what}文件的文档属性（{stream.strip(chr(5))}）"
                                        f"已损坏，未能读取（{err}）", part=PartKind.METADATA))
                continue
            parts += [Part(PartKind.METADATA, value, origin=origin, source=stream.strip("\x05"))
                      for origin, value in found]
            if unknown:
                problems.append(Problem("document.unreadable", f"{what}文件的文档属性使用了无法识别的代码页"
                                        f"（{'、'.join(map(str, unknown))}），已按GB18030读取，可能有乱码",
                                        part=PartKind.METADATA))
    return parts, problems


_last: dict[str, bytes] = {}  # the last conversion, by the SHA-256 of the file converted


def forget() -> None:
    """Drop the kept conversion (the next `converted` call converts again)."""
    _last.clear()


def converted(data: bytes) -> bytes:
    """The .docx LibreOffice makes of `data`, a Word 97 binary (.doc or Kingsoft .wps: both are
    handed to LibreOffice as .doc, so that it never takes a Kingsoft file for a Microsoft Works one).
    The last conversion is kept (by the file's hash, not the file) for the OCR of its pictures: a
    file is converted once. Raises `ConversionTimeout` past `CONVERT_TIMEOUT`, `CorruptError` when
    LibreOffice is missing or cannot open the file."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _last:
        result = _convert(data)
        _last.clear()
        _last[digest] = result
    return _last[digest]


def _convert(data: bytes) -> bytes:
    program = converter()
    if program is None:
        raise CorruptError(f"未安装LibreOffice（{INSTALL}），无法转换")
    what = "文件"
    with tempfile.TemporaryDirectory(prefix="screening-convert-") as tmp:
        folder = Path(tmp)
        source = folder / "attachment.doc"
        source.write_bytes(data)
        command = [program, "--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--convert-to", "docx", "--outdir", str(folder / "out"), str(source)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True, cwd=tmp)
        try:
            process.wait(timeout=CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired as err:
            _kill(process)
            raise ConversionTimeout(f"{what}文件用LibreOffice转换超过{CONVERT_TIMEOUT:.0f}秒，未能审查，"
                                    "请申报单位另存为docx后重新上传") from err
        finally:
            _kill(process)  # whatever LibreOffice left running in its session (it normally leaves nothing)
        result = folder / "out" / "attachment.docx"
        if not result.is_file():
            raise CorruptError(f"{what}文件无法被LibreOffice打开，可能已损坏，请申报单位另存为docx后重新上传")
        return result.read_bytes()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """The conversion's whole process group killed (LibreOffice's launcher starts soffice.bin in it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


__all__ = ["CONVERTERS", "CONVERT_TIMEOUT", "INSTALL", "ConversionTimeout", "converted", "converter", "forget",
           "parse_doc", "parse_wps"]
