"""Invariants of a plan, checked when it is built or loaded: findings, never exceptions."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from .findings import Finding, finding
from .periods import PERIOD_ID_RE
from .plan import TASK_KINDS, UNIT_KINDS, Plan, TownMatrix, normalize_name
from .values import format_number, parse_value


def check_plan(plan: Plan) -> list[Finding]:
    """Every invariant of the plan; locations are task numbers and names (no sheet yet)."""
    with plan.frozen():  # checking edits nothing: one look-up snapshot, not one per name
        return [*_check_units(plan), *_check_groups(plan), *_check_tasks(plan),
                *_check_periods(plan), *(check_matrix(plan.matrix, plan) if plan.matrix else [])]


def _check_units(plan: Plan) -> Iterator[Finding]:
    names = [normalize_name(n) for x in [*plan.units, *plan.groups] for n in [x.name, *x.aliases]]
    yield from (finding("duplicate-unit", value=name) for name in _repeated(names))
    yield from (finding("bad-unit-kind", unit=u.name, value=u.kind) for u in plan.units
                if u.kind not in UNIT_KINDS)


def _check_groups(plan: Plan) -> Iterator[Finding]:
    for g in plan.groups:
        if not g.members:
            yield finding("empty-group", value=g.name)
        for m in g.members:
            if plan.resolve(m) is None:
                yield finding("unknown-group-member", value=m, group=g.name)


def _repeated(values) -> list:
    """The values that occur more than once, each once, in order of first occurrence."""
    return [v for v, n in Counter(values).items() if n > 1]


def duplicate_task_numbers(plan: Plan) -> list[Finding]:
    """One error for each number two or more tasks share."""
    return [finding("duplicate-task-number", task=number, value=number)
            for number in _repeated(t.number for t in plan.tasks)]


def _check_tasks(plan: Plan) -> Iterator[Finding]:
    yield from duplicate_task_numbers(plan)
    for t in plan.tasks:
        if not t.text.strip():
            yield finding("task-without-text", task=t.number)
        if t.kind not in TASK_KINDS:
            yield finding("bad-task-kind", task=t.number, value=t.kind)
        names = [*t.lead_units, *t.responsible_units]
        if not names:
            yield finding("task-without-unit", task=t.number)
        for name in names:
            if plan.resolve(name) is None:
                yield finding("unknown-unit", task=t.number, value=name)


def _check_periods(plan: Plan) -> Iterator[Finding]:
    if not plan.periods:
        yield finding("no-periods")
    yield from (finding("duplicate-period", value=pid) for pid in _repeated(p.id for p in plan.periods))
    yield from (finding("duplicate-period-name", value=name)
                for name in _repeated(p.name for p in plan.periods) if name)
    for p in plan.periods:
        if not PERIOD_ID_RE.match(p.id):
            yield finding("bad-period", value=p.id, reason="编号应形如 2019Q1、2019H1、2019M04")
        elif p.deadline and p.end and p.deadline < p.end[:8] + "01":
            # a deadline inside the period's last month is a rule notices print (每季度末月20日前)
            yield finding("bad-period", value=p.id,
                          reason=f"截止日期 {p.deadline} 早于周期最后一个月({p.end[:7]})")


def check_matrix(matrix: TownMatrix, plan: Plan) -> list[Finding]:
    """Values readable, towns known, and each additive column's total equal to its rows' sum."""
    out = [finding("matrix-unknown-town", row=r.label, value=r.unit or r.label, ref=r.label)
           for r in matrix.rows if r.kind == "town" and plan.unit(r.unit or r.label) is None]
    total = matrix.total_row()
    for c in matrix.columns:
        measures = column_measures(matrix, c.key)
        sums: dict[str, list[float]] = {}
        for r in matrix.rows:
            raw = matrix.value(r.label, c.key)
            v = parse_value(raw, measures)
            if v.kind == "bad":
                out.append(finding("bad-matrix-value", row=r.label, column=c.label, value=raw,
                                   ref=f"{r.label}\t{c.key}"))
                continue
            if v.missing_measure:
                out.append(finding("matrix-value-missing-measure", row=r.label, column=c.label,
                                   value=raw, measure="、".join(measures),
                                   ref=f"{r.label}\t{c.key}"))
            if r.kind == "total" or not c.additive:
                continue
            for k, x in v.amounts().items():
                sums.setdefault(k, []).append(x)
        if total is None or not c.additive:
            continue
        for k, want in parse_value(matrix.value(total.label, c.key), measures).amounts().items():
            got = math.fsum(sums.get(k, ()))  # (fsum: 14.43, not 14.430000000000001)
            if abs(got - want) > 1e-6 * max(1.0, abs(want)):
                out.append(finding("matrix-total-mismatch", row=total.label, column=c.label,
                                   value=matrix.value(total.label, c.key), part=k,
                                   expected=format_number(got), diff=format_number(want - got),
                                   ref=f"{total.label}\t{c.key}"))
    return out


def column_measures(matrix: TownMatrix, key: str) -> list[str]:
    """The part measures of a composite column, taken from its total (118户、345人)."""
    for r in matrix.rows:
        v = parse_value(matrix.value(r.label, key))
        if v.kind == "composite" and not v.missing_measure:
            return list(v.parts)
    return []
