"""A linear model of project titles: which domain a title's characters point at, learned from
labelled examples — the third signal of the guide's ranking, after the lexicon's terms and the
character n-gram backoff (`guide_ngrams`). It carries what the labelled titles know that no list
of terms does (鱼类转基因 → 农业新品种 by 『鱼』, 丛生竹种 → 林特资源开发 by 『竹』).

Each title (normalised as `classify.normalize` does, its ordinary words blanked:
`classify.linear_text`) becomes the character n-grams of its runs of Chinese characters and its
whole Latin words (`features`, lengths `linear.ngram`), weighted tf-idf (sublinear tf, smoothed
idf, unit length, over the n-grams of the model's vocabulary), and each domain has a weight per
n-gram and a bias: a title's decision value for a domain is the weighted sum
(`LinearModel.decisions`). It is trained (`train`: scikit-learn's linear support vector machine,
one class against the rest) on
* the labelled real titles the lexicon's `linear.titles` lists (lexicons/guide-titles/, sources in
  SOURCES.md there), each with its `label`: a `none` title is a class of its own (stored as the
  last row), so that what fits no domain teaches the domains what is not theirs, and a title that
  looks like those can be told to fit none (`classify.rank`, `linear.none_margin`); and
* the lexicon's own terms, each as a short title of the domain it weighs most (weight ≥
  `linear.term_min_weight`),
and stored in `linear.model` (lexicons/guide-titles/linear.json, ~0.4 MB): numbers rounded to
`DIGITS` decimals, n-grams in fewer than `min_df` examples left out, and per n-gram only its `keep`
largest weights of at least `prune`. Ranking reads that file and needs no training library, so a
ranking is the same on every machine; scikit-learn (the `dev` extra) is needed only to write it:

    python -m screening.guide_linear            # writes the file the lexicon names
    python -m screening.guide_linear --check    # exit 1 when the file is not what training makes

(tests/test_guide_linear.py runs the check: edit the lexicon or the titles, then write the file.)
`classify.rank` adds `linear.weight × (decision + linear.offset)` to a domain's title evidence when
that reaches `linear.min_vote`, shown among the deciding terms as the two n-grams that added most
to the decision (『纸』).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from screening import files
from screening.errors import ConfigError

FORMAT = 1  # the stored model's layout; bump when it changes
DIGITS = 4  # weights, biases and idf are stored rounded to this many decimals
NONE = "none"  # the label of a title no domain of the guide covers


_RUNS = re.compile(r"[\u3400-\u9fff]+|[0-9a-z]+")


def features(text: str, lo: int = 1, hi: int = 3) -> list[str]:
    """The features of a title as the model reads it (`classify.linear_text`: normalised, its
    ordinary words blanked): the character n-grams, lengths `lo`…`hi`, of each run of Chinese
    characters, and each Latin or digit word of two characters or more, whole ("iot" is not in
    "biotech")."""
    out: list[str] = []
    for run in _RUNS.findall(text):
        if run[0] <= "z":
            if len(run) > 1:
                out.append(run)
            continue
        out += [run[i:i + n] for n in range(lo, hi + 1) for i in range(len(run) - n + 1)]
    return out


@dataclass(frozen=True, slots=True)
class LinearModel:
    ngram: tuple[int, int]
    # n-gram → (idf, ((domain row, weight), …)) for every n-gram the model knows (its vocabulary:
    # min_df); the weights pruned
    table: dict[str, tuple[float, tuple[tuple[int, float], ...]]]
    bias: tuple[float, ...]  # per row: the domains', then the none class's when it is stored
    none_row: int | None = None  # the row of titles no domain covers (`NONE`), when stored

    def decisions(self, title: str) -> tuple[list[float], list[list[tuple[float, str]]]]:
        """Per row (each domain, then the none class when stored): the decision value for a title as
        the model reads it, and what the n-grams that raised it added ((amount, n-gram), unordered)."""
        table = self.table
        counts: dict[str, int] = {}
        for f in features(title, *self.ngram):
            if f in table:
                counts[f] = counts.get(f, 0) + 1
        values = [(f, table[f], idf if tf == 1 else (1.0 + math.log(tf)) * idf)
                  for f, tf in counts.items() for idf in (table[f][0],)]
        norm = math.sqrt(sum(v * v for _, _, v in values))
        out = list(self.bias)
        raised: list[list[tuple[float, str]]] = [[] for _ in self.bias]
        if norm == 0:
            return out, raised
        for f, (_, weights), v in values:
            x = v / norm
            for row, w in weights:
                c = x * w
                out[row] += c
                if c > 0:
                    raised[row].append((c, f))
        return out, raised


def load(path: Path, codes: Sequence[str]) -> LinearModel:
    """The stored model; its domains must be the guide's (`codes`, in order)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: 无法读取标题线性模型（{err.strerror or err}）") from None
    except ValueError:
        raise ConfigError(f"{path}: 无法读取标题线性模型（不是有效的JSON），请重新生成（python -m screening.guide_linear）") from None
    again = "请重新生成（python -m screening.guide_linear）"
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{path}: 标题线性模型的格式不是第{FORMAT}版，{again}")
    try:
        if [str(c) for c in data["codes"]] != list(codes):
            raise ConfigError(f"{path}: 标题线性模型的领域与指南词表不一致，{again}")
        ngram = (int(data["ngram"][0]), int(data["ngram"][1]))
        # per n-gram [idf, row, weight, row, weight, …]: zipped in C (24 000 n-grams load in a few ms)
        table = {str(f): (float(v[0]), tuple(zip(v[1::2], map(float, v[2::2]), strict=True)))
                 for f, v in data["ngrams"].items()}
        bias = tuple(float(b) for b in data["bias"])
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise ConfigError(f"{path}: 标题线性模型已损坏（{type(err).__name__}），{again}") from None
    rows = len(codes) + (1 if data.get("none") is True else 0)
    used = {row for _, ws in table.values() for row, _ in ws}
    if len(bias) != rows or not all(type(row) is int for row in used) or not used <= set(range(rows)):
        raise ConfigError(f"{path}: 标题线性模型已损坏（领域行数不符），{again}")
    return LinearModel(ngram=ngram, table=table, bias=bias,
                       none_row=len(codes) if rows > len(codes) else None)


