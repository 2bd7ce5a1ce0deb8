"""The plan of one campaign: units, groups, tasks, targets, town matrix, periods.

Pure data: no I/O, no Excel. Names of units are kept as printed in the notice;
resolution to the register (aliases, groups) goes through `Plan.resolve`.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field

from .rates import is_cumulative

UNIT_KINDS = ("镇", "街道", "部门", "企业", "其他")
TASK_KINDS = ("indicator", "task", "practical_matter")
TASK_KIND_LABELS = {"indicator": "指标", "task": "任务", "practical_matter": "民生实事"}
ROLE_LEAD = "牵头"
ROLE_SUPPORT = "配合"
DIRECTIONS = (">=", "<=", "=")
DIRECTION_LABELS = {">=": "不低于", "<=": "不高于", "=": "等于"}
SECTION_SEP = " › "


@dataclass
class Unit:
    """A responsible body (责任单位) in the office's register."""

    name: str
    kind: str = "部门"
    aliases: list[str] = field(default_factory=list)
    leader: str = ""  # 责任领导 (the district leader in charge)
    contact: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Group:
    """A collective name used in notices (各镇人民政府) and the units it stands for."""

    name: str
    members: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


@dataclass
class Target:
    """A quantified target inside a task: 新增城镇就业 8000 人."""

    label: str
    value: float
    measure: str = ""  # unit of measure: 人, 万元, %, 家 ...
    direction: str = ">="
    growth: bool = False  # a growth rate (增长8.5%): progress is a rate, not a running total
    text: str = ""  # the fragment as printed

    @property
    def cumulative(self) -> bool:
        """True when quarterly progress is a running total that never goes down."""
        return is_cumulative(self.measure, self.growth)


@dataclass
class Task:
    """A numbered target or task of the breakdown."""

    number: str  # the unique key: as printed, qualified when numbers restart ("(三)2")
    text: str
    section: list[str] = field(default_factory=list)  # enclosing headings as printed
    kind: str = "task"
    lead_units: list[str] = field(default_factory=list)  # names as printed
    responsible_units: list[str] = field(default_factory=list)  # names as printed
    targets: list[Target] = field(default_factory=list)
    deadline: str = ""
    lead_leader: str = ""  # 牵头领导 / 责任领导 printed with the task (a person, never a unit)
    printed: str = ""  # the number as printed when it differs from the key ("1" of "二(一)1")
    notes: str = ""  # annotations printed with the units (分别牵头, 下同 …), kept as printed

    @property
    def printed_number(self) -> str:
        """The number as the notice prints it ("1"), whatever key the plan gave it."""
        return self.printed or self.number


@dataclass
class MatrixColumn:
    """One leaf column of the town target matrix: category › indicator, unit of measure."""

    key: str
    path: list[str]
    measure: str = ""
    table: int = 1  # which printed sub-table (分表) the column belongs to
    additive: bool = True  # the total row must equal the sum of the other rows

    @property
    def label(self) -> str:
        return SECTION_SEP.join(self.path)


@dataclass
class MatrixRow:
    """One row of the town matrix: a town/subdistrict, 区直及其他, or the total."""

    label: str
    kind: str = "town"
    unit: str = ""  # register name of the unit the row stands for ("" for total/other)


@dataclass
class TownMatrix:
    """附件3: numeric targets per town, values kept exactly as printed."""

    title: str = ""
    columns: list[MatrixColumn] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)
    values: dict[tuple[str, str], str] = field(default_factory=dict)  # (row label, col key)

    def value(self, row: str, col: str) -> str:
        return self.values.get((row, col), "")

    def total_row(self) -> MatrixRow | None:
        return next((r for r in self.rows if r.kind == "total"), None)

    def tables(self) -> list[int]:
        return sorted({c.table for c in self.columns})


@dataclass
class Period:
    """A reporting period: 2019Q1, 第一季度, due 2019-04-10."""

    id: str
    name: str
    start: str = ""  # ISO dates
    end: str = ""
    deadline: str = ""


