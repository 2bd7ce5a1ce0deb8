"""Properties of collect on hostile input (hypothesis), through `api.collect`:

* arbitrary bytes under any spreadsheet-ish name never raise, and every file is recorded;
* arbitrary contents typed into the fill-in cells never raise, and every finding is one of
  the catalogue's codes;
* a valid return and its findings do not depend on the order the files are found in
  (folder names shuffled), nor does which submission is current.
"""
from __future__ import annotations

import random
import shutil
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile_corpus as hc
from xltools import api
from xltools.collect.ledger import Ledger
from xltools.forms.registry import REPORT_V1
from xltools.model.catalogue import CATALOGUE

PLAN_ID = hc.plan().plan_id
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow])


@pytest.fixture(scope="module")
def plan_path(tmp_path_factory):
    from xltools.planfile import save_plan
    return save_plan(hc.plan(), tmp_path_factory.mktemp("plan") / "plan.json")


def fresh(base: Path, name: str) -> Path:
    d = base / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


GOOD_XLSX = hc.report_bytes("区发改局", 10)
PREFIXES = [b"", b"PK\x03\x04", b"PK\x05\x06", hc.OLE_MAGIC, b"<html><table>", b"\xef\xbb\xbf",
            GOOD_XLSX[:200], GOOD_XLSX[:len(GOOD_XLSX) // 3]]
NAMES = ["报表.xlsx", "报表.xls", "报表.xlsm", "报表.ods", "附件.zip", "报表.et", "x.csv", "无扩展名",
         "~$锁.xlsx", "=SUM(1).xlsx"]


@settings(max_examples=25, **SETTINGS)
@given(files=st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(PREFIXES),
                                st.binary(max_size=3000)), min_size=1, max_size=4))
def test_arbitrary_bytes_never_raise(plan_path, tmp_path, files):
    inbox = fresh(tmp_path, "in")
    for i, (name, prefix, body) in enumerate(files):
        hc._write(inbox / f"{i}" / name, prefix + body)
    hc._write(inbox / "good.xlsx", GOOD_XLSX)
    rep = api.collect([inbox], plan_path, hc.PERIOD, tmp_path / "out", fresh(tmp_path, "db") / "l.db")
    assert len([f for f in rep.files if f.sha256]) >= len(files)  # every file recorded
    assert all(x.code in CATALOGUE for f in rep.files for x in f.findings)
    with Ledger(rep.db_path) as led:
        assert ("区发改局", "report") in {(r.unit, r.kind) for r in led.current(PLAN_ID, hc.PERIOD)}


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
VALUE = st.one_of(st.none(), TEXT, st.sampled_from(hc.HOSTILE_TEXT + ["80%", "0.8", "八十", "\uff11\uff10\uff10"]),
                  st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=25, **SETTINGS)
@given(values=st.lists(st.tuples(st.sampled_from(sorted(REPORT_V1.fill_in())), VALUE), min_size=1,
                       max_size=6))
def test_arbitrary_cell_contents_never_raise(plan_path, tmp_path, values):
    def edit(sh):
        r, _ = hc.first_task_cell(sh, "完成情况", "区发改局")
        for i, (field, value) in enumerate(values):
            sh.cells[(r + i % 2, REPORT_V1.fill_in()[field])].value = value
    inbox = fresh(tmp_path, "in")
    hc._write(inbox / "区发改局.xlsx", hc.report_bytes("区发改局", 10, edit))
    rep = api.collect([inbox], plan_path, hc.PERIOD, tmp_path / "out", fresh(tmp_path, "db") / "l.db")
    (f,) = rep.files
    assert f.status == "accepted"  # a wrong value is a finding on its cell, never a rejection
    assert all(x.code in CATALOGUE and x.message for x in f.findings)


def _inbox_files() -> list[tuple[str, bytes]]:
    """A valid return with a mistake, a clean one, its byte-identical copy, junk and bad files."""
    def mistake(sh):
        r, c = hc.first_task_cell(sh, "完成进度", "区人社局")
        sh.cells[(r, c)].value = "基本完成"
    return [("区人社局.xlsx", hc.report_bytes("区人社局", 11, mistake)),
            ("区发改局.xlsx", GOOD_XLSX), ("区发改局(副本).xlsx", GOOD_XLSX),
            ("锣场镇.xlsx", hc.town_bytes("锣场镇")), ("空.xlsx", b""),
            ("坏.xlsx", GOOD_XLSX[:500]), ("~$锁.xlsx", b"\x00" * 165)]


