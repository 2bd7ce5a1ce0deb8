"""Attribution is never guessed (issue 14): a return is credited to a unit only when every
carrier of its identity, the visible 填报单位 and the fingerprint of the form agree.

Returns are filled by a real spreadsheet program (LibreOffice through fill_like_user.py) and
saved as .xlsx and .ods; the tampering is a byte-level edit of the saved file: the unit in
the hidden sheet 表单标识 only, or in all three carriers (sheet, custom property, defined
name). 区发改局 and 锣场镇 both have a 季度报表 with tasks 1 and 3 in make_small_plan().
"""
from __future__ import annotations

import dataclasses
import json
import random
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SHARED_TOOLS, make_small_plan, needs_office
from xltools.collect.limits import DEFAULT_LIMITS as LIMITS
from xltools import api
from xltools.cli import app
from xltools.collect.ledger import Ledger
from xltools.model.findings import ERROR
from xltools.model.returns import ACCEPTED, REJECTED
from xltools.planfile import save_plan
from xltools.simulate import fill_report, write_received
from xltools.xlsx.cells import read_identity
from xltools.xlsx.writer import workbook_bytes

FILL = SHARED_TOOLS / "fill_like_user.py"
Q1 = "2019Q1"
S = "季度报表"
FG, LC = "区发改局", "锣场镇"


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """区发改局's and 锣场镇's returns, filled and saved by LibreOffice as .xlsx and .ods."""
    base = tmp_path_factory.mktemp("attribution")
    plan = make_small_plan()
    jobs, outs = [], {}
    for unit in (FG, LC):
        src = base / "gen" / f"{unit}.xlsx"
        src.parent.mkdir(exist_ok=True)
        src.write_bytes(workbook_bytes(fill_report(plan, unit, plan.period(Q1), random.Random(3))))
        outs[unit] = {fmt: base / "lo" / f"{unit}.{fmt}" for fmt in ("xlsx", "ods")}
        jobs.append({"input": str(src), "edits": [{"sheet": S, "cell": "E3", "value": "张三"}],
                     "output": [str(p) for p in outs[unit].values()]})
    (base / "lo").mkdir()
    (base / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(FILL), "--batch", str(base / "jobs.json")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {"plan": plan, "outs": outs}


def _retarget(src: Path, dst: Path, unit: str, everywhere: bool) -> None:
    """Byte-level edit: the unit in the hidden sheet's identity text (everywhere: also in the
    custom property and the defined name)."""
    ident = read_identity(src, LIMITS).identity
    old = ident.encode().encode("utf-8")
    new = dataclasses.replace(ident, unit=unit).encode().encode("utf-8")
    done = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if everywhere:
                done += data.count(old)
                data = data.replace(old, new)
            elif info.filename in ("xl/sharedStrings.xml", "content.xml"):
                # the cell's text only (an .ods keeps the defined name in an attribute)
                done += data.count(b">" + old + b"<")
                data = data.replace(b">" + old + b"<", b">" + new + b"<")
            zout.writestr(info, data)
    assert done == (3 if everywhere else 1), done
    got = read_identity(dst, LIMITS)
    assert got.carriers["sheet"].unit == unit
    assert {c.unit for c in got.carriers.values() if c} == ({unit} if everywhere else {unit, FG})


@needs_office
@pytest.mark.parametrize("fmt,everywhere", [("xlsx", False), ("ods", False), ("xlsx", True),
                                            ("ods", True)])
def test_a_return_naming_two_units_is_held_and_credited_by_the_clerk(filled, tmp_path, fmt,
                                                                     everywhere):
    plan = filled["plan"]
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox, db, out = tmp_path / "inbox", tmp_path / "台账.sqlite", tmp_path / "out"
    # 锣场镇's real return came first; 区发改局's edited one later (it would have superseded it)
    real = write_received(inbox / f"锣场镇.{fmt}", filled["outs"][LC][fmt].read_bytes(),
                          "2019-04-05T09:00:00")
    edited = inbox / f"发改局.{fmt}"
    _retarget(filled["outs"][FG][fmt], edited, LC, everywhere)
    write_received(edited, edited.read_bytes(), "2019-04-08T09:00:00")
    rep = api.collect([inbox], plan_path, Q1, out, db, workers=1)

    by_name = {Path(f.path).name: f for f in rep.files}
    held, lc = by_name[edited.name], by_name[real.name]
    assert (lc.status, lc.unit) == (ACCEPTED, LC) and not lc.findings
    assert (held.status, held.unit) == (REJECTED, "")
    conflict = [f for f in held.findings if f.code == "identity-conflict"]
    assert len(conflict) == 1 and conflict[0].severity == ERROR
    assert FG in conflict[0].value and LC in conflict[0].value and "填报单位" in conflict[0].value
    if everywhere:  # the carriers agree; the 填报单位 and the fingerprint say 区发改局
        assert "表单指纹" in conflict[0].value
    assert rep.exit_code == 1 and rep.attention.get("held") == 1
    with sqlite3.connect(db) as conn:  # nothing of the held file is stored for anybody
        assert conn.execute('SELECT count(*) FROM "values" v JOIN value_sets vs '
                            "ON vs.id = v.set_id WHERE vs.sha256 = ?",
                            (held.sha256,)).fetchone() == (0,)
        assert conn.execute("SELECT status, supersedes FROM submissions WHERE sha256 = ?",
                            (lc.sha256,)).fetchone() == (ACCEPTED, None)
    # an unchanged re-run still says the period needs the clerk
    again = api.collect([inbox], plan_path, Q1, out, db, workers=1)
    assert all(f.seen_before for f in again.files) and again.exit_code == 1
    assert again.attention.get("held") == 1

    # the clerk checks with the units and credits the file to 区发改局
    res = CliRunner().invoke(app, ["credit", held.sha256[:12], FG, "--plan", str(plan_path),
                                   "--period", Q1, "--db", str(db), "--by", "王督办"])
    assert res.exit_code == 0, res.output
    with Ledger(db) as ledger:
        hist = ledger.history(plan.plan_id, Q1)
        current = {(r.unit, r.received.sha256) for r in ledger.current(plan.plan_id, Q1)}
    assert [(h.who, h.action, h.detail["unit"], h.detail["status"]) for h in hist] == [
        ("王督办", "credit", FG, ACCEPTED)]
    assert current == {(FG, held.sha256), (LC, lc.sha256)}
    rep = api.collect([inbox], plan_path, Q1, out, db, workers=1)
    assert rep.attention.get("held") is None
    with sqlite3.connect(db) as conn:
        units = {u for (u,) in conn.execute(
            'SELECT DISTINCT s.unit FROM "values" v JOIN value_sets vs ON vs.id = v.set_id '
            "JOIN submissions s ON s.sha256 = vs.sha256 WHERE vs.sha256 = ?", (held.sha256,))}
        codes = {c for (c,) in conn.execute("SELECT code FROM findings WHERE sha256 = ?",
                                            (held.sha256,))}
    assert units == {FG} and "credited-by-clerk" in codes and "identity-conflict" not in codes


@needs_office
def test_a_return_credited_to_a_unit_with_other_tasks_is_read_by_task_not_by_row(filled, tmp_path):
    """区发改局's form (tasks 1 and 3) credited to 区人社局 (task 2 only): no row is taken
    for task 2 because it sits where task 2 sat on 区人社局's own form. Before, task 1's
    row was read as task 2 without a word (checked against the texts 区发改局 received)."""
    plan = filled["plan"]
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox, db, out = tmp_path / "inbox", tmp_path / "台账.sqlite", tmp_path / "out"
    edited = inbox / "人社局.xlsx"
    inbox.mkdir()
    _retarget(filled["outs"][FG]["xlsx"], edited, "区人社局", everywhere=True)
    held = api.collect([inbox], plan_path, Q1, out, db, workers=1).files[0]
    assert [f.code for f in held.findings if f.code == "identity-conflict"]
    res = CliRunner().invoke(app, ["credit", held.sha256[:12], "区人社局", "--plan", str(plan_path),
                                   "--period", Q1, "--db", str(db)])
    assert res.exit_code == 0, res.output
    api.collect([inbox], plan_path, Q1, out, db, workers=1)
    with sqlite3.connect(db) as conn:
        keys = {k for (k,) in conn.execute('SELECT DISTINCT v.key FROM "values" v JOIN value_sets vs '
                                           "ON vs.id = v.set_id WHERE vs.sha256 = ?", (held.sha256,))}
        found = {(c, cell, task) for c, cell, task in conn.execute(
            "SELECT code, cell, task FROM findings WHERE sha256 = ?", (held.sha256,))}
    assert keys <= {"header"}  # none of 区发改局's task rows is 区人社局's task 2
    # none of its rows is 区人社局's: the form cannot be mapped (not "sent back untouched")
    assert ("form-not-mapped", "", "") in found and not [x for x in found if x[0] == "form-not-filled"]
    assert ("credited-other-units-form", "", "") in found
    assert ("row-deleted", "A6", "2") in found
    assert {cell for code, cell, _ in found if code == "row-inserted"} == {"A6", "A7"}
    assert not [x for x in found if x[0] in ("fingerprint-mismatch", "guarded-cell-changed")]


@needs_office
def test_credit_refuses_what_is_not_held(filled, tmp_path):
    plan = filled["plan"]
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    real = write_received(tmp_path / "inbox" / "锣场镇.xlsx",
                          filled["outs"][LC]["xlsx"].read_bytes(), "2019-04-05T09:00:00")
    db = tmp_path / "台账.sqlite"
    rep = api.collect([real.parent], plan_path, Q1, tmp_path / "out", db, workers=1)
    sha = rep.files[0].sha256
    for args, says in (([sha[:10], FG], "不是待确认归属"), (["zz", FG], "不是文件编号"),
                       (["0" * 12, FG], "没有编号")):
        res = CliRunner().invoke(app, ["credit", *args, "--plan", str(plan_path), "--period", Q1,
                                       "--db", str(db)])
        assert res.exit_code == 2 and says in res.output, res.output


def test_a_pandas_round_trip_is_recognised_with_its_cells_in_place(tmp_path):
    """pd.read_excel + DataFrame.to_excel with default options: the identity is gone, an
    index column is added at the left and everything moves one column right."""
    import pandas as pd

    from xltools.collect.examine import examine
    from xltools.model.returns import Received

    plan = make_small_plan()
    src = tmp_path / "原表.xlsx"
    src.write_bytes(workbook_bytes(fill_report(plan, FG, plan.period(Q1), random.Random(5),
                                               mistake="progress-text")))
    out = tmp_path / "pandas.xlsx"
    pd.read_excel(src).to_excel(out)

    def look(p: Path):
        return examine(Received(str(p), p.name, p.name, "0" * 64, p.stat().st_size,
                                "2019-04-08T10:00:00"), plan, Q1)
    before, after = look(src), look(out)
    assert (after.status, after.unit, after.identified_by) == (ACCEPTED, FG, "content")
    codes = [(f.code, f.cell) for f in after.findings]
    assert ("index-column-added", "") in codes and ("identified-by-content", "") in codes
    # the same problem, named at the cell where it now is (one column right: E6 -> F6)
    bad = [(f.code, f.cell) for f in before.findings if f.cell]
    assert bad and [(c, chr(ord(cell[0]) + 1) + cell[1:]) for c, cell in bad] == \
        [(c, cell) for c, cell in codes if cell]
    assert "单元格 F6" in next(f.message for f in after.findings if f.cell == "F6")
    assert [(t.task, t.progress, t.status, t.completion) for t in after.tasks] == \
        [(t.task, t.progress, t.status, t.completion) for t in before.tasks]
    assert after.tasks[0].cells["完成进度"] == "F6" and before.tasks[0].cells["完成进度"] == "E6"
    # pandas wrote back the first sheet only: the 量化指标 sheet is gone, and said so
    assert before.targets and after.targets == []
    missing = next(f for f in after.findings if f.code == "sheet-missing")
    assert missing.severity == "错误" and "量化指标" in missing.message
