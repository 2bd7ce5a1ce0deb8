"""Streamed rows serialized by xlsx.rowxml are the bytes xlsxwriter writes for the same cells
(issue 18: the 汇总表's write), and a unit's text shaped like rich-text markup is written as
text on both of xlsxwriter's paths (shared strings and inline)."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xltools.sheet.layout import Chart, LayoutError, Workbook
from xltools.xlsx import writer
from xltools.xlsx.splice import FixedStyles

# text xlsxwriter treats specially: whitespace kept, control characters and literal escapes,
# XML's own characters, non-characters, and markup-shaped text
TRICKY = [" lead", "trail ", "\ttab", "line\nbreak", "bell\x07", "_x0041_ literal", "a&b<c>d\"e",
          "\ufffe\uffff", "\u4e2d\u6587\uff08\uff09", "0", "=1+1", "@x", ""]
MARKUP = ["<r><t>x</t></r>", "<r></t></is></c></r>", "<r></t></si></sst></r>"]


def _layout(extra: list[str] = ()) -> Workbook:
    wb = Workbook(filename="t.xlsx", constant_memory=True)
    sh = wb.add_sheet("s")
    sh.widths([12, 20, 9, 9])
    for i, text in enumerate(TRICKY + list(extra)):
        sh.write(i, 0, text, "body", kind="string")
        sh.write(i, 1, i * 1.25 - 3, "body_center", kind="number")
        sh.write(i, 2, None, "body", kind="blank")
    r = len(TRICKY) + len(extra)
    sh.row_heights[r] = 8  # a gap: a height and no cells
    sh.merge(r + 1, 0, r + 3, 1, "merged across rows", "header", kind="string")
    sh.write(r + 2, 3, 7, "body_center", kind="number")  # beside the merge, on a later row
    sh.row_heights[r + 2] = 30
    sh.write(r + 4, 0, "x" * 20000, kind="string")  # past rowxml's length: xlsxwriter's path
    sh.link(r + 5, 0, "\u94fe\u63a5", "#s!A1")  # a link row goes through xlsxwriter
    sh.write(r + 5, 1, "beside the link", kind="string")
    sh.write(r + 6, 0, "with a note", kind="string", comment="\u8bf4\u660e")
    sh.write(r + 7, 2, 1e-7, kind="number")
    sh.write(r + 7, 3, 12345678901234567, kind="number")
    sh.charts.append(Chart(type="bar", row=r + 9, col=0, series=[("n", (0, 1, 5, 1))],
                           categories=(0, 0, 5, 0)))
    wb.add_sheet("t").write(0, 0, "second sheet", kind="string")
    return wb


def _style_order_layout() -> Workbook:
    """Where style indexes could be given in another order than xlsxwriter gives them: a row
    xlsxwriter writes (a link first) with a later cell in a new style, then a plain row in
    another new style; a sheet's last row (xlsxwriter writes it only at close) in a style
    first used there, before the next sheet's new styles."""
    wb = Workbook(filename="o.xlsx", constant_memory=True)
    a = wb.add_sheet("a")
    a.link(0, 0, "\u94fe\u63a5", "#b!A1")
    a.write(0, 1, "sub", "body_center", kind="string")
    a.write(1, 0, "body text", "body", kind="string")
    a.write(2, 0, "note", "header", kind="string")
    b = wb.add_sheet("b")
    b.write(0, 0, 1.5, "body_progress", kind="number")
    b.write(1, 0, "z", "note", kind="string")
    return wb


