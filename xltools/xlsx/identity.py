"""Read a returned form's hidden identity from .xlsx, .xls or .ods, whatever its name.

Three carriers are written by `xltools.forms.identity`: the hidden sheet 表单标识 (the
encoded identity plus the table of guarded cells), the custom document property
`xltools_identity` and the defined name `xltools_identity` (a string constant). This module
finds each one that survived, says what each said and picks the identity to trust.

Where each carrier is read:

| format | sheet (python-calamine) | property              | name                          |
|--------|-------------------------|-----------------------|-------------------------------|
| .xlsx  | 表单标识                | docProps/custom.xml   | xl/workbook.xml definedName   |
| .ods   | 表单标识                | meta.xml user-defined | content.xml named-expression  |
| .xls   | 表单标识 (xlrd)         | not read              | NAME record (xlrd)            |

For .xls (an OLE compound file) xlrd reads the sheets and the defined name, so an .xls whose
identity sheet was deleted still identifies. LibreOffice also writes the property (in the
second, user-defined section of DocumentSummaryInformation), which olefile does not parse
and is not read; `IdentityReading.checked` says which carriers were looked for.

The format is taken from the file's first bytes, never from its name: units rename files
and save an .xls under a name ending .xlsx. Nothing from the file is evaluated; XML goes
through defusedxml; zip members that declare more than MAX_MEMBER_BYTES are refused, and an
.xlsx sheet whose cells span more than MAX_SHEET_CELLS is not handed to python-calamine
(which aborts the whole process on a sheet that claims a huge grid). The .ods and .xls
sheets get no such pre-check here: collect should read untrusted files in a worker
process. Broken files never raise: the reading is empty and `reason` says why.
"""
from __future__ import annotations

import io
import itertools
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

import defusedxml.ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from python_calamine import CalamineWorkbook

from . import ods, xls
from .bounds import ReadBounds, check_zip, internals
from ..model.identity import (GUARD_HEADER, GUARD_START_ROW, IDENTITY_NAME, IDENTITY_PROPERTY,
                                 IDENTITY_SHEET, FormIdentity, canonical_text, fingerprint)

CARRIERS = ("sheet", "property", "name")
XLS_CARRIERS = ("sheet", "name")  # the .xls custom property (an OLE property set) is not read
MAX_FILE_BYTES = 100 * 1024 * 1024  # a form is tens of KB; refuse what cannot be one
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # declared uncompressed size of one zip member
MAX_ZIP_MEMBERS = 10_000
MAX_SHEET_CELLS = 2_000_000  # bounding box of an .xlsx sheet handed to calamine
IDENTITY_LABEL = "标识"  # the key/value row on the hidden sheet holding encode()'s text

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

_NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_DOCREL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_REL_OFFICE_DOC = "/officeDocument"
_REL_CUSTOM = "/custom-properties"


@dataclass
class IdentityReading:
    """What a returned file says about whose form it is.

    identity: the identity to trust (None when no carrier was found); source: the carrier it
    came from. carriers: each carrier's identity ("sheet", "property", "name"), None when
    absent, unreadable or not an identity; raw: the text each carrier held when present (so a
    damaged carrier can be told from a missing one). checked: the carriers looked for in this
    format. conflict: the carriers found disagree. guarded: the hidden sheet's table of
    guarded cells (sheet, A1, text); guarded_ok: whether that table re-hashes to the hidden
    sheet's fingerprint (None without a sheet identity). reason: why nothing could be read
    ("" otherwise); notes: smaller problems met on the way (a refused member, bad XML).
    """

    identity: FormIdentity | None = None
    source: str = ""
    carriers: dict[str, FormIdentity | None] = field(
        default_factory=lambda: {c: None for c in CARRIERS})
    raw: dict[str, str] = field(default_factory=dict)
    checked: tuple[str, ...] = ()
    conflict: bool = False
    guarded: list[tuple[str, str, str]] = field(default_factory=list)
    guarded_ok: bool | None = None
    format: str = ""  # xlsx | xls | ods | "" (not a workbook)
    identity_sheet: str = ""  # the sheet the identity was found on
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> tuple[str, ...]:
        """The carriers that held a readable identity."""
        return tuple(c for c in CARRIERS if self.carriers.get(c) is not None)


