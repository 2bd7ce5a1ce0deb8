"""The quarterly report form (季度报表) one unit fills for one period."""
from __future__ import annotations

from dataclasses import dataclass

from ..forms.registry import current
from ..forms.render import (finish_form, header_fields, notes, table_checks, table_header,
                            table_row)
from ..forms.spec import FormSpec
from ..model import DIRECTION_LABELS, Period, Plan, Target, Task, Unit
from ..model.glossary import FORM_REPORT, a1, form_name
from ..model.plan import ROLE_LEAD
from ..model.rates import rate_formula
from ..sheet.blocks import date_cn, fit_row, official_page, safe_filename, title_block
from ..sheet.layout import Sheet, Workbook


@dataclass(frozen=True)
class FormMap:
    """Where things are on a generated report form (0-based rows), for tests and collect."""

    header_row: int
    first_task_row: int
    last_task_row: int
    target_rows: tuple[tuple[str, int, int], ...]  # (task number, target index, row)
    fill_in: tuple[tuple[int, int], ...]  # header fill-in cells (填报人 …)
    target_sheet: str  # the sheet the target rows are on


def report_filename(unit: Unit, period: Period) -> str:
    """季度报表 (半年报表 …) file name: period and unit in Chinese, safe on Windows."""
    return f"{period.name}/" + safe_filename(f"{form_name(FORM_REPORT, period.id)}_{period.name}_{unit.name}")


def report_form(plan: Plan, unit: Unit, period: Period, fit: bool = True,
                spec: FormSpec | None = None) -> tuple[Workbook, FormMap]:
    """The layout of one unit's quarterly form by `spec` (the current one by default);
    identity is embedded by the caller.

    fit=False leaves the task and target rows' heights unfitted: the cells are the same, and
    collect, which rebuilds the form only to compare cells, is spared measuring every text.
    """
    spec = (spec or current(FORM_REPORT)).for_period(period.id)
    wb = Workbook(filename=report_filename(unit, period),
                  title=f"{plan.period_title(period)}完成情况报表", subject=unit.name,
                  company=plan.issuer)
    sh, fill_in, head, row = form_sheet(wb, spec, spec.title.format(plan=plan.title), period,
                                        unit.name)
    tasks = plan.unit_tasks(unit)
    first = row
    width = spec.width(spec.label_key)
    for task, role in tasks:
        table_row(sh, row, spec.columns, task_values(task, role))
        if fit:
            fit_row(sh, row, [(task.text, width)], minimum=60)
        row += 1
    table_checks(sh, first, row - 1, spec.columns)
    last = row - 1
    targets = asked_targets(plan, spec, tasks)
    target_rows: list[tuple[str, int, int]] = []
    section = None
    if targets and spec.target_sheet:
        target_rows = _target_sheet(wb, plan, unit, period, spec, targets, fit)
    elif targets:
        row += 1
        section = row
        sh.merge(row, 0, row, spec.ncols - 1, spec.target_title, "section")
        sh.row_heights[row] = 22
        row = table_header(sh, row + 1, spec.targets, 30)
        row = _target_rows(sh, row, spec, targets, width if fit else 0, target_rows)
    statuses = "/".join(spec.columns[spec.col("状态")].check.source)
    left = sum(len(t.targets) for t, _ in tasks) > len(targets)  # (a 配合 task's, v4 on)
    finish_form(sh, row + 1, spec, plan, period, [
        "黄色单元格为填报区域,其余单元格已锁定;请勿增删行列、修改任务内容或工作表名称,文件名可以修改。",
        f"“完成进度”填写 0—100 之间的数字;“状态”从下拉列表中选择({statuses}),完成进度为 100 时状态应为“已完成”。",
        *([f"“{spec.target_sheet or '量化指标完成情况'}”填写年初至本期末的累计数,只填数字。"] if targets else []),
        *([f"配合任务的量化指标由牵头单位填报,本单位承担的工作请在“{spec.columns[spec.col('完成情况')].header}”"
           "中写明。"] if left else [])])
    if section is not None:  # the second table starts its own page under its own header
        sh.page.row_breaks.append(section)
    return wb, FormMap(head, first, last, tuple(target_rows), tuple(fill_in.values()),
                       spec.target_sheet if target_rows and spec.target_sheet else spec.sheet)


