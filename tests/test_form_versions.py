"""Form specs are versioned: forms sent out under one layout still collect after it changes.

(a) Forms written before form specifications existed (tests/data/forms_v1, targets below the
tasks) collect with today's code, and also while a newer layout is; so do forms of report v2
and town v1 (tests/data/forms_v2, a half-year form and a matrix titled "…任务表"), written
before report v3 named the period and town v2 stopped doubling 表. (b) v1 to v4 and a
report spec with reordered and widened columns (registered in the registry only): generate,
fill in LibreOffice, collect and merge give the same summary values.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest

from conftest import DATA, fill_batch, make_small_plan, needs_office
from xltools.collect.examine import examine
from xltools.collect.limits import DEFAULT_LIMITS
from xltools.forms import registry
from xltools.forms.registry import REPORT_V1, REPORT_V2, REPORT_V3, REPORT_V4
from xltools.generate import FormJob, build_form
from xltools.generate.report_form import report_form
from xltools.merge.summary import summarize
from xltools.report.html import render_html
from xltools.report.remind import remind_entries
from xltools.report.summary_book import write_summary
from xltools.model.glossary import a1
from xltools.model.identity import IDENTITY_PROPERTY, FormIdentity
from xltools.model.returns import ACCEPTED, REJECTED, Received
from xltools.model.table import Table
from xltools.planfile import load_plan
from xltools.xlsx.cells import read_identity
from xltools.xlsx.writer import write_workbook

V1_DIR = DATA / "forms_v1"
Q1 = "2019Q1"
# what says a form is not the one sent: none may appear on an untouched v1 form
IDENTITY_CODES = {"fingerprint-mismatch", "guarded-cell-changed", "identity-conflict",
                  "not-identified", "unknown-form-kind", "form-not-in-plan", "sheet-missing",
                  "columns-changed", "column-missing", "row-deleted", "row-inserted",
                  "layout-shifted", "task-renumbered", "other-plan", "other-period"}


def sent_version(wb) -> int:
    """The form spec version a generated layout's embedded identity names."""
    return FormIdentity.decode(wb.custom_properties[IDENTITY_PROPERTY]).version


def _move(columns: tuple, key: str, before: str) -> tuple:
    """The columns with `key` taken out and put back just before `before`."""
    moved = next(c for c in columns if c.key == key)
    rest = [c for c in columns if c is not moved]
    i = next(i for i, c in enumerate(rest) if c.key == before)
    return tuple(rest[:i] + [moved] + rest[i:])


def _reordered():
    """On v3: 存在问题 before 完成情况, 任务内容 wider; in the targets 累计完成 before 全年目标."""
    cols = tuple(dataclasses.replace(c, width=60) if c.key == "任务内容" else c
                 for c in _move(REPORT_V3.columns, "存在问题", "完成情况"))
    return dataclasses.replace(REPORT_V3, version=9, columns=cols,
                               targets=_move(REPORT_V3.targets, "累计完成", "全年目标"))


REORDERED = _reordered()


@pytest.fixture
def reordered_current(monkeypatch):
    """REORDERED registered and current, as a release with a new layout would have it."""
    monkeypatch.setitem(registry.SPECS, ("report", REORDERED.version), REORDERED)
    monkeypatch.setitem(registry.CURRENT, "report", REORDERED)
    return REORDERED


def _received(path: Path) -> Received:
    return Received(path=str(path), display=path.name, name=path.name, sha256="0" * 64,
                    size=path.stat().st_size, received_at="2019-04-08T10:00:00")


# --- (a) forms of version 1 -------------------------------------------------------------------

V1_FORMS = {  # file -> (kind, unit, rows of tasks, targets, town lines, filled in)
    "report_q1_区财政局.xlsx": ("report", "区财政局", 7, 4, 0, True),
    "report_q1_区财政局_blank.xlsx": ("report", "区财政局", 7, 4, 0, False),
    "town_q1_岑河镇.xlsx": ("report", "岑河镇", 9, 11, 0, True),  # 岑河镇's report, as filled
    "town_q1_岑河镇_blank.xlsx": ("town", "岑河镇", 0, 0, 38, False),
    "workplan_区交通运输局.xlsx": ("workplan", "区交通运输局", 3, 0, 0, False),
}


@pytest.fixture(scope="module")
def v1_plan():
    return load_plan(V1_DIR / "plan.xlsx").value


