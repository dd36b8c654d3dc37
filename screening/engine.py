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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from screening import roles
from screening.application import Application, load_application, plain_call_name
from screening.budget import budget_pages
from screening.calls import DEFAULT_CALL, load_call
from screening.checks import INTERNAL_ERROR, Context, evaluate
from screening.checks.document import problem_findings
from screening.deadline import Deadline, OverTime
from screening.errors import ApplicationError, ScreeningError, UsageError
from screening.formats import Format, parsed_as, sniff
from screening.identity.targets import identities
from screening.model import Document, Finding, Problem, Report, Role
from screening.parsers import filename_part, parse_bytes, parse_file, pdf_kept
from screening.parsers.tables import with_tables
from screening.rules import NOT_READ

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

    def content(self, error: Callable[[str], Exception]) -> bytes:
        """Its bytes; a file that cannot be read raises `error("<path>: 无法读取（why）")`."""
        try:
            return self.read()
        except OSError as err:
            raise error(f"{self.path}: 无法读取（{err.strerror or err}）") from None


infer_role = roles.from_name  # the role a file name claims, or None (kept for callers of the old name)


def parse_upload(upload: Upload, app: Application | None) -> Document:
    """Parse one attachment: its text, its role (claimed, else read from the content), and for a
    budget PDF the tables on its budget pages (screening/parsers/tables.py)."""
    role, source = roles.claimed(app, upload.name)
    with pdf_kept.keeping():  # a PDF read for its text stays open for its tables (opened once)
        if upload.data is not None:
            doc = parse_bytes(upload.data, upload.name, role, source)
        else:
            assert upload.path is not None
            doc = parse_file(upload.path, role, source)
        doc = roles.settle(doc)  # the content decides when nothing claims a role (checked later when one does)
        if doc.role is Role.BUDGET and doc.format == Format.PDF and not any(p.rule in NOT_READ for p in doc.problems):
            # the pages to look at name a budget item of the application's installed call (an operator's
            # --call is not known here; only the choice of pages depends on it, not what is read)
            installed = app.call if app is not None and plain_call_name(app.call) else DEFAULT_CALL
            doc = with_tables(doc, upload.read(), budget_pages(doc, load_call(installed).budget.items))
    return doc


Parser = Callable[[Upload, Application | None], Document]
"""What turns an upload into a Document: `parse_upload` in this process, or `Isolation.parse`."""


def failed_document(upload: Upload, app: Application | None, rule: str, message: str, *,
                    page: int | None = None) -> Document:
    """What stands for an attachment that could not be parsed: its name (screened too: a leak in
    a file name counts), hash, sniffed format and claimed role, no text, and the problem."""
    role, source = roles.claimed(app, upload.name)
    try:
        data = upload.read()
    except OSError:
        data = b""
    name = Path(upload.name).name
    return Document(file=name, format=parsed_as(sniff(data)), sha256=hashlib.sha256(data).hexdigest(),
                    pages=None, parts=(filename_part(name),), problems=(Problem(rule, message, page=page),),
                    role=role, role_source=source)


def crashed_document(upload: Upload, app: Application | None) -> Document:
    """An attachment whose parsing raised an unexpected error: `document.unreadable`, no traceback."""
    return failed_document(upload, app, "document.unreadable", INTERNAL_ERROR)


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
    deadline: Deadline | None = None,
    whole_project: bool = True,
) -> Report:
    """Screen one project (`whole_project`: its required attachments are checked too; False for
    loose files, `screen_files`).

    `parse` turns an upload into a Document (all reading of the file happens there): the CLI, the
    HTTP hook and a batch's retries pass `Isolation.parse`, which works in a separate, limited
    process. The checks only read the Documents. `deadline` bounds the checks
    (past it the report holds the parsed documents and one `document.timeout` finding) and cancels
    the work when its requester is gone (`deadline.Cancelled` is raised).
    """
    deadline = deadline or Deadline()
    the_call = load_call(call_of(application, call))
    documents: list[Document] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="identities") as pool:
        # what to look for is worked out while the attachments are read: a parse in a limited
        # process (the CLI, the hook) leaves this process idle, so a command's cold start pays
        # both at once (jieba's dictionary, the pinyin tables) instead of one after the other
        pending = pool.submit(lambda: tuple(identities(application, the_call.identity, tuple(orgs), tuple(persons))))
        for upload in uploads:
            deadline.check()
            documents.append(parse_safely(parse, upload, application))
        targets = pending.result()
    ctx = Context(the_call, application, tuple(documents), targets, deadline=deadline, whole_project=whole_project)
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
    deadline: Deadline | None = None,
) -> Report:
    """Screen loose files (`screening check`): they form one project. `parse` and `deadline` as in
    `screen()` (the command passes `Isolation.parse`: each attachment in its own limited process)."""
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"文件不存在或不是普通文件：{', '.join(missing)}")
    app = load_application(application) if isinstance(application, Path) else application
    return screen(app, [Upload(p.name, path=p) for p in paths], orgs=orgs, persons=persons, call=call, parse=parse,
                  deadline=deadline, whole_project=False)


def project_files(folder: Path) -> list[Path]:
    """The attachments of a project folder: every visible regular file but application.json."""
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.name != APPLICATION_FILE and not p.name.startswith(".")
    )


def screen_project(folder: Path, *, call: str | None = None, parse: Parser = parse_upload,
                   deadline: Deadline | None = None) -> Report:
    """Screen one project folder (contract §1): application.json plus its attachments. `parse` and
    `deadline` as in `screen()` (`screening project` passes `Isolation.parse`)."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: 不是项目文件夹")
    app_path = folder / APPLICATION_FILE
    if not app_path.is_file():
        raise ApplicationError(f"{folder}: 缺少 {APPLICATION_FILE}")
    app = load_application(app_path)
    return screen(app, [Upload(p.name, path=p) for p in project_files(folder)], call=call, parse=parse,
                  deadline=deadline)
