"""Bounded checks of a zipped workbook (.xlsx/.xlsm/.ods) before python-calamine sees it.

python-calamine (Rust) trusts what a file says: a sheet with one cell at XFD1048576 makes it
allocate a dense grid of hundreds of GB and abort the whole process; a part that inflates
beyond its declared size is inflated to the end. So, before any native reader opens a zipped
workbook, every member is inflated here once, in bounded chunks, and checked:

* the member list: at most `max_members`, no duplicate names (two readers could pick
  different ones), the declared sizes add up to at most `max_uncompressed_bytes`;
* each member inflates to exactly its declared size with its declared CRC, never past the
  budget (a "zip bomb" or a lying header is refused before it is expanded);
* no XML part declares a DTD or an entity (<!DOCTYPE, <!ENTITY): Excel, WPS and LibreOffice
  never write one, and external entities and "billion laughs" need one;
* for every XML part, the bounding box of the cells that hold something (a `<c>` that is
  not an empty self-closing tag) and the last row holding a value: a sheet is handed to the
  native reader only when these are within `max_rows` and `max_cells`. Rows and cells that
  carry only a style (whole-column formatting, "millions of empty styled rows") cost nothing
  and are not counted.

Pure bytes in, facts out: nothing here knows a business rule; nothing raises.
"""
from __future__ import annotations

import functools
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Iterator
from xml.sax.saxutils import unescape as xml_unescape

from ..model.glossary import col_index
from ..model.limits import ReadLimits

MB = 1024 * 1024
IN_CHUNK = 256 * 1024
OUT_CHUNK = 1 * MB
MAX_TAG = 1 * MB  # a single tag longer than this is not a spreadsheet's
# XML parts small enough are kept as inflated (ZipCheck.parts), so that the identity
# carriers read next are not inflated a second time
KEEP_PART = 256 * 1024
KEEP_TOTAL = 4 * MB
EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384


@dataclass
class SheetScan:
    """The cells of one XML part that hold something: last row, last column, rows used."""

    max_row: int = 0
    max_col: int = 0
    bad: str = ""  # why the part's cells cannot be bounded ("" when they can)
    # cells whose value must not be taken: ((row, col) 1-based, why) - a <c> inside another
    # row's <row>, a cell given twice, a shared-string index that is no index
    damaged: list[tuple[tuple[int, int], str]] = field(default_factory=list)
    # shared-string cells as written (row digits, column letters, index digits), checked
    # against the strings' count later (strings_beyond): parsed only then
    strings: list[tuple[bytes, bytes, bytes]] = field(default_factory=list)
    # cells holding a formula: ((row, col) 1-based, its text as written, "" when shared);
    # their values are what a program last computed (the form's own 完成率, or a unit's)
    formulas: list[tuple[tuple[int, int], str]] = field(default_factory=list)
    # error cells (t="e": #DIV/0!, #N/A...): ((row, col) 1-based, the error as shown); the
    # native reader gives them as empty, as if nothing had been typed
    errors: list[tuple[tuple[int, int], str]] = field(default_factory=list)

    def strings_beyond(self, count: int) -> list[tuple[tuple[int, int], int]]:
        """((row, col) 1-based, index) of the shared-string cells whose index is not below
        `count` (no such string)."""
        digits = len(str(count))  # fewer digits than the count: below it (no int needed)
        return [((int(r), col_number(c)), int(v)) for r, c, v in self.strings
                if len(v) >= digits and int(v) >= count]

    def fits(self, limits: ReadLimits) -> bool:
        """Whether a native reader may load this part's cells."""
        return not self.bad and self.max_row <= min(limits.max_rows, EXCEL_ROWS) \
            and self.max_col <= EXCEL_COLS and self.max_row * self.max_col <= limits.max_cells


