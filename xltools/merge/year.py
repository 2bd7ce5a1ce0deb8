"""The year at a glance: every period's accepted returns (from the ledger) side by side.

year_summary(plan, returns by period, today) -> YearSummary of four tables:
- tasks:      each task's overall status and progress per period (the quarter rules of
              merge.tasks), and the latest;
- timeliness: each unit's record per period and form owed: 按时 / 逾期 / 未报 (未到期 when
              the deadline has not passed yet), with counts;
- indicators: each quantified target's cumulative figure per period, the latest, and
              latest / annual target;
- towns:      towns ranked by completion rate: the average over the town's additive lines
              with a positive target of (latest cumulative / target), a line never reported
              counting 0.
Pure: no files.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from operator import itemgetter
from statistics import fmean

from ..forms.owed import owed_forms
from ..model.glossary import FORM_TOWN, form_name, official_marks
from ..model.plan import Period, Plan
from ..model.returns import FormReturn
from ..model.rates import is_missing, rate
from ..model.periods import deadline_end, is_late
from .common import LATE, ON_TIME, Contribution, contributions
from .tasks import merge_targets, merge_tasks
from .towns import merge_towns
from ..model.plan import DIRECTION_LABELS as DIRECTIONS
from ..model.collector import gc_paused
from ..model.table import Table

MISSED = "未报"
NOT_DUE = "未到期"
NO_DATA = ""


@dataclass
class YearSummary:
    """The year summary's tables (Chinese column names; one column group per period)."""

    periods: list[Period]
    labels: list[str]  # short period names, the column prefixes
    tasks: Table
    timeliness: Table
    indicators: Table
    towns: Table
    reported_periods: list[str] = field(default_factory=list)  # ids with any accepted return


def _state(fr: Contribution | None, period: Period, today: date) -> str:
    """A unit's record on a form for a period: 按时 / 逾期 by its accepted return, else 未报
    (未到期 while the deadline has not passed)."""
    if fr is not None:
        return LATE if is_late(fr.received.received_at, period, fr.late) else ON_TIME
    end = deadline_end(period)
    return MISSED if end is None or datetime(today.year, today.month, today.day) >= end else NOT_DUE


@gc_paused()  # (what it builds lives on: the collector's passes would find nothing to free)
def year_summary(plan: Plan, returns: dict[str, Iterable[FormReturn]],
                 today: date | None = None) -> YearSummary:
    """returns: period id -> that period's accepted returns (Ledger.returns: each read once,
    one at a time)."""
    today = today or date.today()
    look = plan.lookups()
    periods = list(plan.periods)
    # short names, the column prefixes: 第一季度 for 2019年第一季度 (the year is in the title)
    labels = [p.name.removeprefix(f"{plan.year}年") or p.name for p in periods]
    # (two periods named alike would share a column: each is told apart by its id)
    labels = [label if labels.count(label) == 1 else official_marks(f"{label}({p.id})")
              for label, p in zip(labels, periods)]
    best = {p.id: contributions(plan, p.id, returns.get(p.id, []), look) for p in periods}
    tasks, targets, towns = {}, {}, {}  # period id -> its merged table, for periods reported
    for pid in (p.id for p in periods if best[p.id]):
        reports = {u: fr for (u, k), fr in best[pid].items() if k == "report"}
        town_forms = {u: fr for (u, k), fr in best[pid].items() if k == "town"}
        tasks[pid] = merge_tasks(plan, reports, look)[1]
        targets[pid] = merge_targets(plan, reports, tasks[pid])
        if plan.matrix is not None and town_forms:
            towns[pid] = merge_towns(plan, town_forms)[0]
    return YearSummary(periods, labels, _tasks(plan, look, periods, labels, tasks),
                       _timeliness(plan, look, periods, labels, best, today),
                       _indicators(plan, periods, labels, targets),
                       _towns(plan, periods, towns), list(tasks))


def _per_period(per: dict[str, Table], periods, n: int, *columns: str) -> list[list[tuple | None]]:
    """Row k of each period's table (those columns; None for a period not merged), for k
    below n: merge_tasks and merge_targets list the plan's tasks and targets in its order."""
    got = [per[p.id].select(*columns) if p.id in per else [] for p in periods]
    return [[g[k] if k < len(g) else None for g in got] for k in range(n)]


