"""The year at a glance (issue 7): xltools year from a ledger holding two quarters, and the
quarter summary's change since the previous quarter (汇总表 › 按任务汇总 › 较上期变化).

make_small_plan(): 区发改局 leads task 1 (growth target 8.5%, E11) and reports task 3;
区人社局 task 2 (新增城镇就业 8000 人, E10). Q1 is due 2019-04-10, Q2 2019-07-10; "today"
is 2019-07-20, so Q3 and Q4 are not due yet.
"""
from __future__ import annotations

import random
from datetime import date

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import make_small_plan
from xltools import api
from xltools.cli import app
from xltools.forms.identity import embed_identity
from xltools.forms.registry import TOWN_V1
from xltools.model.table import Table
from xltools.generate.town_form import town_form
from xltools.planfile import save_plan
from xltools.simulate import fill_report, write_received
from xltools.xlsx.writer import workbook_bytes

TODAY = date(2019, 7, 20)


def row(table: Table, **eq) -> dict:
    """The record of the one row of `table` whose columns hold these values."""
    sel = table.where(lambda r: all(r[k] == v for k, v in eq.items())).records()
    assert len(sel) == 1, (eq, sel)
    return sel[0]


def _report(plan, unit: str, pid: str, rows: dict[int, tuple[float, str]], target: float) -> bytes:
    """A report form: {0-based row: (完成进度, 状态)}, the first target's 累计完成."""
    wb = fill_report(plan, unit, plan.period(pid), random.Random(1))
    sh = wb.sheets[0]
    for r, (progress, status) in rows.items():
        sh.cells[(r, 4)].value, sh.cells[(r, 5)].value = progress, status
    ts = wb.sheets[1]  # 量化指标: the targets' own sheet
    target_row = max(r for (r, c), cell in ts.cells.items() if c == 4 and cell.style == "input_number")
    ts.cells[(target_row, 4)].value = target
    return workbook_bytes(wb)


def _town(plan, name: str, pid: str, actuals: dict[tuple[str, str], float]) -> bytes:
    row = next(r for r in plan.town_rows() if (r.unit or r.label) == name)
    wb, lines = town_form(plan, row, plan.period(pid))
    embed_identity(wb, plan.plan_id, "town", name, pid)
    sh = wb.sheets[0]
    sh.cells[(2, 4)].value, sh.cells[(2, 7)].value, sh.cells[(3, 4)].value = "王明", "13871601234", "2019-04-08"
    for line in lines:
        value = actuals.get((line.column, line.part))
        sh.cells[(line.row, TOWN_V1.col("累计完成"))].value = value if value is not None else 0
    return workbook_bytes(wb)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("year")
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp / "plan.xlsx")
    db = tmp / "台账.sqlite"
    q1, q2 = tmp / "q1", tmp / "q2"
    write_received(q1 / "发改局.xlsx", _report(plan, "区发改局", "2019Q1", {5: (20, "序时推进"), 6: (10, "滞后")}, 2.0),
        "2019-04-05T09:00:00")
    write_received(q1 / "人社局.xlsx", _report(plan, "区人社局", "2019Q1", {5: (25, "序时推进")}, 2000),
        "2019-04-08T09:00:00")
    write_received(q1 / "锣场镇.xlsx", _town(plan, "锣场镇", "2019Q1", {("c01", ""): 300, ("c03", "户"): 1,
                                                          ("c03", "人"): 5, ("c04", ""): 100}),
        "2019-04-09T09:00:00")
    write_received(q1 / "解放街办.xlsx", _town(plan, "解放街办", "2019Q1", {("c03", "户"): 1, ("c03", "人"): 2,
                                                            ("c04", ""): 200}),
        "2019-04-09T09:00:00")
    write_received(q2 / "发改局.xlsx", _report(plan, "区发改局", "2019Q2", {5: (60, "序时推进"), 6: (40, "序时推进")}, 4.25),
        "2019-07-15T09:00:00")  # late
    write_received(q2 / "锣场镇.xlsx", _town(plan, "锣场镇", "2019Q2", {("c01", ""): 480, ("c03", "户"): 2,
                                                          ("c03", "人"): 5, ("c04", ""): 160}),
        "2019-07-09T09:00:00")
    r1 = api.collect([q1], plan_path, "2019Q1", tmp / "out1", db, workers=1)
    r2 = api.collect([q2], plan_path, "2019Q2", tmp / "out2", db, workers=1)
    return {"tmp": tmp, "plan": plan, "plan_path": plan_path, "db": db, "r1": r1, "r2": r2}


