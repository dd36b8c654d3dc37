"""The call's patent rules (shared/spec/patents.md §8) on a read certificate: `evaluate` checks
E1–E9 against the applicant's names and a reference date R and returns a `PatentRecord`. Each
rule gives PASS, FAIL or REVIEW with a reason code (the codes and the E-numbers are the report's
contract; checks/patent.py maps codes to findings), or SKIPPED when the data it needs is not given
or the call does not ask for it (then it does not count). The record is eligible (true) when every
counted rule passes, not (false) when one fails, and not known (None) when one needs a review.

| rule | function | checks |
| --- | --- | --- |
| E1 | `_readable` | the certificate could be read; a scan only when read sure and agreeing with itself (`ocr_reading`) |
| E2 | `_is_invention` | the patent is an invention; every type signal agrees |
| E3 | `_number_valid` | the patent number is well formed, its check digit right |
| E4 | `_granted` | a grant, announced on or before R |
| E5 | `_sole_owner` | one patentee |
| E6 | `_owner_is_applicant` | the patentee is the applicant (or a former name) |
| E7 | `_term_left` | at least `min_years_remaining` years to the statutory expiry |
| E8 | `IN_FORCE_UNVERIFIED` | still in force: not on the certificate, always SKIPPED |
| E9 | `_not_funded_before` | not funded before (application.json) |

Decisions on the points the spec leaves open ([U]):

* Boundary (E7): R = add_years(F, 15) is eligible ("不少于"); the rule is calendar-based, so
  `years_remaining` (a rounded figure for people) may show 4.99 or 5.0 on that day.
* 29 February: add_years() falls back to 28 February, for the term end as for the E7 cutoff.
* E8 (still in force): the certificate shows the status at registration only and no register
  data is read, so E8 is SKIPPED with code STATUS_UNVERIFIED — reported, not counted
  ("warn-only" in the spec's words, and quieter: no finding, only the block says it).
* E9: application.json carries only `patent.previously_funded`: true → FAIL FUNDED_BEFORE,
  false → PASS, absent → SKIPPED (the core-product link and the absence of disputes are
  declarations in the 承诺书, read by a person).
* E1 on a certificate read by OCR (§4: OCR-derived key fields need a person's confirmation before
  PASS — unless the reading is sure): PASS (OCR_READ) when the key fields 专利号, 专利申请日,
  授权公告日 and 专利权人 were each read with at least the call's `ocr_min_confidence` and the
  certificate agrees with itself — check character; the number's year equal to the filing year
  (a PCT national phase, type 8/9: up to `pct_year_lag_max` years later; a divisional's later
  year goes to a person); the type digit equal to the heading's type; grant after filing; the
  filing MM-DD equal to the annual-fee date. A key field (or the heading) not read, or read less
  sure: REVIEW OCR_CONFIRM; a cross-check that disagrees: REVIEW OCR_INCONSISTENT. On a scan, a
  FAIL read from one doubtful field (E4 from the publication number, E5 from the patentees, E7
  from the filing date: `DOUBTABLE`) is REVIEW with the same code — a misread must not fail a
  project; E2 fails only when every type signal agrees, so it stands. A two-page certificate with
  a page missing is only noted (`missing_pages`): page 1 carries every field the rules need.
* E6: the applicant's aliases count as former names (an exact match after `screening.text.norm`,
  never fuzzy). A patentee field that wraps without a separator is resolved as one name only when
  the joined lines are exactly the applicant's name or a former name; otherwise REVIEW.
* E2: the heading is the primary signal; the number's type digit, the publication number's
  leading digit and kind, the title label (发明名称/实用新型名称/外观设计名称) and the term
  sentence must agree with it, else REVIEW. A pre-1989 number without check digit is malformed
  under §5's algorithm (REVIEW); such a patent has long expired, so E7 fails anyway.
* Switch from the two-page to the one-page layout: both are read, no date is assumed.
* Design terms: 15 years when filed on/after 2021-06-01, else 10 (§7); a design never passes E2.
* Term adjustment / drug extension: ignored (the certificate does not show them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from screening.patents.certificate import Certificate
from screening.patents.kinds import TYPE_WORD, Outcome, PatentType
from screening.patents.numbers import add_years, lapse_date, statutory_term, years_between
from screening.patents.record import PatentRecord, RuleResult
from screening.text import norm


@dataclass(frozen=True, slots=True)
class Policy:
    """The call's patent rules (pipelines/<call>.yaml `patent:`; `attachment.policy` builds it)."""

    min_years_remaining: float
    require_invention: bool
    require_sole_owner: bool
    require_owner_is_applicant: bool
    ocr_min_confidence: float  # E1: a scanned certificate's key fields are read at least this sure
    pct_year_lag_max: int  # E1: a PCT number's year may follow the filing year by at most this


