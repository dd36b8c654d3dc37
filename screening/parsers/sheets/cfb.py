"""OLE2 compound files ("Compound File Binary": legacy .doc and .xls, password-protected OOXML):
the directory and the streams, read from bytes with the standard library only.

The sniffer (`screening.formats.sniff`) asks which streams sit at the top of the file (WordDocument:
a .doc; Workbook: an .xls; EncryptionInfo + EncryptedPackage: an encrypted docx/xlsx), and the
.xls parser reads the Workbook stream and the property streams (SummaryInformation…).

Everything is bounded by the file itself: a chain of sectors is followed at most as many steps as
the file has sectors, a sector outside the file, a loop, a stream shorter than its declared size or
a header that is no compound file's is `CfbError` (the caller decides what that means). The
directory's red-black tree is walked with a visited set, so a cycle in it ends the walk.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
_MAX_REGULAR = 0xFFFFFFFA  # sector numbers above this are markers (end of chain, free, FAT, DIFAT)
_NOSTREAM = 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5


class CfbError(ValueError):
    """The bytes are no readable compound file (or the stream asked for is not in it)."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: int  # STORAGE | STREAM | ROOT (0: unused)
    left: int
    right: int
    child: int
    start: int
    size: int


class Compound:
    """A compound file's directory, and its streams on demand."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(MAGIC):
            raise CfbError("不是OLE2复合文档")
        self.data = data
        (major,) = struct.unpack_from("<H", data, 0x1A)
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
            raise CfbError("OLE2文件头无效")
        self.sector = 1 << shift
        self.major = major
        self.sectors = max(0, (len(data) - self.sector + self.sector - 1) // self.sector)
        (n_fat, dir_start, _, self.cutoff, minifat_start, n_minifat,
         difat_start, n_difat) = struct.unpack_from("<8I", data, 0x2C)
        if self.cutoff != 4096:
            raise CfbError("OLE2文件头无效")
        self.fat = self._fat(n_fat, difat_start, n_difat)
        self.entries = self._directory(dir_start)
        if not self.entries or self.entries[0].kind != ROOT:
            raise CfbError("OLE2文件缺少根目录")
        self._minifat_start = minifat_start if n_minifat else _END
        self._mini: tuple[bytes, list[int]] | None = None  # the mini stream and its table, read when first needed

    # -- sectors and chains ------------------------------------------------------------------------
    def _sector_bytes(self, n: int) -> bytes:
        if n >= self.sectors:
            raise CfbError("OLE2扇区超出文件范围")
        offset = (n + 1) * self.sector
        return self.data[offset : offset + self.sector]

    @staticmethod
    def _ints(raw: bytes) -> list[int]:
        return list(struct.unpack_from(f"<{len(raw) // 4}I", raw))

    def _fat(self, n_fat: int, difat_start: int, n_difat: int) -> list[int]:
        ids = [n for n in self._ints(self.data[0x4C:0x200]) if n <= _MAX_REGULAR]
        per = self.sector // 4 - 1
        sector, seen = difat_start, set[int]()
        while sector <= _MAX_REGULAR and len(seen) < n_difat:
            if sector in seen:
                raise CfbError("OLE2扇区表循环")
            seen.add(sector)
            values = self._ints(self._sector_bytes(sector))
            ids += [n for n in values[:per] if n <= _MAX_REGULAR]
            sector = values[per]
        if len(ids) < n_fat:
            raise CfbError("OLE2扇区表不完整")
        return self._ints(b"".join(self._sector_bytes(n) for n in ids[:n_fat]))

    def _chain(self, start: int, table: list[int], limit: int) -> list[int]:
        chain: list[int] = []
        sector = start
        while sector != _END:
            if sector > _MAX_REGULAR or sector >= len(table) or len(chain) >= limit:
                raise CfbError("OLE2扇区链无效")
            chain.append(sector)
            sector = table[sector]
        return chain

    def _chain_bytes(self, start: int, size: int | None) -> bytes:
        if start == _END:
            chain: list[int] = []
        else:
            chain = self._chain(start, self.fat, self.sectors)
        data = b"".join(self._sector_bytes(n) for n in chain)
        if size is None:
            return data
        if len(data) < size:
            raise CfbError("OLE2数据流比声明的短")
        return data[:size]

    def _directory(self, start: int) -> list[Entry]:
        raw = self._chain_bytes(start, None)
        entries: list[Entry] = []
        for offset in range(0, len(raw) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", raw, offset + 0x40)
            left, right, child = struct.unpack_from("<3I", raw, offset + 0x44)
            start_sector, size_low, size_high = struct.unpack_from("<3I", raw, offset + 0x74)
            size = size_low if self.major == 3 else size_low | size_high << 32
            name = raw[offset : offset + min(max(name_len - 2, 0), 62)].decode("utf-16-le", errors="replace")
            entries.append(Entry(name, kind, left, right, child, start_sector, size))
        return entries

    # -- what callers ask ---------------------------------------------------------------------------
    def top_level(self) -> dict[str, Entry]:
        """The entries directly under the root, by lower-cased name."""
        out: dict[str, Entry] = {}
        stack = [self.entries[0].child]
        seen: set[int] = set()
        while stack:
            i = stack.pop()
            if i == _NOSTREAM or i in seen or i >= len(self.entries):
                continue
            seen.add(i)
            entry = self.entries[i]
            if entry.kind in (STORAGE, STREAM):
                out.setdefault(entry.name.lower(), entry)
            stack += [entry.left, entry.right]
        return out

    def stream(self, name: str) -> bytes:
        """A top-level stream's bytes (the name compared without case, as the format does)."""
        entry = self.top_level().get(name.lower())
        if entry is None or entry.kind != STREAM:
            raise CfbError(f"OLE2文件中没有“{name}”数据流")
        if entry.size >= self.cutoff:
            if entry.size > len(self.data):
                raise CfbError("OLE2数据流比文件大")
            return self._chain_bytes(entry.start, entry.size)
        if self._mini is None:
            root = self.entries[0]
            ministream = self._chain_bytes(root.start, root.size) if root.size else b""
            minifat = self._ints(self._chain_bytes(self._minifat_start, None)) if self._minifat_start <= _MAX_REGULAR else []
            self._mini = (ministream, minifat)
        ministream, minifat = self._mini
        mini = 64
        chain = self._chain(entry.start, minifat, len(ministream) // mini + 1) if entry.size else []
        data = b"".join(ministream[n * mini : (n + 1) * mini] for n in chain)
        if len(data) < entry.size:
            raise CfbError("OLE2数据流比声明的短")
        return data[: entry.size]


def top_level_names(data: bytes) -> frozenset[str]:
    """The lower-cased names at the top of a compound file (`CfbError` when it cannot be read)."""
    return frozenset(Compound(data).top_level())


__all__ = ["MAGIC", "CfbError", "Compound", "Entry", "top_level_names"]
