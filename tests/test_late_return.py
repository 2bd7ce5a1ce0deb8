"""A late return (issue 18): collecting again after one more file rewrites only what it
changes (the 校验报告's unit sheet, that unit's feedback copy, its HTML section), and the
outputs are the same as a full rebuild from scratch: same cells, merges and styles, the
same HTML bytes; a previous output that was altered or is missing is rebuilt in full."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import openpyxl
import pytest

from xltools import api
from xltools.api import example_dir
from xltools.model.findings import ERROR
from xltools.planfile import load_plan
from xltools.report import feedback as feedback_mod, html as html_mod, outputs as outputs_mod
from xltools.report import validation_book
from xltools.report.feedback import FEEDBACK_DIR
from xltools.simulate import simulate_returns

PERIOD = "2019Q1"
PLAN = example_dir() / "plan.xlsx"


class _FixedNow(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2019, 4, 20, 9, 30)


@pytest.fixture
def spies(monkeypatch):
    """Count what is built: unit sheets, feedback copies, HTML sections; capture the inputs
    of every write_outputs call."""
    built = {"sheets": [], "copies": [], "sections": [], "inputs": []}

    def spy(module, name, into, pick):
        real = getattr(module, name)

        def wrapper(*a, **k):
            built[into].append(pick(a))
            return real(*a, **k)
        monkeypatch.setattr(module, name, wrapper)

    spy(validation_book, "_unit_sheet", "sheets", lambda a: a[4])
    spy(feedback_mod, "feedback_copy", "copies", lambda a: a[2].unit)
    spy(html_mod, "_unit_findings", "sections", lambda a: a[0])
    spy(outputs_mod, "write_outputs", "inputs", lambda a: a)
    monkeypatch.setattr(html_mod, "datetime", _FixedNow)
    return built


@pytest.fixture(scope="module")
def period_files(tmp_path_factory):
    """The demo's returns, and one report with errors (a plain file) to hold back."""
    root = tmp_path_factory.mktemp("late")
    plan = load_plan(PLAN).value
    inbox = root / "inbox"
    simulate_returns(plan, PERIOD, inbox)
    scout = api.collect([inbox], PLAN, PERIOD, root / "scout", root / "scout.sqlite", workers=1)
    late = next(f for f in scout.files if f.status == "accepted" and f.form
                and "\u203a" not in f.path and any(x.severity == ERROR for x in f.findings))
    return root, inbox, late


def _held(box: Path, late) -> Path:
    found = list(box.rglob(Path(late.path).name))
    assert len(found) == 1, found
    return found[0]


def _without_late(tmp_path: Path, period_files) -> tuple[Path, Callable[[], object]]:
    """A copy of the period's inbox with the late file set aside, and how to put it back."""
    root, inbox, late = period_files
    box = tmp_path / "inbox"
    shutil.copytree(inbox, box)
    held = _held(box, late)
    aside = tmp_path / held.name
    held.replace(aside)
    return box, lambda: aside.replace(held)


def _record_examining(monkeypatch, events: list[str]) -> None:
    """events gets "examine N" each time collect reads N new files."""
    from xltools.collect import run as run_mod
    real = run_mod.examine_all

    def examine(files, *a, **k):
        events.append(f"examine {len(files)}")
        yield from real(files, *a, **k)
    monkeypatch.setattr(run_mod, "examine_all", examine)


def _late_run(tmp_path: Path, period_files, spies, harm=None):
    """First collect without the held-back file, then (after harm(out), if any) with it,
    into the same folder."""
    late = period_files[2]
    box, put_back = _without_late(tmp_path, period_files)
    out, db = tmp_path / "out", tmp_path / "ledger.sqlite"
    api.collect([box], PLAN, PERIOD, out, db, workers=1)
    if harm:
        harm(out)
    put_back()
    for v in spies.values():
        v.clear()
    api.collect([box], PLAN, PERIOD, out, db, workers=1)
    return out, late


def _full(tmp_path: Path, spies) -> Path:
    """The same outputs from the same inputs, written into an empty folder; the period's
    returns whole, as the ledger holds them (collect gives write_outputs only what the
    feedback copies need of them)."""
    from xltools.collect.ledger import Ledger

    full = tmp_path / "full"
    plan, period, summary, receipts, _current, _out, *rest = spies["inputs"][-1]
    with Ledger(tmp_path / "ledger.sqlite") as db:
        whole = db.current(plan.plan_id, period.id)
    assert any(fr.tasks for fr in whole)
    outputs_mod.write_outputs(plan, period, summary, receipts, whole, full, 1)
    return full


