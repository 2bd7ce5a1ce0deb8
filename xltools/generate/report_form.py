"""The quarterly report form (季度报表) one unit fills for one period."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import DIRECTION_LABELS, Period, Plan, Target, Task, Unit
from ..model.rates import rate_formula
from ..sheet.blocks import (date_cn, finish_form, fit_row, header_fields, header_row, safe_filename,
                     title_block)
from ..sheet.layout import Sheet, Validation, Workbook, a1

SHEET = "季度报表"
STATUSES = ["已完成", "序时推进", "滞后", "未启动"]
COLUMNS = ["序号", "任务内容", "责任\n类型", "本季度完成情况", "完成进度\n(%)", "状态",
           "存在问题", "下一步推进计划"]
WIDTHS = [6, 44, 6, 36, 9, 10, 22, 24]
TARGET_COLUMNS = ["任务\n序号", "量化指标", "计量\n单位", "全年目标", "累计完成", "完成率", "说明"]
# Column of each fill-in field of a task row; collect reads the same map.
FIELD_COLS = {"完成情况": 3, "完成进度": 4, "状态": 5, "存在问题": 6, "下一步计划": 7}
TARGET_ACTUAL_COL = 4


@dataclass(frozen=True)
class FormMap:
    """Where things are on a generated report form (0-based rows), for tests and collect."""

    header_row: int
    first_task_row: int
    last_task_row: int
    target_rows: tuple[tuple[str, int, int], ...]  # (task number, target index, row)
    fill_in: tuple[tuple[int, int], ...]  # header fill-in cells (填报人 …)


def report_filename(unit: Unit, period: Period) -> str:
    """季度报表 file name: period and unit in Chinese, safe on Windows."""
    return f"{period.name}/" + safe_filename(f"季度报表_{period.name}_{unit.name}")


def report_form(plan: Plan, unit: Unit, period: Period,
                fit: bool = True) -> tuple[Workbook, FormMap]:
    """The layout of one unit's quarterly form; identity is embedded by the caller.

    fit=False leaves the task and target rows' heights unfitted: the cells are the same, and
    collect, which rebuilds the form only to compare cells, is spared measuring every text.
    """
    wb = Workbook(filename=report_filename(unit, period),
                  title=f"{plan.period_title(period)}完成情况报表", subject=unit.name,
                  company=plan.issuer)
    sh = wb.add_sheet(SHEET)
    sh.widths(WIDTHS)
    ncols = len(COLUMNS)
    row = title_block(sh, ncols, f"{plan.title}落实情况报表",
                      f"({period.name},报送截止日期:{date_cn(period.deadline)})")
    fill_in = header_fields(sh, row, unit.name)
    row += 2
    head = row
    row = header_row(sh, row, COLUMNS, height=32)
    tasks = plan.unit_tasks(unit)
    first = row
    for task, role in tasks:
        _task_row(sh, row, task, role, fit)
        row += 1
    last = row - 1
    _task_validations(sh, first, last)
    targets = [(t, i, tg) for t, _ in tasks for i, tg in enumerate(t.targets)]
    target_rows: list[tuple[str, int, int]] = []
    section = None
    if targets:
        row += 1
        section = row
        sh.merge(row, 0, row, ncols - 1, "量化指标完成情况(填写年初至本期末的累计数)", "section")
        sh.row_heights[row] = 22
        header_row(sh, row + 1, TARGET_COLUMNS[:6], height=30)
        sh.merge(row + 1, 6, row + 1, 7, TARGET_COLUMNS[6], "header")
        row += 2
        for task, i, target in targets:
            _target_row(sh, row, task, target, fit)
            target_rows.append((task.number, i, row))
            row += 1
        _target_validations(sh, target_rows)
    finish_form(sh, row + 1, ncols, head, 2, plan, period, [
        "黄色单元格为填报区域,其余单元格已锁定;请勿增删行列、修改任务内容或工作表名称,文件名可以修改。",
        "“完成进度”填写 0—100 之间的数字;“状态”从下拉列表中选择(已完成/序时推进/滞后/未启动),完成进度为 100 时状态应为“已完成”。",
        "“量化指标完成情况”填写年初至本期末的累计数,只填数字。"])
    if section is not None:  # the second table starts its own page under its own header
        sh.page.row_breaks.append(section)
    return wb, FormMap(head, first, last, tuple(target_rows), fill_in)


def _task_row(sh: Sheet, row: int, task: Task, role: str, fit: bool = True) -> None:
    sh.write(row, 0, task.number, "body_center", kind="string", guard=True)
    sh.write(row, 1, task.text, "body", kind="string", guard=True)
    sh.write(row, 2, role, "body_center", kind="string", guard=True)
    sh.write(row, 3, "", "input")
    sh.write(row, 4, "", "input_center")
    sh.write(row, 5, "", "input_center")
    sh.write(row, 6, "", "input")
    sh.write(row, 7, "", "input")
    if fit:
        fit_row(sh, row, [(task.text, WIDTHS[1])], minimum=60)


def _task_validations(sh: Sheet, first: int, last: int) -> None:
    if last < first:
        return
    c = FIELD_COLS
    sh.validate(Validation(first, c["完成情况"], last, c["完成情况"], "any",
                           prompt_title="本季度完成情况",
                           prompt="简要填写本季度工作推进和完成情况,有数字的请写明数字。"))
    sh.validate(Validation(first, c["完成进度"], last, c["完成进度"], "decimal",
                           minimum=0, maximum=100, prompt_title="完成进度(%)",
                           prompt="填写 0—100 之间的数字,例如 80 表示已完成全年任务的 80%。",
                           error_title="完成进度无效", error="请输入 0 到 100 之间的数字。"))
    sh.validate(Validation(first, c["状态"], last, c["状态"], "list", source=STATUSES,
                           prompt_title="状态", prompt="请从下拉列表中选择:" + "/".join(STATUSES),
                           error_title="状态无效", error="请从下拉列表中选择。"))
    sh.validate(Validation(first, c["存在问题"], last, c["存在问题"], "any",
                           prompt_title="存在问题", prompt="填写推进中遇到的困难和问题;没有请填“无”。"))
    sh.validate(Validation(first, c["下一步计划"], last, c["下一步计划"], "any",
                           prompt_title="下一步推进计划", prompt="填写下一季度的推进措施和时间安排。"))


def target_label(target: Target) -> str:
    """What a target row shows: label, direction and the fragment as printed."""
    direction = DIRECTION_LABELS.get(target.direction, "")
    kind = "增幅" if target.growth else direction
    return f"{target.label}({kind})" if kind else target.label


def _target_row(sh: Sheet, row: int, task: Task, target: Target, fit: bool = True) -> None:
    sh.write(row, 0, task.number, "body_center", kind="string", guard=True)
    sh.write(row, 1, target_label(target), "body", kind="string", guard=True)
    sh.write(row, 2, target.measure, "body_center", kind="string", guard=True)
    sh.write(row, 3, target.value, "body_number", kind="number", guard=True)
    sh.write(row, TARGET_ACTUAL_COL, "", "input_number")
    sh.write(row, 5, rate_formula(a1(row, TARGET_ACTUAL_COL), a1(row, 3), target.cumulative,
                                  target.direction), "computed_percent", kind="formula")
    sh.merge(row, 6, row, 7, "", "input")
    if fit:
        fit_row(sh, row, [(target_label(target), WIDTHS[1])], minimum=24)


def _target_validations(sh: Sheet, rows: list[tuple[str, int, int]]) -> None:
    for _, _, r in rows:
        sh.validate(Validation(r, TARGET_ACTUAL_COL, r, TARGET_ACTUAL_COL, "decimal",
                               minimum=-1e12, maximum=1e12, prompt_title="累计完成",
                               prompt="填写年初至本期末的累计完成数(只填数字,单位见“计量单位”列)。",
                               error_title="请填数字", error="累计完成只能填写数字。"))


