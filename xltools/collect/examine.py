"""From one received file to a FormReturn: identify, extract every value, validate every cell.

    examine(received, plan, period_id, previous=None) -> FormReturn

Never raises (an unexpected error becomes the finding read-failed naming the file) and never
evaluates anything: values are what the spreadsheet program saved, text stays text.
For .xlsx every sheet is size-checked before python-calamine reads it; .xls and .ods are not
(calamine aborts the process on a sheet claiming a huge grid): run `examine` in a worker
process for those (its arguments pickle; pass `previous` as a `PreviousValues`).

Status: rejected when the file cannot be read, is of another plan or period, names an unknown
unit, cannot be identified, or its form sheet cannot be found or mapped; accepted otherwise,
with 错误 findings keeping single values out of the merge (FormReturn.blocked_cells()).
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Callable

from ..model import Plan
from ..model.returns import ACCEPTED, REJECTED, FormReturn, Received
from ..xlsx.cells import Grids, percent_cells, read_workbook
from ..xlsx.identity import IdentityReading
from .checks import check_figures, check_header, check_tasks
from .extract import check_unit_cell, locate
from .grid import Sink
from .identify import by_content, by_identity

Previous = Callable[[str, str, str], "float | None"]


@dataclass
class PreviousValues:
    """`previous` as plain data, picklable for a worker: {(unit, kind, key): figure}."""

    values: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def __call__(self, unit: str, kind: str, key: str) -> float | None:
        return self.values.get((unit, kind, key))


def examine(received: Received, plan: Plan, period_id: str,
            previous: Previous | None = None) -> FormReturn:
    """Everything one returned workbook says and every problem in it; never raises."""
    fr = FormReturn(received=received, status=REJECTED, plan_id=plan.plan_id, period=period_id)
    sink = Sink(received.display or received.name or received.path)
    try:
        reading, grids = read_workbook(received.path)
        percent = lambda sheet: (lambda cells: percent_cells(received.path, sheet, cells))  # noqa: E731
        examine_read(fr, sink, reading, grids, plan, period_id, previous, percent)
    except Exception as e:  # a bug or a file nobody foresaw: report it, never stop the run
        fr.status = REJECTED
        where = traceback.extract_tb(e.__traceback__)[-1]
        sink.add("read-failed", reason=f"{type(e).__name__}: {e} ({where.name}:{where.lineno})"[:300])
    fr.findings = sink.findings
    return fr


def examine_read(fr: FormReturn, sink: Sink, reading: IdentityReading, grids: Grids, plan: Plan,
                 period_id: str, previous: Previous | None = None,
                 percent: Callable | None = None) -> FormReturn:
    """The pure part of examine: from what was read (identity, grids) to the FormReturn.

    percent: sheet -> (cells -> {cell: is a percent format}) for values that need it.
    """
    if not reading.format or grids.reason:
        sink.add("workbook-unreadable", reason=reading.reason or grids.reason or "无法读取")
        return fr
    visible = [n for n in grids.visible() if n in grids.rows]
    if reading.identity is not None:
        found = by_identity(reading, grids.rows, visible, plan, period_id, sink)
    else:
        found = by_content(grids.rows, visible, plan, period_id, sink)
    if reading.identity is not None:
        fr.plan_id, fr.kind, fr.period = (reading.identity.plan_id, reading.identity.kind,
                                          reading.identity.period)
        fr.unit = sink.unit or reading.identity.unit
    if found is None:
        return fr
    ex = found.expected
    fr.kind, fr.unit, fr.period, fr.plan_id = ex.kind, ex.unit, ex.period, ex.plan_id
    fr.identified_by, fr.sheet = found.by, found.sheet
    sink.sheet, sink.unit = found.sheet, ex.unit
    rows = grids.rows[found.sheet]
    loc = locate(ex, rows, sink, found.reference)
    if not loc.found:
        sink.add("form-not-mapped", form_name=ex.form_name)
        return fr
    check_unit_cell(ex, loc, sink, found.reference)
    check_header(ex, loc, sink, fr)
    lookup = percent(found.sheet) if percent is not None else None
    if ex.kind in ("report", "workplan"):
        check_tasks(ex, loc, sink, fr, lookup)
    if ex.kind in ("report", "town"):
        check_figures(ex, loc, sink, fr, previous, lookup)
    fr.status = ACCEPTED
    return fr
