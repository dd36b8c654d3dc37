"""`batch.*`: rules that look across the projects of one batch, after each project is screened.

* `batch.quota` — a recommending unit sends more projects of a category than its quota
  (附件2, `categories.<id>.quotas`); a warning on every project of that unit and category, because
  the bureau decides which to drop (call-2020.md rule 7).
* `batch.duplicate` — the same project in two categories (四、5): the same applicant (names
  compared normalised) and titles at least the call's `batch.title_similarity_min` alike; a failure on both.
* `batch.leader_load` — one person leads more projects of the batch than
  `rules.leader_max_ongoing_as_leader` allows (四、4). One person: the same name, and the same
  ID number or phone where both projects give one, else the same applicant (see `_Person.admits`).
* `batch.same_attachment` — byte-identical attachments (same SHA-256) in different projects.
* `batch.deadline` — submitted at or after the call's close (三、（一）: counts as withdrawn).

Every finding names the other projects involved, so a person can act on one report alone.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from screening.application import Application, Member
from screening.calls import Call
from screening.model import Finding, Location, PartKind
from screening.text import norm

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()  # every empty file has it: the same nothing, not a copy


@dataclass(frozen=True, slots=True)
class Entry:
    """What the batch rules see of one project: its application and its attachments' hashes."""

    project_id: str
    application: Application
    attachments: tuple[tuple[str, str], ...] = ()  # (file name, sha256)


Rule = Callable[[Call, Sequence[Entry]], Iterator[tuple[str, Finding]]]


def check(call: Call, entries: Sequence[Entry]) -> dict[str, list[Finding]]:
    """The batch findings of each project id (projects without any are absent)."""
    out: dict[str, list[Finding]] = defaultdict(list)
    for rule in RULES:
        for project_id, finding in rule(call, entries):
            out[project_id].append(finding)
    return dict(out)


def category_name(call: Call, value: str | None) -> str:
    """The Chinese name of a category id or name as the application gives it."""
    cid = call.category_id(value)
    if cid is None:
        return value or "未填写类别"
    names = call.categories[cid].names
    return names[0] if names else cid


LISTED = 20  # the others a message names; a longer list is counted, not spelled out


def _listing(ids: Iterable[str]) -> str:
    """The others a finding points to, joined with 、: the first `LISTED` of them and how many in
    all when there are more (an overrun of hundreds would otherwise repeat the whole unit in every
    project's message — a message no clerk reads, and a batch's findings growing with its square)."""
    listed = list(ids)
    if len(listed) <= LISTED:
        return "、".join(listed)
    return f"{'、'.join(listed[:LISTED])}等{len(listed)}项"


def quota(call: Call, entries: Sequence[Entry]) -> Iterator[tuple[str, Finding]]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in entries:
        cid = call.category_id(e.application.category)
        unit = e.application.recommender
        if cid is not None and unit:
            groups[(cid, unit)].append(e.project_id)
    for (cid, unit), ids in sorted(groups.items()):
        allowed = call.categories[cid].quotas.get(unit, 0)
        if len(ids) <= allowed:
            continue
        limit = f"名额{allowed}项" if allowed else "名额（附件2未给该单位此类名额）"
        for pid in ids:
            others = _listing(i for i in ids if i != pid)
            yield pid, Finding(
                rule="batch.quota",
                severity=call.severity("batch.quota"),
                message=f"推荐单位“{unit}”本批推荐{category_name(call, cid)}{len(ids)}项，超过{limit}；"
                f"同单位同类别的其他项目：{others}。请推荐单位确定保留哪些项目",
            )


def duplicate(call: Call, entries: Sequence[Entry]) -> Iterator[tuple[str, Finding]]:
    by_applicant: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_applicant[norm(e.application.applicant.name)].append(e)
    for group in by_applicant.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                ca, cb = (call.category_id(x.application.category) or x.application.category for x in (a, b))
                if not ca or not cb or ca == cb:
                    continue
                score = fuzz.ratio(norm(a.application.title), norm(b.application.title))
                if score < call.batch.title_similarity_min:
                    continue
                for this, other in ((a, b), (b, a)):
                    yield this.project_id, Finding(
                        rule="batch.duplicate",
                        severity=call.severity("batch.duplicate"),
                        message=f"申报单位“{this.application.applicant.name}”的项目{other.project_id}"
                        f"“{other.application.title}”（{category_name(call, other.application.category)}）"
                        f"与本项目（{category_name(call, this.application.category)}）名称相似度{score:.0f}%，"
                        "疑为同一项目申报了两个类别（四、5：一个项目只能申报一个类别）",
                        score=round(score / 100, 4),
                    )


