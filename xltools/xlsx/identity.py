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

The file is opened, size-checked and its sheets read by `cells.read_workbook` (the one read
path); the parts given here have passed bounds.check_zip. Nothing from the file is
evaluated; XML goes through defusedxml.
"""
from __future__ import annotations

import io
import itertools
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

import defusedxml.ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from ..model.identity import (GUARD_HEADER, GUARD_START_ROW, IDENTITY_NAME, IDENTITY_PROPERTY,
                                 IDENTITY_SHEET, FormIdentity, canonical_text, fingerprint)

CARRIERS = ("sheet", "property", "name")
XLS_CARRIERS = ("sheet", "name")  # the .xls custom property (an OLE property set) is not read
IDENTITY_LABEL = "标识"  # the key/value row on the hidden sheet holding encode()'s text

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

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
    carriers: dict[str, FormIdentity | None] = field(default_factory=lambda: dict.fromkeys(CARRIERS))
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


# --- zip members and XML ------------------------------------------------------------------

def member(reading: IdentityReading, zf: zipfile.ZipFile, name: str,
           parts: dict[str, bytes] | None = None) -> bytes | None:
    """A member's bytes, or None when absent or unreadable (noted); the zip has passed
    bounds.check_zip, which bounds every member.

    parts: members already inflated and checked (bounds.ZipCheck.parts), used as they are.
    """
    if parts and name in parts:
        return parts[name]
    try:
        with zf.open(name) as f:
            return f.read()
    except KeyError:  # (no such member)
        return None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            ValueError) as e:
        reading.notes.append(f"{name} 无法解压:{type(e).__name__}")
        return None


def iter_xml(reading: IdentityReading, name: str, data: bytes | None,
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


def local_name(tag: object) -> str:
    """An element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def name_text(expression: str) -> str:
    """The string a defined name's formula holds: `="x"`, `"x"`, `of:="x"` -> x.

    Only a single string literal is accepted; anything else (a reference, a formula) is
    returned as written, and decode() will then refuse it. Nothing is evaluated.
    """
    s = re.sub(r"^[A-Za-z][\w.-]*:(?==)", "", expression.strip())  # ODF namespace prefix such as of:
    s = s.lstrip("=").strip()
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"' and '"' not in s[1:-1].replace('""', ""):
        return s[1:-1].replace('""', '"')
    return s


# --- .xlsx -----------------------------------------------------------------------------------

def _rels(reading: IdentityReading, zf: zipfile.ZipFile, rels_name: str,
          parts: dict[str, bytes] | None = None) -> list[tuple[str, str, str]]:
    """(Id, Type, Target) of a .rels member."""
    return [(el.get("Id", ""), el.get("Type", ""), el.get("Target", ""))
            for el in iter_xml(reading, rels_name, member(reading, zf, rels_name, parts))
            if local_name(el.tag) == "Relationship"]


def _resolve(base_dir: str, target: str) -> str:
    absolute = target.startswith("/")
    return target.lstrip("/") if absolute else posixpath.normpath(posixpath.join(base_dir, target))


def read_xlsx_carriers(reading: IdentityReading, zf: zipfile.ZipFile,
                       parts: dict[str, bytes] | None = None) -> dict[str, str]:
    """Property and defined name; returns sheet name -> worksheet member for the size check.

    parts: members already inflated by bounds.check_zip (ZipCheck.parts).
    """
    root_rels = _rels(reading, zf, "_rels/.rels", parts)
    workbook = next((_resolve("", t) for _, typ, t in root_rels if typ.endswith(_REL_OFFICE_DOC)),
                    "xl/workbook.xml")
    custom = next((_resolve("", t) for _, typ, t in root_rels if typ.endswith(_REL_CUSTOM)),
                  "docProps/custom.xml")

    for el in iter_xml(reading, custom, member(reading, zf, custom, parts)):
        if el.tag in (f"{{{_NS_CUSTOM}}}property", "property") \
                and (el.get("name") or "").lower() == IDENTITY_PROPERTY.lower():
            # the value is the one vt:* child; its type may change on a re-save (lpwstr, bstr …)
            text = "".join("".join(child.itertext()) for child in el)
            record(reading, "property", text)
            break

    sheet_rids: list[tuple[str, str]] = []
    names: list[tuple[bool, str]] = []
    for el in iter_xml(reading, workbook, member(reading, zf, workbook, parts)):
        local = local_name(el.tag)
        if local == "sheet":
            sheet_rids.append((el.get("name", ""), el.get(f"{{{_NS_DOCREL}}}id", "")))
        elif local == "definedName" and (el.get("name") or "").lower() == IDENTITY_NAME.lower():
            names.append((el.get("localSheetId") is not None, el.text or ""))
    if names:  # a workbook-level name first, as Excel resolves it
        record(reading, "name", name_text(min(names, key=lambda n: n[0])[1]))

    wb_dir = posixpath.dirname(workbook)
    wb_rels = posixpath.join(wb_dir, "_rels", posixpath.basename(workbook) + ".rels")
    targets = {rid: _resolve(wb_dir, t) for rid, _, t in _rels(reading, zf, wb_rels, parts)}
    return {name: targets[rid] for name, rid in sheet_rids if rid in targets}


