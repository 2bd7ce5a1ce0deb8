"""汇总表: the consolidated summary leaders read on paper, from a merge.Summary."""
from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import groupby, islice
from pathlib import Path

from ..sheet.blocks import date_cn, fit_block, official_page, safe_filename, seq_value
from ..generate.annex3 import annex3_title, value_cell
from ..model.collector import gc_paused
from ..sheet.layout import Chart, Sheet, Workbook
from ..sheet.paging import CONTINUED, Pager
from ..merge.common import BLOCKED, LATE, NOT_REPORTED, UNIT_CATEGORIES, missing_count
from ..merge.summary import Summary
from ..merge.towns import leaf_label, leaves
from ..model.glossary import FORM_NAMES, FORM_REPORT, FW_COLON, form_name, official_marks, text_width
from ..model.plan import Period, Plan
from ..model.periods import period_words
from ..model.rates import RATE_NOTE, is_missing, shown
from ..xlsx.rowcache import KeptRows, SheetRows, write_keeping_rows
from .tables import (Col, empty_row, fit, full_row, header, heading, height_for, marked_title,
                     name_width, note, put, put_row, rows_table, start_sheet, titled_sheet)

BY_TASK = "按任务汇总"
SHEETS = [BY_TASK, "按单位汇总", "滞后任务", "未报送单位", "量化指标", "镇街指标", "状态统计"]
ALERT = {"滞后", "未启动", NOT_REPORTED, LATE}
STATUS_COLORS = {"已完成": "#70AD47", "序时推进": "#5B9BD5", "滞后": "#C00000",
                 "未启动": "#ED7D31", "未填或有误": "#A5A5A5", NOT_REPORTED: "#404040"}
TOWN_CHUNK = 5  # matrix columns per printed block (each takes 目标 / 完成 / 完成率)
# 镇街指标 row heights (points), tight enough that two blocks of a dozen towns share an A4
# page at the fit-to-width scale, with 11 pt text still clear of the borders
TOWN_ROW, TOWN_HEAD, TOWN_GAP = 17, 18, 8
UNIT_ITEMS = "\uff08\u9879\uff09"  # (项) in full-width brackets: half-width ones print with gaps
RATE_COL, AMOUNT_COL = Col("完成率", 8, "body_rate", "number"), Col("完成", 12, "body_amount", "number")


def summary_filename(plan: Plan, period: Period) -> str:
    return safe_filename(f"汇总表_{period.name}")


def write_summary(plan: Plan, period: Period, summary: Summary, folder: str | os.PathLike) -> Path:
    """Write the 汇总表 into folder, copying from the file already there every row that
    would come out the same (xlsx.rowcache): 按任务汇总's unchanged task blocks, the unchanged
    unit rows of the blocks made again (a late unit's tasks, and those its rows moved over
    pages), and the unchanged rows of 按单位汇总, 滞后任务 and 量化指标 at their new row."""
    return write_keeping_rows(
        summary_filename(plan, period),
        lambda kept: summary_workbook(plan, period, summary, kept), folder)


def summary_workbook(plan: Plan, period: Period, summary: Summary,
                     kept: KeptRows | None = None) -> Workbook:
    """The 汇总表 layout: seven printable sheets and a native chart. 按任务汇总's task
    blocks are made while the writer writes them (Sheet.rows), so that a province's million
    cells are never held at once: the layout is good for one write (Sheet.complete() each
    sheet to hold it whole). kept: the rows the previous file holds (write_summary): task
    blocks, and the rows of the flat tables (made while written too, to be copied)."""
    kept = kept if kept is not None else KeptRows()  # (no previous file: every row made)
    wb = Workbook(filename=summary_filename(plan, period),
                  title=f"{plan.period_title(period)}落实情况汇总表", subject="汇总表",
                  company=plan.issuer, period=period.id, kind="summary", constant_memory=True)
    with gc_paused():
        for part in (_by_task, _by_unit, _lagging):
            part(wb, plan, period, summary, kept)
        _missing(wb, plan, period, summary)  # (numbered afresh when one leaves: little to copy)
        _targets(wb, plan, period, summary, kept)
        for part in (_towns, _status):
            part(wb, plan, period, summary)
    return wb


