"""Read workbook cells with python-calamine (.xlsx, .xls, .ods): values only, fast."""
from __future__ import annotations

import io
import os

from python_calamine import CalamineWorkbook

from . import xls
from .identity import _OLE_MAGIC


def read_sheets(path: str | os.PathLike, hidden: bool = True) -> dict[str, list[list]]:
    """Every sheet's rows as lists of plain values (str, float, int, bool, date, None)."""
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(_OLE_MAGIC):  # .xls: xlrd reads its number formats right (see xls.py)
        got = xls.read(data, True)
        return {n: got.rows[n] for n, v in got.sheets if n in got.rows and (hidden or v == "visible")}
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        out = {}
        for meta in wb.sheets_metadata:
            if not hidden and str(meta.visible).lower().find("visible") < 0:
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            out[meta.name] = [list(r) for r in sheet.to_python(skip_empty_area=False)]
        return out
    finally:
        wb.close()


def sheet_visibility(path: str | os.PathLike) -> dict[str, str]:
    """Each sheet's visibility as calamine reports it: visible / hidden / veryhidden."""
    wb = CalamineWorkbook.from_path(os.fspath(path))
    try:
        return {m.name: str(m.visible).split(".")[-1].lower() for m in wb.sheets_metadata}
    finally:
        wb.close()
