"""One collect run: intake → examine (in worker processes) → ledger → merge → reports."""
from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import psutil

from ..progress import tick
from ..model import Finding, Period, Plan, finding
from ..model.errors import InputError, OutputError
from ..model.findings import ERROR
from ..model.glossary import official_text
from ..model.periods import is_late
from ..model.returns import (ACCEPTED, IGNORED, REJECTED, FormReturn, Received, accepted_times,
                             rejected_since)
from .examine_pool import examine_all
from .intake import SEP, IntakeResult, intake_return, intake_run, limits_key
from .own import OWNER
from .ledger import Ledger, full_disk
from .records import Receipt
from .limits import Limits
from .stamps import HOW, STAMP, whose

WORKDIR_PREFIX = "xltools-intake-"


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
    """What a run did: files and their fate, plus the ledger's view of the period (its
    receipts; its returns are read from the ledger as they are merged, Ledger.returns)."""

    period: Period
    files: list[FileOutcome] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    state: str = ""  # Ledger.state() after the run
    reused: bool = False  # nothing changed: the outputs already written stand
    # seconds spent in each step (intake, examine, ledger, commit, load: the receipts): the
    # benchmark's profile. examine is the wait for the readers net of the ledger writes
    # between them.
    phases: dict[str, float] = field(default_factory=dict)


def check_inputs(inputs: list) -> None:
    """Raise InputError (a Chinese message) for an inbox path that is not there: a typo
    must stop the run before the ledger records it, not appear only in the reports."""
    gone = [str(p) for p in inputs if not os.path.lexists(p)]
    if gone:
        raise InputError(f"找不到收件箱“{'”“'.join(gone)}”。请检查路径是否写对;本次未记录任何文件。")


# what needs the clerk in a period (CollectReport.attention), in the order shown
ATTENTION = {"missing": "未报送单位", "late": "逾期报送单位", "held": "待确认归属的文件",
             "rejected": "被退回的文件", "errors": "有错误的报表"}


def attention(receipts: list[Receipt], missing: list[str], late: list[str]) -> dict[str, int]:
    """What in the period, as the ledger holds it, still needs the clerk (counts > 0 only).

    A rejected file stops counting once its unit's same form was accepted from a file
    received later; a held file (identity-conflict) counts until it is credited.
    """
    latest = accepted_times((r.unit, r.form, r.received_at) for r in receipts if r.status == ACCEPTED)
    out = {"missing": len(missing), "late": len(late), "held": 0, "rejected": 0, "errors": 0}
    for r in receipts:
        if r.status == REJECTED:
            if any(f.code == "identity-conflict" for f in r.findings):
                out["held"] += 1
            elif not rejected_since(latest, r.unit, r.form, r.received_at):
                out["rejected"] += 1
        elif r.status == ACCEPTED and any(f.severity == ERROR for f in r.findings):
            out["errors"] += 1
    return {k: v for k, v in out.items() if v}


def default_ledger(plan_path: str | os.PathLike) -> Path:
    """The ledger beside the plan: plan.xlsx -> 台账.sqlite in the same folder."""
    return Path(plan_path).resolve().parent / "台账.sqlite"


