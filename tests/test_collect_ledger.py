"""Ledger: idempotent re-runs, duplicates, resubmissions, history, kills and a second writer."""
from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from xltools.collect.intake import intake_return
from xltools.collect.ledger import FINDINGS, SCHEMA_VERSION, Ledger
from xltools.model.errors import LedgerBusy
from intake_lists import intake
from xltools.collect.serialize import form_return_from_dict, form_return_to_dict
from xltools.model.findings import finding
from xltools.model.returns import (ACCEPTED, DUPLICATE, IGNORED, REJECTED, SUPERSEDED,
                                   FormReturn, Received, TargetReport, TaskReport, TownReport,
                                   target_key)

ROOT = Path(__file__).resolve().parents[1]
PLAN = "shashi-2019"
TABLES = ("runs", "files", "receipts", "submissions", "findings", '"values"')


# ------------------------------------------------------------------ helpers
def received(path: Path, display: str | None = None, at: str = "2019-04-08T09:00:00",
             file_type: str = "xlsx") -> Received:
    data = path.read_bytes()
    return Received(path=str(path), display=display or path.name, name=path.name,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data), received_at=at,
                    file_type=file_type)


def make_file(folder: Path, name: str, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(b"PK\x03\x04 fake workbook " + content.encode())
    return p


def a_return(rec: Received, unit: str = "区发改局", period: str = "2019Q1",
             status: str = ACCEPTED, progress: float = 80.0, actual: float | None = 100.0,
             kind: str = "report", late: bool = False) -> FormReturn:
    ret = FormReturn(received=rec, status=status, plan_id=PLAN, kind=kind, unit=unit,
                     period=period, identified_by="sheet", sheet="报表", late=late,
                     header={"填报人": "张三", "联系电话": "0716-8880001"},
                     header_cells={"填报人": "B3", "联系电话": "E3"})
    ret.tasks = [TaskReport(task="1", completion="已完成前期工作", progress=progress,
                            progress_raw=f"{progress:g}%", status="推进中", row=6,
                            cells={"完成情况": "D7", "完成进度": "E7", "状态": "F7"})]
    ret.targets = [TargetReport(task="2", index=0, label="新增城镇就业", target=8000,
                                measure="人", actual=actual, actual_raw=actual, row=12,
                                cells={"actual": "E13"})]
    if status == REJECTED:
        ret.findings = [finding("junk-ignored", file=rec.display, reason="测试")]
    return ret


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def statuses(led: Ledger) -> list[tuple[str, str]]:
    return [(r.display, r.status) for r in led.receipts(PLAN, "2019Q1")]


def collect(led: Ledger, recs_and_returns, period="2019Q1") -> list[str]:
    """What orchestration does: skip what is known, archive, record, commit."""
    run = led.begin(PLAN, period, ["inbox"])
    out = []
    for ret in recs_and_returns:
        known = led.receipt_status(ret.received)
        if known is not None:
            out.append(known)
            continue
        led.archive(ret.received)
        out.append(led.record(run, ret))
    led.commit()
    return out


# ------------------------------------------------------------------ basics
def test_schema_archive_and_rerun_changes_nothing(tmp_path):
    inbox = tmp_path / "inbox"
    a = received(make_file(inbox, "区发改局.xlsx", "a"))
    b = received(make_file(inbox, "区人社局.xlsx", "b"))
    junk = received(make_file(inbox, "Thumbs.db", "t"), file_type="junk")
    db = tmp_path / "plan" / "ledger.db"
    with Ledger(db) as led:
        rets = [a_return(a), a_return(b, unit="区人社局"),
                FormReturn(received=junk, status=IGNORED,
                           findings=[finding("junk-ignored", file="Thumbs.db", reason="缓存")])]
        assert collect(led, rets) == [ACCEPTED, ACCEPTED, IGNORED]
        first = statuses(led)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    archived = db.parent / "ledger_archive" / a.sha256[:2] / f"{a.sha256}.xlsx"
    assert archived.read_bytes() == Path(a.path).read_bytes()
    assert (db.parent / "ledger_archive" / junk.sha256[:2] / f"{junk.sha256}.bin").exists()
    mtime = archived.stat().st_mtime_ns
    before = counts(db)
    assert before == {"runs": 1, "files": 3, "receipts": 3, "submissions": 3, "findings": 1,
                      '"values"': 2 * (2 + 3 + 1)}
    with Ledger(db) as led:  # the same inbox again
        again = [a_return(a), a_return(b, unit="区人社局"),
                 FormReturn(received=junk, status=IGNORED)]
        assert collect(led, again) == [ACCEPTED, ACCEPTED, IGNORED]
        assert statuses(led) == first
        # even record() without asking first changes nothing
        run = led.begin(PLAN, "2019Q1")
        assert led.record(run, a_return(a)) == ACCEPTED
        led.rollback()
    after = counts(db)
    assert {k: v for k, v in after.items() if k != "runs"} == \
        {k: v for k, v in before.items() if k != "runs"}
    assert archived.stat().st_mtime_ns == mtime  # re-archiving is a no-op


def test_values_keep_their_source_and_blocked_cells(tmp_path):
    rec = received(make_file(tmp_path / "in", "a.xlsx", "a"))
    ret = a_return(rec)
    ret.findings = [finding("junk-ignored", file="a.xlsx", sheet="报表", cell="E7",
                            severity="错误", reason="测试")]
    ret.town = [TownReport(column="c05", part="户", target=118, measure="户", actual=120,
                           row=8, cells={"actual": "D9"})]
    with Ledger(tmp_path / "l.db") as led:
        collect(led, [ret])
        rows = led.conn.execute('SELECT key, field, value_text, value_num, sheet, cell, '
                                'blocked, sha256 FROM "values" JOIN value_sets '
                                "ON id = set_id ORDER BY n").fetchall()
    got = {(r["key"], r["field"]): tuple(r)[2:7] for r in rows}
    assert got[("1", "完成进度")] == ("80%", 80.0, "报表", "E7", 1)
    assert got[("1", "状态")] == ("推进中", None, "报表", "F7", 0)
    assert got[(target_key("2", 0), "actual")] == ("100.0", 100.0, "报表", "E13", 0)
    assert got[("c05#户", "actual")] == ("120", 120.0, "报表", "D9", 0)
    assert got[("header", "填报人")] == ("张三", None, "报表", "B3", 0)
    assert {r["sha256"] for r in rows} == {rec.sha256}


def test_workplan_rows_store_their_own_fields(tmp_path):
    rec = received(make_file(tmp_path / "in", "w.xlsx", "w"))
    ret = FormReturn(received=rec, status=ACCEPTED, plan_id=PLAN, kind="workplan",
                     unit="区发改局", period="2019Q1", sheet="办理方案")
    t = TaskReport(task="3", completion="细化方案", row=5, cells={"具体工作内容": "C6"})
    t.extra = {"具体工作内容": "细化方案", "完成时限": "6月底"}
    ret.tasks = [t]
    with Ledger(tmp_path / "l.db") as led:
        collect(led, [ret])
        rows = led.conn.execute('SELECT key, field, value_text, cell FROM "values"').fetchall()
    assert sorted(tuple(r) for r in rows) == sorted([("3", "完成时限", "6月底", ""),
                                                     ("3", "具体工作内容", "细化方案", "C6")])


def test_identical_bytes_under_two_names_are_one_submission(tmp_path):
    p = make_file(tmp_path / "in" / "邮件1", "报表.xlsx", "same")
    q = tmp_path / "in" / "邮件2" / "报表(1).xlsx"
    q.parent.mkdir(parents=True)
    q.write_bytes(p.read_bytes())
    r1, r2 = received(p, "in/邮件1/报表.xlsx"), received(q, "in/邮件2/报表(1).xlsx")
    with Ledger(tmp_path / "l.db") as led:
        assert collect(led, [a_return(r1), a_return(r2)]) == [ACCEPTED, DUPLICATE]
        rows = led.receipts(PLAN, "2019Q1")
        assert [(r.display, r.status) for r in rows] == [
            ("in/邮件1/报表.xlsx", ACCEPTED), ("in/邮件2/报表(1).xlsx", DUPLICATE)]
        dup = rows[1]
        assert dup.duplicate_of == "in/邮件1/报表.xlsx"
        assert [f.code for f in dup.findings] == ["duplicate-file"]
        assert "in/邮件1/报表.xlsx" in dup.findings[0].message
        assert len(led.current(PLAN, "2019Q1")) == 1
        st = led.status(PLAN, "2019Q1")
        assert st.counts[ACCEPTED] == 1 and st.counts[DUPLICATE] == 1
    assert counts(tmp_path / "l.db")["submissions"] == 1


def test_resubmission_supersedes_and_both_stay(tmp_path):
    inbox = tmp_path / "in"
    old = received(make_file(inbox, "区发改局.xlsx", "v1"), "区发改局.xlsx",
                   at="2019-04-05T10:00:00")
    new = received(make_file(inbox, "区发改局(更正).xlsx", "v2"), "区发改局(更正).xlsx",
                   at="2019-04-09T16:30:00")
    db = tmp_path / "l.db"
    with Ledger(db) as led:
        assert collect(led, [a_return(old, progress=50)]) == [ACCEPTED]
        assert collect(led, [a_return(new, progress=90, late=True)]) == [ACCEPTED]
        rows = {r.display: r for r in led.receipts(PLAN, "2019Q1")}
        assert rows["区发改局.xlsx"].status == SUPERSEDED
        assert rows["区发改局.xlsx"].superseded_by == "区发改局(更正).xlsx"
        assert [f.code for f in rows["区发改局.xlsx"].findings] == ["superseded"]
        assert rows["区发改局(更正).xlsx"].status == ACCEPTED
        assert rows["区发改局(更正).xlsx"].supersedes == old.sha256
        (cur,) = led.current(PLAN, "2019Q1")
        assert cur.received.sha256 == new.sha256 and cur.tasks[0].progress == 90
        assert cur.supersedes == old.sha256 and cur.late
        st = led.status(PLAN, "2019Q1")
        (unit,) = st.units
        assert unit.unit == "区发改局" and unit.submissions == 2 and unit.late
        assert unit.first_received_at == "2019-04-05T10:00:00"
        assert unit.last_received_at == "2019-04-09T16:30:00"
        assert st.counts[SUPERSEDED] == 1 and st.counts[ACCEPTED] == 1
        # an earlier version arriving after the correction is superseded at once
        older = received(make_file(inbox, "区发改局(初稿).xlsx", "v0"), "区发改局(初稿).xlsx",
                         at="2019-04-01T08:00:00")
        assert collect(led, [a_return(older, progress=10)]) == [SUPERSEDED]
        assert led.current(PLAN, "2019Q1")[0].received.sha256 == new.sha256
        # another unit and another form kind are separate
        other = received(make_file(inbox, "锣场镇.xlsx", "town"), at="2019-04-02T08:00:00")
        assert collect(led, [a_return(other, unit="锣场镇", kind="town")]) == [ACCEPTED]
        assert len(led.current(PLAN, "2019Q1")) == 2
    assert counts(db)["submissions"] == 4


def test_same_time_resubmissions_order_by_display(tmp_path):
    a = received(make_file(tmp_path, "b.xlsx", "1"), "b.xlsx")
    b = received(make_file(tmp_path, "a.xlsx", "2"), "a.xlsx")
    with Ledger(tmp_path / "l.db") as led:
        assert collect(led, [a_return(a), a_return(b)]) == [ACCEPTED, SUPERSEDED]


def prev(led: Ledger, unit: str, period: str) -> float | None:
    return led.previous_actuals(PLAN, period).get((unit, "report", target_key("2", 0)))


def test_previous_actual(tmp_path):
    inbox = tmp_path / "in"
    with Ledger(tmp_path / "l.db") as led:
        q1 = received(make_file(inbox, "q1.xlsx", "1"), at="2019-04-05T00:00:00")
        collect(led, [a_return(q1, actual=3000)])
        key = target_key("2", 0)
        assert prev(led, "区发改局", "2019Q2") == 3000
        assert prev(led, "区发改局", "2019Q1") is None
        assert prev(led, "区人社局", "2019Q2") is None
        # a Q1 correction replaces the figure
        q1b = received(make_file(inbox, "q1b.xlsx", "1b"), at="2019-04-06T00:00:00")
        collect(led, [a_return(q1b, actual=3500)])
        assert prev(led, "区发改局", "2019Q2") == 3500
        q2 = received(make_file(inbox, "q2.xlsx", "2"), at="2019-07-05T00:00:00")
        collect(led, [a_return(q2, period="2019Q2", actual=5000)], period="2019Q2")
        assert prev(led, "区发改局", "2019Q3") == 5000
        assert prev(led, "区发改局", "2019Q2") == 3500
        assert led.previous_actuals(PLAN, "2019Q2", field="完成进度") == {
            ("区发改局", "report", "1"): 80}
        # a blocked figure does not count
        q3 = received(make_file(inbox, "q3.xlsx", "3"), at="2019-10-05T00:00:00")
        bad = a_return(q3, period="2019Q3", actual=1)
        bad.findings = [finding("junk-ignored", sheet="报表", cell="E13", severity="错误",
                                reason="测试")]
        collect(led, [bad], period="2019Q3")
        assert prev(led, "区发改局", "2019Q4") == 5000
        assert led.previous_actuals(PLAN, "2019Q4") == {("区发改局", "report", key): 5000}
        assert led.previous_actuals(PLAN, "2019Q2") == {("区发改局", "report", key): 3500}
        assert led.previous_actuals(PLAN, "2019Q1") == {}


def test_rejected_for_another_period_is_decided_again(tmp_path):
    rec = received(make_file(tmp_path / "in", "q1.xlsx", "q1"))
    with Ledger(tmp_path / "l.db") as led:
        # a Q2 run sees a Q1 form: examine rejects it (wrong period)
        assert collect(led, [a_return(rec, status=REJECTED)], period="2019Q2") == [REJECTED]
        assert [r.status for r in led.receipts(PLAN, "2019Q2")] == [REJECTED]
        led.begin(PLAN, "2019Q2")
        assert led.receipt_status(rec) == REJECTED  # same context: settled
        led.rollback()
        # the Q1 run takes it
        assert collect(led, [a_return(rec)], period="2019Q1") == [ACCEPTED]
        assert len(led.current(PLAN, "2019Q1")) == 1
        found = led.receipts(PLAN, "2019Q1")[0].findings
        assert [f.code for f in found] == []


def test_an_error_inside_a_run_leaves_the_ledger_as_it_was(tmp_path):
    """Leaving `with Ledger` by an error before commit rolls the run back, even when SQLite
    already ended the transaction: no rows, and the archive copy only that run wrote is gone
    (settle and collect rely on it)."""
    db = tmp_path / "l.db"
    rec = received(make_file(tmp_path / "in", "a.xlsx", "a"))
    with Ledger(db):
        pass  # the schema, so that the counts below compare like with like
    before = counts(db)
    with pytest.raises(RuntimeError), Ledger(db) as led:
        run_id = led.begin(PLAN, "2019Q1", ["in"])
        assert led.record(run_id, a_return(rec)) == ACCEPTED
        archive = led.archive_path(rec)
        assert archive.is_file()
        led.conn.execute("ROLLBACK")  # as SQLite itself may on SQLITE_FULL or SQLITE_IOERR
        raise RuntimeError("an error after record")
    assert counts(db) == before and not archive.exists()
    with Ledger(db) as led:
        assert led.receipts(PLAN, "2019Q1") == [] and led.receipt_status(rec) is None


def test_serialize_round_trip(tmp_path):
    rec = received(make_file(tmp_path, "a.xlsx", "a"))
    ret = a_return(rec)
    ret.town = [TownReport(column="c01", part="", target=1.5, measure="万元", actual=2.0)]
    ret.findings = [finding("empty-file", file="a.xlsx")]
    d = json.loads(json.dumps(form_return_to_dict(ret), ensure_ascii=False))
    back = form_return_from_dict(d)
    assert back == ret
    # a payload with a field this version does not know (written by another) still loads
    d = json.loads(json.dumps(form_return_to_dict(ret), ensure_ascii=False))
    d["received"]["from_a_later_version"] = 1
    d["town"][0]["from_a_later_version"] = 1
    assert form_return_from_dict(d) == ret


def test_intake_to_ledger(tmp_path):
    """Intake's verdicts for junk, zips and strangers are recorded; nothing is dropped."""
    import zipfile
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "Thumbs.db").write_bytes(b"thumbs")
    (inbox / "伪装.xls").write_bytes(b"<html><table></table></html>")
    with zipfile.ZipFile(inbox / "附件.zip", "w") as z:
        z.writestr("../evil.txt", "x")
        z.writestr("说明.txt", "请查收")
    recs, findings = intake([inbox], tmp_path / "work")
    with Ledger(tmp_path / "l.db") as led:
        run = led.begin(PLAN, "2019Q1", [str(inbox)])
        got = {}
        for rec in recs:
            ret = intake_return(rec, findings)
            got[rec.display] = led.record(run, ret)
        led.commit()
        assert got == {"in/Thumbs.db": IGNORED, "in/伪装.xls": REJECTED,
                       "in/附件.zip": REJECTED, "in/附件.zip › 说明.txt": REJECTED}
        rows = {r.display: r for r in led.receipts(PLAN, "2019Q1")}
        assert {f.code for f in rows["in/附件.zip"].findings} == \
            {"zip-member-unsafe", "zip-extracted"}
        assert all(Path(r.archived).exists() for r in rows.values())