def read_identity(path: str | os.PathLike) -> IdentityReading:
    """Read every identity carrier of a workbook file; never raises on a bad file."""
    reading = IdentityReading()
    try:
        data = _read_file(path)
    except OSError as e:
        reading.reason = f"无法读取文件:{e.strerror or e}"
        return reading
    if data is None:
        reading.reason = f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB,不是本系统生成的表单"
        return reading
    try:
        _read_into(reading, data)
    except Exception as e:  # a broken file must never stop the caller
        reading.reason = reading.reason or f"文件已损坏或格式无法识别{internals(e)}"
    if not reading.reason:
        _decide(reading)
    return reading


def _read_file(path: str | os.PathLike) -> bytes | None:
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    return None if len(data) > MAX_FILE_BYTES else data


def _read_into(reading: IdentityReading, data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        read_xls(reading, data)
        return
    if not data.startswith(_ZIP_MAGIC):
        reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(.xlsx、.xls、.ods)"
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        reading.reason = "文件已损坏(压缩包无法打开)"
        return
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            reading.reason = "文件结构异常(压缩包成员过多)"
            return
        names = {i.filename for i in infos}
        if not (_is_ods(zf, names) or "[Content_Types].xml" in names):
            reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(压缩包中没有工作簿)"
            return
        bounds = ReadBounds(max_file_bytes=MAX_FILE_BYTES, max_cells=MAX_SHEET_CELLS)
        check = check_zip(data, zf, bounds)
        if check.problem:  # every member inflated once, bounded: see bounds.py
            reading.reason = f"文件结构异常或疑似恶意构造({check.problem}:{check.part})"
            return
        if _is_ods(zf, names):
            reading.format, reading.checked = "ods", CARRIERS
            _read_ods_carriers(reading, zf)
            if not read_ods_fallback(reading, data, zf, None):
                _read_sheet_carrier(reading, data, None)
        elif "[Content_Types].xml" in names:
            reading.format, reading.checked = "xlsx", CARRIERS
            sheet_parts = _read_xlsx_carriers(reading, zf, check.parts)

            def fits(name: str) -> bool:
                part = sheet_parts.get(name)
                scan = check.scans.get(part) if part else None
                ok = part in names and (scan is None or scan.fits(bounds))
                if not ok:
                    reading.notes.append(f"工作表“{name}”无法定位或单元格范围异常大,未读取")
                return ok
            _read_sheet_carrier(reading, data, fits)
        else:
            reading.reason = "不是 Excel/WPS/LibreOffice 表格文件(压缩包中没有工作簿)"


# --- zip members and XML ------------------------------------------------------------------

def _member(reading: IdentityReading, zf: zipfile.ZipFile, name: str,
            parts: dict[str, bytes] | None = None) -> bytes | None:
    """A member's bytes, or None when absent, too large or unreadable (noted).

    parts: members already inflated and checked (bounds.ZipCheck.parts), used as they are.
    """
    if parts and name in parts:
        return parts[name]
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_MEMBER_BYTES:
        reading.notes.append(f"{name} 声明的大小超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB,未读取")
        return None
    try:
        with zf.open(info) as f:
            out = f.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            ValueError) as e:
        reading.notes.append(f"{name} 无法解压:{type(e).__name__}")
        return None
    if len(out) > MAX_MEMBER_BYTES:
        reading.notes.append(f"{name} 超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB,未读取")
        return None
    return out


def _iter_xml(reading: IdentityReading, name: str, data: bytes | None,
              events: tuple[str, ...] = ("end",)) -> Iterator:
    """Elements of an XML member as they end (defusedxml; no DTDs or entities); with
    several events, (event, element) pairs."""
    if data is None:
        return
    try:
        for event, elem in SafeET.iterparse(io.BytesIO(data), events=events, forbid_dtd=True):
            yield elem if len(events) == 1 else (event, elem)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as e:
        reading.notes.append(f"{name} 不是有效的 XML:{type(e).__name__}")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _name_text(expression: str) -> str:
    """The string a defined name's formula holds: `="x"`, `"x"`, `of:="x"` -> x.

    Only a single string literal is accepted; anything else (a reference, a formula) is
    returned as written, and decode() will then refuse it. Nothing is evaluated.
    """
    s = expression.strip()
    m = re.match(r"^[A-Za-z][\w.-]*:(?==)", s)  # ODF namespace prefix such as of:
    if m:
        s = s[m.end():]
    s = s.lstrip("=").strip()
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"' and '"' not in s[1:-1].replace('""', ""):
        return s[1:-1].replace('""', '"')
    return s


