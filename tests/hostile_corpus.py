"""Build the hostile-inbox corpus: every kind of broken or dangerous file an office inbox can
hold, next to good returns that must still merge. No binary blob is committed: every file is
made here from the small test plan (tests/conftest.py), the real form writer and the stdlib.

    python tests/hostile_corpus.py OUTDIR      # writes OUTDIR/plan.json, good/, cases/<id>/

Importable: `build(outdir)` returns the Corpus (paths, cases with expected code and status);
tests/test_hostile_inbox.py runs `xltools collect` on good/ + each cases/<id>/.
"""
from __future__ import annotations

import io
import os
import random
import shutil
import stat
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from conftest import make_small_plan  # noqa: E402
from xltools.forms.registry import REPORT_V1  # noqa: E402

FIELD_COLS = REPORT_V1.fill_in()
from xltools.planfile import save_plan  # noqa: E402
from xltools.simulate import fill_report, fill_town  # noqa: E402
from xltools.xlsx.writer import workbook_bytes  # noqa: E402

PERIOD = "2019Q1"
PASSWORD = "督办2019"
ON_TIME = datetime(2019, 4, 5, 9, 30).timestamp()
MB = 1024 * 1024
GOOD_UNITS = ("区发改局", "区人社局")  # reports in good/
GOOD_TOWN = "锣场镇"  # town form in good/
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HOSTILE_TEXT = ['=HYPERLINK("http://evil.example/x","点击")', "=cmd|' /C calc'!A0",
                "+SUM(1,2)", "@x", "-1+1", "http://evil.example/phish"]


@dataclass
class Case:
    """One hostile case: the files of cases/<id>/, what collect must say, how to run it."""

    id: str
    code: str  # the finding code expected (on the case's own file)
    status: str  # the case file's status: rejected / ignored / accepted
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes
    unit: str = ""  # an accepted case file's unit (must then be in ledger.current)
    password: str | None = None
    limits: dict = field(default_factory=dict)  # Limits(**limits) for this run
    received: bool = True  # whether the bytes are received (archived) at all


@dataclass
class Corpus:
    root: Path
    plan_path: Path
    good: Path
    cases: dict[str, Case]

    def case_dir(self, case_id: str) -> Path:
        return self.root / "cases" / case_id


# ------------------------------------------------------------------ good returns
def plan():
    return make_small_plan()


def report_bytes(unit: str, seed: int = 1, edit=None) -> bytes:
    p = plan()
    wb = fill_report(p, unit, p.period(PERIOD), random.Random(seed))
    if edit:
        edit(wb.sheets[0])
    return workbook_bytes(wb)


def town_bytes(label: str, seed: int = 2) -> bytes:
    p = plan()
    return workbook_bytes(fill_town(p, label, p.period(PERIOD), random.Random(seed)))


def first_task_cell(sheet, field_name: str, unit: str = "区财政局") -> tuple[int, int]:
    """(row, col) of the first task row's cell of a field on a unit's report form."""
    from xltools.generate.report_form import report_form
    p = plan()
    _, fmap = report_form(p, p.unit(unit), p.period(PERIOD))
    return fmap.first_task_row, FIELD_COLS[field_name]


def with_text(unit: str, field_name: str, text: str, seed: int = 1) -> bytes:
    def edit(sh):
        sh.cells[first_task_cell(sh, field_name, unit)].value = text
    return report_bytes(unit, seed, edit)


# ------------------------------------------------------------------ zip surgery
def rewrite_zip(data: bytes, changes: dict[str, object], extra: dict[str, bytes] | None = None,
                content_types=None) -> bytes:
    """A copy of a zip with some members' bytes changed (value or function of old bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename in changes:
                ch = changes[info.filename]
                body = ch(body) if callable(ch) else ch
            if info.filename == "[Content_Types].xml" and content_types:
                body = content_types(body)
            z.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return out.getvalue()


def form_sheet_part(data: bytes) -> str:
    return "xl/worksheets/sheet1.xml"


def append_rows(data: bytes, rows_xml: bytes) -> bytes:
    """The form sheet with rows appended at the end of sheetData."""
    part = form_sheet_part(data)
    return rewrite_zip(data, {part: lambda b: b.replace(b"</sheetData>", rows_xml + b"</sheetData>")})


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from ready members: (name, stored/deflated bytes, method, crc, declared size);
    the declared size may lie (that is the point)."""
    out = bytearray()
    central = bytearray()
    for name, raw, method, crc, size in entries:
        n = name.encode()
        off = len(out)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0x800, method, 0, 0x4E21, crc,
                           len(raw), size, len(n), 0) + n + raw
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0x800, method, 0, 0x4E21,
                               crc, len(raw), size, len(n), 0, 0, 0, 0, 0, off) + n
    cd_off = len(out)
    out += central
    out += struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                       len(central), cd_off, 0)
    return bytes(out)


