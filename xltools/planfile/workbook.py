"""plan.xlsx: the plan as a workbook a clerk edits, and back. Pure: rows in, rows out."""
from __future__ import annotations

from dataclasses import dataclass

from ..sheet.blocks import header_row, title_block
from ..model.glossary import FW_COMMA, FW_SEMICOLON, a1
from ..model.identity import canonical_text as text  # a cell as the clerk typed it (1.0 -> "1")
from ..sheet.layout import Check, Sheet, Workbook
from ..model import (DIRECTION_LABELS, SECTION_SEP, TASK_KIND_LABELS, UNIT_KINDS, Finding,
                     Group, MatrixColumn, MatrixRow, Period, Plan, Target, Task, TownMatrix,
                     Unit, check_plan, finding, relocate)

SEP = "、"
ALIAS_SEP = ";"  # aliases may contain 、 themselves (各镇、街办), so they get their own separator
YES, NO = "是", "否"
ROW_KIND_LABELS = {"town": "镇街", "other": "区直及其他", "total": "合计"}
KIND_BY_LABEL = {v: k for k, v in TASK_KIND_LABELS.items()}
DIRECTION_BY_LABEL = {v: k for k, v in DIRECTION_LABELS.items()}
ROW_KIND_BY_LABEL = {v: k for k, v in ROW_KIND_LABELS.items()}


@dataclass(frozen=True)
class Table:
    """One data sheet of plan.xlsx: its name, headers and column widths."""

    name: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    optional: int = 0  # trailing columns a plan.xlsx written before they existed may lack


INFO = Table("基本信息", ("项目", "内容"), (30, 60))
TASKS = Table("任务", ("序号", "类型", "所属章节", "任务内容", "牵头单位", "责任单位", "完成时限",
                      "责任领导", "原文序号", "备注"),
              (8, 10, 30, 70, 20, 40, 12, 10, 8, 30), optional=3)
TARGETS = Table("量化指标", ("任务序号", "指标名称", "目标值", "计量单位", "方向", "增幅类", "原文"),
                (8, 30, 12, 10, 10, 8, 40))
UNITS = Table("单位", ("单位名称", "类型", "别名", "责任领导", "联系人", "联系电话", "电子邮箱"),
              (26, 8, 36, 12, 12, 16, 24))
GROUPS = Table("单位分组", ("分组名称", "成员单位", "别名"), (26, 90, 30))
COLUMNS = Table("镇街指标列", ("列编号", "分表", "类别与指标", "计量单位", "可加总"),
                (8, 6, 60, 10, 8))
MATRIX = "镇街目标"
MATRIX_FIXED = ("行名称", "行类型", "对应单位")
PERIODS = Table("报送周期", ("编号", "名称", "开始日期", "结束日期", "截止日期"), (10, 20, 12, 12, 12))
INFO_KEYS = {"title": "标题", "year": "年度", "issuer": "督办单位", "doc_number": "文号",
             "plan_id": "计划编号", "first_responsible_leads": "无牵头单位时由第一责任单位牵头",
             "matrix_title": "镇街目标标题", "breakdown_title": "附件1标题"}
FIRST_DATA_ROW = 2  # row 0 title, row 1 headers


def plan_workbook(plan: Plan, filename: str = "plan.xlsx") -> Workbook:
    """The plan as an editable workbook: one sheet per table, Chinese headers, dropdowns."""
    wb = Workbook(filename=filename, title=f"{plan.title} 计划", subject="xltools 计划",
                  company=plan.issuer)
    _readme(wb.add_sheet("说明"))
    m = plan.matrix
    info = {"title": plan.title, "year": str(plan.year), "issuer": plan.issuer,
            "doc_number": plan.doc_number, "plan_id": plan.plan_id,
            "first_responsible_leads": YES if plan.first_responsible_leads else NO,
            "matrix_title": m.title if m else "", "breakdown_title": plan.breakdown_title}
    _table(wb, INFO, [[INFO_KEYS[k], v] for k, v in info.items()])
    _table(wb, TASKS, [[t.number, TASK_KIND_LABELS.get(t.kind, t.kind), SECTION_SEP.join(t.section),
                        t.text, SEP.join(t.lead_units), SEP.join(t.responsible_units), t.deadline,
                        t.lead_leader, t.printed, t.notes]
                       for t in plan.tasks],
           lists={1: list(TASK_KIND_LABELS.values())})
    _table(wb, TARGETS, [[t.number, g.label, g.value, g.measure,
                          DIRECTION_LABELS.get(g.direction, g.direction), YES if g.growth else NO,
                          g.text] for t in plan.tasks for g in t.targets],
           lists={4: list(DIRECTION_LABELS.values()), 5: [YES, NO]})
    _table(wb, UNITS, [[u.name, u.kind, join_aliases(u.aliases), u.leader, u.contact, u.phone, u.email]
                       for u in plan.units], lists={1: list(UNIT_KINDS)})
    _table(wb, GROUPS, [[g.name, SEP.join(g.members), join_aliases(g.aliases)]
                        for g in plan.groups])
    if m is not None:
        _table(wb, COLUMNS, [[c.key, str(c.table), SECTION_SEP.join(c.path), c.measure,
                              YES if c.additive else NO] for c in m.columns],
               lists={4: [YES, NO]})
        _matrix_sheet(wb, m)
    _table(wb, PERIODS, [[p.id, p.name, p.start, p.end, p.deadline] for p in plan.periods])
    return wb


