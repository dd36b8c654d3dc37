"""The records of an .xls Workbook stream (BIFF8) that python-calamine does not give: walked once.

calamine reads the cells; this walk reads what a leak can hide in besides them, and what the
parser must know before calamine runs:

* FILEPASS in the workbook globals: the workbook is password-protected (`Book.encrypted`);
* BOUNDSHEET: each sheet's name, state (visible / hidden / very hidden), type and substream;
* per sheet: HEADER / FOOTER; NOTE (a cell comment: row, column, author, object id) with the text
  of its object (OBJ gives the id and type, TXO and its CONTINUE records the text — text boxes have
  one too); ROW / COLINFO hidden flags; the extent and count of the cells, so that a sheet calamine
  would hold as a huge dense grid is refused before it is built;
* MSODRAWINGGROUP: how many pictures the workbook stores.

Charts embedded in a sheet are substreams of their own (a nested BOF … EOF) and are skipped. A
record cut short by the end of the stream ends the walk (`Book.truncated`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from screening.model import PartKind
from screening.parsers.sheets import naming

BOF, EOF, FILEPASS, BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085
HEADER, FOOTER, OBJ, TXO, CONTINUE, NOTE = 0x0014, 0x0015, 0x005D, 0x01B6, 0x003C, 0x001C
ROW, COLINFO, MSODRAWINGGROUP = 0x0208, 0x007D, 0x00EB
_VALUE_CELLS = frozenset({0x00FD, 0x0203, 0x027E, 0x0006, 0x0204, 0x0205, 0x00D6})  # LABELSST NUMBER RK FORMULA LABEL BOOLERR RSTRING
MULRK = 0x00BD  # several RK numbers in a row (BLANK / MULBLANK cells hold nothing and cost calamine nothing)
BIFF8 = 0x0600
OT_NOTE, OT_TEXTBOX = 0x19, 0x06
_STATES = {0: naming.VISIBLE, 1: naming.HIDDEN, 2: naming.VERY_HIDDEN}


@dataclass
class SheetRecords:
    offset: int  # of its BOF in the stream
    name: str
    state: str
    kind: int  # BOUNDSHEET dt: 0 worksheet, 1 macro sheet, 2 chart, 6 VBA module
    headers: list[tuple[PartKind, str, str]] = field(default_factory=list)  # (HEADER|FOOTER, origin, raw text)
    notes: list[tuple[int, int, int, str]] = field(default_factory=list)  # (row, col, object id, author), 0-based
    texts: dict[int, tuple[int, str]] = field(default_factory=dict)  # object id → (object type, text)
    loose: list[str] = field(default_factory=list)  # TXO text without an object before it
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_cols: list[tuple[int, int]] = field(default_factory=list)  # 0-based, inclusive
    cells: int = 0  # cells with a value
    bounds: list[int] | None = None  # [first row, last row, first col, last col] of the value cells, 0-based

    @property
    def area(self) -> int:
        if self.bounds is None:
            return 0
        r0, r1, c0, c1 = self.bounds
        return (r1 - r0 + 1) * (c1 - c0 + 1)

    def _extend(self, row: int, first: int, last: int) -> None:
        if self.bounds is None:
            self.bounds = [row, row, first, last]
        else:
            b = self.bounds
            b[0], b[1], b[2], b[3] = min(b[0], row), max(b[1], row), min(b[2], first), max(b[3], last)


@dataclass
class Book:
    version: int = 0
    encrypted: bool = False
    truncated: bool = False
    sheets: list[SheetRecords] = field(default_factory=list)
    pictures: int = 0


class BiffError(ValueError):
    """A Workbook stream that does not start as one."""


def _xl_string(body: bytes, at: int, short: bool = False) -> str:
    """An XLUnicodeString (2-byte length) or ShortXLUnicodeString (1-byte length) at `at`."""
    if short:
        if at + 2 > len(body):
            return ""
        cch, flags = body[at], body[at + 1]
        at += 2
    else:
        if at + 3 > len(body):
            return ""
        (cch,), flags = struct.unpack_from("<H", body, at), body[at + 2]
        at += 3
    if flags & 0x01:
        return body[at : at + 2 * cch].decode("utf-16-le", errors="replace")
    return body[at : at + cch].decode("latin-1")


class _Txo:
    """The text of one TXO, gathered from the CONTINUE records after it."""

    def __init__(self, obj: tuple[int, int] | None, chars: int) -> None:
        self.obj = obj
        self.left = chars
        self.pieces: list[str] = []

    def feed(self, body: bytes) -> None:
        if not body or self.left <= 0:
            return
        if body[0] & 0x01:
            n = min(self.left, (len(body) - 1) // 2)
            self.pieces.append(body[1 : 1 + 2 * n].decode("utf-16-le", errors="replace"))
        else:
            n = min(self.left, len(body) - 1)
            self.pieces.append(body[1 : 1 + n].decode("latin-1"))
        self.left -= n


def scan(stream: bytes) -> Book:
    """Walk the Workbook stream's records once (see the module docstring)."""
    book = Book()
    if len(stream) < 8 or struct.unpack_from("<H", stream, 0)[0] != BOF:
        raise BiffError("Workbook数据流不是以BOF记录开始")
    book.version = struct.unpack_from("<H", stream, 4)[0]
    by_offset: dict[int, SheetRecords] = {}
    group = bytearray()  # MSODRAWINGGROUP and its CONTINUE records
    in_group = False
    depth = 0
    globals_done = False
    sheet: SheetRecords | None = None
    last_obj: tuple[int, int] | None = None  # (object id, object type)
    txo: _Txo | None = None
    pos = 0
    while pos + 4 <= len(stream):
        typ, size = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + size > len(stream):
            book.truncated = True
            break
        body = stream[pos + 4 : pos + 4 + size]
        start, pos = pos, pos + 4 + size
        if txo is not None and typ != CONTINUE:
            _finish(sheet, txo)
            txo = None
        if typ == BOF:
            depth += 1
            if depth == 1 and globals_done:
                sheet, last_obj = by_offset.get(start), None
            continue
        if typ == EOF:
            depth = max(depth - 1, 0)
            if depth == 0:
                globals_done, sheet = True, None
            continue
        if depth != 1:
            continue  # a chart embedded in a sheet
        if not globals_done:
            in_group = _globals(book, by_offset, typ, body, group, in_group)
            if book.encrypted:
                break
            continue
        if sheet is not None:
            if typ == CONTINUE and txo is not None:
                txo.feed(body)
                continue
            txo = _sheet_record(sheet, typ, body, txo)
            if typ == OBJ and len(body) >= 8 and struct.unpack_from("<H", body, 0)[0] == 0x15:
                obj_type, obj_id = struct.unpack_from("<HH", body, 4)
                last_obj = (obj_id, obj_type)
            elif typ == TXO and txo is not None:
                txo.obj = last_obj
    if txo is not None:
        _finish(sheet, txo)
    book.pictures = _pictures(bytes(group))
    return book


