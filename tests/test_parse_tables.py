"""Tables as tables: flattened text tables rebuilt from their header, .docx grids cell by
cell (merged and multi-line cells), kinds from a 分类 column or a table title.

Snippets are written with ASCII punctuation and run in both forms: as written, and with
( ) : ; , printed full width as official documents print them.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from xltools.parse import parse_notice_file, parse_notice_text
from xltools.parse.annex2 import grid_is_unit_table, unit_tasks_from_grid
from xltools.parse.annex3 import build_matrix_from_grids
from xltools.parse.clean import clean_lines
from xltools.parse.fold import fold

from marks import restore_marks
from xltools.parse.flat_table import join_wrapped, read_flat
from xltools.parse.table1 import Grid, GridCell, read_grid

TABLES = Path(__file__).resolve().parent / "data" / "tables"
FORMS = [pytest.param(lambda s: s, id="ascii"), pytest.param(restore_marks, id="full-width")]


def flat_table(text: str):
    lines, _ = clean_lines(text)
    return read_flat(lines, source="t.txt")


def row(table, number: str):
    return next(it for it in table.items if it.number == number)


def units(it) -> tuple[str, str, str]:
    """A row's 牵头单位, other units and deadline, as the table read them."""
    return it.resp.lead, it.resp.responsible, it.resp.deadline


HEAD = "序号\n事项\n牵头单位\n责任单位\n完成时限\n"


# -- multi-line cells --------------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
def test_unit_cell_over_three_lines_stays_one_cell(form):
    # the case: the rest of the cell used to land in the deadline
    t = flat_table(form(HEAD + "1\n实施城区排水防涝提升工程。\n县城管局\n县水务局、\n县住建局、\n"
                               "县护城河指挥部\n12月底前\n"))
    it = row(t, "1")
    assert it.resp.lead == "县城管局"
    assert it.resp.responsible == "县水务局、县住建局、县护城河指挥部"
    assert it.resp.deadline == "12月底前"
    assert t.findings == []


@pytest.mark.parametrize("form", FORMS)
def test_units_one_per_line_without_commas_join_the_last_unit_column(form):
    t = flat_table(form(HEAD + "1\n建成县城第二水厂。\n县城投公司\n县水务局\n县住建局\n11月底前\n"))
    it = row(t, "1")
    assert units(it) == ("县城投公司", "县水务局、县住建局", "11月底前")


@pytest.mark.parametrize("form", FORMS)
def test_task_broken_after_a_comma_is_one_cell(form):
    head = "分类\n" + HEAD
    t = flat_table(form(head + "重点任务\n1\n推进经济开发区扩区调区,\n新建标准化厂房20万平方米。\n"
                               "县经开区管委会\n县自然资源局\n10月底前\n"))
    it = row(t, "1")
    assert fold(it.text) == "推进经济开发区扩区调区,新建标准化厂房20万平方米。"
    assert it.section == ["重点任务"] and it.resp.deadline == "10月底前"


@pytest.mark.parametrize("form", FORMS)
def test_cells_as_blocks_keep_a_cell_of_several_lines_together(form):
    # every cell its own block (blank lines between), as some copies print a table
    head = "\n\n".join(HEAD.split()) + "\n\n"
    t = flat_table(form(head + "1\n\n实施排水防涝工程,\n完成雨污分流改造。\n\n县水务局\n县住建局\n\n"
                               "县城管局\n\n12月底前\n\n2\n\n新建停车位。\n\n县住建局\n\n县公安局\n\n"
                               "10月底前\n\n附件2\n"))
    it = row(t, "1")
    assert fold(it.text) == "实施排水防涝工程,完成雨污分流改造。"
    assert units(it) == ("县水务局\u3001县住建局", "县城管局", "12月底前")
    assert row(t, "2").resp.responsible == "县公安局" and t.findings == []
    assert t.end == 32  # the table stops at 附件2 (index of its line)


def test_join_wrapped_lines():
    cells = [("县水务局\u3001", 3), ("县住建局\u3001", 4), ("县护城河指挥部", 5), ("12月底前", 6)]
    assert join_wrapped(cells) == [("县水务局\u3001县住建局\u3001县护城河指挥部", 3), ("12月底前", 6)]
    assert join_wrapped([("推进,", 1), ("建设。", 2)]) == [("推进,建设。", 1)]


