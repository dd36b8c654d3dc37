"""Normalisation keeps a map back to the original, so findings quote the file as it is."""

from __future__ import annotations

import pytest

from screening.text import context, norm, normalize


@pytest.mark.parametrize(
    ("original", "needle"),
    [
        ("本项目由浙江某某新材料有限公司承担", "浙江某某新材料有限公司"),
        ("本项目由浙 江 某 某新材料有限公司承担", "浙江某某新材料有限公司"),  # spaced out
        ("本项目由浙江某某\n新材料有限公司承担", "浙江某某新材料有限公司"),  # PDF line break
        ("本项目由浙江某某\u200b新材料有限公司承担", "浙江某某新材料有限公司"),  # zero-width space
        ("本項目由浙江某某新材料有限公司承擔", "浙江某某新材料有限公司"),  # traditional characters
        ("由ＪＵＨＵＡ研发", "juhua"),  # full width and case
    ],
)
def test_match_maps_back_to_original(original: str, needle: str) -> None:
    n = normalize(original)
    i = n.text.index(norm(needle))
    start, end = n.span(i, i + len(norm(needle)))
    assert norm(original[start:end]) == norm(needle)
    assert original[start] not in " \n" and original[end - 1] not in " \n"


def test_normalize_drops_whitespace_and_folds_width() -> None:
    assert normalize("Ａ  b\tＣ（１）").text == "abc(1)"


def test_context_is_one_line_with_ellipses() -> None:
    text = "甲" * 30 + "某某\n公司" + "乙" * 30
    got = context(text, 30, 35, width=4)
    assert got == "……甲甲甲甲某某 公司乙乙乙乙……"


def test_map_stays_right_when_a_drop_and_an_expansion_cancel_out() -> None:
    n = normalize("㈱ 甲")  # ㈱ becomes three characters, the space none: same length, not one for one
    assert n.text == "(株)甲"
    assert n.span(3, 4) == (2, 3) and n.span(0, 3) == (0, 1)


def test_normalizing_a_text_is_normalizing_each_character() -> None:
    """The text translated at once and its map built from runs equal the character-by-character
    result: every piece where its character was, dropped and expanded characters included."""
    import random

    alphabet = "浙江某某 科技\u3000有限公司\n\tABCabcＡＢＣ１２３㎡①ﬁ㈱\u200b\u00ad，。·臺灣國際 x-y"
    rng = random.Random(17)
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for keep_space in (False, True):
            for fold_case in (False, True):
                got = normalize(text, keep_space=keep_space, fold_case=fold_case)
                pieces = [normalize(ch, keep_space=keep_space, fold_case=fold_case).text for ch in text]
                assert got.text == "".join(pieces)
                assert got.index == tuple(i for i, piece in enumerate(pieces) for _ in piece)
