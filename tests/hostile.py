"""A corpus of hostile attachments, written on demand (`write_corpus(folder)`), for the hardening tests.

Every file but the empty one plants the applicant's name (`APPLICANT`) somewhere that survives
its hostility, so a test can tell "read despite the trap" from "refused" — and each file says
which findings it must produce (`Hostile.expect`: rules of which at least one must appear).

    python tests/hostile.py OUT_DIR    # write the corpus to look at it
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samples.docxkit import build_docx  # noqa: E402
from samples.pdfkit import build_pdf  # noqa: E402

APPLICANT = "衢州恶意样本科技有限公司"
LEADER = "司马防御"
APPLICATION = {
    "project_id": "QZ2020-HOSTILE",
    "title": "恶意附件加固测试",
    "applicant": {"name": APPLICANT, "aliases": ["恶意样本科技"]},
    "team": [{"name": LEADER, "role": "leader"}],
}
LEAK_TEXT = f"本报告由{APPLICANT}编制，项目负责人{LEADER}。"


@dataclass(frozen=True, slots=True)
class Hostile:
    file: str  # the name on disk
    upload_name: str  # the name a client sends (differs only for the path-traversal case)
    expect: frozenset[str]  # at least one finding of one of these rules, on this file
    what: str


# ---------------------------------------------------------------- docx


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def _docx(document: bytes, extra: dict[str, bytes] | None = None, *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", level) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


def _body(*paragraphs: str) -> bytes:
    runs = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>{runs}</w:body></w:document>'.encode()


def zip_bomb_docx() -> bytes:
    """A readable document plus a 65 MiB member (over the 64 MB a member) that deflates to about
    65 KiB (ratio ≈ 1000)."""
    return _docx(_body(LEAK_TEXT), {"word/media/bomb.bin": bytes(65 * 1024 * 1024)})


def billion_laughs_docx() -> bytes:
    """document.xml declaring the classic 10⁹-fold entity expansion, and an external entity (XXE)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{entities}'
           '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           f'<w:document {_W}><w:body><w:p><w:r><w:t>{LEAK_TEXT}&lol9;&xxe;</w:t></w:r></w:p></w:body></w:document>')
    return _docx(xml.encode())


def deeply_nested_docx() -> bytes:
    """The leak in the first paragraph, then 20 000 nested content controls (under 1 MiB, so the
    zip ratio check lets it through to the XML parser)."""
    depth = 20_000
    nested = "<w:sdt><w:sdtContent>" * depth + "<w:p/>" + "</w:sdtContent></w:sdt>" * depth
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>'
           f"<w:p><w:r><w:t>{LEAK_TEXT}</w:t></w:r></w:p>{nested}</w:body></w:document>")
    return _docx(xml.encode())