def test_quarter_summary_shows_change_since_previous_quarter(ledger):
    wb = openpyxl.load_workbook(ledger["r2"].summary_book)
    ws = wb["按任务汇总"]
    head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "序号")
    assert head[6] == "较上期\n变化" and head[5] == "总体\n进度\uff08%\uff09"
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] in (1, "1"))
    assert row[4] == "序时推进" and row[5] == 60 and row[6] == 40  # 20 -> 60
    # Q1 has no earlier quarter: no change column
    ws1 = openpyxl.load_workbook(ledger["r1"].summary_book)["按任务汇总"]
    head1 = next(r for r in ws1.iter_rows(values_only=True) if r[0] == "序号")
    assert "较上期\n变化" not in head1


def test_year_summary_tables(ledger):
    rep = api.year(ledger["plan_path"], ledger["db"], ledger["tmp"] / "year", today=TODAY)
    ys = rep.summary
    assert ys.labels == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert ys.reported_periods == ["2019Q1", "2019Q2"]
    t1 = row(ys.tasks, 序号="1")
    assert (t1["第一季度状态"], t1["第一季度进度"], t1["第二季度状态"], t1["第二季度进度"]) == \
        ("序时推进", 20, "序时推进", 60)
    assert t1["第三季度状态"] == "" and (t1["最新状态"], t1["最新进度"]) == ("序时推进", 60)
    t2 = row(ys.tasks, 序号="2")
    assert t2["第二季度状态"] == "未报送" and t2["最新状态"] == "未报送"

    def tl(unit: str, form: str) -> dict:
        return row(ys.timeliness, 单位=unit, 表单=form)
    assert [tl("区发改局", "季度报表")[k] for k in ys.labels] == ["按时", "逾期", "未到期", "未到期"]
    assert [tl("区人社局", "季度报表")[k] for k in ys.labels] == ["按时", "未报", "未到期", "未到期"]
    assert tuple(tl("区人社局", "季度报表")[k] for k in ("按时次数", "逾期次数", "未报次数")) == (1, 0, 1)
    assert tl("解放街办", "镇街指标表")["第二季度"] == "未报"
    jobs, gdp = row(ys.indicators, 量化指标="新增城镇就业"), row(ys.indicators, 量化指标="地区生产总值增长")
    assert jobs["最新累计"] == 2000 and jobs["完成率"] == 0.25
    assert gdp["第二季度"] == 4.25 and gdp["完成率"] is None
    assert gdp["达标"] == "未达标" and jobs["达标"] == ""
    # 解放街办: 1/1, 2/2, 200/200 -> 1.0 ; 锣场镇 latest (Q2): 480/600, 2/2, 5/5, 160/200 -> 0.9
    assert row(ys.towns, 镇街="解放街办")["平均完成率"] == pytest.approx(1.0)
    assert row(ys.towns, 镇街="锣场镇")["平均完成率"] == pytest.approx((0.8 + 1 + 1 + 0.8) / 4)
    assert ys.towns["镇街"] == ["解放街办", "锣场镇"] and ys.towns["名次"] == [1, 2]
    assert row(ys.towns, 镇街="锣场镇")["数据截至"] == "2019年第二季度"


def test_year_workbook_reopened(ledger):
    rep = api.year(ledger["plan_path"], ledger["db"], ledger["tmp"] / "year2", today=TODAY)
    assert rep.path.name == "年度汇总_2019年.xlsx"
    wb = openpyxl.load_workbook(rep.path)
    assert wb.sheetnames == ["任务进展", "报送及时性", "量化指标", "镇街排名"]
    rows = {r[0]: r for r in wb["任务进展"].iter_rows(values_only=True) if r[0] in (1, 2, 3)}
    assert rows[1][3:7] == ("序时推进", 20, "序时推进", 60)
    assert rows[3][3:7] == ("未报送", None, "未报送", None)  # its lead, 区财政局, never reported
    units = {(r[1], r[3]): r for r in wb["报送及时性"].iter_rows(values_only=True) if r[0] and isinstance(r[0], int)}
    assert units[("区人社局", "季度报表")][4:8] == ("按时", "未报", "未到期", "未到期")
    assert units[("区人社局", "季度报表")][8:11] == (1, 0, 1)
    ws = wb["量化指标"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[1] == "新增城镇就业")
    assert row[4] == 8000 and row[5] == 2000 and row[9] == 2000 and row[10] == 0.25 and row[11] == "区人社局"
    ranking = [r for r in wb["镇街排名"].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[0], r[1]) for r in ranking] == [(1, "解放街办"), (2, "锣场镇")]
    assert ranking[0][4] == pytest.approx(1.0)
    assert wb["任务进展"]["A1"].value.endswith("全年推进情况")


