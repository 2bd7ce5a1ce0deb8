"""The command line: every command has help; exit codes; Chinese messages, no tracebacks."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xltools.cli import app
from xltools.planfile import save_plan

runner = CliRunner()
COMMANDS = ["generate", "demo", "check", "convert", "parse", "collect", "status"]


def test_every_command_has_help():
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert set(COMMANDS) <= names
    for name in names:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0, name
        assert "Usage" in res.output


def test_generate_writes_and_lists(small_plan, tmp_path):
    plan = save_plan(small_plan, tmp_path / "plan.xlsx")
    res = runner.invoke(app, ["generate", str(plan), "-o", str(tmp_path / "out"),
                              "--period", "2019Q1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    kinds = {}
    for f in data["files"]:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    # 3 departments + 2 towns have tasks; 2 town rows in the matrix
    assert kinds == {"annex1": 1, "annex2": 1, "annex3": 1, "workplan": 5, "report": 5,
                     "town": 2, "sending_list": 1}
    assert {f["code"] for f in data["findings"]} >= {"matrix-total-mismatch"}
    for f in data["files"]:
        assert (tmp_path / "out").joinpath(f["path"]).exists() or f["path"].startswith(str(tmp_path))


def test_generate_unknown_period_is_reported(small_plan, tmp_path):
    plan = save_plan(small_plan, tmp_path / "plan.yaml")
    res = runner.invoke(app, ["generate", str(plan), "-o", str(tmp_path / "o"), "--period", "2019Q9"])
    assert res.exit_code == 1
    assert "2019Q9" in res.output


@pytest.mark.parametrize("args", [["generate", "nope.xlsx"], ["check", "nope.yaml"],
                                  ["generate", "plan.txt"]])
def test_bad_plan_path_exit_2_with_chinese_message(args, tmp_path):
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert "错误" in res.output and "Traceback" not in res.output


def test_check_and_convert(small_plan, tmp_path):
    plan = save_plan(small_plan, tmp_path / "plan.xlsx")
    res = runner.invoke(app, ["check", str(plan), "--json"])
    assert res.exit_code == 0  # only warnings
    assert {f["code"] for f in json.loads(res.stdout)} == {"matrix-total-mismatch",
                                                           "matrix-value-missing-measure"}
    res = runner.invoke(app, ["convert", str(plan), str(tmp_path / "plan.yaml")])
    assert res.exit_code == 0 and (tmp_path / "plan.yaml").exists()
