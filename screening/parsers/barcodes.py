"""QR codes and barcodes in pictures, decoded (issue 15): a QR code pointing at the applicant's site
("https://www.huakang-bio.com", "…?unit=华康生物") names it where no OCR reads a character.

zxing-cpp (the maintained C++ ZXing port, its Python binding `zxingcpp`) reads every QR code, Data
Matrix, PDF417, Aztec and linear barcode in a picture. It runs on each picture OCR reads
(`parsers/ocr.py`), on the same decoded pixels; each code found becomes a part of the picture's
kind, origin "barcode", text = what it encodes (a URL also percent-decoded). Without the package
nothing is decoded and the text-reading goes on (the package is a dependency of `.[ocr]`).
"""

from __future__ import annotations

from urllib.parse import unquote

from PIL import Image

MAX_CODES = 20  # codes kept from one picture
MAX_TEXT = 2000  # characters kept of one code


def decode(image: Image.Image) -> list[str]:
    """What the codes in the picture encode, in the decoder's order."""
    try:
        import zxingcpp
    except ImportError:
        return []
    try:
        results = zxingcpp.read_barcodes(image.convert("L"))
    except Exception:  # a picture the decoder chokes on: its text is still read by OCR
        return []
    out: list[str] = []
    for result in results[:MAX_CODES]:
        text = (result.text or "").strip()[:MAX_TEXT]
        if not text:
            continue
        decoded = unquote(text, errors="replace")
        value = text if decoded == text else f"{text}\n{decoded}"
        if value not in out:
            out.append(value)
    return out