FILES = _inbox_files()


def _state(plan_path, tmp_path, order: list[int], names: list[str]) -> dict:
    inbox = fresh(tmp_path, "in")
    for pos, i in enumerate(order):
        name, data = FILES[i]
        hc._write(inbox / names[pos] / name, data)
    db = fresh(tmp_path, "db") / "l.db"
    api.collect([inbox], plan_path, hc.PERIOD, tmp_path / "out", db)
    with Ledger(db) as led:
        cur = {(r.unit, r.kind): (r.received.sha256, sorted(
            (x.code, x.severity, x.sheet, x.cell, x.value) for x in r.findings))
            for r in led.current(PLAN_ID, hc.PERIOD)}
        subs = sorted(tuple(r) for r in led.conn.execute(
            "SELECT sha256, status, kind, unit FROM submissions"))
        vals = sorted(tuple(r) for r in led.conn.execute(
            "SELECT vs.sha256, key, field, value_text, value_num, cell, blocked "
            'FROM "values" JOIN value_sets vs ON vs.id = set_id'))
    return {"current": cur, "submissions": subs, "values": vals}


_BASELINE: dict = {}


@settings(max_examples=10, **SETTINGS)
@given(order=st.permutations(range(len(FILES))),
       names=st.lists(st.text(string.ascii_letters + "甲乙丙丁", min_size=1, max_size=6),
                      min_size=len(FILES), max_size=len(FILES), unique=True))
def test_result_does_not_depend_on_the_order_files_are_found(plan_path, tmp_path, order, names):
    if not _BASELINE:
        _BASELINE.update(_state(plan_path, tmp_path, list(range(len(FILES))),
                                [f"{i:02d}" for i in range(len(FILES))]))
        assert {k for k in _BASELINE["current"]} == {("区人社局", "report"), ("区发改局", "report"),
                                                    ("锣场镇", "town")}
        assert any(c == "progress-not-number" for c, *_ in _BASELINE["current"][("区人社局", "report")][1])
    assert _state(plan_path, tmp_path, list(order), names) == _BASELINE


def test_shuffled_folders_keep_the_result(plan_path, tmp_path):
    """The same, with a fixed shuffle, so that a failure is easy to replay."""
    rnd = random.Random(5)
    order = list(range(len(FILES)))
    rnd.shuffle(order)
    a = _state(plan_path, tmp_path, list(range(len(FILES))), [f"a{i}" for i in range(len(FILES))])
    b = _state(plan_path, tmp_path, order, [f"z{9 - i}" for i in range(len(FILES))])
    assert a == b


# ------------------------------------------------------------------ the bounded cell scan
CELL = st.tuples(st.integers(1, 300), st.integers(1, 40), st.booleans())


def _sheet_xml(cells: list[tuple[int, int, bool]], explicit: bool, prefix: str) -> bytes:
    from xltools.model.glossary import a1
    rows: dict[int, list] = {}
    for r, c, valued in cells:
        rows.setdefault(r, []).append((c, valued))
    p = f"{prefix}:" if prefix else ""
    out = [f"<{p}worksheet><{p}sheetData>"]
    for r in sorted(rows):
        out.append(f'<{p}row r="{r}" spans="1:9">')
        for c, valued in sorted(set(rows[r])):
            ref = f' r="{a1(r - 1, c - 1)}"' if explicit else ""
            out.append(f'<{p}c{ref} s="1"><{p}v>1</{p}v></{p}c>' if valued else f'<{p}c{ref} s="2"/>')
        out.append(f"</{p}row>")
    out.append(f"</{p}sheetData></{p}worksheet>")
    return "".join(out).encode()


