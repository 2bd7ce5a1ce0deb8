"""附件1's title as the notice prints it (issue 15): its own heading, in both punctuation forms,
kept through plan.xlsx and printed on 附件1."""
from __future__ import annotations

from pathlib import Path

import pytest

from xltools.generate.annex1 import annex1, annex1_title
from xltools.parse import parse_notice_text
from xltools.model.glossary import FW_COLON

FW_PERIOD = "\uff0e"
from xltools.parse.meta import find_breakdown_title
from xltools.planfile import load_plan, save_plan

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
GOV = "\u300a\u653f\u5e9c\u5de5\u4f5c\u62a5\u544a\u300b"  # 《政府工作报告》
TARGETS = GOV + "\u76ee\u6807\u4efb\u52a1\u5206\u89e3\u610f\u89c1"  # …目标任务分解意见
NOTICE = ("\u5173\u4e8e\u5370\u53d1" + GOV + "\u91cd\u70b9\u4efb\u52a1\u5206\u89e3\u610f\u89c1"
          "\u7684\u901a\u77e5")  # 关于印发《政府工作报告》重点任务分解意见的通知


def _text(colon: str, stop: str) -> str:
    return "\n".join([NOTICE, "", f"\u9644\u4ef6{colon}1{stop}{TARGETS}", "",  # 附件:1.…
                      "\u9644\u4ef61", "", TARGETS, "",
                      f"1{stop}\u52a0\u5feb\u5efa\u8bbe\u3002"])


@pytest.mark.parametrize("colon,stop", [(":", "."), (FW_COLON, FW_PERIOD)])
def test_the_annex_heading_is_found_in_both_punctuation_forms(colon, stop):
    assert find_breakdown_title(_text(colon, stop)) == TARGETS


@pytest.mark.parametrize("colon,stop", [(":", "."), (FW_COLON, FW_PERIOD)])
def test_without_a_heading_the_annex_list_names_it(colon, stop):
    text = _text(colon, stop).replace("\n" + TARGETS + "\n", "\n")
    assert find_breakdown_title(text) == TARGETS


def test_the_notice_title_and_sentences_are_not_headings():
    said = "\u5bf9\u7167" + TARGETS + "\uff0c\u4e25\u683c\u5c65\u884c\u8d23\u4efb\u3002"  # 对照…,严格履行责任。
    assert find_breakdown_title("\n".join([NOTICE, said])) == ""


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds 不在:参考通知缺失")
def test_the_seed_prints_a_different_annex_title_from_its_notice_and_annex1_follows_it(tmp_path):
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    plan = parse_notice_text(text, source="000.txt").plan
    assert plan.breakdown_title == TARGETS  # the notice's title says 重点任务分解意见
    assert annex1_title(plan) == TARGETS
    sheet = annex1(plan).sheets[0]
    assert TARGETS in {str(c.value) for c in sheet.cells.values()}
    again = load_plan(save_plan(plan, tmp_path / "plan.xlsx")).value
    assert again.breakdown_title == TARGETS


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds 不在:参考通知缺失")
def test_the_seeds_mismatch_of_titles_is_surfaced_once():
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    got = [f for f in parse_notice_text(text, source="000.txt").findings
           if f.code == "breakdown-title-differs"]
    assert len(got) == 1 and got[0].params["heading"] == TARGETS
    assert "\u91cd\u70b9\u4efb\u52a1" in got[0].value  # the title's 重点任务


def test_a_plan_over_a_table_is_no_mismatch():
    """关于印发…重点任务分解方案的通知 with 附件 …重点任务分解表: the usual pair."""
    core = GOV + "\u91cd\u70b9\u4efb\u52a1\u5206\u89e3"  # 《政府工作报告》重点任务分解
    text = "\n".join(["\u5173\u4e8e\u5370\u53d1" + core + "\u65b9\u6848\u7684\u901a\u77e5", "",
                      core + "\u8868", "", "1.\u52a0\u5feb\u5efa\u8bbe\u3002(\u8d23\u4efb\u5355\u4f4d:"
                      "\u533a\u53d1\u6539\u5c40)"])
    result = parse_notice_text(text, source="n.txt")
    assert result.plan.breakdown_title == core + "\u8868"
    assert not [f for f in result.findings if f.code == "breakdown-title-differs"]


# 附件:1.…重点任务分解表 / 3.…主要经济指标分解表: the list's third entry also ends in 分解表
ECON = "2021\u5e74\u5404\u9547\uff08\u8857\u9053\uff09\u4e3b\u8981\u7ecf\u6d4e\u6307\u6807\u5206\u89e3\u8868"
TASKS = "2021\u5e74" + GOV + "\u91cd\u70b9\u4efb\u52a1\u5206\u89e3\u8868"  # 2021年《…》重点任务分解表


@pytest.mark.parametrize("colon,stop", [(":", "."), (FW_COLON, FW_PERIOD)])
@pytest.mark.parametrize("heading", [True, False])
def test_another_entry_of_the_annex_list_is_not_annex1s_heading(colon, stop, heading):
    lines = [NOTICE, "", f"\u9644\u4ef6{colon}1{stop}{TASKS}", f"      3{stop}{ECON}", "",
             "\u9644\u4ef61", "", TASKS if heading else "", "", f"1{stop}\u52a0\u5feb\u5efa\u8bbe\u3002"]
    assert find_breakdown_title("\n".join(lines)) == TASKS


@pytest.mark.parametrize("colon,stop", [(":", "."), (FW_COLON, FW_PERIOD)])
def test_the_annex_list_on_lines_below_its_label_names_annex1(colon, stop):
    lines = [NOTICE, "", f"\u9644\u4ef6{colon}", f"1{stop}{TASKS}", f"2{stop}{ECON}", "",
             "\u9644\u4ef61", "", f"1{stop}\u52a0\u5feb\u5efa\u8bbe\u3002"]
    assert find_breakdown_title("\n".join(lines)) == TASKS


# 附件:2021年…责任分工表 — one annex, unnumbered, named …分工表 or …任务清单
SHARES = "2021\u5e74\u53bf\u653f\u5e9c\u5de5\u4f5c\u62a5\u544a\u91cd\u70b9\u4efb\u52a1\u8d23\u4efb\u5206\u5de5\u8868"
LIST = "\u897f\u6cb3\u533a2021\u5e74\u91cd\u70b9\u5de5\u4f5c\u4efb\u52a1\u6e05\u5355"  # 西河区2021年重点工作任务清单


@pytest.mark.parametrize("colon", [":", FW_COLON])
@pytest.mark.parametrize("name", [SHARES, LIST])
@pytest.mark.parametrize("heading", [True, False])
def test_a_single_unnumbered_annex_names_annex1(colon, name, heading):
    lines = [NOTICE, "", f"\u9644\u4ef6{colon}{name}", "", "\u9644\u4ef6", "", name if heading else "",
             "", "1.\u52a0\u5feb\u5efa\u8bbe\u3002"]
    assert find_breakdown_title("\n".join(lines)) == name