def run_collect(inputs: list[Path], plan: Plan, period: Period, db_path: Path,
                workers: int | None = None, limits: Limits = Limits(), password: str | None = None,
                notify: Callable[[str], None] | None = None,
                progress: Callable[[int, int], None] | None = None, reuse_state: str = "",
                on_new: Callable[[int, int], None] | None = None,
                on_receipts: Callable[["CollectOutcome"], None] | None = None,
                own: Sequence[Path] = ()) -> CollectOutcome:
    """Take every file under `inputs` into the ledger for `period` (one transaction).

    Never raises for bad input; raises LedgerError (LedgerBusy) when the ledger cannot be
    used. `notify` gets one-line Chinese notes meant for the user while the run waits.
    `progress(done, total)` is called as files are settled (0 first, total last).
    When nothing new was received and the ledger is still at `reuse_state` (the state the
    caller's outputs were made from), the period's receipts are not loaded again.
    `on_new(files, new)` is called once new files are known, before they are examined,
    with how many files were received and how many of them are new; it runs inside the
    ledger's transaction and must not raise. `on_receipts(outcome)` is called once the
    outcome's files and receipts are final (after the commit); it must not raise either.
    `own`: the caller's outputs and plan, never read as returns (the ledger and its archive
    are added here).
    The period's returns are the caller's to read (Ledger.returns), as it merges them.
    """
    t0 = time.perf_counter()
    out = CollectOutcome(period)
    notify = notify or (lambda message: print(message, file=sys.stderr, flush=True))
    _clean_stale_workdirs()
    workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
    try:
        with full_disk(db_path), Ledger(db_path, busy_timeout=limits.ledger_wait) as ledger:
            cache = limits_key(limits)
            own = [*own, *ledger.own_files()]
            known = ledger.known_files(plan.plan_id, period.id, cache)
            if password is not None:  # files refused for their opening password: read again
                locked = ledger.locked({k.sha256 for k in known.values()})
                known = {path: k for path, k in known.items() if k.sha256 not in locked}
            found = intake_run([Path(p) for p in inputs], workdir, limits, password, known, own)
            out.phases["intake"] = time.perf_counter() - t0
            ledger.on_wait = lambda: notify(f"台账 {db_path} 正被另一个 xltools collect 使用,"
                                            f"最多等待 {limits.ledger_wait:g} 秒……")
            ledger.snapshots = workdir  # intake's private copies: linked, not copied
            run_id = ledger.begin(plan.plan_id, period.id, [str(p) for p in inputs])
            found, priors = _settled(found, ledger, lambda: intake_run(
                [Path(p) for p in inputs], workdir, limits, password, own=own))
            received, intake_findings = found.received, found.findings
            # given a password, a file refused for its opening password is read again, and
            # its refusal replaced by what it says
            unlocked = ledger.locked({rec.sha256 for rec, p in zip(received, priors)
                                      if p == REJECTED}) if password is not None else set()
            priors = [None if rec.sha256 in unlocked else p for rec, p in zip(received, priors)]
            tick(progress, 0, len(received))
            mine: dict[str, list[Finding]] = {}
            for f in intake_findings:
                mine.setdefault(f.file, []).append(f)

            def record(ret: FormReturn) -> None:
                ret.findings = [*mine.get(ret.received.display, []), *ret.findings]
                _record(ledger, run_id, ret, period, out, replace=ret.received.sha256 in unlocked)
                tick(progress, len(out.files), len(received))
            todo: list[Received] = []
            stamps: list[Received] = []
            for rec, prior in zip(received, priors):
                if prior is not None:  # the same file from the same place: nothing changes
                    out.files.append(FileOutcome(rec.display, rec.sha256, prior, seen_before=True))
                    tick(progress, len(out.files), len(received))
                elif rec.file_type == STAMP:  # once the returns beside it are known
                    stamps.append(rec)
                elif (settled := intake_return(rec, mine.get(rec.display, []))) is not None:
                    _record(ledger, run_id, settled, period, out)  # (its own findings: one pass above)
                    tick(progress, len(out.files), len(received))
                else:  # (a decrypted copy is read in its place)
                    path, file_type = found.readable.get(rec.display, (rec.path, rec.file_type))
                    todo.append(dataclasses.replace(rec, path=path, file_type=file_type))
            new = len(received) - sum(p is not None for p in priors)
            if on_new and new:
                on_new(len(received), new)
            originals = {r.display: r for r in received}
            previous = ledger.previous_actuals(plan.plan_id, period.id)
            plan.lookups()  # built once; readers inherit it (fork) or get it pickled (spawn)
            t1, recording = time.perf_counter(), 0.0
            with plan.frozen():  # (re-entrant: api.collect may hold it already)
                for ret in examine_all(todo, plan, period.id, previous, workers, limits):
                    t2 = time.perf_counter()
                    ret.received = originals.get(ret.received.display, ret.received)
                    check_sender(ret, plan)
                    record(ret)
                    recording += time.perf_counter() - t2
            for ret in stamped(stamps, out, plan, period):
                record(ret)
            ledger.remember_files(run_id, found.seen, cache)
            t2 = time.perf_counter()
            out.phases["examine"] = t2 - t1 - recording
            out.phases["ledger"] = recording
            ledger.commit()
            out.phases["commit"] = time.perf_counter() - t2
            out.state = ledger.state()
            t2 = time.perf_counter()
            # (also when reused: the files seen before are said with their unit, form and
            # findings; 0.5 s at 10,000 files)
            out.receipts = ledger.receipts(plan.plan_id, period.id)
            _as_recorded(out)
            changed = any(not f.seen_before for f in out.files)
            out.reused = bool(reuse_state) and not changed and out.state == reuse_state
            _unreceived(out, received, mine, period)
            if not out.reused:
                if on_receipts:
                    on_receipts(out)
                out.phases["load"] = time.perf_counter() - t2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return out


