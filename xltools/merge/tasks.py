"""Task reports of the period → per task × unit rows, each task's overall status, targets.

The overall status of a task (总体状态), in this order:
1. 未报送  the lead unit (牵头) has no accepted report form for the period;
2. 滞后    any responsible unit that reported (lead or 配合) says 滞后;
3. 待核实  the lead reported, but its 状态 is empty or was kept out by an 错误 finding;
4. 已完成  the lead says 已完成 (a 配合 unit's 已完成 never completes a task);
5. 未启动  the lead says 未启动;
6. 序时推进 otherwise.
With several leads the first one (plan order) that reported counts as "the lead"; a task
whose units name no lead takes its first responsible unit. 总体进度 is the lead's 完成进度.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..forms.registry import STATUSES, current
from ..model.glossary import form_name, FORM_REPORT, FW_COLON
from ..model.plan import DIRECTION_LABELS, ROLE_LEAD, Plan, PlanLookups
from ..model.rates import rate
from ..model.returns import ACTUAL, FormReturn
from .common import (BLOCKED, LAGGING, NOT_FILLED, NOT_REPORTED, UNCLEAR,
                     blocked_cells, is_blocked, value_cell)

# report form field -> summary column
TEXT_FIELDS = {"完成情况": "本季度完成情况", "存在问题": "存在问题", "下一步计划": "下一步推进计划"}
BY_TASK_COLUMNS = ["序号", "任务内容", "牵头单位", "责任单位", "单位", "牵头/配合", "状态",
                   "完成进度", "本季度完成情况", "存在问题", "下一步推进计划", "未采用",
                   "总体状态", "总体进度"]
TASK_COLUMNS = ["序号", "任务内容", "牵头单位", "责任单位", "应报单位数", "已报单位数",
                "总体状态", "总体进度", "进度来源"]


def assignments(plan: Plan, look: PlanLookups) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per task × responsible unit, one row per task), in plan order."""
    rows, per_task = [], []
    for i, t in enumerate(plan.tasks):
        units = look.task_units(t)
        leads = "、".join(u.name for u, r in units if r == ROLE_LEAD)
        printed = "、".join([*t.lead_units, *t.responsible_units])
        per_task.append((i, t.number, t.text, leads, printed, len(units)))
        for j, (u, role) in enumerate(units):
            rows.append((i, j, t.number, t.text, leads, printed, u.name, role))
    return (pd.DataFrame(rows, columns=["_t", "_o", "序号", "任务内容", "牵头单位", "责任单位",
                                        "单位", "牵头/配合"]),
            pd.DataFrame(per_task, columns=["_t", "序号", "任务内容", "牵头单位", "责任单位",
                                            "应报单位数"]))


def report_rows(reports: dict[str, FormReturn]) -> tuple[pd.DataFrame, list[tuple]]:
    """What each unit typed per task (blocked values replaced), and the blocked values."""
    cols: dict[str, list] = {k: [] for k in ("单位", "序号", "状态", "完成进度",
                                            *TEXT_FIELDS.values(), "未采用")}
    blocked_list: list[tuple] = []
    field_cols = current(FORM_REPORT).fill_in()  # where a value was when the cell is unknown
    for unit, fr in reports.items():
        blocked = blocked_cells(fr)
        n = len(fr.tasks)
        cols["单位"].extend([unit] * n)
        cols["序号"].extend(tr.task for tr in fr.tasks)
        if not blocked:  # the common case: every value is merged as typed
            cols["状态"].extend((tr.status or "").strip() for tr in fr.tasks)
            cols["完成进度"].extend(np.nan if tr.progress is None else tr.progress for tr in fr.tasks)
            cols["本季度完成情况"].extend(_text(tr.completion) for tr in fr.tasks)
            cols["存在问题"].extend(_text(tr.problems) for tr in fr.tasks)
            cols["下一步推进计划"].extend(_text(tr.next_steps) for tr in fr.tasks)
            cols["未采用"].extend([""] * n)
            continue
        for tr in fr.tasks:
            bad = [f for f, col in field_cols.items()
                   if is_blocked(blocked, tr.cells, f, tr.row, col)]
            for f in bad:
                blocked_list.append((unit, form_name(FORM_REPORT), tr.task, f, fr.sheet,
                                     value_cell(tr.cells, f, tr.row, field_cols[f]),
                                     fr.received.display))
            cols["状态"].append(BLOCKED if "状态" in bad else (tr.status or "").strip())
            cols["完成进度"].append(np.nan if "完成进度" in bad or tr.progress is None
                                else tr.progress)
            for f, value in (("完成情况", tr.completion), ("存在问题", tr.problems),
                             ("下一步计划", tr.next_steps)):
                cols[TEXT_FIELDS[f]].append(BLOCKED if f in bad else _text(value))
            cols["未采用"].append("、".join(bad))
    df = pd.DataFrame(cols)
    df["完成进度"] = pd.to_numeric(df["完成进度"], errors="coerce").astype(float)
    # one row per (unit, task): a task listed twice on a form keeps its first row
    return df.drop_duplicates(["单位", "序号"]), blocked_list


