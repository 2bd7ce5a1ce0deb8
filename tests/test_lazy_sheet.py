"""A sheet made while it is written (Sheet.rows): the province's 按任务汇总 is built a task
block at a time and each block released once written (issue 18: memory flat in the number
of forms). The file must be the one a whole layout gives, and the layout must refuse what
would land on rows already written."""
from __future__ import annotations

import io
import random
import re
import zipfile

import openpyxl
import pytest

from test_merge_summary import big_plan, big_summary_input
from xltools.merge import summarize
from xltools.report import summary_workbook
from xltools.sheet.layout import Chart, LayoutError, Sheet, Verbatim, Workbook
from xltools.sheet.paging import CONTINUED
from xltools.xlsx import writer


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # (core.xml holds the time of writing)
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def made_whole(layout: Workbook) -> Workbook:
    """The layout with every sheet made before it is written (no rows left to make)."""
    for sheet in layout.sheets:
        sheet.complete()
    return layout


@pytest.fixture(scope="module")
def summary():
    plan, period, current = big_summary_input(big_plan(600, 40, 40))
    return plan, period, summarize(plan, period, current, [])


def test_lazy_summary_is_the_same_file_made_a_block_at_a_time(summary, monkeypatch):
    plan, period, s = summary
    monkeypatch.setattr(writer, "STREAM_CELLS", 0)  # written streamed, as a province's
    monkeypatch.setattr(writer, "STREAM_SHEET_CELLS", 0)
    whole = made_whole(summary_workbook(plan, period, s))
    by_task = whole.sheet("按任务汇总")
    total = len(by_task.cells)
    assert any(c.value == CONTINUED for c in by_task.cells.values())  # blocks cut over pages
    lazy = summary_workbook(plan, period, s)
    sheet = lazy.sheet("按任务汇总")
    assert sheet.rows is not None and len(sheet.cells) < 100  # only the title and header yet
    held = []
    made = sheet.rows

    def watched():
        for below in made:
            held.append(len(sheet.cells))
            yield below

    sheet.rows = watched()
    data = writer.workbook_bytes(lazy)
    assert parts(data) == parts(writer.workbook_bytes(whole))
    assert len(held) == 40 and max(held) < total / 10, (max(held), total)
    assert sheet.rows is None and len(sheet.cells) < 5  # (the legend below the last block)
    ws = openpyxl.load_workbook(io.BytesIO(data))["按任务汇总"]
    assert ws.print_area == whole_print_area(whole)


def whole_print_area(layout: Workbook) -> str:
    ws = openpyxl.load_workbook(io.BytesIO(writer.workbook_bytes(layout)))["按任务汇总"]
    return ws.print_area


def test_lazy_summary_written_from_memory_is_made_whole_first(summary):
    plan, period, s = summary
    lazy = summary_workbook(plan, period, s)
    lazy.constant_memory = False  # (not streamed: the in-memory writer needs every cell)
    whole = made_whole(summary_workbook(plan, period, s))
    whole.constant_memory = False
    assert parts(writer.workbook_bytes(lazy)) == parts(writer.workbook_bytes(whole))


def _made(*steps):
    """A one-sheet workbook whose sheet is made by the given steps, each (callable, yield)."""
    wb = Workbook("t.xlsx", constant_memory=True)
    sh = wb.add_sheet("表")

    def rows():
        for step, below in steps:
            step(sh)
            yield below
    sh.rows = rows()
    sh.expected_cells = 10 ** 6
    return wb, sh


def test_rows_already_written_are_refused():
    wb, sh = _made((lambda sh: sh.write(0, 0, "甲"), 1), (lambda sh: sh.write(0, 1, "乙"), 2))
    with pytest.raises(LayoutError, match="already written"):
        writer.workbook_bytes(wb)
    wb, sh = _made((lambda sh: sh.write(3, 0, "甲"), 2), (lambda sh: sh.merge(1, 0, 2, 0, "乙"), 4))
    with pytest.raises(LayoutError, match="already written"):
        writer.workbook_bytes(wb)


