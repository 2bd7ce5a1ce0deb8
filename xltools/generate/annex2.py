"""附件2: per-unit task table, 责任单位 | 序号 | 全年目标任务 | 责任领导."""
from __future__ import annotations

from ..model.glossary import strip_endings
from ..model.plan import Plan
from . import listing
from ..sheet.blocks import fit_block, fit_text_row, safe_filename, seq_value
from ..sheet.layout import Workbook
from ..sheet.paging import Pager, continued
from ..sheet.styles import wrapped_height

SHEET_NAME = "各责任单位任务表"
LABELS = ["责任单位", "序号", "全年目标任务", "责任领导"]
WIDTHS = [16, 7, 62, 11]
# the words that end a campaign title and are replaced by 各责任单位任务表
_TITLE_ENDINGS = ("分解意见", "任务分解", "分解", "目标任务", "重点任务", "工作任务")


def annex2_title(plan: Plan) -> str:
    """2019年《政府工作报告》各责任单位任务表."""
    base = strip_endings(plan.title.strip(), _TITLE_ENDINGS)
    year = f"{plan.year}年"
    return f"{'' if base.startswith(year) else year}{base}各责任单位任务表"


def annex2(plan: Plan, paged: bool = True) -> Workbook:
    """附件2: one merged block per unit (plan order) with its 责任领导; paged: a block is
    cut at printed pages."""
    wb, sheet, row = listing(plan, safe_filename(f"附件2_{plan.year}年各责任单位任务表"),
                             annex2_title(plan), SHEET_NAME, LABELS, WIDTHS, False, annex="附件2")
    pager = Pager.for_sheet(sheet, row)
    for unit in plan.units_with_tasks():
        first = row
        for task, _role in plan.unit_tasks(unit):
            sheet.write(row, 1, seq_value(task.number), "body_center")
            sheet.write(row, 2, task.text, "body", kind="string")
            fit_text_row(sheet, row, [(task.text, WIDTHS[2])], minimum=22)
            row += 1
        fit_block(sheet, first, row - 1, wrapped_height(unit.name, WIDTHS[0]))
        # Unit and leader are merged per unit block and per page, not across units as the
        # notice prints them: a merge spanning pages prints its text on one page only.
        pieces = pager.place(first, row - 1) if paged else [(first, row - 1)]
        for k, (a, b) in enumerate(pieces):
            sheet.merge(a, 0, b, 0, continued(unit.name, k), "body_center", kind="string")
            sheet.merge(a, 3, b, 3, unit.leader.strip() or None, "body_center", kind="string")
    pager.finish()
    return wb
