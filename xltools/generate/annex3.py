"""附件3: the town target matrix, one sheet per printed sub-table, values as printed."""
from __future__ import annotations

import re
from itertools import groupby

from ..model.check import check_matrix
from ..model.findings import Finding, relocate
from ..model.plan import MatrixColumn, Plan, TownMatrix
from ..model.values import parse_value
from ..model.glossary import a1, text_width
from ..sheet.blocks import (fit_block, fit_text_row, official_page, safe_filename,
                            safe_sheet_name, title_block)
from ..sheet.layout import Sheet, Workbook
from ..sheet.paging import Pager
from ..sheet.styles import MAX_DECIMALS, value_style, wrapped_height

ROW_HEADER = "责任单位"
HEADER_ROW_HEIGHT = 22
TITLE_SCALE = 18 / 11  # the title's 18 pt characters against 11 pt column units
_NUMERIC = re.compile(r"^\s*[-+\u2212]?([\d,\uff0c]*)(?:\.(\d+))?\s*([%\uff05])?\s*$")


def annex3_title(plan: Plan) -> str:
    """The matrix's own title, or 2019年各镇、街道经济社会发展目标."""
    return (plan.matrix and plan.matrix.title.strip()) or f"{plan.year}年各镇、街道经济社会发展目标"


def annex3(plan: Plan) -> tuple[Workbook | None, list[Finding]]:
    """附件3 and the matrix findings placed at their cells; (None, []) without a matrix."""
    matrix = plan.matrix
    if matrix is None:
        return None, []
    wb = Workbook(filename=safe_filename(f"附件3_{plan.year}年镇街发展目标"),
                  title=annex3_title(plan), subject="附件3", company=plan.issuer)
    where: dict[str, tuple[str, str]] = {}  # finding ref -> (sheet, A1)
    tables = matrix.tables()
    for i, table in enumerate(tables, start=1):
        cols = [c for c in matrix.columns if c.table == table]
        name = _sheet_name(i, cols, len(tables))
        subtitle = f"(表{i},共{len(tables)}表)" if len(tables) > 1 else ""
        _table_sheet(wb.add_sheet(name), plan, matrix, cols, subtitle, where)
    placed = [(f, *where.get(f.ref, (None, None))) for f in check_matrix(matrix, plan)]
    return wb, [relocate(f, file=wb.filename, sheet=sheet, cell=cell) for f, sheet, cell in placed]


def _sheet_name(i: int, cols: list[MatrixColumn], n: int) -> str:
    """表1 农业、工业经济: the sub-table's number and its top categories (spaces dropped)."""
    if n == 1:
        return "镇街发展目标"
    cats = dict.fromkeys("".join((c.path[0] if c.path else c.key).split()) for c in cols)
    return safe_sheet_name(f"表{i} {'、'.join(cats)}")


def leaf_label(col: MatrixColumn) -> str:
    """The leaf header: the indicator with its measure, unless the label already shows it."""
    label = col.path[-1] if col.path else col.key
    return f"{label}({col.measure})" if col.measure and col.measure not in label else label


def _table_sheet(sheet: Sheet, plan: Plan, matrix: TownMatrix, cols: list[MatrixColumn],
                 subtitle: str, where: dict[str, tuple[str, str]]) -> None:
    ncols = len(cols) + 1
    widths = [max(10, max((text_width(r.label) for r in matrix.rows), default=8) + 3)]
    widths += [_column_width(matrix, c) for c in cols]
    _fit_title(widths, annex3_title(plan))
    sheet.widths(widths)
    top = title_block(sheet, ncols, annex3_title(plan), subtitle=subtitle, annex="附件3")
    depth = max([len(c.path) for c in cols] + [1])
    _headers(sheet, top, depth, cols, widths)
    row = top + depth
    sheet.page = official_page(landscape=True, header_rows=(top, row - 1))
    sheet.freeze = (row, 1)
    pager = Pager.for_sheet(sheet, row)  # our breaks: no row cut, the header on every page
    first = row
    for r in matrix.rows:
        total = r.kind == "total"
        sheet.write(row, 0, r.label, "total" if total else "body_center", kind="string")
        where.setdefault(r.label, (sheet.name, a1(row, 0)))
        texts = [(r.label, widths[0])]
        for j, c in enumerate(cols, start=1):
            raw = matrix.value(r.label, c.key)
            value, style, kind = value_cell(raw, total)
            sheet.write(row, j, value, style, kind=kind)
            where[f"{r.label}\t{c.key}"] = (sheet.name, a1(row, j))
            texts.append((str(raw), widths[j]))
        fit_text_row(sheet, row, texts, minimum=22)
        row += 1
    # row by row, but the last two rows together: no page holds the 合计 line alone
    for r in range(first, row - 2):
        pager.place(r, r)
    pager.place(max(first, row - 2), row - 1)
    pager.finish()


