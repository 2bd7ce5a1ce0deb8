"""校验报告: every finding of every file received for a period, filterable, with links to
the archived originals, a list of the files, and one sheet per unit to send back."""
from __future__ import annotations

import dataclasses
import os
from collections import Counter
from pathlib import Path

from ..model.collector import gc_paused
from ..model.glossary import FW_COLON
from ..sheet.blocks import date_cn, official_page, safe_filename
from ..sheet.layout import Workbook
from ..sheet.styles import STYLES
from ..xlsx.splice import write_reusing
from ..merge.receipts import ReceiptRow, finding_counts, stamp_status, units_to_fix
from ..model.findings import ERROR, by_severity
from ..model.plan import Period, Plan
from ..model.returns import ACCEPTED, REJECTED, STATUS_LABELS
from .tables import (Col, digests, error_style, filtered, fit, full_row, header, heading, note, put,
                     put_row, rows_table, sheet_namer, start_sheet, titled_sheet)

ALL_SHEET, FILES_SHEET = "全部问题", "文件清单"


def validation_filename(plan: Plan, period: Period) -> str:
    return safe_filename(f"校验报告_{period.name}")


def link_target(archived: str, sheet: str = "", cell: str = "") -> str:
    """A link to the archived copy, at the sheet and cell when known."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    return f"{archived}#{quoted}!{cell or 'A1'}" if archived and sheet else archived


@gc_paused()  # (a sheet for each unit, all kept until written: the passes would find nothing)
def write_validation(plan: Plan, period: Period, receipts: list[ReceiptRow],
                     out_dir: str | os.PathLike) -> Path:
    """Write the 校验报告 into out_dir, keeping the unit sheets of the previous file whose
    receipts are unchanged (xlsx.splice); return its path."""
    key = digests(STYLES, plan, period)  # (a sheet: its name, unit and receipts besides)

    def build(reuse) -> Workbook:
        return validation_workbook(plan, period, receipts, lambda name, unit, rows: reuse(
            name, key(name, unit, [dataclasses.replace(r, new=False) for r in rows])))
    return write_reusing(validation_filename(plan, period), build, out_dir)


def validation_workbook(plan: Plan, period: Period, receipts: list[ReceiptRow], reuse=None) -> Workbook:
    """The 校验报告 layout: 全部问题, 文件清单, then one sheet per unit with findings;
    reuse(sheet name, unit, receipts) may give a stand-in for a unit sheet (xlsx.splice)."""
    wb = Workbook(filename=validation_filename(plan, period),
                  title=f"{plan.period_title(period)}报表校验报告", subject="校验报告",
                  company=plan.issuer, period=period.id, kind="validation", constant_memory=True)
    names = sheet_namer([ALL_SHEET, FILES_SHEET])
    _all_findings(wb, plan, period, receipts)
    _files(wb, plan, period, receipts)
    for unit, rows in units_to_fix(plan, receipts):
        if unit:  # (a file of no known unit has no sheet to send)
            name = names(unit)
            stand_in = reuse(name, unit, rows) if reuse else None
            if stand_in is not None:
                wb.sheets.append(stand_in)
            else:
                _unit_sheet(wb, name, plan, period, unit, rows)
    return wb


# 代码 last and hidden: kept for filtering and in the JSON, never printed for the units
ALL_COLS = [Col("序号", 5, "body_center", "number"), Col("文件", 24), Col("单位", 12),
            Col("表单", 11, "body_center"), Col("文件状态", 9, "body_center"), Col("工作表", 10),
            Col("单元格", 7, "body_center"), Col("级别", 5, "body_center"), Col("问题说明", 50),
            Col("发现的值", 14), Col("原件位置", 14, "link"), Col("代码", 20)]
LINK_COL, CODE_COL = 10, 11


def _link(sh, row: int, col: int, text: str, target: str, err: bool = False) -> None:
    """A link to the archived original, or a blank cell where there is none."""
    if target:
        sh.link(row, col, text, target, "link_error" if err else "link")
    else:
        sh.write(row, col, None, "body_error" if err else "body", kind="blank")


def _all_findings(wb: Workbook, plan: Plan, period: Period, receipts: list[ReceiptRow]) -> None:
    cols = ALL_COLS
    n = finding_counts(receipts)  # the period's one count (superseded copies left out)
    st = Counter(r.status for r in receipts)
    files = "、".join(f"{STATUS_LABELS.get(k, k)} {st[k]}" for k in STATUS_LABELS if st.get(k))
    fresh = sum(r.new for r in receipts)
    stamps = stamp_status(plan, receipts)
    lacking = sum(1 for v in stamps.values() if not v)
    sub = (f"({period.name};共收到文件 {len(receipts)} 个" + (f":{files}" if files else "") +
           (f";其中本次新收 {fresh} 个" if fresh else ";本次没有新收文件") + f";错误 {n.errors} 条,警告 {n.warnings} 条" +
           (f",提示 {n.notices} 条" if n.notices else "") +
           f";盖章件已收到 {len(stamps) - lacking} 个单位,未收到 {lacking} 个)")
    sh, first = start_sheet(wb, ALL_SHEET, cols, f"{plan.period_title(period)}报表校验报告", sub,
                            frozen_cols=2)
    sh.hidden_cols.add(CODE_COL)
    row = first
    for i, (r, f) in enumerate(((r, f) for r in receipts for f in by_severity(r.findings)), start=1):
        err = f.severity == ERROR
        vals = [i, r.display, f.unit or r.unit, r.form_label if r.kind else "",
                STATUS_LABELS.get(r.status, r.status), f.sheet, f.cell, f.severity, f.text, f.value]
        put_row(sh, row, 0, vals, cols[:LINK_COL], [error_style(c) if err else None for c in cols])
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "打开原件")
        _link(sh, row, LINK_COL, where, link_target(r.archived, f.sheet, f.cell), err)
        put(sh, row, CODE_COL, f.code, cols[CODE_COL], "body_error" if err else None)
        fit(sh, row, cols, vals)
        row += 1
    filtered(sh, first, row, len(cols), "本期收到的文件未发现问题。")


FILE_COLS = [Col("序号", 5, "body_center", "number"), Col("文件", 30), Col("单位", 12),
             Col("表单", 11, "body_center"), Col("状态", 9, "body_center"), Col("本次\n新收", 6, "body_center"),
             Col("接收时间", 17, "body_center"), Col("是否\n逾期", 6, "body_center"),
             Col("错误数", 7, "body_int", "number"), Col("警告数", 7, "body_int", "number"),
             Col("说明", 26), Col("原件", 7, "link")]


def _files(wb: Workbook, plan: Plan, period: Period, receipts: list[ReceiptRow]) -> None:
    from ..model.periods import show_time
    cols = FILE_COLS
    sh, first = start_sheet(wb, FILES_SHEET, cols, f"{plan.period_title(period)}收到文件清单",
                            f"({period.name};共 {len(receipts)} 个文件)", frozen_cols=2)
    row = first
    for i, r in enumerate(receipts, start=1):
        late = "逾期" if r.late and r.status == ACCEPTED else ""
        why = f"逾期依据{FW_COLON}{r.evidence}" if late and r.evidence else ""
        vals = [i, r.display, r.unit, r.form_label if r.kind else "",
                STATUS_LABELS.get(r.status, r.status), "新收" if r.new else "",
                show_time(r.received_at), late, r.errors, r.warnings,
                ";".join(x for x in (why, r.note) if x)]
        alerts = [False] * 4 + [r.status == REJECTED, False, False, bool(late)]  # 状态, 是否逾期
        put_row(sh, row, 0, vals, cols[:-1], ["body_alert" if a else None for a in alerts])
        _link(sh, row, len(cols) - 1, "打开", link_target(r.archived))
        fit(sh, row, cols, vals)
        row += 1
    filtered(sh, first, row, len(cols), "本期没有收到文件。")


UNIT_COLS = [Col("序号", 5, "body_center", "number"), Col("文件", 22), Col("工作表", 10),
             Col("单元格", 7, "body_center"), Col("级别", 5, "body_center"), Col("问题说明", 56),
             Col("发现的值", 16)]


def _unit_sheet(wb: Workbook, name: str, plan: Plan, period: Period, unit: str,
                receipts: list[ReceiptRow]) -> None:
    cols = UNIT_COLS
    sh, row = titled_sheet(wb, name, cols, f"{unit}{period.name}报表校验意见", f"({plan.title})")
    n_err = sum(r.errors for r in receipts)
    n_warn = sum(r.warnings for r in receipts)
    row = note(sh, row, len(cols), f"{unit}:贵单位报送的 {len(receipts)} 个文件经校验,发现错误 {n_err} 处、"
                                   f"警告 {n_warn} 处。标“错误”的数据未纳入汇总,请按以下意见修改后重新报送;"
                                   "标“警告”的请核实。")
    head = heading(sh, row + 1, len(cols), "修改意见")
    row = header(sh, head, cols)
    found = [(r, f) for r in receipts for f in by_severity(r.findings)]
    row = rows_table(sh, row, cols, [(i, r.display, f.sheet, f.cell, f.severity, f.text, f.value)
                                     for i, (r, f) in enumerate(found, start=1)],
                     lambda rec, j: error_style(cols[j]) if rec[4] == ERROR else None)
    due = f"(本期报送截止日期为 {date_cn(period.deadline)})" if period.deadline else ""
    row = note(sh, row + 1, len(cols), f"请尽快将修改后的报表电子版重新报送{plan.issuer or '督办室'}{due};"
                                       "请在原表上修改,不要增删行列、修改任务内容或另建新表。")
    full_row(sh, row + 1, len(cols), plan.issuer or "督办室", "label_right")
    sh.freeze = (head + 1, 0)
    sh.page = official_page(landscape=True, header_rows=(head, head))
