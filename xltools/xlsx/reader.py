"""Read a workbook the user made himself (a plan.xlsx): every sheet's values, unbounded."""
from __future__ import annotations

import io
import os
from pathlib import Path

from python_calamine import CalamineWorkbook

from . import xls


def read_sheets(path: str | os.PathLike) -> dict[str, list[list]]:
    """Every sheet's rows (hidden ones too) as lists of plain values (str, float, int, bool,
    date, None)."""
    data = Path(path).read_bytes()
    if data.startswith(xls.OLE_MAGIC):  # .xls: xlrd reads its number formats right (see xls.py)
        return xls.read(data).rows
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return {meta.name: [list(r) for r in
                            wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)]
                for meta in wb.sheets_metadata}
    finally:
        wb.close()
