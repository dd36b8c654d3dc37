"""The guide's linear title model (issue 18): the stored model is what training makes, its
arithmetic is the training library's, it places titles no lexicon term names and says by which
n-grams, and a damaged or foreign model file is refused with a message for people."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from screening import classify, guide_linear
from screening.errors import ConfigError
from screening.guide_ngrams import labelled_titles
from tests.conftest import ROOT, Result


def test_the_stored_model_is_what_training_on_the_lexicon_and_the_titles_makes() -> None:
    path, text = classify.linear_training()
    assert guide_linear.same_model(json.loads(path.read_text(encoding="utf-8")), json.loads(text)), (
        "lexicons/guide-titles/linear.json is out of date: run python -m screening.guide_linear")
    assert guide_linear.main(["--check"]) == 0


def test_the_same_model_trained_on_another_machine() -> None:
    """What training elsewhere changes (seen between two CPUs: a weight 1.2e-3 apart, one of -0.2002
    kept beside a prune of 0.2 on one machine only) is the same model; a changed weight, n-gram,
    idf or bias is not."""
    stored = {"prune": 0.2, "keep": 3, "bias": [0.5, -0.1],
              "ngrams": {"拉": [7.3387, 1, -0.2025, 4, 1.0481], "塔": [6.1, 2, -0.2199]}}

    def changed(**edits: object) -> dict[str, object]:
        return json.loads(json.dumps(stored)) | edits

    other = changed(ngrams={"拉": [7.3387, 1, -0.2025, 4, 1.0481, 14, -0.2002], "塔": [6.1, 2, -0.2187]})
    assert guide_linear.same_model(stored, other) and guide_linear.same_model(other, stored)
    for edit in ({"ngrams": {"拉": [7.3387, 1, -0.2025, 4, 1.0481, 14, -0.35], "塔": [6.1, 2, -0.2199]}},
                 {"ngrams": {"拉": [7.3387, 1, -0.2025, 4, 1.1], "塔": [6.1, 2, -0.2199]}},
                 {"ngrams": {"拉": [7.3387, 1, -0.2025, 4, 1.0481]}},
                 {"ngrams": {"拉": [7.5, 1, -0.2025, 4, 1.0481], "塔": [6.1, 2, -0.2199]}},
                 {"bias": [0.5, -0.2]}):
        assert not guide_linear.same_model(stored, changed(**edit)), edit


def test_the_decisions_are_the_training_librarys(tmp_path: Path) -> None:
    """Trained without pruning, the stored model decides as scikit-learn's classifier does."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    docs = [("氟橡胶密封件", "1.1"), ("含氟聚合物", "1.1"), ("有机硅单体", "1.2"), ("硅橡胶制品", "1.2"),
            ("特种纸基材料", "1.4"), ("纸浆模塑", "1.4"), ("风电机组整机", "none"), ("硅橡胶 硅橡胶", "1.2")]
    codes = ["1.1", "1.2", "1.3", "1.4"]
    stored = guide_linear.train(docs, codes, c=1.0, ngram=(1, 3), min_df=1, prune=0.0, keep=len(codes))
    (tmp_path / "m.json").write_text(guide_linear.dumps(stored), encoding="utf-8")
    model = guide_linear.load(tmp_path / "m.json", codes)
    assert model.bias[codes.index("1.3")] < -100  # no example: never raised
    vectorizer = TfidfVectorizer(analyzer=lambda t: guide_linear.features(t, 1, 3), sublinear_tf=True)
    reference = LinearSVC(C=1.0, random_state=0, max_iter=20000).fit(
        vectorizer.fit_transform([t for t, _ in docs]), [c for _, c in docs])
    titles = ["含氟密封材料", "硅橡胶", "纸纸纸基", "完全无关的标题", "氟硅"]
    expected = reference.decision_function(vectorizer.transform(titles))
    classes = [str(c) for c in reference.classes_]
    for title, row in zip(titles, expected, strict=True):
        got, _ = model.decisions(title)
        for code in ("1.1", "1.2", "1.4"):
            assert got[codes.index(code)] == pytest.approx(row[classes.index(code)], abs=2e-3), (title, code)


