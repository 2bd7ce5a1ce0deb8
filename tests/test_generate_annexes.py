"""附件1/2/3, 办理方案 and 发送清单: rendered, re-opened with openpyxl, checked cell by cell."""
from __future__ import annotations

import inspect
import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xltools.generate.annex1 import annex1
from xltools.generate.annex2 import annex2
from xltools.generate.annex3 import annex3, value_cell
from xltools.forms.identity import guarded_cells
from xltools.sheet.layout import LayoutError, Sheet, Workbook
from xltools.generate.sending_list import SendingEntry, sending_list
from xltools.sheet.styles import BODY_FONT, HEAD_FONT, TITLE_FONT
from xltools.generate.workplan import workplan
from xltools.model import (Group, MatrixColumn, MatrixRow, Period, Plan, Task, TownMatrix, Unit,
                           normalize_name)
from xltools.xlsx.writer import workbook_bytes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "xltools" / "examples" / "shashi-2019"
SEED = ROOT / "tests" / "data" / "seed_000_shashi_2019.txt"
FOOTER = "第 &P 页 共 &N 页"


# -- a small plan built from the model -------------------------------------------------
def make_plan(with_leads: bool = True, matrix: TownMatrix | None = None) -> Plan:
    units = [Unit("区发改局", leader="李先刚", contact="张三", phone="0716-8880001",
                  email="fgj@example.cn"),
             Unit("区财政局", leader="李先刚"),
             Unit("区商务局", leader="曾浩"),
             Unit("锣场镇", kind="镇", leader="关海涛"),
             Unit("岑河镇", kind="镇", leader="关海涛"),
             Unit("解放街办", kind="街道"),
             Unit("区档案局", leader="王飞")]  # no task: must not appear in 附件2
    groups = [Group("各镇人民政府", ["锣场镇", "岑河镇"])]
    goals, work = ["一、主要工作目标"], "二、主要工作任务"
    tasks = [
        Task("1", "地区生产总值增长8.5%。", goals, "indicator",
             responsible_units=["区发改局", "各镇人民政府"]),
        Task("2", "财政总收入增长8.5%。", goals, "indicator",
             responsible_units=["区财政局", "各镇人民政府"]),
        Task("8", "集聚发展现代服务业,持续壮大沙北新商圈。", [work, "(一)聚焦产业升级"],
             lead_units=["区商务局"] if with_leads else [], responsible_units=["区发改局"]),
        Task("10", "全力推进现代物流产业园建设。", [work, "(一)聚焦产业升级"],
             responsible_units=["区发改局", "锣场镇", "岑河镇"]),
        Task("20", "=SUM(A1)继续推进“放管服”改革。", [work, "(二)聚焦改革开放"],
             responsible_units=["解放街办"]),
    ]
    return Plan(title="2019年《政府工作报告》目标任务", year=2019, issuer="区政府督办室",
                units=units, groups=groups, tasks=tasks, matrix=matrix,
                periods=[Period("2019Q1", "2019年第一季度", deadline="2019-04-10")])


def make_matrix() -> TownMatrix:
    """Two printed sub-tables; 新增参保's total (500) is not the sum of its rows (400)."""
    cols = [MatrixColumn("c1", ["农业", "农业总产值(万元)"], "万元", 1),
            MatrixColumn("c2", ["农业", "增幅"], "%", 1, additive=False),
            MatrixColumn("c3", ["造林绿化"], "亩", 1),
            MatrixColumn("c4", ["扶贫", "扶贫工作"], "户、人", 2),
            MatrixColumn("c5", ["就业", "新增参保"], "人", 2)]
    rows = [MatrixRow("全区合计", "total"), MatrixRow("锣场镇", "town", "锣场镇"),
            MatrixRow("岑河镇", "town", "岑河镇"), MatrixRow("解放街办", "town", "解放街办"),
            MatrixRow("区直及其他", "other")]
    table = {"全区合计": ["289,500", "3.50%", "1260", "118户、345人", "500"],
             "锣场镇": ["240,000", "3.2%", "300", "100户、300人", "200"],
             "岑河镇": ["49,000", "-2.0%", "400", "18户、45", "100"],
             "解放街办": ["\\", "\\", "500", "\\", "60"],
             "区直及其他": ["500", "\\", "60", "\\", "40"]}
    values = {(r, c.key): v for r, vs in table.items() for c, v in zip(cols, vs)}
    return TownMatrix("2019年各镇、街办经济社会发展目标", cols, rows, values)