def deflate(body: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(body) + c.flush(), zlib.crc32(body), len(body)


def deflate_repeat(prefix: bytes, block: bytes, times: int, suffix: bytes = b"") -> tuple[bytes, int, int]:
    """Raw deflate of prefix + block*times + suffix without ever holding it: the block is
    compressed once after a full flush and its bytes repeated (a classic bomb)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(suffix) + c.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    return head + piece * times + tail, crc, len(prefix) + len(block) * times + len(suffix)


def workbook_with_raw_member(data: bytes, part: str, raw: bytes, crc: int, size: int) -> bytes:
    """A workbook whose `part` is replaced by ready deflate bytes (maybe with a lying size)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = []
    for info in src.infolist():
        if info.filename == part:
            entries.append((part, raw, 8, crc, size))
        else:
            entries.append((info.filename, *_deflated(src.read(info))))
    return raw_zip(entries)


def _deflated(body: bytes) -> tuple[bytes, int, int, int]:
    raw, crc, size = deflate(body)
    return raw, 8, crc, size


# ------------------------------------------------------------------ other formats
def ole_bytes(streams: list[str]) -> bytes:
    """A minimal OLE2 compound file whose directory lists `streams` (all empty)."""
    free, end, fatsect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    hdr = bytearray(512)
    hdr[:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", hdr, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", hdr, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", hdr, 76, 0, *([free] * 108))
    fat = struct.pack("<128I", fatsect, end, *([free] * 126))

    def entry(name: str, etype: int, child: int = nostream, right: int = nostream) -> bytes:
        e = bytearray(128)
        raw = (name + "\x00").encode("utf-16-le")
        e[:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), etype, 1)
        struct.pack_into("<III", e, 68, nostream, right, child)
        struct.pack_into("<IQ", e, 116, end, 0)
        return bytes(e)

    ents = [entry("Root Entry", 5, child=1 if streams else nostream)]
    for i, s in enumerate(streams[:3]):
        ents.append(entry(s, 2, right=i + 2 if i + 1 < len(streams[:3]) else nostream))
    directory = b"".join(ents).ljust(512, b"\x00")
    return bytes(hdr) + fat + directory


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def ods_bytes(table_xml: str) -> bytes:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="报表">' + table_xml +
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?>'
                   '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                   'manifest:1.0"/>')
    return buf.getvalue()


def encrypted(data: bytes, password: str = PASSWORD) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def macro_enabled(data: bytes) -> bytes:
    return rewrite_zip(
        data, {}, extra={"xl/vbaProject.bin": OLE_MAGIC + b"\x00" * 504},
        content_types=lambda b: b.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
        .replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-'
                 b'office.vbaProject"/></Types>'))


def zip_with(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(zipfile.ZipInfo(name, (2019, 4, 5, 9, 0, 0)), body,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def escaping_zip(good_member: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("../../逃逸.xlsx", good_member)
        z.writestr("/etc/xltools-abs.xlsx", good_member)
        z.writestr("C:/Windows/evil.xlsx", good_member)
        link = zipfile.ZipInfo("链接.xlsx")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
        z.writestr("正常/区财政局.xlsx", good_member)
    return buf.getvalue()


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%s;" % (b"" if i == 1 else
                                                                            str(i - 1).encode())) * 10)
                             for i in range(1, 10))
                  + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    b'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


# ------------------------------------------------------------------ the cases
CASE_IDS = [
    "empty", "truncated", "random-bytes", "html-as-xls", "csv-as-xlsx", "word-as-xlsx",
    "ole-not-workbook", "lock-file", "wps-et", "password-none", "password-wrong",
    "password-right", "macro-xlsm", "workbook-bomb", "workbook-bomb-lying-size",
    "zip-bomb-attachment", "xml-billion-laughs", "xml-external-entity", "dimension-whole-grid",
    "cell-at-xfd1048576", "ods-whole-grid", "ods-too-many-rows", "too-many-rows", "million-styled-rows", "long-text",
    "deep-folders", "deep-but-allowed", "odd-long-name", "same-name-two-folders",
    "zip-escaping-members", "hostile-text", "sheet-named-like-a-link"]  # the ids of cases(), for pytest's parametrize


