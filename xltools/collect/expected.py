"""What a unit received: the layout of one form regenerated from the plan, as a map to read by.

Generation is deterministic, so the form a unit was sent can be rebuilt from the plan and
its identity (kind, unit, period, and the version of the form spec it was rendered by).
`ExpectedForms` does that once per form and run: where the title, the 填报单位 cell, the
header fill-in cells, every task row, target row and town line are, which columns hold
which field, and the text of every cell the unit must not change (with the fingerprint
over them, as embedded in the identity). The report form, which every unit returns each
quarter, is drawn once per spec version, period and shape, and put together for each
further unit from that drawing's fixed parts and the unit's own rows (_Shape).
Rows and columns are 0-based here; "A1" appears only in findings.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..forms.identity import guarded_cells
from ..forms.owed import town_row
from ..forms.registry import CURRENT, spec as spec_of
from ..forms.spec import FormSpec
from ..forms.render import row_cells, unit_text
from ..generate.report_form import asked_targets, report_form, target_values, task_values
from ..generate.town_form import town_form
from ..generate.workplan import workplan
from ..model import Plan
from ..model.identity import canonical_text, fingerprint
from ..model.glossary import FORM_TOWN, FORM_WORKPLAN, a1, form_name
from ..model.rates import is_cumulative
from ..model.returns import target_key, town_key
from ..sheet.layout import Sheet, Workbook


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
    spec: FormSpec  # the layout it was sent with (its identity's version)
    sheet: str
    title: str
    subtitle: str
    unit_cell: tuple[int, int]
    unit_text: str
    header_row: int  # the column header row of the main table
    header_fields: dict[str, tuple[int, int]]  # 填报人 / 联系电话 / 填报日期 (总责任人); the
    # label ("填报人:") sits in the cell left of each
    rows: tuple[ExpectedRow, ...]
    section_row: int | None = None  # the 量化指标完成情况 row (report with targets)
    end_marker: str = "填报说明"  # text at the start of the first row after the tables
    targets: ExpectedForm | None = None  # the second table's own sheet (report v2: 量化指标)
    guarded: dict[tuple[int, int], str] = field(default_factory=dict)  # on the form sheet
    fingerprint: str = ""

    @property
    def form_name(self) -> str:
        return form_name(self.kind, self.period)

    @property
    def field_cols(self) -> dict[str, int]:
        """Fill-in field -> column on task rows (town lines: 累计完成 / 说明)."""
        return self.spec.fill_in()

    def _figures(self, key: str) -> int:
        """A column of the rows holding figures: the second table's (report), else the main one."""
        return self.spec.target_col(key) if self.spec.targets else self.spec.col(key)

    @property
    def actual_col(self) -> int:
        return self._figures("累计完成")

    @property
    def note_col(self) -> int:
        return self._figures("说明")

    def text_col(self, section: str) -> int:
        """The column holding a row's label: task text, target label, town indicator."""
        sp = self.spec
        return sp.target_col(sp.target_label_key) if section == "target" else sp.col(sp.label_key)


class ExpectedForms:
    """The forms of one plan as sent, each built on first use: one per collect run (or
    reader process) passed down, so nothing outlives the run; the plan is not edited meanwhile.

    Only the `keep` forms used last are kept: each unit's form is its own and is asked for
    about once a run (a resubmission soon after), so a reader's memory stays flat in the
    number of forms (all of them kept cost a province's readers ~150 MB each)."""

    def __init__(self, plan: Plan, keep: int = 64):
        self.plan = plan
        self._shapes: dict[tuple, _Shape] = {}
        self._form = lru_cache(maxsize=keep)(
            lambda sp, unit, period_id: _build(plan, sp, unit, period_id, self._shapes))

    def get(self, kind: str, unit: str, period_id: str, version: int | None = None) -> ExpectedForm | None:
        """The form `unit` received for `period_id` ("" for a workplan) under spec `version`
        (the current one when None), or None when the plan has no such form (unknown kind,
        version, unit, town or period, or a unit without tasks)."""
        sp = CURRENT.get(kind) if version is None else spec_of(kind, version)
        return None if sp is None else self._form(sp, unit, period_id)