def reopen(layout: Workbook):
    return load_workbook(BytesIO(workbook_bytes(layout)))


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def assert_print(ws, landscape: bool, title_rows: str) -> None:
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == ("landscape" if landscape else "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed, one across
    assert ws.print_title_rows == title_rows
    assert ws.oddFooter.center.text == FOOTER


def shown(cell) -> str:
    """The text a number cell prints with its number format (enough for our formats)."""
    if cell.data_type != "n" or cell.value is None:
        return "" if cell.value is None else str(cell.value)
    fmt = cell.number_format
    percent = fmt.endswith("%")
    decimals = len(fmt.rstrip("%").split(".")[1]) if "." in fmt else 0
    x = cell.value * 100 if percent else cell.value
    text = f"{x:,.{decimals}f}" if "," in fmt else f"{x:.{decimals}f}"
    return text + ("%" if percent else "")


# -- 附件1 ---------------------------------------------------------------------------------
def test_annex1_sections_items_and_lead_column():
    layout = annex1(make_plan())
    assert layout.filename == "附件1_2019年目标任务分解.xlsx"
    ws = reopen(layout)["目标任务分解"]
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "2019年《政府工作报告》目标任务分解意见"
    assert [c.value for c in ws[3]] == ["序号", "目标任务", "牵头单位", "责任单位"]
    expected = [
        ["一、主要工作目标", None, None, None],
        [1, "地区生产总值增长8.5%。", None, "区发改局、各镇人民政府"],
        [2, "财政总收入增长8.5%。", None, "区财政局、各镇人民政府"],
        ["二、主要工作任务", None, None, None],
        ["(一)聚焦产业升级", None, None, None],
        [8, "集聚发展现代服务业,持续壮大沙北新商圈。", "区商务局", "区发改局"],
        [10, "全力推进现代物流产业园建设。", None, "区发改局、锣场镇、岑河镇"],
        ["(二)聚焦改革开放", None, None, None],
        [20, "=SUM(A1)继续推进“放管服”改革。", None, "解放街办"],
    ]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=4)] == expected
    assert ws["B12"].data_type == "s"  # plan text never becomes a formula
    assert merged(ws) == {"A1:D1", "A2:D2", "A4:D4", "A7:D7", "A8:D8", "A11:D11"}
    assert_print(ws, landscape=True, title_rows="$3:$3")
    assert ws.freeze_panes == "A4"
    assert ws["A2"].font.name == TITLE_FONT
    assert ws["A3"].font.name == HEAD_FONT and ws["A4"].font.name == HEAD_FONT
    assert ws["B5"].font.name == BODY_FONT and ws["B5"].alignment.wrap_text
    assert ws["B5"].border.left.style == "thin"
    assert ws.row_dimensions[5].height >= 20


def test_annex1_without_leads_is_portrait_with_three_columns():
    ws = reopen(annex1(make_plan(with_leads=False))).active
    assert [c.value for c in ws[3]] == ["序号", "目标任务", "责任单位"]
    assert ws["C9"].value == "区发改局"
    assert ws.max_column == 3
    assert_print(ws, landscape=False, title_rows="$3:$3")


def test_annex1_prints_the_deadlines_and_leaders_the_notice_gave():
    """完成时限 and 责任领导 columns when some task has one (before: dropped from the annex the
    clerk sends out), the page as wide as without them."""
    plan = make_plan()
    plan.tasks[2].deadline, plan.tasks[3].lead_leader = "6月底前完成", "王明"
    ws = reopen(annex1(plan)).active
    assert [c.value for c in ws[3]] == ["序号", "目标任务", "牵头单位", "责任单位", "完成时限", "责任领导"]
    assert [ws[f"{c}9"].value for c in "AEF"] == [8, "6月底前完成", None]
    assert [ws[f"{c}10"].value for c in "AEF"] == [10, None, "王明"]
    widths = [ws.column_dimensions[c].width for c in "ABCDEF"]
    plain = reopen(annex1(make_plan())).active
    assert abs(sum(widths) - sum(plain.column_dimensions[c].width for c in "ABCD")) < 2  # (padding)
    assert_print(ws, landscape=True, title_rows="$3:$3")


