"""Finding codes of reading a notice as printed: annotations, sentence-like names, empty groups."""
from __future__ import annotations

ERROR, WARNING, INFO = "错误", "警告", "提示"

CODES: dict[str, tuple[str, str]] = {
    "unit-annotation-note": (INFO, "{where}第{line}行:任务 {task} 单位名单中的说明“{value}”已记为该任务的备注,不作为单位名称{rule}。"),
    "unit-name-sentence": (WARNING, "{where}第{line}行:任务 {task} 的“{value}”读起来是一句说明而不是单位名称,未作为责任单位,也不会为它生成表格。请核对原文,在计划中改正该任务的单位。"),
    "group-empty-fill": (ERROR, "{where}:单位分组“{value}”没有成员,它承担的任务({tasks})不会下发给任何单位。请在计划文件“单位分组”表中填写成员,或运行 xltools units 计划文件 add-member {value} 单位1 单位2 …"),
    "generate-empty-groups": (ERROR, "{where}:以下单位分组没有成员,它们承担的任务不会下发给任何单位,本次没有生成任何文件:{groups}。请在计划文件“单位分组”表中填写成员,或运行 xltools units 计划文件 add-member 组名 单位1 单位2 …,然后重新生成。"),
}
