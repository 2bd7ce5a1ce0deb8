"""Write layouts to .xlsx with xlsxwriter: the only place that knows its API."""
from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import xlsxwriter

from ..model.collector import gc_paused
from ..sheet.layout import MAX_ROWS, Cell, Chart, Check, LayoutError, Sheet, Verbatim, Workbook
from ..sheet.styles import STYLES
from .compat import (RowStream, cell_writers, fix_style_index, free_cells_when_assembled,
                     plain_text_only, register_merge, set_height, store_parts_through_ours)
from .rowxml import blank_xml, column_name, number_xml, text_tail

_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False}
# constant_memory needs a file system temp dir for its row files; in_memory would keep
# everything anyway, so it is off
_STREAMED = {**_OPTIONS, "constant_memory": True, "in_memory": False}
plain_text_only()  # a unit's "<r>…</r>" is text, never rich-text markup
store_parts_through_ours()  # (as zipfile would, unless a writer compresses in pieces)
# constant_memory keeps a temp file per sheet: ≈4 ms a sheet, the most of writing a
# 校验报告 of 1,000 small per-unit sheets. In memory, xlsxwriter holds ≈330 bytes a cell:
# stream a workbook that would hold more than ≈33 MB, unless its sheets are small.
STREAM_CELLS = 100_000
STREAM_SHEET_CELLS = 1_000  # mean cells a sheet below which the temp files cost more


def streams(layout: Workbook) -> bool:
    """Whether the layout is written in constant_memory mode (inline strings)."""
    cells = sum(len(s.cells) + (s.expected_cells if s.rows is not None else 0)
                for s in layout.sheets)
    many = max(STREAM_CELLS, STREAM_SHEET_CELLS * len(layout.sheets))
    return layout.constant_memory and cells > min(many, 5 * STREAM_CELLS)  # (≈165 MB at most)


def workbook_bytes(layout: Workbook, hook=None, release: bool = False) -> bytes:
    """Render a layout to the bytes of an .xlsx file; a hook (xlsx.splice) may prepare the
    xlsxwriter workbook, its styles registered, before the sheets are written (start) and
    before it closes (finish).
    release: each sheet's cells are freed once xlsxwriter holds them (a layout written once:
    the two copies of a 校验报告's 3,000 sheets need not live together)."""
    buf = io.BytesIO()
    stream = streams(layout)
    if not stream:  # a sheet made while written is made now: it is written from memory
        for sheet in layout.sheets:
            sheet.complete()
    wb = xlsxwriter.Workbook(buf, _STREAMED if stream else _OPTIONS)
    fmt = functools.cache(lambda name: wb.add_format(STYLES[name]))  # (made on first use)

    wb.set_properties({"title": layout.title, "subject": layout.subject, "author": layout.author,
                       "company": layout.company, "comments": "由 xltools 生成"})
    if stream or hook is not None:
        # every style its index now, in one order: xlsxwriter gives an index when a cell is
        # written out, rowxml when its row is serialized (a sheet's last row xlsxwriter
        # writes only at close), and the two must agree; a hook keeps earlier files' parts,
        # whose indexes must mean the same
        for name in STYLES:
            fix_style_index(fmt(name))
    if hook is not None:
        hook.start(wb)
    for key, value in layout.custom_properties.items():
        wb.set_custom_property(key, value, "text")
    if layout.sheets and layout.sheets[0].hidden:
        raise ValueError("the first sheet must be visible")
    with gc_paused():  # (xlsxwriter's objects for every cell, the layout's all live on)
        for sheet in layout.sheets:
            _write_sheet(wb, sheet, fmt, stream)
            if release:
                sheet.release(MAX_ROWS)
        for name, formula in layout.defined_names.items():
            wb.define_name(name, formula)
        if hook is not None:
            hook.finish(wb)
        wb.close()
    return buf.getvalue()


def write_workbook(layout: Workbook, folder: str | os.PathLike) -> Path:
    """Write a layout into folder/layout.filename atomically; return the path."""
    return write_atomically(Path(folder) / layout.filename, workbook_bytes(layout))