def test_annex1_row_height_grows_with_long_text():
    plan = make_plan()
    plan.tasks[0].text = "推进重点项目建设。" * 30
    ws = reopen(annex1(plan)).active
    assert ws.row_dimensions[5].height > 3 * ws.row_dimensions[6].height


# -- 附件2 ---------------------------------------------------------------------------------
def test_annex2_unit_blocks_groups_and_leaders():
    layout = annex2(make_plan())
    assert layout.filename.startswith("附件2")
    ws = reopen(layout)["各责任单位任务表"]
    assert ws["A2"].value == "2019年《政府工作报告》各责任单位任务表"
    assert [c.value for c in ws[3]] == ["责任单位", "序号", "全年目标任务", "责任领导"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    # plan order of units; 锣场镇/岑河镇 get tasks 1 and 2 through 各镇人民政府
    assert [r[1] for r in rows] == [1, 8, 10, 2, 8, 1, 2, 10, 1, 2, 10, 20]
    assert [r[0] for r in rows if r[0]] == ["区发改局", "区财政局", "区商务局", "锣场镇",
                                            "岑河镇", "解放街办"]
    assert "区档案局" not in [r[0] for r in rows]
    assert rows[3][2] == "财政总收入增长8.5%。"
    assert merged(ws) == {
        "A1:D1", "A2:D2",
        "A4:A6", "A9:A11", "A12:A14",  # units with several tasks (区财政局, 区商务局, 解放街办: one row)
        # leaders merged per unit block (a merge across units can span pages and then
        # prints on one page only)
        "D4:D6", "D9:D11", "D12:D14",
    }
    assert ws["D4"].value == "李先刚" and ws["D7"].value == "李先刚"
    assert ws["D8"].value == "曾浩" and ws["D9"].value == "关海涛" and ws["D12"].value == "关海涛"
    assert ws["D15"].value is None  # 解放街办 has no leader: nothing invented
    assert_print(ws, landscape=False, title_rows="$3:$3")
    assert ws.freeze_panes == "A4"
    assert ws["C4"].font.name == BODY_FONT and ws["A3"].font.name == HEAD_FONT


# -- 附件3 ---------------------------------------------------------------------------------
def test_annex3_sheets_headers_and_values_as_printed():
    plan = make_plan(matrix=make_matrix())
    layout, _ = annex3(plan)
    assert layout.filename.startswith("附件3")
    wb = reopen(layout)
    assert wb.sheetnames == ["表1 农业、造林绿化", "表2 扶贫、就业"]
    ws1, ws2 = wb.worksheets
    assert ws1["A2"].value == "2019年各镇、街办经济社会发展目标"
    assert ws1["A3"].value == "(表1,共2表)"
    assert merged(ws1) == {"A1:D1", "A2:D2", "A3:D3", "A4:A5", "B4:C4", "D4:D5"}
    assert [ws1[c].value for c in ("A4", "B4", "D4", "B5", "C5")] == [
        "责任单位", "农业", "造林绿化(亩)", "农业总产值(万元)", "增幅(%)"]
    assert merged(ws2) == {"A1:C1", "A2:C2", "A3:C3", "A4:A5"}
    assert [ws2[c].value for c in ("B4", "C4", "B5", "C5")] == [
        "扶贫", "就业", "扶贫工作(户、人)", "新增参保(人)"]
    assert [ws1.cell(r, 1).value for r in range(6, 11)] == [
        "全区合计", "锣场镇", "岑河镇", "解放街办", "区直及其他"]
    # numbers are numbers, printed as the notice prints them
    assert ws1["B6"].value == 289500 and ws1["B6"].number_format == "#,##0"
    assert ws1["C6"].value == pytest.approx(0.035) and ws1["C6"].number_format == "0.00%"
    assert ws1["C8"].value == pytest.approx(-0.02) and ws1["C8"].number_format == "0.0%"
    assert ws1["D6"].value == 1260 and ws1["D6"].data_type == "n"
    # everything else is text exactly as printed
    assert ws1["B9"].value == "\\" and ws1["B9"].data_type == "s"
    assert ws2["B6"].value == "118户、345人" and ws2["B8"].value == "18户、45"
    for ws in (ws1, ws2):
        for r, row in enumerate(plan.matrix.rows, start=6):
            for j, col in enumerate([c for c in plan.matrix.columns
                                     if c.table == wb.worksheets.index(ws) + 1], start=2):
                assert shown(ws.cell(r, j)) == plan.matrix.value(row.label, col.key)
        assert_print(ws, landscape=True, title_rows="$4:$5")
        assert ws.freeze_panes == "B6"
    assert ws1["B6"].font.b and not ws1["B7"].font.b  # the total row stands out
    assert ws1["B4"].font.name == HEAD_FONT and ws1["B7"].font.name == BODY_FONT


def test_annex3_total_mismatch_reported_at_its_cell_never_corrected():
    layout, findings = annex3(make_plan(matrix=make_matrix()))
    mismatch = [f for f in findings if f.code == "matrix-total-mismatch"]
    assert len(mismatch) == 1
    f = mismatch[0]
    assert (f.file, f.sheet, f.cell) == (layout.filename, "表2 扶贫、就业", "C6")
    assert "新增参保" in f.message and "单元格 C6" in f.message and "相差 100" in f.message
    missing = [f for f in findings if f.code == "matrix-value-missing-measure"]
    assert [(f.sheet, f.cell) for f in missing] == [("表2 扶贫、就业", "B8")]
    ws = reopen(layout)["表2 扶贫、就业"]
    assert ws["C6"].value == 500  # as printed, not the sum 400


def test_annex3_deep_headers_merge_across_and_down():
    cols = [MatrixColumn("a", ["招商引资", "项目数", "合计"], "个"),
            MatrixColumn("b", ["招商引资", "项目数", "其中工业(个)"], "个"),
            MatrixColumn("c", ["招商引资", "签约额"], "亿元"),
            MatrixColumn("d", ["造林绿化"], "亩")]
    rows = [MatrixRow("全区合计", "total"), MatrixRow("锣场镇", "town", "锣场镇")]
    values = {("全区合计", "a"): "3", ("全区合计", "b"): "1", ("全区合计", "c"): "2.5",
              ("全区合计", "d"): "10", ("锣场镇", "a"): "3", ("锣场镇", "b"): "1",
              ("锣场镇", "c"): "2.5", ("锣场镇", "d"): "10"}
    layout, findings = annex3(make_plan(matrix=TownMatrix("", cols, rows, values)))
    assert findings == []
    ws = reopen(layout)["镇街发展目标"]
    assert merged(ws) == {"A1:E1", "A2:E2", "A3:A5", "B3:D3", "B4:C4", "D4:D5", "E3:E5"}
    assert [ws[c].value for c in ("B3", "B4", "B5", "C5", "D4", "E3")] == [
        "招商引资", "项目数", "合计(个)", "其中工业(个)", "签约额(亿元)", "造林绿化(亩)"]
    assert ws["A2"].value == "2019年各镇、街道经济社会发展目标"
    assert ws["D6"].value == 2.5 and ws["D6"].number_format == "0.0"
    assert ws.print_title_rows == "$3:$5"


def test_annex3_without_matrix():
    assert annex3(make_plan()) == (None, [])


@pytest.mark.parametrize("raw, value, fmt", [
    ("247,779", 247779, "#,##0"), ("1140229.68", 1140229.68, "0.00"), ("8.00", 8, "0.00"),
    ("3.50%", 0.035, "0.00%"), ("10%", 0.1, "0%"), ("-1.1%", -0.011, "0.0%"),
    ("145.564", 145.564, "0.000"), ("0", 0, "0"),
    # as a .docx prints them: full-width comma and percent sign, the minus sign U+2212
    ("247\uff0c779", 247779, "#,##0"), ("3.50\uff05", 0.035, "0.00%"), ("\u22121.1%", -0.011, "0.0%"),
    ("\u22121\uff0c200", -1200, "#,##0")])
def test_annex3_numbers_keep_their_printed_shape(raw, value, fmt):
    v, style, kind = value_cell(raw)
    assert kind == "number" and v == pytest.approx(value)
    from xltools.sheet.styles import STYLES
    assert STYLES[style]["num_format"] == fmt


@pytest.mark.parametrize("raw", ["\\", "118户、345人", "1户、2", "约50", "=1+1"])
def test_annex3_other_values_stay_text(raw):
    assert value_cell(raw)[0] == raw and value_cell(raw)[2] == "string"


# -- 办理方案 -------------------------------------------------------------------------------
def test_workplan_prefilled_locked_and_inputs_unlocked():
    plan = make_plan()
    unit = plan.unit("区发改局")
    layout = workplan(plan, unit)
    assert layout.filename == "办理方案/办理方案_区发改局.xlsx"
    ws = reopen(layout)["办理方案"]
    assert ws["A1"].value == "区发改局2019年《政府工作报告》目标任务办理方案"
    assert (ws["A2"].value, ws["B2"].value, ws["C2"].value) == ("单位:", "区发改局", "总责任人:")
    assert ws["D2"].protection.locked is False and "D2:E2" in merged(ws)
    assert [c.value for c in ws[4]] == ["序号", "责任事项", "具体工作内容", "完成时限",
                                        "分管领导", "责任科室"]
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in (5, 6, 7)] == [
        (1, "地区生产总值增长8.5%。"), (8, "集聚发展现代服务业,持续壮大沙北新商圈。"),
        (10, "全力推进现代物流产业园建设。")]
    assert ws.protection.sheet is True
    for r in (5, 6, 7):
        assert ws.cell(r, 1).protection.locked and ws.cell(r, 2).protection.locked
        assert all(ws.cell(r, c).protection.locked is False for c in range(3, 7))
    assert ws["B2"].protection.locked and ws["A1"].protection.locked
    validations = ws.data_validations.dataValidation
    prompts = {str(dv.sqref): (dv.promptTitle, dv.prompt) for dv in validations}
    assert set(prompts) == {"C5:C7", "D5:D7", "E5:E7", "F5:F7", "D2:E2"}
    assert prompts["D5:D7"][0] == "完成时限" and "2019年6月底" in prompts["D5:D7"][1]
    assert all(dv.showInputMessage for dv in validations)
    assert_print(ws, landscape=True, title_rows="$4:$4")
    assert ws.freeze_panes == "A5"
    # what the unit must not change goes into the identity fingerprint
    guarded = {(ref, text) for _, ref, text in guarded_cells(layout)}
    assert {("B2", "区发改局"), ("A5", "1"), ("B7", "全力推进现代物流产业园建设。")} <= guarded
    assert not any(ref.startswith(("C", "D", "E", "F")) for ref, _ in guarded)


