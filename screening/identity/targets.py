"""What the portal knows that an attachment must not reveal: the applicant and its partners with
every variant of their names, the team members, and their contacts (application.json, contract §1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from screening.application import Application
from screening.calls import IdentityRules
from screening.identity.orgnames import pinyin_tables, variants
from screening.text import norm


class TargetKind(StrEnum):
    ORG = "org"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class Target:
    """One string whose presence in an attachment reveals an identity."""

    kind: TargetKind
    text: str  # what to look for
    identity: str  # the identity it points at (the full name)
    method: str  # exact | alias | pinyin
    role: str  # applicant | partner | leader | member
    why: str = ""  # how the variant was made: 全称, 简称, 字号, 字号拼音, 习惯简称 …
    form: str = "short_form"  # its evidence weight (call file identity.evidence.weights)
    trade: str = ""  # the 字号 a derived form is built on

    @property
    def latin(self) -> bool:
        return norm(self.text).isascii()


def _org_targets(name: str, aliases: tuple[str, ...], role: str, websites: tuple[str | None, ...],
                 rules: IdentityRules, places: tuple[str, ...] = ()) -> list[Target]:
    found = variants(name, aliases, websites, common_min_freq=rules.common_word_min_freq,
                     min_length=rules.min_alias_length, places=places)
    return [Target(TargetKind.ORG, v.text, name, v.method, role, v.why, v.form, v.trade) for v in found]


def _person_targets(name: str, role: str) -> list[Target]:
    key = norm(name)
    out = [Target(TargetKind.PERSON, name, name, "exact", role, "姓名", "person_full" if len(key) >= 3 else "person_short")]
    if len(key) >= 3 and all("\u4e00" <= c <= "\u9fff" for c in key):
        from screening.lexicons import lines

        syllables = pinyin_tables().lazy_pinyin(key)
        surname_len = 2 if key[:2] in set(lines("surnames.txt")) else 1
        family, given = "".join(syllables[:surname_len]), "".join(syllables[surname_len:])
        out += [Target(TargetKind.PERSON, family + given, name, "pinyin", role, "姓名拼音", "pinyin"),
                Target(TargetKind.PERSON, given + family, name, "pinyin", role, "姓名拼音（名在前）", "pinyin")]
    return out


def identities(app: Application | None, rules: IdentityRules, orgs: tuple[str, ...] = (),
               persons: tuple[str, ...] = ()) -> list[Target]:
    """Every name the attachments must not contain: applicant, aliases, partners, team members."""
    out: list[Target] = []
    if app is not None:
        a = app.applicant
        home = (*rules.home_places, *((_short_place(a.region),) if a.region else ()))
        out += _org_targets(a.name, a.aliases, "applicant", (a.website, a.email), rules, home)
        for p in app.partners:
            out += _org_targets(p.name, p.aliases, "partner", (), rules)
        for m in app.team:
            out += _person_targets(m.name, "leader" if m.role == "leader" else "member")
    for org in orgs:
        if org.strip():
            out += _org_targets(org.strip(), (), "applicant", (), rules)
    for person in persons:
        if person.strip():
            out += _person_targets(person.strip(), "member")
    return out


def _short_place(region: str) -> str:
    """龙游县 → 龙游, 柯城区 → 柯城 (how a place stands before a 字号)."""
    r = region.strip()
    for end in ("自治县", "县", "区", "市"):
        if r.endswith(end) and len(r) - len(end) >= 2:
            return r[: -len(end)]
    return r


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CREDIT_CODE = "credit_code"
    ID_NUMBER = "id_number"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class Contact:
    kind: ContactKind
    key: str  # canonical form: digits of a phone, lower-case e-mail, upper-case code, normalised address
    shown: str  # as typed into the portal
    owner: str  # whose it is (the organisation's or the member's name)


# the house address after the last administrative unit: 衢州市柯城区世纪大道88号 → 世纪大道88号,
# …柯城区钟楼底2号 → 钟楼底2号 (a street, lane or park name and its number)
_STREET = re.compile(r"(?:^|区|县|市|镇|乡|街道)((?:(?![区县市镇乡])[\u4e00-\u9fff]){2,12}?\d+号)")


def phone_keys(phone: str) -> list[str]:
    """Canonical digit strings of a phone: the whole number, and for a landline its local part."""
    digits = re.sub(r"\D", "", phone)
    keys = [digits] if len(digits) >= 7 else []
    if digits.startswith("0") and len(digits) >= 10:  # 0570-3012345 is also written 3012345
        for area in (3, 4):
            local = digits[area:]
            if 7 <= len(local) <= 8:
                keys.append(local)
    return keys


def contacts(app: Application | None) -> list[Contact]:
    """The contacts of the applicant and of every member, in canonical form."""
    if app is None:
        return []
    out: list[Contact] = []
    a = app.applicant
    owners: list[tuple[str, str | None, str | None]] = [(a.name, a.phone, a.email)]
    owners += [(m.name, m.phone, m.email) for m in app.team]
    for owner, phone, email in owners:
        if phone:
            out += [Contact(ContactKind.PHONE, k, phone, owner) for k in phone_keys(phone)]
        if email:
            out.append(Contact(ContactKind.EMAIL, email.strip().lower(), email, owner))
    if a.credit_code:
        out.append(Contact(ContactKind.CREDIT_CODE, a.credit_code.strip().upper(), a.credit_code, a.name))
    for m in app.team:
        if m.id_number:
            out.append(Contact(ContactKind.ID_NUMBER, m.id_number.strip().upper(), m.id_number, m.name))
    if a.address:
        for street in _STREET.findall(norm(a.address)):
            for key in {street, street.rpartition("街道")[2]}:
                if len(key) >= 4:
                    out.append(Contact(ContactKind.ADDRESS, key, a.address, a.name))
    return out  # websites and e-mail domains are name variants (orgnames.web_stem)
