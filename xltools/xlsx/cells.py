"""Read the visible sheets of a returned workbook (python-calamine), and, only when a value
cannot be understood without it, whether some cells carry a percent number format.

Nothing is evaluated: calamine gives the values a program last saved. For .xlsx every sheet
is size-checked before calamine sees it (calamine aborts the process on a sheet claiming a
huge grid); .xls (xlrd) and .ods are not checked here: call `read_workbook` in a worker
process for untrusted files of those formats.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field


from . import identity as xid
from . import xls
from .bounds import ReadBounds, ZipCheck, check_zip, internals


@dataclass
class Grids:
    """Sheets in workbook order with their visibility, and the rows of the sheets read."""

    format: str = ""  # xlsx | xls | ods | ""
    sheets: list[tuple[str, str]] = field(default_factory=list)  # (name, visible|hidden|veryhidden)
    rows: dict[str, list[list]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # sheets not read (too large, unreadable)
    reason: str = ""  # why nothing could be read ("" otherwise)
    # sheets not read because they hold too much: (name, last row used, last column used)
    too_large: list[tuple[str, int, int]] = field(default_factory=list)
    # the zip-level verdict of bounds.check_zip when it refused the whole file
    refused: ZipCheck | None = None
    # cells emptied because no value can be trusted there: (sheet, row, col 0-based, why)
    damaged: list[tuple[str, int, int, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reader's error)

    def visible(self) -> list[str]:
        return [n for n, v in self.sheets if v == "visible"]


def read_workbook(path: str | os.PathLike,
                  bounds: ReadBounds | None = None) -> tuple[xid.IdentityReading, Grids]:
    """The identity reading (as `identity.read_identity` gives it) and every sheet's rows, from
    one read of the file and one python-calamine open; never raises.

    The same carriers and the same decision as read_identity (tests compare the two); this
    only avoids reading and unzipping the file twice on collect's hot path.
    """
    bounds = bounds or ReadBounds()
    reading, grids = xid.IdentityReading(), Grids()
    try:
        with open(path, "rb") as f:
            data = f.read(bounds.max_file_bytes + 1)
    except OSError as e:
        reading.reason = grids.reason = f"无法读取文件:{e.strerror or e}"
        return reading, grids
    if len(data) > bounds.max_file_bytes:
        reading.reason = grids.reason = \
            f"文件超过 {bounds.max_file_bytes // (1024 * 1024)} MB,不是本系统生成的表单"
        return reading, grids
    try:
        _read_both(reading, grids, data, bounds)
    except Exception as e:
        reading.reason = reading.reason or f"文件已损坏或格式无法识别{internals(e)}"
    if not reading.reason:
        xid._decide(reading)
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


def _xlsx_damage(check: ZipCheck, parts: dict[str, str]) -> dict[str, list]:
    """Sheet name -> [((row, col) 1-based, why)] from check_zip's scan of the sheet XML."""
    out = {}
    for name, part in parts.items():
        scan = check.scans.get(part)
        if scan is None:
            continue
        bad = list(scan.damaged) + [(rc, DAMAGED_INDEX_RANGE) for rc, i in scan.strings
                                    if i >= check.shared_strings]
        if bad:
            out[name] = bad
    return out


def _control_chars(rows: list[list]) -> list:
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