@dataclass
class ZipCheck:
    """The verdict on a zipped workbook's members.

    problem: "" when every member passed, else one of "too-many-members", "duplicate-member",
    "unzipped-too-large", "inflates-too-far", "damaged-member", "xml-dtd"; part and size say
    which member and how much. scans: XML part name -> SheetScan. parts: XML part name ->
    its bytes, for parts up to KEEP_PART (KEEP_TOTAL in all) that passed every check.
    """

    problem: str = ""
    part: str = ""
    size: int = 0
    reason: str = ""
    scans: dict[str, SheetScan] = field(default_factory=dict)
    parts: dict[str, bytes] = field(default_factory=dict)
    shared_strings: int = 0  # <si> entries in the shared-strings part(s)


_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]")
# a <c> or <row> tag (<c[\s/>]) whose first attribute is not r="…"; and what any prefixed
# <x:c>/<x:row> must contain (a cheap test before _PREFIXED)
_IMPLICIT = re.compile(rb'<(?:c|row)(?:[\t\n\r\f\v/>]| (?!r="))')
_MAYBE_PREFIXED = re.compile(rb':(?:c|row)[\s/>]')
# a reference no spreadsheet writes (Excel's last cell is XFD1048576): the patterns above
# would not match it, so its cell would go uncounted; such a sheet is refused instead
_ODD_REF = re.compile(rb'<(?:c r="(?![A-Z]{1,3}[0-9]{1,8}")|row r="(?![0-9]{1,8}"))')
_ANY_R = re.compile(rb'\br\s*=')
ODD_REF = "单元格引用超出 Excel 的范围"
_LAST_ROW = re.compile(rb'<row r="([0-9]{1,8})"')
_LAST_C = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,8})"')
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_R = re.compile(rb'\br\s*=\s*["\']([A-Za-z]{0,3})([0-9]{0,8})["\']')
_XMLISH = (".xml", ".rels", ".vml")
# every explicit <row r> and valued <c r>, with its attributes and a <v> right after it
# (possessive: [^>]* can only end at the tag's ">", so backtracking into it never helps)
_CELL_FACTS = re.compile(
    rb'<row r="([0-9]{1,8})"|<c r="([A-Z]{1,3})([0-9]{1,8})"((?:\s[^>]*+)?)(?<!/)>(?:<v>([^<]*)</v>)?')
_T_SHARED = re.compile(rb'\st="s"')
# a cell whose first child is a formula: <c r="E11" s="3"><f>1+1</f><v>2</v></c>
_FORMULA = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,8})"(?:\s[^>]*+)?(?<!/)>\s*<f(?:\s[^>]*)?(?:/>|>([^<]{0,200}))')
MAX_FORMULAS = 1000
# an error cell, its formula (if any) and the error it shows: <c r="E9" s="3" t="e"><f>1/0</f>
# <v>#DIV/0!</v></c>
_ERROR = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,8})"([^>]*+)(?<!/)>\s*'
                    rb'(?:<f(?:\s[^>]*)?/>|<f(?:\s[^>]*)?>[^<]{0,8192}</f>)?\s*<v>(#[^<]{1,30})</v>')
_T_ERROR = re.compile(rb'\st="e"')
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
# characters XML 1.0 forbids (C0 controls but tab, LF, CR), raw or as a character reference:
# LibreOffice refuses such a part (all its strings are lost), python-calamine takes them
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_CONTROL_REF = re.compile(rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])"
                          rb"|[xX]0*(?:[0-8bcefBCEF]|1[0-9a-fA-F]));")
XML_CONTROL = "含有 XML 不允许的控制字符"
MAX_TRACKED = 200_000  # cells verified per sheet (a form has a few hundred)
DAMAGED_MISPLACED = "单元格不在它所属的行中"
DAMAGED_TWICE = "同一单元格出现两次"
DAMAGED_INDEX = "共享字符串编号无效"


def _has_control(xml: bytes) -> bool:
    """Whether `xml` holds such a character; bytes.translate deletes in one C pass, many
    times faster than a regex over every byte, and a reference needs "&#" first."""
    return len(xml.translate(None, _CONTROL_BYTES)) != len(xml) or (
        b"&#" in xml and _CONTROL_REF.search(xml) is not None)