def _tasks(plan: Plan, look, periods, labels, per: dict[str, Table]) -> Table:
    """Each task's status and progress per period, and the latest reported."""
    rows = []
    for t, got in zip(plan.tasks, _per_period(per, periods, len(plan.tasks), "总体状态", "总体进度")):
        leads = "、".join(u.name for u, r in look.task_units(t) if r == "牵头")
        figures = [(g[0] or NO_DATA, g[1]) if g else (NO_DATA, None) for g in got]
        latest = next((f for f in reversed(figures) if f[0]), ("", None))
        rows.append([t.number, t.text, leads, *chain.from_iterable(figures), *latest])
    return Table(["序号", "任务内容", "牵头单位", *[f"{label}{k}" for label in labels for k in ("状态", "进度")],
                  "最新状态", "最新进度"], rows)


def _timeliness(plan: Plan, look, periods, labels, best, today: date) -> Table:
    rows = []
    for name, form in owed_forms(plan):
        u = look.unit(name)
        kind = u.kind if u else "镇" if form == FORM_TOWN else ""
        states = [_state(best[p.id].get((name, form)), p, today) for p in periods]
        counts = Counter(states)
        rows.append([name, kind, form_name(form, periods[0].id if periods else ""), *states, counts[ON_TIME], counts[LATE], counts[MISSED]])
    return Table(["单位", "类型", "表单", *labels, "按时次数", "逾期次数", "未报次数"], rows)


def _indicators(plan: Plan, periods, labels, per: dict[str, Table]) -> Table:
    """Each target's cumulative figure per period, the latest, and latest / annual target."""
    targets = [(t, tg) for t in plan.tasks for tg in t.targets]
    rows = []
    for (t, tg), got in zip(targets, _per_period(per, periods, len(targets), "累计完成", "报送单位")):
        values = [g[0] if g else None for g in got]
        latest, source = next((g for g in reversed(got) if g and not is_missing(g[0])), (None, ""))
        rating = rate(tg.value, None if latest is None else float(latest), tg.cumulative, tg.direction)
        rows.append([t.number, tg.label, tg.measure, "增幅" if tg.growth else DIRECTIONS.get(tg.direction, ""),
                     tg.value, *values, latest, rating.rate, rating.verdict, source])
    return Table(["序号", "量化指标", "计量单位", "方向", "全年目标", *labels,
                  "最新累计", "完成率", "达标", "报送单位"], rows)


TOWN_COLUMNS = ["名次", "镇街", "计入指标数", "已报指标数", "平均完成率", "最高完成率指标",
                "最低完成率指标", "数据截至"]


def _towns(plan: Plan, periods, per: dict[str, Table]) -> Table:
    """Towns ranked by the average of latest / target over their additive lines."""
    if plan.matrix is None or not plan.town_rows():
        return Table(TOWN_COLUMNS)
    latest: dict[tuple[str, str, str], float] = {}  # the latest cumulative figure reported
    lines = merge_towns(plan, {})[0].select("行", "列", "部分", "行类型", "可加", "目标", "指标")
    targets = {(row, col, part): (target, label) for row, col, part, kind, additive, target, label
               in lines if kind == "town" and additive and target and target > 0}
    for t in (per[p.id] for p in periods if p.id in per):
        for row, col, part, kind, done in t.select("行", "列", "部分", "行类型", "完成"):
            if kind == "town" and not is_missing(done):
                latest[(row, col, part)] = float(done)
    rows = []
    for r in plan.town_rows():
        rates = [(latest[k] / target if k in latest else 0.0, label, k in latest)
                 for k, (target, label) in targets.items() if k[0] == r.label]
        have = [x for x in rates if x[2]]
        hi = max(have, key=itemgetter(0), default=None)
        lo = min(have, key=itemgetter(0), default=None)
        rows.append([r.unit or r.label, len(rates), len(have), fmean([x[0] for x in rates]) if have else None,
                     f"{hi[1]}({hi[0]:.1%})" if hi else "", f"{lo[1]}({lo[0]:.1%})" if lo else "",
                     _latest_period(periods, per, r.label)])
    # highest average first (ties keep plan order), unranked towns last; a tie shares the
    # better place (1, 2, 2, 4)
    ranked = sorted((x for x in rows if x[3] is not None), key=itemgetter(3), reverse=True)
    place: dict[float, int] = {}
    for i, x in enumerate(ranked, start=1):
        place.setdefault(x[3], i)
    return Table(TOWN_COLUMNS, [[place[x[3]], *x] for x in ranked]
                 + [[None, *x] for x in rows if x[3] is None])


def _latest_period(periods, per, label: str) -> str:
    sent = [p.name for p in periods if p.id in per
            and any(row == label and got for row, got in per[p.id].select("行", "已报送"))]
    return sent[-1] if sent else ""