@pytest.mark.parametrize("layout", ["today's", "reordered current"])
@pytest.mark.parametrize("name", sorted(V1_FORMS))
def test_v1_forms_collect(name, layout, v1_plan, request):
    if layout == "reordered current":
        request.getfixturevalue("reordered_current")
    kind, unit, tasks, targets, lines, filled = V1_FORMS[name]
    path = V1_DIR / name
    assert read_identity(path, DEFAULT_LIMITS).identity.version == 1
    fr = examine(_received(path), v1_plan, Q1)
    # (one left as issued is read and identified, and is no report: form-not-filled)
    assert (fr.status, fr.kind, fr.unit, fr.identified_by) == \
        (ACCEPTED if filled else REJECTED, kind, unit, "sheet")
    assert filled or [f.code for f in fr.findings] == ["form-not-filled"]
    assert not {f.code for f in fr.findings} & IDENTITY_CODES, [f.message for f in fr.findings]
    assert (len(fr.tasks), len(fr.targets), len(fr.town)) == (tasks, targets, lines)
    if filled:
        assert fr.header["填报人"] and fr.header["联系电话"]
        assert all(t.status for t in fr.tasks) and all(t.completion for t in fr.tasks)
        assert all(t.actual is not None for t in fr.targets)
    else:
        assert fr.header.get("填报人") is None and not any(t.status for t in fr.tasks)


V2_DIR = DATA / "forms_v2"
H1 = "2019H1"
V2_FORMS = {  # file -> (kind, spec version it was sent under, filled in)
    "report_h1_区财政局.xlsx": ("report", 2, True),
    "report_h1_区财政局_blank.xlsx": ("report", 2, False),
    "report_h1_v3_区财政局.xlsx": ("report", 3, True),
    "report_h1_v3_区财政局_blank.xlsx": ("report", 3, False),
    "town_h1_岑河镇.xlsx": ("town", 1, True),
    "town_h1_岑河镇_blank.xlsx": ("town", 1, False),
}


@pytest.fixture(scope="module")
def v2_plan():
    return load_plan(V2_DIR / "plan.xlsx").value


def _copied_into_new_workbook(path: Path, dst: Path) -> Path:
    """The form's first sheet pasted as values into a new workbook: no identity carrier left."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    new = openpyxl.Workbook()
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                new.active.cell(row=c.row, column=c.column, value=c.value)
    new.save(dst)
    assert read_identity(dst, DEFAULT_LIMITS).identity is None
    return dst


@pytest.mark.parametrize("name", sorted(V2_FORMS))
def test_forms_sent_before_the_period_words_collect(name, v2_plan, tmp_path):
    """A half-year form headed 本季度完成情况 (report v2), one whose sheet is named 季度报表
    (report v3) and a town form titled "…任务表完成情况表" (town v1), as sent before: read by
    their own spec, with no word of a changed header, sheet name or title; a filled one also
    after it lost its identity (its title and header read by content)."""
    kind, version, filled = V2_FORMS[name]
    path = V2_DIR / name
    assert read_identity(path, DEFAULT_LIMITS).identity.version == version
    fr = examine(_received(path), v2_plan, H1)
    codes = [f.code for f in fr.findings]
    assert (fr.status, fr.kind, fr.identified_by) == (ACCEPTED if filled else REJECTED, kind, "sheet")
    assert fr.sheet == openpyxl.load_workbook(path).sheetnames[0]
    assert codes == ([] if filled else ["form-not-filled"]), [f.message for f in fr.findings]
    if kind == "report" and filled:
        assert fr.tasks and all(t.completion == f"上半年任务{t.task}推进顺利。" for t in fr.tasks)
    if filled:
        copy = examine(_received(_copied_into_new_workbook(path, tmp_path / "copy.xlsx")), v2_plan, H1)
        assert (copy.status, copy.kind, copy.identified_by) == (ACCEPTED, kind, "content"), \
            [f.message for f in copy.findings]


def test_a_form_names_its_own_period(v2_plan, tmp_path):
    """Report v3: a half-year form's column, its check and the next step's prompt name the
    half year; a quarter's form reads as v2's did. Town v2: "…任务完成情况表", 表 once."""
    got = {}
    for job in (FormJob("report", "区财政局", H1), FormJob("report", "区财政局", "2019Q2"),
                FormJob("town", "岑河镇", H1)):
        wb = build_form(v2_plan, job)
        assert sent_version(wb) == registry.current(job.kind).version
        ws = openpyxl.load_workbook(write_workbook(wb, tmp_path / job.period)).worksheets[0]
        head = next(r for r in ws.iter_rows(min_row=1, max_row=12) if r[0].value == "序号")
        prompts = {dv.promptTitle: dv.prompt for dv in ws.data_validations.dataValidation}
        got[job.kind, job.period] = ws["A1"].value, [c.value for c in head], prompts
    title, header, prompts = got["report", H1]
    assert header[3] == "上半年完成情况" and "上半年工作推进" in prompts["上半年完成情况"]
    assert prompts["下一步推进计划"] == "填写下半年的推进措施和时间安排。"
    assert got["report", "2019Q2"][1] == [h for h in REPORT_V2.headers]
    assert "本季度工作推进" in got["report", "2019Q2"][2]["本季度完成情况"]
    assert got["town", H1][0] == "2019年各镇、街办经济社会发展目标任务完成情况表"


def test_a_half_year_form_is_named_for_its_period(v2_plan, tmp_path):
    """Report v4: a half-year form is a 半年报表 in its file name, sheet, findings, the
    missing list and the reminders; a quarter's stays a 季度报表."""
    for period, name in ((H1, "半年报表"), ("2019Q2", "季度报表")):
        wb = build_form(v2_plan, FormJob("report", "区财政局", period))
        path = write_workbook(wb, tmp_path / period)
        assert sent_version(wb) == 4 and path.name.startswith(f"{name}_")
        assert openpyxl.load_workbook(path).sheetnames[:2] == [name, "量化指标"]
        fr = examine(_received(path), v2_plan, period)
        assert (fr.identified_by, fr.sheet) == ("sheet", name)
        assert [f.code for f in fr.findings] == ["form-not-filled"] and name in fr.findings[0].message
        summary = summarize(v2_plan, v2_plan.period(period), [])
        owed = [r["未报表单"] for r in summary.missing.records() if r["应报内容"].startswith("任务")]
        reminded = {e.form for e in remind_entries(v2_plan, v2_plan.period(period), []) if e.kind == "report"}
        assert set(owed) == reminded == {name} and summary.counts["missing_reports"] == len(owed)
        book = openpyxl.load_workbook(write_summary(v2_plan, v2_plan.period(period), summary, tmp_path / period))
        head = next(r for r in book["按单位汇总"].iter_rows(max_row=6, values_only=True) if r[0] == "序号")
        assert name in head and {"季度报表", "半年报表"} - {name} & set(head) == set()
        page = render_html(v2_plan, v2_plan.period(period), summary, [])
        assert f"应报{name}的单位" in page and f'<th colspan="2">{name}</th>' in page


