"""Time budgets that tests used to assert (issue 13: no wall-clock asserts in tests).

    python bench/budgets.py                        # every budget, median of three runs
    python bench/budgets.py --repeat 1 summary identity

Each budget times the workload of the test it came from, imported from that test module so
that the two cannot drift, and prints one table: median, budget, ratio. The LibreOffice
batches need ../shared/tools/fill_like_user.py (or XLTOOLS_SHARED) and soffice; without them
their row says why. Exit code 1 when a median is over its budget.
"""
from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def summary() -> float:
    """summarize() of 3,000 units x 300 tasks, the returns built beforehand."""
    from test_merge_summary import big_summary_input

    from xltools.merge import summarize

    plan, period, current = big_summary_input()
    t0 = time.perf_counter()
    summarize(plan, period, current, [])
    return time.perf_counter() - t0


def identity() -> float:
    """One read_identity of a generated report form (the mean of 50 reads after a first)."""
    from conftest import make_small_plan
    from test_identity_roundtrip import _report_layout

    from xltools.collect.limits import DEFAULT_LIMITS
    from xltools.xlsx.cells import read_identity
    from xltools.xlsx.writer import write_workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(_report_layout(make_small_plan())[0], Path(tmp))
        read_identity(path, DEFAULT_LIMITS)
        t0 = time.perf_counter()
        for _ in range(50):
            read_identity(path, DEFAULT_LIMITS)
        return (time.perf_counter() - t0) / 50


def office(module: str, code: int):
    """The LibreOffice batch of a test module (its office_batch), which must end with `code`."""
    def run() -> float:
        batch = importlib.import_module(module).office_batch
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            proc = batch(Path(tmp))["proc"]
            seconds = time.perf_counter() - t0
        if proc.returncode != code:
            raise RuntimeError(f"{module}: LibreOffice batch exit {proc.returncode}: {proc.stderr[-500:]}")
        return seconds
    return run


# name: (what, where the workload lives, budget in seconds, measure, needs LibreOffice)
BUDGETS = {
    "summary": ("汇总 3000 单位 x 300 任务", "test_merge_summary", 5.0, summary, False),
    "identity": ("读取表单标识 (每次)", "test_identity_roundtrip", 0.02, identity, False),
    "office-identity": ("LibreOffice 批量填表: 3 张表各存 3 种格式", "test_identity_roundtrip", 30.0,
                        office("test_identity_roundtrip", 3), True),
    "office-examine": ("LibreOffice 批量填表: 回收检查的全部样例", "test_collect_examine", 40.0,
                       office("test_collect_examine", 0), True),
}


def main() -> int:
    ap = argparse.ArgumentParser(description="xltools time budgets")
    ap.add_argument("names", nargs="*", help=" ".join(BUDGETS) + " (default: all)")
    ap.add_argument("--repeat", type=int, default=3)
    opts = ap.parse_args()
    if set(opts.names) - set(BUDGETS):
        ap.error(f"unknown: {' '.join(sorted(set(opts.names) - set(BUDGETS)))}")
    from conftest import OFFICE_MISSING

    lines = ["| 检查 | 来自 | 次数 | 中位数 s | 预算 s | 比值 | 结论 |", "|---|---|---|---|---|---|---|"]
    over = False
    for name in opts.names or BUDGETS:
        what, source, budget, measure, needs_office = BUDGETS[name]
        if needs_office and OFFICE_MISSING:
            lines.append(f"| {what} | {source} | 0 | - | {budget:g} | - | 跳过: {OFFICE_MISSING} |")
            continue
        median = statistics.median(measure() for _ in range(opts.repeat))
        over |= median > budget
        lines.append(f"| {what} | {source} | {opts.repeat} | {median:.4g} | {budget:g} | "
                     f"{median / budget:.2f} | {'超出预算' if median > budget else '在预算内'} |")
    print("\n".join(lines))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
