"""A returned workbook's tables as the unit page shows them, the problem cells marked.

Read again from the ledger's archived copy with the project's own reader (xlsx.cells), only
for .xlsx: that reader size-checks every sheet before opening it, so a hostile file cannot
take the server down (.xls and .ods are read in workers only, never here).
"""
from __future__ import annotations

from pathlib import Path

from ..model.glossary import a1, col_letter, from_a1
from ..collect.limits import DEFAULT_LIMITS
from ..xlsx.cells import read_workbook

MAX_ROWS, MAX_COLS = 300, 40  # a form's table fits; a pasted-in sheet is cut, and says so
MAX_SHEETS = 3  # a form has one or two visible sheets; more are not a form's


def _text(v: object) -> str:
    if v is None:
        return ""
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def returned_tables(path: str, findings: list[dict]) -> list[dict]:
    """[{sheet, columns, rows: [[{text, cell, marks}]], cut}] for each visible sheet of the
    return (the task table, the 量化指标 sheet…), its problem cells marked; [] when the file is
    not an .xlsx or cannot be read."""
    if not path or Path(path).suffix.lower() != ".xlsx" or not Path(path).is_file():
        return []
    _, grids = read_workbook(path, DEFAULT_LIMITS)
    return [_table(grids.rows[s], s, findings) for s in grids.visible()[:MAX_SHEETS]
            if s in grids.rows]


def _table(rows: list, sheet: str, findings: list[dict]) -> dict:
    marks: dict[tuple[int, int], list[str]] = {}
    for f in findings:
        if f.get("sheet") == sheet and (at := from_a1(f.get("cell") or "")):
            marks.setdefault(at, []).append(f.get("text") or f.get("message", ""))
    # the rows and columns used: up to the last one with a value, or with a mark
    used = max([r + 1 for r, row in enumerate(rows) if any(_text(v) for v in row)]
               + [r + 1 for r, _ in marks], default=0)
    width = max([len(row) for row in rows[:used]] + [c + 1 for _, c in marks], default=0)
    n_rows, n_cols = min(used, MAX_ROWS), min(width, MAX_COLS)
    out = []
    for r in range(n_rows):
        row = rows[r] if r < len(rows) else []
        out.append([{"text": _text(row[c]) if c < len(row) else "", "cell": a1(r, c),
                     "marks": marks.get((r, c), [])} for c in range(n_cols)])
    return {"sheet": sheet, "columns": [col_letter(c) for c in range(n_cols)], "rows": out,
            "cut": used > MAX_ROWS or width > MAX_COLS}