# The fields a scanned certificate's rules are read from (E1): each must be read, sure enough.
KEY_FIELDS: dict[str, str] = {"number": "专利号", "filing_date": "专利申请日", "grant_date": "授权公告日",
                              "patentees": "专利权人"}
FIELD_WORD: dict[str, str] = {**KEY_FIELDS, "publication": "授权公告号"}


@dataclass(frozen=True, slots=True)
class OcrReading:
    """How far a scanned certificate's reading can be trusted (E1): the key fields not read, those
    read less sure than the call's `ocr_min_confidence`, and the cross-checks that disagree, each
    with the fields it puts in doubt."""

    unread: tuple[str, ...]  # key fields (and 证书标题) with no value, in words
    scores: tuple[tuple[str, float], ...]  # (field, confidence) of the fields of FIELD_WORD read
    minimum: float  # the call's ocr_min_confidence
    conflicts: tuple[tuple[str, frozenset[str]], ...]  # (reason, fields it puts in doubt)

    @property
    def unsure(self) -> tuple[tuple[str, float], ...]:
        """The key fields read less sure than the minimum."""
        return tuple((key, score) for key, score in self.scores if key in KEY_FIELDS and score < self.minimum)

    def doubts(self) -> dict[str, str]:
        """Field → why its value may be misread (a low score, a cross-check that disagrees)."""
        out: dict[str, str] = {key: f"识别置信度{score:.2f}，低于{self.minimum:.2f}"
                               for key, score in self.scores if score < self.minimum}
        for reason, keys in self.conflicts:
            for key in keys:
                out[key] = f"{out[key]}；{reason}" if key in out else reason
        return out


def _field_read(c: Certificate, key: str) -> bool:
    value = {"number": c.number, "filing_date": c.filing_date, "grant_date": c.grant_date,
             "patentees": c.patentees or None, "publication": c.publication}[key]
    return value is not None


def _year_conflict(c: Certificate, policy: Policy) -> str | None:
    """The number's year against the filing date's (§5): equal for a direct filing; for a PCT
    national phase (type 8/9) the number is issued on entry, up to `pct_year_lag_max` years later.
    A divisional keeps its parent's filing date, so its number's year is later: a person checks it."""
    n, filing = c.number, c.filing_date
    if n is None or not n.valid or n.year is None or filing is None:
        return None
    lag = n.year - filing.year
    if n.pct and 0 <= lag <= policy.pct_year_lag_max:
        return None
    if not n.pct and lag == 0:
        return None
    if n.pct:
        return (f"专利号{n.normalized}中的年份{n.year}与专利申请日{filing.isoformat()}不符"
                f"（PCT进入国家阶段的专利号年份应在申请日当年至其后{policy.pct_year_lag_max}年内）")
    note = "（分案申请的专利号年份晚于申请日，需核对）" if lag > 0 else ""
    return f"专利号{n.normalized}中的年份{n.year}与专利申请日{filing.isoformat()}不符{note}"


def ocr_reading(c: Certificate, policy: Policy) -> OcrReading:
    """The reading of a scanned certificate weighed (E1): each key field read, with at least the
    call's confidence, and the certificate agreeing with itself — the check character, the year in
    the number against the filing date, the number's type digit against the heading, the grant
    after the filing, the filing date against the annual-fee date."""
    unread = [KEY_FIELDS[key] for key in KEY_FIELDS if not _field_read(c, key)]
    if c.heading_type is None:
        unread.append("证书标题")
    scores = tuple((key, c.confidence(key)) for key in FIELD_WORD if _field_read(c, key))
    conflicts: list[tuple[str, frozenset[str]]] = []
    n = c.number
    if n is not None and n.problem == "CHECK_DIGIT":
        conflicts.append((f"专利号{n.normalized}的校验位为{n.check}，按校验规则应为{n.expected}", frozenset({"number"})))
    elif n is not None and n.problem is not None:
        conflicts.append((f"专利号“{' '.join(n.raw.split())}”格式不符", frozenset({"number"})))
    if (year := _year_conflict(c, policy)) is not None:
        conflicts.append((year, frozenset({"number", "filing_date"})))
    if n is not None and n.type is not None and c.heading_type is not None and n.type is not c.heading_type:
        conflicts.append((f"专利号类型位“{n.type_digit}”（{TYPE_WORD[n.type]}）与证书标题"
                          f"（{TYPE_WORD[c.heading_type]}专利证书）不符", frozenset({"number"})))
    if c.filing_date is not None and c.grant_date is not None and c.grant_date <= c.filing_date:
        conflicts.append((f"授权公告日{c.grant_date.isoformat()}不晚于专利申请日{c.filing_date.isoformat()}",
                          frozenset({"filing_date", "grant_date"})))
    if c.fee_due is not None and c.filing_date is not None and (c.filing_date.month, c.filing_date.day) != c.fee_due:
        conflicts.append((f"专利申请日与年费缴纳日“每年{c.fee_due[0]:02d}月{c.fee_due[1]:02d}日”不符",
                          frozenset({"filing_date"})))
    return OcrReading(tuple(unread), scores, policy.ocr_min_confidence, tuple(conflicts))


