"""The evidence for an identity hit, and the decision it supports.

Every hit of a known name (full name, declared alias, derived short form, pinyin, a member's
name) collects evidence: what kind of variant matched, whether it is an ordinary word or phrase,
whether it sits inside a longer word or a longer name, organisational or personal context on
either side, the section (参考文献), a label position. Each piece has a weight in the call file
(`identity.evidence.weights`); the sum decides fail / warn / nothing against
`identity.evidence.fail_at` / `warn_at`. Findings carry the pieces as short Chinese phrases so a
clerk sees why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from screening.calls import EvidenceRules
from screening.model import Severity


@dataclass(slots=True)
class Evidence:
    rules: EvidenceRules
    items: list[tuple[str, float]] = field(default_factory=list)

    def add(self, key: str, phrase: str) -> Evidence:
        """Add the piece `key` (a weight name of the call file) shown as `phrase`."""
        self.items.append((phrase, getattr(self.rules.weights, key)))
        return self

    def has(self, phrase_start: str) -> bool:
        return any(p.startswith(phrase_start) for p, _ in self.items)

    @property
    def score(self) -> float:
        return sum(w for _, w in self.items)

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.items)

    def decide(self, unsure: Severity) -> Severity | None:
        """fail at or above fail_at, the call's unsure severity at or above warn_at, else nothing."""
        if self.score >= self.rules.fail_at:
            return Severity.FAIL
        if self.score >= self.rules.warn_at:
            return unsure
        return None

    def confidence(self) -> float:
        """The score shown in the report, 0..1."""
        return round(max(0.0, min(1.0, self.score)), 3)
