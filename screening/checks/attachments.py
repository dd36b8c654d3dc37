"""`document.missing`: a required attachment of the project's category is absent.

The required roles are the call's `categories.<id>.required_attachments`. A document's role comes
from application.json's `attachments`, else from its file name, else from its opening text (see
`engine.parse_upload`; the report's `documents[].role_source` says which); a claimed role whose
opening text announces another counts as that other (`roles.effective`; `document.role` says so). A file that is present
but unreadable is not missing: its `document.*` finding says what is wrong with it.

The patent certificate is not reported here: its absence is the contract's own rule
`patent.missing`, raised by the patent check, and one absence makes one finding.

When the category is unknown or not given (reported by `eligibility.*`), the roles every category
of the call requires are still checked. Loose files (`screening check`, with or without
application.json) are no project: completeness is judged on a project (`project`, `batch`, the
hook), so nothing is required of them.

The finding is about the project, not a file, so it has no file and no location; when
application.json lists a file for the missing role, the message names it (listed, not uploaded).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from screening import roles
from screening.checks.context import Context
from screening.model import Finding, Role

REPORTED_ELSEWHERE = frozenset({Role.PATENT_CERTIFICATE})  # patent.missing (checks/patent.py)

ROLE_NAMES = {
    Role.FEASIBILITY_REPORT: "项目可行性报告",
    Role.BUDGET: "经费预算列表及说明",
    Role.PATENT_CERTIFICATE: "发明专利授权证书",
    Role.COMMITMENT: "承诺书",
    Role.OTHER: "其他附件",
}


def required(ctx: Context) -> tuple[Role, ...]:
    """The roles the project must attach: its category's, or those every category requires."""
    app = ctx.application
    if app is None or not ctx.whole_project:
        return ()
    cid = ctx.call.category_id(app.category)
    if cid is not None:
        roles = ctx.call.categories[cid].required_attachments
    else:
        sets = [set(c.required_attachments) for c in ctx.call.categories.values()]
        common = set.intersection(*sets) if sets else set()
        roles = tuple(r for r in Role if r in common)
    return tuple(r for r in roles if r not in REPORTED_ELSEWHERE)


def check(ctx: Context) -> Iterator[Finding]:
    present = {roles.effective(doc) for doc in ctx.documents}  # a role its content contradicts does not count
    uploaded = {doc.file for doc in ctx.documents}
    listed = ctx.application.attachments if ctx.application else ()
    for role in required(ctx):
        if role in present:
            continue
        named = [Path(a.file).name for a in listed if a.role is role and Path(a.file).name not in uploaded]
        note = f"（application.json列出的“{'、'.join(named)}”未上传）" if named else ""
        yield Finding(
            rule="document.missing",
            severity=ctx.call.severity("document.missing"),
            message=f"缺少必需附件：{ROLE_NAMES[role]}{note}",
        )
