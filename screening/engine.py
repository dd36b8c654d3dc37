"""One path for everything: loose files, a project folder, the HTTP hook and the batch all end in
`screen()`: parse every attachment → run the registered checks → a `Report`.

What the applicant controls is not trusted with a verdict (issue 12): the call comes from the
operator (`call`, which may be a path) or by plain name from the installed calls in pipelines/,
never as a path from application.json; a role claimed by application.json or a file name is
checked against the content (`roles.settle`, checks/document.py `document.role`); and an
unexpected error in one attachment — while parsing it or checking it — becomes that attachment's
`document.unreadable` finding while every other attachment is still screened.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from screening import roles
from screening.application import Application, load_application, plain_call_name
from screening.calls import DEFAULT_CALL, load_call
from screening.checks import INTERNAL_ERROR, Context, evaluate
from screening.checks.budget import TABLES
from screening.checks.document import problem_findings
from screening.deadline import Deadline, OverTime
from screening.errors import ApplicationError, ScreeningError, UsageError
from screening.model import Document, Finding, Problem, Report, Role
from screening.parsers import parse_bytes, parse_file
from screening.targets import identities

log = logging.getLogger(__name__)

APPLICATION_FILE = "application.json"


@dataclass(frozen=True, slots=True)
class Upload:
    """An attachment, on disk (`path`) or in memory (`data`, as the HTTP hook receives it)."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


def infer_role(file_name: str) -> Role | None:
    """The role a file name claims (lexicons/roles.tsv), or None (see `roles.from_name`)."""
    return roles.from_name(file_name)


def parse_upload(upload: Upload, app: Application | None) -> Document:
    role, source = roles.claimed(app, upload.name)
    if upload.data is not None:
        doc = parse_bytes(upload.data, upload.name, role, source)
    else:
        assert upload.path is not None
        doc = parse_file(upload.path, role, source)
    return roles.settle(doc)  # the content decides when nothing claims a role (checked later when one does)


Parser = Callable[[Upload, Application | None], Document]
"""What turns an upload into a Document: `parse_upload` in this process, or `Isolation.parse`."""
Runner = Callable[..., Any]
"""`run(func, *args)` → `func(*args)`: here (`in_process`), or `Isolation.run` in a limited process."""


