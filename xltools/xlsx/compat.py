"""The library internals the Excel boundary relies on, each behind one function that
tests/test_compat.py pins against the installed library."""
from __future__ import annotations

from python_calamine import SheetVisibleEnum

_VISIBILITY = ((SheetVisibleEnum.Visible, "visible"), (SheetVisibleEnum.Hidden, "hidden"),
               (SheetVisibleEnum.VeryHidden, "veryhidden"))


def visibility(meta) -> str:
    """A calamine sheet's visibility as "visible", "hidden" or "veryhidden" (the enum is
    compared, not its text: "SheetVisibleEnum.Hidden" contains "visible")."""
    # (the enum is unhashable: a list of pairs, not a dict)
    return next((name for value, name in _VISIBILITY if meta.visible == value), "hidden")


def sheet_extent(sheet) -> tuple[int, int]:
    """(rows, columns) of a calamine sheet up to its last cell, (0, 0) when empty."""
    if not sheet.height:
        return 0, 0
    return sheet.end[0] + 1, sheet.end[1] + 1


def register_merge(ws, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Add a merged range to an xlsxwriter worksheet without writing its cells: the list
    merge_range fills, which xlsxwriter writes out as <mergeCells> at close."""
    ws.merge.append([first_row, first_col, last_row, last_col])


def ws_row(ws) -> int:
    """The row an xlsxwriter constant_memory worksheet holds unflushed (rows above it are out)."""
    return ws.previous_row


def flush_row(ws, row: int) -> None:
    """constant_memory: write out the held row and hold `row` next, so that a row with a
    height but no cells is written too (xlsxwriter flushes only rows that hold cells)."""
    ws._write_single_row(row)


def cell_writers(ws):
    """An xlsxwriter worksheet's write_string, write_number and write_blank without the
    decorator that parses "A1" arguments: (row, col, value, format), a third faster on
    the 汇总表's few hundred thousand cells."""
    return ws._write_string, ws._write_number, ws._write_blank
