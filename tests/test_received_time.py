"""The time a return arrived (issue 14): without an e-mail, the earlier of when xltools first
saw the file and its modification time; every lateness says which evidence decided it; the
clerk can set the time (recorded in the ledger's history)."""
from __future__ import annotations

import random
import subprocess

import pytest
from typer.testing import CliRunner

from conftest import make_small_plan
from xltools import api
from xltools.cli import app
from xltools.collect import ledger as ledger_mod
from xltools.collect.ledger import Ledger
from xltools.collect.settle import parse_time
from xltools.model.returns import ACCEPTED
from xltools.planfile import save_plan
from xltools.simulate import fill_report, write_received
from xltools.xlsx.writer import workbook_bytes

Q1 = "2019Q1"  # deadline 2019-04-10
UNITS = ("区发改局", "区财政局", "区人社局", "锣场镇", "解放街办")


def _copied_returns(tmp_path, plan):
    """Five returns saved on time, then copied with cp (which gives each a new mtime)."""
    saved = tmp_path / "saved"
    for i, unit in enumerate(UNITS):
        data = workbook_bytes(fill_report(plan, unit, plan.period(Q1), random.Random(i)))
        write_received(saved / f"{unit}.xlsx", data, "2019-04-08T09:00:00")
    inbox = tmp_path / "inbox"
    subprocess.run(["cp", "-r", str(saved), str(inbox)], check=True)
    return inbox


def test_copies_collected_before_the_deadline_are_on_time(tmp_path, monkeypatch):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox = _copied_returns(tmp_path, plan)
    # the clerk collected the copies on 9 April (the copies' mtimes are today, years later)
    monkeypatch.setattr(ledger_mod, "_now", lambda: "2019-04-09T10:00:00.000000")
    rep = api.collect([inbox], plan_path, Q1, tmp_path / "out", tmp_path / "db.sqlite", workers=1)
    assert sorted((f.unit, f.status) for f in rep.files) == sorted((u, ACCEPTED) for u in UNITS)
    assert rep.late_units == [] and not any(x.code == "late-return" for f in rep.files
                                            for x in f.findings)
    with Ledger(tmp_path / "db.sqlite") as ledger:
        got = {(r.received.received_at, r.received.time_source)
               for r in ledger.current(plan.plan_id, Q1)}
    assert got == {("2019-04-09T10:00:00", "first-seen")}


def test_lateness_names_its_evidence_and_the_clerk_can_set_the_time(tmp_path):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox = _copied_returns(tmp_path, plan)  # collected now: late, by the first-seen time
    db = tmp_path / "db.sqlite"
    rep = api.collect([inbox], plan_path, Q1, tmp_path / "out", db, workers=1)
    late = [x for f in rep.files for x in f.findings if x.code == "late-return"]
    assert len(late) == 5 and sorted(rep.late_units) == sorted(UNITS)
    assert all(("文件时间" in x.message) or ("首次回收时间" in x.message) for x in late)
    fg = next(f for f in rep.files if f.unit == "区发改局")
    res = CliRunner().invoke(app, ["set-received", fg.sha256[:10], "2019-04-09 16:30",
                                   "--plan", str(plan_path), "--period", Q1, "--db", str(db),
                                   "--by", "王督办"])
    assert res.exit_code == 0, res.output
    with Ledger(db) as ledger:
        hist = ledger.history(plan.plan_id, Q1)
        ret = next(r for r in ledger.current(plan.plan_id, Q1) if r.unit == "区发改局")
    assert [(h.who, h.action, h.detail["received_at"]) for h in hist] == [
        ("王督办", "set-received", "2019-04-09T16:30:00")]
    assert (ret.received.received_at, ret.late) == ("2019-04-09T16:30:00", False)
    rep = api.collect([inbox], plan_path, Q1, tmp_path / "out", db, workers=1)
    assert "区发改局" not in rep.late_units and len(rep.late_units) == 4
    # and back after the deadline: late again, by the clerk's time
    res = CliRunner().invoke(app, ["set-received", fg.sha256[:10], "2019/4/11", "--plan",
                                   str(plan_path), "--period", Q1, "--db", str(db)])
    assert res.exit_code == 0 and "督办室确认的时间" in res.output, res.output
    res = CliRunner().invoke(app, ["set-received", fg.sha256[:10], "明天", "--plan",
                                   str(plan_path), "--period", Q1, "--db", str(db)])
    assert res.exit_code == 2 and "无法识别时间" in res.output


def test_a_decision_made_twice_is_recorded_once(tmp_path):
    """A double click on the desk's 保存收到时间 or 免报 sends the same decision twice: the
    second changes nothing and adds no record to the history."""
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    db = tmp_path / "db.sqlite"
    rep = api.collect([_copied_returns(tmp_path, plan)], plan_path, Q1, tmp_path / "out", db,
                      workers=1)
    sha = next(f for f in rep.files if f.unit == "区发改局").sha256
    first = api.set_received(plan_path, Q1, sha, "2019-04-09 16:30", db, who="王督办")
    again = api.set_received(plan_path, Q1, sha, "2019-04-09 16:30", db, who="王督办")
    assert (again.status, again.unit) == (first.status, first.unit) == (ACCEPTED, "区发改局")
    for on in (True, True, False, False):
        api.exempt(plan_path, Q1, "锣场镇", on, reason="机构调整", db=db, who="王督办")
    api.exempt(plan_path, Q1, "解放街办", False, db=db, who="王督办")  # was never exempt
    with Ledger(db) as ledger:
        hist = ledger.history(plan.plan_id, Q1)
    assert [(h.action, h.detail.get("exempt")) for h in hist] == [
        ("set-received", None), ("exempt", True), ("exempt", False)]


def test_an_unchanged_rerun_names_each_file_s_unit_form_and_findings(tmp_path):
    """A re-run with nothing new keeps the outputs already written, and still says each
    file as the run that read it did (--json, the desk's job): unit, form, findings."""
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox, db, out = _copied_returns(tmp_path, plan), tmp_path / "db.sqlite", tmp_path / "out"
    first = api.collect([inbox], plan_path, Q1, out, db, workers=1)
    again = api.collect([inbox], plan_path, Q1, out, db, workers=1)
    assert again.phases == {} and all(f.seen_before for f in again.files)  # (reused)

    def said(rep):
        return sorted((f["path"], f["unit"], f["form"], sorted(x["code"] for x in f["findings"]))
                      for f in rep.to_json()["files"])
    assert said(again) == said(first) and all(f["unit"] for f in again.to_json()["files"])


@pytest.mark.parametrize("typed,read", [
    ("2019-04-09 16:30", "2019-04-09T16:30:00"), ("2019/4/9 16:30", "2019-04-09T16:30:00"),
    ("2019.4.9 16:30", "2019-04-09T16:30:00"), ("2019年4月9日 16:30", "2019-04-09T16:30:00"),
    ("2019年4月9日16时30分", "2019-04-09T16:30:00"), ("2019年3月28日", "2019-03-28T00:00:00"),
    ("\uff12\uff10\uff11\uff19年\uff14月\uff19日 \uff11\uff16\uff1a\uff13\uff10", "2019-04-09T16:30:00")])
def test_a_received_time_is_read_as_a_clerk_writes_it(typed, read):
    assert parse_time(typed) == read
