"""What every format parser returns; the dispatcher in `screening.parsers` adds the rest."""

from __future__ import annotations

from dataclasses import dataclass

from screening.model import ImageRef, Part, Problem


@dataclass(frozen=True, slots=True)
class Parsed:
    parts: tuple[Part, ...]
    pages: int | None
    images: tuple[ImageRef, ...] = ()
    problems: tuple[Problem, ...] = ()