def _text(v: object) -> str:
    return "" if v is None else str(v)


def merge_tasks(plan: Plan, reports: dict[str, FormReturn],
                look: PlanLookups | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """(by_task, tasks, blocked values): every unit's report joined to its assignments."""
    assign, tasks = assignments(plan, look or plan.lookups())
    typed, blocked = report_rows(reports)
    df = assign.merge(typed, on=["单位", "序号"], how="left")
    reported = df["单位"].isin(set(reports))
    df["_rep"] = reported
    df["状态"] = df["状态"].where(reported, NOT_REPORTED).fillna("")
    for col in (*TEXT_FIELDS.values(), "未采用"):
        df[col] = df[col].fillna("")
    df["_cat"] = np.where(~reported, NOT_REPORTED,
                          np.where(df["状态"].isin(STATUSES), df["状态"], NOT_FILLED))
    overall = overall_status(df)
    tasks = tasks.merge(overall, on="_t", how="left")
    tasks["总体状态"] = tasks["总体状态"].fillna("")
    df = df.merge(overall[["_t", "总体状态", "总体进度"]], on="_t", how="left")
    df = df.sort_values(["_t", "_o"], kind="stable").reset_index(drop=True)
    return df, tasks, blocked


def overall_status(df: pd.DataFrame) -> pd.DataFrame:
    """The rule of the module docstring, one row per task (_t)."""
    if df.empty:
        return pd.DataFrame(columns=["_t", "已报单位数", "总体状态", "总体进度", "进度来源"])
    key = df.assign(_notlead=df["牵头/配合"] != ROLE_LEAD, _norep=~df["_rep"])
    lead = (key.sort_values(["_t", "_notlead", "_norep", "_o"], kind="stable")
            .drop_duplicates("_t").set_index("_t"))
    any_lag = df["_cat"].eq("滞后").groupby(df["_t"]).any()
    n_rep = df["_rep"].groupby(df["_t"]).sum()
    cat = lead["_cat"]
    status = np.select(
        [~lead["_rep"], any_lag.reindex(lead.index).fillna(False).to_numpy(),
         ~cat.isin(STATUSES), cat.eq("已完成"), cat.eq("未启动")],
        [NOT_REPORTED, "滞后", UNCLEAR, "已完成", "未启动"], default="序时推进")
    return pd.DataFrame({"_t": lead.index, "已报单位数": n_rep.reindex(lead.index).to_numpy(),
                         "总体状态": status, "总体进度": lead["完成进度"].to_numpy(),
                         "进度来源": lead["单位"].to_numpy()})


def lagging(by_task: pd.DataFrame) -> pd.DataFrame:
    """Unit reports saying 滞后 or 未启动, with their problems and next steps."""
    cols = ["序号", "任务内容", "单位", "牵头/配合", "状态", "完成进度", "存在问题", "下一步推进计划"]
    return by_task.loc[by_task["_cat"].isin(LAGGING), cols].reset_index(drop=True)


TARGET_COLUMNS = ["序号", "任务内容", "量化指标", "计量单位", "方向", "全年目标", "累计完成",
                  "完成率", "达标", "报送单位", "说明"]


def merge_targets(plan: Plan, reports: dict[str, FormReturn], tasks: pd.DataFrame,
                  blocked: list) -> pd.DataFrame:
    """Each quantified target with the cumulative figure its lead reported."""
    got: dict[tuple[str, str, int], tuple[float | None, str]] = {}
    col = current(FORM_REPORT).target_col("累计完成")
    for unit, fr in reports.items():
        cells = blocked_cells(fr)
        for tg in fr.targets:
            if is_blocked(cells, tg.cells, ACTUAL, tg.row, col):
                got[(unit, tg.task, tg.index)] = (None, BLOCKED)
                blocked.append((unit, form_name(FORM_REPORT), tg.task, f"累计完成{FW_COLON}{tg.label}",
                                *fr.sheet_cell(value_cell(tg.cells, ACTUAL, tg.row, col)),
                                fr.received.display))
            else:
                got[(unit, tg.task, tg.index)] = (tg.actual, tg.note or "")
    source = dict(zip(tasks["序号"], tasks["进度来源"].fillna("")))
    rows = []
    for t in plan.tasks:
        for i, tg in enumerate(t.targets):
            unit = source.get(t.number, "")
            actual, note = got.get((unit, t.number, i), (None, ""))
            if unit not in reports:
                note = "牵头单位未报送"
            elif actual is None and not note:
                note = "未填"
            rating = rate(tg.value, actual, tg.cumulative, tg.direction)
            direction = "增幅" if tg.growth else DIRECTION_LABELS.get(tg.direction, "")
            rows.append((t.number, t.text, tg.label, tg.measure, direction, tg.value,
                         np.nan if actual is None else float(actual),
                         np.nan if rating.rate is None else rating.rate, rating.verdict, unit, note))
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)
