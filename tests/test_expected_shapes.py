"""A report form as collect expects it back is drawn once per spec, period and shape, then put
together for each further unit (collect.expected._Shape): every unit's form so made must equal
the one the generator draws for that unit, field for field (rows, guarded texts, positions,
fingerprint), whichever unit came first."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT, SEED_000, SEED_002, make_small_plan
from xltools.collect.expected import ExpectedForms, _build
from xltools.forms.registry import spec
from xltools.model import Target, Task, Unit
from xltools.model.glossary import FORM_REPORT
from xltools.parse import parse_notice_file
from xltools.planfile import load_plan

sys.path.insert(0, str(ROOT / "bench"))
from synth import synthetic_plan  # noqa: E402

LP, RP, COLON = "\uff08", "\uff09", "\uff1a"


def _odd_names_plan():
    """Names with spaces and full-width brackets, a task text with a formula and edge
    spaces, targets on some units' tasks only."""
    plan = make_small_plan()
    plan.units.append(Unit(f" 区城管局{LP}执法局{RP} "))
    plan.tasks.append(Task("4", f"  =A1 城市管理{COLON}创建文明城市。 ", ["二"], "task",
                           lead_units=[f"区城管局{LP}执法局{RP}"],
                           responsible_units=["区人社局"],
                           targets=[Target("绿化覆盖率", 42.5, "%"),
                                    Target("背街小巷整治", 30, "条", direction="<=", growth=True)]))
    return plan


def _twice_numbered_plan():
    """Two tasks printed with the same number (a notice's mistake, flagged when parsed but
    not a stop): each keeps its own text and targets."""
    plan = make_small_plan()
    plan.tasks.append(Task("2", "另一项也编为2的任务。", ["二"], "task",
                           responsible_units=["区人社局", "区发改局"],
                           targets=[Target("另一个指标", 12, "个")]))
    plan.tasks.append(Task("3", "又一项编为3的任务。", ["二"], "task", lead_units=["区财政局"]))
    return plan


def _plans():
    yield "small", make_small_plan()
    yield "odd", _odd_names_plan()
    yield "twice", _twice_numbered_plan()
    yield "example", load_plan(EXAMPLE / "plan.xlsx").value
    for seed in (SEED_000, SEED_002):
        yield seed.stem, parse_notice_file(seed).plan
    yield "synthetic", synthetic_plan(60, 40, 4, province=True)


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("name,plan", list(_plans()), ids=lambda x: x if isinstance(x, str) else "")
def test_every_units_form_equals_the_generators(name, plan, version):
    sp = spec(FORM_REPORT, version)
    units = [u.name for u in plan.units_with_tasks()]
    shapes = {any(t.targets for t, _ in plan.unit_tasks(plan.unit(u))) for u in units}
    checked = 0
    for order in range(3):  # which unit is drawn first changes every part taken from it
        random.Random(order).shuffle(units)
        forms = ExpectedForms(plan)
        for period in plan.periods[:2]:
            for unit in units:
                got = forms.get(FORM_REPORT, unit, period.id, version)
                want = _build(plan, sp, unit, period.id)
                assert got == want, (name, unit, period.id)
                checked += 1
        assert len(forms._shapes) == 2 * len(shapes)  # drawn once per period and shape
    assert checked == 6 * len(units) and units


def test_a_unit_without_tasks_or_unknown_has_no_form():
    plan = make_small_plan()
    plan.units.append(Unit("区无任务局"))
    forms = ExpectedForms(plan)
    assert forms.get(FORM_REPORT, "区发改局", "2019Q1") is not None
    assert forms.get(FORM_REPORT, "区无任务局", "2019Q1") is None
    assert forms.get(FORM_REPORT, "区不存在局", "2019Q1") is None
    assert forms.get(FORM_REPORT, "区发改局", "2030Q9") is None
    # an alias is not the unit's own name: no form was sent under it
    assert forms.get(FORM_REPORT, "区财政局(金融办)", "2019Q1") is None
