"""Writing files safely: an atomic write (a reader, or a killed run, only ever sees the old or
the new content) and the cache folder's stores (`$SCREENING_CACHE_DIR`, default
`~/.cache/screening`: OCR readings, figures, jieba's dictionary), which warn once per folder
when it cannot be written and go on without caching.
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TEMP_PREFIX = ".screening-"  # temporary files of an atomic write; left only by a killed process
_unwritable: set[Path] = set()


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that a reader (or a killed run) only ever sees the old or the new content."""
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with tmp.open("xb") as f:  # unlike mkstemp, the file gets the umask's usual permissions
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """The cache folder: `$SCREENING_CACHE_DIR`, default `~/.cache/screening` (read on every use:
    tests point it elsewhere)."""
    env = os.environ if environ is None else environ
    base = env.get("SCREENING_CACHE_DIR", "").strip()
    return Path(base) if base else Path.home() / ".cache" / "screening"


def store(path: Path, data: bytes, *, root: Path, cache: str, items: str) -> bool:
    """Write a cache entry atomically, its folders made as needed. A cache that cannot be written
    is warned about once per `root` ("OCR缓存无法写入（…），识别结果不缓存": `cache` and `items`
    name it) and the caller goes on; returns whether the entry was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as err:
        if root not in _unwritable:
            _unwritable.add(root)
            log.warning("%s缓存无法写入（%s：%s），%s不缓存", cache, root, err, items)
        return False
    return True


def pickled(path: Path, *, root: Path, cache: str, items: str, build: Callable[[], Any],
            valid: Callable[[Any], bool]) -> Any:
    """A value kept in the cache folder in pickle form: read from `path` when it is there and
    `valid` says so, else built, stored (`store`) and returned. The key in `path`'s name must
    say everything the value depends on; a damaged or foreign entry is built again."""
    try:
        value = pickle.loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception as err:  # damaged (pickle raises many kinds): built again
        log.debug("cache entry %s unreadable (%s), built again", path, err)
    else:
        if valid(value):
            return value
    value = build()
    store(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), root=root, cache=cache, items=items)
    return value