def test_workplan_town_gets_group_tasks():
    plan = make_plan()
    ws = reopen(workplan(plan, plan.unit("岑河镇"))).active
    assert [ws.cell(r, 1).value for r in (5, 6, 7)] == [1, 2, 10]


# -- 发送清单 -------------------------------------------------------------------------------
def test_sending_list_rows_filter_and_freeze():
    plan = make_plan()
    entries = [SendingEntry(plan.unit("区发改局"), plan.periods[0],
                            ["2019Q1/季度报表_2019Q1_区发改局.xlsx", "办理方案/办理方案_区发改局.xlsx"]),
               SendingEntry(plan.unit("锣场镇"), None, ["办理方案/办理方案_锣场镇.xlsx"])]
    layout = sending_list(plan, entries)
    assert layout.filename == "发送清单.xlsx"
    ws = reopen(layout)["发送清单"]
    assert [c.value for c in ws[3]] == ["序号", "单位名称", "单位类型", "联系人", "联系电话",
                                        "电子邮箱", "文件名", "报送周期", "报送截止日期"]
    assert [c.value for c in ws[4]] == [
        1, "区发改局", "部门", "张三", "0716-8880001", "fgj@example.cn",
        "2019Q1/季度报表_2019Q1_区发改局.xlsx\n办理方案/办理方案_区发改局.xlsx",
        "2019年第一季度", "2019-04-10"]
    assert [c.value for c in ws[5]] == [2, "锣场镇", "镇", None, None, None,
                                        "办理方案/办理方案_锣场镇.xlsx", None, None]
    assert ws["E4"].data_type == "s"  # a phone number stays text
    assert ws.auto_filter.ref == "A3:I5"
    assert ws.freeze_panes == "A4"
    assert ws["G4"].alignment.wrap_text and ws.row_dimensions[4].height >= 2 * 14.5
    assert_print(ws, landscape=True, title_rows="$3:$3")


