"""Reading one XML member of a zip package (docx) safely, by streaming it through lxml.

A size guard must never hide what is readable. The compression ratio of an XML part says nothing
about what it holds: 3 MB of comment or whitespace compresses a thousandfold and costs nothing to
skip. So XML members are not judged by their ratio but read in chunks through a feed parser
(comments and processing instructions dropped, entities unresolved, no DTD, no network, libxml2's
own size limits kept: `huge_tree=False`) and bounded by what they really cost:

* `MAX_XML_PART` — a member whose declared size is larger is not inflated at all (zipfile never
  inflates more than the declared size, so the declaration is a real bound);
* a `Budget` shared by every member of one package: `MAX_XML_TOTAL` bytes inflated and
  `MAX_XML_ELEMENTS` elements built in all; a member that would exceed it is not read, and a
  member exceeding it while being read is cut there;
* libxml2's limits on one node (a text node, comment, processing instruction, CDATA section or
  attribute longer than 10 MB) cut the member where they are hit.

Damage is read the same way: a member that stops being well-formed XML (a truncated part, nesting
deeper than libxml2's 256 levels), or whose zip data is damaged (a deflate stream that ends early
or is invalid, a CRC mismatch, a compression method zipfile cannot inflate), is cut where the
damage is met, with `Cut.damaged` set: what was parsed before it is returned. zipfile drops the
chunk (`CHUNK` bytes) in which it meets zip damage, and checks the CRC only at the member's end,
so of a small member whose zip data is damaged nothing is read, of a large one all but its last
chunk (possibly altered text: it is screened all the same).

A member is first read whole by libxml2 (`_read_whole`: no Python object per element, a third of
the cost); only one that does not read whole — damaged, cut by a limit, over the element budget,
declaring a DOCTYPE — is read again element by element (`_read_events`), which says where it stops.

`read_member` returns the tree built so far and, when a limit or damage stopped it, why (`Cut`):
the caller screens what was read and reports the rest as not verifiable. A member that declares a
DOCTYPE (Word never writes one: entity tricks) raises `CorruptError` before anything of it is
used; an encrypted member is the caller's to refuse before calling.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from screening.errors import CorruptError, TooLargeError

__all__ = ["CHUNK", "MAX_XML_ELEMENTS", "MAX_XML_PART", "MAX_XML_TOTAL", "ZIP_DAMAGE", "Budget", "Cut", "DoctypeError",
           "read_member"]

MB = 1024 * 1024
MAX_XML_PART = 64 * MB  # one XML member larger than this (as inflated) is no report a person wrote
MAX_XML_TOTAL = 256 * MB  # XML inflated from one package, in all
MAX_XML_ELEMENTS = 2_000_000  # elements built from one package, in all (a 300-page report has ~300 000)
CHUNK = 256 * 1024
# a member read whole is fed to libxml2 in pieces this large: each piece fed costs (a 350-KB styles
# part: 2.75 ms in one piece, 3.2 ms in 256-KB pieces, 4.5 ms in 64-KB ones)
WHOLE_CHUNK = 4 * MB

# libxml2's messages when one of its size limits (not a syntax error) stops a parse; nesting depth
# is left out on purpose: a structure deeper than 256 is a malformed file (document.unreadable)
_LIMIT_MESSAGE = re.compile(r"too big|too long|Resource limit exceeded|Huge input", re.IGNORECASE)
_DEPTH_MESSAGE = re.compile(r"Excessive depth", re.IGNORECASE)
_PROLOG_TRAPS = (b"<!DOCTYPE", b"<!ENTITY")
_DOCTYPE = "Word文档含有文档类型声明(DOCTYPE)，Word不会生成这种内容，疑似恶意文件，未予审查"


class DoctypeError(CorruptError):
    """A member declaring a DOCTYPE (or an entity): refused before anything of it is used."""

    def __init__(self) -> None:
        super().__init__(_DOCTYPE)


@dataclass(slots=True)
class Budget:
    """What one package may still cost: bytes to inflate, elements to build."""

    bytes_left: int = MAX_XML_TOTAL
    elements_left: int = MAX_XML_ELEMENTS


@dataclass(frozen=True, slots=True)
class Cut:
    """Why a member was not read to its end (Chinese, for a finding), whether anything of it was,
    and whether damage (not a size limit) stopped it."""

    reason: str
    partial: bool
    damaged: bool = False


# how every member is parsed, whole or element by element: no entity resolved, nothing fetched,
# libxml2's size limits kept, comments and processing instructions dropped
_SAFE = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False,
         "remove_comments": True, "remove_pis": True}


def _parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(events=("start",), **_SAFE)


def mb(n: int) -> str:
    """A size as a clerk reads it (12MB, 900字节)."""
    return f"{n / MB:.0f}MB" if n >= MB else f"{n}字节"


def _limit_error(err: etree.XMLSyntaxError) -> bool:
    message = str(err)
    return bool(_LIMIT_MESSAGE.search(message)) and not _DEPTH_MESSAGE.search(message)


def _xml_damage(err: etree.XMLSyntaxError) -> str:
    if _DEPTH_MESSAGE.search(str(err)):
        return "已损坏（结构嵌套过深）"
    return "已损坏（不是格式正确的XML）"


# what zipfile raises for a damaged member: its local header, its deflate stream, its CRC
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


def _zip_damage(err: Exception) -> str:
    if isinstance(err, NotImplementedError):
        return "使用了无法解压的压缩方式"
    if isinstance(err, zipfile.BadZipFile) and "CRC" in str(err):
        return "已损坏（CRC校验失败）"
    if isinstance(err, EOFError):
        return "已损坏（压缩数据不完整）"
    if isinstance(err, zlib.error):
        return "已损坏（压缩数据无效）"
    return "已损坏（压缩包结构错误）"


def _common_start(items: Sequence[bytes]) -> bytes:
    """The longest start all of `items` share (b"" for none): that of the first and the last in
    sorted order."""
    if not items:
        return b""
    first, last = min(items), max(items)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


class _Rewriter:
    """Byte replacements (Strict OOXML namespaces → transitional) applied across chunk borders."""

    def __init__(self, pairs: Sequence[tuple[bytes, bytes]]) -> None:
        self.pairs = pairs
        self.keep = max((len(old) for old, _ in pairs), default=1) - 1
        self.carry = b""
        # what every pattern starts with ("http://purl.oclc.org/ooxml/"): data without it holds
        # none of them, and one search replaces a search per pattern (nearly every member)
        self.mark = _common_start([old for old, _ in pairs])

    def __call__(self, chunk: bytes, last: bool) -> bytes:
        data = self.carry + chunk
        if not self.mark or self.mark in data:
            for old, new in self.pairs:
                data = data.replace(old, new)
        if last or self.keep <= 0:
            self.carry = b""
            return data
        self.carry = data[-self.keep:]
        return data[:-self.keep]


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget,
                rewrite: Sequence[tuple[bytes, bytes]] = ()) -> tuple[etree._Element | None, Cut | None]:
    """The member's root element (possibly cut short, or None) and why it was cut (None: read whole)."""
    if info.file_size > MAX_XML_PART:
        return None, Cut(f"解压后{mb(info.file_size)}，超过单个部分{mb(MAX_XML_PART)}的上限", False)
    if info.file_size > budget.bytes_left:
        return None, Cut(f"超出整个文档可读取的XML总量（{mb(MAX_XML_TOTAL)}）", False)
    if budget.elements_left <= 0:
        return None, Cut(f"整个文档的XML元素超过{MAX_XML_ELEMENTS}个的上限", False)
    spent = budget.bytes_left
    root = _read_whole(zf, info, budget, rewrite)
    if root is not None:
        return root, None
    budget.bytes_left = spent  # read again, element by element, to say where and why it stops
    return _read_events(zf, info, budget, rewrite)


