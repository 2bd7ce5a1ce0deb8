"""Plan -> workbook layouts (annexes, forms, sending list). Pure: no file I/O here."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Finding, Period, Plan, finding
from .identity import FormIdentity, embed_identity
from .layout import Workbook
from .report_form import report_form
from .town_form import town_form


@dataclass
class Generated:
    """Everything to write for one generate run, plus what was noticed on the way."""

    workbooks: list[Workbook] = field(default_factory=list)
    identities: dict[str, FormIdentity] = field(default_factory=dict)  # filename -> identity
    findings: list[Finding] = field(default_factory=list)


def select_periods(plan: Plan, period_ids: list[str] | None) -> tuple[list[Period], list[Finding]]:
    """The periods asked for (all when none are named); unknown ids become findings."""
    if not period_ids:
        return list(plan.periods), []
    chosen, problems = [], []
    for pid in period_ids:
        p = plan.period(pid)
        if p is None:
            known = "、".join(x.id for x in plan.periods) or "无"
            problems.append(finding("bad-period", value=pid, reason=f"计划中没有这个周期(已有:{known})"))
        elif p not in chosen:
            chosen.append(p)
    return chosen, problems


def build_all(plan: Plan, period_ids: list[str] | None = None) -> Generated:
    """Every official workbook for the plan and the chosen periods, as layouts."""
    from .annex1 import annex1
    from .annex2 import annex2
    from .annex3 import annex3
    from .sending_list import SendingEntry, sending_list
    from .workplan import workplan

    out = Generated()
    periods, out.findings = select_periods(plan, period_ids)
    out.workbooks.append(annex1(plan))
    out.workbooks.append(annex2(plan))
    a3, a3_findings = annex3(plan)
    if a3 is not None:
        out.workbooks.append(a3)
        out.findings.extend(a3_findings)
    entries = []
    for unit in plan.units_with_tasks():
        wb = workplan(plan, unit)
        _add_form(out, wb, plan, "workplan", unit.name, "")
        entries.append(SendingEntry(unit, None, [wb.filename]))
    for period in periods:
        files_by_unit: dict[str, list[str]] = {}
        for unit in plan.units_with_tasks():
            wb, _ = report_form(plan, unit, period)
            _add_form(out, wb, plan, "report", unit.name, period.id)
            files_by_unit.setdefault(unit.name, []).append(wb.filename)
        for row in plan.town_rows():
            wb, _ = town_form(plan, row, period)
            name = row.unit or row.label
            _add_form(out, wb, plan, "town", name, period.id)
            files_by_unit.setdefault(name, []).append(wb.filename)
        for name, files in files_by_unit.items():
            unit = plan.unit(name)
            if unit is not None:
                entries.append(SendingEntry(unit, period, files))
    out.workbooks.append(sending_list(plan, entries))
    return out


def _add_form(out: Generated, wb: Workbook, plan: Plan, kind: str, unit: str, period: str) -> None:
    out.identities[wb.filename] = embed_identity(wb, plan.plan_id, kind, unit, period)
    out.workbooks.append(wb)
