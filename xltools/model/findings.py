"""Findings: problems as data, with stable codes and Chinese messages from one catalogue."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR = "错误"  # blocks the value (or the plan) until fixed
WARNING = "警告"  # informs; the work goes on
INFO = "提示"

# code -> (severity, message template). Codes are stable: never rename a released one.
# Templates say where the problem is and what to do; {where} is filled in by render().
CATALOGUE: dict[str, tuple[str, str]] = {
    # plan invariants
    "unknown-unit": (ERROR, "{where}:任务 {task} 的单位“{value}”不在单位名单中。请在“单位”表中登记该单位(或把它作为别名加到已有单位),或改正任务中的单位名称。"),
    "duplicate-task-number": (ERROR, "{where}:任务序号 {value} 重复出现。每个任务的序号必须唯一,请改正其中一个。"),
    "empty-group": (ERROR, "{where}:单位分组“{value}”没有成员单位。请在“单位分组”表中填写成员,否则该分组承担的任务不会下发给任何单位。"),
    "unknown-group-member": (ERROR, "{where}:单位分组“{group}”的成员“{value}”不在单位名单中。请先在“单位”表中登记。"),
    "duplicate-unit": (ERROR, "{where}:单位名称或别名“{value}”重复登记。请合并为一个单位,或删去重复的别名。"),
    "task-without-unit": (WARNING, "{where}:任务 {task} 没有责任单位,不会出现在任何单位的报表中。请补填责任单位。"),
    "task-without-text": (ERROR, "{where}:任务 {task} 没有任务内容。请补填。"),
    "bad-task-kind": (ERROR, "{where}:任务 {task} 的类型“{value}”无效,应为“指标”“任务”或“民生实事”。"),
    "bad-unit-kind": (ERROR, "{where}:单位“{unit}”的类型“{value}”无效,应为 镇/街道/部门/企业/其他 之一。"),
    "bad-target-value": (ERROR, "{where}:任务 {task} 的量化指标目标值“{value}”不是数字。请填写数字(例如 8000)。"),
    "bad-period": (ERROR, "{where}:报送周期“{value}”无效:{reason}。"),
    "duplicate-period": (ERROR, "{where}:报送周期编号“{value}”重复。"),
    "no-periods": (WARNING, "{where}:计划中没有报送周期,无法生成季度报表。请在“报送周期”表中添加(例如 2019Q1)。"),
    "bad-matrix-value": (ERROR, "{where}:镇街目标“{row}”的“{column}”值“{value}”无法识别为数字。请填写数字、“\\”(不适用)或“118户、345人”式的复合值。"),
    "matrix-value-missing-measure": (WARNING, "{where}:镇街目标“{row}”的“{column}”值“{value}”缺少计量单位,已按表头“{measure}”理解,请核对原件。"),
    "matrix-total-mismatch": (WARNING, "{where}:“{column}”的合计“{value}”与各行之和 {expected} 不一致(相差 {diff})。请核对原件,xltools 不会自动改正。"),
    "matrix-unknown-town": (ERROR, "{where}:镇街目标的行“{row}”对应的单位“{value}”不在单位名单中。"),
    "missing-plan-sheet": (ERROR, "{where}:计划工作簿缺少工作表“{value}”。请使用 xltools 生成的计划模板。"),
    "bad-plan-header": (ERROR, "{where}:表头应为“{expected}”,实际为“{value}”。请不要修改计划工作簿的表头。"),
    "bad-plan-value": (ERROR, "{where}:值“{value}”无效:{reason}。"),
}


@dataclass
class Finding:
    """One problem found: where it is, what was found, and what to do."""

    code: str
    severity: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""  # "C7": A1 form, only at the user's edge
    unit: str = ""
    task: str = ""
    value: str = ""
    ref: str = ""  # internal locator (task number, "row\tcolumn key") for the I/O edge

    def where(self) -> str:
        parts = [p for p in (self.file, self.sheet) if p]
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        return " ".join(parts) or "计划"

    def to_dict(self) -> dict:
        return asdict(self)


def finding(code: str, *, file: str = "", sheet: str = "", cell: str = "", unit: str = "",
            task: object = "", value: object = "", ref: str = "", severity: str | None = None,
            **params: object) -> Finding:
    """Make a finding from the catalogue; the message names the place and the fix."""
    sev, template = CATALOGUE[code]
    f = Finding(code=code, severity=severity or sev, message="", file=file, sheet=sheet,
                cell=cell, unit=unit, task=str(task),
                value="" if value is None else str(value), ref=ref)
    f.message = render(template, f, params)
    return f


def render(template: str, f: Finding, params: dict) -> str:
    values = {"where": f.where(), "task": f.task, "unit": f.unit, "value": f.value, **params}
    return template.format(**values)


def relocate(f: Finding, *, file: str | None = None, sheet: str | None = None,
             cell: str | None = None) -> Finding:
    """The same finding placed in a file/sheet/cell (known only at the I/O edge)."""
    params = {k: v for k, v in vars(f).items()}
    if file is not None:
        params["file"] = file
    if sheet is not None:
        params["sheet"] = sheet
    if cell is not None:
        params["cell"] = cell
    old_where = f.where()
    moved = Finding(**params)
    moved.message = f.message.replace(old_where, moved.where(), 1)
    return moved


@dataclass
class Result:
    """A stage's product and the findings made on the way (pyxform style)."""

    value: object = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]
