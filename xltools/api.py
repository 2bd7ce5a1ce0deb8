"""One function per stage: what the CLI and the tests call."""
from __future__ import annotations

import contextlib
import dataclasses
import getpass
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from .office import docx_converter
from .generate import FormJob, build_documents, build_form, form_jobs, select_periods
from .parallel import pool_map
from .model import ERROR, Finding, Period, Plan, Result, WithFindings, finding, relocate
from .model.check import duplicate_task_numbers
from .model.glossary import official_marks
from .model.returns import REJECTED, FormReturn

from .model.errors import (ExampleMissing, FileChanged, InputError, LedgerBusy, LedgerError,
                           LedgerMissing, OutputError, PeriodError, PlanFileError, TemplateError,
                           XltoolsError)
from .planfile import load_plan, require_plan, save_plan

if TYPE_CHECKING:  # (merge is imported when a summary is made, the ledger and mail when used)
    from .collect.ledger import Ledger
    from .collect.run import CollectOutcome
    from .mail.fetch import Fetched as FetchReport
    from .merge import ReceiptRow, Summary
# the plan file's register edits and the mail settings, under the api's names
from .planfile import load_plan as load
from .planfile.register import (add_alias as units_add_alias, add_member as units_add_member,
                                check_register as units_check, empty_groups_blocking,
                                list_units as units_list, set_unit as units_set, typed_names)
from .mail.settings import load_settings as mail_settings, password as ask
from .collect.limits import Limits  # a collect run's read limits (Limits.from_options)
from .collect.own import OUTPUTS_STAMP as STAMP  # what a folder's outputs were made from
from .collect.stamps import STAMP as STAMP_FORM  # the 盖章件's form kind
from .forms.owed import owed_forms
from .progress import ProgressFn, tick
from .sheet.blocks import shortened
from .xlsx.writer import write_atomically, write_workbook

EXAMPLE = "shashi-2019"  # package data: xltools/examples/shashi-2019
DEFAULT_OUT = Path("workbooks")
KIND_PREFIXES = (("附件1", "annex1"), ("附件2", "annex2"), ("附件3", "annex3"), ("发送清单", "sending_list"))


@dataclass
class WrittenFile:
    """One workbook written: where, what kind, for whom."""

    path: Path
    kind: str
    unit: str = ""
    period: str = ""


