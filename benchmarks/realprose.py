"""The identity engine on real prose nobody on the team wrote (issue 11).

Data (benchmarks/data/realprose/, sources in SOURCES.md and NAMES.md): real Chinese technical prose
(prose.jsonl: paper abstracts and encyclopedia articles, verbatim), real organisation names with
their short names (orgs.tsv: listed companies, universities, institutes) and real person names
(persons.tsv); sentences that reveal an identity (plants.tsv, written by a helper who had not read
the engine) to plant into the prose.

Every prose text is one clean document paired with one applicant and its team. For at least half
the pairs the applicant's short name, its 字号 or a member's name occurs in the text as an ordinary
word or inside a longer name — the collisions a real intake has. The engine screens every
document as it stands (nothing in it names the applicant: every hit is wrongful), then again with
one planted sentence of each kind (full name, 字号+行业, 简称, 地名+字号, a member as actor, the full
name broken across a line as in a PDF).

Reported: wrongful fails per 100,000 characters (all, and of full names), clean documents failed,
clean documents with an unsure warning, and for each planted kind the recall at fail level.

    python benchmarks/realprose.py [--limit N] [--show K] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "realprose"

from screening.application import parse_application  # noqa: E402
from screening.calls import Call, load_call  # noqa: E402
from screening.checks import identity  # noqa: E402
from screening.checks.context import Context  # noqa: E402
from screening.identity.targets import identities  # noqa: E402
from screening.model import Document, Finding, Part, PartKind, Role, Severity  # noqa: E402

KINDS = ("full", "trade_industry", "short", "region_trade", "member", "linebreak")
_LEGAL = re.compile(r"(集团股份有限公司|股份有限公司|有限责任公司|集团有限公司|有限公司|集团公司|股份公司|集团)$")
_PROVINCES = ("黑龙江", "内蒙古", "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽",
              "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州", "云南", "西藏", "陕西",
              "甘肃", "青海", "宁夏", "新疆", "深圳", "广州", "杭州", "南京", "苏州", "宁波", "厦门", "武汉", "成都", "西安",
              "青岛", "大连", "无锡", "佛山", "东莞", "合肥", "长沙", "郑州", "济南", "福州", "中国")


@dataclass
class Org:
    full: str
    short: str
    kind: str

    @property
    def body(self) -> str:
        """The name without its leading place and legal form: 浙江华友钴业股份有限公司 → 华友钴业."""
        rest = _LEGAL.sub("", self.full)
        for p in _PROVINCES:
            if rest.startswith(p):
                rest = rest[len(p):].removeprefix("省").removeprefix("市")
                break
        return rest

    @property
    def region(self) -> str:
        return next((p for p in _PROVINCES if self.full.startswith(p)), "")

    @property
    def company(self) -> bool:
        return self.kind == "listed" and "公司" in self.full


@dataclass
class Pair:
    doc_id: str
    text: str
    org: Org
    members: list[str]
    collides: list[str] = field(default_factory=list)  # what of the identity occurs in the clean text


def load() -> tuple[list[dict[str, Any]], list[Org], list[str], dict[str, list[str]]]:
    prose = [json.loads(line) for line in (DATA / "prose.jsonl").read_text(encoding="utf-8").splitlines() if line]
    with (DATA / "orgs.tsv").open(encoding="utf-8") as f:
        orgs = [Org(r["full_name"], r["short_name"], r["kind"]) for r in csv.DictReader(f, delimiter="\t")]
    with (DATA / "persons.tsv").open(encoding="utf-8") as f:
        persons = [r["name"] for r in csv.DictReader(f, delimiter="\t")]
    plants: dict[str, list[str]] = {}
    if not (DATA / "plants.tsv").exists():
        sys.exit(f"{DATA / 'plants.tsv'} is missing")
    with (DATA / "plants.tsv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            plants.setdefault(r["kind"], []).append(r["template"])
    return prose, orgs, persons, plants


def _jieba_tag(word: str) -> str | None:
    import logging

    import jieba.posseg

    logging.getLogger("jieba").setLevel(logging.WARNING)
    return jieba.posseg.dt.word_tag_tab.get(word)  # type: ignore[no-any-return]


def pair(prose: list[dict[str, Any]], orgs: list[Org], persons: list[str], seed: int = 2020) -> list[Pair]:
    """One applicant and team per text; a colliding one wherever the text allows."""
    rng = random.Random(seed)
    listed = [o for o in orgs if o.kind == "listed" and o.short and o.region]
    keys: dict[str, list[Org]] = {}
    for o in orgs:
        for k in {o.short, o.short[:2], o.body[:2]} - {""}:
            if len(k) >= 2:
                keys.setdefault(k, []).append(o)
    two = [p for p in persons if len(p) == 2]
    out: list[Pair] = []
    for entry in prose:
        text = entry["text"]
        found = [k for k in keys if k in text]
        # a text that names the organisation itself (its full name, or its short name where jieba
        # knows it as an organisation: 云南白药 the company and its namesake product) is about it, not
        # a collision
        candidates = [o for k in found for o in keys[k] if o.full not in text
                      and not (o.short and o.short in text and _jieba_tag(o.short) in ("nt", "nz", "j"))]
        org = rng.choice(candidates) if candidates and rng.random() < 0.75 else rng.choice(listed)
        met = [p for p in two if p in text] + [p for p in persons if len(p) == 3 and p[:2] in text]
        members = ([rng.choice(met)] if met else []) + rng.sample(persons, 2)
        collides = [k for k in {org.short, org.short[:2], org.body[:2]} if k and len(k) >= 2 and k in text]
        collides += [m for m in members if m in text or m[:2] in text]
        out.append(Pair(entry["id"], text, org, members, collides))
    return out


def application(p: Pair) -> str:
    return json.dumps({
        "project_id": p.doc_id, "title": "项目",
        "applicant": {"name": p.org.full, "aliases": [p.org.short] if p.org.short else []},
        "team": [{"name": m, "role": "leader" if i == 0 else "member"} for i, m in enumerate(p.members)],
    }, ensure_ascii=False)


def screen(call: Call, app_json: str, paragraphs: list[str]) -> list[Finding]:
    app = parse_application(app_json)
    parts = tuple(Part(kind=PartKind.BODY, text=t, paragraph=i + 1) for i, t in enumerate(paragraphs))
    doc = Document(file="可行性报告.docx", format="docx", sha256="", pages=1, role=Role.FEASIBILITY_REPORT, parts=parts)
    ctx = Context(call, app, (doc,), tuple(identities(app, call.identity)))
    return [f for f in identity.check(ctx) if f.rule.startswith("identity.")]


def paragraphs_of(text: str) -> list[str]:
    return [x for x in text.split("\n") if x.strip()]


def plant_values(p: Pair) -> dict[str, str]:
    body = p.org.body  # for a listed company: 字号 + 行业 (华友钴业)
    # the 字号: what the stock short name and the name share at the start (三利谱 of 三利谱光电科技)
    trade = next((body[:n] for n in range(min(len(body), len(p.org.short)), 1, -1) if body[:n] == p.org.short[:n]), "")
    company = p.org.company and len(trade) >= 2
    return {
        "full": p.org.full,
        "trade_industry": body if company and len(body) >= 4 else "",
        "short": p.org.short,
        "region_trade": (p.org.region + trade) if company and p.org.region and len(body) >= 4 else "",
        "member": p.members[-1],
        "linebreak": p.org.full,
    }


def _overlaps(f: Finding, surface: str) -> bool:
    m = re.sub(r"\s", "", f.matched or "")
    s = re.sub(r"\s", "", surface)
    return bool(m) and (m in s or s in m)


def measure(limit: int = 0) -> tuple[dict[str, Any], list[str], list[str]]:
    """The figures, the wrongful or unsure findings on clean text, and the planted leaks missed."""
    prose, orgs, persons, plants = load()
    if limit:
        prose = prose[:limit]
    call = load_call()
    pairs = pair(prose, orgs, persons)
    rng = random.Random(7)
    t0 = time.perf_counter()
    chars = fails = full_fails = failed_docs = unsure_docs = 0
    wrong: list[str] = []
    recall = {k: [0, 0] for k in KINDS}
    misses: list[str] = []
    for p in pairs:
        paras = paragraphs_of(p.text)
        chars += sum(len(x) for x in paras)
        app = application(p)
        found = screen(call, app, paras)
        bad = [f for f in found if f.severity is Severity.FAIL]
        fails += len(bad)
        full_fails += sum(1 for f in bad if f.target and re.sub(r"\s", "", f.matched or "") == f.target)
        failed_docs += bool(bad)
        unsure_docs += bool(not bad and any(f.severity is Severity.WARN for f in found))
        wrong += [f"{p.doc_id} {f.severity.value} {f.matched!r} → {f.target} {list(getattr(f, 'evidence', ()))} "
                  f"…{f.context}…" for f in found if f.severity is not Severity.INFO]
        values = plant_values(p)
        planted = list(paras)
        surfaces: dict[str, str] = {}
        for kind in KINDS:
            value = values[kind]
            if not value:
                continue
            template = rng.choice(plants["full" if kind == "linebreak" else kind])
            slot = "{person}" if kind == "member" else "{full}" if kind == "linebreak" else "{" + kind + "}"
            shown = value[: len(value) // 2] + "\n" + value[len(value) // 2 :] if kind == "linebreak" else value
            planted.insert(rng.randrange(len(planted) + 1), template.replace(slot, shown))
            surfaces[kind] = shown
        found = screen(call, app, planted)
        for kind, surface in surfaces.items():
            recall[kind][1] += 1
            hit = any(f.severity is Severity.FAIL and _overlaps(f, surface) for f in found)
            recall[kind][0] += hit
            if not hit:
                misses.append(f"{p.doc_id} {kind} {surface!r}")
    figures = {
        "documents": len(pairs), "characters": chars, "pairs_with_collision": sum(1 for p in pairs if p.collides),
        "wrongful_fails": fails, "wrongful_fails_per_100k": round(fails * 1e5 / max(chars, 1), 3),
        "wrongful_full_name_fails": full_fails,
        "clean_documents_failed": [failed_docs, len(pairs)],
        "clean_documents_unsure": [unsure_docs, len(pairs)],
        "recall_at_fail": {k: [a, b] for k, (a, b) in recall.items()},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return figures, wrong, misses


def _pct(pair_: list[int]) -> str:
    a, b = pair_
    return f"{a}/{b} = {100 * a / max(b, 1):.2f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N texts")
    ap.add_argument("--show", type=int, default=0, help="print up to K wrongful findings and K misses")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    figures, wrong, misses = measure(args.limit)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        for k, v in figures.items():
            if k.startswith("clean_documents"):
                v = _pct(v)
            elif k == "recall_at_fail":
                v = ", ".join(f"{kind} {_pct(x)}" for kind, x in v.items())
            print(f"{k:28} {v}")
    if args.show:
        print("\n-- wrongful or unsure findings on clean text")
        print("\n".join(wrong[: args.show]))
        print("\n-- planted leaks not failed")
        print(dict(Counter(m.split()[1] for m in misses)), *misses[: args.show], sep="\n")


if __name__ == "__main__":
    main()
