"""summarize(): accepted returns → tables; blocked values out; missing, late, town sums."""
from __future__ import annotations

import weakref
from copy import deepcopy

import pytest

from conftest import make_small_plan
from xltools.model.glossary import a1
from xltools.forms.registry import REPORT_V1, TOWN_V1
from xltools.generate.report_form import report_form
from xltools.generate.town_form import town_form
from xltools.merge import ReceiptRow, summarize
from xltools.merge.common import BLOCKED, NOT_REPORTED, UNCLEAR
from xltools.model import (ERROR, WARNING, Finding, Group, Plan, Target, Task, Unit,
                           finding, make_period, quarterly)
from xltools.model.returns import (ACCEPTED, DUPLICATE, IGNORED, REJECTED, SUPERSEDED, FormReturn,
                                   Received, TargetReport, TaskReport, TownReport)
from xltools.model.table import Table

INJECTION = ["=1+1", "+86 138 7160 0001", "-无", "@abc"]


def bad(code: str, sheet: str, cell: str, unit: str, value: str = "", severity: str | None = None,
        file: str = "", **params: str) -> Finding:
    return finding(code, file=file, sheet=sheet, cell=cell, unit=unit, value=value,
                   severity=severity, **params)


def received(name: str, when: str, n: int = 0) -> Received:
    return Received(path=f"/inbox/{name}", display=f"收件箱/{name}", name=name,
                    sha256=f"{abs(hash((name, when, n))):064x}"[:64], size=1000,
                    received_at=when, file_type="xlsx")


def report(plan: Plan, unit: str, when: str, answers: dict[str, tuple], period="2019Q1",
           targets: dict[tuple[str, int], float] | None = None, findings=(), name: str = ""
           ) -> FormReturn:
    """A report form return; answers: task -> (status, progress, completion, problems, next)."""
    u = plan.unit(unit)
    p = plan.period(period) or make_period(period)
    _, fmap = report_form(plan, u, p)
    tasks = []
    for i, (task, role) in enumerate(plan.unit_tasks(u)):
        st, prog, comp, prob, nxt = answers.get(task.number, ("", None, "", "", ""))
        tasks.append(TaskReport(task.number, role, comp, prog, prog, st, prob, nxt,
                                row=fmap.first_task_row + i))
    tgs = []
    for number, idx, row in fmap.target_rows:
        tg = plan.task(number).targets[idx]
        tgs.append(TargetReport(number, idx, tg.label, tg.value, tg.measure,
                                actual=(targets or {}).get((number, idx)), row=row))
    fr = FormReturn(received(name or f"季度报表_{unit}.xlsx", when), status=ACCEPTED,
                    plan_id=plan.plan_id, kind="report", unit=unit, period=period,
                    identified_by="sheet", sheet=REPORT_V1.sheet,
                    header={"填报人": "王明", "联系电话": "13871600001"}, tasks=tasks,
                    targets=tgs, findings=list(findings))
    return fr


def town(plan: Plan, unit: str, when: str, actuals: dict[tuple[str, str], float],
         findings=(), period="2019Q1") -> FormReturn:
    row = next(r for r in plan.town_rows() if r.unit == unit)
    _, lines = town_form(plan, row, plan.period(period))
    town_lines = [TownReport(ln.column, ln.part, ln.target, ln.measure,
                             actual=actuals.get((ln.column, ln.part)), row=ln.row) for ln in lines]
    return FormReturn(received(f"镇街指标_{unit}.xlsx", when), status=ACCEPTED,
                      plan_id=plan.plan_id, kind="town", unit=unit, period=period,
                      identified_by="sheet", sheet=TOWN_V1.sheet, town=town_lines,
                      findings=list(findings))


def task_cell(plan: Plan, unit: str, task: str, field: str, period="2019Q1") -> str:
    u = plan.unit(unit)
    _, fmap = report_form(plan, u, plan.period(period))
    i = [t.number for t, _ in plan.unit_tasks(u)].index(task)
    return a1(fmap.first_task_row + i, REPORT_V1.fill_in()[field])


