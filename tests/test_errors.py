"""One error hierarchy, one lateness rule, fail closed, explicit settings (issue 13, points 5-7)."""
from __future__ import annotations

import ast
import os
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, make_small_plan
from xltools import api, parallel
from xltools.cli import app
from xltools.collect import run as collect_run
from xltools.collect.examine import examine
from xltools.collect.serialize import form_return_from_dict, form_return_to_dict
from xltools.forms.identity import embed_identity
from xltools.generate.report_form import report_form
from xltools.merge import summary as merge_summary
from xltools.model import errors
from xltools.model.periods import is_late, make_period
from xltools.model.returns import ACCEPTED, REJECTED, FormReturn, Received
from xltools.model.serialize import plan_to_dict
from xltools.planfile import save_plan
from xltools.xlsx.writer import write_workbook

Q1 = "2019Q1"


def test_every_error_the_cli_shows_is_an_xltools_error():
    from xltools.app.workspace import NotFound, Refused
    from xltools.model.errors import LedgerBusy
    from xltools.planfile.register import RegisterError
    for cls in (api.PlanFileError, api.PeriodError, api.LedgerError, api.LedgerMissing,
                LedgerBusy, api.FileChanged, api.OutputError, api.InputError,
                api.TemplateError, api.ExampleMissing, RegisterError, Refused, NotFound):
        assert issubclass(cls, api.XltoolsError), cls
    assert not issubclass(api.LedgerMissing, api.PlanFileError)  # no longer "a plan file"


def test_the_cli_imports_no_stage_internals():
    tree = ast.parse((ROOT / "xltools" / "cli.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in imported if m.split(".")[0] in ("collect", "merge", "xlsx", "parse")}
    assert "XLTOOLS_DEBUG" not in (ROOT / "xltools" / "cli.py").read_text(encoding="utf-8")


@pytest.fixture
def plan_file(tmp_path) -> Path:
    return save_plan(make_small_plan(), tmp_path / "plan.json")


def test_missing_ledger_and_unknown_period_are_one_chinese_line(plan_file, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["status", "--plan", str(plan_file), "--period", Q1,
                              "--db", str(tmp_path / "none.sqlite")])
    assert res.exit_code == 2 and "找不到台账" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["status", "--plan", str(plan_file), "--period", "2019Q9"])
    assert res.exit_code == 2 and "计划中没有报送周期“2019Q9”" in res.output
    with pytest.raises(api.LedgerMissing):
        api.status(plan_file, Q1, tmp_path / "none.sqlite")
    with pytest.raises(api.PeriodError):
        api.status(plan_file, "2019Q9")


def test_a_bad_time_from_the_clerk_is_an_input_error(plan_file, tmp_path):
    res = CliRunner().invoke(app, ["set-received", "ab" * 8, "昨天下午", "--plan", str(plan_file),
                                   "--period", Q1, "--db", str(tmp_path / "none.sqlite")])
    assert res.exit_code == 2 and "找不到台账" in res.output  # the ledger is checked first
    from xltools.collect.settle import parse_time
    with pytest.raises(api.InputError, match="昨天下午"):
        parse_time("昨天下午")


# -- one lateness rule ---------------------------------------------------------------------

@pytest.mark.parametrize("received, late", [
    ("2019-04-10T23:59:59", False), ("2019-04-11T00:00:00", True), ("2019-04-10", False),
    ("2019-04-11T08:00:00+08:00", True), ("2019-04-09T23:00:00Z", False), ("", False),
    ("不是时间", False)])
def test_one_lateness_rule_for_collect_and_merge(received, late):
    period = make_period(Q1, datetime(2019, 4, 10).date())
    assert is_late(received, period) is late
    ret = FormReturn(Received("p", "p", "p", "0" * 64, 1, received), status=ACCEPTED,
                     kind="report", unit="区发改局", period=Q1)
    collect_run.mark_late(ret, period)
    assert ret.late is late
    assert merge_summary.is_late(received, period, ret.late) is late  # the merge agrees


# -- fail closed ---------------------------------------------------------------------------

def _filled_report(tmp_path: Path) -> tuple[Path, object]:
    """区人社局's form with a cumulative figure typed for task 2's target (量化指标!E5)."""
    plan = make_small_plan()
    wb, fmap = report_form(plan, plan.unit("区人社局"), plan.period(Q1))
    embed_identity(wb, plan.plan_id, "report", "区人社局", Q1)
    wb.sheet(fmap.target_sheet).write(fmap.target_rows[0][2], 4, 6500, kind="number")
    return write_workbook(wb, tmp_path), plan


def test_a_failing_previous_value_look_up_fails_the_file_not_the_check(tmp_path, monkeypatch):
    path, plan = _filled_report(tmp_path)
    rec = Received(str(path), path.name, path.name, "0" * 64, path.stat().st_size,
                   "2019-04-08T10:00:00")
    lower = examine(rec, plan, Q1, {("区人社局", "report", "2#0"): 9000.0})
    assert "target-decreased" in {f.code for f in lower.findings}  # the figure was read

    class Broken(dict):
        def get(self, key, default=None):
            raise RuntimeError("ledger gone")
    monkeypatch.setattr(errors.settings, "debug", False)
    fr = examine(rec, plan, Q1, Broken())
    assert fr.status == REJECTED and "read-failed" in {f.code for f in fr.findings}


def test_debug_reaches_spawned_workers(monkeypatch):
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    monkeypatch.setattr(errors.settings, "debug", True)
    got = list(parallel.pool_map(_debug_in_worker, None, list(range(40)), workers=2,
                                 seconds_each=1.0))
    assert len(got) == 40 and all(d and pid != os.getpid() for d, pid in got)
    monkeypatch.setattr(errors.settings, "debug", False)
    got = list(parallel.pool_map(_debug_in_worker, None, list(range(40)), workers=2,
                                 seconds_each=1.0))
    assert not any(d for d, _ in got)


def _debug_in_worker(state, item) -> tuple[bool, int]:
    return errors.settings.debug, os.getpid()


# -- records and state ---------------------------------------------------------------------

def test_plan_look_up_state_is_not_the_plan():
    plan = make_small_plan()
    assert plan.unit("区发改局") is not None
    assert not any(k.startswith("_") for k in plan_to_dict(plan))
    assert plan == make_small_plan()  # a snapshot taken does not change equality
    plan.units[0].aliases.append("发改")
    assert plan.unit("发改") is plan.units[0]  # an edit is seen at once


def test_old_payloads_name_the_file_type_kind(tmp_path):
    ret = FormReturn(Received("p", "p", "p", "0" * 64, 1, "2019-04-08", file_type="xls"),
                     kind="report")
    d = form_return_to_dict(ret)
    assert d["received"]["file_type"] == "xls" and d["kind"] == "report"
    d["received"]["kind"] = d["received"].pop("file_type")  # as written before issue 13
    assert form_return_from_dict(d).received.file_type == "xls"
