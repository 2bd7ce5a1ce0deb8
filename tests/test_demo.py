"""The bundled example end to end: every generated file re-opened and checked."""
from __future__ import annotations

from collections import Counter

import openpyxl
import pytest

from xltools import api
from xltools.model.identity import IDENTITY_SHEET, FormIdentity
from xltools.planfile import load_plan

from conftest import EXAMPLE


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    return api.demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_report(demo_run):
    return demo_run.generated


def test_example_plan_is_complete():
    res = load_plan(EXAMPLE / "plan.xlsx")
    plan = res.value
    assert [t.number for t in plan.tasks] == [str(i) for i in range(1, 68)]
    assert sum(t.kind == "indicator" for t in plan.tasks) == 7
    assert [p.id for p in plan.periods] == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]
    assert len(plan.town_rows()) == 10
    assert plan.matrix.total_row().label == "全区合计"
    assert not [f for f in res.findings if f.severity == "错误"], [f.message for f in res.findings]


def test_demo_writes_every_kind(demo_report):
    kinds = Counter(f.kind for f in demo_report.files)
    counts = {k: kinds[k] for k in
              ("annex1", "annex2", "annex3", "report", "town", "workplan", "sending_list")}
    units = len(load_plan(EXAMPLE / "plan.xlsx").value.units_with_tasks())
    assert counts == {"annex1": 1, "annex2": 1, "annex3": 1, "report": 4 * units,
                      "town": 4 * 10, "workplan": units, "sending_list": 1}
    names = sorted(f.path.name for f in demo_report.files if f.kind.startswith("annex"))
    assert [n[:3] for n in names] == ["附件1", "附件2", "附件3"]


def test_every_generated_file_has_the_official_print_setup(demo_report):
    for wf in demo_report.files:
        wb = openpyxl.load_workbook(wf.path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                assert ws.title == IDENTITY_SHEET
                continue
            where = f"{wf.path.name}!{ws.title}"
            assert int(ws.page_setup.paperSize) == 9, where
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert ws.print_title_rows, where
            assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, where
            assert ws.freeze_panes, where
            fonts = {c.font.name for row in ws.iter_rows(max_row=min(ws.max_row, 30)) for c in row
                     if c.value is not None}
            assert fonts <= {"方正小标宋简体", "黑体", "仿宋_GB2312"}, (where, fonts)


def test_forms_are_protected_with_identity(demo_report):
    forms = [f for f in demo_report.files if f.kind in ("report", "town", "workplan")]
    assert forms
    for wf in forms[:: max(1, len(forms) // 25)]:  # a spread sample keeps this quick
        wb = openpyxl.load_workbook(wf.path)
        assert wb.sheetnames[-1] == IDENTITY_SHEET
        assert wb[IDENTITY_SHEET].sheet_state == "hidden"
        main = wb.worksheets[0]
        assert main.protection.sheet
        unlocked = [c for row in main.iter_rows() for c in row if not c.protection.locked]
        assert unlocked, wf.path.name
        ident = FormIdentity.decode(wb[IDENTITY_SHEET]["B2"].value)
        assert ident.unit == wf.unit and ident.kind == wf.kind and ident.period == wf.period


def test_example_plan_is_what_parse_produces():
    result, _ = api.parse(EXAMPLE / "notice.txt", EXAMPLE / "units.yaml")
    assert load_plan(EXAMPLE / "plan.xlsx").value == result.plan


def test_demo_runs_the_whole_loop(demo_run):
    sim, got = demo_run.simulated, demo_run.collected
    assert got.missing_units == sim.missing
    assert got.late_units == sim.late
    statuses = {}
    for f in got.files:
        statuses[f.status] = statuses.get(f.status, 0) + 1
    assert statuses["superseded"] == len(sim.resubmitted)
    assert statuses["duplicate"] >= len(sim.duplicated)
    assert statuses["ignored"] >= 2  # Thumbs.db and the ~$ lock file (and the zip itself)
    codes = {(f.unit, x.code) for f in got.files for x in f.findings}
    expected = {"progress-text": "progress-not-number", "bad-status": "status-invalid",
                "no-reporter": "header-missing", "edited-text": "guarded-cell-changed"}
    for unit, mistake in sim.mistakes.items():
        if mistake in expected:
            assert (unit, expected[mistake]) in codes, (unit, mistake)
    assert got.exit_code == 1
    assert [p.name[:3] for p in got.outputs] == ["汇总表", "校验报"]
    for p in got.outputs:
        assert openpyxl.load_workbook(p).sheetnames


def test_demo_summary_keeps_unit_text_as_text(demo_run):
    sim = demo_run.simulated
    unit = next(u for u, m in sim.mistakes.items() if m == "formula-text")
    wb = openpyxl.load_workbook(demo_run.collected.outputs[0])
    hits = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hits and all(c.data_type == "s" for c in hits), unit


def test_demo_writes_the_html_report(demo_run):
    got, sim = demo_run.collected, demo_run.simulated
    html = got.html.read_text(encoding="utf-8")
    assert got.html.parent == got.outputs[0].parent
    for unit in [*sim.missing, *sim.late, *sim.mistakes]:
        assert f'data-unit="{unit}"' in html, unit
    assert "<script" not in html.lower()


def test_rerun_on_the_same_inbox_changes_nothing_and_reuses_outputs(demo_run):
    got = demo_run.collected
    again = api.collect([demo_run.simulated.inbox], EXAMPLE / "plan.xlsx", "2019Q1",
                        got.out_dir, got.db_path)
    assert all(f.seen_before for f in again.files)
    assert sorted(f.status for f in again.files) == sorted(f.status for f in got.files)
    assert again.outputs == got.outputs and again.missing_units == got.missing_units
    assert again.late_units == got.late_units
    mtimes = [p.stat().st_mtime for p in got.outputs]
    assert [p.stat().st_mtime for p in again.outputs] == mtimes  # not rewritten


def test_collect_reports_where_its_time_went(demo_run):
    """The benchmark's profile: every step timed, together no longer than the run."""
    got = demo_run.collected
    steps = ["intake", "examine", "ledger", "commit", "load", "summarize", "outputs"]
    assert list(got.phases) == steps
    assert all(v >= 0 for v in got.phases.values())
    assert sum(got.phases.values()) <= got.seconds
