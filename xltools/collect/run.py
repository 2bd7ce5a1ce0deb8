"""One collect run: intake → examine (in worker processes) → ledger → merge → reports."""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..progress import tick
from ..model import Finding, Period, Plan, finding
from ..model.findings import ERROR
from ..model.returns import ACCEPTED, IGNORED, REJECTED, FormReturn, Received
from .examine_pool import examine_all
from .intake import intake_return, intake_run
from .ledger import Ledger
from .limits import Limits

WORKDIR_PREFIX = "xltools-intake-"


class OutputError(Exception):
    """The output folder cannot be written; the message is for the user."""


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
    state: str = ""  # Ledger.state() after the run
    reused: bool = False  # nothing changed: current/receipts were not loaded
    # seconds spent in each step (intake, examine, ledger, commit, load): the benchmark's
    # profile. examine is the wait for the readers net of the ledger writes between them.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(not f.seen_before for f in self.files)


def default_ledger(plan_path: str | os.PathLike) -> Path:
    """The ledger beside the plan: plan.xlsx -> 台账.sqlite in the same folder."""
    return Path(plan_path).resolve().parent / "台账.sqlite"


def run_collect(inputs: list[Path], plan: Plan, period: Period, db_path: Path,
                workers: int | None = None, limits: Limits = Limits(),
                password: str | None = None,
                notify: Callable[[str], None] | None = None,
                progress: Callable[[int, int], None] | None = None,
                reuse_state: str = "") -> CollectOutcome:
    """Take every file under `inputs` into the ledger for `period` (one transaction).

    Never raises for bad input; raises LedgerError (LedgerBusy) when the ledger cannot be
    used. `notify` gets one-line Chinese notes meant for the user while the run waits.
    `progress(done, total)` is called as files are settled (0 first, total last).
    When nothing new was received and the ledger is still at `reuse_state` (the state the
    caller's outputs were made from), the period's returns are not loaded again.
    """
    t0 = time.perf_counter()
    out = CollectOutcome(period)
    notify = notify or _to_stderr
    _clean_stale_workdirs()
    workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
    try:
        found = intake_run([Path(p) for p in inputs], workdir, limits, password)
        out.phases["intake"] = time.perf_counter() - t0
        received, intake_findings = found.received, found.findings
        tick(progress, 0, len(received))
        mine: dict[str, list[Finding]] = {}
        for f in intake_findings:
            mine.setdefault(f.file, []).append(f)
        with Ledger(db_path, busy_timeout=limits.ledger_wait) as ledger:
            ledger.on_wait = lambda: notify(
                f"台账 {db_path} 正被另一个 xltools collect 使用,"
                f"最多等待 {limits.ledger_wait:g} 秒……")
            ledger.snapshots = workdir  # intake's private copies: linked, not copied
            run_id = ledger.begin(plan.plan_id, period.id, [str(p) for p in inputs])
            try:
                todo: list[Received] = []
                for rec in received:
                    prior = ledger.receipt_status(rec)
                    if prior is not None:  # the same file from the same place: nothing changes
                        out.files.append(FileOutcome(rec.display, rec.sha256, prior, seen_before=True))
                        tick(progress, len(out.files), len(received))
                        continue
                    settled = intake_return(rec, intake_findings)
                    if settled is not None:
                        _record(ledger, run_id, settled, period, out)
                        tick(progress, len(out.files), len(received))
                    elif rec.display in found.readable:  # read the decrypted copy
                        path, kind = found.readable[rec.display]
                        todo.append(dataclasses.replace(rec, path=path, kind=kind))
                    else:
                        todo.append(rec)
                originals = {r.display: r for r in received}
                previous = ledger.previous_actuals(plan.plan_id, period.id)
                plan.lookups()  # built once here; the forked readers inherit it
                t1, recording = time.perf_counter(), 0.0
                with plan.frozen():  # (re-entrant: api.collect may hold it already)
                    for ret in examine_all(todo, plan, period.id, previous, workers, limits):
                        t2 = time.perf_counter()
                        ret.received = originals.get(ret.received.display, ret.received)
                        ret.findings = [*mine.get(ret.received.display, []), *ret.findings]
                        _record(ledger, run_id, ret, period, out)
                        tick(progress, len(out.files), len(received))
                        recording += time.perf_counter() - t2
                t2 = time.perf_counter()
                out.phases["examine"] = t2 - t1 - recording
                out.phases["ledger"] = recording
                ledger.commit()
                out.phases["commit"] = time.perf_counter() - t2
            except BaseException:
                ledger.rollback()
                raise
            out.state = ledger.state()
            if reuse_state and not out.changed and out.state == reuse_state:
                out.reused = True
            else:
                t2 = time.perf_counter()
                out.current = ledger.current(plan.plan_id, period.id)
                out.receipts = ledger.receipts(plan.plan_id, period.id)
                out.phases["load"] = time.perf_counter() - t2
        _unreceived(out, received, intake_findings, period)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out.seconds = time.perf_counter() - t0
    return out


def _unreceived(out: CollectOutcome, received: list[Received], findings: list[Finding],
                period: Period) -> None:
    """Findings about paths that gave no bytes (missing input, folder too deep, vanished
    file, symlink...): nothing to archive, but the clerk must see them — in the run's
    outcome (--json, exit code) and, as rows without a file, in the validation report."""
    shown = {r.display for r in received}
    orphans: dict[str, list[Finding]] = {}
    for f in findings:
        if f.file not in shown:
            orphans.setdefault(f.file, []).append(f)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    for display, items in orphans.items():
        status = REJECTED if any(f.severity == ERROR for f in items) else IGNORED
        out.files.append(FileOutcome(display, "", status, findings=list(items)))
        out.receipts.append({
            "path": display, "display": display, "name": display.rsplit("/", 1)[-1],
            "sha256": "", "size": 0, "kind": "other", "status": status, "plan_id": "",
            "form": "", "unit": "", "period": period.id, "received_at": now,
            "recorded_at": now, "late": False, "supersedes": "", "superseded_by": "",
            "duplicate_of": "", "archived": "", "run_id": 0,
            "findings": [f.to_dict() for f in items]})


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _clean_stale_workdirs() -> None:
    """Remove the private folders of collect runs that were killed (their process is gone)."""
    base = Path(tempfile.gettempdir())
    pattern = re.compile(re.escape(WORKDIR_PREFIX) + r"(\d+)-")
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for e in entries:
        m = pattern.match(e.name)
        if not m or not e.is_dir(follow_symlinks=False):
            continue
        pid = int(m.group(1))
        if pid == os.getpid() or pid_alive(pid):
            continue
        shutil.rmtree(e.path, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id still runs (a killed run's temp folder is stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def check_output_dir(path: Path) -> None:
    """Raise OutputError (a Chinese message) unless the summary can be written into `path`.

    Checked before the run touches the ledger, so a bad -o changes nothing. Should writing
    still fail later, the ledger has already been committed (see docs/limits.md).
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".xltools-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"输出文件夹“{path}”无法写入({exc.strerror or type(exc).__name__})。"
                          "请用 -o 指定一个可写的文件夹后重新运行;本次未记录任何文件。") from exc


def output_failed(path: Path, exc: OSError) -> OutputError:
    """The error for a write that failed after the ledger was committed."""
    return OutputError(f"汇总表或校验报告未能写入“{path}”({exc.strerror or type(exc).__name__})。"
                       "收到的文件已记入台账并存档;请检查文件夹后重新运行 collect,"
                       "不会重复记录,只会重新生成输出。")


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