def debugging() -> bool:
    """Under --debug and in tests an unexpected error in a safety check raises; otherwise
    the file is refused with a finding (fail closed)."""
    return bool(os.environ.get("XLTOOLS_DEBUG") or os.environ.get("PYTEST_CURRENT_TEST"))


# a form's few column names, each computed once a reader (a hostile part may name many: the
# cache stays small)
@functools.lru_cache(maxsize=4096)
def col_number(letters: bytes) -> int:
    """b"A" -> 1, b"AA" -> 27 (bijective base 26; lower case as upper)."""
    return col_index(letters.decode("ascii")) + 1


class _CellScanner:
    """Feeds of an XML part's bytes in order -> SheetScan (bounded memory).

    Nothing is scanned before the part's `<sheetData` (cells live only there, whatever the
    part is called): other parts cost one bytes.find per chunk.
    """

    def __init__(self) -> None:
        self.scan = SheetScan()
        self.row, self.col = 0, 0  # where an implicit <row>/<c> continues from
        self.carry = b""
        self.waiting = True
        self.rows_seen: set[int] = set()
        # the <row r> the cells met now belong to: its column letters met, its number, as
        # written, whether it came before
        self.fact_row: tuple[set[bytes], int, bytes, bool] = (set(), 0, b"", False)
        self.facts_seen = 0

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.scan.bad:
            return
        data = self.carry + chunk
        if self.waiting:
            pos = data.find(b"sheetData")
            if pos < 0:
                self.carry = data[-16:]
                return
            self.waiting = False
            start = data.rfind(b"<", 0, pos)
            data = data[start if start >= 0 else pos:]
        cut = len(data) if final else data.rfind(b"<")
        if cut < 0:
            cut = len(data)
        elif not final:  # keep a last <c ...><v>…</v> whole for _facts
            c_start = data.rfind(b"<c ", max(0, cut - 4096), cut + 1)
            cut = c_start if c_start >= 0 else cut
        body, self.carry = data[:cut], data[cut:]
        if len(self.carry) > MAX_TAG:
            self.scan.bad = "XML 标签异常长"
            return
        if b"<" not in body:
            return
        if self._fast(body):
            return
        s = self.scan
        row, col = self.row, self.col
        for kind, attrs, empty in _TAG.findall(body):
            r = _R.search(attrs) if b"r" in attrs else None
            if r is None and b"r" in attrs and _ANY_R.search(attrs):
                s.bad = ODD_REF
                return
            if kind == b"row":
                row = int(r.group(2)) if r and r.group(2) else row + 1
                col = 0
                continue
            col = col_number(r.group(1)) if r and r.group(1) else col + 1
            if r and r.group(2):
                row = int(r.group(2))
            if empty:
                continue  # <c r="A5" s="3"/>: a style, no value
            s.max_row, s.max_col = max(s.max_row, row), max(s.max_col, col)
        self.row, self.col = row, col

    def _fast(self, body: bytes) -> bool:
        """The usual file (Excel, WPS, LibreOffice, xlsxwriter): every <row> and <c> has an
        explicit r="…" first (one regex search tells); look only at cells with a value."""
        if _IMPLICIT.search(body) or (_MAYBE_PREFIXED.search(body) and _PREFIXED.search(body)):
            return False
        s = self.scan
        if _ODD_REF.search(body):
            s.bad = ODD_REF
            return True
        facts = self._facts(body)
        if (b"<f>" in body or b"<f " in body) and len(s.formulas) < MAX_FORMULAS:
            s.formulas += [((int(row), col_number(col)), xml_unescape(text.decode("utf-8", "replace")))
                           for col, row, text in _FORMULA.findall(body)][:MAX_FORMULAS]
        if b't="e"' in body and len(s.errors) < MAX_FORMULAS:
            s.errors += [((int(row), col_number(col)), xml_unescape(err.decode("utf-8", "replace")))
                         for col, row, attrs, err in _ERROR.findall(body)
                         if _T_ERROR.search(attrs)][:MAX_FORMULAS]
        # the valued cells (column letters, row digits): _facts' match of every one
        refs = [(c, d) for _, c, d, _, _ in facts if c]
        if refs:
            s.max_row = max(s.max_row, max(map(int, [d for _, d in refs])))
            # bijective base 26 ("A" is 1): a longer name is a later column, else by letters
            last = max({c for c, _ in refs}, key=lambda c: (len(c), c))
            s.max_col = max(s.max_col, col_number(last))
        # where the next chunk's implicit positions (if any) would continue from
        pos_row, pos_c = body.rfind(b'<row r="'), body.rfind(b'<c r="')
        if pos_row > pos_c:
            self.row, self.col = int(_LAST_ROW.match(body, pos_row).group(1)), 0
        elif pos_c >= 0:
            m = _LAST_C.match(body, pos_c)
            self.row, self.col = int(m.group(2)), col_number(m.group(1))
        return True

    def _facts(self, body: bytes) -> list[tuple]:
        """Cells whose value no reader should take (see SheetScan.damaged) and shared-string
        cells with their index; only for the usual explicit r="…" files (the fast path).
        The <row r> and valued <c r> matched (_CELL_FACTS), noted up to MAX_TRACKED."""
        s = self.scan
        facts = _CELL_FACTS.findall(body)
        if self.facts_seen > MAX_TRACKED:
            return facts  # a sheet this large is no form: bounded, not verified cell by cell
        self.facts_seen += len(facts)
        # a form has thousands of cells: compared as the bytes they were written with
        # (columns are [A-Z] only, so equal letters are the same column); numbers are parsed
        # only where the bytes differ ("05" is row 5) or a cell is kept
        rows_seen, strings, damaged = self.rows_seen, s.strings, s.damaged
        cols, row, row_bytes, twice = self.fact_row
        for row_r, col, row_c, attrs, v in facts:
            if row_r:
                row, row_bytes = int(row_r), row_r
                twice = row in rows_seen
                rows_seen.add(row)
                cols = set()
                continue
            if row_c != row_bytes and int(row_c) != row:
                damaged.append(((int(row_c), col_number(col)), DAMAGED_MISPLACED))
            elif twice or col in cols:
                damaged.append(((int(row_c), col_number(col)), DAMAGED_TWICE))
            else:
                cols.add(col)
                # (b' t="s"' answers for nearly every file without the regex's \s)
                if attrs and b't="s"' in attrs and (b' t="s"' in attrs or _T_SHARED.search(attrs)):
                    if v.isdigit():
                        if len(strings) < MAX_TRACKED:
                            strings.append((row_c, col, v))
                    elif v:
                        damaged.append(((int(row_c), col_number(col)), DAMAGED_INDEX))
        self.fact_row = cols, row, row_bytes, twice
        return facts


