"""What a cold command pays for (issue 17): importing a part of the package loads only that part,
heavy libraries load when used, and jieba's dictionary is read from the cache folder — the same
table jieba builds, whatever state the cache is in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = ("spacy", "pypinyin", "pdfplumber", "pdfminer", "onnxruntime", "openpyxl", "numpy", "jieba", "fastapi",
         "dask", "typer", "rich")


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    return set(json.loads(done.stdout))


def test_a_parser_module_loads_without_the_engine() -> None:
    loaded = _modules_after("import screening.parsers.docx")
    assert "screening.engine" not in loaded
    assert not {m for m in HEAVY if m in loaded}


def test_the_engine_loads_no_model_or_format_library_before_it_needs_one() -> None:
    loaded = _modules_after("import screening.engine")
    assert not {m for m in HEAVY if m in loaded}


def test_the_package_still_offers_its_api_names() -> None:
    loaded = _modules_after("from screening import screen_files, screen_project, Upload, __version__")
    assert "screening.engine" in loaded


_TABLE = """
import hashlib, json
from screening.identity import nlp
d = nlp.dictionary()
digest = hashlib.sha256(repr(sorted(d.FREQ.items())).encode()).hexdigest()
print(json.dumps({"total": d.total, "words": len(d.FREQ), "digest": digest, "initialized": d.initialized}))
"""


def _printed(code: str, cache: Path) -> str:
    """What `code` prints in a fresh process whose cache folder is `cache`."""
    env = {**os.environ, "SCREENING_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300, check=True).stdout


def _table(cache: Path) -> dict[str, object]:
    return dict(json.loads(_printed(_TABLE, cache)))


@pytest.mark.slow
def test_jieba_dictionary_from_the_cache_is_the_one_jieba_builds(tmp_path: Path) -> None:
    built = _table(tmp_path)  # no cache yet: jieba reads its dictionary, the table is stored
    stored = list((tmp_path / "jieba").glob("*.pickle"))
    assert len(stored) == 1
    assert _table(tmp_path) == built  # read from the cache
    stored[0].write_bytes(b"\x80\x05damaged")
    assert _table(tmp_path) == built  # a damaged entry: jieba reads its dictionary again
    assert stored[0].read_bytes() != b"\x80\x05damaged"  # and the entry is written anew
    assert built["initialized"] is True and int(str(built["words"])) > 100_000
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert _table(blocker) == built  # an unwritable cache folder: a warning, the same table


_GUIDE = """
import hashlib, json
from screening.classify import load_guide
t = load_guide().tokenizer
print(json.dumps({"total": t.total, "digest": hashlib.sha256(repr(sorted(t.FREQ.items())).encode()).hexdigest()}))
"""


@pytest.mark.slow
def test_the_guide_tokenizer_from_the_cache_is_the_one_jieba_builds(tmp_path: Path) -> None:
    built = _printed(_GUIDE, tmp_path)  # jieba works out every term's frequency; the changes are stored
    assert list((tmp_path / "jieba").glob("words-*.pickle"))
    assert _printed(_GUIDE, tmp_path) == built  # applied from the cache
    for entry in (tmp_path / "jieba").glob("words-*.pickle"):
        entry.write_bytes(b"damaged")
    assert _printed(_GUIDE, tmp_path) == built


_NGRAMS = """
import hashlib, json
from screening.classify import load_guide
table = load_guide().ngrams.table
print(hashlib.sha256(repr(sorted(table.items())).encode()).hexdigest())
"""


@pytest.mark.slow
def test_the_guide_ngram_model_from_the_cache_is_the_one_built(tmp_path: Path) -> None:
    built = _printed(_NGRAMS, tmp_path)
    entries = list((tmp_path / "guide").glob("ngrams-*.pickle"))
    assert len(entries) == 1
    assert _printed(_NGRAMS, tmp_path) == built  # read from the cache
    entries[0].write_bytes(b"\x80\x05N.")  # a foreign entry (None): built again
    assert _printed(_NGRAMS, tmp_path) == built


@pytest.mark.parametrize(("argv", "prestarts"), [
    (["batch", "in", "--out", "out"], True),
    (["batch", "in", "--out", "out", "--workers", "2"], True),
    (["batch", "in", "--out", "out", "--scheduler", "tcp://h:8786"], False),
    (["batch", "in", "--out", "out", "--scheduler=tcp://h:8786"], False),
    (["batch", "--help"], False),
    (["check", "a.docx"], False),
    (["project", "dir"], False),
    ([], False),
])
def test_only_a_local_batch_launches_its_fork_server_early(argv: list[str], prestarts: bool) -> None:
    from screening.launch import wants_batch_workers

    assert wants_batch_workers(argv) is prestarts


_PRESTART = """
import sys
sys.path.insert(0, sys.argv[1])
from screening.forkservers import prestart
prestart(["slow_preload"])
print("done", flush=True)
"""


def test_a_command_that_exits_stops_its_fork_server_still_warming_up(tmp_path: Path) -> None:
    """The fork server holds the command's stdout: one still importing its preload when the command
    exits (a batch with nothing to do) must not keep a reader of that stdout waiting."""
    (tmp_path / "slow_preload.py").write_text("import time\ntime.sleep(120)\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", _PRESTART, str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)  # a fork server left running holds stdout 120 s
    assert done.returncode == 0, done.stderr
    assert done.stdout == "done\n"


def test_the_batch_fork_server_warms_up_without_spacy_which_a_worker_loads_when_a_name_needs_it() -> None:
    loaded = _modules_after("import screening.batch.warm_workers")
    assert "jieba" in loaded and "screening.classify" in loaded  # warm …
    assert "spacy" not in loaded  # … but for the pipeline most projects never need
    assert "spacy" in _modules_after("from screening.warm import screen_sample\nscreen_sample()")


_EXIT = """
import atexit, sys
sys.path.insert(0, sys.argv[1])
from screening.launch import exit_now
atexit.register(lambda: print("exit handler ran"))
print("buffered output", end="")  # not flushed yet: exit_now flushes it
exit_now(eval(sys.argv[2]))
"""


@pytest.mark.parametrize(("code", "status", "stderr"), [("None", 0, ""), ("0", 0, ""), ("3", 3, ""),
                                                        ("'用法错误'", 1, "用法错误\n")])
def test_a_command_ends_as_sys_exit_would(code: str, status: int, stderr: str) -> None:
    """The command ends without tearing the interpreter down, but as `sys.exit(code)` ends it: its
    status, its output flushed, the exit handlers run (the fork server stopped, temporary folders
    removed), a message given as the code on stderr."""
    done = subprocess.run([sys.executable, "-c", _EXIT, str(ROOT), code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert (done.returncode, done.stderr) == (status, stderr)
    assert done.stdout == "buffered outputexit handler ran\n"


def test_the_command_reports_its_verdict_in_its_exit_status(tmp_path: Path) -> None:
    """The installed entry point (`python -m screening`, as `screening`) keeps the contract's exit
    status: a project that fails is 1, `--help` is 0."""
    from tests.conftest import BATCH

    failing = BATCH / "QZ2020-0001"
    done = subprocess.run([sys.executable, "-m", "screening", "check", str(failing / "可行性报告.docx"),
                           "--application", str(failing / "application.json")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and "不通过" in done.stdout, done.stderr
    assert subprocess.run([sys.executable, "-m", "screening", "--help"], capture_output=True, cwd=ROOT,
                          timeout=60).returncode == 0
