"""The numbers that decide how a certificate is read — row grouping of OCR lines, when a short
label counts, the confidence of OCR fields — from lexicons/patent-reading.tsv (each commented
there), loaded once. A missing, unknown or non-numeric entry is a `ConfigError`, never a default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from screening import lexicons
from screening.errors import ConfigError
from screening.resources import data_dir

DATA = "patent-reading.tsv"


@dataclass(frozen=True, slots=True)
class Thresholds:
    row_tolerance: float  # lines share a row within this many line heights (centre to centre)
    label_lead: float  # a bare label this many line heights from a row's left edge comes first
    min_line_height: float  # the least height a line is given (box units)
    glued_label_chars: int  # a label glued to a Chinese character needs this many characters
    ocr_confidence: float  # an OCR field's confidence when its page has no score
    repaired_factor: float  # a field read through an OCR confusion: confidence × this


@cache
def thresholds() -> Thresholds:
    where = data_dir("lexicons") / DATA
    rows = dict(lexicons.table(DATA))
    names = [f.name for f in fields(Thresholds)]
    unknown = sorted(rows.keys() - set(names))
    missing = [n for n in names if n not in rows]
    wrong = ([f"unknown entries {', '.join(unknown)}"] if unknown else []) + \
        ([f"missing entries {', '.join(missing)}"] if missing else [])
    if wrong:
        raise ConfigError(f"{where}: {'; '.join(wrong)}")
    values: dict[str, float | int] = {}
    for f in fields(Thresholds):
        words = rows[f.name]
        try:
            if len(words) != 1:
                raise ValueError
            values[f.name] = int(words[0]) if f.type == "int" else float(words[0])
        except ValueError:
            raise ConfigError(f"{where}: {f.name} needs one {f.type} number, not '{' '.join(words)}'") from None
    return Thresholds(**values)  # type: ignore[arg-type]
