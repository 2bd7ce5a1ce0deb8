"""Annex 2 (the per-unit task table) and annex 3 (the town matrix), from each annex region.

A region's .docx tables are read as grids, cell by cell; a region without any (a text
notice) is read from its text, flattened one cell per block.
"""
from __future__ import annotations

from ..model.findings import Finding
from ..model.plan import TownMatrix
from .annex2 import (UnitTasks, grid_is_unit_table, looks_like_table, parse_unit_tasks,
                     unit_tasks_from_grid)
from .annex3 import build_matrix, build_matrix_from_grids, looks_like_matrix, matrix_title
from .cells import cells_of, grid_cells
from .clean import Line


def read_annexes(lines: list[Line], regions: list, skip: list, grids: list,
                 source: str) -> tuple[TownMatrix | None, list[UnitTasks], list[Finding]]:
    """The matrix, annex 2's unit blocks and findings, from the regions not in `skip`."""
    matrix, entries, findings = None, [], []
    for region in regions:
        if any(region is r for r in skip):
            continue
        mine = [g for g in grids if g.rows and g.rows[0]
                and region.start <= g.rows[0][0].line - 1 < max(region.end, region.start + 1)]
        if mine:
            matrix_grids = [g for g in mine if looks_like_matrix(grid_cells(g))]
            if matrix is None and matrix_grids:
                first = matrix_grids[0].rows[0][0].line - 1
                title = matrix_title(cells_of(lines, region.start, first))
                matrix, mf = build_matrix_from_grids(matrix_grids, title, source)
                findings += mf
            unit_grids = [g for g in mine if grid_is_unit_table(g)]
            if not entries and unit_grids:
                entries = [e for g in unit_grids for e in unit_tasks_from_grid(g)]
            continue
        cells = cells_of(lines, region.start, region.end)
        if matrix is None and looks_like_matrix(cells):
            matrix, mf = build_matrix(cells, source)
            findings += mf
        elif not entries and looks_like_table(cells):
            entries = parse_unit_tasks(cells, set())
    return matrix, entries, findings
