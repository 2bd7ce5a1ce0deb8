"""Report and town forms: re-open what was written and check it semantically."""
from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest

from xltools.forms.identity import embed_identity
from xltools.model.identity import IDENTITY_SHEET
from xltools.model.glossary import a1
from xltools.sheet.layout import LayoutError, Sheet
from xltools.forms.registry import REPORT_V1, REPORT_V2, STATUSES, TOWN_V1
from xltools.generate.report_form import report_form
from xltools.generate.town_form import town_form
from xltools.xlsx.writer import workbook_bytes


def _open(layout):
    return openpyxl.load_workbook(BytesIO(workbook_bytes(layout)))


def _validations(ws):
    """{cell: DataValidation} for every cell covered by a validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row,
                                    min_col=rng.min_col, max_col=rng.max_col):
                for c in row:
                    out[c.coordinate] = dv
    return out


@pytest.fixture
def report(small_plan):
    unit = small_plan.unit("区发改局")
    layout, fmap = report_form(small_plan, unit, small_plan.periods[0])
    embed_identity(layout, small_plan.plan_id, "report", unit.name, "2019Q1")
    return _open(layout), fmap


def test_report_form_lists_the_units_tasks_with_roles(report):
    wb, fmap = report
    ws = wb[REPORT_V1.sheet]
    rows = [[ws.cell(r + 1, c + 1).value for c in range(3)]
            for r in range(fmap.first_task_row, fmap.last_task_row + 1)]
    # task 1 through its own name (first, so it leads); task 3 led by 区财政局
    assert rows == [["1", "地区生产总值增长8.5%。", "牵头"], ["3", "加强政府债务管理。", "配合"]]
    assert ws.cell(fmap.header_row + 1, 4).value == "本季度完成情况"
    assert "区发改局" in ws["A3"].value
    assert "2019年第一季度" in ws["A2"].value and "2019年4月10日" in ws["A2"].value


def test_report_form_protection_and_unlocked_fill_in_cells(report):
    wb, fmap = report
    ws = wb[REPORT_V1.sheet]
    assert ws.protection.sheet is True
    r = fmap.first_task_row + 1
    assert ws.cell(r, 2).protection.locked is True  # task text
    assert ws.cell(r, 1).protection.locked is True  # number
    for col in REPORT_V1.fill_in().values():
        assert ws.cell(r, col + 1).protection.locked is False
    for row, col in fmap.fill_in:
        assert ws.cell(row + 1, col + 1).protection.locked is False
    # the 填报单位 cell is locked
    assert ws["A3"].protection.locked is True


def test_report_form_validations_and_prompts(report):
    wb, fmap = report
    ws = wb[REPORT_V1.sheet]
    dv = _validations(ws)
    r = fmap.first_task_row
    status = dv[a1(r, REPORT_V1.col("状态"))]
    assert status.type == "list"
    assert status.formula1 == '"' + ",".join(STATUSES) + '"'
    progress = dv[a1(r, REPORT_V1.col("完成进度"))]
    assert progress.type == "decimal" and float(progress.formula1) == 0 and float(progress.formula2) == 100
    assert progress.showInputMessage and "0—100" in progress.prompt
    assert dv[a1(r, REPORT_V1.col("存在问题"))].prompt
    for row, col in fmap.fill_in:
        assert dv[a1(row, col)].prompt


def test_report_form_numeric_target_rows(report, small_plan):
    wb, fmap = report
    ws = wb[fmap.target_sheet]
    assert [t[:2] for t in fmap.target_rows] == [("1", 0)]
    row = fmap.target_rows[0][2] + 1
    assert ws.cell(row, 1).value == "1"
    assert ws.cell(row, 2).value == "地区生产总值增长(增幅)"
    assert ws.cell(row, 3).value == "%"
    assert ws.cell(row, 4).value == 8.5
    assert ws.cell(row, 5).protection.locked is False
    dv = _validations(ws)[f"E{row}"]
    assert dv.type == "decimal"


def test_report_form_text_stays_text_never_a_formula(small_plan):
    unit = small_plan.unit("区人社局")
    layout, fmap = report_form(small_plan, unit, small_plan.periods[0])
    book = _open(layout)
    cell = book[REPORT_V1.sheet].cell(fmap.first_task_row + 1, 2)
    assert cell.data_type == "s" and cell.value.startswith("新增城镇就业8000人,=SUM(A1)")
    ws = book[fmap.target_sheet]
    target_row = fmap.target_rows[0][2] + 1
    assert ws.cell(target_row, 6).data_type == "f"  # our own completion-rate formula only
    e, d = f"E{target_row}", f"D{target_row}"  # 新增城镇就业 8000 人: cumulative, 累计 ÷ 目标
    assert ws.cell(target_row, 6).value == f'=IF(AND(ISNUMBER({e}),{d}>0),{e}/{d},"")'


def test_report_form_print_setup_and_fonts(report):
    wb, fmap = report
    ws = wb[REPORT_V1.sheet]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default and may be omitted
    assert ws.page_setup.fitToHeight == 0
    h = fmap.header_row + 1
    assert ws.print_title_rows == f"${h}:${h}"
    assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text
    assert ws.freeze_panes == f"C{h + 1}"
    assert ws["A1"].font.name == "方正小标宋简体"
    assert ws.cell(h, 1).font.name == "黑体"
    assert ws.cell(h + 1, 2).font.name == "仿宋_GB2312"
    assert ws.cell(h + 1, 2).alignment.wrap_text
    assert ws.row_dimensions[h + 1].height >= 60


def test_report_form_targets_have_a_sheet_of_their_own(report, small_plan):
    """v2: the 量化指标 table on its own visible sheet, under its own title, the unit named
    (guarded), its own header as print titles, protected, checked; none of it on the tasks' sheet."""
    wb, fmap = report
    ws, main = wb[REPORT_V2.target_sheet], wb[REPORT_V1.sheet]
    assert fmap.target_sheet == REPORT_V2.target_sheet and ws.sheet_state == "visible"
    assert ws["A1"].value == f"{small_plan.title}量化指标完成情况" and ws["A1"].font.name == "方正小标宋简体"
    assert ws["A3"].value == "填报单位:区发改局" and ws["A3"].protection.locked is not False
    h = fmap.target_rows[0][2]  # the header row, 1-based
    assert [ws.cell(h, c).value for c in range(1, 8)] == \
        ["任务\n序号", "量化指标", "计量\n单位", "全年目标", "累计完成", "完成率", "说明"]
    assert ws.print_title_rows == f"${h}:${h}" and ws.freeze_panes == f"C{h + 1}"
    assert ws.protection.sheet and ws.cell(h + 1, 7).protection.locked is False
    assert _validations(ws)[f"E{h + 1}"].type == "decimal"
    assert ws.page_setup.orientation == "landscape"
    texts = {c.value for row in main.iter_rows() for c in row if isinstance(c.value, str)}
    assert not texts & {"累计完成", "量化指标完成情况(填写年初至本期末的累计数)"}


