"""Each library internal xltools relies on, pinned against the installed library: when a new
version changes one of them, the test of its adapter fails here (not a collect run later)."""
from __future__ import annotations

import io
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor

import docx
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from xltools.parallel import mp_context, pool_processes
from xltools.parse.read import cell_identity
from xltools.xlsx import ods
from xltools.xlsx import deflate
from xltools.xlsx.bounds import member_data
from xltools.xlsx.compat import (cell_writers, compressing_in_pieces, fix_style_index,
                                 free_cells_when_assembled, quick_sheet_names,
                                 register_merge, RowStream, seed_strings, set_height,
                                 sheet_extent,
                                 store_parts_through_ours, visibility, plain_text_only,
                                 write_part_as)


def _xlsx(build, streamed: bool = False) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True} if streamed else {"in_memory": True})
    build(wb)
    wb.close()
    return out.getvalue()


def test_calamine_visibility_is_told_by_the_enum():
    def build(wb):
        wb.add_worksheet("shown").write(0, 0, "x")
        wb.add_worksheet("hidden").hide()
        wb.add_worksheet("very").very_hidden()
    wb = CalamineWorkbook.from_filelike(io.BytesIO(_xlsx(build)))
    try:
        assert [(m.name, visibility(m)) for m in wb.sheets_metadata] == [
            ("shown", "visible"), ("hidden", "hidden"), ("very", "veryhidden")]
    finally:
        wb.close()


def test_calamine_sheet_extent_is_rows_and_columns_to_the_last_cell():
    def build(wb):
        wb.add_worksheet("a").write(4, 2, 1)  # C5
        wb.add_worksheet("empty")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(_xlsx(build)))
    try:
        assert sheet_extent(wb.get_sheet_by_name("a")) == (5, 3)
        assert sheet_extent(wb.get_sheet_by_name("empty")) == (0, 0)
    finally:
        wb.close()


def test_xlsxwriter_merge_list_is_written_as_merge_cells():
    def build(wb):
        ws = wb.add_worksheet("s")
        ws.write(0, 0, "head")
        register_merge(ws, 0, 0, 2, 1)
    with zipfile.ZipFile(io.BytesIO(_xlsx(build))) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<mergeCells count="1"><mergeCell ref="A1:B3"/></mergeCells>' in xml


def test_xlsxwriter_streamed_cells_and_a_height_only_row():
    def build(wb):
        ws = wb.add_worksheet("s")
        bold = wb.add_format({"bold": True})
        string, number, blank = cell_writers(ws)
        ws.set_row(2, 30)  # no cells on this row: streamed, xlsxwriter would drop it
        string(0, 0, "=1+1", bold)
        number(0, 1, 2.5, None)
        blank(0, 2, None, bold)
        RowStream(ws).empty(2)
        string(4, 0, "end", None)
    with zipfile.ZipFile(io.BytesIO(_xlsx(build, streamed=True))) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert ('<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>=1+1</t></is></c>'
            '<c r="B1"><v>2.5</v></c><c r="C1" s="1"/></row>') in xml
    assert '<row r="3" ht="30" customHeight="1"/>' in xml and '<c r="A5" t="inlineStr">' in xml


def test_xlsxwriter_row_heights_as_row_stream_writes_them():
    """RowStream writes a streamed row's <row> tag itself: from the height set_row records
    (in pixels, rows_sizes), the sheet's default and original row heights, its Excel version
    and its dimension, as xlsxwriter keeps them."""
    def build(wb):
        ws = wb.add_worksheet("s")
        assert (ws.default_row_height, ws.original_row_height, ws.excel_version) == (20, 20, 2007)
        stream = RowStream(ws)
        ws.write_string(0, 1, "x")
        ws.set_row(1, 27.75)
        assert ws.row_sizes[1] == [37, False] and ws.row_info[1].height == 37
        stream.row(2, 1, 1, '<c r="B3" t="inlineStr"><is><t>y</t></is></c>', height=30)
        stream.row(3, 1, 1, '<c r="B4" t="inlineStr"><is><t>z</t></is></c>', height=15)
        assert ws.row_sizes[2] == [40, False]
        set_height(ws, 4, 0)  # (hidden)
        ws.write_string(4, 1, "h")
    with zipfile.ZipFile(io.BytesIO(_xlsx(build, streamed=True))) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:B5"/>' in xml
    assert '<row r="3" ht="30" customHeight="1"><c r="B3"' in xml and '<row r="4"><c r="B4"' in xml
    assert '<row r="5" hidden="1">' in xml


