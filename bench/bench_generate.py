"""Benchmark: generate every form of one period, against a bare xlsxwriter write.

    python bench/bench_generate.py [--repeat 3]

Prints a table: plan size, forms, wall time, ms per form, time per 100 forms, and the
floor (the same cell values written by plain xlsxwriter with no styles, validations,
protection or identity) measured in the same run, with the ratio.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synth import synthetic_plan  # noqa: E402

from xltools import api  # noqa: E402
from xltools.generate import build_all  # noqa: E402
from xltools.planfile import load_plan  # noqa: E402


def bare_write(layouts) -> None:
    """The floor: the same cells, plain values, no formats."""
    for wb in layouts:
        buf = io.BytesIO()
        x = xlsxwriter.Workbook(buf, {"in_memory": True})
        for sheet in wb.sheets:
            ws = x.add_worksheet(sheet.name)
            for (r, c), cell in sheet.cells.items():
                if cell.value is not None and cell.value != "":
                    if isinstance(cell.value, (int, float)):
                        ws.write_number(r, c, cell.value)
                    else:
                        ws.write_string(r, c, str(cell.value))
        x.close()


def measure(plan, period: str, repeat: int) -> dict:
    times, floors, n = [], [], 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            report = api.generate(plan, d, [period])
            times.append(time.perf_counter() - t0)
            n = len(report.files)
        layouts = build_all(plan, [period]).workbooks
        t0 = time.perf_counter()
        bare_write(layouts)
        floors.append(time.perf_counter() - t0)
    t, f = statistics.median(times), statistics.median(floors)
    return {"files": n, "seconds": t, "floor": f}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    opts = ap.parse_args()
    plans = []
    example = Path(__file__).resolve().parents[1] / "examples" / "shashi-2019" / "plan.xlsx"
    if example.exists():
        plans.append(("示例 沙市2019", load_plan(example).value))
    plans += [("区级 70任务/50单位", synthetic_plan(70, 40, 10)),
              ("市级 150任务/150单位", synthetic_plan(150, 140, 10))]
    print(f"{'计划':<22}{'文件数':>6}{'总用时 s':>10}{'ms/文件':>9}{'每百个 s':>9}{'下限 s':>9}{'倍数':>7}")
    for name, plan in plans:
        r = measure(plan, plan.periods[0].id, opts.repeat)
        ms = 1000 * r["seconds"] / r["files"]
        print(f"{name:<22}{r['files']:>6}{r['seconds']:>10.3f}{ms:>9.2f}{ms / 10:>9.3f}"
              f"{r['floor']:>9.3f}{r['seconds'] / r['floor']:>7.2f}")


if __name__ == "__main__":
    main()