def _scan_in_pieces(xml: bytes, cuts: list[int]):
    """A cell scanner fed `xml` cut at `cuts` (and finished)."""
    from xltools.xlsx.bounds import _CellScanner
    scanner = _CellScanner()
    pos = 0
    for cut in sorted(set(cuts)):
        scanner.feed(xml[pos:cut])
        pos = max(pos, cut)
    scanner.feed(xml[pos:])
    scanner.feed(b"", final=True)
    return scanner


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(CELL, max_size=40), prefix=st.sampled_from(["", "x"]),
       cuts=st.lists(st.integers(1, 5000), max_size=6))
def test_cell_scan_is_exact_whatever_the_chunking(cells, prefix, cuts):
    """The bounding box of the valued cells, with explicit r="A1" (fast path) or prefixed tags
    (slow path), fed in arbitrary chunks."""
    xml = _sheet_xml(cells, explicit=True, prefix=prefix)
    want_row = max((r for r, c, v in cells if v), default=0)
    want_col = max((c for r, c, v in cells if v), default=0)
    scanner = _scan_in_pieces(xml, cuts)
    assert (scanner.scan.max_row, scanner.scan.max_col) == (want_row, want_col)


@pytest.mark.parametrize("tag", [b'<c r="A999999999" s="1"><v>1</v></c>',
                                 b'<c r="ABCD1"><v>1</v></c>',
                                 b'<x:c r="A1234567890"><x:v>1</x:v></x:c>',
                                 b'<row r="123456789"><c r="A1"><v>1</v></c></row>'])
def test_a_reference_beyond_excel_is_refused_not_skipped(tag):
    """A cell the scanner could not place would reach the native reader uncounted."""
    from xltools.collect.limits import DEFAULT_LIMITS
    from xltools.xlsx.bounds import _CellScanner
    scanner = _CellScanner()
    body = b'<row r="1">' + tag + b"</row>" if not tag.startswith(b"<row") else tag
    scanner.feed(b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>", final=True)
    assert scanner.scan.bad and not scanner.scan.fits(DEFAULT_LIMITS)


# a row as written: its number (maybe with a leading zero), then cells (row given in the
# cell's own reference, column, shared string?, <v>)
FACT_CELL = st.tuples(st.integers(1, 12), st.integers(1, 30), st.booleans(),
                      st.sampled_from(["0", "3", "17", "-1", "x", ""]))
FACT_ROW = st.tuples(st.integers(1, 12), st.booleans(), st.lists(FACT_CELL, max_size=6))


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(FACT_ROW, max_size=10), cuts=st.lists(st.integers(1, 3000), max_size=5),
       count=st.integers(0, 20))
def test_cell_facts_match_a_plain_reading_whatever_the_chunking(rows, cuts, count):
    """Misplaced and repeated cells, bad and out-of-range shared-string indexes: as a plain
    cell-by-cell reading finds them, however the part is cut and however a row number is
    written ("06" is row 6)."""
    from xltools.model.glossary import a1
    from xltools.xlsx.bounds import DAMAGED_INDEX, DAMAGED_MISPLACED, DAMAGED_TWICE
    out, want, seen_rows = [b"<worksheet><sheetData>"], [], set()
    strings = []
    for r, zero, cells in rows:
        out.append(f'<row r="{"0" if zero else ""}{r}">'.encode())
        twice, cols = r in seen_rows, set()
        seen_rows.add(r)
        for cr, c, shared, v in cells:
            t = ' t="s"' if shared else ""
            out.append(f'<c r="{a1(cr - 1, c - 1)}" s="1"{t}><v>{v}</v></c>'.encode())
            if cr != r:
                want.append(((cr, c), DAMAGED_MISPLACED))
            elif twice or c in cols:
                want.append(((cr, c), DAMAGED_TWICE))
            else:
                cols.add(c)
                if shared and v.isdigit():
                    strings.append(((cr, c), int(v)))
                elif shared and v:
                    want.append(((cr, c), DAMAGED_INDEX))
        out.append(b"</row>")
    xml = b"".join(out + [b"</sheetData></worksheet>"])
    scanner = _scan_in_pieces(xml, cuts)
    assert scanner.scan.damaged == want
    assert scanner.scan.strings_beyond(count) == [(rc, i) for rc, i in strings if i >= count]