def form_sheet(wb: Workbook, spec: FormSpec, title: str, period: Period, unit_name: str,
               note: str = "") -> tuple[Sheet, dict[str, tuple[int, int]], int, int]:
    """A form's sheet down to its table's header: title, period and deadline (or `note`), the
    unit's header fields, the header frozen and printed on every page, the sheet protected;
    (the sheet, its fill-in header cells, the header's row, the row below)."""
    sh = wb.add_sheet(spec.sheet)
    sh.widths(spec.widths)
    row = title_block(sh, spec.ncols, title,
                      f"({period.name},{note or '报送截止日期:' + date_cn(period.deadline)})")
    fill_in = header_fields(sh, row, spec, unit_name)
    head = row + spec.field_rows
    sh.freeze = (head + 1, spec.freeze_col)
    sh.page = official_page(landscape=True, header_rows=(head, head))
    sh.protect = True
    return sh, fill_in, head, table_header(sh, head, spec.columns, spec.header_height)


def asked_targets(plan: Plan, spec: FormSpec, tasks: list[tuple[Task, str]]) -> list[tuple[Task, int, Target]]:
    """(task, index, target) of the targets a form by `spec` asks of a unit whose tasks (with
    its roles) are `tasks`: those of the tasks whose role the spec names, and of a task no unit
    leads (the 汇总表 takes the first of its units that reported)."""
    return [(t, i, tg) for t, role in tasks
            if role in spec.target_roles or all(r != ROLE_LEAD for _, r in plan.task_units(t))
            for i, tg in enumerate(t.targets)]


def _target_sheet(wb: Workbook, plan: Plan, unit: Unit, period: Period, spec: FormSpec,
                  targets: list, fit: bool) -> list[tuple[str, int, int]]:
    """The 量化指标 table on its own sheet: title, the unit's name, header repeated on every
    page, checks and protection; returns (task number, target index, row) of its rows."""
    part = spec.target_part()
    sh, _, _, row = form_sheet(wb, part, f"{plan.title}量化指标完成情况", period, unit.name,
                               "填写年初至本期末的累计数")
    rows: list[tuple[str, int, int]] = []
    row = _target_rows(sh, row, spec, targets, part.width(part.label_key) if fit else 0, rows)
    notes(sh, row + 1, part.ncols, [
        "黄色单元格为填报区域,其余单元格已锁定;请勿增删行列、修改指标内容或工作表名称。",
        "“累计完成”填写年初至本期末的累计数(增幅、比重填本期末的实际值),只填数字;完成率自动计算。"])
    return rows


def _target_rows(sh, row: int, spec: FormSpec, targets: list, width: float,
                 out: list[tuple[str, int, int]]) -> int:
    """The target rows from `row` with their checks, each recorded in `out`; the next row."""
    for task, i, target in targets:
        values = target_values(spec, row, task, target)
        table_row(sh, row, spec.targets, values)
        if width:
            fit_row(sh, row, [(values["量化指标"], width)], minimum=24)
        out.append((task.number, i, row))
        row += 1
    table_checks(sh, out[0][2], row - 1, spec.targets)
    return row


def task_values(task: Task, role: str) -> dict[str, object]:
    """The generator's values of a task row (the rest is filled in)."""
    return {"序号": task.number, "任务内容": task.text, "责任类型": role}


def target_values(spec: FormSpec, row: int, task: Task, target: Target) -> dict[str, object]:
    """The generator's values of a target row at `row` (0-based) of its sheet."""
    return {"序号": task.number, "量化指标": target_label(target), "计量单位": target.measure,
            "全年目标": target.value,
            "完成率": rate_formula(a1(row, spec.target_col("累计完成")),
                                a1(row, spec.target_col("全年目标")), target.cumulative,
                                target.direction)}


def target_label(target: Target) -> str:
    """What a target row shows: label, direction and the fragment as printed."""
    kind = "增幅" if target.growth else DIRECTION_LABELS.get(target.direction, "")
    return f"{target.label}({kind})" if kind else target.label
