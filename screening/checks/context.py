"""What every check sees: the project, its call, its parsed attachments and known identities."""

from __future__ import annotations

from dataclasses import dataclass

from screening.application import Application, Target
from screening.calls import Call
from screening.model import Document


@dataclass(frozen=True, slots=True)
class Context:
    call: Call
    application: Application | None
    documents: tuple[Document, ...]
    targets: tuple[Target, ...]
