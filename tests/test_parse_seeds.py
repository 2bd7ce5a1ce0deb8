"""The two reference notices: items, sections, units, annex 2, annex 3, golden digests."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml

from xltools.model.serialize import plan_from_dict
from xltools.parse import parse_notice_file

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SEED0 = DATA / "seed_000_shashi_2019.txt"
SEED2 = DATA / "seed_002_jingzhou_2020.txt"
UNITS = ROOT / "xltools" / "examples" / "shashi-2019" / "units.yaml"


@pytest.fixture(scope="module")
def shashi():
    return parse_notice_file(SEED0)


@pytest.fixture(scope="module")
def jingzhou():
    return parse_notice_file(SEED2)


@pytest.fixture(scope="module")
def register():
    return plan_from_dict(yaml.safe_load(UNITS.read_text(encoding="utf-8")))


def pairs(result, code):
    return sorted((f.task, f.unit) for f in result.findings if f.code == code)


# -- seed 000: Shashi 2019 -------------------------------------------------------------
def test_shashi_items_kinds_sections(shashi):
    plan = shashi.plan
    assert [t.number for t in plan.tasks] == [str(n) for n in range(1, 68)]
    assert [t.kind for t in plan.tasks] == ["indicator"] * 7 + ["task"] * 60
    assert plan.task("1").section == ["一、主要工作目标"]
    assert plan.task("8").section == ["二、主要工作任务", "(一)聚焦产业升级,打造重振新高地"]
    assert plan.task("31").section == ["二、主要工作任务", "(三)聚焦乡村振兴,推动“三农”新发展"]
    assert plan.task("67").section == ["二、主要工作任务", "(六)聚焦民生改善,顺应群众新期盼"]
    assert plan.year == 2019 and plan.doc_number == "沙政办发〔2019〕2号"
    assert plan.issuer == "区政府督办室"


def test_shashi_units_as_printed(shashi):
    plan = shashi.plan
    assert plan.task("45").responsible_units == ["区文明办", "区直各部门", "各镇人民政府", "各街道办事处"]
    assert plan.task("22").responsible_units == ["区财政局", "区国土资源分局", "区农林水局"]
    assert plan.task("20").responsible_units == ["区发改局", "区编办", "区新闻和信息中心"]
    assert all(not t.lead_units for t in plan.tasks)
    t1 = plan.task("1")
    assert [(x.label, x.value, x.measure, x.growth) for x in t1.targets] == [
        ("地区生产总值增长", 8.5, "%", True), ("区属生产总值增长", 10.0, "%", True)]
    assert [(x.label, x.value, x.measure) for x in plan.task("54").targets] == [
        ("新增城镇就业", 8000.0, "人")]


def test_shashi_annex2_leaders(shashi):
    plan = shashi.plan
    leaders = {"区发改局": "李先刚", "区新闻和信息中心": "林继军", "区教育局": "王飞", "区商务局": "曾浩",
               "区经信局": "袁来军", "区农林水局": "关海涛", "区交通运输局": "刘俊平",
               "区委政法委司法局": "许钟想", "区财政局": "李先刚", "区烟草局": "曾浩", "区重点项目办": "林继军"}
    for unit, leader in leaders.items():
        assert plan.unit(unit).leader == leader, unit
    assert plan.unit("区新闻与信息中心") is plan.unit("区新闻和信息中心")
    assert plan.unit("区文体旅游局") is plan.unit("区文体旅局")
    assert plan.unit("区国土资源分局") is plan.unit("区国土分局")
    assert plan.unit("锣场镇人民政府").name == "锣场镇"
    assert plan.unit("区综治办").leader == ""


def test_shashi_annex2_disagreements(shashi):
    assert pairs(shashi, "annex2-text-mismatch") == [
        ("52", "区农林水局"), ("52", "区发改局"), ("52", "区环保分局"), ("52", "区规划分局")]
    mism = [f for f in shashi.findings if f.code == "annex2-text-mismatch"]
    assert all(f.value == "48" for f in mism)  # task 52 printed with task 48's text
    task_mism = [f for f in shashi.findings if f.code == "annex2-task-mismatch"]
    assert [(f.task, f.value) for f in task_mism] == [("60", "区民政局、区综治办")]
    assert "区委政法委司法局" in task_mism[0].message
    differs = sorted(f.task for f in shashi.findings if f.code == "annex2-text-differs")
    assert differs == ["31", "36", "36", "36", "46"]  # 坮林, 观音垱镇, PM10、PM2.5
    assert [f.value for f in shashi.findings if f.code == "annex2-unit-missing"] == ["区综治办"]


def _annex3_blocks() -> list[str]:
    text = SEED0.read_text(encoding="utf-8").replace("\u00a0", " ")
    part = text[text.index("\n附件3\n"):]
    return ["".join(b.split()) for b in re.split(r"\n\s*\n", part) if b.strip()]


def test_shashi_matrix_every_value_against_the_text(shashi):
    m = shashi.plan.matrix
    assert [r.label for r in m.rows] == ["全区合计", "解放街办", "崇文街办", "中山街办", "胜利街办", "朝阳街办",
                                         "立新街办", "关沮镇", "锣场镇", "观音垱镇", "岑河镇", "区直及其他"]
    assert [r.kind for r in m.rows] == ["total"] + ["town"] * 10 + ["other"]
    assert len(m.columns) == 41 and [sum(c.table == t for c in m.columns) for t in (1, 2, 3, 4)] == \
        [14, 8, 12, 7]
    # independent reading: after each row label in the text come its values, table by table
    blocks = _annex3_blocks()
    labels = {r.label for r in m.rows}
    seen: list[tuple[str, list[str]]] = []
    for i, b in enumerate(blocks):
        if b in labels:
            vals = []
            for x in blocks[i + 1:]:
                if x in labels or not re.match(r"^([-\d\\]|$)", x):
                    break
                vals.append(x)
            seen.append((b, vals))
    assert len(seen) == 48  # 12 rows × 4 tables
    for t in (1, 2, 3, 4):
        keys = [c.key for c in m.columns if c.table == t]
        for label, vals in seen[(t - 1) * 12:t * 12]:
            assert [m.value(label, k) for k in keys] == vals, (t, label)
    assert m.value("全区合计", "c23") == "247,779"
    assert m.value("立新街办", "c30") == "1户、2"
    assert m.value("全区合计", "c41") == "5000"


def test_shashi_matrix_columns(shashi):
    cols = {c.key: c for c in shashi.plan.matrix.columns}
    assert cols["c01"].path == ["农业", "农业总产值"] and cols["c01"].measure == "万元"
    assert cols["c02"].path == ["农业", "增幅"] and not cols["c02"].additive
    assert cols["c11"].path == ["固定资产投资", "责任目标"]
    assert cols["c15"].path == ["商务经济", "社会消费品零售总额", "责任目标"]
    assert cols["c19"].path == ["招商引资", "其中亿元以上工业项目数"]
    assert cols["c25"].path == ["城市建设", "下水管网改造"] and cols["c25"].measure == "处"
    assert cols["c30"].path == ["扶贫", "扶贫工作"] and cols["c30"].measure == "户、人"
    assert cols["c36"].path == ["就业、创业及保险", "就业", "新增就业"]
    assert cols["c40"].path == ["就业、创业及保险", "大学生实习实训人数"]
    assert cols["c41"].path == ["就业、创业及保险", "新增参保"]


def test_shashi_matrix_totals(shashi):
    codes = [(f.code, f.value) for f in shashi.findings if f.code.startswith("matrix-")
             and f.code != "matrix-header-inferred"]
    # every additive column adds up; only the two composite values lack their 人
    assert codes == [("matrix-value-missing-measure", "1户、2"),
                     ("matrix-value-missing-measure", "5户、12")]


def test_shashi_groups_expand(shashi):
    plan = shashi.plan
    assert [u.name for u in plan.expand("各镇人民政府")] == ["关沮镇", "锣场镇", "观音垱镇", "岑河镇"]
    assert len(plan.expand("各街道办事处")) == 6
    assert plan.unit("区财政局") in plan.expand("区直各部门")
    assert plan.unit("沙市城投公司") not in plan.expand("区直各部门")


def test_shashi_with_the_clerks_register(register):
    r = parse_notice_file(SEED0, register=register)
    assert not [f for f in r.findings if f.code in ("unresolved-unit", "ambiguous-unit-alias",
                                                    "unknown-unit", "matrix-unknown-town")]
    plan = r.plan
    assert [u.name for u in plan.units] == [u.name for u in register.units]
    assert [u.name for u, _ in plan.task_units(plan.task("10"))] == ["区发改局", "锣场镇", "岑河镇"]
    assert len(plan.task_units(plan.task("45"))) == 44
    assert [r.unit for r in plan.town_rows()][:2] == ["解放街办", "崇文街办"]
    assert pairs(r, "annex2-task-mismatch") == [("60", "区委政法委司法局")]
    assert plan.unit("区新闻与信息中心").leader == "林继军"


def test_register_is_consistent(register):
    from xltools.model.check import check_plan
    assert [f.code for f in check_plan(register)] == ["no-periods"]
    assert len(register.expand("各镇、街道\u00b7区直各部门")) == 44


# -- seed 002: Jingzhou 2020 -----------------------------------------------------------
def test_jingzhou_items_and_units_as_printed(jingzhou):
    plan = jingzhou.plan
    assert [t.number for t in plan.tasks] == [str(n) for n in range(1, 115)]
    assert all(t.kind == "task" for t in plan.tasks)
    assert plan.year == 2020 and plan.doc_number == "荆政办发〔2020〕1号"
    t1 = plan.task("1")
    assert t1.section == ["一、坚决打好三大攻坚战,决胜全面建成小康社会"]
    assert t1.lead_units == ["市扶贫办"]
    assert t1.responsible_units == ["市扶贫攻坚领导小组各成员单位", "各县市区政府", "荆州开发区", "纪南文旅区管委会"]
    t20 = plan.task("20")  # 牵头单位…,责任单位… with a comma between the parts
    assert t20.lead_units == ["市地方金融工作局"] and t20.responsible_units[0] == "市委政法委"
    assert plan.task("22").lead_units == ["市国资委", "市财政局"]
    assert plan.task("60").lead_units == [] and plan.task("60").responsible_units == ["市公交公司"]
    assert plan.task("66").responsible_units == ["市经信局", "市发改委", "市政府有关部门", "各县市区政府"]
    assert plan.task("114").text == "构建集中统一、全面覆盖、权威高效的审计监督体系。"
    assert plan.task("107").section == ["六、加强政府自身建设,进一步提升政府治理能力"]


def test_jingzhou_web_junk_and_loose_targets(jingzhou):
    assert "评论" not in jingzhou.plan.task("114").text
    assert [f.code for f in jingzhou.findings].count("web-junk-removed") == 1
    assert len(jingzhou.loose_targets) == 1 and len(jingzhou.loose_targets[0].targets) == 6
    ind = jingzhou.to_json()["indicators"]
    assert ind[0]["number"] == "" and ind[0]["targets"][0]["label"] == "地区生产总值增长"


def test_jingzhou_shared_suffix_units(jingzhou):
    plan = jingzhou.plan
    assert plan.unit("荆州开发区").name == "荆州开发区管委会"
    assert plan.unit("沙市区").name == "沙市区政府"
    assert plan.unit("市政务服务和大数据局").name == "市政务服务和大数据管理局"
    # "荆州区、沙市区、江陵县、监利县、洪湖市政府": the suffix is distributed, so each name
    # (the last one's stem included) resolves to its government
    for stem in ("荆州区", "沙市区", "江陵县", "监利县", "洪湖市"):
        assert plan.resolve(stem) is plan.unit(stem + "政府"), stem
    assert plan.resolve("荆州高新区") is plan.unit("荆州高新区管委会")
    assert plan.task("13").responsible_units[-3:] == ["监利县", "洪湖市政府", "荆州开发区管委会"]
    # 各县市区政府: the county governments the notice names, reported for the clerk
    g = plan.resolve("各县市区政府")
    assert g.members == ["荆州区政府", "洪湖市政府", "沙市区政府", "江陵县政府", "监利县政府",
                         "松滋市政府", "公安县政府"]
    assert any(f.code == "group-members-inferred" and f.value == "各县市区政府"
               and "洪湖市政府" in f.message for f in jingzhou.findings)
    assert [g.name for g in plan.groups if not g.members] == [
        "市政府有关部门", "市扶贫攻坚领导小组各成员单位", "市环境保护督察反馈意见整改攻坚指挥部各成员单位"]


def test_json_shape(jingzhou):
    d = jingzhou.to_json()
    assert list(d) == ["tasks", "indicators", "units", "groups", "findings"]
    assert list(d["tasks"][0]) == ["number", "key", "section", "kind", "text", "lead_units",
                                   "responsible_units", "notes", "deadline", "units"]
    assert d["tasks"][0]["units"][0] == "市扶贫办"
    json.dumps(d, ensure_ascii=False)


# -- golden digests ----------------------------------------------------------------------
def _regen():
    spec = importlib.util.spec_from_file_location("regen", ROOT / "tests" / "golden" / "regen.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name,path", [("seed_000", SEED0), ("seed_002", SEED2)])
def test_golden_digest(name, path):
    regen = _regen()
    want = (ROOT / "tests" / "golden" / f"{name}.json").read_text(encoding="utf-8")
    got = regen.dumps(regen.digest(parse_notice_file(path))) + "\n"
    assert json.loads(got) == json.loads(want), "run tests/golden/regen.py and review the diff"