def _dump(path: Path) -> dict:
    """What a person sees in a workbook: every cell's value and style, merges, print set-up,
    protection, links, sheet order and state."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {c.coordinate: (c.value, c.number_format, repr(c.font), repr(c.fill),
                                repr(c.border), repr(c.alignment), repr(c.protection),
                                c.hyperlink.target if c.hyperlink else None,
                                c.comment.text if c.comment else None)
                 for row in ws.iter_rows() for c in row}
        out[ws.title] = (cells, sorted(str(m) for m in ws.merged_cells.ranges),
                         ws.print_title_rows, ws.print_area, ws.sheet_state,
                         ws.protection.sheet, ws.freeze_panes, repr(ws.page_setup),
                         ws.auto_filter.ref, dict(ws.column_dimensions.items()).keys())
    return out


def _feedback(out: Path) -> dict[str, dict]:
    return {str(p.relative_to(out)): _dump(p) for p in sorted((out / FEEDBACK_DIR).rglob("*.xlsx"))}


def _same_as_full(out: Path, full: Path) -> None:
    book = next(out.glob("校验报告_*.xlsx")).name
    assert _dump(out / book) == _dump(full / book)
    page = next(out.glob("汇总报告_*.html")).name
    assert (out / page).read_bytes() == (full / page).read_bytes()
    assert _feedback(out) == _feedback(full)
    assert _feedback(out)  # the demo has copies to send back


def test_late_return_rewrites_only_its_unit_and_equals_a_full_rebuild(tmp_path, period_files,
                                                                        spies):
    out, late = _late_run(tmp_path, period_files, spies)
    # only the late unit's sheet, copy and section were built
    assert spies["sheets"] == [late.unit]
    assert spies["copies"] == [late.unit]
    assert spies["sections"] == [late.unit]
    _same_as_full(out, _full(tmp_path, spies))


def test_spliced_book_is_valid_open_xml_and_opens_in_libreoffice(tmp_path, period_files, spies):
    out, late = _late_run(tmp_path, period_files, spies)
    assert spies["sheets"] == [late.unit]
    book = next(out.glob("校验报告_*.xlsx"))
    audit = pytest.importorskip("openxml_audit", reason="openxml-audit (pip install -e .[test])")
    errors = [e for e in audit.OpenXmlValidator().validate(book).errors
              if str(e.severity).lower().endswith("error")]
    assert not errors, [(e.part_uri, e.path, e.description) for e in errors[:3]]
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) 未安装")
    conv = tmp_path / "conv"
    profile = f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}"
    done = subprocess.run(["soffice", profile, "--headless",
                           "--convert-to", "ods", "--outdir", str(conv), str(book)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    got = conv / f"{book.stem}.ods"
    assert got.is_file() and got.stat().st_size > 0, done.stdout + done.stderr


@pytest.mark.parametrize("how", ["altered", "missing"])
def test_altered_or_missing_previous_output_is_rebuilt_in_full(tmp_path, period_files, spies, how):
    def harm(out: Path) -> None:
        book = next(out.glob("校验报告_*.xlsx"))
        copy = sorted((out / FEEDBACK_DIR).rglob("*.xlsx"))[0]
        if how == "altered":  # someone opened and saved them
            for path, sheet in ((book, -1), (copy, 0)):
                wb = openpyxl.load_workbook(path)
                wb.worksheets[sheet]["A1"] = "改过"
                wb.save(path)
        else:
            book.unlink()
            copy.unlink()

    out, late = _late_run(tmp_path, period_files, spies, harm)
    assert len(set(spies["sheets"])) > 1 and late.unit in spies["sheets"]  # every unit again
    assert len(spies["copies"]) == 2  # the late unit's and the harmed one
    _same_as_full(out, _full(tmp_path, spies))


def test_spawned_writers_given_only_their_own_inputs_write_the_same_outputs(
        tmp_path, period_files, spies, monkeypatch):
    """Where workers are spawned (Windows) each output job is pickled with only what it reads
    (the feedback job: the returns sent back whole, the others as who sent what when): the
    outputs must be those written in this process from the period's returns whole."""
    from xltools import parallel

    from xltools.collect.ledger import Ledger

    out, _late = _late_run(tmp_path, period_files, spies)
    plan, period, summary, receipts, *_ = spies["inputs"][-1]
    with Ledger(tmp_path / "ledger.sqlite") as db:
        current = db.current(plan.plan_id, period.id)  # (whole: the stripping is tested)
    full = _full(tmp_path, spies)
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    monkeypatch.setattr(outputs_mod, "SPAWN_PAYS_SECONDS", 0.0)  # a real pool, small as it is
    spawned = tmp_path / "spawned"
    for v in spies.values():
        v.clear()
    with outputs_mod.OutputPool(2, rerun=False) as writers:
        writers.start(len(receipts), len(receipts))
        assert len(parallel.pool_processes(writers.pool)) == 2
        got = outputs_mod.write_outputs(plan, period, summary, receipts, current, spawned, 2,
                                        writers.pool)
    assert spies["sheets"] == spies["copies"] == []  # (the spies watch this process only)
    assert got.feedback and len(got.feedback) == len(list((full / FEEDBACK_DIR).rglob("*.xlsx")))
    _same_books(spawned, full)
    assert _feedback(spawned) == _feedback(full)
    stripped = outputs_mod._own_inputs(outputs_mod._Inputs(plan, period, summary, receipts,
                                                           current, spawned), "feedback")
    assert stripped.summary is None and any(not fr.tasks for fr in stripped.current)
    assert all(fr.tasks or fr.town for fr in current)


