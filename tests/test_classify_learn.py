"""Learning from the bureau's corrections (`screening classify --learn`), the local overlay it
writes, the character n-grams behind the lexicon, and the text reports saying when no domain fits
(issue 18)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from screening.classify import classify_text, lexicon_path
from screening.learn import learn
from screening.warm import tiny_docx
from tests.conftest import Result

Cli = Callable[..., Result]
TITLE = "羰基硫研发"  # 1.3 (an electronic special gas); the shipped lexicon does not know 羰基


def corrections(tmp_path: Path, *rows: tuple[str, str], name: str = "corrections.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps({"title": t, "code": c}, ensure_ascii=False) + "\n" for t, c in rows),
                    encoding="utf-8")
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_learning_writes_the_overlay_and_the_next_run_uses_it(cli: Cli, tmp_path: Path) -> None:
    overlay = tmp_path / "guide.local.yaml"
    shipped = sha(lexicon_path("guide-2020.yaml"))
    before = classify_text("高纯羰基硫", overlay=overlay)
    assert not before.domains or before.domains[0].code != "1.3" or before.none_fits or not before.domains[0].corrections

    done = cli("classify", "--learn", corrections(tmp_path, (TITLE, "1.3")), "--overlay", overlay)
    assert done.code == 0, done.err
    assert "已学习" in done.out and str(overlay) in done.out
    assert overlay.is_file() and "羰基" in overlay.read_text(encoding="utf-8")
    assert sha(lexicon_path("guide-2020.yaml")) == shipped  # the shipped lexicon is never edited

    again = cli("classify", "--text", TITLE, "--overlay", overlay, "--format", "json").json()
    assert again["none_fits"] is False
    assert again["domains"][0]["code"] == "1.3"
    assert again["domains"][0]["corrections"], "the report says a correction decided"
    text = cli("classify", "--text", TITLE, "--overlay", overlay).out
    assert "据本地更正" in text

    # a word learned from one title helps another title that uses it
    other = classify_text("羰基硫纯化装置", overlay=overlay)
    assert other.domains[0].code == "1.3" and other.domains[0].corrections


def test_learning_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    overlay = tmp_path / "o.yaml"
    rows = [(TITLE, "1.3")]
    first = learn(rows, overlay=overlay)
    written = overlay.read_bytes()
    second = learn(rows, overlay=overlay)
    assert first.count("learned") == 1 and second.count("already") == 1
    assert overlay.read_bytes() == written


def test_the_overlay_is_read_from_the_environment(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = tmp_path / "env.local.yaml"
    monkeypatch.setenv("SCREENING_GUIDE_OVERLAY", str(overlay))
    assert cli("classify", "--learn", corrections(tmp_path, (TITLE, "1.3"))).code == 0
    assert overlay.is_file()
    assert cli("classify", "--text", TITLE, "--format", "json").json()["domains"][0]["code"] == "1.3"


def test_a_bad_corrections_file_learns_nothing(cli: Cli, tmp_path: Path) -> None:
    overlay = tmp_path / "o.yaml"
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"title": TITLE, "code": "1.3"}) + "\nnot json\n" + json.dumps({"title": "x"}) + "\n",
                    encoding="utf-8")
    done = cli("classify", "--learn", path, "--overlay", overlay)
    assert done.code == 2
    assert "第2行" in done.err and "第3行" in done.err and "未学习任何内容" in done.err
    assert "Traceback" not in done.err
    assert not overlay.exists()


def test_an_unknown_code_is_refused(cli: Cli, tmp_path: Path) -> None:
    overlay = tmp_path / "o.yaml"
    done = cli("classify", "--learn", corrections(tmp_path, (TITLE, "7.1")), "--overlay", overlay)
    assert done.code == 2 and "7.1" in done.err and not overlay.exists()


def test_an_overlay_that_cannot_be_written_says_so(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = cli("classify", "--learn", corrections(tmp_path, (TITLE, "1.3")), "--overlay", blocker / "o.yaml")
    assert done.code == 2 and "无法写入本地更正" in done.err and "SCREENING_GUIDE_OVERLAY" in done.err


def test_a_damaged_overlay_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    overlay = tmp_path / "o.yaml"
    overlay.write_text("lexicon: guide-2020.yaml\ncorrections:\n- title: x\n  code: '9.9'\n  terms: {词语: 1}\n",
                       encoding="utf-8")
    done = cli("classify", "--text", TITLE, "--overlay", overlay)
    assert done.code == 2 and str(overlay) in done.err and "9.9" in done.err


def test_a_title_of_unlisted_words_is_explained_by_its_characters() -> None:
    # the lexicon does not list 羰基硫; its head's last character still votes, and says so
    ranking = classify_text(TITLE, top=3)
    assert ranking.domains
    assert any(t.startswith("「") and t.endswith("」") for d in ranking.domains for t in d.terms)


def test_the_text_report_says_when_no_domain_fits(cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "可行性报告.docx"
    report.write_bytes(tiny_docx("关于做好年度工作总结的通知"))
    done = cli("check", report)
    assert "指南领域：没有合适的领域" in done.out
    fitting = tmp_path / "b" / "可行性报告.docx"
    fitting.parent.mkdir()
    fitting.write_bytes(tiny_docx("高纯电子级氢氟酸提纯关键技术研究"))
    done = cli("check", fitting)
    assert "指南领域：1.3 电子化学品" in done.out


def test_ngram_votes_favour_the_domain_a_character_pair_belongs_to() -> None:
    from screening.guide_ngrams import build, piece_features

    terms = {"特种纸": [(0, 3.0)], "瓦楞纸": [(0, 2.0)], "轴承钢": [(1, 3.0)], "滚动轴承": [(1, 3.0)]}
    titles = [(piece_features(["高强瓦楞纸板"], "板"), 0, 1.0), (piece_features(["精密轴承"], "承"), 1, 1.0)]
    model = build(2, terms, titles, alpha=0.5, shrink=1.0, min_mass=1.0, title_weight=1.0)
    votes = model.votes(["新型轴承"], "")
    assert set(votes) == {1} and "轴承" in votes[1]  # only the bearing domain hears 轴承
    head = model.votes([], "纸")
    assert set(head) == {0} and "…纸" in head[0]  # a title ending in 纸 leans to paper
    assert model.votes(["完全无关"], "") == {}


def test_ngram_evidence_is_capped_and_explained() -> None:
    from screening.classify import load_guide

    guide = load_guide()
    assert guide.ngrams is not None and guide.ngram_spec is not None
    ranking = classify_text("丛生竹种茎秆水分利用特征研究", top=24)  # no term for 竹, 茎秆
    for d in ranking.domains:
        shown = [t for t in d.terms if t.startswith("「")]
        assert all(t.endswith("」") for t in shown)
    cap = guide.ngram_spec.cap
    assert all(d.score <= 1 - math.exp(-cap / guide.scoring.scale) + 1e-9 for d in ranking.domains
               if all(t.startswith("「") for t in d.terms))


def test_two_clerks_learning_at_once_lose_nothing(tmp_path: Path) -> None:
    import threading

    overlay = tmp_path / "o.yaml"
    files = [[(TITLE, "1.3")], [("丛生竹种茎秆水分利用特征研究", "6.4")]]
    threads = [threading.Thread(target=learn, args=(rows,), kwargs={"overlay": overlay}) for rows in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    text = overlay.read_text(encoding="utf-8")
    assert TITLE in text and "丛生竹种茎秆水分利用特征研究" in text
