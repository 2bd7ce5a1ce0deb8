"""Printable tables: the pieces both report workbooks share."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from ..sheet.blocks import WRAP_SLACK, official_page, safe_sheet_name, title_block
from ..sheet.layout import Sheet, Workbook
from ..sheet.styles import INDENT_UNITS, LINE_HEIGHT
from ..model.glossary import official_marks, text_width
from ..merge.common import BLOCKED
from ..xlsx.rowcache import SheetRows
from ..xlsx.splice import code_version

MAX_ROW = 409  # Excel's tallest row (points)


@lru_cache(maxsize=1 << 16)  # a 汇总表 repeats its texts (tasks, units, statuses) row after row
def _lines(s: str, width: float) -> int:
    per_line = max(1, int((width - 1.5 - INDENT_UNITS) * WRAP_SLACK))
    return sum(max(1, -(-text_width(part) // per_line)) for part in s.split("\n"))


def height_for(texts_and_widths, minimum: float = 20) -> float:
    lines = max([1] + [_lines(str(t), w) for t, w in texts_and_widths if t not in (None, "")])
    return _height(lines, minimum)


def _height(lines: int, minimum: float) -> float:
    return min(MAX_ROW, max(minimum, round(lines * LINE_HEIGHT + 5, 1)))


def name_width(names, minimum: float = 10, maximum: float = 24) -> float:
    """A column width that holds the longest unit name on one line (never 沙市城投公/司)."""
    longest = max((text_width(n) for n in names), default=0)
    return max(minimum, min(maximum, longest / WRAP_SLACK + 1.5 + INDENT_UNITS))


def digests(*context: object) -> Callable[..., str]:
    """key(*made_of): a digest of what one output part (a sheet, a feedback file, an HTML
    section) is made from, besides `context` and the code version, which every part depends
    on (a dataclass repr shows every field): an unchanged part is kept, not made again."""
    common = hashlib.sha256(f"{code_version()}{context!r}".encode())

    def key(*made_of: object) -> str:
        h = common.copy()
        h.update(repr(made_of).encode())
        return h.hexdigest()
    return key


@dataclass
class Col:
    """One printed column: header, width, style and how to write its value."""

    label: str
    width: float
    style: str = "body"
    kind: str = "string"  # string | number (None or NaN -> blank)


def put(sheet: Sheet, row: int, col: int, value: Any, c: Col, style: str | None = None) -> None:
    """Write one value: text as text always (a unit's "=1+1" stays text), numbers as numbers."""
    put_row(sheet, row, col, [value], [c], [style])


def put_row(sheet: Sheet, row: int, col: int, values, cols: list[Col],
            styles: list | None = None) -> None:
    """put() for a row of values from `col` on, each with its column (styles: the first
    cells' own, None for the column's), written at once."""
    if len(values) < len(cols):
        raise IndexError(f"{len(values)} values for {len(cols)} columns")
    out = []
    styles = styles or ()
    for i, (value, c) in enumerate(zip(values, cols)):
        st = (styles[i] if i < len(styles) else None) or c.style
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            out.append((None, st, "blank"))
        elif value == BLOCKED:
            out.append((value, "blocked", "string"))
        elif c.kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append((float(value), st, "number"))
        else:
            out.append((str(value), st, "string"))
    sheet.write_cells(row, col, out)


def error_style(c: Col) -> str:
    """The 错误 variant of a column's body style."""
    return "body_error_center" if c.style != "body" else "body_error"


def header(sheet: Sheet, row: int, cols: list[Col]) -> int:
    labels = [official_marks(c.label) for c in cols]  # (full-width marks are wider: measured so)
    sheet.write_cells(row, 0, [(label, "header", "string") for label in labels])
    sheet.row_heights[row] = height_for([(t, c.width) for t, c in zip(labels, cols)], 30)
    return row + 1


def fit(sheet: Sheet, row: int, cols: list[Col], values) -> None:
    """Row height for the wrapped values of a row (every column, its own width)."""
    # (height_for's, with no pairs made: a 汇总表 fits one row per unit and task)
    lines = max((_lines(v, c.width) for v, c in zip(values, cols) if v and isinstance(v, str)),
                default=1)
    sheet.row_heights[row] = _height(lines, 20)


def start_sheet(wb: Workbook, name: str, cols: list[Col], title: str, subtitle: str = "",
                frozen_cols: int = 0) -> tuple[Sheet, int]:
    """A landscape sheet with widths, title block, one header row (repeated on every page), frozen
    below it (and right of `frozen_cols`); the first row of the table. The title, subtitle,
    labels, headings, notes and empty-table lines here are printed with official marks
    (glossary.official_marks): a report's own words, around plan and period names."""
    sh, head = titled_sheet(wb, name, cols, title, subtitle)
    row = header(sh, head, cols)
    sh.freeze = (row, frozen_cols)
    sh.page = official_page(landscape=True, header_rows=(head, head))
    return sh, row


def titled_sheet(wb: Workbook, name: str, cols: list[Col], title: str,
                 subtitle: str) -> tuple[Sheet, int]:
    """A sheet with the columns' widths and a marked title; the row below the title."""
    sh = wb.add_sheet(name)
    sh.widths([c.width for c in cols])
    return sh, marked_title(sh, len(cols), title, subtitle)


def marked_title(sheet: Sheet, ncols: int, title: str, subtitle: str = "") -> int:
    """blocks.title_block for a report: title and subtitle with official marks (not for the
    forms units fill: their titles stay as sent)."""
    return title_block(sheet, ncols, official_marks(title), official_marks(subtitle))


def rows_table(sheet: Sheet, row: int, cols: list[Col], records, style_of: Callable | None = None,
               empty: str = "", kept: SheetRows | None = None) -> int:
    """Write records (tuples in column order); style_of(record, col_index) may restyle a cell;
    no records: one row saying `empty` (when given). kept: a record the previous file shows
    alike (same digest) is copied from it, moved to its row now (a sheet made while written)."""
    first, runs, after = row, [], -1  # runs: [first, stop, row it was at] copied
    digests: list[str] = []
    kept = kept or SheetRows("")  # (no previous file: every row made)
    kept.row_context(cols)
    for rec in records:
        styles = [style_of(rec, i) for i in range(len(cols))] if style_of else None
        digests.append(kept.row_digest((rec, styles)))
        was = kept.where(digests[-1], after)
        if was is None:
            _table_row(sheet, row, cols, rec, styles)
        elif runs and runs[-1][1] == row and runs[-1][2] + row - runs[-1][0] == was:
            runs[-1][1] += 1
            runs[-1].append((rec, styles))
        else:
            runs.append([row, row + 1, was, (rec, styles)])
        after = was if was is not None else after
        row += 1
    for a, b, was, *made in runs:
        if not kept.put_rows(sheet, a, b, len(cols) - 1, was):
            for r, (rec, styles) in enumerate(made, a):
                _table_row(sheet, r, cols, rec, styles)
    kept.record(list(range(first, row)), digests)
    kept.finish()
    return empty_row(sheet, row, len(cols), empty) if empty and row == first else row


def filtered(sheet: Sheet, first: int, row: int, ncols: int, empty: str) -> int:
    """A table's rows first..row-1 under an autofilter (on its header, the row above them),
    or, when it has none, one row saying `empty`; the row below."""
    if row == first:
        return empty_row(sheet, row, ncols, empty)
    sheet.autofilter = (first - 1, 0, row - 1, ncols - 1)
    return row


def _table_row(sheet: Sheet, row: int, cols: list[Col], rec, styles) -> None:
    put_row(sheet, row, 0, rec, cols, styles)
    fit(sheet, row, cols, rec)


def full_row(sheet: Sheet, row: int, ncols: int, text: str, style: str,
             height: float | None = None) -> int:
    """One text merged across `ncols` columns, the row `height` tall when given; the next row."""
    sheet.merge(row, 0, row, ncols - 1, text, style, kind="string")
    if height is not None:
        sheet.row_heights[row] = height
    return row + 1


def empty_row(sheet: Sheet, row: int, ncols: int, text: str) -> int:
    return full_row(sheet, row, ncols, official_marks(text), "body_center", 24)


def heading(sheet: Sheet, row: int, ncols: int, text: str) -> int:
    return full_row(sheet, row, ncols, official_marks(text), "heading", 26)


def note(sheet: Sheet, row: int, ncols: int, text: str, width: float | None = None) -> int:
    """A note across `ncols` columns, as tall as its text needs over `width` (by default
    theirs)."""
    text = official_marks(text)
    width = width or sum(sheet.col_widths.get(c, 0) for c in range(ncols))
    return full_row(sheet, row, ncols, text, "note", height_for([(text, width)], 18))


def sheet_namer(taken: list[str]) -> Callable[[str], str]:
    """names(wanted): sheet names Excel accepts (≤31 characters, no []:*?/\\), unique ignoring
    case among themselves, `taken` and Excel's own History: (2), (3)… added when need be."""
    used = {n.lower() for n in taken} | {"history"}

    def names(wanted: str) -> str:
        base = safe_sheet_name(wanted).strip() or "Sheet"
        name, i = base, 1
        while name.lower() in used:
            i += 1
            name = base[:31 - len(f"({i})")] + f"({i})"
        used.add(name.lower())
        return name
    return names
