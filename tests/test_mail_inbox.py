"""E-mails in the inbox (issue 14): .eml and Outlook .msg are inbox items; their attachments
are taken like a .zip's, the Date header is the time received, the sender is recorded and
compared with the unit's contact e-mail.

The clerk saves the e-mails on 12 April, two days after the deadline (10 April): the files'
mtimes say late, the mails say on time. .eml files are written by the standard library's
email package; .msg files by tests/msg_file.py (no maintained library writes .msg) and read
by extract-msg as Outlook's would be.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import pytest

from conftest import make_small_plan
from msg_file import msg_bytes
from xltools import api
from xltools.collect.intake import intake_run
from xltools.collect.ledger import Ledger
from xltools.model.returns import ACCEPTED, IGNORED
from xltools.planfile import save_plan
from xltools.simulate import fill_report, write_received
from xltools.xlsx.writer import workbook_bytes

Q1 = "2019Q1"
CST = timezone(timedelta(hours=8))
SAVED = "2019-04-12T09:00:00"  # when the clerk saved the mails: after the deadline
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _eml(sender: str, sent: datetime, attachments: list[tuple[str, bytes]]) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "dbs@example.cn", "一季度报表"
    msg["Date"] = sent.strftime("%a, %d %b %Y %H:%M:%S %z")
    msg.set_content("督办室:附件为我单位一季度报表,请查收。")
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype=XLSX.split("/")[1],
                           filename=name)
    return msg.as_bytes()


def _return(plan, unit: str) -> bytes:
    return workbook_bytes(fill_report(plan, unit, plan.period(Q1), random.Random(len(unit))))


@pytest.fixture
def mailbox(tmp_path):
    plan = make_small_plan()
    plan.unit("区财政局").email = "czj@example.cn"
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox = tmp_path / "inbox"
    on_time = datetime(2019, 4, 9, 16, 0, tzinfo=CST)
    late = datetime(2019, 4, 11, 9, 30, tzinfo=CST)
    files = {
        "发改局.eml": _eml("张三 <FGJ@example.cn>", on_time, [("区发改局一季度.xlsx", _return(plan, "区发改局"))]),
        "财政局.eml": _eml("李四 <lisi@qq.com>", on_time, [("财政局报表.xlsx", _return(plan, "区财政局"))]),
        "人社局.msg": msg_bytes("一季度报表", "王五 <rsj@example.cn>", on_time,
                               [("区人社局报表.xlsx", _return(plan, "区人社局"))]),
        "锣场镇.msg": msg_bytes("一季度报表", "赵六 <lc@example.cn>", late,
                               [("锣场镇报表.xlsx", _return(plan, "锣场镇"))]),
    }
    for name, data in files.items():
        write_received(inbox / name, data, SAVED)
    return {"plan": plan, "plan_path": plan_path, "inbox": inbox, "tmp": tmp_path}


def test_mails_are_received_at_their_date_from_their_sender(mailbox, tmp_path):
    res = intake_run([mailbox["inbox"]], tmp_path / "work")
    by = {r.display.rsplit("/", 1)[-1]: r for r in res.received}
    att = by["发改局.eml › 区发改局一季度.xlsx"]
    assert (att.file_type, att.time_source, att.sender) == ("xlsx", "mail", "fgj@example.cn")
    assert datetime.fromisoformat(att.received_at).astimezone(CST).strftime("%m-%d %H:%M") == \
        "04-09 16:00"
    assert by["发改局.eml"].file_type == "mail" and by["人社局.msg"].file_type == "mail"
    msg_att = by["人社局.msg › 区人社局报表.xlsx"]
    assert (msg_att.file_type, msg_att.time_source, msg_att.sender) == ("xlsx", "mail", "rsj@example.cn")
    codes = {(f.file.rsplit("/", 1)[-1], f.code) for f in res.findings}
    assert {("发改局.eml", "mail-extracted"), ("人社局.msg", "mail-extracted")} <= codes


def test_mails_saved_after_the_deadline_are_not_late(mailbox):
    m = mailbox
    rep = api.collect([m["inbox"]], m["plan_path"], Q1, m["tmp"] / "out", m["tmp"] / "db.sqlite",
                      workers=1)
    got = {(f.path.rsplit("/", 1)[-1], f.status, f.unit) for f in rep.files}
    assert {("发改局.eml › 区发改局一季度.xlsx", ACCEPTED, "区发改局"),
            ("财政局.eml › 财政局报表.xlsx", ACCEPTED, "区财政局"),
            ("人社局.msg › 区人社局报表.xlsx", ACCEPTED, "区人社局"),
            ("锣场镇.msg › 锣场镇报表.xlsx", ACCEPTED, "锣场镇"),
            ("发改局.eml", IGNORED, ""), ("人社局.msg", IGNORED, "")} <= got
    assert rep.late_units == ["锣场镇"]  # its mail came on 11 April
    late = [x for f in rep.files for x in f.findings if x.code == "late-return"]
    assert len(late) == 1 and "邮件时间" in late[0].message and "2019-04-11" in late[0].message
    # 区财政局's return came from another address than its registered one: a warning
    mism = [x for f in rep.files for x in f.findings if x.code == "sender-mismatch"]
    assert [(x.unit, x.value) for x in mism] == [("区财政局", "lisi@qq.com")]
    with Ledger(m["tmp"] / "db.sqlite") as ledger:
        senders = {r.unit: (r.received.sender, r.received.time_source)
                   for r in ledger.current(m["plan"].plan_id, Q1)}
    assert senders["区发改局"] == ("fgj@example.cn", "mail")


def test_a_damaged_mail_is_one_finding(tmp_path):
    bad = write_received(tmp_path / "inbox" / "坏邮件.msg",
                         msg_bytes("x", "a <a@b.cn>", datetime(2019, 4, 9, tzinfo=CST), [])[:1536],
                         SAVED)
    (tmp_path / "inbox" / "无日期.eml").write_bytes(
        b"From: a@b.cn\r\nDate: nonsense\r\nSubject: x\r\n\r\nhello")
    res = intake_run([bad.parent], tmp_path / "work")
    got = {f.file.rsplit("/", 1)[-1]: (f.code, f.message) for f in res.findings}
    assert got["坏邮件.msg"][0] == "damaged-file" and "邮件无法解析" in got["坏邮件.msg"][1]
    # a mail without a usable Date keeps the file's time; nothing to take out of it
    undated = next(r for r in res.received if r.name == "无日期.eml")
    assert (undated.file_type, undated.time_source) == ("mail", "file")
    assert got["无日期.eml"][0] == "mail-extracted" and "发送时间 未知" in got["无日期.eml"][1]
