"""Regenerate the golden digests of the reference notices: python tests/golden/regen.py

A digest is readable JSON, one task / unit / finding per line, so that a reviewer can
read it line by line and a diff shows exactly what a parser change moved.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from xltools.parse import ParseResult, parse_notice_file  # noqa: E402

NOTICES = {"seed_000": "seed_000_shashi_2019.txt", "seed_002": "seed_002_jingzhou_2020.txt",
           # synthetic notices of the family (tests/data/family/README.md says what each covers)
           "family_01": "family/family_01_qingjiang_table.txt",
           "family_02": "family/family_02_qingshan_prose.txt",
           "family_04": "family/family_04_lakeside_rows.txt",
           "family_05": "family/family_05_hexi_targets.txt",
           "family_06": "family/family_06_nanhu_brackets.txt",
           "family_07": "family/family_07_liucheng_lines.txt"}


def _target(t) -> str:
    g = " 增速" if t.growth else ""
    return f"{t.label} {t.direction} {t.value:g}{t.measure}{g}"


def _task(result: ParseResult, t) -> dict:
    d = {"number": t.number, "line": result.item_lines.get(t.number, 0), "kind": t.kind,
         "section": t.section, "lead": t.lead_units, "resp": t.responsible_units,
         "units": [u.name for u, _ in result.plan.task_units(t)],
         "targets": [_target(x) for x in t.targets], "text": t.text}
    if t.deadline:  # only when printed, so digests of notices without them stay as they were
        d["deadline"] = t.deadline
    if t.lead_leader:
        d["leader"] = t.lead_leader
    if t.printed and t.printed != t.number:  # only when it differs, as deadlines above
        d["printed"] = t.printed
    if t.notes:
        d["notes"] = t.notes
    return d


def digest(result: ParseResult) -> dict:
    """The parse of one notice as plain data, in reading order."""
    plan = result.plan
    assert plan is not None
    d: dict = {
        "title": plan.title, "doc_number": plan.doc_number, "year": plan.year,
        "issuer": plan.issuer,
        "periods": [f"{p.id} {p.start}..{p.end} 截止 {p.deadline}" for p in plan.periods],
        "counts": {"items": len(plan.tasks),
                   **{k: sum(1 for t in plan.tasks if t.kind == k)
                      for k in ("indicator", "task", "practical_matter")},
                   "units": len(plan.units), "groups": len(plan.groups),
                   "targets": sum(len(t.targets) for t in plan.tasks),
                   "findings": len(result.findings)},
        "tasks": [_task(result, t) for t in plan.tasks],
        "loose_targets": [{"line": lt.line, "targets": [_target(x) for x in lt.targets]}
                          for lt in result.loose_targets],
        "units": [{"name": u.name, "kind": u.kind, "aliases": u.aliases, "leader": u.leader}
                  for u in plan.units],
        "groups": [{"name": g.name, "aliases": g.aliases, "members": g.members}
                   for g in plan.groups],
        "annex2": [{"unit": e.unit, "line": e.line, "leader": e.leader,
                    "inherited": e.inherited, "tasks": [n for n, _, _ in e.tasks]}
                   for e in result.annex2],
    }
    if plan.matrix is not None:
        m = plan.matrix
        d["matrix"] = {
            "title": m.title,
            "columns": [{"key": c.key, "table": c.table, "path": c.path, "measure": c.measure,
                         "additive": c.additive} for c in m.columns],
            "rows": [{"label": r.label, "kind": r.kind, "unit": r.unit,
                      "values": [m.value(r.label, c.key) for c in m.columns]} for r in m.rows],
        }
    d["findings"] = [{"code": f.code, "severity": f.severity, "task": f.task, "value": f.value,
                      "message": f.message} for f in result.findings]
    return d


def dumps(d: dict) -> str:
    """Pretty JSON with each list item on one line."""
    def one(x) -> str:
        return json.dumps(x, ensure_ascii=False)

    lines = ["{"]
    keys = list(d)
    for i, k in enumerate(keys):
        v = d[k]
        comma = "," if i < len(keys) - 1 else ""
        if isinstance(v, list) and v:
            lines.append(f"  {one(k)}: [")
            lines += [f"    {one(x)}{',' if j < len(v) - 1 else ''}" for j, x in enumerate(v)]
            lines.append(f"  ]{comma}")
        elif isinstance(v, dict) and any(isinstance(x, list) and x for x in v.values()):
            lines.append(f"  {one(k)}: " + dumps(v).replace("\n", "\n  ") + comma)
        else:
            lines.append(f"  {one(k)}: {one(v)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def main() -> None:
    for name, file in NOTICES.items():
        result = parse_notice_file(ROOT / "tests" / "data" / file)
        (HERE / f"{name}.json").write_text(dumps(digest(result)) + "\n", encoding="utf-8")
        print(f"{name}: {len(result.plan.tasks)} items, {len(result.findings)} findings")


if __name__ == "__main__":
    main()
