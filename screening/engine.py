"""One path for everything: loose files, a project folder, the HTTP hook and the batch all end in
`screen()`: parse every attachment → run the registered checks → a `Report`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from screening import lexicons, roles
from screening.application import Application, load_application
from screening.calls import DEFAULT_CALL, load_call
from screening.checks import Context, blocks, run_all
from screening.checks.budget import SOURCES
from screening.errors import ApplicationError, UsageError
from screening.model import Document, Report, Role
from screening.parsers import parse_bytes, parse_file
from screening.targets import identities

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
    """The role a file name announces (lexicons/roles.tsv), or None."""
    lowered = file_name.lower()
    for role, words in lexicons.table("roles.tsv"):
        if any(w.lower() in lowered for w in words):
            return Role(role)
    return None


def _role(app: Application | None, name: str) -> tuple[Role, str]:
    if app is not None and (given := app.role_of(name)) is not None:
        return given, "application"
    if (guessed := infer_role(name)) is not None:
        return guessed, "filename"
    return Role.OTHER, "inferred"


def parse_upload(upload: Upload, app: Application | None) -> Document:
    role, source = _role(app, upload.name)
    if upload.data is not None:
        doc = parse_bytes(upload.data, upload.name, role, source)
    else:
        assert upload.path is not None
        doc = parse_file(upload.path, role, source)
    if source == "inferred" and (read := roles.from_content(doc)) is not None:
        doc = replace(doc, role=read, role_source="content")  # neither the application nor the name said
    return doc


def screen(
    application: Application | None,
    uploads: Sequence[Upload],
    *,
    orgs: Sequence[str] = (),
    persons: Sequence[str] = (),
    call: str | None = None,
    project_id: str | None = None,
    parse: Callable[[Upload, Application | None], Document] = parse_upload,
) -> Report:
    """Screen one project. `parse` turns an upload into a Document (the HTTP hook passes one that
    parses in a separate, limited process)."""
    call_name = call or (application.call if application else None) or DEFAULT_CALL
    the_call = load_call(call_name)
    documents = tuple(parse(u, application) for u in uploads)
    targets = tuple(identities(application, the_call.identity, tuple(orgs), tuple(persons)))
    # the budget reader needs a PDF's bytes for pdfplumber's table finder: read lazily, only if asked
    sources = {Path(u.name).name: partial(Upload.read, u) for u in uploads}
    ctx = Context(the_call, application, documents, targets, memo={SOURCES: sources})
    findings = run_all(ctx)
    extra = blocks(ctx)
    return Report(
        project_id=project_id or (application.project_id if application else "-"),
        findings=tuple(findings),
        documents=documents,
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
) -> Report:
    """Screen loose files (`screening check`): they form one project."""
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"文件不存在或不是普通文件：{', '.join(missing)}")
    app = load_application(application) if isinstance(application, Path) else application
    return screen(app, [Upload(p.name, path=p) for p in paths], orgs=orgs, persons=persons, call=call)


def project_files(folder: Path) -> list[Path]:
    """The attachments of a project folder: every visible regular file but application.json."""
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.name != APPLICATION_FILE and not p.name.startswith(".")
    )


def screen_project(folder: Path, *, call: str | None = None) -> Report:
    """Screen one project folder (contract §1): application.json plus its attachments."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: 不是项目文件夹")
    app_path = folder / APPLICATION_FILE
    if not app_path.is_file():
        raise ApplicationError(f"{folder}: 缺少 {APPLICATION_FILE}")
    app = load_application(app_path)
    return screen(app, [Upload(p.name, path=p) for p in project_files(folder)], call=call)
