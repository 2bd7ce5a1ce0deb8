"""The quarter's 通报 (or the half-year's, the year's): what the ledger says, in prose and
real Word tables. Every count comes from merge.summarize (a quarter) or merge.year_summary
(several periods summed as the year summary sums them); nothing is counted here."""
from __future__ import annotations

import dataclasses
import os
from collections import Counter
from datetime import date

from ..sheet.blocks import safe_filename
from ..merge.common import LAGGING, LATE, NOT_REPORTED, OVERALL_STATUSES
from ..merge.summary import Summary
from ..merge.year import MISSED, YearSummary
from ..model.periods import period_bounds
from ..model.plan import Period, Plan
from ..model.rates import is_missing, shown
from ..model.table import Table
from . import gbt9704 as fmt
from ..templating import render
from .body import write_blocks
from .notice import addressees
from .tables import Grid, grid_table

TEMPLATE = "通报.txt.j2"
PROBLEM_NONE = ("", "无", "暂无")
SEMICOLON = "\uff1b"
COUNT_HEADER = "任务数\uff08项\uff09"  # full-width brackets, as printed


@dataclasses.dataclass
class Bulletin:
    """What a 通报 says: the counts and the named lists, ready for the template and tables."""

    scope: str  # 2019年第一季度 / 2019年上半年 / 2019年
    title: str
    statuses: dict[str, int]
    on_time: list[str]
    late: list[tuple[str, str]]  # unit, how late (逾期 1 天 / 第二季度)
    missing: list[tuple[str, str]]  # unit, what it owes
    lagging: list[list[str]]  # 序号, 任务, 牵头单位, 状态, 存在问题
    targets: list[list[str]]  # 量化指标, 全年目标, 累计完成, 完成率
    towns: list[list[str]]  # 名次, 镇街, 平均完成率

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def share(self, status: str) -> str:
        return f"{self.statuses.get(status, 0) / self.total:.1%}" if self.total else "0%"


def _title(plan: Plan, scope: str) -> str:
    return f"关于{scope}{plan.title.removeprefix(f'{plan.year}年')}落实情况的通报"


def from_summary(plan: Plan, period: Period, s: Summary, ys: YearSummary) -> Bulletin:
    """A quarter's bulletin from its Summary; the town ranking from the year summary so far."""
    missing = s.missing.select("单位", "未报表单")
    owing = {u for u, _ in missing} | set(s.late["单位"])
    on_time = [u for u in s.by_unit["单位"] if u not in owing]
    late = [(u, form if days is None else f"{form}逾期 {days} 天")
            for u, form, days in s.late.select("单位", "表单", "逾期天数")]
    problems: dict[int, list[str]] = {}  # by task (its place in the plan: numbers may repeat)
    for t, unit, cat, problem in s.by_task.select("_t", "单位", "_cat", "存在问题"):
        if cat in LAGGING and str(problem).strip() not in PROBLEM_NONE:
            problems.setdefault(t, []).append(f"{unit}{fmt.COLON}{problem}")
    lagging = [[str(r["序号"]), r["任务内容"], r["牵头单位"], r["总体状态"],
                SEMICOLON.join(problems.get(t, [])) or "\u2014"]
               for t, r in enumerate(s.tasks.records()) if r["总体状态"] in LAGGING]
    return Bulletin(period.name, _title(plan, period.name), s.overall_counts(), on_time, late,
                    missing, lagging, _targets(s.targets, "累计完成"), _towns(ys))


def from_year(plan: Plan, scope: str, ys: YearSummary) -> Bulletin:
    """Several periods: each task's latest status, each unit's record over the periods."""
    counts = Counter(status or NOT_REPORTED for status in ys.tasks["最新状态"])
    statuses = {k: counts[k] for k in OVERALL_STATUSES}
    units = ys.timeliness.records()

    def when(row, state):
        return "\u3001".join(x for x in ys.labels if row[x] == state)

    late = [(r["单位"], f"{r['表单']}{when(r, LATE)}逾期") for r in units if r["逾期次数"]]
    missing = [(r["单位"], f"{r['表单']}{when(r, MISSED)}") for r in units if r["未报次数"]]
    owing = {u for u, _ in late} | {u for u, _ in missing}
    on_time = list(dict.fromkeys(r["单位"] for r in units if r["单位"] not in owing))
    lagging = [[str(r["序号"]), r["任务内容"], r["牵头单位"], r["最新状态"], "\u2014"]
               for r in ys.tasks.records() if r["最新状态"] in LAGGING]
    return Bulletin(scope, _title(plan, scope), statuses, on_time, late, missing, lagging,
                    _targets(ys.indicators, "最新累计"), _towns(ys))


