"""A late return (issue 18): collecting again after one more file rewrites only what it
changes (the 校验报告's unit sheet, that unit's feedback copy, its HTML section), and the
outputs are the same as a full rebuild from scratch: same cells, merges and styles, the
same HTML bytes; a previous output that was altered or is missing is rebuilt in full."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
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


def _late_run(tmp_path: Path, period_files, spies, harm=None):
    """First collect without the held-back file, then (after harm(out), if any) with it,
    into the same folder."""
    root, inbox, late = period_files
    box = tmp_path / "inbox"
    shutil.copytree(inbox, box)
    held = _held(box, late)
    aside = tmp_path / held.name
    held.replace(aside)
    out, db = tmp_path / "out", tmp_path / "ledger.sqlite"
    api.collect([box], PLAN, PERIOD, out, db, workers=1)
    if harm:
        harm(out)
    aside.replace(held)
    for v in spies.values():
        v.clear()
    api.collect([box], PLAN, PERIOD, out, db, workers=1)
    return out, late


def _full(tmp_path: Path, spies) -> Path:
    """The same outputs from the same inputs, written into an empty folder."""
    full = tmp_path / "full"
    plan, period, summary, receipts, current, _out, *rest = spies["inputs"][-1]
    outputs_mod.write_outputs(plan, period, summary, receipts, current, full, 1)
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
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
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
    outputs must be those that forked workers, sharing the whole state, write."""
    from xltools import parallel

    out, _late = _late_run(tmp_path, period_files, spies)
    plan, period, summary, receipts, current, *_ = spies["inputs"][-1]
    full = _full(tmp_path, spies)
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    monkeypatch.setattr(parallel, "SPAWN_PAYS_SECONDS", 0.0)  # a real pool, small as it is
    spawned = tmp_path / "spawned"
    got = outputs_mod.write_outputs(plan, period, summary, receipts, current, spawned, 2)
    assert got.feedback and len(got.feedback) == len(list((full / FEEDBACK_DIR).rglob("*.xlsx")))
    for name in ("校验报告_*.xlsx", "汇总表_*.xlsx"):
        book = next(full.glob(name)).name
        assert _dump(spawned / book) == _dump(full / book)
    assert _feedback(spawned) == _feedback(full)
    page = next(full.glob("汇总报告_*.html")).name

    def undated(path: Path) -> str:  # (the spawned worker's clock is not the test's fixed one)
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "", path.read_text("utf-8"))
    assert undated(spawned / page) == undated(full / page)
    stripped = outputs_mod._own_inputs(outputs_mod._Inputs(plan, period, summary, receipts,
                                                           current, spawned), "feedback")
    assert stripped.summary is None and any(not fr.tasks for fr in stripped.current)
