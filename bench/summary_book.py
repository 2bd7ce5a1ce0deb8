"""The 汇总表 alone against its floors (issue 18), on a folder bench.py's stages left:

    python bench/bench.py --stage plan --work DIR --size thousand
    python bench/bench.py --stage fill --work DIR
    python bench/bench.py --stage collect --work DIR --tag a --ledger ledger.sqlite
    python bench/summary_book.py --work DIR [--repeat 5]

CPU seconds (the machine is shared: wall time waits for others), median of the runs, all in
one process: `build` (summary_workbook: the layout), `write` (workbook_bytes: our writer
and xlsxwriter), and two floors of the same workbook: `bare` writes its layout cells with
plain xlsxwriter in memory, no formats (bench.py's output floor, this workbook only);
`calls` replays the very xlsxwriter cell calls our writer would make without xlsx.rowxml
(formats, the blank cells that carry a merge's borders, rows streamed) in a bare loop: what
xlsxwriter itself costs.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench import _bare_write

CELL_CALLS = ("_write_string", "_write_number", "_write_blank")


def _inputs(work: Path):
    from xltools.collect.ledger import Ledger
    from xltools.merge import ReceiptRow, summarize
    from xltools.planfile import load_plan

    plan = load_plan(work / "plan.json").value
    period = plan.periods[0]
    with plan.frozen(), Ledger(work / "ledger.sqlite") as db:
        current = db.current(plan.plan_id, period.id)
        receipts = [ReceiptRow.from_ledger(r, work) for r in db.receipts(plan.plan_id, period.id)]
        return plan, period, summarize(plan, period, current, receipts)


def _recorded(layout) -> list:
    """The cell calls our writer would make to xlsxwriter for `layout`, in order (rows that
    xlsx.rowxml serializes itself included: it is switched off while recording)."""
    from xlsxwriter.worksheet import Worksheet

    from xltools.xlsx import writer
    from xltools.xlsx.writer import workbook_bytes

    calls, saved = [], {n: getattr(Worksheet, n) for n in CELL_CALLS}

    def recorder(name):
        def call(self, *args):
            calls.append((self.name, name[1:], args[:3], args[3] is not None))
            return saved[name](self, *args)
        return call

    fast, writer.FAST_ROWS = writer.FAST_ROWS, False
    try:
        for n in CELL_CALLS:
            setattr(Worksheet, n, recorder(n))
        workbook_bytes(layout)
    finally:
        writer.FAST_ROWS = fast
        for n, f in saved.items():
            setattr(Worksheet, n, f)
    return calls


def _replay(calls: list, streamed: bool) -> float:
    import xlsxwriter

    t0 = time.process_time()
    x = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": streamed, "in_memory": not streamed})
    fmt = x.add_format({"border": 1, "text_wrap": True})
    ws, name = None, None
    for sheet, method, args, formatted in calls:
        if sheet != name:
            ws, name = x.add_worksheet(sheet), sheet
        getattr(ws, method)(*args, fmt if formatted else None)
    x.close()
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=5)
    opts = ap.parse_args()
    from xltools.report import summary_workbook
    from xltools.xlsx.writer import workbook_bytes

    plan, period, summary = _inputs(opts.work)
    runs: dict[str, list[float]] = {"build": [], "write": [], "bare": [], "calls": []}
    calls = _recorded(summary_workbook(plan, period, summary))
    for _ in range(opts.repeat):
        t0 = time.process_time()
        layout = summary_workbook(plan, period, summary)
        for sheet in layout.sheets:  # (made whole: built here, and written twice below)
            sheet.complete()
        t1 = time.process_time()
        workbook_bytes(layout)
        runs["build"].append(t1 - t0)
        runs["write"].append(time.process_time() - t1)
        t2 = time.process_time()
        _bare_write([layout])
        runs["bare"].append(time.process_time() - t2)
        runs["calls"].append(_replay(calls, streamed=True))
    med = {k: statistics.median(v) for k, v in runs.items()}
    cells = sum(len(s.cells) for s in layout.sheets)
    print(f"汇总表 {cells} layout cells, {len(calls)} xlsxwriter cell calls, CPU s (median of {opts.repeat}):")
    print(" ".join(f"{k} {v:.2f}" for k, v in med.items()),
          f"| build+write {med['build'] + med['write']:.2f}"
          f" = {(med['build'] + med['write']) / med['bare']:.2f}x bare,"
          f" {(med['build'] + med['write']) / med['calls']:.2f}x calls")


if __name__ == "__main__":
    main()
