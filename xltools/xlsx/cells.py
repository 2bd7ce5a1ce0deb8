"""The one read path of a returned workbook (.xlsx, .xls, .ods, whatever its name): the zip
pre-check and bounds, every sheet's cells and the identity carriers, from one read of the
file; and, only when a value cannot be understood without it, whether some cells carry a
percent number format.

The format is taken from the file's first bytes, never from its name: units rename files
and save an .xls under a name ending .xlsx. Nothing is evaluated: the values are what a
program last saved. Every zipped workbook passes bounds.check_zip before any reader opens
it, and an .xlsx sheet whose cells span more than the limits is not handed to python-calamine
(which aborts the process on a sheet claiming a huge grid); .xls (xlrd) and .ods are bounded
only after they are read: collect reads untrusted files in a worker process. The limits come
from the caller (collect.limits). A broken file never raises: the reading is empty and
`reason` says why; an unexpected error refuses the file (and raises under --debug and tests).
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from ..model.errors import internals
from ..model.glossary import a1
from ..model.identity import IDENTITY_NAME
from ..model.limits import ReadLimits
from . import ods, xls
from .bounds import ZipCheck, check_zip, debugging
from .compat import sheet_extent, visibility
from .identity import (CARRIERS, XLS_CARRIERS, IdentityReading, carrier_order, decide,
                       identity_from_rows, is_ods, iter_xml, local_name, member, name_text,
                       read_ods_carriers, read_xlsx_carriers, record)

ZIP_MAGIC = b"PK\x03\x04"
NOT_A_WORKBOOK = "不是 Excel/WPS/LibreOffice 表格文件(.xlsx、.xls、.ods)"
NO_WORKBOOK_IN_ZIP = "不是 Excel/WPS/LibreOffice 表格文件(压缩包中没有工作簿)"
CANNOT_OPEN = "文件无法作为表格打开"


@dataclass
class Grids:
    """Sheets in workbook order with their visibility, and the rows of the sheets read."""

    sheets: list[tuple[str, str]] = field(default_factory=list)  # (name, visible|hidden|veryhidden)
    rows: dict[str, list[list]] = field(default_factory=dict)
    reason: str = ""  # why nothing could be read ("" otherwise)
    # sheets not read because they hold too much: (name, last row used, last column used)
    too_large: list[tuple[str, int, int]] = field(default_factory=list)
    # the zip-level verdict of bounds.check_zip when it refused the whole file
    refused: ZipCheck | None = None
    # cells emptied because no value can be trusted there: (sheet, row, col 0-based, why)
    damaged: list[tuple[str, int, int, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reader's error)
    # cells holding a formula (.xlsx only): (sheet, row, col 0-based, the formula as written)
    formulas: list[tuple[str, int, int, str]] = field(default_factory=list)

    def visible(self) -> list[str]:
        """The visible sheets, in workbook order."""
        return [n for n, v in self.sheets if v == "visible"]


def read_identity(path: str | os.PathLike, limits: ReadLimits) -> IdentityReading:
    """What a workbook file says about whose form it is (read_workbook's first half)."""
    return read_workbook(path, limits)[0]


def read_workbook(path: str | os.PathLike, limits: ReadLimits) -> tuple[IdentityReading, Grids]:
    """The identity reading and every sheet's rows, within `limits`; never raises for a bad
    file (reading.reason says why nothing could be read)."""
    reading, grids = IdentityReading(), Grids()
    try:
        with open(path, "rb") as f:
            data = f.read(limits.max_file_bytes + 1)
    except OSError as e:
        reading.reason = grids.reason = f"无法读取文件:{e.strerror or e}"
        return reading, grids
    if len(data) > limits.max_file_bytes:
        reading.reason = grids.reason = \
            f"文件超过 {limits.max_file_bytes // (1024 * 1024)} MB,不是本系统生成的表单"
        return reading, grids
    try:
        _read_into(reading, grids, data, limits)
    except Exception as e:  # fail closed: nothing of a file we could not check is used
        if debugging():
            raise
        reading.reason = grids.reason = f"文件已损坏或格式无法识别{internals(e)}"
        grids.rows.clear()
    if not reading.reason:
        decide(reading)
    grids.reason = grids.reason or ("" if grids.sheets else reading.reason)
    for name, rows in grids.rows.items():
        _blank(grids, name, _control_chars(rows))
    return reading, grids


# --- cells no value may come from (see bounds.SheetScan.damaged) -----------------------------

# C0 controls other than tab, line feed and carriage return: not text anybody typed (an
# `&#1;` or a raw NUL in the XML); LibreOffice refuses or drops them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
DAMAGED_CONTROL = "含有控制字符"
DAMAGED_INDEX_RANGE = "共享字符串编号超出范围"


def _control_chars(rows: list[list]) -> list:
    # one search over the sheet's texts first: a clean sheet (nearly all) is not walked twice
    if not _CONTROL.search("\n".join(v for row in rows for v in row if isinstance(v, str))):
        return []
    return [((r + 1, c + 1), DAMAGED_CONTROL) for r, row in enumerate(rows)
            for c, v in enumerate(row) if isinstance(v, str) and _CONTROL.search(v)]


def _blank(grids: Grids, sheet: str, bad) -> None:
    """Empty the damaged cells of a sheet read and note them in grids.damaged."""
    rows = grids.rows.get(sheet)
    for (r, c), why in bad:
        r, c = r - 1, c - 1
        if rows is not None and r < len(rows) and c < len(rows[r]):
            rows[r][c] = ""
        grids.damaged.append((sheet, r, c, why))


def _read_into(reading: IdentityReading, grids: Grids, data: bytes, limits: ReadLimits) -> None:
    if data.startswith(xls.OLE_MAGIC):
        _read_xls(reading, grids, data, limits)
    elif data.startswith(ZIP_MAGIC):
        _read_zipped(reading, grids, data, limits)
    elif xls.old_format(data):
        reading.reason = xls.OLD_FORMAT
    else:
        reading.reason = NOT_A_WORKBOOK
    for name in carrier_order(grids.sheets):
        if name in grids.rows and identity_from_rows(reading, name, grids.rows[name]):
            return


def _read_xls(reading: IdentityReading, grids: Grids, data: bytes, limits: ReadLimits) -> None:
    """An .xls through xlrd: every sheet, and the defined name LibreOffice keeps there."""
    reading.format = "xls"
    reading.checked = XLS_CARRIERS
    try:
        got = xls.read(data, limits)
    except xls.XlsError as e:
        reading.reason = str(e)
        return
    named = [t for n, t in got.names.items() if n.lower() == IDENTITY_NAME.lower()]
    if named:
        record(reading, "name", name_text(named[0]))
    grids.sheets, grids.rows, grids.too_large = got.sheets, got.rows, got.too_large
    grids.unreadable = list(got.bad)
    reading.notes += [f"工作表“{name}”无法读取:{why}" for name, why in got.bad]


def _read_zipped(reading: IdentityReading, grids: Grids, data: bytes, limits: ReadLimits) -> None:
    """An .xlsx/.xlsm or .ods: checked whole (bounds.check_zip), carriers, then the sheets."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        reading.reason = "文件已损坏(压缩包无法打开)"
        return
    with zf:
        check = check_zip(data, zf, limits)
        if check.problem:
            grids.refused = check
            reading.reason = grids.reason = _refusal_text(check)
            return
        names = set(zf.namelist())
        fits, damage, misread = None, {}, []
        if is_ods(zf, names):
            reading.format, reading.checked = "ods", CARRIERS
            read_ods_carriers(reading, zf, check.parts)
            try:
                misread = ods.misread_cells(zf)
            except Exception:  # noqa: BLE001 - not told: read as before (empty)
                if debugging():
                    raise
        elif "[Content_Types].xml" in names:
            reading.format, reading.checked = "xlsx", CARRIERS
            parts = read_xlsx_carriers(reading, zf, check.parts)
            fits = lambda name: _scanned_fits(check, names, parts, name, limits, grids)  # noqa: E731
            scans = {name: scan for name, part in parts.items()  # (sheet name -> its scan)
                     if (scan := check.scans.get(part)) is not None}
            # (row, col) 1-based, why: what check_zip's scan found damaged, and the cells
            # whose shared-string index is past the workbook's strings
            damage = {name: s.damaged + [(rc, DAMAGED_INDEX_RANGE)
                                         for rc, _ in s.strings_beyond(check.shared_strings)]
                      for name, s in scans.items()}
            misread = [(name, rc, text, ("", None)) for name, scan in scans.items()
                       for rc, text in scan.errors]
            grids.formulas = [(name, r - 1, c - 1, text) for name, scan in scans.items()
                              for (r, c), text in scan.formulas]
        else:
            reading.reason = NO_WORKBOOK_IN_ZIP
            return
        _read_sheets(reading, grids, data, zf, limits, fits, damage)
        # a cell as the sheet shows it where python-calamine misreads it: an error cell
        # (#DIV/0!, #N/A) is not empty (a figure whose formula failed was "not filled in"
        # otherwise); a damaged cell stays empty, one calamine read otherwise stays as read
        damaged = {(sheet, r + 1, c + 1) for sheet, r, c, _ in grids.damaged}
        for name, (r, c), shown, read in misread:
            rows = grids.rows.get(name) or []
            if (name, r, c) not in damaged and r <= len(rows) and c <= len(rows[r - 1]) \
                    and rows[r - 1][c - 1] in read:
                rows[r - 1][c - 1] = shown


def _read_sheets(reading: IdentityReading, grids: Grids, data: bytes, zf: zipfile.ZipFile,
                 limits: ReadLimits, fits, damage: dict) -> None:
    """Every sheet through python-calamine (an .ods it cannot open: the odf reader)."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - calamine says "broken" with any error
        if reading.format == "ods":  # e.g. Gnumeric's indented content.xml: the odf reader
            try:
                grids.sheets, grids.rows = ods.read(data, zf)
            except Exception as ods_error:  # noqa: BLE001 - both readers failed: unreadable
                reading.reason = f"{CANNOT_OPEN}{internals(ods_error)}"
        elif not reading.raw:
            reading.reason = f"{CANNOT_OPEN}{internals(e)}"
        else:
            reading.notes.append(f"工作表无法读取:{type(e).__name__}")
            grids.reason = CANNOT_OPEN
        return
    try:
        grids.sheets = [(meta.name, visibility(meta)) for meta in wb.sheets_metadata]
        for name, _ in grids.sheets:
            if fits is not None and not fits(name):
                continue  # (noted in grids.unreadable or grids.too_large)
            try:
                # within the row and cell limits before it becomes Python lists (the .xlsx
                # sheets were scanned before, an .ods is not)
                sheet = wb.get_sheet_by_name(name)
                rows, cols = sheet_extent(sheet)
                if rows > limits.max_rows or rows * cols > limits.max_cells:
                    grids.too_large.append((name, rows, cols))
                    continue
                grids.rows[name] = sheet.to_python(skip_empty_area=False)
            except Exception as e:
                if debugging() and not isinstance(e, CalamineError):
                    raise
                grids.unreadable.append((name, type(e).__name__))  # not read, whatever failed
                reading.notes.append(f"工作表“{name}”无法读取:{type(e).__name__}")
            # read or not (then they are the cells that made it fail, if known): damage noted
            _blank(grids, name, damage.get(name, ()))
    finally:
        wb.close()


def _scanned_fits(check: ZipCheck, names: set[str], parts: dict[str, str], sheet: str,
                  limits: ReadLimits, grids: Grids) -> bool:
    """Whether the native reader may load this .xlsx sheet, from check_zip's cell scan."""
    part = parts.get(sheet)
    if part is None or part not in names:  # listed, but its part is not there: damaged
        grids.unreadable.append((sheet, "part-missing"))
        return False
    scan = check.scans.get(part)
    if scan is None or scan.fits(limits):
        return True
    grids.too_large.append((sheet, scan.max_row, scan.max_col))
    return False


def _refusal_text(check: ZipCheck) -> str:
    mb = check.size / (1024 * 1024)
    return {
        "too-many-members": f"文件结构异常(压缩包有 {check.size} 个成员)",
        "duplicate-member": f"文件结构异常(部件“{check.part}”出现两次)",
        "unzipped-too-large": f"解压后共 {mb:.0f} MB,超过上限",
        "inflates-too-far": f"部件“{check.part}”解压后超过 {mb:.0f} MB(疑似压缩炸弹)",
        "damaged-member": f"部件“{check.part}”已损坏:{check.reason}",
        "xml-dtd": f"部件“{check.part}”含有 DTD/实体声明",
    }.get(check.problem, check.problem)


# --- number formats (only when a value is ambiguous without them) ----------------------------

def percent_cells(path: str | os.PathLike, sheet: str,
                  cells: list[tuple[int, int]]) -> dict[tuple[int, int], bool | None]:
    """For each (row, col) (0-based) of `sheet`: True when the cell shows its value as a
    percent, False when it does not, None when this cannot be told (unreadable).

    Only for a file read_workbook has read (within the limits)."""
    out: dict[tuple[int, int], bool | None] = {rc: None for rc in cells}
    try:
        data = Path(path).read_bytes()
        if data.startswith(xls.OLE_MAGIC):
            for rc, fmt in xls.number_formats(data, sheet, cells).items():
                out[rc] = _is_percent_format(fmt)
        elif data.startswith(ZIP_MAGIC):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if is_ods(zf, names):
                    ods.percent_cells(zf, sheet, out)
                elif "[Content_Types].xml" in names:
                    _xlsx_percent(zf, sheet, out)
    except Exception:  # noqa: BLE001 - None: "cannot tell", which the checks treat as ambiguous
        if debugging():
            raise
    return out


def _xlsx_percent(zf: zipfile.ZipFile, sheet: str, out: dict) -> None:
    """The cells' style index in the sheet XML -> cellXfs numFmtId -> format code."""
    scratch = IdentityReading()
    parts = read_xlsx_carriers(scratch, zf)
    data = member(scratch, zf, parts[sheet]) if sheet in parts else None
    styles = member(scratch, zf, "xl/styles.xml")
    if data is None:
        return
    codes: dict[int, str] = {9: "0%", 10: "0.00%"}
    xfs: list[int] = []
    for el in iter_xml(scratch, "xl/styles.xml", styles):
        name = local_name(el.tag)
        if name == "numFmt":
            codes[int(el.get("numFmtId", "-1"))] = el.get("formatCode", "")
        elif name == "cellXfs":  # (ended: its <xf> children are all there)
            xfs += [int(xf.get("numFmtId", "0") or 0) for xf in el if local_name(xf.tag) == "xf"]
    for (r, c) in list(out):
        m = re.search(rb'<(?:\w+:)?c\s+r="' + a1(r, c).encode() + rb'"([^>]*)>', data)
        sm = re.search(rb'\bs="(\d+)"', m.group(1)) if m is not None else None
        xf = int(sm.group(1)) if sm else 0  # (no cell there: no number format, not a percent)
        out[(r, c)] = m is not None and xf < len(xfs) and _is_percent_format(codes.get(xfs[xf], ""))


def _is_percent_format(fmt: str) -> bool:
    """A number format shows percent when it has % outside quotes and escapes."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)