def town_cell(plan: Plan, unit: str, column: str, part: str = "") -> str:
    row = next(r for r in plan.town_rows() if r.unit == unit)
    _, lines = town_form(plan, row, plan.period("2019Q1"))
    ln = next(x for x in lines if x.column == column and x.part == part)
    return a1(ln.row, TOWN_V1.col("累计完成"))


def scenario(plan: Plan | None = None):
    """区人社局 missing; 锣场镇 late; 区财政局's progress and 解放街办's 新增参保 blocked."""
    plan = plan or make_small_plan()
    fin_bad = bad("progress-not-number", REPORT_V1.sheet, task_cell(plan, "区财政局", "3", "完成进度"),
                  "区财政局", "基本完成", task="3")
    jf_bad = bad("town-value-not-number", TOWN_V1.sheet, town_cell(plan, "解放街办", "c04"), "解放街办",
                 "八十", label="新增参保", measure="人")
    warn = bad("header-missing", REPORT_V1.sheet, "E3", "区发改局", severity=WARNING, field="填报人")
    current = [
        report(plan, "区发改局", "2019-04-08T09:30:00",
               {"1": ("序时推进", 30.0, "已召开专题会议部署。", "无", "加快推进"),
                "3": ("滞后", 20.0, "债务摸底进行中", INJECTION[0], "下月完成摸底")},
               targets={("1", 0): 7.9}, findings=[warn]),
        report(plan, "区财政局", "2019-04-10T23:59:00",
               {"3": ("序时推进", None, "完成债务清理方案", "资金到位较慢", "继续推进")},
               findings=[fin_bad]),
        report(plan, "锣场镇", "2019-04-12T10:00:00",
               {"1": ("已完成", 100.0, INJECTION[1], INJECTION[2], INJECTION[3]),
                "3": ("序时推进", 25.0, "化解存量债务", "无", "按序时推进")}),
        report(plan, "解放街办", "2019-04-09T16:00:00",
               {"1": ("序时推进", 40.0, "推进项目建设", "用地指标紧张", "协调用地"),
                "3": ("未启动", 0.0, "尚未启动", "人员不足", "下季度启动")}),
        town(plan, "锣场镇", "2019-04-09T08:00:00",
             {("c01", ""): 150.0, ("c02", ""): 2.9, ("c03", "户"): 1.0, ("c03", "人"): 3.0,
              ("c04", ""): 120.0}),
        town(plan, "解放街办", "2019-04-09T08:30:00",
             {("c03", "户"): 1.0, ("c03", "人"): 2.0, ("c04", ""): 80.0}, findings=[jf_bad]),
    ]
    # a rejected file (another period) is not merged even when its status slipped through
    stray = report(plan, "区人社局", "2019-04-09T10:00:00", {"2": ("已完成", 100.0, "", "", "")},
                   period="2019Q2")
    return plan, current, stray


def receipts_for(plan: Plan, current: list[FormReturn]) -> list[ReceiptRow]:
    rows = [ReceiptRow(fr.received.display, fr.received.name, fr.received.sha256, ACCEPTED,
                       fr.unit, fr.kind, fr.received.received_at,
                       fr.received.received_at > "2019-04-11", fr.findings,
                       f"../archive/{fr.received.sha256[:2]}/{fr.received.sha256}.xlsx", "2019Q1")
            for fr in current]
    rows += [
        ReceiptRow("收件箱/人社局二季度.xlsx", "人社局二季度.xlsx", "e" * 64, REJECTED, "区人社局",
                   "report", "2019-04-09T10:00:00", False,
                   [bad("other-period", "", "", "区人社局", "2019Q2", value_name="2019年第二季度",
                        expected="2019Q1", expected_name="2019年第一季度")],
                   "../archive/ee/" + "e" * 64 + ".xlsx", "2019Q2", "报表属于 2019年第二季度"),
        ReceiptRow("收件箱/发改局(旧).xlsx", "发改局(旧).xlsx", "f" * 64, SUPERSEDED, "区发改局",
                   "report", "2019-04-07T09:00:00", False,
                   [bad("status-invalid", REPORT_V1.sheet, "F7", "区发改局", "推进中", choices="序时推进/滞后")],
                   "../archive/ff/" + "f" * 64 + ".xlsx", "2019Q1", "已被新文件替代"),
        ReceiptRow("收件箱/发改局 - 副本.xlsx", "发改局 - 副本.xlsx", current[0].received.sha256,
                   DUPLICATE, "区发改局", "report", "2019-04-08T09:31:00", False, [], "", "2019Q1",
                   "与“季度报表_区发改局.xlsx”相同"),
        ReceiptRow("收件箱/Thumbs.db", "Thumbs.db", "0" * 64, IGNORED, note="系统文件,已跳过"),
    ]
    return rows