def check_zip(data: bytes, zf: zipfile.ZipFile, limits: ReadLimits) -> ZipCheck:
    """Inflate every member of `zf` (opened on `data`) once, bounded; see the module doc."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > limits.max_members:
        return ZipCheck("too-many-members", size=len(infos))
    seen: set[str] = set()
    for i in infos:
        key = i.filename.replace("\\", "/").lower()
        if key in seen:
            return ZipCheck("duplicate-member", part=i.filename)
        seen.add(key)
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_uncompressed_bytes:
        return ZipCheck("unzipped-too-large", size=declared)
    out, budget, keep = ZipCheck(), limits.max_uncompressed_bytes, KEEP_TOTAL
    for info in infos:
        xmlish = info.filename.lower().endswith(_XMLISH)
        scanner = _CellScanner() if xmlish else None
        kept: list[bytes] | None = [] if xmlish and info.file_size <= min(KEEP_PART, keep) else None
        counter = [0, b""] if info.filename.lower().endswith("sharedstrings.xml") else None
        problem, size, reason = _inflate(data, info, budget, scanner, kept, counter)
        if problem:
            out.problem, out.part, out.size, out.reason = problem, info.filename, size, reason
            return out
        budget -= size
        if counter is not None:
            out.shared_strings += counter[0] + len(_SI.findall(counter[1]))
        scan = scanner.scan if scanner is not None else None
        if scan is not None and (scan.max_row or scan.bad or scan.damaged or scan.strings
                                 or scan.formulas):  # (it found something)
            out.scans[info.filename] = scan
        if kept is not None:
            out.parts[info.filename] = kept[0] if len(kept) == 1 else b"".join(kept)
            keep -= size
    return out


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int, scanner: _CellScanner | None,
             kept: list[bytes] | None, counter: list | None) -> tuple[str, int, str]:
    """(problem, bytes inflated, reason) for one member; problem "" when it is sound.

    scanner: an XML part's (checked for DTDs and control characters, its cells scanned).
    kept: when a list, the member's inflated bytes are appended to it (in pieces).
    counter: when a list [count, carry], the <si> entries (shared strings) are counted in it.
    """
    comp = member_data(data, info)
    if comp is None:
        return "damaged-member", 0, "本地文件头缺失"
    if len(comp) < info.compress_size:
        return "damaged-member", 0, "数据被截断"
    if info.flag_bits & 0x1:
        return "damaged-member", 0, "部件被加密"
    if info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    else:
        return "damaged-member", 0, f"不支持的压缩方式 {info.compress_type}"
    limit = min(budget, info.file_size)
    total, crc, tail = 0, 0, b""
    try:
        for out in _pieces(comp, inflater):
            total += len(out)
            if total > limit:
                # far past its record (or the budget): a bomb behind a lying header; a little
                # past it: a damaged size record, reported as damage once the stream ends
                if total > budget or total - info.file_size > OUT_CHUNK:
                    return "inflates-too-far", total, ""
                continue
            crc = zlib.crc32(out, crc)
            if scanner is not None:
                probe = tail + out if tail else out
                if b"<!DOCTYPE" in probe or b"<!ENTITY" in probe:
                    return "xml-dtd", total, ""
                if _has_control(probe):
                    return "damaged-member", total, XML_CONTROL
                tail = out[-16:]
                scanner.feed(out)
            if kept is not None:
                kept.append(out)
            if counter is not None:
                piece = counter[1] + out
                cut = piece.rfind(b"<")
                counter[0] += len(_SI.findall(piece, 0, cut if cut >= 0 else len(piece)))
                counter[1] = piece[cut:] if cut >= 0 else b""
    except zlib.error as exc:
        return "damaged-member", total, f"压缩数据损坏({exc})"
    if inflater is not None and not inflater.eof:
        return "damaged-member", total, "压缩数据不完整"
    if total != info.file_size or crc != info.CRC:
        return "damaged-member", total, "大小或校验和与记录不符"
    if scanner is not None:
        scanner.feed(b"", final=True)
    return "", total, ""


def member_data(data: bytes, info: zipfile.ZipInfo) -> memoryview | None:
    """A member's bytes as stored (compressed) in the zip file `data`, after its local header
    (30 bytes, then the name and the extra field, APPNOTE 4.3.7): a view, no copy; cut short
    when `data` is. None when there is no local header at the member's offset."""
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return None
    n, m = struct.unpack_from("<HH", head, 26)
    start = off + 30 + n + m
    return memoryview(data)[start:start + info.compress_size]


def _pieces(comp: memoryview, inflater) -> Iterator[bytes]:
    """A member's inflated bytes, at most OUT_CHUNK at a time, whatever its header claims:
    input goes in IN_CHUNK slices, so a bomb never expands more than one piece ahead."""
    if inflater is None:  # stored
        for pos in range(0, len(comp), OUT_CHUNK):
            yield bytes(comp[pos:pos + OUT_CHUNK])
        return
    pos = 0
    while not inflater.eof:
        if inflater.unconsumed_tail:
            src = inflater.unconsumed_tail
        else:
            src = comp[pos:pos + IN_CHUNK]
            pos += len(src)
        out = inflater.decompress(src, OUT_CHUNK)
        if out:
            yield out
        elif not src:
            return  # no input left and nothing more comes out: the stream ends early
