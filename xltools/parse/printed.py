"""Strings going out of the parser in the document's own characters (the other side of fold.py).

The rules read folded text; every text, heading, name and number they produce is
mapped back here, once, so a notice printed with full-width brackets and colons gives
them back in the plan.
Task keys (Task.number) stay folded: forms, ledger and plan files rely on them.
"""
from __future__ import annotations

from .fold import Unfolder


def restore_printed(result, original: str, register_names: bool = False) -> None:
    """Map the result's outgoing strings back to `original`'s characters, in place.

    Unit and group names are mapped one way per name (the same name everywhere);
    with a register (`register_names`) the register's own spelling is kept.
    """
    plan = result.plan
    unfold = Unfolder(original)
    if plan is None:
        return
    names: dict[str, str] = {}

    def name(n: str) -> str:
        if n not in names:
            names[n] = unfold(n)
        return names[n]

    plan.title = unfold(plan.title)
    plan.issuer = unfold(plan.issuer)
    plan.doc_number = unfold(plan.doc_number)
    for t in plan.tasks:
        t.text = unfold(t.text)
        t.section = [unfold(h) for h in t.section]
        printed = unfold(t.printed_number)
        t.printed = "" if printed == t.number else printed  # kept only where it differs
        t.deadline = unfold(t.deadline)
        t.lead_leader = unfold(t.lead_leader)
        t.notes = unfold(t.notes)
        t.lead_units = [name(n) for n in t.lead_units]
        t.responsible_units = [name(n) for n in t.responsible_units]
        for x in t.targets:
            x.label, x.text = unfold(x.label), unfold(x.text)
    if not register_names:
        for u in plan.units:
            u.name = name(u.name)
            u.aliases = [name(a) for a in u.aliases]
        for g in plan.groups:
            g.name = name(g.name)
            g.aliases = [name(a) for a in g.aliases]
            g.members = [name(m) for m in g.members]
        for e in result.annex2:
            e.unit = name(e.unit)
    if plan.matrix is not None:  # headings as printed; row labels stay keys of the values
        plan.matrix.title = unfold(plan.matrix.title)
        for c in plan.matrix.columns:
            c.path = [unfold(p) for p in c.path]
        for r in plan.matrix.rows:
            r.unit = name(r.unit) if r.unit and not register_names else r.unit
    for lt in result.loose_targets:
        lt.text = unfold(lt.text)
        lt.section = [unfold(h) for h in lt.section]