# --- .xlsx -----------------------------------------------------------------------------------

def _rels(reading: IdentityReading, zf: zipfile.ZipFile, rels_name: str,
          parts: dict[str, bytes] | None = None) -> list[tuple[str, str, str]]:
    """(Id, Type, Target) of a .rels member."""
    out = []
    for el in _iter_xml(reading, rels_name, _member(reading, zf, rels_name, parts)):
        if _local(el.tag) == "Relationship":
            out.append((el.get("Id", ""), el.get("Type", ""), el.get("Target", "")))
    return out


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _read_xlsx_carriers(reading: IdentityReading, zf: zipfile.ZipFile,
                        parts: dict[str, bytes] | None = None) -> dict[str, str]:
    """Property and defined name; returns sheet name -> worksheet member for the size check.

    parts: members already inflated by bounds.check_zip (ZipCheck.parts).
    """
    root_rels = _rels(reading, zf, "_rels/.rels", parts)
    workbook = next((_resolve("", t) for _, typ, t in root_rels if typ.endswith(_REL_OFFICE_DOC)),
                    "xl/workbook.xml")
    custom = next((_resolve("", t) for _, typ, t in root_rels if typ.endswith(_REL_CUSTOM)),
                  "docProps/custom.xml")

    for el in _iter_xml(reading, custom, _member(reading, zf, custom, parts)):
        if _local(el.tag) == "property" and _ns(el.tag) in (_NS_CUSTOM, "") \
                and (el.get("name") or "").lower() == IDENTITY_PROPERTY.lower():
            # the value is the one vt:* child; its type may change on a re-save (lpwstr, bstr …)
            text = "".join("".join(child.itertext()) for child in el)
            _found(reading, "property", text)
            break

    sheet_rids: list[tuple[str, str]] = []
    names: list[tuple[bool, str]] = []
    for el in _iter_xml(reading, workbook, _member(reading, zf, workbook, parts)):
        local = _local(el.tag)
        if local == "sheet":
            sheet_rids.append((el.get("name", ""), el.get(f"{{{_NS_DOCREL}}}id", "")))
        elif local == "definedName" and (el.get("name") or "").lower() == IDENTITY_NAME.lower():
            names.append((el.get("localSheetId") is not None, el.text or ""))
    if names:  # a workbook-level name first, as Excel resolves it
        names.sort(key=lambda n: n[0])
        _found(reading, "name", _name_text(names[0][1]))

    wb_dir = posixpath.dirname(workbook)
    wb_rels = posixpath.join(wb_dir, "_rels", posixpath.basename(workbook) + ".rels")
    targets = {rid: _resolve(wb_dir, t) for rid, _, t in _rels(reading, zf, wb_rels, parts)}
    return {name: targets[rid] for name, rid in sheet_rids if rid in targets}


def _xlsx_sheet_fits(reading: IdentityReading, zf: zipfile.ZipFile, parts: dict[str, str],
                     sheet: str) -> bool:
    """Whether calamine can safely load this sheet: the cells holding something lie in a
    bounded box. Streams the worksheet XML (bounds._CellScanner); a sheet we cannot
    locate or read is not loaded."""
    from .bounds import _CellScanner
    part = parts.get(sheet)
    try:
        info = zf.getinfo(part) if part else None
    except KeyError:
        info = None
    if info is None or info.file_size > MAX_MEMBER_BYTES:
        reading.notes.append(f"工作表“{sheet}”无法定位或读取,未检查")
        return False
    scanner = _CellScanner()
    try:
        with zf.open(info) as f:
            while chunk := f.read(1 << 20):
                scanner.feed(chunk)
        scanner.feed(b"", final=True)
    except Exception as e:  # noqa: BLE001
        reading.notes.append(f"工作表“{sheet}”无法读取:{type(e).__name__}")
        return False
    if not scanner.scan.fits(ReadBounds(max_rows=1_048_576, max_cells=MAX_SHEET_CELLS)):
        reading.notes.append(f"工作表“{sheet}”的单元格范围异常大,未读取")
        return False
    return True


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


