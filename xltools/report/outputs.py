"""Everything a collect run writes for people, on both cores: 汇总表, 校验报告, HTML, feedback."""
from __future__ import annotations

import contextlib
import dataclasses
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..merge import ReceiptRow
from ..merge.summary import Summary
from ..model import Period, Plan
from ..model.returns import FormReturn
from ..model.table import Table
from ..parallel import (SPAWN_PAYS_SECONDS, default_workers, pool_map, pool_submit,
                        start_method, start_pool, stop_pool)
from ..xlsx.splice import MANIFEST as SPLICED
from .feedback import feedback_view

# Biggest first: with two workers the 汇总表 takes one core while the rest share the other.
# A re-run for a few late returns rebuilds only their feedback copies: those go last.
JOBS = ("summary", "feedback", "validation", "html")
RERUN_JOBS = ("summary", "validation", "html", "feedback")
# Inline cost of the four outputs per received return (≈1 ms each), and after a few late
# returns into earlier outputs (at 1,000 forms ≈1.0 + 0.75 + 0.57 + 0.09 s for the four:
# bench/HISTORY.md, session 17); a spawned pool pays from parallel.SPAWN_PAYS_SECONDS of inline work
SECONDS_PER_FORM, SECONDS_PER_FORM_RERUN = 0.004, 0.0024


@dataclass
class Outputs:
    """The paths written: the two workbooks, the HTML report, the feedback copies."""

    summary_book: Path
    validation_book: Path
    html: Path
    feedback: list[Path] = field(default_factory=list)


@dataclass
class _Inputs:
    plan: Plan
    period: Period
    summary: Summary | None
    receipts: list[ReceiptRow]
    current: list[FormReturn]
    out: Path


def _own_inputs(s: _Inputs, job: str) -> _Inputs:
    """What one job reads and nothing more: a spawned worker gets its inputs pickled, and
    the whole period (a province's returns: about 100 MB held) would be unpickled in every
    worker for the one job that needs the returns, and only the feedback copies' ones."""
    if job == "summary":
        return dataclasses.replace(s, receipts=[], current=[])
    if job == "feedback":  # the returns sent back whole, the rest only as who sent what when
        return dataclasses.replace(s, summary=None, current=list(map(feedback_view, s.current)))
    if job == "validation":
        return dataclasses.replace(s, summary=None, current=[])
    # the HTML report shows the summary's tables but 按任务汇总 (its biggest: some 80 % pickled)
    by_task = s.summary.by_task
    return dataclasses.replace(s, current=[], summary=dataclasses.replace(
        s.summary, by_task=Table(by_task.columns, [])))


def _write(state: _Inputs | None, item: tuple[str, _Inputs | None]) -> list[Path]:
    """One job: its own inputs (spawned workers) or the state all jobs share (forked)."""
    job, own = item
    s = own or state
    from . import feedback, html, summary_book, validation_book

    if job == "summary":
        return [summary_book.write_summary(s.plan, s.period, s.summary, s.out)]
    if job == "validation":
        return [validation_book.write_validation(s.plan, s.period, s.receipts, s.out)]
    if job == "html":
        return [html.write_html_report(s.plan, s.period, s.summary, s.receipts, s.out)]
    return feedback.write_feedback(s.plan, s.period, s.current, s.receipts, s.out)


def write_outputs(plan: Plan, period: Period, summary: Summary, receipts: list[ReceiptRow],
                  current: list[FormReturn], out_dir: str | os.PathLike,
                  workers: int | None = None, pool: ProcessPoolExecutor | None = None,
                  ahead: dict[str, Future] | None = None) -> Outputs:
    """Write the four outputs into out_dir (each is independent of the others): in forked
    workers when there is more than one core, in `pool` (OutputPool's) where it was started,
    else here; those already being written in it (`ahead`, OutputPool.write_ahead) are
    waited for. Raises OSError when one cannot be written."""
    state, ahead = _Inputs(plan, period, summary, receipts, current, Path(out_dir)), ahead or {}
    jobs = [job for job in (RERUN_JOBS if _rerun(receipts, state.out) else JOBS) if job not in ahead]
    # where workers are forked, the jobs not written ahead go to two workers forked now,
    # which inherit the state (_dispatch): nothing is pickled (the 汇总表's inputs took
    # 0.2 s to reach the early worker at 1,000 forms)
    broken = any(f.done() and isinstance(f.exception(), BrokenProcessPool) for f in ahead.values())
    # (none to be had: the early pool's worker takes every job, pickled; a worker of the
    # early pool died: it is all written here, below)
    own = _pool(state, 2) if pool is not None and start_method() == "fork" and not broken else None
    try:
        if own is not None:
            futures = _dispatch(own, jobs, ahead)
            wait(ahead.values())  # then the early worker is idle, holding its own
            stop_pool(pool)  # copy of what the main process has changed since: let it go
        elif pool is not None:  # its workers hold no state: each job goes with its own
            # inputs, pickled (the whole period would be unpickled in every worker
            # otherwise), and goes as soon as they are made: the biggest is not kept
            # waiting for the others'
            futures = {**ahead, **{job: pool_submit(pool, (job, _own_inputs(state, job))) for job in jobs}}
        if pool is not None:
            written = {job: done.result()[0] for job, done in futures.items()}
        else:  # forked workers inherit the state
            written = dict(zip(jobs, pool_map(_write, state, [(job, None) for job in jobs],
                                              workers if start_method() == "fork" else 1,
                                              chunk=1, min_items=2)))
    except BrokenProcessPool:  # a worker was killed (memory): write them here instead,
        # once the others are gone (they may be writing the same files)
        for p in filter(None, (pool, own)):
            stop_pool(p)
        written = {job: _write(state, (job, None)) for job in JOBS}
    except Exception:  # one could not be written: let the others finish, as forked ones do
        for p in filter(None, (pool, own)):
            p.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if own is not None:
            stop_pool(own)
    return Outputs(written["summary"][0], written["validation"][0], written["html"][0],
                   written["feedback"])