def picture_docx(body: list[str], picture: bytes, *, in_header: bool = False, header: str | None = None) -> bytes:
    """A docx (python-docx) with `body` and one picture, word/media/image1.png: a paragraph of its
    own after the body, or in the default header (after `header`'s text, if any)."""
    import docx  # python-docx: samples.docxkit has no picture in a header

    document = docx.Document()
    for text in body:
        document.add_paragraph(text)
    if in_header:
        paragraph = document.sections[0].header.paragraphs[0]
        if header:
            paragraph.add_run(header)
        paragraph.add_run().add_picture(io.BytesIO(picture))
    else:
        if header:
            document.sections[0].header.paragraphs[0].add_run(header)
        document.add_picture(io.BytesIO(picture))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def small_png(width: int = 40, height: int = 20) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def replace_member(data: bytes, member: str, blob: bytes) -> bytes:
    """The package with `member` replaced (or added) by `blob`, every member deflated at level 9."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = [info.filename for info in src.infolist()]
        for name in names:
            dst.writestr(name, blob if name == member else src.read(name), compresslevel=9)
        if member not in names:
            dst.writestr(member, blob, compresslevel=9)
    return out.getvalue()


def picture_bomb(size: int = 65 * 1024 * 1024) -> bytes:
    """`size` zero bytes (by default just over the docx parser's 64 MB a member), deflated about
    a thousandfold."""
    return bytes(size)


def damage_member(data: bytes, member: str, how: str) -> bytes:
    """The package with one deflated member's zip data damaged in place (its central directory
    intact, so the zip still opens): "crc" — the CRC recorded for it is wrong; "garbage" — its
    deflate stream starts with an invalid block; "truncated" — its deflate stream is cut to half
    (the sizes in the headers say so: the stream ends before its end-of-stream marker)."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        target = zf.getinfo(member)
    assert target.compress_type == zipfile.ZIP_DEFLATED, member
    eocd = data.rindex(b"PK\x05\x06")
    entries, _size, cd_offset = struct.unpack_from("<HII", buf, eocd + 10)
    local = target.header_offset
    name_len, extra_len = struct.unpack_from("<HH", buf, local + 26)
    start = local + 30 + name_len + extra_len
    cut = target.compress_size // 2
    central = cd_offset
    for _ in range(entries):  # the central directory entries: CRC at +16, sizes at +20, offset at +42
        n, m, k = struct.unpack_from("<HHH", buf, central + 28)
        offset = struct.unpack_from("<I", buf, central + 42)[0]
        if offset == local:
            if how == "crc":
                struct.pack_into("<I", buf, central + 16, struct.unpack_from("<I", buf, central + 16)[0] ^ 0xFFFF)
            elif how == "truncated":
                struct.pack_into("<I", buf, central + 20, target.compress_size - cut)
        elif how == "truncated" and offset > local:
            struct.pack_into("<I", buf, central + 42, offset - cut)
        central += 46 + n + m + k
    if how == "crc":
        struct.pack_into("<I", buf, local + 14, struct.unpack_from("<I", buf, local + 14)[0] ^ 0xFFFF)
    elif how == "garbage":
        buf[start] = 0xFF  # BFINAL 1, BTYPE 11: a reserved block type, an invalid stream
    elif how == "truncated":
        struct.pack_into("<I", buf, local + 18, target.compress_size - cut)
        struct.pack_into("<I", buf, eocd + 16, cd_offset - cut)
        del buf[start + target.compress_size - cut:start + target.compress_size]
    else:
        raise ValueError(how)
    return bytes(buf)


# ---------------------------------------------------------------- pdf


