"""Reminders (issue 7): xltools remind lists who has not reported 2019Q1 (or reported with
错误) and writes the 催报通知 from the editable template and the 催报名单 workbook.

Inbox for make_small_plan(), 2019Q1 (due 2019-04-10): 区发改局 with 3 错误, 区人社局 and
锣场镇 clean, 解放街办's town form, and a 区财政局 form of 2019Q2 (rejected). Owed and not
(acceptably) reported: 区财政局 and 解放街办 季度报表, 锣场镇 镇街指标表.
"""
from __future__ import annotations

import json

import random
from datetime import date

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import make_small_plan
from xltools import api
from xltools.model.glossary import official_marks
from xltools.cli import app
from xltools.planfile import save_plan
from xltools.simulate import fill_report, fill_town, write_received
from xltools.xlsx.writer import workbook_bytes

Q1 = "2019Q1"
runner = CliRunner()



@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remind")
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp / "plan.xlsx")
    inbox = tmp / "inbox"
    bad = fill_report(plan, "区发改局", plan.period(Q1), random.Random(7), mistake="progress-text")
    bad.sheets[0].cells[(6, 5)].value = "进行中"
    bad.sheets[0].cells[(2, 4)].value = None
    write_received(inbox / "发改局.xlsx", workbook_bytes(bad), "2019-04-05T09:00:00")
    for unit in ("区人社局", "锣场镇"):
        wb = fill_report(plan, unit, plan.period(Q1), random.Random(2))
        write_received(inbox / f"{unit}.xlsx", workbook_bytes(wb), "2019-04-06T09:00:00")
    write_received(inbox / "解放街办指标.xlsx", workbook_bytes(fill_town(plan, "解放街办", plan.period(Q1),
                                                               random.Random(3))),
        "2019-04-06T09:00:00")
    q2 = fill_report(plan, "区财政局", plan.period("2019Q2"), random.Random(4))
    write_received(inbox / "财政局.xlsx", workbook_bytes(q2), "2019-04-07T09:00:00")
    db = tmp / "台账.sqlite"
    api.collect([inbox], plan_path, Q1, tmp / "out", db, workers=1)
    return {"tmp": tmp, "plan_path": plan_path, "db": db}


def test_entries_reasons_and_contacts(collected):
    res = api.remind(collected["plan_path"], Q1, collected["db"], collected["tmp"] / "r1",
                     today=date(2019, 4, 12))
    got = [(e.unit, e.form, e.reason) for e in res.entries]
    assert got == [("区财政局", "季度报表", "未报送"), ("解放街办", "季度报表", "未报送"),
                   ("锣场镇", "镇街指标表", "未报送"), ("区发改局", "季度报表", "有错误待修改\uff083 条\uff09")]
    fg = res.entries[-1]
    assert (fg.contact, fg.phone, fg.email, fg.errors) == ("张三", "0716-8880001", "fgj@example.cn", 3)
    assert "1 个文件\uff0c均被退回" in res.entries[0].note
    # the notice: overdue wording, every unit named, the issuer signs
    text = res.notice.read_text(encoding="utf-8-sig")
    assert text == res.text
    assert text.startswith("关于报送2019年《政府工作报告》目标任务第一季度落实情况的催报通知")
    assert "2019年4月10日\uff0c现已逾期" in text and "截至2019年4月12日" in text
    # (the values here carry no marks of their own: the whole line prints official ones)
    for line in ["一、尚未报送的单位(3 个)", "二、报表有错误需修改后重新报送的单位(1 个)",
                 "区发改局(季度报表,错误 3 处),联系人:张三 0716-8880001", "锣场镇(镇街指标表)"]:
        assert official_marks(line) in text and official_marks(line) != line
    assert text.rstrip().endswith("区政府督办室\n2019年4月12日")
    assert "{{" not in text and "{#" not in text


def test_contact_list_workbook(collected):
    res = api.remind(collected["plan_path"], Q1, collected["db"], collected["tmp"] / "r2",
                     today=date(2019, 4, 12))
    assert res.contacts.name == "催报名单_2019年第一季度.xlsx"
    ws = openpyxl.load_workbook(res.contacts)["催报名单"]
    rows = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
    head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "序号")
    assert head[:8] == ("序号", "单位", "应报表单", "责任领导", "联系人", "联系电话", "电子邮箱", "未报原因")
    assert [(r[1], r[7]) for r in rows] == [("区财政局", "未报送"), ("解放街办", "未报送"),
                                            ("锣场镇", "未报送"), ("区发改局", "有错误待修改\uff083 条\uff09")]
    fg = rows[-1]
    assert fg[3:7] == ("李先刚", "张三", "0716-8880001", "fgj@example.cn")
    assert isinstance(fg[5], str)  # a phone number stays text
    assert "截至2019年4月12日" in ws["A2"].value


