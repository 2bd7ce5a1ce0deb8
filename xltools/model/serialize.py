"""Plan <-> plain dicts (for YAML and JSON). Pure: the file I/O lives in planfile/."""
from __future__ import annotations

from dataclasses import asdict, fields
from functools import lru_cache
from typing import Any

from .plan import (Group, MatrixColumn, MatrixRow, Period, Plan, Target, Task, TownMatrix,
                   Unit)

FORMAT_VERSION = 1


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The whole plan as plain data; matrix values as {row: {column key: value}}."""
    d: dict[str, Any] = {"format": "xltools-plan", "version": FORMAT_VERSION}
    # the fields in their order (not the look-up state, which is no init field)
    d.update({f.name: getattr(plan, f.name) for f in fields(Plan) if f.init and f.name != "matrix"})
    for k in ("units", "groups", "tasks", "periods"):
        d[k] = [asdict(x) for x in d[k]]
    if plan.matrix is not None:
        m = plan.matrix
        values: dict[str, dict[str, str]] = {}
        for (row, col), v in m.values.items():
            values.setdefault(row, {})[col] = v
        d["matrix"] = {"title": m.title, "columns": [asdict(c) for c in m.columns],
                       "rows": [asdict(r) for r in m.rows],
                       "values": {r.label: values.get(r.label, {}) for r in m.rows}}
    return d


@lru_cache(maxsize=None)
def _field_names(cls) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls) if f.init)  # (not Plan's look-up state)


def from_fields(cls, data: dict[str, Any] | None):
    """A dataclass from a dict of its fields; keys that are no field (older or newer
    payloads) are ignored."""
    # fields() is slow; a ledger load rebuilds ~125 objects per return. A payload written
    # by this version names only fields (the quick way); an older one's keys are filtered.
    data = data or {}
    names = _field_names(cls)
    if names.issuperset(data):
        return cls(**data)
    return cls(**{k: v for k, v in data.items() if k in names})


def plan_from_dict(d: dict[str, Any]) -> Plan:
    """Rebuild a plan from plan_to_dict's output (unknown keys are ignored)."""
    tasks = [from_fields(Task, {**t, "targets": [from_fields(Target, x) for x in t.get("targets", [])]})
             for t in d.get("tasks", [])]
    matrix = None
    if d.get("matrix"):
        m = d["matrix"]
        values = {(row, col): str(v) for row, cols in (m.get("values") or {}).items()
                  for col, v in cols.items()}
        matrix = TownMatrix(title=m.get("title", ""),
                            columns=[from_fields(MatrixColumn, c) for c in m.get("columns", [])],
                            rows=[from_fields(MatrixRow, r) for r in m.get("rows", [])], values=values)
    lists = {k: [from_fields(cls, x) for x in d.get(k, [])]
             for k, cls in (("units", Unit), ("groups", Group), ("periods", Period))}
    leads = bool(d.get("first_responsible_leads", True))
    given = {"title": d.get("title", ""), "year": int(d.get("year", 0)), "tasks": tasks,
             "matrix": matrix, "first_responsible_leads": leads}
    return from_fields(Plan, {**d, **lists, **given})