def _fit_title(widths: list[float], title: str) -> None:
    """Widen the value columns of a narrow sub-table so that its title fits on one line."""
    need = text_width(title) * TITLE_SCALE + 4
    short = need - sum(widths)
    if short > 0 and len(widths) > 1:
        widths[1:] = [round(w + short / (len(widths) - 1), 1) for w in widths[1:]]


def _column_width(matrix: TownMatrix, col: MatrixColumn) -> float:
    """Wide enough for the widest value, and for the header in at most three lines."""
    values = max((text_width(matrix.value(r.label, col.key)) for r in matrix.rows), default=4)
    header = -(-text_width(leaf_label(col)) // 3) + 2
    return float(min(18, max(9, values + 3, header)))


def _headers(sheet: Sheet, top: int, depth: int, cols: list[MatrixColumn],
             widths: list[float]) -> None:
    """Multi-level merged headers: equal adjacent categories across, short paths down."""
    cells = [(0, depth, 0, 0, ROW_HEADER)]  # (level, rows spanned, first col, last col, text)
    for j, c in enumerate(cols, start=1):  # the leaf at its path's last level, spanning down
        leaf = max(len(c.path), 1) - 1
        cells.append((leaf, depth - leaf, j, j, leaf_label(c)))
    for level in range(depth - 1):  # a category over the neighbours that share it
        def under(jc: tuple[int, MatrixColumn]) -> tuple | None:
            return tuple(jc[1].path[:level + 1]) if len(jc[1].path) > level + 1 else None
        for prefix, run in groupby(enumerate(cols, start=1), under):
            if prefix is not None:
                run = list(run)
                cells.append((level, 1, run[0][0], run[-1][0], prefix[-1]))
    cells.sort(key=lambda cell: (cell[0], cell[2]))  # (level by level, left to right)
    for level, span, c0, c1, text in cells:
        sheet.merge(top + level, c0, top + level + span - 1, c1, text, "header", kind="string")
    sheet.row_heights.update(dict.fromkeys(range(top, top + depth), HEADER_ROW_HEIGHT))
    # single-row cells first, then let multi-row cells grow the last row they span
    for level, span, c0, c1, text in sorted(cells, key=lambda x: x[1]):
        need = wrapped_height(text, sum(widths[c0:c1 + 1]))
        fit_block(sheet, top + level, top + level + span - 1, need)


def value_cell(raw: object, total: bool = False) -> tuple[object, str, str]:
    """(value, style, kind) for one printed value: numbers as numbers shaped as printed."""
    text = "" if raw is None else str(raw)
    v = parse_value(text)
    m = _NUMERIC.match(text)
    if v.kind in ("number", "percent") and m and v.number is not None:
        decimals = len(m.group(2) or "")
        if decimals <= MAX_DECIMALS:
            thousands = bool(set(m.group(1)) & {",", "\uff0c"})
            percent = v.kind == "percent"
            number = round(v.number / 100, decimals + 8) if percent else v.number
            return number, value_style(decimals, thousands, percent, total), "number"
    # "\", "118户、345人", anything else: the text exactly as printed
    return text or None, "total" if total else "body_center", "string"
