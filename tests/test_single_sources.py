"""Each concept in one place (issue 13): the default call, the role claimed before parsing, the
OpenCC converter and jieba's dictionary are each defined once and used by every module that needs
them."""

from __future__ import annotations

from screening import classify, engine, roles, text
from screening.application import Application, parse_application
from screening.calls import DEFAULT_CALL, load_call
from screening.engine import Upload, crashed_document
from screening.errors import CorruptError
from screening.identity import nlp
from screening.isolation import failed_document
from screening.model import Role

MINIMAL = '{"project_id": "X", "title": "t", "applicant": {"name": "某公司"}, "team": []}'


def _application(files: dict[str, str]) -> Application:
    listed = ", ".join(f'{{"file": "{name}", "role": "{role}"}}' for name, role in files.items())
    return parse_application(MINIMAL[:-1] + f', "attachments": [{listed}]}}')


def test_the_default_call_is_named_once() -> None:
    assert parse_application(MINIMAL).call == DEFAULT_CALL
    assert engine.call_of(None, None) == DEFAULT_CALL
    assert load_call().name == DEFAULT_CALL


def test_every_path_claims_the_same_role() -> None:
    """Parsing, a parse that crashed and one that failed in isolation agree on a file's claimed role."""
    app = _application({"说明.docx": "commitment"})
    cases = {
        ("说明.docx", app): (Role.COMMITMENT, "application"),
        ("经费预算表.pdf", app): (Role.BUDGET, "filename"),
        ("专利技术可行性报告.docx", None): (Role.FEASIBILITY_REPORT, "filename"),
        ("附件.docx", app): (Role.OTHER, "inferred"),
        ("某目录\\说明.docx", app): (Role.COMMITMENT, "application"),  # a client's path: its last part counts
    }
    for (name, application), expected in cases.items():
        upload = Upload(name, data=b"not a document")
        assert roles.claimed(application, name) == expected, name
        crashed = crashed_document(upload, application)
        failed = failed_document(upload, application, CorruptError("损坏"))
        assert (crashed.role, crashed.role_source) == expected == (failed.role, failed.role_source), name
        parsed = engine.parse_upload(upload, application)
        assert (parsed.role, parsed.role_source) == expected, name
    assert engine.infer_role is roles.from_name  # the old name, kept for its callers


def test_one_opencc_converter() -> None:
    assert classify.t2s is text.t2s and text.t2s() is text.t2s()
    assert text.norm("臺灣積體電路") == "台湾积体电路" and classify.normalize("臺灣積體電路") == "台湾积体电路"


def test_one_jieba_dictionary_and_private_tokenizers_leave_it_alone() -> None:
    shared = nlp.dictionary()
    assert shared is nlp.dictionary() and shared.initialized
    word = "氟硅橡胶密封件组合"
    before = (shared.total, word in shared.FREQ)
    private = nlp.private_tokenizer([word])
    assert word in list(private.cut(f"一种{word}的制备", HMM=False))
    assert (shared.total, word in shared.FREQ) == before == (before[0], False)
    assert nlp.word_freq("中国") == shared.FREQ["中国"] > 0