def _read_both(reading: xid.IdentityReading, grids: Grids, data: bytes,
               bounds: ReadBounds) -> None:
    fits, damage = None, {}
    if data.startswith(xid._OLE_MAGIC):
        grids.format = "xls"
        got = xid.read_xls(reading, data, bounds)
        if got is not None:
            grids.sheets, grids.rows, grids.too_large = got.sheets, got.rows, got.too_large
            grids.skipped = [n for n, *_ in got.too_large] + [n for n, _ in got.bad]
            grids.unreadable = list(got.bad)
        return
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
        if not (xid._is_ods(zf, names) or "[Content_Types].xml" in names):
            reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(压缩包中没有工作簿)"
            return
        check = check_zip(data, zf, bounds)
        if check.problem:
            grids.refused = check
            reading.reason = grids.reason = _refusal_text(check)
            return
        if xid._is_ods(zf, names):
            reading.format, reading.checked = "ods", xid.CARRIERS
            xid._read_ods_carriers(reading, zf)
            if xid.read_ods_fallback(reading, data, zf, grids):
                return
        elif "[Content_Types].xml" in names:
            reading.format, reading.checked = "xlsx", xid.CARRIERS
            parts = xid._read_xlsx_carriers(reading, zf, check.parts)
            fits = lambda name: _scanned_fits(check, names, parts, name, bounds, grids)  # noqa: E731
            damage = _xlsx_damage(check, parts)
        else:
            reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(压缩包中没有工作簿)"
            return
    elif xls.old_format(data):
        reading.reason = xls.OLD_FORMAT
        return
    else:
        reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(.xlsx、.xls、.ods)"
        return
    grids.format = reading.format
    wb = xid.open_calamine(reading, data)
    if wb is None:
        grids.reason = reading.reason or "文件无法作为表格打开"
        return
    try:
        for meta in wb.sheets_metadata:
            grids.sheets.append((meta.name, str(meta.visible).split(".")[-1].lower()))
        for name, _ in grids.sheets:
            if fits is not None and not fits(name):
                grids.skipped.append(name)
                continue
            try:
                sheet = wb.get_sheet_by_name(name)
                if not _sheet_fits(sheet, name, bounds, grids):
                    grids.skipped.append(name)
                    continue
                grids.rows[name] = sheet.to_python(skip_empty_area=False)
                _blank(grids, name, damage.get(name, ()))
            except Exception as e:
                grids.skipped.append(name)
                grids.unreadable.append((name, type(e).__name__))
                _blank(grids, name, damage.get(name, ()))  # the cells that made it fail, if known
                reading.notes.append(f"工作表“{name}”无法读取:{type(e).__name__}")
    finally:
        wb.close()
    for name in xid.carrier_order(grids.sheets):
        if name in grids.rows and xid._identity_from_rows(reading, name, grids.rows[name]):
            return


def _scanned_fits(check: ZipCheck, names: set[str], parts: dict[str, str], sheet: str,
                  bounds: ReadBounds, grids: Grids) -> bool:
    """Whether the native reader may load this .xlsx sheet, from check_zip's cell scan."""
    part = parts.get(sheet)
    if part is None or part not in names:
        return False  # a sheet we cannot locate is not loaded
    scan = check.scans.get(part)
    if scan is None or scan.fits(bounds):
        return True
    grids.too_large.append((sheet, scan.max_row, scan.max_col))
    return False


def _sheet_fits(sheet, name: str, bounds: ReadBounds, grids: Grids) -> bool:
    """After the native reader built a sheet (all formats): within the row and cell limits
    before it is turned into Python lists (.xls and .ods reach here unscanned)."""
    try:
        if not sheet.height:
            return True
        rows, cols = sheet.end[0] + 1, sheet.end[1] + 1
    except Exception:
        return True
    if rows <= bounds.max_rows and rows * cols <= bounds.max_cells:
        return True
    grids.too_large.append((name, rows, cols))
    return False


def _refusal_text(check: ZipCheck) -> str:
    mb = check.size / (1024 * 1024)
    return {
        "duplicate-member": f"文件结构异常(部件“{check.part}”出现两次)",
        "unzipped-too-large": f"解压后共 {mb:.0f} MB,超过上限",
        "inflates-too-far": f"部件“{check.part}”解压后超过 {mb:.0f} MB(疑似压缩炸弹)",
        "damaged-member": f"部件“{check.part}”已损坏:{check.reason}",
        "xml-dtd": f"部件“{check.part}”含有 DTD/实体声明",
    }.get(check.problem, check.problem)


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
    percent, False when it does not, None when this cannot be told (unreadable)."""
    out: dict[tuple[int, int], bool | None] = {rc: None for rc in cells}
    try:
        with open(path, "rb") as f:
            head = f.read(8)
        if head.startswith(xid._OLE_MAGIC):
            with open(path, "rb") as f:
                out.update(xls.percent_cells(f.read(), sheet, cells))
        elif head.startswith(b"PK"):
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
    from ..sheet.layout import a1
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