def _subtitle(period: Period, extra: str = "") -> str:
    due = f"报送截止日期:{date_cn(period.deadline)}" if period.deadline else ""
    return "(" + ",".join(x for x in (period.name, due, extra) if x) + ")"


def _status_style(value: object, base: str = "body_center") -> str:
    return "body_alert" if value in ALERT else base


# -- 按任务汇总 -------------------------------------------------------------------------
def _made_while_written(sh: Sheet, body: Callable[[], object], cells: int) -> None:
    """A flat table's body made while the writer writes the sheet (Sheet.rows), so that its
    rows may be copied from the previous file (rows_table's kept)."""
    def rows() -> Iterator[int]:
        body()
        yield sh.last_row + 1
    sh.rows, sh.expected_cells = rows(), cells


def _by_task(wb: Workbook, plan: Plan, period: Period, s: Summary, kept: KeptRows) -> None:
    unit_w = name_width(u.name for u in plan.units)
    task_cols = [Col("序号", 5, "body_center"), Col("任务内容", 30), Col("牵头单位", unit_w),
                 Col("责任单位", 12), Col("总体\n状态", 9, "body_center"),
                 Col("总体\n进度(%)", 8, "body_progress", "number")]
    if "进度变化" in s.tasks.columns:  # (a previous period to compare with)
        task_cols.append(Col("较上期\n变化", 7, "body_delta", "number"))
    unit_cols = [Col("单位", unit_w), Col("牵头/\n配合", 6, "body_center"), Col("状态", 9, "body_center"),
                 Col("完成\n进度(%)", 8, "body_progress", "number"),
                 Col(f"{period_words(period.id)[0]}完成情况", 28), Col("存在问题", 16), Col("下一步推进计划", 18)]
    cols = task_cols + unit_cols
    c = s.counts
    sub = _subtitle(period, f"共 {c.get('tasks', 0)} 项任务,{c.get('reported', 0)}/{c.get('units', 0)} "
                            "个单位已报送")
    sh, row = start_sheet(wb, BY_TASK, cols, f"{plan.period_title(period)}落实情况汇总表", sub)
    sh.rows = _task_rows(sh, row, s, task_cols, unit_cols, kept.sheet(sh.name))
    # (a task's own columns are one merged cell a block: unit rows × their columns, the rest)
    sh.expected_cells = len(s.by_task) * len(unit_cols) + len(s.tasks) * len(task_cols)


