"""Grid over the guide ranking's numbers on the DEV sets only (dev, dev2; never the frozen one).

    python benchmarks/domains/tune.py

Prints dev and dev2 top-1 / top-3 / none-fits figures for each setting in GRID (keys "section.field" of the
lexicon: `linear`, `ngrams`, `scoring`); the lexicon file is not changed: each setting is compiled
in memory. The stored linear model is used as it is (its training numbers — c, ngram, min_df,
prune — need `python -m screening.guide_linear` after each change, so they are not in the grid).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

from evaluate import SETS, load, score  # noqa: E402

from screening import classify  # noqa: E402
from screening.settings import load_yaml  # noqa: E402

GRID: dict[str, list[Any]] = {
    "linear.none_margin": [None, -0.25, 0.0, 0.25],
    "linear.none_ceiling": [0.9, 0.95],
    "scoring.none_below": [0.65, 0.75],
}


def _with(spec: classify.LexiconSpec, setting: dict[str, Any]) -> classify.LexiconSpec:
    sections: dict[str, dict[str, Any]] = {}
    for key, value in setting.items():
        section, field = key.split(".")
        sections.setdefault(section, {})[field] = value
    return spec.model_copy(update={s: getattr(spec, s).model_copy(update=u) for s, u in sections.items()})


def main() -> int:
    sets = {name: load(SETS[name]) for name in ("dev", "dev2")}
    path = classify.lexicon_path(classify.DEFAULT_LEXICON)
    base = load_yaml(path, classify.LexiconSpec, "指南领域词表")
    results = []
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values, strict=True))
        guide = classify._compile(path, _with(base, setting))
        figures = []
        for rows in sets.values():
            r = score(rows, ranker=lambda title, guide=guide: classify.rank(guide, title))
            figures += [r["top1"] / r["total"], r["top3"] / r["total"],
                        r["none_tp"] / max(1, r["none_tp"] + r["none_fp"]), r["none_tp"] / max(1, r["none_tp"] + r["none_fn"])]
        results.append((figures, setting))
    for f, setting in sorted(results, key=lambda x: x[0][0] + x[0][4], reverse=True):  # by top-1 of both sets
        print(f"dev top1 {f[0]:.3f} top3 {f[1]:.3f} none P {f[2]:.2f} R {f[3]:.2f} | dev2 top1 {f[4]:.3f} top3 {f[5]:.3f} "
              f"none P {f[6]:.2f} R {f[7]:.2f}  " + " ".join(f"{k} {v}" for k, v in setting.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
