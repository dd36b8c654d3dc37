"""`lexicons.prefix_at` and `suffix_of` (one look-up per entry length) give what a scan of the
lexicon longest first gives — the definition the organisation-name splitting was written with."""

from __future__ import annotations

import random

import pytest

from screening import lexicons

LEXICONS = ("regions.txt", "org-suffixes.txt", "org-industries.txt")


def _scan_prefix(name: str, text: str, pos: int) -> str | None:
    return next((w for w in lexicons.longest_first(name) if text.startswith(w, pos)), None)


def _scan_suffix(name: str, text: str, keep: int) -> str | None:
    return next((w for w in lexicons.longest_first(name) if text.endswith(w) and len(text) - len(w) >= keep), None)


def _texts(name: str, rng: random.Random) -> list[str]:
    """Every entry alone and glued to others and to filler, at both ends, cut at random points."""
    words = list(lexicons.longest_first(name))
    filler = ["", "衢州", "华友", "新材料", "有限公司", "省", "市", "浙江省衢州市", "x", "科技股份有限公司"]
    out = [w for w in words] + [w[:k] for w in words for k in range(1, len(w))]
    for _ in range(3000):
        pieces = [rng.choice(filler), rng.choice(words), rng.choice(filler), rng.choice(words), rng.choice(filler)]
        text = "".join(pieces)
        out += [text, text[: rng.randrange(len(text) + 1)], text[rng.randrange(len(text) + 1) :]]
    return out


@pytest.mark.parametrize("name", LEXICONS)
def test_the_longest_entry_at_a_place_is_the_one_a_scan_finds(name: str) -> None:
    rng = random.Random(name)
    for text in _texts(name, rng):
        for pos in {0, 1, 2, len(text) // 2, len(text)}:
            assert lexicons.prefix_at(name, text, pos) == _scan_prefix(name, text, pos), (text, pos)
        for keep in (0, 1, 2, 3):
            assert lexicons.suffix_of(name, text, keep) == _scan_suffix(name, text, keep), (text, keep)


def test_a_longer_entry_wins_over_one_it_contains() -> None:
    assert lexicons.prefix_at("regions.txt", "浙江省衢州市柯城区") == _scan_prefix("regions.txt", "浙江省衢州市柯城区", 0)
    assert lexicons.suffix_of("org-suffixes.txt", "衢州华友钴业股份有限公司") == "股份有限公司"
    assert lexicons.suffix_of("org-suffixes.txt", "有限公司") == "公司"  # 有限公司 would leave nothing of the name
    assert lexicons.suffix_of("org-suffixes.txt", "有限公司", keep=0) == "有限公司"
    assert lexicons.suffix_of("org-suffixes.txt", "公司") is None