def test_missing_source_is_recorded_and_archived_on_the_next_run(tmp_path):
    p = make_file(tmp_path / "in", "a.xlsx", "a")
    rec = received(p)
    data = p.read_bytes()
    p.unlink()
    with Ledger(tmp_path / "l.db") as led:
        run = led.begin(PLAN, "2019Q1")
        assert led.record(run, a_return(rec)) == ACCEPTED
        led.commit()
        assert "archive-failed" in [f.code for f in led.receipts(PLAN, "2019Q1")[0].findings]
        assert led.receipt_status(rec) is None  # not archived: the next run does it
        p.write_bytes(data)
        assert collect(led, [a_return(rec)]) == [ACCEPTED]
        row = led.receipts(PLAN, "2019Q1")[0]
        assert Path(row.archived).read_bytes() == data
        assert "archive-failed" not in [f.code for f in row.findings]
    assert counts(tmp_path / "l.db")["submissions"] == 1


# ------------------------------------------------------------------ processes
WORKER = textwrap.dedent("""
    import hashlib, sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from xltools.collect.ledger import Ledger
    from xltools.model.errors import LedgerBusy
    from xltools.model.returns import ACCEPTED, FormReturn, Received

    db, inbox, mode, timeout = sys.argv[1], Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    try:
        led = Ledger(db, busy_timeout=timeout)
        run = led.begin("shashi-2019", "2019Q1", [str(inbox)])
    except LedgerBusy as exc:
        print("BUSY", exc, flush=True)
        sys.exit(3)
    print("BEGUN", flush=True)
    for p in sorted(inbox.iterdir()):
        data = p.read_bytes()
        rec = Received(str(p), p.name, p.name, hashlib.sha256(data).hexdigest(), len(data),
                       "2019-04-08T09:00:00", "xlsx")
        if led.receipt_status(rec) is None:
            led.archive(rec)
            led.record(run, FormReturn(rec, ACCEPTED, "shashi-2019", "report", p.stem,
                                       "2019Q1"))
    print("RECORDED", flush=True)
    if mode == "hold":
        time.sleep(float(sys.argv[5]))
    led.commit()
    print("COMMITTED", flush=True)
""")


