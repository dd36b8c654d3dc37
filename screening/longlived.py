"""Loading what a process keeps for its whole life — modules, jieba's dictionary (half a million
words), the pinyin tables, the guide — without Python's cycle collector running over it meanwhile.

The collector runs whenever allocations outnumber deallocations by a threshold, and each full run
walks every object that may hold others: while a table of 500,000 entries is being built it runs
again and again over what is already there (a batch's fork server took 0.94–1.18 s to warm up
with it, 0.71 s without). `loading()` pauses it for the load and then freezes everything the
process holds (`gc.freeze`): those objects are never walked again, here or in a process forked
from this one (whose pages they share: a walk would write to them and copy them). What the load
left as garbage in cycles stays until the process ends: a few thousand small objects (1,082 after
a fork server's warm-up), which a collection of everything would free at a cost of 0.13 s.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """The collector paused while the block runs; then what the process holds is frozen, and the
    collector runs again if it ran before (nested blocks: the outermost decides; blocks in two
    threads at once: the one that found it running starts it again when it ends)."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.freeze()
            gc.enable()
