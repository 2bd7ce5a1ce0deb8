"""What comes back: received files, what a returned form says, and their fate. Pure data."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .findings import Finding, WithFindings

# Status of a received file in the ledger.
ACCEPTED = "accepted"  # identified, merged (values with 错误 findings are not merged)
REJECTED = "rejected"  # unreadable, not ours, other plan/period, identity gone and no match
SUPERSEDED = "superseded"  # an accepted return replaced by a later one of the same form
DUPLICATE = "duplicate"  # byte-identical to a file already received
IGNORED = "ignored"  # junk (~$ lock files, Thumbs.db) noted and skipped
STATUS_LABELS = {ACCEPTED: "已接收", REJECTED: "已退回", SUPERSEDED: "已被替代",
                 DUPLICATE: "重复文件", IGNORED: "已忽略"}

# A visible sheet xltools adds to a copy of a unit's form sent back for correction (the
# 修改意见 list); collect never reads it as data.
FEEDBACK_SHEET = "修改意见"

# Fields of a task row on the report form (keys used by extract, ledger and merge).
TASK_FIELDS = ("完成情况", "完成进度", "状态", "存在问题", "下一步计划")
# Fields of a quantified-target row and of a town line (keys of their `cells`, ledger fields).
ACTUAL, NOTE = "actual", "note"


def target_key(task: str, index: int) -> str:
    """Ledger key of a quantified target: "12#0" (task number, index of the target)."""
    return f"{task}#{index}"


def town_key(column: str, part: str = "") -> str:
    """Ledger key of a town-matrix line: the column key, "c05#户" for a composite part."""
    return f"{column}#{part}" if part else column


def accepted_times(accepted: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    """(unit, form) -> when its latest accepted return was received, from (unit, form,
    received_at) of the accepted returns; for rejected_since."""
    latest: dict[tuple[str, str], str] = {}
    for unit, form, at in accepted:
        latest[unit, form] = max(latest.get((unit, form), ""), at)
    return latest


def rejected_since(latest: dict[tuple[str, str], str], unit: str, form: str,
                   received_at: str) -> bool:
    """Whether a rejected file is history: its unit's same form was accepted from a file
    received since (or with it). It no longer needs the clerk, a copy or a word to the unit."""
    return bool(unit) and latest.get((unit, form), "") >= (received_at or "~")


@dataclass
class Received:
    """One file as received: where it came from and its bytes' hash."""

    path: str  # where it is readable now (original file, or a private temp copy for zip members)
    display: str  # what to show the clerk: original path, "附件.zip › 区发改局.xlsx" for members
    name: str  # original file name
    sha256: str
    size: int
    received_at: str  # ISO time the file was saved (mtime), used to order resubmissions
    file_type: str = ""  # xlsx / xlsm / xls / ods / zip / encrypted / junk / mail / stamp / other
    origin: str = ""  # the file on disk it came from (the .zip for members); "" = path
    # what decided received_at: "mail" (the e-mail's Date), "file" (mtime) or "first-seen"
    # (when xltools first saw these bytes); collect.run settles "file" against the ledger
    time_source: str = "file"
    sender: str = ""  # the From address of the e-mail it came in, if any


@dataclass
class TaskReport:
    """One task row of a returned report form, as typed and as understood."""

    task: str
    role: str = ""
    completion: str = ""  # 本季度完成情况 (a half year's: 上半年完成情况)
    progress: float | None = None  # 完成进度, 0-100
    progress_raw: object = None
    status: str = ""
    problems: str = ""
    next_steps: str = ""
    row: int = -1  # 0-based row where it was found in the returned sheet
    extra: dict[str, str] = field(default_factory=dict)  # 办理方案 only: 具体工作内容, 完成时限, 分管领导, 责任科室
    cells: dict[str, str] = field(default_factory=dict)  # TASK_FIELDS name -> "C7" it came from


@dataclass
class TargetReport:
    """One quantified-target row: the cumulative figure reported."""

    task: str
    index: int
    label: str
    target: float | None
    measure: str
    actual: float | None = None
    actual_raw: object = None
    note: str = ""
    row: int = -1
    cells: dict[str, str] = field(default_factory=dict)  # "actual" / "note" -> "E12" (on
    # another sheet than FormReturn.sheet: "量化指标!E12", see FormReturn.place)


@dataclass
class TownReport:
    """One line of a town form: a matrix column (and composite part) and its actual."""

    column: str
    part: str
    target: float | None
    measure: str
    actual: float | None = None
    actual_raw: object = None
    note: str = ""
    row: int = -1
    cells: dict[str, str] = field(default_factory=dict)  # "actual" / "note" -> "E12"


@dataclass
class FormReturn(WithFindings):
    """Everything one returned workbook says, and every problem found in it."""

    received: Received
    status: str = REJECTED
    plan_id: str = ""
    kind: str = ""  # report / town / workplan
    unit: str = ""
    period: str = ""
    identified_by: str = ""  # sheet / property / name / content
    sheet: str = ""  # the sheet the values were read from
    header: dict[str, object] = field(default_factory=dict)  # 填报人, 联系电话, 填报日期
    header_cells: dict[str, str] = field(default_factory=dict)  # header field -> "C3"
    tasks: list[TaskReport] = field(default_factory=list)
    targets: list[TargetReport] = field(default_factory=list)
    town: list[TownReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    late: bool = False
    supersedes: str = ""  # sha256 of the return this one replaced

    def place(self, sheet: str, cell: str) -> str:
        """A cell as `cells` record it: "E5" on the sheet read, "量化指标!E5" on another."""
        return f"{sheet}!{cell}" if cell and sheet not in (self.sheet, "") else cell

    def sheet_cell(self, cell: str) -> tuple[str, str]:
        """(sheet, A1) of a cell as `cells` record it."""
        sheet, _, ref = cell.rpartition("!")
        return sheet or self.sheet, ref

    def blocked_cells(self) -> set[tuple[str, str]]:
        """(sheet, cell) of values an 错误 finding keeps out of the merge."""
        return {(f.sheet, f.cell) for f in self.errors if f.cell}
