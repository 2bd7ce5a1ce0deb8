"""Annex 2 against annex 1: every disagreement between the per-unit table and the items."""
from __future__ import annotations

from os.path import commonprefix  # of any two strings, not only paths

from ..model.findings import Finding, finding
from ..model.plan import Plan, Task, Unit, normalize_name
from .annex2 import UnitTasks

_PUNCT = str.maketrans({",": ",", ";": ";", ":": ":", "(": "(", ")": ")", "、": ","})


def text_key(text: str) -> str:
    """Task text for comparison: no spaces, one punctuation width, no trailing full stop."""
    return normalize_name(text).translate(_PUNCT).rstrip("。.;,")


def check_annex2(plan: Plan, entries: list[UnitTasks], lines: dict[str, int],
                 source: str = "") -> list[Finding]:
    """Each task listed under a unit annex 1 does not name it, another task's text, an
    unknown number, a unit's annex-1 task missing from its annex-2 block, and so on."""
    out: list[Finding] = []
    by_key = {text_key(t.text): t for t in plan.tasks}
    own: dict[str, set[str]] = {}  # unit → task numbers of its own annex-2 rows
    via_group: dict[str, set[str]] = {}  # unit → task numbers listed for a group it is in
    for e in entries:
        if (hit := plan.resolve(e.unit)) is None:
            out.append(finding("annex2-unit-unknown", file=source, value=e.unit, line=e.line))
        listed = own if isinstance(hit, Unit) else via_group
        for u in plan.expand(e.unit):
            listed.setdefault(u.name, set()).update(number for number, _, _ in e.tasks)
        for number, text, line in e.tasks:
            if (task := plan.task(number)) is None:
                out.append(finding("annex2-unknown-task", file=source, task=number, unit=e.unit, line=line))
                continue
            if hit is not None and not _names_unit(plan, task, e.unit):
                out.append(finding("annex2-task-mismatch", file=source, task=number, unit=e.unit,
                                   value="、".join([*task.lead_units, *task.responsible_units]),
                                   line=line, ref=number))
            out.extend(_text_findings(task, text, by_key, e.unit, line, source))
    missing: dict[str, list[str]] = {}
    for t in plan.tasks:
        for name in [*t.lead_units, *t.responsible_units]:
            hit = plan.resolve(name)
            if not isinstance(hit, Unit) or t.number in via_group.get(hit.name, set()):
                continue
            if hit.name in own and t.number not in own[hit.name]:
                out.append(finding("annex2-task-missing", file=source, task=t.number, unit=hit.name,
                                   line=lines.get(t.number, 0), ref=t.number))
            elif hit.name not in own and t.number not in missing.setdefault(hit.name, []):
                missing[hit.name].append(t.number)
    return out + [finding("annex2-unit-missing", file=source, value=name, tasks="、".join(numbers))
                  for name, numbers in missing.items()]  # each list holds the number that made it


def _names_unit(plan: Plan, task: Task, printed: str) -> bool:
    """Does annex 1 give this task to the unit (or every unit of the group) printed in annex 2?"""
    hit = plan.resolve(printed)
    named = [plan.resolve(n) for n in [*task.lead_units, *task.responsible_units]]
    if any(h is not None and h is hit for h in named):
        return True
    theirs = {u.name for u, _ in plan.task_units(task)}
    mine = {u.name for u in plan.expand(printed)}
    return bool(mine) and mine <= theirs


def _text_findings(task: Task, text: str, by_key: dict[str, Task], unit: str, line: int,
                   source: str) -> list[Finding]:
    mine, theirs = text_key(text), text_key(task.text)
    if mine == theirs:
        return []
    other = by_key.get(mine)
    if other is not None and other.number != task.number:
        return [finding("annex2-text-mismatch", file=source, task=task.number, unit=unit,
                        value=other.number, line=line, ref=task.number)]
    a1, a2 = _diff(normalize_name(task.text), normalize_name(text))
    return [finding("annex2-text-differs", file=source, task=task.number, unit=unit, line=line,
                    annex1=a1, annex2=a2, ref=task.number)]


def _diff(a: str, b: str, context: int = 6) -> tuple[str, str]:
    """The differing stretch of two texts with a little context on each side."""
    i = len(commonprefix([a, b]))
    j = len(commonprefix([a[i:][::-1], b[i:][::-1]]))
    lo = max(0, i - context)
    return (_ell(lo, a[lo:len(a) - j + context if j else len(a)], a),
            _ell(lo, b[lo:len(b) - j + context if j else len(b)], b))


def _ell(lo: int, piece: str, whole: str) -> str:
    return ("…" if lo else "") + piece + ("…" if lo + len(piece) < len(whole) else "")