def _task_rows(sh: Sheet, row: int, s: Summary, task_cols: list[Col], unit_cols: list[Col],
               kept: SheetRows) -> Iterator[int]:
    """按任务汇总's body, a task block at a time (Sheet.rows): yields the row below each. A
    block the previous file holds as it would be made now (kept) is copied from it."""
    cols = task_cols + unit_cols
    nt = len(task_cols)
    pager = Pager.for_sheet(sh, row)
    tasks = s.tasks.records()  # (one a plan task, in its order: numbers may repeat)
    it = iter(s.by_task.select("单位", "牵头/配合", "状态", "完成进度", "本季度完成情况", "存在问题", "下一步推进计划", "未采用"))
    per_task = Counter(s.by_task["_t"])  # (by_task is sorted by task: a block's rows run)
    kept.row_context(cols)  # (a row's digest: its values and the columns they are shown in)
    for t, n in sorted(per_task.items()):
        first = row
        unit_rows = [[unit, role, status, BLOCKED if "完成进度" in blocked else prog, comp, prob, nxt]
                 for unit, role, status, prog, comp, prob, nxt, blocked in islice(it, n)]
        task = tasks[t]
        digests = [kept.row_digest(vals) for vals in unit_rows]
        # (the key: everything the block's rows are made from)
        key = kept.key(first, pager.capacity, pager.repeat, pager.used, tuple(task.values()),
                       digests)
        state = kept.take(sh, key, first, first + n)
        if state is not None:
            pager.used, breaks = state
            pager.breaks += breaks
            row = first + n
            yield row
            continue
        merges, breaks = len(sh.merges), len(pager.breaks)
        rows = []  # (row, its values, its digest, what the previous file says of it, height)
        for vals, digest in zip(unit_rows, digests):
            old = kept.old_row(row)
            if old is not None and len(old) == 5 and old[0] == digest \
                    and type(old[1]) in (int, float):  # made later, if not copied
                sh.row_heights[row] = old[1]  # (as fit gave it)
            else:
                old = None
                _unit_cells(sh, row, nt, vals, unit_cols)
                fit(sh, row, unit_cols, vals)
            rows.append((row, vals, digest, old, sh.row_heights[row]))
            row += 1
        pieces = _task_block(sh, first, row - 1, task, task_cols, pager)
        kept.made(key, first, row, sh.merges[merges:], len(cols) - 1,
                  [pager.used, pager.breaks[breaks:]])
        _copy_or_make_rows(sh, kept, rows, {a for a, _b in pieces},
                           _status_style(task["总体状态"]), nt, unit_cols, len(cols) - 1)
        yield row
    kept.finish()
    # tasks without any responsible unit still get their line
    for i, task in enumerate(tasks):
        if i not in per_task:
            _task_block(sh, row, row, task, task_cols, pager)
            row += 1
    pager.finish()
    if row == sh.freeze[0]:
        empty_row(sh, row, len(cols), "计划中没有任务。")
    note(sh, row + 1, len(cols), TASK_LEGEND)


def _unit_cells(sh: Sheet, row: int, nt: int, vals: list, unit_cols: list[Col]) -> None:
    put_row(sh, row, nt, vals, unit_cols, [None, None, _status_style(vals[2])])


def _copy_or_make_rows(sh: Sheet, kept: SheetRows, rows: list, tops: set[int], style: str,
                       nt: int, unit_cols: list[Col], last_col: int) -> None:
    """A block made again: its unit rows that the previous file holds as they would be
    written now (same values, height, and task cells over them: not a piece's first row,
    the same status style) are copied, runs at a time; the rest are made."""
    def facts(r: int) -> tuple:
        return sh.row_heights[r], style, r in tops

    runs: list[list[int]] = []
    for r, vals, digest, old, fitted in rows:
        if old is not None and old[1:] == (fitted, *facts(r)) and r not in tops:
            if runs and runs[-1][1] == r:
                runs[-1][1] = r + 1
            else:
                runs.append([r, r + 1])
    kept.record(*map(list, zip(*((r, digest, fitted, *facts(r))
                                 for r, _vals, digest, _old, fitted in rows))))
    copied = set()
    for a, b in runs:
        if kept.put_rows(sh, a, b, last_col):
            copied.update(range(a, b))
    for r, vals, digest, old, fitted in rows:
        if old is not None and r not in copied:
            _unit_cells(sh, r, nt, vals, unit_cols)