def test_year_cli(ledger):
    runner = CliRunner()
    out = ledger["tmp"] / "year_cli"
    res = runner.invoke(app, ["year", "--plan", str(ledger["plan_path"]), "--db", str(ledger["db"]),
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "年度汇总" in res.output and (out / "年度汇总_2019年.xlsx").is_file()
    # five units, two of them towns that owe two forms each: five, not seven
    assert "报送单位 5 个" in res.output, res.output
    res = runner.invoke(app, ["year", "--plan", str(ledger["plan_path"]), "--db",
                              str(ledger["tmp"] / "nope.sqlite")])
    assert res.exit_code == 2 and "找不到台账" in res.output


def test_earlier_periods_load_without_texts_and_give_the_same_figures(ledger):
    """Last period's returns (进度变化) and the year's are loaded without the units' words
    (most of a return's memory): the figures merged from them are those of the whole returns."""
    from xltools.collect.ledger import Ledger
    from xltools.merge import summarize
    from xltools.merge.year import year_summary

    plan = ledger["plan"]
    with Ledger(ledger["db"]) as db:
        whole = {p.id: db.current(plan.plan_id, p.id) for p in plan.periods}
        slim = {p.id: db.current(plan.plan_id, p.id, texts=False) for p in plan.periods}
    q1w, q1s = whole["2019Q1"], slim["2019Q1"]
    assert [r.unit for r in q1s] == [r.unit for r in q1w]
    assert any(t.completion for r in q1w for t in r.tasks) and any(r.header for r in q1w)
    assert not any(t.completion or t.problems or t.next_steps for r in q1s for t in r.tasks)
    assert [[(t.task, t.status, t.progress) for t in r.tasks] for r in q1s] == \
        [[(t.task, t.status, t.progress) for t in r.tasks] for r in q1w]
    assert [[(g.task, g.actual) for g in r.targets] for r in q1s] == \
        [[(g.task, g.actual) for g in r.targets] for r in q1w]
    q2 = plan.period("2019Q2")
    a = summarize(plan, q2, whole["2019Q2"], previous=q1w)
    b = summarize(plan, q2, whole["2019Q2"], previous=q1s)
    assert _same(a.tasks, b.tasks) and "进度变化" in b.tasks.columns
    ya, yb = year_summary(plan, whole, TODAY), year_summary(plan, slim, TODAY)
    for table in ("tasks", "timeliness", "indicators", "towns"):
        assert _same(getattr(ya, table), getattr(yb, table)), table


def _same(a: Table, b: Table) -> bool:
    """The same columns and rows, each value of the same type (26 and 26.0 differ)."""
    def typed(t: Table) -> tuple[list, list]:
        return t.columns, [[(type(v), v) for v in r] for r in t.rows]
    return typed(a) == typed(b)


def test_a_task_number_given_twice_and_periods_named_alike(ledger):
    """Each task keeps its own figures though another has its number (they are matched by
    their place in the plan), and two periods named alike get a column each, told apart by
    the period's id (the year summary failed on both before)."""
    from xltools.collect.ledger import Ledger
    from xltools.merge.year import year_summary
    plan = make_small_plan()
    plan.tasks[1].number = plan.tasks[0].number  # task 2 (区人社局) now numbered 1 as well
    plan.periods[1].name = plan.periods[0].name
    with Ledger(ledger["db"]) as db:
        returns = {p.id: db.current(plan.plan_id, p.id, texts=False) for p in plan.periods}
    ys = year_summary(plan, returns, TODAY)
    q1, q2 = "第一季度\uff082019Q1\uff09", "第一季度\uff082019Q2\uff09"
    assert ys.labels[:2] == [q1, q2] and len(set(ys.labels)) == 4
    first, second = ys.tasks.records()[:2]
    assert (first["任务内容"], first[f"{q2}进度"]) == (plan.tasks[0].text, 60)
    assert (second["任务内容"], second[f"{q2}状态"]) == (plan.tasks[1].text, "未报送")
