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

import math

from ..forms.registry import STATUSES, current
from ..model.glossary import FORM_REPORT, FW_COLON, FW_SEMICOLON
from ..model.plan import DIRECTION_LABELS, ROLE_LEAD, Plan, PlanLookups
from ..model.rates import rate
from ..model.returns import FormReturn
from ..model.table import Table
from ..model.values import format_number
from .common import (BLOCKED, LAGGING, NOT_FILLED, NOT_REPORTED, UNCLEAR, Contribution,
                     blocked_cells, figure, is_blocked)

BY_TASK_COLUMNS = ["序号", "任务内容", "牵头单位", "责任单位", "单位", "牵头/配合", "状态",
                   "完成进度", "本季度完成情况", "存在问题", "下一步推进计划", "未采用",
                   "总体状态", "总体进度"]
TASK_COLUMNS = ["序号", "任务内容", "牵头单位", "责任单位", "应报单位数", "已报单位数",
                "总体状态", "总体进度", "进度来源"]
# merge_tasks' by_task table: the printed columns, then the unit's status category, the
# task's index in the plan and whether the unit reported
BY_TASK_TABLE = [*BY_TASK_COLUMNS, "_cat", "_t", "_rep"]
_UNIT, _ROLE, _PROGRESS, _OVERALL, _OVERALL_PROGRESS, _CAT, _REP = map(BY_TASK_TABLE.index, (
    "单位", "牵头/配合", "完成进度", "总体状态", "总体进度", "_cat", "_rep"))
_TEXTS = ("完成情况", "存在问题", "下一步计划")  # the report form's text fields, in by_task's order
# (what each unit typed for a task: 状态, 完成进度, the three texts, 未采用)
_NOT_TYPED = ("", None, "", "", "", "")


def report_values(fr: FormReturn, into: Contribution) -> None:
    """What a report form `fr` gives the merge, into `into`: what it typed for each
    task (blocked values replaced; a task listed twice on a form keeps its first row), its
    cumulative figures, and how many values an 错误 finding keeps out."""
    field_cols = current(FORM_REPORT).fill_in()  # where a value was when the cell is unknown
    blocked = blocked_cells(fr)
    for tr in fr.tasks:
        bad = [f for f, col in field_cols.items()
               if is_blocked(blocked, tr.cells, f, tr.row, col)] if blocked else ()
        into.blocked += len(bad)
        if tr.task in into.typed:
            continue
        status, progress = (tr.status or "").strip(), _number(tr.progress)
        texts = ["" if v is None else str(v) for v in (tr.completion, tr.problems, tr.next_steps)]
        if bad:  # (what an 错误 finding keeps out is shown as such)
            status = BLOCKED if "状态" in bad else status
            progress = None if "完成进度" in bad else progress
            texts = [BLOCKED if f in bad else v for f, v in zip(_TEXTS, texts)]
        into.typed[tr.task] = (status, progress, *texts, "、".join(bad))
    col = current(FORM_REPORT).target_col("累计完成")
    for tg in fr.targets:
        into.targets[tg.task, tg.index] = figure(into, blocked, tg, col)


def _number(v: object) -> float | None:
    """A figure as a float; None for none (or for what is not a number)."""
    try:
        x = None if v is None or isinstance(v, bool) else float(v)
    except (TypeError, ValueError):
        return None
    return None if x is None or math.isnan(x) else x


