"""Small builders of workbooks for tests: .xlsx with openpyxl, .xls with xlwt, and the OLE2 pieces
neither library writes.

* `write_xlsx` — sheets (cells, merged ranges, comments, hidden state, hidden rows and columns,
  headers), core properties and app.xml's Company; a formula is written as openpyxl writes it
  (no cached value) unless `cached` gives the value Excel would have stored.
* `write_xls` — xlwt's workbook (cells, merges, hidden sheets, headers), re-wrapped by
  `compound_file` with the property streams xlwt never writes (`property_stream`) and with cell
  comments (`add_note`: the OBJ / TXO / NOTE records xlwt cannot write) or a FILEPASS record.
* `encrypted_ooxml` — what Office writes for a password-protected .xlsx/.docx: an OLE2 file with
  EncryptionInfo and EncryptedPackage streams (the contents here are filler: only the container
  is looked at).

Everything is deterministic: fixed dates, members in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.parsers.sheets.cfb import MAGIC, Compound

Value = str | int | float | None


@dataclass
class SheetSpec:
    name: str
    rows: Sequence[Sequence[Value]] = ()  # from A1; "=…" is a formula
    merges: Sequence[str] = ()  # "A1:D1"
    comments: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # "C3" → (text, author)
    state: str = "visible"  # visible | hidden | veryHidden
    hidden_rows: Sequence[int] = ()  # 1-based
    hidden_cols: Sequence[str] = ()  # "E"
    header: str = ""  # the centre of the odd-page header
    cached: Mapping[str, Value] = field(default_factory=dict)  # "B15" → the value a formula cell holds


FIXED = dt.datetime(2020, 6, 1, 9, 0, 0)


def write_xlsx(path: Path, sheets: Sequence[SheetSpec], *, creator: str = "", last_modified_by: str = "",
               company: str = "") -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for r, row in enumerate(spec.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    ws.cell(row=r, column=c, value=value)
        for ref in spec.merges:
            ws.merge_cells(ref)
        for ref, (text, author) in spec.comments.items():
            ws[ref].comment = Comment(text, author)
        for r in spec.hidden_rows:
            ws.row_dimensions[r].hidden = True
        for col in spec.hidden_cols:
            ws.column_dimensions[col].hidden = True
        if spec.header:
            ws.oddHeader.center.text = spec.header
        ws.sheet_state = spec.state
    wb.properties.creator = creator or None
    wb.properties.lastModifiedBy = last_modified_by or None
    wb.properties.created = wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    data = _rezip(buf.getvalue(), sheets, company)
    path.write_bytes(data)
    return path


def _rezip(data: bytes, sheets: Sequence[SheetSpec], company: str) -> bytes:
    """The package re-zipped in a fixed order with fixed dates; cached formula values and Company added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            body = src.read(name)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", name)
            if match and int(match[1]) <= len(sheets):
                for ref, value in sheets[int(match[1]) - 1].cached.items():
                    body = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?'.encode(),
                                  lambda m, v=value: m[1] + m[2] + f"<v>{v}</v>".encode(), body)
            if name == "docProps/app.xml" and company:
                body = body.replace(b"</Properties>", f"<Company>{company}</Company></Properties>".encode())
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, body)
    return out.getvalue()


# -- .xls --------------------------------------------------------------------------------------------


def write_xls(path: Path, sheets: Sequence[SheetSpec], *, properties: Mapping[str, str] | None = None,
              company: str = "", custom: Mapping[str, str] | None = None,
              notes: Sequence[tuple[int, str, str, str]] = (), encrypted: bool = False) -> Path:
    """`notes`: (sheet index 0-based, "C3", text, author). `properties`: SummaryInformation by
    name: "title", "author", "last_author"."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for spec in sheets:
        ws = wb.add_sheet(spec.name, cell_overwrite_ok=True)
        merged = {_cell_of(ref.split(":")[0]) for ref in spec.merges}
        for ref in spec.merges:
            (r1, c1), (r2, c2) = (_cell_of(x) for x in ref.split(":"))
            ws.write_merge(r1, r2, c1, c2, spec.rows[r1][c1] if r1 < len(spec.rows) and c1 < len(spec.rows[r1]) else "")
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                if value is None or value == "" or (r, c) in merged:
                    continue
                if isinstance(value, str) and value.startswith("="):
                    ws.write(r, c, xlwt.Formula(value[1:]))
                else:
                    ws.write(r, c, value)
        for r in spec.hidden_rows:
            ws.row(r - 1).hidden = True
        for col in spec.hidden_cols:
            ws.col(_cell_of(f"{col}1")[1]).hidden = True
        if spec.header:
            ws._Worksheet__header_str = f"&C{spec.header}"  # xlwt's setter fails on non-ASCII text under Python 3
        ws.visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}[spec.state]
    buf = io.BytesIO()
    wb.save(buf)
    stream = Compound(buf.getvalue()).stream("Workbook")
    for sheet, ref, text, author in notes:
        row, col = _cell_of(ref)
        stream = add_note(stream, sheet, row, col, text, author, obj_id=len(stream) % 1000 + 1)
    if encrypted:
        stream = _insert_globals(stream, _record(0x002F, b"\x01\x00" + b"\x00" * 52))
    streams: dict[str, bytes] = {"Workbook": stream}
    if properties:
        names = {"title": 2, "subject": 3, "author": 4, "keywords": 5, "comments": 6, "last_author": 8}
        streams["\x05SummaryInformation"] = property_stream(
            [(_SUMMARY, {names[k]: v for k, v in properties.items()}, None)])
    if company or custom:
        sections: list[tuple[uuid.UUID, dict[int, str], dict[int, str] | None]] = [
            (_DOC_SUMMARY, {0x0F: company} if company else {}, None)]
        if custom:
            ids = {i: name for i, name in enumerate(custom, start=2)}
            sections.append((_USER, {i: custom[name] for i, name in ids.items()}, ids))
        streams["\x05DocumentSummaryInformation"] = property_stream(sections)
    path.write_bytes(compound_file(streams))
    return path


def _cell_of(ref: str) -> tuple[int, int]:
    """"C3" → (2, 2), 0-based."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert match is not None, ref
    col = 0
    for ch in match[1]:
        col = col * 26 + ord(ch) - 64
    return int(match[2]) - 1, col - 1


