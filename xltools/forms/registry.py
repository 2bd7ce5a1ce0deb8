"""Every form spec ever sent out, by kind and version, and which one is current.

A version, once forms went out under it, is never edited: a changed layout is a new version
added here and made current, so returns of the old one still collect by their own spec.
"""
from __future__ import annotations

import dataclasses

from ..model.glossary import FORM_REPORT, FORM_TOWN, FORM_WORKPLAN
from ..model.plan import ROLE_LEAD
from .spec import (COMPUTED, LIST, NEXT_PERIOD, NUMBER, PERCENT, PERIOD_FORM, TEXT, THIS_PERIOD,
                   Check, Column, FormSpec, HeaderField)

STATUSES = ("已完成", "序时推进", "滞后", "未启动")  # what a unit may choose on its report form
_ACTUAL = "累计完成"
_NUMBER_ONLY = dict(kind="decimal", minimum=-1e12, maximum=1e12, prompt_title=_ACTUAL,
                    error_title="请填数字", error="累计完成只能填写数字。")

# 填报单位 (guarded) over A:C; labels in D and G, inputs in E:F and H (report and town)
_FILLER_FIELDS = (
    HeaderField("填报单位", "填报单位:", 0, 0, 2, guarded=True, inline=True),
    HeaderField("填报人", "填报人:", 0, 4, 5, Check(prompt_title="填报人", prompt="请填写填报人姓名。")),
    HeaderField("联系电话", "联系电话:", 0, 7, 7,
                Check(prompt_title="联系电话", prompt="请填写填报人的联系电话(手机或座机)。")),
    HeaderField("填报日期", "填报日期:", 1, 4, 5,
                Check(prompt_title="填报日期", prompt="请填写填报日期,例如 2019-04-08。")),
)

REPORT_V1 = FormSpec(
    FORM_REPORT, 1, "季度报表",
    columns=(
        Column("序号", "序号", 6, style="body_center"),
        Column("任务内容", "任务内容", 44),
        Column("责任类型", "责任\n类型", 6, style="body_center"),
        Column("完成情况", "本季度完成情况", 36, TEXT, "input", Check(
            prompt_title="本季度完成情况", prompt="简要填写本季度工作推进和完成情况,有数字的请写明数字。")),
        Column("完成进度", "完成进度\n(%)", 9, PERCENT, "input_center", Check(
            "decimal", "完成进度(%)", "填写 0—100 之间的数字,例如 80 表示已完成全年任务的 80%。",
            0, 100, error_title="完成进度无效", error="请输入 0 到 100 之间的数字。")),
        Column("状态", "状态", 10, LIST, "input_center", Check(
            "list", "状态", "请从下拉列表中选择:" + "/".join(STATUSES), source=STATUSES,
            error_title="状态无效", error="请从下拉列表中选择。")),
        Column("存在问题", "存在问题", 22, TEXT, "input", Check(
            prompt_title="存在问题", prompt="填写推进中遇到的困难和问题;没有请填“无”。")),
        Column("下一步计划", "下一步推进计划", 24, TEXT, "input", Check(
            prompt_title="下一步推进计划", prompt="填写下一季度的推进措施和时间安排。")),
    ),
    fields=_FILLER_FIELDS, label_key="任务内容", header_height=32, freeze_col=2,
    targets=(
        Column("序号", "任务\n序号", 0, style="body_center"),
        Column("量化指标", "量化指标", 0),
        Column("计量单位", "计量\n单位", 0, style="body_center"),
        Column("全年目标", "全年目标", 0, style="body_number"),
        Column(_ACTUAL, _ACTUAL, 0, NUMBER, "input_number", Check(
            **_NUMBER_ONLY, prompt="填写年初至本期末的累计完成数(只填数字,单位见“计量单位”列)。")),
        Column("完成率", "完成率", 0, COMPUTED, "computed_percent"),
        Column("说明", "说明", 0, TEXT, "input", span=2),
    ),
    target_title="量化指标完成情况(填写年初至本期末的累计数)", target_label_key="量化指标",
    title="{plan}落实情况报表")

# v2: the 量化指标 table on a sheet of its own, under its own title and print titles
REPORT_V2 = dataclasses.replace(
    REPORT_V1, version=2, target_sheet="量化指标",
    targets=tuple(dataclasses.replace(c, width=w, span=1) for c, w in zip(
        REPORT_V1.targets, (8, 56, 10, 14, 14, 10, 45))))

