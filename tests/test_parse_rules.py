"""Unit tests of the parser's rules on short inline snippets, nasty cases included."""
from __future__ import annotations

from datetime import date

import pytest

from xltools.parse import parse_notice_text
from xltools.parse.clean import clean_lines, is_junk_line, strip_inline_junk
from xltools.parse.header_tree import infer_leaves
from xltools.parse.meta import campaign_title, find_doc_number, find_periods, find_title, find_year
from xltools.parse.names import (is_group_phrase, name_key, probably_same, run_together_splits,
                                 split_units)
from xltools.parse.responsibility import extract_responsibility
from xltools.parse.structure import find_structure
from xltools.parse.targets import extract_targets


def codes(findings):
    return [f.code for f in findings]


# -- responsibility ---------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "推进某项工作。(责任单位:区发改局、区财政局)",
    "推进某项工作。\uff08责任单位\uff1a区发改局、区财政局\uff09",
    "推进某项工作。(责任单位\uff1a区发改局、区财政局\uff09",
    "推进某项工作。【责任单位:区发改局、区财政局】",
    "推进某项工作。( 责任单位 : 区发改局、区财政局 )",
])
def test_responsibility_bracket_and_colon_variants(text):
    r = extract_responsibility(text)
    assert r.found and not r.unclosed
    assert r.text == "推进某项工作。"
    assert [p.name for p in split_units(r.responsible)] == ["区发改局", "区财政局"]


@pytest.mark.parametrize("sep", [";", "\uff1b", ",", "\uff0c", " "])
def test_lead_and_responsible_with_any_separator(sep):
    r = extract_responsibility(f"做好工作。(牵头单位:市发改委{sep}责任单位:市财政局、各县市区政府)")
    assert r.lead == "市发改委"
    assert [p.name for p in split_units(r.responsible)] == ["市财政局", "各县市区政府"]


def test_unclosed_bracket_takes_the_rest():
    r = extract_responsibility("做好工作。(责任单位:区发改局、区财政局")
    assert r.found and r.unclosed
    assert r.text == "做好工作。"
    assert r.responsible == "区发改局、区财政局"


def test_bare_responsibility_without_bracket():
    r = extract_responsibility("做好工作。责任单位:区发改局")
    assert r.found and r.text == "做好工作。" and r.responsible == "区发改局"


def test_missing_responsibility():
    r = extract_responsibility("做好工作。")
    assert not r.found and r.text == "做好工作。" and not r.lead and not r.responsible


def test_deadline_and_two_brackets():
    r = extract_responsibility("做好工作(牵头单位:区发改局)(责任单位:区财政局;完成时限:6月底)。")
    assert r.lead == "区发改局" and r.responsible == "区财政局" and r.deadline == "6月底"
    assert r.text == "做好工作。"


def test_nested_brackets_inside_responsibility():
    r = extract_responsibility("做好工作。(责任单位:区财政局(金融办)、区建设局<人防办>)")
    assert not r.unclosed
    assert [p.name for p in split_units(r.responsible)] == ["区财政局(金融办)", "区建设局<人防办>"]


# -- unit lists -------------------------------------------------------------------------
def test_split_mixed_separators_and_nested_names():
    names = [p.name for p in split_units("区财政局〈金融办〉、区建设局<人防办>,区发改局;区城管局;区住建局,区统计局")]
    assert names == ["区财政局〈金融办〉", "区建设局<人防办>", "区发改局", "区城管局", "区住建局", "区统计局"]


def test_group_phrases_kept_whole():
    names = [p.name for p in split_units("区文明办、区直各部门、各镇、街道、各街道办事处")]
    assert names == ["区文明办", "区直各部门", "各镇、街道", "各街道办事处"]
    for g in ("各镇人民政府", "各街道办事处", "区直各部门", "各县市区政府", "市政府有关部门",
              "市扶贫攻坚领导小组各成员单位", "各镇、街道\u00b7区直各部门"):
        assert is_group_phrase(g), g
    for u in ("区发改局", "锣场镇", "市委政法委", "沙市城投公司"):
        assert not is_group_phrase(u), u


def test_etc_before_group_phrase_is_split():
    names = [p.name for p in split_units("市经信局、市发改委等市政府有关部门,各县市区政府")]
    assert names == ["市经信局", "市发改委", "市政府有关部门", "各县市区政府"]


def test_shared_suffix_is_implied_not_corrected():
    pieces = split_units("各县市区政府,荆州开发区、纪南文旅区、荆州高新区管委会")
    assert [p.name for p in pieces] == ["各县市区政府", "荆州开发区", "纪南文旅区", "荆州高新区管委会"]
    assert [p.implied for p in pieces] == ["", "荆州开发区管委会", "纪南文旅区管委会", ""]
    pieces = split_units("荆州区、沙市区政府")
    assert pieces[0].implied == "荆州区政府"


