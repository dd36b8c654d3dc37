"""Grid over the n-gram backoff's numbers on the DEV set only (never the frozen one).

    python benchmarks/domains/tune.py

Prints dev top-1 / top-3 / none-fits figures for each setting of `ngrams` and `scoring.none_below`
(the lexicon file is not changed: each setting is compiled in memory).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

from evaluate import SETS, load  # noqa: E402

from screening import classify  # noqa: E402
from screening.settings import load_yaml  # noqa: E402


def main() -> int:
    rows = load(SETS["dev"])
    path = classify.lexicon_path(classify.DEFAULT_LEXICON)
    base = load_yaml(path, classify.LexiconSpec, "指南领域词表")
    assert base.ngrams is not None
    grid = {"weight": [0.5, 0.8, 1.2], "cap": [2.0, 3.0], "shrink": [3.0], "title_weight": [1.0, 2.0, 3.0],
            "none_below": [0.55]}
    results = []
    for weight, cap, shrink, title_weight, none_below in itertools.product(*grid.values()):
        spec = base.model_copy(update={
            "ngrams": base.ngrams.model_copy(update={"weight": weight, "cap": cap, "shrink": shrink,
                                                     "title_weight": title_weight}),
            "scoring": base.scoring.model_copy(update={"none_below": none_below})})
        guide = classify._compile(path, spec)
        top1 = top3 = total = ntp = nfp = nfn = 0
        for row in rows:
            r = classify.rank(guide, row["title"])
            got = [d.code for d in r.domains]
            if row["label"] == "none":
                ntp += r.none_fits
                nfn += not r.none_fits
                continue
            nfp += r.none_fits
            ok = {row["label"], *row.get("also", [])}
            total += 1
            top1 += bool(got) and got[0] in ok
            top3 += bool(ok & set(got[:3]))
        results.append((top1 / total, top3 / total, ntp / max(1, ntp + nfp), ntp / max(1, ntp + nfn),
                        weight, cap, shrink, title_weight, none_below))
    for r in sorted(results, reverse=True):
        print("top1 {:.3f} top3 {:.3f} none P {:.2f} R {:.2f}  weight {} cap {} shrink {} title_weight {} "
              "none_below {}".format(*r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
