"""Issue 11: one worker model for every start method, and hostile files isolated on every
platform. The no-fork harness (tests/nofork) itself; pool_map under spawn (the state reaches
each worker once); the parent watch of spawned workers; the memory guard that replaces
RLIMIT_AS where `resource` is missing; and, in a simulated no-fork process, the whole-grid
.ods rejected as reader-crashed while the collect process itself stays small.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import hostile_corpus as hc
from conftest import NOFORK_DIR, ROOT, with_pythonpath
from xltools import api, parallel
from xltools.collect import examine_pool, memcap
from xltools.collect.limits import Limits

NOFORK_ENV = with_pythonpath({**os.environ, "XLTOOLS_SIMULATE_NOFORK": "1"}, NOFORK_DIR, ROOT)

PROBE = """
import json, multiprocessing as mp, os, sys
from concurrent.futures import ProcessPoolExecutor

def facts():
    try:
        import resource
        res = True
    except ImportError:
        res = False
    try:
        mp.get_context("fork")
        fork_ctx = True
    except ValueError:
        fork_ctx = False
    names = ["fork", "O_NOFOLLOW", "O_DIRECTORY", "O_CLOEXEC", "O_NONBLOCK", "sync", "killpg"]
    return {"methods": mp.get_all_start_methods(), "default": mp.get_start_method(),
            "fork_ctx": fork_ctx, "os": [n for n in names if hasattr(os, n)],
            "dir_fd": len(os.supports_dir_fd), "resource": res}

if __name__ == "__main__":
    with ProcessPoolExecutor(1) as pool:
        child = pool.submit(facts).result()
    print(json.dumps({"parent": facts(), "child": child}))
"""


def test_the_harness_simulates_a_platform_without_fork(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, env=NOFORK_ENV)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    for who in ("parent", "child"):  # this process and the workers it spawns
        assert got[who] == {"methods": ["spawn"], "default": "spawn", "fork_ctx": False,
                            "os": [], "dir_fd": 0, "resource": False}, who


def test_start_method_follows_the_platform_and_the_variable(monkeypatch):
    monkeypatch.delenv(parallel.START_METHOD_ENV, raising=False)
    expected = "fork" if hasattr(os, "fork") else "spawn"
    assert parallel.start_method() == expected
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    assert parallel.start_method() == "spawn"
    assert parallel.mp_context().get_start_method() == "spawn"


# ------------------------------------------------------------------ pool_map under spawn
class CountingState:
    """A state that counts, in each process, how many times it was unpickled."""

    def __init__(self, payload: str):
        self.payload = payload

    def __reduce__(self):
        return (_rebuild, (self.payload,))


_REBUILT = {"n": 0}


def _rebuild(payload: str) -> CountingState:
    _REBUILT["n"] += 1
    return CountingState(payload)


def _where(state: CountingState, item: int) -> tuple[int, int, str, int]:
    return os.getpid(), _REBUILT["n"], state.payload, item * item


def test_spawned_workers_get_the_state_once_each(monkeypatch):
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    items = list(range(400))
    out = list(parallel.pool_map(_where, CountingState("计划"), items, workers=2, chunk=8,
                                 seconds_each=1.0))
    assert [r[3] for r in out] == [i * i for i in items]  # in order
    assert {r[2] for r in out} == {"计划"}
    pids = {r[0] for r in out}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert {r[1] for r in out} == {1}  # 50 chunks, one unpickling per worker


def test_small_maps_run_inline_under_spawn(monkeypatch):
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    out = list(parallel.pool_map(_where, CountingState("x"), list(range(40)), workers=2))
    assert {r[0] for r in out} == {os.getpid()}  # 40 × 3 ms does not pay for a spawn


def _held_out_of_collection(state: list, item: int) -> tuple[int, bool, bool, int]:
    """In a worker: its pid, whether the state it holds is out of the cycle collector's
    passes (in none of its generations), whether an object the job makes is not, and how
    many objects are frozen; and a garbage cycle left behind, as a job's may be."""
    import gc
    made = [item]
    cycle: list = [made]
    cycle.append(cycle)
    tracked = {id(o) for g in range(3) for o in gc.get_objects(generation=g)}
    return os.getpid(), id(state) not in tracked, id(made) in tracked, gc.get_freeze_count()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_keep_what_they_hold_out_of_the_collectors_passes(method, monkeypatch):
    """A worker's inherited or unpickled state (a province's merged period) is not walked
    by every pass of the cycle collector (gc.freeze), once, at its start: what its jobs
    leave behind is not frozen (never freed) later; the main process never freezes."""
    import gc
    if method not in parallel.mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setenv(parallel.START_METHOD_ENV, method)
    before = gc.get_freeze_count()
    state = [[i] for i in range(2000)]
    out = list(parallel.pool_map(_held_out_of_collection, state, list(range(64)), workers=2,
                                 chunk=8, seconds_each=1.0))
    assert os.getpid() not in {r[0] for r in out}
    assert all(frozen and fresh for _, frozen, fresh, _n in out)
    for pid in {r[0] for r in out}:  # 8 chunks of jobs: frozen as many at the last as at the first
        assert len({n for p, _, _, n in out if p == pid}) == 1
        assert min(n for p, _, _, n in out if p == pid) > len(state)
    assert gc.get_freeze_count() == before


