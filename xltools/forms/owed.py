"""What a unit owes: the forms due each period and the lines of a town's form."""
from __future__ import annotations

from ..model import MatrixColumn, MatrixRow, Plan, column_measures, parse_value
from ..model.glossary import FORM_REPORT, FORM_TOWN


def owed_forms(plan: Plan) -> list[tuple[str, str]]:
    """(unit, form kind) of every form owed each period: a 季度报表 from each unit with tasks,
    then a 镇街指标表 from each town of the matrix."""
    return [(u.name, FORM_REPORT) for u in plan.units_with_tasks()] + \
        [(r.unit or r.label, FORM_TOWN) for r in plan.town_rows()]


def town_row(plan: Plan, name: str) -> MatrixRow | None:
    """The matrix row of the town a form is for (by the unit's name or the row's label)."""
    return next((r for r in plan.town_rows() if (r.unit or r.label) == name), None)


def town_lines(plan: Plan, row: MatrixRow) -> list[tuple[MatrixColumn, str, float | None, str, str]]:
    """(column, part, target, measure, printed) for each applicable value of a town."""
    m = plan.matrix
    out = []
    for col in m.columns:
        printed = m.value(row.label, col.key)
        v = parse_value(printed, column_measures(m, col.key))
        if v.kind in ("na", "empty"):
            continue
        if v.kind == "composite":
            out.extend((col, part, x, part, printed) for part, x in v.parts.items())
        elif v.kind in ("number", "percent"):
            out.append((col, "", v.number, "%" if v.kind == "percent" else col.measure, printed))
        else:
            out.append((col, "", None, col.measure, printed))
    return out
