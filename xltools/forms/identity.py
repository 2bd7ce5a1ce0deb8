"""The hidden identity of a form, carried three ways so any one survivor is enough.

Carriers: (1) a hidden sheet 表单标识 with the identity and the guarded cells' expected
content; (2) a custom document property; (3) a defined name holding a string constant.
LibreOffice keeps all three in .xlsx, .xls and .ods ("very hidden" would come back as
plain hidden, so the sheet is plainly hidden from the start). The fingerprint is a hash
of every cell the unit must not change, so tampering is detectable even when the hidden
sheet itself is lost.
"""
from __future__ import annotations

import functools

from ..model.identity import (GUARD_HEADER, GUARD_START_ROW, IDENTITY_NAME,
                              IDENTITY_PROPERTY, IDENTITY_SHEET, NAME_MAX_CHARS, FormIdentity,
                              canonical_text, fingerprint)
from ..model.glossary import col_letter
from ..sheet.layout import Sheet, Workbook
from .registry import current

def guarded_cells(wb: Workbook) -> list[tuple[str, str, str]]:
    """(sheet, A1, text) for every cell the unit must not change, in sheet/row/col order."""
    letter = functools.cache(col_letter)  # a1() without spelling the same column again per row
    return [(sheet.name, f"{letter(c)}{r + 1}", canonical_text(sheet.cells[(r, c)].value))
            for sheet in wb.sheets
            for (r, c) in sorted(k for k, cell in sheet.cells.items() if cell.guard)]


def embed_identity(wb: Workbook, plan_id: str, kind: str, unit: str, period: str,
                   version: int | None = None) -> FormIdentity:
    """Compute the fingerprint and add all three carriers to the workbook layout; `version`
    is the spec's the form was rendered by (the current one's by default)."""
    cells = guarded_cells(wb)
    version = current(kind).version if version is None else version
    ident = FormIdentity(plan_id, kind, unit, period, version, fingerprint(cells))
    _identity_sheet(wb.add_sheet(IDENTITY_SHEET, hidden=True), ident, cells)
    text = ident.encode()
    wb.custom_properties[IDENTITY_PROPERTY] = text
    if len(text) <= NAME_MAX_CHARS:  # Excel refuses a longer string in a formula
        wb.defined_names[IDENTITY_NAME] = '="' + text.replace('"', '""') + '"'
    wb.kind, wb.unit, wb.period = kind, unit, period
    return ident


def _identity_sheet(sheet: Sheet, ident: FormIdentity, cells: list[tuple[str, str, str]]) -> None:
    sheet.write(0, 0, "本表由 xltools 生成,用于识别回收的报表,请勿修改或删除。", "plain")
    rows = [("标识", ident.encode()), ("计划编号", ident.plan_id),
            ("表单类型", ident.kind), ("单位", ident.unit), ("周期", ident.period),
            ("版本", str(ident.version)), ("指纹", ident.fingerprint),
            ("受保护单元格数", str(len(cells)))]
    for r, texts in [*enumerate(rows, start=1),
                     *enumerate([GUARD_HEADER, *cells], start=GUARD_START_ROW)]:
        for c, text in enumerate(texts):
            sheet.write(r, c, text, "plain", kind="string")
    sheet.widths([16, 60, 60])
    sheet.protect = True
    # an empty print area: LibreOffice prints hidden sheets into PDFs and page counts
    sheet.print_area = (0, 9, 0, 9)