@dataclass(slots=True)
class _Person:
    """Leaders of one name taken for one person: their projects and what identifies them."""

    name: str
    id_numbers: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    applicants: set[str] = field(default_factory=set)
    projects: list[str] = field(default_factory=list)

    def admits(self, member: Member, applicant: str) -> bool:
        """Same name, and: the same ID number when both give one; else the same phone when both
        give one; else the same applicant — a common name alone (王建国) does not make two
        organisations' leaders one person, but a professor leading two companies' projects is
        found by the ID number or phone the portal asks for."""
        id_number, phone = _id_number(member), _phone(member)
        if id_number and self.id_numbers:
            return id_number in self.id_numbers
        if phone and self.phones:
            return phone in self.phones
        return applicant in self.applicants


def _id_number(m: Member) -> str:
    return (m.id_number or "").strip().upper()


def _phone(m: Member) -> str:
    return "".join(c for c in (m.phone or "") if c.isdigit())


def leaders(entries: Sequence[Entry]) -> list[_Person]:
    """The distinct project leaders of a batch, each with the projects they lead (in batch order)."""
    people: dict[str, list[_Person]] = defaultdict(list)
    for e in entries:
        applicant = norm(e.application.applicant.name)
        for member in e.application.team:
            if member.role != "leader":
                continue
            same_name = people[norm(member.name)]
            person = next((p for p in same_name if p.admits(member, applicant)), None)
            if person is None:
                person = _Person(member.name)
                same_name.append(person)
            if id_number := _id_number(member):
                person.id_numbers.add(id_number)
            if phone := _phone(member):
                person.phones.add(phone)
            person.applicants.add(applicant)
            if e.project_id not in person.projects:
                person.projects.append(e.project_id)
    return [p for same_name in people.values() for p in same_name]


def leader_load(call: Call, entries: Sequence[Entry]) -> Iterator[tuple[str, Finding]]:
    limit = call.rules.leader_max_ongoing_as_leader
    for person in leaders(entries):
        if len(person.projects) <= limit:
            continue
        for pid in person.projects:
            yield pid, Finding(
                rule="batch.leader_load",
                severity=call.severity("batch.leader_load"),
                message=f"项目负责人“{person.name}”在本批中负责{len(person.projects)}个项目"
                f"（另见{_listing(p for p in person.projects if p != pid)}），"
                f"超过每人最多负责{limit}项的规定（四、4）",
            )


def same_attachment(call: Call, entries: Sequence[Entry]) -> Iterator[tuple[str, Finding]]:
    uses: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for e in entries:
        for file, sha in e.attachments:
            if sha and sha != EMPTY_SHA256:
                uses[sha].append((e.project_id, file))
    for sha, where in uses.items():
        if len({pid for pid, _ in where}) < 2:
            continue
        for pid, file in where:
            others = _listing(f"{p}的“{f}”" for p, f in where if p != pid)
            yield pid, Finding(
                rule="batch.same_attachment",
                severity=call.severity("batch.same_attachment"),
                message=f"附件“{file}”与{others}内容完全相同（SHA-256 {sha[:12]}…），请核实是否为重复或套用的申报材料",
                file=file,
                location=Location(part=PartKind.FILENAME, origin="sha256"),
            )


def deadline(call: Call, entries: Sequence[Entry]) -> Iterator[tuple[str, Finding]]:
    # the close is the first late moment (17:00:00 itself is late), as eligibility.deadline has it; a
    # time without a zone cannot be compared: eligibility.missing_value already asks a person to look
    late = [(e, when) for e in entries
            if (when := e.application.submitted_at) is not None and when.tzinfo is not None and when >= call.closes]
    for e, when in late:
        unit = e.application.recommender
        others = [x.project_id for x, _ in late if x is not e and x.application.recommender == unit]
        also = f"；推荐单位“{unit}”逾期提交的还有{_listing(others)}" if others else ""
        yield e.project_id, Finding(
            rule="batch.deadline",
            severity=call.severity("batch.deadline"),
            message=f"项目于{when.astimezone(call.closes.tzinfo):%Y-%m-%d %H:%M}提交，"
            f"不早于申报截止时间{call.closes:%Y-%m-%d %H:%M}，视为放弃申报（三、（一））{also}",
        )


RULES: tuple[Rule, ...] = (quota, duplicate, leader_load, same_attachment, deadline)