def _record(typ: int, body: bytes) -> bytes:
    return struct.pack("<HH", typ, len(body)) + body


def _records(stream: bytes) -> list[tuple[int, int, int]]:
    """(offset, type, size) of every record."""
    out, pos = [], 0
    while pos + 4 <= len(stream):
        typ, size = struct.unpack_from("<HH", stream, pos)
        out.append((pos, typ, size))
        pos += 4 + size
    return out


def _insert(stream: bytes, at: int, data: bytes) -> bytes:
    """`data` inserted at offset `at`, the BOUNDSHEET offsets after it moved along."""
    out = bytearray(stream[:at] + data + stream[at:])
    for pos, typ, _ in _records(bytes(out)):
        if typ == 0x0085:
            (offset,) = struct.unpack_from("<I", out, pos + 4)
            if offset >= at:
                struct.pack_into("<I", out, pos + 4, offset + len(data))
        if pos >= at + len(data):
            break
    return bytes(out)


def _insert_globals(stream: bytes, record: bytes) -> bytes:
    """A record right after the workbook globals' BOF."""
    first = _records(stream)[0]
    return _insert(stream, first[0] + 4 + first[2], record)


def add_note(stream: bytes, sheet: int, row: int, col: int, text: str, author: str, obj_id: int = 1) -> bytes:
    """A cell comment in sheet `sheet` (0-based): OBJ (a note), TXO with its text, NOTE — put just
    before the sheet's EOF."""
    offsets = [struct.unpack_from("<I", stream, pos + 4)[0] for pos, typ, _ in _records(stream) if typ == 0x0085]
    start = offsets[sheet]
    depth, at = 0, None
    for pos, typ, _ in _records(stream):
        if pos < start:
            continue
        depth += typ == 0x0809
        if typ == 0x000A:
            depth -= 1
            if depth == 0:
                at = pos
                break
    assert at is not None
    utf16 = text.encode("utf-16-le")
    obj = struct.pack("<HHHHH12s", 0x15, 0x12, 0x19, obj_id, 0x4011, b"") + struct.pack("<HH", 0, 0)
    txo = struct.pack("<HH6sHH4s", 0x0212, 0, b"", len(text), 16, b"")
    runs = struct.pack("<HH4sHH4s", 0, 0, b"", len(text), 0, b"")
    name = author.encode("utf-16-le")
    note = struct.pack("<4HHB", row, col, 0x0002, obj_id, len(author), 0x01) + name + b"\x00"
    data = (_record(0x005D, obj) + _record(0x01B6, txo) + _record(0x003C, b"\x01" + utf16) + _record(0x003C, runs)
            + _record(0x001C, note))
    return _insert(stream, at, data)


_SUMMARY = uuid.UUID("F29F85E0-4FF9-1068-AB91-08002B27B3D9")
_DOC_SUMMARY = uuid.UUID("D5CDD502-2E9C-101B-9397-08002B2CF9AE")
_USER = uuid.UUID("D5CDD505-2E9C-101B-9397-08002B2CF9AE")


