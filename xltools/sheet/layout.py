"""Workbook layouts as data: cells, merges, validations, print set-up, protection.

Generators build these; `xltools.xlsx.writer` is the only code that turns them into
files. Coordinates are 0-based (row, col); "A1" appears only at the user's edge.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import product
from operator import itemgetter
from typing import Any

MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # Excel's sheet: a cell past it corrupts the file


class LayoutError(ValueError):
    """Geometry that would corrupt a file (overlapping merges, writes under a merge)."""


@dataclass(slots=True)
class Cell:
    """One cell: value, named style, and how to write it."""

    value: Any
    style: str = "body"
    kind: str = "auto"  # auto | string | number | formula | blank | url
    guard: bool = False  # content the unit must not change (goes into the fingerprint)
    # kind="url" only, and only for links xltools makes itself: "#'表'!A1" inside the
    # workbook, "archive/ab.xlsx#'季度报表'!C7" relative to the output folder, or
    # "https://…". `value` is the text shown.
    target: str = ""
    # A cell comment (note) shown when the cell is pointed at: xltools' own text only
    # (feedback to units: what to fix here). Never part of the fingerprint.
    comment: str = ""


@dataclass(slots=True)
class Merge:
    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True)
class Check:
    """How cells are checked as they are typed: a data validation and the prompt shown."""

    kind: str = "any"  # any | decimal | list
    prompt_title: str = ""
    prompt: str = ""
    minimum: float | None = None
    maximum: float | None = None
    source: tuple[str, ...] = ()  # for list
    error_title: str = ""
    error: str = ""  # shown, and the entry refused, when a bad value is typed


@dataclass
class PageSetup:
    """Print set-up: A4, orientation, fitted to width and centred, repeated header rows, page numbers."""

    landscape: bool = False
    paper: int = 9  # A4
    repeat_rows: tuple[int, int] | None = None
    footer: str = "&C第 &P 页 共 &N 页"
    margins: tuple[float, float, float, float] = (0.5, 0.5, 0.6, 0.6)  # left, right, top, bottom
    row_breaks: list[int] = field(default_factory=list)  # page breaks above these rows
    fit_tall: int = 0  # fitted to the page's width, and to this many pages tall (0: as many as needed)


Range = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col (0-based)


@dataclass(frozen=True)
class Verbatim:
    """Rows first..stop-1 as an earlier file holds them, already serialized (their cells,
    heights and styles in `xml`; the merges inside them listed): a streamed sheet's block
    whose inputs did not change since that file was written (xlsx.rowcache)."""

    first: int
    stop: int
    xml: str
    merges: tuple[Range, ...]
    last_col: int


@dataclass
class Chart:
    """A native chart placed on a sheet; ranges refer to its own sheet."""

    type: str  # bar | column | line | pie
    title: str = ""
    categories: Range | None = None
    series: list[tuple[str, Range]] = field(default_factory=list)  # (name, values range)
    row: int = 0  # top-left anchor cell
    col: int = 0
    width: int = 720  # pixels
    height: int = 400
    subtype: str = ""  # stacked | percent_stacked | ""
    colors: list[str] = field(default_factory=list)  # one per series ("#5B9BD5"), optional
    value_title: str = ""
    reverse_categories: bool = False  # first category on top (bar charts read top-down)
    value_major_unit: float | None = None  # step of the value axis (1 for counts), None: auto
    value_format: str = ""  # number format of the value axis ("0")
    all_labels: bool = False  # label every category (Excel may skip some when crowded)
    value_max: float | None = None  # fixed end of the value axis (same scale on several charts)


@dataclass
class Sheet:
    """One worksheet's layout."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    col_widths: dict[int, float] = field(default_factory=dict)
    hidden_cols: set[int] = field(default_factory=set)  # kept for filters and look-ups, not printed
    row_heights: dict[int, float] = field(default_factory=dict)
    validations: list[tuple[Check, Range]] = field(default_factory=list)  # (check, its cells)
    page: PageSetup = field(default_factory=PageSetup)
    freeze: tuple[int, int] | None = None
    protect: bool = False
    hidden: bool = False
    autofilter: tuple[int, int, int, int] | None = None
    print_area: tuple[int, int, int, int] | None = None  # None: everything written
    charts: list[Chart] = field(default_factory=list)
    # A table too big to hold whole (a province's 按任务汇总: 10^6 cells) is made while it
    # is written: iterating `rows` puts the next block of cells, merges and heights into
    # the sheet and yields a row number, a promise that the rows above it (their cells,
    # merges and heights) are final. The streaming writer writes and releases them; anything
    # else calls complete() first. Column widths, page set-up and charts are set before.
    rows: Iterator[int] | None = field(default=None, repr=False)
    expected_cells: int = 0  # the cells `rows` will make, roughly (whether to stream)
    # set by the streaming writer while it iterates `rows`: a block may then be handed over
    # as Verbatim rows instead of cells (put_verbatim), which only that writer can write
    takes_verbatim: bool = field(default=False, repr=False)
    verbatim: list[Verbatim] = field(default_factory=list, repr=False)
    _covered: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    _sealed: int = 0  # rows above this are written out and released: no more writes there
    _extent: tuple[int, int] = (-1, -1)  # last row and column of the released cells

    def complete(self) -> None:
        """Make whatever rows the sheet still owes (see `rows`)."""
        rows, self.rows = self.rows, None
        for _ in rows or ():  # (each step makes the next block)
            pass

    def release(self, below: int) -> None:
        """Forget the cells of rows above `below` (written out): later writes there are refused."""
        if below <= self._sealed:
            return
        cells, covered = self.cells, self._covered
        gone = [k for k in cells if k[0] < below]
        if gone:  # (max of the keys: the last row; of their columns: the last column)
            self._extent = (max(self._extent[0], max(gone)[0]),
                            max(self._extent[1], max(map(itemgetter(1), gone))))
            for k in gone:
                del cells[k]
        for k in [k for k in covered if k[0] < below]:
            del covered[k]
        self._sealed = below

    def put_verbatim(self, rows: Verbatim) -> None:
        """Rows rows.first..rows.stop-1 written as `rows.xml`, in the block `rows` yields
        next: nothing may be written in them, and a merge may only pass over them (its
        covered cells are in the xml) unless the rows list merges of their own."""
        if not self.takes_verbatim:
            raise LayoutError(f"{self.name}: verbatim rows outside a streamed write")
        if self.verbatim and rows.first < self.verbatim[-1].stop or rows.stop <= rows.first:
            raise LayoutError(f"{self.name}: verbatim rows {rows.first}-{rows.stop - 1} out of order")
        self._check(rows.first)
        self.verbatim.append(rows)
        self._extent = (max(self._extent[0], rows.stop - 1), max(self._extent[1], rows.last_col))

    @property
    def released(self) -> bool:
        """Whether some rows were written out and their cells let go (see release)."""
        return self._sealed > 0

    def _check(self, row: int) -> None:
        if row < self._sealed:
            raise LayoutError(f"{self.name}: row {row} is already written out")

    def write(self, row: int, col: int, value: Any, style: str = "body", kind: str = "auto",
              guard: bool = False, target: str = "", comment: str = "") -> None:
        """Put a value in one cell; refuses a cell hidden under a merge."""
        if not (0 <= row < MAX_ROWS and 0 <= col < MAX_COLS):
            raise LayoutError(f"{self.name}: cell ({row}, {col}) outside a worksheet")
        self._check(row)
        key = (row, col)
        m = self._covered.get(key)
        if m is not None:
            mg = self.merges[m]
            if key != (mg.first_row, mg.first_col):
                raise LayoutError(f"{self.name}: ({row}, {col}) lies under merge {mg}")
        self.cells[key] = Cell(value, style, kind, guard, target, comment)

    def write_cells(self, row: int, col: int, cells: list[tuple[Any, str, str]]) -> None:
        """Put (value, style, kind) into a row's cells from `col` on, as write() would (a
        table's row at once: a 汇总表 writes 10^6 cells)."""
        if not (0 <= row < MAX_ROWS and 0 <= col and col + len(cells) <= MAX_COLS):
            raise LayoutError(f"{self.name}: cells ({row}, {col}…) outside a worksheet")
        self._check(row)
        store, covered = self.cells, self._covered
        for i, (value, style, kind) in enumerate(cells, col):
            if covered and (row, i) in covered:
                self.write(row, i, value, style, kind)  # (refuses a cell under a merge)
            else:
                store[(row, i)] = Cell(value, style, kind)

    def link(self, row: int, col: int, text: str, target: str, style: str = "link") -> None:
        """A hyperlink made by xltools (never a unit's text): `text` shown, `target` opened."""
        self.write(row, col, text, style, kind="url", target=target)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int, value: Any,
              style: str = "body", kind: str = "auto", guard: bool = False) -> None:
        """Merge a range and put the value in its top-left cell; refuses overlaps."""
        if last_row < first_row or last_col < first_col:
            raise LayoutError(f"{self.name}: empty merge ({first_row},{first_col})-({last_row},{last_col})")
        if last_row >= MAX_ROWS or last_col >= MAX_COLS:
            raise LayoutError(f"{self.name}: merge to ({last_row},{last_col}) outside a worksheet")
        self._check(first_row)
        if (first_row, first_col) == (last_row, last_col):
            self.write(first_row, first_col, value, style, kind, guard)
            return
        top = (first_row, first_col)
        span = list(product(range(first_row, last_row + 1), range(first_col, last_col + 1)))
        if not self._covered.keys().isdisjoint(span):
            rc = next(rc for rc in span if rc in self._covered)
            raise LayoutError(f"{self.name}: merge at {rc} overlaps {self.merges[self._covered[rc]]}")
        hidden = (self.cells.keys() & span) - {top}
        if hidden:
            raise LayoutError(f"{self.name}: merge would hide the value at {min(hidden)}")
        self.merges.append(Merge(first_row, first_col, last_row, last_col))
        self._covered.update(dict.fromkeys(span, len(self.merges) - 1))
        # Only the top-left cell is stored: the writer gives the rest of the range its
        # style (so borders print around the whole range). A summary's task blocks cover
        # hundreds of thousands of cells; a Cell for each would double the layout's size.
        self.cells[top] = Cell(value, style, kind, guard)

    def widths(self, widths: list[float], first_col: int = 0) -> None:
        """Set the widths of the columns from first_col on."""
        self.col_widths.update(enumerate(widths, first_col))

    def validate(self, check: Check, first_row: int, first_col: int, last_row: int,
                 last_col: int) -> None:
        """Check the cells of a range as they are typed."""
        self.validations.append((check, (first_row, first_col, last_row, last_col)))

    @property
    def last_row(self) -> int:
        return max(max((r for r, _ in self.cells), default=-1), self._extent[0],
                   max((m.last_row for m in self.merges), default=-1))

    @property
    def last_col(self) -> int:
        return max(max((c for _, c in self.cells), default=-1), self._extent[1],
                   max((m.last_col for m in self.merges), default=-1))


