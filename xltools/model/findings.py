"""Findings: problems as data, with stable codes and Chinese messages from one catalogue."""
from __future__ import annotations

import difflib
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
    # parsing a notice (xltools parse): {line} is the line of the notice file
    "notice-unreadable": (ERROR, "{where}:无法读取通知文件“{value}”({reason})。请确认文件完整,或另存为 .docx 或 .txt 后重试。"),
    "register-unreadable": (ERROR, "{where}:无法读取单位名单“{value}”({reason})。请使用 .yaml 或 .json 格式的单位名单(含 units、groups),本次按通知自行整理单位。"),
    "notice-needs-libreoffice": (ERROR, "{where}:读取 {value} 格式的通知需要 LibreOffice,但本机未安装。请安装 LibreOffice,或在 WPS/Word 中另存为 .docx 后重试。"),
    "notice-encoding-damaged": (WARNING, "{where}:通知文本编码无法完全识别,有 {value} 个字符已替换为“�”。请核对原文,或另存为 UTF-8 文本后重试。"),
    "no-items-found": (ERROR, "{where}:未在通知中找到任何编号的任务(如“1.……(责任单位:……)”)。请确认文件是任务分解通知,必要时把附件正文复制为 .txt 后重试。"),
    "web-junk-removed": (INFO, "{where}:已删除网页残留内容(面包屑、阅读次数、打印/关闭、评论框、广告等)共 {value} 行,行号:{lines}。如误删了正文,请核对原文。"),
    "stray-text": (WARNING, "{where}第{line}行:“{value}”不属于任何编号任务,已忽略。如它是任务内容的一部分,请在计划中补上。"),
    "item-number-gap": (WARNING, "{where}第{line}行:任务序号 {task} 紧跟在 {previous} 之后,序号不连续。请核对原文是否漏项或重号。"),
    "missing-responsibility": (WARNING, "{where}第{line}行:任务 {task} 没有写明责任单位。请在计划中补填,否则该任务不会下发给任何单位。"),
    "responsibility-from-heading": (INFO, "{where}第{line}行:任务 {task} 本身未写责任单位,已沿用所属标题“{value}”中的责任单位。"),
    "unclosed-bracket": (WARNING, "{where}第{line}行:任务 {task} 的责任单位括号没有闭合,已把括号后到该任务结尾的文字都当作责任单位:“{value}”。请核对。"),
    "run-together-units": (WARNING, "{where}第{line}行:任务 {task} 的“{value}”可能是几个单位连写(可能为:{parts}),无法确定,已原样保留。请在计划中改正或在单位名单中登记。"),
    "run-together-units-split": (INFO, "{where}第{line}行:任务 {task} 的“{value}”是几个单位连写,已拆分为:{parts}。"),
    "unit-alias-recorded": (INFO, "{where}第{line}行:“{value}”与“{canonical}”视为同一单位,已记为别名。如不是同一单位,请在单位名单中分别登记。"),
    "ambiguous-unit-alias": (WARNING, "{where}第{line}行:“{value}”与“{candidates}”相似,无法确定是否同一单位,未合并。请确认后在单位名单中登记别名或单独登记。"),
    "unresolved-unit": (WARNING, "{where}第{line}行:{kind}“{value}”(任务 {task})不在单位名单中。请在单位名单中登记(或作为别名加到已有单位)。"),
    "group-members-inferred": (INFO, "{where}:单位分组“{value}”的 {count} 个成员取自{basis},请核对。"),
    "group-members-unknown": (WARNING, "{where}:无法从通知中确定单位分组“{value}”包含哪些单位。请在“单位分组”中填写成员,否则该分组承担的任务不会下发。"),
    "unnumbered-targets": (INFO, "{where}第{line}行:未编号的目标段落“{value}”含 {count} 个量化指标,已列入指标清单;它没有责任单位,不作为任务下发。如需报送,请在计划中补充任务。"),
    "annex2-unit-unknown": (WARNING, "{where}第{line}行:附件2中的单位“{value}”在附件1中没有出现。请核对单位名称。"),
    "annex2-task-mismatch": (WARNING, "{where}第{line}行:附件2把任务 {task} 列在“{unit}”名下,但附件1中任务 {task} 的责任单位是“{value}”。请核对以哪一份为准。"),
    "annex2-task-missing": (WARNING, "{where}第{line}行:附件1中任务 {task} 的责任单位包括“{unit}”,但附件2中“{unit}”名下没有该任务。请核对。"),
    "annex2-unit-missing": (INFO, "{where}:附件1中的责任单位“{value}”在附件2中没有对应的任务表(任务 {tasks})。"),
    "annex2-unknown-task": (WARNING, "{where}第{line}行:附件2中“{unit}”名下的任务序号 {task} 在附件1中不存在。请核对。"),
    "annex2-text-mismatch": (WARNING, "{where}第{line}行:附件2中“{unit}”名下的任务 {task} 印的是任务 {value} 的内容。请核对以哪一份为准。"),
    "annex2-text-differs": (INFO, "{where}第{line}行:附件2中“{unit}”名下任务 {task} 的文字与附件1不同:附件1为“{annex1}”,附件2为“{annex2}”。"),
    "annex2-leader-conflict": (WARNING, "{where}第{line}行:附件2中“{unit}”的责任领导既写作“{value}”又写作“{other}”。请确认。"),
    "matrix-row-length": (WARNING, "{where}第{line}行:附件3第{table}表中“{row}”有 {value} 个数值,表头为 {expected} 列。请核对该行是否缺项或多项。"),
    "matrix-header-inferred": (INFO, "{where}第{line}行:附件3第{table}表的表头是多层合并单元格,已按文字推断出 {value} 列的归属。请核对“镇街目标”各列的名称。"),
    "matrix-header-unread": (WARNING, "{where}第{line}行:无法识别附件3第{table}表的表头({value} 列),已按列序号命名。请在计划中补填列名称。"),
    "periods-from-notice": (INFO, "{where}:报送周期按通知的规定设置({value}):“{rule}”。"),
    "periods-default": (INFO, "{where}:通知未规定报送时间,已按 {value} 年四个季度、每季度结束后次月10日截止设置报送周期。如有不同,请在计划中修改。"),
    "year-not-found": (WARNING, "{where}:无法从通知中确定年度。请在计划中填写年度。"),
    "item-number-duplicate": (WARNING, "{where}第{line}行:任务序号 {value} 重复出现,这一项已改记为 {task}(表格中的序号须唯一)。请核对原文是否重号。"),
    "table-row-short": (WARNING, "{where}第{line}行:任务 {task} 在表格中只有 {value} 个单元格(表头 {expected} 列:{columns}),已按内容和顺序对应为:{assigned}。请核对牵头单位、责任单位是否对应正确。"),
    "table-row-unnumbered": (WARNING, "{where}第{line}行:表格中“{value}”前没有序号,已作为上一项任务的续行。请核对。"),
    "annex1-table-read": (INFO, "{where}:附件1是表格(表头:{value}),已按表格读取 {count} 项任务。"),
    # writing outputs
    "file-name-shortened": (INFO, "{where}:{unit}的文件名过长,已缩短为“{value}”,以免超出 Windows 的路径长度上限(260 个字符)。末尾的 6 位编号区分名称开头相同的文件。"),
    "leader-in-responsibility": (INFO, "{where}第{line}行:任务 {task} 写明了责任领导“{value}”,已单独记录,不作为责任单位。"),
}

