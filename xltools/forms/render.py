"""Rendering a form's spec into a sheet layout: header fields, tables, the end every form shares."""
from __future__ import annotations

from collections.abc import Iterator

from ..sheet.blocks import date_cn
from ..sheet.layout import Sheet
from .spec import COMPUTED, GUARDED, Column, FormSpec, HeaderField, positions


def header_fields(sh: Sheet, row: int, spec: FormSpec, unit_name: str) -> dict[str, tuple[int, int]]:
    """The fields above the table (the unit's name guarded); returns the fill-in cells."""
    for f in spec.fields:
        r = row + f.row
        if not f.inline:
            sh.write(r, f.col - 1, f.label, "label_right", kind="string")
        if f.guarded:
            sh.merge(r, f.col, r, f.last, unit_text(f, unit_name), "label", kind="string",
                     guard=True)
        else:
            sh.merge(r, f.col, r, f.last, "", "input_line")
            if f.check is not None:
                sh.validate(f.check, r, f.col, r, f.last)
        sh.row_heights[r] = spec.field_height
    return spec.field_cells(row)


def table_header(sh: Sheet, row: int, columns: tuple[Column, ...], height: float) -> int:
    """The column headers of a table; returns the next row."""
    for col, (_, at) in zip(columns, positions(columns)):
        sh.merge(row, at, row, at + col.span - 1, col.header, "header")
    sh.row_heights[row] = height
    return row + 1


def unit_text(field: HeaderField, unit_name: str) -> str:
    """What the guarded unit field holds: "填报单位:区发改局" inline, else the name."""
    return field.label + unit_name if field.inline else unit_name


def row_cells(columns: tuple[Column, ...], values: dict[str, object]) -> Iterator[tuple]:
    """(column, first column, value, kind, guarded) of each cell of a table row: guarded values
    and formulas as given, fill-in cells empty (what table_row writes, and what collect
    expects back)."""
    for col, (_, at) in zip(columns, positions(columns)):
        value = values.get(col.key, "")
        if col.entry == GUARDED:
            yield col, at, value, "number" if isinstance(value, (int, float)) else "string", True
        elif col.entry == COMPUTED:
            yield col, at, value, "formula", False
        else:
            yield col, at, "", "auto", False


def table_row(sh: Sheet, row: int, columns: tuple[Column, ...], values: dict[str, object]) -> None:
    """One row of a table (row_cells), each cell in its column's style."""
    for col, at, value, kind, guard in row_cells(columns, values):
        sh.merge(row, at, row, at + col.span - 1, value, col.style, kind, guard)


def table_checks(sh: Sheet, first: int, last: int, columns: tuple[Column, ...]) -> None:
    """Each fill-in column's check over the rows first..last."""
    if last < first:
        return
    for col, (_, at) in zip(columns, positions(columns)):
        if col.check is not None:
            sh.validate(col.check, first, at, last, at + col.span - 1)


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


def finish_form(sh: Sheet, row: int, spec: FormSpec, plan, period,
                instructions: list[str]) -> None:
    """The end every periodic form shares: 填报说明 (the last line: where and by when to send
    the form) and the approval line."""
    submit = (f"请于 {date_cn(period.deadline)} 前将本表电子版报送{plan.issuer or '督办室'};"
              "纸质版经本单位主要领导审核签字并加盖公章后报送。")
    row = notes(sh, row, spec.ncols, [*instructions, submit])
    approval(sh, row, spec.ncols)
