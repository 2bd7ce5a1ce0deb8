"""From one received file to a FormReturn: identify, extract every value, validate every cell.

    examine(received, plan, period_id, previous=None) -> FormReturn

Never raises (an unexpected error becomes the finding read-failed naming the file) and never
evaluates anything: values are what the spreadsheet program saved, text stays text.
For .xlsx every sheet is size-checked before python-calamine reads it; .xls and .ods are not
(calamine aborts the process on a sheet claiming a huge grid): run `examine` in a worker
process for those (its arguments pickle).

Status: rejected when the file cannot be read, is of another plan or period, names an unknown
unit, cannot be identified, or its form sheet cannot be found or mapped; accepted otherwise,
with 错误 findings keeping single values out of the merge (FormReturn.blocked_cells()).
"""
from __future__ import annotations

import itertools
from typing import Callable

from ..model import Plan, finding
from ..model.errors import settings
from ..model.findings import ERROR, WARNING
from ..model.glossary import a1
from ..model.identity import IDENTITY_SHEET
from ..model.returns import (ACCEPTED, ACTUAL, FEEDBACK_SHEET, NOTE, REJECTED, FormReturn,
                             Received)
from ..xlsx.cells import Grids, percent_cells, read_workbook
from ..xlsx.identity import IdentityReading
from ..xlsx.xls import ENCRYPTED, OLD_FORMAT
from .checks import Previous, check_figures, check_header, check_tasks
from .extract import check_unit_cell, locate
from .grid import Sink, at, is_blank
from .expected import ExpectedForms
from .identify import by_content, by_identity, second_sheet, shift_cells
from .limits import DEFAULT_LIMITS, Limits
from .serialize import cell_values

EXCEL_TEXT_MAX = 32_767  # characters a cell of Excel holds; longer text is cut in our outputs
_FIGURE_FIELDS = {ACTUAL: "累计完成", NOTE: "说明"}  # a figure's fields as a finding names them


def examine(received: Received, plan: Plan, period_id: str,
            previous: Previous | None = None, limits: Limits = DEFAULT_LIMITS,
            credit: str | None = None, forms: ExpectedForms | None = None) -> FormReturn:
    """Everything one returned workbook says and every problem in it; never raises.

    credit: the unit the clerk settled a held return on (identify.by_identity); forms: the
    run's expected forms of `plan` (built here when not given)."""
    fr = FormReturn(received=received, status=REJECTED, plan_id=plan.plan_id, period=period_id)
    sink = Sink(received.display or received.name or received.path)
    try:
        reading, grids = read_workbook(received.path, limits)
        if received.file_type == "xlsm":
            sink.add("macro-ignored")
        if grids.refused is not None:
            _refused(sink, grids, limits)
        else:
            percent = lambda sheet: (lambda cells: percent_cells(received.path, sheet, cells))  # noqa: E731
            examine_read(fr, sink, reading, grids, plan, period_id, previous, percent, credit, forms)
            if grids.too_large:
                _too_large(fr, sink, grids, limits)
            if grids.unreadable and fr.status != ACCEPTED:
                _unreadable(sink, grids)
            _long_texts(fr, sink)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # a bug, a reader panic, a file nobody foresaw: never stop the run
        if settings.debug:  # the maintainer (--debug, tests) sees the bug itself
            raise
        fr.status = REJECTED
        sink.add("read-failed", reason="读取程序无法处理此文件的内容")
    fr.findings = sink.findings
    return fr


def _refused(sink: Sink, grids: Grids, limits: Limits) -> None:
    """The whole workbook was refused before any reader opened it (bounds.check_zip)."""
    check = grids.refused
    mb = lambda n: f"{n / (1024 * 1024):.0f} MB"  # noqa: E731
    if check.problem == "damaged-member":
        # bad compressed data, a CRC or a size that does not match its record: damage, not a bomb
        sink.add("damaged-file", reason=grids.reason)
    elif check.problem in ("unzipped-too-large", "inflates-too-far"):
        sink.add("workbook-too-large-unzipped", part=check.part or "全部部件",
                 size=("超过 " if check.problem == "inflates-too-far" else "") + mb(check.size),
                 limit=mb(limits.max_uncompressed_bytes))
    elif check.problem == "xml-dtd":
        sink.add("workbook-xml-unsafe", part=check.part)
    else:
        sink.add("workbook-unreadable", reason=grids.reason)