def write_atomically(path: Path, data: bytes) -> Path:
    """Write a file through a temporary one beside it: a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def _write_sheet(wb, sheet: Sheet, fmt, constant_memory: bool = False) -> None:
    if sheet.released:  # (its cells are gone: written again it would come out empty)
        raise LayoutError(f"{sheet.name}: written before and its rows released (a layout made "
                          "while written, or written with release, is good for one write)")
    ws = wb.add_worksheet(sheet.name)
    if not constant_memory:
        free_cells_when_assembled(ws)
    if sheet.charts:  # a chart caches cells of its sheet (_cached): none may be released
        sheet.complete()
    for col, width in sheet.col_widths.items():
        ws.set_column(col, col, width, None, {"hidden": True} if col in sheet.hidden_cols else None)
    _write_rows_in_order(ws, sheet, fmt, constant_memory)
    for check, cells in sheet.validations:
        ws.data_validation(*cells, _validation(check))
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    if sheet.autofilter:
        ws.autofilter(*sheet.autofilter)
    for chart in sheet.charts:
        _insert_chart(wb, ws, sheet, chart, constant_memory)
    _page_setup(ws, sheet)
    if sheet.protect:
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True,
                        "format_columns": True, "format_rows": True})
    if sheet.hidden:
        ws.hide()


def _write_rows_in_order(ws, sheet: Sheet, fmt, streamed: bool) -> None:
    """Every cell of a row, the covered cells of merges included, is written before the next
    row: streamed (constant_memory), xlsxwriter keeps only the current row; a sheet written
    in memory goes the same way (one way to write merges, not two).

    merge_range cannot span rows when streamed: it would write the range's later rows at once and
    drop everything written afterwards to the rows in between. Every merge is therefore
    written cell by cell (top-left value, the others blank in its style) and its range
    registered directly in the worksheet's merge list, which xlsxwriter writes out as
    <mergeCells> at close. Sheet.merge has already refused overlapping ranges.
    A row's cells are gathered first (a later write to a cell replaces an earlier one, as
    in xlsxwriter's row table); a row of plain cells is serialized by xlsx.rowxml, any
    other goes through xlsxwriter. A sheet made while written (Sheet.rows) is written a
    block at a time, each block released once out.
    """
    out = _RowWriter(ws, sheet, fmt, streamed)
    made, done = sheet.rows is not None, 0
    sheet.takes_verbatim = made and streamed and FAST_ROWS
    for below in sheet.rows or ():
        rows, sheet.verbatim = sheet.verbatim, []
        if rows and not (done <= rows[0].first and rows[-1].stop <= below):
            raise LayoutError(f"{sheet.name}: verbatim rows {rows[0].first}-{rows[-1].stop - 1} "
                              f"outside the block {done}-{below - 1}")
        if below > done:
            out.write(done, below, rows)
            sheet.release(below)
            done = below
    if sheet.verbatim:
        raise LayoutError(f"{sheet.name}: verbatim rows after the last block")
    sheet.rows, sheet.takes_verbatim = None, False
    # (the rows released are above `done`: their extent, in last_row, writes nothing more)
    out.write(done, max(sheet.last_row, max(sheet.row_heights, default=-1)) + 1)


class _RowWriter:
    """Writes a sheet's rows in order, range after range (see _write_rows_in_order)."""

    def __init__(self, ws, sheet: Sheet, fmt, streamed: bool) -> None:
        self.ws, self.sheet, self.fmt = ws, sheet, fmt
        self.links = [0]  # hyperlinks written on the sheet (_write_cell)
        self.stream = RowStream(ws) if streamed else None
        self.xfs: dict = {}  # format -> its style index
        self.texts: dict = {}  # (style index, text) -> its cell's XML after the reference
        self.active: list = []  # (merge, format, its columns) of merges still open
        self.merges_seen = 0
        self.waiting: list = []  # merges added before their first row's range

    def _starts(self, first: int, stop: int) -> dict[int, list]:
        """The merges that start in rows first..stop-1, by first row; one below `stop` waits
        for its range. (None added since the last range starts above it: Sheet.merge refuses
        rows released, and the rows above `first` are.)"""
        new = self.sheet.merges[self.merges_seen:]
        self.merges_seen = len(self.sheet.merges)
        pending = sorted(self.waiting + new, key=lambda m: (m.first_row, m.first_col))
        self.waiting = [m for m in pending if m.first_row >= stop]
        starts: dict[int, list] = {}
        for m in pending[:len(pending) - len(self.waiting)]:  # (sorted: those above stop first)
            starts.setdefault(m.first_row, []).append(m)
        return starts

    def write(self, first: int, stop: int, verbatim: list[Verbatim] = ()) -> None:
        """Write rows first..stop-1; none of them may have been written yet. Verbatim rows
        are written as given: a merge open over them has its covered cells there already,
        and merges of their own are registered after them, with nothing else open."""
        sheet, ws, fmt, stream, xfs = self.sheet, self.ws, self.fmt, self.stream, self.xfs
        fast = stream is not None and FAST_ROWS
        writers = cell_writers(ws)
        cells, heights = sheet.cells, sheet.row_heights
        # (a sheet made while written holds only rows not yet out: release() dropped the
        # rows above `first` and Sheet refuses writes there)
        keys = sorted(cells)
        n, k = len(keys), 0
        starts = self._starts(first, stop)
        given, passed = {v.first: v for v in verbatim}, first
        for row in range(first, stop):
            if row < passed:  # (verbatim rows, written)
                continue
            if row in given:
                self._pass(given[row], starts, keys[k][0] if k < n else stop)
                passed = given[row].stop
                continue
            out: dict[int, tuple] = {}  # col -> (format, Cell)
            for m in starts.get(row, ()):
                top = cells.get((row, m.first_col))
                f = fmt(top.style if top is not None else "body")
                for col in range(m.first_col + (top is not None), m.last_col + 1):
                    out[col] = (f, _BLANK)
                self.active.append((m, f, range(m.first_col, m.last_col + 1)))
            while k < n and (key := keys[k])[0] == row:
                k += 1
                cell = cells[key]
                out[key[1]] = (fmt(cell.style), cell)
            if self.active:
                for m, f, cols in self.active:
                    if m.first_row < row:  # the range's later rows: every cell blank in its style
                        out.update(dict.fromkeys(cols, (f, _BLANK)))
                    if m.last_row == row:
                        register_merge(ws, m.first_row, m.first_col, m.last_row, m.last_col)
                self.active = [item for item in self.active if item[0].last_row != row]
            height = heights.get(row)
            if not out and height is None:
                continue
            xml = _row_xml(row, out, xfs, self.texts) if out and fast else None
            if xml is not None:
                stream.row(row, min(out), max(out), xml, height)
                continue
            if height is not None:
                set_height(ws, row, height)
            for col in sorted(out):
                _write_cell(ws, writers, row, col, *out[col], self.links)
            if not out and stream is not None:  # a row with only a height: xlsxwriter skips it
                stream.empty(row)

    def _pass(self, v: Verbatim, starts: dict[int, list], next_cell: int) -> None:
        """Write verbatim rows and pass over them: a merge open over them may end there (it
        is registered in the order a row-by-row pass would), none may start there and no
        cell be written there (next_cell: the row of the first cell not yet written)."""
        name = self.sheet.name
        if next_cell < v.stop or any(r in starts for r in range(v.first, v.stop)):
            raise LayoutError(f"{name}: cells written into verbatim rows {v.first}-{v.stop - 1}")
        if v.merges and self.active:
            raise LayoutError(f"{name}: a merge reaches into verbatim rows {v.first}-{v.stop - 1}")
        self.stream.verbatim(v.first, v.stop - 1, v.last_col, v.xml)
        ending = sorted((item for item in self.active if item[0].last_row < v.stop),
                        key=lambda item: item[0].last_row)  # (stable: open order for a tie)
        for m, _f, _cols in ending:
            register_merge(self.ws, m.first_row, m.first_col, m.last_row, m.last_col)
        self.active = [item for item in self.active if item[0].last_row >= v.stop]
        for m in v.merges:
            register_merge(self.ws, *m)