def _readable(c: Certificate, policy: Policy) -> RuleResult:
    """E1: the certificate could be read (labels or a heading) and its filing date agrees with the
    annual-fee date; a scanned one only when its key fields were read sure enough and agree
    (`ocr_reading`)."""
    if c.labels_seen < 2 and not c.headings:
        return RuleResult("E1", Outcome.REVIEW, "UNREADABLE",
                          "证书中未能读出专利号、申请日、专利权人等栏目（无文字层或无法识别），需人工查看")
    if c.fee_due is not None and c.filing_date is not None and (c.filing_date.month, c.filing_date.day) != c.fee_due:
        month, day = c.fee_due
        return RuleResult("E1", Outcome.REVIEW, "FEE_DATE_MISMATCH",
                          f"专利申请日{c.filing_date:%m月%d日}与年费缴纳日“每年{month:02d}月{day:02d}日”不一致，"
                          "申请日可能识别有误，需核对原件", "filing_date")
    if not c.ocr:
        return RuleResult("E1", Outcome.PASS, "READABLE", "证书文字可读")
    reading = ocr_reading(c, policy)
    minimum = f"{policy.ocr_min_confidence:.2f}"
    if reading.unread or reading.unsure:
        problems = ([f"未读出{'、'.join(reading.unread)}"] if reading.unread else []) + \
            [f"{FIELD_WORD[key]}识别置信度{score:.2f}低于{minimum}" for key, score in reading.unsure] + \
            [reason for reason, _ in reading.conflicts]
        field = reading.unsure[0][0] if reading.unsure else None
        return RuleResult("E1", Outcome.REVIEW, "OCR_CONFIRM",
                          f"证书为扫描件，{'；'.join(problems)}，OCR识别结果需人工核对原件后方可确认", field)
    if reading.conflicts:
        doubted = {key for _, fields in reading.conflicts for key in fields}
        return RuleResult("E1", Outcome.REVIEW, "OCR_INCONSISTENT",
                          f"证书为扫描件，识别结果前后不符（{'；'.join(r for r, _ in reading.conflicts)}），"
                          "可能识别有误，需人工核对原件", next(key for key in KEY_FIELDS if key in doubted))
    return RuleResult("E1", Outcome.PASS, "OCR_READ",
                      f"证书为扫描件：专利号、专利申请日、授权公告日、专利权人识别置信度均不低于{minimum}，"
                      "校验位、专利号年份与申请日、类型位与证书标题、授权晚于申请均相符")


def _type_signals(c: Certificate) -> dict[str, PatentType]:
    signals: dict[str, PatentType] = {}
    if c.heading_type is not None:
        signals["证书标题"] = c.heading_type
    if c.number is not None and c.number.type is not None:
        signals["专利号类型位"] = c.number.type
    if c.publication is not None and c.publication.consistent and c.publication.kind_type is not None:
        signals["授权公告号"] = c.publication.kind_type
    if c.title_label_type is not None:
        signals["名称栏目"] = c.title_label_type
    return signals


def _term_fits(kind: PatentType, years: int) -> bool:
    return years == 20 if kind is PatentType.INVENTION else years == 10 if kind is PatentType.UTILITY_MODEL \
        else years in (10, 15)


