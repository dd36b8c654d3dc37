"""Guide domains: rank a project among the call guide's domains (附件1), and say why.

The guide lexicon (`lexicons/guide-2020.yaml`, named by the call's `domains` key) lists, per domain,
weighted terms; area terms count for every domain of their area, and `shared` entries give one term
to several domains with a weight for each. The text is normalised (NFKC, traditional → simplified,
lower case, spaces kept only between Latin words) and segmented by a private jieba tokenizer whose
dictionary holds every term, so terms match on word boundaries: "电网" is found in "智能电网" but not
in "充电网络". A term is also found inside a longer dictionary word (longest first, left to right);
Latin terms match whole Latin words only.

Evidence of a domain = Σ title terms (weight × title_weight, each term once; the head of the title
                       counts head_boost more, what only qualifies it counts modifier_weight)
                     + the character n-grams of the title's words no term covers (`guide_ngrams`:
                       「充电」, 「…纸」; × ngrams.weight, at most ngrams.cap)
                     + the linear title model's vote (`guide_linear`: linear.weight × (decision +
                       linear.offset) when that reaches linear.min_vote; shown as its two strongest
                       n-grams, 『纸』)
                     + body_weight × body_cap × (1 − exp(−B / body_cap)) × B / B_max,
where B = Σ BM25-saturated body terms of the domain and B_max the largest B of any domain.
Score = 1 − exp(−evidence / scale), in 0..1. When the best score is under `none_below`, no domain
fits (`Ranking.none_fits`, `none_why` "score"); nor when the linear model's none class (titles that
fit no domain) is ahead of every domain by linear.none_margin and the best score is under
linear.none_ceiling (`none_why` "model"): the candidates are still returned, flagged, rather than
forcing one.
Every parameter is in the lexicon's `scoring`, `ngrams` and `linear` sections.

The bureau's corrections (`screening classify --learn`, `screening.learn`) live in a local overlay
next to the lexicon (`overlay_path`); `load_guide` adds its terms, and a domain one of them decided
lists it in `corrections`.

The report block (`block`) ranks the project title with the body of the feasibility report. Each
entry is `{"code", "area", "name", "score", "terms", "none_fits"}` (and `"none_why"` when none fits),
best first; `none_fits` is the same on every entry (true when nothing fits well). The list is empty
only when neither a term, an n-gram nor the linear model gave any evidence.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ahocorasick
from pydantic import ConfigDict, Field

from screening import guide_linear, guide_ngrams
from screening.errors import ConfigError
from screening.guide_linear import LinearModel
from screening.guide_ngrams import NgramModel
from screening.identity import nlp
from screening.longlived import loading
from screening.model import Document, PartKind, Role
from screening.resources import data_dir
from screening.settings import Strict, load_yaml
from screening.text import t2s

if TYPE_CHECKING:
    import jieba

    from screening.checks.context import Context

DEFAULT_LEXICON = "guide-2020.yaml"
BODY_KINDS = (PartKind.BODY, PartKind.TABLE)
SKIPPED_ORIGINS = ("deleted", "hidden")  # a tracked deletion or hidden text is not what the report says
HEAD_SLACK = 2  # characters a head term may leave after it (…天线, …电池片 …) and still be the head

# ---------------------------------------------------------------------------------------------
# The lexicon file, strictly validated




class Scoring(Strict):
    title_weight: float = Field(gt=0)
    body_weight: float = Field(ge=0)
    body_cap: float = Field(gt=0)
    bm25_k1: float = Field(gt=0)
    bm25_b: float = Field(ge=0, le=1)
    body_avg_chars: int = Field(gt=0)
    area_mix: float = Field(ge=0, le=1)
    scale: float = Field(gt=0)
    none_below: float = Field(ge=0, lt=1)
    body_chars: int = Field(gt=0)
    explain_terms: int = Field(ge=1)
    head_boost: float = Field(ge=0)
    modifier_weight: float = Field(ge=0, le=1)


Weighted = dict[float, list[str]]


class AreaSpec(Strict):
    name: str = Field(min_length=1)
    terms: Weighted = Field(default_factory=dict)


class DomainSpec(Strict):
    area: str
    name: str = Field(min_length=1)
    notice: str = Field(min_length=1)
    terms: Weighted = Field(min_length=1)


class SharedSpec(Strict):
    why: str = Field(min_length=1)
    domains: dict[str, float] = Field(min_length=2)
    terms: list[str] = Field(min_length=1)


class CueSpec(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    why: str = Field(min_length=1)
    domain: str
    sources: list[str] = Field(alias="from", min_length=1)
    weight: float = Field(ge=0)
    endings: list[str] = Field(min_length=1)


class HeadSpec(Strict):
    generic: list[str] = Field(default_factory=list)
    application_markers: list[str] = Field(default_factory=list)
    modifier_before: list[str] = Field(default_factory=list)
    modifier_spans: list[tuple[str, str]] = Field(default_factory=list)
    cues: list[CueSpec] = Field(default_factory=list)


class OrdinarySpec(Strict):
    """Title words that say nothing of a domain: never learned, never n-gram evidence."""

    words: list[str] = Field(default_factory=list)  # whatever jieba says (智能, 系统, 平台 …)
    freq: int = Field(gt=0)  # and any word jieba's dictionary counts at least this often
    head_chars: list[str] = Field(default_factory=list)  # endings of any field's words (化, 性 …): no head character


class LearningSpec(Strict):
    """How a correction becomes terms (`screening.learn`)."""

    weights: list[float] = Field(min_length=1)  # tried in turn: the least that puts the right domain first
    whole_title_max: float = Field(gt=0)  # last resort: the title's core as a term, up to this weight


class NgramSpec(Strict):
    """The character n-gram backoff (`screening.guide_ngrams`)."""

    titles: str | None = None  # labelled real titles (JSONL, relative to the lexicon's folder)
    title_weight: float = Field(ge=0)  # what one labelled title counts, against a term's weight
    also_weight: float = Field(ge=0, le=1)  # a title's acceptable second code counts this share
    alpha: float = Field(gt=0)  # smoothing of P(domain | feature)
    shrink: float = Field(ge=0)  # a feature seen M times counts M / (M + shrink) of its lift
    min_mass: float = Field(ge=0)  # features seen less than this are ignored
    weight: float = Field(ge=0)  # title evidence per unit of summed votes …
    cap: float = Field(ge=0)  # … and at most this much for one domain


class LinearSpec(Strict):
    """The linear title model (`screening.guide_linear`): how it is trained and how much it counts."""

    model: str = Field(min_length=1)  # the stored model (relative to the lexicon's folder)
    titles: list[str] = Field(min_length=1)  # the labelled titles it learns from (JSONL, relative)
    term_min_weight: float = Field(gt=0)  # a lexicon term is an example of its strongest domain from this weight
    c: float = Field(gt=0)  # the SVM's regularisation (larger: fits the examples more closely)
    ngram: tuple[int, int]  # character n-gram lengths
    min_df: int = Field(ge=1)  # an n-gram in fewer examples than this is not part of the model
    prune: float = Field(ge=0)  # weights smaller than this are not stored …
    keep: int = Field(ge=1)  # … nor more than this many per n-gram (the largest)
    weight: float = Field(ge=0)  # title evidence = weight × (decision + offset) …
    offset: float
    min_vote: float = Field(ge=0)  # … when decision + offset reaches this (less is noise: 『临』 of 超临界)
    # no domain fits, too, when the model's none class outscores every domain by none_margin and the
    # best score is under none_ceiling (None: only scoring.none_below decides)
    none_margin: float | None = None
    none_ceiling: float = Field(default=1.0, gt=0, le=1)


class LexiconSpec(Strict):
    scoring: Scoring
    ngrams: NgramSpec | None = None
    linear: LinearSpec | None = None
    ordinary: OrdinarySpec | None = None
    heads: HeadSpec = HeadSpec()
    learning: LearningSpec | None = None
    areas: dict[str, AreaSpec] = Field(min_length=1)
    domains: dict[str, DomainSpec] = Field(min_length=1)
    shared: list[SharedSpec] = Field(default_factory=list)


class CorrectionSpec(Strict):
    """One correction the bureau made (`screening classify --learn`): the title, the right code,
    and the terms learned from it with their weights for that code."""

    title: str = Field(min_length=1)
    code: str
    terms: dict[str, float] = Field(default_factory=dict)  # empty: the title was already ranked right


class OverlaySpec(Strict):
    """The local overlay of a guide lexicon (`<lexicon>.local.yaml`): what was learned here."""

    lexicon: str = Field(min_length=1)
    corrections: list[CorrectionSpec] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Text normalisation and segmentation

_WS = re.compile(r"\s+")
_LOOSE_SPACE = re.compile(r"(?<![0-9a-z]) | (?![0-9a-z])")  # a space not between two Latin/digit chars
_LATIN = re.compile(r"[0-9a-z]")
_HAN = re.compile("[\u3400-\u9fff]")


def normalize(text: str) -> str:
    """NFKC, traditional → simplified, lower case; whitespace dropped except one space between Latin words."""
    out = unicodedata.normalize("NFKC", text)
    if _HAN.search(out):
        out = t2s().convert(out)
    return _spaced(out)


def normalize_many(texts: Sequence[str]) -> list[str]:
    """`normalize` of each text, with one traditional → simplified conversion for them all (a
    lexicon's thousands of terms: one call instead of one each; OpenCC never converts across a
    line break, which joins them)."""
    out = [unicodedata.normalize("NFKC", text) for text in texts]
    han = [i for i, text in enumerate(out) if _HAN.search(text)]
    joined = [i for i in han if "\n" not in out[i]]  # a text with a line break of its own: alone
    converted = t2s().convert("\n".join(out[i] for i in joined)).split("\n") if joined else []
    if len(converted) != len(joined):  # not one line per text after all: convert each
        converted = [t2s().convert(out[i]) for i in joined]
    converted_of = dict(zip(joined, converted, strict=True))
    for i in han:
        out[i] = converted_of[i] if i in converted_of else t2s().convert(out[i])
    return [_spaced(text) for text in out]


def _spaced(text: str) -> str:
    out = _WS.sub(" ", text.casefold()).strip()
    return _LOOSE_SPACE.sub("", out)


def _latin_edge(text: str, start: int, end: int) -> bool:
    """True when text[start:end] does not cut a Latin/digit word in two."""
    if _LATIN.match(text[start]) and start > 0 and _LATIN.match(text[start - 1]):
        return False
    return not (_LATIN.match(text[end - 1]) and end < len(text) and _LATIN.match(text[end]))


@dataclass(frozen=True, slots=True)
class Domain:
    code: str
    area_code: str
    area: str
    name: str


@dataclass(frozen=True, slots=True)
class Cue:
    """A head ending that turns the evidence of `sources` into evidence of `domain` (see the lexicon)."""

    domain: int
    sources: tuple[int, ...]
    weight: float
    endings: tuple[str, ...]  # normalised, longest first


@dataclass(frozen=True, slots=True)
class Guide:
    """A compiled guide lexicon: every term with the domains it points at."""

    path: Path
    scoring: Scoring
    domains: tuple[Domain, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]  # normalised term → (domain index, weight)
    area_terms: frozenset[str]  # the terms of whole areas (never the head of a title)
    display: dict[str, str]  # normalised term → as written in the lexicon
    max_len: int
    ending_groups: tuple[tuple[int, frozenset[str]], ...]  # the generic endings (normalised) by length, longest first
    application_markers: tuple[str, ...]
    modifier_before: frozenset[str]
    modifier_spans: tuple[tuple[str, str], ...]
    cues: tuple[Cue, ...]
    tokenizer: jieba.Tokenizer
    learning: LearningSpec | None = None
    ngrams: NgramModel | None = None
    ngram_spec: NgramSpec | None = None
    ordinary_words: frozenset[str] = frozenset()  # normalised; with the generic endings
    ordinary_freq: int | None = None
    ordinary_heads: frozenset[str] = frozenset()
    learned: frozenset[tuple[str, int]] = frozenset()  # (term, domain index) pairs from the local overlay
    linear: LinearModel | None = None
    linear_spec: LinearSpec | None = None
    finder: Any = None  # an Aho–Corasick automaton of the terms (`_finder`): where a body text can hold one

    def is_ordinary(self, word: str) -> bool:
        """A word that says nothing of a domain (the lexicon's `ordinary` section, the generic endings)."""
        if word in self.ordinary_words:
            return True
        return self.ordinary_freq is not None and nlp.word_freq(word) >= self.ordinary_freq

    def terms(self, text: str) -> list[str]:
        """The lexicon terms in `text`, in order, each occurrence once, never overlapping. Only the
        stretches that hold a term are segmented (`stretches`): the same terms as segmenting it all."""
        norm = normalize(text)
        return [term for stretch in self.stretches(norm) for term in self._match(stretch)]

    def stretches(self, text: str) -> list[str]:
        """The stretches of a normalised text that hold a term, each made of whole jieba blocks (the
        runs of Han, Latin and digits jieba segments one by one), in order; the rest holds no term.
        A report body is mostly words no term is made of: segmenting only these stretches finds the
        same terms (every match lies inside a stretch, and a stretch starts and ends where the
        whole text's tokens do) at a fraction of the cost."""
        if self.finder is None:
            return [text] if text else []
        import jieba  # loaded with the tokenizer already

        blocks = [m.span() for m in jieba.re_han_default.finditer(text)]
        starts = [a for a, _ in blocks]
        spans: list[tuple[int, int]] = []
        for end, length in self.finder.iter(text):
            a, b = end + 1 - length, end + 1
            k = bisect.bisect_right(starts, a) - 1  # the block holding the first character
            if k >= 0 and blocks[k][1] > a:
                a = blocks[k][0]
            k = bisect.bisect_right(starts, b - 1) - 1  # the block holding the last character
            if k >= 0 and blocks[k][1] >= b:
                b = blocks[k][1]
            while spans and a <= spans[-1][1]:  # joins every stretch it reaches (a term across spaces may
                start, stop = spans.pop()  # start before the last one)
                a, b = min(a, start), max(b, stop)
            spans.append((a, b))
        return [text[a:b] for a, b in spans]

    def tokens(self, text: str) -> list[str]:
        """jieba tokens of a normalised text (the lexicon's terms are in the dictionary; its
        dictionary words, no HMM: `nlp.dictionary_words`)."""
        return nlp.dictionary_words(self.tokenizer, text)

    def _match(self, text: str) -> list[str]:
        return [term for term, _, _ in self.matches(self.tokens(text))]

    def matches(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        """(term, index of its first token, offset in the text) for every term in the tokens, in order,
        never overlapping. A Latin term never matches part of a Latin word ("iot" in "biotech")."""
        text = "".join(tokens)
        found: list[tuple[str, int, int]] = []
        i, n, offset = 0, len(tokens), 0
        while i < n:
            # the longest term made of whole tokens i..j
            joined, best, best_end = "", "", i
            for j in range(i, n):
                joined += tokens[j]
                if len(joined) > self.max_len:
                    break
                if joined in self.weights and _latin_edge(text, offset, offset + len(joined)):
                    best, best_end = joined, j + 1
            if best:
                found.append((best, i, offset))
                offset += len(best)
                i = best_end
                continue
            found.extend((term, i, at) for term, at in self._inside(text, offset, offset + len(tokens[i])))
            offset += len(tokens[i])
            i += 1
        return found

    def _inside(self, text: str, start: int, end: int) -> Iterable[tuple[str, int]]:
        """Terms inside one longer word text[start:end], longest first from the left (养猪 in 养猪场)."""
        pos = start
        while pos < end - 1:
            for stop in range(min(end, pos + self.max_len), pos + 1, -1):
                piece = text[pos:stop]
                if piece in self.weights and _latin_edge(text, pos, stop):
                    yield piece, pos
                    pos = stop
                    break
            else:
                pos += 1

    def modifiers(self, tokens: Sequence[str]) -> set[int]:
        """Indices of the tokens that only qualify what the title makes: X in "X用Y" or "面向X的Y" (the
        markers are the lexicon's `heads.modifier_before` and `heads.modifier_spans`)."""
        out: set[int] = set()
        for k in range(len(tokens) - 1, 0, -1):
            if tokens[k] in self.modifier_before:
                out.update(range(k))
                break
        for opener, closer in self.modifier_spans:
            for a, token in enumerate(tokens):
                if token == opener:
                    b = next((j for j in range(a + 1, len(tokens) - 1) if tokens[j] == closer), None)
                    if b is not None:
                        out.update(range(a + 1, b))
        return out

    def head(self, title: str, found: Sequence[tuple[str, int, int]]) -> tuple[str, str]:
        """(head term or '', the head part) of a normalised title whose terms are `found`: the part
        before "在…中的应用", with generic endings (研究, 研制, 及产业化 …) stripped, and the last domain
        term in it when nothing but a couple of characters follows that term."""
        region = self.head_region(title)
        inside = [(t, at) for t, _, at in found if at + len(t) <= len(region) and t not in self.area_terms]
        if inside and inside[-1][1] + len(inside[-1][0]) >= len(region) - HEAD_SLACK:
            return inside[-1][0], region
        return "", region

    def head_region(self, title: str) -> str:
        """The head part of a normalised title (see `head`)."""
        region = title
        for marker in self.application_markers:
            at = region.find(marker)
            if at > 0 and (cut := region.rfind("在", 0, at)) > 0:
                region = region[:cut]
        return strip_endings(_PUNCT.sub("", region), self.ending_groups)


_PUNCT = re.compile(r"[\s\"'“”‘’《》〈〉「」（）()【】\[\]、，,。.：:；;！!？?·—\-]+$")


def lexicon_path(name: str) -> Path:
    if "/" in name or "\\" in name:
        return Path(name)
    return data_dir("lexicons") / name


OVERLAY_ENV = "SCREENING_GUIDE_OVERLAY"
OVERLAY_SUFFIX = ".local.yaml"


def overlay_path(name: str = DEFAULT_LEXICON) -> Path:
    """Where the local overlay of a lexicon lives: `$SCREENING_GUIDE_OVERLAY`, else next to the
    lexicon (`guide-2020.yaml` → `guide-2020.local.yaml`)."""
    given = os.environ.get(OVERLAY_ENV, "").strip()
    if given:
        return Path(given)
    path = lexicon_path(name)
    return path.with_name(path.stem + OVERLAY_SUFFIX)


def load_guide(name: str = DEFAULT_LEXICON, overlay: Path | None = None) -> Guide:
    """The compiled guide lexicon with its local overlay (`overlay`, default `overlay_path(name)`)
    when that file exists. Both are read once (the overlay again when its file changes); a broken
    file raises ConfigError naming file and key."""
    over = overlay if overlay is not None else overlay_path(name)
    try:
        stat = over.stat()
    except OSError:
        return load_lexicon(name)
    return _with_overlay(name, str(over), (stat.st_mtime_ns, stat.st_size))


@cache
def load_lexicon(name: str = DEFAULT_LEXICON) -> Guide:
    """The shipped guide lexicon compiled, without any overlay (once per process)."""
    path = lexicon_path(name)
    if not path.is_file():
        raise ConfigError(f"{path}: 找不到指南领域词表")
    with loading():  # kept for the process's life: not walked by the cycle collector
        return _compile(path, load_yaml(path, LexiconSpec, "指南领域词表"))


@cache
def _with_overlay(name: str, overlay: str, _stamp: tuple[int, int]) -> Guide:
    path = Path(overlay)
    base = load_lexicon(name)
    spec = load_yaml(path, OverlaySpec, "指南领域本地更正")
    guide = apply_overlay(base, spec, path)
    if base.ngram_spec is None:
        return guide
    # a corrected title also teaches the n-grams, as one of the labelled titles
    index = {d.code: i for i, d in enumerate(base.domains)}
    extra = [(c.title, index[c.code], 1.0) for c in spec.corrections]
    return replace(guide, ngrams=_ngrams(guide, base.path, base.ngram_spec, extra))


def apply_overlay(guide: Guide, spec: OverlaySpec, path: Path | None = None, *, own_tokenizer: bool = False) -> Guide:
    """`guide` with the overlay's learned terms added (a new Guide; `guide` is left as it is, except
    with `own_tokenizer`: its tokenizer is the caller's private copy and takes the new words). A
    learned term adds its weight for its code, also when the lexicon lists it elsewhere."""
    index = {d.code: i for i, d in enumerate(guide.domains)}
    where = path or Path("-")
    weights = {t: list(v) for t, v in guide.weights.items()}
    display = dict(guide.display)
    learned: set[tuple[str, int]] = set(guide.learned)
    for n, c in enumerate(spec.corrections):
        if c.code not in index:
            raise ConfigError(f"{where}: corrections.{n}.code: 没有领域编号“{c.code}”")
        for term, weight in c.terms.items():
            norm = normalize(term)
            if len(norm) < 2 or weight <= 0:
                raise ConfigError(f"{where}: corrections.{n}.terms: “{term}”应至少两个字符、权重大于0")
            weights.setdefault(norm, []).append((index[c.code], weight))
            display.setdefault(norm, term)
            learned.add((norm, index[c.code]))
    new_words = [t for t in weights if t not in guide.weights and " " not in t]
    tokenizer = guide.tokenizer
    if new_words and own_tokenizer:
        for word in new_words:
            tokenizer.add_word(word)
    elif new_words:
        tokenizer = nlp.copy_tokenizer(guide.tokenizer, new_words)
    return replace(guide, weights={t: tuple(v) for t, v in weights.items()}, display=display,
                   max_len=max(map(len, weights)), tokenizer=tokenizer, learned=frozenset(learned),
                   finder=_finder(weights))


def _compile(path: Path, spec: LexiconSpec) -> Guide:
    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{path}: {key}: {message}")

    domains: list[Domain] = []
    for code, d in spec.domains.items():
        if d.area not in spec.areas:
            raise fail(f"domains.{code}.area", f"“{d.area}”不是 areas 中的领域大类（{'、'.join(spec.areas)}）")
        if not code.startswith(f"{d.area}."):
            raise fail(f"domains.{code}", f"领域编号应以其大类编号“{d.area}.”开头")
        domains.append(Domain(code, d.area, spec.areas[d.area].name, d.name))
    index = {d.code: i for i, d in enumerate(domains)}
    weights: dict[str, list[tuple[int, float]]] = {}
    display: dict[str, str] = {}
    placed: dict[str, str] = {}
    weighted_terms = [*(d.terms for d in spec.domains.values()), *(a.terms for a in spec.areas.values())]
    listed = [w for terms in weighted_terms for ws in terms.values() for w in ws if isinstance(w, str)]
    listed += [w for s in spec.shared for w in s.terms if isinstance(w, str)]
    normal = dict(zip(listed, normalize_many(listed), strict=True))

    def place(term: Any, key: str, targets: list[tuple[int, float]]) -> None:
        if not isinstance(term, str):
            raise fail(key, f"词语 {term!r} 应为文字（数字请加引号，如 \"18650\"）")
        norm = normal[term]
        if len(norm) < 2:
            raise fail(key, f"词语“{term}”不足两个字符")
        if norm in placed:
            raise fail(key, f"词语“{term}”已列在 {placed[norm]}：每个词只列一处，几个领域共用的词放进 shared")
        placed[norm] = key
        display[norm] = term
        weights[norm] = targets

    def weighted(terms: Weighted, key: str) -> Iterable[tuple[str, float, str]]:
        for weight, words in terms.items():
            if weight <= 0:
                raise fail(f"{key}.{weight}", "权重应大于0")
            for word in words:
                yield word, weight, f"{key}.{weight}"

    for code, d in spec.domains.items():
        for word, weight, key in weighted(d.terms, f"domains.{code}.terms"):
            place(word, key, [(index[code], weight)])
    area_terms: set[str] = set()
    for area, a in spec.areas.items():
        members = [i for i, d in enumerate(domains) if d.area_code == area]
        for word, weight, key in weighted(a.terms, f"areas.{area}.terms"):
            place(word, key, [(i, weight * spec.scoring.area_mix) for i in members])
            area_terms.add(normal[word])
    for n, s in enumerate(spec.shared):
        unknown = sorted(set(s.domains) - set(index))
        if unknown:
            raise fail(f"shared.{n}.domains", f"没有这些领域编号：{'、'.join(unknown)}")
        if any(w <= 0 for w in s.domains.values()):
            raise fail(f"shared.{n}.domains", "权重应大于0")
        for word in s.terms:
            place(word, f"shared.{n}.terms", [(index[c], w) for c, w in s.domains.items()])
    heads = spec.heads
    cues: list[Cue] = []
    for n, c in enumerate(heads.cues):
        unknown = sorted({c.domain, *c.sources} - set(index))
        if unknown:
            raise fail(f"heads.cues.{n}", f"没有这些领域编号：{'、'.join(unknown)}")
        cues.append(
            Cue(index[c.domain], tuple(index[x] for x in c.sources), c.weight, _longest_first(c.endings))
        )
    guide = Guide(
        path=path,
        scoring=spec.scoring,
        domains=tuple(domains),
        weights={t: tuple(v) for t, v in weights.items()},
        area_terms=frozenset(area_terms),
        display=display,
        max_len=max(map(len, weights)),
        ending_groups=_by_length(_longest_first(heads.generic)),
        application_markers=tuple(normalize(m) for m in heads.application_markers if m.strip()),
        modifier_before=frozenset(normalize(m) for m in heads.modifier_before),
        modifier_spans=tuple((normalize(a), normalize(b)) for a, b in heads.modifier_spans),
        cues=tuple(cues),
        tokenizer=_tokenizer(weights),
        finder=_finder(weights),
        learning=spec.learning,
        ngram_spec=spec.ngrams,
        ordinary_words=frozenset(normalize(w) for w in (*heads.generic, *(spec.ordinary.words if spec.ordinary else ())))
        - {""},
        ordinary_freq=spec.ordinary.freq if spec.ordinary else None,
        ordinary_heads=frozenset(spec.ordinary.head_chars if spec.ordinary else ()),
    )
    if spec.ngrams:
        guide = replace(guide, ngrams=_ngrams(guide, path, spec.ngrams))
    if spec.linear:
        model = guide_linear.load(path.parent / spec.linear.model, [d.code for d in domains])
        guide = replace(guide, linear=model, linear_spec=spec.linear)
    return guide


def linear_training(name: str = DEFAULT_LEXICON) -> tuple[Path, str]:
    """Where the lexicon's linear title model is stored, and that model trained afresh on its labelled
    titles and its terms (`screening.guide_linear`; needs the `dev` extra)."""
    path = lexicon_path(name)
    spec = load_yaml(path, LexiconSpec, "指南领域词表")
    if spec.linear is None:
        raise ConfigError(f"{path}: 没有 linear 一节：此词表不用标题线性模型")
    ls = spec.linear
    guide = _compile(path, spec.model_copy(update={"linear": None, "ngrams": None}))
    codes = [d.code for d in guide.domains]
    docs = [(linear_text(guide, normalize(title)), label) for name_ in ls.titles
            for title, label, _ in guide_ngrams.labelled_titles(path.parent / name_)
            if label in codes or label == guide_linear.NONE]
    for term, targets in sorted(guide.weights.items()):
        i, weight = max(targets, key=lambda t: (t[1], -t[0]))
        if weight >= ls.term_min_weight:
            docs.append((linear_text(guide, term), codes[i]))
    model = guide_linear.train(docs, codes, c=ls.c, ngram=ls.ngram, min_df=ls.min_df, prune=ls.prune, keep=ls.keep)
    return path.parent / ls.model, guide_linear.dumps(model)


def linear_text(guide: Guide, title: str, tokens: Sequence[str] | None = None) -> str:
    """A normalised title as the linear model reads it: the words the lexicon lists as saying
    nothing of a domain (its `ordinary.words` and the generic endings: 智能, 系统, 研究) blanked."""
    out: list[str] = []
    for token in guide.tokens(title) if tokens is None else tokens:
        word = token.strip()
        out.append(" " if not word or word in guide.ordinary_words else word)
    return "".join(out)


def _ngrams(guide: Guide, path: Path, ng: NgramSpec, extra: Sequence[tuple[str, int, float]] = ()) -> NgramModel:
    """The n-gram model of a compiled guide: its terms, and the telling words of the labelled titles
    (and of `extra` ones: the bureau's corrections). Segmenting the titles takes ~0.3 s, so the
    model of the shipped files is kept in the cache folder, keyed by the bytes of the lexicon, of
    the titles and of the code that makes the model (this module and guide_ngrams), and jieba's
    dictionary."""
    if extra:
        return _build_ngrams(guide, path, ng, extra)
    from screening import files

    titles = path.parent / ng.titles if ng.titles else None
    digest = hashlib.sha256()
    for part in (path.read_bytes(), titles.read_bytes() if titles else b"", Path(__file__).read_bytes(),
                 Path(guide_ngrams.__file__).read_bytes(), nlp.dictionary_key().encode()):
        digest.update(hashlib.sha256(part).digest())
    root = files.cache_root() / "guide"
    table = files.pickled(root / f"ngrams-{digest.hexdigest()[:24]}.pickle", root=root, cache="指南领域", items="字组模型",
                          build=lambda: _build_ngrams(guide, path, ng, ()).table, valid=lambda v: isinstance(v, dict))
    return NgramModel(table)


def _build_ngrams(guide: Guide, path: Path, ng: NgramSpec, extra: Sequence[tuple[str, int, float]]) -> NgramModel:
    titles: list[tuple[list[str], int, float]] = []
    codes = {d.code: i for i, d in enumerate(guide.domains)}
    labelled = guide_ngrams.read_titles(path.parent / ng.titles, codes, ng.also_weight) if ng.titles else []
    for title, i, weight in [*labelled, *extra]:
        norm = normalize(title)
        pieces, head_char = _telling(guide, norm, guide.tokens(norm), None, "")
        titles.append((guide_ngrams.piece_features(pieces, head_char, guide.ordinary_words), i, weight))
    return guide_ngrams.build(len(guide.domains), guide.weights, titles, alpha=ng.alpha, shrink=ng.shrink,
                              min_mass=ng.min_mass, title_weight=ng.title_weight)


def _telling(guide: Guide, title: str, tokens: Sequence[str], covered: Sequence[bool] | None,
             head: str, region: str | None = None) -> tuple[list[str], str]:
    """The runs of telling words of a normalised title's head part (`region`, `Guide.head_region`
    when not given; not ordinary words, not covered by a term when `covered` is given), and the last
    character of its last telling word when that word ends the head part and no term (`head`) is its
    head."""
    region = guide.head_region(title) if region is None else region
    pieces: list[str] = []
    current = last = ""
    offset = 0
    for token in tokens:
        start, offset = offset, offset + len(token)
        if start >= len(region):
            break
        word = token.strip()
        core = strip_endings(word, guide.ending_groups)  # 工程技术 → 工程: a generic ending says nothing
        if not word or (covered is not None and any(covered[start:offset])) or guide.is_ordinary(core):
            pieces.append(current)
            current, last = "", ""
            continue
        if core != word:  # the generic ending ends the run of telling words
            pieces.append(current + core)
            current, last = "", core
            continue
        current += word
        last = word
    pieces.append(current)
    head_char = last[-1] if last and not head and offset >= len(region) - HEAD_SLACK else ""
    return [p for p in pieces if p], "" if head_char in guide.ordinary_heads else head_char


def strip_endings(region: str, groups: Sequence[tuple[int, frozenset[str]]]) -> str:
    """`region` without the generic endings it finishes with (研究, 研制, 及产业化 …), repeatedly,
    the longest first (`groups`: the endings by length, `_by_length`)."""
    stripped = True
    while stripped and region:
        stripped = False
        for size, words in groups:
            if len(region) > size and region[-size:] in words:
                region, stripped = region[:-size], True
                break
    return region


def _by_length(endings: Iterable[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """The endings grouped by length, longest first."""
    endings = tuple(endings)
    sizes = sorted({len(e) for e in endings if e}, reverse=True)
    return tuple((n, frozenset(e for e in endings if len(e) == n)) for n in sizes)


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({w for w in map(normalize, words) if w}, key=lambda w: (-len(w), w)))


def _finder(terms: Iterable[str]) -> Any:
    """An Aho–Corasick automaton finding every term (normalised) in a text: (end, length) per match."""
    automaton = ahocorasick.Automaton()
    for term in terms:
        automaton.add_word(term, len(term))
    automaton.make_automaton()
    return automaton


def _tokenizer(terms: Iterable[str]) -> jieba.Tokenizer:
    """A private jieba tokenizer knowing every term of the lexicon (`nlp.private_tokenizer`: a copy
    of jieba's dictionary, loaded once per process and shared with anything else that segments)."""
    return nlp.private_tokenizer(term for term in terms if " " not in term)


# ---------------------------------------------------------------------------------------------
# Ranking


@dataclass(frozen=True, slots=True)
class DomainScore:
    code: str
    area: str
    name: str
    score: float  # 0..1
    terms: tuple[str, ...]  # the terms that decided it, strongest first
    corrections: tuple[str, ...] = ()  # of those, the ones learned from the bureau's corrections (local overlay)

    def to_json(self, *, terms: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "area": self.area, "name": self.name, "score": round(self.score, 4)}
        if terms:
            out["terms"] = list(self.terms)
        if self.corrections:
            out["corrections"] = list(self.corrections)
        return out


@dataclass(frozen=True, slots=True)
class Ranking:
    domains: list[DomainScore]  # best first, at most `top`, only domains with some evidence
    # why no domain fits: "score" — the best score is under the lexicon's none_below; "model" — the
    # linear title model's none class outscores every domain (linear.none_margin); "" — one fits
    none_why: str = ""

    @property
    def none_fits(self) -> bool:
        return bool(self.none_why)

    def verdict_json(self) -> dict[str, Any]:
        """`{"none_fits": …}`, with `"none_why"` when none fits (each entry of `to_json` carries it)."""
        return {"none_fits": self.none_fits, **({"none_why": self.none_why} if self.none_why else {})}

    def to_json(self, *, terms: bool = True) -> list[dict[str, Any]]:
        return [{**d.to_json(terms=terms), **self.verdict_json()} for d in self.domains]


def _add(evidence: list[dict[str, float]], guide: Guide, term: str, amount: float) -> None:
    for i, weight in guide.weights[term]:
        evidence[i][term] = evidence[i].get(term, 0.0) + weight * amount


def rank(guide: Guide, title: str, body: str = "", *, top: int = 3) -> Ranking:
    """Rank every domain of `guide` for a title and an optional body text."""
    sc = guide.scoring
    n = len(guide.domains)
    title = normalize(title)
    title_ev: list[dict[str, float]] = [{} for _ in range(n)]
    tokens = guide.tokens(title)
    none_lead: float | None = None  # how far the linear model's none class is ahead of every domain
    found = guide.matches(tokens)
    qualifying = guide.modifiers(tokens)
    # a qualifier only steps back when the rest of the title names something of its own
    if not any(at not in qualifying and term not in guide.area_terms for term, at, _ in found):
        qualifying = set()
    strength: dict[str, float] = {}
    for term, at, _ in found:
        factor = sc.modifier_weight if at in qualifying else 1.0
        strength[term] = max(strength.get(term, 0.0), factor)
    for term, factor in strength.items():
        _add(title_ev, guide, term, sc.title_weight * factor)
    if title:
        head, region = guide.head(title, found)
        if guide.ngrams is not None:
            _ngram_evidence(guide, title, tokens, found, head, region, title_ev)
        _head(guide, head, region, title_ev)
        if guide.linear is not None:
            none_lead = _linear_evidence(guide, linear_text(guide, title, tokens), title_ev)
    body = body[: sc.body_chars]
    body_ev: list[dict[str, float]] = [{} for _ in range(n)]
    raws = [0.0] * n
    if body.strip():
        length_norm = 1 - sc.bm25_b + sc.bm25_b * len(body) / sc.body_avg_chars
        for term, tf in Counter(guide.terms(body)).items():
            _add(body_ev, guide, term, tf * (sc.bm25_k1 + 1) / (tf + sc.bm25_k1 * length_norm))
        raws = [sum(e.values()) for e in body_ev]
    top_raw = max(raws)
    scored: list[tuple[float, int, dict[str, float]]] = []
    for i in range(n):
        raw = raws[i]
        if not raw:  # the title's evidence alone (always so without a body)
            evidence = sum(title_ev[i].values())
            if evidence > 0:
                scored.append((1 - math.exp(-evidence / sc.scale), i, title_ev[i]))
            continue
        # saturating, and scaled by its share of the strongest body domain: a report mentions many
        # fields in passing, and only what it is mostly about should count
        body_total = sc.body_weight * sc.body_cap * (1 - math.exp(-raw / sc.body_cap)) * raw / top_raw
        contributions = dict(title_ev[i])
        for term, value in body_ev[i].items():
            contributions[term] = contributions.get(term, 0.0) + body_total * value / raw
        evidence = sum(contributions.values())
        if evidence > 0:
            scored.append((1 - math.exp(-evidence / sc.scale), i, contributions))
    scored.sort(key=lambda s: (-s[0], s[1]))
    ranked = []
    for score, i, c in scored[:top]:
        strongest = [t for t, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[: sc.explain_terms]]
        ranked.append(DomainScore(
            code=guide.domains[i].code,
            area=guide.domains[i].area,
            name=guide.domains[i].name,
            score=score,
            terms=tuple(guide.display.get(t, t) for t in strongest),
            corrections=tuple(guide.display.get(t, t) for t in strongest if (t, i) in guide.learned),
        ))
    why = ""
    if not ranked or ranked[0].score < sc.none_below:
        why = "score"
    elif (none_lead is not None and guide.linear_spec is not None and guide.linear_spec.none_margin is not None
          and none_lead > guide.linear_spec.none_margin and ranked[0].score < guide.linear_spec.none_ceiling):
        why = "model"
    return Ranking(domains=ranked, none_why=why)


def _ngram_evidence(guide: Guide, title: str, tokens: Sequence[str], found: Sequence[tuple[str, int, int]],
                    head: str, region: str, evidence: list[dict[str, float]]) -> None:
    """Add the n-gram votes (`screening.guide_ngrams`) of the title's words in its head part
    (`region`) that no term covers and that say something (not ordinary words), and of its head's
    last character when no term (`head`) is its head: × weight, at most cap per domain, each vote
    shown as 「充电」 or 「…纸」."""
    assert guide.ngrams is not None and guide.ngram_spec is not None
    covered = [False] * len(title)
    for term, _, at in found:
        for k in range(at, min(at + len(term), len(title))):
            covered[k] = True
    pieces, head_char = _telling(guide, title, tokens, covered, head, region)
    spec = guide.ngram_spec
    for domain, votes in guide.ngrams.votes(pieces, head_char, guide.ordinary_words).items():
        total = sum(votes.values())
        amount = min(spec.cap, spec.weight * total)
        for feature, vote in votes.items():
            key = f"「{feature}」"
            evidence[domain][key] = evidence[domain].get(key, 0.0) + amount * vote / total


def _linear_evidence(guide: Guide, text: str, evidence: list[dict[str, float]]) -> float | None:
    """Add the linear title model's evidence (`screening.guide_linear`): weight × (decision + offset)
    for each domain where that reaches min_vote and some n-gram of the title speaks for it, shown as
    the two n-grams that added most to its decision (『磷酸』). Returns how far the model's none class
    is ahead of the best domain (None without a none class)."""
    assert guide.linear is not None and guide.linear_spec is not None
    spec = guide.linear_spec
    decisions, raised = guide.linear.decisions(text)
    domains = len(guide.domains)
    for i, value in enumerate(decisions[:domains]):
        vote = value + spec.offset
        if vote <= 0 or vote < spec.min_vote or not raised[i]:
            continue
        amount = spec.weight * vote
        best = sorted(raised[i], key=lambda vf: (-vf[0], vf[1]))[:2]
        total = sum(v for v, _ in best)
        for v, feature in best:
            key = f"『{feature}』"
            evidence[i][key] = evidence[i].get(key, 0.0) + amount * v / total
    row = guide.linear.none_row
    return None if row is None else decisions[row] - max(decisions[:domains])


def _head(guide: Guide, head: str, region: str, evidence: list[dict[str, float]]) -> None:
    """Add the head of the title (`Guide.head`): its head term again (× head_boost), and the cue its
    ending (`region`) sets off."""
    if head:
        _add(evidence, guide, head, guide.scoring.title_weight * guide.scoring.head_boost)
    for cue in guide.cues:
        ending = next((e for e in cue.endings if region.endswith(e)), None)
        if ending is None:
            continue
        carried = max(sum(evidence[i].values()) for i in cue.sources)
        if carried > 0:
            key = f"…{ending}"
            evidence[cue.domain][key] = evidence[cue.domain].get(key, 0.0) + carried + cue.weight


def classify_text(title: str, body: str = "", *, top: int = 3, lexicon: str = DEFAULT_LEXICON,
                  overlay: Path | None = None) -> Ranking:
    """Rank the guide's domains for a project title (weighted highest) and an optional body text
    (`overlay`: the local overlay to use instead of the default one, `load_guide`)."""
    return rank(load_guide(lexicon, overlay), title, body, top=top)


# ---------------------------------------------------------------------------------------------
# Documents and the report block


def body_paragraphs(document: Document) -> list[str]:
    """The body and table paragraphs of an attachment as written (no deletions, no hidden text)."""
    return [
        p.text
        for p in document.parts
        if p.kind in BODY_KINDS and p.origin not in SKIPPED_ORIGINS and p.text.strip()
    ]


def title_and_body(documents: Sequence[Document], limit: int) -> tuple[str, str]:
    """The first body paragraph (a stand-in title) and the body text, cut at `limit` characters."""
    paragraphs = [p for d in documents for p in body_paragraphs(d)]
    body = "\n".join(paragraphs)[:limit]
    return (paragraphs[0].strip() if paragraphs else ""), body


def classify_documents(
    title: str | None, documents: Sequence[Document], *, top: int = 3, lexicon: str = DEFAULT_LEXICON,
    overlay: Path | None = None,
) -> Ranking:
    """Rank a project from its title and the body of its feasibility reports (all documents when none
    has that role); without a title, the first body paragraph stands in for it."""
    guide = load_guide(lexicon, overlay)
    reports = [d for d in documents if d.role is Role.FEASIBILITY_REPORT] or list(documents)
    first, body = title_and_body(reports, guide.scoring.body_chars)
    return rank(guide, title if title is not None else first, body, top=top)


def block(ctx: Context) -> list[dict[str, Any]]:
    """The report's `domains` (contract §3): top 3, best first, each with its terms and `none_fits`."""
    title = ctx.application.title if ctx.application is not None else None

    def compute() -> Ranking:
        return classify_documents(title, ctx.documents, top=3, lexicon=ctx.call.domains)

    return ctx.once("domains", compute).to_json()


__all__ = [
    "DEFAULT_LEXICON",
    "DomainScore",
    "Guide",
    "Ranking",
    "block",
    "classify_documents",
    "classify_text",
    "load_guide",
    "normalize",
    "rank",
]


def classify_file(path: Path, *, top: int = 3, lexicon: str = DEFAULT_LEXICON, overlay: Path | None = None,
                  parse: Callable[[Path], Document] | None = None) -> tuple[str, Ranking]:
    """A feasibility report's first body paragraph (its title, usually) and the domains it ranks.

    `parse` reads the file (the command passes one that parses in a limited process); without it,
    the file is parsed here. A file without readable body text is a `UsageError` saying why."""
    from screening.errors import UsageError
    from screening.parsers import parse_file

    if not path.is_file():
        raise UsageError(f"{path}: 文件不存在或不是普通文件")
    document = parse(path) if parse is not None else parse_file(path, Role.FEASIBILITY_REPORT, "command")
    paragraphs = body_paragraphs(document)
    if not paragraphs:
        reason = "；".join(p.message for p in document.problems) or "没有可读的正文"
        raise UsageError(f"{path.name}: 无法分类：{reason}")
    return paragraphs[0].strip(), classify_documents(None, [document], top=top, lexicon=lexicon, overlay=overlay)