def start_worker(tmp_path, db, inbox, mode, timeout=30.0, hold=60.0):
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(root=str(ROOT)), encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(db), str(inbox), mode,
                             str(timeout), str(hold)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(proc, word: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if word in line:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"worker ended: {proc.stderr.read()}")
    raise AssertionError(f"no {word}")


def test_begin_sweeps_what_no_row_refers_to_from_the_archive(tmp_path):
    """Left by a killed run: archive files without a row and half-written copies go at the
    next begin(); a recorded file stays, and so does anything outside the archive's folders."""
    db = tmp_path / "l.db"
    with Ledger(db) as led:
        collect(led, [a_return(received(make_file(tmp_path / "in", "区发改局.xlsx", "a")))])
        kept = Path(led.receipts(PLAN, "2019Q1")[0].archived)
        strays = [kept.with_name("f" * 64 + ".xlsx"), kept.parent / ".hidden",
                  led.archive_dir / ".tmp" / "half.1.ab", led.archive_dir / "0f" / "x.bin"]
        other = led.archive_dir / "notes" / "keep.txt"
        for p in [*strays, other]:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b"x")
        led.begin(PLAN, "2019Q1")
        led.rollback()
    assert kept.is_file() and other.is_file()
    assert [p for p in strays if p.exists()] == []


def test_sigkill_after_record_before_commit_leaves_the_ledger_as_before(tmp_path):
    inbox = tmp_path / "in"
    first = received(make_file(inbox, "区发改局.xlsx", "a"))
    db = tmp_path / "l.db"
    with Ledger(db) as led:
        collect(led, [a_return(first)])
    before = counts(db)
    for i in range(30):
        make_file(inbox, f"单位{i:02d}.xlsx", f"u{i}")
    proc = start_worker(tmp_path, db, inbox, "hold")
    try:
        wait_for(proc, "RECORDED")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert counts(db) == before
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    # the next run completes the work
    proc = start_worker(tmp_path, db, inbox, "commit")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    after = counts(db)
    assert after["submissions"] == before["submissions"] + 30
    assert after["runs"] == before["runs"] + 1
    with Ledger(db) as led:
        assert len(led.current(PLAN, "2019Q1")) == 31
        for r in led.receipts(PLAN, "2019Q1"):
            assert Path(r.archived).exists()


