"""Vocabulary and small helpers shared by the merge modules."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..model.glossary import FORM_REPORT, FORM_TOWN, a1, official_marks
from ..model.plan import Plan, PlanLookups
from ..forms.registry import STATUSES  # what a unit may choose on its form
from ..model.returns import ACCEPTED, ACTUAL, FormReturn, Received

BLOCKED = official_marks("(有误,未采用)")  # shown instead of a value an 错误 finding keeps out
NOT_FILLED = "未填或有误"  # a unit's task row with no usable status
NOT_REPORTED = "未报送"
UNCLEAR = "待核实"  # the lead reported, but its status is empty or was not accepted
UNIT_CATEGORIES = (*STATUSES, NOT_FILLED, NOT_REPORTED)
OVERALL_STATUSES = (*STATUSES, UNCLEAR, NOT_REPORTED)
LAGGING = ("滞后", "未启动")
ON_TIME, LATE = "按时", "逾期"
NOT_DUE = "—"  # the unit has nothing to report on this form


def missing_count(units: Iterable[str]) -> str:
    """How many have not reported, from the 单位 of the 未报送 rows (a row a form owed: a
    town owes a 季度报表 and a 镇街指标表): "共 28 个单位、38 份表单", "共 3 个" when each
    unit owes one."""
    units = list(units)
    n = len(set(units))
    return f"共 {n} 个" if n == len(units) else f"共 {n} 个单位、{len(units)} 份表单"


def blocked_cells(fr: FormReturn) -> set[str]:
    """Cells of the values an 错误 finding keeps out, as `cells` name them (FormReturn.place)."""
    return {fr.place(sheet, cell) for sheet, cell in fr.blocked_cells()}


def is_blocked(blocked: set[str], cells: dict[str, str], key: str, row: int, col: int) -> bool:
    """Whether the value's cell is among `blocked`: the cell the extractor recorded, else
    the form's layout's."""
    return bool(blocked) and ((cells or {}).get(key) or (a1(row, col) if row >= 0 else "")) in blocked


def figure(into: Contribution, blocked: set[str], line, col: int) -> tuple:
    """(累计完成, 说明) of a target or town line of a return (col: where its 累计完成 is on
    the form when the cell is unknown); (None, BLOCKED), counted in `into`, when an 错误
    finding keeps the figure out."""
    if is_blocked(blocked, line.cells, ACTUAL, line.row, col):
        into.blocked += 1
        return None, BLOCKED
    return line.actual, line.note or ""


def accepted_returns(plan: Plan, period_id: str | None, returns: Iterable[FormReturn] | None,
                     look: PlanLookups | None = None) -> dict[tuple[str, str], FormReturn]:
    """(unit, kind) -> the accepted return of that form; the latest when there are several."""
    return _latest(plan, period_id, returns, look, lambda fr: fr)


@dataclass
class Contribution:
    """What one accepted return gives the merge (merge.tasks, merge.towns), taken out of it
    as it streams past, so that a period's returns need not all be held at once: who sent
    it when, and its values as the tables take them, keyed as they are joined to the plan."""

    received: Received
    late: bool
    # a report form's task number -> (状态, 完成进度, the three texts, 未采用), and
    # (task number, target index) -> (累计完成, 说明) (merge.tasks.report_values); a town
    # form's (column, part) -> (累计完成, 说明) (merge.towns.town_values)
    typed: dict[str, tuple] = field(default_factory=dict)
    targets: dict[tuple[str, int], tuple] = field(default_factory=dict)
    town: dict[tuple[str, str], tuple] = field(default_factory=dict)
    blocked: int = 0  # how many of its values an 错误 finding keeps out


def contributions(plan: Plan, period_id: str | None, returns: Iterable[FormReturn] | None,
                  look: PlanLookups | None = None) -> dict[tuple[str, str], Contribution]:
    """(unit, kind) -> what the accepted return of that form gives the merge (the latest
    when there are several), as accepted_returns picks them; each return is let go once its
    contribution is taken (a generator of returns is read once, and never held whole)."""
    from .tasks import report_values  # (they use this module's helpers)
    from .towns import town_values

    def take(fr: FormReturn) -> Contribution:
        c = Contribution(fr.received, fr.late)
        if fr.kind == FORM_REPORT:
            report_values(fr, c)
        elif fr.kind == FORM_TOWN:
            town_values(fr, c)
        return c
    return _latest(plan, period_id, returns, look, take)


def _latest(plan: Plan, period_id: str | None, returns: Iterable[FormReturn] | None,
            look: PlanLookups | None, keep: Callable[[FormReturn], object]) -> dict:
    """(unit, kind) -> keep(the latest accepted return of that form)."""
    look = look or plan.lookups()
    best: dict[tuple[str, str], object] = {}
    when: dict[tuple[str, str], str] = {}
    for fr in returns or ():
        if fr.status != ACCEPTED or (period_id and fr.period and fr.period != period_id) \
                or (fr.plan_id and fr.plan_id != plan.plan_id):
            continue
        key = (look.unit_name(fr.unit), fr.kind)
        if key not in when or fr.received.received_at >= when[key]:
            when[key] = fr.received.received_at
            best[key] = keep(fr)
    return best