def _read_whole(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget,
                rewrite: Sequence[tuple[bytes, bytes]]) -> etree._Element | None:
    """The member's root when it reads whole within the budget — sound, no DOCTYPE, no limit hit — or
    None, and `_read_events` reads it again to find where it stops. Nearly every member reads whole:
    built by libxml2 alone it costs a third of the element-by-element read (which makes a Python
    object of every element). The element budget is checked per chunk against an upper bound (every
    element opens with one `<` that no `/`, `!` or `?` follows; text and attributes cannot hold a
    raw `<`) when the member is large enough to overrun it, and settled with the tree's exact count."""
    parser = etree.XMLParser(**_SAFE)
    rewriter = _Rewriter(rewrite)
    # no element is shorter than 4 bytes (<a/>): a member this small cannot overrun the budget
    bound = 0
    counting = info.file_size // 3 >= budget.elements_left
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(WHOLE_CHUNK)
                last = not chunk
                budget.bytes_left -= len(chunk)
                data = rewriter(chunk, last)
                if any(trap in data for trap in _PROLOG_TRAPS):
                    return None
                if counting:
                    bound += data.count(b"<") - data.count(b"</") - data.count(b"<!") - data.count(b"<?")
                    if bound > budget.elements_left:
                        return None
                if data:
                    parser.feed(data)
                if last:
                    root = parser.close()
                    break
    except (etree.XMLSyntaxError, *ZIP_DAMAGE):
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        return None
    budget.elements_left -= int(root.xpath("count(//*)"))
    return root


