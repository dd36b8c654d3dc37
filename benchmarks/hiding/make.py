#!/usr/bin/env python3
"""Frozen blind test set: identities hidden where an applicant forgets them.

``make.py OUT`` writes ``OUT/projects/<ID>/`` (application.json + attachments) and
``OUT/gold.json`` (the format of ``../shared/tools/score.py reports``, plus ``place``,
``expected_origin`` and ``detail`` per leak).  Every file is written by hand from the
structure its standard gives (PDF, OOXML, ODF, RTF, GB/T 33190 OFD, MS-CFB), with fixed
dates, fixed ids and zip members dated 1980, so two runs give identical bytes.

One distinct name per hiding place: a finding can be traced to the place it came from.
See README.md for the list of places and how each was verified (``verify.py OUT``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import sys
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Side
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FILE_TIME = datetime(2020, 6, 15, 9, 30, 0).timestamp()
NEUTRAL_USER = "Administrator"


def x(s: str) -> str:
    """XML-escape text and attribute values."""
    return _xml_escape(s, {'"': "&quot;"})


# ---------------------------------------------------------------------------
# zip packages (docx, xlsx, odt, ofd, zip): fixed order, fixed dates
# ---------------------------------------------------------------------------


def pack_zip(members: Sequence[tuple[str, bytes]], stored: Sequence[str] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 0
            info.external_attr = 0
            if name in stored:
                info.compress_type = zipfile.ZIP_STORED
                zf.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data, compresslevel=6)
    return buf.getvalue()


def repack(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Re-write a zip package made by a library with fixed dates (and some members replaced)."""
    replace = replace or {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [(n, replace.get(n, zf.read(n))) for n in zf.namelist()]
    return pack_zip(members)


# ---------------------------------------------------------------------------
# pictures
# ---------------------------------------------------------------------------


def picture(kind: str, size: tuple[int, int], seed: int) -> Image.Image:
    """A neutral diagram without any text: bars, a flow of boxes or a grid."""
    w, h = size
    img = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(img)
    if kind == "bars":
        n = 6
        for i in range(n):
            bh = int(h * (0.25 + 0.6 * (((seed * 7 + i * 13) % 10) / 10)))
            x0 = 20 + i * (w - 40) // n
            d.rectangle([x0 + 6, h - 20 - bh, x0 + (w - 40) // n - 6, h - 20], fill=(70, 110, 170))
        d.line([18, h - 20, w - 18, h - 20], fill=(0, 0, 0), width=2)
        d.line([20, 10, 20, h - 20], fill=(0, 0, 0), width=2)
    elif kind == "flow":
        n = 4
        bw = (w - 40) // n - 20
        for i in range(n):
            x0 = 20 + i * (bw + 20)
            d.rectangle([x0, h // 2 - 25, x0 + bw, h // 2 + 25], outline=(30, 90, 60), width=3)
            if i < n - 1:
                d.line([x0 + bw, h // 2, x0 + bw + 20, h // 2], fill=(30, 90, 60), width=3)
    elif kind == "grid":
        for r in range(5):
            d.line([10, 10 + r * (h - 20) // 4, w - 10, 10 + r * (h - 20) // 4], fill=(90, 90, 90), width=1)
        for c in range(4):
            d.line([10 + c * (w - 20) // 3, 10, 10 + c * (w - 20) // 3, h - 10], fill=(90, 90, 90), width=1)
    else:  # "icon": a page with a folded corner, the look of a packaged file
        d.polygon([(w // 3, 10), (2 * w // 3 - 12, 10), (2 * w // 3, 22), (2 * w // 3, h - 10), (w // 3, h - 10)],
                  outline=(60, 60, 60), fill=(245, 245, 245))
    return img


def jpeg_with_exif(img: Image.Image, artist: str, copyright_: str) -> bytes:
    """EXIF Artist (0x013B) and Copyright (0x8298), written as UTF-8 bytes the way Windows tools do."""
    exif = Image.Exif()
    exif[0x0131] = b"Adobe Photoshop CS6 (Windows)"
    exif[0x0132] = b"2020:06:08 10:12:30"
    exif[0x013B] = artist.encode("utf-8")
    exif[0x8298] = copyright_.encode("utf-8")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88, exif=exif.tobytes())
    return buf.getvalue()


def png_with_text(img: Image.Image, *, text: dict[str, str] | None = None, itxt: dict[str, str] | None = None) -> bytes:
    """tEXt chunks are Latin-1 by the PNG standard; iTXt carries UTF-8 (Chinese)."""
    info = PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    for k, v in (itxt or {}).items():
        info.add_itxt(k, v, lang="zh-CN", tkey="作者")
    buf = io.BytesIO()
    img.save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def png_plain(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


# ---------------------------------------------------------------------------
# OLE2 compound file (MS-CFB version 3) holding an OLE Package (Ole10Native)
# ---------------------------------------------------------------------------

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
PACKAGE_CLSID = bytes.fromhex("0c00030000000000c000000000000046")  # {0003000C-0000-0000-C000-000000000046}


def cfb_name_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def cfb_file(streams: list[tuple[str, bytes]], root_clsid: bytes) -> bytes:
    """A compound file with a root storage and small streams (all in the mini stream).

    Layout: sector 0 FAT, 1 directory, 2 mini FAT, 3.. mini stream.  The directory tree is a
    balanced binary tree of black nodes, ordered the MS-CFB way (length first, then upper case).
    """
    assert len(streams) <= 3 and all(len(d) < 4096 for _, d in streams)
    order = sorted(range(len(streams)), key=lambda i: cfb_name_key(streams[i][0]))
    # mini stream: each stream starts on a 64-byte mini sector
    mini = bytearray()
    minifat: list[int] = []
    starts: list[int] = []
    for _, data in streams:
        first = len(mini) // 64
        starts.append(first)
        n = max(1, (len(data) + 63) // 64)
        mini += data + b"\0" * (n * 64 - len(data))
        minifat += [first + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
    mini_sectors = (len(mini) + 511) // 512
    mini += b"\0" * (mini_sectors * 512 - len(mini))
    fat = [FATSECT, ENDOFCHAIN, ENDOFCHAIN]
    fat += [3 + k + 1 for k in range(mini_sectors - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, 2, 1, ENDOFCHAIN, 0)
    difat = [0] + [FREESECT] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)

    def entry(name: str, kind: int, left: int, right: int, child: int, clsid: bytes, start: int, size: int) -> bytes:
        e = bytearray(128)
        raw = (name + "\0").encode("utf-16-le") if name else b""
        e[0 : len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, left, right, child)
        e[80:96] = clsid
        struct.pack_into("<IQ", e, 116, start, size)
        return bytes(e)

    # tree over the sorted streams: middle one is the root's child
    ids = [i + 1 for i in range(len(streams))]  # directory ids of the streams, in input order
    sorted_ids = [ids[i] for i in order]
    mid = len(sorted_ids) // 2
    links: dict[int, tuple[int, int]] = {}
    for did in sorted_ids:
        links[did] = (NOSTREAM, NOSTREAM)
    if sorted_ids:
        left = sorted_ids[mid - 1] if mid - 1 >= 0 else NOSTREAM
        right = sorted_ids[mid + 1] if mid + 1 < len(sorted_ids) else NOSTREAM
        links[sorted_ids[mid]] = (left, right)
    directory = entry("Root Entry", 5, NOSTREAM, NOSTREAM, sorted_ids[mid], root_clsid, 3, len(minifat) * 64)
    for i, (name, data) in enumerate(streams):
        did = ids[i]
        lft, rgt = links[did]
        directory += entry(name, 2, lft, rgt, NOSTREAM, b"\0" * 16, starts[i], len(data))
    while len(directory) < 512:
        directory += entry("", 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, 0)
    minifat_sector = struct.pack("<128I", *(minifat + [FREESECT] * (128 - len(minifat))))
    return bytes(header) + struct.pack("<128I", *fat) + directory + minifat_sector + bytes(mini)


def ole_package(label: str, payload: bytes) -> bytes:
    """An OLE 'Package' object (what Word embeds for Insert > Object > file) around a file."""
    gbk = "gbk"
    orig = f"C:\\Users\\{NEUTRAL_USER}\\Desktop\\{label}"
    temp = f"C:\\Users\\{NEUTRAL_USER}\\AppData\\Local\\Temp\\{label}"
    body = struct.pack("<H", 2) + label.encode(gbk) + b"\0" + orig.encode(gbk) + b"\0"
    body += struct.pack("<I", 0x00030000)
    body += struct.pack("<I", len(temp.encode(gbk)) + 1) + temp.encode(gbk) + b"\0"
    body += struct.pack("<I", len(payload)) + payload
    native = struct.pack("<I", len(body)) + body
    compobj = struct.pack("<II", 0xFFFE0001, 0x00000A03) + struct.pack("<i", -1) + PACKAGE_CLSID
    for s in (b"OLE Package\0", b"Package\0", b"Package\0"):
        compobj += struct.pack("<I", len(s)) + s
    compobj += struct.pack("<III", 0x71B239F4, 0, 0) + struct.pack("<I", 0)
    ole = struct.pack("<IIII", 0x02000001, 0, 0, 0) + struct.pack("<I", 0)
    return cfb_file([("\x01Ole", ole), ("\x01CompObj", compobj), ("\x01Ole10Native", native)], PACKAGE_CLSID)


# ---------------------------------------------------------------------------
# PDF, written object by object
# ---------------------------------------------------------------------------


def pdf_text(s: str) -> str:
    """A PDF text string: literal when printable ASCII, else UTF-16BE with BOM."""
    if all(32 <= ord(c) < 127 for c in s):
        return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"


def ucs2_hex(s: str) -> str:
    return "<" + s.encode("utf-16-be").hex().upper() + ">"


def text_width(s: str, size: float) -> float:
    return sum(size * (0.5 if ord(c) < 128 else 1.0) for c in s)


def fmt(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return s if s else "0"


class Ops:
    """A content stream."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def text(self, xx: float, y: float, s: str, size: float = 11.0, *, rgb: tuple[float, float, float] | None = None,
             mode: int | None = None) -> None:
        parts = ["q"]
        if rgb is not None:
            parts.append(f"{fmt(rgb[0])} {fmt(rgb[1])} {fmt(rgb[2])} rg")
        parts.append("BT")
        if mode is not None:
            parts.append(f"{mode} Tr")
        parts.append(f"/F1 {fmt(size)} Tf 1 0 0 1 {fmt(xx)} {fmt(y)} Tm {ucs2_hex(s)} Tj ET Q")
        self.lines.append(" ".join(parts))

    def paragraph(self, xx: float, y: float, s: str, *, size: float = 11.0, width: float = 470.0,
                  leading: float = 20.0, indent: bool = True) -> float:
        """Wrap and draw; returns the baseline below the paragraph."""
        line = "\u3000\u3000" if indent else ""
        for ch in s:
            if text_width(line + ch, size) > width:
                self.text(xx, y, line, size)
                y -= leading
                line = ""
            line += ch
        if line:
            self.text(xx, y, line, size)
            y -= leading
        return y

    def rect(self, xx: float, y: float, w: float, h: float, *, fill: tuple[float, float, float] | None = None,
             stroke: bool = False) -> None:
        if fill is not None:
            self.lines.append(f"q {fmt(fill[0])} {fmt(fill[1])} {fmt(fill[2])} rg {fmt(xx)} {fmt(y)} {fmt(w)} {fmt(h)} re f Q")
        if stroke:
            self.lines.append(f"q 0.6 w 0 0 0 RG {fmt(xx)} {fmt(y)} {fmt(w)} {fmt(h)} re S Q")

    def optional(self, tag: str, inner: Ops) -> None:
        self.lines.append(f"/OC /{tag} BDC")
        self.lines.extend(inner.lines)
        self.lines.append("EMC")

    def data(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("ascii")


class Pdf:
    """Objects numbered from 1; ``write`` gives the file and the offset of its xref table."""

    def __init__(self) -> None:
        self.objs: dict[int, bytes] = {}
        self.count = 0

    def reserve(self) -> int:
        self.count += 1
        return self.count

    def put(self, num: int, body: str | bytes) -> None:
        self.objs[num] = body.encode("latin-1") if isinstance(body, str) else body

    def add(self, body: str | bytes) -> int:
        num = self.reserve()
        self.put(num, body)
        return num

    @staticmethod
    def stream(entries: str, data: bytes, *, compress: bool = True) -> bytes:
        if compress:
            data = zlib.compress(data, 9)
            entries += " /Filter /FlateDecode"
        return f"<< {entries} /Length {len(data)} >>\nstream\n".encode("latin-1") + data + b"\nendstream"

    def add_stream(self, entries: str, data: bytes, *, compress: bool = True) -> int:
        return self.add(self.stream(entries, data, compress=compress))

    def add_font(self) -> int:
        desc = self.add("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
                        "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
        cid = self.add("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                       "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
                       f"/FontDescriptor {desc} 0 R /DW 1000 /W [1 95 500] >>")
        return self.add(f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
                        f"/DescendantFonts [{cid} 0 R] >>")

    def write(self, root: int, info: int, file_id: bytes) -> tuple[bytes, int]:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets: dict[int, int] = {}
        for num in range(1, self.count + 1):
            offsets[num] = len(out)
            out += f"{num} 0 obj\n".encode() + self.objs[num] + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {self.count + 1}\n0000000000 65535 f \n".encode()
        for num in range(1, self.count + 1):
            out += f"{offsets[num]:010d} 00000 n \n".encode()
        hid = file_id.hex().upper()
        out += (f"trailer\n<< /Size {self.count + 1} /Root {root} 0 R /Info {info} 0 R /ID [<{hid}> <{hid}>] >>\n"
                f"startxref\n{xref}\n%%EOF\n").encode()
        return bytes(out), xref


def append_update(base: bytes, prev_xref: int, objs: dict[int, bytes], size: int, root: int, info: int,
                  file_id: bytes) -> bytes:
    """An incremental update (ISO 32000-1 7.5.6): new objects and an xref section with /Prev."""
    out = bytearray(base)
    offsets: dict[int, int] = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objs[num] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(objs):
        out += f"{num} 1\n{offsets[num]:010d} 00000 n \n".encode()
    hid = file_id.hex().upper()
    new_id = hashlib.md5(file_id + b"rev2").hexdigest().upper()
    out += (f"trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R /ID [<{hid}> <{new_id}>] /Prev {prev_xref} >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def pdf_date(dt: str) -> str:
    return f"(D:{dt}+08'00')"


def info_dict(title: str, author: str, creator: str = "Microsoft Word 2016", when: str = "20200612102000") -> str:
    return (f"<< /Title {pdf_text(title)} /Author {pdf_text(author)} /Creator {pdf_text(creator)} "
            f"/Producer (Microsoft: Print To PDF) /CreationDate {pdf_date(when)} /ModDate {pdf_date(when)} >>")


def file_id(seed: str) -> bytes:
    return hashlib.md5(seed.encode("utf-8")).digest()


def embedded_file_spec(pdf: Pdf, name: str, data: bytes, subtype: str, desc: str) -> int:
    ef = pdf.add_stream(f"/Type /EmbeddedFile /Subtype /{subtype} /Params << /Size {len(data)} "
                        f"/ModDate {pdf_date('20200610093000')} >>", data)
    ascii_name = "attachment" + name[name.rfind("."):] if "." in name else "attachment"
    return pdf.add(f"<< /Type /Filespec /F {pdf_text(ascii_name)} /UF {pdf_text(name)} /Desc {pdf_text(desc)} "
                   f"/EF << /F {ef} 0 R /UF {ef} 0 R >> >>")


A4 = (595.28, 841.89)


def simple_pdf(seed: str, title: str, pages: list[Ops], *, author: str = NEUTRAL_USER) -> bytes:
    """Pages drawn from content streams, nothing else."""
    pdf = Pdf()
    catalog = pdf.reserve()
    pages_obj = pdf.reserve()
    font = pdf.add_font()
    kids = []
    for ops in pages:
        content = pdf.add_stream("", ops.data())
        kids.append(pdf.add(f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] "
                            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>"))
    pdf.put(pages_obj, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>")
    pdf.put(catalog, f"<< /Type /Catalog /Pages {pages_obj} 0 R /Lang (zh-CN) >>")
    info = pdf.add(info_dict(title, author))
    data, _ = pdf.write(catalog, info, file_id(seed))
    return data


# ---------------------------------------------------------------------------
# budgets
# ---------------------------------------------------------------------------

BUDGET_SHARES = [
    ("设备费", 0.30), ("材料费", 0.20), ("测试化验加工费", 0.10), ("燃料动力费", 0.05),
    ("差旅费/会议费/国际合作与交流费", 0.04), ("出版/文献/信息传播/知识产权事务费", 0.03),
    ("劳务费", 0.12), ("专家咨询费", 0.02), ("其他支出", 0.04), ("间接费用", 0.10),
]


def budget_rows(total: float, subsidy: float) -> list[tuple[str, float, float, float]]:
    """(科目, 合计, 申请财政补助, 自筹) rows whose columns add up to the totals (0.1 万元 steps)."""
    rows = []
    t_left, s_left = round(total * 10), round(subsidy * 10)
    for i, (name, share) in enumerate(BUDGET_SHARES):
        if i == len(BUDGET_SHARES) - 1:
            t, s = t_left, s_left
        else:
            t = round(total * 10 * share)
            s = min(round(subsidy * 10 * share), t)
        t_left -= t
        s_left -= s
        rows.append((name, t / 10, s / 10, (t - s) / 10))
    return rows


def money(v: float) -> str:
    return f"{v:.1f}"


def budget_pdf_ops(title: str, total: float, subsidy: float, note: str) -> Ops:
    ops = Ops()
    ops.text(A4[0] / 2 - text_width("项目经费预算表", 16) / 2, 780, "项目经费预算表", 16)
    ops.text(62, 752, "项目名称：" + title, 10.5)
    ops.text(460, 752, "单位：万元", 10.5)
    cols = [(62, 36, "序号"), (98, 210, "预算科目"), (308, 70, "合计"), (378, 90, "申请财政补助"), (468, 70, "自筹")]
    y = 740.0
    rows = budget_rows(total, subsidy)
    table: list[list[str]] = [[c[2] for c in cols]]
    for i, (name, t, s, o) in enumerate(rows, 1):
        table.append([str(i), name, money(t), money(s), money(o)])
    table.append(["", "合计", money(total), money(subsidy), money(round(total - subsidy, 1))])
    for row in table:
        for (cx, cw, _), cell in zip(cols, row, strict=True):
            ops.rect(cx, y - 22, cw, 22, stroke=True)
            size = 9.5 if text_width(cell, 10) > cw - 6 else 10
            ops.text(cx + 4, y - 15, cell, size)
        y -= 22
    y -= 24
    ops.text(62, y, "经费预算说明：", 11)
    ops.paragraph(62, y - 22, note, size=10.5, width=470, leading=18)
    return ops


def budget_pdf(seed: str, title: str, total: float, subsidy: float, note: str) -> bytes:
    return simple_pdf(seed, "项目经费预算表", [budget_pdf_ops(title, total, subsidy, note)])


# ---------------------------------------------------------------------------
# DOCX, part by part (ECMA-376)
# ---------------------------------------------------------------------------

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DOC_NS = (f'xmlns:w="{NS_W}" xmlns:r="{NS_R}" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
          'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CT = {
    "rels": "application/vnd.openxmlformats-package.relationships+xml",
    "xml": "application/xml",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "bin": "application/vnd.openxmlformats-officedocument.oleObject",
    "htm": "text/html",
}
STYLES = (XML_DECL + f'<w:styles xmlns:w="{NS_W}"><w:docDefaults><w:rPrDefault><w:rPr>'
          '<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>'
          '<w:sz w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault></w:docDefaults>'
          '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
          '<w:pPr><w:spacing w:line="360" w:lineRule="auto"/></w:pPr></w:style></w:styles>')


def w_para(text: str, *, bold: bool = False, size: int | None = None, center: bool = False, indent: bool = True) -> str:
    ppr = ""
    if center:
        ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>'
    elif indent:
        ppr = '<w:pPr><w:ind w:firstLineChars="200" w:firstLine="480"/></w:pPr>'
    rpr = ""
    if bold or size:
        rpr = "<w:rPr>" + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "") + "</w:rPr>"
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{x(text)}</w:t></w:r></w:p>'


def core_xml(title: str, creator: str, last: str, created: str = "2020-06-10T08:00:00Z",
             modified: str = "2020-06-15T09:30:00Z") -> bytes:
    return (XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{x(title)}</dc:title><dc:creator>{x(creator)}</dc:creator>"
            f"<cp:lastModifiedBy>{x(last)}</cp:lastModifiedBy><cp:revision>3</cp:revision>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>'
            "</cp:coreProperties>").encode("utf-8")


def app_xml(application: str = "Microsoft Office Word", company: str = "") -> bytes:
    return (XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Template>Normal.dotm</Template><TotalTime>42</TotalTime><Application>{x(application)}</Application>"
            f"<DocSecurity>0</DocSecurity><Company>{x(company)}</Company><AppVersion>16.0000</AppVersion>"
            "</Properties>").encode("utf-8")


@dataclass
class Docx:
    title: str
    body: list[str] = field(default_factory=list)
    parts: list[tuple[str, bytes]] = field(default_factory=list)
    rels: list[tuple[str, str, str]] = field(default_factory=list)  # (id, type, target)
    part_rels: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # part -> rels
    overrides: dict[str, str] = field(default_factory=dict)
    shape_no: int = 1025
    pic_no: int = 1

    def rel(self, kind: str, target: str) -> str:
        rid = f"rId{len(self.rels) + 10}"
        self.rels.append((rid, REL + kind, target))
        return rid

    def para(self, text: str, **kw: Any) -> None:
        self.body.append(w_para(text, **kw))

    def image(self, name: str, data: bytes, width_cm: float, height_cm: float) -> None:
        self.parts.append((f"word/media/{name}", data))
        rid = self.rel("image", f"media/{name}")
        cx, cy = int(width_cm * 360000), int(height_cm * 360000)
        n = self.pic_no
        self.pic_no += 1
        self.body.append(
            '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>'
            f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
            f'<wp:docPr id="{n}" name="图片 {n}"/><wp:cNvGraphicFramePr>'
            '<a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
            f'<pic:nvPicPr><pic:cNvPr id="0" name="{x(name)}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
            "</wp:inline></w:drawing></w:r></w:p>")

    def ole_object(self, prog_id: str, part: str, data: bytes, rel_kind: str, preview: bytes, preview_name: str) -> None:
        """An embedded object: w:object with a VML preview picture and o:OLEObject pointing at the part."""
        self.parts.append((f"word/media/{preview_name}", preview))
        img = self.rel("image", f"media/{preview_name}")
        self.parts.append((f"word/{part}", data))
        obj = self.rel(rel_kind, part)
        sid = f"_x0000_i{self.shape_no}"
        self.shape_no += 1
        self.body.append(
            '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:object w:dxaOrig="4320" w:dyaOrig="1800">'
            f'<v:shape id="{sid}" type="#_x0000_t75" style="width:216pt;height:90pt" o:ole="">'
            f'<v:imagedata r:id="{img}" o:title=""/></v:shape>'
            f'<o:OLEObject Type="Embed" ProgID="{prog_id}" ShapeID="{sid}" DrawAspect="Content" '
            f'ObjectID="_16{self.shape_no:08d}" r:id="{obj}"/></w:object></w:r></w:p>')

    def alt_chunk(self, name: str, html: bytes) -> None:
        self.parts.append((f"word/{name}", html))
        rid = self.rel("aFChunk", name)
        self.body.append(f'<w:altChunk r:id="{rid}"/>')

    def glossary(self, parts_xml: str) -> None:
        xml = (XML_DECL + f'<w:glossaryDocument xmlns:w="{NS_W}"><w:docParts>{parts_xml}</w:docParts></w:glossaryDocument>')
        self.parts.append(("word/glossary/document.xml", xml.encode("utf-8")))
        self.overrides["/word/glossary/document.xml"] = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml")
        self.rel("glossaryDocument", "glossary/document.xml")

    def custom_xml(self, item: str, item_id: str, schema: str) -> None:
        self.parts.append(("customXml/item1.xml", (XML_DECL + item).encode("utf-8")))
        props = (XML_DECL + f'<ds:datastoreItem ds:itemID="{item_id}" '
                 'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                 f'<ds:schemaRefs><ds:schemaRef ds:uri="{x(schema)}"/></ds:schemaRefs></ds:datastoreItem>')
        self.parts.append(("customXml/itemProps1.xml", props.encode("utf-8")))
        self.overrides["/customXml/itemProps1.xml"] = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
        self.part_rels["customXml/item1.xml"] = [("rId1", REL + "customXmlProps", "itemProps1.xml")]
        self.rel("customXml", "../customXml/item1.xml")

    def build(self, *, creator: str = NEUTRAL_USER, last: str = NEUTRAL_USER, company: str = "") -> bytes:
        styles = self.rel("styles", "styles.xml")
        del styles
        body = "".join(self.body)
        document = (XML_DECL + f"<w:document {DOC_NS}><w:body>{body}"
                    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" '
                    'w:bottom="1440" w:left="1800" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>'
                    "</w:body></w:document>")
        defaults = {"rels": CT["rels"], "xml": CT["xml"]}
        for name, _ in self.parts:
            ext = name.rsplit(".", 1)[-1]
            if ext in CT and ext != "xml":
                defaults[ext] = CT[ext]
        overrides = {
            "/word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "/word/styles.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
            "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
            "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
            **self.overrides,
        }
        ct = (XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              + "".join(f'<Default Extension="{e}" ContentType="{c}"/>' for e, c in defaults.items())
              + "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides.items())
              + "</Types>")

        def rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
            return (XML_DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{x(g)}"/>' for i, t, g in rels)
                    + "</Relationships>").encode("utf-8")

        pkg = [("rId1", REL + "officeDocument", "word/document.xml"),
               ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                "docProps/core.xml"),
               ("rId3", REL + "extended-properties", "docProps/app.xml")]
        members: list[tuple[str, bytes]] = [
            ("[Content_Types].xml", ct.encode("utf-8")),
            ("_rels/.rels", rels_xml(pkg)),
            ("word/document.xml", document.encode("utf-8")),
            ("word/_rels/document.xml.rels", rels_xml(self.rels)),
            ("word/styles.xml", STYLES.encode("utf-8")),
        ]
        members += self.parts
        for part, rels in self.part_rels.items():
            d, _, f = part.rpartition("/")
            members.append((f"{d}/_rels/{f}.rels", rels_xml(rels)))
        members += [("docProps/core.xml", core_xml(self.title, creator, last)),
                    ("docProps/app.xml", app_xml(company=company))]
        return pack_zip(members)


def glossary_part(name: str, guid: str, text: str) -> str:
    return ("<w:docPart><w:docPartPr>"
            f'<w:name w:val="{x(name)}"/><w:category><w:name w:val="常规"/><w:gallery w:val="autoTxt"/></w:category>'
            f'<w:behaviors><w:behavior w:val="content"/></w:behaviors><w:guid w:val="{guid}"/></w:docPartPr>'
            f"<w:docPartBody>{w_para(text, indent=False)}</w:docPartBody></w:docPart>")


def alt_chunk_html(title: str, text: str) -> bytes:
    return ("<html><head><meta charset=\"utf-8\"><title>" + x(title) + "</title></head><body>"
            "<p>" + x(text) + "</p></body></html>").encode("utf-8")


def small_workbook(rows: list[list[Any]], sheet: str = "Sheet1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for r in rows:
        ws.append(r)
    return xlsx_bytes(wb, "检测数据")


def xlsx_bytes(wb: openpyxl.Workbook, title: str) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return repack(buf.getvalue(), {"docProps/core.xml": core_xml(title, NEUTRAL_USER, NEUTRAL_USER)})


def simple_docx(title: str, paragraphs: list[str]) -> bytes:
    d = Docx(title)
    d.para(title, bold=True, size=32, center=True)
    for p in paragraphs:
        d.para(p)
    return d.build()


# ---------------------------------------------------------------------------
# ODT (ODF 1.3 package)
# ---------------------------------------------------------------------------

ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


@dataclass
class OdtSpec:
    title: str
    paragraphs: list[str]
    header: str
    footer: str
    annotation_at: int  # paragraph index the annotation is anchored in
    annotation: str
    initial_creator: str
    creator: str
    user_defined: tuple[str, str]


def make_odt(spec: OdtSpec) -> bytes:
    paras = [f'<text:h text:outline-level="1">{x(spec.title)}</text:h>']
    for i, p in enumerate(spec.paragraphs):
        ann = ""
        if i == spec.annotation_at:
            ann = ('<office:annotation office:name="__Annotation__1"><dc:creator>'
                   f"{NEUTRAL_USER}</dc:creator><dc:date>2020-06-11T15:20:00</dc:date>"
                   f"<text:p>{x(spec.annotation)}</text:p></office:annotation>")
        paras.append(f'<text:p text:style-name="Body">{ann}{x(p)}</text:p>')
    content = (XML_DECL + f'<office:document-content {ODF_NS} office:version="1.3">'
               '<office:automatic-styles/><office:body><office:text>' + "".join(paras)
               + "</office:text></office:body></office:document-content>")
    styles = (XML_DECL + f'<office:document-styles {ODF_NS} office:version="1.3">'
              '<office:styles><style:style style:name="Body" style:family="paragraph">'
              '<style:paragraph-properties fo:text-indent="0.85cm" fo:line-height="150%"/></style:style></office:styles>'
              '<office:automatic-styles><style:page-layout style:name="pm1">'
              '<style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2cm" '
              'fo:margin-bottom="2cm" fo:margin-left="3.17cm" fo:margin-right="3.17cm"/>'
              '<style:header-style><style:header-footer-properties fo:min-height="0.6cm"/></style:header-style>'
              '<style:footer-style><style:header-footer-properties fo:min-height="0.6cm"/></style:footer-style>'
              '</style:page-layout></office:automatic-styles>'
              '<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">'
              f"<style:header><text:p>{x(spec.header)}</text:p></style:header>"
              f"<style:footer><text:p>{x(spec.footer)}</text:p></style:footer>"
              "</style:master-page></office:master-styles></office:document-styles>")
    name, value = spec.user_defined
    meta = (XML_DECL + f'<office:document-meta {ODF_NS} office:version="1.3"><office:meta>'
            "<meta:generator>LibreOffice/6.4.7.2$Windows_X86_64 LibreOffice_project/639b8ac485750d5696d7590a72ef1b496725cfb5</meta:generator>"
            f"<dc:title>{x(spec.title)}</dc:title>"
            f"<meta:initial-creator>{x(spec.initial_creator)}</meta:initial-creator>"
            "<meta:creation-date>2020-06-08T10:02:00</meta:creation-date>"
            f"<dc:creator>{x(spec.creator)}</dc:creator><dc:date>2020-06-15T09:30:00</dc:date>"
            "<meta:editing-cycles>5</meta:editing-cycles>"
            f'<meta:user-defined meta:name="{x(name)}">{x(value)}</meta:user-defined>'
            "</office:meta></office:document-meta>")
    manifest = (XML_DECL + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    return pack_zip([
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content.encode("utf-8")),
        ("styles.xml", styles.encode("utf-8")),
        ("meta.xml", meta.encode("utf-8")),
        ("META-INF/manifest.xml", manifest.encode("utf-8")),
    ], stored=["mimetype"])


# ---------------------------------------------------------------------------
# RTF (1.9.1): body in \uN escapes, \info in GBK \'xx escapes as Word writes them
# ---------------------------------------------------------------------------


def rtf_u(s: str) -> str:
    out = []
    for c in s:
        o = ord(c)
        if c in "\\{}":
            out.append("\\" + c)
        elif 32 <= o < 127:
            out.append(c)
        else:
            out.append(f"\\u{o if o < 32768 else o - 65536}?")
    return "".join(out)


def rtf_gbk(s: str) -> str:
    out = []
    for c in s:
        if c in "\\{}":
            out.append("\\" + c)
        elif 32 <= ord(c) < 127:
            out.append(c)
        else:
            out.extend(f"\\'{b:02x}" for b in c.encode("gbk"))
    return "".join(out)


@dataclass
class RtfSpec:
    title: str
    author: str
    company: str
    paragraphs: list[str]
    table: list[list[str]]


def make_rtf(spec: RtfSpec) -> bytes:
    parts = ["{\\rtf1\\ansi\\ansicpg936\\deff0\\deflang1033\\deflangfe2052\\uc1",
             "{\\fonttbl{\\f0\\fnil\\fcharset134 " + rtf_gbk("宋体") + ";}}",
             "{\\info{\\title " + rtf_gbk(spec.title) + "}{\\author " + rtf_gbk(spec.author) + "}"
             "{\\operator " + rtf_gbk(NEUTRAL_USER) + "}{\\company " + rtf_gbk(spec.company) + "}"
             "{\\creatim\\yr2020\\mo6\\dy9\\hr14\\min5}{\\revtim\\yr2020\\mo6\\dy15\\hr9\\min30}}",
             "\\paperw11906\\paperh16838\\margl1800\\margr1800\\margt1440\\margb1440",
             "\\pard\\qc\\b\\fs32 " + rtf_u(spec.title) + "\\b0\\par"]
    widths = [900, 4300, 5600, 7200, 8400]
    for row in spec.table:
        border = "\\clbrdrt\\brdrs\\brdrw10\\clbrdrl\\brdrs\\brdrw10\\clbrdrb\\brdrs\\brdrw10\\clbrdrr\\brdrs\\brdrw10"
        parts.append("\\trowd\\trgaph108\\trleft0" + "".join(f"{border}\\cellx{w}" for w in widths[: len(row)]))
        parts.append("\\pard\\intbl\\fs21 " + "".join(rtf_u(c) + "\\cell " for c in row) + "\\row")
    parts.append("\\pard\\fs24\\par")
    for p in spec.paragraphs:
        parts.append("\\pard\\fi480\\fs24 " + rtf_u(p) + "\\par")
    parts.append("}")
    return ("\r\n".join(parts) + "\r\n").encode("ascii")


def budget_table(total: float, subsidy: float) -> list[list[str]]:
    table = [["序号", "预算科目", "合计", "申请财政补助", "自筹"]]
    for i, (name, t, s, o) in enumerate(budget_rows(total, subsidy), 1):
        table.append([str(i), name, money(t), money(s), money(o)])
    table.append(["", "合计", money(total), money(subsidy), money(round(total - subsidy, 1))])
    return table


# ---------------------------------------------------------------------------
# OFD (GB/T 33190-2016): OFD.xml -> DocBody -> Doc_0/Document.xml -> pages, annotations, attachments
# ---------------------------------------------------------------------------

OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


@dataclass
class OfdSpec:
    doc_id: str
    title: str
    author: str
    custom: list[tuple[str, str]]
    lines: list[str]  # page text, one TextObject per line
    annot_line: int  # the line the highlight annotation sits on
    annot_remark: str
    attach_name: str
    attach_file: str
    attach_data: bytes


def ofd_wrap(paragraphs: list[str], per_line: int = 36) -> list[str]:
    lines = []
    for p in paragraphs:
        s = "\u3000\u3000" + p
        while s:
            lines.append(s[:per_line])
            s = s[per_line:]
    return lines


def make_ofd(spec: OfdSpec) -> bytes:
    size = 4.2
    objs = []
    uid = 10
    top = 30.0
    for i, line in enumerate(spec.lines):
        deltas = [size * (0.5 if ord(c) < 128 else 1.0) for c in line[:-1]]
        width = sum(deltas) + size
        y = top + i * 8.0
        dx = " ".join(fmt(d) for d in deltas)
        objs.append(f'<ofd:TextObject ID="{uid}" Boundary="25 {fmt(y)} {fmt(width + 1)} 6" Font="2" Size="{size}">'
                    '<ofd:FillColor Value="0 0 0"/>'
                    f'<ofd:TextCode X="0" Y="{size}"' + (f' DeltaX="{dx}"' if dx else "") + f">{x(line)}</ofd:TextCode>"
                    "</ofd:TextObject>")
        uid += 1
    layer_id = uid
    uid += 1
    content = (XML_DECL + f"<ofd:Page {OFD_NS}><ofd:Area><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:Area>"
               f'<ofd:Content><ofd:Layer ID="{layer_id}" Type="Body">' + "".join(objs)
               + "</ofd:Layer></ofd:Content></ofd:Page>")
    ann_y = top + spec.annot_line * 8.0
    annot_id, path_id = uid, uid + 1
    uid += 2
    page_annot = (XML_DECL + f"<ofd:PageAnnot {OFD_NS}>"
                  f'<ofd:Annot ID="{annot_id}" Type="Highlight" Creator="{NEUTRAL_USER}" LastModDate="2020-06-12">'
                  f"<ofd:Remark>{x(spec.annot_remark)}</ofd:Remark>"
                  f'<ofd:Appearance Boundary="25 {fmt(ann_y)} 160 6">'
                  f'<ofd:PathObject ID="{path_id}" Boundary="0 0 160 6" Stroke="false" Fill="true">'
                  '<ofd:FillColor Value="255 255 0" Alpha="90"/>'
                  "<ofd:AbbreviatedData>M 0 0 L 160 0 L 160 6 L 0 6 C</ofd:AbbreviatedData></ofd:PathObject>"
                  "</ofd:Appearance></ofd:Annot></ofd:PageAnnot>")
    annotations = (XML_DECL + f'<ofd:Annotations {OFD_NS}><ofd:Page PageID="1">'
                   "<ofd:FileLoc>Page_0/Annotation.xml</ofd:FileLoc></ofd:Page></ofd:Annotations>")
    attachments = (XML_DECL + f"<ofd:Attachments {OFD_NS}>"
                   f'<ofd:Attachment ID="{uid}" Name="{x(spec.attach_name)}" Format="txt" '
                   f'CreationDate="2020-06-12T10:00:00" Size="{fmt(len(spec.attach_data) / 1024)}" Visible="true" Usage="none">'
                   f"<ofd:FileLoc>{x(spec.attach_file)}</ofd:FileLoc></ofd:Attachment></ofd:Attachments>")
    max_id = uid
    document = (XML_DECL + f"<ofd:Document {OFD_NS}><ofd:CommonData><ofd:MaxUnitID>{max_id}</ofd:MaxUnitID>"
                "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
                "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
                '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
                "<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>"
                "<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments></ofd:Document>")
    public_res = (XML_DECL + f'<ofd:Res {OFD_NS} BaseLoc="Res"><ofd:Fonts>'
                  '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
    custom = "".join(f'<ofd:CustomData Name="{x(k)}">{x(v)}</ofd:CustomData>' for k, v in spec.custom)
    ofd = (XML_DECL + f'<ofd:OFD {OFD_NS} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
           f"<ofd:DocID>{spec.doc_id}</ofd:DocID><ofd:Title>{x(spec.title)}</ofd:Title>"
           f"<ofd:Author>{x(spec.author)}</ofd:Author><ofd:CreationDate>2020-06-12</ofd:CreationDate>"
           "<ofd:ModDate>2020-06-15</ofd:ModDate><ofd:Creator>数科OFD版式办公套件</ofd:Creator>"
           f"<ofd:CreatorVersion>3.0</ofd:CreatorVersion><ofd:CustomDatas>{custom}</ofd:CustomDatas></ofd:DocInfo>"
           "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    return pack_zip([
        ("OFD.xml", ofd.encode("utf-8")),
        ("Doc_0/Document.xml", document.encode("utf-8")),
        ("Doc_0/PublicRes.xml", public_res.encode("utf-8")),
        ("Doc_0/Pages/Page_0/Content.xml", content.encode("utf-8")),
        ("Doc_0/Annots/Annotations.xml", annotations.encode("utf-8")),
        ("Doc_0/Annots/Page_0/Annotation.xml", page_annot.encode("utf-8")),
        ("Doc_0/Attachs/Attachments.xml", attachments.encode("utf-8")),
        (f"Doc_0/Attachs/{spec.attach_file}", spec.attach_data),
    ])


# ---------------------------------------------------------------------------
# XLSX budget workbook
# ---------------------------------------------------------------------------


@dataclass
class XlsxSpec:
    title: str
    sheet_name: str
    total: float
    subsidy: float
    comment: str  # on the 测试化验加工费 cell
    hidden_sheet: str
    hidden_rows: list[list[str]]


def make_xlsx(spec: XlsxSpec) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.sheet_name
    thin = Side(style="thin")
    ws.append(["项目经费预算表"])
    ws.merge_cells("A1:E1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["项目名称：" + spec.title, "", "", "", "单位：万元"])
    table = budget_table(spec.total, spec.subsidy)
    for r in table:
        ws.append([r[0], r[1]] + [float(v) for v in r[2:]] if r[0] != "序号" else r)
    for row in ws.iter_rows(min_row=3, max_row=2 + len(table), max_col=5):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["D"].width = 14
    test_row = 3 + [r[1] for r in table].index("测试化验加工费")
    ws.cell(row=test_row, column=3).comment = Comment(spec.comment, NEUTRAL_USER)
    hidden = wb.create_sheet(spec.hidden_sheet)
    for r in spec.hidden_rows:
        hidden.append(r)
    hidden.sheet_state = "hidden"
    return xlsx_bytes(wb, "项目经费预算表")


# ---------------------------------------------------------------------------
# PDFs with places
# ---------------------------------------------------------------------------


@dataclass
class PdfPlaces:
    """The document-level places of H005 (and their neutral twins in the clean H101)."""

    seed: str
    title: str
    paragraphs: list[str]
    revised_old: str  # sentence in revision 1
    revised_new: str  # what revision 2 says instead
    embedded_name: str
    embedded_docx: bytes
    attach_name: str
    attach_text: str
    link_text: str
    link_uri: str
    javascript: str
    derived_from: str
    history_path: str
    label_prefix: str


def places_page(spec: PdfPlaces, revised: str) -> tuple[Ops, tuple[float, float], tuple[float, float]]:
    ops = Ops()
    ops.text(A4[0] / 2 - text_width(spec.title, 15) / 2, 780, spec.title, 15)
    y = 740.0
    for p in spec.paragraphs:
        y = ops.paragraph(62, y, p) - 6
    y = ops.paragraph(62, y, revised) - 6
    attach_at = (62.0, y)
    ops.text(62, y, "原始检测记录见附件图标（右侧）。", 11)
    y -= 26
    link_at = (62.0, y)
    ops.text(62, y, spec.link_text, 11, rgb=(0, 0, 0.8))
    return ops, attach_at, link_at


def make_places_pdf(spec: PdfPlaces) -> bytes:
    """Revision 1 names something on the page; revision 2 (an incremental update) replaces the
    page's content stream.  Embedded file, file-attachment and link annotations, document
    JavaScript, XMP history and page labels are in both revisions."""
    pdf = Pdf()
    catalog = pdf.reserve()
    pages_obj = pdf.reserve()
    page = pdf.reserve()
    font = pdf.add_font()
    ops1, attach_at, link_at = places_page(spec, spec.revised_old)
    ops2, _, _ = places_page(spec, spec.revised_new)
    content1 = pdf.add_stream("", ops1.data())
    page2 = pdf.reserve()
    content_p2 = pdf.add_stream("", places_second_page(spec).data())
    att_fs = embedded_file_spec(pdf, spec.attach_name, b"\xef\xbb\xbf" + spec.attach_text.encode("utf-8"),
                                "text#2Fplain", "原始检测记录")
    ax, ay = attach_at
    att_annot = pdf.add(f"<< /Type /Annot /Subtype /FileAttachment /Rect [{fmt(ax + 330)} {fmt(ay - 4)} "
                        f"{fmt(ax + 344)} {fmt(ay + 14)}] /FS {att_fs} 0 R /Contents {pdf_text('原始检测记录')} "
                        f"/T {pdf_text(NEUTRAL_USER)} /Name /PushPin /F 4 /M {pdf_date('20200611163000')} >>")
    lx, ly = link_at
    link = pdf.add(f"<< /Type /Annot /Subtype /Link /Rect [{fmt(lx)} {fmt(ly - 3)} "
                   f"{fmt(lx + text_width(spec.link_text, 11))} {fmt(ly + 11)}] /Border [0 0 0] /F 4 "
                   f"/A << /S /URI /URI {pdf_text(spec.link_uri)} >> >>")

    def page_dict(content: int) -> str:
        return (f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] "
                f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R "
                f"/Annots [{att_annot} 0 R {link} 0 R] >>")

    pdf.put(page, page_dict(content1))
    pdf.put(page2, f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] "
                   f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content_p2} 0 R >>")
    pdf.put(pages_obj, f"<< /Type /Pages /Kids [{page} 0 R {page2} 0 R] /Count 2 >>")
    emb_fs = embedded_file_spec(pdf, spec.embedded_name, spec.embedded_docx,
                                "application#2Fvnd.openxmlformats-officedocument.wordprocessingml.document", "实验数据说明")
    js = pdf.add(f"<< /S /JavaScript /JS {pdf_text(spec.javascript)} >>")
    xmp = pdf.add_stream("/Type /Metadata /Subtype /XML", xmp_packet(spec), compress=False)
    pdf.put(catalog, f"<< /Type /Catalog /Pages {pages_obj} 0 R /Lang (zh-CN) /Metadata {xmp} 0 R "
                     f"/PageLabels << /Nums [0 << /S /D /P {pdf_text(spec.label_prefix)} >>] >> "
                     f"/Names << /EmbeddedFiles << /Names [{pdf_text(spec.embedded_name)} {emb_fs} 0 R] >> "
                     f"/JavaScript << /Names [(DocOpen) {js} 0 R] >> >> >>")
    info = pdf.add(info_dict(spec.title, NEUTRAL_USER))
    fid = file_id(spec.seed)
    rev1, xref1 = pdf.write(catalog, info, fid)
    content2 = pdf.count + 1
    update = {content2: Pdf.stream("", ops2.data()), page: page_dict(content2).encode("latin-1")}
    return append_update(rev1, xref1, update, content2 + 1, catalog, info, fid)


def places_second_page(spec: PdfPlaces) -> Ops:
    ops = Ops()
    ops.text(62, 780, "五、进度安排", 12)
    y = ops.paragraph(62, 750, "2020年7月至2021年6月完成工艺试验与中试验证；2021年7月至12月完成示范生产与总结验收。")
    ops.paragraph(62, y - 6, "六、预期效益：项目实施后可带动周边农户增收，并形成企业标准1项。")
    return ops


def xmp_packet(spec: PdfPlaces) -> bytes:
    doc_uuid = hashlib.md5((spec.seed + "doc").encode()).hexdigest()
    inst_uuid = hashlib.md5((spec.seed + "inst").encode()).hexdigest()
    xml = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 5.6-c015">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
        'xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#" '
        'xmlns:stRef="http://ns.adobe.com/xap/1.0/sType/ResourceRef#">\n'
        "<dc:format>application/pdf</dc:format>\n"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(spec.title)}</rdf:li></rdf:Alt></dc:title>\n'
        f"<dc:creator><rdf:Seq><rdf:li>{NEUTRAL_USER}</rdf:li></rdf:Seq></dc:creator>\n"
        "<xmp:CreateDate>2020-06-12T10:20:00+08:00</xmp:CreateDate>\n"
        "<xmp:ModifyDate>2020-06-12T10:20:00+08:00</xmp:ModifyDate>\n"
        "<xmp:MetadataDate>2020-06-12T10:20:00+08:00</xmp:MetadataDate>\n"
        "<xmp:CreatorTool>Microsoft Word 2016</xmp:CreatorTool>\n"
        "<pdf:Producer>Microsoft: Print To PDF</pdf:Producer>\n"
        f"<xmpMM:DocumentID>uuid:{doc_uuid}</xmpMM:DocumentID>\n"
        f"<xmpMM:InstanceID>uuid:{inst_uuid}</xmpMM:InstanceID>\n"
        '<xmpMM:DerivedFrom rdf:parseType="Resource">'
        f"<stRef:documentID>uuid:{doc_uuid}</stRef:documentID>"
        f"<stRef:filePath>{x(spec.derived_from)}</stRef:filePath></xmpMM:DerivedFrom>\n"
        '<xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource">'
        "<stEvt:action>converted</stEvt:action>"
        f"<stEvt:parameters>from {x(spec.history_path)} to application/pdf</stEvt:parameters>"
        "<stEvt:softwareAgent>Microsoft Word 2016</stEvt:softwareAgent>"
        "<stEvt:when>2020-06-12T10:20:00+08:00</stEvt:when></rdf:li></rdf:Seq></xmpMM:History>\n"
        "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        + " " * 200 + '\n<?xpacket end="w"?>'
    )
    return xml.encode("utf-8")


@dataclass
class InvisibleSpec:
    """The invisible-text places of H006 (and their neutral twins in H101)."""

    seed: str
    title: str
    paragraphs: list[str]
    invisible: str  # render mode 3
    white: str
    layer_off: str
    outside_crop: str
    covered: str
    tiny: str


CROP_TOP = 800.0  # the CropBox ends here; text above it is outside what a reader sees


def make_invisible_pdf(spec: InvisibleSpec, *, budget: tuple[str, float, float, str] | None = None) -> bytes:
    """Each hidden string sits alone on a line slot of its own, between visible paragraphs."""
    pdf = Pdf()
    catalog = pdf.reserve()
    pages_obj = pdf.reserve()
    font = pdf.add_font()
    ocg = pdf.add(f"<< /Type /OCG /Name {pdf_text('Layer 1')} >>")
    ops = Ops()
    ops.text(A4[0] / 2 - text_width(spec.title, 15) / 2, 770, spec.title, 15)
    y = 730.0
    slots = [
        lambda yy: ops.text(62, yy, spec.invisible, 11, mode=3),
        lambda yy: ops.text(62, yy, spec.white, 11, rgb=(1, 1, 1)),
        lambda yy: layer(yy),
        lambda yy: covered(yy),
        lambda yy: ops.text(62, yy, spec.tiny, 1),
    ]

    def layer(yy: float) -> None:
        inner = Ops()
        inner.text(62, yy, spec.layer_off, 11)
        ops.optional("OC1", inner)

    def covered(yy: float) -> None:
        ops.text(62, yy, spec.covered, 11)
        ops.rect(58, yy - 5, text_width(spec.covered, 11) + 8, 17, fill=(1, 1, 1))

    for i, p in enumerate(spec.paragraphs):
        y = ops.paragraph(62, y, p) - 4
        if i < len(slots):
            slots[i](y)
            y -= 24
    ops.text(62, CROP_TOP + 16, spec.outside_crop, 11)
    pages = [ops]
    if budget is not None:
        pages.append(budget_pdf_ops(*budget))
    kids = []
    for n, page_ops in enumerate(pages):
        content = pdf.add_stream("", page_ops.data())
        crop = f" /CropBox [0 0 {A4[0]} {fmt(CROP_TOP)}]" if n == 0 else ""
        kids.append(pdf.add(f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {A4[0]} {A4[1]}]{crop} "
                            f"/Resources << /Font << /F1 {font} 0 R >> /Properties << /OC1 {ocg} 0 R >> >> "
                            f"/Contents {content} 0 R >>"))
    pdf.put(pages_obj, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>")
    pdf.put(catalog, f"<< /Type /Catalog /Pages {pages_obj} 0 R /Lang (zh-CN) "
                     f"/OCProperties << /OCGs [{ocg} 0 R] /D << /Order [{ocg} 0 R] /ON [] /OFF [{ocg} 0 R] >> >> >>")
    info = pdf.add(info_dict(spec.title, NEUTRAL_USER))
    data, _ = pdf.write(catalog, info, file_id(spec.seed))
    return data


# ---------------------------------------------------------------------------
# application.json and gold
# ---------------------------------------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(region: str, base8: str) -> str:
    """统一社会信用代码 (GB 32100-2015) with a valid organisation-code check (GB 11714) and final check."""
    vals = [int(c) if c.isdigit() else ord(c) - 55 for c in base8]
    c = 11 - sum(v * w for v, w in zip(vals, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) % 11
    org = base8 + ("X" if c == 10 else "0" if c == 11 else str(c))
    body = "91" + region + org
    s = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - s % 31) % 31]


REGION_CODES = {"市本级": "330802", "柯城区": "330802", "衢江区": "330803", "龙游县": "330825",
                "江山市": "330881", "常山县": "330822", "开化县": "330824"}


@dataclass
class Project:
    pid: str
    title: str
    category: str
    region: str
    applicant: str
    aliases: list[str]
    base8: str
    address: str
    phone: str
    email: str
    website: str
    partners: list[tuple[str, list[str]]]
    team: list[tuple[str, str, str]]  # name, role, title
    total: float
    rd: float
    subsidy: float
    submitted: str
    files: dict[str, bytes] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    leaks: list[dict[str, Any]] = field(default_factory=list)
    decoys: list[dict[str, str]] = field(default_factory=list)
    clean: bool = False

    def add(self, name: str, data: bytes, role: str) -> None:
        self.files[name] = data
        self.roles[name] = role

    def leak(self, file: str, part: str, page: int | None, surface: str, kind: str, difficulty: str, place: str,
             detail: str, origin: str = "") -> None:
        self.leaks.append({"file": file, "part": part, "page": page, "surface": surface, "kind": kind,
                           "difficulty": difficulty, "needs_ocr": False, "optional": False,
                           "place": place, "expected_origin": origin, "detail": detail})

    def decoy(self, file: str, surface: str, why: str) -> None:
        self.decoys.append({"file": file, "surface": surface, "why": why})

    def application(self) -> dict[str, Any]:
        team = []
        for name, role, title in self.team:
            m: dict[str, Any] = {"name": name, "role": role, "title": title}
            if role == "leader":
                m.update({"ongoing_as_leader": 0, "ongoing_as_member": 1})
            team.append(m)
        return {
            "project_id": self.pid,
            "call": "quzhou-2020",
            "title": self.title,
            "category": self.category,
            "recommender": self.region,
            "submitted_at": self.submitted,
            "applicant": {
                "name": self.applicant, "aliases": self.aliases,
                "credit_code": uscc(REGION_CODES[self.region], self.base8),
                "region": self.region, "kind": "enterprise", "industrial": True,
                "address": self.address, "phone": self.phone, "email": self.email, "website": self.website,
                "rd_investment_prev_year": round(self.total * 1.9, 1), "blacklisted": False, "unaccepted_projects": 0,
            },
            "partners": [{"name": n, "aliases": a} for n, a in self.partners],
            "team": team,
            "budget": {"total": self.total, "rd": self.rd, "subsidy": self.subsidy},
            "implementation_months": 24,
            "attachments": [{"file": f, "role": r} for f, r in self.roles.items()],
        }

    def gold(self) -> dict[str, Any]:
        g: dict[str, Any] = {"identity_clean": self.clean, "leaks": self.leaks}
        if self.clean:
            g.update({"verdict": "pass", "verdict_accept": ["pass", "review"],
                      "verdict_batch_accept": ["pass", "review"]})
        else:
            g.update({"verdict": "fail"})
        if self.decoys:
            g["decoys"] = self.decoys
        return g


# ---------------------------------------------------------------------------
# the projects
# ---------------------------------------------------------------------------


def h001() -> Project:
    """ODT + RTF."""
    p = Project(
        pid="QZ2020-H001", title="竹材高值化热改性与低毒防霉处理关键技术研究", category="key", region="龙游县",
        applicant="龙游县翠筠竹业科技有限公司", aliases=["翠筠竹业", "翠筠科技"], base8="MA2DK7W3",
        address="龙游县龙洲街道竹海路18号", phone="0570-7128866", email="office@cuiyunzhuye.cn",
        website="www.cuiyunzhuye.cn", partners=[("浙西林业科学研究所", ["浙西林科所"])],
        team=[("邵立新", "leader", "高级工程师"), ("郑雅琴", "member", "工程师"), ("方国栋", "member", "工程师"),
              ("徐慧敏", "member", "助理工程师"), ("叶志强", "member", "工程师"), ("毛建平", "member", "技师"),
              ("傅春燕", "member", "助理研究员")],
        total=260.0, rd=210.0, subsidy=60.0, submitted="2020-06-18T15:40:00+08:00")
    report = "可行性报告.odt"
    odt = OdtSpec(
        title="项目可行性报告",
        paragraphs=[
            "一、项目背景：我市竹林资源丰富，但竹材加工仍以初级产品为主，防霉、防开裂性能不足，产品附加值偏低。",
            "翠筠竹业在竹材炭化改性方面已有多年技术积累，具备开展本项目的中试条件。",
            "二、研究内容：开展竹材饱和蒸汽热改性工艺优化、低毒防霉剂筛选与真空加压浸渍工艺研究，建立改性竹材质量评价方法。",
            "三、技术路线：热处理温度控制在180至200摄氏度之间，结合分段升温与缓冷工艺，降低竹材内应力。",
            "四、预期目标：改性竹材防霉等级达到0级，尺寸稳定性提高30%以上，建成示范生产线1条。",
            "项目成果将通过龙游县竹产业协会向周边竹制品企业推广应用。",
        ],
        header="龙游县翠筠竹业科技有限公司  项目可行性报告",
        footer="浙西林科所 联合编制",
        annotation_at=4,
        annotation="此处防霉等级数据请郑雅琴再核对一遍",
        initial_creator="方国栋",
        creator="徐慧敏",
        user_defined=("编制部门", "翠筠科技研发部"),
    )
    p.add(report, make_odt(odt), "feasibility_report")
    p.leak(report, "body", None, "翠筠竹业", "alias", "easy", "odt.body", "content.xml office:text text:p[2]")
    p.leak(report, "header", None, "龙游县翠筠竹业科技有限公司", "org", "medium", "odt.header",
           "styles.xml style:master-page/style:header")
    p.leak(report, "footer", None, "浙西林科所", "partner", "medium", "odt.footer",
           "styles.xml style:master-page/style:footer")
    p.leak(report, "comment", None, "郑雅琴", "person", "hard", "odt.annotation",
           "content.xml office:annotation/text:p (dc:creator is neutral)")
    p.leak(report, "metadata", None, "方国栋", "person", "medium", "odt.meta_initial_creator",
           "meta.xml meta:initial-creator")
    p.leak(report, "metadata", None, "徐慧敏", "person", "medium", "odt.meta_creator", "meta.xml dc:creator")
    p.leak(report, "metadata", None, "翠筠科技", "alias", "hard", "odt.meta_user_defined",
           "meta.xml meta:user-defined meta:name=编制部门")
    p.decoy(report, "龙游县竹产业协会", "another organisation sharing 龙游县 and 竹 with the applicant")
    budget = "经费预算说明.rtf"
    rtf = RtfSpec(
        title="经费预算说明", author="毛建平", company="浙西林业科学研究所",
        paragraphs=[
            "设备费主要用于购置竹材饱和蒸汽热处理罐1台及真空加压浸渍设备1套。",
            "测试化验加工费由叶志强负责对接第三方检测机构，用于防霉等级与力学性能检测。",
            "劳务费用于支付项目聘用的临时试验人员，间接费用按规定比例核定。",
        ],
        table=budget_table(p.total, p.subsidy))
    p.add(budget, make_rtf(rtf), "budget")
    p.leak(budget, "body", None, "叶志强", "person", "easy", "rtf.body", "second paragraph after the table (\\uN escapes)")
    p.leak(budget, "metadata", None, "毛建平", "person", "medium", "rtf.info_author", "{\\info{\\author}} in GBK \\'xx")
    p.leak(budget, "metadata", None, "浙西林业科学研究所", "partner", "medium", "rtf.info_company",
           "{\\info{\\company}} in GBK \\'xx")
    return p


def h002() -> Project:
    """OFD + XLSX."""
    p = Project(
        pid="QZ2020-H002", title="含氟电子特气纯化与痕量杂质在线检测技术研究", category="major", region="市本级",
        applicant="衢州澄氟新材料有限公司", aliases=["澄氟新材", "澄氟材料"], base8="MA2DL4Q8",
        address="衢州市高新区华荫北路66号", phone="0570-3096612", email="admin@chengfu-mat.cn",
        website="www.chengfu-mat.cn", partners=[("杭州钧衡检测技术有限公司", ["钧衡检测"])],
        team=[("王志刚", "leader", "教授级高级工程师"), ("李红梅", "member", "高级工程师"), ("张卫国", "member", "工程师"),
              ("刘晓峰", "member", "工程师"), ("陈秀英", "member", "会计师"), ("杨海涛", "member", "工程师"),
              ("黄丽萍", "member", "助理工程师")],
        total=680.0, rd=480.0, subsidy=150.0, submitted="2020-06-22T10:05:00+08:00")
    report = "可行性报告.ofd"
    paragraphs = [
        "一、项目背景：电子级含氟特种气体是集成电路制造的关键材料，国内产品在痕量金属与水分控制方面仍有差距。",
        "澄氟新材已建成年产200吨电子级三氟化氮中试装置，具备开展本项目的工程化条件。",
        "二、研究内容：研究低温精馏与吸附耦合纯化工艺，开发痕量杂质在线检测方法，建立产品质量追溯体系。",
        "三、预期目标：产品纯度达到99.999%以上，金属杂质含量低于10ppb，形成发明专利申请3项。",
        "项目将依托衢州市新材料产业协会开展上下游技术交流。",
    ]
    lines = ofd_wrap(paragraphs)
    target_line = next(i for i, ln in enumerate(lines) if "痕量杂质在线" in ln)
    ofd = OfdSpec(
        doc_id=hashlib.md5(b"QZ2020-H002-ofd").hexdigest(),
        title="衢州澄氟新材料有限公司项目可行性报告", author="李红梅",
        custom=[("合作单位", "钧衡检测"), ("密级", "公开")],
        lines=lines, annot_line=target_line, annot_remark="检测方法部分请张卫国补充对比数据",
        attach_name="原始数据说明", attach_file="原始数据说明.txt",
        attach_data="\ufeff原始数据由刘晓峰整理，共计36组纯化试验记录。\r\n".encode())
    p.add(report, make_ofd(ofd), "feasibility_report")
    p.leak(report, "body", 1, "澄氟新材", "alias", "easy", "ofd.page_text",
           "Doc_0/Pages/Page_0/Content.xml TextObject/TextCode")
    p.leak(report, "metadata", None, "衢州澄氟新材料有限公司", "org", "medium", "ofd.docinfo_title",
           "OFD.xml DocBody/DocInfo/Title")
    p.leak(report, "metadata", None, "李红梅", "person", "medium", "ofd.docinfo_author", "OFD.xml DocBody/DocInfo/Author")
    p.leak(report, "metadata", None, "钧衡检测", "partner", "hard", "ofd.docinfo_custom_data",
           "OFD.xml DocInfo/CustomDatas/CustomData Name=合作单位")
    p.leak(report, "comment", 1, "张卫国", "person", "hard", "ofd.annotation",
           "Doc_0/Annots/Page_0/Annotation.xml Annot Type=Highlight /Remark")
    p.leak(report, "body", None, "刘晓峰", "person", "hard", "ofd.attachment",
           "Doc_0/Attachs/Attachments.xml -> Doc_0/Attachs/原始数据说明.txt (UTF-8)")
    p.decoy(report, "衢州市新材料产业协会", "another organisation sharing 衢州 and 新材料 with the applicant")
    budget = "经费预算表.xlsx"
    xl = XlsxSpec(
        title=p.title, sheet_name="澄氟材料预算", total=p.total, subsidy=p.subsidy,
        comment="测试化验加工费已与杨海涛确认报价",
        hidden_sheet="计算底稿",
        hidden_rows=[["科目", "测算依据"], ["设备费", "低温精馏塔及在线色谱仪按询价测算"],
                     ["劳务费", "按陈秀英提供的临时用工标准测算"]])
    p.add(budget, make_xlsx(xl), "budget")
    p.leak(budget, "table", None, "陈秀英", "person", "hard", "xlsx.hidden_sheet",
           "xl/worksheets/sheet2.xml (sheet 计算底稿, state=hidden) B3")
    p.leak(budget, "comment", None, "杨海涛", "person", "hard", "xlsx.cell_comment",
           "xl/comments/comment1.xml on C6 (author neutral)")
    p.leak(budget, "table", None, "澄氟材料", "alias", "medium", "xlsx.sheet_name",
           "xl/workbook.xml sheet name 澄氟材料预算 (also docProps/app.xml TitlesOfParts)")
    return p


def h003() -> Project:
    """ZIP holding a docx and a pdf."""
    p = Project(
        pid="QZ2020-H003", title="高速精密角接触球轴承长寿命设计与制造技术研究", category="key", region="江山市",
        applicant="江山市恒钧精密轴承有限公司", aliases=["恒钧轴承", "恒钧精密"], base8="MA2DN2T5",
        address="江山市经济开发区山海协作园9号", phone="0570-4661230", email="hj@hengjun-bearing.cn",
        website="www.hengjun-bearing.cn", partners=[],
        team=[("周建华", "leader", "高级工程师"), ("吴丽娟", "member", "工程师"), ("徐永康", "member", "工程师"),
              ("姜晓燕", "member", "助理工程师")],
        total=320.0, rd=260.0, subsidy=80.0, submitted="2020-06-19T09:12:00+08:00")
    docx = simple_docx("项目可行性报告", [
        "一、项目背景：高速精密角接触球轴承是数控机床电主轴的核心部件，国产轴承在寿命与精度保持性方面仍有差距。",
        "恒钧轴承现有精密磨加工生产线6条，具备开展本项目的制造与检测条件。",
        "二、研究内容：开展轴承接触角与沟曲率优化设计、套圈超精研工艺和陶瓷球混合轴承装配技术研究。",
        "三、预期目标：轴承精度达到P4级，额定寿命提高50%以上，申请发明专利2项。",
        "项目成果将通过江山市轴承行业协会在本地装备企业中推广。",
    ])
    test_pdf = simple_pdf("QZ2020-H003-test", "寿命试验报告", [pdf_lines("寿命试验报告", [
        "试验对象：7008C型高速角接触球轴承样品12套。",
        "试验条件：转速18000转每分钟，轴向预紧载荷300牛，连续运行500小时。",
        "本批样品由吴丽娟完成寿命试验，试验结果见下表。",
        "结论：样品温升与振动指标均满足设计要求。",
    ])])
    member_pdf = "恒钧精密寿命试验报告.pdf"
    archive = "附件材料.zip"
    p.add(archive, pack_zip([("可行性报告.docx", docx), (member_pdf, test_pdf)]), "feasibility_report")
    p.leak(archive, "body", None, "恒钧轴承", "alias", "medium", "zip.docx_body",
           "member 可行性报告.docx word/document.xml paragraph 3")
    p.leak(archive, "body", 1, "吴丽娟", "person", "medium", "zip.pdf_body",
           f"member {member_pdf} page 1 text")
    p.leak(archive, "filename", None, "恒钧精密", "alias", "medium", "zip.member_name",
           f"zip member name {member_pdf}")
    p.decoy(archive, "江山市轴承行业协会", "another organisation sharing 江山市 and 轴承 with the applicant")
    budget = "经费预算表.pdf"
    p.add(budget, budget_pdf("QZ2020-H003-budget", p.title, p.total, p.subsidy,
                             "设备费主要用于购置轴承寿命试验机1台，材料费用于采购轴承钢与陶瓷球。"), "budget")
    return p


def pdf_lines(title: str, paragraphs: list[str]) -> Ops:
    ops = Ops()
    ops.text(A4[0] / 2 - text_width(title, 15) / 2, 780, title, 15)
    y = 740.0
    for para in paragraphs:
        y = ops.paragraph(62, y, para) - 6
    return ops


def h004() -> Project:
    """DOCX: embedded workbook, OLE package, glossary, customXml, altChunk, picture metadata."""
    p = Project(
        pid="QZ2020-H004", title="基于窄带物联网的城市燃气管网泄漏监测系统研发", category="key", region="柯城区",
        applicant="衢州芯澜物联科技有限公司", aliases=["芯澜物联", "芯澜科技"], base8="MA2DP8R1",
        address="衢州市柯城区荷花中路168号", phone="0570-8823311", email="service@xinlan-iot.cn",
        website="www.xinlan-iot.cn", partners=[("浙江瓯越燃气工程设计院", ["瓯越燃气院"])],
        team=[("孙立明", "leader", "高级工程师"), ("胡晓丽", "member", "工程师"), ("朱文博", "member", "工程师"),
              ("高俊杰", "member", "工程师"), ("林雪梅", "member", "助理工程师"), ("何志远", "member", "工程师"),
              ("马丽华", "member", "助理工程师")],
        total=300.0, rd=240.0, subsidy=80.0, submitted="2020-06-23T16:45:00+08:00")
    report = "可行性报告.docx"
    d = Docx("项目可行性报告")
    fill_places_docx(d, p.pid, names=DocxNames(
        workbook_cell="胡晓丽", ole_text="现场检测记录由朱文博整理，共采集管网压力数据1200条。".encode("gbk"),
        glossary="芯澜科技", custom_xml="瓯越燃气院", alt_chunk="高俊杰", exif_artist="林雪梅",
        exif_copyright="芯澜物联", png_text="Ma Lihua", png_itxt="何志远"),
        paragraphs=[
            "一、项目背景：城市燃气管网泄漏易引发安全事故，传统人工巡检效率低、发现滞后。",
            "二、研究内容：研制低功耗窄带物联网泄漏监测终端，开发管网压力与浓度数据融合分析平台。",
            "三、技术路线：采用激光甲烷传感与压力波动联合判别，终端电池寿命达到5年以上。",
            "项目成果将在浙江省物联网产业协会组织的应用示范中推广。",
        ])
    p.add(report, d.build(), "feasibility_report")
    p.leak(report, "table", None, "胡晓丽", "person", "hard", "docx.embedded_workbook",
           "word/embeddings/Microsoft_Excel_Worksheet.xlsx (package part, o:OLEObject ProgID=Excel.Sheet.12) sheet 检测数据!C3")
    p.leak(report, "body", None, "朱文博", "person", "hard", "docx.ole_object",
           "word/embeddings/oleObject1.bin (OLE2, ProgID=Package) stream \\x01Ole10Native -> 检测记录.txt (GBK)")
    p.leak(report, "body", None, "芯澜科技", "alias", "hard", "docx.glossary",
           "word/glossary/document.xml docPart 落款 (building block)")
    p.leak(report, "metadata", None, "瓯越燃气院", "partner", "hard", "docx.custom_xml",
           "customXml/item1.xml <编制单位> (itemProps1.xml, customXml relationship)")
    p.leak(report, "body", None, "高俊杰", "person", "hard", "docx.altchunk",
           "word/afchunk.htm <p>, w:altChunk r:id in the body")
    p.leak(report, "image", None, "林雪梅", "person", "hard", "docx.jpeg_exif_artist",
           "word/media/image1.jpeg EXIF 0x013B Artist (UTF-8 bytes)")
    p.leak(report, "image", None, "芯澜物联", "alias", "hard", "docx.jpeg_exif_copyright",
           "word/media/image1.jpeg EXIF 0x8298 Copyright (UTF-8 bytes)")
    p.leak(report, "image", None, "Ma Lihua", "pinyin", "hard", "docx.png_text_author",
           "word/media/image2.png tEXt Author (Latin-1, so the member's name in pinyin)")
    p.leak(report, "image", None, "何志远", "person", "hard", "docx.png_itxt_author",
           "word/media/image3.png iTXt Author (UTF-8)")
    p.decoy(report, "浙江省物联网产业协会", "another organisation sharing 物联 with the applicant")
    budget = "经费预算表.pdf"
    p.add(budget, budget_pdf("QZ2020-H004-budget", p.title, p.total, p.subsidy,
                             "设备费主要用于购置激光甲烷传感器标定装置，材料费用于终端样机电路与外壳。"), "budget")
    return p


@dataclass
class DocxNames:
    workbook_cell: str
    ole_text: bytes
    glossary: str
    custom_xml: str
    alt_chunk: str
    exif_artist: str
    exif_copyright: str
    png_text: str
    png_itxt: str


def fill_places_docx(d: Docx, seed: str, names: DocxNames, paragraphs: list[str]) -> None:
    n = int(hashlib.md5(seed.encode()).hexdigest()[:6], 16)
    d.para("项目可行性报告", bold=True, size=32, center=True)
    d.para(paragraphs[0])
    d.image("image1.jpeg", jpeg_with_exif(picture("flow", (640, 240), n), names.exif_artist, names.exif_copyright),
            14.0, 5.25)
    d.para("图1  系统总体技术路线", center=True)
    d.para(paragraphs[1])
    wb = small_workbook([["样品编号", "检测值", "记录人"], ["S-01", 0.82, "—"], ["S-02", 0.79, names.workbook_cell]],
                        "检测数据")
    d.ole_object("Excel.Sheet.12", "embeddings/Microsoft_Excel_Worksheet.xlsx", wb, "package",
                 png_plain(picture("grid", (480, 200), n)), "image4.png")
    d.para("表1  样品检测数据（嵌入工作表）", center=True)
    d.para(paragraphs[2])
    d.image("image2.png", png_with_text(picture("bars", (560, 300), n), text={"Author": names.png_text}), 12.0, 6.4)
    d.para("图2  试验数据对比", center=True)
    d.image("image3.png", png_with_text(picture("bars", (560, 300), n + 1), itxt={"Author": names.png_itxt}), 12.0, 6.4)
    d.para("图3  示范运行数据", center=True)
    d.ole_object("Package", "embeddings/oleObject1.bin", ole_package("检测记录.txt", names.ole_text), "oleObject",
                 png_plain(picture("icon", (160, 120), n)), "image5.png")
    d.para("附：现场检测记录（嵌入对象）", center=True)
    d.alt_chunk("afchunk.htm", alt_chunk_html("补充说明", f"补充说明：终端标定试验由{names.alt_chunk}完成，数据已归档。"))
    d.para(paragraphs[3])
    guid = "{" + hashlib.md5((seed + "gl").encode()).hexdigest().upper()[:8] + "-1F2E-4C3B-9A8D-0E1F2A3B4C5D}"
    d.glossary(glossary_part("落款", guid, f"编制单位：{names.glossary}"))
    item_id = "{" + hashlib.md5((seed + "cx").encode()).hexdigest().upper()[:8] + "-6A7B-4C8D-9E0F-1A2B3C4D5E6F}"
    d.custom_xml(f'<申报信息 xmlns="http://www.qzkj.gov.cn/shenbao/2020"><项目类别>科技攻关项目</项目类别>'
                 f"<编制单位>{x(names.custom_xml)}</编制单位></申报信息>", item_id, "http://www.qzkj.gov.cn/shenbao/2020")


def h005() -> Project:
    """PDF: embedded file, file attachment, link, JavaScript, XMP, page labels, earlier revision."""
    p = Project(
        pid="QZ2020-H005", title="常山胡柚功能成分提取与低糖果脯加工技术研究", category="key", region="常山县",
        applicant="常山县金柚坊食品科技有限公司", aliases=["金柚坊", "金柚坊食品"], base8="MA2DQ3K6",
        address="常山县天马街道胡柚大道28号", phone="0570-5021177", email="jyf@jinyoufang.com.cn",
        website="www.jinyoufang.com.cn", partners=[("钱江食品工程研究院", ["钱江食品院"])],
        team=[("汪建平", "leader", "高级工程师"), ("严美玲", "member", "工程师"), ("詹国华", "member", "工程师"),
              ("祝丽芳", "member", "助理工程师"), ("程晓军", "member", "工程师"), ("余海燕", "member", "助理工程师"),
              ("饶志勇", "member", "技师")],
        total=240.0, rd=190.0, subsidy=60.0, submitted="2020-06-24T11:30:00+08:00")
    report = "可行性报告.pdf"
    spec = PdfPlaces(
        seed="QZ2020-H005-report", title="项目可行性报告",
        paragraphs=[
            "一、项目背景：胡柚果实富含柚皮苷、柠檬苦素等功能成分，但鲜果季节性强，深加工产品少，果皮综合利用率低。",
            "二、研究内容：研究柚皮苷绿色提取与纯化工艺，开发低糖胡柚果脯真空渗糖技术，建立功能成分检测方法。",
            "三、预期目标：柚皮苷提取率提高20%以上，果脯含糖量降低30%。",
            "项目成果将通过常山县胡柚产业协会推广。",
        ],
        revised_old="四、合作方式：本项目与钱江食品院合作开展功能成分检测与产品评价。",
        revised_new="四、合作方式：本项目联合合作单位开展功能成分检测与产品评价。",
        embedded_name="实验数据说明.docx",
        embedded_docx=simple_docx("实验数据说明", ["渗糖工艺正交试验共9组，数据由严美玲汇总，原始记录保存在质检部。"]),
        attach_name="原始检测记录.txt", attach_text="柚皮苷含量测定原始记录（HPLC），检测人：詹国华。\r\n",
        link_text="产品介绍网页", link_uri="http://www.jinyoufang.com.cn/product/huyou.html",
        javascript='var preparedBy = "程晓军";\nif (app.viewerVersion < 9) { app.alert("请使用新版阅读器打开本文件"); }',
        derived_from="D:\\工作\\金柚坊食品\\报告.docx",
        history_path="C:\\Users\\yuhaiyan\\Desktop\\申报材料\\报告.docx",
        label_prefix="饶志勇-",
    )
    p.add(report, make_places_pdf(spec), "feasibility_report")
    p.leak(report, "body", None, "严美玲", "person", "hard", "pdf.embedded_file",
           "Catalog /Names /EmbeddedFiles -> 实验数据说明.docx (word/document.xml)")
    p.leak(report, "comment", 1, "詹国华", "person", "hard", "pdf.file_attachment",
           "page 1 /Annots /FileAttachment /FS -> 原始检测记录.txt (UTF-8); /Contents and /T neutral")
    p.leak(report, "comment", 1, "jinyoufang", "pinyin", "hard", "pdf.link_uri",
           "page 1 /Annots /Link /A /URI http://www.jinyoufang.com.cn/... (the applicant's website)")
    p.leak(report, "metadata", None, "程晓军", "person", "hard", "pdf.javascript",
           "Catalog /Names /JavaScript (DocOpen) /JS")
    p.leak(report, "metadata", None, "金柚坊食品", "alias", "hard", "pdf.xmp_derived_from",
           "XMP xmpMM:DerivedFrom/stRef:filePath D:\\工作\\金柚坊食品\\报告.docx")
    p.leak(report, "metadata", None, "yuhaiyan", "pinyin", "hard", "pdf.xmp_history",
           "XMP xmpMM:History stEvt:parameters C:\\Users\\yuhaiyan\\Desktop\\... (a member's name in pinyin)")
    p.leak(report, "metadata", None, "饶志勇", "person", "hard", "pdf.page_label",
           "Catalog /PageLabels /Nums [0 << /P (饶志勇-) >>]")
    p.leak(report, "body", 1, "钱江食品院", "partner", "hard", "pdf.prior_revision",
           "page 1 content stream of revision 1, replaced by an incremental update (old object kept)")
    p.decoy(report, "常山县胡柚产业协会", "another organisation sharing 常山县 and 柚 with the applicant")
    budget = "经费预算表.pdf"
    p.add(budget, budget_pdf("QZ2020-H005-budget", p.title, p.total, p.subsidy,
                             "设备费主要用于购置真空渗糖罐与高效液相色谱仪配件，材料费用于胡柚原料与辅料。"), "budget")
    return p


def h006() -> Project:
    """PDF text a reader cannot see."""
    p = Project(
        pid="QZ2020-H006", title="工业窑炉烟气余热梯级回收与低氮燃烧技术研究", category="key", region="衢江区",
        applicant="衢州盛川节能科技有限公司", aliases=["盛川节能", "盛川科技"], base8="MA2DR6M2",
        address="衢州市衢江区东港三路52号", phone="0570-3569021", email="sc@shengchuan-es.cn",
        website="www.shengchuan-es.cn", partners=[("浙江东瓯环境工程研究院", ["东瓯环境院"])],
        team=[("蒋国强", "leader", "高级工程师"), ("潘晓红", "member", "工程师"), ("廖文斌", "member", "工程师"),
              ("鲁春梅", "member", "助理工程师"), ("俞志华", "member", "工程师"), ("韩秀兰", "member", "会计师"),
              ("施伟东", "member", "技师")],
        total=280.0, rd=220.0, subsidy=70.0, submitted="2020-06-25T14:20:00+08:00")
    report = "可行性报告.pdf"
    spec = InvisibleSpec(
        seed="QZ2020-H006-report", title="项目可行性报告",
        paragraphs=[
            "一、项目背景：建材与化工行业工业窑炉排烟温度普遍在300摄氏度以上，余热利用率低，氮氧化物排放控制压力大。",
            "二、研究内容：研究烟气余热梯级回收换热器结构优化与分级燃烧低氮控制技术，开发窑炉能效在线监测系统。",
            "三、技术路线：采用高温段蓄热、中温段热管换热、低温段有机朗肯循环发电的梯级利用方案。",
            "四、预期目标：窑炉综合能耗降低15%以上，氮氧化物排放浓度低于100毫克每立方米。",
            "五、推广应用：项目成果将通过衢州市节能技术服务中心在本地建材企业中推广。",
            "六、进度安排：2020年7月至2021年12月分三个阶段完成研发、中试与示范应用。",
        ],
        invisible="潘晓红", white="盛川科技", layer_off="廖文斌", outside_crop="东瓯环境院", covered="鲁春梅",
        tiny="俞志华")
    p.add(report, make_invisible_pdf(spec), "feasibility_report")
    p.leak(report, "body", 1, "潘晓红", "person", "hard", "pdf.invisible_text", "page 1, 3 Tr (render mode invisible)",
           "invisible")
    p.leak(report, "body", 1, "盛川科技", "alias", "hard", "pdf.white_text", "page 1, fill 1 1 1 rg on white", "white")
    p.leak(report, "body", 1, "廖文斌", "person", "hard", "pdf.hidden_layer",
           "page 1, /OC /OC1 BDC, OCG listed in /OCProperties /D /OFF", "hidden_layer")
    p.leak(report, "body", 1, "东瓯环境院", "partner", "hard", "pdf.outside_cropbox",
           f"page 1 at y={fmt(CROP_TOP + 16)} above /CropBox top {fmt(CROP_TOP)} (inside the MediaBox)", "outside_crop")
    p.leak(report, "body", 1, "鲁春梅", "person", "hard", "pdf.covered_text",
           "page 1, black text then an opaque white rectangle drawn over it", "covered")
    p.leak(report, "body", 1, "俞志华", "person", "hard", "pdf.tiny_text", "page 1, 1 Tf (1-pt text)", "tiny")
    p.decoy(report, "衢州市节能技术服务中心", "another organisation sharing 衢州 and 节能 with the applicant")
    budget = "经费预算表.pdf"
    p.add(budget, budget_pdf("QZ2020-H006-budget", p.title, p.total, p.subsidy,
                             "设备费主要用于购置热管换热器试验台与烟气分析仪，材料费用于换热元件与耐火材料。"), "budget")
    return p


def h101() -> Project:
    """Clean: the docx places and the pdf places, all holding neutral text."""
    p = Project(
        pid="QZ2020-H101", title="山地茶园绿色防控与机械化采摘技术集成示范", category="key", region="开化县",
        applicant="开化县岚溪茶业有限公司", aliases=["岚溪茶业"], base8="MA2DT1H9",
        address="开化县华埠镇茶园路7号", phone="0570-6012388", email="lanxi@lanxitea.cn",
        website="www.lanxitea.cn", partners=[("浙西茶叶科学研究所", ["浙西茶科所"])],
        team=[("戴建明", "leader", "高级农艺师"), ("卢晓芸", "member", "农艺师"), ("邱志坚", "member", "助理农艺师")],
        total=200.0, rd=160.0, subsidy=50.0, submitted="2020-06-16T09:40:00+08:00")
    report = "可行性报告.docx"
    d = Docx("项目可行性报告")
    fill_places_docx(d, p.pid, names=DocxNames(
        workbook_cell="质检部", ole_text="现场检测记录共采集茶园虫情数据860条，已按批次归档。".encode("gbk"),
        glossary="（按要求隐去）", custom_xml="（按要求隐去）", alt_chunk="课题组", exif_artist=NEUTRAL_USER,
        exif_copyright="保留所有权利", png_text=NEUTRAL_USER, png_itxt="课题组"),
        paragraphs=[
            "一、项目背景：山地茶园坡度大、机械化程度低，病虫害防控仍依赖化学农药，茶叶质量安全压力较大。",
            "二、研究内容：集成天敌保护、色板诱杀与生物农药替代技术，研制适用于山地茶园的轻简化采摘机械。",
            "三、技术路线：建立绿色防控示范区，开展机采茶园树冠培育与采摘参数优化试验。",
            "项目成果将通过开化县茶叶产业协会和浙西茶叶交易市场推广。",
        ])
    p.add(report, d.build(), "feasibility_report")
    p.decoy(report, "开化县茶叶产业协会", "another organisation sharing 开化县 and 茶 with the applicant")
    p.decoy(report, "浙西茶叶交易市场", "another organisation sharing 浙西茶叶 with the partner")
    budget = "经费预算表.pdf"
    places = PdfPlaces(
        seed="QZ2020-H101-budget", title="项目经费预算说明",
        paragraphs=["本预算按照市级科技计划项目经费管理办法编制，资金来源包括申请财政补助与单位自筹。",
                    "设备费主要用于购置茶园病虫害监测设备与轻简化采摘机样机。"],
        revised_old="测试化验加工费用于茶叶农残检测，由第三方检测机构承担。",
        revised_new="测试化验加工费用于茶叶农残与品质成分检测，由第三方检测机构承担。",
        embedded_name="测算依据.docx", embedded_docx=simple_docx("测算依据", ["设备单价按2020年市场询价测算。"]),
        attach_name="询价记录.txt", attach_text="监测设备询价记录，共三家供应商报价。\r\n",
        link_text="经费管理办法网页", link_uri="http://kjj.qz.gov.cn/art/2020/5/18/art_1229031234_123456.html",
        javascript='if (app.viewerVersion < 9) { app.alert("请使用新版阅读器打开本文件"); }',
        derived_from="D:\\工作\\项目申报\\预算说明.docx",
        history_path="C:\\Users\\Administrator\\Desktop\\申报材料\\预算说明.docx",
        label_prefix="预算-")
    p.add(budget, make_places_pdf(places), "budget")
    hidden = "经费测算表.pdf"
    inv = InvisibleSpec(
        seed="QZ2020-H101-calc", title="经费测算说明",
        paragraphs=["一、设备费测算：病虫害监测设备按询价单价乘以数量测算。",
                    "二、材料费测算：色板、性诱剂与生物农药按示范面积测算。",
                    "三、测试化验加工费测算：按检测批次与单价测算。",
                    "四、劳务费测算：按临时用工人数与月数测算。",
                    "五、间接费用：按规定比例核定。",
                    "六、其他：以上测算均不含税费差异。"],
        invisible="草稿", white="占位", layer_off="图层备注", outside_crop="裁切标记", covered="待删除", tiny="版本2")
    p.add(hidden, make_invisible_pdf(inv, budget=(p.title, p.total, p.subsidy,
                                                  "测算依据见第一页，预算总额与申报系统填写一致。")), "budget")
    p.clean = True
    return p


def h102() -> Project:
    """Clean: ODT, RTF, OFD, XLSX and ZIP with the same places holding neutral text."""
    p = Project(
        pid="QZ2020-H102", title="矿用隔爆型永磁变频一体机关键技术研究", category="key", region="江山市",
        applicant="衢州曜岩智能装备有限公司", aliases=["曜岩智能"], base8="MA2DU5B3",
        address="江山市清湖街道工业园区12号", phone="0570-4032266", email="yy@yaoyan-ie.cn",
        website="www.yaoyan-ie.cn", partners=[],
        team=[("包国平", "leader", "高级工程师"), ("俞佳慧", "member", "工程师")],
        total=220.0, rd=180.0, subsidy=60.0, submitted="2020-06-17T13:55:00+08:00")
    paragraphs = [
        "一、项目背景：矿用提升与输送设备能耗高，传统异步电机加变频器分体方案体积大、防爆可靠性不足。",
        "二、研究内容：研究隔爆腔体内永磁电机与变频器一体化散热结构，开发无位置传感器矢量控制算法。",
        "三、技术路线：采用水冷复合散热与隔爆接合面优化设计，满足煤矿井下防爆要求。",
        "四、预期目标：整机效率提高8%以上，体积减小30%，取得防爆合格证。",
        "项目成果将通过衢州市智能装备产业联盟在本地矿山企业中推广。",
    ]
    report = "可行性报告.odt"
    p.add(report, make_odt(OdtSpec(
        title="项目可行性报告", paragraphs=paragraphs, header="项目可行性报告", footer="第一部分",
        annotation_at=3, annotation="此处效率数据请再核对一遍", initial_creator=NEUTRAL_USER, creator=NEUTRAL_USER,
        user_defined=("编制部门", "研发部"))), "feasibility_report")
    p.decoy(report, "衢州市智能装备产业联盟", "another organisation sharing 衢州 and 智能装备 with the applicant")
    summary = "项目摘要.ofd"
    lines = ofd_wrap(paragraphs[:4])
    p.add(summary, make_ofd(OfdSpec(
        doc_id=hashlib.md5(b"QZ2020-H102-ofd").hexdigest(), title="项目摘要", author=NEUTRAL_USER,
        custom=[("密级", "公开")], lines=lines, annot_line=2, annot_remark="此处请补充对比数据",
        attach_name="原始数据说明", attach_file="原始数据说明.txt",
        attach_data="\ufeff原始数据共计24组样机试验记录。\r\n".encode())), "feasibility_report")
    rtf = "经费预算说明.rtf"
    p.add(rtf, make_rtf(RtfSpec(
        title="经费预算说明", author=NEUTRAL_USER, company="微软中国",
        paragraphs=["设备费主要用于购置防爆试验台与功率分析仪。", "测试化验加工费用于整机防爆检验与能效检测。"],
        table=budget_table(p.total, p.subsidy))), "budget")
    xlsx = "经费预算表.xlsx"
    p.add(xlsx, make_xlsx(XlsxSpec(
        title=p.title, sheet_name="经费预算", total=p.total, subsidy=p.subsidy, comment="已按市场询价测算",
        hidden_sheet="计算底稿", hidden_rows=[["科目", "测算依据"], ["设备费", "防爆试验台按询价测算"]])), "budget")
    archive = "附件材料.zip"
    p.add(archive, pack_zip([
        ("技术说明.docx", simple_docx("技术说明", ["样机采用水冷复合散热结构，隔爆外壳经过强度试验。"])),
        ("型式试验报告.pdf", simple_pdf("QZ2020-H102-zip", "型式试验报告",
                                        [pdf_lines("型式试验报告", ["样机在额定负载下连续运行72小时，各项指标正常。"])])),
    ]), "feasibility_report")
    p.clean = True
    return p


PROJECTS = [h001, h002, h003, h004, h005, h006, h101, h102]


def write(out: Path) -> None:
    gold: dict[str, Any] = {"projects": {}}
    for make in PROJECTS:
        p = make()
        folder = out / "projects" / p.pid
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in p.files.items():
            (folder / name).write_bytes(data)
        app = json.dumps(p.application(), ensure_ascii=False, indent=2) + "\n"
        (folder / "application.json").write_text(app, encoding="utf-8")
        for f in folder.iterdir():
            os.utime(f, (FILE_TIME, FILE_TIME))
        gold["projects"][p.pid] = p.gold()
    (out / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: make.py OUT", file=sys.stderr)
        return 2
    write(Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
