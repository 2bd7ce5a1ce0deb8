"""The unit register (issue 7): xltools units PLAN list|check|add-alias|set, on plan.xlsx and
plan.yaml, re-opened after each edit; an alias confirmed once resolves in parse from then on.

plan.xlsx's 单位 sheet (make_small_plan): row 3 区发改局, 4 区财政局, 5 区人社局, 6 锣场镇,
7 解放街办; columns A 名称, C 别名, E 联系人, F 联系电话, G 电子邮箱. 单位分组 row 3 各镇人民政府.
"""
from __future__ import annotations

import json

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from conftest import make_small_plan
from xltools import api
from xltools.cli import app
from xltools.planfile import load_plan, save_plan
from xltools.model import plan_to_dict

runner = CliRunner()
NOTICE = """关于分解落实2019年政府工作报告目标任务的通知

各有关单位:

现将目标任务分解如下。

1.全年新增城镇就业8000人。(责任单位:区人力资源和社会保障局)
2.加强政府债务管理。(牵头单位:区财政局;责任单位:区发改局)
"""


@pytest.fixture
def plan_xlsx(tmp_path):
    return save_plan(make_small_plan(), tmp_path / "plan.xlsx")


def _units_sheet(path):
    ws = openpyxl.load_workbook(path)["单位"]
    return {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}


def test_list_json_and_table(plan_xlsx):
    res = runner.invoke(app, ["units", str(plan_xlsx), "list", "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    assert list(rows) == ["区发改局", "区财政局", "区人社局", "锣场镇", "解放街办"]
    assert (rows["区发改局"]["contact"], rows["区发改局"]["phone"], rows["区发改局"]["tasks"]) == \
        ("张三", "0716-8880001", 2)
    assert rows["区财政局"]["aliases"] == ["区财政局(金融办)"]
    assert rows["锣场镇"]["groups"] == ["各镇人民政府", "各镇、街道"] and rows["锣场镇"]["town"]
    res = runner.invoke(app, ["units", str(plan_xlsx)])  # no subcommand: the list
    assert res.exit_code == 0 and "区发改局" in res.output and "单位名单(5 个)" in res.output


def test_check_names_sheet_and_cell(tmp_path):
    plan = make_small_plan()
    plan.units[1].aliases.append("区发改局")  # a duplicate name, as an alias of another unit
    plan.groups[0].members.append("不存在镇")
    path = save_plan(plan, tmp_path / "plan.xlsx")
    res = runner.invoke(app, ["units", str(path), "check", "--json"])
    assert res.exit_code == 1  # duplicates and unknown members are 错误
    got = {(f["code"], f["sheet"], f["cell"], f["unit"] or f["value"]) for f in json.loads(res.stdout)}
    assert ("duplicate-unit", "单位", "C4", "区发改局") in got
    assert ("unknown-group-member", "单位分组", "B3", "不存在镇") in got
    assert ("unit-without-contact", "单位", "E4", "区财政局") in got
    assert ("unit-without-contact", "单位", "E7", "解放街办") in got
    assert not any(c == "unit-without-contact" and u == "区发改局" for c, _, _, u in got)
    msg = next(f["message"] for f in json.loads(res.stdout) if f["code"] == "unit-without-contact")
    assert "plan.xlsx 单位 单元格 E4" in msg and "联系人、联系电话、电子邮箱" in msg
    res = runner.invoke(app, ["units", str(path), "check"])
    assert "单元格 C4" in res.output


def test_set_contact_rewrites_the_plan(plan_xlsx):
    before = plan_to_dict(load_plan(plan_xlsx).value)
    res = runner.invoke(app, ["units", str(plan_xlsx), "set", "区财政局(金融办)", "--contact", "李四",
                              "--phone", "0716-8880002", "--email", "czj@example.cn", "--leader", "周平"])
    assert res.exit_code == 0, res.output
    assert "已更新“区财政局”" in res.output and "联系人:(空) → 李四" in res.output
    row = _units_sheet(plan_xlsx)["区财政局"]
    assert row[2:7] == ("区财政局(金融办)", "周平", "李四", "0716-8880002", "czj@example.cn")
    after = plan_to_dict(load_plan(plan_xlsx).value)
    assert after["plan_id"] == before["plan_id"] and after["tasks"] == before["tasks"]
    assert after["groups"] == before["groups"] and after.get("matrix") == before.get("matrix")
    findings = api.units_check(plan_xlsx)
    assert not any(f.unit == "区财政局" for f in findings)
    res = runner.invoke(app, ["units", str(plan_xlsx), "set", "区财政局", "--email", "不是邮箱"])
    assert res.exit_code == 2 and "邮箱" in res.output
    res = runner.invoke(app, ["units", str(plan_xlsx), "set", "区税务局", "--phone", "1"])
    assert res.exit_code == 2 and "没有“区税务局”" in res.output
    res = runner.invoke(app, ["units", str(plan_xlsx), "set", "各镇人民政府", "--phone", "1"])
    assert res.exit_code == 2 and "单位分组" in res.output


def test_alias_confirmed_once_then_parse_resolves_it(plan_xlsx, tmp_path):
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    result, _ = api.parse(notice, plan_xlsx)
    assert ("unresolved-unit", "区人力资源和社会保障局") in {(f.code, f.value) for f in result.findings}
    res = runner.invoke(app, ["units", str(plan_xlsx), "add-alias", "区人社局", "区人力资源和社会保障局"])
    assert res.exit_code == 0, res.output
    assert "已为“区人社局”登记别名“区人力资源和社会保障局”" in res.output
    assert _units_sheet(plan_xlsx)["区人社局"][2] == "区人力资源和社会保障局"
    res = runner.invoke(app, ["parse", str(notice), "--units", str(plan_xlsx), "--json"])
    assert res.exit_code == 0, res.output
    result, _ = api.parse(notice, plan_xlsx)
    assert not any(f.code == "unresolved-unit" for f in result.findings)
    task = result.plan.task("1")
    assert [(u.name, role) for u, role in result.plan.task_units(task)] == [("区人社局", "牵头")]
    # confirming again changes nothing; an alias taken by another unit is refused
    res = runner.invoke(app, ["units", str(plan_xlsx), "add-alias", "区人社局", "区人力资源和社会保障局"])
    assert res.exit_code == 0 and "无需登记" in res.output
    res = runner.invoke(app, ["units", str(plan_xlsx), "add-alias", "区人社局", "区财政局(金融办)"])
    assert res.exit_code == 2 and "已是单位“区财政局”的名称或别名" in res.output
    assert _units_sheet(plan_xlsx)["区人社局"][2] == "区人力资源和社会保障局"


def test_yaml_plan_is_edited_as_yaml(tmp_path):
    path = save_plan(make_small_plan(), tmp_path / "plan.yaml")
    res = runner.invoke(app, ["units", str(path), "add-alias", "解放街办", "解放街道"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["units", str(path), "set", "解放街办", "--contact", "赵六"])
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unit = next(u for u in data["units"] if u["name"] == "解放街办")
    assert unit["aliases"] == ["解放街道办事处", "解放街道"] and unit["contact"] == "赵六"
    assert load_plan(path).value.unit("解放街道").name == "解放街办"


def test_units_help():
    for sub in ([], ["list"], ["check"], ["add-alias"], ["set"]):
        res = runner.invoke(app, ["units", "PLAN", *sub, "--help"] if sub else ["units", "--help"])
        assert res.exit_code == 0 and "\u7528\u6cd5\uff1a" in res.output, sub  # 用法 and its colon
