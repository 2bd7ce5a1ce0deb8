"""Groups the clerk can complete: members inferred from the notice, empty groups listed with how
to fill them, `units PLAN add-member`, and generate stopping before writing anything."""
from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from xltools.cli import app
from xltools.parse import parse_notice_text
from xltools.parse.fold import fold

from marks import restore_marks
from xltools.planfile import load_plan, save_plan
from xltools.planfile.register import empty_groups_blocking

runner = CliRunner()
NOTICE = """关于印发2022年区政府工作报告重点任务分解方案的通知

一、重点任务

1.完成老旧小区改造38个。(牵头单位:区住建局;配合单位:各街道办事处)
2.建成社区养老服务中心6个。(牵头单位:区民政局;配合单位:区财政局)
"""
TOWNS = """关于印发2022年区政府工作报告重点任务分解方案的通知

一、重点任务

1.新建高标准农田3万亩。(牵头单位:区农业农村局;配合单位:各乡镇(街道))
2.完成改厕2000户。(牵头单位:区农业农村局;配合单位:柳林镇、沙河镇、东关街道)
3.新建村级养老服务站10个。(牵头单位:区民政局;配合单位:各镇人民政府)
"""


@pytest.mark.parametrize("form", [fold, restore_marks], ids=["ascii", "full-width"])
def test_members_inferred_from_units_named_elsewhere(form):
    res = parse_notice_text(form(TOWNS))
    groups = {fold(g.name): g.members for g in res.plan.groups}
    assert groups["各乡镇(街道)"] == ["柳林镇", "沙河镇", "东关街道"]
    assert groups["各镇人民政府"] == ["柳林镇", "沙河镇"]
    inferred = [f for f in res.findings if f.code == "group-members-inferred"]
    assert len(inferred) == 2 and all("请核对" in f.message for f in inferred)


@pytest.mark.parametrize("form", [fold, restore_marks], ids=["ascii", "full-width"])
def test_empty_group_listed_with_how_to_fill_it(form):
    res = parse_notice_text(form(NOTICE))
    [f] = [f for f in res.findings if f.code == "group-empty-fill"]
    assert f.value == "各街道办事处" and "任务 1" not in f.message
    assert "任务\uff081\uff09" in f.message and "add-member 各街道办事处" in f.message
    assert "empty-group" not in [x.code for x in res.findings]  # one message, not two


@pytest.fixture
def empty_group_plan(tmp_path):
    plan = parse_notice_text(restore_marks(NOTICE)).plan
    return save_plan(plan, tmp_path / "plan.xlsx")