def test_spawned_output_writers_start_while_collect_works(tmp_path, period_files, spies,
                                                          monkeypatch):
    """Where workers are spawned (Windows) a worker's import takes about half a second, so
    collect starts its output writers early: a first run's once its files are read, a late
    return's as soon as the new file is known, before it is read; a re-run with nothing new
    starts none. The writers are stopped when collect returns."""
    from xltools import parallel

    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    monkeypatch.setattr(outputs_mod, "SPAWN_PAYS_SECONDS", 0.0)
    events, started = [], []
    real_start = outputs_mod.start_pool

    def start(*a, **k):
        events.append("start")
        pool = real_start(*a, **k)
        started.extend(parallel.pool_processes(pool).values())
        return pool
    monkeypatch.setattr(outputs_mod, "start_pool", start)
    _record_examining(monkeypatch, events)
    box, put_back = _without_late(tmp_path, period_files)
    out, db = tmp_path / "out", tmp_path / "ledger.sqlite"
    api.collect([box], PLAN, PERIOD, out, db, workers=2)
    assert events[0].startswith("examine") and events[1:] == ["start"]
    assert list(spies["inputs"][-1][8]) == ["validation"]  # (written ahead: only receipts)
    assert spies["inputs"][-1][7] is not None  # written by the pool, not here:
    assert spies["sheets"] == spies["copies"] == []  # (the spies watch this process only)
    put_back()
    events.clear()
    report = api.collect([box], PLAN, PERIOD, out, db, workers=2)
    assert events == ["start", "examine 1"]
    assert spies["sheets"] == spies["copies"] == []
    assert report.summary_book.name.startswith("汇总表_") and report.html.suffix == ".html"
    assert report.outputs[1].name.startswith("校验报告_") and len(report.feedback) > 1
    full = _full(tmp_path, spies)
    _same_books(out, full)
    events.clear()
    spies["inputs"].clear()
    api.collect([box], PLAN, PERIOD, out, db, workers=2)
    assert events == ["examine 0"] and spies["inputs"] == []  # nothing new: outputs kept
    assert len(started) == 4 and not any(p.is_alive() for p in started)


@pytest.mark.parametrize("failure", [OSError(11, "Resource temporarily unavailable"),
                                     RuntimeError("cannot schedule new futures after shutdown"),
                                     BrokenProcessPool("a worker died while starting")])
