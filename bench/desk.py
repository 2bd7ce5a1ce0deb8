"""The desk's page render times: every page of the 150-unit city plan, and the 回收 board
(with the unit, 汇总 and 催报 pages) after a 1,000-file collect.

    python bench/desk.py                 # both, 7 renders of each page
    python bench/desk.py --sizes city --repeat 15

Each plan is built by synth.py (as bench.py builds it), its forms generated and filled
(bench.stage_fill) and collected through the api into a desk workspace; then each page is
fetched through the ASGI test client (routing, view, template: what the browser waits for),
once to warm up and --repeat times measured. Prints the median and the slowest render of
each page, against the aim of 200 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

AIM_MS = 200
SIZES = {"city": "\u5e02\u7ea7 150 \u4e2a\u5355\u4f4d", "thousand": "\u5343\u4efd\u56de\u6536"}


def campaign(root: Path, size: str) -> tuple[str, str, str]:
    """A campaign of the size in the workspace, generated and collected; (name, period, unit)."""
    from bench import stage_fill, stage_plan

    from xltools import api
    from xltools.app.views import write_manifest
    from xltools.app.workspace import Workspace

    work = root / f"work-{size}"
    work.mkdir()
    stage_plan(work, size)
    with Workspace(root / "ws").creating(size) as c:
        api.convert(work / "plan.json", c.plan_path)
    plan = api.load(c.plan_path).value
    period = plan.periods[0]
    t0 = time.perf_counter()
    write_manifest(c, api.generate(c.plan_path, c.forms_dir, [period.id]))
    t1 = time.perf_counter()
    files = stage_fill(work)["files"]
    t2 = time.perf_counter()
    api.collect([work / "inbox"], c.plan_path, period.id, c.outputs(period))
    print(f"{size}: {len(plan.units)} units, generate {t1 - t0:.1f} s, fill {t2 - t1:.1f} s, "
          f"collect {files} files {time.perf_counter() - t2:.1f} s", flush=True)
    return size, period.id, plan.units_with_tasks()[3].name


def pages(name: str, period: str, unit: str) -> dict[str, str]:
    base = f"/c/{quote(name)}"
    p = quote(period)
    return {"\u8ba1\u5212": base, "\u4e0b\u53d1": f"{base}/issue",
            "\u56de\u6536\u72b6\u6001": f"{base}/collect/{p}",
            "\u5355\u4f4d": f"{base}/collect/{p}/unit/{quote(unit)}",
            "\u6c47\u603b": f"{base}/summary/{p}", "\u50ac\u62a5": f"{base}/remind/{p}"}


def _get_ms(client, url: str) -> float:
    t0 = time.perf_counter()
    got = client.get(url)
    assert got.status_code == 200, (url, got.status_code, got.text[:300])
    return (time.perf_counter() - t0) * 1000


def measure(client, name: str, url: str, repeat: int) -> tuple[float, list[float]]:
    """The first render after the plan or ledger changed (the page's cache emptied), then
    `repeat` renders as a reload or a second clerk gets them."""
    _get_ms(client, url)  # templates compiled, files in the OS cache
    client.app.state.ws.campaign(name).cache.clear()
    first = _get_ms(client, url)
    return first, [_get_ms(client, url) for _ in range(repeat)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    from starlette.testclient import TestClient

    from xltools.app import create_app
    rows = []
    with tempfile.TemporaryDirectory(prefix="xltools-desk-bench-") as tmp:
        root = Path(tmp)
        made = [campaign(root, size) for size in args.sizes]
        client = TestClient(create_app(root / "ws"))
        for size, made_one in zip(args.sizes, made):
            for page, url in pages(*made_one).items():
                first, t = measure(client, made_one[0], url, args.repeat)
                rows.append((SIZES[size], page, first, statistics.median(t), max(t)))
    print(f"\n{_pad('plan', 18)}{_pad('page', 10)}{'first ms':>9}{'median ms':>10}{'max ms':>8}"
          f"  (aim: median < {AIM_MS} ms)")
    for plan, page, first, med, worst in rows:
        flag = "" if med < AIM_MS else "  over"
        print(f"{_pad(plan, 18)}{_pad(page, 10)}{first:>9.0f}{med:>10.0f}{worst:>8.0f}{flag}")


def _pad(text: str, width: int) -> str:
    from xltools.model.glossary import text_width
    return text + " " * max(1, width - text_width(text))


if __name__ == "__main__":
    main()
