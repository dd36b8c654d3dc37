"""Real prose nobody on the team wrote (benchmarks/realprose.py, issue 11): paired with real
organisations and people whose short names occur in it as ordinary words, it fails nobody, and
planted leaks of every kind fail. A slice of the benchmark, so the suite stays quick."""

from __future__ import annotations

from benchmarks.realprose import KINDS, measure


def test_real_prose_fails_nobody_and_planted_leaks_fail() -> None:
    figures, wrong, misses = measure(limit=250)
    assert figures["pairs_with_collision"] >= figures["documents"] // 2  # the hard pairings are there
    assert figures["wrongful_full_name_fails"] == 0
    assert figures["wrongful_fails"] == 0, wrong
    failed, total = figures["clean_documents_failed"]
    unsure, _ = figures["clean_documents_unsure"]
    assert failed == 0 and unsure <= 0.05 * total
    for kind in KINDS:
        found, planted = figures["recall_at_fail"][kind]
        assert planted >= 20 and found >= 0.95 * planted, (kind, misses)
