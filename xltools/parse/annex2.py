"""Annex 2: the per-unit task table (责任单位 | 序号 | 任务 | 责任领导), flattened one cell
per block (text) or as a .docx grid.

The leader column is merged over several units: its name appears once, in the first
row of the block, and the units below it without a leader cell inherit it. In a grid
the merges are known: a unit cell merged down its tasks, a leader down its units.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cells import Cell
from .names import ENDINGS, is_group_phrase

_HEADER_WORDS = ("责任单位", "序号", "全年目标任务", "目标任务", "工作任务", "任务内容", "责任领导",
                 "牵头领导", "分管领导", "备注", "完成时限", "单位", "任务")
_NUMBER_RE = re.compile(r"^\d{1,3}$")
_PERSON_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_JOINERS = ("\u00b7", "、", ",", "\uff0c", "\u30fb")


@dataclass
class UnitTasks:
    """One unit's row block in annex 2."""

    unit: str  # the cell as printed, spaces removed
    line: int
    leader: str = ""
    leader_line: int = 0
    inherited: bool = False  # leader taken from the unit above (merged cell)
    tasks: list[tuple[str, str, int]] = field(default_factory=list)  # (number, text, line)


def looks_like_table(cells: list[Cell]) -> bool:
    """A per-unit task table: a 序号 header and many number cells each followed by text."""
    flats = [c.flat for c in cells[:12]]
    pairs = sum(1 for a, b in zip(cells, cells[1:]) if _NUMBER_RE.match(a.flat) and len(b.flat) > 8)
    return "序号" in flats and pairs >= 2


def parse_unit_tasks(cells: list[Cell]) -> list[UnitTasks]:
    """Unit blocks in printed order (a unit printed twice gives two blocks)."""
    body = iter(_skip_header(cells))  # a cell's next one taken with next(body)
    out: list[UnitTasks] = []
    cur: UnitTasks | None = None
    leader, leader_line = "", 0
    for c in body:
        flat = c.flat
        if _NUMBER_RE.match(flat) and cur is not None and (text := next(body, None)) is not None:
            cur.tasks.append((flat, text.text.replace("\n", ""), c.line))
            continue
        if _PERSON_RE.match(flat) and not flat.endswith(ENDINGS) and not is_group_phrase(flat):
            leader, leader_line = flat, c.line
            if cur is not None:
                cur.leader, cur.leader_line, cur.inherited = flat, c.line, False
            continue
        name = flat
        # "各镇、街道" and a middle dot + "区直各部门": the name goes on in the next cell
        while name.endswith(_JOINERS) and (more := next(body, None)) is not None:
            name += more.flat
        cur = UnitTasks(unit=name, line=c.line, leader=leader,
                        leader_line=leader_line, inherited=bool(leader))
        out.append(cur)
    return out


def _skip_header(cells: list[Cell]) -> list[Cell]:
    """Drop the title and the header row (责任单位 / 序号 / 全年目标任务 / 责任领导)."""
    last = max((i for i, c in enumerate(cells[:10]) if c.flat in _HEADER_WORDS or "任务表" in c.flat
                or c.flat.startswith(("《", "20")) and "表" in c.flat), default=-1)
    return cells[last + 1:]


def grid_is_unit_table(grid) -> bool:
    """A .docx grid headed 责任单位 | 序号 | 任务 (…): a unit column before the tasks."""
    cols = _grid_columns(grid.rows[0]) if grid.rows else {}
    return {"unit", "number", "task"} <= set(cols) and cols["unit"] < cols["task"]


def _grid_columns(row) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, c in enumerate(row):
        flat = c.flat
        if c.left or not flat:
            continue
        role = ("number" if flat in ("序号", "编号") else "leader" if "领导" in flat
                else "unit" if "单位" in flat else "task" if "任务" in flat or "事项" in flat
                else "")
        if role and role not in cols:
            cols[role] = j
    return cols


def unit_tasks_from_grid(grid) -> list[UnitTasks]:
    """Unit blocks of a grid: a new block where the unit cell is not merged from above;
    its leader is the leader cell's, inherited where that cell is merged from above."""
    cols = _grid_columns(grid.rows[0])
    out: list[UnitTasks] = []
    cur: UnitTasks | None = None
    leader, leader_line = "", 0
    for row in grid.rows[1:]:
        if len(row) <= max(cols.values()) or _grid_columns(row).keys() >= {"unit", "number"}:
            continue  # a short row, or the header repeated on a new page
        unit, number, text = row[cols["unit"]], row[cols["number"]], row[cols["task"]]
        lead = row[cols["leader"]] if "leader" in cols else None
        inherited = lead is not None and lead.up
        if lead is not None and not lead.up:
            leader, leader_line = lead.flat, lead.line
        if cur is None or not unit.up:
            cur = UnitTasks(unit=unit.flat, line=unit.line, leader=leader,
                            leader_line=leader_line, inherited=inherited)
            out.append(cur)
        if _NUMBER_RE.match(n := number.flat):
            cur.tasks.append((n, text.text.replace("\n", ""), number.line))
    return out
