"""The command line: every command has help; exit codes; Chinese messages, no tracebacks."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xltools.cli import app
from xltools.model.glossary import official_marks
from xltools.planfile import save_plan

runner = CliRunner()
COMMANDS = ["generate", "demo", "check", "convert", "parse", "collect", "status", "remind", "year",
            "units"]


def test_every_command_has_help():
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    names |= {g.name for g in app.registered_groups}  # sub-apps: xltools units …
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


# -- progress, closing summary, --quiet (issue 7) -----------------------------------------

def _inbox(plan, tmp_path):
    from xltools.simulate import simulate_returns
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    simulate_returns(plan, "2019Q1", tmp_path / "inbox")
    return plan_path


def test_quiet_prints_nothing_on_success(small_plan, tmp_path):
    plan = _inbox(small_plan, tmp_path)
    res = runner.invoke(app, ["generate", str(plan), "-o", str(tmp_path / "out"), "--period", "2019Q1", "-q"])
    assert res.exit_code == 0 and res.output == ""
    assert list((tmp_path / "out").glob("附件1*.xlsx"))
    res = runner.invoke(app, ["collect", str(tmp_path / "inbox"), "--plan", str(plan), "--period", "2019Q1",
                              "-o", str(tmp_path / "sum"), "--db", str(tmp_path / "db.sqlite"), "--quiet"])
    assert res.exit_code == 0 and res.output == ""
    assert list((tmp_path / "sum").glob("汇总报告_*.html"))


def test_collect_closing_summary_and_json(small_plan, tmp_path):
    plan = _inbox(small_plan, tmp_path)
    args = ["collect", str(tmp_path / "inbox"), "--plan", str(plan), "--period", "2019Q1",
            "-o", str(tmp_path / "sum"), "--db", str(tmp_path / "db.sqlite")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    for words in ("回收情况", "已接收的文件", "已退回的文件", "重复的文件", "未报送单位", "逾期报送单位",
                  "汇总表:", "校验报告:", "汇总报告(网页,可打印):", "台账:"):
        assert official_marks(words) in res.output, words  # (the closing lines: official marks)
    assert "Traceback" not in res.output and "回收文件" not in res.output  # no bar off a terminal
    res = runner.invoke(app, [*args, "--json"])
    data = json.loads(res.stdout)
    assert data["html"].endswith(".html") and "pdf" not in data
    assert {f["status"] for f in data["files"]} >= {"accepted", "duplicate"}


def test_generate_closing_summary(small_plan, tmp_path):
    plan = save_plan(small_plan, tmp_path / "plan.yaml")
    res = runner.invoke(app, ["generate", str(plan), "-o", str(tmp_path / "out"), "--period", "2019Q1"])
    assert res.exit_code == 0, res.output
    assert "生成结果" in res.output and "合计" in res.output and "输出文件夹" in res.output
    assert "季度报表" in res.output


def test_progress_bar_uses_the_callback():
    from io import StringIO

    from rich.console import Console

    from xltools.progress import rich_progress
    with rich_progress(Console(file=StringIO()), "x", enabled=False) as cb:
        assert cb is None
    buf = StringIO()
    with rich_progress(Console(file=buf, force_terminal=True, width=80), "生成报表") as cb:
        for i in range(4):
            cb(i, 3)
    assert "3/3" in buf.getvalue()
