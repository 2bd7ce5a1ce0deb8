"""xltools benchmark: generate and collect at three sizes, against their floors.

    python bench/bench.py                      # district, city, thousand, province
    python bench/bench.py --sizes district     # just one
    python bench/bench.py --workers 1          # single process
    python bench/bench.py --sizes district thousand --spawn   # spawn beside fork (Windows' cost)
    python bench/bench.py --sizes province tenk --keep /tmp/xlbench   # large: inboxes kept

province and tenk (10,000 forms) are measured once, without generate (its own floor table
covers it at the smaller sizes); filling tenk's inbox takes about 4 minutes of one core, so
--keep DIR keeps each size's plan and inbox in DIR/<size> for the next run.

For each size a synthetic plan is built (district 70 tasks / 50 units, city 150 / 150,
province 300 / 3,000), every form of one period is generated, filled programmatically
with realistic values (a few with typical mistakes) and collected into a fresh ledger;
then the same inbox is collected again (the no-op re-run). Every stage runs in a fresh
subprocess so that its peak memory (own and its workers') is its own. The floors are
measured in the same run: a bare xlsxwriter write of the same cells (generate) and a bare
python-calamine read of every sheet of the same files (collect), and collect's own floor:
that read plus a bare xlsxwriter write of the workbooks it produced (汇总表, 校验报告 and
feedback copies), both measured after each collect. A second table splits the first
collect into its steps (CollectReport.phases) beside those two floors.
The late return: a first collect with one return held back, then that return added and
collected again into the same outputs folder (fork and spawn, against issue 18's budget;
--late-only for just that table).
With --spawn, generate and collect run again with XLTOOLS_START_METHOD=spawn (how every pool
starts on Windows) and a third table sets them beside fork.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

# tasks, units, towns; "thousand" is issue 4's 1,000 returned forms, "tenk" issue 18's 10,000
SIZES = {"district": (70, 40, 10), "city": (150, 140, 10), "thousand": (150, 1000, 0),
         "province": (300, 3000, 0), "tenk": (300, 10000, 0)}
LABELS = {"district": "区级", "city": "市级", "thousand": "千份", "province": "省级",
          "tenk": "万份"}
LARGE = ("province", "tenk")  # measured once, collect only


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(kids, 1)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers: what a busy machine distorts
    least (wall time waits for the other engineers' processes too)."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 2)


# -- stages (each runs in its own process) -----------------------------------------------

def stage_plan(work: Path, size: str) -> dict:
    from synth import synthetic_plan

    from xltools.planfile import save_plan

    tasks, units, towns = SIZES[size]
    plan = synthetic_plan(tasks, units, towns, province=size in ("thousand", *LARGE))
    save_plan(plan, work / "plan.json")
    return {"units": len(plan.units), "tasks": len(plan.tasks)}


def _plan(work: Path):
    from xltools.planfile import load_plan
    return load_plan(work / "plan.json").value


def stage_generate(work: Path, workers: int | None) -> dict:
    from xltools import api

    plan = _plan(work)
    out = work / "forms"
    t0 = time.perf_counter()
    report = api.generate(plan, out, [plan.periods[0].id], workers=workers)
    forms = sum(1 for f in report.files if f.kind in ("report", "town", "workplan"))
    return {"seconds": time.perf_counter() - t0, "files": len(report.files), "forms": forms}


def _bare_write(layouts) -> float:
    """Seconds xlsxwriter takes to write the cells of `layouts`: no styles, merges,
    validations or protection (the floor of writing the same content)."""
    import xlsxwriter

    t0 = time.perf_counter()
    for wb in layouts:
        buf = io.BytesIO()
        x = xlsxwriter.Workbook(buf, {"in_memory": True})
        for sheet in wb.sheets:
            ws = x.add_worksheet(sheet.name)
            for (r, c), cell in sheet.cells.items():
                v = cell.value
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, v)
                elif v not in (None, ""):
                    ws.write_string(r, c, str(v))
        x.close()
    return time.perf_counter() - t0


def stage_generate_floor(work: Path) -> dict:
    """The same cells written by plain xlsxwriter."""
    from xltools.generate import build_documents, build_form, form_jobs

    plan = _plan(work)
    jobs = form_jobs(plan, [plan.periods[0]])
    layouts = build_documents(plan, jobs)[0] + [build_form(plan, j) for j in jobs]
    return {"seconds": _bare_write(layouts), "files": len(layouts)}


def stage_output_floor(work: Path, ledger: str = "ledger.sqlite") -> dict:
    """The workbooks collect wrote from this ledger (汇总表, 校验报告, feedback copies)
    written by plain xlsxwriter: the part of collect's outputs that a bare read does not
    do (the HTML report is left out, so this floor is a little low)."""
    from xltools.collect.ledger import Ledger
    from xltools.merge import ReceiptRow, summarize
    from xltools.report import summary_workbook, validation_workbook
    from xltools.report.feedback import feedback_for

    plan = _plan(work)
    period = plan.periods[0]
    with plan.frozen(), Ledger(work / ledger) as db:
        current = db.current(plan.plan_id, period.id)
        receipts = [ReceiptRow.from_ledger(r, work) for r in db.receipts(plan.plan_id, period.id)]
        summary = summarize(plan, period, current, receipts)
        layouts = [summary_workbook(plan, period, summary),
                   validation_workbook(plan, period, receipts),
                   *(fb.workbook for fb in feedback_for(plan, period, current, receipts))]
        for sheet in layouts[0].sheets:  # (the 汇总表's rows are otherwise made while written)
            sheet.complete()
    cells = sum(len(sh.cells) for wb in layouts for sh in wb.sheets)
    return {"seconds": _bare_write(layouts), "cells": cells}


def stage_fill(work: Path) -> dict:
    """Fill every report and town form as units would (a few typical mistakes)."""
    from xltools.simulate import MISTAKES, fill_report, fill_town
    from xltools.xlsx.writer import workbook_bytes

    plan = _plan(work)
    period = plan.periods[0]
    rnd = random.Random(7)
    inbox = work / "inbox"
    n, late = 0, ""
    for i, unit in enumerate(plan.units_with_tasks()):
        mistake = MISTAKES[i % len(MISTAKES)] if i % 10 == 3 else ""
        (inbox / f"{i // 200:03d}").mkdir(parents=True, exist_ok=True)
        path = inbox / f"{i // 200:03d}" / f"{unit.name}.xlsx"
        path.write_bytes(workbook_bytes(fill_report(plan, unit.name, period, rnd, mistake)))
        late = late or (str(path.relative_to(work)) if mistake else "")
        n += 1
    for row in plan.town_rows():
        (inbox / "towns").mkdir(parents=True, exist_ok=True)
        (inbox / "towns" / f"{row.label}.xlsx").write_bytes(
            workbook_bytes(fill_town(plan, row.label, period, rnd)))
        n += 1
    return {"files": n, "late": late}  # late: a return with a mistake, to hold back


def stage_collect(work: Path, workers: int | None, tag: str, ledger: str) -> dict:
    from xltools import api

    import xltools.merge as merge_module

    plan = _plan(work)
    inner, marks = merge_module.summarize, {}

    def summarize(*args, **kwargs):  # the peaks when the files are read and the period merged
        out = inner(*args, **kwargs)  # (api.collect imports it when called: this one)
        marks["peak_mb_ledger"] = _peak_mb()
        return out

    merge_module.summarize = summarize
    t0 = time.perf_counter()
    report = api.collect([work / "inbox"], work / "plan.json", plan.periods[0].id,
                         work / f"out-{tag}", work / ledger, workers)
    return {"seconds": time.perf_counter() - t0, "files": len(report.files),
            "accepted": report.counts.get("accepted", 0), "phases": report.phases, **marks}


def stage_collect_floor(work: Path) -> dict:
    """A bare python-calamine read of every sheet of the same files."""
    from python_calamine import CalamineWorkbook

    files = sorted((work / "inbox").rglob("*.xlsx"))
    t0 = time.perf_counter()
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
        wb.close()
    return {"seconds": time.perf_counter() - t0, "files": len(files)}


STAGES = {"plan": stage_plan, "generate": stage_generate, "generate_floor": stage_generate_floor,
          "fill": stage_fill, "collect": stage_collect, "collect_floor": stage_collect_floor,
          "output_floor": stage_output_floor}


def run_stage(name: str, work: Path, *args: str, start: str = "") -> dict:
    """Run one stage in a fresh interpreter (its pools started by `start`, default the
    platform's); return its JSON result plus peak memory."""
    cmd = [sys.executable, str(Path(__file__)), "--stage", name, "--work", str(work), *args]
    env = {**os.environ, "XLTOOLS_START_METHOD": start} if start else None
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure_spawn(root: Path, wargs: list[str], repeat: int) -> dict:
    """generate and a first collect with forked and with spawned pools (as on Windows),
    alternately, so that a busy machine weighs on both alike."""
    runs: dict = {start: {"generate": [], "collect": []} for start in ("fork", "spawn")}
    runs["floor"] = []
    for i in range(repeat):
        for start, into in list(runs.items())[:2]:
            shutil.rmtree(root / "forms", ignore_errors=True)
            into["generate"].append(run_stage("generate", root, *wargs, start=start))
            into["collect"].append(run_stage("collect", root, "--tag", f"{start}{i}",
                                             "--ledger", f"{start}{i}.sqlite", *wargs,
                                             start=start))
        runs["floor"].append(_io_floor(root, f"fork{i}.sqlite"))
    return runs


def _io_floor(root: Path, ledger: str = "ledger.sqlite") -> dict:
    """Collect's floor, measured now: a bare read of the inbox plus a bare write of the
    workbooks collect made from `ledger`."""
    read = run_stage("collect_floor", root)
    write = run_stage("output_floor", root, "--ledger", ledger)
    return {"seconds": read["seconds"] + write["seconds"], "read": read["seconds"],
            "write": write["seconds"], "cells": write["cells"], "files": read["files"]}


# one late return added to a collected period: re-collect within (issue 18)
LATE_BUDGET = {"thousand": 1.5, "province": 3.0}


def measure_late(root: Path, held: Path, wargs: list[str], repeat: int) -> dict:
    """A first collect with one return held back, then that return added and the same
    inbox collected again into the same outputs folder (the timed run); forked and spawned
    pools alternately. The held-back return is one with a typical mistake (a unit sheet, a
    feedback copy and an HTML section of its own)."""
    aside = root / f"held-{held.name}"
    runs: dict = {"fork": [], "spawn": []}
    for i in range(repeat):
        for start, into in runs.items():
            tag, ledger = f"late-{start}{i}", f"late-{start}{i}.sqlite"
            held.replace(aside)
            try:
                run_stage("collect", root, "--tag", tag, "--ledger", ledger, *wargs, start=start)
            finally:
                aside.replace(held)
            into.append(run_stage("collect", root, "--tag", tag, "--ledger", ledger, *wargs,
                                  start=start))
    return runs


def late_table(results: dict[str, dict]) -> str:
    """The late re-collect: medians fork and spawn, against the budget, and its steps."""
    lines = ["| 规模 | 表单/文件 | 补收一份后重新回收 fork s | spawn s | 预算 s | 对预算倍数 fork / spawn | "
             "CPU s fork / spawn | " + " | ".join(label for _, label in PHASES) + " (fork) |",
             "|---|---|---|---|---|---|---|" + "---|" * len(PHASES)]
    for size, r in results.items():
        if not r.get("late"):
            continue
        f, s = r["late"]["fork"], r["late"]["spawn"]
        mf, ms = _median(f, "seconds"), _median(s, "seconds")
        budget = LATE_BUDGET.get(size)
        ratio = f"{mf / budget:.2f} / {ms / budget:.2f}" if budget else "—"
        cpu = " / ".join(f"{_median(runs, 'cpu_s'):.1f}" for runs in (f, s))
        run = sorted(f, key=lambda x: x["seconds"])[len(f) // 2]
        ph = " | ".join(f"{run.get('phases', {}).get(k, 0):.2f}" for k, _ in PHASES)
        lines.append(f"| {LABELS[size]} | {f[0]['files']} | {mf:.2f} | {ms:.2f} | "
                     f"{budget if budget else '—'} | {ratio} | {cpu} | {ph} |")
    return "\n".join(lines) if len(lines) > 2 else ""  # (no size measured it: no table)


def compare_late(size: str, workers: int | None, repeat: int) -> dict:
    """Only what the late-return table needs (--late-only)."""
    wargs = ["--workers", str(workers)] if workers else []
    root = Path(tempfile.mkdtemp(prefix=f"xlbench-{size}-"))
    try:
        info = run_stage("plan", root, "--size", size)
        filled = run_stage("fill", root)
        return {"info": info, "late": measure_late(root, root / filled["late"], wargs, repeat)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def compare_spawn(size: str, workers: int | None, repeat: int) -> dict:
    """Only what the spawn table needs (--spawn-only): quicker than the whole benchmark."""
    wargs = ["--workers", str(workers)] if workers else []
    root = Path(tempfile.mkdtemp(prefix=f"xlbench-{size}-"))
    try:
        run_stage("plan", root, "--size", size)
        run_stage("fill", root)
        return {"spawn": measure_spawn(root, wargs, repeat)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure(size: str, workers: int | None, repeat: int, spawn: bool = False,
            keep: Path | None = None) -> dict:
    wargs = ["--workers", str(workers)] if workers else []
    root = keep / size if keep else Path(tempfile.mkdtemp(prefix=f"xlbench-{size}-"))
    kept = keep is not None and (root / "inbox").is_dir() and (root / "plan.json").is_file()
    try:
        root.mkdir(parents=True, exist_ok=True)
        if kept:
            info = json.loads((root / "info.json").read_text())
        else:
            info = run_stage("plan", root, "--size", size)
            (root / "info.json").write_text(json.dumps(info))
        gen, gen_floor = [], []
        for _ in range(0 if size in LARGE else repeat):
            shutil.rmtree(root / "forms", ignore_errors=True)
            gen.append(run_stage("generate", root, *wargs))
            gen_floor.append(run_stage("generate_floor", root))
        if not kept:
            t0 = time.perf_counter()
            filled = run_stage("fill", root)
            (root / "filled.json").write_text(json.dumps(filled))
            print(f"{size}: inbox filled in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        else:
            filled = json.loads((root / "filled.json").read_text()) \
                if (root / "filled.json").is_file() else {}
        col, col_floor, rerun = [], [], []
        for i in range(repeat):
            for p in root.glob("ledger*"):
                p.unlink() if p.is_file() else shutil.rmtree(p)
            shutil.rmtree(root / f"out-a{i}", ignore_errors=True)
            col.append(run_stage("collect", root, "--tag", f"a{i}", *wargs))
            rerun.append(run_stage("collect", root, "--tag", f"a{i}", *wargs))  # same outputs folder
            col_floor.append(_io_floor(root))
        return {"info": info, "generate": gen, "generate_floor": gen_floor, "collect": col,
                "collect_floor": col_floor, "rerun": rerun,
                "late": (measure_late(root, root / filled["late"], wargs, repeat)
                         if filled.get("late") else None),
                "spawn": measure_spawn(root, wargs, repeat) if spawn else None}
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for p in [*root.glob("ledger*"), *root.glob("out-*"), *root.glob("fork*"),
                      *root.glob("spawn*"), *root.glob("late-*"), root / "forms"]:
                p.unlink() if p.is_file() else shutil.rmtree(p, ignore_errors=True)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def table(results: dict[str, dict]) -> str:
    head = ("| 规模 | 阶段 | 表单/文件 | 用时 s | ms/个 | 下限 s | 倍数 | 读+写下限 s | 对读+写倍数 | "
            "峰值内存 MB(主/子进程) |\n|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for size, r in results.items():
        g, gf = r["generate"], r["generate_floor"]
        c, cf, rr = r["collect"], r["collect_floor"], r["rerun"]
        n_col = cf[0]["files"]
        io_floor = _median(cf, "seconds")
        rows = [("生成", g[0]["files"], _median(g, "seconds"), _median(gf, "seconds"), None, g)
                ] if g else []
        rows += [("回收", n_col, _median(c, "seconds"), _median(cf, "read"), io_floor, c),
                ("重复回收(无变化)", n_col, _median(rr, "seconds"), _median(c, "seconds"), None, rr)]
        for stage, n, secs, floor, both, runs in rows:
            own = max(x["peak_mb"][0] for x in runs)
            kids = max(x["peak_mb"][1] for x in runs)
            ratio_label = f"{secs / floor:.2f}" + (" (对首次回收)" if stage.startswith("重复") else "")
            io = f"{both:.2f} | {secs / both:.2f}" if both else "— | —"
            lines.append(f"| {LABELS[size]} {r['info']['tasks']}任务/{r['info']['units']}单位 | {stage} | "
                         f"{n} | {secs:.2f} | {1000 * secs / max(1, n):.2f} | {floor:.2f} | "
                         f"{ratio_label} | {io} | {own:.0f} / {kids:.0f} |")
    return "\n".join(lines)


def spawn_table(results: dict[str, dict]) -> str:
    """Spawned pools (Windows) beside forked ones, run alternately: medians, peak memory."""
    lines = ["| 规模 | 阶段 | 表单/文件 | fork s | spawn s | spawn/fork | CPU s fork / spawn | "
             "对读+写下限倍数 fork / spawn | 峰值内存 MB fork(主/子) | spawn(主/子) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for size, r in results.items():
        if not r.get("spawn"):
            continue
        for stage, label in (("generate", "生成"), ("collect", "回收")):
            f, s = r["spawn"]["fork"][stage], r["spawn"]["spawn"][stage]
            mf, ms = _median(f, "seconds"), _median(s, "seconds")
            peak = [f"{max(x['peak_mb'][0] for x in runs):.0f} / "
                    f"{max(x['peak_mb'][1] for x in runs):.0f}" for runs in (f, s)]
            cpu = " / ".join(f"{_median(runs, 'cpu_s'):.1f}" for runs in (f, s))
            floor = _median(r["spawn"]["floor"], "seconds") if stage == "collect" else 0
            io = f"{mf / floor:.2f} / {ms / floor:.2f}" if floor else "—"
            lines.append(f"| {LABELS[size]} | {label} | {f[0]['files']} | {mf:.2f} | {ms:.2f} | "
                         f"{ms / mf:.2f} | {cpu} | {io} | {peak[0]} | {peak[1]} |")
    return "\n".join(lines)


PHASES = [("intake", "收件"), ("examine", "读取与校验"), ("ledger", "记入台账"), ("commit", "提交"),
          ("load", "载入"), ("summarize", "汇总"), ("outputs", "写输出")]


def breakdown(results: dict[str, dict]) -> str:
    """Where a first collect's time goes (the run with the median total), beside the floors."""
    head = ("| 规模 | " + " | ".join(label for _, label in PHASES) +
            " | 合计 s | 裸读下限 s | 裸写输出工作簿 s (单元格数) | 对读+写倍数 | "
            "CPU s | 峰值 MB 汇总后(主/读取子进程) |\n|---|" + "---|" * (len(PHASES) + 6))
    lines = [head]
    for size, r in results.items():
        runs = sorted(r["collect"], key=lambda x: x["seconds"])
        run = runs[len(runs) // 2]
        ph = run.get("phases", {})
        cells = " | ".join(f"{ph.get(k, 0):.2f}" for k, _ in PHASES)
        cf = r["collect_floor"]
        lines.append(f"| {LABELS[size]} | {cells} | {run['seconds']:.2f} | "
                     f"{_median(cf, 'read'):.2f} | "
                     f"{_median(cf, 'write'):.2f} ({cf[0]['cells']:,}) | "
                     f"{run['seconds'] / _median(cf, 'seconds'):.2f} | {run['cpu_s']:.1f} | "
                     f"{'{:.0f} / {:.0f}'.format(*run.get('peak_mb_ledger', (0, 0)))} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description="xltools benchmark")
    ap.add_argument("--sizes", nargs="*", default=[s for s in SIZES if s != "tenk"],
                    choices=list(SIZES))
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--spawn", action="store_true",
                    help="also run generate and collect with spawned pools (as on Windows)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep each size's plan and filled inbox in KEEP/<size> (and reuse them)")
    ap.add_argument("--spawn-only", action="store_true",
                    help="only the fork/spawn table (generate and collect, alternately)")
    ap.add_argument("--late-only", action="store_true",
                    help="only the late-return table (one return added to a collected period)")
    ap.add_argument("--ledger", default="ledger.sqlite", help=argparse.SUPPRESS)
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--size", help=argparse.SUPPRESS)
    ap.add_argument("--tag", default="a", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.stage:
        work = Path(opts.work)
        fn = STAGES[opts.stage]
        args = {"plan": (work, opts.size), "generate": (work, opts.workers),
                "collect": (work, opts.workers, opts.tag, opts.ledger),
                "output_floor": (work, opts.ledger)}.get(opts.stage, (work,))
        result = fn(*args)
        result["peak_mb"] = _peak_mb()
        result["cpu_s"] = _cpu_seconds()
        print(json.dumps(result))
        return
    if opts.late_only:
        print(late_table({size: compare_late(size, opts.workers, opts.repeat)
                          for size in opts.sizes}))
        return
    if opts.spawn_only:
        print(spawn_table({size: compare_spawn(size, opts.workers, opts.repeat)
                           for size in opts.sizes}))
        return
    results = {}
    for size in opts.sizes:
        t0 = time.perf_counter()
        results[size] = measure(size, opts.workers, 1 if size in LARGE else opts.repeat,
                                opts.spawn, opts.keep)
        print(f"{size}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    print(table(results))
    print()
    print(breakdown(results))
    print()
    print(late_table(results))
    if opts.spawn:
        print()
        print(spawn_table(results))


if __name__ == "__main__":
    main()