def _build(plan: Plan, sp: FormSpec, unit_name: str, period_id: str,
           shapes: dict[tuple, _Shape] | None = None) -> ExpectedForm | None:
    """The form as the generator draws it; shapes: a report form is drawn once per spec,
    period and shape (with or without targets) and kept here, then put together for each
    further unit from that form's fixed parts and the unit's own task and target rows."""
    if sp.kind == FORM_TOWN:
        period, row = plan.period(period_id), town_row(plan, unit_name)
        if row is None or period is None:
            return None
        wb, lines = town_form(plan, row, period, fit=False, spec=sp)
        return _town(plan, sp, wb, lines, unit_name, period_id)
    unit = plan.unit(unit_name)
    tasks = plan.unit_tasks(unit) if unit is not None and unit.name == unit_name else None
    if not tasks:
        return None
    if sp.kind == FORM_WORKPLAN:
        return _workplan(plan, sp, workplan(plan, unit, sp), unit)
    period = plan.period(period_id)
    if period is None:
        return None
    items = asked_targets(plan, sp, tasks)
    key = (sp.version, period_id, bool(items))
    if shapes is not None and key in shapes:
        return shapes[key].form(unit, period_id, tasks, items)
    wb, fmap = report_form(plan, unit, period, fit=False, spec=sp)
    form = _report(plan, sp, wb, fmap, unit, period_id)
    if shapes is not None:
        shapes[key] = _Shape.of(form, fmap, len(tasks))
    return form


def _text(sh: Sheet, r: int, c: int) -> str:
    cell = sh.cells.get((r, c))
    return canonical_text(cell.value) if cell is not None else ""


def _common(plan: Plan, sp: FormSpec, wb: Workbook, unit: str, period_id: str) -> dict:
    sp = sp.for_period(period_id)  # (its sheet, headers and checks as this period's form has them)
    sh = wb.sheet(sp.sheet)
    cells = guarded_cells(wb)
    # guarded_cells lists the form sheet's guarded cells in (row, col) order: pair its texts
    # with the same sorted keys instead of computing every text twice
    keys = sorted(rc for rc, cell in sh.cells.items() if cell.guard)
    guarded = dict(zip(keys, (text for name, _, text in cells if name == sh.name)))
    uf = sp.unit_field
    uc = min(rc for rc, text in guarded.items() if rc[1] == uf.col and (
        text.startswith(uf.label) if uf.inline else text == canonical_text(unit)))
    return dict(plan_id=plan.plan_id, kind=sp.kind, unit=unit, period=period_id, spec=sp,
                sheet=sh.name, guarded=guarded,
                fingerprint=fingerprint(cells), title=_text(sh, 0, 0), subtitle=_text(sh, 1, 0),
                unit_cell=uc, unit_text=guarded[uc], header_fields=sp.field_cells(uc[0] - uf.row))


def _by_row(guarded: dict[tuple[int, int], str]) -> dict[int, tuple[tuple[int, str], ...]]:
    """{row: ((column, text), ...) in column order}: one pass, not one scan per row."""
    out: dict[int, list[tuple[int, str]]] = {}
    for (r, c), t in sorted(guarded.items()):
        out.setdefault(r, []).append((c, t))
    return {r: tuple(v) for r, v in out.items()}


def _task_rows(plan, unit, first: int, by_row) -> list[ExpectedRow]:
    """The unit's task rows from `first` on, in plan order (report and 办理方案)."""
    return [ExpectedRow("task", first + i, canonical_text(task.number), canonical_text(task.text),
                        by_row.get(first + i, ()), task=task.number, role=role)
            for i, (task, role) in enumerate(plan.unit_tasks(unit))]


def _report(plan, sp, wb, fmap, unit, period_id) -> ExpectedForm:
    common = _common(plan, sp, wb, unit.name, period_id)
    rows = _task_rows(plan, unit, fmap.first_task_row, _by_row(common["guarded"]))
    if sp.target_sheet:  # the targets are read from their own sheet, by its own spec
        part = sp.target_part()
        targets = None
        if fmap.target_rows:
            tc = _common(plan, part, wb, unit.name, period_id)
            trows = _target_rows(plan, part, wb, fmap, tc["guarded"], unit)
            targets = ExpectedForm(header_row=fmap.target_rows[0][2] - 1, rows=tuple(trows), **tc)
        return ExpectedForm(header_row=fmap.header_row, rows=tuple(rows), targets=targets, **common)
    rows += _target_rows(plan, sp, wb, fmap, common["guarded"], unit)
    section = fmap.target_rows[0][2] - 2 if fmap.target_rows else None
    return ExpectedForm(header_row=fmap.header_row, rows=tuple(rows), section_row=section, **common)