def test_a_second_writer_waits_then_raises_ledger_busy(tmp_path):
    inbox = tmp_path / "in"
    make_file(inbox, "a.xlsx", "a")
    db = tmp_path / "l.db"
    Ledger(db).close()
    holder = start_worker(tmp_path, db, inbox, "hold", hold=60)
    try:
        wait_for(holder, "RECORDED")
        t0 = time.monotonic()
        with pytest.raises(LedgerBusy) as info:
            with Ledger(db, busy_timeout=0.5) as led:
                led.begin(PLAN, "2019Q1")
        assert 0.4 < time.monotonic() - t0 < 10
        assert "正被另一个" in str(info.value)
        with Ledger(db) as led:  # readers are never blocked
            assert led.status(PLAN, "2019Q1").counts[ACCEPTED] == 0
    finally:
        holder.kill()
        holder.wait(10)


def test_a_second_writer_waits_for_the_first(tmp_path):
    inbox = tmp_path / "in"
    make_file(inbox, "a.xlsx", "a")
    db = tmp_path / "l.db"
    Ledger(db).close()
    holder = start_worker(tmp_path, db, inbox, "hold", hold=1.0)
    try:
        wait_for(holder, "RECORDED")
        with Ledger(db, busy_timeout=30) as led:
            t0 = time.monotonic()
            led.begin(PLAN, "2019Q1")
            assert time.monotonic() - t0 > 0.3
            rec = received(inbox / "a.xlsx", "a.xlsx")
            assert led.receipt_status(rec) == ACCEPTED  # the first writer's work is there
            led.commit()
    finally:
        holder.wait(30)
    assert holder.returncode == 0


def test_odd_names_survive_the_ledger(tmp_path):
    p = make_file(tmp_path / "in", "a.xlsx", "odd")
    rec = received(p, display="in/\udcc7\udbf8.xlsx")  # undecodable bytes from a file name
    ret = a_return(rec)
    ret.received.origin = "in/\udcc7.xlsx"
    ret.header["填报人"] = "\udcc7"
    with Ledger(tmp_path / "l.db") as led:
        assert collect(led, [ret]) == [ACCEPTED]
        (cur,) = led.current(PLAN, "2019Q1")
        assert cur.header["填报人"] == "\udcc7"


# format 2's findings table: the rendered message where format 3 keeps params
FORMAT_2_FINDINGS = FINDINGS.split(";")[0].replace(
    "ref TEXT,\n  params TEXT NOT NULL DEFAULT '{}'", "value TEXT,\n  message TEXT NOT NULL")


def test_findings_are_stored_as_data_and_a_format_2_ledger_keeps_its_words(tmp_path):
    """A finding is stored as code and params, rendered when read; the rendered text of a
    format 2 ledger (rows and payloads) reads the same after the upgrade."""
    ret = a_return(received(make_file(tmp_path / "in", "a.xlsx", "a")))
    ret.findings = [finding("junk-ignored", file="a.xlsx", sheet="报表", cell="E7", reason="测试")]
    db = tmp_path / "l.db"
    with Ledger(db) as led:
        collect(led, [ret])
        row = led.conn.execute("SELECT * FROM findings").fetchone()
        assert json.loads(row["params"]) == {"reason": "测试"} and "message" not in row.keys()
        assert led.receipts(PLAN, "2019Q1")[0].findings[0].message == \
            "a.xlsx 报表 单元格 E7\uff1a这是测试\uff0c不是报表\uff0c已忽略\uff08已记录在案\uff09。无需处理。"
    old = "a.xlsx 报表 单元格 E7:按旧版本写下的说明。"
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, sha256, receipt_id, code, severity, file, sheet, cell, unit, "
                       "task FROM findings").fetchall()
    con.execute("DROP TABLE findings")
    con.execute(FORMAT_2_FINDINGS)
    assert "message TEXT NOT NULL" in FORMAT_2_FINDINGS
    con.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(*r, "旧值", old) for r in rows])
    payload = json.loads(con.execute("SELECT payload FROM submissions").fetchone()[0])
    payload["findings"] = [{"code": "junk-ignored", "severity": "提示", "file": "a.xlsx",
                            "sheet": "报表", "cell": "E7", "unit": "", "task": "",
                            "value": "旧值", "ref": "", "message": old}]
    con.execute("UPDATE submissions SET payload = ?", (json.dumps(payload, ensure_ascii=False),))
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()
    with Ledger(db) as led:
        found = led.receipts(PLAN, "2019Q1")[0].findings
        assert [(f.code, f.message, f.value) for f in found] == [("junk-ignored", old, "旧值")]
        f = led.current(PLAN, "2019Q1")[0].findings[0]
        assert (f.message, f.text, f.value) == (old, "按旧版本写下的说明。", "旧值")
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 9
        assert led.conn.execute("SELECT count(*) FROM mail_sent").fetchone()[0] == 0  # format 4
        assert led.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'findings_sha'"
                                ).fetchone()[0] == 1


def test_a_damaged_or_newer_ledger_is_refused_clearly(tmp_path):
    from xltools.model.errors import LedgerError
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError) as info:
        Ledger(bad)
    assert "不是有效的数据库" in str(info.value)
    newer = tmp_path / "newer.db"
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(LedgerError) as info:
        Ledger(newer)
    assert "更新版本" in str(info.value)
    other = tmp_path / "other.db"  # another program's database, its version negative
    con = sqlite3.connect(other)
    con.execute("PRAGMA user_version = -1")
    con.close()
    with pytest.raises(LedgerError):
        Ledger(other)
    con = sqlite3.connect(other)
    assert con.execute("PRAGMA user_version").fetchone()[0] == -1  # left as it was
    con.close()


# format 4's values table (before it was clustered by file), for the upgrade test
FORMAT_4_VALUES = """CREATE TABLE "values" (
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES submissions(sha256),
  plan_id TEXT NOT NULL, period TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL,
  key TEXT NOT NULL, field TEXT NOT NULL, value_text TEXT, value_num REAL, sheet TEXT,
  cell TEXT, row INTEGER, blocked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX values_lookup ON "values"(plan_id, unit, kind, key, field);
CREATE INDEX values_sha ON "values"(sha256)"""
# format 5's (clustered by file, still with the columns its submission holds)
FORMAT_5_VALUES = """CREATE TABLE "values" (
  sha256 TEXT NOT NULL REFERENCES submissions(sha256), n INTEGER NOT NULL,
  plan_id TEXT NOT NULL, period TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL,
  key TEXT NOT NULL, field TEXT NOT NULL, value_text TEXT, value_num REAL, sheet TEXT,
  cell TEXT, row INTEGER, blocked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sha256, n)) WITHOUT ROWID"""
