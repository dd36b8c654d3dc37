"""Masking leaked text inside attachments: what to mask, and the mask. One module per format
(`masking.docx`, `masking.pdf`); `screening.redact` decides what leaked and checks the result.

`Needles` are the leaked strings of one file (the `matched` text of its identity findings). They
are found the way the identity check finds them: on normalised text (width, spacing, line
breaks, traditional characters), so "浙江衢江精\\n密机械" and "浙江衢江精密机械" are one needle,
and each hit is mapped back to the original characters. Masking replaces every non-space
character of a hit with one "＊" (U+FF0A), so lengths and line breaks stay as they were.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable

from screening.errors import UsageError
from screening.text import norm, normalize

MASK = "＊"


class RedactionError(UsageError):
    """A copy cannot be made safely: unreadable file, unsupported construct, leaks left over."""


class Needles:
    """The normalised leaked strings of one file, longest first."""

    def __init__(self, texts: Iterable[str]) -> None:
        keys = {norm(t) for t in texts}
        self.keys: tuple[str, ...] = tuple(sorted((k for k in keys if k), key=lambda k: (-len(k), k)))

    def __bool__(self) -> bool:
        return bool(self.keys)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Every hit in `text` as sorted, merged [start, end) offsets of the original text."""
        if not self.keys or not text:
            return []
        normalized = normalize(text)
        found: list[tuple[int, int]] = []
        for key in self.keys:
            at = normalized.text.find(key)
            while at >= 0:
                found.append(normalized.span(at, at + len(key)))
                at = normalized.text.find(key, at + 1)
        return merge(found)

    def mask(self, text: str) -> str:
        return mask_spans(text, self.spans(text))


def copied_info(info: zipfile.ZipInfo, compress_type: int | None = None) -> zipfile.ZipInfo:
    """A zip member's header for the copy: its name, date, attributes and compression (or
    `compress_type`)."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type if compress_type is None else compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    return copy


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with every non-space character inside the spans replaced by the mask."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = MASK
    return "".join(chars)


__all__ = ["MASK", "Needles", "RedactionError", "copied_info", "mask_spans", "merge"]