@pytest.fixture
def merged():
    plan, current, stray = scenario()
    s = summarize(plan, plan.period("2019Q1"), current + [stray], receipts_for(plan, current))
    return plan, current, s


def where(table: Table, **eq) -> Table:
    """The rows of `table` whose columns hold these values."""
    return table.where(lambda r: all(r[k] == v for k, v in eq.items()))


def row(table: Table, **eq) -> dict:
    """The record of the one row of `table` whose columns hold these values."""
    sel = where(table, **eq).records()
    assert len(sel) == 1, (eq, sel)
    return sel[0]


def test_by_task_has_every_unit_report(merged):
    plan, _, s = merged
    bt = s.by_task
    assert len(bt) == sum(len(plan.task_units(t)) for t in plan.tasks)
    r = row(bt, 序号="1", 单位="锣场镇")
    assert (r["状态"], r["完成进度"], r["牵头/配合"]) == ("已完成", 100.0, "配合")
    assert r["本季度完成情况"] == INJECTION[1] and r["下一步推进计划"] == INJECTION[3]
    assert row(bt, 序号="1", 单位="区发改局")["牵头/配合"] == "牵头"
    assert row(bt, 序号="2", 单位="区人社局")["状态"] == NOT_REPORTED


def test_overall_status_rule(merged):
    _, _, s = merged
    def t(number: str) -> dict:
        return row(s.tasks, 序号=number)
    # 1: lead 序时推进, a 配合 unit's 已完成 does not complete it
    assert t("1")["总体状态"] == "序时推进" and t("1")["总体进度"] == 30
    assert t("2")["总体状态"] == NOT_REPORTED  # lead 区人社局 did not report
    assert t("2")["总体进度"] is None
    assert t("3")["总体状态"] == "滞后"  # 区发改局 (配合) says 滞后
    assert t("3")["进度来源"] == "区财政局"


@pytest.mark.parametrize("lead, others, expected", [
    ("已完成", ["序时推进"], "已完成"),
    ("已完成", ["滞后"], "滞后"),
    ("未启动", ["已完成"], "未启动"),
    ("", ["已完成"], UNCLEAR),
    ("序时推进", ["已完成"], "序时推进"),
])
def test_overall_status_table(lead, others, expected):
    plan = make_small_plan()  # task 3: lead 区财政局, 配合 区发改局 锣场镇 解放街办
    cur = [report(plan, "区财政局", "2019-04-01T00:00:00", {"3": (lead, 50.0, "", "", "")})]
    for unit, st in zip(["区发改局"], others):
        cur.append(report(plan, unit, "2019-04-01T00:00:00", {"3": (st, 50.0, "", "", "")}))
    s = summarize(plan, plan.period("2019Q1"), cur, [])
    assert row(s.tasks, 序号="3")["总体状态"] == expected


def test_blocked_values_are_not_merged(merged):
    plan, _, s = merged
    r = row(s.by_task, 序号="3", 单位="区财政局")
    assert r["完成进度"] is None and r["未采用"] == "完成进度"
    assert r["状态"] == "序时推进"  # the other cells of the row still count
    assert row(s.tasks, 序号="3")["总体进度"] is None
    jf = where(s.town, 行="解放街办", 列="c04").records()[0]
    assert jf["完成"] is None and jf["说明"] == BLOCKED
    assert s.counts["blocked"] == 2  # 区财政局's progress, 解放街办's figure


