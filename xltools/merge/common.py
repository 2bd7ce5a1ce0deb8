"""Vocabulary and small helpers shared by the merge modules."""
from __future__ import annotations

from ..model.glossary import a1, official_marks
from ..model.plan import Plan, PlanLookups
from ..forms.registry import STATUSES  # what a unit may choose on its form
from ..model.returns import ACCEPTED, FormReturn

BLOCKED = official_marks("(有误,未采用)")  # shown instead of a value an 错误 finding keeps out
NOT_FILLED = "未填或有误"  # a unit's task row with no usable status
NOT_REPORTED = "未报送"
UNCLEAR = "待核实"  # the lead reported, but its status is empty or was not accepted
UNIT_CATEGORIES = (*STATUSES, NOT_FILLED, NOT_REPORTED)
OVERALL_STATUSES = (*STATUSES, UNCLEAR, NOT_REPORTED)
LAGGING = ("滞后", "未启动")
ON_TIME, LATE = "按时", "逾期"
NOT_DUE = "—"  # the unit has nothing to report on this form


def blocked_cells(fr: FormReturn) -> set[str]:
    """Cells of the values an 错误 finding keeps out, as `cells` name them (FormReturn.place)."""
    return {fr.place(sheet, cell) for sheet, cell in fr.blocked_cells()}


def value_cell(cells: dict[str, str], key: str, row: int, col: int) -> str:
    """Where a value came from: the cell the extractor recorded, else the form's layout."""
    return (cells or {}).get(key) or (a1(row, col) if row >= 0 else "")


def is_blocked(blocked: set[str], cells: dict[str, str], key: str, row: int, col: int) -> bool:
    return bool(blocked) and value_cell(cells, key, row, col) in blocked


def accepted_returns(plan: Plan, period_id: str | None, returns: list[FormReturn] | None,
                     look: PlanLookups | None = None) -> dict[tuple[str, str], FormReturn]:
    """(unit, kind) -> the accepted return of that form; the latest when there are several."""
    look = look or plan.lookups()
    best: dict[tuple[str, str], FormReturn] = {}
    for fr in returns or []:
        if fr.status != ACCEPTED:
            continue
        if period_id and fr.period and fr.period != period_id:
            continue
        if fr.plan_id and fr.plan_id != plan.plan_id:
            continue
        key = (look.unit_name(fr.unit), fr.kind)
        old = best.get(key)
        if old is None or fr.received.received_at >= old.received.received_at:
            best[key] = fr
    return best
