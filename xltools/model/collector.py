"""The cyclic garbage collector paused while large data that all lives on is built."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a large table or layout is built or written: its
    hundreds of thousands of rows or cells all live on, so the collector's passes over them
    find nothing and cost a third of the work (a province's summarize, a 汇总表's build;
    cycles made meanwhile wait until the end). Also a decorator (@gc_paused()), but not of a
    generator function: its body would run after the collector is back on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
