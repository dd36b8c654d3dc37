"""screening.parsers.image on pictures made with Pillow."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from screening.errors import CorruptError, TooLargeError
from screening.model import PartKind
from screening.parsers import parse_bytes
from screening.parsers.image import parse


def encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that only claims a size: signature, IHDR with a valid CRC, no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + end


def test_png() -> None:
    data = encode(Image.new("RGB", (320, 200), "white"), "PNG")
    result = parse(data)
    assert result.pages == 1 and result.parts == ()
    (image,) = result.images
    assert (image.source, image.page, image.width, image.height, image.size) == ("page 1", 1, 320, 200, len(data))
    (problem,) = result.problems
    assert (problem.rule, problem.page, problem.part) == ("document.scanned", 1, PartKind.IMAGE)
    assert "OCR" in problem.message


def test_jpeg() -> None:
    result = parse(encode(Image.new("RGB", (64, 48), "gray"), "JPEG"))
    assert [(i.width, i.height) for i in result.images] == [(64, 48)]


def test_two_frame_tiff() -> None:
    frames = [Image.new("L", (100, 80), 255), Image.new("L", (50, 40), 0)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    result = parse(data)
    assert result.pages == 2
    assert [(i.source, i.page, i.width, i.height) for i in result.images] == [
        ("page 1", 1, 100, 80), ("page 2", 2, 50, 40)]
    assert [(p.rule, p.page) for p in result.problems] == [("document.scanned", 1), ("document.scanned", 2)]


def test_truncated_png_is_corrupt() -> None:
    data = encode(Image.effect_noise((200, 200), 50).convert("RGB"), "PNG")
    with pytest.raises(CorruptError) as caught:
        parse(data[: len(data) // 2])
    assert caught.value.rule == "document.unreadable"
    assert caught.value.message == "图片已损坏，无法打开"


def test_garbage_is_corrupt() -> None:
    with pytest.raises(CorruptError):
        parse(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)


@pytest.mark.parametrize("side", [10_000, 60_000])  # over MAX_IMAGE_PIXELS (warning) and over twice it (error)
def test_huge_dimensions_are_too_large(side: int) -> None:
    with pytest.raises(TooLargeError) as caught:
        parse(png_header(side, side))
    assert caught.value.rule == "document.too_large"


def test_dispatcher_reports_the_picture() -> None:
    document = parse_bytes(encode(Image.new("RGB", (30, 30)), "PNG"), "证书.png")
    assert document.format == "image" and document.pages == 1
    assert [p.kind for p in document.parts] == [PartKind.FILENAME]
    assert [p.rule for p in document.problems] == ["document.scanned"]
    too_large = parse_bytes(png_header(60_000, 60_000), "大图.png")
    assert [p.rule for p in too_large.problems] == ["document.too_large"]
