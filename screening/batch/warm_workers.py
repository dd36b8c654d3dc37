"""Imported by the fork server of a batch's local pool (`pool._Pool`): it loads what every worker
needs once (`screening.warm.screen_sample`), so each worker forked from it starts warm — the models
are loaded once per batch, not once per worker. Nothing here starts a thread (a fork server must
fork a process without any): OCR's engine, which does, loads in the worker on its first scan.
Python's cycle collector is paused while it loads and what it loaded is frozen
(`screening.longlived`): 0.2–0.4 s less on every batch's critical path.

The sample names nobody (`PLAIN_TEXT`), so spaCy's pipeline is not loaded here but by a worker when
it first finds a name whose word boundaries it must check (~0.9 s, once per worker that needs it):
the warm-up is on every batch's critical path (1.1 s instead of 1.85 s), and most projects never
need the pipeline (a 40-project batch of clean text: 3.5–3.9 s instead of 4.2–4.4 s with one
worker, 2.5–2.8 s instead of 3.3 s with two; the sample batch, where most workers need it: the same).
"""

from __future__ import annotations

from screening.longlived import loading

with loading():
    from screening.warm import PLAIN_TEXT, screen_sample

    screen_sample(PLAIN_TEXT)
