"""A .zip attachment → its members, each screened as an attachment of its own (`Parsed.inner`).

Applicants zip a report with its appendices; every member is parsed by what it really is (its
first bytes, as any attachment) and its parts come back into this attachment's Document with
`Part.embedded` = the member's path in the zip. The member names themselves are parts too
(METADATA origin "embedded_file"): "衢州某公司-可行性报告.docx" names the applicant without opening it.

Bounded as the Word parser bounds its package (a zip is a zip): at most `MAX_MEMBERS` members are
read; a member declaring more than `MAX_MEMBER_BYTES`, or more than is left of `MAX_TOTAL_BYTES`,
is not inflated (zipfile never inflates past the declared size); nesting and the number of files
over all levels are bounded by the dispatcher (`screening.parsers.MAX_INNER_DEPTH`,
`MAX_INNER_FILES`). Whatever is not read is `document.unverifiable` (fail), naming the member: the
bureau cannot verify that it names nobody. An encrypted member, likewise. Directories and the
macOS resource forks (__MACOSX/, ._name) are not files anyone wrote.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from screening.errors import CorruptError
from screening.model import Part, PartKind, Problem
from screening.parsers.base import Inner, Parsed

MAX_MEMBERS = 100
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
UNVERIFIABLE = "document.unverifiable"


def _decoded(info: zipfile.ZipInfo) -> str:
    """The member's name as the applicant's machine wrote it: a zip made on a Chinese Windows stores
    GBK names without the UTF-8 flag, which zipfile reads as CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _is_noise(name: str) -> bool:
    path = PurePosixPath(name)
    return path.parts[:1] == ("__MACOSX",) or path.name.startswith("._") or path.name in ("", ".DS_Store", "Thumbs.db")


def parse(data: bytes) -> Parsed:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise CorruptError(f"压缩包无法打开（{type(err).__name__}），可能已损坏") from err
    parts: list[Part] = []
    problems: list[Problem] = []
    inner: list[Inner] = []
    left = MAX_TOTAL_BYTES
    named = [(info, _decoded(info)) for info in infos if not info.is_dir()]
    files = [(info, name) for info, name in named if not _is_noise(name)]
    for k, (info, name) in enumerate(files):
        parts.append(Part(PartKind.METADATA, name, paragraph=k + 1, origin="embedded_file", source=name))
        if k >= MAX_MEMBERS:
            problems.append(Problem(UNVERIFIABLE, f"压缩包内文件超过{MAX_MEMBERS}个，“{name}”等{len(files) - k}个文件未审查，请人工核查"))
            break
        if info.flag_bits & 0x1:
            problems.append(Problem(UNVERIFIABLE, f"压缩包内的“{name}”设置了密码，未审查，请去除密码后重新上传"))
            continue
        if info.file_size > min(MAX_MEMBER_BYTES, left):
            problems.append(Problem(UNVERIFIABLE, f"压缩包内的“{name}”过大（{info.file_size // (1024 * 1024)} MB），未审查，请人工核查"))
            continue
        try:
            member = zf.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as err:
            problems.append(Problem(UNVERIFIABLE, f"压缩包内的“{name}”无法解压（{type(err).__name__}），未审查，请人工核查"))
            continue
        left -= len(member)
        inner.append(Inner(path=name, name=PurePosixPath(name).name, data=member))
    return Parsed(parts=tuple(parts), pages=None, problems=tuple(problems), inner=tuple(inner))