def _too_large(fr: FormReturn, sink: Sink, grids: Grids, limits: Limits) -> None:
    """Sheets left unread for their size; when that left the form unfound, this is the reason
    (the 'sheet missing' that follows from it would only mislead)."""
    found = [finding("sheet-too-large", file=sink.file, sheet=name, unit=sink.unit, sheet_name=name,
                     rows=rows, cols=cols, limit=limits.max_rows,
                     severity=WARNING if fr.status == ACCEPTED else ERROR)
             for name, rows, cols in grids.too_large]
    if fr.status != ACCEPTED:
        consequences = {"sheet-missing", "form-not-mapped", "not-identified"}
        sink.findings = found + [f for f in sink.findings if f.code not in consequences]
    else:
        sink.findings.extend(found)


def _unreadable(sink: Sink, grids: Grids) -> None:
    """A sheet the reader failed on is not a missing sheet: say which and why it failed."""
    sink.findings = [f for f in sink.findings if f.code != "sheet-missing"]
    for name, why in grids.unreadable:
        sink.add("sheet-unreadable", sheet=name, sheet_name=name, reason=why)


def _long_texts(fr: FormReturn, sink: Sink) -> None:
    """Text longer than an Excel cell holds: kept whole in the ledger, cut in our outputs."""
    for _, name, value, _, cell, _ in cell_values(fr):
        if isinstance(value, str) and len(value) > EXCEL_TEXT_MAX and cell:
            sink.findings.append(finding(
                "text-too-long", file=sink.file, sheet=fr.sheet, cell=cell, unit=fr.unit,
                value=value[:50] + "…", field=_FIGURE_FIELDS.get(name, name), length=len(value),
                limit=EXCEL_TEXT_MAX))


