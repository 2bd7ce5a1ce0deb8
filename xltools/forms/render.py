"""Rendering a form's spec into a sheet layout: header fields, tables, the end every form shares."""
from __future__ import annotations

from ..sheet.blocks import date_cn, official_page
from ..sheet.layout import Sheet
from .spec import COMPUTED, GUARDED, Column, FormSpec, positions


def header_fields(sh: Sheet, row: int, spec: FormSpec, unit_name: str) -> dict[str, tuple[int, int]]:
    """The fields above the table (the unit's name guarded); returns the fill-in cells."""
    for f in spec.fields:
        r = row + f.row
        if not f.inline:
            sh.write(r, f.col - 1, f.label, "label_right", kind="string")
        if f.guarded:
            text = f.label + unit_name if f.inline else unit_name
            sh.merge(r, f.col, r, f.last, text, "label", kind="string", guard=True)
            continue
        sh.merge(r, f.col, r, f.last, "", "input_line")
        if f.check is not None:
            sh.validate(f.check.over(r, f.col, r, f.last))
    for f in spec.fields:
        sh.row_heights[row + f.row] = spec.field_height
    return spec.field_cells(row)


def table_header(sh: Sheet, row: int, columns: tuple[Column, ...], height: float) -> int:
    """The column headers of a table; returns the next row."""
    for col, (_, at) in zip(columns, positions(columns)):
        sh.merge(row, at, row, at + col.span - 1, col.header, "header")
    sh.row_heights[row] = height
    return row + 1


def table_row(sh: Sheet, row: int, columns: tuple[Column, ...], values: dict[str, object]) -> None:
    """One row: guarded values and formulas as given, empty fill-in cells in their style."""
    for col, (_, at) in zip(columns, positions(columns)):
        value = values.get(col.key, "")
        if col.entry == GUARDED:
            kind = "number" if isinstance(value, (int, float)) else "string"
            sh.merge(row, at, row, at + col.span - 1, value, col.style, kind, guard=True)
        elif col.entry == COMPUTED:
            sh.merge(row, at, row, at + col.span - 1, value, col.style, "formula")
        else:
            sh.merge(row, at, row, at + col.span - 1, "", col.style)


def table_checks(sh: Sheet, first: int, last: int, columns: tuple[Column, ...]) -> None:
    """Each fill-in column's check over the rows first..last."""
    if last < first:
        return
    for col, (_, at) in zip(columns, positions(columns)):
        if col.check is not None:
            sh.validate(col.check.over(first, at, last, at + col.span - 1))


def notes(sh: Sheet, row: int, ncols: int, lines: list[str]) -> int:
    """A 填报说明 block of merged full-width rows; returns the row after it."""
    sh.merge(row, 0, row, ncols - 1, "填报说明:", "note", kind="string")
    sh.row_heights[row] = 18
    for i, text in enumerate(lines, start=1):
        sh.merge(row + i, 0, row + i, ncols - 1, f"{i}. {text}", "note", kind="string")
        sh.row_heights[row + i] = 30
    return row + len(lines) + 2


def approval(sh: Sheet, row: int, ncols: int) -> None:
    """The 主要领导审核 line for the signed and stamped paper copy."""
    sh.merge(row, 0, row, 3, "主要领导审核(签字):", "label")
    sh.merge(row, 4, row, ncols - 1, "(单位盖章)          年    月    日", "label_right")
    sh.row_heights[row] = 36


def submit_line(plan, period) -> str:
    """Where and by when to send the form, for the instructions block."""
    issuer = plan.issuer or "督办室"
    return (f"请于 {date_cn(period.deadline)} 前将本表电子版报送{issuer};"
            "纸质版经本单位主要领导审核签字并加盖公章后报送。")


def finish_form(sh: Sheet, row: int, spec: FormSpec, head: int, plan, period,
                instructions: list[str]) -> None:
    """The end every periodic form shares: 填报说明, approval line, freeze, print, protection."""
    row = notes(sh, row, spec.ncols, [*instructions, submit_line(plan, period)])
    approval(sh, row, spec.ncols)
    sh.freeze = (head + 1, spec.freeze_col)
    sh.page = official_page(landscape=True, header_rows=(head, head))
    sh.protect = True
