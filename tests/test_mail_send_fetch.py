"""Mail in and out (issue 19) against real servers started here on localhost: SMTP by
aiosmtpd (implicit TLS, AUTH), IMAP by Debian's dovecot (a throw-away instance: passwd-file,
maildir in a temporary folder, foreground; installed by .ci/run, needs root).

Both servers use a self-signed certificate, as an intranet 政务邮箱 does: xltools accepts it
only by its pinned sha256 fingerprint. The 2019Q1 deadline of the demo plan is 2019-03-31.
"""
from __future__ import annotations

import hashlib
import imaplib
import json
import os
import random
import shutil
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr
from pathlib import Path

import pytest

from conftest import EXAMPLE, SHARED_TOOLS, free_port, needs_office
from xltools import api
from xltools.collect.ledger import Ledger
from xltools.collect.limits import Limits
from xltools.generate import form_jobs, job_filename
from xltools.mail.fetch import imap_utf7
from xltools.mail.records import sent_messages
from xltools.mail.settings import MailError
from xltools.mail.transport import fingerprint
from xltools.model.returns import ACCEPTED
from xltools.planfile import load_plan, save_plan

# the test server requires AUTH on an implicitly TLS-wrapped port, which aiosmtpd cannot see
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
Q1 = "2019Q1"
CST = timezone(timedelta(hours=8))
USER, PASSWORD = "dbs@example.cn", "Pw-7f3k-q9ZZ"
UNITS = {"区发改局": "fgj@example.cn", "区财政局": "czj@example.cn",
         "区人社局": "rsj@example.cn", "锣场镇": "lcz@example.cn"}
XLSX = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    """A self-signed certificate (key, cert, sha256 fingerprint of its DER form)."""
    d = tmp_path_factory.mktemp("cert")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=mail.example.cn", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem")], check=True, capture_output=True)
    der = ssl.PEM_cert_to_DER_cert((d / "cert.pem").read_text())
    return d / "key.pem", d / "cert.pem", fingerprint(der)


@pytest.fixture(scope="module")
def smtp_server(cert):
    """aiosmtpd on localhost with implicit TLS and AUTH (USER / PASSWORD); .messages."""
    controller_mod = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd 未安装(pip install aiosmtpd)")
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Handler:
        messages: list = []
        logins: list = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    def auth(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login.decode() == USER \
            and data.password.decode() == PASSWORD
        Handler.logins.append(ok)
        return AuthResult(success=ok, handled=False)

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert[1]), str(cert[0]))
    handler = Handler()
    ctl = controller_mod.Controller(handler, hostname="127.0.0.1", port=free_port(),
                                    ssl_context=ctx, authenticator=auth, auth_required=True,
                                    auth_require_tls=False)
    ctl.start()
    yield ctl.hostname, ctl.port, handler
    ctl.stop()


DOVECOT_CONF = """protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_uid = dovecot
mail_gid = dovecot
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/passwd
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
"""