# --- .ods ------------------------------------------------------------------------------------

def is_ods(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument spreadsheet (a zip that has passed bounds.check_zip: it inflates)."""
    if "mimetype" in names:
        with zf.open("mimetype") as f:
            return f.read(200).strip().startswith(_ODS_MIME)
    return "content.xml" in names and "[Content_Types].xml" not in names


def read_ods_carriers(reading: IdentityReading, zf: zipfile.ZipFile,
                      parts: dict[str, bytes] | None = None) -> None:
    """The property (meta.xml) and the defined name (content.xml) of an .ods."""
    for el in iter_xml(reading, "meta.xml", member(reading, zf, "meta.xml", parts)):
        if el.tag == f"{{{_NS_META}}}user-defined" \
                and (el.get(f"{{{_NS_META}}}name") or "").lower() == IDENTITY_PROPERTY.lower():
            # meta:value-type may say string, float …; the text is what we wrote
            record(reading, "property", "".join(el.itertext()))
            break
    # document-level named expressions sit in office:spreadsheet after every table;
    # sheet-local ones inside a table:table: prefer the document-level one
    found: list[tuple[bool, str]] = []
    depth = 0
    for event, el in iter_xml(reading, "content.xml", member(reading, zf, "content.xml", parts),
                               ("start", "end")):
        is_table = el.tag == f"{{{_NS_TABLE}}}table"
        if event == "start":
            depth += is_table
            continue
        if is_table:
            depth -= 1
            el.clear()  # a sheet's cells are not needed here; keep memory flat
        elif el.tag == f"{{{_NS_TABLE}}}named-expression" \
                and (el.get(f"{{{_NS_TABLE}}}name") or "").lower() == IDENTITY_NAME.lower():
            found.append((depth > 0, el.get(f"{{{_NS_TABLE}}}expression") or ""))
    if found:
        record(reading, "name", name_text(min(found, key=lambda n: n[0])[1]))


# --- the hidden sheet (all formats) ------------------------------------------------------------

def carrier_order(sheets: list[tuple[str, str]]) -> list[str]:
    """Where to look for the identity sheet: 表单标识, then hidden sheets, then the rest."""
    hidden = {n for n, v in sheets if v != "visible"}
    return sorted((n for n, _ in sheets), key=lambda n: (n != IDENTITY_SHEET, n not in hidden))


def identity_from_rows(reading: IdentityReading, sheet: str, rows: list[list]) -> bool:
    """Record the identity a sheet's 标识 row holds, with its guarded table; False if none."""
    for row in rows[:GUARD_START_ROW]:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() == IDENTITY_LABEL:
            text = row[1] if isinstance(row[1], str) else canonical_text(row[1])
            if FormIdentity.decode(text) is None and sheet != IDENTITY_SHEET:
                continue  # some other sheet that happens to have a 标识 row
            reading.identity_sheet = sheet
            record(reading, "sheet", text)
            reading.guarded = _guarded_table(rows)
            return True
    return False


def _guarded_table(rows: list[list]) -> list[tuple[str, str, str]]:
    """The 工作表 | 单元格 | 内容 rows under the header (expected at GUARD_START_ROW)."""
    candidates = itertools.chain([GUARD_START_ROW], range(len(rows)))
    start = next((i for i in candidates if i < len(rows)
                  and [canonical_text(v) for v in rows[i][:3]] == GUARD_HEADER), None)
    if start is None:
        return []
    out = []
    for row in rows[start + 1:]:
        sheet, ref, text = (canonical_text(v) for v in (*row[:3], "", "", "")[:3])  # (short rows)
        if not sheet and not ref:
            break
        out.append((sheet, ref, text))
    return out


# --- deciding --------------------------------------------------------------------------------

def record(reading: IdentityReading, carrier: str, text: str) -> None:
    """What one carrier held, as text and as the identity it decodes to (None if none)."""
    reading.raw[carrier] = text
    reading.carriers[carrier] = FormIdentity.decode(text)


def decide(reading: IdentityReading) -> None:
    """All found carriers equal -> that one; otherwise sheet (if its table re-hashes),
    then property, then name, with conflict set."""
    sheet = reading.carriers.get("sheet")
    if sheet is not None:
        reading.guarded_ok = fingerprint(reading.guarded) == sheet.fingerprint
    found = {reading.carriers[c] for c in reading.found}  # (the identities, once each)
    if not found:
        if not reading.reason:
            reading.reason = ("没有找到表单标识(不是本系统生成的表单,或标识已被删除)" if not reading.raw
                              else "表单标识已损坏,无法识别")
        return
    reading.conflict = len(found) > 1
    trusted = not reading.conflict or (sheet is not None and reading.guarded_ok)
    order = CARRIERS if trusted else ("property", "name", "sheet")
    reading.source = next(c for c in order if reading.carriers.get(c) is not None)
    reading.identity = reading.carriers[reading.source]