def _is_invention(c: Certificate, policy: Policy) -> RuleResult:
    """E2: an invention patent, every type signal (heading, number, publication, title label, term) agreeing."""
    signals = _type_signals(c)
    problems = [f"{name}为{TYPE_WORD[kind]}" for name, kind in signals.items()]
    if len(c.headings) > 1:
        problems.append("证书出现多个类型标题")
    if c.publication is not None and not c.publication.consistent:
        problems.append(f"授权公告号{c.publication.normalized}的首位数字与类型代码不符")
    kinds = set(signals.values()) | (set(c.headings) if len(c.headings) > 1 else set())
    kind = c.type
    if not kinds:
        return RuleResult("E2", Outcome.REVIEW, "TYPE_UNREADABLE", "未能读出专利类型（证书标题、专利号均不可读）", "number")
    term_conflict = c.term_stated is not None and kind is not None and not _term_fits(kind, c.term_stated)
    if len(kinds) > 1 or term_conflict or (c.publication is not None and not c.publication.consistent):
        detail = "；".join(problems + ([f"期限语句为{c.term_stated}年"] if term_conflict else []))
        return RuleResult("E2", Outcome.REVIEW, "TYPE_CONFLICT", f"专利类型信号不一致（{detail}），需人工核对", "number")
    assert kind is not None
    if not policy.require_invention:
        return RuleResult("E2", Outcome.SKIPPED, "NOT_REQUIRED", f"本指南不限专利类型（证书为{TYPE_WORD[kind]}专利）")
    if kind is not PatentType.INVENTION:
        return RuleResult("E2", Outcome.FAIL, "NOT_INVENTION",
                          f"证书为{TYPE_WORD[kind]}专利证书（{'；'.join(problems)}），发明专利产业化项目须为发明专利",
                          "number")
    return RuleResult("E2", Outcome.PASS, "INVENTION", f"发明专利（{'；'.join(problems)}）")


def _number_valid(c: Certificate) -> RuleResult:
    """E3: the patent number is well formed and its check character right (§5); never corrected."""
    n = c.number
    if n is None:
        return RuleResult("E3", Outcome.REVIEW, "NUMBER_UNREADABLE", "未能读出专利号", "number")
    shown = " ".join(n.raw.split())
    if n.problem == "CHECK_DIGIT":
        return RuleResult("E3", Outcome.REVIEW, "CHECK_DIGIT",
                          f"专利号{shown}的校验位为{n.check}，按专利号校验规则应为{n.expected}"
                          "（常见于识别或录入错误），请核对原件或重新上传", "number")
    if n.problem == "YEAR":
        return RuleResult("E3", Outcome.REVIEW, "MALFORMED", f"专利号{shown}中的年份{n.year}不可能出现", "number")
    if n.problem == "TYPE":
        return RuleResult("E3", Outcome.REVIEW, "MALFORMED", f"专利号{shown}的类型位“{n.type_digit}”不存在", "number")
    if n.problem == "MALFORMED":
        return RuleResult("E3", Outcome.REVIEW, "MALFORMED",
                          f"专利号“{shown}”格式不正确（应为ZL+8或12位数字+“.”+校验位）", "number")
    return RuleResult("E3", Outcome.PASS, "VALID", f"专利号{n.normalized}校验位正确")


def _granted(c: Certificate, reference: date) -> RuleResult:
    """E4: a grant (not an application's papers or publication), announced after filing and by R."""
    if c.not_granted is not None:
        return RuleResult("E4", Outcome.FAIL, "NOT_GRANTED", f"上传的是“{c.not_granted}”，不是授权的专利证书")
    pub = c.publication
    if pub is not None and pub.granted is False:
        return RuleResult("E4", Outcome.FAIL, "NOT_GRANTED",
                          f"公告号{pub.normalized}为申请公布号（{pub.kind}类），专利尚未授权", "publication")
    if "publication" in c.fields and pub is None:
        return RuleResult("E4", Outcome.REVIEW, "PUBLICATION_UNREADABLE",
                          f"授权公告号“{c.fields['publication'].raw}”无法识别", "publication")
    if pub is not None and pub.granted is None:
        return RuleResult("E4", Outcome.REVIEW, "PUBLICATION_KIND",
                          f"授权公告号{pub.normalized}的类型代码{pub.kind}不是授权公告（可能为更正或部分无效公告）",
                          "publication")
    if c.grant_date is None:
        return RuleResult("E4", Outcome.REVIEW, "GRANT_DATE_UNREADABLE", "未能读出授权公告日", "grant_date")
    if c.filing_date is not None and c.grant_date < c.filing_date:
        return RuleResult("E4", Outcome.REVIEW, "DATES_INCONSISTENT",
                          f"授权公告日{c.grant_date.isoformat()}早于专利申请日{c.filing_date.isoformat()}，需核对",
                          "grant_date")
    if c.grant_date > reference:
        return RuleResult("E4", Outcome.REVIEW, "GRANT_AFTER_REFERENCE",
                          f"授权公告日{c.grant_date.isoformat()}晚于参考日{reference.isoformat()}", "grant_date")
    return RuleResult("E4", Outcome.PASS, "GRANTED", f"已于{c.grant_date.isoformat()}授权公告")