def cases() -> list[Case]:
    fin = report_bytes("区财政局", 3)  # 区财政局's good return, used inside several cases
    jie = report_bytes("解放街办", 4)
    half = len(fin) // 2
    rnd = random.Random(2019)
    bomb = deflate_repeat(b"", b"\x00" * MB, 200)  # 200 MB of zeros in ~200 KB
    out = [
        Case("empty", "empty-file", "rejected", {"空文件.xlsx": b""}),
        Case("truncated", "damaged-file", "rejected", {"区财政局(下载中断).xlsx": fin[:half]}),
        Case("random-bytes", "damaged-file", "rejected", {"乱码.xlsx": rnd.randbytes(8192)}),
        Case("html-as-xls", "html-disguised-as-xls", "rejected", {
            "系统导出.xls": "<html><body><table><tr><td>任务</td><td>80%</td></tr></table>"
                          "</body></html>".encode("gbk")}),
        Case("csv-as-xlsx", "text-disguised-as-spreadsheet", "rejected", {
            "数据.xlsx": "序号,任务,完成进度\n1,加强政府债务管理,80%\n".encode("gbk")}),
        Case("word-as-xlsx", "word-document", "rejected", {"区财政局报表.xlsx": docx_bytes()}),
        Case("ole-not-workbook", "ole-not-workbook", "rejected",
             {"旧格式.xls": ole_bytes(["Contents"])}),
        Case("lock-file", "junk-ignored", "ignored", {"~$区财政局报表.xlsx": b"\x06" + b"\x00" * 164}),
        Case("wps-et", "wps-et-file", "rejected", {"区财政局报表.et": ole_bytes(["Workbook"])}),
        Case("password-none", "password-protected", "rejected",
             {"区财政局(加密).xlsx": encrypted(fin)}),
        Case("password-wrong", "password-wrong", "rejected",
             {"区财政局(加密).xlsx": encrypted(fin)}, password="不对的密码"),
        Case("password-right", "", "accepted", {"区财政局(加密).xlsx": encrypted(fin)},
             unit="区财政局", password=PASSWORD),
        Case("macro-xlsm", "macro-ignored", "accepted", {"区财政局报表.xlsm": macro_enabled(fin)},
             unit="区财政局"),
        Case("workbook-bomb", "workbook-too-large-unzipped", "rejected", {
            "区财政局报表.xlsx": workbook_with_raw_member(
                fin, "xl/worksheets/sheet1.xml",
                *deflate_repeat(b"<worksheet><sheetData>", b" " * MB, 600, b"</sheetData></worksheet>"))}),
        Case("workbook-bomb-lying-size", "workbook-too-large-unzipped", "rejected", {
            "区财政局报表.xlsx": workbook_with_raw_member(
                fin, "xl/sharedStrings.xml",
                *deflate_repeat(b"<sst>", b" " * MB, 64, b"</sst>")[:2], 4096)}),
        Case("zip-bomb-attachment", "zip-bomb", "rejected", {"附件.zip": raw_zip([
            ("炸弹.xlsx", bomb[0], 8, bomb[1], bomb[2]), ("区财政局.xlsx", *_deflated(fin))])}),
        Case("xml-billion-laughs", "workbook-xml-unsafe", "rejected", {
            "区财政局报表.xlsx": rewrite_zip(fin, {"xl/sharedStrings.xml": BILLION_LAUGHS})}),
        Case("xml-external-entity", "workbook-xml-unsafe", "rejected", {
            "区财政局报表.xlsx": rewrite_zip(fin, {"xl/workbook.xml": lambda b: b.replace(
                b"?>", b"?>" + XXE[len(b'<?xml version="1.0"?>'):], 1)})}),
        Case("dimension-whole-grid", "", "accepted", {
            "区财政局报表.xlsx": rewrite_zip(fin, {"xl/worksheets/sheet1.xml": lambda b: __import__(
                "re").sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', b)})},
             unit="区财政局"),
        Case("cell-at-xfd1048576", "sheet-too-large", "rejected", {
            "区财政局报表.xlsx": append_rows(
                fin, b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')}),
        Case("ods-whole-grid", "reader-crashed", "rejected", {
            "区财政局报表.ods": ods_bytes(
                '<table:table-row table:number-rows-repeated="9000"><table:table-cell '
                'table:number-columns-repeated="10000" office:value-type="string"><text:p>x'
                '</text:p></table:table-cell></table:table-row>')},
             limits={"max_memory_bytes": 400 * MB, "max_uncompressed_bytes": 50 * MB}),
        Case("ods-too-many-rows", "sheet-too-large", "rejected", {
            "区财政局报表.ods": ods_bytes(
                '<table:table-row table:number-rows-repeated="150000"><table:table-cell '
                'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
                '</table:table-row>')}),
        Case("too-many-rows", "sheet-too-large", "rejected", {
            "区财政局报表.xlsx": append_rows(fin, b"".join(
                b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i)
                for i in range(60, 150_060)))}),
        Case("million-styled-rows", "", "accepted", {
            "区财政局报表.xlsx": append_rows(fin, b"".join(
                b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/><c r="B%d" s="1"/></row>'
                % (i, i, i) for i in range(60, 1_048_577)))}, unit="区财政局"),
        Case("long-text", "text-too-long", "accepted", {
            "区财政局报表.xlsx": rewrite_zip(
                with_text("区财政局", "完成情况", "LONGTEXTMARKER", 3),
                {"xl/sharedStrings.xml": lambda b: b.replace(
                    b"LONGTEXTMARKER", "很长的说明。".encode() * 20_000)})}, unit="区财政局"),
        Case("deep-folders", "folder-too-deep", "rejected", {
            "/".join(f"第{i}层" for i in range(1, 26)) + "/区财政局报表.xlsx": fin},
             received=False),
        Case("deep-but-allowed", "", "accepted", {
            "/".join(f"第{i}层" for i in range(1, 19)) + "/区财政局报表.xlsx": fin}, unit="区财政局"),
        Case("odd-long-name", "", "accepted", {
            ("=HYPERLINK(\"http://evil.example\")\n区财政局‮xslx.报表" + "长" * 60)[:80] + ".xlsx": fin},
             unit="区财政局"),
        Case("same-name-two-folders", "", "accepted", {"甲/报表.xlsx": fin, "乙/报表.xlsx": jie},
             unit="区财政局"),
        Case("zip-escaping-members", "zip-member-unsafe", "rejected",
             {"附件.zip": escaping_zip(fin)}),
        Case("hostile-text", "", "accepted", {
            "区财政局报表.xlsx": report_bytes("区财政局", 3, _hostile_edit)}, unit="区财政局"),
        Case("sheet-named-like-a-link", "sheet-renamed", "accepted", {
            "区财政局报表.xlsx": rewrite_zip(fin, {"xl/workbook.xml": lambda b: b.replace(
                '<sheet name="季度报表"'.encode(), b'<sheet name="http://evil.example/x"')})},
             unit="区财政局"),
    ]
    return out


def _hostile_edit(sh) -> None:
    """Formula-looking and link text in the fill-in cells: the task row's text fields and
    the header's 填报人 and 联系电话."""
    r, _ = first_task_cell(sh, "完成情况")
    texts = iter(HOSTILE_TEXT)
    for f in ["完成情况", "存在问题", "下一步计划"]:
        sh.cells[(r, FIELD_COLS[f])].value = next(texts)
    for (row, col), cell in list(sh.cells.items()):
        if cell.value in ("填报人:", "联系电话:"):
            sh.cells[(row, col + 1)].value = next(texts)


# ------------------------------------------------------------------ writing
def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (ON_TIME, ON_TIME))


def write_good(folder: Path) -> None:
    for i, unit in enumerate(GOOD_UNITS):
        _write(folder / "部门" / f"{unit}报表.xlsx", report_bytes(unit, 10 + i))
    _write(folder / "乡镇" / f"{GOOD_TOWN}指标.xlsx", town_bytes(GOOD_TOWN))


def build(outdir: str | os.PathLike, only: list[str] | None = None) -> Corpus:
    """Write the plan, the good returns and every case (or those in `only`) into outdir."""
    root = Path(outdir)
    root.mkdir(parents=True, exist_ok=True)
    plan_path = save_plan(plan(), root / "plan.json")
    good = root / "good"
    shutil.rmtree(good, ignore_errors=True)
    write_good(good)
    made: dict[str, Case] = {}
    for case in cases():
        if only and case.id not in only:
            continue
        folder = root / "cases" / case.id
        shutil.rmtree(folder, ignore_errors=True)
        for rel, data in case.files.items():
            _write(folder / rel, data)
        made[case.id] = case
    return Corpus(root, Path(plan_path), good, made)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("用法:python tests/hostile_corpus.py OUTDIR", file=sys.stderr)
        sys.exit(2)
    c = build(sys.argv[1])
    print(f"已写入 {c.root}:计划 {c.plan_path.name},正常回收 {c.good},"
          f"异常样本 {len(c.cases)} 组(cases/<编号>/)。")
