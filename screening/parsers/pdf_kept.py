"""One PDF kept open from its parse to the reading of its tables, so that each PDF is opened once.

A budget PDF is read twice in a row: its text by `pdf.parse`, then, once its role and budget pages
are known, the tables of those pages (`tables.page_tables`). Opened anew, the second read paid
for the document again — and for loading the fonts of its pages: 2.3–2.7 ms a document whose CJK
font is not embedded (STSong-Light and its CMap, drawn then with the machine's CJK font; with the
stand-in font of `pdfium_lib` since), more than reading the page's tables takes.

Within `keeping()` (the engine's parse of one attachment, `engine.parse_upload`), `pdf.parse` hands
the document it read to `keep` instead of closing it, and `kept(data)` gives it back when `data`
is the same file (the same bytes: compared whole); the block's end closes it. Outside the block
`keep` closes the document at once, as before. One document at most is kept (parsing another PDF,
such as a file inside the attachment, closes the one before: the tables then open theirs anew).
Like pdfium, this is for one thread at a time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class _Slot:
    depth: int = 0  # `keeping` blocks entered and not left
    data: bytes | None = None
    pdf: Any = None  # the pypdfium2 PdfDocument of `data`


_SLOT = _Slot()


@contextlib.contextmanager
def keeping() -> Iterator[None]:
    """Within the block, the document `pdf.parse` read last stays open for `kept`; closed at its end."""
    _SLOT.depth += 1
    try:
        yield
    finally:
        _SLOT.depth -= 1
        if not _SLOT.depth:
            _drop()


def keep(data: bytes, pdf: Any) -> None:
    """The parser is done with `pdf`, the document of `data`: kept within a `keeping` block (the one
    kept before is closed), else closed."""
    if not _SLOT.depth:
        pdf.close()
        return
    _drop()
    _SLOT.data, _SLOT.pdf = data, pdf


def kept(data: bytes) -> Any:
    """The kept document when it is that of `data`, else None. It stays the slot's: not to be closed."""
    if _SLOT.pdf is not None and (_SLOT.data is data or _SLOT.data == data):
        return _SLOT.pdf
    return None


def _drop() -> None:
    pdf, _SLOT.data, _SLOT.pdf = _SLOT.pdf, None, None
    if pdf is not None:
        pdf.close()