def _task_block(sh: Sheet, first: int, last: int, t: dict, cols: list[Col],
                pager: Pager) -> list[tuple[int, int]]:
    """The task's own cells merged beside its unit rows, one merge per printed page: a
    piece on a later page repeats the 序号 and says (续) instead of the whole text. The
    pieces (first, last row) are returned."""
    # (no 进度变化 without a previous period: the cells stop at the columns)
    values = [seq_value(t["序号"]), t["任务内容"], t["牵头单位"], t["责任单位"], t["总体状态"], t["总体进度"],
              t.get("进度变化")]
    # grow the block's last row when the task text needs more room than the unit rows give
    need = height_for([(values[j], cols[j].width) for j in (1, 2, 3)])  # 任务内容, 牵头 and 责任单位

    fit_block(sh, first, last, need)
    pieces = pager.place(first, last, need)
    if len(pieces) > 1:  # the first piece shows the whole text
        fit_block(sh, *pieces[0], need)
    for k, (a, b) in enumerate(pieces):
        piece = values if k == 0 else [values[0], CONTINUED, values[2], CONTINUED, *values[4:]]
        for j, (v, col) in enumerate(zip(piece, cols)):
            style = _status_style(v) if j == 4 else col.style
            if is_missing(v) or v == "":
                sh.merge(a, j, b, j, None, style, kind="blank")
            else:  # (a 序号 that is a number, as seq_value gives it, is written as one)
                number = col.kind == "number" or (j == 0 and isinstance(v, int))
                sh.merge(a, j, b, j, float(v) if number else str(v), style,
                         kind="number" if number else "string")
    return pieces


# 按任务汇总's note under the table
TASK_LEGEND = ("说明:总体状态按牵头单位判断——牵头单位未报送为“未报送”;任一责任单位报“滞后”"
               "为“滞后”;牵头单位状态未填或有误为“待核实”;牵头单位报“已完成”为“已完成”,"
               "报“未启动”为“未启动”;其余为“序时推进”。总体进度取牵头单位的完成进度。"
               f"“{BLOCKED}”表示该单元格校验有错误,数据未纳入汇总,详见校验报告。")


# -- 按单位汇总 -------------------------------------------------------------------------
def _by_unit(wb: Workbook, plan: Plan, period: Period, s: Summary, kept: KeptRows) -> None:
    cols = [Col("序号", 5, "body_center", "number"), Col("单位", name_width((u.name for u in plan.units), 14)),
            Col("类型", 6, "body_center"), Col("任务数", 6, "body_int", "number")]
    cols += [Col(k, 7 if len(k) < 4 else 8, "body_int", "number") for k in UNIT_CATEGORIES]
    report = form_name(FORM_REPORT, period.id)
    cols += [Col(report, 8, "body_center"), Col("提交时间", 11, "body_center"), Col("文件名", 20),
             Col("镇街\n指标表", 7, "body_center"), Col("错误数", 6, "body_int", "number"),
             Col("警告数", 6, "body_int", "number")]
    sh, row = start_sheet(wb, "按单位汇总", cols, f"{plan.period_title(period)}各单位报送情况", _subtitle(period))
    u = s.by_unit
    # (the columns are named as by_unit's but 序号, and the report form's as this period names it)
    key = {report: FORM_NAMES[FORM_REPORT]}
    recs = zip(range(1, len(u) + 1), *(u[key.get(c.label, c.label.replace("\n", ""))] for c in cols[1:]))
    n = len(UNIT_CATEGORIES)

    def style_of(rec, i):  # a form's 逾期 / 未报送, and the 滞后 / 未报送 counts but 0, stand out
        alert = rec[i] in ALERT if i in (4 + n, 7 + n) else i in (6, 9) and rec[i]
        return "body_alert" if alert else None

    def body() -> None:
        end = rows_table(sh, row, cols, recs, style_of, empty="没有需要报送的单位。",
                         kept=kept.sheet(sh.name))
        # totals
        sh.merge(end, 0, end, 2, "合计", "total", kind="string")
        counted = [c.kind == "number" for c in cols[3:]]  # the counts summed, the rest blank
        put_row(sh, end, 3, [sum(u[c.label]) if n else None for c, n in zip(cols[3:], counted)], cols[3:],
                ["body_int" if n else "total" for n in counted])
        sh.row_heights[end] = 22
    _made_while_written(sh, body, (len(u) + 1) * len(cols))


