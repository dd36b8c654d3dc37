"""Every rule id a report can carry, in one table: the id, the module that reports it, and one
line of Chinese saying when it fires.

A finding's `rule` (contract §3) is keyed on by the portal and the bureau's statistics, so ids are
fixed: add new ones under the existing prefixes, never reuse one for another meaning. The
contract's ids are all here; the ones we added beyond it (document.role, document.unverifiable …,
engine.crash) are listed in tests/test_rules.py, which pins this table to the contract's.

Who uses the table:

* `calls.Call` refuses a call file whose `severities` name an id not in it (a typo) or leave out
  one of its ids (except an `optional` one): one-line `ConfigError` at load, not a crash when the
  rule first fires;
* `calls.Call.severity` refuses an id not in it (`lookup` raises `UnknownRuleError`: a bug in a
  check, not in the call);
* tests/test_rules.py checks that every rule id written anywhere in screening/ is in it, and that
  the module named for each id really reports it.

`module` is the module whose finding carries the id. The parsers' problems (`document.unreadable`,
`document.scanned` …, raised in screening/parsers/, errors.py, isolation.py) become findings in
checks/document.py, which is named for them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

IDENTITY = "screening.checks.identity"
DOCUMENT = "screening.checks.document"
ATTACHMENTS = "screening.checks.attachments"
ELIGIBILITY = "screening.checks.eligibility"
PATENT = "screening.checks.patent"
BUDGET = "screening.checks.budget"
BATCH_CHECKS = "screening.checks.batch"
BATCH = "screening.batch"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    module: str  # the module whose finding carries it (see the module docstring)
    description: str  # when it fires, one line of Chinese
    optional: bool = False  # a call may leave its severity out: the rule is then not reported


class UnknownRuleError(LookupError):
    """A rule id that is not in `RULES`: a check's bug (the call files are checked at load)."""


RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("identity.org", IDENTITY, "附件中出现申报单位、其别名或合作单位的名称"),
    Rule("identity.person", IDENTITY, "附件中出现项目组成员的姓名"),
    Rule("identity.contact", IDENTITY, "附件中出现申报单位或成员的电话、电子邮箱、网址、地址、统一社会信用代码或身份证号"),
    Rule("identity.metadata", IDENTITY, "文档属性或文件名透露身份信息"),
    Rule("identity.label", IDENTITY, "填写了“申报单位：…”“项目负责人：…”等栏目"),
    Rule("document.missing", ATTACHMENTS, "缺少项目类别要求的必需附件"),
    Rule("document.unreadable", DOCUMENT, "附件损坏、不完整或为空文件，或处理时出错"),
    Rule("document.encrypted", DOCUMENT, "附件设置了打开密码"),
    Rule("document.unsupported", DOCUMENT, "不支持的文件类型，或扩展名与内容不符"),
    Rule("document.role", DOCUMENT, "申报书或文件名所称的附件类型与内容不符"),
    Rule("document.no_identities", IDENTITY, "没有可比对的身份信息（check未给--org、--person或--application）"),
    Rule("document.scanned", DOCUMENT, "扫描页或图片中的文字未能识别（未安装OCR或置信度低）"),
    Rule("document.timeout", DOCUMENT, "解析或筛查超过时间限制（批处理和筛查引擎也报告）"),
    Rule("document.too_large", DOCUMENT, "解析超过大小或内存限制"),
    Rule("document.unverifiable", DOCUMENT, "附件中含文字的部分或其中的图片未能读取，无法确认未泄露身份"),
    Rule("document.text_repaired", DOCUMENT, "无法编码的字符（PDF字体映射损坏产生）已替换为U+FFFD"),
    Rule("document.application", BATCH, "批处理中application.json（或其指定的申报通知）不可用，项目未筛查"),
    Rule("engine.crash", BATCH, "批处理中筛查该项目时程序出错，需人工筛查"),
    Rule("eligibility.category", ELIGIBILITY, "项目类别不是本申报通知的类别"),
    Rule("eligibility.region", ELIGIBILITY, "申报单位所在地区不得申报该类别"),
    Rule("eligibility.industrial", ELIGIBILITY, "仅限工业企业申报的类别，申报单位不是工业企业"),
    Rule("eligibility.rd_investment", ELIGIBILITY, "申报单位上一年度研发投入不满足要求"),
    Rule("eligibility.blacklist", ELIGIBILITY, "申报单位在信用黑名单中"),
    Rule("eligibility.unaccepted", ELIGIBILITY, "申报单位有尚未验收的财政资助项目"),
    Rule("eligibility.leader_load", ELIGIBILITY, "项目负责人主持或参与的在研项目超过上限"),
    Rule("eligibility.deadline", ELIGIBILITY, "在申报截止之后提交"),
    Rule("eligibility.duration", ELIGIBILITY, "实施期限超过该类别的上限"),
    Rule("eligibility.sales", ELIGIBILITY, "产品销售收入低于该类别的下限"),
    Rule("eligibility.rd_budget", ELIGIBILITY, "项目研发投入预算低于该类别的下限"),
    Rule("eligibility.missing_value", ELIGIBILITY, "application.json缺少规则所需的数值，需人工核对"),
    Rule("patent.missing", PATENT, "发明专利产业化项目未上传发明专利证书"),
    Rule("patent.not_invention", PATENT, "证书是实用新型或外观设计，或不是已授权的专利"),
    Rule("patent.check_digit", PATENT, "专利号校验位错误或专利号格式不对"),
    Rule("patent.ownership", PATENT, "专利权人不止一个，或不是申报单位"),
    Rule("patent.expiry", PATENT, "专利剩余有效期少于申报通知的要求，或已届满"),
    Rule("patent.unreadable", PATENT, "证书上某项规则所需的内容未能可靠读取"),
    Rule("patent.number_mismatch", PATENT, "证书专利号与application.json填写的不一致"),
    Rule("patent.previously_funded", PATENT, "该专利已获得过产业化项目资助（申报通知配置了严重程度时才报告）",
         optional=True),
    Rule("budget.unreadable", BUDGET, "预算附件中读不出预算表"),
    Rule("budget.sum", BUDGET, "各项之和与表中合计不符"),
    Rule("budget.total_mismatch", BUDGET, "表中合计（或财政补助）与application.json填写的不一致"),
    Rule("budget.split", BUDGET, "某行财政补助与自筹之和与合计不符"),
    Rule("budget.rd_threshold", BUDGET, "预算表中的研发投入低于该类别的下限"),
    Rule("budget.total_missing", BUDGET, "读到了预算项目但没有合计行，无法核对"),
    Rule("budget.unit", BUDGET, "预算表未注明单位（万元或元），合计未予比对"),
    Rule("batch.quota", BATCH_CHECKS, "推荐单位某类别的项目数超过额度"),
    Rule("batch.duplicate", BATCH_CHECKS, "同一项目申报了不同类别"),
    Rule("batch.leader_load", BATCH_CHECKS, "同一负责人在本批中主持的项目超过上限"),
    Rule("batch.same_attachment", BATCH_CHECKS, "不同项目上传了相同的附件"),
    Rule("batch.deadline", BATCH_CHECKS, "本批中在申报截止之后提交的项目"),
)}

PREFIXES = frozenset(rule_id.split(".", 1)[0] for rule_id in RULES)

# The parsers' problems after which an attachment's content was not (fully) read: what was read is
# still screened, but a certificate, a budget or a masked copy cannot be vouched for.
NOT_READ = frozenset({"document.encrypted", "document.unreadable", "document.too_large", "document.timeout",
                      "document.unverifiable", "document.unsupported"})


def lookup(rule_id: str) -> Rule:
    """The registered rule; `UnknownRuleError` for an id not in `RULES`."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRuleError(f"规则编号“{rule_id}”未在screening/rules.py中登记") from None


def severities_problem(configured: Iterable[str]) -> str | None:
    """What is wrong with the ids of a call's `severities`, in Chinese (the first problem, and how
    many more): an id not in `RULES`, or a registered id left out (an `optional` one may be). None
    when they match."""
    given = list(configured)
    present = set(given)
    problems = [_unknown(rule_id) for rule_id in given if rule_id not in RULES]
    problems += [f"缺少规则“{rule.id}”（{rule.description}）" for rule in RULES.values()
                 if rule.id not in present and not rule.optional]
    if not problems:
        return None
    more = f"（另有{len(problems) - 1}处错误）" if len(problems) > 1 else ""
    return problems[0] + more


def _unknown(rule_id: str) -> str:
    close = difflib.get_close_matches(rule_id, RULES, n=1)
    return f"未知的规则“{rule_id}”" + (f"（应为 {close[0]}？）" if close else "（已登记的规则见screening/rules.py）")
