"""Mail on the desk (下发 发送邮件, 回收 收取邮件, 催报 邮件催报) and `collect --mailbox`,
against the local aiosmtpd and dovecot servers of test_mail_send_fetch (its fixtures)."""
from __future__ import annotations

import json
import os
import random
import time
from datetime import datetime
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from test_mail_send_fetch import (CST, PASSWORD, Q1, UNITS, _append, _mail, _no_password_written,
                                  _settings, cert, dovecot, office, smtp_server)  # noqa: F401
from xltools import api
from xltools.app import create_app
from xltools.app.security import CSRF_COOKIE
from xltools.cli import app as cli_app
from xltools.collect.ledger import Ledger
from xltools.model.returns import ACCEPTED
from xltools.planfile import load_plan
from xltools.simulate import fill_report
from xltools.xlsx.writer import workbook_bytes

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NAME = "\u7763\u529e\u5ba4"  # 督办室: the office fixture's folder, a campaign of the workspace
BUTTONS = ("\u53d1\u9001\u90ae\u4ef6", "\u6536\u53d6\u90ae\u4ef6", "\u90ae\u4ef6\u50ac\u62a5")  # 发送邮件 收取邮件 邮件催报


def _url(*parts: str) -> str:
    return "/c/" + "/".join(quote(p) for p in (NAME, *parts))


def _desk(office) -> TestClient:
    client = TestClient(create_app(office.parent.parent), raise_server_exceptions=False)
    client.get("/")  # the CSRF cookie
    return client


def _post(client: TestClient, url: str, data: dict | None = None, **kw):
    return client.post(url, data={"csrf": client.cookies[CSRF_COOKIE], **(data or {})}, **kw)


