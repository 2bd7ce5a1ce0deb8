"""The demo's 汇总表 as written before the writer was made faster (issue 18): the same
cells, values, types, styles, merges, row heights, widths, page breaks, print set-up and
charts, sheet by sheet, in memory or streamed (as a province's is: streamed, it used to lose
the rows that have only a height and read the chart's unit names as numbers). Regenerate the digests (only for an
intended change of the 汇总表): python tests/test_summary_golden.py"""
from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import openpyxl
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden" / "summary_book.json"


def _h(items) -> str:
    return hashlib.sha256(json.dumps(items, ensure_ascii=False, sort_keys=True,
                                     default=repr).encode()).hexdigest()[:16]


def digest(data: bytes) -> dict:
    """Per sheet and aspect, a short hash of everything a reader of the file sees."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = {}
    for ws in wb.worksheets:
        cells = [c for row in ws.iter_rows() for c in row]
        ps, pm = ws.page_setup, ws.page_margins
        out[ws.title] = {
            "values": _h([(c.coordinate, c.value, c.data_type) for c in cells]),
            "styles": _h([(c.coordinate, repr(c.font), repr(c.fill), repr(c.border),
                           repr(c.alignment), c.number_format, repr(c.protection))
                          for c in cells]),
            "merges": _h(sorted(str(m) for m in ws.merged_cells.ranges)),
            "rows": _h(sorted((r, d.height) for r, d in ws.row_dimensions.items() if d.height)),
            "columns": _h(sorted((k, d.width, d.hidden) for k, d in ws.column_dimensions.items())),
            "print": _h([ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight,
                         ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
                         pm.left, pm.right, pm.top, pm.bottom, ws.print_options.horizontalCentered,
                         str(ws.print_title_rows), str(ws.print_area), ws.oddFooter.center.text,
                         sorted(b.id for b in ws.row_breaks.brk), ws.freeze_panes]),
            "charts": _h([(type(ch).__name__, ch.anchor._from.row, ch.anchor._from.col,
                           [(s.val.numRef.f, s.cat.strRef.f if s.cat and s.cat.strRef else None)
                            for s in ch.series]) for ch in ws._charts]),
            "cells": ws.max_row * 1000 + ws.max_column,
        }
    return out


def demo_layout(demo):
    """The demo's 汇总表 layout rebuilt from its ledger, as api.collect builds it."""
    from xltools import api
    from xltools.collect.ledger import Ledger
    from xltools.collect.settle import exempt_units
    from xltools.merge import ReceiptRow, summarize
    from xltools.planfile import load_plan
    from xltools.report import summary_workbook

    col = demo.collected
    plan = load_plan(api.example_dir() / "plan.xlsx").value
    period = col.period
    before = [p for p in plan.periods if p.end < period.end]
    with plan.frozen(), Ledger(col.db_path) as ledger:
        current = ledger.current(plan.plan_id, period.id)
        receipts = [ReceiptRow.from_ledger(r, col.out_dir.absolute())
                    for r in ledger.receipts(plan.plan_id, period.id)]
        previous = ledger.current(plan.plan_id, before[-1].id) or None if before else None
        exempt = exempt_units(ledger.history(plan.plan_id, period.id))
        summary = summarize(plan, period, current, receipts, previous, exempt)
        return summary_workbook(plan, period, summary)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from xltools import api
    return api.demo(tmp_path_factory.mktemp("demo"))


def test_demo_summary_book_written_by_collect_as_before(demo_run):
    data = Path(demo_run.collected.summary_book).read_bytes()
    assert digest(data) == json.loads(GOLDEN.read_text("utf-8"))


@pytest.mark.parametrize("stream", [False, True])
def test_demo_summary_book_as_before(demo_run, stream, monkeypatch):
    from xltools.xlsx import writer

    if stream:  # the province's path: rows flushed in order, merges written cell by cell
        monkeypatch.setattr(writer, "STREAM_CELLS", 0)
        monkeypatch.setattr(writer, "STREAM_SHEET_CELLS", 0)
    layout = demo_layout(demo_run)
    assert layout.constant_memory
    assert digest(writer.workbook_bytes(layout)) == json.loads(GOLDEN.read_text("utf-8"))


def test_gc_paused_gives_the_collector_back_as_it_was():
    import gc

    from xltools.model.collector import gc_paused

    assert gc.isenabled()
    with pytest.raises(KeyError), gc_paused():
        assert not gc.isenabled()
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from xltools import api

    demo = api.demo(tempfile.mkdtemp())
    got = digest(Path(demo.collected.summary_book).read_bytes())
    GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(GOLDEN)
