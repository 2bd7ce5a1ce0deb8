"""The year at a glance: every period's accepted returns (from the ledger) side by side.

year_summary(plan, returns by period, today) -> YearSummary of four frames:
- tasks:      each task's overall status and progress per period (the quarter rules of
              merge.tasks), and the latest;
- timeliness: each unit's record per period and form owed: 按时 / 逾期 / 未报 (未到期 when
              the deadline has not passed yet), with counts;
- indicators: each quantified target's cumulative figure per period, the latest, and
              latest / annual target;
- towns:      towns ranked by completion rate: the average over the town's additive lines
              with a positive target of (latest cumulative / target), a line never reported
              counting 0.
Pure: no files.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..forms.owed import owed_forms
from ..model.glossary import FORM_TOWN, form_name
from ..model.plan import Period, Plan
from ..model.returns import FormReturn
from ..model.rates import rate
from ..model.periods import deadline_end, is_late
from .common import LATE, ON_TIME, accepted_returns
from .tasks import merge_targets, merge_tasks
from .towns import leaf_label, leaves, merge_towns
from ..model.check import column_measures
from ..model.plan import DIRECTION_LABELS as DIRECTIONS
from ..model.values import parse_value

MISSED = "未报"
NOT_DUE = "未到期"
NO_DATA = ""


def short_name(plan: Plan, period: Period) -> str:
    """第一季度 for 2019年第一季度 (the year is in the title)."""
    year = f"{plan.year}年"
    return period.name[len(year):] if period.name.startswith(year) and len(period.name) > len(year) \
        else period.name


@dataclass
class YearSummary:
    """The year summary's frames (Chinese column names; one column group per period)."""

    periods: list[Period]
    labels: list[str]  # short period names, the column prefixes
    tasks: pd.DataFrame
    timeliness: pd.DataFrame
    indicators: pd.DataFrame
    towns: pd.DataFrame
    reported_periods: list[str] = field(default_factory=list)  # ids with any accepted return


def _due(period: Period, today: date) -> bool:
    end = deadline_end(period)
    return end is None or datetime(today.year, today.month, today.day) >= end


def year_summary(plan: Plan, returns: dict[str, list[FormReturn]],
                 today: date | None = None) -> YearSummary:
    """returns: period id -> that period's accepted returns (Ledger.current)."""
    today = today or date.today()
    look = plan.lookups()
    periods = list(plan.periods)
    labels = [short_name(plan, p) for p in periods]
    best = {p.id: accepted_returns(plan, p.id, returns.get(p.id, []), look) for p in periods}
    reported = [p.id for p in periods if best[p.id]]
    tasks, targets, towns = _per_period(plan, periods, best, look)
    return YearSummary(periods, labels, _tasks(plan, periods, labels, tasks),
                       _timeliness(plan, periods, labels, best, today),
                       _indicators(plan, periods, labels, targets),
                       _towns(plan, periods, towns), reported)


def _per_period(plan, periods, best, look):
    tasks, targets, towns = {}, {}, {}
    for p in periods:
        reports = {u: fr for (u, k), fr in best[p.id].items() if k == "report"}
        town_forms = {u: fr for (u, k), fr in best[p.id].items() if k == "town"}
        if not best[p.id]:
            continue
        _, t, blocked = merge_tasks(plan, reports, look)
        tasks[p.id] = t
        targets[p.id] = merge_targets(plan, reports, t, blocked)
        if plan.matrix is not None and town_forms:
            towns[p.id] = merge_towns(plan, town_forms, [])[0]
    return tasks, targets, towns


def _tasks(plan: Plan, periods, labels, per: dict[str, pd.DataFrame]) -> pd.DataFrame:
    look = plan.lookups()
    rows = []
    for t in plan.tasks:
        leads = "、".join(u.name for u, r in look.task_units(t) if r == "牵头")
        row = {"序号": t.number, "任务内容": t.text, "牵头单位": leads}
        last_status, last_progress = "", np.nan
        for p, label in zip(periods, labels):
            df = per.get(p.id)
            status, progress = NO_DATA, np.nan
            if df is not None:
                hit = df.loc[df["序号"] == t.number]
                if len(hit):
                    status = hit["总体状态"].iloc[0] or NO_DATA
                    progress = hit["总体进度"].iloc[0]
            row[f"{label}状态"], row[f"{label}进度"] = status, progress
            if status:
                last_status, last_progress = status, progress
        row["最新状态"], row["最新进度"] = last_status, last_progress
        rows.append(row)
    return pd.DataFrame(rows)