def _finish(client: TestClient) -> dict:
    for _ in range(1500):
        job = client.get(_url("job") + ".json").json()["job"]
        if job["state"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError(job)


def _filled(plan_path, unit: str) -> bytes:
    """The unit's 季度报表 of 2019Q1 with every fill-in cell set."""
    plan = load_plan(plan_path).value
    return workbook_bytes(fill_report(plan, unit, plan.period(Q1), random.Random(len(unit))))


def _local(when: datetime) -> str:
    """A mail's Date as the ledger keeps it: this computer's local time."""
    return when.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")


def _pages(client: TestClient) -> str:
    return "".join(client.get(u).text for u in (_url("issue"), _url("collect", Q1), _url("remind", Q1)))


def test_no_mail_buttons_without_settings(office):
    client = _desk(office)
    html = _pages(client)
    assert "\u62a5\u9001\u5468\u671f" in html  # 报送周期: the 下发 page is there
    assert not any(b in html for b in BUTTONS)
    assert client.get(_url("issue") + ".json").json()["mail"] == {"smtp": False, "imap": False,
                                                                 "problem": ""}
    # posted anyway: one clear message, nothing sent
    res = _post(client, _url("issue", "send") + ".json", {"period": Q1})
    assert res.status_code == 400 and "SMTP" in res.json()["error"], res.text


def test_without_a_password_the_page_says_how_to_set_one(office, tmp_path, monkeypatch):
    _settings(office, ["cert", "key", "AB:CD"], ("127.0.0.1", 1), ("127.0.0.1", 1))
    monkeypatch.delenv("XLTOOLS_MAIL_PASSWORD")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `keyring` command either
    client = _desk(office)
    html = _pages(client)
    assert not any(b in html for b in BUTTONS)
    assert "XLTOOLS_MAIL_PASSWORD" in html and "keyring set xltools" in html
    mail = client.get(_url("collect", Q1) + ".json").json()["mail"]
    assert not mail["smtp"] and "\u91cd\u65b0\u542f\u52a8\u5de5\u4f5c\u53f0" in mail["problem"]  # 重新启动工作台
    res = _post(client, _url("collect", Q1, "fetch") + ".json")
    assert res.status_code == 400 and "XLTOOLS_MAIL_PASSWORD" in res.json()["error"]
    assert client.get(_url("job") + ".json").json()["job"] is None  # no job started


def test_the_desk_sends_fetches_and_reminds_by_mail(office, cert, smtp_server, dovecot):
    host, port, handler = smtp_server
    _settings(office, cert, (host, port), dovecot)
    handler.messages.clear()
    client = _desk(office)
    html = client.get(_url("issue")).text
    assert BUTTONS[0] in html and f'action="{_url("issue", "send")}"' in html
    assert BUTTONS[1] in client.get(_url("collect", Q1)).text

    # without the CSRF token: refused, nothing sent
    res = client.post(_url("issue", "send"), data={"period": Q1})
    assert res.status_code == 403 and not handler.messages
    # 发送邮件: one message per unit with an address; the others listed; the page says so
    page = _post(client, _url("issue", "send"), {"period": Q1})
    assert page.status_code == 200 and "\u90ae\u4ef6\u53d1\u9001\u7ed3\u679c" in page.text  # 邮件发送结果
    assert sorted(r[1][0] for r in handler.messages) == sorted(UNITS.values())
    again = _post(client, _url("issue", "send") + ".json", {"period": Q1}).json()["sent"]
    assert not again["sent"] and sorted(again["already_sent"]) == sorted(UNITS)
    assert again["no_address"] and not set(again["no_address"]) & set(UNITS)
    assert len(handler.messages) == len(UNITS)

    # 收取邮件: a unit's return arrives by mail; fetched and collected as a job
    sent = datetime(2019, 3, 28, 16, 30, tzinfo=CST)
    _append(dovecot, _mail(f"<{UNITS['区发改局']}>", sent,
                           [("发改局.xlsx", _filled(office, "区发改局"))]))
    started = _post(client, _url("collect", Q1, "fetch") + ".json")
    assert started.status_code == 202, started.text
    job = _finish(client)
    assert job["state"] == "done", job
    assert [m["sender"] for m in job["result"]["messages"]] == [UNITS["区发改局"]]
    board = client.get(_url("collect", Q1) + ".json").json()
    row = next(u for u in board["units"] if u["unit"] == "区发改局")
    assert row["status"] == "\u5df2\u62a5" and row["received_at"] == _local(sent)
    assert "\u6536\u5230\u65b0\u90ae\u4ef6 1 \u5c01" in client.get(_url("collect", Q1)).text  # 收到新邮件 1 封
    _post(client, _url("collect", Q1, "fetch"))
    assert _finish(client)["result"]["messages"] == []  # nothing fetched twice

    # 邮件催报: the units that still owe, with an address
    owing = {e.unit for e in api.remind(office, Q1, write=False).entries} & set(UNITS)
    assert "区财政局" in owing
    handler.messages.clear()
    assert BUTTONS[2] in client.get(_url("remind", Q1)).text
    rep = _post(client, _url("remind", Q1, "send") + ".json").json()["sent"]
    assert sorted(r["unit"] for r in rep["sent"]) == sorted(owing)
    assert sorted(r[1][0] for r in handler.messages) == sorted(UNITS[u] for u in owing)
    _no_password_written(office.parent)


def test_collect_mailbox_fetches_then_collects_with_the_inbox(office, cert, dovecot, tmp_path):
    _settings(office, cert, imap=dovecot)
    out, inbox = tmp_path / "out", tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "财政局.xlsx").write_bytes(_filled(office, "区财政局"))
    sent = datetime(2019, 3, 28, 16, 30, tzinfo=CST)
    _append(dovecot, _mail(f"<{UNITS['区发改局']}>", sent,
                           [("发改局.xlsx", _filled(office, "区发改局"))]))
    run = CliRunner()
    args = ["collect", "--plan", str(office), "--period", Q1, "-o", str(out), "--json"]
    res = run.invoke(cli_app, [*args, str(inbox), "--mailbox"])
    rep = json.loads(res.stdout)
    assert [m["sender"] for m in rep["mail"]["messages"]] == [UNITS["区发改局"]], res.output
    with Ledger(office.parent / "台账.sqlite") as ledger:
        got = {r.unit: r for r in ledger.receipts(load_plan(office).value.plan_id, Q1)
               if r.status == ACCEPTED}
    assert set(got) == {"区发改局", "区财政局"}
    assert got["区发改局"].received_at == _local(sent)  # the mail's Date
    # again, mailbox only: nothing new fetched, the period still summarized
    res = run.invoke(cli_app, [*args, "--mailbox"])
    rep = json.loads(res.stdout)
    assert rep["mail"]["messages"] == [] and rep["outputs"] and all(os.path.isfile(p) for p in rep["outputs"])
    # neither files nor --mailbox: one clear message
    res = run.invoke(cli_app, args[:-1])
    assert res.exit_code != 0 and "--mailbox" in res.output
    _no_password_written(office.parent)
