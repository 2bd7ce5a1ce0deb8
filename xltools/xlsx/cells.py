"""Read the visible sheets of a returned workbook (python-calamine), and, only when a value
cannot be understood without it, whether some cells carry a percent number format.

Nothing is evaluated: calamine gives the values a program last saved. For .xlsx every sheet
is size-checked before calamine sees it (calamine aborts the process on a sheet claiming a
huge grid); .xls and .ods are not checked here: call `read_grids` in a worker process for
untrusted files of those formats.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from python_calamine import CalamineWorkbook

from . import identity as xid


@dataclass
class Grids:
    """Sheets in workbook order with their visibility, and the rows of the sheets read."""

    format: str = ""  # xlsx | xls | ods | ""
    sheets: list[tuple[str, str]] = field(default_factory=list)  # (name, visible|hidden|veryhidden)
    rows: dict[str, list[list]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # sheets not read (too large, unreadable)
    reason: str = ""  # why nothing could be read ("" otherwise)

    def visible(self) -> list[str]:
        return [n for n, v in self.sheets if v == "visible"]


def read_grids(path: str | os.PathLike, hidden: bool = False) -> Grids:
    """Every visible sheet's rows (and hidden ones with hidden=True); never raises."""
    out = Grids()
    try:
        with open(path, "rb") as f:
            data = f.read(xid.MAX_FILE_BYTES + 1)
    except OSError as e:
        out.reason = f"无法读取文件:{e.strerror or e}"
        return out
    if len(data) > xid.MAX_FILE_BYTES:
        out.reason = "文件过大"
        return out
    try:
        _read(out, data, hidden)
    except Exception as e:  # a broken file never stops the caller
        out.reason = out.reason or f"文件已损坏或格式无法识别:{type(e).__name__}"
    return out


def _read(out: Grids, data: bytes, hidden: bool) -> None:
    fits = None
    if data.startswith(xid._OLE_MAGIC):
        out.format = "xls"
    elif data.startswith(xid._ZIP_MAGIC):
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = {i.filename for i in zf.infolist()}
        if xid._is_ods(zf, names):
            out.format = "ods"
        elif "[Content_Types].xml" in names:
            out.format = "xlsx"
            scratch = xid.IdentityReading()
            parts = _xlsx_sheet_parts(scratch, zf)
            fits = lambda name: _fits(scratch, zf, parts, name)  # noqa: E731
        else:
            out.reason = "不是 Excel/WPS/LibreOffice 表格文件(压缩包中没有工作簿)"
            return
    else:
        out.reason = "不是 Excel/WPS/LibreOffice 表格文件(.xlsx、.xls、.ods)"
        return
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:
        out.reason = f"文件无法作为表格打开:{type(e).__name__}"
        return
    try:
        for meta in wb.sheets_metadata:
            vis = str(meta.visible).split(".")[-1].lower()
            out.sheets.append((meta.name, vis))
            if vis != "visible" and not hidden:
                continue
            if fits is not None and not fits(meta.name):
                out.skipped.append(meta.name)
                continue
            try:
                out.rows[meta.name] = wb.get_sheet_by_name(meta.name).to_python(
                    skip_empty_area=False)
            except Exception:
                out.skipped.append(meta.name)
    finally:
        wb.close()


_CELL_REF = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_ANY = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _fits(scratch, zf: zipfile.ZipFile, parts: dict[str, str], sheet: str) -> bool:
    """identity's bounding-box check, with a fast path for the usual file where every
    cell has an explicit r="A1" as its first attribute (xlsxwriter, Excel, LibreOffice)."""
    part = parts.get(sheet)
    data = xid._member(scratch, zf, part) if part else None
    if data is None:
        return False
    refs = _CELL_REF.findall(data)
    if len(refs) != len(_CELL_ANY.findall(data)):
        return xid._xlsx_sheet_fits(scratch, zf, parts, sheet)
    if not refs:
        return True
    max_row = max(int(r) for _, r in refs)
    max_col = max(xid._col_number(c) for c in {c for c, _ in refs})
    return max_row <= 1_048_576 and max_col <= 16_384 and max_row * max_col <= xid.MAX_SHEET_CELLS


