"""The annotated copies of a batch (`screening batch --annotate`): for every project, a copy of each
of its docx and PDF attachments that has findings, showing them where they are
(`screening.annotate`), to send back to the applicant.

* `OUT/annotated/<project_id>/<file>`: the copy under the attachment's own name (with the
  extension of what it really is when the name lies), made from the project's final report —
  batch findings included — without parsing the attachment again (a PDF's text read by OCR is
  highlighted by the finding's box). The reports themselves are not touched.
* Resumable: `OUT/.state/annotated/<project_id>.json` records each copy with its stamp, the digest
  of the screening version, the attachment's content and that file's findings. A later run keeps
  a copy whose stamp is unchanged (so a resumed project's copies are neither redone nor lost),
  makes again one whose attachment or findings changed, and removes a copy it recorded for a file
  that no longer has findings. `force` makes every copy again. Copies and states are written
  atomically, each state after its copies.
* Each copy is made in a limited process (`run`: `Isolation.run`); one that cannot be made is
  reported (`Copies.failed`, in Chinese) and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from screening import formats
from screening.annotate import Marked, mark_bytes
from screening.batch.discovery import screening_version
from screening.batch.results import BatchItem
from screening.batch.store import STATE_DIR, remove_temps, write_atomic
from screening.errors import AttachmentError, ScreeningError
from screening.model import Finding

ANNOTATED = "annotated"  # OUT/annotated/<project_id>/…
Run = Callable[..., Any]  # Isolation.run(func, *args): the function in a limited process


@dataclass(frozen=True, slots=True)
class Copies:
    """The annotated copies OUT holds after a batch."""

    folder: Path  # OUT/annotated
    made: tuple[Path, ...]  # made in this run
    kept: tuple[Path, ...]  # unchanged since a previous run
    failed: tuple[str, ...]  # the copies that could not be made, and why (Chinese)

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(sorted(self.made + self.kept))


def annotate_batch(items: Sequence[BatchItem], out: Path, *, run: Run, force: bool = False) -> Copies:
    """Every project's annotated copies (see the module docstring)."""
    made: list[Path] = []
    kept: list[Path] = []
    failed: list[str] = []
    for item in items:
        _Project(item, out, run, force, made, kept, failed).annotate()
    return Copies(out / ANNOTATED, tuple(made), tuple(kept), tuple(failed))


def copy_name(file: str, fmt: str, taken: set[str]) -> str:
    """The attachment's name, with the extension of its real format when the name says another;
    distinct within a project."""
    extensions = formats.info(fmt).extensions
    name = file if Path(file).suffix.lower() in extensions else f"{Path(file).stem}{extensions[0]}"
    if name.lower() in taken:
        name = f"{file}{extensions[0]}"  # 可行性报告.pdf (a Word document) next to 可行性报告.docx
    taken.add(name.lower())
    return name


def stamp(sha256: str, findings: Sequence[Finding]) -> str:
    """What a copy depends on: the screening version, the attachment's content, its findings."""
    text = json.dumps([screening_version(), sha256, [f.to_json() for f in findings]], ensure_ascii=False,
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class _Project:
    def __init__(self, item: BatchItem, out: Path, run: Run, force: bool, made: list[Path], kept: list[Path],
                 failed: list[str]) -> None:
        self.item, self.run, self.force = item, run, force
        self.made, self.kept, self.failed = made, kept, failed
        self.folder = out / ANNOTATED / item.project_id
        self.state_path = out / STATE_DIR / ANNOTATED / f"{item.project_id}.json"

    def annotate(self) -> None:
        previous = self._read_state()
        if self.folder.is_dir():
            remove_temps(self.folder)
        state: dict[str, dict[str, str]] = {}
        taken: set[str] = set()
        for file, fmt, found in self._wanted():
            entry = {"copy": copy_name(file, fmt, taken), "stamp": stamp(dict(self.item.project.attachments)[file], found)}
            target = self.folder / entry["copy"]
            if not self.force and previous.get(file) == entry and target.is_file():
                self.kept.append(target)
                state[file] = entry
            elif self._make(file, fmt, found, target):
                state[file] = entry
        copies = {entry["copy"] for entry in state.values()}
        for entry in previous.values():  # a file without findings now, or whose copy failed: its old copy goes
            if entry.get("copy") and entry["copy"] not in copies:
                (self.folder / Path(entry["copy"]).name).unlink(missing_ok=True)
        if state or previous:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.state_path, json.dumps(state, ensure_ascii=False, sort_keys=True).encode())

    def _wanted(self) -> list[tuple[str, str, list[Finding]]]:
        """(file, format, findings) of each attachment that has findings and can be annotated."""
        report = self.item.report
        findings = [Finding.from_json(f) for f in report["findings"]]
        kinds = {d["file"]: d.get("format", "") for d in report.get("documents", [])}
        files = dict(self.item.project.attachments)
        return [(file, kinds[file], sorted((f for f in findings if f.file == file), key=Finding.sort_key))
                for file in sorted({f.file for f in findings if f.file})
                if file in files and kinds.get(file) in formats.ANNOTATABLE]

    def _make(self, file: str, fmt: str, found: list[Finding], target: Path) -> bool:
        where = f"{self.item.project_id}/{file}"
        try:
            data = (self.item.project.folder / file).read_bytes()
            marked: Marked = self.run(mark_bytes, data, fmt, found, None)
        except OSError as err:
            self.failed.append(f"{where}：无法读取（{err.strerror or err}），未生成标注副本")
            return False
        except AttachmentError as err:
            self.failed.append(f"{where}：{err.message}，未生成标注副本")
            return False
        except ScreeningError as err:
            self.failed.append(f"{where}：{err}")
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, marked.data)
        self.made.append(target)
        return True

    def _read_state(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("copy"), str)}
