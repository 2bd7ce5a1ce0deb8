"""附件1: the task breakdown, section headings and numbered items with their units."""
from __future__ import annotations

import os

from ..model.plan import Plan
from . import listing
from ..sheet.blocks import fit_text_row, safe_filename, seq_value
from ..sheet.layout import Workbook
from ..sheet.paging import Pager

SHEET_NAME = "目标任务分解"
UNIT_SEP = "、"  # as printed: 区发改局、各镇人民政府
# widths (column units) of 序号, 目标任务, 牵头单位, 责任单位, 完成时限, 责任领导
W_NUMBER, W_TEXT, W_LEAD, W_UNITS, W_DUE, W_LEADER = 7, 62, 20, 28, 14, 10


def annex1_title(plan: Plan) -> str:
    """The printed title: 附件1's own heading when the notice printed one, else made from the
    campaign's title (2019年《政府工作报告》重点任务 -> …重点任务分解意见)."""
    if plan.breakdown_title:
        return plan.breakdown_title
    title = plan.title.strip()
    if title.endswith("分解意见"):
        return title
    return title + ("意见" if title.endswith("分解") else "分解意见")


def annex1(plan: Plan) -> Workbook:
    """附件1 as a printable workbook: 序号 | 目标任务 | (牵头单位) | 责任单位 | (完成时限) |
    (责任领导); a column in brackets only when the notice gives it to some task."""
    with_lead = any(t.lead_units for t in plan.tasks)
    with_due = any(t.deadline for t in plan.tasks)
    with_leader = any(t.lead_leader for t in plan.tasks)
    lead = [("牵头单位", W_LEAD, "body_center")] if with_lead else []
    due = [("完成时限", W_DUE, "body_center")] if with_due else []
    leader = [("责任领导", W_LEADER, "body_center")] if with_leader else []
    text_width = W_TEXT - W_DUE * with_due - W_LEADER * with_leader  # (the page stays as wide)
    labels, widths, styles = zip(("序号", W_NUMBER, "body_center"), ("目标任务", text_width, "body"),
                                 *lead, ("责任单位", W_UNITS, "body_center"), *due, *leader)
    wb, sheet, row = listing(plan, safe_filename(f"附件1_{plan.year}年目标任务分解"),
                             annex1_title(plan), SHEET_NAME, labels, widths, with_lead,
                             annex="附件1")
    path: list[str] = []
    pager = Pager.for_sheet(sheet, row)
    for task in plan.tasks:
        first = row  # a section's heading rows never end a page: they go with its first task
        row = _headings(sheet, row, path, task.section, len(labels))
        path = list(task.section)
        texts = [task.number, task.text, *([UNIT_SEP.join(task.lead_units)] if with_lead else []),
                 UNIT_SEP.join(task.responsible_units), *([task.deadline] if with_due else []),
                 *([task.lead_leader] if with_leader else [])]
        for col, (text, style) in enumerate(zip(texts, styles)):
            sheet.write(row, col, text or None, style, kind="string")
        sheet.write(row, 0, seq_value(task.number), "body_center")
        fit_text_row(sheet, row, list(zip(texts, widths)), minimum=22)
        pager.place(first, row)
        row += 1
    pager.finish()
    return wb


def _headings(sheet, row: int, old: list[str], new: list[str], ncols: int) -> int:
    """Full-width heading rows for the levels of `new` that differ from `old`."""
    same = len(os.path.commonprefix([old, list(new)]))  # (levels compared as list items)
    width = sum(sheet.col_widths.values())
    for level, heading in enumerate(new[same:], start=same):
        style = "section" if level == 0 else "section_sub"
        sheet.merge(row, 0, row, ncols - 1, heading, style, kind="string")
        fit_text_row(sheet, row, [(heading, width)], minimum=24)
        row += 1
    return row