def in_process(func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


def pdf_tables(upload: Upload, pages: set[int] | None) -> list[Any]:
    """The ruled tables of a PDF attachment (budget reading): module level, so that it pickles."""
    from screening.budget import pdf_grids

    return pdf_grids(upload.read(), pages)


def crashed_document(upload: Upload, app: Application | None) -> Document:
    """What stands for an attachment whose parsing raised an unexpected error: its name, hash and
    claimed role, no text, and the `document.unreadable` problem saying so (no traceback)."""
    role, source = roles.claimed(app, upload.name)
    try:
        data = upload.read()
    except OSError:
        data = b""
    return Document(file=Path(upload.name).name, format="", sha256=hashlib.sha256(data).hexdigest(), pages=None,
                    problems=(Problem("document.unreadable", INTERNAL_ERROR),), role=role, role_source=source)


def parse_safely(parse: Parser, upload: Upload,
                 app: Application | None) -> Document:
    """`parse`, with an unexpected error in it confined to this attachment."""
    try:
        return parse(upload, app)
    except ScreeningError:
        raise  # a usage or configuration error stops the command, as it should
    except Exception:
        log.debug("parsing %s raised", upload.name, exc_info=True)
        return crashed_document(upload, app)


def call_of(application: Application | None, call: str | None) -> str:
    """The call to screen under: the operator's `call`, else the application's — a plain name of an
    installed call only (a path there would let the applicant pick its own severities)."""
    if call:
        return call
    if application is None:
        return DEFAULT_CALL
    if not plain_call_name(application.call):
        raise ApplicationError(
            f"application.json 字段 call：“{application.call}”不是已安装申报通知的名称，只能填写 pipelines/ 中的"
            f"名称（如 {DEFAULT_CALL}）；其他申报通知文件须由操作员用 --call 指定")
    return application.call


def screen(
    application: Application | None,
    uploads: Sequence[Upload],
    *,
    orgs: Sequence[str] = (),
    persons: Sequence[str] = (),
    call: str | None = None,
    project_id: str | None = None,
    parse: Parser = parse_upload,
    run: Runner = in_process,
    deadline: Deadline | None = None,
) -> Report:
    """Screen one project.

    `parse` turns an upload into a Document and `run` runs what else reads an attachment's bytes
    (pdfplumber's table finder for a budget PDF): the CLI and the HTTP hook pass `Isolation.parse`
    and `Isolation.run`, which work in a separate, limited process. `deadline` bounds the checks
    (past it the report holds the parsed documents and one `document.timeout` finding) and cancels
    the work when its requester is gone (`deadline.Cancelled` is raised).
    """
    deadline = deadline or Deadline()
    the_call = load_call(call_of(application, call))
    documents: list[Document] = []
    for upload in uploads:
        deadline.check()
        documents.append(parse_safely(parse, upload, application))
    targets = tuple(identities(application, the_call.identity, tuple(orgs), tuple(persons)))
    # the budget reader asks for a PDF's ruled tables only when it reads that PDF as a budget
    tables = {Path(u.name).name: partial(run, pdf_tables, u) for u in uploads}
    ctx = Context(the_call, application, tuple(documents), targets, memo={TABLES: tables}, deadline=deadline)
    deadline.start()
    project = project_id or (application.project_id if application else "-")
    try:
        findings, extra, ctx = evaluate(ctx)  # an attachment a check crashes on is replaced, the rest kept
    except OverTime as over:
        finding = Finding(rule="document.timeout", severity=the_call.severity("document.timeout"), message=str(over))
        return Report(project_id=project, findings=(*problem_findings(ctx), finding), documents=ctx.documents, call=the_call.name,
                      title=application.title if application else None)
    return Report(
        project_id=project,
        findings=tuple(findings),
        documents=ctx.documents,
        call=the_call.name,
        title=application.title if application else None,
        patent=extra.get("patent"),
        domains=tuple(extra.get("domains") or ()),
        budget=extra.get("budget"),
    )


def screen_files(
    paths: Sequence[Path],
    application: Path | Application | None = None,
    *,
    orgs: Sequence[str] = (),
    persons: Sequence[str] = (),
    call: str | None = None,
    parse: Parser = parse_upload,
    run: Runner = in_process,
    deadline: Deadline | None = None,
) -> Report:
    """Screen loose files (`screening check`): they form one project. `parse`, `run` and
    `deadline` as in `screen()` (the command passes `Isolation.parse` and `Isolation.run`: each
    attachment in its own limited process)."""
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"文件不存在或不是普通文件：{', '.join(missing)}")
    app = load_application(application) if isinstance(application, Path) else application
    return screen(app, [Upload(p.name, path=p) for p in paths], orgs=orgs, persons=persons, call=call, parse=parse,
                  run=run, deadline=deadline)


def project_files(folder: Path) -> list[Path]:
    """The attachments of a project folder: every visible regular file but application.json."""
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.name != APPLICATION_FILE and not p.name.startswith(".")
    )


def screen_project(folder: Path, *, call: str | None = None, parse: Parser = parse_upload, run: Runner = in_process,
                   deadline: Deadline | None = None) -> Report:
    """Screen one project folder (contract §1): application.json plus its attachments. `parse`,
    `run` and `deadline` as in `screen()` (`screening project` passes `Isolation.parse` and
    `Isolation.run`)."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: 不是项目文件夹")
    app_path = folder / APPLICATION_FILE
    if not app_path.is_file():
        raise ApplicationError(f"{folder}: 缺少 {APPLICATION_FILE}")
    app = load_application(app_path)
    return screen(app, [Upload(p.name, path=p) for p in project_files(folder)], call=call, parse=parse, run=run,
                  deadline=deadline)