def _owner_match(patentees: Sequence[str], owners: Sequence[str]) -> bool:
    keys = {norm(o) for o in owners if o.strip()}
    return bool(patentees) and all(norm(p) in keys for p in patentees)


def _sole_owner(c: Certificate, policy: Policy, owners: Sequence[str] | None) -> RuleResult:
    """E5: one patentee; a patentee field wrapped without a separator is one only when it is the applicant."""
    if not policy.require_sole_owner:
        return RuleResult("E5", Outcome.SKIPPED, "NOT_REQUIRED", "本指南不要求独有专利权")
    if not c.patentees:
        return RuleResult("E5", Outcome.REVIEW, "PATENTEE_UNREADABLE", "未能读出专利权人", "patentees")
    if c.patentees_ambiguous and not (owners and _owner_match(c.patentees, owners)):
        return RuleResult("E5", Outcome.REVIEW, "AMBIGUOUS_WRAP",
                          f"专利权人栏跨行且无分隔符（“{c.fields['patentees'].raw}”），无法确定是一个还是多个专利权人",
                          "patentees")
    if len(c.patentees) > 1:
        return RuleResult("E5", Outcome.FAIL, "NOT_SOLE",
                          f"专利权人有{len(c.patentees)}个（{'；'.join(c.patentees)}），不是申报单位独有", "patentees")
    note = "（跨行的名称与申报单位名称一致，按一个专利权人计）" if c.patentees_ambiguous else ""
    return RuleResult("E5", Outcome.PASS, "SOLE", f"专利权人唯一：{c.patentees[0]}{note}")


NO_APPLICANT = "NO_APPLICANT"  # E6's code when no applicant was given: the owner was not checked


def _owner_is_applicant(c: Certificate, policy: Policy, owners: Sequence[str] | None) -> RuleResult:
    """E6: every patentee is the applicant or one of its former names (exact after `norm`)."""
    if not policy.require_owner_is_applicant:
        return RuleResult("E6", Outcome.SKIPPED, "NOT_REQUIRED", "本指南不要求专利权人为申报单位")
    if owners is None:
        return RuleResult("E6", Outcome.SKIPPED, NO_APPLICANT, "未提供申报单位，未核对专利权人")
    if not c.patentees:
        return RuleResult("E6", Outcome.REVIEW, "PATENTEE_UNREADABLE", "未能读出专利权人", "patentees")
    if _owner_match(c.patentees, owners):
        former = not _owner_match(c.patentees, owners[:1])
        note = "（与申报单位曾用名一致，需提供更名证明）" if former else ""
        return RuleResult("E6", Outcome.PASS, "OWNER_IS_APPLICANT", f"专利权人为申报单位{note}")
    others = [p for p in c.patentees if norm(p) not in {norm(o) for o in owners}]
    return RuleResult("E6", Outcome.REVIEW, "OWNER_MISMATCH",
                      f"专利权人“{'；'.join(others)}”与申报单位“{owners[0]}”不一致"
                      "（如系更名或转让，需提供专利登记簿副本等证明）", "patentees")


def _cutoff(filing: date, term: int, min_years: float, lapse: date) -> date:
    """The last reference date with at least `min_years` left: add_years(F, term − min) (§8 E7)."""
    if float(min_years).is_integer():
        return add_years(filing, term - int(min_years))
    return lapse - timedelta(days=round(min_years * 365.25))


