"""The rate rule (issue 15): 完成率 only for cumulative quantities to reach; growth rates,
shares and ceilings judged 达标 / 未达标 by the target's direction, never a ratio of percents."""
from __future__ import annotations

import pytest

from xltools.model.plan import Target
from xltools.model.rates import MET, NOT_MET, direction_of, rate, rate_formula, shown
from xltools.parse.targets import extract_targets


def _judge(text: str, actual: float | None):
    (tg,) = extract_targets(text)
    return tg, rate(tg.value, actual, tg.cumulative, tg.direction)


def test_increase_to_a_cumulative_target_gives_a_completion_rate():
    tg, r = _judge("新增城镇就业8000人", 2000)
    assert tg.cumulative and r.rate == pytest.approx(0.25) and r.verdict == ""
    assert shown(r.rate, r.verdict) == pytest.approx(0.25)


def test_grow_by_is_judged_never_divided():
    # the case: 地区生产总值增长 8.5%, 1.85 reported used to print "21.8%"
    tg, r = _judge("地区生产总值增长8.5%", 1.85)
    assert tg.growth and r.rate is None and r.verdict == NOT_MET
    assert _judge("地区生产总值增长8.5%", 9.0)[1].verdict == MET
    assert _judge("地区生产总值增长8.5%", 8.5)[1].verdict == MET


def test_share_at_least_is_judged_never_divided():
    # 税收占…比重 不低于 90%, 23.35 reported used to print "25.9%"
    tg, r = _judge("税收占地方一般公共预算收入比重达到90%以上", 23.35)
    assert not tg.cumulative and tg.direction == ">="
    assert r.rate is None and r.verdict == NOT_MET and shown(r.rate, r.verdict) == NOT_MET
    assert _judge("税收占地方一般公共预算收入比重达到90%以上", 91)[1].verdict == MET


@pytest.mark.parametrize("text", ["城镇登记失业率控制在4.5%以内", "城镇登记失业率控制在4.5\uff05以内"])
def test_keep_within_is_met_at_or_below_the_ceiling(text):
    tg, r = _judge(text, 4.2)
    assert tg.direction == "<=" and r.verdict == MET and r.rate is None
    assert _judge(text, 4.5)[1].verdict == MET
    assert _judge(text, 4.8)[1].verdict == NOT_MET


def test_about_and_cumulative_ceiling_and_nothing_reported():
    assert rate(7.5, 7.2, False, "=").verdict == MET  # 7.5%左右: within a tenth
    assert rate(7.5, 6.0, False, "=").verdict == NOT_MET
    assert rate(500, 480, True, "<=").verdict == MET  # a cumulative ceiling is judged too
    assert rate(500, 520, True, "<=").verdict == NOT_MET
    assert all(shown(r.rate, r.verdict) is None for r in (rate(8000, None, True), rate(0, 5, True)))
    assert rate(-2.0, -1.0, False).verdict == MET  # a negative growth target


def test_town_columns_take_their_direction_from_the_label():
    assert direction_of("人、畜血吸虫感染率、钉螺感染率控制") == "<="
    assert direction_of("增幅") == ">="


def test_excel_formula_follows_the_same_rule():
    assert rate_formula("E5", "D5", True) == '=IF(AND(ISNUMBER(E5),D5>0),E5/D5,"")'
    assert rate_formula("E5", "D5", False) == '=IF(ISNUMBER(E5),IF(E5>=D5,"达标","未达标"),"")'
    assert rate_formula("E5", "D5", False, "<=") == '=IF(ISNUMBER(E5),IF(E5<=D5,"达标","未达标"),"")'
    assert shown(float("nan"), "") is None and shown(0.5, "") == 0.5


def test_target_cumulative_uses_the_rule():
    assert Target("新增就业", 8000, "人").cumulative
    assert not Target("比重", 90, "%").cumulative
    assert not Target("增长", 3, "个百分点").cumulative
    assert not Target("增长", 8.5, "%", growth=True).cumulative
