"""Examine received workbooks in worker processes, so that no file can take the run down.

Every workbook is read in a worker process, never in the collect process itself: python-
calamine (Rust) can abort its whole process or allocate without end on a crafted sheet.
Workers are forked where the platform can, spawned elsewhere (parallel.mp_context); the plan
reaches each once (inherited, or pickled as the initializer's argument). Each worker:

* has its memory capped (memcap): RLIMIT_AS on Linux, a Job Object on Windows, else the
  collect process samples it (psutil) and kills it past Limits.worker_memory_bytes;
* writes no core file, and its reader's abort message goes to the null device;
* dies with its parent (parallel.die_with_parent), so a killed collect leaves no worker.

Files go out in small chunks and come back in order. When a worker dies (a crash, the memory
cap) or a chunk takes longer than Limits.file_timeout, the pool is torn down, the files of
the chunk being waited for are examined again one at a time in a one-worker pool with the
same caps (replaced after each failure; the culprit gets `reader-crashed` or
`reader-timeout`), and the remaining chunks go to a fresh pool: every other file is read.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from ..model import Plan, finding
from ..model.errors import settings
from ..parallel import mp_context, start_method, stop_pool, worker_start
from ..model.returns import REJECTED, FormReturn, Received
from . import memcap
from .examine import examine
from .expected import ExpectedForms
from .limits import DEFAULT_LIMITS, MB, Limits


CHUNK = 8
STARTUP_TIMEOUT = 120.0  # seconds a worker may take to start (import, receive the plan)
# a spawned worker costs ≈0.3 s of a core to start, ≈100 files' examining: below this
# many files a second one does not pay (bench/bench.py --spawn-only)
SPAWN_FEW_FILES = 100

_state: dict = {}


def _init(plan: Plan, period_id: str, previous: dict, limits: Limits,
          parent: int, how: str, debug: bool = False) -> None:
    worker_start(parent, debug)
    memcap.no_core_file()
    if not debug:  # a native reader's abort message is not for the clerk
        with contextlib.suppress(OSError):
            import faulthandler
            faulthandler.disable()
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 2)
            os.close(fd)
    if how == "rlimit":
        memcap.cap_memory(limits.worker_memory_bytes)
    _state.update(plan=plan, period=period_id, previous=previous, limits=limits,
                  forms=ExpectedForms(plan))


def _work(chunk: list[Received]) -> list[FormReturn]:
    return [examine(r, _state["plan"], _state["period"], _state["previous"], _state["limits"],
                    forms=_state["forms"]) for r in chunk]


def examine_all(files: list[Received], plan: Plan, period_id: str,
                previous: dict | None = None, workers: int | None = None,
                limits: Limits = DEFAULT_LIMITS) -> Iterator[FormReturn]:
    """FormReturns for `files`, in order, each examined in a capped worker process."""
    if not files:
        return
    workers = max(1, min(workers or min(2, os.cpu_count() or 1), len(files)))
    if start_method() != "fork" and len(files) < SPAWN_FEW_FILES:
        workers = 1
    yield from _examined(files, CHUNK, workers, plan, period_id, previous or {}, limits)


def _examined(files: list[Received], size: int, workers: int, plan: Plan, period_id: str,
              prev: dict, limits: Limits) -> Iterator[FormReturn]:
    """`files` in chunks of `size`, by a pool of `workers`. When the pool dies (or hangs)
    while a chunk is out, its files are examined again one at a time by one worker (size 1),
    the rest by a fresh pool; a file that broke a pool alone is refused with why."""
    pending = [files[i:i + size] for i in range(0, len(files), size)]
    while pending:
        pool, guard = _pool(workers, plan, period_id, prev, limits)
        failed = None
        try:
            futures: list[Future | None] = [pool.submit(_work, c) for c in pending]
            for k, fut in enumerate(futures):
                try:
                    result = fut.result(timeout=limits.file_timeout)
                except Exception as exc:  # noqa: BLE001 - alone, a result that would not come back
                    if size > 1 and not isinstance(exc, (BrokenProcessPool, FutureTimeout)):
                        raise
                    failed, error = k, exc
                    break
                # (a future holds its result: every return read would stay alive until the
                # last, a province's some 150 MB in this process at the end of the reading)
                futures[k] = fut = None
                yield from result
                del result
        finally:
            _kill(pool, guard)
        if failed is None:
            return
        r = pending[failed][0]
        if size > 1:
            yield from _examined(pending[failed], 1, 1, plan, period_id, prev, limits)
        elif isinstance(error, BrokenProcessPool):
            cap = f"内存超过上限 {limits.worker_memory_bytes // MB} MB"
            yield _failed(r, plan, period_id, "reader-crashed",
                          reason=cap if guard.killed else "读取程序崩溃或超出内存上限")
        elif isinstance(error, FutureTimeout):
            yield _failed(r, plan, period_id, "reader-timeout", seconds=f"{limits.file_timeout:g}")
        else:
            yield _failed(r, plan, period_id, "reader-crashed", reason=type(error).__name__)
        pending = pending[failed + 1:]


def _pool(workers: int, plan: Plan, period_id: str, prev: dict,
          limits: Limits) -> tuple[ProcessPoolExecutor, memcap.PoolGuard]:
    """A pool of capped readers and the guard that caps them from here (where needed)."""
    how = memcap.mode()
    pool = ProcessPoolExecutor(workers, mp_context=mp_context(), initializer=_init, initargs=(
        plan, period_id, prev, limits, os.getpid(), how, settings.debug))
    guard = memcap.PoolGuard(pool, limits.worker_memory_bytes, how)
    try:  # started (a spawned worker imports xltools) before any file's clock runs
        for fut in [pool.submit(os.getpid) for _ in range(workers)]:
            fut.result(timeout=STARTUP_TIMEOUT)
    except BaseException:
        _kill(pool, guard)
        raise
    return pool, guard


def _kill(pool: ProcessPoolExecutor, guard: memcap.PoolGuard) -> None:
    """Shut a pool down at once (parallel.stop_pool) and close its memory guard."""
    stop_pool(pool)
    guard.close()


def _failed(r: Received, plan: Plan, period_id: str, code: str, **params) -> FormReturn:
    return FormReturn(received=r, status=REJECTED, plan_id=plan.plan_id, period=period_id,
                      findings=[finding(code, file=r.display, **params)])
