"""The library internals the Excel boundary relies on, each behind one function that
tests/test_compat.py pins against the installed library."""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import zipfile
from contextvars import ContextVar

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
    return (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.height else (0, 0)


def register_merge(ws, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Add a merged range to an xlsxwriter worksheet without writing its cells: the list
    merge_range fills, which xlsxwriter writes out as <mergeCells> at close."""
    ws.merge.append([first_row, first_col, last_row, last_col])


def fix_style_index(fmt) -> int:
    """Give an xlsxwriter format its style (xf) index now, and return it: formats take the next
    index when first written, so registering them in one order makes every file's style table
    alike (and a row xltools serializes uses the index xlsxwriter would)."""
    return fmt._get_xf_index()


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


def free_cells_when_assembled(ws) -> None:
    """In memory, xlsxwriter holds every cell of every sheet until the file is closed, and
    then writes each sheet's part beside them: let a sheet's cells go once its part is
    written (a 校验报告's 3,000 sheets: about 17 MB less at the peak)."""
    assemble, table = ws._assemble_xml_file, ws.table
    if not isinstance(table, dict):
        raise RuntimeError("xlsxwriter's cell table is gone: xltools.xlsx.compat needs updating")

    def assembled() -> None:
        assemble()
        table.clear()

    ws._assemble_xml_file = assembled


def cell_writers(ws):
    """An xlsxwriter worksheet's write_string, write_number and write_blank without the
    decorator that parses "A1" arguments: (row, col, value, format), a third faster on
    the 汇总表's few hundred thousand cells."""
    return ws._write_string, ws._write_number, ws._write_blank


def plain_text_only() -> None:
    """xlsxwriter writes a string that starts with "<r>" and ends with "</r>" into the file as
    it is, taking it for rich-text markup: a unit's text shaped so would corrupt the workbook.
    xltools never writes rich text, so every such string is written escaped, as plain text."""
    from xlsxwriter import xmlwriter
    from xlsxwriter.utility import _preserve_whitespace

    cls = xmlwriter.XMLwriter
    for name in ("_xml_rich_si_element", "_xml_rich_inline_string", "_xml_si_element",
                 "_xml_inline_string"):
        if not callable(getattr(cls, name, None)):
            raise RuntimeError(f"xlsxwriter {name} is gone: xltools.xlsx.compat needs updating")

    def si(self, string) -> None:
        attrs = [("xml:space", "preserve")] if _preserve_whitespace(string) else []
        self._xml_si_element(string, attrs)

    def inline(self, string, attributes=()) -> None:
        self._xml_inline_string(string, _preserve_whitespace(string), list(attributes))

    cls._xml_rich_si_element, cls._xml_rich_inline_string = si, inline


def control_escaped(s: str) -> str:
    """Text with control characters as xlsxwriter writes them (_xHHHH_, a literal "_xHHHH_"
    escaped again): its own function, so xlsx.rowxml writes what it would."""
    from xlsxwriter.xmlwriter import XMLwriter
    return XMLwriter._escape_control_characters(s)


def set_height(ws, row: int, height: float) -> None:
    """set_row(row, height) as if given before any cell of the sheet was written: the sheet's
    dimension then starts at column A (set_row extends it from the first column in use)."""
    ws._check_dimensions(row, 0)
    ws.set_row(row, height)


class RowStream:
    """constant_memory: rows whose cells xltools serializes itself (xlsx.rowxml), written
    between the rows xlsxwriter writes, as xlsxwriter would write them. xlsxwriter holds one
    row at a time (previous_row) and writes it when a later row is first written to; a row
    taken here is flushed past first and its height record taken, so xlsxwriter never
    writes it again."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def take(self, row: int):
        """Flush what xlsxwriter holds above `row`; the row's height record (or None)."""
        ws = self.ws
        if row > ws.previous_row:
            ws._write_single_row(row)
        elif row < ws.previous_row or ws.table.get(row):
            raise ValueError(f"row {row + 1} written out of order")
        return ws.row_info.pop(row, None)

    def row(self, row: int, first_col: int, last_col: int, cells_xml: str,
            height: float | None = None) -> None:
        """Write row `row` holding the given cells (first_col..last_col, XML of <c> elements);
        height: its height in points, when xlsxwriter was not given it (set_row)."""
        ws = self.ws
        info = self.take(row)
        if ws._check_dimensions(row, first_col) or ws._check_dimensions(row, last_col):
            raise ValueError(f"row {row + 1}, columns {first_col + 1}-{last_col + 1}: "
                             "outside the worksheet")
        if height is None:
            ws._write_row(row, None, info)
        elif info is not None:
            raise ValueError(f"row {row + 1}: its height given twice")
        else:
            ws.fh.write(self._row_tag(row, height))
        ws.fh.write(cells_xml + "</row>")

    def _row_tag(self, row: int, height: float) -> str:
        """The <row> start tag xlsxwriter writes for a row set_row gave only a height, and
        what set_row records of it (its size, for placing charts; the sheet's dimension)."""
        ws = self.ws
        pixels = int(height * 4.0 / 3.0 + 0.5)  # (set_row's own rounding)
        if pixels <= 0 or ws.excel_version == 2010:  # (hidden; extra attributes): its own path
            set_height(ws, row, height)
            tag, ws.fh = ws.fh, io.StringIO()
            ws._write_row(row, None, ws.row_info.pop(row))
            tag, ws.fh = ws.fh.getvalue(), tag
            return tag
        ws._check_dimensions(row, 0)  # (as set_row did for every height, before any cell)
        ws.row_sizes[row] = [pixels, False]
        if pixels == ws.original_row_height == ws.default_row_height:
            return f'<row r="{row + 1}">'
        return f'<row r="{row + 1}" ht="{pixels * 0.75:.16g}" customHeight="1">'

    def verbatim(self, first: int, last: int, last_col: int, rows_xml: str) -> None:
        """Write rows first..last as given (<row> elements an earlier file holds, columns
        0..last_col): none of them may have a height record or cells here."""
        ws = self.ws
        if self.take(first) is not None or any(r in ws.row_info for r in range(first, last + 1)):
            raise ValueError(f"rows {first + 1}-{last + 1} given twice")
        if ws._check_dimensions(first, 0) or ws._check_dimensions(last, last_col):
            raise ValueError(f"rows {first + 1}-{last + 1}: outside the worksheet")
        ws.fh.write(rows_xml)

    def empty(self, row: int) -> None:
        """Write row `row` with its height and no cells."""
        info = self.take(row)
        if info is not None:
            self.ws._write_empty_row(row, None, info)


_PIECES: ContextVar = ContextVar("xltools_part_pieces", default=None)


class _PartZip(zipfile.ZipFile):
    """The ZipFile xlsxwriter stores its parts with: a part the current writer compresses in
    pieces (compressing_in_pieces) goes through that compressor, every other as usual."""

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        pieces = _PIECES.get()
        comp = (pieces.compressor(arcname, os.path.getsize(filename))
                if pieces is not None and arcname and compress_type is None
                and self.compression == zipfile.ZIP_DEFLATED else None)
        if comp is None:
            return super().write(filename, arcname, compress_type, compresslevel)
        info = zipfile.ZipInfo.from_file(filename, arcname)
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(filename, "rb") as src, self.open(info, "w") as dest:
            dest._compressor = comp  # (zipfile's own is made by open; ours replaces it)
            shutil.copyfileobj(src, dest, 1 << 20)
        pieces.done(arcname, comp)


def store_parts_through_ours() -> None:
    """Have xlsxwriter store its parts with _PartZip (its module's ZipFile name)."""
    import xlsxwriter.workbook as module

    if not isinstance(getattr(module, "ZipFile", None), type):
        raise RuntimeError("xlsxwriter's ZipFile is gone: xltools.xlsx.compat needs updating")
    module.ZipFile = _PartZip


@contextlib.contextmanager
def compressing_in_pieces(pieces):
    """Within it, this thread's workbooks store their big worksheet parts through
    pieces.compressor(part, size) (xlsx.deflate.PartPieces); a part written from memory
    (xlsxwriter's in_memory mode) is compressed whole, as usual."""
    token = _PIECES.set(pieces)
    try:
        yield pieces
    finally:
        _PIECES.reset(token)