def test_before_the_deadline_and_own_template(collected, tmp_path):
    own = tmp_path / "我的通知.txt.j2"
    own.write_text("{{ period.name }}:{% for e in missing %}{{ e.unit }}{{ '、' if not loop.last }}"
                   "{% endfor %};还有 {{ days_left }} 天;{{ with_errors|length }}\n", encoding="utf-8")
    res = api.remind(collected["plan_path"], Q1, collected["db"], tmp_path / "o", template=own,
                     today=date(2019, 4, 5))
    assert res.text == "2019年第一季度:区财政局、解放街办、锣场镇;还有 5 天;1\n"
    res = api.remind(collected["plan_path"], Q1, collected["db"], tmp_path / "o2", today=date(2019, 4, 5))
    assert "须于2019年4月10日前报送\uff08还有 5 天\uff09" in res.text and "现已逾期" not in res.text


def test_remind_cli(collected, tmp_path):
    args = ["remind", "--plan", str(collected["plan_path"]), "--period", Q1, "--db",
            str(collected["db"]), "-o", str(tmp_path / "cli")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "未报送 3 个单位,有错误待修改 1 个单位" in res.output and "催报通知:" in res.output
    assert (tmp_path / "cli" / "催报通知_2019年第一季度.txt").is_file()
    res = runner.invoke(app, [*args, "--json"])
    data = json.loads(res.stdout)
    assert data["missing_units"] == ["区财政局", "解放街办", "锣场镇"] and data["error_units"] == ["区发改局"]
    bad = tmp_path / "bad.j2"
    bad.write_text("{{ 没有这个变量 }}", encoding="utf-8")
    res = runner.invoke(app, [*args, "--template", str(bad)])
    assert res.exit_code == 2 and "模板“bad.j2”有误" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, [*args, "--template", str(tmp_path / "nope.j2")])
    assert res.exit_code == 2 and "找不到模板文件" in res.output
    res = runner.invoke(app, ["remind", "--plan", str(collected["plan_path"]), "--period", "2019Q9",
                              "--db", str(collected["db"])])
    assert res.exit_code == 2 and "2019Q9" in res.output


def test_a_town_owing_both_forms_is_one_unit_to_remind(tmp_path):
    """锣场镇 and 解放街办 owe a 季度报表 and a 镇街指标表 each, and sent neither: the notice
    counts four units, not six forms, and names each town once with both forms."""
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox = tmp_path / "inbox"
    wb = fill_report(plan, "区人社局", plan.period(Q1), random.Random(2))
    write_received(inbox / "人社局.xlsx", workbook_bytes(wb), "2019-04-06T09:00:00")
    rep = api.collect([inbox], plan_path, Q1, tmp_path / "out", tmp_path / "db.sqlite", workers=1)
    # the 汇总表 and the HTML report count the same way (before: "共 6 个" units)
    said = official_marks("未报送单位(共 4 个单位、6 份表单)")
    book = openpyxl.load_workbook(rep.summary_book, read_only=True)
    assert [c for r in book["未报送单位"].iter_rows(values_only=True) for c in r
            if isinstance(c, str) and said in c]
    assert said in rep.html.read_text(encoding="utf-8")
    res = api.remind(plan_path, Q1, tmp_path / "db.sqlite", tmp_path / "r", today=date(2019, 4, 12))
    assert len(res.entries) == 6
    assert sorted(res.missing_units) == sorted(["区发改局", "区财政局", "锣场镇", "解放街办"])
    assert official_marks("一、尚未报送的单位(4 个)") in res.text
    assert official_marks("锣场镇(季度报表、镇街指标表)") in res.text
    assert res.text.count("锣场镇") == 1
    ws = openpyxl.load_workbook(res.contacts)["催报名单"]
    assert "未报送 4 个单位" in ws["A2"].value
    out = runner.invoke(app, ["remind", "--plan", str(plan_path), "--period", Q1, "--db",
                              str(tmp_path / "db.sqlite"), "-o", str(tmp_path / "cli")]).output
    assert "未报送 4 个单位" in out


def test_refused_files_are_counted_alike_in_the_summary_and_the_notice():
    """One refused 季度报表 and one whose form could not be told: both documents say 2."""
    from xltools.merge.receipts import ReceiptRow
    from xltools.merge.summary import summarize
    from xltools.model.returns import ACCEPTED, REJECTED
    from xltools.report.remind import remind_entries
    plan = make_small_plan()
    period = plan.period(Q1)
    receipts = [ReceiptRow("a.xlsx", "a.xlsx", "a" * 64, REJECTED, unit="区财政局", kind="report"),
                ReceiptRow("b.xlsx", "b.xlsx", "b" * 64, REJECTED, unit="区财政局"),
                ReceiptRow("c.xlsx", "c.xlsx", "c" * 64, ACCEPTED, unit="区财政局", kind="report"),
                ReceiptRow("d.xlsx", "d.xlsx", "d" * 64, REJECTED, unit="区人社局", kind="town")]
    notes = {e.unit: e.note for e in remind_entries(plan, period, [], receipts) if e.kind == "report"}
    missing = summarize(plan, period, [], receipts).missing
    said = dict(zip(missing["单位"], missing["说明"]))
    assert "收到 2 个文件" in notes["区财政局"] and "收到 2 个文件" in said["区财政局"]
    # a refused town form is no refused 季度报表
    assert "收到" not in notes["区人社局"] and "收到" not in said["区人社局"]
