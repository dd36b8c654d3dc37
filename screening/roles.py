"""An attachment's role read from its opening text, for a file whose name says nothing.

application.json's `attachments` and the file name (`engine.infer_role`, lexicons/roles.tsv) come
first; only when both are silent does the engine ask `from_content` after parsing. The opening
text is the first `OPENING_PARAGRAPHS` paragraphs of the body and tables (tracked deletions,
hidden text and form fields left out: they are not what the reader sees as the title), then the
headers. Titles are compared after normalisation (`screening.text.norm`), so a title spaced out
as "经 费 预 算 表" still counts. The words are in lexicons/role-content.tsv.
"""

from __future__ import annotations

from functools import cache

from screening import lexicons
from screening.model import Document, Part, PartKind, Role
from screening.text import norm

LEXICON = "role-content.tsv"
OPENING_PARAGRAPHS = 5
_UNSEEN = frozenset({"deleted", "hidden", "form_field"})


def opening(doc: Document) -> list[Part]:
    """The paragraphs a reader sees first: the body's (and tables') first ones, then the headers."""
    seen = [p for p in doc.parts if p.origin not in _UNSEEN and p.text.strip()]
    body = [p for p in seen if p.kind in (PartKind.BODY, PartKind.TABLE)][:OPENING_PARAGRAPHS]
    return body + [p for p in seen if p.kind is PartKind.HEADER]


@cache
def _words() -> tuple[tuple[str, Role], ...]:
    return tuple((norm(word), Role(role)) for role, words in lexicons.table(LEXICON) for word in words)


def role_in(text: str) -> Role | None:
    """The role whose title word comes first in `text` (the longer word at the same place)."""
    normalized = norm(text)
    hits = [(at, -len(word), role) for word, role in _words() if (at := normalized.find(word)) >= 0]
    return min(hits, key=lambda hit: (hit[0], hit[1]))[2] if hits else None


def from_content(doc: Document) -> Role | None:
    """The role the document's opening text announces, or None."""
    for part in opening(doc):
        if (role := role_in(part.text)) is not None:
            return role
    return None