# v3: a half-year, monthly or yearly form names its own period (上半年完成情况), where v2
# headed every form 本季度完成情况; a quarter's form is as v2's
REPORT_V3 = dataclasses.replace(REPORT_V2, version=3, columns=tuple(
    c.reworded(lambda t: t.replace("下一季度", NEXT_PERIOD).replace("本季度", THIS_PERIOD))
    for c in REPORT_V2.columns))

# v4: the sheet is named as the form of its period (半年报表), where v3 named every one 季度报表;
# a target's figure is asked only of its task's lead (the one the 汇总表 takes), where v3 asked
# every unit of the task
REPORT_V4 = dataclasses.replace(REPORT_V3, version=4, sheet=PERIOD_FORM, target_roles=(ROLE_LEAD,))

TOWN_V1 = FormSpec(
    FORM_TOWN, 1, "镇街指标",
    columns=(
        Column("序号", "序号", 6, style="body_center"),
        Column("类别", "类别", 16),
        Column("指标", "指标", 40),
        Column("计量单位", "计量单位", 10, style="body_center"),
        Column("全年目标", "全年目标", 14, style="body_number"),
        Column(_ACTUAL, _ACTUAL, 14, NUMBER, "input_number", Check(
            **_NUMBER_ONLY, prompt="填写年初至本期末的累计完成数或实际增幅,只填数字。")),
        Column("完成率", "完成率", 10, COMPUTED, "computed_percent"),
        Column("说明", "说明", 24, TEXT, "input", Check(prompt_title="说明", prompt="需要说明的情况(可不填)。")),
    ),
    fields=_FILLER_FIELDS, label_key="指标", title="{matrix}完成情况表")

# v2: a matrix titled "…任务表" gives "…任务完成情况表", where v1 doubled the 表
TOWN_V2 = dataclasses.replace(TOWN_V1, version=2, title="{matrix_stem}完成情况表")

WORKPLAN_V1 = FormSpec(
    FORM_WORKPLAN, 1, "办理方案",
    columns=(
        Column("序号", "序号", 8, style="body_center"),
        Column("责任事项", "责任事项", 46),
        Column("具体工作内容", "具体工作内容", 50, TEXT, "input", Check(
            prompt_title="具体工作内容", prompt="请写明落实该事项的具体措施、工作节点和预期成效。")),
        Column("完成时限", "完成时限", 14, TEXT, "input_center", Check(
            prompt_title="完成时限", prompt="请填写完成时限,如:2019年6月底、2019年12月31日。")),
        Column("分管领导", "分管领导", 12, TEXT, "input_center", Check(
            prompt_title="分管领导", prompt="请填写本单位分管该事项的领导姓名。")),
        Column("责任科室", "责任科室", 14, TEXT, "input_center", Check(
            prompt_title="责任科室", prompt="请填写具体承办该事项的科室(股室)名称。")),
    ),
    fields=(HeaderField("单位", "单位:", 0, 1, 1, guarded=True),
            HeaderField("总责任人", "总责任人:", 0, 3, 4, Check(
                prompt_title="总责任人", prompt="请填写本单位总责任人(一般为单位主要负责人)的姓名和职务。"))),
    label_key="责任事项", field_height=28, title="{unit}{plan}办理方案")

SPECS: dict[tuple[str, int], FormSpec] = {(s.kind, s.version): s
                                          for s in (REPORT_V1, REPORT_V2, REPORT_V3, REPORT_V4, TOWN_V1,
                                                    TOWN_V2, WORKPLAN_V1)}
CURRENT: dict[str, FormSpec] = {s.kind: s for s in (REPORT_V4, TOWN_V2, WORKPLAN_V1)}


def current(kind: str) -> FormSpec:
    """The spec new forms of this kind are generated with."""
    return CURRENT[kind]


def spec(kind: str, version: int) -> FormSpec | None:
    """The spec a form was sent under; None for a kind or version this xltools does not know."""
    return SPECS.get((kind, version))


def all_specs() -> list[FormSpec]:
    """Every known spec, current ones first (content identification tries them in order)."""
    return [*CURRENT.values(), *(s for s in SPECS.values() if s not in CURRENT.values())]

