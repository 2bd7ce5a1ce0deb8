"""What a unit received: the layout of one form regenerated from the plan, as a map to read by.

Generation is deterministic, so the form a unit was sent can be rebuilt from the plan and
its identity (kind, unit, period). `expected_form` does that once per form and caches the
result: where the title, the 填报单位 cell, the header fill-in cells, every task row,
target row and town line are, which columns hold which field, and the text of every cell
the unit must not change (with the fingerprint over them, as embedded in the identity).
Rows and columns are 0-based here; "A1" appears only in findings.
"""
from __future__ import annotations

import importlib
import weakref
from dataclasses import dataclass, field

# the package re-exports functions under the modules' names: import the modules themselves
rf = importlib.import_module("xltools.generate.report_form")
tf = importlib.import_module("xltools.generate.town_form")
wp = importlib.import_module("xltools.generate.workplan")
from ..forms.identity import canonical_text, fingerprint, guarded_cells
from ..sheet.layout import Workbook
from ..model import Plan
from ..model.returns import target_key, town_key

KINDS = ("report", "town", "workplan")
FORM_NAMES = {"report": "季度报表", "town": "镇街指标表", "workplan": "办理方案"}
UNIT_PREFIX = "填报单位:"
WORKPLAN_FIELDS = {"具体工作内容": 2, "完成时限": 3, "分管领导": 4, "责任科室": 5}


@dataclass(frozen=True)
class ExpectedRow:
    """One row the unit received: a task, a target or a town line.

    section: task / target / line. num: the text of column A (task number, or the line's
    sequence number). text: the row's label (task text in B, target label in B, town
    indicator in C). guarded: {column: text} of the cells the unit must not change.
    """

    section: str
    row: int
    num: str
    text: str
    guarded: tuple[tuple[int, str], ...]
    task: str = ""  # task number (task and target rows)
    role: str = ""
    index: int = 0  # target index within its task
    label: str = ""  # target label / indicator as printed
    measure: str = ""
    target: float | None = None
    cumulative: bool = True  # a running total that must not go down
    additive: bool = True  # town: a count (never negative); rates may be negative
    column: str = ""  # town: matrix column key
    part: str = ""  # town: composite part
    key: str = ""  # ledger key (targets, town lines)


@dataclass(frozen=True)
class ExpectedForm:
    """The form as sent: where everything is and what the unit must not change."""

    plan_id: str
    kind: str
    unit: str
    period: str
    sheet: str
    title: str
    subtitle: str
    unit_cell: tuple[int, int]
    unit_text: str
    header_row: int  # the column header row of the main table
    header_labels: tuple[str, ...]
    header_fields: dict[str, tuple[int, int]]  # 填报人 / 联系电话 / 填报日期 (总责任人); the
    # label ("填报人:") sits in the cell left of each
    rows: tuple[ExpectedRow, ...]
    field_cols: dict[str, int]  # fill-in field -> column on task rows (lines: 累计完成/说明)
    section_row: int | None = None  # the 量化指标完成情况 row (report with targets)
    target_header_row: int | None = None
    target_header_labels: tuple[str, ...] = ()
    actual_col: int = -1
    note_col: int = -1
    end_marker: str = "填报说明"  # text at the start of the first row after the tables
    guarded: dict[tuple[int, int], str] = field(default_factory=dict)  # on the form sheet
    guarded_cells: tuple[tuple[str, str, str], ...] = ()
    fingerprint: str = ""
    ncols: int = 8

    @property
    def form_name(self) -> str:
        return FORM_NAMES.get(self.kind, self.kind)

    def section(self, name: str) -> tuple[ExpectedRow, ...]:
        return tuple(r for r in self.rows if r.section == name)


_CACHE: dict[int, tuple[weakref.ref, dict]] = {}


def expected_form(plan: Plan, kind: str, unit: str, period_id: str) -> ExpectedForm | None:
    """The form `unit` received for `period_id` ("" for a workplan), or None when the plan
    has no such form (unknown kind, unit, town or period, or a unit without tasks).

    Cached per plan object and (kind, unit, period); a plan is not edited while collecting.
    """
    entry = _CACHE.get(id(plan))
    if entry is None or entry[0]() is not plan:
        entry = (weakref.ref(plan, lambda _r, k=id(plan): _CACHE.pop(k, None)), {})
        _CACHE[id(plan)] = entry
    cache = entry[1]
    key = (kind, unit, period_id)
    if key not in cache:
        cache[key] = _build(plan, kind, unit, period_id)
    return cache[key]


def _build(plan: Plan, kind: str, unit_name: str, period_id: str) -> ExpectedForm | None:
    if kind == "report":
        unit, period = plan.unit(unit_name), plan.period(period_id)
        if unit is None or period is None or unit.name != unit_name or not plan.unit_tasks(unit):
            return None
        wb, fmap = rf.report_form(plan, unit, period, fit=False)
        return _report(plan, wb, fmap, unit, period_id)
    if kind == "town":
        period = plan.period(period_id)
        row = next((r for r in plan.town_rows() if (r.unit or r.label) == unit_name), None)
        if row is None or period is None:
            return None
        wb, lines = tf.town_form(plan, row, period, fit=False)
        return _town(plan, wb, lines, unit_name, period_id)
    if kind == "workplan":
        unit = plan.unit(unit_name)
        if unit is None or unit.name != unit_name or not plan.unit_tasks(unit):
            return None
        return _workplan(plan, wp.workplan(plan, unit), unit)
    return None


