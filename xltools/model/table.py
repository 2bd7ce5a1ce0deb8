"""Table: rows under named columns, what merge hands to the workbooks, the HTML report and
the 通报. A plain list of tuples (no pandas: importing it cost every collect 0.3 s and
48 MB in each process); a missing number is None."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter


class Table:
    """Rows (tuples) under column names; t["列"] is a column's values as a list."""

    __slots__ = ("columns", "rows", "_at")

    def __init__(self, columns: Sequence[str], rows: Iterable[Sequence] = ()) -> None:
        self.columns = list(columns)
        self._at = {c: i for i, c in enumerate(self.columns)}
        self.rows = [tuple(r) for r in rows]
        width = len(self.columns)
        if len(self._at) != width or any(len(r) != width for r in self.rows):
            raise ValueError(f"a row or column name does not fit columns {self.columns}")

    __iter__ = None  # (not iterable, nor `in`: t["列"] is a column, t.records() the rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, column: str) -> list:
        i = self._at[column]
        return [r[i] for r in self.rows]

    def __repr__(self) -> str:
        return f"Table({self.columns}, {len(self.rows)} rows)"

    def select(self, *columns: str) -> list[tuple]:
        """The rows with only these columns, in this order."""
        if not self.rows:
            return []
        if len(columns) == 1:
            i = self._at[columns[0]]
            return [(r[i],) for r in self.rows]
        get = itemgetter(*(self._at[c] for c in columns))
        return [get(r) for r in self.rows]

    def records(self) -> list[dict]:
        """One dict a row (column -> value)."""
        return [dict(zip(self.columns, r)) for r in self.rows]

    def where(self, keep: Callable[[dict], bool]) -> "Table":
        """The rows whose record `keep` accepts."""
        return Table(self.columns, (r for r in self.rows if keep(dict(zip(self.columns, r)))))

    def with_column(self, column: str, values: Iterable) -> "Table":
        """A copy with `column` set to `values` (replaced where it exists, else added last)."""
        values = list(values)
        if len(values) != len(self.rows):
            raise ValueError(f"{len(values)} values for {len(self.rows)} rows of {column}")
        if column in self._at:
            i = self._at[column]
            return Table(self.columns, (r[:i] + (v,) + r[i + 1:] for r, v in zip(self.rows, values)))
        return Table([*self.columns, column], (r + (v,) for r, v in zip(self.rows, values)))

    def only(self, *columns: str) -> "Table":
        """A copy with only these columns, in this order."""
        return Table(columns, self.select(*columns))
