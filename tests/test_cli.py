"""The command line: every command has help; exit codes; Chinese messages, no tracebacks."""
from __future__ import annotations

import ast
import dataclasses
import gettext
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xltools import cli_words
from xltools.cli import app
from xltools.model.glossary import official_marks
from xltools.model.periods import make_period
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
        assert "\u7528\u6cd5\uff1a" in res.output and "显示本帮助并退出" in res.output, name  # 用法 and its colon
        assert not any(w in res.output for w in ("Usage:", "Options:", "Show this message")), name
        # every option names its value (--workers N), not typer's type label (<int>, <str>)
        options = res.output.partition("\u9009\u9879:")[2]  # 选项 and its colon
        assert not re.search(r"--[a-z-]+ <", options), (name, options)


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


def test_generate_summary_names_a_half_years_forms(small_plan, tmp_path):
    """A half year's forms are listed as 半年报表, a quarter's as 季度报表, each with its count."""
    plan = save_plan(dataclasses.replace(small_plan, periods=[make_period("2019H1"), make_period("2019Q3")]),
                     tmp_path / "plan.xlsx")
    res = runner.invoke(app, ["generate", str(plan), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    n = len(small_plan.units_with_tasks())
    rows = {m.group(1): int(m.group(2)) for m in re.finditer(r"(\S+报表)\s*\u2502\s*(\d+)", res.output)}
    assert rows == {"半年报表": n, "季度报表": n}


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


# a usage error as the clerk sees it, on a PC that names no language (Windows sets no LANG)
USAGE_ERRORS = [
    (["collect"], "\u9519\u8bef\uff1a缺少选项 --plan\u3002"),  # 错误, colon, …, full stop
    (["units"], "缺少参数 PLAN"),
    (["collect", "--plan"], "选项 --plan 后面缺少它的值"),
    (["generate", "x.xlsx", "--pdff"], "没有选项 --pdff\u3002\uff08可能是 --pdf\uff09"),
    (["colect"], "没有命令 colect\u3002\uff08可能是 collect、convert\uff09"),
    (["units", "x.xlsx", "bogus"], "没有命令 bogus"),
    (["collect", "--plan", "x", "--period", "2019Q1", "--workers", "abc", "."],
     "--workers 的值\u201cabc\u201d无效\uff0c应为整数"),
    (["collect", "--plan", "x", "--period", "2019Q1", "--max-file-mb", "0", "."],
     "--max-file-mb 的值\u201c0\u201d无效\uff0c应不小于 0.001"),
    (["status", "--plan", "x", "--period", "2019Q1", "extra"], "多出了参数 extra"),
    (["status", "--plan", "x", "--period", "2019Q1", "--json=1"], "选项 --json 不带值"),
]


@pytest.mark.parametrize("args,said", USAGE_ERRORS, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_usage_errors_are_said_in_chinese(args, said, tmp_path):
    """Usage line, where to find help and the error in Chinese, exit code 2, for the real
    entry point (the library prints them in English)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_"))}
    res = subprocess.run([sys.executable, "-m", "xltools.cli", *args], capture_output=True,
                         text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=120)
    assert res.returncode == 2 and said in res.stderr, res.stderr
    if "--plan" != args[-1] and "--json=1" not in args:  # (the parser names no command here)
        assert "\u7528\u6cd5\uff1a" in res.stderr and "查看帮助" in res.stderr  # 用法 and its colon
    assert not any(w in res.stderr for w in ("Usage:", "Error:", "Try ", "Traceback")), res.stderr


def test_the_catalog_is_its_source_compiled():
    """locale/'s messages.mo says what messages.po says (msgfmt -o messages.mo messages.po)."""
    folder = Path(cli_words.__file__).with_name("locale") / "zh_CN" / "LC_MESSAGES"
    with open(folder / "messages.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    entries = re.findall(r'^msgid (".*")\n(?:msgid_plural (".*")\n)?msgstr(?:\[0\])? (".*")$',
                         (folder / "messages.po").read_text(encoding="utf-8"), re.M)
    assert len(entries) > 30
    for msgid, plural, msgstr in entries[1:]:  # (the first is the header)
        msgid, msgstr = ast.literal_eval(msgid), ast.literal_eval(msgstr)
        got = mo.ngettext(msgid, ast.literal_eval(plural), 1) if plural else mo.gettext(msgid)
        assert got == msgstr and got != msgid, msgid


def test_a_library_error_inside_a_command_is_one_chinese_line_with_its_exit_code(monkeypatch, tmp_path,
                                                                                 capsys):
    """A click error raised while a command runs (a file it could not open) is said once, with
    its own exit code; before, _fail's Exit escaped click and a second "unexpected error"
    line followed, exit 2."""
    from xltools import api

    def refuse(*_):
        raise cli_words.ClickException("\u65e0\u6cd5\u6253\u5f00\u6587\u4ef6")  # 无法打开文件
    monkeypatch.setattr(api, "check", refuse)
    monkeypatch.setattr(sys, "argv", ["xltools", "check", str(tmp_path / "plan.xlsx")])
    from xltools import cli
    with pytest.raises(SystemExit) as stop:
        cli.main()
    said = capsys.readouterr().err
    assert stop.value.code == 1 and said.count("\u9519\u8bef") == 1 and "\u65e0\u6cd5" in said, said
