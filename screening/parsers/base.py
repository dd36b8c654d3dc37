"""What every format parser returns; the dispatcher in `screening.parsers` adds the rest."""

from __future__ import annotations

from dataclasses import dataclass

from screening.model import ImageRef, Part, Problem


@dataclass(frozen=True, slots=True)
class Inner:
    """A file inside the attachment (a zip member, a workbook embedded in a Word document, a file
    attached to a PDF): screened as an attachment of its own and its parts added to the outer one
    (`Part.embedded`). `path` says where it sits in its container ("word/embeddings/x.xlsx",
    "资料/报告.docx", "附件：报告.txt"); `name` is its file name (its format is sniffed from `data`)."""

    path: str
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Parsed:
    parts: tuple[Part, ...]
    pages: int | None
    images: tuple[ImageRef, ...] = ()
    problems: tuple[Problem, ...] = ()
    inner: tuple[Inner, ...] = ()
