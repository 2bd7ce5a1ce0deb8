"""The town matrix with the period's actuals: 目标, 完成, 完成率 per town and column.

Targets are the plan's values as printed (the 合计 row too, never corrected); 完成 of the
合计 row is the sum of the towns' reported actuals for additive columns. Where the plan's
own total differs from the sum of its rows, the difference is listed, not fixed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..forms.registry import current
from ..model.check import check_matrix, column_measures
from ..model.glossary import FORM_TOWN, form_name
from ..model.plan import SECTION_SEP, Plan
from ..model.rates import direction_of, is_cumulative, rate
from ..model.returns import ACTUAL, FormReturn
from ..model.values import format_number, parse_value
from .common import BLOCKED, blocked_cells, is_blocked, value_cell

TOWN_COLUMNS = ["行", "行类型", "单位", "列", "部分", "指标", "类别", "计量单位", "可加", "分表",
                "目标", "目标原文", "完成", "完成率", "达标", "已报送", "说明"]
MISMATCH_COLUMNS = ["列", "指标", "部分", "合计(计划所印)", "各行之和", "相差"]


def leaves(plan: Plan) -> list[tuple]:
    """(column, part, measure) in plan order; a composite column (户、人) gives one per part."""
    m = plan.matrix
    out = []
    for c in m.columns:
        parts = column_measures(m, c.key)
        if parts:
            out.extend((c, p, p) for p in parts)
        else:
            out.append((c, "", c.measure))
    return out


def leaf_label(col, part: str) -> str:
    label = SECTION_SEP.join(col.path[1:]) or (col.path[0] if col.path else col.key)
    return f"{label}({part})" if part else label


def merge_towns(plan: Plan, towns: dict[str, FormReturn], blocked: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(long matrix frame, total-vs-sum mismatches of the plan's own targets)."""
    m = plan.matrix
    if m is None:
        return pd.DataFrame(columns=TOWN_COLUMNS), pd.DataFrame(columns=MISMATCH_COLUMNS)
    actual: dict[tuple[str, str, str], tuple[float | None, str]] = {}
    col = current(FORM_TOWN).col("累计完成")  # where the value was when the cell is unknown
    for unit, fr in towns.items():
        cells = blocked_cells(fr)
        for tr in fr.town:
            if is_blocked(cells, tr.cells, ACTUAL, tr.row, col):
                actual[(unit, tr.column, tr.part)] = (None, BLOCKED)
                blocked.append((unit, form_name(FORM_TOWN), tr.column, "累计完成", fr.sheet,
                                value_cell(tr.cells, ACTUAL, tr.row, col),
                                fr.received.display))
            else:
                actual[(unit, tr.column, tr.part)] = (tr.actual, tr.note or "")
    measures = {c.key: column_measures(m, c.key) for c in m.columns}
    rows = []
    for r in m.rows:
        unit = r.unit or (r.label if r.kind == "town" else "")
        for c, part, measure in leaves(plan):
            raw = m.value(r.label, c.key)
            target = parse_value(raw, measures[c.key]).target(part)
            got, note = actual.get((unit, c.key, part), (None, "")) if r.kind == "town" else (None, "")
            rows.append((r.label, r.kind, unit, c.key, part, leaf_label(c, part),
                         c.path[0] if c.path else "", measure, c.additive, c.table,
                         np.nan if target is None else float(target), raw,
                         np.nan if got is None else float(got), np.nan, "",
                         unit in towns if r.kind == "town" else False, note))
    df = pd.DataFrame(rows, columns=TOWN_COLUMNS)
    # 合计 row: sum of the towns' actuals, additive columns only
    town_rows = df["行类型"].eq("town") & df["可加"]
    sums = df[town_rows].groupby(["列", "部分"], sort=False)["完成"].sum(min_count=1)
    total = df["行类型"].eq("total") & df["可加"]
    idx = pd.MultiIndex.from_frame(df.loc[total, ["列", "部分"]])
    df.loc[total, "完成"] = sums.reindex(idx).to_numpy()
    ratings = [rate(t, a, bool(add) and is_cumulative(measure), direction_of(label))
               for t, a, add, measure, label in df[["目标", "完成", "可加", "计量单位", "指标"]]
               .itertuples(index=False, name=None)]
    df["完成率"] = [np.nan if r.rate is None else r.rate for r in ratings]
    df["达标"] = [r.verdict for r in ratings]
    return df, mismatches(plan, df)


def mismatches(plan: Plan, df: pd.DataFrame) -> pd.DataFrame:
    """check_matrix's total-vs-sum findings, with the numbers per part."""
    bad = {f.ref.split("\t", 1)[1] for f in check_matrix(plan.matrix, plan)
           if f.code == "matrix-total-mismatch" and "\t" in f.ref}
    if not bad:
        return pd.DataFrame(columns=MISMATCH_COLUMNS)
    sel = df[df["列"].isin(bad) & df["可加"]]
    rows_sum = sel[sel["行类型"] != "total"].groupby(["列", "部分"], sort=False)["目标"].sum()
    total = sel[sel["行类型"] == "total"].set_index(["列", "部分"])
    out = []
    for (key, part), got in rows_sum.items():
        if (key, part) not in total.index:
            continue
        t = total.loc[(key, part)]
        want = t["目标"]
        if pd.isna(want) or abs(want - got) <= 1e-6 * max(1.0, abs(want)):
            continue
        label = f"{t['类别']}{SECTION_SEP}{t['指标']}" if t["类别"] else t["指标"]
        out.append((key, label, part, t["目标原文"], format_number(got),
                    format_number(want - got)))
    return pd.DataFrame(out, columns=MISMATCH_COLUMNS)