FAST_ROWS = True  # serialize plain rows here (tests switch it off to compare with xlsxwriter)


def _row_xml(row: int, out: dict[int, tuple], xfs: dict, texts: dict) -> str | None:
    """The <c> elements of a row of plain cells, in column order; None if one is not plain.
    xfs caches each format's style index (given on first use, in column order, as
    xlsxwriter gives it); texts each (style index, text)'s XML after the cell reference (a
    汇总表 repeats its texts row after row)."""
    r = str(row + 1)
    parts = []
    for col in sorted(out):
        f, cell = out[col]
        xf = xfs.get(f)
        if xf is None:
            xf = xfs[f] = fix_style_index(f)  # (given on first use, as xlsxwriter does)
        v, kind = cell.value, cell.kind
        if cell.comment or kind not in _PLAIN:
            return None
        if v is None or kind == "blank" or v == "":
            x = blank_xml(column_name(col) + r, xf)
        elif kind == "string":
            if type(v) is not str:  # (keyed by the text: 1 == 1.0 == True, their texts differ)
                v = str(v)
            tail = texts.get((xf, v))
            if tail is None:
                tail = text_tail(xf, v)
                if tail is None:
                    return None
                if len(v) <= _KEPT_TEXT_LENGTH:
                    if len(texts) >= _KEPT_TEXTS:
                        texts.clear()
                    texts[(xf, v)] = tail
            x = '<c r="' + column_name(col) + r + tail
        else:
            x = number_xml(column_name(col) + r, xf, float(v))
            if x is None:
                return None
        parts.append(x)
    return "".join(parts)