def _timeliness(plan: Plan, periods, labels, best, today: date) -> pd.DataFrame:
    look = plan.lookups()
    rows = []
    for name, form in owed_forms(plan):
        u = look.unit(name)
        kind = u.kind if u else "镇" if form == FORM_TOWN else ""
        row = {"单位": name, "类型": kind, "表单": form_name(form)}
        counts = Counter()
        for p, label in zip(periods, labels):
            fr = best[p.id].get((name, form))
            if fr is not None:
                state = LATE if is_late(fr.received.received_at, p, fr.late) else ON_TIME
            else:
                state = MISSED if _due(p, today) else NOT_DUE
            row[label] = state
            counts[state] += 1
        row.update({"按时次数": counts[ON_TIME], "逾期次数": counts[LATE], "未报次数": counts[MISSED]})
        rows.append(row)
    return pd.DataFrame(rows)


def _indicators(plan: Plan, periods, labels, per: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """merge_targets lists the targets in plan order, one row each: row k is target k."""
    rows = []
    for k, (t, tg) in enumerate((t, tg) for t in plan.tasks for tg in t.targets):
        row = {"序号": t.number, "量化指标": tg.label, "计量单位": tg.measure,
               "方向": "增幅" if tg.growth else DIRECTIONS.get(tg.direction, ""),
               "全年目标": tg.value}
        latest, source = np.nan, ""
        for p, label in zip(periods, labels):
            df = per.get(p.id)
            value = np.nan
            if df is not None and k < len(df):
                value = df["累计完成"].iloc[k]
                if not pd.isna(value):
                    latest, source = value, df["报送单位"].iloc[k]
            row[label] = value
        row["最新累计"] = latest
        rating = rate(tg.value, None if pd.isna(latest) else float(latest), tg.cumulative, tg.direction)
        row["完成率"] = np.nan if rating.rate is None else rating.rate
        row["达标"] = rating.verdict
        row["报送单位"] = source
        rows.append(row)
    return pd.DataFrame(rows, columns=["序号", "量化指标", "计量单位", "方向", "全年目标", *labels,
                                       "最新累计", "完成率", "达标", "报送单位"])


TOWN_COLUMNS = ["名次", "镇街", "计入指标数", "已报指标数", "平均完成率", "最高完成率指标",
                "最低完成率指标", "数据截至"]


def _towns(plan: Plan, periods, per: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Towns ranked by the average of latest / target over their additive lines."""
    if plan.matrix is None or not plan.town_rows():
        return pd.DataFrame(columns=TOWN_COLUMNS)
    latest: dict[tuple[str, str, str], tuple[float, str]] = {}
    targets: dict[tuple[str, str, str], tuple[float, str]] = {}
    for r in plan.town_rows():
        for c, part, _ in leaves(plan):
            if not c.additive:
                continue
            target = parse_value(plan.matrix.value(r.label, c.key),
                                 column_measures(plan.matrix, c.key)).target(part)
            if target and target > 0:
                targets[(r.label, c.key, part)] = (float(target), leaf_label(c, part))
    for p in periods:
        df = per.get(p.id)
        if df is None:
            continue
        sel = df[df["行类型"].eq("town") & df["完成"].notna()]
        for rec in sel[["行", "列", "部分", "完成"]].itertuples(index=False):
            latest[(rec[0], rec[1], rec[2])] = (float(rec[3]), p.id)
    rows = []
    for r in plan.town_rows():
        rates = [(latest[k][0] / target if k in latest else 0.0, label, k in latest)
                 for k, (target, label) in targets.items() if k[0] == r.label]
        have = [x for x in rates if x[2]]
        avg = float(np.mean([x[0] for x in rates])) if rates else np.nan
        hi = max(have, key=lambda x: x[0]) if have else None
        lo = min(have, key=lambda x: x[0]) if have else None
        rows.append([0, r.unit or r.label, len(rates), len(have), avg if have else np.nan,
                     f"{hi[1]}({hi[0]:.1%})" if hi else "", f"{lo[1]}({lo[0]:.1%})" if lo else "",
                     _latest_period(periods, per, r.label) or ""])
    df = pd.DataFrame(rows, columns=TOWN_COLUMNS)
    df = df.sort_values("平均完成率", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    rank = df["平均完成率"].rank(method="min", ascending=False)
    df["名次"] = rank.astype("Int64")
    return df


def _latest_period(periods, per, label: str) -> str:
    out = ""
    for p in periods:
        df = per.get(p.id)
        if df is not None and (df["行"].eq(label) & df["已报送"]).any():
            out = p.name
    return out