def _as_recorded(out: CollectOutcome) -> None:
    """Each file with the status, unit, form and findings the ledger holds for it, as the
    校验报告 lists them (--json, the desk's job): a file seen before had "" and [], and one
    recorded in this run lacked what the ledger adds (superseded, duplicate-file), and the
    status the run ended with (a file accepted when recorded, in this run or an earlier
    one, is superseded by a later one of the same unit and form, a tie on time going to the
    later name: Ledger._supersede)."""
    by = {(r.display, r.sha256): r for r in out.receipts}
    for f in out.files:
        if (r := by.get((f.path, f.sha256))) is not None:
            f.status, f.unit, f.form, f.findings = r.status, r.unit, r.form, list(r.findings)


def _settled(found: IntakeResult, ledger: Ledger,
             again: Callable[[], IntakeResult]) -> tuple[IntakeResult, list[str | None]]:
    """Each received file's status already in the ledger (None: to examine). A file taken
    unread from the stat cache must be settled: it was looked up before the run began,
    and if another run changed the ledger in between, every file is read again."""
    priors = [ledger.receipt_status(rec) for rec in found.received]
    if any(p is None and rec.display in found.cached for rec, p in zip(found.received, priors)):
        found = again()
        priors = [ledger.receipt_status(rec) for rec in found.received]
    return found, priors


def _unreceived(out: CollectOutcome, received: list[Received], findings: dict[str, list[Finding]],
                period: Period) -> None:
    """Intake's findings (by file) about paths that gave no bytes (missing input, folder too
    deep, vanished file, symlink...): nothing to archive, but the clerk must see them — in
    the run's outcome (--json, exit code) and, as rows without a file, in the validation
    report."""
    shown = {r.display for r in received}
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    for display, items in findings.items():
        if display in shown:
            continue
        status = REJECTED if any(f.severity == ERROR for f in items) else IGNORED
        out.files.append(FileOutcome(display, "", status, findings=list(items)))
        out.receipts.append(Receipt(display, display, display.rsplit("/", 1)[-1], "", status,
                                    period=period.id, received_at=now, recorded_at=now,
                                    findings=tuple(items)))


def _clean_stale_workdirs() -> None:
    """Remove the private folders of collect runs that were killed (their process is gone)."""
    pattern = re.compile(re.escape(WORKDIR_PREFIX) + r"(\d+)-")
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    for e in entries:
        m = pattern.match(e.name)
        # (its process gone: not os.kill(pid, 0), which on Windows is CTRL_C_EVENT, sent to
        # that process group)
        if m and e.is_dir(follow_symlinks=False) and int(m.group(1)) != os.getpid() \
                and not psutil.pid_exists(int(m.group(1))):
            shutil.rmtree(e.path, ignore_errors=True)


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


def check_not_an_inbox(out: Path, inputs: list) -> None:
    """OutputError when the output folder is one of the folders collected: its 汇总表 and
    反馈 copies would lie among the returns (xltools skips its own folder when it lies
    inside an inbox, so here it would skip the returns with it)."""
    where = os.path.normcase(os.path.realpath(out))
    if any(os.path.normcase(os.path.realpath(inp)) == where for inp in inputs):
        raise OutputError(official_text(
            "输出文件夹“{out}”就是收件夹:汇总表、校验报告和退回修改意见会与回收的文件混在一起。"
            "请用 -o 指定收件夹之外的文件夹(缺省为 workbooks\\<周期>);本次未记录任何文件。",
            out=out))


