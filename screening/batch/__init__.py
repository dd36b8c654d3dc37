"""Screening a whole batch folder (contract §2, `screening batch`): every project folder through
the same `screen_project()` as `screening project`, on a local process pool or a Dask cluster,
then the `batch.*` rules across projects.

* Output: `OUT/<project_id>.json`, the report exactly as `screening project --format json` prints
  it, written atomically as soon as the project is done.
* Resumable: a later run skips a project whose fingerprint (its inputs and the configuration) is
  unchanged, so a run killed at any moment and started again loses nothing and duplicates nothing.
  A project whose screening crashed is tried again; `force` redoes everything.
* A project that crashes (`engine.crash`), takes longer than `timeout` (`document.timeout`) or has
  an unusable application.json (`document.application`) gets a report with that finding, and the
  batch goes on.
* Limits (`screening.limits`, the same `SCREENING_PARSE_*` settings as `check`, `project` and the
  hook): a local worker runs under `RLIMIT_AS` = `Limits.worker_memory` (the parse memory plus what
  the worker's models take), so an attachment that eats memory fails its allocation, and becomes
  that attachment's `document.too_large` when it fails as a `MemoryError`. Attachments are parsed
  in the worker itself, not in a process each as `project` does (that costs a fork per attachment,
  more than doubling the time of a batch of ordinary text PDFs, benchmarks/batch_speed.py), but the
  worker tells the parent which attachment it is parsing, and the parent holds it to
  `Limits.parse_timeout`; the project as a whole to `timeout`. A worker killed by an attachment or
  held past its parse timeout is replaced and the project screened again with every attachment in
  its own limited process (`screen_isolated`): only the attachment at fault gets its
  `document.timeout` / `document.too_large` / `document.unreadable`, the rest is screened.
* On a Dask cluster every attachment is parsed in its own limited process (`screen_payload_now`,
  the client's limits travel with the task), so the workers must not be daemons
  (`DASK_DISTRIBUTED__WORKER__DAEMON=False`); the batch checks that before sending work.
* `batch.*` findings (screening/checks/batch.py) are computed over all reports after every project
  is done, always from scratch: they are stripped from reports read back on resumption and the
  affected reports rewritten.

The modules, in the order a batch uses them:

| module | its job |
| --- | --- |
| `discovery` | the project folders of a batch, each one's identity, call and fingerprint |
| `store` | OUT: atomic report writes, the resumption state, the lock |
| `reports` | a report's JSON: failure reports, adding and stripping `batch.*` findings |
| `worker` | what runs in a worker process (`serve`, `screen_in_worker`, `screen_isolated`) |
| `pool` | the local process pool (`run_local`): the parent's state machine of each worker |
| `cluster` | the Dask runner (`run_dask`, `screen_payload`) |
| `results` | `BatchItem`, `BatchResult`, `Tick`: what a batch gives back |
| `orchestration` | `screen_batch`: all of the above, then the `batch.*` rules |
| `annotated` | with `--annotate`: the annotated copies of the attachments with findings (OUT/annotated) |

The people's reports (summary.csv, report.html, the 附件3 forms) are rendered from the result by
`screening.batch_report`.
"""

from __future__ import annotations

from screening.batch.cluster import Payload, can_isolate, make_payload, run_dask, screen_payload, screen_payload_now
from screening.batch.discovery import Project, Skipped, discover, read_project
from screening.batch.orchestration import DEFAULT_TIMEOUT, batch_findings, screen_batch
from screening.batch.pool import default_workers, run_local
from screening.batch.reports import (
    failure_report,
    pages_of,
    report_text,
    with_findings,
    without_batch_findings,
)
from screening.batch.results import BatchItem, BatchResult, Finish, Outcome, Progress, Status, Tick
from screening.batch.store import STATE_DIR, write_atomic
from screening.batch.worker import (
    ProjectScreener,
    parse_in_worker,
    screen_in_worker,
    screen_isolated,
    worker_isolation,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "STATE_DIR",
    "BatchItem",
    "BatchResult",
    "Finish",
    "Outcome",
    "Payload",
    "Progress",
    "Project",
    "ProjectScreener",
    "Skipped",
    "Status",
    "Tick",
    "batch_findings",
    "can_isolate",
    "default_workers",
    "discover",
    "failure_report",
    "make_payload",
    "pages_of",
    "parse_in_worker",
    "read_project",
    "report_text",
    "run_dask",
    "run_local",
    "screen_batch",
    "screen_in_worker",
    "screen_isolated",
    "screen_payload",
    "screen_payload_now",
    "with_findings",
    "without_batch_findings",
    "worker_isolation",
    "write_atomic",
]