def _term_left(c: Certificate, policy: Policy, reference: date, term: int | None) -> RuleResult:
    """E7: at R, at least `min_years_remaining` years to the statutory expiry (boundary included)."""
    if c.filing_date is None:
        shown = f"“{c.fields['filing_date'].raw}”" if c.present("filing_date") else ""
        return RuleResult("E7", Outcome.REVIEW, "FILING_DATE_UNREADABLE", f"未能读出专利申请日{shown}，无法计算保护期",
                          "filing_date")
    if term is None:
        return RuleResult("E7", Outcome.REVIEW, "TERM_UNKNOWN", "专利类型不明，无法确定保护期", "filing_date")
    lapse = lapse_date(c.filing_date, term)
    expiry = lapse - timedelta(days=1)
    left = years_between(reference, expiry)
    if reference >= lapse:
        return RuleResult("E7", Outcome.FAIL, "EXPIRED",
                          f"专利权保护期（申请日{c.filing_date.isoformat()}起{term}年）已于{expiry.isoformat()}届满",
                          "filing_date")
    cutoff = _cutoff(c.filing_date, term, policy.min_years_remaining, lapse)
    minimum = f"{policy.min_years_remaining:g}"
    if reference > cutoff:
        return RuleResult("E7", Outcome.FAIL, "TERM_SHORT",
                          f"保护期至{expiry.isoformat()}届满，参考日{reference.isoformat()}距法定期限到期约{left}年，"
                          f"不足{minimum}年（须在{cutoff.isoformat()}前申报）", "filing_date")
    return RuleResult("E7", Outcome.PASS, "TERM_OK",
                      f"保护期至{expiry.isoformat()}，距法定期限到期约{left}年，不少于{minimum}年")


def _not_funded_before(previously_funded: bool | None) -> RuleResult:
    """E9: not funded before, as application.json declares; the other declarations are a person's."""
    if previously_funded is None:
        return RuleResult("E9", Outcome.SKIPPED, "NO_DECLARATION",
                          "与主导产品的关联、无权属纠纷、未获产业化资助等声明需人工核对承诺书")
    if previously_funded:
        return RuleResult("E9", Outcome.FAIL, "FUNDED_BEFORE", "该专利已获得过产业化项目资助，不得重复申报")
    return RuleResult("E9", Outcome.PASS, "NOT_FUNDED_BEFORE", "申报书声明该专利未获产业化资助（关联与纠纷声明需人工核对）")


# A FAIL read from one field (E4 from the publication number, E5 from the patentees, E7 from the
# filing date) stands on a scan only when that field is sure; E2 fails only when every type
# signal (heading, type digit, publication number, title label, term) agrees, so it stands.
DOUBTABLE = frozenset({"E4", "E5", "E7"})


def _in_doubt(result: RuleResult, doubts: dict[str, str]) -> RuleResult:
    """A FAIL read from a scanned field that may be misread (`OcrReading.doubts`) → REVIEW."""
    if result.outcome is not Outcome.FAIL or result.rule not in DOUBTABLE or result.field is None \
            or result.field not in doubts:
        return result
    why = doubts[result.field]
    return RuleResult(result.rule, Outcome.REVIEW, result.code,
                      f"{result.reason}；但{FIELD_WORD[result.field]}为扫描件识别结果（{why}），需核对原件后确认",
                      result.field)


# E8: whether the patent is still in force is not on the certificate (see the module docstring).
IN_FORCE_UNVERIFIED = RuleResult("E8", Outcome.SKIPPED, "STATUS_UNVERIFIED",
                                 "证书仅记载登记时的状态；专利权是否仍有效（年费、放弃、无效）需查询专利登记簿")


def evaluate(
    certificate: Certificate,
    *,
    reference: date,
    policy: Policy,
    owners: Sequence[str] | None = None,
    previously_funded: bool | None = None,
) -> PatentRecord:
    """Check E1–E9 (§8) at reference date R. `owners`: the applicant's name then its former names
    (None: no applicant known, E6 is skipped)."""
    c = certificate
    kind = c.type
    if kind is not None and c.filing_date is not None:
        term: int | None = statutory_term(kind, c.filing_date)
    else:
        term = c.term_stated
    lapse = lapse_date(c.filing_date, term) if c.filing_date is not None and term is not None else None
    expiry = lapse - timedelta(days=1) if lapse is not None else None
    rules: tuple[RuleResult, ...] = (
        _readable(c, policy),
        _is_invention(c, policy),
        _number_valid(c),
        _granted(c, reference),
        _sole_owner(c, policy, owners),
        _owner_is_applicant(c, policy, owners),
        _term_left(c, policy, reference, term),
        IN_FORCE_UNVERIFIED,
        _not_funded_before(previously_funded),
    )
    if c.ocr:
        doubts = ocr_reading(c, policy).doubts()
        rules = tuple(_in_doubt(r, doubts) for r in rules)
    return PatentRecord(
        certificate=c,
        reference_date=reference,
        term_years=term,
        lapse_date=lapse,
        expiry_date=expiry,
        years_remaining=years_between(reference, expiry) if expiry is not None else None,
        rules=rules,
    )

