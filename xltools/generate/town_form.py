"""The town indicator form (镇街指标表): one town's matrix targets and actuals for a period."""
from __future__ import annotations

from dataclasses import dataclass

from ..forms.owed import town_lines
from ..forms.registry import current
from ..forms.render import finish_form, table_checks, table_row
from ..forms.spec import FormSpec
from ..model import MatrixRow, Period, Plan
from ..model.glossary import FORM_TOWN, a1
from ..model.rates import direction_of, is_cumulative, rate_formula
from ..sheet.blocks import fit_row, safe_filename
from ..sheet.layout import Workbook
from .report_form import form_sheet


PATH_SEP = " \u203a "  # between the levels of a matrix column's name: 就业 › 新增就业
NO_RATE = "\u2014"  # the 完成率 of a line whose target is not a number


@dataclass(frozen=True)
class TownLine:
    """One target line of a town form: which matrix column (and composite part) it is."""

    column: str  # MatrixColumn.key
    part: str  # composite part measure (户 / 人), "" for a plain value
    target: float | None
    measure: str
    row: int


def town_filename(row: MatrixRow, period: Period) -> str:
    return f"{period.name}/" + safe_filename(f"镇街指标_{period.name}_{row.unit or row.label}")


def town_form(plan: Plan, row: MatrixRow, period: Period, fit: bool = True,
              spec: FormSpec | None = None) -> tuple[Workbook, list[TownLine]]:
    """The layout of one town's indicator form by `spec` (the current one by default);
    identity is embedded by the caller.

    fit=False leaves the line rows' heights unfitted (same cells; see report_form).
    """
    spec = spec or current(FORM_TOWN)
    name = row.unit or row.label
    title = plan.matrix.title or f"{plan.year}年各镇、街道经济社会发展目标"
    wb = Workbook(filename=town_filename(row, period), title=f"{title}{period.name}完成情况",
                  subject=name, company=plan.issuer)
    # (a matrix titled "…任务表" is the stem of "…任务完成情况表")
    heading = spec.title.format(matrix=title, matrix_stem=title.removesuffix("表"))
    sh, _, _, r = form_sheet(wb, spec, heading, period, name)
    actual, goal, rate = spec.col("累计完成"), spec.col("全年目标"), spec.col("完成率")
    lines: list[TownLine] = []
    for i, (col, part, target, measure, printed) in enumerate(town_lines(plan, row), start=1):
        indicator = PATH_SEP.join(col.path[1:]) or col.path[0]
        values = {"序号": str(i), "类别": col.path[0], "指标": indicator + (f"({part})" if part else ""),
                  "计量单位": measure, "全年目标": target}
        if target is not None:
            values["完成率"] = rate_formula(a1(r, actual), a1(r, goal),
                                         col.additive and is_cumulative(measure),
                                         direction_of(indicator))
        table_row(sh, r, spec.columns, values)
        if target is None:  # no number to rate against: the target as printed, no rate
            sh.write(r, goal, printed, "body_center", kind="string", guard=True)
            sh.write(r, rate, NO_RATE, "body_center", kind="string")
        if fit:
            fit_row(sh, r, [(indicator, spec.width(spec.label_key))], minimum=22)
        lines.append(TownLine(col.key, part, target, measure, r))
        r += 1
    table_checks(sh, r - len(lines), r - 1, spec.columns)
    finish_form(sh, r + 1, spec, plan, period, [
        "黄色单元格为填报区域,其余单元格已锁定;请勿增删行列或修改指标和目标值。",
        "“累计完成”填写年初至本期末的累计数;增幅类指标填写实际增幅(%),只填数字。",
        "复合指标(如扶贫工作“户、人”)按户数、人数分行填写。"])
    return wb, lines