# --- .ods ------------------------------------------------------------------------------------

def _is_ods(zf: zipfile.ZipFile, names: set[str]) -> bool:
    if "mimetype" in names:
        try:
            with zf.open("mimetype") as f:
                return f.read(200).strip().startswith(_ODS_MIME)
        except Exception:
            return False
    return "content.xml" in names and "[Content_Types].xml" not in names


def _read_ods_carriers(reading: IdentityReading, zf: zipfile.ZipFile) -> None:
    for el in _iter_xml(reading, "meta.xml", _member(reading, zf, "meta.xml")):
        if _local(el.tag) == "user-defined" and _ns(el.tag) == _NS_META \
                and (el.get(f"{{{_NS_META}}}name") or "").lower() == IDENTITY_PROPERTY.lower():
            # meta:value-type may say string, float …; the text is what we wrote
            _found(reading, "property", "".join(el.itertext()))
            break
    # document-level named expressions sit in office:spreadsheet after every table;
    # sheet-local ones inside a table:table: prefer the document-level one
    found: list[tuple[bool, str]] = []
    depth = 0
    for event, el in _iter_xml(reading, "content.xml", _member(reading, zf, "content.xml"),
                               ("start", "end")):
        is_table = _local(el.tag) == "table" and _ns(el.tag) == _NS_TABLE
        if event == "start":
            depth += is_table
            continue
        if is_table:
            depth -= 1
            el.clear()  # a sheet's cells are not needed here; keep memory flat
        elif _local(el.tag) == "named-expression" and _ns(el.tag) == _NS_TABLE \
                and (el.get(f"{{{_NS_TABLE}}}name") or "").lower() == IDENTITY_NAME.lower():
            found.append((depth > 0, el.get(f"{{{_NS_TABLE}}}expression") or ""))
    if found:
        found.sort(key=lambda n: n[0])
        _found(reading, "name", _name_text(found[0][1]))


# --- the hidden sheet (calamine, all formats) ------------------------------------------------

def open_calamine(reading: IdentityReading, data: bytes):
    """The bytes as a calamine workbook, or None with the reason noted on the reading."""
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - any reader failure is a reason, not a crash
        if not reading.reason and not reading.raw:
            reading.reason = f"文件无法作为表格打开{internals(e)}"
        else:
            reading.notes.append(f"工作表无法读取:{type(e).__name__}")
        return None


def _read_sheet_carrier(reading: IdentityReading, data: bytes, fits) -> None:
    """Find the identity sheet (by name, else any sheet with a 标识 row) and read it."""
    wb = open_calamine(reading, data)
    if wb is None:
        return
    try:
        metas = list(wb.sheets_metadata)
        for name in carrier_order([(m.name, str(m.visible).split(".")[-1].lower())
                                   for m in metas]):
            if fits is not None and not fits(name):
                continue
            try:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as e:
                reading.notes.append(f"工作表“{name}”无法读取:{type(e).__name__}")
                continue
            if _identity_from_rows(reading, name, rows):
                return
    finally:
        wb.close()


def carrier_order(sheets: list[tuple[str, str]]) -> list[str]:
    """Where to look for the identity sheet: 表单标识, then hidden sheets, then the rest."""
    names = [n for n, _ in sheets]
    hidden = {n for n, v in sheets if v != "visible"}
    return ([IDENTITY_SHEET] if IDENTITY_SHEET in names else []) + \
        [n for n in names if n != IDENTITY_SHEET and n in hidden] + \
        [n for n in names if n != IDENTITY_SHEET and n not in hidden]


