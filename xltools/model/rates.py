"""The one rule that says how a reported figure compares with its target.

Cumulative quantities that must reach a target (新增就业 8000 人): 完成率 = 累计 ÷ 目标.
Growth rates, shares and ceilings (增长 8.5%, 比重不低于 90%, 控制在 4.5% 以内): the
reported value stands beside the target and is judged 达标 / 未达标 by the target's
direction; a ratio of two percentages means nothing and is never computed.
Used by the 汇总表, the town forms (as an Excel formula), the HTML report and the year summary.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .glossary import official_marks

MET = "达标"
NOT_MET = "未达标"
PERCENT_MEASURES = ("%", "\uff05", "个百分点", "百分点")
APPROX = 0.1  # "7.5%左右" (direction "="): within a tenth of the target counts as 达标
RATE_NOTE = official_marks("完成率 = 累计完成 \u00f7 全年目标,仅用于可累计的数量指标;"
                           "增幅、比重和控制类指标不计算比率,报送值与目标按目标方向比较,"
                           "标明\u201c达标\u201d或\u201c未达标\u201d。")
_CEILING_WORDS = ("控制", "以内", "不超过", "不高于", "低于")


@dataclass(frozen=True)
class Rating:
    """How one reported figure stands: a 完成率, or a verdict, or nothing to say."""

    rate: float | None = None  # 累计 ÷ 目标, cumulative targets to reach only
    verdict: str = ""  # MET / NOT_MET for rates, shares and ceilings


def is_cumulative(measure: str, growth: bool = False) -> bool:
    """True for a running total (人, 家, 万元 …), False for rates, shares and growth."""
    return not growth and measure not in PERCENT_MEASURES


def direction_of(label: str) -> str:
    """A town matrix column has no printed direction: 控制… / …以内 is a ceiling, else a floor."""
    return "<=" if any(w in label for w in _CEILING_WORDS) else ">="


def rate(target: float | None, actual: float | None, cumulative: bool,
         direction: str = ">=") -> Rating:
    """The rule: 完成率 for cumulative targets to reach, 达标 / 未达标 by direction otherwise."""
    if is_missing(target) or is_missing(actual):
        return Rating()
    if cumulative and direction == ">=":
        return Rating(rate=actual / target) if target > 0 else Rating()
    if direction == "<=":
        met = actual <= target
    elif direction == "=":
        met = abs(actual - target) <= APPROX * abs(target)
    else:
        met = actual >= target
    return Rating(verdict=MET if met else NOT_MET)


def rate_formula(actual: str, target: str, cumulative: bool, direction: str = ">=") -> str:
    """The same rule as an Excel formula on two cell references (blank until filled)."""
    if cumulative and direction == ">=":
        return f'=IF(AND(ISNUMBER({actual}),{target}>0),{actual}/{target},"")'
    if direction == "<=":
        test = f"{actual}<={target}"
    elif direction == "=":
        test = f"ABS({actual}-{target})<={APPROX}*ABS({target})"
    else:
        test = f"{actual}>={target}"
    return f'=IF(ISNUMBER({actual}),IF({test},"{MET}","{NOT_MET}"),"")'


def shown(rate_value: float | None, verdict: str) -> float | str | None:
    """The 完成率 cell of a table row: the rate when there is one, else the verdict."""
    return verdict or None if is_missing(rate_value) else float(rate_value)


def is_missing(v) -> bool:
    """None or NaN: no figure."""
    return v is None or (isinstance(v, float) and math.isnan(v))