@dataclass
class Workbook:
    """A whole workbook to write: sheets in order, document and custom properties."""

    filename: str  # relative path inside the output folder
    sheets: list[Sheet] = field(default_factory=list)
    title: str = ""
    subject: str = ""
    author: str = "xltools"
    company: str = ""
    custom_properties: dict[str, str] = field(default_factory=dict)
    defined_names: dict[str, str] = field(default_factory=dict)  # name -> formula text
    kind: str = ""  # form kind, for listings
    unit: str = ""
    period: str = ""
    # Write rows in order and flush them (xlsxwriter constant_memory): the writer then
    # holds one row at a time instead of every cell (the reports, whose size grows with
    # the number of returns).
    constant_memory: bool = False
    # the sheets' names, for add_sheet (a 校验报告 has a sheet per unit: scanning the list
    # for each new one was quadratic); rebuilt when sheets were added or removed directly
    _names: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    def add_sheet(self, name: str, **kwargs: Any) -> Sheet:
        if len(self._names) != len(self.sheets):
            self._names = {s.name for s in self.sheets}
        if name in self._names:
            raise LayoutError(f"duplicate sheet name {name!r}")
        self._names.add(name)
        sheet = Sheet(name=name, **kwargs)
        self.sheets.append(sheet)
        return sheet

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)
