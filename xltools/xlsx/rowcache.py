"""Rows kept from the previous file: a streamed sheet made while written (Sheet.rows) and
written again after a late return copies, from the file the folder already holds, the rows
that would come out the same, instead of making them: whole blocks whose key is unchanged
(the 汇总表's task blocks), single rows of a block made again whose digest and place are
unchanged, and the rows of a flat table whose digest is unchanged, moved to their new row.

Sound for the reasons xlsx.splice is: a block's key digests everything its rows are made
from (xltools' code and xlsxwriter's version, the styles, the sheet's columns, the block's
first row and the pager's state there, its values); a streamed part holds its strings inline
and registers its styles in one fixed order, so a block's <row> elements mean the same in
any file written so; and the previous file is used only if it is exactly what this folder's
manifest says was written (SHA-256). A block not found there is simply made.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..sheet.layout import Sheet, Verbatim, Workbook
from ..sheet.styles import STYLES
from .compat import compressing_in_pieces
from .deflate import PartPieces
from .splice import code_version, int_list, previous_file, read_manifest, write_recorded
from .writer import streams, workbook_bytes

MANIFEST = ".xltools-rows.json"  # {file: {"sha256", "sheets": {name: {"part", "blocks", "rows"}}}}
# entry: [first, stop, merges, last_col, state]: rows first..stop-1, the merges inside them
# in the order the writer registers them, and what the caller needs to go on after them.
# rows: [numbers, digests, facts…] (columns: a province's 90,000 rows read in a blink), each
# row's digest of its values and facts (what the caller knows of its place: height, the
# styles over it): in a block made again (a late unit's task), a row whose digest and facts
# are unchanged is copied.


class SheetRows:
    """One sheet's rows: what the previous file holds of it, and what is written now."""

    def __init__(self, sheet: str, old: dict | None = None,
                 reader: "_PartRows | None" = None) -> None:
        old = old or {}
        self.sheet = sheet
        self._base = hashlib.blake2b(f"{code_version()}{STYLES!r}{sheet!r}".encode(),
                                     digest_size=20)
        self._row_base = self._base
        self.old, self._old = _blocks(old.get("blocks")), _columns(old.get("rows"))
        self._at = {row: i for i, row in enumerate(self._old[0])}  # row -> its index there
        self._by_digest: dict[str, list[int]] | None = None
        self.blocks: dict[str, list] = {}  # key -> entry, of the file being written
        # numbers, digests, facts… of the rows of the file being written (columns, as saved:
        # a province's 90,000 rows are some 40 MB less than as a tuple each)
        self.rows: list[list] = []
        self.copied = 0  # blocks taken whole
        self._reader, self._unrecorded = reader, False

    def key(self, *made_of: object) -> str:
        """The digest of what a block is made from: its first row, what its rows depend on
        above it (the pager's state), its values."""
        h = self._base.copy()
        h.update(repr(made_of).encode())
        return h.hexdigest()

    def row_context(self, *made_of: object) -> None:
        """What every row's digest depends on besides its values (the sheet's columns)."""
        self._row_base = hashlib.blake2b(f"{code_version()}{STYLES!r}{self.sheet!r}{made_of!r}"
                                         .encode(), digest_size=8)

    def row_digest(self, values: object) -> str:
        h = self._row_base.copy()
        h.update(repr(values).encode())
        return h.hexdigest()

    def old_row(self, row: int) -> tuple | None:
        """(digest, facts…) of row `row` as the previous file holds it."""
        i = self._at.get(row)
        return None if i is None else tuple(c[i] for c in self._old[1:])

    def record(self, rows: list[int], digests: list[str], *facts: list) -> None:
        """Record rows made now (or copied) for the next run: their numbers, digests and
        facts, a column each."""
        columns = [rows, digests, *facts]
        if not self.rows:
            self.rows = [[] for _ in columns]
        if len(columns) != len(self.rows) or len({len(c) for c in columns}) != 1:
            self.rows = [[], []]  # (rows of another shape, from a manifest edited by hand:
            self._unrecorded = True  # none recorded, and the next run makes them all)
        if not self._unrecorded:
            for mine, given in zip(self.rows, columns):
                mine.extend(given)

    def put_rows(self, sheet: Sheet, first: int, stop: int, last_col: int,
                 was: int | None = None) -> bool:
        """Hand rows first..stop-1 to the writer as the previous file holds them (at rows
        was.., moved: a flat table's rows after others came or went); False if it cannot
        (they must be made)."""
        return self._put(sheet, first, stop, (), last_col, first if was is None else was)

    def _put(self, sheet: Sheet, first: int, stop: int, merges: tuple, last_col: int,
             was: int) -> bool:
        """put_rows, with the merges inside the rows (take's blocks)."""
        if self._reader is None or not sheet.takes_verbatim:
            return False
        xml = self._reader.rows(was, was + stop - first)
        if xml is None:
            return False
        sheet.put_verbatim(Verbatim(first, stop, _moved(xml, first - was), merges, last_col))
        return True

    def where(self, digest: str, after: int) -> int | None:
        """A row below `after` the previous file holds with this digest (a flat table's
        rows, in order: the part is read forward), or None."""
        if self._by_digest is None:
            self._by_digest = {}
            for row, held in sorted(zip(self._old[0], self._old[1])):
                self._by_digest.setdefault(held, []).append(row)
        rows = self._by_digest.get(digest)
        while rows and rows[0] <= after:
            rows.pop(0)
        return rows.pop(0) if rows else None

    def take(self, sheet: Sheet, key: str, first: int, stop: int) -> object | None:
        """Hand rows first..stop-1 to the writer as the previous file holds them, if it holds
        that block and the sheet is streamed; the state recorded with it, or None."""
        entry = self.old.get(key)
        if entry is None or entry[:2] != [first, stop] \
                or not self._put(sheet, first, stop, tuple(map(tuple, entry[2])), entry[3], first):
            return None
        self.blocks[key] = entry
        held = [self._at[r] for r in range(first, stop) if r in self._at]
        if held:
            self.record(*([c[i] for i in held] for c in self._old))
        self.copied += 1
        return entry[4]

    def made(self, key: str, first: int, stop: int, merges, last_col: int, state: object) -> None:
        """Record a block made now (its merges: Sheet.merges it added) for the next run."""
        order = sorted(((m.first_row, m.first_col, m.last_row, m.last_col) for m in merges),
                       key=lambda m: (m[2], m[0], m[1]))  # (as _RowWriter registers them)
        self.blocks[key] = [first, stop, [list(m) for m in order], last_col, state]

    def finish(self) -> None:
        """The sheet's rows are all placed: let go of what the previous file held."""
        self.old, self._old, self._at, self._by_digest = {}, [[], []], {}, None
        self._reader = None

    def saved(self, part: str) -> dict:
        return {"part": part, "blocks": self.blocks, "rows": self.rows}


