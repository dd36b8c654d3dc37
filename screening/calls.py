"""pipelines/<call>.yaml → a frozen, strictly validated `Call`.

Unknown keys and repeated keys are refused, and every error is one line naming the file, the key
(for a YAML syntax error: the line, the column and the key around it) and what was expected,
because a call file is edited by people once a year and a typo must not pass silently. Every
error is a `ConfigError`, so a command stops with exit code 2 and that one line on stderr.
`severities` must name exactly the rule ids of screening/rules.py (an optional one may be left
out): a misspelt or forgotten id is refused at load, not when the rule first fires.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from screening.errors import ConfigError
from screening.model import Role, Severity
from screening.resources import data_dir
from screening.rules import lookup, severities_problem
from screening.settings import Strict

DEFAULT_CALL = "quzhou-2020"  # the call screened under when neither the operator nor application.json names one




class Category(Strict):
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
            raise ValueError(f"各单位额度之和为{sum(self.quotas.values())}，与quota_total {self.quota_total}不符")
        return self


class Rules(Strict):
    rd_investment_min_exclusive: float
    leader_max_ongoing_as_leader: int = Field(ge=0)
    leader_max_ongoing_as_member: int = Field(ge=0)
    unaccepted_projects_max: int = Field(ge=0)
    blacklist_forbidden: bool


class PatentRules(Strict):
    min_years_remaining: float
    require_invention: bool
    require_sole_owner: bool
    require_owner_is_applicant: bool
    # E1 on a scanned certificate (screening/patents/rules.py `ocr_reading`): the least confidence
    # (0..1) of each key field, and how many years a PCT number's year may follow the filing year
    ocr_min_confidence: float = Field(gt=0, le=1)
    pct_year_lag_max: int = Field(ge=0)
    # a page with more text than this is no certificate page (one holds 600–900 characters): the
    # identities on it are screened as on any attachment, whatever the page before it is
    certificate_page_chars: int = Field(default=2500, ge=500)


class BudgetRules(Strict):
    sum_tolerance: float = Field(ge=0)
    total_tolerance: float = Field(ge=0)
    split_tolerance: float = Field(ge=0)
    items: str = Field(min_length=1)
    columns: str = Field(min_length=1)
    # budget.sum on a table read by OCR (a picture or a scan, screening/budget_scan.py): a misread
    # digit is no error of the applicant's, so a disagreement the table's own arithmetic could not
    # resolve is reported at most this severe (the rule's own severity when that is milder)
    ocr_sum_severity: Severity = Severity.WARN

    @field_validator("items", "columns")
    @classmethod
    def _lexicon_exists(cls, value: str) -> str:
        if not (data_dir("lexicons") / value).is_file():
            raise ValueError(f"lexicons/中没有文件“{value}”")
        return value


class EvidenceWeights(Strict):
    """The weight of each piece of evidence for an identity hit (see screening/identity/evidence.py)."""

    full_name: float            # the registered name, or it without its place name
    long_alias: float           # a declared or derived name of at least long_alias_length characters
    short_form: float           # a shorter alias, 字号+行业, 地名+字号, customary short form
    trade_alone: float          # the derived 字号 alone (衢晟): a short string, found by chance more often
    subject: float              # the name opens a clause or is followed by 的/是/在/已 … (衢晟始终坚持…)
    chance_chars: float         # a two-character 字号 made of function characters only (中自): found by chance
    org_word_form: float        # 字号 + 公司/集团/股份
    web_stem: float             # the distinctive part of the applicant's website or e-mail domain
    pinyin: float               # a pinyin spelling of the 字号 or of a member's name
    person_full: float          # a member's name of three or more characters
    person_short: float         # a member's name of two characters
    rare_word: float            # a two-character member name that the dictionary knows, rarely (黄精, 葛根)
    ordinary_word: float        # the variant is an ordinary word or generic phrase (jieba, generic-phrases.txt)
    ordinary_trade: float       # a derived form (地名+字号, 字号+行业) whose 字号 is an ordinary word
    word_after: float           # a two-character name run into the next word with nothing between (钱江源头)
    number_after: float         # a number right after a person's name (产量高达100吨)
    header_footer: float        # a short form in a header or footer, where documents carry their owner's name
    quoted: float               # inside quotation marks holding a longer term (“天网工程”), or quoted as a word
    glued: float                # a single character glued to either side: maybe part of another name
    other_name: float           # inside another organisation's name (武平紫金矿业有限公司 for 紫金矿业)
    other_industry: float       # the 字号 followed by an industry word not in the name (欧派家居 for 欧派门业)
    longer_name: float          # a two-character member name continued by a given-name character
    org_context: float          # 公司/集团/团队 … after, 委托/依托/与…合作 around (lexicons/org-context.txt)
    biography: float            # 林海，男，1982年生: the opening of a biography (person-context.txt bio_after)
    member_list: float          # 钱塘、鲁班: listed with another member of the team
    person_actor: float         # 由…完成, …设计并实现: weaker cues of someone acting (person-context.txt actor_*)
    person_context: float       # 教授/负责人/主持 … around (lexicons/person-context.txt)
    whole_field: float          # the part (a cell, a property) holds the name and nothing else
    label_value: float          # the name is the value of a form label (申报单位：…)
    references: float           # the part stands in the reference list


class EvidenceRules(Strict):
    fail_at: float              # evidence at or above this fails formal review
    warn_at: float              # … at or above this is unsure (unsure_severity); below, nothing
    long_alias_length: int = Field(ge=2)
    weights: EvidenceWeights

    @model_validator(mode="after")
    def _ordered(self) -> EvidenceRules:
        if self.warn_at > self.fail_at:
            raise ValueError("warn_at（存疑线）不能高于 fail_at（不通过线）")
        return self


class MethodScores(Strict):
    """The score (0..1) an identity finding found without a known name's evidence reports; among
    findings of the same place the higher score is kept (checks/identity.py `dedupe`)."""

    contact_known: float = Field(default=1.0, ge=0, le=1)    # a phone, e-mail or web address the application declares
    contact_unknown: float = Field(default=0.5, ge=0, le=1)  # a contact of the right shape nobody declared
    address: float = Field(default=0.97, ge=0, le=1)         # the applicant's street address
    label: float = Field(default=0.9, ge=0, le=1)            # a filled-in 申报单位/项目负责人 field
    self_reference: float = Field(default=0.9, ge=0, le=1)   # 我公司（浙江某某有限公司） naming a known identity
    self_reference_unknown: float = Field(default=0.5, ge=0, le=1)  # … naming an organisation nobody declared
    metadata: float = Field(default=0.5, ge=0, le=1)         # an unknown name in an author or company property


class IdentityRules(Strict):
    min_alias_length: int = Field(ge=1)
    short_name_length: int = Field(ge=1)
    common_word_min_freq: int = Field(ge=0)
    crossing_word_min_freq: int = Field(ge=1)
    tagged_word_min_freq: int = Field(ge=1)
    place_word_min_freq: int = Field(ge=1)  # a longer alias jieba knows as a place this often is the place
    home_places: tuple[str, ...] = ()  # the call's city, put before a local 字号 (衢州天马)
    fuzzy_min_length: int = Field(ge=2)
    fuzzy_fail_score: float = Field(ge=0, le=100)
    fuzzy_warn_score: float = Field(ge=0, le=100)
    ocr_fuzzy_fail_score: float = Field(ge=0, le=100)
    ocr_min_length: int = Field(ge=2)
    unsure_severity: Severity
    evidence: EvidenceRules
    scores: MethodScores = Field(default_factory=lambda: MethodScores())

    @model_validator(mode="after")
    def _ordered(self) -> IdentityRules:
        if self.fuzzy_warn_score > self.fuzzy_fail_score:
            raise ValueError("fuzzy_warn_score（存疑分）不能高于 fuzzy_fail_score（不通过分）")
        return self


class ApplicationLimits(Strict):
    """How much one application.json may declare: an applicant's hostile list must not cost the
    batch minutes and hundreds of MB (issue 12). Beyond a limit the application is refused."""

    max_aliases: int = Field(ge=1)       # aliases of one organisation (the applicant or a partner)
    max_partners: int = Field(ge=0)      # partner organisations of one application
    max_team: int = Field(ge=1)          # team members of one application


class BatchRules(Strict):
    """Rules across the projects of a batch (checks/batch.py)."""

    # two titles of one applicant in different categories name one project (batch.duplicate) when
    # rapidfuzz's fuzz.ratio of their normalised forms reaches this
    title_similarity_min: float = Field(default=85.0, ge=0, le=100)


class Targets(Strict):
    key_funded_max: int
    patent_funded_max: int


class Call(Strict):
    name: str
    title: str
    form_title: str  # the title of the recommendation form (附件3), word for word as the notice prints it
    opens: datetime
    closes: datetime
    domains: str
    regions: tuple[str, ...] = Field(min_length=1)
    rules: Rules
    categories: dict[str, Category] = Field(min_length=1)
    patent: PatentRules
    budget: BudgetRules
    identity: IdentityRules
    application_limits: ApplicationLimits
    batch: BatchRules = Field(default_factory=lambda: BatchRules())
    targets: Targets
    severities: dict[str, Severity]
    certificate_identity_severity: Severity = Severity.INFO

    @field_validator("opens", "closes")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("缺少时区，应写作如 2020-06-28T17:00:00+08:00")
        return value

    @field_validator("severities")
    @classmethod
    def _registered(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        """Exactly the rule ids of screening/rules.py (optional ones may be left out)."""
        if (problem := severities_problem(value)) is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Call:
        if self.closes <= self.opens:
            raise ValueError("closes: 截止时间必须晚于开放时间opens")
        for cid, cat in self.categories.items():
            unknown = set(cat.regions) - set(self.regions)
            if unknown:
                raise ValueError(f"categories.{cid}.regions: {sorted(unknown)} 不在regions中")
        return self

    def severity(self, rule: str) -> Severity:
        """The configured severity of a rule id. An id not in screening/rules.py is a check's bug
        (`rules.UnknownRuleError`); an optional rule the call leaves out, a configuration error."""
        lookup(rule)
        try:
            return self.severities[rule]
        except KeyError:
            raise ConfigError(f"{self.name}: severities: 规则“{rule}”未配置严重程度") from None

    def category_id(self, value: str | None) -> str | None:
        """The category id for an id or a Chinese name; None when unknown."""
        if value is None:
            return None
        for cid, cat in self.categories.items():
            if value.strip() in (cid, *cat.names):
                return cid
        return None


# -- reading the file ----------------------------------------------------------------------------


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A SafeLoader (libyaml's parser when PyYAML has it: a tenth of the time) that refuses a key
    given twice in one mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的键“{key}”（后一个会悄悄覆盖前一个）", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_KEY_LINE = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[^\s#:'\"][^:#]*?|'[^']*'|\"[^\"]*\")\s*:(?:\s|$)")


def key_at(text: str, line: int) -> str:
    """The dotted key path in force at a 0-based line of a block-style YAML text ("" at the top)."""
    stack: list[tuple[int, str]] = []
    for raw in text.splitlines()[: line + 1]:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(raw)
        if match is None:
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match["key"].strip("'\"")))
    return ".".join(key for _, key in stack)


def _yaml_error(path: Path, text: str, err: yaml.YAMLError) -> ConfigError:
    mark = getattr(err, "problem_mark", None)
    problem = " ".join(str(getattr(err, "problem", None) or err).split())
    if mark is None:
        return ConfigError(f"{path}: YAML语法错误：{problem}")
    where = f"第{mark.line + 1}行第{mark.column + 1}列"
    key = key_at(text, mark.line)
    context = getattr(err, "context_mark", None)
    start = ""
    if context is not None and context.line != mark.line:
        start = f"（自第{context.line + 1}行键 {key_at(text, context.line) or '(顶层)'} 起）"
    return ConfigError(f"{path}: {where}，键 {key or '(顶层)'}{start}：YAML语法错误：{problem}")


_MESSAGES = {
    "missing": "缺少此键",
    "extra_forbidden": "未知的键",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为true或false",
    "bool_type": "应为true或false",
    "string_type": "应为文字",
    "datetime_parsing": "应为ISO 8601日期时间，如 2020-06-28T17:00:00+08:00",
    "datetime_type": "应为ISO 8601日期时间，如 2020-06-28T17:00:00+08:00",
    "dict_type": "应为键值映射",
    "tuple_type": "应为列表",
    "too_short": "不能为空",
}


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "enum":
        text = f"应为以下之一：{ctx.get('expected', '')}"
    elif kind in ("greater_than_equal", "greater_than"):
        text = f"不得小于{ctx.get('ge', ctx.get('gt'))}"
    elif kind in ("less_than_equal", "less_than"):
        text = f"不得大于{ctx.get('le', ctx.get('lt'))}"
    elif kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
    else:
        text = _MESSAGES.get(kind, error["msg"])
    value = error.get("input")
    if kind not in ("missing", "extra_forbidden") and isinstance(value, str | int | float):
        text += f"（现为 {value!r}）"
    return " ".join(text.split())


def _validation_error(path: Path, err: ValidationError) -> ConfigError:
    """One line: the first problem (an unknown key first: it is usually the cause of a missing one)."""
    errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    key = ".".join(str(p) for p in first["loc"])
    text = _describe(first)
    if first["type"] == "extra_forbidden":
        parent, name = first["loc"][:-1], str(first["loc"][-1])
        missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent]
        close = difflib.get_close_matches(name, missing, n=1)
        text += f"（应为 {close[0]}？）" if close else "（拼写错误？）"
    more = f"（另有{err.error_count() - 1}处错误）" if err.error_count() > 1 else ""
    return ConfigError(f"{path}: {f'键 {key}：' if key else ''}{text}{more}")


def call_path(name: str) -> Path:
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return Path(name)
    return data_dir("pipelines") / f"{name}.yaml"


@cache
def load_call(name: str = DEFAULT_CALL) -> Call:
    path = call_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in data_dir("pipelines").glob("*.yaml")))
        raise ConfigError(f"{path}: 没有这个申报通知文件（已有：{known}）") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: 无法读取申报通知文件（{' '.join(str(err).split())}）") from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as err:
        raise _yaml_error(path, text, err) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: 顶层应为键值映射（name: …, title: …）")
    try:
        call = Call.model_validate(raw)
    except ValidationError as err:
        raise _validation_error(path, err) from None
    if call.name != path.stem:
        raise ConfigError(f"{path}: 键 name：“{call.name}”应与文件名“{path.stem}”相同")
    return call