# format 6's (clustered by file's hash, slim)
FORMAT_6_VALUES = """CREATE TABLE "values" (
  sha256 TEXT NOT NULL REFERENCES submissions(sha256), n INTEGER NOT NULL,
  key TEXT NOT NULL, field TEXT NOT NULL, value_text TEXT, value_num REAL, sheet TEXT,
  cell TEXT, row INTEGER, blocked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sha256, n)) WITHOUT ROWID"""
VALUE_COLUMNS = "key, field, value_text, value_num, sheet, cell, row, blocked"
OLD_VALUE_COLUMNS = ("sha256, plan_id, period, kind, unit, key, field, value_text, value_num, "
                     "sheet, cell, row, blocked")
BY_FILE = (f'SELECT vs.sha256, {VALUE_COLUMNS} FROM "values" JOIN value_sets vs '
           "ON vs.id = set_id ORDER BY vs.sha256, n")


@pytest.mark.parametrize("old", [4, 5, 6])
def test_an_older_ledger_gets_its_values_slim_and_keyed_by_value_set(tmp_path, old):
    """Formats 4 to 6 to 7: every value kept in its order, the table WITHOUT ROWID, keyed by
    value set and without the columns its submission holds, format 4's indexes gone, and what
    reads values (previous figures, current returns) unchanged."""
    db = tmp_path / "l.db"
    rets = [a_return(received(make_file(tmp_path / "in" / p, f"{u}.xlsx", u + p), at=at),
                     unit=u, period=p, actual=a)
            for u, p, at, a in (("区发改局", "2019Q1", "2019-04-08T09:00:00", 100.0),
                                ("区人社局", "2019Q1", "2019-04-08T10:00:00", 7.5),
                                ("区发改局", "2019Q2", "2019-07-08T09:00:00", 300.0))]
    with Ledger(db) as led:
        collect(led, rets[:2])
        collect(led, rets[2:], period="2019Q2")
        before = led.conn.execute(BY_FILE).fetchall()
        wide = led.conn.execute(
            "SELECT vs.sha256, s.plan_id, s.period, s.kind, s.unit, v.key, v.field, v.value_text, "
            'v.value_num, v.sheet, v.cell, v.row, v.blocked FROM "values" v '
            "JOIN value_sets vs ON vs.id = v.set_id "
            "JOIN submissions s ON s.sha256 = vs.sha256 ORDER BY vs.sha256, v.n").fetchall()
        current = [form_return_to_dict(r) for r in led.current(PLAN, "2019Q1")]
        previous = led.previous_actuals(PLAN, "2019Q2")
    assert len(before) == 3 * 6 and previous == {
        ("区发改局", "report", target_key("2", 0)): 100.0,
        ("区人社局", "report", target_key("2", 0)): 7.5}
    con = sqlite3.connect(db)  # make it a format 4 ledger (ids in a scrambled order), 5 or 6
    con.execute('DROP TABLE "values"')
    con.execute("DROP TABLE value_sets")
    for stmt in {4: FORMAT_4_VALUES, 5: FORMAT_5_VALUES, 6: FORMAT_6_VALUES}[old].split(";"):
        con.execute(stmt)
    # (format 6 has no plan, period, form or unit column)
    names = OLD_VALUE_COLUMNS if old < 6 else f"sha256, {VALUE_COLUMNS}"
    rows = wide if old < 6 else [(r[0], *r[5:]) for r in wide]
    marks = ",".join("?" * (1 + len(rows[0])))
    con.executemany(f'INSERT INTO "values"({"id" if old == 4 else "n"}, {names}) '
                    f"VALUES ({marks})",
                    [(1000 - i if old == 4 else i, *r) for i, r in enumerate(
                        reversed(rows) if old == 4 else rows)])
    orphan = ("0" * 64, *rows[0][1:])  # a value whose submission is gone: not carried over
    con.execute(f'INSERT INTO "values"({"id" if old == 4 else "n"}, {names}) '
                f"VALUES ({marks})", (5000, *orphan))
    con.execute(f"PRAGMA user_version = {old}")
    con.commit()
    con.close()
    with Ledger(db) as led:
        c = led.conn
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 9
        assert c.execute("SELECT count(*) FROM intake_stats").fetchone()[0] == 0  # format 8
        sql = c.execute("SELECT sql FROM sqlite_master WHERE name = 'values'").fetchone()[0]
        assert "WITHOUT ROWID" in sql and "PRIMARY KEY (set_id, n)" in sql
        assert not {"unit", "sha256"} & {r["name"] for r in c.execute('PRAGMA table_info("values")')}
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        assert {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                        "AND tbl_name = 'values'")} <= {"sqlite_autoindex_values_1"}
        after = c.execute(BY_FILE).fetchall()
        assert [tuple(r) for r in after] == [tuple(r) for r in before]
        # value sets numbered in the order of their values: each set's values together
        sets = [r[0] for r in c.execute('SELECT set_id FROM "values"')]
        assert sets == sorted(sets) and len(set(sets)) == 3
        assert [form_return_to_dict(r) for r in led.current(PLAN, "2019Q1")] == current
        assert led.previous_actuals(PLAN, "2019Q2") == previous
        # and it takes new returns as before (a replacement drops the old values)
        late = a_return(received(make_file(tmp_path / "in", "b.xlsx", "b"),
                                 at="2019-04-09T09:00:00"), actual=150.0)
        collect(led, [late])
        assert led.previous_actuals(PLAN, "2019Q2")[("区发改局", "report",
                                                     target_key("2", 0))] == 150.0
    assert counts(db)['"values"'] == 4 * 6


def test_many_returns_reopened_hold_every_value_in_order(tmp_path):
    """The bulk path: each return's values in one executemany inside the run, all there
    (and numbered in order) when the ledger is opened again; a rolled-back run leaves none."""
    from xltools.collect.serialize import cell_values
    rets = [a_return(received(make_file(tmp_path / "in", f"{i}.xlsx", str(i))), unit=f"单位{i}",
                     progress=float(i)) for i in range(40)]
    db = tmp_path / "l.db"
    with Ledger(db) as led:
        run = led.begin(PLAN, "2019Q1")
        gone = a_return(received(make_file(tmp_path / "x", "x.xlsx", "x")), unit="甲")
        led.record(run, gone)
        led.rollback()
        collect(led, rets)
    with Ledger(db) as led:
        for ret in rets:
            rows = led.conn.execute('SELECT n, key, field, value_num, cell FROM "values" '
                                    "JOIN value_sets ON id = set_id WHERE sha256 = ? ORDER BY n",
                                    (ret.received.sha256,)).fetchall()
            want = [(k, f, num, ret.sheet_cell(cell)[1])
                    for k, f, v, num, cell, _ in cell_values(ret)
                    if v is not None or num is not None]
            assert [r[0] for r in rows] == list(range(len(want)))
            assert [tuple(r)[1:] for r in rows] == want
        assert led.conn.execute('SELECT count(*) FROM "values" JOIN value_sets ON id = set_id '
                                "WHERE sha256 = ?", (gone.received.sha256,)).fetchone()[0] == 0
        assert led.conn.execute("SELECT count(*) FROM value_sets").fetchone()[0] == len(rets)


