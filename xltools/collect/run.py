"""One collect run: intake → examine (in worker processes) → ledger → merge → reports."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Finding, Period, Plan, finding
from ..model.returns import ACCEPTED, FormReturn, Received
from .examine_pool import examine_all
from .intake import IntakeLimits, intake, intake_return
from .ledger import Ledger


@dataclass
class FileOutcome:
    """One received file's fate in this run, for --json and the closing table."""

    path: str
    sha256: str
    status: str
    unit: str = ""
    form: str = ""
    findings: list[Finding] = field(default_factory=list)
    seen_before: bool = False


@dataclass
class CollectOutcome:
    """What a run did: files and their fate, plus the ledger's view of the period."""

    period: Period
    files: list[FileOutcome] = field(default_factory=list)
    current: list[FormReturn] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def default_ledger(plan_path: str | os.PathLike) -> Path:
    """The ledger beside the plan: plan.xlsx -> 台账.sqlite in the same folder."""
    return Path(plan_path).resolve().parent / "台账.sqlite"


def run_collect(inputs: list[Path], plan: Plan, period: Period, db_path: Path,
                workers: int | None = None, limits: IntakeLimits = IntakeLimits()) -> CollectOutcome:
    """Take every file under `inputs` into the ledger for `period` (one transaction)."""
    t0 = time.perf_counter()
    out = CollectOutcome(period)
    workdir = Path(tempfile.mkdtemp(prefix="xltools-intake-"))
    try:
        received, intake_findings = intake([Path(p) for p in inputs], workdir, limits)
        with Ledger(db_path) as ledger:
            run_id = ledger.begin(plan.plan_id, period.id, [str(p) for p in inputs])
            try:
                todo: list[Received] = []
                for rec in received:
                    prior = ledger.receipt_status(rec)
                    if prior is not None:  # the same file from the same place: nothing changes
                        out.files.append(FileOutcome(rec.display, rec.sha256, prior, seen_before=True))
                        continue
                    settled = intake_return(rec, intake_findings)
                    if settled is not None:
                        _record(ledger, run_id, settled, period, out)
                    else:
                        todo.append(rec)
                previous = ledger.previous_actuals(plan.plan_id, period.id)
                for ret in examine_all(todo, plan, period.id, previous, workers):
                    ret.findings = [*[f for f in intake_findings if f.file == ret.received.display],
                                    *ret.findings]
                    _record(ledger, run_id, ret, period, out)
                ledger.commit()
            except BaseException:
                ledger.rollback()
                raise
            out.current = ledger.current(plan.plan_id, period.id)
            out.receipts = ledger.receipts(plan.plan_id, period.id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out.seconds = time.perf_counter() - t0
    return out


def _record(ledger: Ledger, run_id: int, ret: FormReturn, period: Period, out: CollectOutcome) -> None:
    ret.late = ret.status == ACCEPTED and is_late(ret.received.received_at, period)
    if ret.late:
        ret.findings.append(finding("late-return", file=ret.received.display, unit=ret.unit,
                                    value=ret.received.received_at[:16].replace("T", " "),
                                    deadline=period.deadline))
    status = ledger.record(run_id, ret)  # archives the bytes first; failures become findings
    out.files.append(FileOutcome(ret.received.display, ret.received.sha256, status, ret.unit,
                                 ret.kind, list(ret.findings)))


def is_late(received_at: str, period: Period) -> bool:
    """Received after the end of the deadline day (ISO strings compare as times)."""
    if not period.deadline or not received_at:
        return False
    return received_at[:10] > period.deadline[:10]