def _dispatch(own: ProcessPoolExecutor, jobs: list[str], ahead: dict[str, Future]) -> dict[str, Future]:
    """The jobs to `own`'s two workers, forked now and holding the state (nothing pickled:
    it took 0.4 s to send the feedback copies' inputs at province), in order (the 汇总表,
    the longest, first); while a job written ahead runs, one at a time: a third writer
    would share the two cores and the 汇总表 would end later."""
    futures, mine = dict(ahead), []
    for job in jobs:
        early = [f for f in ahead.values() if not f.done()]
        busy = [f for f in mine if not f.done()]
        if early and busy:
            wait([*early, *busy], return_when=FIRST_COMPLETED)
        futures[job] = pool_submit(own, (job, None))
        mine.append(futures[job])
    return futures


def _pool(state: _Inputs | None, workers: int) -> ProcessPoolExecutor | None:
    """Workers for _write (holding `state` where forked); None if they cannot be had (no
    process, an interpreter shutting down, no semaphores): the jobs are written otherwise."""
    with contextlib.suppress(OSError, RuntimeError, ImportError, NotImplementedError):
        return start_pool(_write, state, workers)
    return None


class OutputPool(contextlib.AbstractContextManager):
    """Where workers are spawned (Windows), write_outputs' pool started ahead of need, so that
    its workers' import (≈0.5 s of a core each) overlaps the caller's loading and merging;
    stopped on leaving the `with`. Where workers are forked (cheap, made when needed) it
    starts only to write the 校验报告 ahead (write_ahead); never on one core, or when the
    outputs are too quick to pay for it."""

    def __init__(self, workers: int | None, rerun: bool):
        self.workers, self.rerun = workers or default_workers(), rerun
        self.pool: ProcessPoolExecutor | None = None
        self.ahead: dict[str, Future] = {}  # outputs being written already (write_ahead)

    def start(self, forms: int, new: int) -> None:
        """Start the workers (once) if writing the outputs of `forms` returns, `new` of them
        new, here would take SPAWN_PAYS_SECONDS or more. A re-run for a few new returns
        into earlier outputs (rerun) rewrites only what they change (xlsx.splice, the
        feedback copies, the HTML sections). Never raises: it may be called inside the
        ledger's transaction, which must not fail for want of a process."""
        each = SECONDS_PER_FORM_RERUN if self.rerun and _few_new(new, forms) else SECONDS_PER_FORM
        if (self.pool is None and start_method() != "fork" and self.workers > 1
                and forms * each >= SPAWN_PAYS_SECONDS):
            self.pool = _pool(None, self.workers)

    def write_ahead(self, plan: Plan, period: Period, receipts: list[ReceiptRow],
                    out_dir: str | os.PathLike) -> None:
        """Start the 校验报告 now, in a worker (forked ones too), while the caller loads and
        merges the period's returns: it needs only the receipts, and the second core is
        idle meanwhile (province: 1.6 s, 10,000 forms: 5.5 s). Only for a re-run for a few
        new returns into earlier outputs, or outputs whose writing here would take
        SPAWN_PAYS_SECONDS; never on one core. Never raises, like start."""
        out = Path(out_dir)
        few = self.rerun and _rerun(receipts, out)
        if self.workers < 2 or not (few or len(receipts) * SECONDS_PER_FORM >= SPAWN_PAYS_SECONDS):
            return
        job, inputs = "validation", _Inputs(plan, period, None, receipts, [], out)
        if self.pool is None and start_method() == "fork":  # one worker, holding the inputs
            self.pool = _pool(inputs, 1)  # (write_outputs forks two more when the rest are known)
            inputs = None
        else:  # (start's own rule; a few new returns' pool may be started already)
            self.start(len(receipts), sum(1 for r in receipts if r.new))
        if self.pool is not None:
            # (a pool already broken: write_outputs finds out and copes)
            with contextlib.suppress(RuntimeError):
                self.ahead[job] = pool_submit(self.pool, (job, inputs and _own_inputs(inputs, job)))

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            stop_pool(self.pool)


def _rerun(receipts: list[ReceiptRow], out: Path) -> bool:
    """Whether writing these outputs into `out` is a re-run for a few new returns into
    outputs written there before (xlsx.splice's manifest beside them)."""
    return _few_new(sum(1 for r in receipts if r.new), len(receipts)) and (out / SPLICED).is_file()


def _few_new(new: int, total: int) -> bool:
    """Whether `new` of `total` returns are a few added to a period (late returns): most of
    the outputs written before for it can be kept."""
    return new * 10 <= total