@pytest.mark.parametrize("streamed", [False, True])
def test_xlsxwriter_writes_markup_shaped_text_escaped_once_adapted(streamed):
    plain_text_only()

    def build(wb):
        wb.add_worksheet("s").write_string(0, 0, " <r></t></r>")
        wb.worksheets()[0].write_string(1, 0, "<r></t></r>")
    with zipfile.ZipFile(io.BytesIO(_xlsx(build, streamed))) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/"))
    assert '<t xml:space="preserve"> &lt;r&gt;&lt;/t&gt;&lt;/r&gt;</t>' in xml
    assert "<t>&lt;r&gt;&lt;/t&gt;&lt;/r&gt;</t>" in xml and "<r></t>" not in xml


def test_pool_processes_are_the_live_workers():
    with ProcessPoolExecutor(1, mp_context=mp_context()) as pool:
        pid = pool.submit(os.getpid).result(timeout=120)
        procs = pool_processes(pool)
        assert list(procs) == [pid] and procs[pid].is_alive()
    assert pool_processes(pool) == {}  # and none once it is shut down
    idle = ProcessPoolExecutor(1, mp_context=mp_context())
    assert pool_processes(idle) == {}  # none started before the first task
    idle.shutdown()


def test_docx_cell_identity_is_shared_by_a_merged_cell():
    table = docx.Document().add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1))
    assert cell_identity(table.cell(0, 0)) is cell_identity(table.cell(0, 1))
    assert cell_identity(table.cell(1, 0)) is not cell_identity(table.cell(1, 1))
    assert cell_identity(table.cell(1, 0)).tag.endswith("}tc")


_ODS_CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2">'
    '<office:automatic-styles><style:style style:name="ta2" style:family="table">'
    '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
    '<office:body><office:spreadsheet>'
    '<table:table table:name="s"><table:table-row>'
    '<table:table-cell office:value-type="string"><text:p>a</text:p><text:p>b</text:p>'
    '</table:table-cell><table:table-cell office:value-type="float" office:value="3">'
    '<text:p>3</text:p></table:table-cell></table:table-row></table:table>'
    '<table:table table:name="h" table:style-name="ta2"><table:table-row>'
    '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    '</table:table-row></table:table></office:spreadsheet></office:body>'
    '</office:document-content>')

_ODS_MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '</manifest:manifest>')


