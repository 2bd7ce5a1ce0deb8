"""汇总表 and 校验报告: rendered by the writer, re-opened with openpyxl and checked."""
from __future__ import annotations

import io

import openpyxl
import pytest

from test_lazy_sheet import made_whole
from test_merge_summary import INJECTION, bad, receipts_for, report, scenario
from xltools.sheet.layout import Chart, Workbook
from xltools.merge import ReceiptRow, summarize
from xltools.merge.common import BLOCKED
from xltools.model import ERROR, WARNING
from xltools.model.findings import describe_change, finding
from xltools.model.plan import SECTION_SEP
from xltools.model.returns import ACCEPTED, REJECTED
from xltools.report import SUMMARY_SHEETS, summary_workbook, validation_workbook
from xltools.report.tables import sheet_namer
from xltools.xlsx import writer
from xltools.xlsx.writer import workbook_bytes


def reopen(layout: Workbook) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(layout)))


@pytest.fixture(scope="module")
def books():
    plan, current, stray = scenario()
    receipts = receipts_for(plan, current)
    prev = [report(plan, "区发改局", "2019-01-05T00:00:00", {"1": ("序时推进", 10.0, "", "", "")},
                   period="2018Q4")]
    period = plan.period("2019Q1")
    s = summarize(plan, period, current + [stray], receipts, previous=prev)
    return (plan, s, reopen(summary_workbook(plan, period, s)),
            reopen(validation_workbook(plan, period, receipts)))


def find(ws, value) -> list:
    return [c for row in ws.iter_rows() for c in row if c.value == value]


def row_of(ws, **cols) -> int:
    """The row whose cells under the given header labels hold the given values."""
    head = next(r for r in ws.iter_rows() if any(c.value == "单位" for c in r))
    idx = {c.value: c.column for c in head if c.value}
    for r in range(head[0].row + 1, ws.max_row + 1):
        if all(ws.cell(r, idx[k]).value == v for k, v in cols.items()):
            return r
    raise AssertionError(cols)


def printable(ws, repeat: bool = True) -> None:
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    # fit to 1 page wide, any height (1 is the default width, which xlsxwriter leaves out)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
    assert ws.page_setup.fitToHeight == 0
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    if repeat:
        assert ws.print_title_rows


def test_summary_sheets_and_print_setup(books):
    _, _, wb, _ = books
    assert wb.sheetnames == SUMMARY_SHEETS
    for name in SUMMARY_SHEETS:
        printable(wb[name], repeat=name in ("按任务汇总", "按单位汇总", "滞后任务", "量化指标"))
    ws = wb["按任务汇总"]
    assert ws.freeze_panes == "A4"
    assert ws["A1"].value.endswith("落实情况汇总表") and ws["A1"].font.name == "方正小标宋简体"
    assert ws["A3"].font.name == "黑体" and ws["A3"].border.left.style == "thin"


def test_by_task_values_and_merges(books):
    plan, s, wb, _ = books
    ws = wb["按任务汇总"]
    r = row_of(ws, 单位="区发改局", 状态="序时推进")
    assert ws.cell(r, 1).value == 1 and ws.cell(r, 2).value == "地区生产总值增长8.5%。"
    n = len(plan.task_units(plan.task("1")))
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"A{r}:A{r + n - 1}" in merged and f"B{r}:B{r + n - 1}" in merged
    assert ws.cell(r, 5).value == "序时推进" and ws.cell(r, 6).value == 30
    assert ws.cell(r, 7).value == 20  # 较上期变化
    # the lead's blocked progress is shown as not adopted, never as a number
    fin = row_of(ws, 单位="区财政局")
    head = {c.value: c.column for c in ws[3]}
    assert ws.cell(fin, head["完成\n进度\uff08%\uff09"]).value == BLOCKED
    assert ws.cell(row_of(ws, 单位="区人社局"), head["状态"]).value == "未报送"