# Each collect stage keeps its codes in its own module; one catalogue serves them all.
from .codes_intake import CODES as _INTAKE  # noqa: E402
from .codes_validate import CODES as _VALIDATE  # noqa: E402
from .codes_run import CODES as _RUN  # noqa: E402
from .codes_register import CODES as _REGISTER  # noqa: E402
from .codes_notice import CODES as _NOTICE  # noqa: E402
from .codes_tables import CODES as _TABLES  # noqa: E402

for _codes in (_INTAKE, _VALIDATE, _RUN, _REGISTER, _NOTICE, _TABLES):
    _clash = set(_codes) & set(CATALOGUE)
    if _clash:
        raise RuntimeError(f"finding codes defined twice: {sorted(_clash)}")
    CATALOGUE.update(_codes)


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

    def bare_message(self) -> str:
        """The message without its leading place: for tables printing file, sheet and cell
        in columns of their own."""
        where = self.where()
        if self.message.startswith(where) and self.message[len(where):len(where) + 1] in (":", "\uff1a"):
            return self.message[len(where) + 1:]
        return self.message

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
    if "{change}" in template:
        values["change"] = describe_change(str(params.get("expected", "")), f.value)
    return template.format(**values)


Q1, Q2 = "\u201c", "\u201d"  # the quotation marks of the messages
SHORT_TEXT = 20  # a text this short is quoted whole, before and after: easier than a diff


def describe_change(before: str, after: str) -> str:
    """What was done to a guarded text, as a clerk says it: only the difference
    (末尾添加了“(已完成大部分)”), the whole texts only when most of it changed."""
    if not after:
        return f"原内容{Q1}{before}{Q2}已被清空"
    ops = [op for op in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    changed = sum(max(a1 - a0, b1 - b0) for _, a0, a1, b0, b1 in ops)
    if (len(before) <= SHORT_TEXT or not ops or len(ops) > 3
            or (len(ops) > 1 and changed > 0.5 * len(before))):
        return f"下发时为{Q1}{before}{Q2},现在是{Q1}{after}{Q2}"
    parts = []
    for op, a0, a1, b0, b1 in ops:
        if op == "insert":
            at = "末尾" if a0 == len(before) else "开头" if a0 == 0 else f"{Q1}{before[max(0, a0 - 6):a0]}{Q2}之后"
            parts.append(f"在{at}添加了{Q1}{after[b0:b1]}{Q2}")
        elif op == "delete":
            parts.append(f"删去了{Q1}{before[a0:a1]}{Q2}")
        else:
            parts.append(f"{Q1}{before[a0:a1]}{Q2}改成了{Q1}{after[b0:b1]}{Q2}")
    return ",".join(parts)


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
