"""Annex 3: the town target matrix, in one or more sub-tables, flattened one cell per
block (text) or as .docx grids.

Each sub-table: a corner (目标任务 / 责任单位), header cells, then rows of a label
(全区合计, 解放街办, 区直及其他 …) followed by one value per leaf column. Values are kept
exactly as printed. The header tree is read from a grid's merged cells, and inferred
from a flattened header (see header_tree), where merges are lost.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model.findings import Finding, finding
from ..model.plan import MatrixColumn, MatrixRow, TownMatrix
from ..model.values import NOT_APPLICABLE
from .cells import Cell
from .header_tree import Leaf, infer_leaves, leaves_of_paths

CORNER_WORDS = ("目标任务", "责任单位", "单位", "单位名称", "镇街", "镇(街道)", "项目", "指标",
                "目标任务责任单位", "责任单位目标任务", "序号", "街道", "乡镇", "镇", "乡镇(街道)",
                "镇(街)", "镇街名称", "乡镇名称", "街道名称", "地区", "区域")
_TOTAL_RE = re.compile(r"合计|总计|全区|全市|全县")
_OTHER_RE = re.compile(r"区直|市直|县直|其他|其它")
_NON_ADDITIVE_RE = re.compile(r"增幅|增速|增长|率|比重|占比|百分比|比例")


@dataclass
class SubTable:
    """One printed sub-table: header cells and rows (label, values)."""

    number: int
    header: list[Cell] = field(default_factory=list)
    rows: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    leaves: list[Leaf] | None = None  # known from a grid's merged cells; else inferred


def is_value(flat: str) -> bool:
    """A printed matrix value: a number (247,779 / 3.50% / 1户、2) or a not-applicable mark."""
    return flat in NOT_APPLICABLE or bool(re.match(r"^[-+\u2212]?\d", flat))


def looks_like_matrix(cells: list[Cell]) -> bool:
    """Several rows labelled 合计 / 镇 / 街办 followed by values."""
    labels = sum(1 for a, b in zip(cells, cells[1:]) if not is_value(a.flat) and is_value(b.flat))
    return labels >= 3 and any(_TOTAL_RE.search(c.flat) for c in cells)


def split_tables(cells: list[Cell]) -> tuple[str, list[SubTable]]:
    """The matrix title (printed before the first table) and its sub-tables."""
    first = next((i for i, c in enumerate(cells) if c.flat in CORNER_WORDS), len(cells))
    tables: list[SubTable] = []
    cur: SubTable | None = None
    in_rows = False
    for i, c in enumerate(cells):
        flat = c.flat
        if flat in CORNER_WORDS and (cur is None or in_rows):
            cur = SubTable(len(tables) + 1)
            tables.append(cur)
            in_rows = False
            continue
        if cur is None:
            continue
        label = not is_value(flat) and i + 1 < len(cells) and is_value(cells[i + 1].flat) and bool(
            _TOTAL_RE.search(flat) or _OTHER_RE.search(flat)
            or re.search(r"(镇|乡|街办|街道|办事处|管委会|开发区|园区|区|县|市)$", flat))
        if not in_rows and not label:
            if flat not in CORNER_WORDS:
                cur.header.append(c)
        elif is_value(flat):  # a value goes on the last row (a row's, or one without a label)
            if cur.rows:
                cur.rows[-1][1].append(c)
        else:
            in_rows = True
            cur.rows.append((c, []))
    return matrix_title(cells[:first]), [t for t in tables if t.rows]


def matrix_title(cells: list[Cell]) -> str:
    """The matrix's title among the cells printed before its table."""
    return next((c.flat for c in cells if "目标" in c.flat or "任务" in c.flat or "指标" in c.flat), "")


def build_matrix_from_grids(grids: list, title: str,
                            source: str = "") -> tuple[TownMatrix | None, list[Finding]]:
    """The matrix of .docx grids, cell by cell: the header from its merged cells, every
    value in its own column (an empty cell stays empty and shifts nothing)."""
    tables: list[SubTable] = []
    for g in grids:
        tables += subtables_of_grid(g, len(tables) + 1)
    return matrix_of(title, tables, source)