def test_run_together_names():
    assert run_together_splits("区发改局区财政局") == (["区发改局", "区财政局"], True)
    assert run_together_splits("区发改局市财政局") == (["区发改局", "市财政局"], False)
    assert run_together_splits("锣场镇岑河镇", {"锣场镇", "岑河镇"}) == (["锣场镇", "岑河镇"], True)
    assert run_together_splits("区委政法委司法局") == ([], False)
    assert run_together_splits("市政府项目办") == ([], False)
    assert run_together_splits("人行荆州市中心支行") == ([], False)
    # names a space apart (justified or PDF text), a group among them: each whole
    assert run_together_splits("区住建局  各街道办事处") == (["区住建局", "各街道办事处"], True)
    assert run_together_splits("区统计局\u3000县税务局") == (["区统计局", "县税务局"], True)
    assert run_together_splits("荆州开发区 管委会") == ([], False)
    assert run_together_splits("县公安局 交警大队") == ([], False)  # (one body, justified)


def test_aliases_certain_and_uncertain():
    assert probably_same("区国土分局", "区国土资源分局")
    assert probably_same("观音镇", "观音垱镇")
    assert probably_same("区新闻和信息中心", "区新闻与信息中心")
    assert probably_same("锣场镇", "锣场镇人民政府")
    assert probably_same("解放街办", "解放街道办事处")
    assert probably_same("重点项目办", "区重点项目办")
    assert not probably_same("区司法局", "区委政法委司法局")
    assert not probably_same("区财政局", "区税务局")
    assert name_key("区建设局〈人防办〉") == name_key("区建设局<人防办>")


# -- targets ----------------------------------------------------------------------------
def target_tuples(text):
    return [(t.label, t.value, t.measure, t.direction, t.growth) for t in extract_targets(text)]


def test_targets_of_the_brief():
    assert target_tuples("地区生产总值增长8.5%") == [("地区生产总值增长", 8.5, "%", ">=", True)]
    assert target_tuples("新增城镇就业8000人") == [("新增城镇就业", 8000, "人", ">=", False)]
    assert target_tuples("城镇登记失业率控制在4.5%以内")[0][2:4] == ("%", "<=")
    assert target_tuples("确保全年完成交通投资130亿元以上")[0][1:4] == (130, "亿元", ">=")
    assert target_tuples("建设高标准农田1.4万亩")[0][1:3] == (1.4, "万亩")
    assert target_tuples("投入4000万元,综合整治")[0][:3] == ("投入", 4000, "万元")
    assert target_tuples("力争新增规上服务企业40家")[0][:3] == ("新增规上服务企业", 40, "家")
    assert target_tuples("研究与开发经费占比重达到1%")[0][1:3] == (1, "%")
    assert target_tuples("地区生产总值增长7.5%左右")[0][3] == "="


def test_no_targets_from_codes_dates_and_ordinals():
    assert extract_targets("以3D打印、5G、PM2.5、322省道、2019年、第八届、70周年为主") == []


# -- cleaning ---------------------------------------------------------------------------
def test_web_junk_lines_and_inline_ads():
    for junk in ("来源:区政府办,被阅读61次,日期:2019-02-20【打印】【关闭窗口",
                 "首页 > 政务公开 > 通知公告", "评论一下", "评论 0人参与,0条评论",
                 "还没有评论,快来抢沙发吧!", "最热评论", "分享到:微信 微博", "上一篇:关于…",
                 "版权所有:荆州市人民政府"):
        assert is_junk_line(junk), junk
    assert not is_junk_line("1.推进某项工作。(责任单位:区发改局)")
    assert strip_inline_junk("推进工作扫码关注公众号,建设") == "推进工作,建设"
    lines, f = clean_lines("正文\n评论一下\n最新评论\n")
    assert [ln.text for ln in lines][:3] == ["正文", "", ""]
    assert codes(f) == ["web-junk-removed"]


# -- structure --------------------------------------------------------------------------
NOTICE = """关于印发《政府工作报告》重点任务分解意见的通知
沙政办发〔2019〕2号
一、提高思想认识,加强组织领导。今年是关键之年,做好全年各项工作,至关重要。
各责任单位须每季度末将完成情况上报区政府督办室。

附件1

《政府工作报告》目标任务分解意见

一、主要工作目标

1.地区生产总值增长8.5%。(责任单位:区发改局、各镇人民政府)

二、主要工作任务

(一)聚焦产业升级

2.第一行文字,
接着第二行文字。(责任单位:区经信局、区科技局)

3.没有责任单位的任务。

4.括号未闭合的任务(责任单位:区财政局、区税务局

——民生实事

5.新建幼儿园3所。(牵头单位:区教育局;责任单位:区财政局)
"""