def train(docs: Sequence[tuple[str, str]], codes: Sequence[str], *, c: float, ngram: tuple[int, int],
          min_df: int, prune: float, keep: int) -> dict[str, Any]:
    """The stored form of a model trained on (normalised text, code) pairs (scikit-learn's LinearSVC,
    one class against the rest, deterministic: liblinear with a fixed seed). `none` (a title no
    domain of the guide covers) is a class of its own: its examples teach the domains what is none
    of theirs, and it is stored as the last row (`LinearModel.none_row`), after the domains'; any
    other code not in `codes` is a class that is not stored."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # the dev extra: training only
    from sklearn.svm import LinearSVC

    lo, hi = ngram
    vectorizer = TfidfVectorizer(analyzer=lambda t: features(t, lo, hi), sublinear_tf=True, min_df=min_df)
    matrix = vectorizer.fit_transform([t for t, _ in docs])
    classifier = LinearSVC(C=c, random_state=0, max_iter=20000).fit(matrix, [code for _, code in docs])
    with_none = NONE in {code for _, code in docs}
    rows = {code: i for i, code in enumerate(codes)} | ({NONE: len(codes)} if with_none else {})
    learned = {k: rows[str(code)] for k, code in enumerate(classifier.classes_) if str(code) in rows}
    vocabulary = vectorizer.get_feature_names_out()
    coef = classifier.coef_
    # n-gram → [idf, row, weight, row, weight, …]: every n-gram of the vocabulary counts in a title's
    # length; of its weights only the `keep` largest of at least `prune` (in size) are kept
    table: dict[str, list[float | int]] = {}
    for j, feature in enumerate(vocabulary):
        entry: list[float | int] = [round(float(vectorizer.idf_[j]), DIGITS)]
        strongest = sorted((k for k in learned if abs(coef[k, j]) >= prune), key=lambda k: -abs(coef[k, j]))[:keep]
        for k in sorted(strongest, key=lambda k: learned[k]):
            entry += [learned[k], round(float(coef[k, j]), DIGITS)]
        table[str(feature)] = entry
    # a class no example names gets a bias no title can lift: it never gains evidence here
    bias = [-1e3] * len(rows)
    for k, row in learned.items():
        bias[row] = round(float(classifier.intercept_[k]), DIGITS)
    return {"format": FORMAT, "codes": list(codes), "none": with_none, "ngram": [lo, hi], "c": c, "min_df": min_df,
            "prune": prune, "keep": keep, "documents": len(docs), "bias": bias, "ngrams": table}


def dumps(model: dict[str, Any]) -> str:
    """The stored text: one n-gram per line, so a change to the training data shows as a diff."""
    head = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in model.items() if k != "ngrams"]
    items = sorted(model["ngrams"].items())
    body = [f"    {json.dumps(f, ensure_ascii=False)}: {json.dumps(v)}{',' if i < len(items) - 1 else ''}"
            for i, (f, v) in enumerate(items)]
    return "\n".join(["{", *head, '  "ngrams": {', *body, "  }", "}"]) + "\n"


def same_model(a: Any, b: Any, tolerance: float = 5e-3) -> bool:
    """Two stored models are the same but for what training on another machine changes: the last
    digits of a number (liblinear stops within its tolerance, and another CPU's arithmetic stops it
    elsewhere: seen up to 1.2e-3), and so a weight at the `prune` threshold (or the `keep`-th) kept
    by one and not by the other."""
    if not (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and "ngrams" in a):
        return _close(a, b, tolerance)
    rest = [k for k in a if k != "ngrams"]
    if not _close([a[k] for k in rest], [b[k] for k in rest], tolerance) or a["ngrams"].keys() != b["ngrams"].keys():
        return False
    prune, keep = float(a["prune"]), int(a["keep"])
    for gram, x in a["ngrams"].items():
        y = b["ngrams"][gram]
        if not _close(x[0], y[0], tolerance):  # the idf
            return False
        wx, wy = dict(zip(x[1::2], x[2::2], strict=True)), dict(zip(y[1::2], y[2::2], strict=True))
        for row in wx.keys() | wy.keys():
            if row in wx and row in wy:
                if not _close(wx[row], wy[row], tolerance):
                    return False
                continue
            weight, other = (wx[row], wy) if row in wx else (wy[row], wx)
            if abs(weight) > prune + tolerance and len(other) < keep:
                return False
    return True


def _close(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and abs(a - b) <= tolerance
    return bool(a == b)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m screening.guide_linear",
                                     description="训练指南领域的标题线性模型，写入词表指定的文件（--check：只检查该文件是否最新）")
    parser.add_argument("--lexicon", default=None, help="指南词表名称（默认本批次的指南）")
    parser.add_argument("--check", action="store_true", help="只检查，不写入：文件与重新训练的结果不同则退出码为1")
    args = parser.parse_args(argv)
    from screening import classify

    try:
        path, text = classify.linear_training(args.lexicon or classify.DEFAULT_LEXICON)
    except ConfigError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    except ImportError as err:  # scikit-learn: the dev extra
        print(f"错误：训练需要 scikit-learn（pip install -e '.[dev]'）：{err}", file=sys.stderr)
        return 2
    if args.check:
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            current = None
        if not same_model(current, json.loads(text)):
            print(f"{path}: 不是当前词表和标题训练出的模型，请运行 python -m screening.guide_linear", file=sys.stderr)
            return 1
        print(f"{path}: 最新")
        return 0
    files.write_atomic(path, text.encode("utf-8"))
    print(f"{path}: 已写入")
    return 0


if __name__ == "__main__":
    sys.exit(main())