# -- geometry ---------------------------------------------------------------------------
def test_overlapping_geometry_raises():
    sheet = Sheet("表")
    sheet.merge(0, 0, 1, 1, "甲")
    with pytest.raises(LayoutError):
        sheet.merge(1, 1, 2, 2, "乙")  # overlaps the first merge
    with pytest.raises(LayoutError):
        sheet.write(1, 0, "丙")  # under the merge
    sheet.write(5, 5, "丁")
    with pytest.raises(LayoutError):
        sheet.merge(4, 4, 5, 5, "戊")  # would hide 丁
    wb = Workbook("x.xlsx")
    wb.add_sheet("表")
    with pytest.raises(LayoutError):
        wb.add_sheet("表")
    # sheets put in or taken out of the list directly are seen too
    wb.sheets.append(Sheet("替身"))
    with pytest.raises(LayoutError):
        wb.add_sheet("替身")
    wb.sheets.remove(wb.sheet("表"))
    assert wb.add_sheet("表").name == "表" and [s.name for s in wb.sheets] == ["替身", "表"]


# -- the seed notice (needs the parser and the example register) ------------------------
def seed_plan() -> Plan:
    parse = pytest.importorskip("xltools.parse", reason="解析模块 xltools.parse 尚未提供")
    fn = getattr(parse, "parse_notice_file", None)
    if fn is None:
        pytest.skip("xltools.parse 尚未提供 parse_notice_file")
    register = EXAMPLE / "units.yaml"
    if not register.exists():
        pytest.skip("示例单位名单 xltools/examples/shashi-2019/units.yaml 尚未提供")
    params = inspect.signature(fn).parameters
    kwargs = {n: register for n in ("units", "register", "units_path", "register_path",
                                    "units_file") if n in params}
    result = fn(EXAMPLE / "notice.txt", **kwargs)
    plan = getattr(result, "value", result)
    if not isinstance(plan, Plan):
        pytest.skip(f"parse_notice_file 返回 {type(result).__name__},不是 Plan")
    return plan


