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
