"""Character n-grams behind the guide lexicon: evidence for words the lexicon does not list.

A title often names its product with a word no lexicon lists (特种纸 grades, a wheat variety, a new
vaccine, 充电桩), but the characters of that word are telling: 纸, 麦, 疫苗, 充电, 轴承. This model
learns, for every character pair (bigram) and for the last character of a title's head, how
strongly it points at each domain, from
* the lexicon's own terms (each term's bigrams and last character, counted with the term's weight
  for each of its domains), and
* a vocabulary of real, labelled project titles (`titles` in the lexicon's `ngrams` section:
  lexicons/guide-titles/titles.jsonl, public lists with their sources), each title counted once.

The strength of a feature g for domain d is its lift over a uniform prior,
    vote(g, d) = log(P(d | g) / (1 / D)) × M / (M + shrink),   P(d | g) = (m_d + α) / (M + D·α),
kept only when positive (m_d: g's mass in domain d, M: its mass in all). `rank` asks `votes` for
the part of a title that no lexicon term covers; the sum per domain, × `weight`, capped at `cap`,
is added to the title's evidence and shown among the deciding terms as 「充电」 (a bigram) or
「…纸」 (the head's last character). Every number is in the lexicon's `ngrams` section.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from screening.errors import ConfigError

_CJK = re.compile(r"[\u3400-\u9fff]+")


@dataclass(frozen=True, slots=True)
class NgramModel:
    """Feature → ((domain index, vote), …), for bigrams ("充电") and head characters ("…纸")."""

    table: dict[str, tuple[tuple[int, float], ...]]

    def votes(self, pieces: Iterable[str], head_char: str, ignore: Container[str] = ()) -> dict[int, dict[str, float]]:
        """Per domain, the votes of the bigrams in `pieces` (each once; not those in `ignore`) and of
        the head character."""
        out: dict[int, dict[str, float]] = defaultdict(dict)
        for feature in sorted(set(piece_features(pieces, head_char, ignore))):
            for domain, vote in self.table.get(feature, ()):
                out[domain][feature] = vote
        return out


def piece_features(pieces: Iterable[str], head_char: str = "", ignore: Container[str] = ()) -> list[str]:
    """The features of some pieces of text (each a run of telling words): the CJK bigrams inside
    each piece (but those in `ignore`: ordinary words such as 分析 inside 特征分析), and the head
    character as "…纸"."""
    out = [pair for piece in pieces for run in _CJK.findall(piece) for i in range(len(run) - 1)
           if (pair := run[i:i + 2]) not in ignore]
    if head_char and _CJK.fullmatch(head_char):
        out.append("…" + head_char)
    return out


def build(domains: int, terms: Mapping[str, Sequence[tuple[int, float]]],
          titles: Iterable[tuple[Sequence[str], int, float]], *, alpha: float, shrink: float, min_mass: float,
          title_weight: float) -> NgramModel:
    """The model from the lexicon's terms (normalised → (domain, weight); a term's features: its
    bigrams and its last character) and labelled titles (their features, domain index, weight;
    each counted × `title_weight`)."""
    mass: dict[str, list[float]] = defaultdict(lambda: [0.0] * domains)
    for term, targets in terms.items():
        for feature in set(piece_features([term], term[-1])):
            for domain, weight in targets:
                mass[feature][domain] += weight
    for found, domain, weight in titles:
        for feature in set(found):
            mass[feature][domain] += weight * title_weight
    table: dict[str, tuple[tuple[int, float], ...]] = {}
    for feature, m in mass.items():
        total = sum(m)
        if total < min_mass:
            continue
        confidence = total / (total + shrink)
        lifts = ((domain, math.log((md + alpha) / (total + domains * alpha) * domains) * confidence)
                 for domain, md in enumerate(m) if md > 0)
        votes = tuple((domain, vote) for domain, vote in lifts if vote > 0)
        if votes:
            table[feature] = votes
    return NgramModel(table)


def read_titles(path: Path, codes: dict[str, int], also_weight: float) -> list[tuple[str, int, float]]:
    """(title, domain index, weight) of a labelled titles file (`labelled_titles`); the label counts
    1, each code in `also` `also_weight`; `none` and codes the guide does not have are left out."""
    return [(title, codes[c], 1.0 if c == label else also_weight) for title, label, also in labelled_titles(path)
            for c in dict.fromkeys([label, *also]) if c in codes]


def labelled_titles(path: Path) -> list[tuple[str, str, list[str]]]:
    """(title, label, also codes) of every line of a labelled titles file (JSONL: {"title", "label",
    "also"}, lexicons/guide-titles/); a file that cannot be read or a bad line is a ConfigError."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ConfigError(f"{path}: 无法读取领域标题词汇（{err.strerror or err}）") from None
    out: list[tuple[str, str, list[str]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append((str(row["title"]), str(row["label"]), [str(c) for c in row.get("also", [])]))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ConfigError(f"{path}: 第{number}行不是 {{\"title\", \"label\", \"also\"}} 的JSON") from None
    return out
