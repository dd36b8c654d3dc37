"""An attachment's role: claimed by application.json or the file name, verified by the content.

application.json's `attachments` and the file name (`from_name`, lexicons/roles.tsv) only claim a
role (`claimed`): an applicant writes both, and a role lowers severities (identities on a patent
certificate are `info`) and satisfies the call's required attachments. After parsing, the engine
asks the opening text (`from_content`): when nothing claims a role it is the role (`settle`,
role_source "content"); when it announces another role than the claimed one, the claim is
`contradicted`, the finding `document.role` says so (checks/document.py) and the rules count the
file as what its content says (`effective`). A claimed patent certificate is believed only when
its fields read as one (checks/patent.py `is_certificate`). The opening
text is the first `OPENING_PARAGRAPHS` paragraphs of the body and tables (tracked deletions,
hidden text and form fields left out: they are not what the reader sees as the title), then the
headers. Titles are compared after normalisation (`screening.text.norm`), so a title spaced out
as "经 费 预 算 表" still counts. The words are in lexicons/role-content.tsv.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import PureWindowsPath

from screening import lexicons
from screening.application import Application
from screening.model import Document, Part, PartKind, Role
from screening.text import norm

LEXICON = "role-content.tsv"
NAME_LEXICON = "roles.tsv"
CLAIMS = ("application", "filename")  # the role_source of a claimed role
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


def from_name(file_name: str) -> Role | None:
    """The role a file name claims (lexicons/roles.tsv), or None: the longest keyword in the name
    wins (专利技术可行性报告 is a report: 可行性 is longer than 专利), at equal length the earlier row."""
    lowered = file_name.lower()
    hits = [(-len(word), row, Role(role)) for row, (role, words) in enumerate(lexicons.table(NAME_LEXICON))
            for word in words if word.lower() in lowered]
    return min(hits, key=lambda hit: hit[:2])[2] if hits else None


def claimed(application: Application | None, file_name: str) -> tuple[Role, str]:
    """The role claimed for a file and who claims it: ("application" | "filename"), else
    (other, "inferred"). The one place a role is inferred before parsing: the engine, a crashed
    parse (`engine.crashed_document`) and a failed isolated one (`isolation.failed_document`) all
    ask here. Only the last component of `file_name` counts, either separator (the name the parsers
    give the Document)."""
    name = PureWindowsPath(file_name).name
    if application is not None and (given := application.role_of(name)) is not None:
        return given, "application"
    if (named := from_name(name)) is not None:
        return named, "filename"
    return Role.OTHER, "inferred"


def settle(doc: Document) -> Document:
    """The document with the role its opening text announces when neither application.json nor the
    file name claims one (role_source "content")."""
    if doc.role_source != "inferred" or (read := from_content(doc)) is None:
        return doc
    return replace(doc, role=read, role_source="content")


def contradicted(doc: Document) -> Role | None:
    """The role the opening text announces when it contradicts the claimed one, else None
    (application.json saying "other" claims nothing)."""
    if doc.role_source not in CLAIMS or doc.role is Role.OTHER:
        return None
    read = from_content(doc)
    return read if read is not None and read is not doc.role else None


def effective(doc: Document) -> Role:
    """The role a document counts as for the call's rules: the claim, unless the content says
    otherwise (a file named …report whose title is 承诺书 is no feasibility report)."""
    return contradicted(doc) or doc.role
