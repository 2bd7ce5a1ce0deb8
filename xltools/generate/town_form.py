"""The town indicator form (镇街指标表): one town's matrix targets and actuals for a period."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import MatrixColumn, MatrixRow, Period, Plan, column_measures, parse_value
from ..model.rates import direction_of, is_cumulative, rate_formula
from ..sheet.blocks import (date_cn, finish_form, fit_row, header_fields, header_row, safe_filename,
                     title_block)
from ..sheet.layout import Sheet, Validation, Workbook, a1

SHEET = "镇街指标"
COLUMNS = ["序号", "类别", "指标", "计量单位", "全年目标", "累计完成", "完成率", "说明"]
WIDTHS = [6, 16, 40, 10, 14, 14, 10, 24]
ACTUAL_COL = 5


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


def town_lines(plan: Plan, row: MatrixRow) -> list[tuple[MatrixColumn, str, float | None, str, str]]:
    """(column, part, target, measure, printed) for each applicable value of a town."""
    m = plan.matrix
    out = []
    for col in m.columns:
        printed = m.value(row.label, col.key)
        v = parse_value(printed, column_measures(m, col.key))
        if v.kind in ("na", "empty"):
            continue
        if v.kind == "composite":
            for part, x in v.parts.items():
                out.append((col, part, x, part, printed))
        elif v.kind in ("number", "percent"):
            out.append((col, "", v.number, "%" if v.kind == "percent" else col.measure, printed))
        else:
            out.append((col, "", None, col.measure, printed))
    return out


def town_form(plan: Plan, row: MatrixRow, period: Period,
              fit: bool = True) -> tuple[Workbook, list[TownLine]]:
    """The layout of one town's indicator form; identity is embedded by the caller.

    fit=False leaves the line rows' heights unfitted (same cells; see report_form).
    """
    name = row.unit or row.label
    title = plan.matrix.title or f"{plan.year}年各镇、街道经济社会发展目标"
    wb = Workbook(filename=town_filename(row, period), title=f"{title}{period.name}完成情况",
                  subject=name, company=plan.issuer)
    sh = wb.add_sheet(SHEET)
    sh.widths(WIDTHS)
    ncols = len(COLUMNS)
    r = title_block(sh, ncols, f"{title}完成情况表",
                    f"({period.name},报送截止日期:{date_cn(period.deadline)})")
    header_fields(sh, r, name)
    r += 2
    head = r
    r = header_row(sh, r, COLUMNS)
    lines: list[TownLine] = []
    for i, (col, part, target, measure, printed) in enumerate(town_lines(plan, row), start=1):
        _line(sh, r, i, col, part, target, measure, printed, fit)
        lines.append(TownLine(col.key, part, target, measure, r))
        r += 1
    if lines:
        sh.validate(Validation(lines[0].row, ACTUAL_COL, lines[-1].row, ACTUAL_COL, "decimal",
                               minimum=-1e12, maximum=1e12, prompt_title="累计完成",
                               prompt="填写年初至本期末的累计完成数或实际增幅,只填数字。",
                               error_title="请填数字", error="累计完成只能填写数字。"))
        sh.validate(Validation(lines[0].row, 7, lines[-1].row, 7, "any", prompt_title="说明",
                               prompt="需要说明的情况(可不填)。"))
    finish_form(sh, r + 1, ncols, head, 0, plan, period, [
        "黄色单元格为填报区域,其余单元格已锁定;请勿增删行列或修改指标和目标值。",
        "“累计完成”填写年初至本期末的累计数;增幅类指标填写实际增幅(%),只填数字。",
        "复合指标(如扶贫工作“户、人”)按户数、人数分行填写。"])
    return wb, lines


def _line(sh: Sheet, r: int, i: int, col: MatrixColumn, part: str, target: float | None,
          measure: str, printed: str, fit: bool = True) -> None:
    indicator = " › ".join(col.path[1:]) or col.path[0]
    sh.write(r, 0, str(i), "body_center", kind="string", guard=True)
    sh.write(r, 1, col.path[0], "body", kind="string", guard=True)
    sh.write(r, 2, indicator + (f"({part})" if part else ""), "body", kind="string", guard=True)
    sh.write(r, 3, measure, "body_center", kind="string", guard=True)
    if target is None:
        sh.write(r, 4, printed, "body_center", kind="string", guard=True)
    else:
        sh.write(r, 4, target, "body_number", kind="number", guard=True)
    sh.write(r, ACTUAL_COL, "", "input_number")
    if target is not None:
        cumulative = col.additive and is_cumulative(measure)
        sh.write(r, 6, rate_formula(a1(r, ACTUAL_COL), a1(r, 4), cumulative, direction_of(indicator)),
                 "computed_percent", kind="formula")
    else:
        sh.write(r, 6, "—", "body_center", kind="string")
    sh.write(r, 7, "", "input")
    if fit:
        fit_row(sh, r, [(indicator, WIDTHS[2])], minimum=22)