@pytest.mark.parametrize(("title", "code", "ngram"), [
    ("鱼类转基因技术研究", "6.2", "『鱼』"),  # 转基因 alone points at biopharma
    ("丛生竹种不同年龄茎秆的水分利用特征研究", "6.4", "『竹』"),
])
def test_a_title_no_term_places_is_placed_by_its_characters_and_says_which(title: str, code: str,
                                                                            ngram: str) -> None:
    guide = classify.load_lexicon()
    ranking = classify.rank(guide, title)
    assert ranking.domains[0].code == code  # first, if weakly (its score may still be under none_below)
    assert ngram in ranking.domains[0].terms
    without = classify.rank(replace(guide, linear=None), title)
    assert not without.domains or without.domains[0].code != code or without.none_fits


@pytest.mark.parametrize("title", ["高档皮鞋手工缝制工艺传承研究", "商业银行小微企业信贷风险管理研究"])
def test_a_title_fitting_no_domain_still_fits_none_with_the_model(title: str) -> None:
    guide = classify.load_lexicon()
    assert guide.linear is not None
    assert classify.rank(guide, title).none_fits


def _stored(tmp_path: Path, change: dict[str, object]) -> Path:
    path = classify.lexicon_path(classify.DEFAULT_LEXICON).parent / "guide-titles" / "linear.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(change)
    out = tmp_path / "linear.json"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.mark.parametrize(("change", "message"), [
    ({"format": 99}, "格式"),
    ({"codes": ["1.1"]}, "领域与指南词表不一致"),
    ({"ngrams": {"纸": "x"}}, "已损坏"),
    ({"bias": [0.0]}, "领域行数不符"),
    ({"ngrams": {"纸": [1.0, 99, 0.5]}}, "领域行数不符"),
    ({"ngrams": {"纸": [1.0, 2.0, 0.5]}}, "领域行数不符"),  # a row that is no whole number
    ({"ngrams": {"纸": [1.0, 2, 0.5, 3]}}, "已损坏"),  # a row without its weight
])
def test_a_foreign_or_damaged_model_is_refused_with_what_to_do(tmp_path: Path, change: dict[str, object],
                                                              message: str) -> None:
    codes = [d.code for d in classify.load_lexicon().domains]
    with pytest.raises(ConfigError, match=message) as refused:
        guide_linear.load(_stored(tmp_path, change), codes)
    assert "python -m screening.guide_linear" in str(refused.value)


def test_an_unreadable_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "linear.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="无法读取标题线性模型（不是有效的JSON）"):
        guide_linear.load(tmp_path / "linear.json", ["1.1"])
    with pytest.raises(ConfigError, match="无法读取标题线性模型"):
        guide_linear.load(tmp_path / "missing.json", ["1.1"])


def test_the_text_output_says_what_the_marks_mean(cli: Callable[..., Result]) -> None:
    result = cli("classify", "--text", "鱼类转基因技术研究")
    assert result.code == 0, result.err
    assert "『鱼』" in result.out and "注：『』为从真实项目名称学得的字词" in result.out


@pytest.mark.parametrize("title", ["航空航天等重大装备用高性能特种钢及合金研发与配套能力提升",  # special steel
                                   "北方砂岩型铀能源矿产基地深部探测技术示范"])  # uranium exploration
def test_a_title_like_those_fitting_no_domain_fits_none_by_the_model_and_says_so(title: str) -> None:
    guide = classify.load_lexicon()
    ranking = classify.rank(guide, title)
    assert ranking.none_fits and ranking.none_why == "model"
    assert ranking.domains and ranking.domains[0].score >= guide.scoring.none_below  # a term alone would fit
    assert all(entry["none_why"] == "model" for entry in ranking.to_json())
    assert guide.linear_spec is not None
    without_rule = replace(guide, linear_spec=guide.linear_spec.model_copy(update={"none_margin": None}))
    assert not classify.rank(without_rule, title).none_fits
    from screening.report import domain_line

    assert "没有合适的领域（题目与不属于指南各领域的真实项目名称更相近）" in domain_line(ranking.to_json())