def test_missing_and_late_units(merged):
    _, _, s = merged
    m = s.missing
    assert where(m, 未报表单="季度报表")["单位"] == ["区人社局"]
    assert "退回" in row(m, 单位="区人社局")["说明"]
    assert where(m, 未报表单="镇街指标表")["单位"] == []
    assert s.late.select("单位", "表单", "逾期天数") == [("锣场镇", "季度报表", 2)]

    def u(unit: str) -> dict:
        return row(s.by_unit, 单位=unit)
    assert u("区财政局")["季度报表"] == "按时"  # 23:59 on the deadline day is on time
    assert u("锣场镇")["季度报表"] == "逾期" and u("区人社局")["季度报表"] == NOT_REPORTED
    assert u("区人社局")["未报送"] == 1 and u("区发改局")["滞后"] == 1
    assert (u("区发改局")["错误数"], u("区发改局")["警告数"]) == (0, 1)
    assert u("区财政局")["错误数"] == 1
    assert u("区发改局")["镇街指标表"] == "—" and u("锣场镇")["镇街指标表"] == "按时"


def test_missing_town_form():
    plan, current, _ = scenario()
    current = [fr for fr in current if not (fr.kind == "town" and fr.unit == "锣场镇")]
    s = summarize(plan, plan.period("2019Q1"), current, [])
    assert where(s.missing, 未报表单="镇街指标表")["单位"] == ["锣场镇"]


def test_lagging_and_targets(merged):
    _, _, s = merged
    lag = s.lagging
    assert sorted(zip(lag["序号"], lag["单位"], lag["状态"])) == [
        ("3", "区发改局", "滞后"), ("3", "解放街办", "未启动")]
    assert row(lag, 单位="区发改局")["存在问题"] == INJECTION[0]
    tg1, tg2 = row(s.targets, 序号="1"), row(s.targets, 序号="2")
    assert tg1["累计完成"] == 7.9 and tg1["报送单位"] == "区发改局"
    # 增长 8.5% with 7.9 reported: judged by the target, never 7.9 / 8.5
    assert tg1["完成率"] is None and tg1["达标"] == "未达标"
    assert tg2["累计完成"] is None and tg2["说明"] == "牵头单位未报送"


def test_town_matrix_sums_and_plan_mismatch(merged):
    _, _, s = merged
    def t(label: str, column: str, part: str = "") -> dict:
        return row(s.town, 行=label, 列=column, 部分=part)
    assert t("全区合计", "c01")["完成"] == 150  # 解放街办 has no c01
    assert t("全区合计", "c01")["目标"] == 1000  # as printed, never corrected
    assert t("全区合计", "c03", "户")["完成"] == 2
    assert t("全区合计", "c03", "人")["完成"] == 5
    assert t("全区合计", "c04")["完成"] == 120  # 解放街办's blocked 80 left out
    assert t("全区合计", "c02")["完成"] is None  # 增幅 does not add up
    assert t("锣场镇", "c01")["完成率"] == pytest.approx(0.25)
    # 增幅 3.2% with 2.9 reported: 未达标 beside the target, no ratio of two percentages
    assert t("锣场镇", "c02")["完成率"] is None
    assert t("锣场镇", "c02")["达标"] == "未达标"
    assert t("区直及其他", "c01")["完成"] is None
    mm = s.town_mismatches
    assert mm.select("列", "合计(计划所印)", "各行之和", "相差") == [
        ("c04", "500", "400", "100")]


def test_changes_since_previous_period():
    plan, current, _ = scenario()
    prev = [report(plan, "区发改局", "2019-01-05T00:00:00",
                   {"1": ("序时推进", 10.0, "", "", "")}, period="2018Q4")]
    s = summarize(plan, plan.period("2019Q1"), current, [], previous=prev)
    c1, c2 = row(s.tasks, 序号="1"), row(s.tasks, 序号="2")
    assert c1["上期进度"] == 10 and c1["进度变化"] == 20
    assert c2["进度变化"] is None


