"""Read a workbook the user made himself (a plan.xlsx): every sheet's values, unbounded."""
from __future__ import annotations

import io
import os
from pathlib import Path

from python_calamine import CalamineWorkbook

from . import xls
from .compat import visibility


def read_sheets(path: str | os.PathLike, hidden: bool = True) -> dict[str, list[list]]:
    """Every sheet's rows as lists of plain values (str, float, int, bool, date, None);
    hidden=False leaves out hidden and very hidden sheets."""
    data = Path(path).read_bytes()
    if data.startswith(xls.OLE_MAGIC):  # .xls: xlrd reads its number formats right (see xls.py)
        got = xls.read(data, hidden)
        return {n: got.rows[n] for n, _ in got.sheets if n in got.rows}
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return {meta.name: [list(r) for r in
                            wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)]
                for meta in wb.sheets_metadata if hidden or visibility(meta) == "visible"}
    finally:
        wb.close()
