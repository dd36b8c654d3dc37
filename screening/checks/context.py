"""What every check sees: the project, its call, its parsed attachments and known identities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from screening.application import Application
from screening.calls import Call
from screening.deadline import Deadline
from screening.identity.targets import Target
from screening.model import Document

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Context:
    call: Call
    application: Application | None
    documents: tuple[Document, ...]
    targets: tuple[Target, ...]
    memo: dict[str, Any] = field(default_factory=dict)  # shared results (a certificate read, a budget table)
    deadline: Deadline = field(default_factory=Deadline)  # checks call deadline.check() between parts of work
    # a whole project (`project`, `batch`, the hook): its required attachments are checked; loose
    # files (`check`) are not a project, and what is not among them is not "missing"
    whole_project: bool = True

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a shared result once per project, whichever check or report block asks first."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]
