"""What a process keeps for its whole life is loaded with the cycle collector paused and is then
frozen (`screening.longlived`): the collector runs again afterwards, and a worker forked from the
batch's fork server starts with the warm tables out of the collector's walks."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest

from screening.longlived import loading
from tests.conftest import ROOT


def test_the_collector_is_paused_while_loading_and_runs_again_after() -> None:
    assert gc.isenabled()
    before = gc.get_freeze_count()
    with loading():
        assert not gc.isenabled()
        kept = [[n] for n in range(1000)]  # containers the collector would track
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(kept)


def test_an_inner_block_leaves_the_collector_to_the_outer_one() -> None:
    with loading():
        with loading():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failed_load_still_lets_the_collector_run_again() -> None:
    with pytest.raises(ValueError), loading():
        raise ValueError("damaged table")
    assert gc.isenabled()


def test_a_block_run_without_the_collector_does_not_start_it() -> None:
    gc.disable()
    try:
        with loading():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_warm_tables_of_a_batch_are_frozen_and_the_collector_runs() -> None:
    code = ("import gc, json\nimport screening.batch.warm_workers\n"
            "from screening.identity import nlp\n"
            "print(json.dumps([gc.isenabled(), gc.get_freeze_count(), len(nlp.dictionary().FREQ)]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    enabled, frozen, words = json.loads(done.stdout)
    assert enabled
    assert words > 100_000
    assert frozen > 100_000  # jieba's dictionary, the pinyin tables and the guide among them
