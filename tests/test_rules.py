"""The rule-id registry (screening/rules.py): every id a check can emit is in it, it is the
contract's table plus the additions listed here, and the call files name exactly its ids."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

import screening
from screening import rules
from screening.calls import call_path, load_call
from screening.checks import patent
from screening.errors import AttachmentError
from screening.rules import RULES

PACKAGE = Path(screening.__file__).resolve().parent
ROOT = PACKAGE.parent
CONTRACT = ROOT.parent / "shared" / "spec" / "contract.md"

# The rule ids of contract §3, as the contract lists them.
CONTRACT_IDS = frozenset({
    "identity.org", "identity.person", "identity.contact", "identity.metadata", "identity.label",
    "document.missing", "document.unreadable", "document.encrypted", "document.unsupported", "document.scanned",
    "document.timeout", "document.too_large",
    "eligibility.category", "eligibility.region", "eligibility.industrial", "eligibility.rd_investment",
    "eligibility.blacklist", "eligibility.unaccepted", "eligibility.leader_load", "eligibility.deadline",
    "eligibility.duration", "eligibility.sales", "eligibility.rd_budget",
    "patent.missing", "patent.not_invention", "patent.check_digit", "patent.ownership", "patent.expiry",
    "budget.unreadable", "budget.sum", "budget.total_mismatch", "budget.split",
    "batch.quota", "batch.duplicate", "batch.leader_load", "batch.same_attachment",
})
# The ids we added beyond the contract (under its prefixes, as it allows, but engine.crash). Adding
# one is a conscious change: here, in screening/rules.py and in every call file's `severities`.
ADDED_IDS = frozenset({
    "document.role", "document.no_identities", "document.unverifiable", "document.text_repaired",
    "document.application", "engine.crash",
    "eligibility.missing_value",
    "patent.unreadable", "patent.number_mismatch", "patent.previously_funded",
    "budget.rd_threshold", "budget.total_missing", "budget.unit",
    "batch.deadline",
})
# Strings in screening/ shaped like a rule id that are not one.
NOT_RULES = frozenset({
    "budget.total", "budget.rd", "budget.subsidy",  # application.json fields (eligibility, budget checks)
    "identity.engine",  # the identity check's `Context.once` key
})
# Where the parsers' problems are raised (they become findings in checks/document.py).
PROBLEM_SOURCES = ("screening.parsers", "screening.errors", "screening.isolation")
ID = re.compile(rf"(?:{'|'.join(sorted(rules.PREFIXES))})\.[a-z_]+")


def _strings(path: Path) -> set[str]:
    """The string constants of a module that look like a rule id (comments and docstrings aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID.fullmatch(node.value)}


def _module_strings(module: str) -> set[str]:
    """`_strings` of a module, or of every module of a package."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    origin = Path(spec.origin)
    paths = origin.parent.rglob("*.py") if spec.submodule_search_locations else [origin]
    return set().union(*(_strings(path) for path in paths))


def test_registry_is_the_contract_plus_the_listed_additions() -> None:
    assert RULES.keys() >= CONTRACT_IDS, sorted(CONTRACT_IDS - RULES.keys())
    assert RULES.keys() - CONTRACT_IDS == ADDED_IDS
    assert not CONTRACT_IDS & ADDED_IDS


def test_the_listed_contract_ids_are_the_contracts() -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"{CONTRACT} is not next to this checkout")
    text = CONTRACT.read_text(encoding="utf-8")
    table = text[text.index("Rule ids."):]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    ids = {found for row in rows for found in re.findall(r"`([a-z_]+\.[a-z_]+)`", row.split("|")[1])}
    assert ids == CONTRACT_IDS


def test_every_rule_id_written_in_the_package_is_registered() -> None:
    written: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for value in _strings(path):
            written.setdefault(value, set()).add(str(path.relative_to(PACKAGE)))
    unregistered = {v: sorted(where) for v, where in written.items() if v not in RULES and v not in NOT_RULES}
    assert not unregistered, f"add these to screening/rules.py: {unregistered}"
    assert not NOT_RULES & RULES.keys()


def test_every_attachment_error_rule_is_registered() -> None:
    importlib.import_module("screening.isolation")  # defines two more
    classes, todo = [], [AttachmentError]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo += cls.__subclasses__()
    assert len(classes) > 5
    assert {cls.__name__: cls.rule for cls in classes if cls.rule not in RULES} == {}


def test_the_module_named_for_a_rule_reports_it() -> None:
    problems = set().union(*(_module_strings(name) for name in PROBLEM_SOURCES))
    for rule in RULES.values():
        if rule.module == rules.DOCUMENT and rule.id != "document.role":
            assert rule.id in problems, f"{rule.id}: no parser raises it"
        else:
            assert rule.id in _module_strings(rule.module), f"{rule.id}: not in {rule.module}"


def test_descriptions_are_one_line_of_chinese() -> None:
    for rule in RULES.values():
        assert rule.id.split(".")[0] in rules.PREFIXES
        assert "\n" not in rule.description and re.search(r"[\u4e00-\u9fff]", rule.description), rule.id


def test_optional_rules_are_the_ones_the_patent_check_may_skip() -> None:
    assert {r.id for r in RULES.values() if r.optional} == patent.OPTIONAL_RULES


@pytest.mark.parametrize("call", ["quzhou-2020", str(ROOT / "tests" / "data" / "calls" / "demo-2021.yaml")])
def test_call_files_configure_every_required_rule(call: str) -> None:
    configured = set(load_call(call).severities)
    required = {r.id for r in RULES.values() if not r.optional}
    assert required <= configured <= RULES.keys()


def test_every_installed_call_file_loads() -> None:
    for path in sorted(call_path("quzhou-2020").parent.glob("*.yaml")):
        assert load_call(path.stem).name == path.stem


def test_an_unregistered_id_asked_of_a_call_is_a_bug() -> None:
    with pytest.raises(rules.UnknownRuleError, match=r"identity\.nonexistent"):
        load_call().severity("identity.nonexistent")


def test_severities_problem() -> None:
    ids = [r.id for r in RULES.values()]
    assert rules.severities_problem(ids) is None
    assert rules.severities_problem(i for i in ids if i != "patent.previously_funded") is None  # optional
    assert rules.severities_problem([*ids, "budget.summ"]) == "未知的规则“budget.summ”（应为 budget.sum？）"
    assert rules.severities_problem(i for i in ids if i != "batch.quota") == "缺少规则“batch.quota”（推荐单位某类别的项目数超过额度）"
    assert rules.severities_problem([i for i in ids if i != "budget.sum"] + ["budget.summ"]) == (
        "未知的规则“budget.summ”（应为 budget.sum？）（另有1处错误）")