def subtables_of_grid(grid, first: int = 1) -> list[SubTable]:
    """The sub-tables of one grid (a header block, then its rows; again for each header)."""
    out: list[SubTable] = []
    head: list = []
    positions: list[int] = []
    cur: SubTable | None = None
    for row in grid.rows:
        if not row:
            continue
        if not _is_data_row(row):  # a header row: after a table's rows, the next header's first
            cur, head = None, (head if cur is None else []) + [row]
            continue
        if cur is None:
            if not head:
                continue
            cur, positions = _grid_header(head, first + len(out))
            out.append(cur)
        # a position the row does not reach: an empty value on the row's line
        cur.rows.append((row[0], [row[j] if j < len(row) else Cell("", row[0].line) for j in positions]))
    return [t for t in out if t.rows and t.leaves]


def _is_data_row(row) -> bool:
    flat = row[0].flat
    return bool(flat) and not row[0].up and flat not in CORNER_WORDS and not is_value(flat) \
        and any(is_value(c.flat) for c in row[1:] if not c.left)


def _grid_header(head: list, number: int) -> tuple[SubTable, list[int]]:
    """A sub-table's header from its rows: each distinct cell of the lowest row is a
    leaf, its path the cells above it (a cell merged across columns heads each)."""
    width = max(len(r) for r in head)
    bottom = [r for r in head if len(r) == width][-1]
    positions = [j for j in range(1, width) if not bottom[j].left]
    paths = [[r[j].text for r in head if j < len(r) and not r[j].up and r[j].text.strip()]
             for j in positions]
    cells = [c for r in head for c in r[1:] if not (c.up or c.left)]
    return SubTable(number, header=cells, leaves=leaves_of_paths(paths)), positions


def matrix_of(title: str, tables: list[SubTable],
              source: str = "") -> tuple[TownMatrix | None, list[Finding]]:
    """The matrix of the sub-tables, columns c01…, rows in first-table order."""
    findings: list[Finding] = []
    if not tables:
        return None, findings
    matrix = TownMatrix(title=title)
    row_labels: dict[str, None] = {}
    for t in tables:
        width = Counter(len(v) for _, v in t.rows).most_common(1)[0][0]
        findings += [finding("matrix-row-length", file=source, line=label.line, row=label.flat,
                             table=t.number, value=len(values), expected=width)
                     for label, values in t.rows if len(values) != width]
        leaves, inferred = ((t.leaves, False) if t.leaves is not None
                            else infer_leaves([c.text for c in t.header], width))
        line = t.header[0].line if t.header else 0
        if len(leaves) != width:
            findings.append(finding("matrix-header-unread", file=source, table=t.number,
                                    line=line, value=width))
            leaves = [Leaf([f"第{t.number}表第{k + 1}列"], "") for k in range(width)]
        elif inferred:
            findings.append(finding("matrix-header-inferred", file=source, table=t.number,
                                    line=line, value=len(leaves)))
        first = len(matrix.columns)
        for leaf in leaves:
            additive = not (leaf.measure in ("%", "‰") or any(_NON_ADDITIVE_RE.search(p)
                                                                 for p in leaf.path[-1:]))
            matrix.columns.append(MatrixColumn(key=f"c{len(matrix.columns) + 1:02d}", path=list(leaf.path),
                                               measure=leaf.measure, table=t.number, additive=additive))
        for label, values in t.rows:
            name = label.flat
            row_labels[name] = None
            for col, v in zip(matrix.columns[first:], values):
                if v.flat:
                    matrix.values[(name, col.key)] = v.flat
                else:  # an empty grid cell (the text form cannot show one)
                    findings.append(finding("matrix-value-empty", file=source, line=label.line,
                                            table=t.number, row=name, column="/".join(col.path)))
    matrix.rows = [MatrixRow(label=r, unit="", kind="total" if _TOTAL_RE.search(r) else
                             "other" if _OTHER_RE.search(r) else "town") for r in row_labels]
    return matrix, findings