# --- (b) a reordered, widened layout through LibreOffice ---------------------------------------

UNITS = ("区发改局", "区人社局")
HEADER = {"填报人": "张三", "联系电话": "13900000000", "填报日期": "2019-04-08"}
TASKS = {  # task number -> typed values by field
    "1": {"完成情况": "完成一季度调度,地区生产总值增长7.9%。", "完成进度": 30, "状态": "序时推进",
          "存在问题": "外部需求偏弱", "下一步计划": "抓项目投资"},
    "2": {"完成情况": "新增城镇就业2100人。", "完成进度": 26, "状态": "滞后",
          "存在问题": "招聘会延期", "下一步计划": "二季度补开招聘会"},
    "3": {"完成情况": "化债方案已报批。", "完成进度": 100, "状态": "已完成",
          "存在问题": "无", "下一步计划": "跟踪落实"},
}
ACTUALS = {"1": 7.9, "2": 2100}


def _edits(plan, unit: str, spec) -> list[dict]:
    """The same typing on any layout: every cell found through the spec."""
    _, fmap = report_form(plan, plan.unit(unit), plan.period(Q1), fit=False, spec=spec)
    sheet = spec.for_period(Q1).sheet
    out = [{"sheet": sheet, "cell": a1(r, c), "value": HEADER[key]}
           for key, (r, c) in zip(HEADER, fmap.fill_in)]
    fields = spec.fill_in()
    for i, (task, _) in enumerate(plan.unit_tasks(plan.unit(unit))):
        row = fmap.first_task_row + i
        out += [{"sheet": sheet, "cell": a1(row, fields[k]), "value": v}
                for k, v in TASKS[task.number].items()]
    col = spec.target_col("累计完成")
    out += [{"sheet": fmap.target_sheet, "cell": a1(r, col), "value": ACTUALS[number]}
            for number, _, r in fmap.target_rows]
    return out


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """Each layout generated by the generator as it runs (the spec current at the time),
    filled alike in one LibreOffice batch: {layout: {unit: path}}."""
    base = tmp_path_factory.mktemp("versions")
    plan = make_small_plan()
    jobs, paths = [], {}
    with pytest.MonkeyPatch.context() as mp:
        for layout, spec in (("v1", REPORT_V1), ("v2", REPORT_V2), ("v3", REPORT_V3),
                             ("v4", REPORT_V4), ("reordered", REORDERED)):
            mp.setitem(registry.SPECS, ("report", spec.version), spec)
            mp.setitem(registry.CURRENT, "report", spec)
            for unit in UNITS:
                wb = build_form(plan, FormJob("report", unit, Q1))
                assert sent_version(wb) == spec.version
                wb.filename = f"{layout}_{unit}.xlsx"
                src = write_workbook(wb, base / "gen")
                out = base / "out" / wb.filename
                paths.setdefault(layout, {})[unit] = out
                jobs.append({"input": str(src), "edits": _edits(plan, unit, spec),
                             "output": [str(out)]})
    (base / "out").mkdir()
    fill_batch(jobs, base)
    return plan, paths


