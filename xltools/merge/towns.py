"""The town matrix with the period's actuals: 目标, 完成, 完成率 per town and column.

Targets are the plan's values as printed (the 合计 row too, never corrected); 完成 of the
合计 row is the sum of the towns' reported actuals for additive columns. Where the plan's
own total differs from the sum of its rows, the difference is listed, not fixed.
"""
from __future__ import annotations

import math

from ..forms.registry import current
from ..model.check import check_matrix, column_measures
from ..model.glossary import FORM_TOWN
from ..model.plan import SECTION_SEP, Plan
from ..model.rates import direction_of, is_cumulative, rate
from ..model.returns import FormReturn
from ..model.table import Table
from ..model.values import parse_value
from .common import Contribution, blocked_cells, figure

TOWN_COLUMNS = ["行", "行类型", "单位", "列", "部分", "指标", "类别", "计量单位", "可加", "分表",
                "目标", "目标原文", "完成", "完成率", "达标", "已报送", "说明"]
MISMATCH_COLUMNS = ["列", "指标", "部分", "合计(计划所印)", "各行之和", "相差"]
_KIND, _COLUMN, _PART, _LABEL, _MEASURE, _ADDITIVE, _TARGET, _DONE, _RATE, _MET = map(
    TOWN_COLUMNS.index, ("行类型", "列", "部分", "指标", "计量单位", "可加", "目标", "完成", "完成率", "达标"))


def leaves(plan: Plan) -> list[tuple]:
    """(column, part, measure) in plan order; a composite column (户、人) gives one per part."""
    m = plan.matrix
    return [leaf for c in m.columns
            for leaf in [(c, p, p) for p in column_measures(m, c.key)] or [(c, "", c.measure)]]


def leaf_label(col, part: str) -> str:
    label = SECTION_SEP.join(col.path[1:]) or (col.path[0] if col.path else col.key)
    return f"{label}({part})" if part else label


def town_values(fr: FormReturn, into: Contribution) -> None:
    """What a town form `fr` gives the merge, into `into`: each line's cumulative figure and
    note, and how many values an 错误 finding keeps out."""
    col = current(FORM_TOWN).col("累计完成")  # where the value was when the cell is unknown
    cells = blocked_cells(fr)
    for tr in fr.town:
        into.town[tr.column, tr.part] = figure(into, cells, tr, col)


def merge_towns(plan: Plan, towns: dict[str, Contribution]) -> tuple[Table, Table]:
    """(long matrix table, total-vs-sum mismatches of the plan's own targets) from the towns'
    forms (merge.common.contributions)."""
    m = plan.matrix
    if m is None:
        return Table(TOWN_COLUMNS), Table(MISMATCH_COLUMNS)
    measures = {c.key: column_measures(m, c.key) for c in m.columns}
    rows = []
    actuals: dict[tuple[str, str], list[float]] = {}  # the 合计 row's 完成: the towns' summed
    for r in m.rows:
        unit = r.unit or (r.label if r.kind == "town" else "")
        for c, part, measure in leaves(plan):
            raw = m.value(r.label, c.key)
            target = parse_value(raw, measures[c.key]).target(part)
            got, note = (towns[unit].town.get((c.key, part), (None, ""))
                         if r.kind == "town" and unit in towns else (None, ""))
            got = None if got is None else float(got)
            if r.kind == "town" and c.additive and got is not None:
                actuals.setdefault((c.key, part), []).append(got)
            rows.append([r.label, r.kind, unit, c.key, part, leaf_label(c, part),
                         c.path[0] if c.path else "", measure, c.additive, c.table,
                         None if target is None else float(target), raw, got, None, "",
                         unit in towns if r.kind == "town" else False, note])
    for row in rows:  # (additive columns only; no town reported: no sum; fsum: 14.43, not
        key = (row[_COLUMN], row[_PART])  # 14.430000000000001)
        if row[_KIND] == "total" and row[_ADDITIVE] and key in actuals:
            row[_DONE] = math.fsum(actuals[key])
        rating = rate(row[_TARGET], row[_DONE], bool(row[_ADDITIVE]) and is_cumulative(row[_MEASURE]),
                      direction_of(row[_LABEL]))
        row[_RATE], row[_MET] = rating.rate, rating.verdict
    return Table(TOWN_COLUMNS, rows), mismatches(plan)


def mismatches(plan: Plan) -> Table:
    """check_matrix's total-vs-sum findings as a table, a row per column and part."""
    return Table(MISMATCH_COLUMNS, [
        (f.ref.split("\t", 1)[1], f.params["column"], f.params["part"], f.value,
         f.params["expected"], f.params["diff"])
        for f in check_matrix(plan.matrix, plan) if f.code == "matrix-total-mismatch"])
