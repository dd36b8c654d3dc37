"""What a picture file says about itself (issue 15): EXIF, XMP, PNG text chunks, comments.

A photo or a scanned stamp pasted into a report keeps its camera owner, its author, its copyright
line and, in XMP, the path it was saved from (C:\\Users\\<name>\\Desktop\\<unit>\\logo.png) — none
of it shown, all of it read by anyone who looks at the file's properties. Read with Pillow from the
file's header and chunks (the pixels are not decoded):

* EXIF (IFD0 and the Exif IFD): ImageDescription, Artist, Copyright, Software, the Windows XP*
  fields (UTF-16: XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject), UserComment,
  CameraOwnerName, BodySerialNumber, ImageUniqueID;
* XMP packets (JPEG APP1, PNG iTXt "XML:com.adobe.xmp", TIFF tag 700, WebP): every element text and
  attribute value holding a letter — dc:creator, photoshop:Credit, xmpMM:DerivedFrom paths …;
* PNG text chunks (tEXt, zTXt, iTXt): every key's value; JPEG and GIF comments.

`texts` returns (label, value) pairs in a fixed order; values without a letter (dates, numbers,
GUIDs) are left out. A picture Pillow cannot open gives nothing here (OCR reports it).
"""

from __future__ import annotations

import io
import re
import warnings

from lxml import etree
from PIL import Image

_EXIF = {270: "图片描述", 315: "作者", 33432: "版权", 305: "软件", 40091: "标题", 40092: "备注", 40093: "作者",
         40094: "关键词", 40095: "主题"}
_EXIF_IFD = {37510: "用户注释", 42032: "相机所有者", 42033: "机身序列号", 42016: "图片ID"}
_LETTER = re.compile(r"[^\W\d_]")
_XMP_KEYS = ("xmp", "XML:com.adobe.xmp")
MAX_VALUE = 2000  # characters kept of one value


def _text(value: object, *, wide: bool = False) -> str:
    """A field's text. The XP* fields are UTF-16; the ASCII-typed ones (Artist, Copyright …) hold,
    in practice, UTF-8 or GBK bytes, which Pillow hands over as Latin-1 characters: read again."""
    if isinstance(value, bytes):
        codecs = ("utf-16-le",) if wide else ("utf-8", "gbk")
        for codec in codecs:
            try:
                return value.decode(codec).replace("\x00", "").strip()
            except UnicodeDecodeError:
                continue
        return value.decode("latin-1").replace("\x00", "").strip()
    text = str(value).replace("\x00", "")  # not stripped yet: U+0085 is a byte of UTF-8 text here
    if not text.isascii():
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            return text.strip()
        for codec in ("utf-8", "gbk"):
            try:
                return raw.decode(codec).strip()
            except UnicodeDecodeError:
                continue
    return text.strip()


def _useful(text: str) -> bool:
    return bool(text) and bool(_LETTER.search(text))


def texts(data: bytes) -> list[tuple[str, str]]:
    """The picture's own descriptive fields as (label, value), in a fixed order."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            out: list[tuple[str, str]] = []
            exif = image.getexif()
            for tag, label in _EXIF.items():
                if tag in exif and _useful(value := _text(exif[tag], wide=tag >= 40091)):
                    out.append((f"EXIF{label}", value[:MAX_VALUE]))
            inner = exif.get_ifd(0x8769)
            for tag, label in _EXIF_IFD.items():
                if tag in inner:
                    value = _text(inner[tag])
                    if tag == 37510 and value[:8].upper().startswith(("ASCII", "UNICODE")):
                        value = value[8:].strip()
                    if _useful(value):
                        out.append((f"EXIF{label}", value[:MAX_VALUE]))
            info = image.info
            for key in _XMP_KEYS:
                if key in info:
                    out += [("XMP", v) for v in _xmp(info[key])]
            if 700 in exif:
                out += [("XMP", v) for v in _xmp(exif[700])]
            for key, value in sorted(getattr(image, "text", {}).items()):
                if key not in _XMP_KEYS and _useful(text := _text(value)):
                    out.append((f"PNG文本（{key}）", text[:MAX_VALUE]))
            if "comment" in info and _useful(comment := _text(info["comment"])):
                out.append(("注释", comment[:MAX_VALUE]))
            return out
    except Exception:  # not a picture Pillow reads, or a damaged header: nothing said about itself
        return []


def _xmp(packet: object) -> list[str]:
    raw = packet.encode("utf-8") if isinstance(packet, str) else bytes(packet) if isinstance(packet, bytes | bytearray) else b""
    raw = raw.strip(b"\x00 \r\n\t")
    start = raw.find(b"<x:xmpmeta")
    if start < 0:
        start = raw.find(b"<rdf:RDF")
    if start < 0:
        return []
    end = max(raw.rfind(b"</x:xmpmeta>") + len(b"</x:xmpmeta>"), raw.rfind(b"</rdf:RDF>") + len(b"</rdf:RDF>"))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(raw[start:end], parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    values: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for value in (el.text, *el.attrib.values()):
            if value and _useful(value.strip()) and not value.strip().startswith(("uuid:", "xmp.", "adobe:docid")):
                text = value.strip()[:MAX_VALUE]
                if text not in values:
                    values.append(text)
    return values