def test_generate_stops_before_writing_then_add_member_unblocks_it(empty_group_plan, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["generate", str(empty_group_plan), "-o", str(out)])
    assert res.exit_code == 2
    assert "各街道办事处" in res.output and "add-member" in res.output and "任务 1" in res.output
    assert not out.exists() or not any(out.rglob("*.xlsx"))

    res = runner.invoke(app, ["units", str(empty_group_plan), "add-member", "各街道办事处",
                              "东关街道", "西关街道"])
    assert res.exit_code == 0, res.output
    assert "东关街道、西关街道" in res.output and "新登记" in res.output
    plan = load_plan(empty_group_plan).value
    assert plan.resolve("各街道办事处").members == ["东关街道", "西关街道"]
    assert plan.unit("东关街道").kind == "街道"
    ws = openpyxl.load_workbook(empty_group_plan)["单位分组"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    assert "东关街道" in rows["各街道办事处"]

    res = runner.invoke(app, ["generate", str(empty_group_plan), "-o", str(out), "--period",
                              plan.periods[0].id, "--json"])
    assert res.exit_code in (0, 1), res.output
    names = [p.name for p in out.rglob("*.xlsx")]
    assert any("东关街道" in n for n in names) and any("西关街道" in n for n in names)


def test_add_member_refuses_a_group_and_an_unknown_group(empty_group_plan):
    res = runner.invoke(app, ["units", str(empty_group_plan), "add-member", "各街道办事处", "各街道办事处"])
    assert res.exit_code == 2 and "单位分组" in res.output
    res = runner.invoke(app, ["units", str(empty_group_plan), "add-member", "各社区", "东关街道"])
    assert res.exit_code == 2 and "没有单位分组" in res.output


def test_json_numbers_as_printed_and_keys():
    text = restore_marks("""关于印发2021年重点任务分解方案的通知
一、2021年全县经济社会发展主要预期目标
(一)地区生产总值增长7%左右。(牵头单位:县发改局)
二、重点任务
(一)推动经济高质量发展
1.推进项目建设。(牵头单位:县发改局;责任单位:县财政局(列第一位的为牵头单位,下同))
(二)加强民生保障
1.建设学校2所。(责任单位:县教育局、县财政局)
""")
    d = parse_notice_text(text).to_json()
    got = [(t["number"], t["key"], t["kind"], t["notes"]) for t in d["tasks"]]
    assert got == [("\uff08一\uff09", "一.(一)", "indicator", ""),
                   ("1", "(一)1", "task", "\uff08列第一位的为牵头单位\uff0c下同\uff09"),
                   ("1", "(二)1", "task", "")]
    assert d["tasks"][2]["lead_units"] == ["县教育局"]  # 下同: the first listed unit leads
    assert d["tasks"][0]["section"] == ["一、2021年全县经济社会发展主要预期目标"]
    json.dumps(d, ensure_ascii=False)


@pytest.mark.parametrize("form", [fold, restore_marks], ids=["ascii", "full-width"])
@pytest.mark.parametrize("group,named,members", [
    ("各县(市、区)人民政府", "江北县人民政府、临川县人民政府、东城区人民政府",
     ["江北县人民政府", "临川县人民政府", "东城区人民政府"]),
    ("各县市区政府", "江北县政府、东城区政府", ["江北县政府", "东城区政府"]),
    ("各街道办事处", "东关街道、西关街道", ["东关街道", "西关街道"]),
    ("各乡镇(街道)", "柳林镇、东关街道", ["柳林镇", "东关街道"]),
])
def test_group_phrases(form, group, named, members):
    text = form("关于印发2023年重点任务分解的通知\n一、重点任务\n"
                f"1.推进改革。(牵头单位:市发改委;责任单位:{group})\n"
                f"2.建设项目。(牵头单位:市住建局;责任单位:{named})\n")
    res = parse_notice_text(text)
    g = next(g for g in res.plan.groups if fold(g.name) == fold(group))
    assert g.members == members
    # finding values quote the notice as printed, as the plan names it; the plan resolves either
    assert [f.value for f in res.findings if f.code == "group-members-inferred"] == [g.name]
    assert g.name == form(group)
    assert res.plan.resolve(fold(g.name)) is g


def test_generate_stops_on_two_tasks_with_one_number(tmp_path):
    """The returns are matched to tasks by number: a plan printing one number twice (a
    notice's mistake, reported when parsed) is refused before any file is written."""
    import dataclasses

    from conftest import make_small_plan
    plan = make_small_plan()
    plan.tasks[1] = dataclasses.replace(plan.tasks[1], number=plan.tasks[0].number)
    path = save_plan(plan, tmp_path / "plan.xlsx")
    out = tmp_path / "out"
    res = runner.invoke(app, ["generate", str(path), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert f"任务序号 {plan.tasks[0].number} 重复出现" in res.output and "未生成任何文件" in res.output
    assert "Traceback" not in res.output
    assert not out.exists() or not any(out.rglob("*"))


def test_a_task_naming_no_unit_is_said_apart_from_empty_groups(empty_group_plan, tmp_path):
    """Each cause that stops generate has its own message: a task with no unit at all is not
    listed under "以下单位分组没有成员"."""
    plan = load_plan(empty_group_plan).value
    bare = plan.tasks[-1]
    bare.lead_units, bare.responsible_units = [], []
    path = save_plan(plan, tmp_path / "bare.xlsx")
    [groups, tasks] = empty_groups_blocking(plan)
    assert (groups.code, tasks.code) == ("generate-empty-groups", "generate-tasks-without-units")
    assert bare.number not in groups.params["groups"] and tasks.params["tasks"] == bare.number
    res = runner.invoke(app, ["generate", str(path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2 and "各街道办事处" in res.output
    assert f"任务 {bare.number} 没有任何责任单位" in res.output
    plan.groups = [g for g in plan.groups if g.name != "各街道办事处"]
    for t in plan.tasks:
        t.responsible_units = [n for n in t.responsible_units if n != "各街道办事处"]
    assert [f.code for f in empty_groups_blocking(plan)] == ["generate-tasks-without-units"]
    assert "分组" not in empty_groups_blocking(plan)[0].message
