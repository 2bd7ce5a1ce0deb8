"""Cells of a table flattened one cell per block (blank line between cells), or of a
.docx grid in the same order (each merged cell once)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from .clean import Line

_MEASURE_ONLY_RE = re.compile(r"^\([^()]{1,8}\)$")


@dataclass
class Cell:
    """One table cell: its text (lines joined) and the line it starts on. As a grid
    position of a .docx table (table1.GridCell): the notice line of its block, and whether
    it is the same (merged) cell as the one above / to the left."""

    text: str
    line: int
    up: bool = False
    left: bool = False

    @property
    def flat(self) -> str:
        """The cell without any whitespace (padding in merged or justified cells)."""
        return "".join(self.text.split())


def cells_of(lines: list[Line], start: int, end: int) -> list[Cell]:
    """Blocks of consecutive non-blank lines → cells; a lone "(万元)" joins the cell before.
    A row printed on one line with tabs between its cells (as copied out of WPS or Excel) is
    its cells."""
    cells: list[Cell] = []
    for filled, run in groupby(lines[start:end], key=lambda ln: bool(ln.text.strip())):
        block = list(run)
        if filled and any("\t" in ln.text.strip() for ln in block):  # (not a trailing tab)
            cells += [Cell(f.strip(), ln.no) for ln in block for f in ln.text.split("\t") if f.strip()]
        elif filled:
            text = "\n".join(ln.text.strip() for ln in block)
            flat = "".join(text.split())
            if cells and _MEASURE_ONLY_RE.match(flat):
                cells[-1].text += flat
            else:
                cells.append(Cell(text, block[0].no))
    return cells


def grid_cells(grid) -> list[Cell]:
    """A .docx grid's cells row by row, each merged cell once, empty ones left out:
    the order in which the text form prints them."""
    return [c for row in grid.rows for c in row if not (c.up or c.left) and c.text.strip()]
