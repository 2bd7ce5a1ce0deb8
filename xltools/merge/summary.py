"""summarize(): the accepted returns of a period as the tables the summary workbook prints."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..forms.owed import town_lines
from ..model.findings import ERROR, WARNING
from ..model.glossary import form_name, FORM_REPORT, FORM_TOWN, official_marks
from ..model.periods import deadline_end, is_late, parse_time, show_time
from ..model.plan import Period, Plan, PlanLookups, Unit
from ..model.returns import FormReturn
from ..model.collector import gc_paused
from ..model.table import Table
from .common import (LATE, NOT_DUE, NOT_REPORTED, ON_TIME, OVERALL_STATUSES, UNIT_CATEGORIES,
                     Contribution, contributions)
from .receipts import (FindingCounts, ReceiptRow, finding_counts, open_findings, refused_files,
                       stamp_status)
from .tasks import lagging, merge_targets, merge_tasks
from .towns import merge_towns

BY_UNIT_COLUMNS = ["单位", "类型", "任务数", *UNIT_CATEGORIES, "季度报表", "提交时间", "文件名",
                   "镇街指标表", "指标表提交时间", "错误数", "警告数"]
MISSING_COLUMNS = ["单位", "类型", "未报表单", "应报内容", "责任领导", "联系人", "联系电话", "说明"]
LATE_COLUMNS = ["单位", "表单", "提交时间", "截止日期", "逾期天数", "文件名", "判定依据"]


@dataclass
class Summary:
    """Everything the summary workbook shows, as tables (column names in Chinese)."""

    period: Period
    tasks: Table  # one row per task: overall status and progress
    by_task: Table  # one row per task × responsible unit
    by_unit: Table
    lagging: Table
    missing: Table
    late: Table
    targets: Table
    town: Table  # long: one row per matrix row × column (part)
    town_mismatches: Table  # the plan's own totals that differ from its rows' sum
    counts: dict[str, int] = field(default_factory=dict)
    findings: FindingCounts = field(default_factory=FindingCounts)  # what every output prints
    stamps: dict[str, str] = field(default_factory=dict)  # unit -> its 盖章件 ("" = 未收到)

    def overall_counts(self) -> dict[str, int]:
        """How many tasks have each overall status, in OVERALL_STATUSES' order."""
        got = Counter(self.tasks["总体状态"])
        return {k: got[k] for k in OVERALL_STATUSES}


@gc_paused()  # (what it builds lives on: the collector's passes would find nothing to free)
def summarize(plan: Plan, period: Period, current: Iterable[FormReturn],
              receipts: list[ReceiptRow] | None = None,
              previous: Iterable[FormReturn] | None = None, exempt=frozenset()) -> Summary:
    """Merge the accepted returns of `period` (read once, one at a time: a generator of
    them, as Ledger.returns gives, is never held whole); values with an 错误 finding are
    left out; units `exempt` from the period (免报) are not missing. previous: the
    previous period's returns, for the progress since (None: no such column)."""
    look = plan.lookups()
    best = contributions(plan, period.id, current, look)
    reports = {u: fr for (u, k), fr in best.items() if k == "report"}
    towns = {u: fr for (u, k), fr in best.items() if k == "town"}
    by_task, tasks = merge_tasks(plan, reports, look)
    targets = merge_targets(plan, reports, tasks)
    town, mismatch = merge_towns(plan, towns)
    by_unit = _by_unit(plan, period, by_task, best, receipts or [], look)
    missing = _missing(plan, period, by_task, towns, receipts or [], look)
    missing = missing.where(lambda r: r["单位"] not in exempt)
    late = _late(period, best, receipts or [])
    if previous is not None:
        was, change = _changes(plan, tasks, previous, look)
        tasks = tasks.with_column("上期进度", was).with_column("进度变化", change)
    forms = Counter(missing["未报表单"])
    counts = {"units": len(set(by_task["单位"])), "reported": len(reports),
              "missing_reports": forms[form_name(FORM_REPORT, period.id)], "towns": len(plan.town_rows()),
              "town_forms": len(towns), "missing_towns": forms[form_name(FORM_TOWN)], "late": len(late),
              # (a town form's values count only against the plan's matrix, as merge_towns reads them)
              "blocked": sum(c.blocked for (_, k), c in best.items() if k == FORM_REPORT or plan.matrix),
              "tasks": len(tasks)}
    return Summary(period=period, tasks=tasks, by_task=by_task,
                   by_unit=by_unit, lagging=lagging(by_task), missing=missing, late=late,
                   targets=targets, town=town, town_mismatches=mismatch,
                   counts=counts, findings=finding_counts(receipts or []),
                   stamps=stamp_status(plan, receipts or []))


