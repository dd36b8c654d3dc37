"""A zip package of XML members that is no OOXML file — OpenDocument text (.odt) and OFD — opened
and read under the same guards as a docx (`screening.parsers.xmlsafe`, `screening.parsers.docx.package`).

* The zip as a whole (`open_zip`): no zip, or no central directory (a truncated download) →
  `CorruptError`; more than `MAX_ENTRIES` members → `TooLargeError`. Nothing else refuses the
  whole file: declared sizes are the file's word, and a member that is not inflated costs nothing.
* XML members (`Package.xml`) are streamed by `xmlsafe.read_member` within one `Budget` for the
  package (comments and processing instructions dropped, no DTD, no entities, no network; 64 MB a
  member, 256 MB and 2 000 000 elements in all). A text-bearing member that a limit or damage cuts
  short, or that is refused (a DOCTYPE), is `document.unverifiable` — what was read of it is still
  screened; a member bearing no text (styles) is `document.too_large` / `document.unreadable`.
* Any other member (pictures, fonts, embedded files) is inflated only when it declares at most
  `MAX_MEDIA_PART` and fits in what is left of `MAX_TOTAL_BYTES` (spent in zip order);
  `Package.skipped` says why one is not. A picture so skipped is `document.unverifiable` (a logo or
  a stamp can name the applicant), at most `MAX_PICTURE_PROBLEMS` of them one by one.

The limits are read as ``zippkg.NAME`` when the code runs, so a test patches them here.
"""

from __future__ import annotations

import posixpath
import warnings
import zipfile
from collections.abc import Callable, Iterable
from urllib.parse import unquote

from lxml import etree
from PIL import Image

from screening.errors import CorruptError, EncryptedError
from screening.model import ImageRef, PartKind, Problem
from screening.parsers.xmlsafe import ZIP_DAMAGE, Budget, DoctypeError, mb, open_package, read_member

MB = 1024 * 1024
MAX_ENTRIES = 5000  # members of the whole archive: more and nothing is read (as for a docx)
MAX_MEDIA_PART = 64 * MB  # one picture or other non-XML member larger than this (inflated) is not inflated
MAX_TOTAL_BYTES = 500 * MB  # non-XML members inflated in all
MAX_PICTURE_PROBLEMS = 20  # pictures not inflated reported one by one; any more are counted in one problem

XML_SUFFIXES = (".xml", ".rels")


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """The package opened (`xmlsafe.open_package`); `what` names the format for a clerk."""
    return open_package(data, what, MAX_ENTRIES)


def localname(el: etree._Element) -> str:
    """The element's name without its namespace ("" for anything that is no element)."""
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def skipped(infos: Iterable[zipfile.ZipInfo], guarded: Callable[[zipfile.ZipInfo], bool],
            max_part: int | None = None, max_total: int | None = None) -> dict[str, str]:
    """The members the per-member guard does not inflate, in zip order, each with why (Chinese):
    of the `guarded` members, one declaring more than `max_part`, or more than is left of
    `max_total` (spent by the members that are inflated); by default this module's limits. Shared by the Word and OpenDocument
    packages."""
    max_part = MAX_MEDIA_PART if max_part is None else max_part  # read when called: the limits may be patched
    max_total = MAX_TOTAL_BYTES if max_total is None else max_total
    out: dict[str, str] = {}
    left = max_total
    for info in infos:
        if not guarded(info):
            continue
        size = info.file_size
        if size > max_part:
            out[info.filename] = f"解压后{mb(size)}，超过单个文件{mb(max_part)}的上限，疑似压缩炸弹"
        elif size > left:
            out[info.filename] = f"超出整个文档可解压的图片等文件总量（{mb(max_total)}）"
        else:
            left -= size
    return out


def _not_xml(info: zipfile.ZipInfo) -> bool:
    return not info.is_dir() and not info.filename.lower().endswith(XML_SUFFIXES)


def _refused(err: Exception) -> str:
    if isinstance(err, DoctypeError):
        return "含有文档类型声明(DOCTYPE)，正常文档不会有这种内容，疑似恶意文件，其中的内容未予读取"
    if isinstance(err, EncryptedError):
        return "被加密，其中的内容无法读取"
    return f"无法读取（{type(err).__name__}）"