# (unit, leader, numbers): read off the printed 附件2 where 附件1 agrees with it
SEED_ANNEX2 = [("区财政局", "李先刚", {"2", "19", "21", "22", "24", "27"}),
               ("区税务局", "李先刚", {"2", "18"}),
               ("区商务局", "曾浩", {"5", "8", "9", "11", "12", "14"}),
               ("区经信局", "袁来军", {"4", "7", "11", "15", "16", "19", "33", "51"}),
               ("区统计局", None, {"14", "16", "66"}),
               ("区编办", None, {"20"})]


def test_seed_annex2_units_leaders_and_numbers():
    plan = seed_plan()
    ws = reopen(annex2(plan)).active
    blocks: dict[str, tuple[set[str], str | None]] = {}
    unit = leader = None
    for r in range(4, ws.max_row + 1):
        unit = ws.cell(r, 1).value or unit
        leader = ws.cell(r, 4).value if ws.cell(r, 4).value is not None or \
            not _under_merge(ws, r, 4) else leader
        nums, _ = blocks.setdefault(unit, (set(), leader))
        nums.add(str(ws.cell(r, 2).value))
    assert list(blocks) == [u.name for u in plan.units_with_tasks()]
    for u in plan.units_with_tasks():  # every task of every unit, leaders as registered
        assert blocks[u.name][0] == {t.number for t, _ in plan.unit_tasks(u)}
        assert normalize_name(blocks[u.name][1] or "") == normalize_name(u.leader)
    for name, want_leader, numbers in SEED_ANNEX2:
        hit = plan.unit(name)
        assert hit is not None, name
        got_numbers, got_leader = blocks[hit.name]
        assert numbers <= got_numbers, name
        if want_leader:
            assert normalize_name(got_leader or "") == want_leader, name


def _under_merge(ws, row: int, col: int) -> bool:
    return any(m.min_row < row <= m.max_row and m.min_col <= col <= m.max_col
               for m in ws.merged_cells.ranges)


_SEED_ROWS = ["全区合计", "解放街办", "崇文街办", "中山街办", "胜利街办", "朝阳街办", "立新街办",
              "关沮镇", "锣场镇", "观音垱镇", "岑河镇", "区直及其他"]