# -- 滞后任务 ---------------------------------------------------------------------------
def _lagging(wb: Workbook, plan: Plan, period: Period, s: Summary, kept: KeptRows) -> None:
    cols = [Col("序号", 5, "body_center"), Col("任务内容", 34), Col("单位", 12),
            Col("牵头/\n配合", 5, "body_center"), Col("状态", 7, "body_center"),
            Col("完成进度\n(%)", 7, "body_progress", "number"), Col("存在问题", 26), Col("下一步推进计划", 28)]
    lag = s.lagging
    sh, row = start_sheet(wb, "滞后任务", cols, f"{plan.period_title(period)}滞后任务清单",
                          _subtitle(period, f"共 {len(lag)} 条"))
    recs = lag.select("序号", "任务内容", "单位", "牵头/配合", "状态", "完成进度", "存在问题", "下一步推进计划")
    _made_while_written(sh, lambda: rows_table(
        sh, row, cols, recs, lambda rec, i: "body_alert" if i == 4 else None,
        empty="本期没有单位报告滞后或未启动的任务。", kept=kept.sheet(sh.name)), len(lag) * len(cols))


# -- 未报送单位 (and late ones) ---------------------------------------------------------
def _missing(wb: Workbook, plan: Plan, period: Period, s: Summary) -> None:
    cols = [Col("序号", 5, "body_center", "number"), Col("单位", 16), Col("类型", 11, "body_center"),
            Col("未报表单", 17, "body_center"), Col("应报内容", 11, "body_center"),
            Col("责任领导", 10, "body_center"), Col("联系人", 10, "body_center"),
            Col("联系电话", 15, "body_center"), Col("说明", 30)]
    m = s.missing
    sh, row = titled_sheet(wb, "未报送单位", cols, f"{plan.period_title(period)}未报送及逾期报送单位", _subtitle(period))
    sh.page = official_page(landscape=True, header_rows=None)  # two tables: no repeated header
    row = heading(sh, row, len(cols), f"一、未报送单位({missing_count(m['单位'])})")
    row = header(sh, row, cols)
    sh.freeze = (row, 0)
    recs = zip(range(1, len(m) + 1), *(m[c.label] for c in cols[1:]))  # (named as the columns)
    end = rows_table(sh, row, cols, recs, empty="所有单位均已报送。")
    late = s.late
    row = heading(sh, end + 1, len(cols), f"二、逾期报送单位(共 {len(late)} 个)")
    # the late table shares the columns above: 判定依据 (what decided the time received)
    # under 联系人, 文件名 spans the last two
    lcols = [Col("序号", 5, "body_center", "number"), Col("单位", 16), Col("表单", 11, "body_center"),
             Col("提交时间", 17, "body_center"), Col("截止日期", 11, "body_center"),
             Col("逾期天数", 10, "body_int", "number"), Col("判定依据", 10, "body_center"), Col("文件名", 45)]
    row = header(sh, row, lcols[:-1] + [Col("文件名", 15)])
    sh.merge(row - 1, 7, row - 1, 8, "文件名", "header", kind="string")
    for i, rec in enumerate(late.select(*(c.label for c in lcols[1:])), start=1):
        put_row(sh, row, 0, (i, *rec[:-1]), lcols[:-1])
        sh.merge(row, 7, row, 8, rec[-1], "body", kind="string")
        fit(sh, row, lcols, (i, *rec))
        row += 1
    if not len(late):
        row = empty_row(sh, row, len(cols), "没有逾期报送的单位。")
    _stamps(sh, row, len(cols), sum(c.width for c in cols), s.stamps)


def _stamps(sh: Sheet, row: int, ncols: int, width: float, stamps: dict[str, str]) -> None:
    """三、盖章件: the units whose signed and stamped copy has not come in."""
    lacking = [u for u, got in stamps.items() if not got]
    row = heading(sh, row + 1, ncols, f"三、盖章件(主要领导审核并加盖公章)已收到 "
                                      f"{len(stamps) - len(lacking)} 个单位,未收到 {len(lacking)} 个")
    if not lacking:
        empty_row(sh, row, ncols, "所有单位的盖章件均已收到。" if stamps else "没有需要报送的单位。")
        return
    text = f"未收到{FW_COLON}" + "、".join(lacking)
    full_row(sh, row, ncols, text, "body", height_for([(text, width)], 24))