def test_structure_sections_multiline_and_preamble():
    lines, _ = clean_lines(NOTICE)
    st = find_structure(lines)
    assert [i.number for i in st.items] == ["1", "2", "3", "4", "5"]
    assert st.items[0].section == ["一、主要工作目标"] and st.items[0].kind == "indicator"
    assert st.items[1].section == ["二、主要工作任务", "(一)聚焦产业升级"]
    assert st.items[1].text.startswith("第一行文字,接着第二行文字。")
    assert st.items[4].section[-1] == "——民生实事" and st.items[4].kind == "practical_matter"


def test_notice_findings_for_nasty_items():
    r = parse_notice_text(NOTICE, source="t.txt")
    assert r.plan is not None and r.plan.year == 2019
    by_task = {(f.code, f.task) for f in r.findings}
    assert ("missing-responsibility", "3") in by_task
    # said once, with its line: not again by the plan check, without one
    assert ("task-without-unit", "3") not in by_task
    assert ("unclosed-bracket", "4") in by_task
    t4 = r.plan.task("4")
    assert t4.responsible_units == ["区财政局", "区税务局"] and t4.text == "括号未闭合的任务"
    t5 = r.plan.task("5")
    assert t5.lead_units == ["区教育局"] and t5.responsible_units == ["区财政局"]
    assert [p.deadline for p in r.plan.periods] == ["2019-03-31", "2019-06-30", "2019-09-30",
                                                    "2019-12-31"]


def test_restarting_numbers_are_qualified_by_heading():
    text = "(一)农业\n1.甲。(责任单位:区农林水局)\n2.乙。(责任单位:区农林水局)\n" \
           "(二)工业\n1.丙。(责任单位:区经信局)\n"
    r = parse_notice_text(text)
    assert [t.number for t in r.plan.tasks] == ["(一)1", "(一)2", "(二)1"]


def test_heading_responsibility_is_inherited():
    text = "(一)农业农村(责任单位:区农林水局)\n1.甲项工作。\n2.乙项工作。(责任单位:区财政局)\n"
    r = parse_notice_text(text)
    assert r.plan.task("1").responsible_units == ["区农林水局"]
    assert r.plan.task("1").section == ["(一)农业农村"]
    assert r.plan.task("2").responsible_units == ["区财政局"]
    assert ("responsibility-from-heading", "1") in {(f.code, f.task) for f in r.findings}


def test_run_together_in_an_item_is_split_or_reported():
    text = "1.甲。(责任单位:区发改局区财政局)\n2.乙。(责任单位:区发改局市财政局)\n"
    r = parse_notice_text(text)
    assert r.plan.task("1").responsible_units == ["区发改局", "区财政局"]
    assert r.plan.task("2").responsible_units == ["区发改局市财政局"]
    got = {(f.code, f.task) for f in r.findings}
    assert ("run-together-units-split", "1") in got and ("run-together-units", "2") in got


def test_nothing_recognisable_gives_no_plan():
    r = parse_notice_text("这是一封普通的信。\n没有任何编号任务。\n")
    assert r.plan is None and codes(r.findings)[-1] == "no-items-found"
    assert r.to_json()["tasks"] == [] and r.report_lines()
    r = parse_notice_text("")
    assert r.plan is None


def test_junk_inside_items_is_kept_out():
    text = "1.甲项工作。(责任单位:区发改局)\n评论一下\n2.乙项工作。(责任单位:区财政局)\n最新评论\n"
    r = parse_notice_text(text)
    assert [t.text for t in r.plan.tasks] == ["甲项工作。", "乙项工作。"]


# -- meta -------------------------------------------------------------------------------
def test_title_doc_number_year():
    text = "沙政办发〔2019〕2号 沙市区人民政府办公室 关于印发《政府工作报告》重点任务分解 意见的通知\n"
    assert find_doc_number(text) == "沙政办发〔2019〕2号"
    assert find_title(text) == "沙市区人民政府办公室关于印发《政府工作报告》重点任务分解意见的通知"
    assert find_year(text, find_doc_number(text)) == 2019
    assert find_year("2020年经济社会发展目标,2020年", "") == 2020


def test_periods_from_stated_dates_and_defaults():
    ps, f = find_periods("请于4月10日、7月10日、10月10日、次年1月10日前报送区政府督办室。", 2019)
    assert [p.deadline for p in ps] == ["2019-04-10", "2019-07-10", "2019-10-10", "2020-01-10"]
    ps, f = find_periods("请认真落实。", 2020)
    assert [p.id for p in ps] == ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]
    assert ps[0].deadline == date(2020, 4, 10).isoformat() and codes(f) == ["periods-default"]
    ps, _ = find_periods("每季度结束后5日内报送区政府督办室。", 2019)
    assert ps[3].deadline == "2020-01-05"


