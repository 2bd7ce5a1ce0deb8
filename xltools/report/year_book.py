"""年度汇总: the year at a glance (merge.year.YearSummary) as a printable workbook."""
from __future__ import annotations

from datetime import date

from ..sheet.blocks import date_cn, official_page, safe_filename, seq_value
from ..sheet.layout import Sheet, Workbook
from ..merge.common import LATE, NOT_REPORTED
from ..merge.year import MISSED, YearSummary
from ..model.plan import Plan
from ..model.rates import RATE_NOTE
from .tables import Col, header, note, rows_table, titled_sheet

ALERT = {"滞后", "未启动", NOT_REPORTED, LATE, MISSED}


def year_workbook(plan: Plan, ys: YearSummary, today: date | None = None) -> Workbook:
    """Four sheets: 任务进展, 报送及时性, 量化指标, 镇街排名."""
    today = today or date.today()
    wb = Workbook(filename=safe_filename(f"年度汇总_{plan.year}年"), title=f"{plan.title}年度汇总",
                  subject="年度汇总", company=plan.issuer, kind="year")
    sub = (f"(截至{date_cn(today.isoformat())};已汇总 {len(ys.reported_periods)} 个报送周期:"
           + ("、".join(p.name for p in ys.periods if p.id in ys.reported_periods) or "无") + ")")
    for part in (_tasks, _timeliness, _indicators, _towns):
        part(wb, plan, ys, sub)
    return wb


def _alert(rec: list, i: int) -> str | None:
    """style_of for rows_table: a lagging, late or missed value stands out."""
    return "body_alert" if isinstance(rec[i], str) and rec[i] in ALERT else None


def _two_row_header(sh: Sheet, row: int, fixed: list[Col], groups: list[tuple[str, list[Col]]],
                    tail: list[Col]) -> int:
    """Fixed columns spanning two rows, a label over each period's columns, then the tail."""
    spans = [(col.label, None) for col in fixed] + groups + [(col.label, None) for col in tail]
    c = 0
    for label, cols in spans:
        if cols is None:  # a column of its own: its label down both rows
            sh.merge(row, c, row + 1, c, label, "header", kind="string")
            c += 1
        else:  # a label over the period's columns (over one: a cell)
            sh.merge(row, c, row, c + len(cols) - 1, label, "header", kind="string")
            sh.write_cells(row + 1, c, [(col.label, "header", "string") for col in cols])
            c += len(cols)
    sh.row_heights[row] = sh.row_heights[row + 1] = 22
    return row + 2


def _body(sh: Sheet, head: int, cols: list[Col], records: list, style_of, empty: str,
          remark: str, freeze_col: int = 2, first: int | None = None) -> int:
    """The table's rows (or `empty`) and the remark below, under one header row at `head`
    (or the header rows head..first - 1), frozen below it and printed on every page. The
    row after the table."""
    first = first or header(sh, head, cols)
    row = rows_table(sh, first, cols, records, style_of, empty=empty)
    note(sh, row + 1, len(cols), remark)
    sh.freeze = (first, freeze_col)
    sh.page = official_page(landscape=True, header_rows=(head, first - 1))
    return row


# -- 任务进展 ---------------------------------------------------------------------------------
def _tasks(wb: Workbook, plan: Plan, ys: YearSummary, sub: str) -> None:
    fixed = [Col("序号", 5, "body_center", "number"), Col("任务内容", 34), Col("牵头单位", 11)]
    per = [(label, [Col("状态", 8, "body_center"), Col("进度(%)", 7, "body_progress", "number")])
           for label in ys.labels]
    tail = [Col("最新状态", 8, "body_center"), Col("最新进度(%)", 8, "body_progress", "number")]
    cols = fixed + [c for _, cs in per for c in cs] + tail
    sh, head = titled_sheet(wb, "任务进展", cols, f"{plan.title}全年推进情况", sub)
    records = [(seq_value(number), *rest) for number, *rest in ys.tasks.rows]  # (as printed)
    _body(sh, head, cols, records, _alert, "计划中没有任务。",
          "说明:各期状态和进度按各期汇总表的规则由牵头单位的报送确定;空白表示该期尚无任何单位报送。",
          first=_two_row_header(sh, head, fixed, per, tail))


# -- 报送及时性 -------------------------------------------------------------------------------
def _timeliness(wb: Workbook, plan: Plan, ys: YearSummary, sub: str) -> None:
    fixed = [Col("序号", 5, "body_center", "number"), Col("单位", 16), Col("类型", 6, "body_center"),
             Col("表单", 10, "body_center")]
    per = [Col(label, 9, "body_center") for label in ys.labels]
    tail = [Col("按时", 6, "body_int", "number"), Col("逾期", 6, "body_int", "number"),
            Col("未报", 6, "body_int", "number")]
    cols = fixed + per + tail
    sh, head = titled_sheet(wb, "报送及时性", cols, f"{plan.title}各单位报送情况", sub)
    records = [(i, *rec) for i, rec in enumerate(ys.timeliness.rows, start=1)]  # (as printed)
    row = _body(sh, head, cols, records, _alert, "计划中没有需要报送的单位。",
                "按时:截止日期当天及以前报送;逾期:截止日期以后报送;未报:截止日期已过仍未报送;"
                "未到期:截止日期未到且尚未报送。以最后一次被采用的报送为准。")
    if records:
        sh.autofilter = (head, 0, row - 1, len(cols) - 1)


# -- 量化指标 ---------------------------------------------------------------------------------
def _indicators(wb: Workbook, plan: Plan, ys: YearSummary, sub: str) -> None:
    cols = [Col("序号", 5, "body_center"), Col("量化指标", 26), Col("计量\n单位", 6, "body_center"),
            Col("方向", 6, "body_center"), Col("全年目标", 10, "body_amount", "number")]
    cols += [Col(f"{label}\n累计", 10, "body_amount", "number") for label in ys.labels]
    cols += [Col("最新累计", 10, "body_amount", "number"), Col("完成率", 8, "body_rate", "number"),
             Col("报送单位", 12)]
    sh, head = titled_sheet(wb, "量化指标", cols, f"{plan.title}量化指标全年完成情况", sub)
    # (as printed, 完成率 and 达标 in one column)
    records = [(*rest, rate if verdict == "" else verdict, source)
               for *rest, rate, verdict, source in ys.indicators.rows]
    _body(sh, head, cols, records, None, "计划中没有量化指标。", RATE_NOTE)


# -- 镇街排名 ---------------------------------------------------------------------------------
def _towns(wb: Workbook, plan: Plan, ys: YearSummary, sub: str) -> None:
    cols = [Col("名次", 6, "body_int", "number"), Col("镇街", 14), Col("计入\n指标数", 8, "body_int", "number"),
            Col("已报\n指标数", 8, "body_int", "number"), Col("平均\n完成率", 9, "body_rate", "number"),
            Col("完成率最高的指标", 30), Col("完成率最低的指标", 30), Col("数据截至", 14, "body_center")]
    sh, head = titled_sheet(wb, "镇街排名", cols, f"{plan.title}各镇街目标完成率排名", sub)
    records = ys.towns.select("名次", "镇街", "计入指标数", "已报指标数", "平均完成率", "最高完成率指标",
                              "最低完成率指标", "数据截至")
    _body(sh, head, cols, records, None, "计划中没有镇街目标。",
          "平均完成率:镇街各项可加总指标(目标大于 0)的最新累计完成数 ÷ 全年目标的平均值,"
          "未报送的指标按 0 计;增幅类等不可加总的指标不计入。", 1)