def test_output_writers_that_cannot_start_leave_the_outputs_to_this_process(
        tmp_path, period_files, spies, monkeypatch, failure):
    """Spawned writers start inside the ledger's transaction (a late return's, before its
    file is read): a platform that will not start them must not cost the run; the outputs
    are written here."""
    from xltools import parallel

    events = []

    def no_process(*a, **k):
        events.append("start")
        raise failure
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    monkeypatch.setattr(outputs_mod, "SPAWN_PAYS_SECONDS", 0.0)
    monkeypatch.setattr(outputs_mod, "start_pool", no_process)
    _record_examining(monkeypatch, events)
    late = period_files[2]
    box, put_back = _without_late(tmp_path, period_files)
    out, db = tmp_path / "out", tmp_path / "ledger.sqlite"
    api.collect([box], PLAN, PERIOD, out, db, workers=2)  # (its writers: after the reading)
    put_back()
    events.clear()
    report = api.collect([box], PLAN, PERIOD, out, db, workers=2)
    assert events[:2] == ["start", "examine 1"]  # tried inside the transaction, before reading
    assert spies["inputs"][-1][7] is None  # no pool: written in this process
    assert report.summary_book.is_file() and report.html.is_file() and report.feedback
    assert [f.status for f in report.files if f.path == late.path] == ["accepted"]


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="no fork on this platform")
def test_forked_writers_start_early_for_a_late_returns_validation_report(
        tmp_path, period_files, spies, monkeypatch):
    """Where workers are forked they cost nothing to start: a first collect whose outputs
    are quick (the demo's: less than a worker pays for) starts none ahead of need. A late
    return's 校验报告 needs only the receipts, so its writer starts (forked) once they are
    known, before the period's returns are loaded and merged; two more writers are forked
    once they are merged, inheriting them (nothing pickled). The outputs are those a full
    rebuild writes, and no worker outlives the run."""
    events, started = _starts_and_loads(monkeypatch)
    box, put_back = _without_late(tmp_path, period_files)
    out, db = tmp_path / "out", tmp_path / "ledger.sqlite"
    api.collect([box], PLAN, PERIOD, out, db, workers=2)
    assert "start" not in events and spies["inputs"][-1][7] is None
    put_back()
    events.clear()
    api.collect([box], PLAN, PERIOD, out, db, workers=2)  # (a late return)
    assert events == ["examine 1", "start", "load", "start"]
    plan, period, summary, receipts, current, _out, _workers, pool, ahead = spies["inputs"][-1]
    assert pool is not None and list(ahead) == ["validation"]
    _all_stopped(started, 3)
    _same_as_rebuilt(tmp_path, spies, out)


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="no fork on this platform")
def test_a_big_first_collect_writes_its_validation_report_while_the_period_is_merged(
        tmp_path, period_files, spies, monkeypatch):
    """Outputs big enough to pay for a worker: the 校验报告 is written (forked) once the
    receipts are known, while the period's returns are loaded and merged on the other core;
    then two workers forked with the merged period take the rest, the 汇总表 first, and no
    third writes while the early one still does. Each output is written once, in a worker,
    and is what a full rebuild here writes."""
    import os

    log, real_write = tmp_path / "jobs.log", outputs_mod._write
    events, started = _starts_and_loads(monkeypatch)

    def write(state, item):  # (in the workers: each job's process and times; the 校验报告
        began = time.monotonic()  # slowed, so that the others would pile up beside it)
        try:
            if item[0] == "validation":
                time.sleep(1.0)
            return real_write(state, item)
        finally:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {item[0]} {began} {time.monotonic()}\n")
    monkeypatch.setattr(outputs_mod, "SPAWN_PAYS_SECONDS", 0.0)
    monkeypatch.setattr(outputs_mod, "_write", write)
    box, _ = _without_late(tmp_path, period_files)
    out = tmp_path / "out"
    api.collect([box], PLAN, PERIOD, out, tmp_path / "ledger.sqlite", workers=2)
    assert events[1:] == ["start", "load", "start"] and events[0].startswith("examine")
    assert list(spies["inputs"][-1][8]) == ["validation"]
    lines = [line.split() for line in log.read_text("utf-8").splitlines()]
    jobs = {job: (int(pid), float(a), float(b)) for pid, job, a, b in lines}
    assert len(lines) == len(jobs) and sorted(jobs) == sorted(outputs_mod.JOBS)
    assert os.getpid() not in {pid for pid, _, _ in jobs.values()}
    assert all(jobs["validation"][0] != pid for job, (pid, _, _) in jobs.items()
               if job != "validation")
    for _, a, _ in jobs.values():  # never more than two writers at a time
        assert sum(a0 <= a < b0 for _, a0, b0 in jobs.values()) <= 2, jobs
    _all_stopped(started, 3)
    monkeypatch.setattr(outputs_mod, "_write", real_write)
    _same_as_rebuilt(tmp_path, spies, out)


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="no fork on this platform")
def test_a_writer_killed_while_writing_ahead_leaves_the_outputs_to_this_process(
        tmp_path, period_files, spies, monkeypatch):
    """The worker writing a late return's 校验报告 ahead dies (the memory guard, a kill): the
    run does not fail and nothing is left half written; every output is written here."""
    import os
    import signal

    from xltools import parallel

    here, real = os.getpid(), validation_book.write_validation

    def dies_in_a_worker(*a, **k):
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **k)
    monkeypatch.delenv(parallel.START_METHOD_ENV, raising=False)
    box, put_back = _without_late(tmp_path, period_files)
    out, db = tmp_path / "out", tmp_path / "ledger.sqlite"
    api.collect([box], PLAN, PERIOD, out, db, workers=2)
    put_back()
    monkeypatch.setattr(validation_book, "write_validation", dies_in_a_worker)
    spies["sheets"].clear()
    report = api.collect([box], PLAN, PERIOD, out, db, workers=2)  # (a late return)
    assert list(spies["inputs"][-1][8]) == ["validation"]  # it was written ahead, and died:
    assert spies["sheets"] == [period_files[2].unit]  # its unit's sheet was made here
    assert report.outputs[1].is_file()
    _same_as_rebuilt(tmp_path, spies, out)