def test_a_merge_open_across_a_block_and_the_extent_survive_release():
    wb, sh = _made((lambda sh: sh.merge(0, 0, 5, 1, "跨块"), 2),
                   (lambda sh: sh.write(4, 3, "下"), 5), (lambda sh: sh.write(9, 2, "末"), 9))
    ws = openpyxl.load_workbook(io.BytesIO(writer.workbook_bytes(wb)))["表"]
    assert [str(m) for m in ws.merged_cells.ranges] == ["A1:B6"]
    assert ws["A1"].value == "跨块" and ws["D5"].value == "下" and ws["C10"].value == "末"
    eager = Workbook("t.xlsx", constant_memory=True)  # the same sheet made before writing
    e = eager.add_sheet("表")
    e.merge(0, 0, 5, 1, "跨块")
    e.write(4, 3, "下")
    e.write(9, 2, "末")
    e.expected_cells = 10 ** 6
    e.rows = iter(())  # (lazy, with nothing left to make: streamed like the other)
    assert parts(writer.workbook_bytes(eager)) == parts(writer.workbook_bytes(_made(
        (lambda sh: sh.merge(0, 0, 5, 1, "跨块"), 2), (lambda sh: sh.write(4, 3, "下"), 5),
        (lambda sh: sh.write(9, 2, "末"), 9))[0]))
    assert (sh.last_row, sh.last_col) == (9, 3) and list(sh.cells) == [(9, 2)]  # (rest released)
    assert ws.print_area == "'表'!$A$1:$D$10"


def test_a_sheet_with_a_chart_is_made_whole_before_it_is_written():
    wb, sh = _made((lambda sh: [sh.write(r, 0, f"单位{r}") or sh.write(r, 1, float(r))
                                for r in range(5)], 5))
    sh.charts.append(Chart(type="bar", categories=(0, 0, 4, 0), series=[("数", (0, 1, 4, 1))]))
    data = writer.workbook_bytes(wb)
    assert sh.rows is None and len(sh.cells) == 10  # nothing released: the chart caches them
    assert b"\xe5\x8d\x95\xe4\xbd\x8d4" in parts(data)["xl/charts/chart1.xml"]  # 单位4


def _verbatim_of(steps, first: int, stop: int):
    """Rows first..stop-1 as a streamed write of `steps` puts them in its part."""
    data = writer.workbook_bytes(_made(*steps)[0])
    xml = parts(data)["xl/worksheets/sheet1.xml"].decode()
    a = xml.index(f'<row r="{first + 1}"')
    b = xml.index(f'<row r="{stop + 1}"') if f'<row r="{stop + 1}"' in xml else xml.index("</sheetData>")
    return data, xml[a:b]


def test_verbatim_rows_give_the_file_the_cells_would():
    steps = [(lambda sh: sh.write(0, 0, "表头"), 1),
             (lambda sh: sh.merge(1, 0, 3, 0, "块") or sh.write(2, 1, "甲"), 4),
             (lambda sh: sh.write(4, 1, 5.0), 5)]
    data, xml = _verbatim_of(steps, 1, 4)
    copied = [steps[0], (lambda sh: sh.put_verbatim(Verbatim(1, 4, xml, ((1, 0, 3, 0),), 1)), 4),
              steps[2]]
    assert parts(writer.workbook_bytes(_made(*copied)[0])) == parts(data)


@pytest.mark.parametrize("bad, below, own, match", [
    (lambda sh: sh.write(2, 1, "又写"), 4, (), "cells written into verbatim"),
    (lambda sh: sh.merge(2, 0, 3, 0, "起于其中"), 4, (), "cells written into verbatim"),
    (lambda sh: None, 3, (), "outside the block"),
    (lambda sh: sh.merge(0, 1, 1, 1, "跨入"), 4, ((1, 0, 2, 0),), "reaches into verbatim"),
])
def test_verbatim_rows_refuse_cells_merges_or_rows_beside_them(bad, below, own, match):
    _, xml = _verbatim_of([(lambda sh: sh.write(1, 0, "甲"), 2)], 1, 2)

    def step(sh):
        bad(sh)
        sh.put_verbatim(Verbatim(1, 4, xml, own, 1))
    with pytest.raises(LayoutError, match=match):
        writer.workbook_bytes(_made((step, below))[0])