def test_watch_parent_notices_a_dead_parent():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = threading.Event()
    parallel.watch_parent(proc.pid, on_gone=gone.set, interval=0.05)
    time.sleep(0.3)
    assert not gone.is_set()
    proc.kill()
    proc.wait(10)
    assert gone.wait(10)


# ------------------------------------------------------------------ hostile files, any platform
@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return hc.build(tmp_path_factory.mktemp("corpus"), only=["ods-whole-grid"])


def _whole_grid(corpus, tmp_path, **kw):
    case = corpus.cases["ods-whole-grid"]
    return api.collect([corpus.good, corpus.case_dir("ods-whole-grid")], corpus.plan_path,
                       hc.PERIOD, tmp_path / "out", tmp_path / "l.db",
                       limits=Limits(**case.limits), **kw)


def _fates(rep) -> dict[str, tuple[str, list[str]]]:
    return {f.path: (f.status, [x.code for x in f.findings]) for f in rep.files}


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_the_memory_watch_kills_a_reader_past_its_limit(corpus, tmp_path, monkeypatch, method):
    """Where RLIMIT_AS cannot be had, the collect process samples its readers (psutil)."""
    if method not in parallel.mp.get_all_start_methods():
        pytest.skip(f"no {method} here")
    monkeypatch.setenv(parallel.START_METHOD_ENV, method)
    monkeypatch.setattr(memcap, "mode", lambda: "watch")
    rep = _whole_grid(corpus, tmp_path)
    fates = _fates(rep)
    assert fates["ods-whole-grid/区财政局报表.ods"] == ("rejected", ["reader-crashed"])
    bad = next(f for f in rep.files if f.path.startswith("ods-whole-grid/"))
    assert "内存超过上限 476 MB" in bad.findings[0].message
    assert sum(s == "accepted" for s, _ in fates.values()) == 3  # the good files merged
    assert all(p.is_file() for p in rep.outputs)


PEAK = """
import runpy, sys
if __name__ == "__main__":  # (spawned workers import this file again)
    sys.argv = ["xltools", *sys.argv[1:]]
    try:
        runpy.run_module("xltools.cli", run_name="__main__")
    except SystemExit as exc:
        code = exc.code
    with open("/proc/self/status") as f:
        peak = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
    print("PEAK_KB", peak, "EXIT", code, file=sys.stderr)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_no_fork_collect_rejects_the_whole_grid_and_stays_small(corpus, tmp_path):
    """The CLI in a simulated no-fork process: the whole-grid .ods (≈12 GB for an unbounded
    reader) is reader-crashed, the good files merge, the collect process peaks < 300 MB."""
    script = tmp_path / "peak.py"
    script.write_text(PEAK)
    out = subprocess.run(
        [sys.executable, str(script), "collect", str(corpus.good),
         str(corpus.case_dir("ods-whole-grid")), "--plan", str(corpus.plan_path), "--period",
         hc.PERIOD, "-o", str(tmp_path / "out"), "--db", str(tmp_path / "l.db"), "--json",
         "--max-unzipped-mb", "50"],
        capture_output=True, text=True, timeout=300, env=NOFORK_ENV)
    tail = out.stderr.rsplit("PEAK_KB", 1)
    assert len(tail) == 2, out.stderr[-2000:]
    peak_kb, _, code = tail[1].split()
    assert code == "1", out.stderr[-2000:]
    files = {f["path"]: f for f in json.loads(out.stdout)["files"]}
    ods = files["ods-whole-grid/区财政局报表.ods"]
    assert ods["status"] == "rejected"
    assert [x["code"] for x in ods["findings"]] == ["reader-crashed"]
    assert sum(f["status"] == "accepted" for f in files.values()) == 3
    assert int(peak_kb) < 300 * 1024, f"collect process peaked at {int(peak_kb) // 1024} MB"


def test_workers_zero_still_reads_in_a_worker(corpus, tmp_path, monkeypatch):
    """No setting makes collect parse a returned file in its own process."""
    parent, real = os.getpid(), examine_pool.examine

    def guarded(r, *a, **kw):  # (forked workers inherit it; spawned ones use the real one)
        assert os.getpid() != parent, "a returned file was read in the collect process"
        return real(r, *a, **kw)

    monkeypatch.setattr(examine_pool, "examine", guarded)
    rep = api.collect([corpus.good], corpus.plan_path, hc.PERIOD, tmp_path / "out",
                      tmp_path / "l.db", workers=0)
    assert {f.status for f in rep.files} == {"accepted"} and len(rep.files) == 3
