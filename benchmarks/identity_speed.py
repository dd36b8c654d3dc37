"""Identity matching speed: 1 MB of Chinese report text against 10 and against 10,000 known
identities, in the same run. The automaton makes the cost independent of the number of targets:
the ratio of the two times should stay ≤ 1.2. Also prints the normalised-matching throughput in
MB/s on one core.

    python benchmarks/identity_speed.py [--mb 1.0]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.make_samples import filler  # noqa: E402

RARE = "璟玥瑄琛珩琨瑾璞珏琪瑜珂玮璐琳瑶琦珺琰璇瑭琮瑀璨"
REGIONS = ["浙江", "衢州", "杭州", "宁波", "温州", "江山", "龙游", "开化"]
INDUSTRIES = ["新材料", "电子科技", "机械", "化工", "生物医药", "信息技术", "农业开发", "环保科技"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def application(n_orgs: int, n_people: int, rng: random.Random) -> dict[str, object]:
    orgs = [f"{rng.choice(REGIONS)}{rng.choice(RARE)}{rng.choice(RARE)}{rng.choice(INDUSTRIES)}有限公司"
            for _ in range(n_orgs)]
    people = [rng.choice(SURNAMES) + rng.choice(RARE) + rng.choice(RARE) for _ in range(n_people)]
    return {"project_id": "BENCH", "title": "benchmark", "applicant": {"name": orgs[0]},
            "partners": [{"name": o} for o in orgs[1:]], "team": [{"name": p} for p in people]}


def text_of(megabytes: float) -> list[str]:
    paragraphs: list[str] = []
    size = 0
    topics = ["含氟聚合物", "动力电池材料", "智慧社区", "柑橘保鲜", "数控机床", "重组蛋白"]
    k = 0
    while size < megabytes * 1_000_000:
        for p in filler(topics[k % len(topics)]):
            paragraphs.append(p + f"（第{k}节）")
            size += len(paragraphs[-1].encode("utf-8"))
        k += 1
    return paragraphs


def timed(app_data: dict[str, object], paragraphs: list[str]) -> tuple[float, float, int]:
    from screening.application import parse_application
    from screening.calls import load_call
    from screening.checks import identity
    from screening.checks.context import Context
    from screening.identity.targets import identities
    from screening.model import Document, Part, PartKind

    call = load_call()
    app = parse_application(json.dumps(app_data, ensure_ascii=False))
    t0 = time.perf_counter()
    targets = tuple(identities(app, call.identity))
    doc = Document("bench.docx", "docx", "", None,
                   tuple(Part(PartKind.BODY, p, paragraph=i + 1) for i, p in enumerate(paragraphs)))
    ctx = Context(call, app, (doc,), targets)
    engine = identity.Engine(ctx)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    hits = engine.scan(doc)
    return build, time.perf_counter() - t0, len(hits)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=1.0)
    args = ap.parse_args()
    rng = random.Random(7)
    paragraphs = text_of(args.mb)
    size_mb = sum(len(p.encode("utf-8")) for p in paragraphs) / 1_000_000
    from screening.identity import nlp

    nlp.warm_up()
    timed(application(2, 2, rng), paragraphs[:50])  # warm caches (normalisation, lexicons)
    small = application(5, 5, rng)
    large = application(5000, 5000, rng)
    b_small, t_small, h_small = timed(small, paragraphs)
    b_large, t_large, h_large = timed(large, paragraphs)
    print(f"text: {size_mb:.2f} MB, {len(paragraphs)} paragraphs")
    print(f"10 identities:     build {b_small:6.2f} s   scan {t_small:6.2f} s   {size_mb / t_small:5.2f} MB/s   hits {h_small}")
    print(f"10,000 identities: build {b_large:6.2f} s   scan {t_large:6.2f} s   {size_mb / t_large:5.2f} MB/s   hits {h_large}")
    print(f"ratio scan(10,000) / scan(10) = {t_large / t_small:.2f}  (target ≤ 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
