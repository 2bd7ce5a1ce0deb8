"""Map work over both cores with forked workers that inherit a read-only state (the plan)."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

_state: dict = {}


def default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def die_with_parent(parent: int) -> None:
    """Make this (forked) worker get SIGKILL when its parent dies: a killed run leaves no
    worker behind (Linux; elsewhere a no-op)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init(func: Callable, state: object, parent: int) -> None:
    die_with_parent(parent)
    _state["func"], _state["state"] = func, state


def _run(chunk: list) -> list:
    func, state = _state["func"], _state["state"]
    return [func(state, item) for item in chunk]


def fork_map(func: Callable, state: object, items: list, workers: int | None = None,
             chunk: int = 16, min_items: int = 32) -> Iterator:
    """func(state, item) for every item, results in order; inline when a pool does not pay.

    Workers are forked once, so `state` (a plan of thousands of units) is not pickled per
    item; only the small items and results cross the process boundary.
    """
    workers = workers or default_workers()
    if workers <= 1 or len(items) < min_items:
        for item in items:
            yield func(state, item)
        return
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_init,
                             initargs=(func, state, os.getpid())) as pool:
        for result in pool.map(_run, chunks):
            yield from result


def batched(items: Iterable, n: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch
