"""Read and check every fill-in value of a located form. Every check runs on every cell: a
problem in one cell never hides another. Values that fail a 错误 check are still recorded
as typed (`*_raw`, text fields); FormReturn.blocked_cells() keeps them out of the merge.
"""
from __future__ import annotations

from typing import Callable, Mapping

from ..forms.registry import STATUSES
from ..model.findings import WARNING
from ..model.errors import settings
from ..model.returns import ACTUAL, NOTE, FormReturn, TargetReport, TaskReport, TownReport
from .expected import ExpectedForm
from .extract import Located
from ..model.glossary import a1
from ..model.values import format_number
from .grid import Sink, as_text, at, is_blank
from .values import (PROGRESS_AMBIGUOUS, PROGRESS_BAD, PROGRESS_EMPTY, as_number, date_value,
                     needs_format, phone_ok, progress_value)

Previous = Mapping[tuple[str, str, str], float]  # {(unit, kind, key): last period's figure}
PercentLookup = Callable[[list[tuple[int, int]]], dict[tuple[int, int], "bool | None"]]
REQUIRED = ("完成情况", "完成进度", "状态")
WORKPLAN_REQUIRED = ("具体工作内容", "完成时限")
DONE = "已完成"
EPS = 1e-9
# the codes of a cumulative figure: a task's target, or a town form's line
FIGURE_CODES = {
    "target": ("target-empty", "target-not-number", "target-negative", "target-decreased"),
    "line": ("town-value-empty", "town-value-not-number", "town-value-negative",
             "town-value-decreased"),
}


def _cell(r: int | None, c: int | None) -> str:
    return a1(r, c) if r is not None and c is not None else ""


def check_header(ex: ExpectedForm, loc: Located, sink: Sink, fr: FormReturn) -> None:
    for name, (r, c) in loc.header_fields.items():
        raw, dated = at(loc.rows, r, c), name == "填报日期"
        fr.header_cells[name] = _cell(r, c)
        d = date_value(raw) if dated else None
        fr.header[name] = d if d is not None else (None if is_blank(raw) else as_text(raw))
        if is_blank(raw) and dated:
            sink.add("date-missing", r, c)
        elif is_blank(raw):
            sink.add("header-missing", r, c, field=name)
        elif dated and d is None:
            sink.add("date-invalid", r, c, value=raw)
        elif name == "联系电话" and not phone_ok(raw):
            sink.add("phone-invalid", r, c, value=raw)


def _formats(percent: PercentLookup | None,
             cells: list[tuple[int, int]]) -> dict[tuple[int, int], bool | None]:
    if not cells or percent is None:
        return {}
    try:
        return percent(cells)
    except Exception:  # noqa: BLE001 - formats unknown: the percent checks say "ambiguous"
        if settings.debug:
            raise
        return {}


def check_tasks(ex: ExpectedForm, loc: Located, sink: Sink, fr: FormReturn,
                percent: PercentLookup | None) -> None:
    rows = [(e, loc.found[i]) for i, e in enumerate(ex.rows) if e.section == "task" and i in loc.found]
    cols = {name: loc.cols.get(c, c) for name, c in ex.field_cols.items()}
    workplan = ex.kind == "workplan"  # a 办理方案 row: its own fields, by name
    pc = cols.get("完成进度")
    ask = [(r, pc) for _, r in rows if pc is not None and needs_format(at(loc.rows, r, pc))]
    fmts = _formats(percent, ask)
    for e, r in rows:
        raw = {name: at(loc.rows, r, c) for name, c in cols.items()}
        cells = {name: _cell(r, c) for name, c in cols.items() if c is not None}
        for name in WORKPLAN_REQUIRED if workplan else REQUIRED:
            if cols[name] is not None and is_blank(raw[name]):
                sink.add("required-empty", r, cols[name], task=e.task, field=name)
        if workplan:
            fr.tasks.append(TaskReport(task=e.task, role=e.role, row=r, cells=cells,
                                       completion=as_text(raw["具体工作内容"]),
                                       extra={k: as_text(v) for k, v in raw.items()}))
            continue
        t = TaskReport(task=e.task, role=e.role, completion=as_text(raw["完成情况"]),
                       progress_raw=raw["完成进度"], status=as_text(raw["状态"]).strip(),
                       problems=as_text(raw["存在问题"]), next_steps=as_text(raw["下一步计划"]),
                       row=r, cells=cells)
        fr.tasks.append(t)
        verdict, x = progress_value(raw["完成进度"], fmts.get((r, pc)))
        if verdict == PROGRESS_BAD:
            sink.add("progress-not-number", r, pc, task=e.task, value=raw["完成进度"])
        elif verdict != PROGRESS_EMPTY:
            if x is not None and not (-EPS <= x <= 100 + EPS):
                sink.add("progress-out-of-range", r, pc, task=e.task, value=format_number(x))
            else:
                t.progress = min(100.0, max(0.0, x))
                if verdict == PROGRESS_AMBIGUOUS:
                    sink.add("progress-ambiguous", r, pc, task=e.task, value=raw["完成进度"],
                             understood=format_number(x))
        sc = cols["状态"]
        if t.status and t.status not in STATUSES:
            sink.add("status-invalid", r, sc, task=e.task, value=raw["状态"],
                     choices="/".join(STATUSES))
        elif t.status and t.progress is not None and \
                ((abs(t.progress - 100) < EPS) != (t.status == DONE)):
            sink.add("progress-status-mismatch", r, sc, task=e.task, value=t.status,
                     progress=format_number(t.progress))


def check_figures(ex: ExpectedForm, loc: Located, sink: Sink, fr: FormReturn,
                  previous: Previous | None, percent: PercentLookup | None) -> None:
    """Targets (report) and town lines: the cumulative figures."""
    section = "target" if ex.kind == "report" else "line"
    items = [(e, loc.found[i]) for i, e in enumerate(ex.rows) if e.section == section and i in loc.found]
    cols = loc.target_cols if section == "target" else loc.cols
    ac, nc = cols.get(ex.actual_col, ex.actual_col), cols.get(ex.note_col, ex.note_col)
    ask = [(r, ac) for e, r in items if ac is not None and e.measure == "%"
           and needs_format(at(loc.rows, r, ac))]
    fmts = _formats(percent, ask)
    empty, not_number, negative, decreased = FIGURE_CODES[section]
    for e, r in items:
        raw = at(loc.rows, r, ac) if ac is not None else None
        note = as_text(at(loc.rows, r, nc)) if nc is not None else ""
        cells = {k: fr.place(sink.sheet, _cell(r, c)) for k, c in ((ACTUAL, ac), (NOTE, nc))
                 if c is not None}
        if section == "target":
            item = TargetReport(task=e.task, index=e.index, label=e.label, target=e.target,
                                measure=e.measure, actual_raw=raw, note=note, row=r, cells=cells)
            fr.targets.append(item)
        else:
            item = TownReport(column=e.column, part=e.part, target=e.target, measure=e.measure,
                              actual_raw=raw, note=note, row=r, cells=cells)
            fr.town.append(item)
        if ac is None:
            continue
        params = dict(task=e.task, label=e.label)
        if is_blank(raw):
            sink.add(empty, r, ac, **params)
            continue
        x = as_number(raw, suffixes=tuple(s for s in (e.measure, "%") if s))
        if x is None:
            sink.add(not_number, r, ac, value=raw, measure=e.measure or "无", **params)
            continue
        if e.measure == "%" and not isinstance(raw, str) and 0 < abs(x) < 1:
            if fmts.get((r, ac)):  # typed 3.1% into a percent cell: 0.031 shown as 3.1%
                x = round(x * 100, 9)
            else:  # shown as 0.03: a rate below 1, or 3.1% typed into a number cell?
                sink.add("percent-figure-ambiguous", r, ac, value=format_number(x), **params)
        if e.cumulative and x < 0:
            sink.add(negative, r, ac, value=format_number(x), **params)
            continue
        item.actual = x
        if e.cumulative and previous is not None:  # a failing look-up fails the file (read-failed)
            before = previous.get((fr.unit, fr.kind, e.key))
            if before is not None and x < before - EPS:
                sink.add(decreased, r, ac, value=format_number(x), previous=format_number(before),
                         severity=WARNING if note.strip() else None, **params)
