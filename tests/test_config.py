"""The call file and application.json: strict, with errors that name the file and the key."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from screening.application import load_application, parse_application
from screening.calls import DEFAULT_CALL, call_path, load_call
from screening.errors import ApplicationError, ConfigError
from screening.model import Severity

DEMO = Path(__file__).parent / "data" / "calls" / "demo-2021.yaml"
MINIMAL = '{"project_id": "X", "title": "t", "applicant": {"name": "某公司"}, "team": []}'


def test_default_call_loads() -> None:
    call = load_call("quzhou-2020")
    assert call.closes.isoformat() == "2020-06-28T17:00:00+08:00"
    assert call.category_id("发明专利产业化项目") == "patent"
    assert call.category_id("nonsense") is None
    assert call.severity("identity.org") is Severity.FAIL


def test_unknown_key_in_call_is_refused(tmp_path: Path) -> None:
    text = call_path("quzhou-2020").read_text(encoding="utf-8")
    bad = tmp_path / "typo-call.yaml"
    bad.write_text(text.replace("name: quzhou-2020", "name: typo-call") + "\nseverites: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="severites"):
        load_call(str(bad))


def test_unknown_call_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="quzhou-2020"):
        load_call("no-such-call")


def test_unconfigured_optional_rule_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"patent\.previously_funded"):
        load_call().severity("patent.previously_funded")  # optional: quzhou-2020 leaves it out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("  budget.sum: fail", "  budget.summ: fail"), "未知的规则“budget.summ”（应为 budget.sum？）"),
        (lambda t: t.replace("  batch.quota: warn", "  batch.quotas: warn"), "未知的规则“batch.quotas”（应为 batch.quota？）"),
        (lambda t: t.replace("  engine.crash: warn", "  engine.crash: warn\n  server.busy: warn"), "未知的规则“server.busy”"),
        (lambda t: re.sub(r"^  budget\.unit: .*\n", "", t, flags=re.MULTILINE), "缺少规则“budget.unit”"),
    ],
)
def test_severities_name_exactly_the_registered_rules(tmp_path: Path, edit: Callable[[str], str], message: str) -> None:
    """A misspelt or forgotten rule id is one line at load, naming it, not a crash when it fires."""
    for source in (call_path("quzhou-2020"), DEMO):
        text = source.read_text(encoding="utf-8")
        name = f"edited-{source.stem}"
        bad = tmp_path / f"{name}.yaml"
        bad.write_text(re.sub(r"^name: .*$", f"name: {name}", edit(text), count=1, flags=re.MULTILINE), encoding="utf-8")
        assert edit(text) != text
        with pytest.raises(ConfigError) as raised:
            load_call(str(bad))
        assert message in str(raised.value) and "键 severities" in str(raised.value) and "\n" not in str(raised.value)


def test_application_minimal_and_unknown_keys_ignored() -> None:
    app = parse_application(MINIMAL[:-1] + ', "whatever": 1}')
    assert app.call == DEFAULT_CALL == "quzhou-2020" and app.team == () and app.partners == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "不是合法的JSON"),
        ("[]", "顶层必须是JSON对象"),
        ('{"project_id": "X", "title": "t", "team": []}', "applicant"),
        ('{"project_id": "X", "title": "t", "applicant": {"name": ""}, "team": []}', "applicant.name"),
        (MINIMAL.replace('"team": []', '"team": [{"role": "leader"}]'), "team.0.name"),
    ],
)
def test_bad_application_names_the_field(text: str, message: str) -> None:
    with pytest.raises(ApplicationError, match=message):
        parse_application(text)


def test_application_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "application.json"
    path.write_bytes(MINIMAL.replace("某公司", "浙江公司").encode("gb18030"))
    with pytest.raises(ApplicationError, match="UTF-8"):
        load_application(path)
