"""A full disk under the ledger (issue 14): one clear Chinese message, the run undone, and no
archive file without a ledger row after the next run. The disk is a small tmpfs, which
needs root (skipped otherwise)."""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import make_small_plan
from xltools.cli import app
from xltools.planfile import save_plan
from xltools.simulate import fill_report, write_received
from xltools.xlsx.writer import workbook_bytes

Q1 = "2019Q1"


@pytest.fixture
def small_disk(tmp_path):
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount -t tmpfs is not allowed here (container without CAP_SYS_ADMIN)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _archive_files(db: Path) -> set[str]:
    arch = db.with_name(db.stem + "_archive")
    return {str(p.relative_to(db.parent)) for p in arch.glob("??/*")} if arch.exists() else set()


def test_a_full_disk_is_a_clear_message_and_leaves_no_orphans(tmp_path, small_disk):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox = tmp_path / "inbox"
    units = ["区发改局", "区财政局", "区人社局", "锣场镇", "解放街办"]
    for i in range(40):  # 40 different returns (~8 KB each): 320 KB to archive
        unit = units[i % 5]
        data = workbook_bytes(fill_report(plan, unit, plan.period(Q1), random.Random(i)))
        write_received(inbox / f"{i:02d}_{unit}.xlsx", data, "2019-04-08T09:00:00")
    db = small_disk / "台账.sqlite"
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (1024 * 1024 - 200 * 1024))  # 200 KB left
    args = ["collect", str(inbox), "--plan", str(plan_path), "--period", Q1, "--db", str(db),
            "-o", str(tmp_path / "out")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "磁盘已满" in res.output and "没有记录任何文件" in res.output
    assert "OperationalError" not in res.output and "Traceback" not in res.output
    filler.unlink()  # the clerk makes room and runs again
    res = CliRunner().invoke(app, args)
    assert res.exit_code in (0, 1) and "磁盘已满" not in res.output, res.output
    with sqlite3.connect(db) as conn:
        rows = {r for (r,) in conn.execute("SELECT archived FROM files WHERE archived IS NOT NULL")}
        assert conn.execute("SELECT count(*) FROM receipts").fetchone()[0] == 40
    assert len(rows) == 40 and _archive_files(db) == rows  # every file has its row, no orphan
