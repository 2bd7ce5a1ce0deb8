"""办理方案: the form on which a unit plans how it will carry out its tasks."""
from __future__ import annotations

from ..model.plan import Plan, Unit
from ..sheet.blocks import fit_text_row, header_row, official_page, safe_filename, seq_value, title_block
from ..sheet.layout import Sheet, Validation, Workbook

SHEET_NAME = "办理方案"
LABELS = ["序号", "责任事项", "具体工作内容", "完成时限", "分管领导", "责任科室"]
WIDTHS = [8, 46, 50, 14, 12, 14]
INPUT_HEIGHT = 48  # room to type a few lines of 具体工作内容 on screen and on paper
BLANK_ROWS = 3  # a unit without tasks still gets rows to fill
NOTE = ("填写说明:黄色单元格由责任单位填写;序号和责任事项由区政府督办室下达,请勿修改。"
        "具体工作内容应分解到可检查的措施和节点,完成时限请写明年月(如 2019年6月底)。")
# (column, style, prompt title, prompt) for the four columns the unit fills in
INPUTS = [
    (2, "input", "具体工作内容", "请写明落实该事项的具体措施、工作节点和预期成效。"),
    (3, "input_center", "完成时限", "请填写完成时限,如:2019年6月底、2019年12月31日。"),
    (4, "input_center", "分管领导", "请填写本单位分管该事项的领导姓名。"),
    (5, "input_center", "责任科室", "请填写具体承办该事项的科室(股室)名称。"),
]


def workplan_filename(unit: Unit) -> str:
    """办理方案/办理方案_区发改局.xlsx."""
    return "办理方案/" + safe_filename(f"办理方案_{unit.name}")


def workplan(plan: Plan, unit: Unit) -> Workbook:
    """One unit's 办理方案, pre-filled with its tasks; only the fill-in cells are unlocked."""
    title = f"{unit.name}{plan.title}办理方案"
    wb = Workbook(filename=workplan_filename(unit), title=title, subject="办理方案",
                  company=plan.issuer, kind="workplan", unit=unit.name)
    sheet = wb.add_sheet(SHEET_NAME)
    sheet.widths(WIDTHS)
    row = title_block(sheet, len(LABELS), title)
    row = _unit_line(sheet, row, unit)
    sheet.merge(row, 0, row, len(LABELS) - 1, NOTE, "note", kind="string")
    fit_text_row(sheet, row, [(NOTE, sum(WIDTHS))])
    head = row + 1
    first = header_row(sheet, head, LABELS)
    sheet.page = official_page(landscape=True, header_rows=(head, head))
    sheet.freeze = (first, 0)
    row = first
    tasks = plan.unit_tasks(unit)
    for task, _role in tasks:
        sheet.write(row, 0, seq_value(task.number), "body_center", guard=True)
        sheet.write(row, 1, task.text, "body", kind="string", guard=True)
        _inputs(sheet, row)
        fit_text_row(sheet, row, [(task.text, WIDTHS[1])], minimum=INPUT_HEIGHT)
        row += 1
    for _ in range(0 if tasks else BLANK_ROWS):
        sheet.write(row, 0, None, "input_center")
        sheet.write(row, 1, None, "input")
        _inputs(sheet, row)
        sheet.row_heights[row] = INPUT_HEIGHT
        row += 1
    last = row - 1
    for col, _style, prompt_title, prompt in INPUTS:
        sheet.validate(Validation(first, col, last, col, "any", prompt_title=prompt_title,
                                  prompt=prompt))
    sheet.merge(row + 1, 0, row + 1, len(LABELS) - 1,
                "单位主要负责人(签字):                    (单位盖章)          年    月    日",
                "label", kind="string")
    sheet.row_heights[row + 1] = 30
    sheet.protect = True
    return wb


def _unit_line(sheet: Sheet, row: int, unit: Unit) -> int:
    """责任单位 (guarded) and 总责任人 (a line to fill in)."""
    sheet.write(row, 0, "单位:", "label_right", kind="string")
    sheet.write(row, 1, unit.name, "label", kind="string", guard=True)
    sheet.write(row, 2, "总责任人:", "label_right", kind="string")
    sheet.merge(row, 3, row, 4, None, "input_line")
    sheet.validate(Validation(row, 3, row, 4, "any", prompt_title="总责任人",
                              prompt="请填写本单位总责任人(一般为单位主要负责人)的姓名和职务。"))
    sheet.row_heights[row] = 28
    return row + 1


def _inputs(sheet: Sheet, row: int) -> None:
    for col, style, _title, _prompt in INPUTS:
        sheet.write(row, col, None, style)