def test_payload_text_is_what_the_python_walk_wrote(tmp_path):
    """form_return_json (the C encoder) writes the same text as jsonable + json.dumps,
    non-finite numbers, dates, tuples and odd objects included."""
    import datetime
    import math
    from xltools.collect.serialize import form_return_json
    ret = a_return(received(make_file(tmp_path, "a.xlsx", "a")))
    ret.header = {"填报日期": datetime.date(2019, 4, 8), "份数": (1, 2.5), "空": None}
    ret.tasks[0].progress_raw = datetime.datetime(2019, 4, 8, 9, 30)
    ret.tasks[0].extra = {"完成时限": "6月底"}
    ret.findings = [finding("junk-ignored", file="a.xlsx", reason="测试")]
    old = json.dumps(form_return_to_dict(ret), ensure_ascii=False)
    assert form_return_json(ret) == old
    assert form_return_json(ret, ensure_ascii=True) == json.dumps(form_return_to_dict(ret))
    ret.targets[0].actual_raw = math.inf
    assert form_return_json(ret) == json.dumps(form_return_to_dict(ret), ensure_ascii=False)
    assert json.loads(form_return_json(ret))["targets"][0]["actual_raw"] == "inf"
    assert form_return_from_dict(json.loads(old)).header["份数"] == [1, 2.5]


def test_a_period_loaded_shares_its_repeated_short_texts(tmp_path):
    """current() builds every return as recorded; the cell places, task numbers and
    statuses repeated across returns are one string each (memory of a large period)."""
    rets = [a_return(received(make_file(tmp_path / "in", f"{u}.xlsx", u)), unit=u)
            for u in ("区发改局", "区人社局")]
    with Ledger(tmp_path / "l.db") as led:
        collect(led, rets)
        cur = led.current(PLAN, "2019Q1")
    assert [form_return_to_dict(r)["tasks"] for r in cur] == \
        [form_return_to_dict(r)["tasks"] for r in reversed(rets)]
    a, b = cur[0].tasks[0], cur[1].tasks[0]
    assert a.cells["完成情况"] is b.cells["完成情况"] and a.status is b.status
    assert cur[0].targets[0].cells["actual"] is cur[1].targets[0].cells["actual"]


def test_a_run_reports_each_file_as_the_ledger_ends_it(tmp_path):
    """Two versions of one unit's report received at the same time (two attachments of one
    e-mail carry its Date): the one recorded first is accepted, then superseded when the
    second wins the tie. The run's own list says what the ledger says at the end, not
    what a file was when it was recorded."""
    import os

    from xltools import api
    from xltools.api import example_dir
    from xltools.planfile import load_plan
    from xltools.simulate import simulate_returns
    plan_path = example_dir() / "plan.xlsx"
    simulate_returns(load_plan(plan_path).value, "2019Q1", tmp_path / "in")
    pair = sorted((tmp_path / "in").rglob("区财政局*.xlsx"))
    assert len(pair) == 2
    t = pair[0].stat().st_mtime_ns
    for p in pair:
        os.utime(p, ns=(t, t))
    rep = api.collect([tmp_path / "in"], plan_path, "2019Q1", tmp_path / "out",
                      tmp_path / "l.sqlite", workers=1)
    with Ledger(tmp_path / "l.sqlite") as led:
        receipts = led.receipts(PLAN_OF(plan_path), "2019Q1")
    ended = {(r.display, r.sha256): r.status for r in receipts}
    said = {(f.path, f.sha256): f.status for f in rep.files if f.sha256}
    assert said == {k: v for k, v in ended.items() if k in said} and len(said) == len(ended)
    assert sorted(said[(str(p.relative_to(tmp_path)), _sha(p))] for p in pair) == \
        [ACCEPTED, SUPERSEDED]
    # and the clerk is told the two came in at the same time, not that one came later
    lost = next(r for r in receipts if r.status == SUPERSEDED and "区财政局" in r.display)
    assert [(f.code, f.value) for f in lost.findings if f.code.startswith("superseded")] == \
        [("superseded-same-time", lost.superseded_by)] and lost.superseded_by
    assert not any(f.code == "superseded" for r in receipts for f in r.findings
                   if "区财政局" in r.display)