def test_pandas_odf_reader_calls_our_paragraph_join():
    """xlsx/ods.py subclasses pandas' private ODFReader and overrides one private method."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", _ODS_CONTENT)
        z.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets, rows = ods.read(data, zf)
    assert sheets == [("s", "visible"), ("h", "hidden")]
    assert rows == {"s": [["a\nb", 3]], "h": [["x"]]}


def test_xlsxwriter_sheet_name_check_by_set_still_refuses_what_it_refused():
    import xlsxwriter
    from xlsxwriter.exceptions import DuplicateWorksheetName, InvalidWorksheetName

    wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    quick_sheet_names(wb)
    wb.add_worksheet("单位A")
    wb.add_worksheet("单位B")
    with pytest.raises(DuplicateWorksheetName):
        wb.add_worksheet("单位a")
    with pytest.raises(InvalidWorksheetName):
        wb.add_worksheet("有/斜杠")
    assert [ws.name for ws in wb.worksheets()] == ["单位A", "单位B"]
    wb.close()


def test_xlsxwriter_style_indexes_and_shared_strings_can_be_fixed_in_advance():
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold, red = wb.add_format({"bold": True}), wb.add_format({"font_color": "red"})
    fix_style_index(red)
    fix_style_index(bold)
    seed_strings(wb, ["甲", "乙"], references=1)
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "乙", bold)
    wb.close()
    with zipfile.ZipFile(buf) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert '<c r="A1" s="2" t="s"><v>1</v></c>' in sheet  # red took 1, bold 2; 乙 is string 1
    assert 'count="2" uniqueCount="2"' in strings and strings.index("甲") < strings.index("乙")


def test_xlsxwriter_stores_a_part_given_for_a_worksheet():
    part = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1"><v>7</v></c></row></sheetData></worksheet>')

    def build(wb):
        wb.add_worksheet("甲").write_string(0, 0, "甲")
        write_part_as(wb.add_worksheet("乙"), part)
    with zipfile.ZipFile(io.BytesIO(_xlsx(build))) as z:
        assert z.read("xl/worksheets/sheet2.xml").decode() == part
        assert "甲" in z.read("xl/sharedStrings.xml").decode()


def test_xlsxwriter_cells_freed_once_a_sheet_part_is_assembled_change_nothing_written():
    sheets = []

    def build(free: bool):
        def made(wb):
            bold = wb.add_format({"bold": True})
            for name in ("甲", "乙"):
                ws = wb.add_worksheet(name)
                if free:
                    free_cells_when_assembled(ws)
                ws.write_string(0, 0, f"{name}的文字", bold)
                ws.write_number(1, 1, 3.5)
                ws.write_comment(0, 0, "批注")
                ws.write_url(2, 0, "https://example.org/", string="链接")
                sheets.append(ws)
            chart = wb.add_chart({"type": "bar"})
            chart.add_series({"values": ["甲", 1, 1, 1, 1]})
            wb.worksheets()[0].insert_chart(4, 0, chart)
        return made

    def parts(data: bytes) -> dict:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
    kept = parts(_xlsx(build(False)))
    assert parts(_xlsx(build(True))) == kept
    assert b"3.5" in kept["xl/worksheets/sheet1.xml"] and b"3.5" in kept["xl/charts/chart1.xml"]
    assert all(ws.table for ws in sheets[:2]) and not any(ws.table for ws in sheets[2:])


def test_xlsxwriter_stores_a_streamed_part_with_the_compressor_given(monkeypatch):
    """xlsxwriter stores a streamed part through its module's ZipFile (ours: _PartZip), and
    zipfile's writer deflates with its `_compressor`: a part compressed in pieces is stored
    as exactly those pieces, and the others as zipfile would."""
    store_parts_through_ours()
    monkeypatch.setattr(deflate, "MIN_PART_BYTES", 1000)
    monkeypatch.setattr(deflate, "SEGMENT_ROWS", 16)

    def build(wb):
        big, small = wb.add_worksheet("甲"), wb.add_worksheet("乙")
        for r in range(200):
            big.write_string(r, 0, f"第{r}行的文字")
            big.write_number(r, 1, r)
        small.write_string(0, 0, "小")
    pieces = deflate.PartPieces()
    with compressing_in_pieces(pieces):
        data = _xlsx(build, streamed=True)
    assert list(pieces.written) == ["xl/worksheets/sheet1.xml"]
    table = pieces.written["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        stored = member_data(data, z.getinfo("xl/worksheets/sheet1.xml"))
        assert len(stored) == sum(e[2] for e in table) + 2 and len(table) == 200 // 16 + 1
        small = z.getinfo("xl/worksheets/sheet2.xml")
        assert small.compress_type == zipfile.ZIP_DEFLATED
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name("甲").to_python()
    assert rows[199] == ["第199行的文字", 199.0] and book.get_sheet_by_name("乙").to_python() == [["小"]]
    # outside compressing_in_pieces, stored as zipfile would
    with zipfile.ZipFile(io.BytesIO(_xlsx(build, streamed=True))) as z:
        assert z.testzip() is None and "第199行的文字" in z.read("xl/worksheets/sheet1.xml").decode()