def read_workbook(path: str | os.PathLike) -> tuple[xid.IdentityReading, Grids]:
    """The identity reading (as `identity.read_identity` gives it) and every sheet's rows, from
    one read of the file and one python-calamine open; never raises.

    The same carriers and the same decision as read_identity (tests compare the two); this
    only avoids reading and unzipping the file twice on collect's hot path.
    """
    reading, grids = xid.IdentityReading(), Grids()
    try:
        with open(path, "rb") as f:
            data = f.read(xid.MAX_FILE_BYTES + 1)
    except OSError as e:
        reading.reason = grids.reason = f"无法读取文件:{e.strerror or e}"
        return reading, grids
    if len(data) > xid.MAX_FILE_BYTES:
        reading.reason = grids.reason = \
            f"文件超过 {xid.MAX_FILE_BYTES // (1024 * 1024)} MB,不是本系统生成的表单"
        return reading, grids
    try:
        _read_both(reading, grids, data)
    except Exception as e:
        reading.reason = reading.reason or f"文件已损坏或格式无法识别:{type(e).__name__}"
    if not reading.reason:
        xid._decide(reading)
    grids.reason = grids.reason or ("" if grids.sheets else reading.reason)
    return reading, grids


def _read_both(reading: xid.IdentityReading, grids: Grids, data: bytes) -> None:
    fits = None
    if data.startswith(xid._OLE_MAGIC):
        reading.format, reading.checked = "xls", ("sheet",)
    elif data.startswith(xid._ZIP_MAGIC):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, EOFError):
            reading.reason = "文件已损坏(压缩包无法打开)"
            return
        infos = zf.infolist()
        if len(infos) > xid.MAX_ZIP_MEMBERS:
            reading.reason = "文件结构异常(压缩包成员过多)"
            return
        names = {i.filename for i in infos}
        if xid._is_ods(zf, names):
            reading.format, reading.checked = "ods", xid.CARRIERS
            xid._read_ods_carriers(reading, zf)
        elif "[Content_Types].xml" in names:
            reading.format, reading.checked = "xlsx", xid.CARRIERS
            parts = xid._read_xlsx_carriers(reading, zf)
            fits = lambda name: _fits(reading, zf, parts, name)  # noqa: E731
        else:
            reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(压缩包中没有工作簿)"
            return
    else:
        reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(.xlsx、.xls、.ods)"
        return
    grids.format = reading.format
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:
        if not reading.reason and not reading.raw:
            reading.reason = f"文件无法作为表格打开:{type(e).__name__}"
        else:
            reading.notes.append(f"工作表无法读取:{type(e).__name__}")
        grids.reason = f"文件无法作为表格打开:{type(e).__name__}"
        return
    try:
        for meta in wb.sheets_metadata:
            grids.sheets.append((meta.name, str(meta.visible).split(".")[-1].lower()))
        for name, _ in grids.sheets:
            if fits is not None and not fits(name):
                grids.skipped.append(name)
                continue
            try:
                grids.rows[name] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as e:
                grids.skipped.append(name)
                reading.notes.append(f"工作表“{name}”无法读取:{type(e).__name__}")
    finally:
        wb.close()
    names = [n for n, _ in grids.sheets]
    hidden = {n for n, v in grids.sheets if v != "visible"}
    order = ([xid.IDENTITY_SHEET] if xid.IDENTITY_SHEET in names else []) + \
        [n for n in names if n != xid.IDENTITY_SHEET and n in hidden] + \
        [n for n in names if n != xid.IDENTITY_SHEET and n not in hidden]
    for name in order:
        if name in grids.rows and xid._identity_from_rows(reading, name, grids.rows[name]):
            return


