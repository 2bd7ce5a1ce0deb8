"""Rules on short inline snippets, each in both punctuation forms: kind headings, target items,
annotations, sentence-like names, lead tails, deadlines, titles and issuers."""
from __future__ import annotations

import pytest

from xltools.parse import parse_notice_text
from xltools.parse.fold import fold

from marks import restore_marks
from xltools.parse.kinds import kind_of_heading
from xltools.parse.meta import find_issuer, find_periods, find_title
from xltools.parse.notes import peel_notes, reads_like_sentence
from xltools.parse.responsibility import extract_responsibility
from xltools.parse.targets import extract_targets

FORMS = pytest.mark.parametrize("form", [fold, restore_marks], ids=["ascii", "full-width"])
HEAD = "关于印发2021年重点任务分解方案的通知\n"


@FORMS
@pytest.mark.parametrize("heading,kind", [
    ("一、2021年经济社会发展主要目标", "indicator"),
    ("一、2022年全区经济社会发展主要预期目标和约束性指标", "indicator"),
    ("(一)预期性指标", "indicator"),
    ("(二)约束性指标", "indicator"),
    ("1.主要指标(18项)", "indicator"),
    ("一、主要工作目标", "indicator"),
    ("发展目标", "indicator"),
    ("主要预期目标:地区生产总值增长7%", "indicator"),
    ("三、2019年民生实事", "practical_matter"),
    ("附件2:2020年为民办实事项目", "practical_matter"),
    ("十件实事", "practical_matter"),
    ("三、惠民实事", "practical_matter"),
    ("二、主要任务", None),
    ("(三)着力实现脱贫攻坚目标任务", None),
    ("(一)推动经济高质量发展", None),
])
def test_kind_of_heading(form, heading, kind):
    assert kind_of_heading(form(heading)) == kind


@FORMS
def test_long_target_heading_gives_indicators(form):
    text = HEAD + form("一、2021年全市经济社会发展主要预期目标和约束性指标\n"
                       "1.地区生产总值增长8%。(牵头单位:市发改委)\n"
                       "二、重点任务\n2.推进改革。(牵头单位:市委改革办)\n")
    plan = parse_notice_text(text).plan
    assert [t.kind for t in plan.tasks] == ["indicator", "task"]


@FORMS
def test_target_items_numbered_as_headings_are_found(form):
    text = HEAD + form("一、主要预期目标\n(一)地区生产总值增长7%。(牵头单位:县发改局)\n"
                       "(二)城镇新增就业3000人。\n(牵头单位:县人社局)\n"
                       "二、重点任务\n(一)产业\n1.推进项目建设。(牵头单位:县发改局)\n"
                       "2.优化营商环境。(牵头单位:县政务服务局)\n")
    plan = parse_notice_text(text).plan
    assert [fold(t.printed or t.number) for t in plan.tasks] == ["(一)", "(二)", "1", "2"]
    assert [t.kind for t in plan.tasks] == ["indicator", "indicator", "task", "task"]
    assert plan.tasks[1].lead_units == ["县人社局"] and plan.tasks[1].targets[0].value == 3000


@FORMS
@pytest.mark.parametrize("units,clean,note,first,each,carry", [
    ("市卫生健康委(除标注\u201c分别牵头\u201d外,列第一位为牵头或汇总单位,下同)、市医保局",
     "市卫生健康委、市医保局", "(除标注\u201c分别牵头\u201d外,列第一位为牵头或汇总单位,下同)", True, False, True),
    ("市应急管理局、市住建局(分别牵头)", "市应急管理局、市住建局", "(分别牵头)", False, True, False),
    ("区教育局、区财政局(列第一位的为牵头单位,下同)", "区教育局、区财政局",
     "(列第一位的为牵头单位,下同)", True, False, True),
    ("市农业农村局、市商务局分别牵头", "市农业农村局、市商务局", "分别牵头", False, True, False),
    ("县工业园区管委会、县财政局按职责分工负责", "县工业园区管委会、县财政局", "按职责分工负责",
     False, False, False),
    ("县发改委(粮食局)、县财政局", "县发改委(粮食局)、县财政局", None, False, False, False),
])
def test_peel_notes(form, units, clean, note, first, each, carry):
    text, notes = peel_notes(fold(form(units)))
    assert text == fold(clean)
    assert notes.texts == ([fold(note)] if note else [])
    assert (notes.first_leads, notes.each_leads, notes.carry) == (first, each, carry)


