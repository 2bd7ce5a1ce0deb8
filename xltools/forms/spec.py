"""A form's layout as data: its columns, header fields and second table, one spec per version.

The generator renders a form from its spec, collect reads a returned form by the spec it was
sent under (FormIdentity.version), merge addresses cells through it. Column positions are
0-based and follow the order of `columns`; column 0 is always the row number (序号).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import accumulate

from ..model.glossary import form_name
from ..model.periods import period_words
from ..model.plan import ROLE_LEAD, ROLE_SUPPORT
from ..sheet.layout import Check

# What goes into a column's cells
GUARDED = "guarded"  # written by the generator; the unit must not change it (fingerprinted)
TEXT = "text"  # the unit types text
NUMBER = "number"  # the unit types a number
PERCENT = "percent"  # the unit types a number from 0 to 100
LIST = "list"  # the unit picks from a drop-down list
COMPUTED = "computed"  # a formula of the generator's, neither guarded nor filled in
FILL_IN = (TEXT, NUMBER, PERCENT, LIST)
COLONS = ":\uff1a"  # a label may end in either colon when a unit retypes it
# where a column's header or check names the period, or the sheet the form's name (季度报表,
# 半年报表), as for_period() fills them in
THIS_PERIOD, NEXT_PERIOD, PERIOD_FORM = "{本期}", "{下期}", "{报表}"


@dataclass(frozen=True)
class Column:
    """One column of a table: field key, header as printed, width, what is typed, its check."""

    key: str  # the field's name in collect and merge ("状态"), the same in every version
    header: str
    width: float
    entry: str = GUARDED
    style: str = "body"  # cell style of the rows
    check: Check | None = None
    span: int = 1  # columns the cells cover (merged)

    def reworded(self, put: Callable[[str], str]) -> Column:
        """This column with `put` applied to its header and to its check's title and prompt."""
        check = self.check and replace(self.check, prompt_title=put(self.check.prompt_title),
                                       prompt=put(self.check.prompt))
        return replace(self, header=put(self.header), check=check)


@dataclass(frozen=True)
class HeaderField:
    """A field above the table: label and input cells, rows counted from the first field row."""

    key: str
    label: str  # printed in the cell left of the input (or before the value when inline)
    row: int
    col: int
    last: int  # last column of the (merged) input
    check: Check | None = None
    guarded: bool = False  # the unit's name, written by the generator
    inline: bool = False  # label and value share one cell: "填报单位:区发改局"

    @property
    def stem(self) -> str:
        """The label without its colon: 填报单位."""
        return self.label.rstrip(COLONS)


@dataclass(frozen=True)
class FormSpec:
    """One version of one form kind's layout.

    Guarded cells are the GUARDED columns of every row and the field naming the unit; their
    text and place feed the fingerprint, so a version forms went out under is never edited.
    """

    kind: str
    version: int
    sheet: str
    columns: tuple[Column, ...]
    fields: tuple[HeaderField, ...]
    label_key: str  # the column that names a row (task text, indicator)
    header_height: float = 30
    field_height: float = 24
    freeze_col: int = 0  # columns kept in view left of the fill-in ones; print titles are the
    # column header row, repeated on every page
    targets: tuple[Column, ...] = ()  # the second table (量化指标), () when none
    target_title: str = ""
    target_label_key: str = ""
    target_sheet: str = ""  # the sheet the second table has to itself; "" = below the first
    target_roles: tuple[str, ...] = (ROLE_LEAD, ROLE_SUPPORT)  # whose tasks' targets it asks for
    title: str = ""  # the title row, str.format()ted with the names its kind's generator gives

    @property
    def ncols(self) -> int:
        return len(self.columns)

    @property
    def widths(self) -> list[float]:
        return [c.width for c in self.columns]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def col(self, key: str) -> int:
        """The column of a field of the main table."""
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def width(self, key: str) -> float:
        return self.columns[self.col(key)].width

    def target_col(self, key: str) -> int:
        """The column of a field of the second table (earlier spans counted)."""
        return dict(positions(self.targets))[key]

    def fill_in(self) -> dict[str, int]:
        """{key: column} of the main table's fill-in columns."""
        return {c.key: i for i, c in enumerate(self.columns) if c.entry in FILL_IN}

    @property
    def unit_field(self) -> HeaderField:
        """The guarded field that names the unit."""
        return next(f for f in self.fields if f.guarded)

    @property
    def field_rows(self) -> int:
        """Rows the header fields take."""
        return max(f.row for f in self.fields) + 1

    def field_cells(self, first_row: int) -> dict[str, tuple[int, int]]:
        """{key: (row, col)} of the header fields the unit fills in."""
        return {f.key: (first_row + f.row, f.col) for f in self.fields if not f.guarded}

    def target_headers(self) -> tuple[str, ...]:
        """The second table's header as read back: one label per column, "" under a span."""
        out = [h for c in self.targets for h in (c.header, *[""] * (c.span - 1))]
        while out and not out[-1]:  # the header row ends with the last label
            out.pop()
        return tuple(out)

    def target_part(self) -> FormSpec:
        """The second table of its own sheet as a spec of that sheet: its columns, the unit's
        name (guarded) as the one header field."""
        return replace(self, sheet=self.target_sheet, columns=self.targets,
                       fields=(replace(self.unit_field, row=0),), label_key=self.target_label_key,
                       freeze_col=2, target_sheet="", header_height=30)

    def for_period(self, period_id: str) -> FormSpec:
        """This spec as a form of that period shows it: 本期/下期 in headers and checks as the
        period names them (上半年完成情况), the sheet as the form (半年报表); a spec without
        them is returned as it is."""
        this, following = period_words(period_id)
        columns = tuple(c.reworded(lambda t: t.replace(THIS_PERIOD, this).replace(NEXT_PERIOD, following))
                        for c in self.columns)
        sheet = self.sheet.replace(PERIOD_FORM, form_name(self.kind, period_id))
        return self if (columns, sheet) == (self.columns, self.sheet) else \
            replace(self, columns=columns, sheet=sheet)


def positions(columns: tuple[Column, ...]) -> list[tuple[str, int]]:
    """(key, first column) of each column, spans counted."""
    return list(zip((c.key for c in columns), accumulate((c.span for c in columns), initial=0)))