def _starts_and_loads(monkeypatch) -> tuple[list[str], list]:
    """Forked workers (the platform's default); events gets "start" as writers start (their
    processes go in the second list), "load" as the period's returns are loaded and
    "examine N" as N new files are read."""
    from xltools import parallel
    from xltools.collect.ledger import Ledger

    events, started = [], []
    real_start, real_returns = outputs_mod.start_pool, Ledger.returns

    def start(*a, **k):
        events.append("start")
        pool = real_start(*a, **k)
        started.extend(parallel.pool_processes(pool).values())
        return pool

    def returns(self, *a, **k):
        events.append("load")
        return real_returns(self, *a, **k)
    monkeypatch.delenv(parallel.START_METHOD_ENV, raising=False)
    monkeypatch.setattr(outputs_mod, "start_pool", start)
    monkeypatch.setattr(Ledger, "returns", returns)
    _record_examining(monkeypatch, events)
    return events, started


def _all_stopped(started: list, n: int) -> None:
    """n workers were started, and none outlives the run."""
    deadline = time.monotonic() + 5  # (stopped; the executor's own thread may be the one
    while any(p.is_alive() for p in started) and time.monotonic() < deadline:  # reaping them)
        time.sleep(0.05)
    assert len(started) == n and not any(p.is_alive() for p in started)


def _same_as_rebuilt(tmp_path: Path, spies, out: Path) -> None:
    """Every output in `out`, feedback copies too, is what a full rebuild writes."""
    full = _full(tmp_path, spies)
    _same_books(out, full)
    assert _feedback(out) == _feedback(full)


def _same_books(out: Path, full: Path) -> None:
    """The 校验报告, the 汇总表 and the HTML report (but its time of writing) in `out` are
    those a full rebuild wrote into `full`."""
    for name in ("校验报告_*.xlsx", "汇总表_*.xlsx"):
        book = next(full.glob(name)).name
        assert _dump(out / book) == _dump(full / book)
    page = next(full.glob("汇总报告_*.html")).name
    assert _undated(out / page) == _undated(full / page)


def _undated(page: Path) -> str:
    """An HTML report without its time of writing (a spawned worker's clock is not the
    test's fixed one)."""
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "", page.read_text("utf-8"))


def _parts(book: Path) -> dict[str, bytes]:
    """Every part of a workbook but its creation time."""
    import zipfile
    with zipfile.ZipFile(book) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.fixture