class Package:
    """Case-insensitive access to a package's members; their XML read safely; problems collected."""

    def __init__(self, zf: zipfile.ZipFile, what: str) -> None:
        self.zf = zf
        self.what = what  # the format as a clerk calls it: "ODF文档", "OFD文件"
        self.names: dict[str, str] = {i.filename.lower(): i.filename for i in zf.infolist() if not i.is_dir()}
        self.skipped = skipped(zf.infolist(), _not_xml)
        self.budget = Budget()
        self.problems: list[Problem] = []

    def find(self, name: str) -> str | None:
        name = name.replace("\\", "/").lstrip("/")
        return self.names.get(name.lower()) or self.names.get(unquote(name).lower())

    def resolve(self, base: str, target: str) -> str | None:
        """The member `target` names, relative to the folder of member `base` (or absolute with "/")."""
        target = target.strip().replace("\\", "/")
        if not target:
            return None
        if target.startswith("/"):
            return self.find(posixpath.normpath(target))
        return self.find(posixpath.normpath(posixpath.join(posixpath.dirname(base), target)))

    def unverifiable(self, member: str, what: str, why: str, part: PartKind | None) -> None:
        self.problems.append(Problem(
            "document.unverifiable", f"附件的{what}部分（{member}）{why}，无法确认是否暴露身份", part=part))

    def xml(self, member: str, what: str, part: PartKind | None = None, *,
            bears_text: bool = True) -> etree._Element | None:
        """A member's XML root (what was read of it when cut short; None when nothing could be)."""
        info = self.zf.getinfo(member)
        try:
            if info.flag_bits & 0x1:
                raise EncryptedError(f"{self.what}中的“{member}”被加密")
            root, cut = read_member(self.zf, info, self.budget)
        except (*ZIP_DAMAGE, RuntimeError, CorruptError, EncryptedError) as err:
            if bears_text:
                self.unverifiable(member, what, _refused(err), part)
            else:
                self.problems.append(Problem("document.unreadable", f"{self.what}中的{what}（{member}）{_refused(err)}",
                                             part=part))
            return None
        if cut is not None:
            rest = "其后的内容" if cut.partial else "其中的内容"
            if bears_text:
                self.unverifiable(member, what, f"{cut.reason}，{rest}无法读取", part)
            else:
                rule = "document.unreadable" if cut.damaged else "document.too_large"
                self.problems.append(Problem(rule, f"{self.what}中的{what}（{member}）{cut.reason}，{rest}未能读取",
                                             part=part))
        return root

    def read(self, member: str) -> bytes | None:
        """A non-XML member's bytes; None when the guard does not inflate it or it is damaged."""
        if member in self.skipped:
            return None
        try:
            return self.zf.read(member)
        except (*ZIP_DAMAGE, RuntimeError):
            return None

    def images(self, pages: dict[str, int | None]) -> tuple[ImageRef, ...]:
        """The pictures `pages` lists (member → the page showing it first) as `ImageRef`s for OCR;
        each one the guard does not inflate is a `document.unverifiable` problem instead."""
        out: list[ImageRef] = []
        unread: list[tuple[str, str]] = []
        for member, page in pages.items():
            reason = self.skipped.get(member)
            if reason is not None:
                unread.append((member, reason))
                continue
            info = self.zf.getinfo(member)
            width, height = image_size(self.zf, info)
            out.append(ImageRef(source=member, page=page, width=width, height=height, size=info.file_size))
        for member, reason in unread[:MAX_PICTURE_PROBLEMS]:
            page = pages.get(member)
            where = f"第{page}页" if page else ""
            self.problems.append(Problem(
                "document.unverifiable", f"附件{where}的图片（{member}）{reason}，未予读取；图片可能含有申报单位名称或"
                "标志（如徽标、印章），无法确认是否暴露身份", page=page, part=PartKind.IMAGE))
        if len(unread) > MAX_PICTURE_PROBLEMS:
            rest = unread[MAX_PICTURE_PROBLEMS:]
            self.problems.append(Problem(
                "document.unverifiable", f"附件中另有{len(rest)}张图片（{rest[0][0]}等）同样超出解压限制，未予读取，"
                "无法确认其中是否暴露身份", part=PartKind.IMAGE))
        return tuple(out)


def image_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int | None, int | None]:
    """Width and height from the picture's header; None where Pillow cannot tell (or refuses a bomb)."""
    try:
        with zf.open(info) as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fh) as im:
                width, height = im.size
                return int(width), int(height)
    except Exception:  # an unreadable or unsupported picture: its size just stays unknown
        return None, None


__all__ = ["MAX_ENTRIES", "MAX_MEDIA_PART", "MAX_PICTURE_PROBLEMS", "MAX_TOTAL_BYTES", "Package", "image_size",
           "localname", "open_zip"]