@dataclass
class Plan:
    """One campaign's plan: everything generate and collect need."""

    title: str
    year: int
    issuer: str = ""  # the office that sends the forms (区政府督办室)
    doc_number: str = ""  # 沙政办发〔2019〕2号
    plan_id: str = ""
    breakdown_title: str = ""  # 附件1's heading as the notice prints it (《政府工作报告》目标任务分解意见)
    first_responsible_leads: bool = True  # with no 牵头单位, the first 责任单位 leads
    units: list[Unit] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    matrix: TownMatrix | None = None
    periods: list[Period] = field(default_factory=list)
    # Look-up state, declared and kept out of eq, repr and the saved plan: the last snapshot
    # of the look-ups, and how many frozen() holders trust it without re-checking the plan.
    _snapshot: "PlanLookups | None" = field(default=None, init=False, repr=False, compare=False)
    _frozen: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.plan_id:
            self.plan_id = default_plan_id(self.title, self.year, self.doc_number)

    # -- look-ups (pure) ---------------------------------------------------------
    def unit(self, name: str) -> Unit | None:
        """The unit registered under this name or alias."""
        hit = self.resolve(name)
        return hit if isinstance(hit, Unit) else None

    def resolve(self, name: str) -> Unit | Group | None:
        """Unit or group by name or alias (exact after normalising spaces)."""
        return self.lookups().index.get(normalize_name(name))

    def expand(self, name: str) -> list[Unit]:
        """The units a printed name stands for: itself, or a group's members."""
        return list(self.lookups().expand(name))

    def task_units(self, task: Task) -> list[tuple[Unit, str]]:
        """Each unit responsible for a task with its role (牵头 / 配合), in printed order."""
        return self.lookups().task_units(task)

    def unit_tasks(self, unit: Unit) -> list[tuple[Task, str]]:
        """The tasks of one unit, in plan order, with its role in each."""
        return list(self.lookups().assignments().get(unit.name, []))

    def units_with_tasks(self) -> list[Unit]:
        """Units that have at least one task, in register order."""
        assigned = self.lookups().assignments()
        return [u for u in self.units if u.name in assigned]

    def _signature(self) -> tuple:
        """What the look-ups depend on; recomputed per call, so edits are always seen."""
        return (tuple((u.name, tuple(u.aliases)) for u in self.units),
                tuple((g.name, tuple(g.members), tuple(g.aliases)) for g in self.groups),
                tuple((t.number, tuple(t.lead_units), tuple(t.responsible_units)) for t in self.tasks),
                self.first_responsible_leads)

    @contextmanager
    def frozen(self):
        """While held, look-ups trust their cache instead of re-checking the plan: for the
        hot loops of generate and collect, which never edit the plan."""
        self._frozen += 1
        try:
            yield self
        finally:
            self._frozen -= 1

    def lookups(self) -> "PlanLookups":
        """A snapshot of the look-ups for a loop over many units or tasks (do not edit the
        plan while holding it; Plan's own methods always see edits)."""
        # Look-ups run per task per unit; rebuilding them each time made generation
        # quadratic. The snapshot is keyed on the signature, so one public call checks it
        # once (or not at all while the plan is frozen).
        cached = self._snapshot
        if cached is not None and self._frozen:
            return cached
        sig = self._signature()
        if cached is None or cached.sig != sig:
            self._snapshot = cached = PlanLookups(self, sig)
        return cached

    def town_rows(self) -> list[MatrixRow]:
        """Matrix rows that stand for one unit (towns and subdistricts)."""
        return [r for r in self.matrix.rows if r.kind == "town"] if self.matrix else []

    def period_title(self, period: Period) -> str:
        """The campaign title with the period: 2019年…重点任务第一季度 (the year said once)."""
        year = f"{self.year}年"
        return self.title + (period.name.removeprefix(year) if self.title.startswith(year) else period.name)

    def period(self, period_id: str) -> Period | None:
        return next((p for p in self.periods if p.id == period_id), None)

    def task(self, number: str) -> Task | None:
        return next((t for t in self.tasks if t.number == number), None)


class PlanLookups:
    """One snapshot of a plan's name index, group expansions and task assignments."""

    def __init__(self, plan: Plan, sig: tuple):
        self.plan, self.sig = plan, sig
        self.index: dict[str, Unit | Group] = {}
        for x in [*plan.groups, *plan.units]:  # (a group's name wins over a unit's)
            for n in [x.name, *x.aliases]:
                self.index.setdefault(normalize_name(n), x)
        self._expanded: dict[str, tuple[Unit, ...]] = {}
        self._assignments: dict[str, list[tuple[Task, str]]] | None = None

    def unit(self, name: str) -> Unit | None:
        hit = self.index.get(normalize_name(name)) if name else None
        return hit if isinstance(hit, Unit) else None

    def unit_name(self, name: str) -> str:
        """The register name of a unit written any way; the name itself when unknown."""
        u = self.unit(name)
        return u.name if u else name

    def expand(self, name: str, seen: frozenset[str] = frozenset()) -> tuple[Unit, ...]:
        key = normalize_name(name)
        if key in self._expanded:
            return self._expanded[key]
        hit = self.index.get(key)
        first: dict[str, Unit] = {}  # each unit once, where it first appears
        if isinstance(hit, Unit):
            first[hit.name] = hit
        elif isinstance(hit, Group) and hit.name not in seen:
            for u in (u for m in hit.members for u in self.expand(m, seen | {hit.name})):
                first.setdefault(u.name, u)
        out = tuple(first.values())
        if not seen:  # results inside a cycle depend on the path; cache only top-level ones
            self._expanded[key] = out
        return out

    def task_units(self, task: Task) -> list[tuple[Unit, str]]:
        lead_names, others = task.lead_units, task.responsible_units  # (read, never changed)
        if not lead_names and self.plan.first_responsible_leads and others:
            lead_names, others = others[:1], others[1:]
        first: dict[str, tuple[Unit, str]] = {}  # each unit once, in its first role
        for names, role in ((lead_names, ROLE_LEAD), (others, ROLE_SUPPORT)):
            for u in (u for n in names for u in self.expand(n)):
                first.setdefault(u.name, (u, role))
        return list(first.values())

    def assignments(self) -> dict[str, list[tuple[Task, str]]]:
        if self._assignments is None:
            out: dict[str, list[tuple[Task, str]]] = {}
            for t in self.plan.tasks:
                for u, role in self.task_units(t):
                    out.setdefault(u.name, []).append((t, role))
            self._assignments = out
        return self._assignments


# Full-width ASCII forms compare as ASCII: a register typed as 区财政局(金融办) knows the
# notice's 区财政局\uff08金融办\uff09 (the model imports nothing, so not parse.fold).
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def normalize_name(name: str) -> str:
    """Names compare without spaces and bracket width (沙市城投  公司 is 沙市城投公司)."""
    return "".join(str(name).translate(_WIDTH).split())


def default_plan_id(title: str, year: int, doc_number: str = "") -> str:
    """A short stable id for a plan, derived from what identifies the campaign."""
    def squash(s: str) -> str:  # spaces only: ids of plans already sent out stay the same
        return "".join(str(s).split())

    raw = f"{year}|{squash(title)}|{squash(doc_number)}"
    return f"{year}-{hashlib.sha256(raw.encode('utf-8')).hexdigest()[:8]}"
