"""Identity de-duplication at scale: a generated docx whose every paragraph names the applicant,
screened through the library (`screening.engine.screen_files`) with 1,000 and with N (default
10,000) such paragraphs, in the same run. Hits overlap only within one paragraph, so the cost per
paragraph must not grow with the number of paragraphs: the ratio of the per-paragraph times
should stay ≤ 1.5 (a quadratic de-duplication gives about N / 1,000).

    python benchmarks/dedupe_speed.py [--small 1000] [--large 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APPLICANT = "浙江衢晟新材料有限公司"
LEADER = "王建国"
def leaky_docx(paragraphs: int) -> bytes:
    """`paragraphs` paragraphs, each naming the applicant (full name and short form) and the leader."""
    from tests.hostile import _body, _docx  # the minimal docx the hostile-file tests build

    return _docx(_body(*(f"第{i}条：本项目由{APPLICANT}（衢晟新材）承担，项目负责人{LEADER}教授。" for i in range(paragraphs))))


def timed(folder: Path, paragraphs: int) -> tuple[float, int]:
    from screening.engine import screen_files

    path = folder / f"可行性报告-{paragraphs}.docx"
    path.write_bytes(leaky_docx(paragraphs))
    t0 = time.perf_counter()
    report = screen_files([path], orgs=[APPLICANT], persons=[LEADER])
    elapsed = time.perf_counter() - t0
    return elapsed, sum(1 for f in report.findings if f.rule.startswith("identity."))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--large", type=int, default=10_000)
    args = ap.parse_args()
    from screening.identity import nlp

    nlp.warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        timed(folder, 20)  # warm caches (lexicons, call file, automaton pieces)
        t_small, f_small = timed(folder, args.small)
        t_large, f_large = timed(folder, args.large)
    per_small = t_small / args.small
    per_large = t_large / args.large
    print(f"{args.small:>6} paragraphs: {t_small:7.2f} s   {per_small * 1000:6.3f} ms/paragraph   identity findings {f_small}")
    print(f"{args.large:>6} paragraphs: {t_large:7.2f} s   {per_large * 1000:6.3f} ms/paragraph   identity findings {f_large}")
    print(f"ratio per-paragraph time ({args.large}) / ({args.small}) = {per_large / per_small:.2f}  (target ≤ 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
