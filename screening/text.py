"""Text normalisation with an offset map back to the original.

Matching runs on normalised text; findings quote the original. `normalize()` applies, character
by character so every output character knows the original character it came from:

* Unicode NFKC (full-width Latin and digits → half width, compatibility forms → plain);
* removal of every whitespace character and zero-width/format character, so a name spaced out
  (`浙 江 某 某`) or broken across a PDF line is contiguous again;
* traditional → simplified Chinese (OpenCC ``t2s``, variant characters included);
* case folding of Latin letters.

`Normalized.span(start, end)` maps a match back to `[start, end)` in the original string.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

_ZERO_WIDTH = {"\u00ad", "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff"}


@cache
def t2s() -> Any:
    """The OpenCC traditional → simplified converter (``t2s``), loaded once per process: every
    module that converts (this one, classify.py) uses this one."""
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """The normalised form of one character ('' when it is dropped)."""
    if ch.isspace() or ch in _ZERO_WIDTH or unicodedata.category(ch) == "Cf":
        return ""
    out = unicodedata.normalize("NFKC", ch)
    if any(c.isspace() for c in out):
        out = "".join(c for c in out if not c.isspace())
    if out and "\u3400" <= out[0] <= "\u9fff":
        out = t2s().convert(out)
    return out.casefold() if out.isascii() else out.lower()


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    text: str
    index: tuple[int, ...]  # index[i] = offset in `original` of the character that produced text[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original `[start, end)` covering normalised `[start, end)` (end > start)."""
        return self.index[start], self.index[end - 1] + 1


class _Table:
    """One way of normalising, filled as characters are first seen: each character's piece (for
    `str.translate`), and the characters whose piece is not exactly one character (dropped or
    expanded: they shift the map back), as a set and as one pattern. Filled in an order that keeps
    it right for a second thread reading it meanwhile: a character is `known` only once the rest
    says what it becomes."""

    def __init__(self) -> None:
        self.pieces: dict[int, str] = {}
        self.known: set[str] = set()
        self.odd: set[str] = set()
        self.odd_pattern: re.Pattern[str] | None = None

    def learn(self, chars: set[str], keep_space: bool, fold_case: bool) -> None:
        for ch in chars:
            self.pieces[ord(ch)] = _entry(ch, keep_space, fold_case)
        odd = {ch for ch in chars if len(self.pieces[ord(ch)]) != 1}
        if odd:
            self.odd |= odd
            self.odd_pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(self.odd)) + "]")
        self.known |= chars


# the three ways of normalising (keep_space, fold_case)
_TABLES: dict[tuple[bool, bool], _Table] = {}


def _entry(ch: str, keep_space: bool, fold_case: bool) -> str:
    folded = fold_char(ch)
    if not fold_case and folded.isascii() and any(c.isalpha() for c in folded):
        folded = unicodedata.normalize("NFKC", ch)
    if not folded and keep_space and ch.isspace():
        folded = " "
    return folded


def normalize(text: str, *, keep_space: bool = False, fold_case: bool = True) -> Normalized:
    """The normalised text and its map back. With `keep_space` each whitespace character stays as
    one space, and without `fold_case` Latin letters keep their case (for finders of phone numbers
    and codes, which need word separation and upper-case letters).

    This runs over every part of every document, so the work per character is left to C: the text
    is translated in one call, and the map back is built from runs between the characters that
    are dropped or expanded (whitespace, mostly), not character by character."""
    table = _TABLES.get((keep_space, fold_case)) or _TABLES.setdefault((keep_space, fold_case), _Table())
    chars = set(text)
    if not chars <= table.known:
        table.learn(chars - table.known, keep_space, fold_case)
    out = text.translate(table.pieces)
    pattern = table.odd_pattern
    if pattern is None or table.odd.isdisjoint(chars):  # one for one: the map is the identity
        return Normalized(text, out, tuple(range(len(text))))
    index: list[int] = []
    done = 0
    for match in pattern.finditer(text):
        at = match.start()
        index.extend(range(done, at))
        index.extend([at] * len(table.pieces[ord(match.group())]))
        done = at + 1
    index.extend(range(done, len(text)))
    return Normalized(text, out, tuple(index))


def norm(text: str) -> str:
    """Only the normalised string (for patterns and keys)."""
    return "".join(fold_char(ch) for ch in text)


def context(text: str, start: int, end: int, width: int = 18) -> str:
    """A short window of the original text around `[start, end)`, on one line."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    snippet = text[left:right]
    snippet = " ".join(snippet.split()) if any(c in snippet for c in "\r\n\t") else snippet
    return ("……" if left > 0 else "") + snippet + ("……" if right < len(text) else "")