def check_owner(path: Path, db_path: Path, force: bool = False) -> None:
    """An output folder belongs to one ledger: OutputError for another ledger's folder (its
    汇总表 and 反馈 copies would be replaced) unless force; the first ledger claims it."""
    marker, mine = Path(path) / OWNER, str(Path(db_path).resolve())
    try:
        owner = marker.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        owner = ""
    if owner and owner != mine and not force:
        raise OutputError(f"输出文件夹“{path}”存放的是另一个台账“{owner}”的汇总表和反馈文件,"
                          f"为免覆盖,本次未记录任何文件。请用 -o 指定其他文件夹;"
                          f"确需改为存放台账“{mine}”的输出,请加 --force。")
    if owner != mine:  # (a failure is very unlikely: check_output_dir has just written there)
        with contextlib.suppress(OSError):
            marker.write_text(mine, encoding="utf-8")


def output_failed(path: Path, exc: OSError) -> OutputError:
    """The error for a write that failed after the ledger was committed."""
    return OutputError(f"汇总表或校验报告未能写入“{path}”({exc.strerror or type(exc).__name__})。"
                       "收到的文件已记入台账并存档;请检查文件夹后重新运行 collect,"
                       "不会重复记录,只会重新生成输出。")


# what decided a return's time received, as the clerk reads it
TIME_EVIDENCE = {"mail": "邮件时间", "file": "文件时间", "first-seen": "首次回收时间",
                 "clerk": "督办室确认的时间"}


def received_time(ledger: Ledger, rec: Received) -> Received:
    """The time a return arrived: an e-mail's Date; else the earlier of the file's mtime
    (a copy resets it) and when xltools first saw these bytes (a late collect delays it)."""
    if rec.time_source in ("mail", "clerk"):
        return rec
    first = ledger.first_seen(rec.sha256)[:19]
    if not rec.received_at or first < rec.received_at:
        return dataclasses.replace(rec, received_at=first, time_source="first-seen")
    return dataclasses.replace(rec, time_source="file")


def _record(ledger: Ledger, run_id: int, ret: FormReturn, period: Period, out: CollectOutcome,
            replace: bool = False) -> None:
    ret.received = received_time(ledger, ret.received)
    mark_late(ret, period)
    status = ledger.record(run_id, ret, replace)  # archives the bytes first; failures become findings
    out.files.append(FileOutcome(ret.received.display, ret.received.sha256, status, ret.unit,
                                 ret.kind, list(ret.findings)))


def stamped(stamps: list[Received], out: CollectOutcome, plan: Plan,
            period: Period) -> Iterator[FormReturn]:
    """The PDFs and photos of a run: each a unit's stamped copy (盖章件) when one unit is
    certain (collect.stamps.whose), else ignored with stamp-unmatched."""
    returns = [(f.path, f.status, f.unit) for f in out.files]  # (before any is recorded)
    for rec in stamps:
        got = whose(rec, returns, plan, SEP)
        if got is None:
            yield FormReturn(received=rec, status=IGNORED,
                             findings=[finding("stamp-unmatched", file=rec.display)])
        else:
            yield FormReturn(received=rec, status=ACCEPTED, plan_id=plan.plan_id, kind=STAMP,
                             unit=got[0], period=period.id, findings=[finding(
                                 "stamp-received", file=rec.display, unit=got[0], how=HOW[got[1]])])


def check_sender(ret: FormReturn, plan: Plan) -> None:
    """A return that came by e-mail from another address than its unit's contact e-mail:
    sender-mismatch (a warning: units write from personal mailboxes too)."""
    unit = plan.unit(ret.unit) if ret.status == ACCEPTED and ret.received.sender else None
    want = (getattr(unit, "email", "") or "").strip().lower() if unit else ""
    if want and ret.received.sender != want:
        ret.findings.append(finding("sender-mismatch", file=ret.received.display, unit=ret.unit,
                                    value=ret.received.sender, expected=want))


def mark_late(ret: FormReturn, period: Period) -> None:
    """Set ret.late; a late return gets late-return naming the time and what decided it."""
    ret.findings = [f for f in ret.findings if f.code != "late-return"]
    ret.late = ret.status == ACCEPTED and ret.kind != STAMP \
        and is_late(ret.received.received_at, period)
    if ret.late:
        ret.findings.append(finding(
            "late-return", file=ret.received.display, unit=ret.unit,
            value=ret.received.received_at[:16].replace("T", " "), deadline=period.deadline,
            evidence=TIME_EVIDENCE.get(ret.received.time_source, TIME_EVIDENCE["file"])))