@FORMS
def test_annotations_are_notes_never_units(form):
    text = HEAD + form(
        "一、重点任务\n"
        "1.推进医共体建设。(责任单位:市卫生健康委(除标注\u201c分别牵头\u201d外,列第一位为牵头或汇总单位,下同)、市医保局)\n"
        "2.安全生产整治。(责任单位:市应急管理局、市住建局分别牵头)\n"
        "3.建设学校。(责任单位:市教育局、市财政局)\n"
        "4.重点项目。(牵头单位:市发改委;配合单位:市自然资源局、市住建局等)\n")
    res = parse_notice_text(text)
    plan = res.plan
    names = [u.name for u in plan.units]
    assert not any("下同" in n or "牵头" in n or "职责" in n for n in names)
    t1, t2, t3, t4 = plan.tasks
    assert (t1.lead_units, t1.responsible_units) == (["市卫生健康委"], ["市医保局"])
    assert "下同" in t1.notes
    assert (t2.lead_units, t2.responsible_units, t2.notes) == (["市应急管理局", "市住建局"], [], "分别牵头")
    assert (t3.lead_units, t3.responsible_units) == (["市教育局"], ["市财政局"])  # 下同 carried
    assert t4.responsible_units == ["市自然资源局", "市住建局"] and t4.notes == "等"
    notes = [f for f in res.findings if f.code == "unit-annotation-note"]
    assert [f.task for f in notes] == ["1", "2", "4"]


@FORMS
def test_sentence_like_unit_is_a_finding_and_gets_no_unit(form):
    text = HEAD + form("一、重点任务\n1.农村改厕2000户。(牵头单位:县农业农村局;配合单位:"
                       "各乡镇人民政府负责落实本辖区内改厕任务并按月报送进展情况)\n")
    res = parse_notice_text(text)
    [f] = [f for f in res.findings if f.code == "unit-name-sentence"]
    assert f.task == "1" and "负责落实" in f.value
    assert [u.name for u in res.plan.units] == ["县农业农村局"]
    assert res.plan.tasks[0].responsible_units == []


@pytest.mark.parametrize("name,sentence", [
    ("各乡镇人民政府负责落实本辖区内改厕任务并按月报送进展情况", True),
    ("市卫生健康委(除标注外,下同)", True),
    ("市发展和改革委员会(市粮食和物资储备局)", False),
    ("荆州经济技术开发区管理委员会", False),
])
def test_reads_like_sentence(name, sentence):
    assert reads_like_sentence(name) is sentence


@FORMS
@pytest.mark.parametrize("item,lead,resp", [
    ("推进改革。(市发改委牵头,市统计局配合)", "市发改委", "市统计局"),
    ("城乡居民收入增长7%。(区人社局、区农业农村局分别牵头)", "区人社局、区农业农村局分别牵头", ""),
    ("推进改革(市发改委牵头)。", "市发改委", ""),
])
def test_lead_tail_without_keyword(form, item, lead, resp):
    r = extract_responsibility(fold(form(item)))
    assert r.found and (r.lead, r.responsible) == (lead, resp)


@FORMS
def test_a_time_in_its_own_bracket_beside_the_units_is_the_deadline(form):
    """"(甲牵头,乙配合)(6月底前完成)", either order, with or without keywords: units and time
    read, neither bracket left in the text; a time bracket inside the text stays text."""
    text = HEAD + form("一、重点任务\n"
                       "1.建设食品产业园。(县工业园区管委会牵头,县招商局配合)(2025年10月底前完成)\n"
                       "2.新建农村公路120公里。(6月底前完成)(县交通运输局负责)。\n"
                       "3.新增规上企业15家。(牵头单位:县经信局;配合单位:县统计局) (年底前)\n"
                       "4.完成5所学校(年底前)改造。(县教育局牵头)\n")
    r = parse_notice_text(text)
    got = [(fold(t.text), t.lead_units, t.responsible_units, fold(t.deadline)) for t in r.plan.tasks]
    assert got == [("建设食品产业园。", ["县工业园区管委会"], ["县招商局"], "2025年10月底前完成"),
                   ("新建农村公路120公里。", [], ["县交通运输局"], "6月底前完成"),
                   ("新增规上企业15家。", ["县经信局"], ["县统计局"], "年底前"),
                   ("完成5所学校(年底前)改造。", ["县教育局"], [], "")]
    assert "missing-responsibility" not in [f.code for f in r.findings]


@FORMS
def test_unnumbered_targets_under_a_target_heading_are_listed(form):
    """"一、主要预期目标" over a line of targets that does not say 目标: a target paragraph
    (listed, unnumbered-targets), not text before the items (before: text-before-items)."""
    text = HEAD + form("\n一、主要预期目标\n地区生产总值增长6%左右,一般公共预算收入增长5%,"
                       "城镇新增就业5000人。\n二、重点任务\n1.推进甲。(责任单位:区发改局)\n")
    r = parse_notice_text(text)
    [lt] = r.loose_targets
    assert [g.label for g in lt.targets] == ["地区生产总值增长", "一般公共预算收入增长", "城镇新增就业"]
    assert sorted(f.code for f in r.findings) == ["periods-default", "unnumbered-targets"]