def _target_rows(plan, sp, wb, fmap, guarded, unit) -> list[ExpectedRow]:
    """The target rows of a report form, on the sheet `sp` describes."""
    by_row, sh = _by_row(guarded), wb.sheet(sp.sheet)
    label_col = sp.target_col(sp.target_label_key)
    # in the generator's order (not looked up by number: a flawed plan may repeat one)
    targets = [t for _, _, t in asked_targets(plan, sp, plan.unit_tasks(unit))]
    return [_target_row(r, number, index, _text(sh, r, label_col), by_row.get(r, ()), t)
            for t, (number, index, r) in zip(targets, fmap.target_rows)]


def _target_row(r: int, number: str, index: int, label: str, guarded: tuple, t) -> ExpectedRow:
    """The row of target `t` (the index-th of task `number`), its label and guarded cells."""
    return ExpectedRow("target", r, number, label, guarded, task=number, index=index, label=label,
                       measure=t.measure, target=t.value, cumulative=t.cumulative,
                       key=target_key(number, index))


def _town(plan, sp, wb, lines, unit_name, period_id) -> ExpectedForm:
    common = _common(plan, sp, wb, unit_name, period_id)
    by_row = _by_row(common["guarded"])
    cols = {c.key: c for c in plan.matrix.columns}
    label_col = sp.col(sp.label_key)
    rows = []
    for i, line in enumerate(lines, start=1):
        label = _text(wb.sheets[0], line.row, label_col)
        cumulative = cols[line.column].additive and is_cumulative(line.measure)  # (as 完成率)
        rows.append(ExpectedRow("line", line.row, str(i), label, by_row.get(line.row, ()),
                                label=label, measure=line.measure, target=line.target,
                                cumulative=cumulative, column=line.column,
                                part=line.part, key=town_key(line.column, line.part)))
    head = common["unit_cell"][0] - sp.unit_field.row + sp.field_rows
    return ExpectedForm(header_row=head, rows=tuple(rows), **common)


def _workplan(plan, sp, wb, unit) -> ExpectedForm:
    common = _common(plan, sp, wb, unit.name, "")
    sh = wb.sheets[0]
    head = min(r for (r, c), cell in sh.cells.items() if c == 0 and cell.value == sp.headers[0])
    rows = _task_rows(plan, unit, head + 1, _by_row(common["guarded"]))
    return ExpectedForm(header_row=head, rows=tuple(rows), end_marker="单位主要负责人",
                        **{**common, "subtitle": ""})


@dataclass(frozen=True)
class _Part:
    """One sheet of a generated report form without its item rows: the guarded cells above
    them (the unit's name left out), and those below, counted from the last item row."""

    form: ExpectedForm  # as generated for the unit the parts were taken from
    first: int  # the first item row
    head: dict[tuple[int, int], str]
    tail: dict[tuple[int, int], str]  # (rows after the last item row, column)
    gap: int = 0  # report v1: first target row - last task row (0: no targets here)
    mid: dict[tuple[int, int], str] = field(default_factory=dict)  # between tasks and targets

    @staticmethod
    def of(form: ExpectedForm, first: int, last: int, targets: tuple[int, int] | None = None):
        """The parts of `form` whose item rows are first..last (and the target rows
        targets[0]..targets[1] below them, report v1)."""
        head, mid, tail = {}, {}, {}
        end = targets[1] if targets else last
        for (r, c), text in form.guarded.items():
            if (r, c) == form.unit_cell or first <= r <= last or (
                    targets and targets[0] <= r <= targets[1]):
                continue
            if r < first:
                head[(r, c)] = text
            elif targets and r < targets[0]:
                mid[(r - last, c)] = text
            else:
                tail[(r - end, c)] = text
        return _Part(form, first, head, tail, targets[0] - last if targets else 0, mid)

    def place(self, unit: str, rows: list[ExpectedRow], targets: list[ExpectedRow] = ()) -> dict:
        """This sheet's guarded cells for `unit` whose item rows are `rows` and, below them,
        `targets`."""
        out = {**self.head, self.form.unit_cell: canonical_text(unit_text(self.form.spec.unit_field, unit))}
        out.update(((e.row, c), t) for e in rows for c, t in e.guarded)
        last = rows[-1].row
        out.update(((last + d, c), t) for (d, c), t in self.mid.items())
        out.update(((e.row, c), t) for e in targets for c, t in e.guarded)
        end = targets[-1].row if targets else last
        out.update(((end + d, c), t) for (d, c), t in self.tail.items())
        return out


def _guarded_texts(columns, values: dict) -> tuple[tuple[int, str], ...]:
    """(column, text) of a table row's guarded cells, in column order."""
    return tuple((at, canonical_text(v)) for _, at, v, _, guard in row_cells(columns, values) if guard)


