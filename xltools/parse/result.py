"""ParseResult: the parsed plan, the findings, a Chinese report and the --json shape."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from ..model.findings import ERROR, INFO, WARNING, Finding
from ..model.plan import TASK_KIND_LABELS, Plan, Target
from .annex2 import UnitTasks


@dataclass
class LooseTargets:
    """An unnumbered paragraph of targets (主要预期目标) and the targets read from it."""

    line: int
    text: str
    section: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


@dataclass
class ParseResult:
    """What parsing a notice produced: the plan (None when nothing was recognisable) and findings."""

    plan: Plan | None
    findings: list[Finding] = field(default_factory=list)
    source: str = ""
    annex2: list[UnitTasks] = field(default_factory=list)  # the per-unit table as read
    loose_targets: list[LooseTargets] = field(default_factory=list)
    item_lines: dict[str, int] = field(default_factory=dict)  # task number → line in the notice

    @property
    def value(self) -> Plan | None:
        """The plan, under the name the model's `Result` uses."""
        return self.plan

    def report_lines(self) -> list[str]:
        """A parse report in Chinese: counts, units and groups, unresolved names, every problem."""
        out: list[str] = [f"解析通知:{self.source or '(文本)'}"]
        plan = self.plan
        if plan is None:
            out.append("未能从通知中识别出任务,没有生成计划。")
            out += [f"  [{f.severity}] {f.message}" for f in self.findings]
            return out
        out.append(f"标题:{plan.title or '(未识别)'}  文号:{plan.doc_number or '(无)'}  年度:{plan.year or '(未识别)'}")
        kinds = Counter(t.kind for t in plan.tasks)
        parts = "、".join(f"{TASK_KIND_LABELS[k]} {kinds[k]} 项" for k in TASK_KIND_LABELS if kinds[k])
        out.append(f"编号事项共 {len(plan.tasks)} 项:{parts}。")
        if numbers := [t.number for t in plan.tasks]:
            out.append(f"序号:{numbers[0]} 至 {numbers[-1]}(按通知原样;各部分重新编号时加上所属标题的序号,如“二.3”“(三)2”)。"
                       if any(not n.isdigit() for n in numbers) else
                       f"序号:{numbers[0]} 至 {numbers[-1]}。")
        if due := [t for t in plan.tasks if t.deadline]:
            out.append(f"完成时限:{len(due)} 项写明,{len(plan.tasks) - len(due)} 项未写明。")
        if led := [t for t in plan.tasks if t.lead_leader]:
            out.append(f"责任领导(任务):{len(led)} 项写明,已单独记录,不作为责任单位。")
        targets = sum(len(t.targets) for t in plan.tasks)
        out.append(f"量化指标 {targets} 个;未编号的目标段落 {len(self.loose_targets)} 段。")
        out.append(f"单位 {len(plan.units)} 个:" + "、".join(
            u.name + (f"(又作 {'/'.join(u.aliases)})" if u.aliases else "") for u in plan.units))
        out.append(f"单位分组 {len(plan.groups)} 个:" + "、".join(
            f"{g.name}({len(g.members)} 个成员)" for g in plan.groups))
        if leaders := [u for u in plan.units if u.leader]:
            out.append(f"责任领导(附件2):{len(leaders)} 个单位已填。")
        if (m := plan.matrix) is not None:
            out.append(f"镇街目标表:{len(m.rows)} 行、{len(m.columns)} 列(分 {len(m.tables())} 个表)。")
        if plan.periods:
            out.append("报送周期:" + "、".join(f"{p.id}(截止 {p.deadline})" for p in plan.periods))
        unresolved = sorted({f.value for f in self.findings
                             if f.code in ("unresolved-unit", "ambiguous-unit-alias", "unknown-unit")})
        out.append("未能确定的单位名称:" + ("、".join(unresolved) if unresolved else "无"))
        counts = Counter(f.severity for f in self.findings)
        out.append(f"问题与提示:错误 {counts[ERROR]} 条,警告 {counts[WARNING]} 条,提示 {counts[INFO]} 条。")
        order = {ERROR: 0, WARNING: 1, INFO: 2}
        return out + [f"  [{f.severity}] {f.message}"
                      for f in sorted(self.findings, key=lambda f: order.get(f.severity, 3))]

    def to_json(self) -> dict:
        """The --json shape: tasks, indicators, units, groups, findings.

        `indicators` holds the tasks of kind indicator with their targets, then each
        unnumbered target paragraph (number "", no units) with its targets.
        """
        plan = self.plan
        findings = [f.to_dict() for f in self.findings]
        if plan is None:
            return {"tasks": [], "indicators": [], "units": [], "groups": [], "findings": findings}
        tasks = [{"number": t.printed_number, "key": t.number, "section": list(t.section),
                  "kind": t.kind, "text": t.text, "lead_units": list(t.lead_units),
                  "responsible_units": list(t.responsible_units), "notes": t.notes,
                  "deadline": t.deadline,
                  "units": [u.name for u, _ in plan.task_units(t)]} for t in plan.tasks]
        indicators = [{**{k: d[k] for k in ("number", "key", "section", "text", "units")},
                       "targets": [asdict(x) for x in t.targets]}
                      for t, d in zip(plan.tasks, tasks) if t.kind == "indicator"]
        indicators += [{"number": "", "section": list(lt.section), "text": lt.text, "units": [],
                        "targets": [asdict(x) for x in lt.targets]} for lt in self.loose_targets]
        return {"tasks": tasks, "indicators": indicators,
                "units": [asdict(u) for u in plan.units],
                "groups": [asdict(g) for g in plan.groups],
                "findings": findings}
