"""A target's cumulative figure is its lead's to report (report v4 on, as the 汇总表 takes
it): a 配合 unit's form asks for no target (without a 量化指标 sheet when it leads no task
with targets), each lead and co-lead keeps its rows; a task no unit leads asks each of its
units. Forms sent under v1-v3 with 配合 target rows still collect, and the figures they carry
are named in the 汇总表's 说明, never dropped without a word."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from conftest import DATA, fill_batch, make_small_plan, needs_office
from test_form_versions import sent_version
from xltools.collect.examine import examine
from xltools.forms import registry
from xltools.forms.registry import REPORT_V3, REPORT_V4
from xltools.generate import FormJob, build_form
from xltools.generate.report_form import report_form
from xltools.merge.summary import summarize
from xltools.model import Target
from xltools.model.glossary import FW_COLON, FW_SEMICOLON, a1
from xltools.model.returns import ACCEPTED, REJECTED, Received
from xltools.planfile import load_plan
from xltools.report.summary_book import write_summary
from xltools.xlsx.writer import write_workbook

Q1 = "2019Q1"
SUPPORT_NOTE = "配合任务的量化指标由牵头单位填报"
OTHERS = f"未计入的其他单位填报数{FW_COLON}"


def _received(path: Path) -> Received:
    return Received(path=str(path), display=path.name, name=path.name, sha256="0" * 64,
                    size=path.stat().st_size, received_at="2019-04-08T10:00:00")


def _write(plan, unit: str, spec, folder: Path, period: str = Q1) -> Path:
    """`unit`'s report form as the generator writes it while `spec` is current."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(registry.CURRENT, "report", spec)
        wb = build_form(plan, FormJob("report", unit, period))
    assert sent_version(wb) == spec.version
    return write_workbook(wb, folder / f"v{spec.version}_{unit}")


def _target_rows(path: Path) -> list[str] | None:
    """The task numbers of the 量化指标 sheet's rows, None when the form has no such sheet."""
    wb = openpyxl.load_workbook(path)
    if "量化指标" not in wb.sheetnames:
        return None
    rows = list(wb["量化指标"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "任务\n序号")
    return [r[0] for r in rows[head + 1:] if r[3] is not None]  # (全年目标: notes have none)


def _notes(path: Path) -> str:
    return "\n".join(str(v) for r in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)
                     for v in r if isinstance(v, str) and v[:2] in {f"{i}." for i in range(1, 9)})


def _co_led_plan():
    """The small plan with task 3 led by 区财政局 and 区人社局 (区发改局 and the towns 配合)
    and given a target."""
    plan = make_small_plan()
    plan.tasks[2].lead_units = ["区财政局", "区人社局"]
    plan.tasks[2].targets = [Target("化解存量债务", 2, "亿元", text="化解存量债务2亿元")]
    return plan


def test_a_supporting_unit_is_asked_for_no_target(tmp_path):
    """v4: the rows a form offers are its unit's led tasks' targets (co-leads each keep
    theirs); a unit leading none has no 量化指标 sheet and a note saying why. v3 asked every
    unit of a task. Each blank v4 form collects as the form sent (only form-not-filled)."""
    plan = _co_led_plan()
    want = {"区发改局": (["1"], ["1", "3"]), "区财政局": (["3"], ["3"]),
            "区人社局": (["2", "3"], ["2", "3"]), "锣场镇": (None, ["1", "3"]),
            "解放街办": (None, ["1", "3"])}
    for unit, (v4, v3) in want.items():
        path = _write(plan, unit, REPORT_V4, tmp_path)
        assert (_target_rows(path), _target_rows(_write(plan, unit, REPORT_V3, tmp_path))) == (v4, v3), unit
        notes = _notes(path)
        assert ("“量化指标”填写年初至本期末的累计数" in notes) == (v4 is not None), unit
        assert (SUPPORT_NOTE in notes) == (unit in ("区发改局", "锣场镇", "解放街办")), unit
        fr = examine(_received(path), plan, Q1)
        assert (fr.status, [f.code for f in fr.findings]) == (REJECTED, ["form-not-filled"]), unit
        assert sorted({t.task for t in fr.targets}) == sorted(set(v4 or [])), unit


def test_a_task_no_unit_leads_asks_each_of_its_units(tmp_path):
    """A plan whose first 责任单位 does not lead: task 1 has no lead, and the 汇总表 takes the
    first of its units that reported, so each is asked (the towns as 区发改局)."""
    plan = make_small_plan()
    plan.first_responsible_leads = False
    assert all(role == "配合" for _, role in plan.task_units(plan.tasks[0]))
    for unit in ("区发改局", "锣场镇"):
        assert _target_rows(_write(plan, unit, REPORT_V4, tmp_path)) == ["1"], unit


