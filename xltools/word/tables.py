"""Real Word tables: header rows repeated on every page, rows never split, merges kept.

grid_table() draws any grid of texts; sheet_table() draws a generated .xlsx sheet layout
(xltools.sheet.layout.Sheet) with it, so an annex in Word is laid out like its workbook.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from ..sheet.layout import Merge, Sheet
from .gbt9704 import BODY_FONT, H1_FONT, paragraph, set_font
from .ooxml import row_flags

_NUMBER_STYLE = re.compile(r"_c?(\d)(%?)$")  # value_total_c2% -> 2 decimals, percent


@dataclass
class Grid:
    """Texts by (row, col), merges, the number of header rows, relative column widths."""

    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    header_rows: int = 1
    widths: list[float] = field(default_factory=list)
    centred: set[int] = field(default_factory=set)  # columns whose body cells are centred
    nrows: int = 0

    @classmethod
    def of_rows(cls, header: list[str], rows: list[list], widths: list[float],
                centred: set[int] | None = None) -> "Grid":
        """A simple table: one header row, then `rows`."""
        texts = {(r, c): "" if v is None else str(v)
                 for r, row in enumerate([header, *rows]) for c, v in enumerate(row)}
        return cls(texts, header_rows=1, widths=widths, centred=centred or set(), nrows=len(rows) + 1)


def grid_table(doc, grid: Grid, width_mm: float, size: float = 12):
    """The grid as a Word table over `width_mm`: 黑体 headers, 仿宋 body, borders all round."""
    ncols = len(grid.widths)
    table = doc.add_table(rows=grid.nrows, cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(grid.widths) or 1
    widths = [Mm(width_mm * w / total) for w in grid.widths]
    for col, w in zip(table.columns, widths):  # the grid LibreOffice lays out by
        col.width = w
    flat = table._cells  # once: python-docx recomputes the whole grid on each table.cell()
    cells = [flat[r * ncols:(r + 1) * ncols] for r in range(grid.nrows)]
    for r, row in enumerate(table.rows):
        head = r < grid.header_rows
        row_flags(row, header=head)
        for c, cell in enumerate(cells[r]):
            cell.width = widths[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            text = grid.texts.get((r, c), "")
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing = Pt(size * 1.35)
            if head or c in grid.centred:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if text:
                set_font(p.add_run(text), H1_FONT if head else BODY_FONT, size)
    for m in grid.merges:  # after the texts: python-docx joins the merged cells' paragraphs
        if m.last_row < grid.nrows and m.last_col < ncols:
            merged = cells[m.first_row][m.first_col].merge(cells[m.last_row][m.last_col])
            for p in merged.paragraphs[1:]:  # (each merged cell's: the empty ones go)
                if not p.text:
                    p._p.getparent().remove(p._p)
    return table


def sheet_table(sheet: Sheet) -> tuple[Grid, list[tuple[str, str]]]:
    """A sheet layout as a Grid from its first header row down, and the rows above it as
    (style, text): the annex mark, title and subtitle the document prints itself."""
    first, last_head = sheet.page.repeat_rows or (0, 0)
    above = [(cell.style, str(cell.value)) for (r, c), cell in sorted(sheet.cells.items())
             if r < first and cell.value not in (None, "")]
    ncols = sheet.last_col + 1
    grid = Grid(header_rows=last_head - first + 1, nrows=sheet.last_row - first + 1,
                widths=[sheet.col_widths.get(c, 8.43) for c in range(ncols)])
    for (r, c), cell in sheet.cells.items():
        if r >= first:
            grid.texts[(r - first, c)] = cell_text(cell.value, cell.style)
            if "center" in cell.style:
                grid.centred.add(c)
    grid.merges = [Merge(m.first_row - first, m.first_col, m.last_row - first, m.last_col)
                   for m in sheet.merges if m.first_row >= first]
    return grid, above


def cell_text(value, style: str) -> str:
    """A cell's value as the workbook prints it (decimals and percent from its style)."""
    if value is None:
        return ""
    if isinstance(value, float):
        m = _NUMBER_STYLE.search(style)
        if m:
            decimals = int(m.group(1))
            return f"{value * 100:.{decimals}f}%" if m.group(2) else f"{value:.{decimals}f}"
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def caption(doc, text: str) -> None:
    """A line above a table (its subtitle), centred."""
    paragraph(doc, text, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