def _text(wb: Workbook, r: int, c: int) -> str:
    cell = wb.sheets[0].cells.get((r, c))
    return canonical_text(cell.value) if cell is not None else ""


def _common(plan: Plan, wb: Workbook) -> dict:
    sh = wb.sheets[0]
    cells = guarded_cells(wb)
    # guarded_cells lists the form sheet's guarded cells in (row, col) order: pair its texts
    # with the same sorted keys instead of computing every text twice
    keys = sorted(rc for rc, cell in sh.cells.items() if cell.guard)
    guarded = dict(zip(keys, (text for name, _, text in cells if name == sh.name)))
    return dict(plan_id=plan.plan_id, sheet=sh.name, guarded=guarded, guarded_cells=tuple(cells),
                fingerprint=fingerprint(cells), title=_text(wb, 0, 0), subtitle=_text(wb, 1, 0))


def _unit_cell(guarded: dict[tuple[int, int], str]) -> tuple[int, int]:
    """The 填报单位 cell: guarded, as the generator writes it (header_fields)."""
    return min(rc for rc, text in guarded.items() if text.startswith(UNIT_PREFIX))


def _by_row(guarded: dict[tuple[int, int], str]) -> dict[int, tuple[tuple[int, str], ...]]:
    """{row: ((column, text), ...) in column order}: one pass, not one scan per row."""
    out: dict[int, list[tuple[int, str]]] = {}
    for (r, c), t in sorted(guarded.items()):
        out.setdefault(r, []).append((c, t))
    return {r: tuple(v) for r, v in out.items()}


def _report(plan, wb, fmap, unit, period_id) -> ExpectedForm:
    common = _common(plan, wb)
    g = common["guarded"]
    by_row = _by_row(g)
    rows: list[ExpectedRow] = []
    for i, (task, role) in enumerate(plan.unit_tasks(unit)):
        r = fmap.first_task_row + i
        rows.append(ExpectedRow("task", r, task.number, canonical_text(task.text),
                                by_row.get(r, ()), task=task.number, role=role))
    for number, index, r in fmap.target_rows:
        t = plan.task(number).targets[index]
        rows.append(ExpectedRow("target", r, number, _text(wb, r, 1), by_row.get(r, ()),
                                task=number, index=index, label=_text(wb, r, 1), measure=t.measure,
                                target=t.value, cumulative=t.cumulative, additive=t.cumulative,
                                key=target_key(number, index)))
    uc = _unit_cell(g)
    section = fmap.target_rows[0][2] - 2 if fmap.target_rows else None
    return ExpectedForm(
        kind="report", unit=unit.name, period=period_id, unit_cell=uc, unit_text=g[uc],
        header_row=fmap.header_row, header_labels=tuple(rf.COLUMNS),
        header_fields=dict(zip(("填报人", "联系电话", "填报日期"), fmap.fill_in)),
        rows=tuple(rows), field_cols=dict(rf.FIELD_COLS), section_row=section,
        target_header_row=None if section is None else section + 1,
        target_header_labels=tuple(rf.TARGET_COLUMNS[:7]), actual_col=rf.TARGET_ACTUAL_COL,
        note_col=6, **common)


def _town(plan, wb, lines, unit_name, period_id) -> ExpectedForm:
    common = _common(plan, wb)
    g = common["guarded"]
    by_row = _by_row(g)
    cols = {c.key: c for c in plan.matrix.columns}
    rows = []
    for i, line in enumerate(lines, start=1):
        col = cols[line.column]
        rate = line.measure in ("%", "个百分点") or not col.additive
        rows.append(ExpectedRow("line", line.row, str(i), _text(wb, line.row, 2),
                                by_row.get(line.row, ()), label=_text(wb, line.row, 2),
                                measure=line.measure, target=line.target, cumulative=not rate,
                                additive=not rate, column=line.column, part=line.part,
                                key=town_key(line.column, line.part)))
    uc = _unit_cell(g)
    head = uc[0] + 2
    return ExpectedForm(
        kind="town", unit=unit_name, period=period_id, unit_cell=uc, unit_text=g[uc],
        header_row=head, header_labels=tuple(tf.COLUMNS),
        header_fields={"填报人": (uc[0], 4), "联系电话": (uc[0], 7), "填报日期": (uc[0] + 1, 4)},
        rows=tuple(rows), field_cols={"累计完成": tf.ACTUAL_COL, "说明": 7},
        actual_col=tf.ACTUAL_COL, note_col=7, **common)


def _workplan(plan, wb, unit) -> ExpectedForm:
    common = _common(plan, wb)
    g = common["guarded"]
    by_row = _by_row(g)
    sh = wb.sheets[0]
    uc = min(rc for rc, t in g.items() if t == unit.name and rc[1] == 1)
    head = min(r for (r, c), cell in sh.cells.items() if c == 0 and cell.value == wp.LABELS[0])
    rows = []
    for i, (task, role) in enumerate(plan.unit_tasks(unit)):
        r = head + 1 + i
        rows.append(ExpectedRow("task", r, canonical_text(task.number), canonical_text(task.text),
                                by_row.get(r, ()), task=task.number, role=role))
    return ExpectedForm(
        kind="workplan", unit=unit.name, period="", unit_cell=uc, unit_text=unit.name,
        header_row=head, header_labels=tuple(wp.LABELS),
        header_fields={"总责任人": (uc[0], 3)}, rows=tuple(rows),
        field_cols=dict(WORKPLAN_FIELDS), end_marker="单位主要负责人", ncols=len(wp.LABELS),
        **{**common, "subtitle": ""})
