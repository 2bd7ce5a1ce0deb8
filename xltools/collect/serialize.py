"""FormReturn <-> plain JSON-safe dicts (the ledger's payload). Unknown keys are ignored."""
from __future__ import annotations

import json
import math
from datetime import date, datetime, time
from typing import Any, Iterator

from ..model.findings import Finding
from ..model.returns import (ACTUAL, NOTE, TASK_FIELDS, FormReturn, Received, TargetReport,
                             TaskReport, TownReport, target_key, town_key)
from ..model.serialize import from_fields

FORMAT_VERSION = 1


def jsonable(x: Any) -> Any:
    """Plain JSON data: dates as ISO text, non-finite floats and other objects as text."""
    t = type(x)
    if t is str or t is int or t is bool or x is None:
        return x
    if t is float:
        return x if math.isfinite(x) else str(x)
    if isinstance(x, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in x]
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if hasattr(t, "__dataclass_fields__"):  # (asdict deep-copies: 3x slower)
        return {k: jsonable(getattr(x, k)) for k in t.__dataclass_fields__}
    if isinstance(x, (datetime, date, time)):
        return x.isoformat()
    if isinstance(x, str):  # subclasses: str enums and the like
        return x[:]
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):  # numpy.float64 is one
        return jsonable(float(x))
    return str(x)


def form_return_to_dict(ret: FormReturn) -> dict[str, Any]:
    return {**jsonable(ret), "format_version": FORMAT_VERSION}


def _shallow(x: Any) -> Any:
    """json.dumps' hook: a dataclass as a dict of its fields (the C encoder recurses into
    them), anything else the C encoder does not know as jsonable makes it."""
    names = getattr(type(x), "__dataclass_fields__", None)
    if names is None:
        return jsonable(x)
    own = getattr(x, "__dict__", None)  # its fields in order, unless something was added
    if own is not None and len(own) == len(names):
        return own
    return {k: getattr(x, k) for k in names}


def form_return_json(ret: FormReturn, ensure_ascii: bool = False) -> str:
    """The JSON text of form_return_to_dict(ret), written by json's C encoder (a third of
    recording a return was walking it in Python)."""
    d = {**_shallow(ret), "format_version": FORMAT_VERSION}
    try:
        return json.dumps(d, default=_shallow, ensure_ascii=ensure_ascii, allow_nan=False)
    except ValueError:  # a non-finite float: jsonable writes it as text
        return json.dumps(form_return_to_dict(ret), ensure_ascii=ensure_ascii)


# short texts of a row that repeat across a period's returns (cell places, task numbers,
# roles, statuses, labels): one string each when loading a period, not one per return
_SHARED = ("task", "role", "status", "label", "measure", "column", "part")


def _row(cls, data: dict[str, Any], shared: dict[str, str] | None):
    if shared is not None:
        for k in _SHARED:
            v = data.get(k)
            if type(v) is str:
                data[k] = shared.setdefault(v, v)
        if cells := data.get("cells"):
            data["cells"] = {k: shared.setdefault(v, v) for k, v in cells.items()}
    return from_fields(cls, data)


def form_return_from_dict(d: dict[str, Any], shared: dict[str, str] | None = None) -> FormReturn:
    """Rebuild what form_return_to_dict wrote (raw cell values come back as JSON types).

    shared: a dict kept across the returns of one load, so that their repeated short texts
    are one object each (a province's period held ~40% less)."""
    simple = {k: v for k, v in d.items()
              if k not in ("received", "tasks", "targets", "town", "findings")}
    rd = dict(d.get("received") or {})
    if "kind" in rd:  # payloads written before Received.kind was named file_type
        rd.setdefault("file_type", rd.pop("kind"))
    ret = from_fields(FormReturn, {**simple, "received": from_fields(Received, rd)})
    ret.tasks = [_row(TaskReport, t, shared) for t in d.get("tasks") or []]
    ret.targets = [_row(TargetReport, t, shared) for t in d.get("targets") or []]
    ret.town = [_row(TownReport, t, shared) for t in d.get("town") or []]
    ret.findings = [Finding.from_dict(f) for f in d.get("findings") or []]
    return ret


def cell_values(ret: FormReturn) -> Iterator[tuple]:
    """(key, field, value, number, cell, row) of every field of a return, the header's first
    (key "header"): what the ledger stores, and what examine checks once read."""
    for name, value in ret.header.items():
        yield "header", name, value, None, ret.header_cells.get(name) or "", -1
    attrs = dict(zip(TASK_FIELDS, ("completion", "progress", "status", "problems", "next_steps")))
    for t in ret.tasks:
        if t.extra:  # a 办理方案 row: its own fields, by name
            for fname, value in t.extra.items():
                yield t.task, fname, value or None, None, t.cells.get(fname) or "", t.row
            continue
        raw = t.progress_raw if t.progress_raw is not None else t.progress
        for fname, attr in attrs.items():
            value, num = ((raw, _num(t.progress)) if attr == "progress"
                          else (getattr(t, attr) or None, None))
            yield t.task, fname, value, num, t.cells.get(fname) or "", t.row
    for key, g in [*((target_key(g.task, g.index), g) for g in ret.targets),
                   *((town_key(w.column, w.part), w) for w in ret.town)]:
        raw = g.actual_raw if g.actual_raw is not None else g.actual
        yield key, ACTUAL, raw, _num(g.actual), g.cells.get(ACTUAL) or "", g.row
        yield key, NOTE, g.note or None, None, g.cells.get(NOTE) or "", g.row


def _num(x: object) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None
