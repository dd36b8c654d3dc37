"""Learning from the bureau's corrections: `screening classify --learn corrections.jsonl`.

A correction is a title and the guide domain it belongs to. Learning never edits the shipped
lexicon: it adds weighted terms to the lexicon's local overlay (`classify.overlay_path`:
`guide-2020.local.yaml` next to the lexicon, or `$SCREENING_GUIDE_OVERLAY`), which every later
run reads (`classify.load_guide`), and a ranking says which of its deciding terms came from a
correction (`DomainScore.corrections`).

What is learned from one correction (the lexicon's `learning` section holds the numbers):
* no term, when the guide already ranks the right domain first with a score that fits (the
  correction is still kept, as a labelled title);
* else the fewest of the title's words that say something (not ordinary words, not generic
  endings, and not terms already: a correction adds vocabulary, it never pulls a known term
  towards another domain; the rarest in jieba's dictionary first) at
  the least weight that ranks the right domain first;
* failing that, the title's core (generic endings stripped) as a term of its own, at the least
  weight up to `whole_title_max` that does;
* a correction even that cannot settle is reported and not written.
Every kept correction is also one more labelled title for the character n-grams
(`classify._with_overlay`), so its characters help titles that share none of its words.
Corrections are learned in file order, each on top of the ones before; learning the same file
twice adds nothing the second time (its titles are then already right).
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from screening import files
from screening.classify import (
    DEFAULT_LEXICON,
    CorrectionSpec,
    Guide,
    LearningSpec,
    OverlaySpec,
    apply_overlay,
    load_lexicon,
    normalize,
    overlay_path,
    rank,
)
from screening.errors import ConfigError, UsageError
from screening.identity import nlp
from screening.settings import load_yaml

_SAYS_NOTHING = re.compile(r"[\d\W_]+")


@dataclass(frozen=True, slots=True)
class Lesson:
    """What one correction taught: `status` is learned, already (right before), or unsettled."""

    title: str
    code: str
    status: str
    terms: dict[str, float]


@dataclass(frozen=True, slots=True)
class Outcome:
    overlay: Path
    lessons: tuple[Lesson, ...]

    @property
    def terms(self) -> int:
        return sum(len(lesson.terms) for lesson in self.lessons)

    def count(self, status: str) -> int:
        return sum(lesson.status == status for lesson in self.lessons)


def read_corrections(path: Path) -> list[tuple[str, str]]:
    """(title, code) of every line of a corrections JSONL file ({"title": …, "code": …}; "label" is
    read when "code" is absent). Any bad line refuses the whole file (nothing half-learned): a
    UsageError naming every bad line."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UsageError(f"{path}: 无法读取：{err.strerror or err}") from None
    out: list[tuple[str, str]] = []
    bad: list[str] = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            bad.append(f"第{number}行不是UTF-8编码的JSON")
            continue
        title = data.get("title", data.get("text")) if isinstance(data, dict) else None
        code = data.get("code", data.get("label")) if isinstance(data, dict) else None
        if not isinstance(title, str) or not title.strip() or not isinstance(code, str) or not code.strip():
            bad.append(f"第{number}行应为 {{\"title\": \"项目名称\", \"code\": \"领域编号\"}}")
            continue
        out.append((title.strip(), code.strip()))
    if bad:
        raise UsageError(f"{path}: 更正文件有误，未学习任何内容：" + "；".join(bad[:10])
                         + (f"；另有{len(bad) - 10}行" if len(bad) > 10 else ""))
    if not out:
        raise UsageError(f"{path}: 更正文件没有任何更正")
    return out