def examine_read(fr: FormReturn, sink: Sink, reading: IdentityReading, grids: Grids, plan: Plan,
                 period_id: str, previous: Previous | None = None, percent: Callable | None = None,
                 credit: str | None = None, forms: ExpectedForms | None = None) -> FormReturn:
    """The pure part of examine: from what was read (identity, grids) to the FormReturn.

    percent: sheet -> (cells -> {cell: is a percent format}) for values that need it.
    """
    if reading.reason == ENCRYPTED:  # BIFF5 encryption, which intake cannot tell
        sink.add("password-protected")
        return fr
    if reading.reason == OLD_FORMAT:
        sink.add("workbook-old-format", reason=OLD_FORMAT)
        return fr
    if not reading.format or grids.reason:
        if fr.received.name.lower().endswith((".et", ".ett")):  # typed .xls by content, but not one
            sink.add("wps-et-file")
        else:
            sink.add("workbook-unreadable", reason=reading.reason or grids.reason or "无法读取")
        return fr
    for sheet, r, c, why in grids.damaged:
        sink.add("cell-damaged", r, c, sheet=sheet, reason=why)
    # the 修改意见 sheet of a feedback copy (report.feedback) is ours, never the unit's data
    visible = [n for n in grids.visible() if n in grids.rows and n != FEEDBACK_SHEET]
    forms = forms or ExpectedForms(plan)
    if reading.identity is None:
        found = by_content(grids.rows, visible, forms, period_id, sink)
    else:
        found = by_identity(reading, grids.rows, visible, forms, period_id, sink, credit)
        fr.plan_id, fr.kind, fr.period = (reading.identity.plan_id, reading.identity.kind,
                                          reading.identity.period)
        held = any(f.code == "identity-conflict" for f in sink.findings)
        fr.unit = "" if held else sink.unit or reading.identity.unit  # held: nobody's
    if found is None:
        return fr
    ex = found.expected
    fr.kind, fr.unit, fr.period, fr.plan_id = ex.kind, ex.unit, ex.period, ex.plan_id
    fr.identified_by, fr.sheet = found.by, found.sheet
    sink.sheet, sink.unit = found.sheet, ex.unit
    rows = grids.rows[found.sheet]
    if found.shift:  # a pandas index column: read the form without it, cells put back below
        rows, start = [r[found.shift:] for r in rows], len(sink.findings)
    if not any(v not in ("", None) for row in rows for v in row):  # one finding, not one a row
        sink.add("sheet-empty", sheet_name=found.sheet)
        return fr
    loc = locate(ex, rows, sink, found.reference, found.foreign)
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
    if found.shift:
        sink.findings[start:] = shift_cells(fr, sink.findings[start:], found.shift)
    used = {found.sheet, IDENTITY_SHEET}  # (ours, shown again by a program that lost "hidden")
    if ex.targets is not None:
        used.add(_target_sheet(fr, sink, found, reading, grids, visible, previous, percent))
    inputs = _input_cells(fr) if grids.formulas else set()
    for sheet, r, c, formula in grids.formulas:  # a value a program computed, not typed
        if (sheet, a1(r, c)) in inputs:  # (the form's own formulas, 完成率, are no one's input)
            sink.add("formula-in-cell", r, c, sheet=sheet, value=at(grids.rows[sheet], r, c),
                     formula=f"={formula}" if formula else "(共享公式)")
    for name in visible:  # a sheet the unit added: what it holds is read by nobody
        if name not in used and any(not is_blank(v) for row in grids.rows[name] for v in row):
            sink.add("extra-sheet-ignored", sheet=name, sheet_name=name)
    if not _anything_typed(fr) and not any(f.code == "row-inserted" for f in sink.findings):
        # the form as issued: no report (one finding, not one a blank cell); rows typed where
        # no task of this unit is (row-inserted) are something typed, said as they are
        sink.findings = [f for f in sink.findings if f.code not in _BLANK_CELL]
        sink.add("form-not-filled", form_name=ex.form_name)
        return fr
    fr.status = ACCEPTED
    return fr


# what the checks say of each cell left blank: for a form sent back as issued, form-not-filled
# says it once instead
_BLANK_CELL = frozenset({"required-empty", "target-empty", "town-value-empty", "header-missing",
                         "date-missing"})


def _input_cells(fr: FormReturn) -> set[tuple[str, str]]:
    """(sheet, "E6") of every cell the unit fills in that was read: header, rows, figures."""
    return {fr.sheet_cell(cell) for *_, cell, _ in cell_values(fr) if cell}


def _anything_typed(fr: FormReturn) -> bool:
    """Whether the unit typed anything in a task row or a figure (the header alone is no
    report: a form sent back untouched, or with only the name and phone filled in)."""
    rows = itertools.islice(cell_values(fr), len(fr.header), None)  # (the header comes first)
    return any(not is_blank(v) for _, _, v, *_ in rows)


def _target_sheet(fr: FormReturn, sink: Sink, found, reading: IdentityReading, grids: Grids,
                  visible: list[str], previous: Previous | None, percent: Callable | None) -> str:
    """The targets on their own sheet (report v2), read by that sheet's spec; findings name
    it. The sheet's name ("" when it is missing)."""
    part = found.expected.targets
    got = second_sheet(found, reading, grids.rows, visible, sink)
    if got is None:
        return ""
    sheet, reference = got
    sink.sheet = sheet
    loc = locate(part, grids.rows[sheet], sink, reference, found.foreign)
    if loc.found:
        check_unit_cell(part, loc, sink, reference)
        check_figures(part, loc, sink, fr, previous, percent(sheet) if percent else None)
    else:
        sink.add("form-not-mapped", form_name=part.form_name)
    sink.sheet = fr.sheet
    return sheet
