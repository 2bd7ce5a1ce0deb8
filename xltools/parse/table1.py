"""Annex 1 printed as a table: 序号 | 重点任务 | 牵头单位 | 责任单位 (| 配合单位 | 完成时限 | 责任领导).

Two inputs, one result:
- a .docx table read as a grid (`Grid`, built by read.py): columns are known, merged
  cells are marked (a section row spans the table; a 牵头单位 merged down a block of rows
  applies to each row of it);
- the same table flattened in a .txt copied from a web page: one cell per line (blank
  lines between cells or not), or one row per line with cells apart by tabs or wide
  spaces (read in flat_table.py). Empty cells vanish in such a copy, so a row with
  fewer cells than the header is mapped by what each cell looks like (units, a deadline,
  a leader's name) and in order, and reported when two unit columns make that mapping
  uncertain; a cell that fits no column is reported, never put into another.

Texts reaching these functions are folded (fold.py): patterns are written in ASCII.

Pure functions: the file is read in read.py; findings point at the line of the notice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce

from ..model.findings import Finding, finding
from .cells import Cell
from .clean import Line, short
from .fold import fold
from .kinds import NUMERALS, kind_of_heading, kind_of_section
from .names import ENDINGS, is_group_phrase, split_top
from .responsibility import (DEADLINE_WORDS, LEAD_WORDS, LEADER_WORDS, PRIMARY_WORDS,
                             SUPPORT_WORDS, Responsibility, has_responsibility, is_deadline)
from .structure import RawItem, marker_of

NUMBER_WORDS = ("序号", "编号", "序")
TASK_WORDS = ("目标任务", "重点任务", "工作任务", "任务内容", "主要任务", "具体任务", "工作内容",
              "重点工作", "工作事项", "任务", "目标任务内容", "重点工作任务", "全年目标任务",
              "民生实事", "实事项目", "项目内容", "主要内容", "工作目标", "目标内容", "重点事项",
              "事项", "主要指标", "指标", "任务名称", "项目名称", "具体内容", "内容")
SECTION_WORDS = ("类别", "领域", "类型", "分类", "项目类别", "任务类别", "板块", "所属领域")
OTHER_WORDS = ("备注", "进度要求", "工作要求", "责任人", "工作措施", "目标要求")
# the first role whose words hold a header cell (without a trailing remark) is its column
_HEADER_ROLES = (("lead", LEAD_WORDS), ("support", SUPPORT_WORDS), ("resp", PRIMARY_WORDS),
                 ("deadline", DEADLINE_WORDS + ("进度安排",)), ("leader", LEADER_WORDS),
                 ("section", SECTION_WORDS), ("other", OTHER_WORDS), ("task", TASK_WORDS))
_UNIT_ROLES = ("lead", "resp", "support")
_NUMBER_RE = re.compile(r"^(\d{1,3})[.、]?$|^\((\d{1,3})\)$")
SECTION_MARK_RE = re.compile(rf"^([{NUMERALS}]+\s*[、.]|\(\s*[{NUMERALS}]+\s*\)|——|"
                             rf"第[{NUMERALS}]+[部分篇章])")
_PERSON_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}(常务副|副)?(市长|区长|县长|书记|主任|部长|秘书长)?$")


GridCell = Cell  # one grid position of a .docx table


@dataclass
class Grid:
    """A .docx table as rows of grid positions."""

    rows: list[list[GridCell]] = field(default_factory=list)


def fold_grid(grid: Grid) -> Grid:
    """The grid with its texts folded for recognition (fold.py; outgoing strings are
    restored to the printed characters by fold.restore_printed, as for the text)."""
    return Grid([[GridCell(fold(c.text), c.line, c.up, c.left) for c in row] for row in grid.rows])


@dataclass
class Annex1Table:
    """What the table pass found: items (each row's cells as its responsibility), the
    header as printed, the lines it covers."""

    items: list[RawItem] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    start: int = 0  # index into the lines list of the header's first line
    end: int = 0  # exclusive
    findings: list[Finding] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # each table's first line index


def squash_header(s: str) -> str:
    return "".join(s.split()).rstrip(":")


def header_role(cell: str) -> str:
    """The column a header cell names: number, task, lead, resp, support, deadline,
    leader, section, other; "" when it is no header word."""
    s = squash_header(cell)
    if not s or len(s) > 14:
        return ""
    if s in NUMBER_WORDS:
        return "number"
    core = re.sub(r"\([^()]*\)$", "", s)  # 牵头单位(部门) is a 牵头单位
    role = next((role for role, words in _HEADER_ROLES if core in words), "")
    return "task" if not role and core.endswith(("任务", "事项")) and len(core) <= 10 else role


def is_annex1_header(cells: list[str]) -> bool:
    """序号 | 任务 | 牵头单位/责任单位 …: a task column before every unit column (annex 2,
    责任单位 | 序号 | 任务, is not annex 1)."""
    roles = [header_role(c) for c in cells]
    units = [i for i, r in enumerate(roles) if r in _UNIT_ROLES]
    return "task" in roles and bool(units) and sum(1 for r in roles if r) >= 3 \
        and roles.count("") <= 1 and units[0] > roles.index("task")


# -- what a cell looks like ----------------------------------------------------------------
def looks_like_units(s: str) -> bool:
    """A unit list (市发改委、市财政局, 各县市区政府, 荆州开发区、纪南文旅区管委会)."""
    flat = "".join(s.split())
    if not flat or "。" in flat or len(flat) > 200:
        return False
    parts = [p.strip(" ::") for p, _ in split_top(flat) if p.strip()]
    if not parts or any(len(p) > 30 for p in parts):
        return False
    good = sum(1 for p in parts if is_group_phrase(p) or p.endswith(ENDINGS)
               or re.search(r"(区|县|市|政府|管委会|联|协|总工会|团市委|团区委)$", p))
    return good * 2 >= len(parts) and good >= 1


def looks_like_person(s: str) -> bool:
    """张三 / 李四副市长 / 王五、赵六: a leader, not a unit."""
    flat = "".join(s.split())
    parts = [p for p in re.split(r"[、,;]", flat) if p]
    return bool(parts) and all(_PERSON_RE.match(p) and p[0] not in "市区县省各全"
                               and not p.endswith(ENDINGS) and not is_deadline(p)
                               and not re.search(r"[联协会社团委办局]", p) for p in parts)


def cell_type(s: str) -> str:
    """What a flattened cell looks like: deadline, units, person, else text."""
    looks = (("deadline", is_deadline), ("units", looks_like_units), ("person", looks_like_person))
    return next((kind for kind, test in looks if test(s)), "text")


_COMPATIBLE = {"units": _UNIT_ROLES, "deadline": ("deadline",),
               "person": ("leader",), "text": ("other", "section")}


# -- rows to items -------------------------------------------------------------------------
JOINERS = ("\u3001", ",", ";")  # a cell line ending so goes on on the next line


def assign_cells(roles: list[str], cells: list[str]) -> tuple[dict[int, str], bool, list[int]]:
    """Map a row's cells (after 序号) to the header's columns (after 序号).

    Same count: by position. Fewer or more: the first cell (and any text cells right
    after it, a task printed over several lines) is the task, the others go each to
    the next column that fits what it looks like; unit lines beyond the unit columns
    are the last unit cell printed over several lines. A cell that fits no column is
    never put into another field: its index is returned as unplaced. Returns
    ({column: text}, whether the mapping of unit cells is uncertain, unplaced).
    """
    out: dict[int, str] = {}
    if len(cells) == len(roles) and "fixed" not in roles:
        return dict(enumerate(cells)), False, []
    task_at = roles.index("task") if "task" in roles else 0
    i = 0
    # cells before the task column (a 类别 cell printed only where it starts)
    pre = [k for k in range(task_at) if roles[k] != "fixed"]
    while i < len(cells) and pre and cell_type(cells[i]) == "text" and \
            i + 1 < len(cells) and cell_type(cells[i + 1]) == "text" and len(cells[i]) <= 20:
        out[pre.pop(0)] = cells[i]
        i += 1
    text_parts = cells[i:i + 1]
    i += len(text_parts)
    while i < len(cells) and cell_type(cells[i]) == "text" and "other" not in roles[task_at + 1:]:
        text_parts.append(cells[i])
        i += 1
    out[task_at] = "".join(text_parts)
    p, last, unit_cells, unplaced = task_at + 1, task_at, 0, []  # next free column, last filled
    for n, c in enumerate(cells[i:], start=i):
        t = cell_type(c)
        unit_cells += t == "units"
        k = next((k for k in range(p, len(roles)) if roles[k] in _COMPATIBLE[t]), None)
        if k is None and t == "text":
            # a unit list that does not look like one (市扶贫攻坚领导小组各成员单位): a unit column
            k = next((k for k in range(p, len(roles)) if roles[k] in _UNIT_ROLES), None)
        if k is None:
            if t == "units" and roles[last] in _UNIT_ROLES and n - 1 >= i:
                out[last] += "\u3001" + c  # the unit cell above, printed over several lines
                unit_cells -= 1
            else:
                unplaced.append(n)
            continue
        out[k] = c
        p = k + 1
        last = k
    uncertain = 0 < unit_cells < sum(r in _UNIT_ROLES for r in roles)  # fewer than the unit columns
    return out, uncertain, unplaced


class TableBuilder:
    """Collects items with their sections; shared by the grid and the flattened reader."""

    def __init__(self, header: list[str], base: list[str], source: str) -> None:
        self.header = header
        self.roles = [header_role(h) for h in header]
        self.numbered = "number" in self.roles
        # a 分类 column printed before 序号: its cell comes before the row's number
        self.value_roles = [r for r in self.roles if r != "number"]
        first = next((r for r in self.roles if r in ("number", "section")), "")
        self.category_at = (self.value_roles.index("section")
                            if first == "section" and self.numbered else None)
        self.value_header = [h for h, r in zip(header, self.roles) if r != "number"]
        self.stack: dict[int, str] = {0: b for b in base[-1:]} if base else {}
        self.items: list[RawItem] = []
        self.findings: list[Finding] = []
        self.source = source

    def section(self, text: str) -> None:
        s = text.strip()
        mark = m.group(1) if (m := SECTION_MARK_RE.match(s)) else ""
        level = 2 if mark.startswith("(") else 3 if mark == "——" else 1
        self.stack = {k: h for k, h in self.stack.items() if k < level}  # the deeper ones end here
        self.stack[level] = "".join(s.split()) if len(s) <= 60 else s

    def item(self, number: str, line: int, values: dict[int, str], uncertain: bool,
             ncells: int) -> None:
        """A row's values gathered by role; 责任单位 leads when a 配合单位 column stands
        beside it and there is no 牵头单位 column (as in the text form)."""
        roles = self.value_roles
        got: dict[str, list[str]] = {}
        for k, v in sorted(values.items()):
            if v.strip() and k < len(roles):
                got.setdefault(roles[k], []).append(v.strip())
        lead, primary = got.get("lead", []), got.get("resp", [])
        if "lead" not in roles and "resp" in roles and "support" in roles:
            lead, primary = primary, []
        join = "、".join
        section = [self.stack[k] for k in sorted(self.stack)]
        section += [join(got["section"])] if "section" in got else []
        number = number or str(len(self.items) + 1)
        raw = ";".join(f"{h}:{values[k]}" for k, h in enumerate(self.value_header)
                       if k in values and roles[k] in _UNIT_ROLES)
        lead, responsible = join(lead), join([*primary, *got.get("support", [])])
        text = "".join(got.get("task", []))
        res = Responsibility(text=text, lead=lead, responsible=responsible, raw=raw,
                             deadline=join(got.get("deadline", [])),
                             leader=join(got.get("leader", [])), found=bool(lead or responsible))
        self.items.append(RawItem(number=number, line=line, text=text, section=section,
                                  kind=kind_of_section(section), resp=res, printed=number))
        if uncertain:
            assigned = ";".join(f"{self.value_header[k]}={v}" for k, v in sorted(values.items())
                                if self.value_roles[k] != "task")
            self.findings.append(finding(
                "table-row-short", file=self.source, task=number, line=line, value=ncells + 1,
                expected=len(self.header), columns=" | ".join(self.header), assigned=assigned))


def number_of(cell: str) -> str | None:
    m = _NUMBER_RE.match("".join(cell.split()))
    return (m.group(1) or m.group(2)) if m else None


# -- .docx grids ---------------------------------------------------------------------------
def read_grid(grid: Grid, base: list[str], source: str = "") -> Annex1Table | None:
    """An annex-1 table from a .docx grid, or None when the grid is not one."""
    rows = grid.rows
    head_at = next((i for i, r in enumerate(rows[:4]) if is_annex1_header(_distinct(r))), None)
    if head_at is None:
        return None
    head = [(pos, c.text) for pos, c in enumerate(rows[head_at]) if not c.left]
    num_pos = next((pos for pos, h in head if header_role(h) == "number"), None)
    value_pos = [pos for pos, _ in head if pos != num_pos]
    b = TableBuilder([h for _, h in head], base, source)
    task_at = b.value_roles.index("task")
    for row in rows[head_at + 1:]:
        if not any(c.text.strip() for c in row) or is_annex1_header(_distinct(row)):
            continue  # an empty row, or the header repeated (a table per page)
        distinct = [c for c in row if not c.left and c.text.strip()]
        inside = num_pos is not None and num_pos < len(row)
        number = number_of(row[num_pos].text) if inside and not row[num_pos].up else None
        if number is None and len(distinct) == 1 and (
                any(c.left for c in row) or SECTION_MARK_RE.match(distinct[0].text.strip())
                or len(distinct[0].text.strip()) <= 40):
            b.section(distinct[0].text)
            continue
        values = {k: cell_text(row[pos].text, role)
                  for k, (pos, role) in enumerate(zip(value_pos, b.value_roles)) if pos < len(row)}
        line = row[num_pos].line if inside else row[0].line
        if number is None and b.items and not any(
                values.get(k) for k, r in enumerate(b.value_roles) if r != "task"):
            # a task text running into a row of its own: keep it with the item above
            last = b.items[-1]
            last.text = last.resp.text = last.text + values.get(task_at, "")
            b.findings.append(finding("table-row-unnumbered", file=source, line=line,
                                      value=short(values.get(task_at, ""))))
            continue
        b.item(number or "", line, {k: v for k, v in values.items() if v}, False, len(values))
    if not b.items:
        return None
    return Annex1Table(items=b.items, header=[squash_header(h) for _, h in head],
                       start=rows[head_at][0].line - 1, end=max(c.line for r in rows for c in r),
                       findings=b.findings)


def cell_text(text: str, role: str) -> str:
    """A grid cell of several lines as one value: text runs on, units are listed."""
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    return reduce(lambda out, line: continue_cell(out, line, role), lines, "")


def continue_cell(before: str, more: str, role: str) -> str:
    """A cell's next printed line: text runs on; a unit list goes on after a 、."""
    if role in _UNIT_ROLES and before and not before.endswith(JOINERS):
        return before + "\u3001" + more
    return before + more


def _distinct(row: list[GridCell]) -> list[str]:
    return [c.text for c in row if not c.left]


def base_before(lines: list[Line], at: int, floor: int) -> list[str]:
    """A heading printed right above the table (一、重点任务), as the table's section."""
    s = next((t for ln in reversed(lines[floor:max(floor, at)]) if (t := ln.text.strip())), "")
    mk = marker_of(s)
    # a heading, or a table title that says what its rows are (十件民生实事项目表, 主要预期目标表)
    if len(s) <= 60 and not has_responsibility(s) and (
            (mk and mk[0] in ("cn1", "cn2", "dash")) or kind_of_heading(s)):
        return ["".join(s.split())]
    return []
