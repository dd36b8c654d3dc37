"""`eligibility.*`: the call's rules about the applicant and the project, from application.json.

Every threshold comes from the call file (`rules`, `categories`, `opens`/`closes`), so a new call
is a new YAML file. A value a rule needs that application.json does not give is never taken as
passing: it is `eligibility.missing_value` (warn), naming the field, for a person to check. These
findings are about the application, not a file: they carry no file and no location (contract §3).
Without application.json (`screening check` on loose files) there is nothing to check.

Edges (the notice's wording): R&D spending must be greater than rd_investment_min_exclusive;
the R&D budget and the sales at least their minimum (inclusive); the duration at most max_months;
the leader's ongoing projects at most the maxima; submission strictly before `closes` (17:00:00
is late) and not before `opens`.
"""

from __future__ import annotations

from collections.abc import Iterator

from screening.application import Application, Member
from screening.calls import Call, Category
from screening.checks.context import Context
from screening.model import Finding


def _num(value: float) -> str:
    return f"{value:g}"


class _Findings:
    """Collects findings for one application; a missing field is reported once."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.out: list[Finding] = []
        self.missing: set[str] = set()

    def fire(self, rule: str, message: str) -> None:
        self.out.append(Finding(rule=rule, severity=self.call.severity(rule), message=message))

    def absent(self, field: str, what: str, needed_for: str) -> None:
        if field not in self.missing:
            self.missing.add(field)
            self.fire("eligibility.missing_value",
                      f"application.json未填写{field}（{what}），无法核对“{needed_for}”，请人工核对")


def check(ctx: Context) -> Iterator[Finding]:
    app = ctx.application
    if app is None:
        return
    out = _Findings(ctx.call)
    _applicant(ctx.call, app, out)
    _leaders(ctx.call, app, out)
    _deadline(ctx.call, app, out)
    if app.budget is None or app.budget.total is None:
        out.absent("budget.total", "项目总经费", "经费预算表合计与申报总经费一致")
    category = _category(ctx.call, app, out)
    if category is not None:
        _category_rules(category, app, out)
    yield from out.out


def _category(call: Call, app: Application, out: _Findings) -> tuple[str, Category] | None:
    if app.category is None or not app.category.strip():
        out.absent("category", "项目类别", "申报主体、期限、销售收入、研发投入预算等类别条件")
        return None
    cid = call.category_id(app.category)
    if cid is None:
        known = "、".join(f"{c.names[0] if c.names else cid}（{cid}）" for cid, c in call.categories.items())
        out.fire("eligibility.category", f"项目类别“{app.category}”不是{call.title}的类别（可选：{known}）")
        return None
    return cid, call.categories[cid]


def _label(cid: str, category: Category) -> str:
    return category.names[0] if category.names else cid


def _applicant(call: Call, app: Application, out: _Findings) -> None:
    a, rules = app.applicant, call.rules
    if a.rd_investment_prev_year is None:
        out.absent("applicant.rd_investment_prev_year", "上年度研发投入", "申报单位上年度须有研发投入")
    elif a.rd_investment_prev_year <= rules.rd_investment_min_exclusive:
        floor = "大于0" if rules.rd_investment_min_exclusive == 0 else f"大于{_num(rules.rd_investment_min_exclusive)}万元"
        out.fire("eligibility.rd_investment",
                 f"申报单位上年度研发投入为{_num(a.rd_investment_prev_year)}万元，须{floor}")
    if rules.blacklist_forbidden:
        if a.blacklisted is None:
            out.absent("applicant.blacklisted", "是否列入信用黑名单", "申报单位不在信用黑名单")
        elif a.blacklisted:
            out.fire("eligibility.blacklist", "申报单位在信用黑名单中，不得申报")
    if a.unaccepted_projects is None:
        out.absent("applicant.unaccepted_projects", "未验收的市级以上财政补助项目数", "有未验收项目的企业不得申报")
    elif a.unaccepted_projects > rules.unaccepted_projects_max:
        allowed = "不得有" if rules.unaccepted_projects_max == 0 else f"至多{rules.unaccepted_projects_max}项"
        out.fire("eligibility.unaccepted",
                 f"申报单位有{a.unaccepted_projects}项市级以上财政补助科技项目未验收（{allowed}），不得申报")


def _leaders(call: Call, app: Application, out: _Findings) -> None:
    leaders = [m for m in app.team if m.role == "leader"]
    if not leaders:
        out.absent("team[role=leader]", "项目负责人", "项目负责人在研项目数")
    for leader in leaders:
        _leader_load(call, leader, out)


def _leader_load(call: Call, leader: Member, out: _Findings) -> None:
    rules = call.rules
    for field, count, maximum, role in (
        ("ongoing_as_leader", leader.ongoing_as_leader, rules.leader_max_ongoing_as_leader, "主持"),
        ("ongoing_as_member", leader.ongoing_as_member, rules.leader_max_ongoing_as_member, "作为主要参加人员参与"),
    ):
        if count is None:
            out.absent(f"team[{leader.name}].{field}", f"项目负责人{role}的在研市级以上项目数", "项目负责人在研项目数")
        elif count > maximum:
            out.fire("eligibility.leader_load",
                     f"项目负责人{leader.name}{role}在研市级以上科技计划项目{count}项，超过{maximum}项的上限")


def _deadline(call: Call, app: Application, out: _Findings) -> None:
    when = app.submitted_at
    if when is None:
        out.absent("submitted_at", "提交时间", "在申报系统关闭前提交")
        return
    if when.tzinfo is None:
        out.fire("eligibility.missing_value",
                 f"application.json的submitted_at（{when.isoformat()}）未注明时区，无法核对截止时间，请人工核对")
        return
    shown = when.astimezone(call.closes.tzinfo).strftime("%Y-%m-%d %H:%M")
    if when >= call.closes:
        out.fire("eligibility.deadline",
                 f"提交时间{shown}不早于申报截止时间{call.closes.strftime('%Y-%m-%d %H:%M')}，视为主动放弃")
    elif when < call.opens:
        out.fire("eligibility.deadline",
                 f"提交时间{shown}早于申报系统开放时间{call.opens.strftime('%Y-%m-%d %H:%M')}，不属于本次申报")


def _category_rules(found: tuple[str, Category], app: Application, out: _Findings) -> None:
    cid, category = found
    name = _label(cid, category)
    a = app.applicant
    if a.region is None or not a.region.strip():
        out.absent("applicant.region", "申报单位所在地区", f"{name}的申报主体范围")
    elif a.region not in category.regions:
        out.fire("eligibility.region",
                 f"申报单位所在地区“{a.region}”不在{name}的申报范围（{'、'.join(category.regions)}）内")
    if category.industrial_only:
        if a.industrial is None:
            out.absent("applicant.industrial", "是否为工业企业", f"{name}仅限工业企业申报")
        elif not a.industrial:
            out.fire("eligibility.industrial", f"{name}仅限工业企业申报，申报单位不是工业企业")
    if category.max_months is not None:
        if app.implementation_months is None:
            out.absent("implementation_months", "项目实施期限（月）", f"{name}实施期限")
        elif app.implementation_months > category.max_months:
            out.fire("eligibility.duration",
                     f"{name}实施期限为{app.implementation_months}个月，超过{category.max_months}个月的上限")
    if category.sales_min is not None:
        if app.sales_revenue is None:
            out.absent("sales_revenue", "产品销售收入（万元）", f"{name}产品销售收入")
        elif app.sales_revenue < category.sales_min:
            out.fire("eligibility.sales",
                     f"{name}产品销售收入为{_num(app.sales_revenue)}万元，低于{_num(category.sales_min)}万元的要求")
    if category.rd_budget_min is not None:
        rd = app.budget.rd if app.budget else None
        if rd is None:
            out.absent("budget.rd", "研发投入预算（万元）", f"{name}研发投入预算")
        elif rd < category.rd_budget_min:
            out.fire("eligibility.rd_budget",
                     f"{name}研发投入预算为{_num(rd)}万元，低于{_num(category.rd_budget_min)}万元（含）的要求")
