"""What the docx parser's modules share while one package is read: where a part is (`Page`) and
the `Sink` that collects parts and problems.

A part's page is not known while the main document is walked: Word's last layout may have
recorded its page breaks (w:lastRenderedPageBreak) or not, which is known only at the end. So the
walker records a position (`Marks`: both counts of breaks so far) and the reader resolves it once
the whole body is read (see `walker` on pages).
"""

from __future__ import annotations

from screening.model import PartKind, Problem

Marks = tuple[int, int]  # (rendered page breaks, explicit page breaks) before a point of the main document
Page = int | Marks | None  # a fixed page, a position in the main document, or unknown


class Sink:
    """Collects parts in document order, numbers paragraphs, de-duplicates one-per-value parts."""

    def __init__(self) -> None:
        self.items: list[tuple[PartKind, str, int | None, str, str, Page]] = []
        self.counters: dict[tuple[PartKind, str], int] = {}
        self.once_items: dict[tuple[PartKind, str, str], str] = {}
        self.problems: list[Problem] = []

    def number(self, kind: PartKind, member: str) -> int:
        key = (kind, member)
        self.counters[key] = n = self.counters.get(key, 0) + 1
        return n

    def add(self, kind: PartKind, text: str, *, source: str, origin: str = "", paragraph: int | None = None,
            page: Page = None) -> None:
        if text.strip():
            self.items.append((kind, text, paragraph, origin, source, page))

    def once(self, kind: PartKind, origin: str, text: str | None, source: str) -> None:
        """A part emitted once per distinct value (authors, links), at the end."""
        if text and text.strip():
            self.once_items.setdefault((kind, origin, text), source)

    def problem(self, message: str, part: PartKind | None = None) -> None:
        self.problems.append(Problem("document.unreadable", message, part=part))