def learn(corrections: Sequence[tuple[str, str]], *, lexicon: str = DEFAULT_LEXICON,
          overlay: Path | None = None) -> Outcome:
    """Learn `corrections` into the overlay (written atomically, created when absent)."""
    path = overlay if overlay is not None else overlay_path(lexicon)
    base = load_lexicon(lexicon)
    rules = base.learning
    if rules is None:
        raise ConfigError(f"{base.path}: 词表没有 learning 一节，无法从更正中学习")
    codes = {d.code for d in base.domains}
    unknown = sorted({code for _, code in corrections} - codes)
    if unknown:
        raise UsageError(f"没有这些领域编号：{'、'.join(unknown)}（可用：{'、'.join(sorted(codes, key=_order))}）")
    with _locked(path):  # two clerks learning at once: the second learns on top of the first
        return _learn(corrections, path, base, rules, lexicon)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `<overlay>.lock` while the overlay is read, learned from and written."""
    lock = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a")
    except OSError as err:
        raise _unwritable(path, err) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _learn(corrections: Sequence[tuple[str, str]], path: Path, base: Guide, rules: LearningSpec,
           lexicon: str) -> Outcome:
    spec = (load_yaml(path, OverlaySpec, "指南领域本地更正") if path.is_file()
            else OverlaySpec(lexicon=Path(lexicon).name))
    # the learning guide has a tokenizer of its own, which takes each learned word as it comes
    guide = apply_overlay(replace(base, tokenizer=nlp.copy_tokenizer(base.tokenizer, ())), spec, path,
                          own_tokenizer=True)
    lessons: list[Lesson] = []
    learned: list[CorrectionSpec] = []
    known = {(c.title, c.code) for c in spec.corrections}
    for title, code in corrections:
        lesson = _teach(guide, title, code, rules)
        lessons.append(lesson)
        if lesson.terms:
            correction = CorrectionSpec(title=title, code=code, terms=lesson.terms)
            learned.append(correction)
            guide = apply_overlay(guide, OverlaySpec(lexicon=spec.lexicon, corrections=[correction]), path,
                                  own_tokenizer=True)
        elif lesson.status == "already" and (title, code) not in known:
            learned.append(CorrectionSpec(title=title, code=code, terms={}))  # still a labelled title
        known.add((title, code))
    if learned:
        _write(path, OverlaySpec(lexicon=spec.lexicon, corrections=[*spec.corrections, *learned]))
    return Outcome(path, tuple(lessons))


def _order(code: str) -> tuple[int, ...]:
    return tuple(int(x) for x in code.split(".") if x.isdigit())


def _right(guide: Guide, title: str, code: str) -> bool:
    ranking = rank(guide, title, top=1)
    return bool(ranking.domains) and ranking.domains[0].code == code and not ranking.none_fits


def _teach(guide: Guide, title: str, code: str, rules: LearningSpec) -> Lesson:
    if _right(guide, title, code):
        return Lesson(title, code, "already", {})
    at = next(i for i, d in enumerate(guide.domains) if d.code == code)
    # the fewest and most telling words, at the least weight: the rarest first (jieba's counts:
    # 羰基, 桉树 before 检测, 模型); then more words; then a higher weight
    words = sorted(candidates(guide, title), key=lambda w: (nlp.word_freq(w), -len(w), w))
    for weight in rules.weights:
        for k in range(1, len(words) + 1):
            terms = dict.fromkeys(words[:k], float(weight))
            if _right(_trial(guide, terms, at), title, code):
                return Lesson(title, code, "learned", terms)
    if core := _core(guide, title):
        for weight in _up_to(rules.whole_title_max):
            terms = {core: weight}
            if _right(_trial(guide, terms, at), title, code):
                return Lesson(title, code, "learned", terms)
    return Lesson(title, code, "unsettled", {})


def _up_to(limit: float) -> Iterable[float]:
    weight = 1.0
    while weight <= limit:
        yield weight
        weight += 1.0


def _trial(guide: Guide, terms: dict[str, float], at: int) -> Guide:
    """`guide` with `terms` added for domain `at`, its tokenizer untouched (the terms are tokens of
    the title tried, or its core, found inside its tokens)."""
    weights = dict(guide.weights)
    for term, weight in terms.items():
        weights[term] = (*weights.get(term, ()), (at, weight))
    return replace(guide, weights=weights, max_len=max(guide.max_len, *map(len, terms)))


def candidates(guide: Guide, title: str) -> list[str]:
    """The words of a title worth learning (normalised, in title order)."""
    norm = normalize(title)
    out: list[str] = []
    for token in guide.tokens(norm):
        token = token.strip()
        if len(token) < 2 or _SAYS_NOTHING.fullmatch(token) or guide.is_ordinary(token) or token in out:
            continue
        if token in guide.weights:  # a known term keeps its meaning: a correction adds vocabulary
            continue
        out.append(token)
    return out


def _core(guide: Guide, title: str) -> str:
    """The title's core as one term: generic endings and punctuation stripped (or '')."""
    region = guide.head_region(normalize(title))
    return region if len(region) >= 2 else ""


HEADER = """\
# 指南领域的本地更正：由 `screening classify --learn 更正文件.jsonl` 写入，随软件发布的词表不改动。
# 每条更正记下项目名称、正确的领域编号和从中学到的词（词 → 权重）；删去一条即撤销它。
# Local corrections of the guide lexicon, written by `screening classify --learn`; the shipped
# lexicon is never edited. Delete an entry to undo it.
"""


def _write(path: Path, spec: OverlaySpec) -> None:
    """The overlay written atomically (its folder made by `_locked`)."""
    data = spec.model_dump(mode="json")
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    try:
        files.write_atomic(path, text.encode("utf-8"))
    except OSError as err:
        raise _unwritable(path, err) from None


def _unwritable(path: Path, err: OSError) -> UsageError:
    return UsageError(f"{path}: 无法写入本地更正（{err.strerror or err}）；可用环境变量 SCREENING_GUIDE_OVERLAY "
                      "指定一个可写的文件")
