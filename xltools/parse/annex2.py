"""Annex 2: the per-unit task table (责任单位 | 序号 | 任务 | 责任领导), flattened one cell per block.

The leader column is merged over several units: its name appears once, in the first
row of the block, and the units below it without a leader cell inherit it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cells import Cell
from .names import ENDINGS, clean_cell_name, is_group_phrase

_HEADER_WORDS = ("责任单位", "序号", "全年目标任务", "目标任务", "工作任务", "任务内容", "责任领导",
                 "牵头领导", "分管领导", "备注", "完成时限", "单位", "任务")
_NUMBER_RE = re.compile(r"^\d{1,3}$")
_PERSON_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_JOINERS = ("·", "、", ",", ",", "・")


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


def _is_person(flat: str, unit_names: set[str]) -> bool:
    return bool(_PERSON_RE.match(flat)) and not flat.endswith(ENDINGS) and \
        flat not in unit_names and not is_group_phrase(flat)


def parse_unit_tasks(cells: list[Cell], unit_names: set[str]) -> list[UnitTasks]:
    """Unit blocks in printed order (a unit printed twice gives two blocks)."""
    body = _skip_header(cells)
    out: list[UnitTasks] = []
    cur: UnitTasks | None = None
    leader, leader_line = "", 0
    i = 0
    while i < len(body):
        c = body[i]
        flat = c.flat
        if _NUMBER_RE.match(flat) and i + 1 < len(body) and cur is not None:
            cur.tasks.append((flat, body[i + 1].text.replace("\n", ""), c.line))
            i += 2
            continue
        if _is_person(flat, unit_names):
            leader, leader_line = flat, c.line
            if cur is not None:
                cur.leader, cur.leader_line, cur.inherited = flat, c.line, False
            i += 1
            continue
        name = flat
        while name.endswith(_JOINERS) and i + 1 < len(body):  # "各镇、街道·" + "区直各部门"
            i += 1
            name += body[i].flat
        cur = UnitTasks(unit=clean_cell_name(name), line=c.line, leader=leader,
                        leader_line=leader_line, inherited=bool(leader))
        out.append(cur)
        i += 1
    return out


def _skip_header(cells: list[Cell]) -> list[Cell]:
    """Drop the title and the header row (责任单位 / 序号 / 全年目标任务 / 责任领导)."""
    last = -1
    for i, c in enumerate(cells[:10]):
        if c.flat in _HEADER_WORDS or "任务表" in c.flat or c.flat.startswith(("《", "20")) \
                and "表" in c.flat:
            last = i
    return cells[last + 1:]
