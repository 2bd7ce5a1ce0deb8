"""Pagination we control: manual page breaks so that no block is cut from its label.

A printed page holds a known height of rows: the paper less the margins, divided by the
fit-to-width scale. Every row's height is known when it is written (the code fits them),
so a block (a unit's tasks, a task's rows, a section) that fits on a page is moved whole to
the next page, and a longer one is cut into pieces of one page each; the writer merges each
piece on its own and repeats its label ("(续)"), so every page shows it and borders close.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .layout import Sheet

A4 = (595.3, 841.9)  # points
DEFAULT_ROW = 15.0  # points: a row with no height of its own
SLACK = 0.96  # LibreOffice and Excel round the scale and pad rows; stay safely inside
CONTINUED = "\uff08\u7eed\uff09"  # (续): the label of a block's continuation


def column_points(width: float) -> float:
    """Printed width of a column of `width` characters (Excel's pixel rule, 96 dpi)."""
    px = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return px * 0.75


def row_height(sheet: Sheet, row: int) -> float:
    return sheet.row_heights.get(row, DEFAULT_ROW)


@dataclass
class Pager:
    """Places blocks of rows on pages; `breaks` are the rows that start a new page."""

    sheet: Sheet
    capacity: float  # sheet points of rows one page holds
    repeat: float = 0.0  # the rows repeated at the top of every page after the first
    used: float = 0.0
    breaks: list[int] = field(default_factory=list)

    @classmethod
    def for_sheet(cls, sheet: Sheet, start: int) -> "Pager":
        """A pager for `sheet` (page set-up and widths already set) whose blocks begin at
        row `start`: everything above it is on the first page."""
        p = sheet.page
        paper_w, paper_h = A4[::-1] if p.landscape else A4
        left, right, top, bottom = p.margins
        width = sum(column_points(w) for c, w in sheet.col_widths.items()
                    if c not in sheet.hidden_cols) or 1.0
        scale = min(1.0, (paper_w - 72 * (left + right)) / width)  # (fitted to the width)
        scale = int(scale * 100) / 100  # the applications print at whole percents
        capacity = (paper_h - 72 * (top + bottom)) / scale * SLACK
        first, last = p.repeat_rows or (0, -1)  # (none: no rows repeated)
        repeat = sum((row_height(sheet, r) for r in range(first, last + 1)), 0.0)
        used = sum(row_height(sheet, r) for r in range(start))
        return cls(sheet, capacity, repeat, used)

    def new_page(self, row: int) -> None:
        self.breaks.append(row)
        self.used = self.repeat

    def place(self, first: int, last: int, min_first: float = 0.0) -> list[tuple[int, int]]:
        """Put rows first..last on pages; returns the pieces (first, last) one page each:
        one piece when the block fits on a page, moved to the next page if need be. A block
        cut into pieces starts where at least `min_first` points are left (its label's
        height: the caller may grow the first piece to it)."""
        heights = [row_height(self.sheet, r) for r in range(first, last + 1)]
        total = sum(heights)
        if self.used + total <= self.capacity:
            self.used += total
            return [(first, last)]
        if total <= self.capacity - self.repeat:
            self.new_page(first)
            self.used += total
            return [(first, last)]
        if self.used + max(min_first, heights[0]) > self.capacity and self.used > self.repeat:
            self.new_page(first)
        pieces, start = [], first
        for r, h in zip(range(first, last + 1), heights):
            if self.used + h > self.capacity and self.used > self.repeat:
                if r > start:
                    pieces.append((start, r - 1))
                self.new_page(r)
                start = r
            self.used += h
        pieces.append((start, last))
        return pieces

    def finish(self) -> None:
        """Hand the breaks to the sheet's page set-up."""
        self.sheet.page.row_breaks = sorted(set(self.sheet.page.row_breaks) | set(self.breaks))


def continued(label: str, piece: int) -> str:
    """The label of a block's piece: as is on the first, with (续) on the others."""
    return label if piece == 0 or not label else f"{label}{CONTINUED}"