# -- a line that cannot be placed ----------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
def test_a_line_that_fits_no_column_is_a_finding_not_a_deadline(form):
    t = flat_table(form(HEAD + "1\n新建停车位800个。\n县住建局\n县公安局\n10月底前\n11月底前\n"))
    it = row(t, "1")
    assert units(it) == ("县住建局", "县公安局", "10月底前")
    assert [(f.code, f.task, f.value) for f in t.findings] == [("table-cell-unplaced", "1", "11月底前")]
    assert "第11行" in t.findings[0].message


# -- rows printed over two lines -----------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
def test_tab_row_printed_over_two_lines_goes_on_cell_by_cell(form):
    text = ("序号\t民生实事\t牵头单位\t责任单位\t完成时限\n"
            "1\t新增公办幼儿园学位600个,改造薄弱学校\t县教育局\t县住建局\n"
            "\t校舍3所。\t\t县自然资源局\t8月底前\n"
            "2\t新建城区公共停车位800个。\t县住建局\t县城管局\t10月底前\n")
    t = flat_table(form(text))
    it = row(t, "1")
    assert fold(it.text) == "新增公办幼儿园学位600个,改造薄弱学校校舍3所。"
    assert units(it) == ("县教育局", "县住建局\u3001县自然资源局", "8月底前")
    assert [x.number for x in t.items] == ["1", "2"] and t.findings == []


# -- kinds from tables ---------------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
def test_category_column_gives_the_kind(form):
    text = ("附件1\n\n分类\n" + HEAD + "发展目标\n1\n地区生产总值增长7%左右。\n县发改局\n县统计局\n12月底前\n"
            "2\n一般公共预算收入增长6%。\n县财政局\n县税务局\n12月底前\n"
            "民生实事\n3\n新改建农村公路50公里。\n县交通运输局\n县财政局\n11月底前\n"
            "重点任务\n4\n深化营商环境改革。\n县政务服务中心\n县市场监管局\n6月底前\n")
    plan = parse_notice_text(form(text), source="t.txt").plan
    assert [(t.number, t.kind) for t in plan.tasks] == [
        ("1", "indicator"), ("2", "indicator"), ("3", "practical_matter"), ("4", "task")]
    assert plan.task("2").section == ["发展目标"]


@pytest.mark.parametrize("form", FORMS)
def test_table_title_gives_the_kind(form):
    text = ("附件2\n\n2022年县政府十件民生实事项目表\n\n序号\t项目内容\t牵头单位\t完成时限\n"
            "1\t新建城区公共停车位800个。\t县住建局\t10月底前\n"
            "2\t为65岁以上老年人免费体检。\t县卫生健康局\t12月底前\n")
    plan = parse_notice_text(form(text), source="t.txt").plan
    assert [t.kind for t in plan.tasks] == ["practical_matter"] * 2
    assert plan.task("1").lead_units == ["县住建局"]


# -- the fixture: a county notice with two flattened tables --------------------------------
@pytest.mark.parametrize("form", [pytest.param(lambda s: s, id="as-printed"),
                                  pytest.param(fold, id="folded")])
def test_fixture_flat_tables(tmp_path, form):
    p = tmp_path / "notice.txt"
    p.write_text(form((TABLES / "table_01_hexi_flat.txt").read_text(encoding="utf-8")),
                 encoding="utf-8")
    r = parse_notice_file(p)
    tasks = r.plan.tasks
    assert [t.kind for t in tasks] == ["indicator"] * 3 + ["task"] * 4 + ["practical_matter"] * 4
    t3, t4 = r.plan.task("3"), r.plan.task("4")
    assert t3.responsible_units == ["县人社局", "县农业农村局", "各乡镇人民政府"]
    assert t3.deadline == "12月底前"
    assert (t4.lead_units, t4.responsible_units, t4.deadline) == (
        ["县城管局"], ["县水务局", "县住建局", "县护城河指挥部"], "12月底前")
    t5, t7 = r.plan.task("5"), r.plan.task("7")
    assert fold(t5.text) == "推进河西经济开发区扩区调区,新建标准化厂房20万平方米。"
    assert t5.section == ["重点任务"]
    assert t7.responsible_units == ["县水务局", "县住建局"] and t7.text == "建成县城第二水厂及配套管网。"
    practical = [t for t in tasks if t.kind == "practical_matter"]
    assert fold(practical[1].text) == "新增城区公办幼儿园学位600个,改造薄弱学校校舍3所。"
    assert practical[1].responsible_units == ["县住建局", "县自然资源局"]
    assert practical[1].deadline == "8月底前"
    assert practical[0].section == ["2022年县政府十件民生实事项目表"]
    assert not [f for f in r.findings if f.code.startswith("table-")]
    assert all(not t.deadline or t.deadline.endswith("底前") for t in tasks)
    # the 民生实事 table numbers from 1 again: its own keys, the printed numbers kept, no "重号"
    assert [(t.number, t.printed_number) for t in practical] == [
        (f"实事{k}", str(k)) for k in range(1, 5)]
    assert "item-number-duplicate" not in {f.code for f in r.findings}


