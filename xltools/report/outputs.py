"""Everything a collect run writes for people, on both cores: 汇总表, 校验报告, HTML, feedback."""
from __future__ import annotations

import dataclasses
import os
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..merge import ReceiptRow
from ..merge.summary import Summary
from ..model import Period, Plan
from ..model.returns import FormReturn
from ..parallel import pool_map, start_method
from ..xlsx.splice import MANIFEST as SPLICED
from .feedback import needs_feedback

# biggest first: with two workers the 汇总表 takes one core while the rest share the other
JOBS = ("summary", "feedback", "validation", "html")


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
        return dataclasses.replace(s, summary=None, current=[
            fr if needs_feedback(fr.findings) else
            dataclasses.replace(fr, tasks=[], targets=[], town=[], header={}, header_cells={})
            for fr in s.current])
    if job == "validation":
        return dataclasses.replace(s, summary=None, current=[])
    return dataclasses.replace(s, current=[])


def _write(state: _Inputs | None, item: tuple[str, _Inputs | None]) -> list[Path]:
    """One job: its own inputs (spawned workers) or the state all jobs share (forked)."""
    job, own = item
    s = own or state
    from .summary_book import write_summary
    from .feedback import write_feedback
    from .html import write_html_report
    from .validation_book import write_validation

    if job == "summary":
        return [write_summary(s.plan, s.period, s.summary, s.out)]
    if job == "validation":
        return [write_validation(s.plan, s.period, s.receipts, s.out)]
    if job == "html":
        return [write_html_report(s.plan, s.period, s.summary, s.receipts, s.out)]
    return write_feedback(s.plan, s.period, s.current, s.receipts, s.out)


def write_outputs(plan: Plan, period: Period, summary: Summary, receipts: list[ReceiptRow],
                  current: list[FormReturn], out_dir: str | os.PathLike,
                  workers: int | None = None) -> Outputs:
    """Write the four outputs into out_dir, in two worker processes when there is more
    than one core and the run is big enough (each output is independent of the others);
    raises OSError when one cannot be written."""
    state = _Inputs(plan, period, summary, receipts, current, Path(out_dir))
    # forked workers inherit the state; spawned ones get each job's own inputs pickled with
    # it, which pays only for big runs (an output takes ≈1 ms per received file)
    if start_method() == "fork":
        shared, items = state, [(job, None) for job in JOBS]
    else:
        shared, items = None, [(job, _own_inputs(state, job)) for job in JOBS]
    try:
        written = dict(zip(JOBS, pool_map(_write, shared, items, workers, chunk=1, min_items=2,
                                          seconds_each=_seconds_each(receipts, state.out))))
    except BrokenProcessPool:  # a worker was killed (memory): write them here instead
        written = {job: _write(state, (job, None)) for job in JOBS}
    return Outputs(written["summary"][0], written["validation"][0], written["html"][0],
                   written["feedback"])


def _seconds_each(receipts: list[ReceiptRow], out: Path) -> float:
    """A job's inline cost as parallel.pool_map weighs it (≈1 ms per received file). After a
    late return only the 汇总表 is rebuilt whole and the other three keep what did not change
    (xlsx.splice, the feedback copies, the HTML sections): spawned workers, which take the
    whole period's state, then pay only at province size (bench.py's late-return table:
    at 1,000 forms a spawned pool cost 2.3 s more than fork to save about 0.7 s)."""
    new = sum(1 for r in receipts if r.new)
    late = new * 10 <= len(receipts) and (out / SPLICED).is_file()  # (earlier outputs here)
    return 0.001 * len(receipts) * (0.1 if late else 1.0)
