"""Imported by the fork server of a batch's local pool (`pool._Pool`): it loads what every worker
needs once (`screening.warm.screen_sample`), so each worker forked from it starts warm — the models
are loaded once per batch, not once per worker. Nothing here starts a thread (a fork server must
fork a process without any): OCR's engine, which does, loads in the worker on its first scan.
"""

from __future__ import annotations

from screening.warm import screen_sample

screen_sample()