def test_many_real_titles_fitting_no_domain_are_told_so_by_the_model_where_their_terms_would_fit() -> None:
    """Of the labelled real titles no domain covers, the model tells a good share that none fits
    although a term of the lexicon alone would (the examples above are two of them)."""
    guide = classify.load_lexicon()
    titles = [t for t, label in _labelled() if label == "none"]
    told = [t for t in titles if (r := classify.rank(guide, t)).none_why == "model" and r.domains
            and r.domains[0].score >= guide.scoring.none_below]
    assert len(titles) > 800 and len(told) >= 100


def _labelled() -> list[tuple[str, str]]:
    """(title, label) of every labelled title the lexicon's linear model learns from."""
    guide = classify.load_lexicon()
    assert guide.linear_spec is not None
    return [(title, label) for name in guide.linear_spec.titles
            for title, label, _ in labelled_titles(guide.path.parent / name)]


def test_a_title_fitting_a_domain_carries_no_reason_for_none() -> None:
    ranking = classify.rank(classify.load_lexicon(), "鱼类转基因技术研究")
    assert not ranking.none_fits and ranking.none_why == ""
    assert all("none_why" not in entry for entry in ranking.to_json())


def test_the_text_output_says_why_none_fits(cli: Callable[..., Result]) -> None:
    result = cli("classify", "--text", "航空航天等重大装备用高性能特种钢及合金研发与配套能力提升")
    assert result.code == 0, result.err
    assert "结论：没有合适的指南领域" in result.out and "题目与不属于指南各领域的真实项目名称更相近" in result.out


def test_the_json_outputs_say_why_none_fits(cli: Callable[..., Result], tmp_path: Path) -> None:
    title = "航空航天等重大装备用高性能特种钢及合金研发与配套能力提升"
    one = json.loads(cli("classify", "--text", title, "--format", "json").out)
    assert one["none_fits"] is True and one["none_why"] == "model"
    lines = tmp_path / "titles.jsonl"
    lines.write_text(json.dumps({"id": "a", "text": title}, ensure_ascii=False) + "\n"
                     + json.dumps({"id": "b", "text": "鱼类转基因技术研究"}, ensure_ascii=False) + "\n", encoding="utf-8")
    got = [json.loads(line) for line in cli("classify", "--jsonl", str(lines)).out.splitlines()]
    assert got[0]["none_why"] == "model" and "none_why" not in got[1] and got[1]["none_fits"] is False


def test_no_title_the_ranking_is_measured_on_is_a_training_title() -> None:
    """The frozen, dev and dev2 sets (benchmarks/domains) and the titles the model and the n-grams
    learn from share no title (compared without spaces, NFKC, lower case): a measurement on a title
    the model was trained on would say nothing; and no two of those sets share one (a title tuned
    on in dev would not be unseen in the frozen set)."""
    import unicodedata

    def key(title: str) -> str:
        return "".join(unicodedata.normalize("NFKC", title).split()).lower()

    trained = {key(title) for title, _ in _labelled()}
    sets = ROOT / "benchmarks" / "domains"
    measured: dict[str, set[str]] = {}
    for name in ("frozen", "dev", "dev2"):
        titles = [title for title, _, _ in labelled_titles(sets / name / "titles.jsonl")]
        assert len(titles) > 300
        assert not [title for title in titles if key(title) in trained], name
        measured[name] = {key(title) for title in titles}
    assert not measured["frozen"] & measured["dev"]
    assert not measured["frozen"] & measured["dev2"]
    assert not measured["dev"] & measured["dev2"]