_SEED_VALUE = re.compile(r"^(\\|-?[\d,]+(\.\d+)?%?|\d+户、\d+人?)$")


def seed_annex3_printed() -> list[dict[str, list[str]]]:
    """The printed sub-tables of the seed's 附件3, read straight from the notice text."""
    text = SEED.read_text(encoding="utf-8")
    lines = [s.strip() for s in text[text.rindex("附件3"):].splitlines()]
    tables: list[dict[str, list[str]]] = []
    current: list[str] | None = None
    for s in lines:
        if s in _SEED_ROWS:
            if s == "全区合计":
                tables.append({})
            current = tables[-1].setdefault(s, [])
        elif current is not None and _SEED_VALUE.match(s):
            current.append(s)
        elif s:
            current = None
    return tables


# additive columns of the printed sub-tables (0-based): counts, not rates (增幅) or shares
_SEED_ADDITIVE = {1: {0, 2, 6, 7, 8, 9, 10, 12}, 2: {0, 2, 3, 4, 5, 6, 7},
                  3: {0, 2, 3, 4, 5, 6, 7, 8, 11},
                  4: {0, 1, 2, 3, 4, 5, 6}}


def printed_matrix(printed: list[dict[str, list[str]]]) -> TownMatrix:
    """The seed's printed values in a matrix with plain headers (指标1, 指标2 ...)."""
    cols, values = [], {}
    for t, table in enumerate(printed, start=1):
        for j in range(len(table["全区合计"])):
            key = f"t{t}c{j + 1}"
            cols.append(MatrixColumn(key, [f"表{t}", f"指标{j + 1}"], table=t,
                                     additive=j in _SEED_ADDITIVE[t]))
            values.update({(label, key): vs[j] for label, vs in table.items()})
    rows = [MatrixRow(r, "total" if r == "全区合计" else "other" if r == "区直及其他" else "town")
            for r in _SEED_ROWS]
    return TownMatrix("2019年各镇、街办经济社会发展目标", cols, rows, values)


def test_seed_printed_values_round_trip_through_annex3():
    """Every value printed in the seed's 附件3 comes back from the file looking the same."""
    printed = seed_annex3_printed()
    assert [len(t["全区合计"]) for t in printed] == [14, 8, 12, 7]
    plan = make_plan(matrix=printed_matrix(printed))
    plan.units += [Unit(r, kind="镇") for r in _SEED_ROWS[1:-1] if plan.unit(r) is None]
    layout, findings = annex3(plan)
    wb = reopen(layout)
    for ws, table in zip(wb.worksheets, printed):
        for r, (label, values) in enumerate(table.items(), start=6):
            assert ws.cell(r, 1).value == label
            assert [shown(ws.cell(r, c)) for c in range(2, ws.max_column + 1)] == values
    assert wb.worksheets[0]["B6"].value == 289500 and wb.worksheets[2]["B6"].value == 247779
    assert wb.worksheets[2]["I6"].value == "118户、345人"
    # as printed, every additive total adds up (新增参保 too: 700); two composite values
    # lack their 人 and are reported where they sit
    assert [(f.code, f.sheet, f.cell) for f in findings] == [
        ("matrix-value-missing-measure", wb.sheetnames[2], "I12"),  # 立新街办 1户、2
        ("matrix-value-missing-measure", wb.sheetnames[2], "I13")]  # 关沮镇 5户、12


def test_seed_annex3_every_value_and_findings_in_place():
    printed = seed_annex3_printed()
    assert len(printed) == 4 and all(list(t) == _SEED_ROWS for t in printed)
    plan = seed_plan()
    layout, findings = annex3(plan)
    wb = reopen(layout)
    assert len(wb.worksheets) == 4
    for ws, table in zip(wb.worksheets, printed):
        labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
        for label, values in table.items():
            r = labels[label]
            got = [shown(ws.cell(r, c)) for c in range(2, ws.max_column + 1)]
            assert got == values, (ws.title, label)
    for f in findings:  # each total mismatch sits on the total row, the total kept as printed
        if f.code == "matrix-total-mismatch":
            ws = wb[f.sheet]
            assert ws.cell(ws[f.cell].row, 1).value == "全区合计"
            assert shown(ws[f.cell]) == f.value