def test_report_form_identity_sheet_is_hidden_and_last(report):
    wb, _ = report
    assert wb.sheetnames == [REPORT_V1.sheet, REPORT_V2.target_sheet, IDENTITY_SHEET]
    assert wb[IDENTITY_SHEET].sheet_state == "hidden"
    assert "xltools_identity" in wb.defined_names


def test_town_form_lines_targets_and_rates(small_plan):
    row = next(r for r in small_plan.town_rows() if r.label == "锣场镇")
    layout, lines = town_form(small_plan, row, small_plan.periods[0])
    ws = _open(layout).active
    got = [(ws.cell(x.row + 1, 3).value, ws.cell(x.row + 1, 4).value, ws.cell(x.row + 1, 5).value)
           for x in lines]
    assert got == [("农业总产值", "万元", 600), ("增幅", "%", 3.2), ("扶贫工作(户)", "户", 2),
                   ("扶贫工作(人)", "人", 5), ("新增参保", "人", 200)]
    # additive columns: 累计 ÷ 目标; growth rows: 达标 / 未达标 by the target, never a ratio
    r0, r1 = lines[0].row + 1, lines[1].row + 1
    assert ws.cell(r0, 7).value == f'=IF(AND(ISNUMBER(F{r0}),E{r0}>0),F{r0}/E{r0},"")'
    assert ws.cell(r1, 7).value == f'=IF(ISNUMBER(F{r1}),IF(F{r1}>=E{r1},"达标","未达标"),"")'
    assert ws.cell(lines[0].row + 1, TOWN_V1.col("累计完成") + 1).protection.locked is False
    assert ws.cell(lines[0].row + 1, 5).protection.locked is True


def test_town_form_skips_not_applicable_values(small_plan):
    row = next(r for r in small_plan.town_rows() if r.label == "解放街办")
    _, lines = town_form(small_plan, row, small_plan.periods[0])
    assert [(x.column, x.part) for x in lines] == [("c03", "户"), ("c03", "人"), ("c04", "")]


def test_layout_refuses_overlapping_merges():
    sh = Sheet("t")
    sh.merge(0, 0, 1, 1, "a")
    with pytest.raises(LayoutError):
        sh.merge(1, 1, 2, 2, "b")
    with pytest.raises(LayoutError):
        sh.write(1, 0, "under the merge")
    sh.write(3, 3, "x")
    with pytest.raises(LayoutError):
        sh.merge(2, 2, 3, 3, "hides x")