@FORMS
def test_square_brackets_with_nested_unit(form):
    text = HEAD + form("一、主要目标\n1.粮食产量稳定。[牵头单位:市农业农村局;责任单位:市发改委(粮食局)、"
                       "各县(市、区)人民政府]\n").replace("[", "\uff3b").replace("]", "\uff3d")
    t = parse_notice_text(text).plan.tasks[0]
    assert t.lead_units == ["市农业农村局"]
    assert [fold(n) for n in t.responsible_units] == ["市发改委(粮食局)", "各县(市、区)人民政府"]
    assert t.text == "粮食产量稳定。"


@FORMS
@pytest.mark.parametrize("rule,deadlines", [
    ("各单位每季度末月20日前将进展情况报送县政府督查室。",
     ["2021-03-20", "2021-06-20", "2021-09-20", "2021-12-20"]),
    ("请于每季度第一个月10日前报送。", ["2021-04-10", "2021-07-10", "2021-10-10", "2022-01-10"]),
    ("每季度结束后次月5日前上报。", ["2021-04-05", "2021-07-05", "2021-10-05", "2022-01-05"]),
    ("每半年报送一次,分别于7月10日、次年1月10日前上报。", ["2021-07-10", "2022-01-10"]),
    # "季度末" followed by the days after it: not the quarter's last day
    ("各责任单位每季度末后5日内将任务完成情况报县政府督查室。",
     ["2021-04-05", "2021-07-05", "2021-10-05", "2022-01-05"]),
    ("请各牵头单位于每季度末次月5日前将进展情况报送区政府督查室。",
     ["2021-04-05", "2021-07-05", "2021-10-05", "2022-01-05"]),
    ("请于每季度最后一个月25日前报送区政府督办室。",
     ["2021-03-25", "2021-06-25", "2021-09-25", "2021-12-25"]),
])
def test_deadline_phrases(form, rule, deadlines):
    periods, f = find_periods(fold(form(rule)), 2021)
    assert [p.deadline for p in periods] == deadlines and f[0].code == "periods-from-notice"


@FORMS
def test_monthly_next_month_day(form):
    periods, _ = find_periods(fold(form("请每月次月5日前报送进展。")), 2021)
    assert len(periods) == 12 and periods[0].deadline == "2021-02-05"


@FORMS
def test_title_over_several_lines_and_issuer_from_signature(form):
    text = fold(form("清江县人民政府办公室文件\n\n关于对2006年政府工作报告\n重点事项进行责任\n分解的通知\n\n"
                     "各乡镇:\n现将任务分解如下。\n\n清江县人民政府\n2006年3月1日\n"))
    assert find_title(text) == "关于对2006年政府工作报告重点事项进行责任分解的通知"
    assert find_issuer(text) == "清江县人民政府"


@FORMS
def test_issuer_never_taken_from_the_title_words(form):
    text = fold(form("关于印发2006年政府工作报告\n重点事项责任分解的通知\n各单位:\n正文。\n"))
    assert find_issuer(text) == ""
    text = fold(form("关于印发2006年政府工作报告分解的通知\n正文。\n柳城县人民政府办公室\n二〇〇六年三月一日\n"))
    assert find_issuer(text) == "柳城县人民政府办公室"


@FORMS
@pytest.mark.parametrize("annex", ["附件2\n2020年为民办实事项目\n", "附件2:2020年为民办实事项目\n"])
def test_annex_title_gives_the_kind(form, annex):
    text = form("关于印发2020年为民办实事项目的通知\n各单位:\n现印发。\n" + annex +
                "1.新建学校2所。(牵头单位:市教育局)\n2.改造道路10公里。(牵头单位:市交通局)\n")
    assert [t.kind for t in parse_notice_text(text).plan.tasks] == ["practical_matter"] * 2


@FORMS
@pytest.mark.parametrize("item", [
    "1.成立领导小组,抓好统筹调度(领导小组办公室设在区发改局)",
    "1.推进国有企业改革,完成混改3家(含区属国有公司)",
    "1.改造提升公共文化设施(区图书馆、区文化馆)",
])
def test_a_closing_bracket_of_notes_names_no_unit(form, item):
    """Names alone in a closing bracket are units only when nothing says otherwise (设在, 含),
    and mid-sentence only when they end as offices do (not venues listed as examples)."""
    r = parse_notice_text(HEAD + form("一、重点任务\n" + item + "\n2.推进乙。(责任单位:区财政局)\n"))
    t = r.plan.tasks[0]
    assert (t.lead_units, t.responsible_units) == ([], [])
    assert [f.task for f in r.findings if f.code == "missing-responsibility"] == ["1"]


