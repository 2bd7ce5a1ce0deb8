"""Readers that only give what is in the file: byte-level edits of a generated form (.xlsx) and
files in old formats. Text that is not in a cell never appears as its value; a damaged cell is
a finding at that cell (cell-damaged), never a value.

python-calamine defects these tests pin (the readers work around them):
* a shared-string cell whose <v> is no index (-1, 1.5, abc, " 3 ") reads as string 0;
* `&#1;` and raw control characters come through as text;
* a <c r="D7"> written inside <row r="6"> is taken at D7, a cell given twice is taken once.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import make_small_plan
from xltools.collect.limits import DEFAULT_LIMITS as LIMITS
from xltools.collect.examine import examine
from xltools.forms.identity import embed_identity
from xltools.generate.report_form import report_form
from xltools.model.returns import Received
from xltools.xlsx import xls
from xltools.xlsx.cells import read_identity, read_workbook
from xltools.xlsx.writer import write_workbook

S, Q1 = "季度报表", "2019Q1"
T = "\u91cf\u5316\u6307\u6807"  # 量化指标: the report's second visible sheet (REPORT_V2)
TITLE = "2019年《政府工作报告》目标任务落实情况报表"  # shared string 0 of the form
needs_gnumeric = pytest.mark.skipif(shutil.which("ssconvert") is None,
                                    reason="Gnumeric (ssconvert) 未安装:apt-get install gnumeric")


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> tuple[Path, object]:
    plan = make_small_plan()
    wb, _ = report_form(plan, plan.unit("区发改局"), plan.period(Q1))
    embed_identity(wb, plan.plan_id, "report", "区发改局", Q1)
    wb.filename = "fg.xlsx"
    return write_workbook(wb, tmp_path_factory.mktemp("readers")), plan


def _edit(src: Path, dst: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of src with one byte-level edit of one zip member (as a tool or a fuzzer makes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                assert old in data, old
                data = data.replace(old, new, 1)
            zout.writestr(info, data)
    return dst


def _examine(path: Path, plan):
    rec = Received(path=str(path), display=path.name, name=path.name, sha256="0" * 64,
                   size=path.stat().st_size, received_at="2019-04-08T10:00:00")
    return examine(rec, plan, Q1)


def _sheet_xml(src: Path) -> bytes:
    with zipfile.ZipFile(src) as z:
        return z.read("xl/worksheets/sheet1.xml")


def _d6(src: Path) -> bytes:
    return re.search(rb'<c r="D6"[^>]*/>', _sheet_xml(src)).group(0)


@pytest.mark.parametrize("index", [b"-1", b"1.5", b"abc", b" 3 ", b"99999"])
def test_shared_string_index_that_is_no_index_is_a_finding_not_the_title(form, tmp_path, index):
    src, plan = form
    dst = _edit(src, tmp_path / "m.xlsx", "xl/worksheets/sheet1.xml", _d6(src),
                b'<c r="D6" s="9" t="s"><v>' + index + b"</v></c>")
    fr = _examine(dst, plan)
    pairs = {(f.code, f.cell) for f in fr.findings}
    assert ("cell-damaged", "D6") in pairs
    if index == b"99999":  # python-calamine fails the whole sheet: said so, not "sheet missing"
        assert pairs == {("cell-damaged", "D6"), ("sheet-unreadable", "")} and not fr.tasks
        assert "季度报表" in next(f.message for f in fr.findings if f.code == "sheet-unreadable")
        return
    assert fr.tasks and fr.tasks[0].completion != TITLE and TITLE not in str(fr.tasks[0])
    _, grids = read_workbook(dst, LIMITS)
    assert grids.rows[S][5][3] == ""


@pytest.mark.parametrize("text", [b"\xe5\xae\x8c\xe6\x88\x90&#1;", b"\xe5\xae\x8c\xe6\x88\x90&#x1F;",
                                  b"\xe5\xae\x8c\xe6\x88\x90\x00"])
def test_control_characters_are_a_finding_at_the_cell(form, tmp_path, text):
    src, plan = form
    dst = _edit(src, tmp_path / "m.xlsx", "xl/worksheets/sheet1.xml", _d6(src),
                b'<c r="D6" s="9" t="inlineStr"><is><t>' + text + b"</t></is></c>")
    fr = _examine(dst, plan)
    # XML 1.0 forbids them: LibreOffice drops the whole part, so the file is damaged (one finding)
    assert [f.code for f in fr.findings] == ["damaged-file"] and not fr.tasks
    assert "控制字符" in fr.findings[0].message and "sheet1.xml" in fr.findings[0].message


def test_control_characters_from_any_reader_are_a_finding_at_the_cell():
    from xltools.xlsx.cells import Grids, _blank, _control_chars
    grids = Grids(rows={S: [["a", "b\x01c"], ["\x00", 1.0]]})
    _blank(grids, S, _control_chars(grids.rows[S]))
    assert grids.rows[S] == [["a", ""], ["", 1.0]]
    assert grids.damaged == [(S, 0, 1, "含有控制字符"), (S, 1, 0, "含有控制字符")]


def test_a_cell_in_the_wrong_row_or_given_twice_is_a_finding(form, tmp_path):
    src, plan = form
    misplaced = b'<c r="D7" s="9" t="inlineStr"><is><t>\xe7\x94\xb2</t></is></c>'  # 甲 in row 6
    dst = _edit(src, tmp_path / "a.xlsx", "xl/worksheets/sheet1.xml", _d6(src), misplaced)
    fr = _examine(dst, plan)
    assert ("cell-damaged", "D7") in {(f.code, f.cell) for f in fr.findings}
    assert all("\u7532" not in t.completion for t in fr.tasks)
    twice = b'<c r="D6" s="9" t="inlineStr"><is><t>\xe7\x94\xb2</t></is></c>' \
            b'<c r="D6" s="9" t="inlineStr"><is><t>\xe4\xb9\x99</t></is></c>'  # 甲 then 乙
    dst = _edit(src, tmp_path / "b.xlsx", "xl/worksheets/sheet1.xml", _d6(src), twice)
    fr = _examine(dst, plan)
    assert ("cell-damaged", "D6") in {(f.code, f.cell) for f in fr.findings}
    assert fr.tasks[0].completion == ""


def test_an_untouched_form_has_no_damaged_cell(form):
    src, plan = form
    reading, grids = read_workbook(src, LIMITS)
    assert grids.damaged == [] and reading.identity is not None


def test_excel_2_to_4_is_named_as_an_old_format(form, tmp_path):
    _, plan = form
    # an Excel 4.0 worksheet: BOF (0x0409, version 0, sheet), a LABEL in A1, EOF
    bof = b"\x09\x04\x06\x00\x00\x00\x10\x00\x00\x00"
    label = b"\x04\x02\x0b\x00\x00\x00\x00\x00\x0f\x00\x03\x00abc"
    path = tmp_path / "old.xls"
    path.write_bytes(bof + label + b"\x0a\x00\x00\x00")
    fr = _examine(path, plan)
    assert [f.code for f in fr.findings] == ["workbook-old-format"]
    assert "Excel 2.x-4.0" in fr.findings[0].message and "另存为 .xlsx" in fr.findings[0].message


def test_a_sheet_whose_only_cell_is_in_no_row_is_unreadable_not_too_large(form, tmp_path):
    """A crafted sheet with one cell in row 0 (rows start at 1) names a column but no row:
    the size check records nothing of it, the reader refuses it, and the finding says the
    sheet is unreadable, not that it is too large."""
    src, plan = form
    xml = _sheet_xml(src)
    body = xml[xml.index(b"<sheetData>"):xml.index(b"</sheetData>") + len(b"</sheetData>")]
    dst = _edit(src, tmp_path / "row0.xlsx", "xl/worksheets/sheet1.xml", body,
                b'<sheetData><row r="0"><c r="ZZZ0"><v>1</v></c></row></sheetData>')
    grids = read_workbook(dst, LIMITS)[1]
    assert not grids.too_large and S not in grids.rows


def test_a_sheet_listed_without_its_part_is_damaged_not_missing(form, tmp_path):
    """A workbook that lists the form's sheet but lost its XML part (a broken zip tool):
    the sheet is named as damaged, not as deleted by the unit."""
    src, plan = form
    dst = tmp_path / "nopart.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info, zin.read(info))
    fr = _examine(dst, plan)
    assert [(f.code, f.sheet) for f in fr.findings] == [("sheet-unreadable", S)]


@needs_gnumeric
def test_xls_defined_name_is_an_identity_carrier(form, tmp_path):
    """Gnumeric (like LibreOffice) keeps the defined name in .xls; it is read (xlrd)."""
    src, _ = form
    dst = tmp_path / "fg.xls"
    subprocess.run(["ssconvert", str(src), str(dst)], check=True, capture_output=True, timeout=120)
    r = read_identity(dst, LIMITS)
    assert r.format == "xls" and r.found == ("sheet", "name") and not r.conflict
    assert xls.read(dst.read_bytes()).names.keys() >= {"xltools_identity"}


@needs_gnumeric
def test_xls_sheets_are_loaded_one_at_a_time(form, tmp_path, monkeypatch):
    """xlrd's book.sheets() parses every sheet before any limit is checked: read never calls
    it, and each sheet is let go before the next is loaded."""
    import xlrd.book
    src, _ = form
    dst = tmp_path / "fg.xls"
    subprocess.run(["ssconvert", str(src), str(dst)], check=True, capture_output=True, timeout=120)
    loaded, most = set(), [0]
    real_load, real_unload = xlrd.book.Book.sheet_by_index, xlrd.book.Book.unload_sheet

    def load(book, i):
        loaded.add(i)
        most[0] = max(most[0], len(loaded))
        return real_load(book, i)

    def unload(book, i):
        loaded.discard(i)
        return real_unload(book, i)

    monkeypatch.setattr(xlrd.book.Book, "sheets", lambda book: pytest.fail("every sheet parsed at once"))
    monkeypatch.setattr(xlrd.book.Book, "sheet_by_index", load)
    monkeypatch.setattr(xlrd.book.Book, "unload_sheet", unload)
    got = xls.read(dst.read_bytes())
    assert len(got.sheets) > 1 and set(got.rows) == {n for n, _ in got.sheets} and most == [1]


# --- one finding per damaged workbook ---------------------------------------------------------

def _collect_codes(path: Path, tmp_path: Path) -> list[tuple[str, str]]:
    from intake_lists import intake
    received, findings = intake([path], tmp_path / "work")
    return [(f.code, f.file) for f in findings]


@pytest.mark.parametrize("case", ["no-content-types", "lower-case-content-types", "ods-no-mimetype"])
def test_damaged_container_is_one_damaged_file_not_an_archive(form, tmp_path, case):
    src, _ = form
    dst = tmp_path / ("m.ods" if case.startswith("ods") else "m.xlsx")
    if case.startswith("ods"):
        with zipfile.ZipFile(dst, "w") as z:  # an .ods whose mimetype was lost
            z.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                       'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
            z.writestr("META-INF/manifest.xml", '<manifest><file-entry media-type='
                       '"application/vnd.oasis.opendocument.spreadsheet" full-path="/"/></manifest>')
    else:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
            for info in zin.infolist():
                if info.filename == "[Content_Types].xml":
                    if case == "no-content-types":
                        continue
                    info.filename = "[content_types].xml"
                zout.writestr(info, zin.read(info.filename if case == "no-content-types"
                                             else "[Content_Types].xml"
                                             if info.filename == "[content_types].xml"
                                             else info.filename))
    codes = _collect_codes(dst, tmp_path)
    assert [c for c, _ in codes] == ["damaged-file"], codes


def test_bad_compressed_data_is_damage_not_a_zip_bomb(form, tmp_path):
    src, plan = form
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + 60):  # scribble over the deflate stream
        data[i] ^= 0x5A
    dst = tmp_path / "crc.xlsx"
    dst.write_bytes(bytes(data))
    fr = _examine(dst, plan)
    assert [f.code for f in fr.findings] == ["damaged-file"]
    assert "MB" not in fr.findings[0].message and "--max-unzipped-mb" not in fr.findings[0].message


def test_empty_sheet_data_is_one_finding(form, tmp_path):
    src, plan = form
    xml = _sheet_xml(src)
    body = xml[xml.index(b"<sheetData>"):xml.index(b"</sheetData>") + len(b"</sheetData>")]
    dst = _edit(src, tmp_path / "empty.xlsx", "xl/worksheets/sheet1.xml", body, b"<sheetData/>")
    fr = _examine(dst, plan)
    assert [(f.code, f.sheet) for f in fr.findings] == [("sheet-empty", S)]


@needs_gnumeric
def test_biff5_xls_read_with_xlrd_and_biff5_encryption_is_password_protected(form, tmp_path):
    """An Excel 95 (BIFF5) file: read through xlrd (sheets, identity name); the same file with a
    FILEPASS record (BIFF5 "password to open", which msoffcrypto cannot see) is
    password-protected, not unreadable."""
    src, plan = form
    b5 = tmp_path / "fg95.xls"
    subprocess.run(["ssconvert", "-T", "Gnumeric_Excel:excel_biff7", str(src), str(b5)],
                   check=True, capture_output=True, timeout=120)
    data = b5.read_bytes()
    got = xls.read(data)
    assert [v for _, v in got.sheets] == ["visible", "visible", "hidden"]
    assert "xltools_identity" in got.names
    # the record after BOF (INTERFACEHDR, empty) becomes a FILEPASS over the next 6 bytes
    head = b"\xe1\x00\x00\x00\xc1\x00\x02\x00"
    assert data.count(head) == 1
    enc = tmp_path / "fg95-enc.xls"
    enc.write_bytes(data.replace(head, b"\x2f\x00\x06\x00\xc1\x00\x02\x00"))
    fr = _examine(enc, plan)
    assert [f.code for f in fr.findings] == ["password-protected"]


def test_encrypted_ods_is_password_protected(tmp_path):
    dst = tmp_path / "enc.ods"
    with zipfile.ZipFile(dst, "w") as z:  # what LibreOffice's "save with password" writes
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", b"\x8f\x12binary")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest><manifest:file-entry '
                   'manifest:full-path="content.xml"><manifest:encryption-data/>'
                   '</manifest:file-entry></manifest:manifest>')
    assert [c for c, _ in _collect_codes(dst, tmp_path)] == ["password-protected"]


def test_et_that_is_really_an_xls_is_taken_by_content(form, tmp_path):
    from xltools.collect.intake import sniff
    src, _ = form
    b5 = tmp_path / "fg.et"
    if shutil.which("ssconvert") is None:
        pytest.skip("Gnumeric (ssconvert) 未安装:apt-get install gnumeric")
    subprocess.run(["ssconvert", "-T", "Gnumeric_Excel:excel_biff8", str(src), str(b5)],
                   check=True, capture_output=True, timeout=120)
    with open(b5, "rb") as f:
        assert sniff(f, b5.name, b5.stat().st_size).kind == "xls"


@needs_gnumeric
def test_xls_without_its_identity_sheet_is_identified_by_the_defined_name(tmp_path):
    """The 表单标识 sheet deleted (the name stays, as in LibreOffice and Gnumeric): still the
    return of the unit the form was made for."""
    from xltools.model.identity import IDENTITY_SHEET
    plan = make_small_plan()
    wb, _ = report_form(plan, plan.unit("区发改局"), plan.period(Q1))
    ident = embed_identity(wb, plan.plan_id, "report", "区发改局", Q1)
    wb.sheets = [s for s in wb.sheets if s.name != IDENTITY_SHEET]
    wb.filename = "no-sheet.xlsx"
    src = write_workbook(wb, tmp_path)
    dst = tmp_path / "no-sheet.xls"
    subprocess.run(["ssconvert", str(src), str(dst)], check=True, capture_output=True, timeout=120)
    r = read_identity(dst, LIMITS)
    assert r.found == ("name",) and r.identity == ident and r.source == "name"
    fr = _examine(dst, plan)
    assert fr.unit == "区发改局" and fr.identified_by == "name"


@needs_gnumeric
def test_excel_95_in_code_page_936_reads_its_chinese_text(form, tmp_path):
    """Gnumeric in a Chinese locale saves Excel 95 (BIFF5) in code page 936, as Excel 95 did
    in China: xlrd decodes it (python-calamine gives U+FFFD for every character)."""
    src, plan = form
    loc = tmp_path / "locale"
    loc.mkdir()
    made = subprocess.run(["localedef", "-i", "zh_CN", "-f", "UTF-8", str(loc / "zh_CN.UTF-8")],
                          capture_output=True)
    if made.returncode != 0 or not (loc / "zh_CN.UTF-8").exists():
        pytest.skip("localedef 无法生成 zh_CN 区域设置")
    b5 = tmp_path / "fg95.xls"
    subprocess.run(["ssconvert", "-T", "Gnumeric_Excel:excel_biff7", str(src), str(b5)],
                   check=True, capture_output=True, timeout=120,
                   env={"PATH": "/usr/bin:/bin", "LOCPATH": str(loc), "LC_ALL": "zh_CN.UTF-8"})
    import xlrd
    book = xlrd.open_workbook(str(b5), on_demand=True)
    assert (book.biff_version, book.codepage) == (50, 936)
    reading, grids = read_workbook(b5, LIMITS)
    _, want = read_workbook(src, LIMITS)
    assert [n for n, _ in grids.sheets] == [S, T, "表单标识"]
    assert grids.rows[S][0][0] == want.rows[S][0][0] == TITLE
    assert reading.identity is not None and reading.identity.unit == "区发改局"
    fr = _examine(b5, plan)
    assert fr.unit == "区发改局" and "workbook-unreadable" not in {f.code for f in fr.findings}


def test_read_sheets_reads_hidden_sheets_too(form):
    from xltools.xlsx.reader import read_sheets
    src, _ = form  # the form and its hidden identity sheet, as xlsxwriter wrote them
    assert list(read_sheets(src)) == [S, T, "表单标识"]


def test_an_unexpected_error_in_the_size_check_refuses_the_sheet(form, monkeypatch):
    from xltools.xlsx import cells

    def broken(sheet):
        raise AttributeError("end")  # as if python-calamine renamed what sheet_extent reads
    monkeypatch.setattr(cells, "sheet_extent", broken)
    src, plan = form
    with pytest.raises(AttributeError):  # in tests (and under --debug) it raises
        read_workbook(src, LIMITS)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    monkeypatch.delenv("XLTOOLS_DEBUG", raising=False)
    reading, grids = read_workbook(src, LIMITS)
    assert grids.rows == {} and {n for n, _ in grids.unreadable} == {S, T, "表单标识"}
    assert reading.identity is not None  # the property still says whose form it is
    fr = _examine(src, plan)
    assert fr.status == "rejected" and not fr.tasks
    assert ("sheet-unreadable", S) in {(f.code, f.sheet) for f in fr.findings}


def test_a_workbook_of_more_parts_than_the_limit_is_refused_before_any_reader(form):
    import dataclasses
    src, plan = form
    few = dataclasses.replace(LIMITS, max_members=5)
    reading, grids = read_workbook(src, few)
    assert grids.refused.problem == "too-many-members" and not grids.rows
    assert reading.identity is None and "成员" in reading.reason
    rec = Received(path=str(src), display=src.name, name=src.name, sha256="0" * 64,
                   size=src.stat().st_size, received_at="2019-04-08T10:00:00")
    fr = examine(rec, plan, Q1, limits=few)
    assert [f.code for f in fr.findings] == ["workbook-unreadable"] and fr.status == "rejected"


def test_a_member_is_searched_a_piece_at_a_time_across_the_pieces():
    """ods._holds reads a zip member in pieces (a big content.xml is never held whole) and
    finds bytes that straddle two pieces, at any piece size."""
    import io
    from xltools.xlsx.ods import _holds
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", b"x" * 5000 + b'value-type="error"' + b"y")
    with zipfile.ZipFile(buf) as z:
        assert all(_holds(z, "content.xml", (b"<text:tab", b'value-type="error"'), chunk=c)
                   for c in (1, 7, 18, 4096))
        assert not _holds(z, "content.xml", (b'value-type="errors"',), chunk=7)