def test_verbatim_rows_under_an_open_merge_and_beside_made_rows():
    """Rows of a block copied one by one: a merge passes over them (its covered cells are
    in their xml), the rows between are made."""
    steps = [(lambda sh: [sh.merge(0, 0, 5, 0, "任务"), *(sh.write(r, 1, f"单位{r}") for r in range(6))], 6)]
    data, _ = _verbatim_of(steps, 0, 1)
    xml = parts(data)["xl/worksheets/sheet1.xml"].decode()

    def rows(a: int, b: int) -> str:
        return xml[xml.index(f'<row r="{a + 1}"'):xml.index(f'<row r="{b + 1}"') if b < 6 else xml.index("</sheetData>")]

    def copied(sh):
        sh.merge(0, 0, 5, 0, "任务")
        sh.write(0, 1, "单位0")
        sh.put_verbatim(Verbatim(1, 3, rows(1, 3), (), 1))
        sh.write(3, 1, "单位3")
        sh.put_verbatim(Verbatim(4, 6, rows(4, 6), (), 1))
    assert parts(writer.workbook_bytes(_made((copied, 6))[0])) == parts(data)
    assert ["A1:A6"] == [str(m) for m in openpyxl.load_workbook(io.BytesIO(data))["表"].merged_cells.ranges]


def test_verbatim_rows_only_in_a_streamed_write():
    sh = Sheet("表")
    with pytest.raises(LayoutError, match="outside a streamed write"):
        sh.put_verbatim(Verbatim(0, 1, "", (), 0))


def test_a_layout_made_while_written_is_refused_a_second_write():
    wb, sh = _made((lambda sh: sh.write(0, 0, "甲"), 1), (lambda sh: sh.write(1, 0, "乙"), 2))
    writer.workbook_bytes(wb)
    with pytest.raises(LayoutError, match="one write"):
        writer.workbook_bytes(wb)


def _op(sh: Sheet, op: tuple) -> None:
    kind, r, c, *rest = op
    if kind == "write":
        sh.write(r, c, *rest)
    elif kind == "merge":
        sh.merge(r, c, *rest)
    elif kind == "height":
        sh.row_heights[r] = rest[0]
    else:
        sh.link(r, c, "链接", "#'表'!A1")


def _random_steps(rng: random.Random) -> list[tuple[list, int]]:
    """Steps of (operations, promised row) that keep Sheet.rows' promise: merges and cells
    anywhere at or below the promise (also ahead of it), heights, links, the same or a
    smaller promise again, none at all."""
    scratch, steps, sealed = Sheet("表"), [], 0
    for _ in range(rng.randrange(0, 7)):
        ops = []
        for _ in range(rng.randrange(0, 7)):
            r, c, t = sealed + rng.randrange(0, 6), rng.randrange(0, 6), rng.random()
            if t < 0.45:
                kind = rng.choice(["string", "number", "blank"])
                op = ("write", r, c, {"string": f"文{r}-{c}", "number": r + c / 4, "blank": None}[kind],
                      rng.choice(["body", "header", "body_center"]), kind)
            elif t < 0.7:
                op = ("merge", r, c, r + rng.randrange(0, 4), c + rng.randrange(0, 3), f"并{r}",
                      rng.choice(["body", "header"]), "string")
            elif t < 0.93:
                op = ("height", r, c, rng.choice([8, 20, 33.5]))
            else:
                op = ("link", r, c)
            try:
                _op(scratch, op)
            except LayoutError:  # (an overlap: not a layout anybody can make)
                continue
            ops.append(op)
        below = max(0, sealed + rng.randrange(-2, 6))
        steps.append((ops, below))
        sealed = max(sealed, below)
    return steps


@pytest.mark.parametrize("fast", [True, False])
def test_random_sheets_made_while_written_equal_the_same_sheets_made_whole(fast, monkeypatch):
    """Whatever a sheet's rows do within their promise, the file is the whole sheet's. Only
    <dimension> may differ: xlsxwriter starts it at column A when a row height comes before
    any cell, and a height made while written comes after some."""
    monkeypatch.setattr(writer, "FAST_ROWS", fast)
    for seed in range(120):
        steps = _random_steps(random.Random(seed))
        books = []
        for lazy in (False, True):
            wb = Workbook("t.xlsx", constant_memory=True)
            sh = wb.add_sheet("表")
            sh.widths([10, 12, 8])

            def rows(sh=sh):
                for ops, below in steps:
                    for op in ops:
                        _op(sh, op)
                    yield below
            sh.rows, sh.expected_cells = rows(), 10 ** 6
            if not lazy:
                sh.complete()
                sh.rows = iter(())  # (streamed all the same)
            data = parts(writer.workbook_bytes(wb))
            part = data["xl/worksheets/sheet1.xml"]
            data["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"/>', b"", part)
            books.append((data, sh.last_row, sh.last_col))
        assert books[0] == books[1], (seed, steps)
