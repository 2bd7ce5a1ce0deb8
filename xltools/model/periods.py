"""Reporting periods: ids like 2019Q1, 2019H1, 2019M04, with names and deadlines."""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from .plan import Period

QUARTER_NAMES = ["第一季度", "第二季度", "第三季度", "第四季度"]
PERIOD_ID_RE = re.compile(r"^(\d{4})(?:Q([1-4])|H([12])|M(0[1-9]|1[0-2])|Y)$")


def period_bounds(period_id: str) -> tuple[date, date, str]:
    """Start, end and Chinese name of a period id; ValueError when the id is malformed."""
    m = PERIOD_ID_RE.match(period_id)
    if not m:
        raise ValueError("编号应形如 2019Q1(季度)、2019H1(半年)、2019M04(月)或 2019Y(全年)")
    year = int(m.group(1))
    if m.group(2):
        q = int(m.group(2))
        first, last, name = 3 * q - 2, 3 * q, QUARTER_NAMES[q - 1]
    elif m.group(3):
        first, last, name = (1, 6, "上半年") if m.group(3) == "1" else (7, 12, "下半年")
    elif m.group(4):
        first = last = int(m.group(4))
        name = f"{first}月"
    else:
        first, last, name = 1, 12, "全年"
    end = date(year, last, calendar.monthrange(year, last)[1])
    return date(year, first, 1), end, name


def period_words(period_id: str) -> tuple[str, str]:
    """How a form names this period and the next: (本季度, 下一季度), (上半年, 下半年),
    (本月, 下月) or (本年度, 下一年度); a malformed id is taken as a quarter."""
    m = PERIOD_ID_RE.match(period_id)
    if m and m.group(3):
        return ("上半年", "下半年") if m.group(3) == "1" else ("下半年", "下一年度")
    if m and m.group(4):
        return "本月", "下月"
    if m and period_id.endswith("Y"):
        return "本年度", "下一年度"
    return "本季度", "下一季度"


def make_period(period_id: str, deadline: date | None = None, due_day: int = 10) -> Period:
    """A period with its dates; the deadline defaults to day `due_day` of the next month."""
    start, end, name = period_bounds(period_id)
    if deadline is None:
        y, mth = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
        deadline = date(y, mth, min(due_day, calendar.monthrange(y, mth)[1]))
    return Period(id=period_id, name=f"{start.year}年{name}", start=start.isoformat(),
                  end=end.isoformat(), deadline=deadline.isoformat())


def quarterly(year: int, deadlines: list[date] | None = None) -> list[Period]:
    """Four quarterly periods of a year (deadlines default to the 10th after each quarter)."""
    ds = list(deadlines or []) + [None] * 4
    return [make_period(f"{year}Q{q}", ds[q - 1]) for q in range(1, 5)]


def parse_time(iso: str) -> datetime | None:
    """An ISO time as a naive local datetime (a zone, if any, is dropped), None if unreadable."""
    try:
        t = datetime.fromisoformat(str(iso).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.replace(tzinfo=None)


def deadline_end(period: Period) -> datetime | None:
    """The end of the deadline day: a return is late when it comes after this moment."""
    d = parse_time(period.deadline) if period.deadline else None
    return None if d is None else datetime(d.year, d.month, d.day) + timedelta(days=1)


def is_late(received_at: str, period: Period, flagged: bool = False) -> bool:
    """The one lateness rule: received after the end of the deadline day (times compared as
    datetimes); `flagged` (the ledger's own mark) when either time is unknown."""
    end, t = deadline_end(period), parse_time(received_at)
    return flagged if end is None or t is None else t >= end


def show_time(iso: str) -> str:
    """2019-04-08T09:30:12 -> 2019-04-08 09:30."""
    t = parse_time(iso)
    return t.strftime("%Y-%m-%d %H:%M") if t else str(iso or "")