def test_old_forms_with_supporting_figures_collect_and_are_named(tmp_path):
    """区财政局's forms sent under v2 and v3 (tests/data/forms_v2) carry a figure for task 27,
    which it supports (区科技局 leads): still read, and named in the 汇总表's 说明; a v4 form
    of the same unit asks only for the targets of task 2, which it leads."""
    plan = load_plan(DATA / "forms_v2" / "plan.xlsx").value
    period = plan.period("2019H1")
    assert [t.number for t, role in plan.unit_tasks(plan.unit("区财政局")) if t.targets and role == "配合"] == ["27"]
    for name in ("report_h1_区财政局.xlsx", "report_h1_v3_区财政局.xlsx"):
        fr = examine(_received(DATA / "forms_v2" / name), plan, period.id)
        assert fr.status == ACCEPTED and not fr.findings, [f.message for f in fr.findings]
        (figure,) = [t.actual for t in fr.targets if t.task == "27"]
        assert figure is not None
        book = openpyxl.load_workbook(write_summary(plan, period, summarize(plan, period, [fr]), tmp_path / name))
        rows = [r for r in book["量化指标"].iter_rows(values_only=True) if r[0] == "27"]
        assert [(r[6], r[8], r[9]) for r in rows] == \
            [(None, "区科技局", f"牵头单位未报送{FW_SEMICOLON}{OTHERS}区财政局 {figure:g}")]
    assert _target_rows(_write(plan, "区财政局", REPORT_V4, tmp_path, period.id)) == ["2"] * 3


# --- filled in LibreOffice -------------------------------------------------------------------

HEADER = {"填报人": "张三", "联系电话": "13900000000", "填报日期": "2019-04-08"}
TYPED = {"完成情况": "按计划推进。", "完成进度": 30, "状态": "序时推进", "存在问题": "无",
         "下一步计划": "继续推进"}
FIGURES = {"区发改局": 7.9, "锣场镇": 9.1}  # what each types for task 1's target, where asked


def _edits(plan, unit: str, spec) -> list[dict]:
    _, fmap = report_form(plan, plan.unit(unit), plan.period(Q1), fit=False, spec=spec)
    sheet, fields = spec.for_period(Q1).sheet, spec.fill_in()
    out = [{"sheet": sheet, "cell": a1(r, c), "value": HEADER[k]} for k, (r, c) in zip(HEADER, fmap.fill_in)]
    out += [{"sheet": sheet, "cell": a1(row, fields[k]), "value": v}
            for row in range(fmap.first_task_row, fmap.last_task_row + 1) for k, v in TYPED.items()]
    return out + [{"sheet": fmap.target_sheet, "cell": a1(r, spec.target_col("累计完成")), "value": FIGURES[unit]}
                  for _, _, r in fmap.target_rows]


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """区发改局 (leads task 1) and 锣场镇 (supports it) on v4, 锣场镇 also on v3, filled in one
    LibreOffice batch: {(unit, version): path}."""
    base = tmp_path_factory.mktemp("leadtargets")
    plan, jobs, paths = make_small_plan(), [], {}
    for unit, spec in (("区发改局", REPORT_V4), ("锣场镇", REPORT_V4), ("锣场镇", REPORT_V3)):
        paths[unit, spec.version] = out = base / "out" / f"v{spec.version}_{unit}.xlsx"
        jobs.append({"input": str(_write(plan, unit, spec, base)), "edits": _edits(plan, unit, spec),
                     "output": [str(out)]})
    (base / "out").mkdir()
    fill_batch(jobs, base)
    return plan, paths


@needs_office
def test_the_leads_figure_is_the_summarys(filled, tmp_path):
    """Collected and merged: task 1's 累计完成 in the 汇总表 is 区发改局's; 锣场镇's v4 form
    had none to give, its v3 form's figure is named in the 说明 beside the lead's."""
    plan, paths = filled
    period = plan.period(Q1)
    returns = {key: examine(_received(p), plan, Q1) for key, p in paths.items()}
    for key, fr in returns.items():
        assert fr.status == ACCEPTED and not fr.findings, (key, [f.message for f in fr.findings])
    assert [(t.task, t.actual) for t in returns["区发改局", 4].targets] == [("1", 7.9)]
    assert returns["锣场镇", 4].targets == [] and returns["锣场镇", 4].tasks
    assert [(t.task, t.actual) for t in returns["锣场镇", 3].targets] == [("1", 9.1)]
    for town, note in ((4, None), (3, f"{OTHERS}锣场镇 9.1")):
        summary = summarize(plan, period, [returns["区发改局", 4], returns["锣场镇", town]])
        book = openpyxl.load_workbook(write_summary(plan, period, summary, tmp_path / str(town)))
        rows = [r for r in book["量化指标"].iter_rows(values_only=True) if r[0] == "1"]
        assert [(r[6], r[8], r[9]) for r in rows] == [(7.9, "区发改局", note)], town
