"""The unit register of a plan file: list, check and edit units, aliases and contacts.

Edits go load → change → save on the plan file itself (plan.xlsx is rewritten by the
writer; .yaml/.json are rewritten as such), so an alias confirmed once — seen in a notice
or on a returned form — resolves from then on (parse --units, collect, generate).
Findings name the sheet and cell of plan.xlsx (单位 / 单位分组) when the plan is one.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.glossary import a1
from ..model import Finding, Group, Plan, Unit, finding, normalize_name, relocate
from ..model.errors import PlanFileError, settings
from ..model.plan import UNIT_KINDS
from ..xlsx.reader import read_sheets
from . import require_plan, save_plan
from .workbook import FIRST_DATA_ROW, GROUPS, UNITS, split, split_aliases, text

REGISTER_CODES = {"duplicate-unit", "unknown-group-member", "empty-group", "bad-unit-kind"}
CONTACT_FIELDS = (("contact", "联系人", 4), ("phone", "联系电话", 5), ("email", "电子邮箱", 6))
EDITABLE = {"leader": "责任领导", "contact": "联系人", "phone": "联系电话", "email": "电子邮箱",
            "kind": "类型"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterError(PlanFileError):
    """An edit that cannot be made; the message (Chinese) says why and what to do."""


@dataclass
class UnitRow(Unit):
    """One unit as the clerk sees it in the register: its groups and number of tasks too."""

    groups: list[str] = field(default_factory=list)
    tasks: int = 0
    town: bool = False


def unit_rows(plan: Plan) -> list[UnitRow]:
    """Every registered unit, in register order, with its groups and number of tasks."""
    look = plan.lookups()
    assigned = look.assignments()
    towns = {r.unit or r.label for r in plan.town_rows()}
    groups: dict[str, list[str]] = {}
    for g in plan.groups:
        for u in look.expand(g.name):
            groups.setdefault(u.name, []).append(g.name)
    return [UnitRow(u.name, u.kind, list(u.aliases), u.leader, u.contact, u.phone, u.email,
                    groups.get(u.name, []), len(assigned.get(u.name, [])), u.name in towns)
            for u in plan.units]


def list_units(path: str | os.PathLike) -> list[UnitRow]:
    """The unit register of a plan file."""
    return unit_rows(require_plan(path).value)


# -- check ----------------------------------------------------------------------------------

class _Cells:
    """Where units (with their aliases) and groups first sit in plan.xlsx (not in .yaml/.json)."""

    def __init__(self, path: Path):
        self.file = path.name
        self.rows: dict[tuple[str, str], tuple[int, list[str]]] = {}  # (sheet, name): row, aliases
        if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods"):
            return
        try:
            sheets = read_sheets(path)
        except Exception:  # noqa: BLE001 - locations are a help, not a need
            if settings.debug:
                raise
            return
        for sheet in (UNITS.name, GROUPS.name):
            for r, row in enumerate(sheets.get(sheet, [])[FIRST_DATA_ROW:], start=FIRST_DATA_ROW):
                if row and (name := text(row[0])):  # (of a group, only its name is looked at)
                    aliases = text(row[2]) if sheet == UNITS.name and len(row) > 2 else ""
                    self.rows.setdefault((sheet, name), (r, split_aliases(aliases)))

    def cell(self, sheet: str, name: str, col: int) -> tuple[str, str]:
        """(sheet, cell) of column `col` in the row of `name`; ("", "") when it is not there."""
        row = self.rows.get((sheet, name))
        return (sheet, a1(row[0], col)) if row else ("", "")

    def name_cell(self, name: str) -> tuple[str, str]:
        """The cell of a duplicated name: its second appearance (a name, or an alias cell)."""
        key = normalize_name(name)
        seen = [(sheet, a1(r, col)) for (sheet, n), (r, aliases) in self.rows.items()
                for col, names in ((0, [n]), (2, aliases)) if key in map(normalize_name, names)]
        places = seen[1:] or seen  # (a name seen once: where it is)
        return places[0] if places else ("", "")

    def place(self, f: Finding, sheet_cell: tuple[str, str]) -> Finding:
        sheet, cell = sheet_cell
        return relocate(f, file=self.file, sheet=sheet or None, cell=cell or None)


def check_register(path: str | os.PathLike) -> list[Finding]:
    """Duplicated names and aliases, unknown or empty group members, units without contacts
    (or with an e-mail that is not one): each naming the sheet and cell of plan.xlsx."""
    p = Path(path)
    res = require_plan(p)
    plan = res.value
    cells = _Cells(p)
    out: list[Finding] = []
    for f in res.findings:
        if f.code not in REGISTER_CODES:
            continue
        if f.code == "duplicate-unit" and cells.name_cell(f.value)[1]:
            out.append(cells.place(f, cells.name_cell(f.value)))  # where it is repeated
        elif f.code == "unknown-group-member" and not f.cell:  # (load_plan placed the others)
            group = next((g.name for g in plan.groups if f.value in g.members), "")
            out.append(cells.place(f, cells.cell(GROUPS.name, group, 1)))
        else:
            out.append(f)
    for u in plan.units:
        if lacking := [(label, col) for attr, label, col in CONTACT_FIELDS if not getattr(u, attr).strip()]:
            out.append(cells.place(finding("unit-without-contact", unit=u.name,
                                           missing="、".join(label for label, _ in lacking)),
                                   cells.cell(UNITS.name, u.name, lacking[0][1])))
        if u.email.strip() and not _EMAIL.match(u.email.strip()):
            out.append(cells.place(finding("unit-email-invalid", unit=u.name, value=u.email),
                                   cells.cell(UNITS.name, u.name, 6)))
    return out


# -- edits ----------------------------------------------------------------------------------

def _unit(plan: Plan, name: str) -> Unit:
    u = plan.unit(name)
    if u is not None:
        return u
    if isinstance(plan.resolve(name), Group):
        raise RegisterError(f"“{name}”是单位分组,不是单位。别名和联系方式只能登记在单位上。")
    key = normalize_name(name)
    near = [x.name for x in plan.units if key and (key in normalize_name(x.name) or normalize_name(x.name) in key)]
    hint = f"相近的单位有:{'、'.join(near[:5])}。" if near else "可用 xltools units 计划文件 list 查看全部单位。"
    raise RegisterError(f"计划的单位名单中没有“{name}”。{hint}")


def add_alias(path: str | os.PathLike, name: str, alias: str) -> str:
    """Register `alias` for the unit `name` (name or an existing alias) and save the plan;
    what was done, in Chinese."""
    plan = require_plan(path).value
    u = _unit(plan, name)
    alias = " ".join(str(alias).split())
    if not alias:
        raise RegisterError("别名不能为空。")
    hit = plan.resolve(alias)
    if hit is u:
        return f"“{alias}”已是“{u.name}”的名称或别名,无需登记。"
    if hit is not None:
        what = "单位分组" if isinstance(hit, Group) else "单位"
        raise RegisterError(f"“{alias}”已是{what}“{hit.name}”的名称或别名,不能再作为“{u.name}”的别名。"
                            "如确属同一单位,请先在计划文件中合并这两个单位。")
    u.aliases.append(alias)
    save_plan(plan, path)
    return f"已为“{u.name}”登记别名“{alias}”,今后按此别名也能识别该单位。"


def set_unit(path: str | os.PathLike, name: str, **values: str | None) -> str:
    """Change a unit's 责任领导 / 联系人 / 联系电话 / 电子邮箱 / 类型 and save the plan; what
    changed, in Chinese. Only the fields given (not None) change; "" clears one."""
    if unknown := set(values) - set(EDITABLE):
        raise RegisterError(f"不能修改的字段:{'、'.join(sorted(unknown))}。")
    plan = require_plan(path).value
    u = _unit(plan, name)
    given = {k: " ".join(str(v).split()) for k, v in values.items() if v is not None}
    if not given:
        raise RegisterError("请至少指定一项要修改的内容:--leader、--contact、--phone、--email 或 --kind。")
    if "kind" in given and given["kind"] not in UNIT_KINDS:
        raise RegisterError(f"单位类型“{given['kind']}”无效,应为 {'/'.join(UNIT_KINDS)} 之一。")
    if given.get("email") and not _EMAIL.match(given["email"]):
        raise RegisterError(f"电子邮箱“{given['email']}”不像有效的邮箱地址(应形如 name@example.cn)。")
    changed = {k: (getattr(u, k), v) for k, v in given.items() if getattr(u, k) != v}
    for k, (_, v) in changed.items():
        setattr(u, k, v)
    if not changed:
        return f"“{u.name}”的登记内容没有变化。"
    save_plan(plan, path)
    said = ",".join(f"{EDITABLE[k]}:{old or '(空)'} → {new or '(空)'}" for k, (old, new) in changed.items())
    return f"已更新“{u.name}”:{said}。"


def typed_names(plan: Plan, text: str) -> list[str]:
    """The units or groups a clerk typed in one box: split at 、 , ; (either width) or a line
    break as plan.xlsx splits them (a registered name holding 、 stays whole: 各镇、街道),
    the spaces inside a name folded to one."""
    known = {n for x in [*plan.units, *plan.groups] for n in [x.name, *x.aliases]}
    return [" ".join(n.split()) for line in str(text or "").splitlines() for n in split(line, known)]


def add_member(path: str | os.PathLike, group: str, members: list[str] | str) -> str:
    """Add units (names or aliases already in the register; a text as typed_names splits it)
    to a group and save the plan; what was done, in Chinese."""
    plan = require_plan(path).value
    if isinstance(members, str):
        members = typed_names(plan, members)
    hit = plan.resolve(group)
    if not isinstance(hit, Group):
        what = f"“{group}”是单位,不是单位分组。" if isinstance(hit, Unit) else f"计划中没有单位分组“{group}”。"
        names = "、".join(g.name for g in plan.groups[:8])
        raise RegisterError(what + (f"现有分组:{names}。" if names else "计划中没有任何单位分组。"))
    if not members:
        raise RegisterError("请至少给出一个要加入的单位。")
    from ..parse.names import guess_unit_kind
    added, created = [], []
    for name in members:
        name = " ".join(str(name).split())
        found = plan.resolve(name)
        if isinstance(found, Group):
            raise RegisterError(f"“{name}”是单位分组,不能作为“{hit.name}”的成员。请列出具体单位。")
        if found is None and name:  # a town the notice never named: registered here, said below
            found = Unit(name=name, kind=guess_unit_kind(name))
            plan.units.append(found)
            created.append(name)
        if found is not None and found.name not in hit.members and found.name not in added:
            added.append(found.name)
    if not added:
        return f"所列单位都已是“{hit.name}”的成员,无需添加。"
    hit.members += added
    save_plan(plan, path)
    new = f"其中 {'、'.join(created)} 原不在单位名单中,已新登记,请补填联系方式。" if created else ""
    return f"已把 {'、'.join(added)} 加入单位分组“{hit.name}”(现有成员 {len(hit.members)} 个)。{new}"


def empty_groups_blocking(plan: Plan) -> list[Finding]:
    """What stops generate because some task reaches no unit: one error naming each group
    with no member (its share would go to no one) with its tasks, and one naming the tasks
    that name no unit at all; each says how to fill them."""
    look = plan.lookups()
    stranded = [t for t in plan.tasks if not look.task_units(t)]
    groups: dict[str, list[str]] = {}
    for t in plan.tasks:
        for n in [*t.lead_units, *t.responsible_units]:
            hit = plan.resolve(n)
            if isinstance(hit, Group) and not look.expand(n):
                groups.setdefault(hit.name, []).append(t.number)
    bare = [t.number for t in stranded
            if not any(isinstance(plan.resolve(n), Group) for n in [*t.lead_units, *t.responsible_units])]
    out = []
    if groups:
        parts = [f"“{g}”(任务 {'、'.join(dict.fromkeys(ns))})" for g, ns in groups.items()]
        out.append(finding("generate-empty-groups", groups=";".join(parts), value=len(stranded)))
    if bare:
        out.append(finding("generate-tasks-without-units", tasks="、".join(bare), value=len(bare)))
    return out