def _read_events(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget,
                 rewrite: Sequence[tuple[bytes, bytes]]) -> tuple[etree._Element | None, Cut | None]:
    """The member read element by element: the tree built so far and why it stopped, if it did."""
    parser = _parser()
    rewriter = _Rewriter(rewrite)
    root: etree._Element | None = None
    prolog = b""  # the bytes before the root element, searched for a DOCTYPE / ENTITY declaration
    cut: Cut | None = None
    try:
        fh = zf.open(info)
    except ZIP_DAMAGE as err:
        return None, Cut(_zip_damage(err), False, damaged=True)
    with fh:
        while cut is None:
            try:
                chunk = fh.read(CHUNK)
            except ZIP_DAMAGE as err:  # the stream ends early, is invalid, or fails its CRC
                chunk, damage = b"", _zip_damage(err)
            else:
                damage = ""
            last = not chunk
            budget.bytes_left -= len(chunk)
            data = rewriter(chunk, last)
            if root is None:
                prolog = prolog[-16:] + data
                if any(trap in prolog for trap in _PROLOG_TRAPS):
                    raise DoctypeError
            limit = None
            try:
                if data:
                    parser.feed(data)
                if last and not damage:
                    closed = parser.close()
                    root = closed if root is None else root
            except etree.XMLSyntaxError as err:
                if _limit_error(err):
                    limit = err
                else:
                    damage = damage or _xml_damage(err)
            for _event, el in parser.read_events():
                if root is None:
                    root = el
                    if el.getroottree().docinfo.internalDTD is not None:
                        raise DoctypeError
                budget.elements_left -= 1
            if damage:  # what was parsed before the damage is kept
                cut = Cut(damage, root is not None, damaged=True)
            elif limit is not None:  # libxml2 stopped at one over-long node
                cut = Cut("含有超过解析器上限（10MB）的单个文本、注释或属性", root is not None)
            elif budget.elements_left < 0 and not last:
                cut = Cut(f"整个文档的XML元素超过{MAX_XML_ELEMENTS}个的上限", root is not None)
            if last:
                break
    return root, cut


def open_package(data: bytes, what: str, max_entries: int) -> zipfile.ZipFile:
    """An OOXML package (docx, xlsx) opened, or `CorruptError` when it is no zip (or its central
    directory, at the end of the file, is missing — a truncated download: nothing can be read);
    `TooLargeError` beyond `max_entries` members, the one limit on the whole archive. `what` names
    the file for a clerk (Word文档, Excel工作簿)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            struct.error) as err:
        raise CorruptError(f"{what}已损坏或不完整") from err
    if len(infos) > max_entries:
        zf.close()
        raise TooLargeError(f"{what}内含文件过多（{len(infos)}个，上限{max_entries}个），疑似恶意文件，未予审查")
    return zf