def streamed_summary(monkeypatch):
    """The demo's 汇总表 written streamed, as a big period's is (the only way its task
    blocks can be kept), its worksheet parts compressed in pieces as a big period's are;
    counts the blocks copied and made, and (the fifth of each run) the pieces copied."""
    from xltools.xlsx import deflate, rowcache, writer

    monkeypatch.setattr(writer, "STREAM_CELLS", 1)
    monkeypatch.setattr(writer, "STREAM_SHEET_CELLS", 1)
    monkeypatch.setattr(deflate, "MIN_PART_BYTES", 0)
    monkeypatch.setattr(deflate, "SEGMENT_ROWS", 8)  # (the demo's sheets are small)
    runs, single, flat = [], [0], {}
    real, put_rows = rowcache.KeptRows.close, rowcache.SheetRows.put_rows

    def close(self):  # (blocks copied, blocks, rows copied one by one in blocks made again)
        by_task = self.sheets["按任务汇总"]
        runs.append((by_task.copied, len(by_task.blocks), single[0], dict(flat), self.pieces))
        single[0] = 0
        flat.clear()
        real(self)

    def counted(self, sheet, first, stop, last_col, was=None):
        got = put_rows(self, sheet, first, stop, last_col, was)
        single[0] += (stop - first) * got * (self.sheet == "按任务汇总")
        if got and self.sheet != "按任务汇总":  # a flat table's rows: how many, how many moved
            flat.setdefault(self.sheet, [0, 0])
            flat[self.sheet][0] += stop - first
            flat[self.sheet][1] += (stop - first) * (was not in (None, first))
        return got
    monkeypatch.setattr(rowcache.KeptRows, "close", close)
    monkeypatch.setattr(rowcache.SheetRows, "put_rows", counted)
    return runs


@pytest.mark.parametrize("chunk", [1 << 20, 7])  # (7 bytes: every row straddles reads)
def test_summary_copies_unchanged_task_blocks_and_equals_a_full_rebuild(
        tmp_path, period_files, spies, streamed_summary, monkeypatch, chunk):
    from xltools.xlsx import rowcache

    monkeypatch.setattr(rowcache._PartRows, "CHUNK", chunk)
    out, late = _late_run(tmp_path, period_files, spies)
    first, again = streamed_summary[:2]
    assert first[0] == first[2] == 0 and first[1] > 10  # nothing to copy the first time
    copied, blocks, _rows, flat, _pieces = again
    assert flat["滞后任务"][1] > 0 and flat["按单位汇总"][0] > 0  # (rows copied, some moved)
    assert 0 < copied < blocks  # the late unit's tasks (and those the pages moved) made again
    # every worksheet part compressed in pieces; the unchanged ones copied compressed
    assert first[4].copied == 0 and len(first[4].written) == 7
    assert 0 < again[4].copied < sum(len(t) for t in again[4].written.values())
    full = _full(tmp_path, spies)
    book = next(out.glob("汇总表_*.xlsx")).name
    assert _parts(out / book) == _parts(full / book)
    with zipfile.ZipFile(out / book) as z:
        assert z.testzip() is None
    assert (out / rowcache.MANIFEST).is_file()


@pytest.mark.parametrize("reader", ["soffice", "ssconvert"])
def test_summary_with_copied_pieces_opens_in_libreoffice_and_gnumeric(
        tmp_path, period_files, spies, streamed_summary, reader):
    """A 汇总表 whose parts are pieces, some copied from the previous file, is read by
    LibreOffice and Gnumeric as it is: every text of its first sheet comes out."""
    if not shutil.which(reader):
        pytest.skip(f"{reader} 未安装")
    out, _late = _late_run(tmp_path, period_files, spies)
    assert streamed_summary[1][4].copied > 0
    book = next(out.glob("汇总表_*.xlsx"))
    csv = tmp_path / "first.csv"
    if reader == "soffice":
        profile = f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}"
        subprocess.run(["soffice", profile, "--headless", "--convert-to",
                        "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "conv"),
                        str(book)], capture_output=True, timeout=300, check=True)
        got = (tmp_path / "conv" / f"{book.stem}.csv").read_text("utf-8")
    else:
        subprocess.run(["ssconvert", str(book), str(csv)], capture_output=True, timeout=300,
                       check=True)
        got = csv.read_text("utf-8")
    ws = openpyxl.load_workbook(book, read_only=True).worksheets[0]
    texts = {v.replace('"', '""') for row in ws.iter_rows(values_only=True)
             for v in row if isinstance(v, str) and v}
    assert len(texts) > 50 and not [t for t in texts if t not in got]


