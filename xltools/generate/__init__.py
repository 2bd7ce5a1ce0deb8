"""Plan -> workbook layouts (annexes, forms, sending list). Pure: no file I/O here."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Finding, Period, Plan, finding
from ..forms.identity import embed_identity
from ..forms.owed import owed_forms, town_row
from ..forms.registry import current
from ..model.glossary import FORM_REPORT, FORM_WORKPLAN
from ..sheet.blocks import header_row, official_page, title_block
from ..sheet.layout import Sheet, Workbook
from .report_form import report_filename, report_form
from .town_form import town_filename, town_form


def listing(plan: Plan, filename: str, title: str, sheet_name: str, labels: list[str],
            widths: list[float], landscape: bool, subtitle: str = "",
            annex: str = "") -> tuple[Workbook, Sheet, int]:
    """A workbook of one printed list (an annex, the sending list): its title rows, and a
    header row frozen and repeated on every page; (workbook, sheet, the row under the header).
    The document's subject is the annex mark (附件1), or else the sheet's name."""
    wb = Workbook(filename=filename, title=title, subject=annex or sheet_name, company=plan.issuer)
    sheet = wb.add_sheet(sheet_name)
    sheet.widths(widths)
    head = title_block(sheet, len(labels), title, subtitle=subtitle, annex=annex)
    row = header_row(sheet, head, labels)
    sheet.page = official_page(landscape=landscape, header_rows=(head, head))
    sheet.freeze = (row, 0)
    return wb, sheet, row


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


@dataclass(frozen=True)
class FormJob:
    """One fill-in form to write: kind (report / town / workplan), unit, period ("" for 办理方案)."""

    kind: str
    unit: str
    period: str = ""


def form_jobs(plan: Plan, periods: list[Period]) -> list[FormJob]:
    """Every form of the plan for the periods, in the order they are listed to the clerk."""
    owed = owed_forms(plan)
    return [FormJob(FORM_WORKPLAN, u.name) for u in plan.units_with_tasks()] + \
        [FormJob(kind, unit, p.id) for p in periods for unit, kind in owed]


def job_filename(plan: Plan, job: FormJob) -> str:
    """The file name a job writes (known without building the form)."""
    from .workplan import workplan_filename

    if job.kind == FORM_WORKPLAN:
        return workplan_filename(plan.unit(job.unit))
    period = plan.period(job.period)
    if job.kind == FORM_REPORT:
        return report_filename(plan.unit(job.unit), period)
    return town_filename(town_row(plan, job.unit), period)


def build_form(plan: Plan, job: FormJob) -> Workbook:
    """The layout of one form by its kind's current spec, with its identity embedded."""
    from .workplan import workplan

    spec = current(job.kind)
    if job.kind == FORM_WORKPLAN:
        wb = workplan(plan, plan.unit(job.unit), spec)
    elif job.kind == FORM_REPORT:
        wb, _ = report_form(plan, plan.unit(job.unit), plan.period(job.period), spec=spec)
    else:
        wb, _ = town_form(plan, town_row(plan, job.unit), plan.period(job.period), spec=spec)
    embed_identity(wb, plan.plan_id, job.kind, job.unit, job.period, spec.version)
    return wb


def annexes(plan: Plan, paged: bool = True) -> tuple[list[Workbook], list[Finding]]:
    """附件1-3 (附件3 only with a town matrix) and the matrix findings placed at their cells;
    paged=False: 附件2's unit blocks are not cut at printed pages (a Word table breaks itself)."""
    from .annex1 import annex1
    from .annex2 import annex2
    from .annex3 import annex3

    a3, findings = annex3(plan)
    return [annex1(plan), annex2(plan, paged), *([a3] if a3 is not None else [])], findings


def build_documents(plan: Plan, jobs: list[FormJob]) -> tuple[list[Workbook], list[Finding]]:
    """The annexes and the sending list (which names every form's file)."""
    from .sending_list import SendingEntry, sending_list

    docs, findings = annexes(plan)
    files: dict[tuple[str, str], list[str]] = {}
    for job in jobs:
        files.setdefault((job.unit, job.period), []).append(job_filename(plan, job))
    entries = [SendingEntry(plan.unit(unit), plan.period(period) if period else None, names)
               for (unit, period), names in files.items() if plan.unit(unit) is not None]
    return [*docs, sending_list(plan, entries)], findings