def test_returns_are_merged_as_they_stream_past():
    """summarize reads its returns once, one at a time (Ledger.returns gives a period's so,
    from the ledger): none is kept once its part is taken, and the tables are those of the
    same returns given as a list; the previous period's returns likewise."""
    plan, current, stray = scenario()
    receipts = receipts_for(plan, current)
    prev = [report(plan, "区发改局", "2019-01-05T00:00:00",
                   {"1": ("序时推进", 10.0, "", "", "")}, period="2018Q4")]
    whole = summarize(plan, plan.period("2019Q1"), current + [stray], receipts, previous=prev)
    alive: list[weakref.ref] = []

    def stream(returns):
        for fr in returns:
            # (the consumer's loop still holds the one before while it asks for the next)
            assert [ref for ref in alive[:-1] if ref() is not None] == [], "a return was kept"
            copy = deepcopy(fr)
            alive.append(weakref.ref(copy))
            yield copy
            del copy
    streamed = summarize(plan, plan.period("2019Q1"), stream(current + [stray]), receipts,
                         previous=stream(prev))
    assert len(alive) == len(current) + 2 and all(ref() is None for ref in alive)
    for name in ("tasks", "by_task", "by_unit", "lagging", "missing", "late", "targets", "town",
                 "town_mismatches"):
        a, b = getattr(whole, name), getattr(streamed, name)
        assert (a.columns, a.rows) == (b.columns, b.rows), name
    assert whole.counts["blocked"] and "进度变化" in whole.tasks.columns
    assert whole.counts == streamed.counts


def test_resubmission_latest_accepted_wins():
    plan, current, _ = scenario()
    newer = report(plan, "区发改局", "2019-04-09T09:00:00", {"1": ("已完成", 100.0, "", "", "")},
                   name="新.xlsx")
    s = summarize(plan, plan.period("2019Q1"), current + [newer], [])
    assert row(s.tasks, 序号="1")["总体状态"] == "已完成"
    assert row(s.by_unit, 单位="区发改局")["文件名"] == "新.xlsx"


def big_plan(n_units: int = 3000, n_tasks: int = 300, per_task: int = 100) -> Plan:
    """3,000 units, 300 tasks, each task given to a lead and a group of `per_task` units."""
    units = [Unit(f"单位{i:04d}") for i in range(n_units)]
    groups = [Group(f"第{g}组", [units[(g * per_task + k) % n_units].name for k in range(per_task)])
              for g in range(30)]
    tasks = [Task(str(t + 1), f"任务{t + 1}的内容。", [], "task", [units[t * 7 % n_units].name],
                  [f"第{t % 30}组"], [Target("指标", 100.0, "个")] if t % 5 == 0 else [])
             for t in range(n_tasks)]
    return Plan("大计划", 2019, units=units, groups=groups, tasks=tasks, periods=quarterly(2019))


def test_lookups_follow_the_plan_rules():
    for plan in (make_small_plan(), big_plan(300, 30, 20)):
        look = plan.lookups()
        for t in plan.tasks:
            assert [(u.name, r) for u, r in look.task_units(t)] == \
                [(u.name, r) for u, r in plan.task_units(t)]


def big_summary_input(plan: Plan | None = None) -> tuple:
    """(plan, period, returns): big_plan()'s Q1 with every unit's report accepted, one in a
    hundred blocked; also the workload of bench/budgets.py's summary budget."""
    plan = plan or big_plan()
    look = plan.lookups()
    per_unit: dict[str, list] = {}
    for t in plan.tasks:
        for u, role in look.task_units(t):
            per_unit.setdefault(u.name, []).append((t, role))
    current = []
    for k, (unit, tasks) in enumerate(per_unit.items()):
        reports = [TaskReport(t.number, role, "完成情况", 50.0, 50, ["序时推进", "滞后"][k % 2],
                              "无", "继续", row=6 + i) for i, (t, role) in enumerate(tasks)]
        findings = [bad("progress-not-number", REPORT_V1.sheet, "E7", unit)] if k % 100 == 0 else []
        current.append(FormReturn(received(unit, "2019-04-01T00:00:00"), status=ACCEPTED,
                                  plan_id=plan.plan_id, kind="report", unit=unit,
                                  period="2019Q1", sheet=REPORT_V1.sheet, tasks=reports,
                                  findings=findings))
    return plan, plan.period("2019Q1"), current


