"""Pure matchers over normalised text.

`ExactMatcher` puts every target of a project into one Aho–Corasick automaton (pyahocorasick),
so scanning costs the same for ten names as for ten thousand. Patterns and text are normalised
the same way (`screening.text`); results are spans in the normalised text, which the caller maps
back to the original with `Normalized.span`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

from screening.text import norm

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    start: int  # in the normalised text
    end: int
    payloads: tuple[T, ...]  # every target whose normalised pattern is this string


class ExactMatcher(Generic[T]):
    def __init__(self, patterns: Iterable[tuple[str, T]], min_length: int = 2) -> None:
        grouped: dict[str, list[T]] = {}
        for text, payload in patterns:
            key = norm(text)
            if len(key) >= min_length:
                grouped.setdefault(key, []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for key, payloads in grouped.items():
            self._automaton.add_word(key, (len(key), tuple(payloads)))
        self._empty = not grouped
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, normalized: str) -> list[Hit[T]]:
        """Every occurrence, then only the longest where one lies inside another."""
        if self._empty or not normalized:
            return []
        hits = [Hit(end + 1 - n, end + 1, payloads) for end, (n, payloads) in self._automaton.iter(normalized)]
        return longest_first(hits)


def longest_first(hits: Sequence[Hit[T]]) -> list[Hit[T]]:
    """Drop hits that lie inside a longer kept hit (the full name wins over the alias it contains)."""
    kept: list[Hit[T]] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if not any(k.start <= hit.start and hit.end <= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)
