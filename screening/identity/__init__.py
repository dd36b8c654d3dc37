"""The identity engine: how an attachment is found to reveal the applicant, a partner or a team
member (rule 7 of 四、有关事项 of the notice). The check that reports it is `screening.checks.identity`;
this package holds everything it asks. Import the modules by their path
(`from screening.identity.targets import identities`); this file re-exports nothing.

How a hit flows:

1. `targets` — before any check runs, `engine.screen` turns application.json (and `--org` /
   `--person`) into `Target`s: every way each known name may be written, built by `orgnames`.
   They travel in `checks.context.Context.targets`; the applicant's and members' own phones,
   e-mails and codes (`targets.contacts`) are read from the application by the check.
2. `matching` — `checks.identity.Engine` puts every target into one Aho–Corasick automaton
   (`ExactMatcher`) and runs it over each document part, normalised by `screening.text`; a hit's
   span is mapped back to the original text with `Normalized.span`.
3. `evidence` — each hit collects weighted pieces of `Evidence` from what stands around it
   (`surroundings`, `nlp`, `sections`, `labels`); their sum against the call's
   `identity.evidence.fail_at` / `warn_at` decides fail, unsure or nothing.
4. `checks/identity.py` — also matches long names fuzzily, adds the passes that need no known
   name (`contacts`, filled-in `labels` unless `placeholders`, self-references, author fields),
   keeps one hit per leak and place (`dedupe`) and writes the findings.

The modules, one job each:

* `targets` — the known names and contacts of a project (`identities`, `contacts`, `phone_keys`).
* `orgnames` — an organisation name split into region / 字号 / industry / legal form, and the
  variants people write (short forms, pinyin, website stem).
* `matching` — `ExactMatcher`: all targets in one automaton, longest hit wins.
* `evidence` — `Evidence`: the weighted pieces behind a hit and the severity they decide.
* `surroundings` — what stands around a hit: a title or role word, an organisation word, a place
  before it, a legal form after it, quotation marks, a form label.
* `nlp` — jieba/spaCy segmentation: whether a hit stands as whole words, whether a name is an
  ordinary word or a place; the one place jieba's dictionary is loaded (classify.py takes its
  private tokenizer from here too).
* `sections` — which parts stand in the reference list (参考文献), where a name is usually someone
  else's.
* `labels` — filled-in form fields (申报单位：…, 项目负责人：…) and whether their value looks like
  what the label asks for.
* `placeholders` — withheld values (XXX, 某某, （按要求隐去）), which are correct anonymisation.
* `contacts` — phones, e-mails, credit codes and ID numbers found in text, known or not.

Not here, because other checks use them as much: `screening.text` (normalisation with an offset
map: budget, roles, patents, masking and the batch checks normalise too), `screening.lexicons`
(the word lists), `screening.wording` (Chinese names of locations, shared with the batch report).
"""
