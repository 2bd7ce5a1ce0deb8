"""Examine received workbooks in worker processes, so that no file can take the run down.

Every workbook is read in a forked worker, never in the collect process itself: python-
calamine (Rust) can abort its whole process or allocate without end on a crafted sheet.
Each worker:

* caps its own address space (RLIMIT_AS = its size at start + Limits.worker_memory_bytes),
  so a runaway allocation fails inside the worker (Rust aborts it) instead of eating the
  machine; no core file is written; the reader's abort message goes to /dev/null;
* dies with its parent (PR_SET_PDEATHSIG), so a killed collect leaves no worker behind.

Files go out in small chunks and come back in order. When a worker dies (a crash, the memory
cap) or a chunk takes longer than Limits.file_timeout, the pool is torn down, the files of
the chunk being waited for are examined again one per fresh process with the same caps (the
culprit gets `reader-crashed` or `reader-timeout`), and the remaining chunks go to a fresh
pool: every other file is still read.

`workers=0` examines in this process (debugging; .xlsx/.ods are still bounded by
xlsx.bounds, but a reader crash would end the run).
"""
from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from ..model import Plan, finding
from ..parallel import die_with_parent
from ..model.returns import REJECTED, FormReturn, Received
from ..xlsx.bounds import ReadBounds
from .examine import PreviousValues, examine
from .limits import Limits

try:
    import resource
except ImportError:  # not a POSIX system: no address-space cap (and no fork either)
    resource = None

CHUNK = 8
FILE_TIMEOUT = Limits().file_timeout  # seconds one file may take (default; see Limits)

_state: dict = {}


def read_bounds(limits: Limits) -> ReadBounds:
    """The reader's bounds from the run's limits."""
    return ReadBounds(max_file_bytes=limits.max_file_bytes,
                      max_unzipped_bytes=limits.max_uncompressed_bytes,
                      max_rows=limits.max_rows, max_cells=limits.max_cells)


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cap_memory(extra_bytes: int) -> int:
    """Limit this process's address space to its present size + extra_bytes; the cap set
    (0 when it could not be set)."""
    base = _vm_size()
    if not base or resource is None:
        return 0
    cap = base + extra_bytes
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        return 0
    return cap


def _init(plan: Plan, period_id: str, previous: PreviousValues, limits: Limits,
          parent: int, quiet: bool = True) -> None:
    die_with_parent(parent)
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file of a crashed reader
    except (ValueError, OSError, AttributeError):
        pass
    if quiet and not os.environ.get("XLTOOLS_DEBUG"):
        try:  # a native reader's abort message is not for the clerk
            import faulthandler
            faulthandler.disable()
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 2)
            os.close(fd)
        except OSError:
            pass
    cap_memory(limits.worker_memory_bytes)
    _state.update(plan=plan, period=period_id, previous=previous, bounds=read_bounds(limits))


def _work(chunk: list[Received]) -> list[FormReturn]:
    return [examine(r, _state["plan"], _state["period"], _state["previous"], _state["bounds"])
            for r in chunk]


def examine_all(files: list[Received], plan: Plan, period_id: str,
                previous: dict | None = None, workers: int | None = None,
                limits: Limits | None = None) -> Iterator[FormReturn]:
    """FormReturns for `files`, in order, each examined in a capped worker process."""
    limits = limits or Limits()
    prev = PreviousValues(previous or {})
    if not files:
        return
    if workers == 0 or "fork" not in mp.get_all_start_methods():
        bounds = read_bounds(limits)
        for r in files:
            yield examine(r, plan, period_id, prev, bounds)
        return
    workers = max(1, min(workers or min(2, os.cpu_count() or 1), len(files)))
    pending = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    ctx = mp.get_context("fork")
    while pending:
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                                   initargs=(plan, period_id, prev, limits, os.getpid()))
        failed = None
        try:
            futures = [pool.submit(_work, c) for c in pending]
            for k, fut in enumerate(futures):
                try:
                    result = fut.result(timeout=limits.file_timeout)
                except (BrokenProcessPool, FutureTimeout):
                    failed = k
                    break
                yield from result
        finally:
            _kill(pool)
        if failed is None:
            return
        # the pool died (or hung) while this chunk was out: its files one by one, isolated;
        # the rest in a fresh pool (a culprit among them is isolated the same way)
        yield from _isolated(pending[failed], plan, period_id, prev, limits)
        pending = pending[failed + 1:]


def _kill(pool: ProcessPoolExecutor) -> None:
    """Shut a pool down at once, its workers killed if still running."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            if p.is_alive():
                p.kill()
            p.join(5)
        except (OSError, ValueError, AssertionError):
            pass


def _isolated(chunk: list[Received], plan: Plan, period_id: str, prev: PreviousValues,
              limits: Limits) -> Iterator[FormReturn]:
    """Each file in a fresh one-worker process, with the time and memory caps."""
    ctx = mp.get_context("fork")
    for r in chunk:
        pool = ProcessPoolExecutor(1, mp_context=ctx, initializer=_init,
                                   initargs=(plan, period_id, prev, limits, os.getpid()))
        try:
            yield pool.submit(_work, [r]).result(timeout=limits.file_timeout)[0]
        except BrokenProcessPool:
            yield _failed(r, plan, period_id, "reader-crashed",
                          reason="读取程序崩溃或超出内存上限")
        except FutureTimeout:
            yield _failed(r, plan, period_id, "reader-timeout", seconds=f"{limits.file_timeout:g}")
        except Exception as exc:  # noqa: BLE001 - a result that would not come back
            yield _failed(r, plan, period_id, "reader-crashed", reason=type(exc).__name__)
        finally:
            _kill(pool)


def _failed(r: Received, plan: Plan, period_id: str, code: str, **params) -> FormReturn:
    return FormReturn(received=r, status=REJECTED, plan_id=plan.plan_id, period=period_id,
                      findings=[finding(code, file=r.display, **params)])