@needs_office
def test_reordered_form_is_laid_out_by_its_spec(filled):
    _, paths = filled
    ws = openpyxl.load_workbook(paths["reordered"]["区发改局"])[REORDERED.sheet]
    head = next(r for r in ws.iter_rows(min_row=1, max_row=12) if r[0].value == "序号")
    assert [c.value for c in head[:5]] == ["序号", "任务内容", "责任\n类型", "存在问题", "本季度完成情况"]
    old = openpyxl.load_workbook(paths["v2"]["区发改局"])[REPORT_V2.sheet]
    # LibreOffice rescales widths to its font; the ratio stays
    assert ws.column_dimensions["B"].width / old.column_dimensions["B"].width == \
        pytest.approx(60 / 44, rel=0.05)
    row = head[0].row + 1  # task 1, as typed by the unit
    assert (ws.cell(row, 4).value, ws.cell(row, 5).value) == ("外部需求偏弱", TASKS["1"]["完成情况"])
    assert read_identity(paths["reordered"]["区发改局"], DEFAULT_LIMITS).identity.version == 9


@needs_office
def test_v2_targets_are_read_from_their_own_sheet(filled):
    """v2 as LibreOffice saved it: the figures typed on 量化指标 are read from there, and the
    cells recorded name that sheet; the v1 form's come from below its tasks."""
    plan, paths = filled
    wb = openpyxl.load_workbook(paths["v2"]["区发改局"])
    assert wb.sheetnames[:2] == [REPORT_V2.sheet, REPORT_V2.target_sheet]
    fr = examine(_received(paths["v2"]["区发改局"]), plan, Q1)
    assert fr.status == ACCEPTED and fr.sheet == REPORT_V2.sheet, [f.message for f in fr.findings]
    assert [(t.task, t.actual) for t in fr.targets] == [("1", ACTUALS["1"])]
    (cell,) = {t.cells["actual"] for t in fr.targets}
    sheet, ref = fr.sheet_cell(cell)
    assert sheet == REPORT_V2.target_sheet and wb[sheet][ref].value == ACTUALS["1"]
    old = examine(_received(paths["v1"]["区发改局"]), plan, Q1)
    assert [(t.task, t.actual) for t in old.targets] == [("1", ACTUALS["1"])]
    assert "!" not in old.targets[0].cells["actual"]


@needs_office
def test_every_layout_merges_to_the_same_summary(filled, reordered_current):
    """Collected while REORDERED is current: every form by the spec it was sent under."""
    plan, paths = filled
    summaries = {}
    for layout, files in paths.items():
        returns = [examine(_received(p), plan, Q1) for p in files.values()]
        for fr in returns:
            assert fr.status == ACCEPTED and fr.identified_by == "sheet"
            assert not {f.code for f in fr.findings} & IDENTITY_CODES, [f.message for f in fr.findings]
            assert fr.header["填报人"] == "张三"
        summaries[layout] = summarize(plan, plan.period(Q1), returns)
    cols = ["序号", "单位", "状态", "完成进度", "本季度完成情况", "存在问题", "下一步推进计划", "总体状态"]
    tcols = ["序号", "量化指标", "全年目标", "累计完成", "完成率", "达标", "报送单位"]
    v1 = summaries["v1"].by_task.only(*cols)
    t1 = summaries["v1"].targets.only(*tcols)
    for layout in ("v2", "v3", "v4", "reordered"):
        assert _typed(summaries[layout].by_task.only(*cols)) == _typed(v1), layout
        assert _typed(summaries[layout].targets.only(*tcols)) == _typed(t1), layout
    got = v1.where(lambda r: r["单位"] == "区人社局").records()[0]
    assert (got["状态"], got["完成进度"], got["存在问题"]) == ("滞后", 26, "招聘会延期")
    assert sorted(t1["累计完成"]) == sorted(ACTUALS.values())


def _typed(table: Table) -> tuple[list, list]:
    """A table's columns and rows, each value with its type: equal only when every value
    and its type are the same (26 and 26.0 differ, None is None)."""
    return table.columns, [[(type(v), v) for v in r] for r in table.rows]


def test_a_layout_this_xltools_does_not_know_is_rejected(tmp_path):
    """A form of a newer layout (REORDERED unknown here): refused by name, not read by another
    spec."""
    plan = make_small_plan()
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(registry.SPECS, ("report", REORDERED.version), REORDERED)
        mp.setitem(registry.CURRENT, "report", REORDERED)
        wb = build_form(plan, FormJob("report", "区发改局", Q1))
    fr = examine(_received(write_workbook(wb, tmp_path)), plan, Q1)
    assert fr.status != ACCEPTED
    assert [(f.code, f.severity) for f in fr.findings] == [("unknown-form-kind", "错误")]
