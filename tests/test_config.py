"""The call file and application.json: strict, with errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.application import load_application, parse_application
from screening.calls import call_path, load_call
from screening.errors import ApplicationError, ConfigError
from screening.model import Severity

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


def test_unconfigured_rule_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"identity\.nonexistent"):
        load_call().severity("identity.nonexistent")


def test_application_minimal_and_unknown_keys_ignored() -> None:
    app = parse_application(MINIMAL[:-1] + ', "whatever": 1}')
    assert app.call == "quzhou-2020" and app.team == () and app.partners == ()


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