_REFS = re.compile(r'(<row r="|<c r="[A-Z]{1,3})(\d+)"')  # (text has "<" escaped: never matches)


def _moved(xml: str, by: int) -> str:
    """Rows' xml with their row numbers moved `by` rows."""
    return _REFS.sub(lambda m: f'{m.group(1)}{int(m.group(2)) + by}"', xml) if by else xml


def _blocks(blocks: object) -> dict:
    """The blocks of a manifest, those in the shape made() writes (hand edits not trusted)."""
    if not isinstance(blocks, dict):
        return {}
    return {k: v for k, v in blocks.items() if isinstance(k, str) and _entry(v)}


def _columns(columns: object) -> list[list]:
    """The rows of a manifest: [numbers, digests, facts…]; none if not in the shape written."""
    if (not isinstance(columns, list) or len(columns) < 2
            or not all(isinstance(c, list) for c in columns)
            or len({len(c) for c in columns}) != 1 or any(type(r) is not int for r in columns[0])):
        return [[], []]
    for c in columns[2:]:  # (a fact's repeated words once, not once a row)
        c[:] = [sys.intern(v) if type(v) is str else v for v in c]
    return columns


class KeptRows:
    """What a workbook's sheets take from the previous file (SheetRows each)."""

    def __init__(self, manifest: dict | None = None, entry: dict | None = None,
                 previous: zipfile.ZipFile | None = None, data: bytes = b"") -> None:
        self.manifest, self._entry, self._zip = manifest or {}, entry or {}, previous
        self.sheets: dict[str, SheetRows] = {}
        # the previous file's big parts, deflated in pieces: those unchanged are copied
        self.pieces = PartPieces(self._entry.get("pieces"), previous, data)

    def sheet(self, name: str) -> SheetRows:
        """The rows of sheet `name` (its part read from the previous file when it is used)."""
        got = self.sheets.get(name)
        if got is None:  # (the manifest's copy let go: the new one replaces it)
            old = (self._entry.get("sheets") or {}).pop(name, None)
            reader = None
            if isinstance(old, dict) and self._zip is not None:
                try:
                    reader = _PartRows(self._zip.open(str(old.get("part"))))
                except (KeyError, zipfile.BadZipFile, ValueError):
                    old = None
            got = self.sheets[name] = SheetRows(name, old if reader else None, reader)
        return got

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    @classmethod
    def load(cls, folder: Path, filename: str) -> "KeptRows":
        """What the previous folder/filename holds, if it is what the manifest describes."""
        manifest = read_manifest(folder / MANIFEST)
        entry = manifest.pop(filename, None)  # (written anew: held only while used)
        if not isinstance(entry, dict) or not isinstance(entry.get("sheets"), dict):
            return cls(manifest)
        data, previous = previous_file(folder / filename, entry)
        return cls(manifest) if previous is None else cls(manifest, entry, previous, data)