def _pad4(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def property_stream(sections: Sequence[tuple[uuid.UUID, Mapping[int, str], Mapping[int, str] | None]],
                    codepage: int = 936) -> bytes:
    """An [MS-OLEPS] property-set stream: each section's strings as VT_LPSTR in `codepage` (and, for
    the user-defined section, the dictionary naming them)."""
    encoding = {936: "gbk", 65001: "utf-8"}[codepage]
    bodies: list[bytes] = []
    for _fmtid, strings, dictionary in sections:
        values: list[tuple[int, bytes]] = [(1, struct.pack("<HHhH", 0x02, 0, codepage - 65536 if codepage > 32767 else codepage, 0))]
        if dictionary is not None:
            entries = b"".join(struct.pack("<II", pid, len(name.encode(encoding)) + 1) + name.encode(encoding) + b"\x00"
                               for pid, name in dictionary.items())
            values.append((0, _pad4(struct.pack("<I", len(dictionary)) + entries)))
        for pid, text in strings.items():
            raw = text.encode(encoding) + b"\x00"
            values.append((pid, _pad4(struct.pack("<HHI", 0x1E, 0, len(raw)) + raw)))
        head = 8 + 8 * len(values)
        table, blob = b"", b""
        for pid, value in values:
            table += struct.pack("<II", pid, head + len(blob))
            blob += value
        bodies.append(struct.pack("<II", head + len(blob), len(values)) + table + blob)
    header = struct.pack("<HHI16sI", 0xFFFE, 0, 0x00020006, b"\x00" * 16, len(sections))
    offset = len(header) + 20 * len(sections)
    index = b""
    for (fmtid, _, _), body in zip(sections, bodies, strict=True):
        index += fmtid.bytes_le + struct.pack("<I", offset)
        offset += len(body)
    return header + index + b"".join(bodies)


# -- OLE2 --------------------------------------------------------------------------------------------

_END, _FREE, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(streams: Mapping[str, bytes]) -> bytes:
    """A version-3 compound file holding `streams` at its top (small ones in the mini stream)."""
    sectors: list[bytes] = []
    fat: list[int] = []

    def allocate(data: bytes) -> int:
        count = max(1, -(-len(data) // 512))
        first = len(sectors)
        for i in range(count):
            sectors.append(data[i * 512 : (i + 1) * 512].ljust(512, b"\x00"))
            fat.append(first + i + 1 if i < count - 1 else _END)
        return first

    starts: dict[str, int] = {}
    mini = bytearray()
    minifat: list[int] = []
    for name, data in streams.items():
        if len(data) >= 4096:
            starts[name] = allocate(data)
        elif data:
            count = -(-len(data) // 64)
            first = len(mini) // 64
            for i in range(count):
                mini += data[i * 64 : (i + 1) * 64].ljust(64, b"\x00")
                minifat.append(first + i + 1 if i < count - 1 else _END)
            starts[name] = first
        else:
            starts[name] = _END
    root_start = allocate(bytes(mini)) if mini else _END
    minifat_start = allocate(_pad_table(minifat)) if minifat else _END
    entries = [_entry("Root Entry", 5, child=1 if streams else _NOSTREAM, start=root_start, size=len(mini))]
    names = list(streams)
    for i, name in enumerate(names, start=1):
        entries.append(_entry(name, 2, right=i + 1 if i < len(names) else _NOSTREAM, start=starts[name],
                              size=len(streams[name])))
    while len(entries) % 4:
        entries.append(_entry("", 0))
    dir_start = allocate(b"".join(entries))
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * 128:
        n_fat += 1
    fat_ids = list(range(len(sectors), len(sectors) + n_fat))
    fat += [_FATSECT] * n_fat
    table = _pad_table(fat, n_fat * 128)
    for i in range(n_fat):
        sectors.append(table[i * 512 : (i + 1) * 512])
    assert n_fat <= 109
    header = (MAGIC + b"\x00" * 16 + struct.pack("<HHHHH6sI", 0x3E, 3, 0xFFFE, 9, 6, b"", 0)
              + struct.pack("<IIIIIIII", n_fat, dir_start, 0, 4096, minifat_start, 1 if minifat else 0, _END, 0)
              + struct.pack("<109I", *(fat_ids + [_FREE] * (109 - n_fat))))
    return header + b"".join(sectors)


def _pad_table(values: list[int], length: int | None = None) -> bytes:
    size = length or -(-len(values) // 128) * 128
    return struct.pack(f"<{size}I", *(values + [_FREE] * (size - len(values))))


def _entry(name: str, kind: int, *, left: int = _NOSTREAM, right: int = _NOSTREAM, child: int = _NOSTREAM,
           start: int = 0, size: int = 0) -> bytes:
    raw = name.encode("utf-16-le")
    name_len = len(raw) + 2 if name else 0
    return (raw.ljust(64, b"\x00") + struct.pack("<HBB3I", name_len, kind, 1, left, right, child) + b"\x00" * 16
            + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<III", start, size, 0))


def encrypted_ooxml(path: Path) -> Path:
    """A password-protected Office file as Office writes it (the streams' contents are filler)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption/>"
    package = struct.pack("<Q", 8192) + bytes(range(256)) * 32
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def budget_sheet(rows: Sequence[Sequence[Any]]) -> list[list[Value]]:
    """samples.rules' budget grid (head + items, amounts as "180.00") as a sheet: a title row, the
    head split over two rows with merged cells (预算科目 down, 金额 across), amounts as numbers."""
    head, *items = rows
    out: list[list[Value]] = [["经费预算表（单位：万元）", None, None, None],
                              [head[0], "金额", None, None],
                              [None, *head[1:]]]
    for label, *amounts in items:
        out.append([label, *(float(str(a).replace(",", "")) for a in amounts)])
    return out


BUDGET_MERGES = ("A1:D1", "A2:A3", "B2:D2")