# -- 量化指标 ---------------------------------------------------------------------------
def _targets(wb: Workbook, plan: Plan, period: Period, s: Summary, kept: KeptRows) -> None:
    cols = [Col("序号", 5, "body_center"), Col("任务内容", 34), Col("量化指标", 18),
            Col("计量\n单位", 6, "body_center"), Col("方向", 6, "body_center"),
            Col("全年目标", 11, "body_amount", "number"), Col("累计完成", 11, "body_amount", "number"),
            RATE_COL, Col("报送单位", 12), Col("说明", 16)]
    tg = s.targets
    sh, row = start_sheet(wb, "量化指标", cols, f"{plan.period_title(period)}量化指标完成情况",
                          _subtitle(period, "累计完成取牵头单位报送的年初至本期末累计数"))
    tg = tg.with_column("完成率", [shown(r, v) for r, v in zip(tg["完成率"], tg["达标"])])
    recs = tg.select(*(c.label.replace("\n", "") for c in cols))
    _made_while_written(sh, lambda: note(
        sh, rows_table(sh, row, cols, recs, empty="计划中没有量化指标。", kept=kept.sheet(sh.name)) + 1,
        len(cols), RATE_NOTE), len(tg) * len(cols))


# -- 镇街指标 ---------------------------------------------------------------------------
def _towns(wb: Workbook, plan: Plan, period: Period, s: Summary) -> None:
    sh = wb.add_sheet("镇街指标")
    title = f"{annex3_title(plan)}{period.name}完成情况"
    # each block has its own header rows: no print titles; a block never splits over pages
    sh.page = official_page(landscape=True, header_rows=None)
    if plan.matrix is None or not len(s.town):
        sh.widths([16, 60])
        empty_row(sh, marked_title(sh, 2, title, _subtitle(period)), 2, "计划中没有镇街目标。")
        return
    chunks = []
    for table in plan.matrix.tables():
        ls = [lf for lf in leaves(plan) if lf[0].table == table]
        chunks += [ls[i:i + TOWN_CHUNK] for i in range(0, len(ls), TOWN_CHUNK)]
    width = 1 + 3 * max(len(c) for c in chunks)
    # (wide enough for the block's "(第10/10部分)" on one line: it must not wrap and clip)
    label_w = max(10, max(len(r.label) * 2 for r in plan.matrix.rows) + 2,
                  text_width(_part_label(len(chunks), len(chunks))) + 3)
    sh.widths([label_w] + [12, 12, 8] * (width // 3))
    row = marked_title(sh, width, title, _subtitle(period))
    # (row, column, part) -> its record (the first, as ever: read in reverse, the first is kept)
    town = {(r["行"], r["列"], r["部分"]): r for r in reversed(s.town.records())}
    pager = Pager.for_sheet(sh, row)
    for k, chunk in enumerate(chunks):
        first = row
        row = _town_block(sh, row, plan, chunk, town, k + 1, len(chunks))
        sh.row_heights[row] = TOWN_GAP  # the gap below a block goes with it
        pager.place(first, row)
        row += 1
    pager.finish()
    row = _mismatches(sh, row, width, s)
    note(sh, row, width, "说明:目标为计划所列数,合计行按原件列示,未作更正;合计行“完成”为各镇街已报数之和,"
                         f"未报送的镇街不计入。{RATE_NOTE}"
                         f"增幅类指标填报实际增幅(%)。“{BLOCKED}”表示该数据校验有错误,未纳入汇总。", label_w + 28 * (width // 3))


def _part_label(k: int, n: int) -> str:
    return official_marks(f"(第{k}/{n}部分)")


def _town_block(sh: Sheet, row: int, plan: Plan, chunk, town: dict[tuple, dict], k: int, n: int) -> int:
    """One printed block as 附件3 heads it: category across its indicators, the indicator,
    then 目标 / 完成 / 完成率 under each; targets shaped as 附件3 prints them."""
    sh.merge(row, 0, row + 2, 0, f"责任单位\n{_part_label(k, n)}" if n > 1 else "责任单位", "header",
             kind="string")
    i = 0
    for cat, same in groupby(chunk, lambda leaf: leaf[0].path[:1]):  # the category row: equal
        span = len(list(same))  # neighbours merged across
        sh.merge(row, 1 + 3 * i, row, 3 * (i + span), (cat[0] if cat else "") or None, "header",
                 kind="string")
        i += span
    longest = 0
    for i, (col, part, measure) in enumerate(chunk):
        label = leaf_label(col, part)
        if measure and measure not in label:
            label += f"({measure})"
        longest = max(longest, text_width(label))
        sh.merge(row + 1, 1 + 3 * i, row + 1, 3 + 3 * i, label, "header", kind="string")
        sh.write_cells(row + 2, 1 + 3 * i, [(sub, "header", "string") for sub in ("目标", "完成", "完成率")])
    sh.row_heights[row] = sh.row_heights[row + 2] = TOWN_HEAD
    sh.row_heights[row + 1] = height_for([("x" * longest, 28)], 30)
    row += 3
    for r in plan.matrix.rows:
        total = r.kind == "total"
        amount = "total_amount" if total else "body_amount"
        sh.write(row, 0, r.label, "total_left" if total else "body", kind="string")
        for i, (col, part, _m) in enumerate(chunk):
            rec = town[r.label, col.key, part]
            if not part:  # as 附件3 prints it: 3.50%, 1,000, "\" centred
                value, style, kind = value_cell(rec["目标原文"], total)
                sh.write(row, 1 + 3 * i, value, style, kind=kind if value is not None else "blank")
            else:
                put(sh, row, 1 + 3 * i, rec["目标"], AMOUNT_COL, "body_center" if is_missing(rec["目标"]) else amount)
            done = BLOCKED if rec["说明"] == BLOCKED else rec["完成"]
            put(sh, row, 2 + 3 * i, done, AMOUNT_COL, "body" if is_missing(done) else amount)
            if done == BLOCKED:
                sh.row_heights[row] = 32  # the marker wraps in a number column
            put(sh, row, 3 + 3 * i, shown(rec["完成率"], rec["达标"]), RATE_COL,
                "total_rate" if total else "body_rate")
        sh.row_heights.setdefault(row, TOWN_ROW)
        row += 1
    return row


def _mismatches(sh: Sheet, row: int, width: int, s: Summary) -> int:
    mm = s.town_mismatches
    if not len(mm):
        return row
    row = heading(sh, row, width, "计划目标的合计与各行之和不一致(按原件列示,未作更正,请核对原件)")
    labels = ["指标", official_marks("合计(计划所印)"), "各行之和", "相差"]
    sh.write(row, 0, "序号", "header", kind="string")
    spans = [(a, min(b, width - 1)) for a, b in ((1, 3), (4, 5), (6, 7), (8, 9)) if a < width]
    for (a, b), lab in zip(spans, labels):
        sh.merge(row, a, row, b, lab, "header", kind="string")
    row += 1
    recs = mm.select("指标", "部分", "合计(计划所印)", "各行之和", "相差")
    for i, (label, part, printed, rows_sum, diff) in enumerate(recs, start=1):
        sh.write(row, 0, float(i), "body_center", kind="number")
        vals = [label + (f"({part})" if part else ""), printed, rows_sum, diff]
        for (a, b), v in zip(spans, vals):
            sh.merge(row, a, row, b, str(v), "body" if a == 1 else "body_center", kind="string")
        sh.row_heights[row] = 20
        row += 1
    return row + 1


# -- 状态统计 ---------------------------------------------------------------------------
CHART_UNITS = 18  # units per chart: 18 labelled bars, title and legend fill one A4 landscape page
MAX_CHARTS = 8


def _status(wb: Workbook, plan: Plan, period: Period, s: Summary) -> None:
    cols = [Col("单位", 20)] + [Col(k, 10, "body_int", "number") for k in UNIT_CATEGORIES] \
        + [Col("合计", 9, "body_int", "number")]
    sh, row = titled_sheet(wb, "状态统计", cols, f"{plan.period_title(period)}任务状态统计", _subtitle(period))
    # 1. the tasks' overall status, one line
    row = heading(sh, row, len(cols), f"一、任务总体状态{UNIT_ITEMS}")
    oc = s.overall_counts()  # (every status, in OVERALL_STATUSES' order)
    oc["合计"] = sum(oc.values())
    sh.write_cells(row, 0, [(k, "header", "string") for k in ("总体状态", *oc)])
    sh.write_cells(row + 1, 0, [("任务数", "body_center", "string"), *(
        (float(n), "body_alert" if k in ALERT and n else "body_int", "number") for k, n in oc.items())])
    sh.row_heights[row] = sh.row_heights[row + 1] = 22
    # 2. charts of the table below, one page each (a chart cannot split across pages)
    counts = s.by_unit.only("单位", *UNIT_CATEGORIES)  # (the charts' data)
    n = len(counts)
    charted = min(n, CHART_UNITS * MAX_CHARTS)
    slices = [(i, min(i + CHART_UNITS, charted)) for i in range(0, charted, CHART_UNITS)]
    breaks = [row + 3]
    row = heading(sh, row + 3, len(cols), f"二、各单位任务状态{UNIT_ITEMS}")
    if n > charted:
        row = note(sh, row, len(cols), f"图中列出前 {charted} 个单位(按单位名单顺序),全部 {n} 个单位见下表。")
    width_px = int(sum(c.width * 7 + 5 for c in cols))
    heights = [max(300, 150 + 26 * (b - a)) for a, b in slices]
    spans = [math.ceil(h / 20) + 1 for h in heights]  # 20 px: a chart covers exactly its rows
    first = row + sum(spans) + 1  # the table's first unit, under the charts and its header
    most = max((sum(rec[1:]) for rec in counts.rows), default=0)
    for (a, b), height_px, span in zip(slices, heights, spans):
        sh.row_heights.update(dict.fromkeys(range(row, row + span), 15))
        part = f"\uff08{a + 1}\u2014{b}\uff09" if len(slices) > 1 else ""
        sh.charts.append(Chart(
            type="bar", subtype="stacked", title=f"各单位任务状态{UNIT_ITEMS}{part}",
            categories=(first + a, 0, first + b - 1, 0),
            series=[(k, (first + a, j, first + b - 1, j))
                    for j, k in enumerate(UNIT_CATEGORIES, start=1)],
            colors=[STATUS_COLORS[k] for k in UNIT_CATEGORIES], row=row, col=0,
            width=width_px, height=height_px, value_title=f"任务数{UNIT_ITEMS}", reverse_categories=True,
            value_major_unit=1 if most <= 12 else None, value_format="0", all_labels=True,
            value_max=float(most) if len(slices) > 1 and most else None))
        row += span
        breaks.append(row)
    table_head = row
    row = header(sh, row, cols)
    for rec in counts.rows:
        put(sh, row, 0, rec[0], cols[0])
        for j, v in enumerate([*rec[1:], sum(rec[1:])], start=1):  # the counts and their 合计
            sh.write(row, j, float(v), "body_alert" if j in (3, 6) and v else "body_int", kind="number")
        sh.row_heights[row] = 18
        row += 1
    if not n:
        empty_row(sh, row, len(cols), "没有需要报送的单位。")
    # the unit table's header repeats on the pages the table runs over
    sh.page = official_page(landscape=True, header_rows=(table_head, table_head))
    sh.page.row_breaks = breaks
