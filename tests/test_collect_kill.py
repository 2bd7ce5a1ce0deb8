"""A real `xltools collect` killed with SIGKILL at random moments, several times; then the ledger
is checked (integrity, no half run, every recorded file archived) and a re-run completes the
work: the same final state as one uninterrupted run.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import psutil
import pytest

import hostile_corpus as hc
from conftest import with_pythonpath
from xltools.collect.run import WORKDIR_PREFIX

ROOT = Path(__file__).resolve().parents[1]
UNITS = ["区发改局", "区财政局", "区人社局", "解放街办"]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """≈180 files: every unit resubmitting many times, town forms, zips, junk, bad files."""
    base = tmp_path_factory.mktemp("kill")
    box = base / "收件箱"
    t0 = datetime(2019, 4, 1, 8, 0)
    n = 0
    for v in range(40):
        for unit in UNITS:
            n += 1
            when = (t0 + timedelta(minutes=n)).timestamp()
            p = box / f"第{v:02d}批" / f"{unit}报表.xlsx"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(hc.report_bytes(unit, 1000 + n))
            os.utime(p, (when, when))
    for i in range(5):
        hc._write(box / "乡镇" / f"锣场镇{i}.xlsx", hc.town_bytes("锣场镇", 50 + i))
        hc._write(box / "坏文件" / f"截断{i}.xlsx", hc.report_bytes("区财政局", 70 + i)[:900])
    hc._write(box / "附件.zip", hc.zip_with({f"区财政局{i}.xlsx": hc.report_bytes("区财政局", 90 + i)
                                           for i in range(5)}))
    hc._write(box / "~$锁.xlsx", b"\x00" * 165)
    plan_path = hc.save_plan(hc.plan(), base / "plan.json")
    return base, box, Path(plan_path)


def collect_cmd(box: Path, plan: Path, db: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "xltools.cli", "collect", str(box), "--plan", str(plan),
            "--period", hc.PERIOD, "--db", str(db), "-o", str(out), "--json"]


def check_ledger(db: Path) -> None:
    """Integrity, no half run, every recorded file archived."""
    if not db.exists():
        return
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL").fetchone()[0] == 0
        for (archived,) in con.execute("SELECT archived FROM files"):
            assert archived and (db.parent / archived).is_file(), archived
        assert con.execute("SELECT COUNT(*) FROM submissions s LEFT JOIN receipts r "
                           "ON r.sha256 = s.sha256 WHERE r.id IS NULL").fetchone()[0] == 0
        assert con.execute('SELECT COUNT(*) FROM "values" v LEFT JOIN value_sets vs '
                           "ON vs.id = v.set_id LEFT JOIN submissions s "
                           "ON s.sha256 = vs.sha256 WHERE s.sha256 IS NULL").fetchone()[0] == 0
    finally:
        con.close()


def descendants(pid: int) -> list[psutil.Process]:
    """The processes a running collect has started (its readers and writers)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def final_state(db: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        return {
            "files": sorted(con.execute("SELECT sha256, size, kind FROM files")),
            "receipts": sorted(con.execute("SELECT sha256, display, status FROM receipts")),
            "submissions": sorted(con.execute(
                "SELECT sha256, status, kind, unit, late, supersedes FROM submissions")),
            "values": con.execute('SELECT COUNT(*), SUM(blocked) FROM "values"').fetchone(),
            "findings": sorted(con.execute("SELECT sha256, code, cell FROM findings")),
        }
    finally:
        con.close()


def test_killed_collect_leaves_a_consistent_ledger_and_the_rerun_completes(inbox):
    base, box, plan = inbox
    env = with_pythonpath(dict(os.environ), ROOT)
    # one uninterrupted run: the state to reach, and how long a run takes
    ref_db = base / "ref" / "台账.sqlite"
    t0 = time.monotonic()
    done = subprocess.run(collect_cmd(box, plan, ref_db, base / "ref_out"), capture_output=True,
                          text=True, timeout=300, env=env)
    duration = time.monotonic() - t0
    assert done.returncode == 1, done.stderr  # bad files among them: exit 1, outputs written
    expected = final_state(ref_db)
    assert len(expected["receipts"]) > 170

    db = base / "killed" / "台账.sqlite"
    rnd = random.Random(20190405)
    kills, workers = 0, []
    for attempt in range(5):
        with subprocess.Popen(collect_cmd(box, plan, db, base / "out"), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
            pause = rnd.uniform(0.05, duration * 0.9)
            if attempt == 0:  # once while its workers run, whatever the machine's load
                while proc.poll() is None and not descendants(proc.pid):
                    time.sleep(0.02)
            else:
                time.sleep(pause)
            if proc.poll() is None:
                workers += descendants(proc.pid)  # forked or spawned, whatever their name
                proc.send_signal(signal.SIGKILL)  # the collect process alone, not its group
                kills += 1
            proc.wait(60)
        check_ledger(db)
    assert kills >= 3 and workers
    # no worker outlives its killed collect; their private folders go on the next run
    _, survivors = psutil.wait_procs(workers, timeout=10)
    assert [p for p in survivors if p.status() != psutil.STATUS_ZOMBIE] == [], survivors
    rerun = subprocess.run(collect_cmd(box, plan, db, base / "out"), capture_output=True,
                           text=True, timeout=300, env=env)
    assert rerun.returncode in (0, 1), rerun.stderr
    assert "Traceback" not in rerun.stderr
    check_ledger(db)
    assert final_state(db) == expected
    stale = [p for p in Path(tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*")
             if not psutil.pid_exists(int(p.name[len(WORKDIR_PREFIX):].split("-")[0]))]
    assert stale == []