@dataclass(frozen=True)
class _Shape:
    """Everything of a report form that is the same for every unit with the same spec, period
    and shape (with or without targets), taken from one form the generator drew: each
    further unit's form is these parts around its own task and target rows, whose cells
    come from the same row descriptions the generator writes (forms.render.row_cells,
    generate.report_form.task_values / target_values). tests/test_expected_shapes.py holds
    every unit's form so made equal to the generator's, field for field."""

    main: _Part
    targets: _Part | None  # report v2: the 量化指标 sheet
    # a task's (task, role) or a target's (task, index) guarded cells: the same on every
    # unit's form, so worked out once; by the Task itself (id: the plan is not edited
    # during a run), not its number, which a flawed plan may give two tasks
    cells: dict[tuple, tuple[tuple[int, str], ...]] = field(default_factory=dict)

    @staticmethod
    def of(form: ExpectedForm, fmap, n_tasks: int) -> "_Shape":
        first, last = fmap.first_task_row, fmap.first_task_row + n_tasks - 1
        rows = [r for _, _, r in fmap.target_rows]
        if form.targets is not None:  # v2
            return _Shape(_Part.of(form, first, last), _Part.of(form.targets, rows[0], rows[-1]))
        return _Shape(_Part.of(form, first, last, (rows[0], rows[-1]) if rows else None), None)

    def form(self, unit, period_id: str, tasks, items) -> ExpectedForm:
        """The form `unit` received, whose tasks (with its roles) are `tasks` and targets
        (task, index, target) `items`."""
        main, first, known = self.main.form, self.main.first, self.cells
        sp = main.spec
        rows = []
        for i, (task, role) in enumerate(tasks):
            cells = known.get((id(task), role))
            if cells is None:
                cells = known[(id(task), role)] = _guarded_texts(sp.columns, task_values(task, role))
            rows.append(ExpectedRow("task", first + i, canonical_text(task.number),
                                    canonical_text(task.text), cells, task=task.number, role=role))
        part = self.targets
        if part is None:  # v1: the targets under the tasks, on the same sheet
            at = rows[-1].row + self.main.gap
            trows = _target_items(sp, items, at, known)
            guarded = self.main.place(unit.name, rows, trows)
            cells = _cells(main.sheet, guarded)
            return _as_sent(main, unit.name, period_id, guarded, rows + trows, fingerprint(cells),
                            section_row=at - 2 if trows else None)
        trows = _target_items(sp, items, part.first, known)
        tguarded = part.place(unit.name, trows)
        guarded = self.main.place(unit.name, rows)
        cells = _cells(main.sheet, guarded) + _cells(part.form.sheet, tguarded)
        fp = fingerprint(cells)
        targets = _as_sent(part.form, unit.name, period_id, tguarded, trows, fp)
        return _as_sent(main, unit.name, period_id, guarded, rows, fp, targets=targets)


def _as_sent(form: ExpectedForm, unit: str, period_id: str, guarded: dict, rows: list,
             fp: str, **more) -> ExpectedForm:
    """`form` as drawn for `unit`: its guarded cells and rows, and fingerprint `fp`."""
    return replace(form, unit=unit, period=period_id, guarded=guarded, rows=tuple(rows),
                   fingerprint=fp, unit_text=guarded[form.unit_cell], **more)


def _target_items(sp: FormSpec, items, at: int, known: dict) -> list[ExpectedRow]:
    """The target rows from row `at` on (as _target_rows reads them from a drawn form);
    `known`: guarded cells by (id of the task, target index), filled in here."""
    out = []
    for k, (task, index, t) in enumerate(items):
        cells = known.get((id(task), index))
        if cells is None:  # (the rate formula is the only cell that depends on the row)
            cells = known[(id(task), index)] = _guarded_texts(
                sp.targets, target_values(sp, at + k, task, t))
        label = dict(cells)[sp.target_col(sp.target_label_key)]
        out.append(_target_row(at + k, task.number, index, label, cells, t))
    return out


# a form's few thousand cells, named once a reader
_a1 = lru_cache(maxsize=65536)(a1)


def _cells(sheet: str, guarded: dict[tuple[int, int], str]) -> list[tuple[str, str, str]]:
    """(sheet, A1, text) in row/column order, as forms.identity.guarded_cells lists them."""
    return [(sheet, _a1(*rc), guarded[rc]) for rc in sorted(guarded)]
