"""Read .xls (BIFF5/BIFF8 in an OLE file) with xlrd, as python-calamine would give the rows.

Why not python-calamine for .xls: it takes number formats 50-58 for built-in date formats
even when the file defines them (Gnumeric numbers its own formats from 50: a cell showing 45
with `#,##0.##` came back as 1900-02-14), and it garbles BIFF5 (Excel 95) text in a code
page such as cp936. xlrd decides dates from the format string the file holds and decodes
text with the file's CODEPAGE record. Rows use calamine's shapes ("" for an empty cell,
every row as wide as the sheet) so the rest of collect does not care which reader ran.

Excel 2.x-4.0 files (a bare BIFF2-4 stream, no OLE container) are named for what they
are: `old_format(data)`. Call these readers in a worker process for untrusted files (xlrd
is pure Python, but a file may still claim a large grid).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import xlrd
from xlrd.biffh import XLRDError

from ..model.errors import internals
from ..model.limits import ReadLimits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: .xls (or .doc, .et)
VISIBILITY = {0: "visible", 1: "hidden", 2: "veryhidden"}
# BOF records of Excel 2.x (0x0009), 3.0 (0x0209) and 4.0 (0x0409) worksheets/workbooks
_OLD_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04")
ENCRYPTED = "文件设置了打开密码"
OLD_FORMAT = "Excel 2.x-4.0 的旧格式"


def old_format(data: bytes) -> bool:
    """A bare Excel 2.x-4.0 stream (a BOF record at offset 0 with a sane length)."""
    return data[:2] in _OLD_BOF and 4 <= int.from_bytes(data[2:4], "little") <= 16


class XlsError(Exception):
    """The .xls cannot be read; str() of it is why, in Chinese (ENCRYPTED when it needs a
    password)."""


def open_book(data: bytes, formatting: bool = False) -> xlrd.book.Book:
    """The .xls bytes as an xlrd book (sheets loaded on demand); XlsError when unreadable."""
    try:
        # (xlrd writes warnings about odd records to a log file: kept out of the console)
        return xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True,
                                  formatting_info=formatting, logfile=io.StringIO())
    except XLRDError as e:
        if "encrypt" in str(e).lower():
            raise XlsError(ENCRYPTED) from None
        raise XlsError("文件已损坏或不是 .xls 工作簿") from None
    except Exception as e:  # noqa: BLE001 - xlrd meets damaged records with any error
        raise XlsError(f"文件已损坏或不完整{internals(e)}") from None


def rows(book: xlrd.book.Book, sh: xlrd.sheet.Sheet) -> list[list]:
    """A sheet's rows, calamine-shaped: "" for empty, numbers int when whole, dates as
    date/time/datetime, TRUE/FALSE as bool, error cells as their text (#DIV/0!)."""
    out = [[_value(book, cell) for cell in sh.row(r)] + [""] * (sh.ncols - sh.row_len(r))
           for r in range(sh.nrows)]
    while out and not any(v != "" for v in out[-1]):
        out.pop()  # calamine stops at the last row with a value
    return out


def _value(book: xlrd.book.Book, cell: xlrd.sheet.Cell) -> object:
    kind, v = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_NUMBER:
        return int(v) if float(v).is_integer() and abs(v) < 2 ** 53 else v
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(v)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(v, "#N/A")
    if kind == xlrd.XL_CELL_DATE:
        try:
            when = xlrd.xldate.xldate_as_datetime(v, book.datemode)
        except Exception:  # noqa: BLE001 - a negative or huge serial stays a number
            return v
        if v < 1:
            return when.time()
        return when.date() if when.time() == dt.time() else when
    return v  # text, as it is


@dataclass
class XlsRead:
    """What one read of an .xls gives: sheets in order with visibility, the rows of those
    read, sheets left unread for size [(name, rows, cols)] or damage [(name, why)], and the
    workbook's string-constant defined names."""

    sheets: list[tuple[str, str]] = field(default_factory=list)
    rows: dict[str, list[list]] = field(default_factory=dict)
    too_large: list[tuple[str, int, int]] = field(default_factory=list)
    bad: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def read(data: bytes, limits: ReadLimits | None = None) -> XlsRead:
    """Every sheet (hidden ones too) within `limits` (None: the caller's own file, not
    bounded); XlsError when the workbook itself cannot be opened."""
    book = open_book(data)
    out = XlsRead()
    try:
        out.names = defined_names(book)
        # one sheet loaded at a time (book.sheets() would parse them all before any limit)
        for i, name in enumerate(book.sheet_names()):
            try:
                sh = book.sheet_by_index(i)
                out.sheets.append((name, VISIBILITY.get(sh.visibility, "hidden")))
                if limits is not None and (sh.nrows > limits.max_rows
                                           or sh.nrows * sh.ncols > limits.max_cells):
                    out.too_large.append((name, sh.nrows, sh.ncols))
                    continue
                out.rows[name] = rows(book, sh)
            except Exception as e:  # noqa: BLE001 - one damaged sheet, the others still read
                if len(out.sheets) == i:  # (damaged before its visibility could be read)
                    out.sheets.append((name, "visible"))
                out.bad.append((name, type(e).__name__))
            finally:
                book.unload_sheet(i)
        return out
    finally:
        book.release_resources()


def number_formats(data: bytes, sheet: str, cells) -> dict:
    """For each (row, col): the .xls cell's number format ("" for none)."""
    out = {}
    book = open_book(data, formatting=True)
    try:
        sh = book.sheet_by_name(sheet)
        for (r, c) in cells:
            if r >= sh.nrows or c >= sh.row_len(r):
                out[(r, c)] = ""
                continue
            xf = book.xf_list[sh.cell_xf_index(r, c)]
            fmt = book.format_map.get(xf.format_key)
            out[(r, c)] = fmt.format_str if fmt else ""
    finally:
        book.release_resources()
    return out


def defined_names(book: xlrd.book.Book) -> dict[str, str]:
    """Workbook-level defined names holding a string constant: name -> text."""
    values = ((n, getattr(getattr(n, "result", None), "value", None)) for n in book.name_obj_list)
    return {n.name: v for n, v in values if n.scope in (-1, -2) and isinstance(v, str)}
