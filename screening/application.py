"""application.json → `Application` (contract §1).

Unknown keys are ignored (the portal may send more than we read); wrong types and missing
required fields are refused with a message naming the file and the field.

An application comes from the applicant, so reading it is bounded (issue 12): at most
`MAX_APPLICATION_BYTES`, nested at most `MAX_DEPTH` deep, and no more aliases, partners and team
members than the call's `application_limits` allow. Whatever is beyond is an `ApplicationError`
(exit 2, `document.application` in a batch, HTTP 400 from the hook), never a crash.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from screening.calls import DEFAULT_CALL, ApplicationLimits, load_call
from screening.errors import ApplicationError, ConfigError
from screening.model import Role

MAX_APPLICATION_BYTES = 1024 * 1024  # a real application.json is a few KB
MAX_DEPTH = 64  # nesting of arrays and objects; the contract's structure needs 4
# a JSON string (possessive, and ended by the end of the text too: linear on any input) or a bracket
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
_PLAIN_CALL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # a call in pipelines/, never a path


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class Organisation(_Model):
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()

    @field_validator("aliases", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return () if value is None else value


class Applicant(Organisation):
    credit_code: str | None = None
    region: str | None = None
    kind: str | None = None
    industrial: bool | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    rd_investment_prev_year: float | None = None
    blacklisted: bool | None = None
    unaccepted_projects: int | None = None


class Member(_Model):
    name: str = Field(min_length=1)
    role: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    ongoing_as_leader: int | None = None
    ongoing_as_member: int | None = None


class BudgetInput(_Model):
    total: float | None = None
    rd: float | None = None
    subsidy: float | None = None


class PatentInput(_Model):
    number: str | None = None
    previously_funded: bool | None = None


class AttachmentInput(_Model):
    file: str = Field(min_length=1)
    role: Role = Role.OTHER


class Application(_Model):
    project_id: str = Field(min_length=1)
    call: str = DEFAULT_CALL
    title: str = Field(min_length=1)
    category: str | None = None
    recommender: str | None = None
    submitted_at: datetime | None = None
    applicant: Applicant
    partners: tuple[Organisation, ...] = ()
    team: tuple[Member, ...]
    budget: BudgetInput | None = None
    sales_revenue: float | None = None
    implementation_months: int | None = None
    patent: PatentInput | None = None
    attachments: tuple[AttachmentInput, ...] = ()

    @field_validator("partners", "attachments", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return () if value is None else value

    def role_of(self, file_name: str) -> Role | None:
        for item in self.attachments:
            if Path(item.file).name == file_name:
                return item.role
        return None


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON `text` nests arrays and objects more than `limit` deep (strings skipped);
    checked before `json.loads`, whose recursion a deep enough text exhausts."""
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match[0]
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def plain_call_name(name: str) -> bool:
    """Whether `name` names a call in pipelines/ (what an application may name), not a path."""
    return _PLAIN_CALL.fullmatch(name) is not None


def _limits(data: dict[str, object], call: str | None) -> ApplicationLimits:
    """The limits of `call`, else of the call the application names (a plain name in pipelines/
    only: the applicant does not choose a file to read), else of the default call."""
    if call is not None:
        return load_call(call).application_limits
    named = data.get("call")
    if isinstance(named, str) and plain_call_name(named.strip()) and named.strip() != DEFAULT_CALL:
        try:
            return load_call(named.strip()).application_limits
        except ConfigError:
            pass  # the unknown call is reported where it is used
    return load_call(DEFAULT_CALL).application_limits


def check_limits(data: dict[str, object], limits: ApplicationLimits, source: str) -> None:
    """Refuse an application that declares more than `limits` allow (before validating it: the
    check is cheap, validating and using half a million aliases is not)."""
    def refuse(where: str, what: str, count: int, most: int) -> None:
        raise ApplicationError(f"{source}: 字段 {where}: {what}共{count}个，超过申报通知允许的上限{most}个，拒绝读取")

    partners = data.get("partners")
    team = data.get("team")
    if isinstance(partners, list) and len(partners) > limits.max_partners:
        refuse("partners", "合作单位", len(partners), limits.max_partners)
    if isinstance(team, list) and len(team) > limits.max_team:
        refuse("team", "项目组成员", len(team), limits.max_team)
    orgs = [("applicant", data.get("applicant"))]
    if isinstance(partners, list):
        orgs += [(f"partners.{i}", org) for i, org in enumerate(partners)]
    for where, org in orgs:
        aliases = org.get("aliases") if isinstance(org, dict) else None
        if isinstance(aliases, list) and len(aliases) > limits.max_aliases:
            refuse(f"{where}.aliases", "别名", len(aliases), limits.max_aliases)


def _too_large(size: int, source: str) -> ApplicationError:
    return ApplicationError(f"{source}: 文件过大（{size}字节，上限{MAX_APPLICATION_BYTES // 1024} KB），拒绝读取")


def parse_application(text: str, source: str = "application.json", *, call: str | None = None) -> Application:
    """Read an application; `call` (a name or path) gives the limits, else the call it names."""
    if len(text) > MAX_APPLICATION_BYTES or (
            len(text) > MAX_APPLICATION_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_APPLICATION_BYTES):
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), source)
    if too_deep(text):
        raise ApplicationError(f"{source}: JSON嵌套超过{MAX_DEPTH}层，拒绝读取")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApplicationError(f"{source}: 不是合法的JSON（第{err.lineno}行第{err.colno}列：{err.msg}）") from None
    except RecursionError:  # too_deep guards against it; a last line of defence
        raise ApplicationError(f"{source}: JSON嵌套过深，拒绝读取") from None
    if not isinstance(data, dict):
        raise ApplicationError(f"{source}: 顶层必须是JSON对象")
    check_limits(data, _limits(data, call), source)
    try:
        return Application.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(顶层)"
        more = f"（另有{err.error_count() - 1}处错误）" if err.error_count() > 1 else ""
        raise ApplicationError(f"{source}: 字段 {where}: {first['msg']}{more}") from None


def load_application(path: Path, *, call: str | None = None) -> Application:
    """Read application.json from disk: a regular file of at most MAX_APPLICATION_BYTES."""
    try:
        if path.exists() and not path.is_file():
            raise ApplicationError(f"{path}: 不是普通文件")
        with path.open("rb") as f:
            raw = f.read(MAX_APPLICATION_BYTES + 1)
            if len(raw) > MAX_APPLICATION_BYTES:
                f.seek(0, 2)
                raise _too_large(f.tell(), str(path))
    except OSError as err:
        raise ApplicationError(f"{path}: 无法读取（{err.strerror or err}）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(f"{path}: 不是UTF-8编码的文本") from None
    return parse_application(text, str(path), call=call)
