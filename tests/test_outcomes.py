"""Outcomes of the period (issue 14): the exit code and the report describe the period as the
ledger holds it after the run, not just the files of this run."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import make_small_plan
from xltools import api
from xltools.cli import app
from xltools.planfile import save_plan
from xltools.simulate import simulate_returns, write_received

Q1 = "2019Q1"


def _cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_the_exit_code_is_the_period_not_the_run(tmp_path):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox, db, out = tmp_path / "inbox", tmp_path / "台账.sqlite", tmp_path / "out"
    simulate_returns(plan, Q1, inbox, mistakes=False)
    common = ["--plan", plan_path, "--period", Q1, "--db", db, "-o", out]
    res = _cli("collect", inbox, *common, "--json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert got["attention"] == {} and got["exit_code"] == 0 and not got["empty_inbox"]
    assert got["files"] and all(f["new"] for f in got["files"])
    # a file that cannot be read: rejected; the period needs the clerk from now on
    write_received(inbox / "坏文件.xlsx", "不是表格".encode(), "2019-04-08T10:00:00")
    res = _cli("collect", inbox, *common)
    assert res.exit_code == 1 and "被退回的文件 1 个" in res.output, res.output
    assert "本次新收到 1 个文件" in res.output
    # an unchanged re-run says the same (it used to exit 0 with nothing to say)
    res = _cli("collect", inbox, *common, "--json")
    got = json.loads(res.output)
    assert res.exit_code == 1 and got["attention"] == {"rejected": 1}
    assert not any(f["new"] for f in got["files"])
    res = _cli("collect", inbox, *common, "--quiet")
    assert res.exit_code == 1 and "被退回的文件 1 个" in res.output


def test_empty_inbox_says_so_and_every_unit_is_missing(tmp_path):
    plan_path = save_plan(make_small_plan(), tmp_path / "plan.xlsx")
    (tmp_path / "inbox").mkdir()
    res = _cli("collect", tmp_path / "inbox", "--plan", plan_path, "--period", Q1,
               "--db", tmp_path / "台账.sqlite", "-o", tmp_path / "out")
    assert res.exit_code == 1 and "收件箱中没有任何文件" in res.output, res.output
    assert "未报送单位 5 个" in res.output


def test_a_mistyped_inbox_is_a_console_error_before_anything_is_recorded(tmp_path):
    plan_path = save_plan(make_small_plan(), tmp_path / "plan.xlsx")
    (tmp_path / "inbox").mkdir()
    db = tmp_path / "台账.sqlite"
    res = _cli("collect", tmp_path / "inbox", tmp_path / "inbxo", "--plan", plan_path,
               "--period", Q1, "--db", db, "-o", tmp_path / "out")
    assert res.exit_code == 2 and "找不到收件箱" in res.output and "inbxo" in res.output
    assert not db.exists() and not (tmp_path / "out").exists()
    try:
        api.collect([tmp_path / "inbxo"], plan_path, Q1, tmp_path / "out", db)
    except Exception as exc:  # noqa: BLE001 - the type is what is checked
        assert type(exc).__name__ == "InputError"
    else:
        raise AssertionError("no InputError")


def test_an_output_folder_belongs_to_one_ledger(tmp_path):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    simulate_returns(plan, Q1, inbox, mistakes=False)
    first = _cli("collect", inbox, "--plan", plan_path, "--period", Q1, "--db", tmp_path / "a.sqlite",
                 "-o", out)
    assert first.exit_code == 0, first.output
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    res = _cli("collect", inbox, "--plan", plan_path, "--period", Q1, "--db", tmp_path / "b.sqlite",
               "-o", out)
    assert res.exit_code == 2 and "另一个台账" in res.output and "a.sqlite" in res.output
    assert not (tmp_path / "b.sqlite").exists()  # refused before anything was recorded
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before
    res = _cli("collect", inbox, "--plan", plan_path, "--period", Q1, "--db", tmp_path / "b.sqlite",
               "-o", out, "--force")
    assert res.exit_code == 0, res.output
    assert (out / ".xltools-ledger").read_text(encoding="utf-8").endswith("b.sqlite")
