"""Map work over both cores in worker processes that receive the read-only state once.

Workers start with fork where the platform has it (they inherit the state, the plan) and
with spawn where it does not (Windows; or XLTOOLS_START_METHOD=spawn): then the state is
pickled once per worker, as the pool initializer's argument, never once per item. A spawned
worker re-imports xltools (≈0.3 s), so small maps run inline instead.
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from .model.errors import settings

START_METHOD_ENV = "XLTOOLS_START_METHOD"  # "spawn" forces spawn where fork exists
# Inline work a spawned pool must save to pay for itself: two workers importing xltools
# and unpickling the state take ≈0.3-0.5 s of both cores here (bench/bench.py --spawn).
SPAWN_PAYS_SECONDS = 1.0

_state: dict = {}


def default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def start_method() -> str:
    """"fork" where the platform offers it, else "spawn"; XLTOOLS_START_METHOD overrides."""
    methods = mp.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if wanted in methods:
        return wanted
    return "fork" if "fork" in methods else "spawn"


def mp_context():
    """The multiprocessing context every pool of xltools uses (see start_method)."""
    return mp.get_context(start_method())


def pool_processes(pool: ProcessPoolExecutor) -> dict:
    """pid -> Process of a ProcessPoolExecutor's live workers (a copy; tests/test_compat.py
    pins this private attribute: the executor has no public list of its workers). Raises,
    never guesses, when the attribute is gone: the memory guard and the kill rely on it."""
    return dict(pool._processes or {})  # None once the pool is shut down


def die_with_parent(parent: int) -> None:
    """End this worker when its parent dies, so a killed run leaves no worker behind: the
    kernel's parent-death signal on Linux, a watching thread elsewhere (Windows, macOS)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL) != 0:  # PR_SET_PDEATHSIG
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError, TypeError):
        watch_parent(parent)
    if _parent_gone(parent)():  # the parent died before the watch took effect
        os._exit(1)


def _parent_gone(parent: int) -> Callable[[], bool]:
    """A cheap test of whether process `parent` has ended (pid reuse and zombies aware)."""
    import psutil  # (a dependency, imported when needed)
    try:
        proc = psutil.Process(parent)
    except psutil.Error:  # NoSuchProcess and kin: already gone
        return lambda: True

    def gone() -> bool:
        try:
            return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
        except psutil.Error:
            return True
    return gone


def watch_parent(parent: int, on_gone: Callable[[], None] | None = None,
                 interval: float = 0.5) -> threading.Thread:
    """A daemon thread that calls on_gone (default: end this process at once) when
    process `parent` has ended."""
    gone = _parent_gone(parent)
    stop = on_gone or (lambda: os._exit(1))

    def watch() -> None:
        while not gone():
            threading.Event().wait(interval)
        stop()

    t = threading.Thread(target=watch, name="xltools-watch-parent", daemon=True)
    t.start()
    return t


def worker_start(parent: int, debug: bool) -> None:
    """What every worker does first: die with its parent, take the parent's settings (a
    spawned worker imports xltools afresh; a forked one has them already), and keep what it
    holds out of the cycle collector's passes."""
    die_with_parent(parent)
    settings.debug = debug
    gc.enable()  # (forked while another thread had it paused: gc_paused, the desk's threads)
    # What the worker holds now (inherited when forked, the pool's state unpickled when
    # spawned: the plan, a merged period) lives as long as it does: frozen (gc.freeze), the
    # collector's passes walk only what the jobs make (a province's four output jobs: about
    # 1 s less of 13), and a forked worker's pages stay shared with its parent (a pass writes
    # to every object it walks). Only here, once: frozen later, a job's inputs and the
    # garbage cycles of the job before would never be freed (a spawned writer's inputs,
    # which come with each job, are not frozen); never in the main process.
    gc.freeze()


def _init(func: Callable, state: object, parent: int, debug: bool) -> None:
    worker_start(parent, debug)
    _state["func"], _state["state"] = func, state


def _run(chunk: list) -> list:
    func, state = _state["func"], _state["state"]
    return [func(state, item) for item in chunk]


def start_pool(func: Callable, state: object = None,
               workers: int | None = None) -> ProcessPoolExecutor:
    """A pool whose workers start now, so that a spawned one's import of xltools (it imports
    func's module as it unpickles func: ≈0.5 s for the output writers) overlaps the caller's
    own work; pool_submit(it, item) runs func(state, item) in it, and stop_pool ends it."""
    workers = workers or default_workers()
    pool = ProcessPoolExecutor(workers, mp_context=mp_context(), initializer=_init,
                               initargs=(func, state, os.getpid(), settings.debug))
    try:
        for _ in range(workers):  # a spawning executor starts a worker per submitted task
            pool.submit(os.getpid)
    except BaseException:  # (the workers already started are not left behind)
        stop_pool(pool)
        raise
    return pool


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut a pool down at once, its workers killed if still running (or still starting:
    a spawned worker left to finish its import would hold up the interpreter's exit)."""
    procs = list(pool_processes(pool).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            if p.is_alive():
                p.kill()
            p.join(5)


def pool_submit(pool: ProcessPoolExecutor, item: object) -> Future:
    """func(state, item) in a pool from start_pool(func, state), now; the future's result
    is a one-item list (pool_map's chunk)."""
    return pool.submit(_run, [item])


def pool_map(func: Callable, state: object, items: list, workers: int | None = None,
             chunk: int = 16, min_items: int = 32, seconds_each: float = 0.003) -> Iterator:
    """func(state, item) for every item, results in order; inline when a pool does not pay.

    `state` (a plan of thousands of units) reaches each worker once: inherited by fork, or
    pickled once per spawned worker; only the small items and results cross per item.
    seconds_each (inline cost of one item) decides whether spawned workers pay.
    """
    workers = workers or default_workers()
    ctx = mp_context()
    pays = ctx.get_start_method() == "fork" or len(items) * seconds_each >= SPAWN_PAYS_SECONDS
    if workers <= 1 or len(items) < min_items or not pays:
        for item in items:
            yield func(state, item)
        return
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                             initargs=(func, state, os.getpid(), settings.debug)) as own:
        for result in own.map(_run, chunks):
            yield from result

