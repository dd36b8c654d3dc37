"""application.json → `Application` (contract §1).

Unknown keys are ignored (the portal may send more than we read); wrong types and missing
required fields are refused with a message naming the file and the field.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from screening.errors import ApplicationError
from screening.model import Role


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
    call: str = "quzhou-2020"
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


def parse_application(text: str, source: str = "application.json") -> Application:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApplicationError(f"{source}: 不是合法的JSON（第{err.lineno}行第{err.colno}列：{err.msg}）") from None
    if not isinstance(data, dict):
        raise ApplicationError(f"{source}: 顶层必须是JSON对象")
    try:
        return Application.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(顶层)"
        more = f"（另有{err.error_count() - 1}处错误）" if err.error_count() > 1 else ""
        raise ApplicationError(f"{source}: 字段 {where}: {first['msg']}{more}") from None


def load_application(path: Path) -> Application:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ApplicationError(f"{path}: 无法读取（{err.strerror or err}）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(f"{path}: 不是UTF-8编码的文本") from None
    return parse_application(text, str(path))