def _readme(sh: Sheet) -> None:
    lines = ["本工作簿是 xltools 的计划文件,可以直接编辑后再用于生成报表。",
             "“任务”表:每行一个任务;牵头单位、责任单位用顿号“、”分隔,写法与通知原文一致(可以写单位分组,如“各镇人民政府”);“序号”是报表使用的唯一编号,“原文序号”是通知中印的编号(与序号相同时留空),“备注”是通知在单位后的说明(如“分别牵头”)。",
             "“量化指标”表:任务中的数量目标,季度报表会要求填报累计完成数。",
             "“单位”表:单位的规范名称、别名(多个别名用分号“;”分隔)、责任领导和联系方式;排列顺序即附件2和发送清单的顺序。",
             "“单位分组”表:通知中的集合称谓及其成员单位。",
             "“镇街指标列”和“镇街目标”表:附件3的指标及各镇街目标值,按原文填写(“\\”表示不适用)。",
             "“报送周期”表:编号形如 2019Q1(季度)、2019H1(半年)、2019M04(月)。",
             "请不要修改表头和工作表名称。修改后可运行 xltools check 检查。"]
    sh.widths([110])
    sh.write(0, 0, "计划文件说明", "title")
    for i, line in enumerate(lines, start=1):
        sh.write(i, 0, line, "note", kind="string")
        sh.row_heights[i] = 30


def _table(wb: Workbook, table: Table, rows: list[list], lists: dict | None = None) -> None:
    sh = wb.add_sheet(table.name)
    ncols = len(table.headers)
    title_block(sh, ncols, table.name)
    header_row(sh, 1, list(table.headers), height=22)
    for r, values in enumerate(rows, start=FIRST_DATA_ROW):
        for c, v in enumerate(values):
            number = isinstance(v, (int, float)) and not isinstance(v, bool)
            sh.write(r, c, v, "body_number" if number else "body", kind="number" if number else "string")
    sh.widths(list(table.widths))
    last = max(FIRST_DATA_ROW + len(rows) + 200, 500)
    for col, options in (lists or {}).items():
        sh.validate(Check("list", table.headers[col], "请从下拉列表中选择。", source=tuple(options),
                          error_title="值无效", error="请从下拉列表中选择。"),
                    FIRST_DATA_ROW, col, last, col)
    sh.freeze = (FIRST_DATA_ROW, 0)
    sh.autofilter = (1, 0, max(1, FIRST_DATA_ROW + len(rows) - 1), ncols - 1)


def _matrix_sheet(wb: Workbook, m: TownMatrix) -> None:
    sh = wb.add_sheet(MATRIX)
    keys = [c.key for c in m.columns]
    title_block(sh, len(MATRIX_FIXED) + len(keys), MATRIX)
    header_row(sh, 1, list(MATRIX_FIXED) + keys, height=22)
    for i, c in enumerate(m.columns):
        sh.write(2, len(MATRIX_FIXED) + i, c.label + (f"({c.measure})" if c.measure else ""),
                 "header", kind="string")
    sh.write(2, 0, "(指标名称)", "header")
    sh.row_heights[2] = 60
    for r, row in enumerate(m.rows, start=3):
        fixed = (row.label, ROW_KIND_LABELS[row.kind], row.unit)
        sh.write_cells(r, 0, [(v, "body", "string") for v in fixed]
                       + [(m.value(row.label, k), "body_center", "string") for k in keys])
    sh.widths([14, 10, 14] + [12] * len(keys))
    sh.validate(Check("list", source=tuple(ROW_KIND_LABELS.values())),
                3, 1, 3 + len(m.rows) + 50, 1)
    sh.freeze = (3, 1)


# -- reading --------------------------------------------------------------------------