def PLAN_OF(path):
    from xltools.planfile import load_plan
    return load_plan(path).value.plan_id


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_file_another_quarter_took_says_so_in_this_quarters_run(tmp_path):
    """A 2019Q1 return 2019Q1 already took, put into 2019Q2's inbox as well: not counted in
    2019Q2, and said to be 2019Q1's (before: a bare "same as q1/… , counted once", which
    read as a 2019Q2 duplicate). Said the same when 2019Q2 is collected again."""
    import random

    from xltools import api
    from xltools.planfile import load_plan
    from xltools.simulate import fill_report
    from xltools.xlsx.writer import workbook_bytes
    plan_path = api.example_dir() / "plan.xlsx"
    plan = load_plan(plan_path).value
    unit = plan.units_with_tasks()[1].name
    data = workbook_bytes(fill_report(plan, unit, plan.period("2019Q1"), random.Random(1)))
    for folder, name in (("q1", f"{unit}.xlsx"), ("q2", f"{unit}_Q1.xlsx")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes(data)

    def run(period: str, inbox: str):
        return api.collect([tmp_path / inbox], plan_path, period, tmp_path / f"out-{period}",
                           tmp_path / "l.sqlite", workers=1)
    run("2019Q1", "q1")
    for _ in range(2):
        rep = run("2019Q2", "q2")
        (f,) = rep.files
        # (the run that sees it says why from the form itself, other-period; the ledger keeps
        # where it counts, and a run that only finds it recorded says that)
        assert f.status == DUPLICATE and f.findings[0].code in ("other-period", "received-for-other-period")
        assert "2019\u5e74\u7b2c\u4e00\u5b63\u5ea6" in f.findings[0].message  # 2019年第一季度
        assert unit in rep.missing_units  # (2019Q2 still waits for the unit's own return)
    with Ledger(tmp_path / "l.sqlite") as led:
        (q2,) = led.receipts(plan.plan_id, "2019Q2")
        assert q2.status == DUPLICATE and [x.code for x in q2.findings] == ["received-for-other-period"]
        assert f"q1/{unit}.xlsx" in q2.findings[0].message
        # (2019Q1's page lists what 2019Q1's runs saw: not 2019Q2's copy)
        assert [(r.display, r.status) for r in led.receipts(plan.plan_id, "2019Q1")] == [
            (f"q1/{unit}.xlsx", ACCEPTED)]


def test_one_inbox_for_every_quarter_counts_a_file_in_its_own_quarter_only(tmp_path):
    """One inbox folder for all quarters: 2019Q2's run over it said 2019Q1's accepted return
    was accepted (its receipt's status) and counted it among 2019Q2's accepted files. Now
    it is a copy for 2019Q2, not counted; 2019Q1's record is as it was."""
    import random

    from xltools import api
    from xltools.planfile import load_plan
    from xltools.simulate import fill_report
    from xltools.xlsx.writer import workbook_bytes
    plan_path = api.example_dir() / "plan.xlsx"
    plan = load_plan(plan_path).value
    unit = plan.units_with_tasks()[1].name
    box = tmp_path / "\u6536\u4ef6\u7bb1"  # 收件箱
    box.mkdir()
    (box / "Thumbs.db").write_bytes(b"\0" * 64)  # (ignored in every period)
    (box / f"{unit}.xlsx").write_bytes(
        workbook_bytes(fill_report(plan, unit, plan.period("2019Q1"), random.Random(1))))

    def run(period: str):
        return api.collect([box], plan_path, period, tmp_path / f"out-{period}",
                           tmp_path / "l.sqlite", workers=1)
    assert sorted(f.status for f in run("2019Q1").files) == [ACCEPTED, IGNORED]
    for _ in range(2):
        q2 = run("2019Q2")
        assert sorted(f.status for f in q2.files) == [DUPLICATE, IGNORED] and ACCEPTED not in q2.counts
        assert unit in q2.missing_units
    # also in a run that records something new beside it (another unit's 2019Q2 return)
    other = plan.units_with_tasks()[2].name
    (box / f"{other}.xlsx").write_bytes(
        workbook_bytes(fill_report(plan, other, plan.period("2019Q2"), random.Random(2))))
    q2 = run("2019Q2")
    assert sorted(f.status for f in q2.files) == [ACCEPTED, DUPLICATE, IGNORED] and q2.counts[ACCEPTED] == 1
    # and 2019Q1 again: its own file accepted, 2019Q2's a copy
    assert sorted(f.status for f in run("2019Q1").files) == [ACCEPTED, DUPLICATE, IGNORED]
    with Ledger(tmp_path / "l.sqlite") as led:  # (2019Q2's return a copy on 2019Q1's page)
        assert {r.display: r.status for r in led.receipts(plan.plan_id, "2019Q1")} == {
            "\u6536\u4ef6\u7bb1/Thumbs.db": IGNORED, f"\u6536\u4ef6\u7bb1/{unit}.xlsx": ACCEPTED,
            f"\u6536\u4ef6\u7bb1/{other}.xlsx": DUPLICATE}
        assert [r.unit for r in led.returns(plan.plan_id, "2019Q1")] == [unit]


# ------------------------------------------------------------------ one file, one outcome per period
def _quarters(tmp_path: Path):
    """The example plan, one unit of it, form(period): that unit's filled report for a
    period (its bytes), and run(period, *inboxes, plan=...): api.collect of inbox folders
    under tmp_path into one ledger, l.sqlite."""
    import random

    from xltools import api
    from xltools.planfile import load_plan
    from xltools.simulate import fill_report
    from xltools.xlsx.writer import workbook_bytes
    plan_path = api.example_dir() / "plan.xlsx"
    plan = load_plan(plan_path).value
    unit = plan.units_with_tasks()[1].name

    def form(period: str) -> bytes:
        return workbook_bytes(fill_report(plan, unit, plan.period(period), random.Random(1)))

    def run(period: str, *boxes: str, plan: Path = plan_path):
        return api.collect([tmp_path / b for b in boxes], plan, period,
                           tmp_path / f"out-{plan.parent.name}-{period}", tmp_path / "l.sqlite",
                           workers=1)
    return plan, unit, form, run


def _put(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def _seen(tmp_path: Path, plan_id: str, period: str) -> list[tuple[str, str, list[str]]]:
    """(display, status, finding codes) of every receipt of a period."""
    with Ledger(tmp_path / "l.sqlite") as led:
        return [(r.display, r.status, [f.code for f in r.findings])
                for r in led.receipts(plan_id, period)]


def test_a_period_collected_first_keeps_its_refusal_when_the_other_takes_the_file(tmp_path):
    """One inbox for every quarter, 2019Q2 collected first: it refuses the 2019Q1 return
    (another period's form). 2019Q1 then takes it; 2019Q2's page still says what 2019Q2's
    runs found (before, the receipt both shared said 已接收 on 2019Q2's page)."""
    plan, unit, form, run = _quarters(tmp_path)
    _put(tmp_path / "box", f"{unit}.xlsx", form("2019Q1"))
    assert [f.status for f in run("2019Q2", "box").files] == [REJECTED]
    assert [f.status for f in run("2019Q1", "box").files] == [ACCEPTED]
    q2 = run("2019Q2", "box")
    assert [f.status for f in q2.files] == [REJECTED] and ACCEPTED not in q2.counts
    assert _seen(tmp_path, plan.plan_id, "2019Q2") == [(f"box/{unit}.xlsx", REJECTED, ["other-period"])]
    assert [s[:2] for s in _seen(tmp_path, plan.plan_id, "2019Q1")] == [(f"box/{unit}.xlsx", ACCEPTED)]
    with Ledger(tmp_path / "l.sqlite") as led:
        assert [r.unit for r in led.returns(plan.plan_id, "2019Q1")] == [unit]
        assert list(led.returns(plan.plan_id, "2019Q2")) == []
        st = led.status(plan.plan_id, "2019Q2")
        assert st.counts[ACCEPTED] == 0 and st.counts[REJECTED] == 1


def test_a_file_two_periods_refuse_keeps_each_periods_refusal(tmp_path):
    """A 2019Q3 form and a file that is no workbook, in 2019Q1's inbox and in 2019Q2's: each
    period refuses them with its own reason, whichever was collected last (before, the
    period collected second made the first one's refusal a bare 重复文件, until the first
    was collected again, and so on)."""
    plan, unit, form, run = _quarters(tmp_path)
    q3 = form("2019Q3")
    for box in ("q1", "q2"):
        _put(tmp_path / box, "q3.xlsx", q3)
        _put(tmp_path / box, "fake.xls", b"<html><table></table></html>")
    for _ in range(2):
        for period, box in (("2019Q1", "q1"), ("2019Q2", "q2")):
            assert sorted(f.status for f in run(period, box).files) == [REJECTED, REJECTED]
    # (within a period, a second copy of a refused file is a copy of it, refused once)
    _put(tmp_path / "q2" / "again", "q3.xlsx", q3)
    assert sorted(f.status for f in run("2019Q2", "q2").files) == [DUPLICATE, REJECTED, REJECTED]
    assert _seen(tmp_path, plan.plan_id, "2019Q2")[0] == ("q2/again/q3.xlsx", DUPLICATE, ["duplicate-file"])
    for period, box in (("2019Q1", "q1"), ("2019Q2", "q2")):
        seen = [r for r in _seen(tmp_path, plan.plan_id, period) if "again" not in r[0]]
        assert [(d, s) for d, s, _ in seen] == [(f"{box}/fake.xls", REJECTED), (f"{box}/q3.xlsx", REJECTED)]
        assert seen[1][2] == ["other-period"] and seen[0][2]
        with Ledger(tmp_path / "l.sqlite") as led:  # each says what it was collecting
            (mine,) = [r for r in led.receipts(plan.plan_id, period) if r.display == f"{box}/q3.xlsx"]
            assert plan.period(period).name in mine.findings[0].message


def test_an_unarchived_return_is_kept_when_another_period_sees_its_bytes(tmp_path):
    """2019Q1 takes a return it cannot archive (the archive folder is blocked); the same
    bytes then come in 2019Q2's run (one inbox for every quarter). They are archived, and
    2019Q1 keeps its return, its archive error gone (before, 2019Q2's run made the record
    its own refusal: 2019Q1 lost the return until it was collected again)."""
    plan, unit, form, run = _quarters(tmp_path)
    data = form("2019Q1")
    _put(tmp_path / "box", f"{unit}.xlsx", data)
    sha = hashlib.sha256(data).hexdigest()
    block = tmp_path / "l_archive" / sha[:2]
    _put(block.parent, block.name, b"not a folder")
    (f,) = run("2019Q1", "box").files
    assert f.status == ACCEPTED and "archive-failed" in [x.code for x in f.findings]
    block.unlink()
    assert [f.status for f in run("2019Q2", "box").files] == [DUPLICATE]
    with Ledger(tmp_path / "l.sqlite") as led:
        assert [r.unit for r in led.returns(plan.plan_id, "2019Q1")] == [unit]
        (q1,) = led.receipts(plan.plan_id, "2019Q1")
        assert q1.status == ACCEPTED and Path(q1.archived).read_bytes() == data
        assert "archive-failed" not in [x.code for x in q1.findings]
    assert _seen(tmp_path, plan.plan_id, "2019Q2") == [
        (f"box/{unit}.xlsx", DUPLICATE, ["received-for-other-period"])]
    q1 = run("2019Q1", "box")
    assert [(f.status, f.seen_before) for f in q1.files] == [(ACCEPTED, True)]


def test_outputs_are_made_again_after_another_periods_run_changed_the_ledger(tmp_path):
    """2019Q2's outputs are kept by an unchanged re-run only while no run of any period has
    recorded anything since (2019Q1's returns are 2019Q2's previous figures); and its
    validation report, its run and its ledger page say the same of each file (before, a
    2019Q1 run that changed the receipt both shared left 2019Q2's outputs in place: the run
    said 重复文件, the page 已接收, the report 已退回)."""
    import openpyxl
    plan, unit, form, run = _quarters(tmp_path)
    _put(tmp_path / "box", f"{unit}.xlsx", form("2019Q1"))
    run("2019Q2", "box")
    again = run("2019Q2", "box")
    assert again.phases == {}  # (nothing changed: the outputs stand)
    run("2019Q1", "box")
    q2 = run("2019Q2", "box")
    assert q2.phases != {} and [f.status for f in q2.files] == [REJECTED]
    ws = openpyxl.load_workbook(q2.outputs[1])["\u6587\u4ef6\u6e05\u5355"]  # 文件清单
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == f"box/{unit}.xlsx"]
    assert ws.cell(cell.row, 5).value == "\u5df2\u9000\u56de"  # 已退回
    assert _seen(tmp_path, plan.plan_id, "2019Q2")[0][1] == REJECTED
    assert run("2019Q2", "box").phases == {}


def test_two_plans_in_one_ledger_each_have_their_own_outcome(tmp_path):
    """One ledger for two plans (another plan_id), one inbox: a return plan A took is a
    copy for plan B, not counted there (before, plan B's run said it was accepted, and
    its page did not list it)."""
    from xltools import api
    from xltools.planfile import load_plan, save_plan
    plan, unit, form, run = _quarters(tmp_path)
    other = load_plan(api.example_dir() / "plan.xlsx").value
    other.plan_id = plan.plan_id + "-b"
    plan_b = save_plan(other, tmp_path / "b" / "plan.xlsx")
    _put(tmp_path / "box", f"{unit}.xlsx", form("2019Q1"))
    assert [f.status for f in run("2019Q1", "box").files] == [ACCEPTED]
    for _ in range(2):
        b = run("2019Q1", "box", plan=plan_b)
        assert [f.status for f in b.files] == [DUPLICATE] and ACCEPTED not in b.counts
        assert unit in b.missing_units
    assert _seen(tmp_path, other.plan_id, "2019Q1") == [(f"box/{unit}.xlsx", DUPLICATE, ["duplicate-file"])]
    assert [s[:2] for s in _seen(tmp_path, plan.plan_id, "2019Q1")] == [(f"box/{unit}.xlsx", ACCEPTED)]
    with Ledger(tmp_path / "l.sqlite") as led:
        assert [r.unit for r in led.returns(plan.plan_id, "2019Q1")] == [unit]
        assert list(led.returns(other.plan_id, "2019Q1")) == []


# format 8's receipts: one per file and name, whatever period saw it
FORMAT_8_RECEIPTS = """CREATE TABLE receipts (
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
  sha256 TEXT NOT NULL REFERENCES files(sha256), path TEXT NOT NULL, display TEXT NOT NULL,
  name TEXT NOT NULL, received_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  status TEXT NOT NULL, UNIQUE (sha256, display));
CREATE INDEX receipts_run ON receipts(run_id)"""


def test_a_format_8_ledger_keeps_every_receipt_each_in_its_period(tmp_path):
    """Format 8 to 9: every receipt and finding kept (ids too), each receipt in the period
    of its run, but the one that had its record's status in that record's period: a
    format 8 receipt 2019Q2 saw first and 2019Q1 took after (one inbox for every quarter)
    is 2019Q1's. The ledger then takes the same file in two periods under one name."""
    db, box = tmp_path / "l.db", tmp_path / "in"
    a, b = received(make_file(box, "a.xlsx", "a")), received(make_file(box, "b.xlsx", "b"))
    copy = received(Path(a.path), display="q2/a.xlsx")
    with Ledger(db) as led:
        collect(led, [a_return(a), a_return(b, status=REJECTED)])
        collect(led, [a_return(copy, status=REJECTED)], period="2019Q2")
        q1 = statuses(led)
    con = sqlite3.connect(db)
    tables = ("receipts", "findings", "runs", "submissions")
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    con.execute("PRAGMA legacy_alter_table = ON")
    con.execute("ALTER TABLE receipts RENAME TO r9")
    for stmt in FORMAT_8_RECEIPTS.split(";"):
        con.execute(stmt)
    con.execute("INSERT INTO receipts SELECT id, run_id, sha256, path, display, name, received_at, "
                "recorded_at, status FROM r9")
    con.execute("DROP TABLE r9")
    con.execute("ALTER TABLE runs DROP COLUMN changed")
    # format 8 left a.xlsx's receipt on the 2019Q2 run that saw it first
    con.execute("UPDATE receipts SET run_id = 2 WHERE display = 'a.xlsx'")
    con.execute("PRAGMA user_version = 8")
    con.commit()
    con.close()
    with Ledger(db) as led:
        c = led.conn
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 9
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = {t: c.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
        assert {t: [tuple(r) for r in rows] for t, rows in after.items()} == {
            t: [tuple(r) for r in rows] for t, rows in before.items()}
        assert statuses(led) == q1 == [("a.xlsx", ACCEPTED), ("b.xlsx", REJECTED)]
        assert [r.run_id for r in led.receipts(PLAN, "2019Q1")] == [1, 1]
        assert [[f.code for f in r.findings] for r in led.receipts(PLAN, "2019Q1")] == [[], ["junk-ignored"]]
        (dup,) = led.receipts(PLAN, "2019Q2")
        assert (dup.display, dup.status, [f.code for f in dup.findings]) == \
            ("q2/a.xlsx", DUPLICATE, ["received-for-other-period"])
        assert led.state() == "run:2"
        # 2019Q2's run over 2019Q1's inbox: a.xlsx a copy there too, 2019Q1's as it was
        assert collect(led, [a_return(a, status=REJECTED)], period="2019Q2") == [DUPLICATE]
        assert [(r.display, r.status) for r in led.receipts(PLAN, "2019Q2")] == [
            ("a.xlsx", DUPLICATE), ("q2/a.xlsx", DUPLICATE)]
        assert statuses(led) == q1 and led.state() == "run:3"
