"""The document properties of an OLE2 file ([MS-OLEPS] property sets): who wrote it, for whom.

An .xls keeps them in two streams: "\\x05SummaryInformation" (title, subject, author, keywords,
comments, template, last author) and "\\x05DocumentSummaryInformation" (category, manager, company;
its second section holds the user-defined properties, named by a dictionary). Each string property
becomes one `(origin, text)` with the origins the OOXML properties have ("core.creator",
"core.lastModifiedBy", "app.Company", "app.Manager", "custom.<name>" …), so the identity check
treats them alike. Only string values are read (VT_LPSTR in the set's code page, VT_LPWSTR);
numbers, dates and the like name no one.
"""

from __future__ import annotations

import codecs
import struct
import uuid

SUMMARY = "\x05SummaryInformation"
DOC_SUMMARY = "\x05DocumentSummaryInformation"

_FMTID_SUMMARY = uuid.UUID("F29F85E0-4FF9-1068-AB91-08002B27B3D9")
_FMTID_DOC_SUMMARY = uuid.UUID("D5CDD502-2E9C-101B-9397-08002B2CF9AE")
_FMTID_USER = uuid.UUID("D5CDD505-2E9C-101B-9397-08002B2CF9AE")
_NAMES = {
    _FMTID_SUMMARY: {2: "core.title", 3: "core.subject", 4: "core.creator", 5: "core.keywords",
                     6: "core.description", 7: "app.Template", 8: "core.lastModifiedBy"},
    _FMTID_DOC_SUMMARY: {2: "core.category", 0x0E: "app.Manager", 0x0F: "app.Company"},
}
_VT_LPSTR, _VT_LPWSTR, _VT_I2 = 0x1E, 0x1F, 0x02
_CP_UNICODE = 1200
_MAX_STRING = 1 << 20  # a property longer than this is no name


class PropertyError(ValueError):
    """A property stream that cannot be read."""


def _codec(codepage: int) -> str | None:
    name = {_CP_UNICODE: "utf-16-le", 65001: "utf-8", 936: "gbk", 54936: "gb18030", 950: "big5"}.get(
        codepage, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def read(stream: bytes) -> tuple[list[tuple[str, str]], list[int]]:
    """The string properties of a property-set stream as (origin, text), and the code pages that no
    codec decodes (0: none stated); their 8-bit strings are read as GB18030 and the caller says so."""
    if len(stream) < 28 or struct.unpack_from("<H", stream, 0)[0] != 0xFFFE:
        raise PropertyError("属性流头无效")
    (count,) = struct.unpack_from("<I", stream, 24)
    out: list[tuple[str, str]] = []
    unknown: list[int] = []
    for i in range(min(count, 2)):
        at = 28 + 20 * i
        if at + 20 > len(stream):
            raise PropertyError("属性流不完整")
        fmtid = uuid.UUID(bytes_le=stream[at : at + 16])
        (offset,) = struct.unpack_from("<I", stream, at + 16)
        out += _section(stream, offset, fmtid, unknown)
    return out, unknown


def _section(stream: bytes, base: int, fmtid: uuid.UUID, unknown: list[int]) -> list[tuple[str, str]]:
    if base + 8 > len(stream):
        raise PropertyError("属性节超出数据流")
    _size, count = struct.unpack_from("<II", stream, base)
    if base + 8 + 8 * count > len(stream):
        raise PropertyError("属性节超出数据流")
    offsets = {pid: base + off for pid, off in
               (struct.unpack_from("<II", stream, base + 8 + 8 * i) for i in range(count))}
    codepage = 0  # 0: the set states none (it must); read like an unknown code page
    if 1 in offsets and offsets[1] + 6 <= len(stream):
        vt, value = struct.unpack_from("<H2xh", stream, offsets[1])
        if vt == _VT_I2:
            codepage = value & 0xFFFF
    known = _codec(codepage) if codepage else None
    codec = known or "gb18030"
    names = _NAMES.get(fmtid, {})
    if fmtid == _FMTID_USER and 0 in offsets:
        names = {pid: f"custom.{name}" for pid, name in _dictionary(stream, offsets[0], codepage, codec).items()}
    out: list[tuple[str, str]] = []
    for pid, at in offsets.items():
        origin = names.get(pid)
        if origin is None:
            continue
        text = _string(stream, at, codepage, codec)
        if text is not None and text.strip():
            out.append((origin, text))
            if known is None and _vt(stream, at) == _VT_LPSTR and codepage not in unknown:
                unknown.append(codepage)
    return out


def _vt(stream: bytes, at: int) -> int:
    return int(struct.unpack_from("<H", stream, at)[0])


def _string(stream: bytes, at: int, codepage: int, codec: str) -> str | None:
    if at + 8 > len(stream):
        raise PropertyError("属性值超出数据流")
    vt, size = struct.unpack_from("<H2xI", stream, at)
    if vt == _VT_LPWSTR:
        raw, encoding = stream[at + 8 : at + 8 + min(size, _MAX_STRING) * 2], "utf-16-le"
    elif vt == _VT_LPSTR:
        raw, encoding = stream[at + 8 : at + 8 + min(size, _MAX_STRING)], "utf-16-le" if codepage == _CP_UNICODE else codec
    else:
        return None
    return raw.decode(encoding, errors="replace").split("\x00", 1)[0]


def _dictionary(stream: bytes, at: int, codepage: int, codec: str) -> dict[int, str]:
    """The user-defined properties' names (property 0 of their section)."""
    if at + 4 > len(stream):
        raise PropertyError("属性名表超出数据流")
    (count,) = struct.unpack_from("<I", stream, at)
    names: dict[int, str] = {}
    pos = at + 4
    for _ in range(min(count, len(stream) // 8)):
        if pos + 8 > len(stream):
            raise PropertyError("属性名表超出数据流")
        pid, length = struct.unpack_from("<II", stream, pos)
        pos += 8
        if codepage == _CP_UNICODE:
            raw = stream[pos : pos + 2 * length]
            pos += 2 * length + (-(2 * length) % 4)
            name = raw.decode("utf-16-le", errors="replace")
        else:
            raw = stream[pos : pos + length]
            pos += length
            name = raw.decode(codec, errors="replace")
        names[pid] = name.split("\x00", 1)[0]
    return names


__all__ = ["DOC_SUMMARY", "SUMMARY", "PropertyError", "read"]