class _Reader:
    """Reads the sheets of plan.xlsx (rows of plain values) into a plan, noting problems."""

    def __init__(self, sheets: dict[str, list[list]], filename: str):
        self.sheets = sheets
        self.file = filename
        self.findings: list[Finding] = []
        self.where: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, key) -> (sheet, cell)
        self.task_rows: dict[str, int] = {}  # task number -> its (first) row in 任务

    def rows(self, table: Table, kind: str = "") -> list[tuple[int, list[str]]]:
        """Rows with any text as (row, texts); with `kind`, each one's first cell noted in `where`."""
        data = self.sheets.get(table.name)
        if data is None:
            self.findings.append(finding("missing-plan-sheet", file=self.file, value=table.name))
            return []
        header = [text(x) for x in (data[1] if len(data) > 1 else [])] + [""] * len(table.headers)
        for c, (want, got) in enumerate(zip(table.headers, header)):
            if got == "" and c >= len(table.headers) - table.optional:
                continue  # an older plan.xlsx without the optional column
            if got != want:
                self.findings.append(finding("bad-plan-header", file=self.file, sheet=table.name,
                                             cell=a1(1, c), value=got, expected=want))
        width = len(table.headers)
        rows = [(r, [text(x) for x in data[r]] + [""] * width) for r in range(FIRST_DATA_ROW, len(data))]
        rows = [(r, values) for r, values in rows if any(values[:width])]
        if kind:
            self.where.update({(kind, values[0]): (table.name, a1(r, 0)) for r, values in rows})
        return rows

    def bad(self, sheet: str, r: int, c: int, value: str, reason: str) -> None:
        self.findings.append(finding("bad-plan-value", file=self.file, sheet=sheet, cell=a1(r, c),
                                     value=value, reason=reason))

    def integer(self, sheet: str, r: int, c: int, value: str, default: int, reason: str) -> int:
        """A whole number typed in a cell; `default` when empty, or when not one (noted)."""
        try:
            return int(value or default)
        except ValueError:
            self.bad(sheet, r, c, value, reason)
            return default


# what a clerk types between unit names instead of 、: commas and semicolons, either width
# (no unit name holds one: the parser splits names at them)
_SLIPS = str.maketrans({",": SEP, ";": SEP, FW_COMMA: SEP, FW_SEMICOLON: SEP})


