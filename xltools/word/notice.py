"""The issuing notice (印发通知): title, 主送机关, body from a template, 附件说明, 落款,
and each annex on its own pages as a real Word table laid out like its .xlsx."""
from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

from ..generate import annexes
from ..generate.annex1 import annex1_title
from ..sheet.blocks import date_cn, safe_filename
from ..model.glossary import FORM_REPORT, form_name
from ..model.plan import Group, Plan
from ..xlsx.writer import write_atomically
from . import gbt9704 as fmt
from ..templating import render
from .body import write_blocks
from .tables import caption, grid_table, sheet_table

TEMPLATE = "印发通知.txt.j2"


def notice_title(plan: Plan) -> str:
    """关于印发2019年《政府工作报告》重点任务分解意见的通知."""
    return f"关于印发{annex1_title(plan)}的通知"


def addressees(plan: Plan) -> list[str]:
    """主送机关: the plan's groups of units (a group made of other groups is not repeated)."""
    names = [g.name for g in plan.groups
             if g.members and not any(isinstance(plan.resolve(m), Group) for m in g.members)]
    return names or ["各有关单位"]


def notice_document(plan: Plan, when: date, template: str | os.PathLike | None = None):
    """The whole notice as a python-docx Document."""
    doc = fmt.new_document()
    fmt.masthead(doc, plan.issuer, plan.doc_number)
    fmt.title(doc, notice_title(plan))
    fmt.addressee(doc, addressees(plan))
    books, _ = annexes(plan, paged=False)  # (附件1-3 as the generators lay them out)
    # how often units report: 季度 / 半年 (the report form's name less 报表), 期 when it varies
    cadence = {form_name(FORM_REPORT, p.id).removesuffix("报表") for p in plan.periods}
    context = {"plan_title": plan.title, "breakdown": annex1_title(plan), "year": plan.year,
               "cadence": cadence.pop() if len(cadence) == 1 else "期",
               "issuer": plan.issuer or "督办室", "task_count": len(plan.tasks),
               "unit_count": len(plan.units_with_tasks()),
               "periods": [{"name": p.name, "deadline": date_cn(p.deadline)} for p in plan.periods],
               "annexes": [wb.title for wb in books]}
    write_blocks(doc, render(TEMPLATE, template, context))
    fmt.annex_note(doc, [wb.title for wb in books])
    fmt.signature(doc, plan.issuer, when)
    for k, wb in enumerate(books, start=1):
        for i, sheet in enumerate(wb.sheets):
            if sheet.hidden:
                continue
            section = fmt.new_section(doc, sheet.page.landscape)
            grid, above = sheet_table(sheet)
            if i == 0:  # 附件1 at the top left of the annex's first page, in 黑体 3号
                fmt.paragraph(doc, f"附件{k}", fmt.H1_FONT, indent_chars=0)
            for style, text in above:
                if style == "title":
                    fmt.title(doc, text)
                elif style == "subtitle":
                    caption(doc, text)
            n = len(grid.widths)  # 小四 for narrow tables, 五号 and 小五 as columns crowd the page
            grid_table(doc, grid, fmt.type_width_mm(section), 12 if n <= 6 else 10.5 if n <= 10 else 9)
    return doc


def notice_filename(plan: Plan) -> str:
    return safe_filename(f"印发通知_{plan.title}", ".docx")


def write_notice(plan: Plan, out_dir: str | os.PathLike, when: date,
                 template: str | os.PathLike | None = None) -> Path:
    """Write the notice into out_dir (atomically) and return its path."""
    return save(notice_document(plan, when, template), Path(out_dir) / notice_filename(plan))


def save(doc, path: Path) -> Path:
    """Save through a temporary name, so a reader never sees half a file."""
    data = io.BytesIO()
    doc.save(data)
    return write_atomically(path, data.getvalue())
