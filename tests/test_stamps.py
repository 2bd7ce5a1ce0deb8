"""The stamped copy (盖章件, issue 14): a PDF or photo beside a return — same e-mail, same
.zip, same folder — or named for a unit is archived and recorded as that unit's stamped copy
for the period, shown in collect and status, never reported as an unsupported file."""
from __future__ import annotations

import io
import json
import random
import zipfile
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

from typer.testing import CliRunner

from conftest import make_small_plan
from xltools.cli import app
from xltools.collect.ledger import Ledger
from xltools.planfile import save_plan
from xltools.simulate import fill_report, fill_town, write_received
from xltools.xlsx.writer import workbook_bytes

Q1 = "2019Q1"
ON_TIME = "2019-04-08T09:00:00"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _inbox(tmp_path: Path, plan) -> Path:
    inbox = tmp_path / "inbox"
    rep = {u: workbook_bytes(fill_report(plan, u, plan.period(Q1), random.Random(i)))
           for i, u in enumerate(("区发改局", "区财政局", "区人社局", "锣场镇", "解放街办"))}
    # same folder
    write_received(inbox / "区发改局" / "一季度报表.xlsx", rep["区发改局"], ON_TIME)
    write_received(inbox / "区发改局" / "scan0001.jpg", JPG, ON_TIME)
    # same zip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in (("报表.xlsx", rep["区人社局"]), ("盖章.pdf", PDF)):
            z.writestr(zipfile.ZipInfo(name, (2019, 4, 8, 9, 0, 0)), data)
    write_received(inbox / "人社局.zip", buf.getvalue(), ON_TIME)
    # same e-mail
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "czj@example.cn", "报表"
    msg["Date"] = datetime(2019, 4, 9, 10, tzinfo=timezone(timedelta(hours=8))).strftime(
        "%a, %d %b %Y %H:%M:%S %z")
    msg.set_content("见附件")
    msg.add_attachment(rep["区财政局"], maintype="application", subtype="octet-stream",
                       filename="财政局.xlsx")
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="IMG_2041.png")
    write_received(inbox / "财政局.eml", msg.as_bytes(), ON_TIME)
    # loose in the inbox: named for the unit, or for nobody
    write_received(inbox / "锣场镇报表.xlsx", rep["锣场镇"], ON_TIME)
    write_received(inbox / "解放街办报表.xlsx", rep["解放街办"], ON_TIME)
    for row in plan.town_rows():
        write_received(inbox / f"{row.label}指标.xlsx",
                       workbook_bytes(fill_town(plan, row.label, plan.period(Q1), random.Random(1))),
                       ON_TIME)
    write_received(inbox / "锣场镇人民政府盖章件.pdf", PDF + b"%lc", ON_TIME)
    write_received(inbox / "扫描全能王0001.pdf", PDF + b"%x", ON_TIME)
    return inbox


def test_stamped_copies_are_recorded_for_their_unit(tmp_path):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox, db = _inbox(tmp_path, plan), tmp_path / "db.sqlite"
    common = ["--plan", str(plan_path), "--period", Q1, "--db", str(db)]
    res = CliRunner().invoke(app, ["collect", str(inbox), *common, "-o", str(tmp_path / "out"),
                                   "--json"])
    got = json.loads(res.output)
    assert got["stamps"] == {"区发改局": "已收到", "区人社局": "已收到", "区财政局": "已收到",
                             "锣场镇": "已收到", "解放街办": "未收到"}
    files = {f["path"].split("inbox/", 1)[1]: f for f in got["files"]}
    for name, unit in (("区发改局/scan0001.jpg", "区发改局"), ("人社局.zip › 盖章.pdf", "区人社局"),
                       ("财政局.eml › IMG_2041.png", "区财政局"), ("锣场镇人民政府盖章件.pdf", "锣场镇")):
        f = files[name]
        assert (f["status"], f["unit"], f["form"]) == ("accepted", unit, "stamp"), name
        assert [x["code"] for x in f["findings"]] == ["stamp-received"], name
    nobody = files["扫描全能王0001.pdf"]
    assert (nobody["status"], [x["code"] for x in nobody["findings"]]) == (
        "ignored", ["stamp-unmatched"])
    assert not any(x["code"] == "unsupported-file" for f in got["files"] for x in f["findings"])
    assert res.exit_code == 0 and got["attention"] == {}  # every form in, no 错误
    with Ledger(db) as ledger:
        forms = {(r.kind, r.unit) for r in ledger.current(plan.plan_id, Q1)}
        archived = [r.archived for r in ledger.receipts(plan.plan_id, Q1)
                    if r.form == "stamp"]
    assert all(k != "stamp" for k, _ in forms) and len(forms) == 7
    assert len(archived) == 4 and {Path(a).suffix for a in archived} == {".pdf", ".jpg", ".png"}
    assert all(Path(a).is_file() for a in archived)
    assert Path([a for a in archived if a.endswith(".jpg")][0]).read_bytes() == JPG
    res = CliRunner().invoke(app, ["status", *common])
    assert res.exit_code == 0 and "盖章件\uff1a已收到 4 个单位\uff0c未收到 1 个\uff08解放街办\uff09" in res.output, \
        res.output