def read_xls(reading: IdentityReading, data: bytes,
             bounds: ReadBounds | None = None) -> xls.XlsRead | None:
    """An .xls through xlrd: every sheet, and the carriers LibreOffice keeps there (the
    hidden sheet and the defined name); None with reading.reason when it cannot be opened."""
    reading.format, reading.checked = "xls", XLS_CARRIERS
    try:
        got = xls.read(data, True, bounds)
    except xls.XlsError as e:
        reading.reason = e.reason
        return None
    named = [t for n, t in got.names.items() if n.lower() == IDENTITY_NAME.lower()]
    if named:
        _found(reading, "name", _name_text(named[0]))
    for name, why in got.bad:
        reading.notes.append(f"工作表“{name}”无法读取:{why}")
    for name in carrier_order(got.sheets):
        if name in got.rows and _identity_from_rows(reading, name, got.rows[name]):
            break
    return got


def read_ods_fallback(reading: IdentityReading, data: bytes, zf: zipfile.ZipFile,
                      grids) -> bool:
    """When python-calamine cannot open this .ods, read it with the odf fallback reader
    (sheets into `grids` when given, the identity sheet into `reading`); False when
    calamine can open it (then calamine reads it, as before)."""
    try:
        CalamineWorkbook.from_filelike(io.BytesIO(data)).close()
        return False
    except Exception:  # noqa: BLE001 - calamine's failure is what the fallback is for
        pass
    try:
        sheets, rows = ods.read(data, zf)
    except Exception as e:  # noqa: BLE001 - both readers failed: the file is unreadable
        reading.reason = reading.reason or f"文件无法作为表格打开{internals(e)}"
        return True
    if grids is not None:
        grids.format, grids.sheets, grids.rows = "ods", sheets, rows
    for name in carrier_order(sheets):
        if _identity_from_rows(reading, name, rows[name]):
            break
    return True


def _identity_from_rows(reading: IdentityReading, sheet: str, rows: list[list]) -> bool:
    for row in rows[:GUARD_START_ROW]:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() == IDENTITY_LABEL:
            text = row[1] if isinstance(row[1], str) else canonical_text(row[1])
            if FormIdentity.decode(text) is None and sheet != IDENTITY_SHEET:
                continue  # some other sheet that happens to have a 标识 row
            reading.identity_sheet = sheet
            _found(reading, "sheet", text)
            reading.guarded = _guarded_table(rows)
            return True
    return False


def _guarded_table(rows: list[list]) -> list[tuple[str, str, str]]:
    """The 工作表 | 单元格 | 内容 rows under the header (expected at GUARD_START_ROW)."""
    header = list(GUARD_HEADER)
    candidates = itertools.chain([GUARD_START_ROW], range(len(rows)))
    start = next((i for i in candidates if i < len(rows)
                  and [_text(v) for v in rows[i][:3]] == header), None)
    if start is None:
        return []
    out = []
    for row in rows[start + 1:]:
        n = len(row)
        sheet = canonical_text(row[0]) if n > 0 else ""
        ref = canonical_text(row[1]) if n > 1 else ""
        if not sheet and not ref:
            break
        out.append((sheet, ref, canonical_text(row[2]) if n > 2 else ""))
    return out


def _text(value: object) -> str:
    return canonical_text(value)


# --- deciding --------------------------------------------------------------------------------

def _found(reading: IdentityReading, carrier: str, text: str) -> None:
    reading.raw[carrier] = text
    reading.carriers[carrier] = FormIdentity.decode(text)


def _decide(reading: IdentityReading) -> None:
    """All found carriers equal -> that one; otherwise sheet (if its table re-hashes),
    then property, then name, with conflict set."""
    sheet = reading.carriers.get("sheet")
    if sheet is not None:
        reading.guarded_ok = fingerprint(reading.guarded) == sheet.fingerprint
    found = [(c, reading.carriers[c]) for c in reading.found]
    if not found:
        if not reading.reason:
            reading.reason = ("没有找到表单标识(不是本系统生成的表单,或标识已被删除)" if not reading.raw
                              else "表单标识已损坏,无法识别")
        return
    distinct = {ident for _, ident in found}
    if len(distinct) == 1:
        reading.source, reading.identity = found[0]
        return
    reading.conflict = True
    if sheet is not None and reading.guarded_ok:
        reading.source, reading.identity = "sheet", sheet
        return
    for carrier in ("property", "name", "sheet"):
        if reading.carriers.get(carrier) is not None:
            reading.source, reading.identity = carrier, reading.carriers[carrier]
            return
