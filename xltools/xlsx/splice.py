"""Rewrite only the sheets that changed: a workbook of many small sheets (the 校验报告's one
sheet per unit) written again after a late return keeps the worksheet parts of the previous
file whose content would be the same, and xlsxwriter writes the rest.

Sound because every part comes from xlsxwriter: the new file is written whole, each kept
sheet as an empty stand-in with the same workbook-level facts (print area, print titles,
filter, hidden), whose part xlsxwriter stores as the previous file's part. A part
refers outside itself only by style index and shared-string index: the style table is
registered in one fixed order (checked: styles.xml must equal the previous file's), and the
shared strings start with the previous file's in their order (checked byte for byte). A
kept part must have no relationships (links, comments, drawings). The previous file is used
only as this folder's manifest describes it (same SHA-256): anything else, a full rebuild.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from ..sheet.layout import PageSetup, Sheet, Workbook
from .compat import quick_sheet_names, seed_strings, write_part_as
from .writer import streams, workbook_bytes, write_atomically

MANIFEST = ".xltools-splice.json"  # {file: {"sha256": …, "sheets": [[name, key, facts], …]}}
STRINGS = "xl/sharedStrings.xml"
STYLES_PART = "xl/styles.xml"
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how xlsxwriter writes control characters

# reuse(sheet name, what the sheet is made from) -> an empty stand-in Sheet, or None to build it
Reuse = Callable[[str, str], "Sheet | None"]


def write_reusing(filename: str, build: Callable[[Reuse], Workbook],
                  folder: str | os.PathLike) -> Path:
    """Write the workbook `build` lays out as folder/filename, keeping the previous file's
    part of every sheet whose key (a digest of what it is made from) is unchanged.
    build(reuse) calls reuse(name, key) for each sheet it may skip and puts the Sheet it
    returns (an empty stand-in) in place of building it."""
    folder = Path(folder)
    path = folder / filename
    manifest = read_manifest(folder / MANIFEST)
    entry = manifest.get(filename) or {}
    _, previous = previous_file(path, entry)
    old = _old_sheets(entry) if previous else {}
    keys: dict[str, str] = {}
    kept: dict[str, tuple[int, list]] = {}

    def reuse(name: str, key: str) -> Sheet | None:
        keys[name] = key
        got = old.get(name)
        if got is None or got[1] != key:
            return None
        kept[name] = (got[0], got[2])
        return stand_in(name, got[2])

    layout = build(reuse)
    data = _spliced(layout, previous, kept) if kept else None
    if data is None:
        if kept:  # the previous parts cannot be used: build those sheets too
            old.clear()
            layout = build(reuse)
        data = workbook_bytes(layout, FixedStyles(), release=True)
    if layout.filename != filename:
        raise ValueError(f"{layout.filename} is not {filename}")
    sheets = [[s.name, keys.get(s.name, ""), facts(s)] for s in layout.sheets]
    return write_recorded(folder, filename, data, MANIFEST, manifest, {"sheets": sheets})


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of xltools' own source and the xlsxwriter version: what is kept must have
    been written by the code that would write it now."""
    import xlsxwriter

    h = hashlib.sha256(xlsxwriter.__version__.encode())
    root = Path(__file__).resolve().parent.parent
    for f in sorted(root.rglob("*.py")) + sorted((root / "templates").rglob("*.j2")):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _old_sheets(entry: dict) -> dict[str, tuple[int, str, list]]:
    """The previous file's sheets as its manifest lists them (name -> index, key, facts);
    {} (a full rebuild) when the manifest is not in the shape written here (edited by hand)."""
    out = {}
    try:
        for i, (name, key, fact) in enumerate(entry.get("sheets", [])):
            area, rows, flt, hidden = fact
            if not (isinstance(name, str) and isinstance(key, str) and isinstance(hidden, bool)
                    and all(x is None or int_list(x, n) for x, n in ((area, 4), (rows, 2), (flt, 4)))):
                return {}
            out[name] = (i, key, fact)
    except (TypeError, ValueError, AttributeError):
        return {}
    return out


def int_list(x: object, n: int | None = None) -> bool:
    """Whether a manifest's value is a list of ints (n of them, when n is given)."""
    return isinstance(x, list) and (n is None or len(x) == n) and all(type(v) is int for v in x)


def facts(sheet: Sheet) -> list:
    """What of a sheet lives outside its worksheet part (in workbook.xml)."""
    area = sheet.print_area or ((0, 0, sheet.last_row, sheet.last_col) if sheet.last_row >= 0 else None)
    return [list(area) if area else None, list(sheet.page.repeat_rows or ()) or None,
            list(sheet.autofilter or ()) or None, sheet.hidden]


def stand_in(name: str, fact: list) -> Sheet:
    """An empty sheet with those facts: xlsxwriter writes the workbook as if it were whole."""
    area, rows, flt, hidden = fact
    return Sheet(name, print_area=tuple(area) if area else None, hidden=bool(hidden),
                 autofilter=tuple(flt) if flt else None,
                 page=PageSetup(repeat_rows=tuple(rows) if rows else None))