@dataclass
class GenerateReport(WithFindings):
    """What generate wrote and noticed, and how long it took."""

    out_dir: Path
    files: list[WrittenFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    pdf: object = None  # xlsx.pdf.PdfResult once api.pdf(report) ran


def check(plan_path: str | os.PathLike) -> list[Finding]:
    """Every problem of a plan file, each naming its sheet and cell."""
    return load_plan(plan_path).findings


def convert(plan_path: str | os.PathLike, out_path: str | os.PathLike) -> Result:
    """Re-save a plan in another format (.xlsx <-> .yaml <-> .json)."""
    res = require_plan(plan_path)
    return Result(save_plan(res.value, out_path), res.findings)


def generate(plan: Plan | str | os.PathLike, out_dir: str | os.PathLike,
             period_ids: list[str] | None = None, workers: int | None = None,
             progress: ProgressFn | None = None) -> GenerateReport:
    """Write every official workbook of the plan for the chosen periods into out_dir.

    The forms are built and written in worker processes, one at a time, so memory stays
    flat however many units there are. progress(done, total) counts the files written.
    """
    t0 = time.perf_counter()
    findings: list[Finding] = []
    if not isinstance(plan, Plan):
        res = require_plan(plan)
        plan, findings = res.value, list(res.findings)
    _stop_on_unsound_plan(plan)
    out = Path(out_dir)
    plan.lookups()  # built once; the writers inherit it (fork) or get it pickled (spawn)
    with plan.frozen():  # nothing here edits the plan; look-ups need not re-check it
        periods, problems = select_periods(plan, period_ids)
        jobs = form_jobs(plan, periods)
        docs, doc_findings = build_documents(plan, jobs)
        # a plan problem the load already reported is not said again about our own 附件3
        said = {(f.code, f.ref, f.value) for f in findings}
        doc_findings = [f for f in doc_findings if (f.code, f.ref, f.value) not in said]
        report = GenerateReport(out, findings=findings + problems + doc_findings)
        total = len(docs) + len(jobs)
        tick(progress, 0, total)
        documents = (WrittenFile(write_workbook(wb, out), wb.kind or _kind_of(wb.filename)) for wb in docs)
        for written in chain(documents, pool_map(_write_form, (plan, out), jobs, workers)):
            report.files.append(written)
            tick(progress, len(report.files), total)
    report.findings = [_in_output(f, report) for f in report.findings] + _shortened(report.files)
    report.seconds = time.perf_counter() - t0
    return report


def _stop_on_unsound_plan(plan: Plan) -> None:
    """Nothing is written while a task reaches no unit (an empty group, or no unit named:
    the messages say which and how to fill them), or while two tasks share a number: the
    returns are matched to tasks by number, so their figures could not be told apart."""
    if stop := empty_groups_blocking(plan):
        raise PlanFileError("".join(f.message for f in stop))
    if twice := duplicate_task_numbers(plan):
        raise PlanFileError("".join(f.message for f in twice)
                            + official_marks("序号相同的任务,各单位报回的数据无法区分,本次未生成任何文件。"))


def _shortened(files: list[WrittenFile]) -> list[Finding]:
    """A notice for each file whose name was shortened to keep Windows paths short."""
    return [finding("file-name-shortened", file=str(wf.path), unit=wf.unit, value=wf.path.name)
            for wf in files if shortened(wf.path.name)]


def _write_form(state: tuple[Plan, Path], job: FormJob) -> WrittenFile:
    plan, out = state
    wb = build_form(plan, job)
    return WrittenFile(write_workbook(wb, out), job.kind, job.unit, job.period)


def _kind_of(filename: str) -> str:  # (an annex or the sending list: a bare file name)
    return next((kind for prefix, kind in KIND_PREFIXES if filename.startswith(prefix)), "other")


def _in_output(f: Finding, report: GenerateReport) -> Finding:
    """Give annex findings the full path of the file they point at."""
    return next((relocate(f, file=str(wf.path)) for wf in report.files
                 if f.file and wf.path.name == f.file), f)


def example_dir() -> Path:
    """The bundled example (package data xltools/examples/shashi-2019), wherever installed."""
    from importlib import resources
    folder = Path(str(resources.files("xltools").joinpath("examples").joinpath(EXAMPLE)))
    if not (folder / "plan.xlsx").is_file():
        raise ExampleMissing(f"找不到 xltools 自带的示例计划({folder / 'plan.xlsx'}):"
                             "安装可能不完整,请重新安装 xltools。")
    return folder


@dataclass
class DemoReport:
    """The whole loop on the example: what was generated, simulated and collected."""

    generated: GenerateReport
    simulated: object  # simulate.Simulated
    collected: "CollectReport"


DEMO_PERIOD = "2019Q1"


def demo(out_dir: str | os.PathLike | None = None) -> DemoReport:
    """The whole loop on the bundled Shashi 2019 example: generate every workbook, simulate
    the units' returns for 2019Q1 (clean ones, typical mistakes, one unit missing, one
    resubmission, one duplicate), collect them, and write the summary."""
    from .simulate import simulate_returns
    out = Path(out_dir or DEFAULT_OUT / "demo")
    plan_path = example_dir() / "plan.xlsx"
    generated = generate(plan_path, out)
    plan = load_plan(plan_path).value
    period = plan.period(DEMO_PERIOD)
    inbox = out / "回收" / period.name
    db = out / "台账.sqlite"
    # the demo starts from an empty inbox and ledger each time, so every run shows the same
    for stale in (inbox, out / "台账_archive"):
        shutil.rmtree(stale, ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    simulated = simulate_returns(plan, DEMO_PERIOD, inbox)
    collected = collect([inbox], plan_path, DEMO_PERIOD, out / "汇总" / period.name, db)
    return DemoReport(generated, simulated, collected)


def parse(notice: str | os.PathLike, units: str | os.PathLike | None = None,
          base: str | os.PathLike | None = None, output: str | os.PathLike | None = None):
    """Read an official notice into a plan, saved to `output` when one is recognised.

    Returns (ParseResult, saved path or None). The unit register comes from `units`
    and/or `base` (plan files).
    """
    from .parse import parse_notice_file
    register = None
    for found in (load_plan(source).value for source in (base, units) if source is not None):
        if found is not None:
            register = found if register is None else _merge_register(register, found)
    result = parse_notice_file(notice, register, convert=docx_converter())
    saved = save_plan(result.plan, output) if (output is not None and result.plan is not None) else None
    return result, saved


def _merge_register(base: Plan, extra: Plan) -> Plan:
    """Units and groups of `extra` added to `base` where base does not have them."""
    base.units.extend(u for u in extra.units if base.unit(u.name) is None)
    names = {g.name for g in base.groups}
    base.groups.extend(g for g in extra.groups if g.name not in names)
    return base


# -- collect ------------------------------------------------------------------------------

@dataclass
class CollectReport:
    """One collect run: every file and its fate, who is missing or late, what was written."""

    period: Period
    out_dir: Path
    db_path: Path
    files: list = field(default_factory=list)  # collect.run.FileOutcome
    missing_units: list[str] = field(default_factory=list)
    late_units: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)  # errors/warnings/notices still open
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step (benchmark)
    html: Path | None = None  # 汇总报告_<period>.html (report.html)
    feedback: list[Path] = field(default_factory=list)  # DIR/反馈/<unit>/… (report.feedback)
    summary_book: Path | None = None  # the 汇总表, what --pdf prints
    pdf: object = None  # xlsx.pdf.PdfResult once api.pdf(report) ran
    # what in the period still needs the clerk, as the ledger holds it after the run
    # (collect.run.attention: missing, late, held, rejected, errors)
    attention: dict[str, int] = field(default_factory=dict)
    stamps: dict[str, str] = field(default_factory=dict)  # unit -> its 盖章件 ("" = none)

    @property
    def new_files(self) -> int:
        return sum(1 for f in self.files if not f.seen_before)

    @property
    def attention_text(self) -> str:
        """What still needs the clerk, in words: "未报送单位 2 个、被退回的文件 1 个" ("无")."""
        from .collect.run import ATTENTION
        return "\u3001".join(f"{ATTENTION.get(k, k)} {n} 个" for k, n in self.attention.items()) or "无"

    @property
    def exit_code(self) -> int:
        """The period, not the run: 0 only when every unit that owes a form has an accepted
        return without 错误 and nothing else needs the clerk (attention); 1 otherwise, also
        on an unchanged re-run (outputs are written either way)."""
        bad = any(f.status == REJECTED or any(x.severity == ERROR for x in f.findings)
                  for f in self.files if not f.seen_before)
        return 1 if bad or self.attention else 0

    def to_json(self) -> dict:
        return {"period": self.period.id,
                "files": [{"path": f.path, "sha256": f.sha256, "status": f.status, "unit": f.unit,
                           "form": f.form, "new": not f.seen_before,
                           "findings": [x.to_dict() for x in f.findings]} for f in self.files],
                "missing_units": self.missing_units, "late_units": self.late_units,
                "finding_counts": self.findings, "attention": self.attention,
                "stamps": {u: "已收到" if d else "未收到" for u, d in self.stamps.items()},
                "empty_inbox": not self.files, "exit_code": self.exit_code,
                "outputs": [str(p) for p in self.outputs], "html": str(self.html) if self.html else None,
                "feedback": [str(p) for p in self.feedback],
                **({"pdf": self.pdf.to_json()} if self.pdf is not None else {})}


def _plan_and_period(plan_path: str | os.PathLike, period_id: str) -> tuple[Plan, Period]:
    plan = require_plan(plan_path).value
    period = plan.period(period_id)
    if period is None:
        known = "、".join(p.id for p in plan.periods) or "无"
        raise PeriodError(f"计划中没有报送周期“{period_id}”(已有:{known})。请用 --period 指定其中之一。")
    return plan, period


def collect(inputs: list[str | os.PathLike], plan_path: str | os.PathLike, period_id: str,
            out_dir: str | os.PathLike | None = None, db: str | os.PathLike | None = None,
            workers: int | None = None, password: str | None = None, limits: Limits | None = None,
            progress: "ProgressFn | None" = None, force: bool = False) -> CollectReport:
    """Take returned files into the ledger and write the summary and validation report.

    An output folder belongs to the ledger that first wrote it: another ledger's folder is
    refused (OutputError) unless force.

    password opens password-protected workbooks; limits (collect.limits.Limits) bounds what
    is read. Bad input never raises; LedgerError, OutputError and PlanFileError do.
    progress(done, total) is called as the files are settled; besides the workbooks,
    collect writes the HTML report (report.html).
    """
    from .collect.examine_pool import SPAWN_FEW_FILES
    from .collect.run import (attention, check_inputs, check_not_an_inbox, check_output_dir,
                              check_owner, output_failed, run_collect)
    from .report.feedback import feedback_view
    from .report.outputs import OutputPool, write_outputs
    t0 = time.perf_counter()
    check_inputs(list(inputs))  # a mistyped inbox path: InputError before anything is recorded
    plan, period = _plan_and_period(plan_path, period_id)
    db_path = _ledger_path(plan_path, db, must_exist=False)
    out = Path(out_dir) if out_dir else DEFAULT_OUT / period.name
    check_not_an_inbox(out, list(inputs))
    check_output_dir(out)
    check_owner(out, db_path, force)
    stamp = _read_stamp(out, db_path, plan.plan_id, period.id)
    # nothing below edits the plan (look-ups need not re-check it). Spawned output writers
    # start early, their imports overlapping this process's work: before a re-run's few new
    # files are read (one reader: a core is free), else once the files are read
    with plan.frozen(), OutputPool(workers, rerun=bool(stamp)) as writers:
        def early(files: int, new: int) -> None:
            if stamp and new < SPAWN_FEW_FILES:
                writers.start(files, new)
        receipts: list[ReceiptRow] = []

        def known(found: CollectOutcome) -> None:  # the 校验报告 needs nothing else
            receipts.extend(_receipt_rows(found, out))
            writers.write_ahead(plan, period, receipts, out)
        outcome = run_collect([Path(p) for p in inputs], plan, period, db_path, workers,
                              limits or Limits(), password, progress=progress,
                              reuse_state=stamp.get("state", ""), on_new=early,
                              on_receipts=known, own=[out.absolute(), Path(plan_path).absolute()])
        if outcome.reused:  # nothing new since these outputs were written: keep them
            return _reused_report(period, out, db_path, outcome, stamp, t0)
        if len(receipts) != len(outcome.receipts):  # (the hook not called: made here)
            receipts[:] = _receipt_rows(outcome, out)
        writers.start(len(outcome.receipts), sum(not f.seen_before for f in outcome.files))
        t1 = time.perf_counter()
        report = CollectReport(period, out, db_path, files=outcome.files, phases=outcome.phases)
        sent_back: list[FormReturn] = []  # what the feedback copies need of each return
        loaded = report.phases.get("load", 0.0)  # (the receipts)
        with _ledger(db_path) as ledger:
            read = _timed(ledger.returns(plan.plan_id, period.id), report.phases, "load",
                          lambda fr: sent_back.append(feedback_view(fr)))
            summary = _summarize(ledger, plan, period, read, receipts)
        report.phases["summarize"] = time.perf_counter() - t1 - (report.phases["load"] - loaded)
        t1 = time.perf_counter()
        try:  # 汇总表, 校验报告, HTML report, 修改意见 copies (DIR/反馈/<unit>/…xlsx)
            written = write_outputs(plan, period, summary, receipts, sent_back, out,
                                    workers, writers.pool, writers.ahead)
        except OSError as exc:  # the ledger is committed: say so, and how to get the outputs
            raise output_failed(out, exc) from exc
        report.outputs = [written.summary_book, written.validation_book]
        report.summary_book, report.html = written.summary_book, written.html
        report.feedback = written.feedback
        report.phases["outputs"] = time.perf_counter() - t1
        report.missing_units = list(dict.fromkeys(summary.missing["单位"]))
        report.late_units = list(dict.fromkeys(summary.late["单位"]))
        report.findings = dataclasses.asdict(summary.findings)
        report.attention = attention(outcome.receipts, report.missing_units, report.late_units)
        report.stamps = summary.stamps
        report.counts = dict(Counter(f.status for f in outcome.files))
        _write_stamp(out, db_path, plan.plan_id, period.id, outcome.state, report)
        report.seconds = time.perf_counter() - t0
        return report


def _receipt_rows(outcome: "CollectOutcome", out: Path) -> list["ReceiptRow"]:
    """The run's receipts as the reports show them: archived paths relative to the output
    folder, and marked when this run brought them."""
    from .merge import ReceiptRow
    # (by name and bytes: a copy of an earlier file is new, the earlier receipt is not)
    fresh = {(f.path, f.sha256) for f in outcome.files if not f.seen_before}
    rows = [ReceiptRow.from_ledger(r, out.absolute()) for r in outcome.receipts]
    for r in rows:
        r.new = (r.display, r.sha256) in fresh
    return rows


STAMPED = ("missing_units", "late_units", "findings", "attention", "stamps")  # report fields kept


def period_summary(plan: Plan, period: Period, db: str | os.PathLike,
                   out_dir: str | os.PathLike | None = None) -> "Summary":
    """The period's summary from the ledger alone, as collect merges it (the desk's page);
    archived paths relative to out_dir."""
    from .merge import ReceiptRow
    with _ledger(db) as ledger:
        receipts = [ReceiptRow.from_ledger(r, out_dir) for r in ledger.receipts(plan.plan_id, period.id)]
        return _summarize(ledger, plan, period, ledger.returns(plan.plan_id, period.id), receipts)


def _summarize(ledger, plan: Plan, period: Period, returns: Iterator,
               receipts: list["ReceiptRow"]) -> "Summary":
    """merge.summarize of the period's `returns` with what it takes from the open ledger
    besides: the previous period's returns (cumulative figures may not fall), if it has any,
    and the units marked exempt. The returns are read from the ledger as they are merged."""
    from .collect.settle import exempt_units
    from .merge import summarize
    before = [p for p in plan.periods if p.end < period.end]
    previous = (ledger.returns(plan.plan_id, before[-1].id, texts=False)
                if before and ledger.has_returns(plan.plan_id, before[-1].id) else None)
    return summarize(plan, period, returns, receipts, previous,
                     exempt_units(ledger.history(plan.plan_id, period.id)))


def _timed(items: Iterator, phases: dict[str, float], phase: str,
           each: Callable[[object], None]) -> Iterator:
    """`items` passed on, each one to `each` as well; the time spent getting them added to
    phases[phase] (a generator's own work, apart from its consumer's: the benchmark's)."""
    phases.setdefault(phase, 0.0)
    t0 = time.perf_counter()
    for item in items:
        phases[phase] += time.perf_counter() - t0
        each(item)
        yield item
        t0 = time.perf_counter()
    phases[phase] += time.perf_counter() - t0


def _read_stamp(out: Path, db_path: Path, plan_id: str, period_id: str) -> dict:
    """The stamp of earlier outputs in `out` for this ledger, plan and period, all still there;
    else {} (also when it was edited by hand or by another version into another shape)."""
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
        made = (stamp["db"], stamp["plan_id"], stamp["period"], type(stamp.get("state", "")))
        files = [stamp["summary_book"], stamp["html"], *stamp["outputs"], *stamp["feedback"]]
        there = all((out / f).exists() for f in files if f is not None)
    except (OSError, ValueError, TypeError, KeyError):
        return {}
    same = made == (str(db_path.resolve()), plan_id, period_id, str)
    return stamp if same and there and "attention" in stamp else {}


def _write_stamp(out: Path, db_path: Path, plan_id: str, period_id: str, state: str,
                 report: "CollectReport") -> None:
    def rel(p):
        return str(Path(p).relative_to(out)) if p else None
    data = {"db": str(db_path.resolve()), "plan_id": plan_id, "period": period_id, "state": state,
            "outputs": [rel(p) for p in report.outputs], "summary_book": rel(report.summary_book),
            "html": rel(report.html), "feedback": [rel(p) for p in report.feedback],
            **{k: getattr(report, k) for k in STAMPED}}
    with contextlib.suppress(OSError, ValueError):  # an optimisation: without it the next run rebuilds
        (out / STAMP).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _reused_report(period: Period, out: Path, db_path: Path, outcome, stamp: dict,
                   t0: float) -> "CollectReport":
    return CollectReport(
        period, out, db_path, files=outcome.files, outputs=[out / p for p in stamp["outputs"]],
        summary_book=out / stamp["summary_book"] if stamp.get("summary_book") else None,
        html=out / stamp["html"] if stamp.get("html") else None,
        feedback=[out / p for p in stamp["feedback"]],
        counts=dict(Counter(f.status for f in outcome.files)), seconds=time.perf_counter() - t0,
        **{k: stamp[k] for k in STAMPED if stamp.get(k)})  # (one empty: the field's default)


def pdf(report: "GenerateReport | CollectReport", progress: ProgressFn | None = None):
    """PDFs through LibreOffice of every annex, form and list generate wrote, or of a
    collect's 汇总表, each beside its workbook, and of a collect's HTML report through
    Chromium where it is installed; the xlsx.pdf.PdfResult is also kept as report.pdf.
    Without LibreOffice nothing is raised: result.message says so in Chinese."""
    from .xlsx.pdf import html_to_pdf, to_pdf
    printable = ([f.path for f in report.files] if isinstance(report, GenerateReport)
                 else [report.summary_book] if report.summary_book else [])
    report.pdf = to_pdf(printable, progress=progress)
    if getattr(report, "html", None):
        html_to_pdf(Path(report.html), report.pdf)
    return report.pdf


@dataclass
class StatusReport:
    """Who reported, who is missing, who is late, counts by status."""

    period: Period
    counts: dict[str, int]
    reported: list  # collect.records.FormStatus
    missing_units: list[str]
    late_units: list[str]
    exempt: dict[str, str] = field(default_factory=dict)  # unit -> why it is 免报 (not missing)
    stamps: dict[str, str] = field(default_factory=dict)  # unit -> its 盖章件 ("" = none)

    def to_json(self) -> dict:
        stamps = {u: "已收到" if d else "未收到" for u, d in self.stamps.items()}
        return dataclasses.asdict(self) | {"period": self.period.id, "stamps": stamps}


def status(plan_path: str | os.PathLike, period_id: str,
           db: str | os.PathLike | None = None) -> StatusReport:
    """The ledger's view of a period, without reading any file again."""
    from .collect.settle import exempt_units
    plan, period = _plan_and_period(plan_path, period_id)
    with _ledger(_ledger_path(plan_path, db)) as ledger:
        st = ledger.status(plan.plan_id, period.id)
        exempt = exempt_units(ledger.history(plan.plan_id, period.id))
    reported = [u for u in st.units if u.display and u.form != STAMP_FORM]
    have = {(u.unit, u.form) for u in reported}
    expected = owed_forms(plan)
    missing = list(dict.fromkeys(name for name, kind in expected
                                 if (name, kind) not in have and name not in exempt))
    late = list(dict.fromkeys(u.unit for u in reported if u.late))
    got = {u.unit: u.display for u in st.units if u.display and u.form == STAMP_FORM}
    stamps = {name: got.get(name, "") for name, _ in expected}
    return StatusReport(period, st.counts, reported, missing, late, exempt, stamps)


# -- the clerk's decisions on a recorded return (issue 14) ---------------------------------

def _who(who: str | None) -> str:
    try:
        return who or getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (a service account): say so
        return "未知用户"


def credit(plan_path: str | os.PathLike, period_id: str, sha: str, unit: str,
           db: str | os.PathLike | None = None, who: str | None = None):
    """Credit a held return (identity-conflict) to `unit`, recorded in the ledger's history
    with who and when; the collect.run.FileOutcome. Raises LedgerError / PlanFileError."""
    from .collect.settle import credit as _credit
    plan, period = _plan_and_period(plan_path, period_id)
    return _credit(_ledger_path(plan_path, db), plan, period, sha, unit, _who(who))


def set_received(plan_path: str | os.PathLike, period_id: str, sha: str, when: str,
                 db: str | os.PathLike | None = None, who: str | None = None):
    """Set the time a return was received (recorded in the ledger's history); lateness and
    which return of a unit counts follow. The collect.run.FileOutcome."""
    from .collect.settle import set_received as _set
    plan, period = _plan_and_period(plan_path, period_id)
    return _set(_ledger_path(plan_path, db), plan, period, sha, when, _who(who))


def exempt(plan_path: str | os.PathLike, period_id: str, unit: str, on: bool = True,
           reason: str = "", db: str | os.PathLike | None = None, who: str | None = None) -> None:
    """Mark a unit exempt from a period (免报: not counted missing nor reminded), or take the
    mark back; recorded in the ledger's history with who and when."""
    from .collect.settle import exempt as _exempt
    plan, period = _plan_and_period(plan_path, period_id)
    if unit not in {name for name, _ in owed_forms(plan)}:
        raise InputError(f"“{unit}”不是本计划中应报送表单的单位。")
    _exempt(_ledger_path(plan_path, db), plan, period, unit, on, reason.strip(), _who(who))


# -- remind, year, units (issue 7) ----------------------------------------------------------

def _ledger(path: str | os.PathLike) -> "Ledger":
    """The ledger at `path`, opened (its module imported only by the commands that read it)."""
    from .collect.ledger import Ledger
    return Ledger(path)


def _ledger_path(plan_path: str | os.PathLike, db: str | os.PathLike | None,
                 must_exist: bool = True) -> Path:
    """--db, else the ledger beside the plan; LedgerMissing when it must exist and does not."""
    from .collect.run import default_ledger
    db_path = Path(db) if db else default_ledger(plan_path)
    if must_exist and not db_path.exists():
        raise LedgerMissing(f"找不到台账“{db_path}”:本计划还没有回收过报表。请先回收(工作台的“回收”页,"
                            "或命令行 xltools collect);命令行也可用 --db 指定台账。")
    return db_path


def remind(plan_path: str | os.PathLike, period_id: str, db: str | os.PathLike | None = None,
           out_dir: str | os.PathLike | None = None, template: str | os.PathLike | None = None,
           today: date | None = None, write: bool = True):
    """Units that have not reported the period (or reported with 错误): a 催报通知 (Jinja2
    text, xltools/templates/催报通知.txt.j2 or the clerk's `template`) and a 催报名单 workbook in
    out_dir (default workbooks/<period>); not written when not `write` (the desk's page).
    Returns report.remind.RemindResult."""
    from .collect.settle import exempt_units
    from .merge import ReceiptRow
    from .report.remind import (RemindResult, contact_workbook, notice_filename, remind_entries,
                                render_notice)
    plan, period = _plan_and_period(plan_path, period_id)
    with _ledger(_ledger_path(plan_path, db)) as ledger:
        current = ledger.current(plan.plan_id, period.id)
        receipts = [ReceiptRow.from_ledger(r) for r in ledger.receipts(plan.plan_id, period.id)]
        exempt = exempt_units(ledger.history(plan.plan_id, period.id))
    today = today or date.today()
    entries = [e for e in remind_entries(plan, period, current, receipts) if e.unit not in exempt]
    res = RemindResult(period, entries, today=today)
    res.text = render_notice(plan, period, res.entries, today, template)
    if not write:
        return res
    out = Path(out_dir) if out_dir else DEFAULT_OUT / period.name
    # with a BOM and the system's line ends (as text mode wrote them): Windows Notepad reads it right
    data = res.text.replace("\n", os.linesep).encode("utf-8-sig")
    res.notice = write_atomically(out / notice_filename(period), data)
    res.contacts = write_workbook(contact_workbook(plan, period, res.entries, today), out)
    return res


@dataclass
class YearReport:
    """The year summary workbook and the tables it shows (merge.year.YearSummary)."""

    path: Path
    summary: object


def year(plan_path: str | os.PathLike, db: str | os.PathLike | None = None,
         out_dir: str | os.PathLike | None = None, today: date | None = None) -> YearReport:
    """年度汇总_<year>.xlsx from the ledger: tasks across the periods, each unit's timeliness,
    indicators against their annual targets, towns ranked by completion rate."""
    from .merge.year import year_summary
    from .report.year_book import year_workbook
    plan = require_plan(plan_path).value
    today = today or date.today()
    with _ledger(_ledger_path(plan_path, db)) as ledger:  # (each period merged as it is read)
        ys = year_summary(plan, {p.id: ledger.returns(plan.plan_id, p.id, texts=False)
                                 for p in plan.periods}, today)
    return YearReport(write_workbook(year_workbook(plan, ys, today), Path(out_dir or DEFAULT_OUT)), ys)


def task_set(plan_path: str | os.PathLike, number: str, lead_units: str | None = None,
             responsible_units: str | None = None, leader: str | None = None) -> str:
    """Change a task's 牵头单位, 责任单位 (、-separated names or aliases of registered units or
    groups, as plan.xlsx writes them) or 牵头领导 in the plan file; what changed, in Chinese."""
    plan = require_plan(plan_path).value
    if (task := plan.task(number)) is None:
        raise PlanFileError(f"计划中没有序号为“{number}”的任务。")
    lists = {k: typed_names(plan, v)
             for k, v in (("lead_units", lead_units), ("responsible_units", responsible_units))
             if v is not None}
    if unknown := [n for names in lists.values() for n in names if plan.resolve(n) is None]:
        raise PlanFileError(f"任务 {number}:“{'、'.join(unknown)}”不在单位名单中,请先登记该单位或别名。")
    for k, names in lists.items():
        setattr(task, k, names)
    if leader is not None:
        task.lead_leader = " ".join(leader.split())
    save_plan(plan, plan_path)
    return f"已更新任务 {number}。"


# -- the office's documents in Word (issue 17) -------------------------------------------

def notice(plan_path: str | os.PathLike, out_dir: str | os.PathLike | None = None,
           template: str | os.PathLike | None = None, when: date | None = None) -> Path:
    """The issuing notice (.docx, GB/T 9704-2012) with 附件1-3 as Word tables; its path."""
    from .word.notice import write_notice
    return write_notice(require_plan(plan_path).value, Path(out_dir) if out_dir else DEFAULT_OUT,
                        when or date.today(), template)


def bulletin(plan_path: str | os.PathLike, period_id: str | None = None,
             db: str | os.PathLike | None = None, out_dir: str | os.PathLike | None = None,
             template: str | os.PathLike | None = None, whole_year: bool = False,
             when: date | None = None) -> Path:
    """The 通报 (.docx) of a quarter from the ledger, or of a half (2019H1) or the year
    (whole_year) summed as the year summary sums them; its path."""
    from .merge.year import year_summary
    from .word.bulletin import (bulletin_document, bulletin_filename, from_summary, from_year,
                                restricted, select)
    from .word.notice import save
    plan = require_plan(plan_path).value
    try:
        scope, periods = select(plan, period_id, whole_year)
    except ValueError as exc:
        raise PeriodError(str(exc)) from exc
    if not periods:
        known = "、".join(p.id for p in plan.periods) or "无"
        raise PeriodError(f"计划中没有属于“{period_id}”的报送周期(已有:{known})。")
    when = when or date.today()
    upto = [p for p in plan.periods if p.end <= periods[-1].end]
    db_path = _ledger_path(plan_path, db)
    with _ledger(db_path) as ledger:  # (the figures only: a quarter's words come with its summary)
        returns = {p.id: ledger.current(plan.plan_id, p.id, texts=False) for p in upto}
    if len(periods) == 1 and period_id and plan.period(period_id) is not None:
        s = period_summary(plan, periods[0], db_path)  # a quarter's bulletin quotes its units
        b = from_summary(plan, periods[0], s, year_summary(restricted(plan, upto), returns, when))
    else:
        b = from_year(plan, scope, year_summary(restricted(plan, periods), returns, when))
    out = Path(out_dir) if out_dir else DEFAULT_OUT  # (save makes the folder)
    return save(bulletin_document(plan, b, when, template), out / bulletin_filename(scope))


# -- mail in and out (issue 19) -----------------------------------------------------------

def _mail_login(plan_path, server: str, mail: dict | None, password: str | None):
    """The settings, checked for `server` ("smtp" / "imap"), and the password to log in."""
    settings = mail_settings(plan_path, **(mail or {}))
    settings.need(server)
    return settings, password if password is not None else ask(settings)


def send(plan_path: str | os.PathLike, period_id: str, units: list[str] | None = None,
         dry_run: str | os.PathLike | None = None, feedback: bool = False,
         db: str | os.PathLike | None = None, mail: dict | None = None, password: str | None = None):
    """Send each unit one message with its forms of the period (feedback: its 退回修改
    copies from the ledger), recorded in the ledger; only what was not sent before. With
    dry_run, .eml files are written into that folder instead. mail.send.SendReport;
    MailError (mail.settings) when the server or the settings fail."""
    from .mail.send import SendReport, feedback_files, form_files, outbox
    plan, period = _plan_and_period(plan_path, period_id)
    if units:  # names or aliases, as the register knows them
        if unknown := [u for u in units if plan.unit(u) is None]:
            raise PlanFileError(f"计划中没有单位“{'、'.join(unknown)}”。请用 xltools units 计划文件 查看单位名单。")
        units = [plan.unit(u).name for u in units]
    purpose = "feedback" if feedback else "forms"
    report = SendReport(purpose)
    db_path = _ledger_path(plan_path, db, must_exist=feedback)
    if feedback:
        with _ledger(db_path) as ledger:
            files, keys = feedback_files(plan, period, ledger)
        files = {u: f for u, f in files.items() if not units or u in units}
        mails = outbox(plan, files, purpose, report, keys)
    else:
        mails = outbox(plan, form_files(plan, period, units), purpose, report)
    return _deliver(plan_path, plan, period, mails, report, db_path, dry_run, mail, password)


def _deliver(plan_path, plan, period, mails, report, db_path, dry_run, mail, password):
    from .mail.send import deliver
    if dry_run is not None:
        return deliver(plan, period, mails, mail_settings(plan_path, **(mail or {})), report,
                       None, None, Path(dry_run))
    settings, pw = _mail_login(plan_path, "smtp", mail, password)
    with _ledger(db_path) as ledger:
        return deliver(plan, period, mails, settings, report, ledger, pw)


def remind_send(plan_path: str | os.PathLike, period_id: str, db: str | os.PathLike | None = None,
                dry_run: str | os.PathLike | None = None, mail: dict | None = None,
                password: str | None = None, today: date | None = None):
    """E-mail each unit that owes a return (or must correct one) its 催报, at most once a
    day; mail.send.SendReport. Units exempt from the period (免报) are not reminded."""
    from .mail.send import SendReport, outbox
    plan, period = _plan_and_period(plan_path, period_id)
    db_path = _ledger_path(plan_path, db)
    reasons: dict[str, str] = {}
    for e in remind(plan_path, period_id, db_path, today=today, write=False).entries:
        reasons[e.unit] = "\u3001".join(filter(None, [reasons.get(e.unit), f"{e.form}{e.reason}"]))
    report = SendReport("remind")
    day = (today or date.today()).isoformat()  # a reminder goes at most once a day
    mails = outbox(plan, {u: [] for u in reasons}, "remind", report, {u: day for u in reasons}, reasons)
    return _deliver(plan_path, plan, period, mails, report, db_path, dry_run, mail, password)


def fetch(plan_path: str | os.PathLike, period_id: str, db: str | os.PathLike | None = None,
          out_dir: str | os.PathLike | None = None, move_to: str | None = None,
          limits: Limits | None = None, mail: dict | None = None, password: str | None = None,
          workers: int | None = None, inputs: list | None = None, progress: "ProgressFn | None" = None,
          force: bool = False, book_password: str | None = None) -> "FetchReport":
    """Fetch the office mailbox's new messages over IMAP (those that arrived since the
    period began), archive each whole beside the ledger, collect their attachments
    (Date = time received) and record their UIDs, so a re-run fetches nothing twice; move_to
    moves them to that folder. Never deletes mail.

    inputs (collect --mailbox, the desk): inbox folders collected in the same run, which
    then runs even without new mail; progress, force and book_password (of protected
    workbooks) are collect's."""
    from .collect.run import check_inputs
    from .mail.fetch import fetch_new, move
    from .mail.records import record_fetched
    check_inputs(list(inputs or []))  # a mistyped inbox stops the run before the mailbox
    plan, period = _plan_and_period(plan_path, period_id)
    settings, pw = _mail_login(plan_path, "imap", mail, password)
    db_path = _ledger_path(plan_path, db, must_exist=False)
    with _ledger(db_path) as ledger:
        report = fetch_new(plan, settings, pw, ledger, since=period.start)
    if report.files or inputs is not None:  # first: a failed collect leaves them to fetch again
        report.collected = collect([*report.files, *(inputs or [])], plan_path, period_id, out_dir,
                                   db_path, workers, book_password, limits, progress, force)
    if report.messages:
        with _ledger(db_path) as ledger:
            record_fetched(ledger, report.messages)
    if move_to:
        report.move_problem = move(settings, pw, [r.uid for r in report.messages], move_to)
    return report
