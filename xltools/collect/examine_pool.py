"""Examine many files on both cores, so that one hostile file cannot take the run down.

Workers are forked once with the plan; files go out in small chunks and come back in
order. python-calamine can abort its whole process on a crafted sheet: when a worker
dies, the files of its chunk are examined again one per fresh process, so the culprit
is named in a finding and every other file is still read.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..model import Plan, finding
from ..model.returns import REJECTED, FormReturn, Received
from .examine import PreviousValues, examine

POOL_MIN_FILES = 24  # below this, forking costs more than it saves
CHUNK = 8
FILE_TIMEOUT = 120.0  # seconds one file may take in isolation before it is given up

_state: dict = {}


def _init(plan: Plan, period_id: str, previous: PreviousValues) -> None:
    _state.update(plan=plan, period=period_id, previous=previous)


def _work(chunk: list[Received]) -> list[FormReturn]:
    return [examine(r, _state["plan"], _state["period"], _state["previous"]) for r in chunk]


def examine_all(files: list[Received], plan: Plan, period_id: str,
                previous: dict | None = None, workers: int | None = None) -> Iterator[FormReturn]:
    """FormReturns for `files`, in order; uses a process pool when it pays."""
    prev = PreviousValues(previous or {})
    workers = workers or min(2, os.cpu_count() or 1)
    if workers <= 1 or len(files) < POOL_MIN_FILES:
        for r in files:
            yield from _isolated([r], plan, period_id, prev) if _risky(r) else \
                [examine(r, plan, period_id, prev)]
        return
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    ctx = mp.get_context("fork")
    done = 0
    try:
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                                 initargs=(plan, period_id, prev)) as pool:
            for result in pool.map(_work, chunks):
                done += 1
                yield from result
    except BrokenProcessPool:
        for chunk in chunks[done:]:
            yield from _isolated(chunk, plan, period_id, prev)


def _risky(r: Received) -> bool:
    """Formats whose native reader was not pre-checked for hostile sizes run isolated."""
    return r.kind in ("xls", "ods")


def _isolated(chunk: list[Received], plan: Plan, period_id: str,
              prev: PreviousValues) -> Iterator[FormReturn]:
    """Each file in a fresh one-worker process, with a time limit."""
    ctx = mp.get_context("fork")
    for r in chunk:
        pool = ProcessPoolExecutor(1, mp_context=ctx, initializer=_init,
                                   initargs=(plan, period_id, prev))
        try:
            yield pool.submit(_work, [r]).result(timeout=FILE_TIMEOUT)[0]
        except BrokenProcessPool as exc:
            yield _failed(r, plan, period_id, "reader-crashed", reason=type(exc).__name__)
        except TimeoutError:
            for p in list(getattr(pool, "_processes", {}).values()):
                p.kill()
            yield _failed(r, plan, period_id, "reader-timeout", seconds=int(FILE_TIMEOUT))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _failed(r: Received, plan: Plan, period_id: str, code: str, **params) -> FormReturn:
    return FormReturn(received=r, status=REJECTED, plan_id=plan.plan_id, period=period_id,
                      findings=[finding(code, file=r.display, **params)])