def test_unit_text_is_never_a_formula(books):
    _, _, wb, _ = books
    for text in INJECTION:
        cells = [c for name in ("按任务汇总", "滞后任务") for c in find(wb[name], text)]
        assert cells, text
        assert all(c.data_type == "s" for c in cells)
    task2 = find(wb["按任务汇总"], "新增城镇就业8000人,=SUM(A1) 这段文字必须保持为文本。")
    assert task2 and task2[0].data_type == "s"


def test_by_unit_missing_late(books):
    _, _, wb, _ = books
    ws = wb["按单位汇总"]
    head = {c.value: c.column for c in ws[3]}
    assert ws.cell(row_of(ws, 单位="锣场镇"), head["季度报表"]).value == "逾期"
    assert ws.cell(row_of(ws, 单位="区人社局"), head["季度报表"]).value == "未报送"
    assert ws.cell(row_of(ws, 单位="区财政局"), head["错误数"]).value == 1
    ws = wb["未报送单位"]
    assert find(ws, "区人社局") and find(ws, "锣场镇")
    assert find(ws, "一、未报送单位\uff08共 1 个\uff09") and find(ws, "二、逾期报送单位\uff08共 1 个\uff09")


def test_lagging_and_targets(books):
    _, _, wb, _ = books
    ws = wb["滞后任务"]
    assert {ws.cell(r, 3).value for r in range(4, ws.max_row + 1)} >= {"区发改局", "解放街办"}
    ws = wb["量化指标"]
    r = find(ws, "地区生产总值增长")[0].row
    assert ws.cell(r, 7).value == 7.9 and ws.cell(r, 8).number_format == "0.0%"


def test_town_matrix_sheet(books):
    _, _, wb, _ = books
    ws = wb["镇街指标"]
    total_rows = [c.row for c in find(ws, "全区合计")]
    assert len(total_rows) == 2  # one block per printed sub-table
    r = total_rows[0]
    assert [ws.cell(r, c).value for c in (2, 3)] == [1000, 150]  # printed target, towns' sum
    assert ws.cell(r, 4).value == pytest.approx(0.15)
    r2 = total_rows[1]
    head = [ws.cell(r2 - 2, c).value for c in range(1, 11)]
    assert any(h and "新增参保" in h for h in head)
    assert ws.cell(r2, 9).value == 120  # 解放街办's blocked 80 is not in the sum
    assert find(ws, BLOCKED)
    (listed,) = find(ws, "就业 › 新增参保")  # the plan's own total that does not add up, listed
    assert listed.alignment.horizontal != "center"  # (its text left, as 指标 columns are)
    assert ws.cell(listed.row, listed.column + 3).alignment.horizontal == "center"  # its figures
    assert ws.cell(r - 3, 2).value == "农业" and ws.cell(r - 2, 2).value == "农业总产值(万元)"
    assert ws.cell(r - 1, 2).value == "目标"  # two-level header as 附件3, no "农业 › …"
    assert ws.cell(r, 5).value == pytest.approx(0.035) and ws.cell(r, 5).number_format == "0.00%"
    slash = next(c for c in find(ws, "\\") if c.column == 5)
    assert slash.alignment.horizontal == "center"
    assert f"B{r - 2}:D{r - 2}" in {str(m) for m in ws.merged_cells.ranges}  # 目标/完成/完成率


def test_status_sheet_has_native_chart(books):
    _, s, wb, _ = books
    ws = wb["状态统计"]
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert chart.tagname == "barChart" and chart.grouping == "stacked"
    assert len(chart.series) == 6
    assert find(ws, "区发改局") and find(ws, "待核实")


