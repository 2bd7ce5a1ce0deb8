"""What the reports say about each return (issue 14): the stamped copy (盖章件 已收到 /
未收到), what decided a lateness (邮件时间 / 文件时间 / 首次回收时间) and which files are new
in this run: in the 汇总表 (未报送单位 sheet), the 校验报告 (全部问题, 文件清单) and the
HTML report, each opened as written by two real collect runs."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import openpyxl
import pytest

from conftest import make_small_plan
from test_html_report import _tables
from xltools import api
from xltools.planfile import save_plan
from xltools.simulate import fill_report, fill_town, write_received
from xltools.xlsx.writer import workbook_bytes

Q1 = "2019Q1"
ON_TIME = "2019-04-08T09:00:00"
AFTER = "2019-04-15T16:30:00"  # the deadline is 2019-04-10
FUTURE = "2031-01-01T08:00:00"  # a clock gone wrong: the first sight by xltools decides
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _mail(data: bytes, when: datetime) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "czj@example.cn", "报表"
    msg["Date"] = when.strftime("%a, %d %b %Y %H:%M:%S %z")
    msg.set_content("见附件")
    msg.add_attachment(data, maintype="application", subtype="octet-stream", filename="财政局.xlsx")
    return msg.as_bytes()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1: 区发改局 on time with a photo of its stamped copy beside it; 区财政局 by an
    e-mail dated after the deadline (saved on time); 区人社局 a file dated after the
    deadline; 锣场镇 a file dated in the future; town forms on time; 解放街办 missing.
    Run 2: 解放街办's return arrives, nothing else changes."""
    tmp = tmp_path_factory.mktemp("evidence")
    plan = make_small_plan()
    period = plan.period(Q1)
    plan_path = save_plan(plan, tmp / "plan.xlsx")
    rep = {u: workbook_bytes(fill_report(plan, u, period, random.Random(i)))
           for i, u in enumerate(("区发改局", "区财政局", "区人社局", "锣场镇", "解放街办"))}
    inbox = tmp / "inbox"
    write_received(inbox / "区发改局" / "一季度报表.xlsx", rep["区发改局"], ON_TIME)
    write_received(inbox / "区发改局" / "scan0001.jpg", JPG, ON_TIME)
    sent = datetime(2019, 4, 12, 10, tzinfo=timezone(timedelta(hours=8)))
    write_received(inbox / "财政局.eml", _mail(rep["区财政局"], sent), ON_TIME)
    write_received(inbox / "区人社局报表.xlsx", rep["区人社局"], AFTER)
    write_received(inbox / "锣场镇报表.xlsx", rep["锣场镇"], FUTURE)
    for row in plan.town_rows():
        write_received(inbox / f"{row.label}指标.xlsx",
                       workbook_bytes(fill_town(plan, row.label, period, random.Random(1))), ON_TIME)
    args = (plan_path, Q1, tmp / "out", tmp / "db.sqlite")
    first = api.collect([inbox], *args)
    out1 = {"summary": _cells(first.summary_book), "validation": _cells(first.outputs[1]),
            "html": first.html.read_text(encoding="utf-8")}
    write_received(inbox / "解放街办报表.xlsx", rep["解放街办"], ON_TIME)
    second = api.collect([inbox], *args)
    return {"first": first, "out1": out1, "second": second}


def _cells(path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _table(rows: list[list], head: str) -> tuple[dict[str, int], list[list]]:
    """Column index by label and the rows under the header row whose 2nd cell is `head`."""
    i = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == head and r[0] == "序号")
    return {v: j for j, v in enumerate(rows[i]) if v}, rows[i + 1:]


def test_summary_book_says_what_decided_each_lateness_and_whose_stamp_is_missing(runs):
    assert runs["first"].late_units and runs["first"].exit_code == 1
    rows = runs["out1"]["summary"]["未报送单位"]
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("二、逾期报送单位"))
    col, body = _table(rows[start:], "单位")
    assert "判定依据" in col
    late = {r[col["单位"]]: r[col["判定依据"]] for r in body if isinstance(r[0], int)}
    assert late == {"区财政局": "邮件时间", "区人社局": "文件时间", "锣场镇": "首次回收时间"}
    text = [str(v) for r in rows for v in r if v]
    head = next(t for t in text if t.startswith("三、盖章件"))
    assert "已收到 1 个单位\uff0c未收到 4 个" in head, head
    lacking = next(t for t in text if t.startswith("未收到\uff1a"))
    assert set(lacking.split("\uff1a", 1)[1].split("、")) == {"区财政局", "区人社局", "锣场镇", "解放街办"}


def test_validation_book_marks_new_files_and_the_evidence(runs):
    first, second = runs["out1"]["validation"], _cells(runs["second"].outputs[1])
    col, body = _table(first["文件清单"], "文件")
    rows = {r[col["文件"]]: r for r in body if r[0]}
    assert all(r[col["本次\n新收"]] == "新收" for r in rows.values()) and len(rows) == 8
    fz = next(r for k, r in rows.items() if k.endswith("财政局.eml \u203a 财政局.xlsx"))
    assert fz[col["是否\n逾期"]] == "逾期" and "逾期依据\uff1a邮件时间" in fz[col["说明"]]
    assert rows["inbox/区发改局/scan0001.jpg"][col["表单"]] == "盖章件"
    assert not rows["inbox/区发改局/一季度报表.xlsx"][col["说明"]]
    assert "其中本次新收 8 个" in first["全部问题"][1][0]
    assert "盖章件已收到 1 个单位\uff0c未收到 4 个" in first["全部问题"][1][0]
    col, body = _table(second["文件清单"], "文件")
    new = {r[col["文件"]] for r in body if r[0] and r[col["本次\n新收"]] == "新收"}
    assert new == {"inbox/解放街办报表.xlsx"}
    assert "其中本次新收 1 个" in second["全部问题"][1][0]


def test_html_report_shows_stamps_evidence_and_new_files(runs):
    html = runs["out1"]["html"]
    tables = _tables(html)
    late = {r["_unit"]: r["判定依据"] for r in tables["late"] if r["_unit"]}
    assert late == {"区财政局": "邮件时间", "区人社局": "文件时间", "锣场镇": "首次回收时间"}
    stamps = {r["_unit"]: r["盖章件"] for r in tables["stamps"] if r["_unit"]}
    assert stamps == {"区发改局": "已收到", "区财政局": "未收到", "区人社局": "未收到",
                      "锣场镇": "未收到", "解放街办": "未收到"}
    assert "其中本次新收文件 8 个" in html and "盖章件已收到 1 个单位\uff0c未收到 4 个" in html
    assert "逾期\uff08依据\uff1a首次回收时间\uff09" in html
    second = runs["second"].html.read_text(encoding="utf-8")
    assert second.count('data-new="1"') == 1 and second.count('data-new="0"') == 8
    assert "其中本次新收文件 1 个" in second