def merge_tasks(plan: Plan, reports: dict[str, Contribution],
                look: PlanLookups | None = None) -> tuple[Table, Table]:
    """(by_task, tasks): every unit's report (merge.common.contributions)
    joined to its assignments, in plan order; by_task also has _cat (the unit's status
    category), _t (the task's index in the plan) and _rep (the unit reported)."""
    look = look or plan.lookups()
    by_task, tasks = [], []
    for i, t in enumerate(plan.tasks):
        units = look.task_units(t)
        leads = "、".join(u.name for u, r in units if r == ROLE_LEAD)
        printed = "、".join([*t.lead_units, *t.responsible_units])
        rows = []
        for u, role in units:
            got = reports.get(u.name)
            rep = got is not None
            status, progress, *typed_rest = (got.typed.get(t.number, _NOT_TYPED) if rep
                                             else _NOT_TYPED)
            status = status if rep else NOT_REPORTED
            cat = NOT_REPORTED if not rep else status if status in STATUSES else NOT_FILLED
            # (总体状态 and 总体进度 are filled in once the task's rows are all there)
            rows.append([t.number, t.text, leads, printed, u.name, role, status, progress,
                         *typed_rest, "", None, cat, i, rep])
        overall, lead_progress, source = overall_status(rows)
        for r in rows:
            r[_OVERALL], r[_OVERALL_PROGRESS] = overall, lead_progress
        tasks.append((t.number, t.text, leads, printed, len(units), sum(r[_REP] for r in rows),
                      overall, lead_progress, source))
        by_task.extend(rows)
    return Table(BY_TASK_TABLE, by_task), Table(TASK_COLUMNS, tasks)


def overall_status(rows: list[list]) -> tuple[str, float | None, str]:
    """(总体状态, 总体进度, 进度来源) of one task by the rule of the module docstring, from
    its units' rows (laid out as BY_TASK_TABLE) in plan order; ("", None, "") for a task no unit
    answers for."""
    if not rows:
        return "", None, ""
    # the lead: a 牵头 unit before a 配合 one, one that reported before one that did not
    lead = min(rows, key=lambda r: (r[_ROLE] != ROLE_LEAD, not r[_REP]))
    cat = lead[_CAT]
    if not lead[_REP]:
        status = NOT_REPORTED
    elif any(r[_CAT] == "滞后" for r in rows):
        status = "滞后"
    elif cat not in STATUSES:
        status = UNCLEAR
    elif cat in ("已完成", "未启动"):
        status = cat
    else:
        status = "序时推进"
    return status, lead[_PROGRESS], lead[_UNIT]


def lagging(by_task: Table) -> Table:
    """Unit reports saying 滞后 or 未启动, with their problems and next steps."""
    cols = ["序号", "任务内容", "单位", "牵头/配合", "状态", "完成进度", "存在问题", "下一步推进计划"]
    return Table(cols, (r for r, cat in zip(by_task.select(*cols), by_task["_cat"]) if cat in LAGGING))


TARGET_COLUMNS = ["序号", "任务内容", "量化指标", "计量单位", "方向", "全年目标", "累计完成",
                  "完成率", "达标", "报送单位", "说明"]


def merge_targets(plan: Plan, reports: dict[str, Contribution], tasks: Table) -> Table:
    """Each quantified target with the cumulative figure its lead reported (tasks: one row
    a plan task, in its order, as merge_tasks gives them), the figures its other units typed
    named in the 说明."""
    rows = []
    for t, unit in zip(plan.tasks, tasks["进度来源"]):  # (by place: numbers may repeat)
        got = reports[unit].targets if unit in reports else {}
        others = [u.name for u, _ in plan.task_units(t) if u.name in reports and u.name != unit]
        for i, tg in enumerate(t.targets):
            actual, note = got.get((t.number, i), (None, ""))
            if unit not in reports:
                note = "牵头单位未报送"
            elif actual is None and not note:
                note = "未填"
            # a figure another unit of the task typed (a co-lead, or a 配合 unit on a form
            # before report v4) is not summed: said, not dropped without a word
            figures = ((u, _number(reports[u].targets.get((t.number, i), (None,))[0])) for u in others)
            if also := "、".join(f"{u} {format_number(x)}" for u, x in figures if x is not None):
                note = f"{note}{FW_SEMICOLON if note else ''}未计入的其他单位填报数{FW_COLON}{also}"
            rating = rate(tg.value, actual, tg.cumulative, tg.direction)
            direction = "增幅" if tg.growth else DIRECTION_LABELS.get(tg.direction, "")
            rows.append((t.number, t.text, tg.label, tg.measure, direction, tg.value,
                         _number(actual), rating.rate, rating.verdict, unit, note))
    return Table(TARGET_COLUMNS, rows)