def split(s: str, known: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Split a 、-separated list; names that contain 、 themselves (各镇、街道) stay whole."""
    tokens = [p.strip() for p in s.translate(_SLIPS).split(SEP) if p.strip()]
    run = len(tokens) if len(tokens) <= 8 else \
        1 + max((n.count(SEP) for n in known if SEP in n), default=0)  # no known name is longer
    out, i = [], 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + run), i, -1):  # longest known run first
            joined = SEP.join(tokens[i:j])
            if j - i == 1 or joined in known:
                out.append(joined)
                i = j
                break
    return out


def plan_from_sheets(sheets: dict[str, list[list]], filename: str = "plan.xlsx") -> tuple[Plan | None, list[Finding]]:
    """Build a plan from plan.xlsx rows; findings name sheet and cell. None if unusable."""
    rd = _Reader(sheets, filename)
    by_label = {v: k for k, v in INFO_KEYS.items()}
    meta = {by_label[row[0]]: row[1] for _, row in rd.rows(INFO) if row[0] in by_label}
    year = rd.integer(INFO.name, FIRST_DATA_ROW + 1, 1, meta.get("year", ""), 0, "年度应为四位数字")
    units = [Unit(name=v[0], kind=v[1] or "部门", aliases=split_aliases(v[2]), leader=v[3],
                  contact=v[4], phone=v[5], email=v[6]) for _, v in rd.rows(UNITS, "unit")]
    group_rows = rd.rows(GROUPS, "group")
    known = {n for u in units for n in [u.name, *u.aliases]} | {v[0] for _, v in group_rows}
    groups = [Group(name=v[0], members=split(v[1], known), aliases=split_aliases(v[2])) for _, v in group_rows]
    known |= {a for g in groups for a in g.aliases}
    tasks: list[Task] = []
    for r, v in rd.rows(TASKS, "task-again"):  # a duplicate number's own row; "task" is the first
        tasks.append(Task(number=v[0], kind=KIND_BY_LABEL.get(v[1], v[1] or "task"),
                          section=split_section(v[2]), text=v[3],
                          lead_units=split(v[4], known), responsible_units=split(v[5], known),
                          deadline=v[6], lead_leader=v[7], printed=v[8], notes=v[9]))
        rd.where.setdefault(("task", v[0]), (TASKS.name, a1(r, 0)))
        rd.task_rows.setdefault(v[0], r)
    by_number = {t.number: t for t in tasks}
    for r, v in rd.rows(TARGETS):
        if (task := by_number.get(v[0])) is None:
            rd.bad(TARGETS.name, r, 0, v[0], "“任务”表中没有这个序号")
            continue
        try:
            value = float(v[2].replace(",", ""))
        except ValueError:
            rd.findings.append(finding("bad-target-value", file=filename, sheet=TARGETS.name,
                                       cell=a1(r, 2), task=v[0], value=v[2]))
            continue
        task.targets.append(Target(label=v[1], value=value, measure=v[3],
                                   direction=DIRECTION_BY_LABEL.get(v[4], ">="),
                                   growth=v[5] == YES, text=v[6]))
    periods = [Period(id=v[0], name=v[1], start=v[2], end=v[3], deadline=v[4])
               for _, v in rd.rows(PERIODS, "period")]
    matrix = _read_matrix(rd, meta.get("matrix_title", ""))
    if not meta.get("title") and not tasks:
        return None, rd.findings
    plan = Plan(title=meta.get("title", ""), year=year, issuer=meta.get("issuer", ""),
                doc_number=meta.get("doc_number", ""), plan_id=meta.get("plan_id", ""),
                first_responsible_leads=meta.get("first_responsible_leads", YES) != NO,
                breakdown_title=meta.get("breakdown_title", ""), units=units, groups=groups, tasks=tasks, matrix=matrix, periods=periods)
    rd.findings.extend(_locate(f, rd, plan) for f in check_plan(plan))
    return plan, rd.findings


def join_aliases(aliases: list[str]) -> str:
    """Aliases joined by ;, with a trailing ; when a lone alias contains 、 (各镇、街办;)."""
    text = ALIAS_SEP.join(aliases)
    return text + ALIAS_SEP if len(aliases) == 1 and SEP in text else text


def split_aliases(s: str) -> list[str]:
    """Aliases are separated by ; (full or half width); a clerk's 、 list is accepted too."""
    s = s.replace(";", ALIAS_SEP)
    return [p.strip() for p in s.split(ALIAS_SEP) if p.strip()] if ALIAS_SEP in s else split(s)


def split_section(s: str) -> list[str]:
    return [p.strip() for p in s.split(SECTION_SEP.strip()) if p.strip()]


def _read_matrix(rd: _Reader, title: str) -> TownMatrix | None:
    if COLUMNS.name not in rd.sheets and MATRIX not in rd.sheets:
        return None
    columns = []
    for r, v in rd.rows(COLUMNS):
        table = rd.integer(COLUMNS.name, r, 1, v[1], 1, "分表应为数字")
        columns.append(MatrixColumn(key=v[0], path=split_section(v[2]), measure=v[3], table=table,
                                    additive=v[4] != NO))
    data = rd.sheets.get(MATRIX)
    if data is None:
        rd.findings.append(finding("missing-plan-sheet", file=rd.file, value=MATRIX))
        return TownMatrix(title=title, columns=columns)
    keys = [text(x) for x in data[1]] if len(data) > 1 else []
    rows, values = [], {}
    for r in range(3, len(data)):
        v = [text(x) for x in data[r]]
        if not any(v):
            continue
        kind = ROW_KIND_BY_LABEL.get(v[1], "")
        if not kind:
            rd.bad(MATRIX, r, 1, v[1], "行类型应为 镇街/区直及其他/合计")
            kind = "town"
        rows.append(MatrixRow(label=v[0], kind=kind, unit=v[2] if len(v) > 2 else ""))
        values.update({(v[0], keys[c]): v[c] for c in range(len(MATRIX_FIXED), min(len(keys), len(v)))
                       if keys[c] and v[c] != ""})
        rd.where[("matrix-row", v[0])] = (MATRIX, a1(r, 0))
        for c in range(len(MATRIX_FIXED), len(keys)):
            rd.where[("matrix", f"{v[0]}\t{keys[c]}")] = (MATRIX, a1(r, c))
    return TownMatrix(title=title, columns=columns, rows=rows, values=values)


def _locate(f: Finding, rd: _Reader, plan: Plan) -> Finding:
    """Place a plan-invariant finding at the sheet and cell it came from."""
    if f.code == "unknown-unit" and f.task in rd.task_rows:
        # the 牵头单位 or 责任单位 cell that holds the name, not the row's 序号
        task = plan.task(f.task)
        column = 4 if task is not None and f.value in task.lead_units else 5
        return relocate(f, file=rd.file, sheet=TASKS.name, cell=a1(rd.task_rows[f.task], column))
    task_key = "task-again" if f.code == "duplicate-task-number" else "task"
    keys = [("matrix", f.ref), ("matrix-row", f.ref), (task_key, f.task), ("unit", f.unit),
            ("group", f.value), ("unit", f.value), ("period", f.value)]
    for key in keys:
        if key[1] and key in rd.where:
            sheet, cell = rd.where[key]
            return relocate(f, file=rd.file, sheet=sheet, cell=cell)
    return relocate(f, file=rd.file)
