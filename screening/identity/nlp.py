"""Chinese segmentation for deciding whether a match is a word of its own; the one place jieba is
loaded.

A spaCy `zh` pipeline with the jieba segmenter (no downloaded model: jieba's dictionary ships in
its wheel) cuts a window of text around a match into words. A short name is a leak only when it
stands as whole words: 华友 inside 中华友好 (中华|友好) or 金华 inside 金华市 is not. jieba's word
frequencies tell an ordinary word (高明, 建国) from a name.

jieba's dictionary is loaded once per process (`dictionary`), whoever needs it first: spaCy's
segmenter, the word frequencies and tags here, or a private tokenizer (`private_tokenizer`, the
guide lexicon's in classify.py) that starts from a copy of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from screening import files, lexicons
from screening.longlived import loading

WINDOW = 8  # characters either side of a match that the segmenter sees


def _jieba() -> ModuleType:
    """jieba, its log quiet (it announces loading its dictionary at INFO level). jieba imports
    setuptools' `pkg_resources` only to open its own data files, and falls back to opening them by
    path when that import fails: it is made to fail while jieba is imported (pkg_resources costs
    ~70 ms, a tenth of a worker's warm-up and of a cold `check`), unless something loaded it already."""
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import pkg_resources` raises ImportError
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@cache
def dictionary() -> Any:
    """jieba's default tokenizer (`jieba.dt`, which spaCy's segmenter uses too) with its dictionary
    loaded, once per process. jieba keeps the parsed dictionary in a marshal file of its own (~0.5 s
    to read); the same table (word → frequency, and the total) is kept in the cache folder in
    pickle's format, which reads in about a third of that (`_DictionaryKey`, `files.pickled`)."""
    jieba = _jieba()
    default = jieba.dt
    if default.initialized:
        return default
    key = _DictionaryKey(jieba)
    if not key.usable:
        default.check_initialized()
        return default

    def build() -> tuple[dict[str, int], int]:
        default.check_initialized()
        return default.FREQ, default.total

    with loading():  # half a million words kept for the process's life: not walked by the cycle collector
        freq, total = files.pickled(key.path, root=key.root, cache="分词词典", items="词典", build=build,
                                    valid=_is_table)
    with default.lock:
        if not default.initialized:
            default.FREQ, default.total = freq, total
            default.initialized = True
    return default


def _is_table(value: Any) -> bool:
    """A (word → frequency, total) pair as jieba's whole dictionary makes it."""
    return _is_changes(value) and len(value[0]) >= 100_000


def dictionary_key() -> str:
    """What identifies jieba's default dictionary (its version, file, size and time): a cache of
    something computed with it is keyed by this."""
    return _DictionaryKey(_jieba()).path.stem


class _DictionaryKey:
    """Where jieba's parsed default dictionary is cached: `$SCREENING_CACHE_DIR/jieba/<key>.pickle`,
    the key made of jieba's version and the dictionary file's path, size and modification time, so
    the table read there is exactly what jieba builds from that file; `usable` is false for a
    dictionary jieba was pointed elsewhere for."""

    def __init__(self, jieba: ModuleType) -> None:
        source = Path(str(jieba.__file__)).with_name("dict.txt")
        stat = source.stat() if source.is_file() else None
        ident = json.dumps([jieba.__version__, str(source), stat and stat.st_size, stat and stat.st_mtime_ns])
        self.root = files.cache_root() / "jieba"
        self.path = self.root / f"{hashlib.sha256(ident.encode()).hexdigest()[:24]}.pickle"
        self.usable = stat is not None and jieba.dt.dictionary == jieba.DEFAULT_DICT


def copy_tokenizer(tokenizer: Any, words: Iterable[str]) -> Any:
    """A new private tokenizer: `tokenizer`'s dictionary (a copy) plus `words`."""
    out = _jieba().Tokenizer()
    out.FREQ, out.total = dict(tokenizer.FREQ), tokenizer.total
    out.initialized = True
    for word in words:
        out.add_word(word)
    return out


def dictionary_words(tokenizer: Any, text: str) -> list[str]:
    """The words of `text` as `tokenizer.cut(text, HMM=False)` gives them (jieba 0.42: the same
    words, the same ties), in one pass per run of Han, Latin and digits instead of jieba's
    generators and two passes (its `get_DAG`, then `calc`): a third less time on a title, where the
    guide's ranking spends a quarter of its time segmenting. tests/test_dictionary_words.py holds it
    to jieba's own on thousands of titles and random text."""
    jieba = _jieba()
    freq: dict[str, int] = tokenizer.FREQ
    logtotal = math.log(tokenizer.total)
    han, skip, eng = jieba.re_han_default, jieba.re_skip_default, jieba.re_eng
    out: list[str] = []
    for block in han.split(text):
        if not block:
            continue
        if not han.match(block):
            for piece in skip.split(block):
                if skip.match(piece):
                    out.append(piece)
                else:
                    out.extend(piece)
            continue
        n = len(block)
        score = [0.0] * (n + 1)  # jieba's route: the best log-probability from here to the end …
        step = [0] * (n + 1)  # … and the end of its first word
        for k in range(n - 1, -1, -1):
            best, best_end = -math.inf, -1
            i, frag = k, block[k]
            while i < n and frag in freq:  # jieba's DAG: the dictionary words starting at k
                if f := freq[frag]:
                    value = math.log(f) - logtotal + score[i + 1]
                    if value >= best:  # jieba takes max((value, end)): the longer word on a tie
                        best, best_end = value, i
                i += 1
                frag = block[k:i + 1]
            if best_end < 0:  # no word starts here: the character alone (frequency 1)
                best, best_end = math.log(freq.get(block[k]) or 1) - logtotal + score[k + 1], k
            score[k], step[k] = best, best_end
        k, latin = 0, ""
        while k < n:  # single Latin letters and digits in a row are one word, as jieba joins them
            end = step[k] + 1
            word = block[k:end]
            if len(word) == 1 and eng.match(word):
                latin += word
            else:
                if latin:
                    out.append(latin)
                    latin = ""
                out.append(word)
            k = end
        if latin:
            out.append(latin)
    return out


def private_tokenizer(words: Iterable[str]) -> Any:
    """A jieba tokenizer of one's own: jieba's dictionary (a copy: the shared one never changes)
    plus `words`. jieba works out each added word's frequency by segmenting it (~0.15 s for the
    guide's 7,000 terms); what the words change in the table is kept in the cache folder, keyed by
    the dictionary and the words in their order, so a later process applies it at once."""
    base = dictionary()
    listed = list(words)
    key = _DictionaryKey(_jieba())
    if not key.usable:
        return copy_tokenizer(base, listed)

    def build() -> tuple[dict[str, int], int]:
        made = copy_tokenizer(base, listed)
        touched = {word[:n] for word in listed for n in range(1, len(word) + 1)}
        return {w: made.FREQ[w] for w in touched}, made.total

    words_key = hashlib.sha256("\x00".join([key.path.stem, *listed]).encode()).hexdigest()[:24]
    changes, total = files.pickled(key.root / f"words-{words_key}.pickle", root=key.root, cache="分词词典",
                                   items="词典", build=build, valid=_is_changes)
    out = _jieba().Tokenizer()
    out.FREQ, out.total = dict(base.FREQ), total
    out.FREQ.update(changes)
    out.initialized = True
    return out


def _is_changes(value: Any) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict)
            and isinstance(value[1], int))


@cache
def pipeline() -> Any:
    """The spaCy zh pipeline (loaded once per process, ~1.5 s for jieba's dictionary)."""
    import spacy

    _jieba()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def warm_up() -> None:
    pipeline()("预热分词器")


def spans(text: str) -> list[tuple[int, int]]:
    """Word spans of `text` (start, end)."""
    return [(t.idx, t.idx + len(t.text)) for t in pipeline()(text) if not t.is_space]


def word_freq(word: str) -> int:
    """jieba's dictionary frequency of `word` (0 when unknown; spaCy is not loaded for it)."""
    return dictionary().FREQ.get(word, 0)


def is_common_word(word: str, min_freq: int) -> bool:
    return word_freq(word) >= min_freq


_NAMES = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})  # jieba's tags of names: people, places, bodies, others
_PROPER = _NAMES | {"j", "eng"}  # and abbreviations, Latin words


def person_word(word: str, min_freq: int, low_freq: int) -> str:
    """How ordinary a two-character name is as a word: "ordinary" when frequent (高明, 施工),
    "rare" when jieba's dictionary knows it at all (黄精, 葛根: its person tags are unreliable, and
    everyday names such as 王伟 or 李明 are not in it), else ""."""
    freq = word_freq(word)
    return "ordinary" if freq >= min_freq else "rare" if freq >= low_freq else ""


def is_place(word: str) -> bool:
    """jieba tags the word as a place name (长江, 天马, 青山绿水)."""
    return _tags().get(word) == "ns"


def is_ordinary_for_org(word: str, min_freq: int, low_freq: int) -> bool:
    """A short name that is an ordinary word: frequent and not an organisation (长城, 高速公路; not
    中国联通), or known to jieba's dictionary and tagged as an ordinary word, not a proper noun
    (动力源, 精工; not 华友)."""
    freq = word_freq(word)
    if freq >= min_freq:
        return not is_org_word(word)
    return freq >= low_freq and _tags().get(word) not in _PROPER


@cache
def _tags() -> dict[str, str]:
    """jieba's part-of-speech tag of each dictionary word (read from its dictionary file)."""
    _jieba()
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def is_proper_noun(word: str) -> bool:
    """jieba tags the word as a name: of a place (ns: 之江, 天目山), a person (nr …) or an organisation
    (nt), or another proper noun (nz)."""
    return _tags().get(word, "") in _NAMES


def is_org_word(word: str) -> bool:
    """jieba's dictionary lists the word as an organisation name (nt: 中国联通, 云南白药) or an
    abbreviation (j: 中科大): a name, however frequent. (Its nz tag is no help: 诚信 and 万能 carry it.)"""
    return _tags().get(word) in ("nt", "j")


@cache
def neighbours() -> frozenset[str]:
    """Single characters that stand right before or after a name without being part of it
    (lexicons/name-neighbours.txt)."""
    return frozenset(w for line in lexicons.lines("name-neighbours.txt") for w in line.split())


@cache
def neighbours_before() -> frozenset[str]:
    """`neighbours`, and the single characters that stand right before a name only: prepositions
    and conjunctions that are no surname (lexicons/name-prepositions.txt: 按, 据, 比 …). Not after
    a name: some of them end given names (王建根)."""
    return neighbours() | {w for line in lexicons.lines("name-prepositions.txt") for w in line.split()}


@dataclass(frozen=True, slots=True)
class Boundary:
    aligned: bool  # the match starts and ends at word boundaries
    before: str  # the word right before the match ('' at the start)
    after: str  # the word right after the match ('' at the end)
    crossing: tuple[str, ...] = ()  # words the segmenter made across the match's start or end
    # of those, the ones that glue something on: not a single neighbour character (比 in 比周|红霞,
    # 所 in 欧阳|丽所, made up by the segmenter for an unknown name) outside the match
    glued: tuple[str, ...] = ()

    def inside_word(self, min_freq: int) -> bool:
        """The match is part of a dictionary word (金华 in 金华市, 华友 in 中华|友好). Words the
        segmenter made up for unknown text (由马 in 由马俊杰) do not count."""
        return any(word_freq(w) >= min_freq for w in self.crossing)

    @property
    def clean_edges(self) -> bool:
        """No single character glued to the match that could make it a longer name (王建国华)."""
        return _loose(self.before, neighbours_before()) and _loose(self.after, neighbours())


def _loose(word: str, near: frozenset[str]) -> bool:
    if len(word) != 1 or not ("\u4e00" <= word <= "\u9fff"):
        return True
    return word in near


def boundary(text: str, start: int, end: int) -> Boundary:
    """How the segmenter cuts `text` around `[start, end)`."""
    lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
    cuts = [(s + lo, e + lo) for s, e in spans(text[lo:hi])]
    starts = {s for s, _ in cuts}
    ends = {e for _, e in cuts}
    # the window's own edges are not word edges, but start and end lie inside the window unless
    # the text itself begins or ends there
    aligned = (start == 0 or start in starts or not _is_cjk(text[start])) and (
        end == len(text) or end in ends or not _is_cjk(text[end - 1])
    )
    before = next((text[s:e] for s, e in reversed(cuts) if e <= start), "")
    after = next((text[s:e] for s, e in cuts if s >= end), "")
    crossing = [(s, e) for s, e in cuts if s < start < e or s < end < e]
    glued = tuple(text[s:e] for s, e in crossing
                  if (s < start and text[s:start] not in neighbours_before())
                  or (end < e and text[end:e] not in neighbours()))
    return Boundary(aligned=aligned, before=before, after=after, crossing=tuple(text[s:e] for s, e in crossing),
                    glued=glued)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"
