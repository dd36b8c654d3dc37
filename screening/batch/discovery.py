"""The projects of a batch folder, before anything is screened: which sub-folders are project
folders (and why the others are skipped), each project's identity, the call that applies to it,
and its fingerprint — the SHA-256 of everything its report depends on (application.json, every
attachment, the call file's content, the screening version), which decides on resumption whether
a previous run's report still holds (`screening.batch.store`).

Whatever an applicant put in application.json stays that project's `problem` (it is reported as
`document.application`); only an unusable `--call` stops the batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from screening.application import Application, load_application, plain_call_name
from screening.calls import DEFAULT_CALL, call_path, load_call
from screening.engine import APPLICATION_FILE, project_files
from screening.errors import ApplicationError, ConfigError


@dataclass(frozen=True, slots=True)
class Project:
    """One project folder as the batch found it, before screening."""

    folder: Path
    project_id: str
    call: str  # the call that applies: --call, else the application's
    application: Application | None
    problem: str | None  # why it cannot be screened: application.json or the call it names
    attachments: tuple[tuple[str, str], ...]  # (file name, sha256; "" when unreadable)
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry of the batch folder that is not screened, and why."""

    path: Path
    reason: str


def screening_version() -> str:
    """The version of the screening package (part of every fingerprint; a Dask worker must match)."""
    import screening  # late: the package imports this module's siblings first

    return screening.__version__


def _sha256(path: Path) -> str:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""  # screen_project reports the file as unreadable


class _Calls:
    """The calls of one run: each validated once, with the digest of its file's content."""

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}

    def digest(self, name: str) -> str:
        if name not in self._digests:
            load_call(name)  # ConfigError when missing or invalid
            self._digests[name] = hashlib.sha256(call_path(name).read_bytes()).hexdigest()
        return self._digests[name]


def _fingerprint(project_call: str, call_digest: str, application_sha: str, attachments: Sequence[tuple[str, str]]) -> str:
    text = json.dumps([screening_version(), project_call, call_digest, application_sha, list(attachments)])
    return hashlib.sha256(text.encode()).hexdigest()


def read_project(folder: Path, call: str | None, calls: _Calls) -> Project:
    """A project folder's identity and fingerprint; an unusable application.json is `problem`.

    Whatever the application holds (nesting deep enough to exhaust the recursion, more aliases
    than the call allows, a call that names a file) stays this project's problem: it never stops
    the batch."""
    app_file = folder / APPLICATION_FILE
    application: Application | None = None
    problem: str | None = None
    try:
        application = load_application(app_file, call=call)
    except ApplicationError as err:
        problem = f"application.json无法使用，项目未筛查：{err}"
    except ConfigError:
        raise  # --call itself is unusable: screen_batch checked it before, so this is not the applicant's
    except Exception as err:  # RecursionError, MemoryError …: refused all the same, the batch goes on
        problem = f"application.json无法使用，项目未筛查：{app_file}: 无法读取（{type(err).__name__}）"
    if call is None and application is not None and not plain_call_name(application.call):
        problem = f"application.json无法使用，项目未筛查：字段 call: “{application.call}”不是申报通知的名称"
        application = None
    project_call = call or (application.call if application else DEFAULT_CALL)
    try:
        digest = calls.digest(project_call)
    except ConfigError as err:
        problem = problem or f"application.json指定的申报通知“{project_call}”无法使用，项目未筛查：{err}"
        project_call, digest = DEFAULT_CALL, calls.digest(DEFAULT_CALL)  # only to grade this finding
    attachments = tuple((p.name, _sha256(p)) for p in project_files(folder))
    return Project(
        folder=folder,
        project_id=application.project_id if application else folder.name,
        call=project_call,
        application=application,
        problem=problem,
        attachments=attachments,
        fingerprint=_fingerprint(project_call, digest, _sha256(app_file), attachments),
    )


def _usable_id(project_id: str) -> bool:
    """A project id that can name OUT/<project_id>.json without leaving OUT."""
    return bool(project_id) and not project_id.startswith(".") and not any(c in project_id for c in "/\\\0:") \
        and len(project_id.encode()) <= 200


def discover(folder: Path, out: Path, call: str | None) -> tuple[list[Project], list[Skipped]]:
    """Every project folder (a sub-folder with application.json), in name order, and what is not one."""
    calls = _Calls()
    projects: list[Project] = []
    skipped: list[Skipped] = []
    seen: dict[str, Path] = {}
    out_resolved = out.resolve()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.resolve() == out_resolved:
            continue
        if not path.is_dir():
            skipped.append(Skipped(path, "不是项目文件夹（批次文件夹中的散文件）"))
            continue
        if not (path / APPLICATION_FILE).is_file():
            skipped.append(Skipped(path, f"缺少{APPLICATION_FILE}，不是项目文件夹"))
            continue
        project = read_project(path, call, calls)
        pid = project.project_id
        if not _usable_id(pid):
            skipped.append(Skipped(path, f"project_id“{pid}”不能用作报告文件名（含路径符号或以点开头）"))
        elif pid in seen:
            skipped.append(Skipped(path, f"project_id“{pid}”与文件夹{seen[pid].name}重复，未筛查"))
        else:
            seen[pid] = path
            projects.append(project)
    return projects, skipped