def _globals(book: Book, by_offset: dict[int, SheetRecords], typ: int, body: bytes, group: bytearray,
             in_group: bool) -> bool:
    """One record of the workbook globals; returns whether a drawing group is being gathered."""
    if typ == FILEPASS:
        book.encrypted = True
    elif typ == BOUNDSHEET and len(body) >= 8:
        (offset,) = struct.unpack_from("<I", body, 0)
        state, kind = body[4] & 0x03, body[5]
        record = SheetRecords(offset, _xl_string(body, 6, short=True), _STATES.get(state, naming.HIDDEN), kind)
        book.sheets.append(record)
        by_offset.setdefault(offset, record)
    elif typ == MSODRAWINGGROUP or (typ == CONTINUE and in_group):
        group += body
        return True
    return False


def _sheet_record(sheet: SheetRecords, typ: int, body: bytes, txo: _Txo | None) -> _Txo | None:
    """One record of a sheet's substream; returns the TXO whose text follows, if this is one."""
    if typ in _VALUE_CELLS and len(body) >= 4:
        row, col = struct.unpack_from("<HH", body, 0)
        sheet.cells += 1
        sheet._extend(row, col, col)
    elif typ == MULRK and len(body) >= 6:
        row, first = struct.unpack_from("<HH", body, 0)
        (last,) = struct.unpack_from("<H", body, len(body) - 2)
        if last >= first:
            sheet.cells += last - first + 1
            sheet._extend(row, first, last)
    elif typ == ROW and len(body) >= 14:
        (row,) = struct.unpack_from("<H", body, 0)
        (flags,) = struct.unpack_from("<H", body, 12)
        if flags & 0x20:
            sheet.hidden_rows.add(row)
    elif typ == COLINFO and len(body) >= 10:
        first, last = struct.unpack_from("<HH", body, 0)
        (flags,) = struct.unpack_from("<H", body, 8)
        if flags & 0x01:
            sheet.hidden_cols.append((first, last))
    elif typ in (HEADER, FOOTER) and body:
        kind = PartKind.HEADER if typ == HEADER else PartKind.FOOTER
        sheet.headers.append((kind, "default", _xl_string(body, 0)))
    elif typ == NOTE and len(body) >= 8:
        row, col, _flags, obj_id = struct.unpack_from("<4H", body, 0)
        sheet.notes.append((row, col, obj_id, _xl_string(body, 8)))
    elif typ == TXO and len(body) >= 12:
        (chars,) = struct.unpack_from("<H", body, 10)
        return _Txo(None, chars)
    return None


def _finish(sheet: SheetRecords | None, txo: _Txo) -> None:
    if sheet is None:
        return
    text = "".join(txo.pieces)
    if txo.obj is None:
        sheet.loose.append(text)
    else:
        obj_id, obj_type = txo.obj
        sheet.texts[obj_id] = (obj_type, text)


def _pictures(group: bytes) -> int:
    """The number of pictures (FBSE entries) in the drawing group's BStoreContainer."""
    if len(group) < 8:
        return 0
    ver_inst, rec_type, length = struct.unpack_from("<HHI", group, 0)
    if rec_type != 0xF000:
        return 0
    pos, end = 8, min(8 + length, len(group))
    while pos + 8 <= end:
        ver_inst, rec_type, length = struct.unpack_from("<HHI", group, pos)
        if rec_type == 0xF001:
            return ver_inst >> 4
        pos += 8 + length
    return 0


__all__ = ["BIFF8", "OT_NOTE", "OT_TEXTBOX", "BiffError", "Book", "SheetRecords", "scan"]