# -- .docx grids, built by hand --------------------------------------------------------------
def grid(rows: list[list[str]]) -> Grid:
    """A grid from rows of texts: "^" is the cell above merged down, "<" the cell to the left
    merged across (both print the merged cell's text)."""
    out: list[list[GridCell]] = []
    for r, texts in enumerate(rows):
        cells: list[GridCell] = []
        for c, t in enumerate(texts):
            if t == "^":
                cells.append(GridCell(out[r - 1][c].text, out[r - 1][c].line, up=True))
            elif t == "<":
                cells.append(GridCell(cells[c - 1].text, cells[c - 1].line, left=True))
            else:
                cells.append(GridCell(t, 100 + r))
        out.append(cells)
    return Grid(out)


@pytest.mark.parametrize("form", FORMS)
def test_grid_multi_line_unit_cell_and_section_row(form):
    g = grid([[form(x) for x in r] for r in [
        ["序号", "重点任务", "牵头单位", "责任单位", "完成时限"],
        ["(一)聚焦民生改善", "<", "<", "<", "<"],
        ["1", "实施排水防涝工程,\n完成雨污分流改造。", "县城管局", "县水务局\n县住建局、\n县护城河指挥部", "12月底前"],
    ]])
    g = Grid([[GridCell(fold(c.text), c.line, c.up, c.left) for c in r] for r in g.rows])
    t = read_grid(g, [], "t.docx")
    it = t.items[0]
    assert it.section == ["(一)聚焦民生改善"]
    assert it.text == "实施排水防涝工程,完成雨污分流改造。"
    assert it.resp.responsible == "县水务局\u3001县住建局\u3001县护城河指挥部" and it.resp.deadline == "12月底前"


def test_grid_annex2_merged_units_and_leaders():
    g = grid([["责任单位", "序号", "全年目标任务", "责任领导"],
              ["区发改局", "1", "地区生产总值增长8.5%。", "李先刚"],
              ["^", "3", "固定资产投资增长12%。", "^"],
              ["区财政局", "2", "财政总收入增长8.5%。", "^"],
              ["区教育局", "54", "新建学校2所。", "王  飞"]])
    assert grid_is_unit_table(g)
    got = [(e.unit, e.leader, e.inherited, [n for n, _, _ in e.tasks]) for e in unit_tasks_from_grid(g)]
    assert got == [("区发改局", "李先刚", False, ["1", "3"]), ("区财政局", "李先刚", True, ["2"]),
                   ("区教育局", "王飞", False, ["54"])]


def test_grid_matrix_header_from_merged_cells_and_an_empty_cell():
    g = grid([["目标任务\n责任单位", "商务经济", "<", "<", "招商引资"],
              ["^", "社会消费品零售总额", "<", "限上法人企业数", "项目数(个)"],
              ["^", "责任目标(万元)", "增幅(%)", "责任目标(家)", "^"],
              ["全区合计", "1,000", "12%", "60", "5"],
              ["解放街办", "600", "", "40", "3"],
              ["锣场镇", "400", "11%", "20", "2"]])
    m, findings = build_matrix_from_grids([g], "2019年各镇、街办经济社会发展目标", "t.docx")
    assert [(c.path, c.measure) for c in m.columns] == [
        (["商务经济", "社会消费品零售总额", "责任目标"], "万元"),
        (["商务经济", "社会消费品零售总额", "增幅"], "%"),
        (["商务经济", "限上法人企业数", "责任目标"], "家"),
        (["招商引资", "项目数"], "个")]
    assert [m.value("解放街办", c.key) for c in m.columns] == ["600", "", "40", "3"]
    assert [f.code for f in findings] == ["matrix-value-empty"]
    assert "第104行" in findings[0].message and "解放街办" in findings[0].message
