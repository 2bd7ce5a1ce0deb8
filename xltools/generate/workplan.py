"""办理方案: the form on which a unit plans how it will carry out its tasks."""
from __future__ import annotations

from ..forms.registry import current
from ..forms.render import header_fields, table_checks, table_header, table_row
from ..forms.spec import FormSpec
from ..model.glossary import FORM_WORKPLAN
from ..model.plan import Plan, Unit
from ..sheet.blocks import fit_text_row, official_page, safe_filename, seq_value, title_block
from ..sheet.layout import Workbook

INPUT_HEIGHT = 48  # room to type a few lines of 具体工作内容 on screen and on paper
BLANK_ROWS = 3  # a unit without tasks still gets rows to fill
NOTE = ("填写说明:黄色单元格由责任单位填写;序号和责任事项由区政府督办室下达,请勿修改。"
        "具体工作内容应分解到可检查的措施和节点,完成时限请写明年月(如 2019年6月底)。")


def workplan_filename(unit: Unit) -> str:
    """办理方案/办理方案_区发改局.xlsx."""
    return "办理方案/" + safe_filename(f"办理方案_{unit.name}")


def workplan(plan: Plan, unit: Unit, spec: FormSpec | None = None) -> Workbook:
    """One unit's 办理方案, pre-filled with its tasks; only the fill-in cells are unlocked."""
    spec = spec or current(FORM_WORKPLAN)
    title = spec.title.format(unit=unit.name, plan=plan.title)
    wb = Workbook(filename=workplan_filename(unit), title=title, subject="办理方案",
                  company=plan.issuer, kind="workplan", unit=unit.name)
    sheet = wb.add_sheet(spec.sheet)
    sheet.widths(spec.widths)
    row = title_block(sheet, spec.ncols, title)
    header_fields(sheet, row, spec, unit.name)
    row += 1
    sheet.merge(row, 0, row, spec.ncols - 1, NOTE, "note", kind="string")
    fit_text_row(sheet, row, [(NOTE, sum(spec.widths))])
    head = row + 1
    first = table_header(sheet, head, spec.columns, spec.header_height)
    sheet.page = official_page(landscape=True, header_rows=(head, head))
    sheet.freeze = (first, spec.freeze_col)
    row = first
    tasks = plan.unit_tasks(unit)
    width = spec.width(spec.label_key)
    for task, _role in tasks:
        table_row(sheet, row, spec.columns, {"序号": seq_value(task.number), "责任事项": task.text})
        fit_text_row(sheet, row, [(task.text, width)], minimum=INPUT_HEIGHT)
        row += 1
    for _ in range(0 if tasks else BLANK_ROWS):  # every cell to fill in, the number too
        table_row(sheet, row, spec.columns, {})
        sheet.write(row, spec.col("序号"), None, "input_center")
        sheet.write(row, spec.col(spec.label_key), None, "input")
        sheet.row_heights[row] = INPUT_HEIGHT
        row += 1
    table_checks(sheet, first, row - 1, spec.columns)
    sheet.merge(row + 1, 0, row + 1, spec.ncols - 1,
                "单位主要负责人(签字):                    (单位盖章)          年    月    日",
                "label", kind="string")
    sheet.row_heights[row + 1] = 30
    sheet.protect = True
    return wb