def _repeats_layout() -> Workbook:
    """What the streamed writer keeps or gives each row itself: a text repeated row after
    row in two styles, values that are equal but written differently (1, 1.0, True as text),
    and a height on every kind of row: plain, default (15 points), a link's (xlsxwriter's
    path), a comment's and one with no cells."""
    wb = Workbook(filename="r.xlsx", constant_memory=True)
    sh = wb.add_sheet("r")
    for row in range(12):
        sh.write(row, 0, "\u5b8c\u6210 & \u63a8\u8fdb", "body" if row % 3 else "header",
                 kind="string")
        sh.write(row, 1, [1, 1.0, True][row % 3], "body", kind="string")
        sh.write(row, 2, " \u540c\u4e00\u6bb5 ", "body", kind="string")
        sh.row_heights[row] = [27.75, 15, 30][row % 3]
    sh.link(12, 0, "\u94fe\u63a5", "#r!A1")
    sh.write(12, 1, "\u5b8c\u6210 & \u63a8\u8fdb", "body", kind="string")
    sh.row_heights[12] = 33
    sh.write(13, 0, "\u5907\u6ce8", kind="string", comment="\u8bf4\u660e")
    sh.row_heights[13] = 21
    sh.row_heights[14] = 6
    sh.write(15, 0, "\u5b8c\u6210 & \u63a8\u8fdb", "body", kind="string")
    return wb


def _column_b_layout() -> Workbook:
    """A sheet whose cells start right of column A, with heights on rows xlsxwriter writes
    itself (a link's, a comment's, one with no cells, a hidden one): its dimension is what
    xlsxwriter gives when every height is set before any cell (it then starts at A)."""
    wb = Workbook(filename="b.xlsx", constant_memory=True)
    sh = wb.add_sheet("b")
    sh.write(0, 1, "x", kind="string")
    sh.row_heights[1] = 30
    sh.write(2, 1, "y", kind="string")
    sh.link(3, 1, "\u94fe\u63a5", "#b!B1")
    sh.row_heights[3] = 24
    sh.write(4, 2, "\u5907\u6ce8", kind="string", comment="\u8bf4\u660e")
    sh.row_heights[4] = 21
    sh.write(5, 1, "hidden", kind="string")
    sh.row_heights[5] = 0
    return wb


def _both(layout: Workbook, monkeypatch, hook=None) -> tuple[zipfile.ZipFile, zipfile.ZipFile]:
    monkeypatch.setattr(writer, "STREAM_CELLS", 0)
    monkeypatch.setattr(writer, "STREAM_SHEET_CELLS", 0)
    assert writer.streams(layout)
    out = []
    for fast in (True, False):
        monkeypatch.setattr(writer, "FAST_ROWS", fast)
        out.append(zipfile.ZipFile(io.BytesIO(writer.workbook_bytes(
            layout, hook() if hook else None))))
    return out[0], out[1]


@pytest.mark.parametrize("hook", [None, FixedStyles])  # as write_workbook, and as xlsx.splice
@pytest.mark.parametrize("make", [_layout, _style_order_layout, _repeats_layout,
                                  _column_b_layout])
def test_streamed_rows_are_the_bytes_xlsxwriter_writes(monkeypatch, make, hook):
    fast, lib = _both(make(), monkeypatch, hook)
    assert fast.namelist() == lib.namelist()
    differ = [n for n in fast.namelist() if fast.read(n) != lib.read(n)]
    assert set(differ) <= {"docProps/core.xml"}  # (the time of writing)


def test_tricky_text_is_written_as_xlsxwriter_escapes_it(monkeypatch):
    fast, lib = _both(_layout(), monkeypatch)
    assert fast.namelist() == lib.namelist()
    sheet = fast.read("xl/worksheets/sheet1.xml").decode()
    assert '<row r="14" ht="8.25" customHeight="1"/>' in sheet  # the gap row is kept
    assert 'xml:space="preserve"> lead</t>' in sheet and "_x0007_" in sheet
    assert "_x005F_x0041_ literal" in sheet and "a&amp;b&lt;c&gt;d\"e" in sheet


