"""The two small vocabularies every patents module shares: the kind of a patent and the outcome
of a rule (shared/spec/patents.md §1, §8)."""

from __future__ import annotations

from enum import StrEnum


class PatentType(StrEnum):
    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"


TYPE_WORD = {PatentType.INVENTION: "发明", PatentType.UTILITY_MODEL: "实用新型", PatentType.DESIGN: "外观设计"}


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    REVIEW = "REVIEW"
    SKIPPED = "SKIPPED"  # the data the rule needs was not given: reported, not counted
