"""The certificate's printed words (lexicons/patent-certificate.tsv) as regular expressions.

Every word is matched letter-spaced (optional spaces between its characters, §3) and through the
lexicon's OCR confusions (`confusable.人 入`: 专利权入 reads as 专利权人). `canonical` undoes both,
so a matched label maps back to its key. The patterns are built once, on first use.

Also here: the characters the scanner treats as spaces and as label separators, and the CJK range
(a short label glued to a Chinese character is not a label).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from screening import lexicons
from screening.patents.kinds import PatentType

LEXICON = "patent-certificate.tsv"

SPACES = " \t\u3000"
SEPARATORS = "：:;；，,"  # what may follow a label (§4: OCR gives any of these, or nothing)
CJK = r"[\u3400-\u9fff]"
_GAP = r"[ \t\u3000]*"


@cache
def _lexicon() -> dict[str, tuple[str, ...]]:
    return dict(lexicons.table(LEXICON))


@cache
def confusions() -> dict[str, str]:
    """character → the characters OCR reads instead of it."""
    return {key.removeprefix("confusable."): "".join(words) for key, words in _lexicon().items()
            if key.startswith("confusable.")}


@cache
def repairs() -> dict[str, str]:
    """A confused character → the character it stands for."""
    return {alt: ch for ch, alts in confusions().items() for alt in alts}


def _char(ch: str) -> str:
    alts = confusions().get(ch, "")
    return f"[{re.escape(ch + alts)}]" if alts else re.escape(ch)


def spaced(word: str) -> str:
    """A regex for `word` printed letter-spaced (optional spaces between its characters)."""
    return _GAP.join(_char(ch) for ch in word)


def canonical(text: str) -> str:
    """A matched label without its spaces and with OCR confusions undone."""
    table = repairs()
    return "".join(table.get(ch, ch) for ch in text if ch not in SPACES)


@dataclass(frozen=True, slots=True)
class Words:
    """One pattern over several keys' words; `key` says which key a match belongs to."""

    pattern: re.Pattern[str]
    keys: Mapping[str, str]  # canonical variant → key

    def key(self, matched: str) -> str:
        return self.keys[canonical(matched)]


def _words(entries: Iterable[tuple[str, str]]) -> Words:
    """A pattern over (variant, key) pairs; a later pair overrides an earlier one; longest first."""
    keys: dict[str, str] = {}
    for variant, key in entries:
        keys[variant] = key
    ordered = sorted(keys, key=len, reverse=True)
    return Words(re.compile("|".join(f"(?:{spaced(v)})" for v in ordered)), keys)


def _prefixed(prefix: str) -> list[tuple[str, str]]:
    return [(word, key.removeprefix(prefix)) for key, words in _lexicon().items()
            if key.startswith(prefix) for word in words]


@cache
def labels(filing_block: bool) -> Words:
    """Field labels; inside the two-page layout's filing block, 申请人/发明人 are the filing-time ones."""
    entries = _prefixed("label.")
    if filing_block:
        entries += [(w, k) for w, k in _prefixed("filing.") if k != "marker"]
    return _words(entries)


@cache
def headings() -> Words:
    """The certificate headings (发明专利证书 …), keyed by `PatentType` value."""
    return _words(_prefixed("heading."))


@cache
def phrase(key: str) -> re.Pattern[str]:
    """The words of one lexicon key (`prose`, `filing.marker`, `not_granted`); never matches when
    the key has none."""
    words = sorted(_lexicon().get(key, ()), key=len, reverse=True)
    return re.compile("|".join(f"(?:{spaced(w)})" for w in words)) if words else re.compile(r"(?!)")


def title_types() -> dict[str, PatentType]:
    """Title label (发明名称 …) → the patent type it names."""
    return {word: PatentType(key) for word, key in _prefixed("title.")}