def _xlsx_sheet_parts(scratch, zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part of an .xlsx (for the size check)."""
    root = xid._rels(scratch, zf, "_rels/.rels")
    workbook = next((xid._resolve("", t) for _, typ, t in root if typ.endswith("/officeDocument")),
                    "xl/workbook.xml")
    rids = []
    for el in xid._iter_xml(scratch, workbook, xid._member(scratch, zf, workbook)):
        if xid._local(el.tag) == "sheet":
            rids.append((el.get("name", ""), el.get(f"{{{xid._NS_DOCREL}}}id", "")))
    wb_dir = posixpath.dirname(workbook)
    rels = posixpath.join(wb_dir, "_rels", posixpath.basename(workbook) + ".rels")
    targets = {rid: xid._resolve(wb_dir, t) for rid, _, t in xid._rels(scratch, zf, rels)}
    return {name: targets[rid] for name, rid in rids if rid in targets}


# --- number formats (only when a value is ambiguous without them) ----------------------------

_ODS_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def percent_cells(path: str | os.PathLike, sheet: str,
                  cells: list[tuple[int, int]]) -> dict[tuple[int, int], bool | None]:
    """For each (row, col) (0-based) of `sheet`: True when the cell shows its value as a
    percent, False when it does not, None when this cannot be told (.xls, unreadable)."""
    out: dict[tuple[int, int], bool | None] = {rc: None for rc in cells}
    try:
        with open(path, "rb") as f:
            head = f.read(8)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if xid._is_ods(zf, names):
                    _ods_percent(zf, sheet, out)
                elif "[Content_Types].xml" in names:
                    _xlsx_percent(path, sheet, out)
    except Exception:
        pass
    return out


def _xlsx_percent(path, sheet: str, out: dict) -> None:
    """The cells' style index in the sheet XML -> cellXfs numFmtId -> format code."""
    from ..generate.layout import a1
    scratch = xid.IdentityReading()
    with zipfile.ZipFile(path) as zf:
        parts = _xlsx_sheet_parts(scratch, zf)
        data = xid._member(scratch, zf, parts[sheet]) if sheet in parts else None
        styles = xid._member(scratch, zf, "xl/styles.xml")
        if data is None:
            return
        codes: dict[int, str] = {9: "0%", 10: "0.00%"}
        xfs: list[int] = []
        in_xfs = False
        for event, el in xid._iter_xml(scratch, "xl/styles.xml", styles, ("start", "end")):
            name = xid._local(el.tag)
            if name == "numFmt" and event == "end":
                codes[int(el.get("numFmtId", "-1"))] = el.get("formatCode", "")
            elif name == "cellXfs":
                in_xfs = event == "start"
            elif name == "xf" and in_xfs and event == "start":
                xfs.append(int(el.get("numFmtId", "0") or 0))
    for (r, c) in list(out):
        m = re.search(rb'<(?:\w+:)?c\s+r="' + a1(r, c).encode() + rb'"([^>]*)>', data)
        if m is None:
            out[(r, c)] = False
            continue
        sm = re.search(rb'\bs="(\d+)"', m.group(1))
        xf = int(sm.group(1)) if sm else 0
        out[(r, c)] = xf < len(xfs) and _is_percent_format(codes.get(xfs[xf], ""))


def _is_percent_format(fmt: str) -> bool:
    """A number format shows percent when it has % outside quotes and escapes."""
    s = re.sub(r'"[^"]*"|\\.', "", fmt)
    return "%" in s


def _ods_percent(zf: zipfile.ZipFile, sheet: str, out: dict) -> None:
    import defusedxml.ElementTree as SafeET
    want = set(out)
    max_row = max(r for r, _ in want)
    t, o = _ODS_NS_TABLE, _ODS_NS_OFFICE
    in_sheet = False
    row = -1
    col = 0
    with zf.open("content.xml") as f:
        for event, el in SafeET.iterparse(f, events=("start", "end"), forbid_dtd=True):
            tag = el.tag
            if event == "start":
                if tag == f"{{{t}}}table":
                    in_sheet = el.get(f"{{{t}}}name") == sheet
                elif in_sheet and tag == f"{{{t}}}table-row":
                    col = 0
                continue
            if tag == f"{{{t}}}table":
                if in_sheet:
                    return
                el.clear()
            elif in_sheet and tag == f"{{{t}}}table-row":
                row += int(el.get(f"{{{t}}}number-rows-repeated") or 1)
                el.clear()
                if row > max_row:
                    return
            elif in_sheet and tag in (f"{{{t}}}table-cell", f"{{{t}}}covered-table-cell"):
                n = int(el.get(f"{{{t}}}number-columns-repeated") or 1)
                vtype = el.get(f"{{{o}}}value-type")
                r = row + 1
                for c in range(col, col + min(n, 1024)):
                    if (r, c) in want:
                        out[(r, c)] = vtype == "percentage"
                col += n