@pytest.mark.parametrize("how", ["altered", "manifest", "garbage", "columns"])
def test_summary_altered_previous_file_or_manifest_is_not_copied_from(
        tmp_path, period_files, spies, streamed_summary, how):
    from xltools.xlsx import rowcache

    def harm(out: Path) -> None:
        if how == "altered":  # opened and saved
            book = next(out.glob("汇总表_*.xlsx"))
            wb = openpyxl.load_workbook(book)
            wb.worksheets[0]["A1"] = "改过"
            wb.save(book)
        else:  # the manifest edited: blocks in another shape, or nothing in the shape written
            path = out / rowcache.MANIFEST
            manifest = rowcache.read_manifest(path)
            for entry in manifest.values():
                for name, sheet in entry["sheets"].items():
                    if how == "columns":  # the blocks as written, the rows' facts cut off
                        sheet["rows"] = sheet["rows"][:2]
                        continue
                    if how == "garbage":
                        entry["sheets"][name] = {"part": 7, "blocks": [1], "rows": [[1], "x"]}
                        continue
                    for block in sheet["blocks"].values():
                        block[3] = "x"
                    sheet["rows"] = []
            path.write_text(__import__("json").dumps(manifest), encoding="utf-8")

    out, late = _late_run(tmp_path, period_files, spies, harm)
    if how != "columns":
        assert streamed_summary[1][0] == streamed_summary[1][2] == 0 and not streamed_summary[1][3]
    full = _full(tmp_path, spies)
    book = next(out.glob("汇总表_*.xlsx")).name
    assert _parts(out / book) == _parts(full / book)


def _with_texts(summary, texts: dict[int, str]):
    """The summary with 本季度完成情况 replaced in the given rows of 按任务汇总."""
    import dataclasses
    bt = summary.by_task
    bt = bt.with_column("本季度完成情况", [texts.get(i, v) for i, v in enumerate(bt["本季度完成情况"])])
    return dataclasses.replace(summary, by_task=bt)


def test_summary_blocks_moved_by_the_pages_or_split_over_them_are_right(
        tmp_path, period_files, streamed_summary):
    """Blocks cut over several pages (merges per piece) are copied as they were; a change
    that makes an early row taller moves the page breaks of the blocks after it, which are
    made again until a block starts a page in both files."""
    from xltools.collect.ledger import Ledger
    from xltools.merge import ReceiptRow, summarize
    import dataclasses

    from xltools.report import summary_book
    from xltools.report.summary_book import write_summary

    root, _inbox, _late = period_files
    plan = load_plan(PLAN).value
    period = plan.period(PERIOD)
    with plan.frozen(), Ledger(root / "scout.sqlite") as db:
        current = db.current(plan.plan_id, period.id)
        receipts = [ReceiptRow.from_ledger(r, root / "scout") for r in db.receipts(plan.plan_id, period.id)]
        summary = summarize(plan, period, current, receipts)
    n = len(summary.by_task)
    long = "\u3002".join(["\u63a8\u8fdb\u91cd\u70b9\u9879\u76ee\u5efa\u8bbe"] * 60)  # 推进重点项目建设 × 60
    split = {i: long for i in range(n // 2, n // 2 + 6)}  # a block taller than a page, mid-sheet
    before = _with_texts(summary, split)
    after = _with_texts(summary, {**split, 2: long})  # an early row grows: the pages move
    tasks = after.tasks  # and a task's own figure changes, none of its units' rows
    progress = tasks["总体进度"]
    progress[len(tasks) - 3] = 99.0
    tasks = tasks.with_column("总体进度", progress)
    sizes = Counter(after.by_task["_t"])  # and one of several rows turns 滞后 (its
    shared = plan.tasks[max(t for t, n in sizes.items() if n > 1)].number  # covered cells' style)
    status = tasks["总体状态"]
    at = tasks["序号"].index(shared)
    status[at] = "序时推进" if status[at] in summary_book.ALERT else "滞后"
    tasks = tasks.with_column("总体状态", status)
    after = dataclasses.replace(after, tasks=tasks)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    write_summary(plan, period, before, out)
    write_summary(plan, period, after, out)
    write_summary(plan, period, after, fresh)
    copied, blocks, rows, _flat, _pieces = streamed_summary[1]
    assert 0 < copied < blocks - 1 and rows > 0, streamed_summary
    book = next(out.glob("汇总表_*.xlsx")).name
    assert _parts(out / book) == _parts(fresh / book)
    import re
    sheet = _parts(out / book)["xl/worksheets/sheet1.xml"].decode()
    assert len(re.findall("\uff08\u7eed\uff09", sheet)) >= 2  # (续): the block did split
