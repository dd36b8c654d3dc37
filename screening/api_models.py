"""What the HTTP hook answers, as pydantic models for its OpenAPI description (/openapi.json, /docs).

The models describe what `Report.to_json` (contract §3, `screening-report/1`) and the hook really
write, extra fields included (`where`, `evidence`, `location.embedded` / `source` / `heading` …);
they are never used to build an answer, only to describe it, so a test validates real answers
against the schema in /openapi.json (tests/test_openapi.py). A key that is left out when it has no
value is an optional property that is never null (`_absent`); a key always written with null when
unknown is nullable. Extra properties stay allowed (contract: extra fields are welcome).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from screening.model import SCHEMA, PartKind, Role, Severity, Verdict
from screening.patents.kinds import Outcome, PatentType

JobState = Literal["queued", "running", "done", "failed"]
Method = Literal["exact", "normalized", "alias", "fuzzy", "pinyin", "regex", "label", "ner", "ocr"]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _absent(description: str, **constraints: Any) -> Any:
    """An optional key that is left out rather than written as null."""
    return Field(default=None, description=description, json_schema_extra=_no_default, **constraints)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Location(_Open):
    """发现所在的位置（合同§3 location）。"""

    part: PartKind = Field(description="所在部分：正文、表格、页眉、页脚、文本框、脚注、批注、文档属性、文件名、图片")
    page: int = _absent("页码，从1起；PDF和图片总有，Word文档已知时才有", ge=1)
    paragraph: int = _absent("在该部分中的段落序号，从1起", ge=1)
    start: int = _absent("在该段落中的起始字符位置（从0起）", ge=0)
    end: int = _absent("在该段落中的结束字符位置（不含）", ge=0)
    origin: str = _absent("更细的来源，如页眉 first/even/default、已删除的修订 deleted、文档属性 core.creator")
    embedded: str = _absent("附件中嵌入文件的位置（由外到内，如 word/embeddings/预算.xlsx）；附件本身的文字没有此项")
    source: str = _absent("文件内部的容器，如 word/document.xml#t2r3c2、page 3")
    heading: str = _absent("Word正文段落所在的标题")
    heading_paragraph: int = _absent("在该标题下第几段（有文字的段落，从1起）", ge=1)
    box: list[float] = _absent("在页面上的位置 [x0, top, x1, bottom]：PDF页面为从页面左上角起的点数，"
                               "从图片中识别的文字为图片的像素；保留1位小数", min_length=4, max_length=4)


class Finding(_Open):
    """一条发现（合同§3 findings），按严重程度从高到低排列。"""

    rule: str = Field(description="规则编号，如 identity.org、document.missing（合同§3的规则表）",
                      pattern=r"^[a-z_]+\.[a-z_]+$", examples=["identity.org"])
    severity: Severity = Field(description="严重程度：fail 不通过、warn 需人工复核、info 提示")
    message: str = Field(description="给人看的说明（中文）", min_length=1,
                         examples=["可行性报告第3页正文出现申报单位简称“某某新材”"])
    file: str = _absent("涉及的附件文件名（关于某个附件的发现才有）", examples=["可行性报告.docx"])
    location: Location = _absent("位置（关于某个附件的发现才有）")
    where: str = _absent("位置的中文说明（有 location 时才有）", examples=["第3页正文第12段"])
    matched: str = _absent("文件中原样出现的文字（identity.* 必有）", examples=["某某新材"])
    target: str = _absent("指向的已知身份信息，如申报单位全称", examples=["浙江某某新材料有限公司"])
    method: Method = _absent("匹配方式")
    score: float = _absent("置信度 0..1", ge=0, le=1)
    context: str = _absent("命中处前后的一小段文字", examples=["……由某某新材自主研发的……"])
    evidence: list[str] = _absent("判定依据（identity.*），简短中文短语", examples=[["字号+行业", "后接单位用语“自主研发”"]])
    figure: str = _absent("命中处所在页面区域的缩略图（PNG 的 data: 地址，命中处红框标出）；只在 /v1/screen?figures=true "
                          "时、对 PDF 与图片中有位置框的发现给出", pattern=r"^data:image/png;base64,")


class DocumentEntry(BaseModel):
    """一个附件的读取情况。"""

    file: str = Field(description="附件文件名（不含目录）")
    role: Role = Field(description="附件类别")
    role_source: Literal["application", "filename", "content", "inferred"] = Field(
        description="类别的来源：application.json、文件名、内容识别、推断")
    format: str = Field(description="实际文件格式（如 docx、pdf、png）；无法识别时为空字符串")
    pages: int | None = Field(description="页数；未知时为 null", ge=0)
    sha256: str = Field(description="文件内容的 SHA-256（十六进制）", pattern=r"^[0-9a-f]{64}$")
    ocr: bool = Field(description="是否经过文字识别（OCR）")
    parts: int = Field(description="读出的文字片段数", ge=0)
    images: int = Field(description="发现的图片数", ge=0)


class PatentRule(_Open):
    rule: str = Field(description="专利规则编号 E1–E9")
    result: Outcome = Field(description="PASS 通过、FAIL 不通过、REVIEW 需复核、SKIPPED 未检查")
    code: str
    reason: str = Field(description="说明（中文）")
    field: str = _absent("涉及的证书栏目")


class OtherPatent(BaseModel):
    file: str
    number: str | None
    type: PatentType | None
    eligible: bool | None
    result: Outcome


class Patent(_Open):
    """读取的专利证书（合同§3 patent）；没有读到证书时整个块为 null。"""

    number: str | None = Field(description="规范化的专利号，如 ZL201510123456.1")
    type: PatentType | None = Field(description="专利类型")
    title: str | None = Field(description="发明名称")
    patentees: list[str] = Field(description="专利权人")
    inventors: list[str] = Field(description="发明人")
    filing_date: str | None = Field(description="申请日（YYYY-MM-DD）")
    grant_date: str | None = Field(description="授权公告日（YYYY-MM-DD）")
    expiry_date: str | None = Field(description="保护期最后一天（YYYY-MM-DD）")
    years_remaining: float | None = Field(description="距到期的年数（保留2位小数）")
    reference_date: str = Field(description="计算所依据的日期（YYYY-MM-DD）")
    check_digit_ok: bool | None = Field(description="专利号校验位是否正确")
    eligible: bool | None = Field(description="true 符合、false 不符合、null 需人工复核")
    result: Outcome = Field(description="专利规则的总体结果")
    number_check: dict[str, Any] | None = Field(description="专利号的校验细节")
    publication_number: str | None
    certificate_serial: str | None
    address: str | None
    term_years: int | None
    lapse_date: str | None
    filing_applicants: list[str]
    filing_inventors: list[str]
    patentees_ambiguous: bool
    ocr: bool
    pages: int | None
    missing_pages: list[int]
    rules: list[PatentRule] = Field(description="逐条规则的结果")
    fields: dict[str, dict[str, Any]] = Field(description="证书各栏目的原文、页码与置信度")
    file: str = Field(description="证书所在的附件")
    others: list[OtherPatent] = _absent("其他附件中的证书（有多份时）")


class BudgetItem(BaseModel):
    name: str = Field(description="预算科目（表中原样）")
    amount: float | None = Field(description="金额")


class Budget(_Open):
    """读取的经费预算表（合同§3 budget）；没有读到预算表时整个块为 null。"""

    total: float | None = Field(description="表中印出的合计")
    items: list[BudgetItem] = Field(description="各科目")
    sum_ok: bool | None = Field(description="各科目之和是否等于合计；无法核对时为 null")
    unit: str | None = Field(description="金额单位：万元、元，或 null（表中未注明）")
    file: str = Field(description="预算表所在的附件")
    method: str = Field(description="读取方式：docx_table、xlsx_table、xls_table、pdf_table、ocr_table、text")
    subsidy: float = _absent("申请补助（合计行）")
    self_raised: float = _absent("自筹（合计行）")
    rd: float = _absent("研发经费")
    note: str = _absent("读取说明")


class Domain(_Open):
    """指南领域（合同§3 domains），最匹配的在前。"""

    code: str = Field(description="领域编号，如 1.1")
    area: str = Field(description="所属方向，如 新材料")
    name: str = Field(description="领域名称")
    score: float = Field(description="匹配程度 0..1", ge=0, le=1)
    terms: list[str] = _absent("起决定作用的词，最强的在前；「充电」是字组（两个字）的证据，「…纸」是题目中心词末字的证据，"
                               "『纸』是从真实项目名称学得的字词")
    corrections: list[str] = _absent("起决定作用的词中由本地更正（classify --learn）学到的；没有时不出现")
    none_fits: bool = Field(description="true：没有合适的领域（原因见 none_why）")
    none_why: Literal["score", "model"] | None = _absent(
        "没有合适的领域的原因（仅在 none_fits 为 true 时出现）：score＝最高分也低于阈值；"
        "model＝题目与不属于指南各领域的真实项目名称更相近")


class Report(_Open):
    """一个项目的筛查报告（合同§3，screening-report/1）。"""

    schema_: Literal["screening-report/1"] = Field(alias="schema", description=f"固定为 {SCHEMA}")
    project_id: str = Field(description="项目编号", min_length=1, examples=["QZ2020-0001"])
    verdict: Verdict = Field(description="结论：pass 通过、review 需人工复核、fail 不通过")
    findings: list[Finding] = Field(description="全部发现，最严重的在前")
    documents: list[DocumentEntry] = Field(description="各附件的读取情况")
    patent: Patent | None
    domains: list[Domain]
    budget: Budget | None
    call: str = Field(description="所依据的申报通知", examples=["quzhou-2020"])
    title: str | None = Field(description="项目名称", examples=["高纯电子级氢氟酸连续化制备关键技术研究"])


class ErrorBody(BaseModel):
    """所有错误答复的格式。"""

    error: str = Field(description="机器可读的错误代码（ASCII），如 invalid_application、too_large、busy",
                       examples=["invalid_application"])
    detail: Any = Field(description="给人看的说明（中文）；请求参数错误（validation_error）时为逐项说明的列表",
                        examples=["application: 字段 call: 没有名为“quzhou-2021”的申报通知"])


class Health(BaseModel):
    status: Literal["ok"]


class JobCreated(BaseModel):
    """已受理的异步任务。"""

    id: str = Field(description="任务编号", pattern=r"^[0-9a-f]{32}$", examples=["3f2c9a7e0b1d4c5e8f6a7b8c9d0e1f2a"])
    state: JobState = Field(description="queued 排队中、running 筛查中、done 完成、failed 失败")
    url: str = Field(description="查询任务状态的地址（相对于服务地址）",
                     examples=["/v1/jobs/3f2c9a7e0b1d4c5e8f6a7b8c9d0e1f2a"])


class JobStatus(JobCreated):
    """任务的状态；完成时带有报告（与 POST /v1/screen 的答复相同）。"""

    created: str = Field(description="受理时间（ISO 8601，UTC）")
    started: str | None = Field(description="最近一次开始筛查的时间")
    finished: str | None = Field(description="完成或失败的时间")
    report: Report = _absent("筛查报告（state 为 done 时才有）")
    error: ErrorBody = _absent("失败原因（state 为 failed 时才有）")


class PlanItem(BaseModel):
    """脱敏时将遮盖的一项文字，及其出现之处。"""

    text: str = Field(description="将在全文各处遮盖的文字；要保留原样时，把它作为 keep 字段提交给 /v1/redact")
    findings: list[Finding] = Field(description="这项文字对应的发现")


class RedactPlan(BaseModel):
    """POST /v1/redact/preview 的答复：脱敏副本将遮盖什么（不生成文件）。"""

    file: str = Field(description="附件文件名")
    format: str = Field(description="附件的实际格式（docx 或 pdf）")
    would_mask: list[Finding] = Field(description="将遮盖的每一处（身份信息发现）")
    items: list[PlanItem] = Field(description="按文字归并的遮盖项，按首次出现的顺序")
