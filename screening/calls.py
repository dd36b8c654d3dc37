"""pipelines/<call>.yaml → a frozen, strictly validated `Call`.

Unknown keys are refused and every error names the file, the key and what was expected, because
a call file is edited by people once a year and a typo must not pass silently.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from screening.errors import ConfigError
from screening.model import Role, Severity
from screening.resources import data_dir

DEFAULT_CALL = "quzhou-2020"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    names: tuple[str, ...] = ()
    regions: tuple[str, ...]
    industrial_only: bool
    rd_budget_min: float | None
    max_months: int | None
    sales_min: float | None
    required_attachments: tuple[Role, ...]
    quota_total: int | None
    quotas: dict[str, int]

    @model_validator(mode="after")
    def _quotas_add_up(self) -> Category:
        if self.quota_total is not None and sum(self.quotas.values()) != self.quota_total:
            raise ValueError(f"quotas add up to {sum(self.quotas.values())}, not quota_total {self.quota_total}")
        return self


class Rules(_Strict):
    rd_investment_min_exclusive: float
    leader_max_ongoing_as_leader: int
    leader_max_ongoing_as_member: int
    unaccepted_projects_max: int
    blacklist_forbidden: bool


class PatentRules(_Strict):
    min_years_remaining: float
    require_invention: bool
    require_sole_owner: bool
    require_owner_is_applicant: bool


class BudgetRules(_Strict):
    sum_tolerance: float = Field(ge=0)
    total_tolerance: float = Field(ge=0)


class IdentityRules(_Strict):
    min_alias_length: int = Field(ge=1)
    fuzzy_min_length: int = Field(ge=2)
    fuzzy_fail_score: float = Field(ge=0, le=100)
    fuzzy_warn_score: float = Field(ge=0, le=100)
    ocr_fuzzy_fail_score: float = Field(ge=0, le=100)
    person_context_window: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> IdentityRules:
        if self.fuzzy_warn_score > self.fuzzy_fail_score:
            raise ValueError("fuzzy_warn_score must not exceed fuzzy_fail_score")
        return self


class Targets(_Strict):
    key_funded_max: int
    patent_funded_max: int


class Call(_Strict):
    name: str
    title: str
    opens: datetime
    closes: datetime
    domains: str
    regions: tuple[str, ...] = Field(min_length=1)
    rules: Rules
    categories: dict[str, Category] = Field(min_length=1)
    patent: PatentRules
    budget: BudgetRules
    identity: IdentityRules
    targets: Targets
    severities: dict[str, Severity]
    certificate_identity_severity: Severity = Severity.INFO

    @field_validator("opens", "closes")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2020-06-28T17:00:00+08:00")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Call:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        for cid, cat in self.categories.items():
            unknown = set(cat.regions) - set(self.regions)
            if unknown:
                raise ValueError(f"categories.{cid}.regions: {sorted(unknown)} not in regions")
        return self

    def severity(self, rule: str) -> Severity:
        """The configured severity of a rule id; an unconfigured rule is a configuration error."""
        try:
            return self.severities[rule]
        except KeyError:
            raise ConfigError(f"{self.name}: severities: no severity configured for rule '{rule}'") from None

    def category_id(self, value: str | None) -> str | None:
        """The category id for an id or a Chinese name; None when unknown."""
        if value is None:
            return None
        for cid, cat in self.categories.items():
            if value.strip() in (cid, *cat.names):
                return cid
        return None


def call_path(name: str) -> Path:
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return Path(name)
    return data_dir("pipelines") / f"{name}.yaml"


@cache
def load_call(name: str = DEFAULT_CALL) -> Call:
    path = call_path(name)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in data_dir("pipelines").glob("*.yaml")))
        raise ConfigError(f"{path}: no such call file (known calls: {known})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read the call file: {err}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top")
    try:
        call = Call.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in err.errors()[:5]
        )
        raise ConfigError(f"{path}: {problems}") from None
    if call.name != path.stem:
        raise ConfigError(f"{path}: name: '{call.name}' must equal the file name '{path.stem}'")
    return call