def _utf16(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _pdf(objects: dict[int, str], root: int, info: int | None = None, *, trailer_extra: str = "") -> bytes:
    """A PDF from numbered object bodies, with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    size = max(objects) + 1
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n{objects[number]}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for number in range(1, size):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode() if number in offsets else b"0000000000 65535 f \n")
    info_ref = f" /Info {info} 0 R" if info else ""
    out.write(f"trailer\n<< /Size {size} /Root {root} 0 R{info_ref}{trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


_PAGE_TEXT = "BT /F1 12 Tf 72 720 Td (Hostile test page) Tj ET"


def _stream(data: str) -> str:
    return f"<< /Length {len(data.encode('latin-1'))} >>\nstream\n{data}\nendstream"


def reference_loop_pdf() -> bytes:
    """Info /Author is an indirect reference to a reference to itself (7 → 8 → 7); the page's
    /Resources is a reference that points at itself; the leak is in Info /Title."""
    return _pdf({
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources 9 0 R >>",
        4: _stream(_PAGE_TEXT),
        6: f"<< /Title {_utf16(LEAK_TEXT)} /Author 7 0 R >>",
        7: "8 0 R",
        8: "7 0 R",
        9: "9 0 R",
    }, root=1, info=6)


def page_tree_loop_pdf() -> bytes:
    """The page tree's only kid is a /Pages node whose kid is the root /Pages node again."""
    return _pdf({
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
        6: f"<< /Title {_utf16(LEAK_TEXT)} >>",
    }, root=1, info=6)


def _text_pdf(path: Path, **extra: object) -> bytes:
    build_pdf(path, pages=[[LEAK_TEXT, "二、研究内容。" * 20]], **extra)  # type: ignore[arg-type]
    data = path.read_bytes()
    path.unlink()
    return data


# ---------------------------------------------------------------- pictures


def huge_png() -> bytes:
    """A valid PNG signature and IHDR claiming 100000 × 100000 pixels, with a tiny IDAT."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


# ---------------------------------------------------------------- the corpus


def surrogate_pdf() -> bytes:
    """A PDF whose font's ToUnicode map sends 'A' to the lone high surrogate U+D835 (as broken
    maps of mathematical alphabets do); the applicant is in Info /Title."""
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Broken def\n"
            "1 begincodespacerange <00> <FF> endcodespacerange\n"
            "1 beginbfchar <41> <D835> endbfchar\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end")
    line = "Feasibility report of the project, chapter one: background and state of the art A"
    content = "BT /F1 10 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for _ in range(30)) + " ET"
    return _pdf({
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
           "/Contents 4 0 R >>",
        4: _stream(content),
        5: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        6: _stream(cmap),
        7: f"<< /Title {_utf16(APPLICANT)} >>",
    }, 1, 7)


def padded_docx() -> bytes:
    """The leak in a document.xml padded with a 3 MB comment (compresses about a thousandfold)."""
    return _docx(_body(LEAK_TEXT).replace(b"<w:body>", b"<w:body><!--" + b"x" * 3_000_000 + b"-->", 1))


def two_bodies_docx() -> bytes:
    """A document.xml with two w:body elements (Word tolerates it), the leak in the second."""
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body><w:p><w:r><w:t>第一部分</w:t></w:r>'
           f"</w:p></w:body><w:body><w:p><w:r><w:t>{LEAK_TEXT}</w:t></w:r></w:p></w:body></w:document>")
    return _docx(xml.encode())


def write_corpus(folder: Path) -> list[Hostile]:
    """Write every hostile file (and application.json) into `folder`; return what each must yield."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "application.json").write_text(json.dumps(APPLICATION, ensure_ascii=False), encoding="utf-8")
    scratch = folder / ".scratch.pdf"
    text_pdf = _text_pdf(scratch)
    leak_docx_path = folder / ".scratch.docx"
    build_docx(leak_docx_path, body=[LEAK_TEXT])
    leak_docx = leak_docx_path.read_bytes()
    leak_docx_path.unlink()
    makers: list[tuple[Hostile, Callable[[], bytes]]] = [
        (Hostile("zip-bomb.docx", "zip-bomb.docx", frozenset({"document.unverifiable"}),
                 "a 64 MiB member compressed a thousandfold"), zip_bomb_docx),
        (Hostile("billion-laughs.docx", "billion-laughs.docx", frozenset({"document.unverifiable"}),
                 "entity expansion bomb and an external entity to /etc/passwd"), billion_laughs_docx),
        (Hostile("deeply-nested.docx", "deeply-nested.docx", frozenset({"identity.org"}),
                 "20 000 nested elements"), deeply_nested_docx),
        (Hostile("reference-loop.pdf", "reference-loop.pdf",
                 frozenset({"identity.metadata", "document.unreadable"}),
                 "indirect references that point at each other"), reference_loop_pdf),
        (Hostile("page-tree-loop.pdf", "page-tree-loop.pdf",
                 frozenset({"identity.metadata", "document.unreadable", "document.scanned"}),
                 "a page tree whose kid is its own root"), page_tree_loop_pdf),
        (Hostile("truncated.pdf", "truncated.pdf",
                 frozenset({"document.unreadable", "identity.org", "identity.person"}),
                 "the first 60 % of a text PDF"), lambda: text_pdf[: len(text_pdf) * 6 // 10]),
        (Hostile("encrypted.pdf", "encrypted.pdf", frozenset({"document.encrypted"}),
                 "needs a user password"), lambda: _text_pdf(scratch, user_password="secret")),
        (Hostile("huge-pixels.png", "huge-pixels.png", frozenset({"document.too_large"}),
                 "PNG header claiming 100000×100000 pixels"), huge_png),
        (Hostile("empty.pdf", "empty.pdf", frozenset({"document.unreadable"}), "0 bytes"), lambda: b""),
        (Hostile("docx-named.pdf", "docx-named.pdf", frozenset({"document.unsupported"}),
                 "a .docx saved under a .pdf name"), lambda: leak_docx),
        (Hostile("broken-tounicode.pdf", "broken-tounicode.pdf", frozenset({"document.text_repaired"}),
                 "a font's ToUnicode map giving lone UTF-16 surrogates"), surrogate_pdf),
        (Hostile("padded.docx", "padded.docx", frozenset({"identity.org"}),
                 "document.xml padded with a 3 MB comment"), padded_docx),
        (Hostile("two-bodies.docx", "two-bodies.docx", frozenset({"identity.org"}),
                 "the leak in a second w:body"), two_bodies_docx),
        (Hostile("traversal.pdf", "../../../tmp/screening-traversal/可行性报告.pdf",
                 frozenset({"identity.org", "identity.person"}),
                 "a client file name climbing out of any folder"), lambda: text_pdf),
    ]
    corpus = []
    for hostile, make in makers:
        (folder / hostile.file).write_bytes(make())
        corpus.append(hostile)
    return corpus


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("hostile-corpus")
    for item in write_corpus(target):
        print(f"{item.file:24} {sorted(item.expect)}  {item.what}")
