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


def fix_style_index(fmt) -> None:
    """Give an xlsxwriter format its style (xf) index now: formats take the next index when
    first written, so registering them in one order makes every file's style table alike."""
    fmt._get_xf_index()


def seed_strings(wb, strings: list[str], references: int) -> None:
    """Start an xlsxwriter workbook's shared-string table with `strings` at indexes 0, 1, ...
    (a kept worksheet part refers to them by index), counting `references` uses of them."""
    table = wb.str_table
    for s in strings:
        table._get_shared_string_index(s)
    table.count += references - len(strings)


def quick_sheet_names(wb) -> None:
    """xlsxwriter compares a new sheet's name with every earlier one (n*n/2 comparisons, about a
    second at 3,000 sheets): keep its other checks, and make that one with a set."""
    from xlsxwriter.exceptions import DuplicateWorksheetName

    check, seen = wb._check_sheetname, set()

    def checked(name, is_chartsheet=False):
        sheets, wb.worksheets_objs = wb.worksheets_objs, []
        try:
            name = check(name, is_chartsheet)
        finally:
            wb.worksheets_objs = sheets
        if name.lower() in seen:
            raise DuplicateWorksheetName(f"Sheetname '{name}', with case ignored, is already in use.")
        seen.add(name.lower())
        return name

    wb._check_sheetname = checked


def write_part_as(ws, xml: str) -> None:
    """Have xlsxwriter store `xml` (a worksheet part it wrote before) as this worksheet's
    part instead of assembling one: the packager calls _assemble_xml_file with the part's
    file handle set."""
    def assemble() -> None:
        ws.fh.write(xml)
        ws._xml_close()

    ws._assemble_xml_file = assemble


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