# (style, text) pairs a sheet's writer keeps: short texts (units, statuses, roles, numbers as
# text) are the ones a 汇总表 repeats; a unit's long report text comes once (a few MB at most)
_KEPT_TEXTS, _KEPT_TEXT_LENGTH = 20_000, 64


_PLAIN = frozenset({"string", "number", "blank"})
_BLANK = Cell(None, kind="blank")  # a merge's covered cell: blank in the merge's style


def _number(cell: Cell) -> bool:
    """Whether a cell is written as a number (an "auto" one when its value is a number)."""
    v = cell.value
    return cell.kind == "number" or (cell.kind == "auto" and isinstance(v, (int, float))
                                     and not isinstance(v, bool))


# Excel keeps at most 65,530 hyperlinks a sheet, each at most 2,079 characters: a link past
# them is written as its text
MAX_LINKS, MAX_URL = 65530, 2079


def _url(target: str) -> str:
    """Our link targets in xlsxwriter's terms: "#…" internal, "x://…" as is, else a file."""
    if target.startswith("#"):
        return "internal:" + target[1:]
    if "://" in target or target.startswith("mailto:"):
        return target
    return "external:" + target


def _write_cell(ws, writers, row: int, col: int, f, cell: Cell, links: list[int]) -> None:
    """Write one cell in format f; the common ones (text, number, blank) with
    xlsxwriter's undecorated writers (compat.cell_writers). links: [the sheet's hyperlinks
    so far]."""
    string, number, blank = writers
    v, kind = cell.value, cell.kind
    if kind == "url" and cell.target:
        text = "" if v is None else str(v)
        url = _url(cell.target)
        if links[0] < MAX_LINKS and len(url) <= MAX_URL:
            links[0] += 1
            # the shown text is written by write_url as a string: never a formula
            ws.write_url(row, col, url, f, string=text or cell.target)
        else:
            string(row, col, text or cell.target, f)
    elif v is None or kind == "blank" or v == "":
        blank(row, col, None, f)
    elif kind == "string":  # text is always text: a unit's "=..." never becomes a formula
        string(row, col, str(v), f)
    elif kind == "formula":
        # cached result "" so that a program that does not recalculate shows nothing
        ws.write_formula(row, col, str(v), f, "")
    elif _number(cell):
        number(row, col, float(v), f)
    else:
        string(row, col, str(v), f)
    if cell.comment:
        ws.write_comment(row, col, cell.comment, _COMMENT)


# a cell comment: big enough to read a sentence of Chinese, in the body font
_COMMENT = {"author": "督办室", "width": 320, "height": 140, "font_name": "宋体", "font_size": 10}