def test_repeated_and_look_alike_texts_read_back_as_written(monkeypatch):
    fast, _ = _both(_repeats_layout(), monkeypatch)
    ws = openpyxl.load_workbook(io.BytesIO(_rezipped(fast)))["r"]
    assert [ws.cell(r + 1, 2).value for r in range(3)] == ["1", "1.0", "True"]
    assert {ws.cell(r + 1, 1).value for r in range(12)} == {"\u5b8c\u6210 & \u63a8\u8fdb"}
    assert ws["C4"].value == " \u540c\u4e00\u6bb5 " and ws["B13"].value == ws["A16"].value
    assert [ws.row_dimensions[r].height for r in (1, 3, 13, 14, 15)] == [27.75, 30, 33, 21, 6]
    assert ws["A13"].hyperlink.location == "r!A1" and ws["A14"].comment is not None


def _rezipped(book: zipfile.ZipFile) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        for n in book.namelist():
            z.writestr(n, book.read(n))
    return data.getvalue()


def test_rows_read_back_as_written(monkeypatch):
    fast, _ = _both(_layout(), monkeypatch)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        for n in fast.namelist():
            z.writestr(n, fast.read(n))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data.getvalue())).get_sheet_by_name("s").to_python()
    shown = [(got, want) for got, want in zip([r[0] for r in rows], TRICKY)
             if "\ufffe" not in want]  # (non-characters: calamine leaves their escapes)
    assert [got for got, _ in shown] == [want for _, want in shown]
    assert [r[1] for r in rows[:3]] == [-3.0, -1.75, -0.5]
    ws = openpyxl.load_workbook(io.BytesIO(data.getvalue()))["s"]
    assert "A15:B17" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.row_dimensions[14].height == 8.25 and ws.row_dimensions[16].height == 30
    assert ws["D16"].value == 7 and ws["A15"].value == "merged across rows"


def test_a_cell_outside_a_worksheet_is_refused_before_writing():
    """Excel's sheet ends at XFD1048576: a cell past it would make the file unreadable."""
    sh = Workbook(filename="x.xlsx").add_sheet("x")
    for write in (lambda: sh.write(0, 16384, "x"), lambda: sh.write(1048576, 0, "x"),
                  lambda: sh.write_cells(0, 16383, [("a", "body", "string")] * 2),
                  lambda: sh.merge(0, 0, 0, 16384, "x")):
        with pytest.raises(LayoutError):
            write()
    sh.write(1048575, 16383, "the last cell")  # (still a worksheet's)


@pytest.mark.parametrize("stream", [False, True])
def test_markup_shaped_text_is_written_as_text(stream, monkeypatch, tmp_path):
    """xlsxwriter would write "<r>…</r>" into the file unescaped: the book would not open."""
    if stream:
        monkeypatch.setattr(writer, "STREAM_CELLS", 0)
        monkeypatch.setattr(writer, "STREAM_SHEET_CELLS", 0)
    layout = Workbook(filename="m.xlsx", constant_memory=stream)
    sh = layout.add_sheet("m")
    for i, text in enumerate(MARKUP):
        sh.write(i, 0, text, kind="string")
    sh.link(len(MARKUP), 0, MARKUP[1], "#m!A1")  # a link's shown text takes xlsxwriter's path
    assert writer.streams(layout) == stream
    data = writer.workbook_bytes(layout)
    got = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("m").to_python()
    assert [r[0] for r in got] == MARKUP + [MARKUP[1]]
    ws = openpyxl.load_workbook(io.BytesIO(data))["m"]
    assert [ws.cell(i + 1, 1).value for i in range(len(MARKUP) + 1)] == MARKUP + [MARKUP[1]]
    audit = pytest.importorskip("openxml_audit", reason="openxml-audit (pip install -e .[test])")
    path = tmp_path / "m.xlsx"
    path.write_bytes(data)
    errors = [e for e in audit.OpenXmlValidator().validate(path).errors
              if str(e.severity).lower().endswith("error")]
    assert not errors, [(e.part_uri, e.description) for e in errors[:3]]