def test_summary_of_3000_units_300_tasks():
    plan, period, current = big_summary_input()
    s = summarize(plan, period, current, [])
    assert len(s.by_task) == sum(len(r.tasks) for r in current) > 30000
    assert len(s.by_unit) == len(current) and s.counts["blocked"] == len(current[::100])


def test_receipt_row_from_ledger_record(tmp_path):
    from xltools.collect.records import Receipt
    d = Receipt(path="/in/a.xlsx", display="收件箱/a.xlsx", name="a.xlsx", sha256="ab" * 32,
                status=SUPERSEDED, size=10, file_type="xlsx", plan_id="p", form="report",
                unit="区发改局", period="2019Q1", received_at="2019-04-08T09:30:00",
                superseded_by="收件箱/b.xlsx",
                archived=str(tmp_path / "archive" / "ab" / "abab.xlsx"), run_id=1,
                findings=(finding("progress-not-number", file="a", sheet="S", cell="E7",
                                  unit="区发改局", task="1", value="v"),))
    r = ReceiptRow.from_ledger(d, tmp_path / "workbooks" / "2019Q1")
    assert r.archived == "../../archive/ab/abab.xlsx" and r.kind == "report"
    assert r.findings[0].cell == "E7" and r.errors == 1 and "b.xlsx" in r.note


def test_blocked_target_on_its_own_sheet_is_not_merged():
    """Layout v2: a target kept out by a finding on the 量化指标 sheet, named by sheet and cell;
    the same A1 on the tasks' sheet blocks nothing there."""
    plan = make_small_plan()
    sheet = "量化指标"
    fr = report(plan, "区发改局", "2019-04-08T09:30:00",
                {"1": ("序时推进", 30.0, "推进中", "无", "继续")}, targets={("1", 0): 7.9},
                findings=[bad("target-not-number", sheet, "E5", "区发改局", "约八", task="1",
                              label="地区生产总值增长", measure="%")])
    fr.targets[0].cells = {"actual": f"{sheet}!E5"}
    fr.tasks[0].cells = {"完成进度": "E5"}  # not blocked: another sheet's E5
    s = summarize(plan, plan.period("2019Q1"), [fr])
    t = row(s.targets, 序号="1")
    assert t["累计完成"] is None and t["说明"] == BLOCKED
    assert s.counts["blocked"] == 1
    assert row(s.by_task, 序号="1", 单位="区发改局")["完成进度"] == 30.0


def test_a_target_comes_from_its_own_tasks_lead_though_another_task_has_its_number():
    """Targets take the lead of their own task, found by its place in the plan: task 1's
    figure was credited to the lead of a later task numbered 1 too (one that did not report)."""
    plan = make_small_plan()
    plan.tasks.append(Task("1", "另一项编号为1的任务。", ["二、主要工作任务"], "task",
                           lead_units=["区人社局"]))
    _, current, _ = scenario(plan)
    s = summarize(plan, plan.period("2019Q1"), current, [])
    gdp = row(s.targets, 量化指标="地区生产总值增长")
    assert (gdp["累计完成"], gdp["报送单位"], gdp["说明"]) == (7.9, "区发改局", "")
    assert s.tasks["任务内容"] == [t.text for t in plan.tasks]


def test_a_table_is_not_iterable():
    """A Table is not a sequence of anything: t["列"] is a column, t.records() the rows (a
    loop or `in` over it would otherwise look a column up by 0)."""
    t = Table(["a", "b"], [(1, 2)])
    with pytest.raises(TypeError):
        list(t)
    with pytest.raises(TypeError):
        "a" in t  # noqa: B015
    with pytest.raises(ValueError):
        Table(["a", "a"])
    with pytest.raises(ValueError):
        Table(["a", "b"], [(1,)])