def _validation(v: Check) -> dict:
    d: dict = {"validate": v.kind, "ignore_blank": True, "error_type": "stop"}  # (Check.kind)
    if v.kind == "list":
        d["source"] = list(v.source)
    elif v.kind == "decimal":
        d.update(criteria="between", minimum=v.minimum if v.minimum is not None else -1e15,
                 maximum=v.maximum if v.maximum is not None else 1e15)
    if v.prompt:
        d.update(input_title=v.prompt_title[:32], input_message=v.prompt[:255])
    if v.error and v.kind != "any":
        d.update(error_title=v.error_title[:32], error_message=v.error[:255])
    return d


def _cached(sheet: Sheet, r: tuple[int, int, int, int]) -> list:
    """A chart range's cells as xlsxwriter caches them from a sheet it holds in memory
    (text as is, numbers as "%.16g", blanks ""): streamed, it holds none, and a chart
    without them takes its text categories for numbers."""
    return [_cached_value(sheet.cells.get((row, col)))
            for row in range(r[0], r[2] + 1) for col in range(r[1], r[3] + 1)]


def _cached_value(cell: Cell | None) -> str | None:
    if cell is None:
        return None
    if cell.value is None or cell.kind == "blank" or cell.value == "":  # (written blank)
        return ""
    return f"{float(cell.value):.16g}" if _number(cell) else str(cell.value)


def _insert_chart(wb, ws, sheet: Sheet, c: Chart, streamed: bool = False) -> None:
    # (an option given as None or "" is as if not given: xlsxwriter's default)
    chart = wb.add_chart({"type": c.type, "subtype": c.subtype})
    font = {"name": STYLES["header"]["font_name"], "size": 10}
    categories = [sheet.name, *c.categories] if c.categories else None
    for i, (name, values) in enumerate(c.series):
        # no "data_labels": {"value": False}: it writes an empty <c:dLbls/>, which the Open XML
        # schema rejects; without the element no labels are shown anyway
        s = {"name": name, "values": [sheet.name, *values], "categories": categories}
        if streamed:  # the rows are gone: give the cache ourselves
            s.update(values_data=_cached(sheet, values),
                     categories_data=_cached(sheet, c.categories) if categories else None)
        if i < len(c.colors) and c.colors[i]:
            s.update(fill={"color": c.colors[i]}, border={"color": c.colors[i]})
        chart.add_series(s)
    if c.title:
        chart.set_title({"name": c.title, "name_font": {**font, "size": 14, "bold": False}})
    # reversed, the value axis is kept at the bottom/left (crossing)
    cat_axis = {"num_font": font, "reverse": c.reverse_categories,
                "crossing": "max" if c.reverse_categories else None,
                "interval_unit": 1 if c.all_labels else None}
    val_axis = {"num_font": font, "major_unit": c.value_major_unit or None, "max": c.value_max,
                "min": None if c.value_max is None else 0,
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    if c.value_format:  # (not None: it would replace the default format)
        val_axis["num_format"] = c.value_format
    if c.value_title:
        val_axis.update(name=c.value_title, name_font={**font, "bold": False})
    # horizontal bars: categories on the vertical (y) axis
    x_axis, y_axis = (val_axis, cat_axis) if c.type == "bar" else (cat_axis, val_axis)
    chart.set_x_axis(x_axis)
    chart.set_y_axis(y_axis)
    chart.set_legend({"position": "top", "font": font})
    chart.set_size({"width": c.width, "height": c.height})
    ws.insert_chart(c.row, c.col, chart, {"object_position": 1})


def _page_setup(ws, sheet: Sheet) -> None:
    p = sheet.page
    ws.set_paper(p.paper)
    if p.landscape:  # (portrait is xlsxwriter's default)
        ws.set_landscape()
    ws.fit_to_pages(1, p.fit_tall)
    if p.repeat_rows:
        ws.repeat_rows(*p.repeat_rows)
    ws.set_footer(p.footer)
    ws.set_margins(*p.margins)  # (left, right, top, bottom)
    ws.center_horizontally()
    ws.set_h_pagebreaks(sorted(set(p.row_breaks)))  # (none: as xlsxwriter starts)
    if sheet.print_area:
        ws.print_area(*sheet.print_area)
    elif sheet.last_row >= 0:
        ws.print_area(0, 0, sheet.last_row, sheet.last_col)
