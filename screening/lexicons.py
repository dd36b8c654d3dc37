"""Lazy, cached access to the data files in `lexicons/` (one entry a line, `#` comments)."""

from __future__ import annotations

from functools import cache

from screening.errors import ConfigError
from screening.resources import data_dir


@cache
def lines(name: str) -> tuple[str, ...]:
    """The non-comment, non-blank lines of `lexicons/<name>`, stripped."""
    path = data_dir("lexicons") / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read lexicon ({err.strerror or err})") from None
    return tuple(s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#"))


@cache
def table(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A `key<TAB>word word …` lexicon as (key, words) rows, in file order."""
    rows = []
    for line in lines(name):
        key, _, rest = line.partition("\t")
        if not rest:
            raise ConfigError(f"{data_dir('lexicons') / name}: line '{line}' needs a key, a TAB and words")
        rows.append((key.strip(), tuple(rest.split())))
    return tuple(rows)


def _longest_first(words: object) -> tuple[str, ...]:
    from screening.text import norm

    return tuple(sorted({norm(w) for w in words}, key=lambda w: (-len(w), w)))  # type: ignore[attr-defined]


@cache
def longest_first(name: str) -> tuple[str, ...]:
    """A one-entry-a-line lexicon, normalised, without repeats, longest first (so that the longest
    entry matches where one contains another)."""
    return _longest_first(lines(name))


@cache
def table_longest_first(name: str) -> dict[str, tuple[str, ...]]:
    """A `key<TAB>word word …` lexicon as key → its words normalised, longest first."""
    return {key: _longest_first(words) for key, words in table(name)}


@cache
def _by_length(name: str) -> tuple[tuple[int, frozenset[str]], ...]:
    """The entries of `longest_first(name)` by length, longest first."""
    groups: dict[int, set[str]] = {}
    for word in longest_first(name):
        groups.setdefault(len(word), set()).add(word)
    return tuple((length, frozenset(words)) for length, words in sorted(groups.items(), reverse=True))


def prefix_at(name: str, text: str, pos: int = 0) -> str | None:
    """The longest entry of lexicon `name` that `text` has at `pos` — the first entry of
    `longest_first(name)` with `text.startswith(entry, pos)` (entries of one length differ, so at
    most one of them is there) — by one look-up per length instead of a scan of the lexicon."""
    for length, words in _by_length(name):
        piece = text[pos : pos + length]
        if len(piece) == length and piece in words:
            return piece
    return None


def suffix_of(name: str, text: str, keep: int = 1) -> str | None:
    """The longest entry of lexicon `name` that `text` ends with, leaving at least `keep` characters
    before it — the first entry of `longest_first(name)` with `text.endswith(entry)` and
    `len(text) - len(entry) >= keep`."""
    for length, words in _by_length(name):
        if len(text) - length >= keep and text[len(text) - length :] in words:
            return text[len(text) - length :]
    return None
