"""plan.xlsx / YAML / JSON: loading then saving loses nothing; problems name sheet and cell."""
from __future__ import annotations

import openpyxl
import pytest

from xltools.model import WARNING, check_plan
from xltools.planfile import PlanFileError, load_plan, save_plan
from xltools.planfile.workbook import TASKS, UNITS, split


@pytest.mark.parametrize("ext", ["xlsx", "yaml", "json"])
def test_round_trip_loses_nothing(small_plan, tmp_path, ext):
    path = save_plan(small_plan, tmp_path / f"plan.{ext}")
    res = load_plan(path)
    assert res.value == small_plan
    again = save_plan(res.value, tmp_path / f"again.{ext}")
    assert load_plan(again).value == small_plan


@pytest.mark.parametrize("ext", ["xlsx", "yaml", "json"])
def test_printed_number_and_notes_survive_the_plan_file(small_plan, tmp_path, ext):
    task = small_plan.tasks[0]
    task.printed, task.notes = "(一)", "分别牵头"
    back = load_plan(save_plan(small_plan, tmp_path / f"plan.{ext}")).value.tasks[0]
    assert (back.number, back.printed_number, back.notes) == (task.number, "(一)", "分别牵头")


def test_plan_xlsx_without_the_printed_number_columns_still_loads(small_plan, tmp_path):
    path = save_plan(small_plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["任务"].delete_cols(len(TASKS.headers) - 1, 2)  # a plan.xlsx written before they existed
    wb.save(path)
    res = load_plan(path)
    assert res.value.tasks == small_plan.tasks
    assert not [f for f in res.findings if f.code == "bad-plan-header"]


def test_cross_format_round_trip(small_plan, tmp_path):
    y = save_plan(small_plan, tmp_path / "p.yaml")
    x = save_plan(load_plan(y).value, tmp_path / "p.xlsx")
    j = save_plan(load_plan(x).value, tmp_path / "p.json")
    assert load_plan(j).value == small_plan


def test_plan_workbook_has_chinese_sheets_headers_and_dropdowns(small_plan, tmp_path):
    wb = openpyxl.load_workbook(save_plan(small_plan, tmp_path / "plan.xlsx"))
    assert wb.sheetnames == ["说明", "基本信息", "任务", "量化指标", "单位", "单位分组",
                             "镇街指标列", "镇街目标", "报送周期"]
    ws = wb["任务"]
    assert [c.value for c in ws[2]] == list(TASKS.headers)
    assert ws["F5"].value == "区发改局、各镇、街道"  # a group name with 、 inside stays whole
    kinds = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert kinds and '"指标,任务,民生实事"' == kinds[0].formula1
    assert [c.value for c in wb["单位"][2]] == list(UNITS.headers)
    assert wb["镇街目标"]["D4"].value == "1,000"  # values exactly as printed, as text


def test_split_keeps_known_names_with_separator():
    assert split("区发改局、各镇、街道、区财政局", {"各镇、街道"}) == ["区发改局", "各镇、街道", "区财政局"]
    assert split("各镇、街道") == ["各镇", "街道"]
    # a long member list (a group of 1,000 units) looks only as far as the longest known name
    many = [f"第{i}局" for i in range(40)]
    got = split("、".join(many[:20] + ["各镇、街道、社区"] + many[20:]), {"各镇、街道、社区", "各镇、街道"})
    assert got == many[:20] + ["各镇、街道、社区"] + many[20:]


def test_edited_plan_reports_sheet_and_cell(small_plan, tmp_path):
    path = save_plan(small_plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["任务"]
    ws["F4"] = "区人社局、区外星局"  # unknown unit in task 2
    ws["A5"] = "2"  # duplicate number
    wb["单位分组"]["B3"] = None  # group without members
    wb["量化指标"]["C3"] = "八千"
    wb.save(path)
    res = load_plan(path)
    got = {(f.code, f.sheet, f.cell) for f in res.findings}
    assert ("unknown-unit", "任务", "F4") in got  # the 责任单位 cell that holds the name
    assert ("duplicate-task-number", "任务", "A5") in got
    assert ("empty-group", "单位分组", "A3") in got
    assert ("bad-target-value", "量化指标", "C3") in got
    msg = next(f.message for f in res.findings if f.code == "unknown-unit")
    assert "plan.xlsx" in msg and "区外星局" in msg


def test_a_year_or_sub_table_that_is_no_number_is_named_at_its_cell(small_plan, tmp_path):
    path = save_plan(small_plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["基本信息"]["B4"], wb["镇街指标列"]["B3"] = "二〇一九", "甲"
    wb.save(path)
    res = load_plan(path)
    got = {(f.sheet, f.cell, f.value) for f in res.findings if f.code == "bad-plan-value"}
    assert got == {("基本信息", "B4", "二〇一九"), ("镇街指标列", "B3", "甲")}
    assert (res.value.year, res.value.matrix.columns[0].table) == (0, 1)


def test_matrix_total_mismatch_is_reported_not_corrected(small_plan, tmp_path):
    res = load_plan(save_plan(small_plan, tmp_path / "plan.xlsx"))
    mism = [f for f in res.findings if f.code == "matrix-total-mismatch"]
    assert [(f.sheet, f.cell, f.value) for f in mism] == [("镇街目标", "G4", "500")]
    assert res.value.matrix.value("全区合计", "c04") == "500"


def test_check_plan_on_a_clean_plan_has_only_matrix_findings(small_plan):
    codes = {f.code for f in check_plan(small_plan)}
    assert codes == {"matrix-total-mismatch", "matrix-value-missing-measure"}


def test_unreadable_plan_files_raise_a_clear_error(tmp_path):
    with pytest.raises(PlanFileError, match="找不到"):
        load_plan(tmp_path / "nope.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(PlanFileError, match="bad.xlsx"):
        load_plan(bad)
    with pytest.raises(PlanFileError, match="格式"):
        load_plan(tmp_path / "plan.txt")


def test_periods_named_alike_are_a_warning(small_plan):
    """Forms, the 汇总表 and the year summary tell periods apart by name: two alike are
    flagged (the ids still differ, so nothing else breaks)."""
    small_plan.periods[1].name = small_plan.periods[0].name
    found = [f for f in check_plan(small_plan) if f.code == "duplicate-period-name"]
    assert [(f.severity, f.value) for f in found] == [(WARNING, small_plan.periods[0].name)]


def test_units_typed_with_commas_or_semicolons_are_split(small_plan, tmp_path):
    """A clerk editing 任务 types a comma (either width) or ";" between units instead of "、":
    the names are read one by one (before: one unknown unit, the task lost to both)."""
    path = save_plan(small_plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["任务"]
    ws["F3"] = "\u533a\u53d1\u6539\u5c40\uff0c\u533a\u8d22\u653f\u5c40;\u533a\u4eba\u793e\u5c40"  # 区发改局, 区财政局;区人社局
    wb.save(path)
    res = load_plan(path)
    task = res.value.task(str(ws["A3"].value))
    assert task.responsible_units == ["区发改局", "区财政局", "区人社局"]
    assert "unknown-unit" not in {f.code for f in res.findings}


def test_an_unknown_lead_unit_is_placed_at_its_own_cell(small_plan, tmp_path):
    path = save_plan(small_plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["任务"]["E3"] = "区外星局"
    wb.save(path)
    got = [(f.sheet, f.cell) for f in load_plan(path).findings if f.code == "unknown-unit"]
    assert got == [("任务", "E3")]
