"""Pictures (PNG, JPEG, TIFF) → `Parsed`: one `ImageRef` and one `document.scanned` per frame.

Without OCR the text in a picture is unread, so every frame (a multi-page TIFF has several)
is reported for a person to look at. Each frame is decoded once, so a damaged file is caught
here (`CorruptError`) rather than later. Its parts are what the file says about itself (EXIF,
XMP, PNG text: `picture_meta`, IMAGE origin "picture_meta"); the dispatcher adds the file-name part.

Guards: only the PNG, JPEG (multi-picture MPO included) and TIFF decoders are tried; a frame
over Pillow's `Image.MAX_IMAGE_PIXELS` (a decompression bomb, or just a huge scan), or more
than `MAX_FRAMES` frames, raises `TooLargeError` (rule document.too_large) before decoding.
`ImageRef.size` is the size of the whole file in bytes.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from screening.errors import CorruptError, TooLargeError
from screening.model import ImageRef, Part, PartKind, Problem
from screening.parsers import picture_meta
from screening.parsers.base import Parsed

FORMATS = ("PNG", "JPEG", "TIFF")  # a multi-picture JPEG (MPO) opens through JPEG
MAX_FRAMES = 1000
SCANNED = "图片中的文字尚未识别（未启用OCR），需人工查看"


def _too_large(width: int, height: int) -> TooLargeError:
    return TooLargeError(f"图片尺寸过大（{width}×{height}像素），无法安全打开，请缩小后重新上传")


def _check_size(image: Image.Image) -> None:
    width, height = image.size
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and width * height > limit:
        raise _too_large(width, height)


def _frames(image: Image.Image) -> list[tuple[int, int]]:
    """(width, height) of every frame, each decoded once to prove it is readable."""
    count = getattr(image, "n_frames", 1)
    if count > MAX_FRAMES:
        raise TooLargeError(f"图片包含{count}页，超过{MAX_FRAMES}页的上限，无法审查")
    sizes = []
    for index in range(count):
        image.seek(index)
        _check_size(image)
        image.load()
        sizes.append(image.size)
    return sizes


def _read(data: bytes) -> list[tuple[int, int]]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                return _frames(image)
        except TooLargeError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
            raise TooLargeError("图片尺寸过大，无法安全打开，请缩小后重新上传") from err
        except Exception as err:  # Pillow raises OSError, SyntaxError, ValueError, EOFError, struct.error…
            raise CorruptError("图片已损坏，无法打开") from err


def parse(data: bytes) -> Parsed:
    """Read a picture file. Raises `CorruptError` or `TooLargeError` for a file it cannot read."""
    sizes = _read(data)
    images = tuple(
        ImageRef(source=f"page {n}", page=n, width=width, height=height, size=len(data))
        for n, (width, height) in enumerate(sizes, 1)
    )
    problems = tuple(Problem("document.scanned", SCANNED, page=n, part=PartKind.IMAGE) for n, _ in enumerate(sizes, 1))
    return Parsed(parts=meta_parts(data, source="page 1", page=1), pages=len(sizes), images=images, problems=problems)


def meta_parts(data: bytes, *, source: str, page: int | None) -> tuple[Part, ...]:
    """What the picture says about itself (EXIF, XMP, PNG text: `picture_meta`) → IMAGE parts,
    origin "picture_meta", each "label：value"."""
    return tuple(Part(PartKind.IMAGE, f"{label}：{value}", page=page, paragraph=k, origin="picture_meta", source=source)
                 for k, (label, value) in enumerate(picture_meta.texts(data), 1))