@pytest.fixture
def dovecot(cert):
    """A throw-away dovecot (IMAPS) with one mailbox USER / PASSWORD; (host, port)."""
    exe = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if exe is None:
        pytest.skip("dovecot 未安装(apt-get install dovecot-imapd,见 .ci/run)")
    if os.geteuid() != 0:
        pytest.skip("dovecot 的测试实例需要以 root 启动(CI 中如此)")
    # not under tmp_path: dovecot's own users must reach the maildir and the certificate
    d = Path(tempfile.mkdtemp(prefix="xltools-dovecot-"))
    os.chmod(d, 0o755)
    key, crt = d / "key.pem", d / "cert.pem"
    shutil.copy(cert[0], key), shutil.copy(cert[1], crt)
    (d / "mail").mkdir()
    (d / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::{d}/mail/dbs\n")
    shutil.chown(d / "mail", "dovecot", "dovecot")
    port = free_port()
    (d / "dovecot.conf").write_text(DOVECOT_CONF.format(d=d, cert=crt, key=key, port=port))
    proc = subprocess.Popen([exe, "-F", "-c", str(d / "dovecot.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"dovecot 未能启动:{proc.stderr.read().decode()[-1000:]}")
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail(f"dovecot 未开始监听:{(d / 'dovecot.log').read_text(errors='replace')[-1000:]}")
    yield "127.0.0.1", port
    proc.terminate()
    proc.wait(timeout=20)
    shutil.rmtree(d, ignore_errors=True)


def _imap(host: str, port: int) -> imaplib.IMAP4_SSL:
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    conn = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
    conn.login(USER, PASSWORD)
    return conn


def _append(server, raw: bytes, folder: str = "INBOX", arrived: datetime | None = None) -> None:
    """A message arrives in the office's mailbox (as the units' mail servers deliver it)."""
    conn = _imap(*server)
    try:
        typ, _ = conn.append(imap_utf7(folder), None, arrived and imaplib.Time2Internaldate(arrived), raw)
        assert typ == "OK"
    finally:
        conn.logout()


def _count(server, folder: str) -> int:
    conn = _imap(*server)
    try:
        typ, data = conn.select(imap_utf7(folder), readonly=True)
        return int(data[0]) if typ == "OK" else -1
    finally:
        conn.logout()


def _mail(sender: str, sent: datetime, attachments: list[tuple[str, bytes]],
          reply_to: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, USER, "回复:一季度报表"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<{sent.timestamp():.0f}.{random.random():.8f}@units.example.cn>"
    if reply_to:
        msg["In-Reply-To"] = msg["References"] = reply_to
    msg.set_content("督办室:附件为我单位报表,请查收。")
    for name, data in attachments:
        ctype = XLSX if name.endswith(".xlsx") else "octet-stream"
        msg.add_attachment(data, maintype="application", subtype=ctype, filename=name)
    return msg.as_bytes()


@pytest.fixture
def office(tmp_path, monkeypatch):
    """The demo plan with four units' e-mail addresses, in its own folder."""
    plan = load_plan(EXAMPLE / "plan.xlsx").value
    for name, email in UNITS.items():
        plan.unit(name).email = email
    folder = tmp_path / "督办室"
    folder.mkdir()
    monkeypatch.setenv("XLTOOLS_MAIL_PASSWORD", PASSWORD)
    return save_plan(plan, folder / "plan.xlsx")


def _settings(plan_path: Path, cert, smtp=None, imap=None) -> None:
    """xltools.toml beside the plan, as the README shows it (servers pinned)."""
    lines = ["[mail]", f'user = "{USER}"', 'name = "沙市区人民政府督办室"',
             'phone = "0716-8888888"', "timeout = 10"]
    for section, server in (("smtp", smtp), ("imap", imap)):
        if server:
            lines += [f"[mail.{section}]", f'host = "{server[0]}"', f"port = {server[1]}",
                      'security = "ssl"', f'fingerprint = "{cert[2]}"']
    (plan_path.parent / "xltools.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _attachments(raw: bytes) -> dict[str, bytes]:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    return {p.get_filename(): p.get_payload(decode=True) for p in msg.iter_attachments()}


def _forms_of(plan, unit: str) -> set[str]:
    """What the unit must get for 2019Q1 (the first period: its 办理方案 too)."""
    return {Path(job_filename(plan, j)).name for j in form_jobs(plan, [plan.period(Q1)])
            if j.unit == unit}


def _no_password_written(root: Path) -> None:
    """No file under root holds the password, in any encoding xltools might use."""
    needles = [PASSWORD.encode(e) for e in ("utf-8", "utf-16-le")]
    for p in root.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert not any(n in data for n in needles), f"password found in {p}"


def _fill_returns(tmp_path: Path, units: list[str]) -> dict[str, bytes]:
    """The units' returns: their 季度报表 (as mailed) with every fill-in cell set
    (simulate.fill_report), then opened, edited and saved by LibreOffice as a person would
    (../shared/tools/fill_like_user.py)."""
    from xltools.simulate import fill_report
    from xltools.xlsx.writer import workbook_bytes
    plan = load_plan(EXAMPLE / "plan.xlsx").value
    jobs, outs = [], {}
    for unit in units:
        src = tmp_path / "filled" / f"{unit}.xlsx"
        src.parent.mkdir(exist_ok=True)
        src.write_bytes(workbook_bytes(fill_report(plan, unit, plan.period(Q1),
                                                   random.Random(len(unit)))))
        outs[unit] = tmp_path / "lo" / f"{unit}.xlsx"
        jobs.append({"input": str(src), "edits": [{"sheet": "季度报表", "cell": "E3", "value": "张三"}],
                     "output": [str(outs[unit])]})
    (tmp_path / "lo").mkdir()
    (tmp_path / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(SHARED_TOOLS / "fill_like_user.py"), "--batch",
                           str(tmp_path / "jobs.json")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {u: p.read_bytes() for u, p in outs.items()}


@needs_office
def test_send_then_fetch_the_returns(office, cert, smtp_server, dovecot, tmp_path):
    host, port, handler = smtp_server
    _settings(office, cert, (host, port), dovecot)
    handler.messages.clear()
    plan = load_plan(office).value
    db = office.parent / "台账.sqlite"

    rep = api.send(office, Q1)
    assert sorted(r.unit for r in rep.sent) == sorted(UNITS)
    owing = {j.unit for j in form_jobs(plan, [plan.period(Q1)])}
    assert sorted(rep.no_address) == sorted(owing - set(UNITS)) and not rep.refused
    # the messages arrived: one per unit, to its address, carrying exactly its forms
    arrived = {}
    for mail_from, rcpts, raw in handler.messages:
        assert mail_from == USER and len(rcpts) == 1
        arrived[rcpts[0]] = raw
    assert set(arrived) == set(UNITS.values())
    with Ledger(db) as ledger:
        sent = {r.unit: r for r in sent_messages(ledger, plan.plan_id)}
    for unit, email in UNITS.items():
        got = _attachments(arrived[email])
        assert set(got) == _forms_of(plan, unit)
        msg = BytesParser(policy=policy.default).parsebytes(arrived[email])
        assert str(msg["Message-ID"]) == sent[unit].message_id and "沙市区人民政府督办室" in str(msg["From"])
        body = msg.get_body(("plain",)).get_content()
        assert "2019年3月31日" in body and "0716-8888888" in body  # the deadline, the office's phone
        assert {a["name"]: a["sha256"] for a in sent[unit].attachments} == \
            {n: hashlib.sha256(b).hexdigest() for n, b in got.items()}
    # resumable: a re-run sends nothing again
    again = api.send(office, Q1)
    assert not again.sent and sorted(again.already) == sorted(UNITS)
    assert len(handler.messages) == len(UNITS)

    # the units answer: 区发改局 replies on time, 区财政局 late, 区人社局's form from a stranger
    returns = _fill_returns(tmp_path, ["区发改局", "区财政局", "区人社局"])
    reply_date = datetime(2019, 3, 28, 16, 30, tzinfo=CST)
    late_date = datetime(2019, 4, 3, 9, 15, tzinfo=CST)
    _append(dovecot, _mail(f"张三 <{UNITS['区发改局']}>", reply_date,
                           [("区发改局一季度.xlsx", returns["区发改局"])], sent["区发改局"].message_id))
    _append(dovecot, _mail(f"李四 <{UNITS['区财政局']}>", late_date,
                           [("财政局报表.xlsx", returns["区财政局"])]))
    _append(dovecot, _mail("王五 <wangwu@qq.com>", reply_date,
                           [("人社局.xlsx", returns["区人社局"])]))

    out = tmp_path / "汇总"
    got = api.fetch(office, Q1, out_dir=out)
    assert len(got.messages) == 3
    by_sender = {m.sender: m for m in got.messages}
    assert by_sender[UNITS["区发改局"]].unit == "区发改局"
    assert by_sender["wangwu@qq.com"].unit == ""
    codes = {(f.code, f.value or f.unit) for f in got.findings}
    assert ("mail-reply", "区发改局") in codes and ("mail-from-stranger", "wangwu@qq.com") in codes
    col = got.collected
    files = {f.unit: f for f in col.files if f.unit}
    assert {u: f.status for u, f in files.items()} == {u: ACCEPTED for u in
                                                      ("区发改局", "区财政局", "区人社局")}
    assert col.late_units == ["区财政局"]
    assert any(f.code == "sender-mismatch" for f in files["区人社局"].findings)
    with Ledger(db) as ledger:
        receipts = {r.unit: r for r in ledger.receipts(plan.plan_id, Q1) if r.unit}
        n_receipts = len(ledger.receipts(plan.plan_id, Q1))
        fetched = ledger.conn.execute("SELECT * FROM mail_fetched ORDER BY id").fetchall()
    assert receipts["区发改局"].received_at == reply_date.astimezone().replace(tzinfo=None) \
        .isoformat(timespec="seconds")
    assert receipts["区财政局"].late and not receipts["区发改局"].late
    # each message archived whole beside the ledger
    for m in fetched:
        raw = Path(m["archived"]).read_bytes()
        assert Path(m["archived"]).is_relative_to(db.with_name("台账_archive"))
        assert hashlib.sha256(raw).hexdigest() == m["sha256"]
    assert len(fetched) == 3

    # a second fetch records nothing new
    second = api.fetch(office, Q1, out_dir=out)
    assert not second.messages and second.collected is None
    with Ledger(db) as ledger:
        assert ledger.conn.execute("SELECT count(*) FROM mail_fetched").fetchone()[0] == 3
        assert len(ledger.receipts(plan.plan_id, Q1)) == n_receipts
    # a resubmission arrives; fetched and moved to 已回收 (nothing deleted)
    _append(dovecot, _mail(f"张三 <{UNITS['区发改局']}>", reply_date + timedelta(days=1),
                           [("区发改局一季度(修改).xlsx", returns["区发改局"])]))
    third = api.fetch(office, Q1, out_dir=out, move_to="已回收")
    assert len(third.messages) == 1 and not third.move_problem
    assert _count(dovecot, "INBOX") == 3 and _count(dovecot, "已回收") == 1
    _no_password_written(tmp_path)


def test_dry_run_writes_one_eml_per_unit_that_collect_credits_to_it(office, tmp_path):
    from typer.testing import CliRunner
    from xltools.cli import app
    plan = load_plan(office).value
    res = CliRunner().invoke(app, ["send", "--plan", str(office), "--period", Q1, "--dry-run",
                                   "-o", str(tmp_path / "发件箱"), "--json"])
    assert res.exit_code == 1, res.output  # units without an address need the clerk
    rep = json.loads(res.stdout)
    written = [Path(p) for p in rep["written"]]
    assert sorted(p.stem.split("_")[0] for p in written) == sorted(UNITS)
    assert "区编办" in rep["no_address"] and not rep["sent"]
    for p in written:
        msg = BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        unit = p.stem.split("_")[0]
        assert parseaddr(str(msg["To"]))[1] == UNITS[unit]
        assert {a.get_filename() for a in msg.iter_attachments()} == _forms_of(plan, unit)
        assert {a.get_content_type() for a in msg.iter_attachments()} == {f"application/{XLSX}"}
    # fed back to collect as .eml, each form is recognised as that unit's
    col = api.collect([tmp_path / "发件箱"], office, Q1, tmp_path / "out", tmp_path / "l.sqlite",
                      workers=1)
    credited = set()
    for f in col.files:
        mail, _, name = f.path.partition(" \u203a ")
        if name:
            assert f.unit == Path(mail).name.split("_")[0], f.path
            credited.add((f.unit, name))
    assert credited == {(u, n) for u in UNITS for n in _forms_of(plan, u)}
    assert not (office.parent / "台账.sqlite").exists()  # a dry run records nothing
    _no_password_written(tmp_path)


def _ledger_rows(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_wrong_password_down_server_and_wrong_certificate_are_one_clear_message(
        office, cert, smtp_server, monkeypatch):
    host, port, handler = smtp_server
    db = office.parent / "台账.sqlite"
    _settings(office, cert, (host, port))
    handler.messages.clear()
    monkeypatch.setenv("XLTOOLS_MAIL_PASSWORD", "not-the-password")
    with pytest.raises(MailError, match="拒绝登录"):
        api.send(office, Q1)
    monkeypatch.setenv("XLTOOLS_MAIL_PASSWORD", PASSWORD)
    with pytest.raises(MailError, match="无法连接"):
        api.send(office, Q1, mail={"smtp_port": free_port()})
    logins = len(handler.logins)
    with pytest.raises(MailError, match="证书指纹.*未发送密码"):
        api.send(office, Q1, mail={"smtp_fingerprint": "AB:" * 31 + "AB"})
    with pytest.raises(MailError, match="证书无法验证"):  # not pinned: verified, and refused
        api.send(office, Q1, mail={"smtp_fingerprint": ""})
    assert len(handler.logins) == logins  # no password went to an unverified server
    assert not handler.messages and _ledger_rows(db, "mail_sent") == 0
    # the CLI prints it as one line, no traceback
    from typer.testing import CliRunner
    from xltools.cli import app
    res = CliRunner().invoke(app, ["send", "--plan", str(office), "--period", Q1,
                                   "--smtp-port", str(free_port())])
    assert res.exit_code == 2 and "无法连接" in res.output and "Traceback" not in res.output


def test_fetch_failures_and_hostile_messages(office, cert, dovecot, tmp_path, monkeypatch):
    db = office.parent / "台账.sqlite"
    _settings(office, cert, imap=dovecot)
    monkeypatch.setenv("XLTOOLS_MAIL_PASSWORD", "wrong")
    with pytest.raises(MailError, match="拒绝登录"):
        api.fetch(office, Q1)
    monkeypatch.setenv("XLTOOLS_MAIL_PASSWORD", PASSWORD)
    with pytest.raises(MailError, match="证书指纹"):
        api.fetch(office, Q1, mail={"imap_fingerprint": "00" * 32})
    with pytest.raises(MailError, match="无法连接"):
        api.fetch(office, Q1, mail={"imap_port": free_port()})
    assert _ledger_rows(db, "mail_fetched") == 0
    # 200 attachments, and an attached zip bomb: the inbox's limits and findings
    when = datetime(2019, 3, 20, 10, 0, tzinfo=CST)
    _append(dovecot, _mail("x@example.org", when,
                           [(f"附件{i}.txt", b"x") for i in range(200)]))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("报表.xlsx", b"\0" * (40 * 1024 * 1024))
    _append(dovecot, _mail(UNITS["区发改局"], when, [("报表.zip", bomb.read_bytes())]))
    # a letter without attachments; and last year's mail, which fetch leaves alone
    _append(dovecot, _mail("x@example.org", when, []))
    _append(dovecot, _mail(UNITS["区发改局"], when - timedelta(days=200), [("旧.xlsx", b"x")]),
            arrived=datetime(2018, 9, 1, tzinfo=CST))
    got = api.fetch(office, Q1, out_dir=tmp_path / "out", limits=Limits(max_members=150))
    assert len(got.messages) == 3 and got.letters == 1
    assert not any(m.sender == UNITS["区发改局"] and m.sent < "2019" for m in got.messages)
    codes = {f.code for f in got.collected.files for f in f.findings}
    assert {"zip-too-many-members", "zip-bomb"} <= codes
    assert _ledger_rows(db, "mail_fetched") == 3
    from typer.testing import CliRunner
    from xltools.cli import app
    args = ["fetch", "--plan", str(office), "--period", Q1, "-o", str(tmp_path / "out")]
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["messages"] == [], res.output
    # a new mail is collected and units still owe returns: exit 1, with --json as without it
    # (and as collect --json); before, fetch --json said 0
    _append(dovecot, _mail("x@example.org", when, [("说明.txt", b"x")]))
    res = CliRunner().invoke(app, [*args, "--json"])
    got = json.loads(res.stdout)
    assert len(got["messages"]) == 1 and got["collect"]["exit_code"] == 1, res.output
    assert res.exit_code == 1
    _no_password_written(tmp_path)


def test_settings_refuse_a_password_in_the_file_and_plain_is_only_when_asked(office):
    toml = office.parent / "xltools.toml"
    toml.write_text('[mail.smtp]\nhost = "a"\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(MailError, match="不读取文件中的密码"):
        api.mail_settings(office)
    toml.write_text('[mail.smtp]\nhost = "smtp.example.cn"\n', encoding="utf-8")
    s = api.mail_settings(office)
    assert (s.smtp_security, s.port("smtp")) == ("ssl", 465)
    s = api.mail_settings(office, smtp_security="none")
    assert (s.smtp_security, s.port("smtp")) == ("none", 25)
    with pytest.raises(MailError, match="加密方式"):
        api.mail_settings(office, smtp_security="tls1")
    with pytest.raises(api.PlanFileError, match="没有单位“区不存在局”"):
        api.send(office, Q1, units=["区不存在局"], dry_run=office.parent / "x")
    assert imap_utf7("已回收") == '"&XfJW3mU2-"' and imap_utf7("A&B") == '"A&-B"'


def test_feedback_and_reminders_go_to_the_units_that_owe_them(office, cert, smtp_server, tmp_path):
    from xltools.simulate import fill_report
    from xltools.xlsx.writer import workbook_bytes
    host, port, handler = smtp_server
    _settings(office, cert, (host, port))
    handler.messages.clear()
    plan = load_plan(office).value
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # 区发改局 reports with a typical mistake, 区财政局 cleanly; the others do not report
    for unit, mistake in (("区发改局", "bad-status"), ("区财政局", "")):
        wb = fill_report(plan, unit, plan.period(Q1), random.Random(1), mistake)
        (inbox / f"{unit}.xlsx").write_bytes(workbook_bytes(wb))
    col = api.collect([inbox], office, Q1, tmp_path / "out", workers=1)
    written: dict[str, set[str]] = {}  # what collect wrote into out/反馈/<unit>/
    for p in col.feedback:
        written.setdefault(p.parent.name, set()).add(p.name)
    assert "区发改局" in written

    fb = api.send(office, Q1, feedback=True)
    assert sorted(r.unit for r in fb.sent) == sorted(written)
    for _, rcpts, raw in handler.messages:
        unit = next(u for u, e in UNITS.items() if rcpts == [e])
        assert set(_attachments(raw)) == written[unit]
        assert "退回修改" in str(BytesParser(policy=policy.default).parsebytes(raw)["Subject"])
    assert not api.send(office, Q1, feedback=True).sent  # the same copies: not again

    handler.messages.clear()
    rem = api.remind_send(office, Q1)
    owing = {"区人社局", "锣场镇"} | {"区发改局"}  # missing, and with 错误
    assert {r.unit for r in rem.sent} == owing and "区编办" in rem.no_address
    assert {r[1][0] for r in handler.messages} == {UNITS[u] for u in owing}
    from typer.testing import CliRunner
    from xltools.cli import app
    res = CliRunner().invoke(app, ["remind", "--plan", str(office), "--period", Q1, "-o",
                                   str(tmp_path / "out"), "--send", "--json"])
    assert json.loads(res.stdout)["send"]["sent"] == [] and res.exit_code == 1  # once a day
    assert len(handler.messages) == len(owing)
    with Ledger(office.parent / "台账.sqlite") as ledger:
        purposes = [r.purpose for r in sent_messages(ledger)]
    assert purposes.count("feedback") == len(written) and purposes.count("remind") == len(owing)
    _no_password_written(tmp_path)


def test_a_unit_exempt_from_the_period_is_not_mailed_a_reminder(office, tmp_path):
    """remind --send mails the units the 催报名单 lists: one marked 免报 gets nothing."""
    from xltools.simulate import fill_report
    from xltools.xlsx.writer import workbook_bytes

    plan = load_plan(office).value
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb = fill_report(plan, "区财政局", plan.period(Q1), random.Random(1))
    (inbox / "区财政局.xlsx").write_bytes(workbook_bytes(wb))
    api.collect([inbox], office, Q1, tmp_path / "out", workers=1)
    api.exempt(office, Q1, "区人社局", reason="机构调整")
    listed = {e.unit for e in api.remind(office, Q1, write=False).entries}
    assert "区人社局" not in listed and "锣场镇" in listed
    rem = api.remind_send(office, Q1, dry_run=tmp_path / "eml")
    mailed = {p.name.split("_")[0] for p in rem.written}
    assert mailed and mailed == listed - set(rem.no_address)


def test_password_from_the_environment_the_keyring_command_or_nowhere(office, tmp_path,
                                                                      monkeypatch):
    from xltools.mail.settings import password
    s = api.mail_settings(office, user=USER)
    assert password(api.mail_settings(office)) is None  # no user: no login, no password
    assert password(s) == PASSWORD  # $XLTOOLS_MAIL_PASSWORD (the office fixture)
    monkeypatch.delenv("XLTOOLS_MAIL_PASSWORD")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MailError, match="未安装 keyring"):
        password(s, prompt=False)
    fake = tmp_path / "keyring"  # the keyring package's command, answering for our account
    fake.write_text(f"#!/bin/sh\n[ \"$1 $2 $3\" = \"get xltools {USER}\" ] && echo 'from-keyring'\n")
    fake.chmod(0o755)
    assert password(s, prompt=False) == "from-keyring"
    with pytest.raises(MailError, match="钥匙串中没有"):
        password(api.mail_settings(office, user="other@example.cn"), prompt=False)


def test_starttls_is_pinned_too_and_plain_only_when_asked(office, cert, tmp_path):
    """An intranet server on port 587 with STARTTLS: the pin is checked after the upgrade."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    got = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append(envelope.rcpt_tos)
            return "250 OK"

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert[1]), str(cert[0]))
    ctl = Controller(Handler(), hostname="127.0.0.1", port=free_port(), tls_context=ctx,
                     require_starttls=True, auth_required=True,
                     authenticator=lambda *a: AuthResult(success=True, handled=False))
    ctl.start()
    try:
        mail = {"smtp_host": ctl.hostname, "smtp_port": ctl.port, "smtp_security": "starttls",
                "smtp_fingerprint": cert[2], "user": USER, "mail_from": USER}
        rep = api.send(office, Q1, units=["区发改局"], mail=mail)
        assert [r.unit for r in rep.sent] == ["区发改局"] and got == [[UNITS["区发改局"]]]
        with pytest.raises(MailError, match="证书指纹"):
            api.send(office, Q1, units=["区财政局"], mail={**mail, "smtp_fingerprint": "00" * 32})
        with pytest.raises(MailError, match="不支持.*starttls"):  # it wants STARTTLS first
            api.send(office, Q1, units=["区财政局"], mail={**mail, "smtp_security": "none"})
        assert len(got) == 1
    finally:
        ctl.stop()