def _form_state(fr: Contribution | None, period: Period, due: bool) -> tuple[str, str, str]:
    """(按时/逾期/未报送/—, shown time, file name) of one form of one unit."""
    if fr is None:
        return (NOT_REPORTED if due else NOT_DUE), "", ""
    late = is_late(fr.received.received_at, period, fr.late)
    return (LATE if late else ON_TIME), show_time(fr.received.received_at), fr.received.name


def _by_unit(plan: Plan, period: Period, by_task: Table,
             best: dict[tuple[str, str], Contribution], receipts: list[ReceiptRow],
             look: PlanLookups) -> Table:
    """One row per unit; 错误数 / 警告数 are its open findings (finding_counts' rule)."""
    found = Counter((look.unit_name(r.unit), f.severity) for r, f in open_findings(receipts) if r.unit)
    counts = Counter(zip(by_task["单位"], by_task["_cat"]))
    n_tasks = Counter(by_task["单位"])
    town_units = {r.unit or r.label for r in plan.town_rows()}
    rows = []
    for u in plan.units:
        if u.name not in n_tasks and u.name not in town_units:
            continue
        r_state = _form_state(best.get((u.name, "report")), period, u.name in n_tasks)
        t_state = _form_state(best.get((u.name, "town")), period, u.name in town_units)
        rows.append((u.name, u.kind, n_tasks[u.name], *(counts[u.name, k] for k in UNIT_CATEGORIES),
                     *r_state, *t_state[:2], found[u.name, ERROR], found[u.name, WARNING]))
    return Table(BY_UNIT_COLUMNS, rows)


def _missing(plan: Plan, period: Period, by_task: Table, towns: dict[str, Contribution],
             receipts: list[ReceiptRow], look: PlanLookups) -> Table:
    """Units with tasks and no accepted report form; towns with no accepted town form."""
    refused = refused_files(look, receipts)
    reported = {u for u, rep in by_task.select("单位", "_rep") if rep}
    n_tasks = Counter(by_task["单位"])
    rows = []

    def note(unit: str, kind: str) -> str:
        got = refused(unit, kind)
        return official_marks(f"收到 {got} 个文件,均已退回(见校验报告)") if got else ""

    for u in plan.units:
        if u.name in n_tasks and u.name not in reported:
            rows.append((u.name, u.kind, form_name(FORM_REPORT, period.id), f"任务 {n_tasks[u.name]} 项",
                         u.leader, u.contact, u.phone, note(u.name, "report")))
    for r in plan.town_rows():
        name = r.unit or r.label
        if name not in towns:
            u = look.unit(name) or Unit(name, kind="")  # (not registered: no details to show)
            rows.append((name, u.kind, form_name(FORM_TOWN), f"指标 {len(town_lines(plan, r))} 项",
                         u.leader, u.contact, u.phone, note(name, "town")))
    return Table(MISSING_COLUMNS, rows)


def _late(period: Period, best: dict[tuple[str, str], Contribution],
          receipts: list[ReceiptRow]) -> Table:
    from ..collect.run import TIME_EVIDENCE
    end = deadline_end(period)
    evidence = {r.sha256: r.evidence for r in receipts}
    rows = []
    for (unit, kind), fr in best.items():
        if kind not in ("report", "town") or not is_late(fr.received.received_at, period, fr.late):
            continue
        t = parse_time(fr.received.received_at)
        days = math.ceil((t - end).total_seconds() / 86400) if t and end else None
        why = evidence.get(fr.received.sha256) or TIME_EVIDENCE.get(fr.received.time_source, "")
        rows.append((unit, form_name(kind, period.id), show_time(fr.received.received_at),
                     period.deadline, days, fr.received.name, why))
    return Table(LATE_COLUMNS, sorted(rows, key=lambda r: (r[2], r[0])))  # (提交时间, 单位)


def _changes(plan: Plan, tasks: Table, previous: Iterable[FormReturn],
             look: PlanLookups) -> tuple[list, list]:
    """Each task's overall progress in the previous period, and the change since (both
    tables list the plan's tasks in its order: row k is task k in each)."""
    prev_best = contributions(plan, None, previous, look)
    prev_reports = {u: fr for (u, k), fr in prev_best.items() if k == "report"}
    was = merge_tasks(plan, prev_reports, look)[1]["总体进度"]
    return was, [None if now is None or before is None else now - before
                 for now, before in zip(tasks["总体进度"], was)]