# -- flattened multi-level header --------------------------------------------------------
def test_header_tree_two_and_three_levels():
    cells = ["商务经济", "招商引资", "项目建设(仅限于产业类和基础设施建设类项目)", "社会消费品零售总额",
             "限上法人企业和服务业企业完成数", "投资额过亿(不含房地产)项目数(个)", "其中亿元以上工业项目数(个)",
             "开工项目数(个)", "亿元以上项目(个)", "竣工项目数(个)", "责任目标(万元)", "增幅(%)", "责任目标(家)"]
    leaves, inferred = infer_leaves(cells, 8)
    assert inferred
    assert [leaf.path for leaf in leaves[:4]] == [
        ["商务经济", "社会消费品零售总额", "责任目标"], ["商务经济", "社会消费品零售总额", "增幅"],
        ["商务经济", "限上法人企业和服务业企业完成数", "责任目标"], ["招商引资", "投资额过亿(不含房地产)项目数"]]
    assert [leaf.measure for leaf in leaves] == ["万元", "%", "家", "个", "个", "个", "个", "个"]


def test_header_tree_joins_a_cell_printed_in_two_blocks():
    cells = ["食药监管", "就业、创业及保险", "“明厨亮灶”建设安装单位数(家)", "就业", "职业培训(人)",
             "扶持返乡创业人数(人)", "大学生实习", "实训人数(人)", "新增参保(人)", "新增就业(人)", "大学生就业(人)"]
    leaves, _ = infer_leaves(cells, 7)
    assert [leaf.path[-1] for leaf in leaves] == ["“明厨亮灶”建设安装单位数", "新增就业", "大学生就业", "职业培训",
                                                 "扶持返乡创业人数", "大学生实习实训人数", "新增参保"]


# -- robustness ---------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = ["1.", "2、", "(一)", "一、", "附件1", "附件2", "(责任单位:", "(牵头单位:", ";", ")", "(",
           "区发改局", "各镇人民政府", "、", "\n", "\n\n", "增长8.5%", "合计", "镇", "12", "\\", "序号",
           "王飞", "〈", ">", "——", "评论一下", "目标"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=5), max_size=60))
def test_parser_never_raises(parts):
    r = parse_notice_text("".join(parts))
    assert r.report_lines()
    r.to_json()


@pytest.mark.parametrize("notice_title,campaign", [
    ("关于印发2024年区政府工作报告重点任务分解表的通知", "2024年区政府工作报告重点任务"),
    ("关于印发2021年重点工作任务分解的通知", "2021年重点工作任务"),
    ("关于印发2024年区政府工作报告目标任务责任分解的通知", "2024年区政府工作报告目标任务"),
    ("关于印发2024年县政府工作报告民生实事分工的通知", "2024年县政府工作报告民生实事"),
    ("关于印发《政府工作报告》重点任务分解意见的通知", "2024年《政府工作报告》重点任务"),
    ("关于分解落实《政府工作报告》的通知", "2024年《政府工作报告》"),
    ("关于印发《南湖区2024年政府工作报告重点工作任务分解方案》的通知", "南湖区2024年政府工作报告重点工作任务"),
])
def test_campaign_title_drops_the_kind_of_document_only(notice_title, campaign):
    """The forms' campaign: the breakdown's name without 分解表/分解方案…, never its 任务
    (before: "…重点任务分解表" gave "…重点")."""
    assert campaign_title(notice_title, 2024) == campaign


@pytest.mark.parametrize("notice_title,campaign", [
    ("关于印发《关于加快推进乡村振兴的实施意见》的通知", "2024年《关于加快推进乡村振兴的实施意见》"),
    ("关于印发《2024年优化营商环境工作方案》的通知", "《2024年优化营商环境工作方案》"),
])
def test_a_document_named_in_book_marks_stays_whole(notice_title, campaign):
    """《…实施意见》 is a document's name, not a breakdown's: its marks and kind stay."""
    assert campaign_title(notice_title, 2024) == campaign


def test_a_thousand_items_on_one_line_do_not_exhaust_the_stack():
    """A notice whose line breaks were lost: before, RecursionError at about 1,000 items."""
    line = "".join(f"{i}.推进第{i}项工作。(牵头单位:区发改局)" for i in range(1, 1000))
    r = parse_notice_text("关于印发2021年重点任务分解的通知\n一、重点任务\n" + line + "\n")
    assert len(r.plan.tasks) == 999 and r.plan.tasks[-1].lead_units == ["区发改局"]