def test_validation_book_findings_links_filter(books):
    _, _, _, wb = books
    assert wb.sheetnames[:2] == ["全部问题", "文件清单"]
    ws = wb["全部问题"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A3:L")
    assert ws.column_dimensions["L"].hidden  # the codes: for filters and look-ups, not printed
    assert ws.freeze_panes == "C4"
    printable(ws)
    head = {c.value: c.column for c in ws[3]}
    assert list(head) == ["序号", "文件", "单位", "表单", "文件状态", "工作表", "单元格", "级别",
                          "问题说明", "发现的值", "原件位置", "代码"]
    r = find(ws, "progress-not-number")[0].row
    link = ws.cell(r, head["原件位置"]).hyperlink
    assert link.location == "'季度报表'!E6" and "archive" in link.target
    assert ws.cell(r, head["级别"]).value == ERROR
    assert ws.cell(r, head["问题说明"]).value.startswith(  # the place has its columns
        "任务 3 的完成进度\u201c基本完成\u201d不是数字。")
    assert ws.cell(r, 2).fill.fgColor.rgb.endswith("FDE9E7")  # 错误 rows highlighted
    w = find(ws, "header-missing")[0].row
    assert ws.cell(w, head["级别"]).value == WARNING
    assert not ws.cell(w, 2).fill.fgColor.rgb.endswith("FDE9E7")


def test_validation_book_file_list_and_unit_sheets(books):
    _, _, _, wb = books
    ws = wb["文件清单"]
    statuses = {ws.cell(r, 5).value for r in range(4, ws.max_row + 1)}
    assert statuses == {"已接收", "已退回", "已被替代", "重复文件", "已忽略"}
    assert ws.cell(find(ws, "收件箱/季度报表_锣场镇.xlsx")[0].row, 8).value == "逾期"
    # one sheet per unit with findings to fix (superseded copies do not count)
    assert set(wb.sheetnames[2:]) == {"区发改局", "区财政局", "区人社局", "解放街办"}
    ws = wb["区财政局"]
    assert find(ws, "修改意见") and find(ws, "基本完成")
    printable(ws)


def test_sheet_names_are_safe_and_unique():
    names = sheet_namer(["全部问题", "文件清单"])
    got = [names(n) for n in ["全部问题", "a/b:c*d?[e]", "x" * 40, "x" * 40, "History", "ABC", "abc"]]
    assert got[0] == "全部问题(2)" and got[1] == "a_b_c_d__e_"
    assert all(len(n) <= 31 for n in got) and len({n.lower() for n in got}) == len(got)
    assert got[4] != "History" and got[6] == "abc(2)"


def test_unit_sheet_names_from_odd_unit_names():
    plan, current, _ = scenario()
    odd = "某某单位:[第一]/第二*科室?" + "很长" * 20
    receipts = [ReceiptRow("f.xlsx", "f.xlsx", "a" * 64, REJECTED, odd, "report",
                           findings=[bad("not-identified", "", "", odd, reason="无标识")]),
                ReceiptRow("g.xlsx", "g.xlsx", "b" * 64, ACCEPTED, odd + "2", "report",
                           findings=[bad("required-empty", "S", "A1", odd, field="状态")])]
    wb = reopen(validation_workbook(plan, plan.period("2019Q1"), receipts))
    assert len(wb.sheetnames) == 4 and all(len(n) <= 31 for n in wb.sheetnames)


def test_big_validation_report_streams():
    plan, current, _ = scenario()
    findings = [bad("progress-not-number", "季度报表", f"E{i}", "区发改局", "=1+1",
                    severity=ERROR if i % 2 else WARNING) for i in range(7, 6007)]
    receipts = [ReceiptRow("big.xlsx", "big.xlsx", "c" * 64, ACCEPTED, "区发改局", "report",
                           findings=findings, archived="../archive/cc/x.xlsx")]
    layout = validation_workbook(plan, plan.period("2019Q1"), receipts)
    assert layout.constant_memory
    data = workbook_bytes(layout)  # its speed is measured in bench/, not here
    ws = openpyxl.load_workbook(io.BytesIO(data))["全部问题"]
    assert ws.max_row == 3 + 6000
    assert ws.cell(4, 10).value == "=1+1" and ws.cell(4, 10).data_type == "s"
    assert ws.cell(4, 11).hyperlink.location == "'季度报表'!E7"


def test_summary_without_returns_still_prints():
    plan, _, _ = scenario()
    s = summarize(plan, plan.period("2019Q1"), [], [])
    assert set(s.tasks["总体状态"]) == {"未报送"}
    wb = reopen(summary_workbook(plan, plan.period("2019Q1"), s))
    assert wb.sheetnames == SUMMARY_SHEETS and find(wb["滞后任务"], "本期没有单位报告滞后或未启动的任务。")
    vb = reopen(validation_workbook(plan, plan.period("2019Q1"), []))
    assert find(vb["全部问题"], "本期收到的文件未发现问题。")


def test_layout_chart_and_url_cells():
    wb = Workbook("t.xlsx")
    sh = wb.add_sheet("数据")
    for r, (k, v) in enumerate([("甲", 1), ("乙", 2)]):
        sh.write(r, 0, k, kind="string")
        sh.write(r, 1, v)
    sh.link(3, 0, "=打开", "#'数据'!A1")
    sh.link(4, 0, "外部", "archive/ab.xlsx#'表'!C7")
    sh.charts.append(Chart("column", "图", (0, 0, 1, 0), [("值", (0, 1, 1, 1))], row=6))
    ws = reopen(wb)["数据"]
    assert len(ws._charts) == 1
    assert ws["A4"].value == "=打开" and ws["A4"].data_type == "s"
    assert ws["A4"].hyperlink.location == "'数据'!A1"
    assert ws["A5"].hyperlink.location == "'表'!C7"


def _merged_layout(constant_memory: bool) -> Workbook:
    """Vertical, horizontal and last-row merges among ordinary cells, in either mode."""
    wb = Workbook("m.xlsx", constant_memory=constant_memory)
    sh = wb.add_sheet("表")
    sh.merge(0, 0, 0, 3, "标题", "title")
    sh.merge(1, 0, 3, 0, 7, "body_center", kind="number")  # a task block over three rows
    sh.merge(1, 1, 3, 1, "任务内容", kind="string")
    for r in range(1, 4):
        sh.write(r, 2, f"单位{r}", kind="string")
        sh.write(r, 3, "=1+1", kind="string")
    sh.merge(4, 0, 5, 3, "说明", "body", kind="string")  # ends on the last row
    return wb


def _cells(data: bytes) -> dict:
    """Every sheet's cells (value, type, font, fill, border, alignment, format) and merges."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: ({(c.coordinate, c.value, c.data_type, repr(c.font), repr(c.fill),
                         repr(c.border), repr(c.alignment), c.number_format)
                        for row in ws.iter_rows() for c in row},
                       {str(m) for m in ws.merged_cells.ranges}) for ws in wb.worksheets}


def test_small_streamed_books_are_written_in_memory_alike(monkeypatch):
    """A small constant_memory book (or one of many small sheets) is written in memory (no
    temp file a sheet): the same cells, merges and styles as streamed."""
    plan, current, stray = scenario()
    receipts = receipts_for(plan, current)
    period = plan.period("2019Q1")
    s = summarize(plan, period, current + [stray], receipts)
    for layout in (made_whole(summary_workbook(plan, period, s)),
                   validation_workbook(plan, period, receipts)):
        assert layout.constant_memory
        kept = _cells(workbook_bytes(layout))
        monkeypatch.setattr(writer, "STREAM_CELLS", 0)
        monkeypatch.setattr(writer, "STREAM_SHEET_CELLS", 0)
        streamed = _cells(workbook_bytes(layout))
        monkeypatch.undo()
        assert kept == streamed and len(kept) == len(layout.sheets)


@pytest.mark.parametrize("constant_memory", [False, True])
def test_merges_over_rows_survive_both_write_modes(constant_memory, monkeypatch):
    monkeypatch.setattr(writer, "STREAM_CELLS", 0)  # stream even this small layout
    monkeypatch.setattr(writer, "STREAM_SHEET_CELLS", 0)
    ws = reopen(_merged_layout(constant_memory))["表"]
    assert {str(m) for m in ws.merged_cells.ranges} == {"A1:D1", "A2:A4", "B2:B4", "A5:D6"}
    assert [[ws.cell(r, c).value for c in range(1, 5)] for r in range(1, 7)] == [
        ["标题", None, None, None], [7, "任务内容", "单位1", "=1+1"],
        [None, None, "单位2", "=1+1"], [None, None, "单位3", "=1+1"],
        ["说明", None, None, None], [None, None, None, None]]
    assert ws.cell(2, 4).data_type == "s"  # text stays text
    # the covered cells carry the range's style, so its borders print all round
    assert ws["A4"].border.bottom.style and ws["A4"].border.left.style
    assert ws["D6"].border.right.style and ws["D6"].border.bottom.style


def test_changed_guarded_text_quotes_only_the_difference():
    task = "继续推进\u201c放管服\u201d改革,做好\u201c互联网+政务服务\u201d工作,启动区政务服务中心建设。"
    f = finding("guarded-cell-changed", file="a.xlsx", sheet="季度报表", cell="B7",
                value=task + "(已完成大部分)", expected=task)
    text = f.text
    # (the template's marks are official; what was typed is quoted as typed)
    assert text.startswith("该单元格不允许修改\uff0c在末尾添加了\u201c(已完成大部分)\u201d。")
    assert task not in text and f.message == f"{f.where()}\uff1a{text}"
    assert describe_change(task, task.replace("启动", "")) == "删去了\u201c启动\u201d"
    assert describe_change("区发改局", "") == "原内容\u201c区发改局\u201d已被清空"
    assert describe_change("区发改局", "区财政局") == "下发时为\u201c区发改局\u201d\uff0c现在是\u201c区财政局\u201d"


def test_tasks_sharing_a_number_each_print_their_own_block():
    """A plan whose task numbers repeat (collect does not refuse one): each task's block in
    按任务汇总 shows its own text and its own overall status, and the change since the
    previous period is the task's own (pandas' .loc on the number made the book fail)."""
    plan, current, _ = scenario()
    plan.tasks[2].number = plan.tasks[1].number  # 任务 3 is now numbered 2 as well
    period = plan.period("2019Q1")
    prev = [report(plan, "区发改局", "2019-01-05T00:00:00", {"1": ("序时推进", 10.0, "", "", "")},
                   period="2018Q4")]
    s = summarize(plan, period, current, receipts_for(plan, current), previous=prev)
    assert s.tasks["任务内容"] == [t.text for t in plan.tasks]
    assert s.tasks["上期进度"] == [10.0] + [None] * (len(plan.tasks) - 1)  # each task its own
    ws = reopen(summary_workbook(plan, period, s))[SUMMARY_SHEETS[0]]
    for task, status in zip(plan.tasks, s.tasks["总体状态"]):
        [cell] = find(ws, task.text)
        assert ws.cell(cell.row, cell.column - 1).value == int(task.number)
        statuses = {c.value for c in ws[cell.row] if c.value == status}
        assert statuses == {status}


def test_plan_total_mismatches_name_each_column_part_once():
    """The totals check_matrix finds off their rows' sum, as the 镇街指标 sheet lists them:
    a composite column's part named once, a one-level column by its own name."""
    plan, current, _ = scenario()
    plan.matrix.columns[3].path = ["新增参保"]  # 500 printed, 400 the rows' sum
    plan.matrix.values[("全区合计", "c03")] = "4户、7人"  # 3户 the rows' sum, 7人 right
    period = plan.period("2019Q1")
    s = summarize(plan, period, current, receipts_for(plan, current))
    assert s.town_mismatches.select("指标", "部分", "合计(计划所印)", "各行之和", "相差") == [
        (f"扶贫{SECTION_SEP}扶贫工作", "户", "4户、7人", "3", "1"),
        ("新增参保", "", "500", "400", "100")]
    ws = reopen(summary_workbook(plan, period, s))["镇街指标"]
    [head] = find(ws, "相差")
    listed = [ws.cell(head.row + i, 2).value for i in (1, 2)]
    assert listed == [f"扶贫{SECTION_SEP}扶贫工作(户)", "新增参保"]