def _targets(targets: Table, done: str) -> list[list[str]]:
    """The targets with a figure in column `done`: 量化指标, 全年目标, that figure, 完成率."""
    return [[r["量化指标"], _num(r["全年目标"], r["计量单位"]), _num(r[done], r["计量单位"]),
             _rate(shown(r["完成率"], r["达标"] or ""))]
            for r in targets.records() if not is_missing(r[done])]


def _towns(ys: YearSummary) -> list[list[str]]:
    return [[str(place), town, _rate(avg)]
            for place, town, avg in ys.towns.select("名次", "镇街", "平均完成率") if not is_missing(avg)]


def _num(v, measure: str) -> str:
    if is_missing(v):
        return "—"
    if isinstance(v, float) and measure in ("%", "\uff05"):
        return f"{v:g}%"
    return f"{v:g}{measure}" if isinstance(v, (int, float)) else f"{v}{measure}"


def _rate(v) -> str:
    return "—" if is_missing(v) else f"{v:.1%}" if isinstance(v, float) else str(v)


def bulletin_document(plan: Plan, b: Bulletin, when: date, template: str | os.PathLike | None = None):
    """The 通报 as a python-docx Document."""
    doc = fmt.new_document()
    fmt.title(doc, b.title)
    fmt.addressee(doc, addressees(plan))
    width = fmt.type_width_mm(doc.sections[0])

    def table(header, rows, widths, centred):
        return lambda d: grid_table(d, Grid.of_rows(header, rows, widths, centred), width, 12)

    tables = {
        "任务状态": table(["任务状态", COUNT_HEADER, "占比"],
                      [[k, v, b.share(k)] for k, v in b.statuses.items() if v], [3, 2, 2], {0, 1, 2}),
        "逾期报送": table(["单位", "逾期情况"], b.late, [3, 4], {0}),
        "未报送": table(["单位", "未报表单"], b.missing, [3, 4], {0}),
        "滞后任务": table(["序号", "任务", "牵头单位", "状态", "存在问题"], b.lagging,
                      [1.2, 6, 2.4, 1.6, 4.5], {0, 2, 3}),
        "量化指标": table(["量化指标", "全年目标", "累计完成", "完成率"], b.targets, [5, 2, 2, 2], {1, 2, 3}),
        "镇街排名": table(["名次", "镇街", "平均完成率"], b.towns, [1, 3, 2], {0, 1, 2}),
    }
    context = {**vars(b), "b": b, "plan_title": plan.title, "issuer": plan.issuer or "督办室",
               "total": b.total, "share": b.share}  # (the bulletin's fields by name, too)
    write_blocks(doc, render(TEMPLATE, template, context), tables)
    fmt.signature(doc, plan.issuer, when)
    return doc


def bulletin_filename(scope: str) -> str:
    return safe_filename(f"通报_{scope}", ".docx")


def select(plan: Plan, period_id: str | None, year: bool) -> tuple[str, list[Period]]:
    """(scope name, the periods it sums): a period of the plan, a half (2019H1) or the year."""
    if year or not period_id:
        return f"{plan.year}年", list(plan.periods)
    own = plan.period(period_id)
    if own is not None:
        return own.name, [own]
    try:
        start, end, name = period_bounds(period_id)
    except ValueError as exc:
        raise ValueError(f"报送周期“{period_id}”无法识别:{exc}") from exc
    chosen = [p for p in plan.periods if p.start >= start.isoformat() and p.end <= end.isoformat()]
    return f"{start.year}年{name}", chosen


def restricted(plan: Plan, periods: list[Period]) -> Plan:
    """The plan seen through some of its periods (what year_summary then sums)."""
    return dataclasses.replace(plan, periods=list(periods))