@FORMS
def test_sub_items_with_their_own_times_keep_the_items_units(form):
    """"(甲牵头,乙配合)①…(6月底前);②…(12月底前)。": the units' bracket before the sub-items."""
    r = parse_notice_text(HEAD + form("一、重点任务\n1.推进城市更新(区住建局牵头,区财政局配合)"
                                      "\u2460完成老旧小区改造20个(6月底前);\u2461新建口袋公园5个(12月底前)。\n"))
    t = r.plan.tasks[0]
    assert (t.lead_units, t.responsible_units) == (["区住建局"], ["区财政局"])
    assert fold(t.text).endswith("新建口袋公园5个(12月底前)。")


@FORMS
def test_a_heading_lead_leaves_an_item_whose_unit_is_in_charge(form):
    """"(牵头单位:甲)" on the heading leads items naming 责任单位, not one whose unit 负责."""
    r = parse_notice_text(HEAD + form("一、产业发展(牵头单位:县工信局)\n1.推进甲。(责任单位:县统计局)\n"
                                      "2.推进乙。(县发改局负责)\n"))
    got = [(t.lead_units, t.responsible_units) for t in r.plan.tasks]
    assert got == [(["县工信局"], ["县统计局"]), ([], ["县发改局"])]


@FORMS
@pytest.mark.parametrize("text,targets", [
    ("将不动产登记时间由5个工作日压缩至3个工作日。", [("将不动产登记时间", 3.0, "个工作日", "<=")]),
    ("实现企业开办1个工作日内办结。", [("企业开办", 1.0, "个工作日", "<=")]),
    ("建成区绿化覆盖率由38%提高至42%。", [("建成区绿化覆盖率", 42.0, "%", ">=")]),
    ("护理型床位占比提升至60%。", [("护理型床位占比", 60.0, "%", ">=")]),
])
def test_a_starting_figure_is_no_target(form, text, targets):
    """"由5个工作日压缩至3个工作日": one target, the figure reached, named by its subject."""
    targets_read = extract_targets(fold(form(text)))
    got = [(fold(g.label), g.value, g.measure, g.direction) for g in targets_read]
    assert got == targets and not any(g.growth for g in targets_read)  # (a level, not a growth)


@FORMS
def test_last_years_figures_under_a_target_heading_are_no_targets(form):
    """A line opening with a year under "主要预期目标" looks back: said, never a target."""
    r = parse_notice_text(HEAD + form("\n一、主要预期目标\n2020年,全区地区生产总值完成320亿元,增长5.2%。\n"
                                      "地区生产总值增长6%左右。\n二、重点任务\n1.推进甲。(责任单位:区发改局)\n"))
    assert [fold(lt.text) for lt in r.loose_targets] == ["地区生产总值增长6%左右。"]
    assert [f.line for f in r.findings if f.code == "text-before-items"] == [4]


@FORMS
def test_a_title_naming_other_work_beside_shishi_keeps_tasks(form):
    """"民生实事和重点项目": the 一、 items are not all 实事."""
    r = parse_notice_text(form("关于做好2021年民生实事和重点项目推进工作的通知\n一、推进区重点项目20个。(区发改局)\n"
                               "二、新建幼儿园2所。(区教育局)\n"))
    assert [t.kind for t in r.plan.tasks] == ["task", "task"]


@FORMS
def test_units_said_in_the_closing_clauses_without_a_bracket(form):
    """"…。由甲牵头,乙配合。", "…。责任单位为甲。", "…,乙负责。": read as the bracket they
    stand for (before: missing-responsibility); "…,企业负责" names no unit."""
    r = parse_notice_text(HEAD + form("一、重点任务\n1.地区生产总值增长6%。由区发改局牵头,区统计局配合。\n"
                                      "2.新建幼儿园3所。责任单位为区教育局。\n3.推进丁,区财政局负责。\n"
                                      "4.落实安全生产责任,企业负责。\n"))
    got = [(fold(t.text), t.lead_units, t.responsible_units) for t in r.plan.tasks]
    assert got == [("地区生产总值增长6%。", ["区发改局"], ["区统计局"]), ("新建幼儿园3所。", [], ["区教育局"]),
                   ("推进丁", [], ["区财政局"]), ("落实安全生产责任,企业负责。", [], [])]
    assert [f.task for f in r.findings if f.code == "missing-responsibility"] == ["4"]
