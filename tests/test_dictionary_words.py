"""`nlp.dictionary_words` gives the words jieba's own `cut(text, HMM=False)` gives: the guide's
ranking segments every title with it, so any difference would move a ranking."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from screening import classify
from screening.identity import nlp

ROOT = Path(__file__).resolve().parent.parent


def _titles() -> list[str]:
    out = []
    for path in sorted((ROOT / "lexicons" / "guide-titles").glob("*.jsonl")):
        out += [json.loads(line)["title"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


@pytest.fixture(scope="module")
def guide_tokenizer() -> object:
    return classify.load_guide(classify.DEFAULT_LEXICON).tokenizer


def test_the_same_words_as_jieba_on_real_titles(guide_tokenizer: object) -> None:
    titles = _titles()
    assert len(titles) > 3000
    for title in [*titles, *map(classify.normalize, titles)]:
        assert nlp.dictionary_words(guide_tokenizer, title) == list(guide_tokenizer.cut(title, HMM=False)), title  # type: ignore[attr-defined]


def test_the_same_words_as_jieba_on_mixed_text(guide_tokenizer: object) -> None:
    """Latin letters and digits one by one (joined as jieba joins them), spaces, line ends, the
    punctuation jieba keeps inside a run (. - _ % # & +) and outside it, and the empty text."""
    chars = "衢州市新材料有限公司研发王建国氟硅纸的了abcXYZ0123456789 .-_%#&+，。（）\r\n\t"
    rnd = random.Random(2026)
    texts = ["", " ", "\r\n", "a", "5G", "PM2.5", "GB/T 4754-2017", "锂电池-正极", "X射线", "100%", "氟"]
    texts += ["".join(rnd.choice(chars) for _ in range(rnd.randint(1, 30))) for _ in range(3000)]
    default = nlp.dictionary()
    for text in texts:
        for tokenizer in (guide_tokenizer, default):
            assert nlp.dictionary_words(tokenizer, text) == list(tokenizer.cut(text, HMM=False)), repr(text)  # type: ignore[attr-defined]


def test_a_word_added_to_the_dictionary_is_one_word() -> None:
    tokenizer = nlp.copy_tokenizer(nlp.dictionary(), ["衢晟氟硅"])
    assert "衢晟氟硅" in nlp.dictionary_words(tokenizer, "衢晟氟硅材料研发")
    assert nlp.dictionary_words(tokenizer, "衢晟氟硅材料研发") == list(tokenizer.cut("衢晟氟硅材料研发", HMM=False))