def _entry(v: object) -> bool:
    """An entry in the shape made() writes; its state is a pager's: [used, [breaks]]."""
    return (isinstance(v, list) and len(v) == 5 and int_list([v[0], v[1], v[3]])
            and isinstance(v[2], list) and all(int_list(m, 4) for m in v[2])
            and isinstance(v[4], list) and len(v[4]) == 2
            and type(v[4][0]) in (int, float) and int_list(v[4][1]))


def write_keeping_rows(filename: str, build: Callable[[KeptRows], Workbook],
                       folder: str | os.PathLike) -> Path:
    """Write the workbook build(kept) lays out as folder/filename, its sheets' rows taken
    from the previous file through `kept` where they may; record them for the next run."""
    folder = Path(folder)
    kept = KeptRows.load(folder, filename)
    try:
        layout = build(kept)
        streamed = streams(layout)
        parts = {s.name: f"xl/worksheets/sheet{i + 1}.xml" for i, s in enumerate(layout.sheets)}
        with compressing_in_pieces(kept.pieces):
            data = workbook_bytes(layout)
        del layout  # (its heights and merges: a province's are tens of MB)
    finally:
        kept.close()
    # (kept.manifest is without this file's entry, KeptRows.load took it out; a file written
    # in memory gets none: its strings are shared, its rows would not stand alone)
    sheets = {name: rows.saved(parts[name]) for name, rows in kept.sheets.items() if name in parts}
    return write_recorded(folder, filename, data, MANIFEST, kept.manifest,
                          {"sheets": sheets, "pieces": kept.pieces.written} if streamed else None)


class _PartRows:
    """Reads a worksheet part forward, rows after rows, holding about one chunk at a time."""

    CHUNK = 1 << 20

    def __init__(self, stream) -> None:
        self.stream, self.buf, self.at, self.eof = stream, b"", 0, False

    def _more(self) -> bool:
        """Read the next chunk, letting go of what lies before `at`."""
        got = b"" if self.eof else self.stream.read(self.CHUNK)
        self.eof = not got
        self.buf = self.buf[self.at:] + got
        self.at = 0
        return bool(got)

    def _find(self, needle: bytes, start: int, drop: bool = False) -> int:
        """Where `needle` next begins at or after `start` (an offset from `at`), reading on
        as needed; -1 at the end of the part. drop: what is passed over is let go (`at`
        moves). `start` and the result are offsets from `at`."""
        while True:
            i = self.buf.find(needle, self.at + start)
            if i >= 0:
                return i - self.at
            scanned = max(self.at + start, len(self.buf) - len(needle) + 1)
            if drop:
                self.at, start = scanned, 0
            else:
                start = scanned - self.at
            if not self._more():
                return -1

    def rows(self, first: int, stop: int) -> str | None:
        """The <row> elements of rows first..stop-1 (0-based), as the part holds them."""
        i = self._find(b'<row r="%d"' % (first + 1), 0, drop=True)
        if i < 0:
            return None
        self.at += i  # (what lies before is let go at the next read)
        last = self._find(b'<row r="%d"' % stop, 0)  # its last row: every row of a block has cells
        end = self._find(b"<row ", last + 1) if last >= 0 else -1
        if end < 0 and last >= 0:  # (the last rows of the sheet)
            end = self._find(b"</sheetData>", last + 1)
        if end < 0:
            return None
        xml = self.buf[self.at:self.at + end]
        self.at += end
        return xml.decode("utf-8")