class FixedStyles:
    """workbook_bytes hook (which registers every style in STYLES' order before any cell, so
    that a style index means the same in every file written this way)."""

    def __init__(self, strings: list[str] = (), references: int = 0,
                 parts: dict[str, str] | None = None) -> None:
        self.strings, self.references, self.parts = strings, references, parts or {}

    def start(self, wb) -> None:
        quick_sheet_names(wb)
        if self.strings:
            seed_strings(wb, list(self.strings), self.references)

    def finish(self, wb) -> None:
        """The kept sheets' stand-ins are stored as their previous parts."""
        for ws in wb.worksheets():
            if ws.name in self.parts:
                write_part_as(ws, self.parts[ws.name])


def _spliced(layout: Workbook, previous: zipfile.ZipFile, kept: dict[str, tuple[int, list]]) -> bytes | None:
    """The new file with the kept sheets' parts taken from the previous one; None when the
    previous parts cannot be used as they are."""
    if streams(layout):
        return None  # inline strings: the previous shared strings would be left out
    names = set(previous.namelist())
    parts: dict[str, str] = {}  # sheet name -> its previous part
    for name, (i, _) in kept.items():  # (each in the layout, as its stand-in)
        was = f"xl/worksheets/sheet{i + 1}.xml"
        if was not in names or f"xl/worksheets/_rels/sheet{i + 1}.xml.rels" in names:
            return None
        parts[name] = previous.read(was).decode("utf-8")
    try:
        old_strings = previous.read(STRINGS) if STRINGS in names else b""
        strings = _strings(old_strings)
    except (ElementTree.ParseError, ValueError):
        return None
    references = sum(p.count(' t="s"') for p in parts.values())
    data = workbook_bytes(layout, FixedStyles(strings, references, parts), release=True)
    fresh = zipfile.ZipFile(io.BytesIO(data))
    if fresh.read(STYLES_PART) != previous.read(STYLES_PART):
        return None
    if strings and not _same_start(old_strings, fresh.read(STRINGS)):
        return None
    if _unused_strings(fresh) > max(STALE_STRINGS_MIN, STALE_STRINGS_SHARE * len(strings)):
        return None  # texts of replaced returns linger unseen in the table: start afresh
    return data


# The shared strings a splice carries over whether or not a kept sheet still shows them (the
# texts of a replaced return): a full rebuild clears them once they pass this share.
STALE_STRINGS_MIN, STALE_STRINGS_SHARE = 200, 0.05
_STRING_CELL = re.compile(rb'<c [^>]*t="s"[^>]*><v>(\d+)</v>')


def _unused_strings(book: zipfile.ZipFile) -> int:
    """How many entries of the book's shared-string table no worksheet refers to."""
    used = {i for name in book.namelist() if name.startswith("xl/worksheets/sheet")
            for i in _STRING_CELL.findall(book.read(name))}
    table = book.read(STRINGS) if STRINGS in book.namelist() else b""
    return table.count(b"<si>") - len(used)


def _strings(xml: bytes) -> list[str]:
    """The shared strings of a file xlsxwriter wrote, in index order."""
    if not xml:
        return []
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    texts = ("".join(t.text or "" for t in si.iter(f"{ns}t"))
             for si in ElementTree.fromstring(xml).iter(f"{ns}si"))
    return [_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) for text in texts]


def _same_start(old: bytes, new: bytes) -> bool:
    """The new table lists the old strings first, written alike."""
    body = old[old.find(b"<si>"):old.rfind(b"</sst>")]
    at = new.find(b"<si>")
    return at >= 0 and new[at:at + len(body)] == body


def previous_file(path: Path, entry: dict) -> tuple[bytes, zipfile.ZipFile | None]:
    """The previous file's bytes and zip, if they are exactly what this folder's manifest says
    was written; (b"", None) otherwise."""
    try:
        data = path.read_bytes()
    except OSError:
        return b"", None
    if not entry or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return b"", None
    try:
        return data, zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return b"", None


def read_manifest(path: Path) -> dict:
    """A JSON object an earlier run left beside its outputs; {} when missing or not one."""
    try:
        got = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


def write_recorded(folder: Path, filename: str, data: bytes, manifest_name: str, manifest: dict,
                   entry: dict | None) -> Path:
    """Write data as folder/filename, and the manifest beside it for the next run, with the
    file's entry (None: none) and its SHA-256; without the manifest that run rebuilds, so
    failing to write it is no harm."""
    path = write_atomically(folder / filename, data)
    if entry is not None:
        manifest[filename] = {"sha256": hashlib.sha256(data).hexdigest(), **entry}
    try:
        # (ASCII: a str with one Chinese name would take two bytes a character)
        write_atomically(folder / manifest_name,
                         json.dumps(manifest, separators=(",", ":")).encode("ascii"))
    except OSError:
        pass
    return path
