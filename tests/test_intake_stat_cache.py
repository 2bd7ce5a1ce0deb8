"""Intake's stat cache (issue 18): a re-collect does not read again the inbox files the
ledger already settled and whose stat is unchanged, and never trusts one that may have
changed: other bytes under the same stat, a file saved moments before it was read, other
limits, a file rejected for another period, a ledger that moved on since the look-up."""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from xltools import api
from xltools.api import example_dir
from xltools.collect import intake as intake_mod
from xltools.collect.intake import IntakeResult, _SETTLED_NS
from xltools.collect.limits import Limits
from xltools.model.errors import OutputError
from xltools.collect.run import _settled
from xltools.model.returns import Received
from xltools.planfile import load_plan
from xltools.simulate import simulate_returns

PLAN = example_dir() / "plan.xlsx"
HOUR_AGO_NS = time.time_ns() - 3600 * 10**9


@pytest.fixture(scope="module")
def inboxes(tmp_path_factory):
    """The demo's first-quarter returns and its second-quarter ones, saved an hour ago or
    earlier (in their order: a resubmission stays the later file)."""
    root = tmp_path_factory.mktemp("statcache")
    plan = load_plan(PLAN).value
    for period in ("2019Q1", "2019Q2"):
        simulate_returns(plan, period, root / period)
        for p in (root / period).rglob("*"):  # (simulate dates most of them in 2019)
            if p.is_file() and p.stat().st_mtime_ns > HOUR_AGO_NS:
                os.utime(p, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    return root


@pytest.fixture
def opened(monkeypatch):
    """The paths of the inbox files intake opens."""
    names: list[str] = []
    real = intake_mod.fsopen.open_file

    def spy(name, parent, path):
        names.append(path)
        return real(name, parent, path)
    monkeypatch.setattr(intake_mod.fsopen, "open_file", spy)
    return names


def _copy(inboxes: Path, tmp_path: Path, period: str = "2019Q1") -> Path:
    box = tmp_path / "inbox"
    shutil.copytree(inboxes / period, box)  # (copytree keeps the times)
    return box


def _collect(box: Path, tmp_path: Path, period: str = "2019Q1", **kw):
    return api.collect([box], PLAN, period, tmp_path / "out", tmp_path / "l.sqlite", workers=1,
                       **kw)


def _plain(box: Path) -> set[str]:
    """The inbox's plain workbooks (the ones a run remembers)."""
    return {str(p) for p in box.rglob("*.xlsx") if not p.name.startswith("~$")}  # (junk)


def _stats(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "l.sqlite") as con:
        return {os.fsdecode(p): sha for p, sha in con.execute("SELECT path, sha256 FROM intake_stats")}


def test_an_unchanged_inbox_is_not_read_again(inboxes, tmp_path, opened):
    box = _copy(inboxes, tmp_path)
    first = _collect(box, tmp_path)
    read_first = len(opened)
    stats = _stats(tmp_path)
    # the plain workbooks in folders are remembered, with the bytes they had
    plain = _plain(box)
    assert plain and set(stats) == plain
    by_path = {str(box.parent / f.path): f.sha256 for f in first.files}
    assert all(by_path[p] == sha for p, sha in stats.items())
    opened.clear()
    again = _collect(box, tmp_path)
    assert all(f.seen_before for f in again.files) and len(again.files) == len(first.files)
    # only what is not a plain workbook (the zip, the e-mail junk) is opened again
    assert read_first > len(plain) and len(opened) == read_first - len(plain)
    assert not plain & set(opened)
    assert {(f.path, f.sha256, f.status) for f in again.files} == \
        {(f.path, f.sha256, f.status) for f in first.files}


def test_other_bytes_under_the_old_time_are_read(inboxes, tmp_path, opened):
    """Same size, modification time set back: the change time still tells (on Windows it
    is the creation time, and such an edit would pass: see KnownFile)."""
    box = _copy(inboxes, tmp_path)
    _collect(box, tmp_path)
    victim = sorted(box.rglob("*报表.xlsx"))[0]
    before, st = _stats(tmp_path)[str(victim)], victim.stat()
    data = bytearray(victim.read_bytes())
    data[-30] ^= 0xFF  # (in the zip's central directory)
    time.sleep(0.01)
    victim.write_bytes(bytes(data))
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (victim.stat().st_size, victim.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    opened.clear()
    again = _collect(box, tmp_path)
    assert _plain(box) & set(opened) == {str(victim)}
    row = next(f for f in again.files if f.path.endswith(victim.name))
    assert not row.seen_before and row.sha256 != before
    assert _stats(tmp_path)[str(victim)] == row.sha256  # (what is remembered now)


def test_a_file_saved_moments_before_it_was_read_is_not_remembered(inboxes, tmp_path, opened):
    box = _copy(inboxes, tmp_path)
    fresh = sorted(box.rglob("*报表.xlsx"))[0]
    now = time.time_ns()
    os.utime(fresh, ns=(now, now))
    _collect(box, tmp_path)
    assert str(fresh) not in _stats(tmp_path) and len(_stats(tmp_path)) > 1
    opened.clear()
    again = _collect(box, tmp_path)
    assert _plain(box) & set(opened) == {str(fresh)} and all(f.seen_before for f in again.files)
    # read again now that it has settled: remembered this time
    assert time.time_ns() - now > _SETTLED_NS or str(fresh) not in _stats(tmp_path)


def test_other_limits_read_everything_again(inboxes, tmp_path, opened):
    box = _copy(inboxes, tmp_path)
    _collect(box, tmp_path)
    opened.clear()
    _collect(box, tmp_path, limits=Limits(max_rows=50_000))
    assert set(_stats(tmp_path)) <= set(opened)


def test_a_file_rejected_for_another_period_is_decided_again(inboxes, tmp_path, opened):
    """Second-quarter returns collected first as the first quarter (rejected: another
    period), then for their own quarter: examined again and accepted, not taken as settled."""
    box = _copy(inboxes, tmp_path, "2019Q2")
    wrong = _collect(box, tmp_path, "2019Q1")
    assert "accepted" not in {f.status for f in wrong.files if f.form == "report"}
    assert len(_stats(tmp_path)) > 1  # remembered, but only for the first quarter's runs
    opened.clear()
    right = _collect(box, tmp_path, "2019Q2")
    assert set(_stats(tmp_path)) <= set(opened)
    assert right.counts.get("accepted", 0) > 0
    assert not any(f.seen_before for f in right.files if f.status == "accepted")


def test_a_ledger_that_moved_on_means_reading_everything(tmp_path):
    """A file taken from the cache but not settled when the run began (another run changed
    the ledger between the look-up and the lock): every file is read again."""
    rec = Received(path="a.xlsx", display="in/a.xlsx", name="a.xlsx", sha256="0" * 64, size=1,
                   received_at="2019-04-01T00:00:00", file_type="xlsx")
    fresh = IntakeResult([rec], [])

    class FakeLedger:
        def __init__(self, status):
            self.status = status

        def receipt_status(self, r):
            return self.status

    cached = IntakeResult([rec], [], cached={"in/a.xlsx"})
    assert _settled(cached, FakeLedger("accepted"), lambda: fresh) == (cached, ["accepted"])
    assert _settled(cached, FakeLedger(None), lambda: fresh) == (fresh, [None])
    assert _settled(fresh, FakeLedger(None), lambda: cached) == (fresh, [None])


@pytest.mark.parametrize("edit", [
    lambda s: {k: v for k, v in s.items() if k != "outputs"}, lambda s: [s],
    lambda s: {**s, "feedback": None}, lambda s: {**s, "outputs": [1]}, lambda s: {**s, "state": 3}])
def test_a_stamp_in_another_shape_means_a_rebuild(inboxes, tmp_path, edit):
    """The outputs' stamp is a file in the clerk's folder: edited, it is not trusted, never a traceback."""
    import json
    box = _copy(inboxes, tmp_path)
    first = _collect(box, tmp_path)
    stamp = tmp_path / "out" / api.STAMP
    stamp.write_text(json.dumps(edit(json.loads(stamp.read_text(encoding="utf-8")))), encoding="utf-8")
    again = _collect(box, tmp_path)
    assert again.summary_book == first.summary_book and again.outputs == first.outputs
    assert again.feedback == first.feedback and again.attention == first.attention
    assert json.loads(stamp.read_text(encoding="utf-8"))["outputs"]  # and a sound stamp is written again


def test_the_runs_own_outputs_ledger_and_plan_inside_the_inbox_are_never_read(inboxes, tmp_path):
    """A clerk who keeps everything in one folder (`collect .`, or the outputs written into
    the inbox): xltools' own 退回修改 copies, reports, ledger files, archive and plan are not
    returns. Read as returns, the unit's own feedback copy replaced its real return (late,
    received at the run's time) and every run added more rejected files."""
    box = _copy(inboxes, tmp_path)
    alone = api.collect([box], PLAN, "2019Q1", tmp_path / "apart", tmp_path / "apart.sqlite",
                        workers=1)
    shutil.copy(PLAN, box / "plan.xlsx")
    plan, out, db = box / "plan.xlsx", box / "汇总", box / "台账.sqlite"
    runs = [api.collect([box], plan, "2019Q1", out, db, workers=1) for _ in range(3)]
    assert list(out.glob("反馈/*/*.xlsx")) and list((box / "台账_archive").rglob("*.xlsx"))
    skipped = {Path(f.path).name for f in runs[-1].files
               if [x.code for x in f.findings] == ["own-file-skipped"]}
    assert {"汇总", "台账.sqlite", "台账_archive", "plan.xlsx"} <= skipped
    for report in runs:
        assert {(f.sha256, f.status) for f in report.files if f.status != "ignored"} == \
            {(f.sha256, f.status) for f in alone.files if f.status != "ignored"}
        assert report.late_units == alone.late_units
        assert report.missing_units == alone.missing_units
    assert all(f.seen_before or f.sha256 == "" for f in runs[-1].files)
    # outputs written there by another run (another -o, another period): still xltools' own
    other = api.collect([box], plan, "2019Q1", box / "汇总2", db, workers=1)
    assert "汇总" in {Path(f.path).name for f in other.files
                     if [x.code for x in f.findings] == ["own-file-skipped"]}
    assert {(f.sha256, f.status) for f in other.files if f.status != "ignored"} == \
        {(f.sha256, f.status) for f in alone.files if f.status != "ignored"}
    # the inbox itself as the output folder: refused before anything is recorded
    with pytest.raises(OutputError, match="就是收件夹"):
        api.collect([box], plan, "2019Q1", box, db, workers=1)


def test_a_file_an_earlier_run_accepted_shows_as_superseded_when_its_successor_arrives(
        inboxes, tmp_path):
    """The closing table and --json of the run that brings the corrected return: the earlier
    file shows as 已被替代 (before, still 已接收 until the next run, while the 校验报告
    already said 已被替代)."""
    box = _copy(inboxes, tmp_path)
    whole = api.collect([box], PLAN, "2019Q1", tmp_path / "whole", tmp_path / "whole.sqlite",
                        workers=1)
    status = {Path(f.path).name: f.status for f in whole.files}
    later = [f for f in whole.files if f.status == "accepted" and f.unit and any(
        g.status == "superseded" and g.unit == f.unit and g.form == f.form for g in whole.files)]
    assert later, "the demo inbox has a corrected return"
    held = tmp_path / Path(later[0].path).name
    (box.parent / later[0].path).rename(held)
    _collect(box, tmp_path)
    held.rename(box.parent / later[0].path)
    again = _collect(box, tmp_path)
    assert {Path(f.path).name: f.status for f in again.files} == status
    assert again.counts == whole.counts
    # files recorded before carry their unit, form and findings as the ledger holds them
    # (--json and the desk: before, "" and [] for every file seen before)
    assert {(Path(f.path).name, f.unit, f.form) for f in again.files} == \
        {(Path(f.path).name, f.unit, f.form) for f in whole.files}
    assert [f.findings for f in again.files if f.seen_before and f.status == "accepted"
            and any(g.path == f.path and g.findings for g in whole.files)]


def test_copies_of_earlier_files_are_new_and_the_earlier_receipts_are_not(inboxes, tmp_path):
    """The same returns arriving again under other names: the 校验报告 and the HTML report
    count as new only this run's receipts (before, every earlier receipt of the same bytes
    was marked 新收 again)."""
    import openpyxl
    box = _copy(inboxes, tmp_path)
    _collect(box, tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(box, copy)
    rep = api.collect([box, copy], PLAN, "2019Q1", tmp_path / "out", tmp_path / "l.sqlite",
                      workers=1)
    new = rep.new_files
    assert new and new == sum(1 for f in rep.files if Path(f.path).parts[0] == "copy")
    book = openpyxl.load_workbook(rep.outputs[1], read_only=True)
    said = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row
            if isinstance(c, str) and "本次新收" in c]
    assert said and f"其中本次新收 {new} 个" in said[0], said
    assert f"其中本次新收文件 {new} 个" in Path(rep.html).read_text(encoding="utf-8")
