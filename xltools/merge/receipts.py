"""What the reports need to know about every file received for a period (from the ledger)."""
from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..forms.owed import owed_forms
from ..model.findings import ERROR, INFO, WARNING, Finding
from ..model.glossary import form_name
from ..model.returns import ACCEPTED, REJECTED, accepted_times, rejected_since

# the files whose problems still stand: each unit's current return and the refused files;
# a superseded return, a duplicate copy or ignored junk counts for nothing
OPEN_STATUSES = (ACCEPTED, REJECTED)


@dataclass
class ReceiptRow:
    """One file seen for the period, whatever became of it; the orchestrator fills it in.

    `status` is one of model.returns ACCEPTED / REJECTED / SUPERSEDED / DUPLICATE / IGNORED.
    `archived` is the archived copy's path relative to the output folder ("../archive/ab/
    ab12….xlsx", "/" separators), or "" when there is none (ignored junk): the validation
    report links to it.
    """

    display: str  # what the clerk recognises: original path, "附件.zip › 区发改局.xlsx"
    name: str  # original file name
    sha256: str
    status: str
    unit: str = ""  # register name when identified, else ""
    kind: str = ""  # report / town / workplan, "" when not identified
    received_at: str = ""  # ISO time
    late: bool = False
    findings: list[Finding] = field(default_factory=list)
    archived: str = ""
    period: str = ""  # the period the file says it belongs to ("" unknown)
    note: str = ""  # a word on its fate: "与 X 相同", "已被 2019-04-12 的文件替代"
    new: bool = False  # first received in the run that wrote the reports

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def evidence(self) -> str:
        """What decided that this return is late (邮件时间 / 文件时间 / 首次回收时间 /
        督办室确认的时间), as its late-return finding says; "" when not late."""
        from ..collect.run import TIME_EVIDENCE  # the ledger keeps it only in that finding
        said = next((f.params.get("evidence") or f.message for f in self.findings
                     if f.code == "late-return"), "")
        return next((w for w in TIME_EVIDENCE.values() if w in said), "")

    @property
    def form_label(self) -> str:
        from ..collect.stamps import STAMP
        return "盖章件" if self.kind == STAMP else form_name(self.kind, self.period) if self.kind else "未识别"

    @classmethod
    def from_ledger(cls, r, out_dir: str | os.PathLike | None = None) -> "ReceiptRow":
        """From one collect.records.Receipt; `archived` made relative to `out_dir`."""
        archived = r.archived
        if archived and out_dir is not None:
            with contextlib.suppress(ValueError):  # another drive on Windows: keep it absolute
                archived = os.path.relpath(archived, out_dir)
        note = (f"已被“{r.superseded_by}”替代" if r.superseded_by
                else f"与“{r.duplicate_of}”相同" if r.duplicate_of else "")
        return cls(display=r.display or r.name, name=r.name, sha256=r.sha256, status=r.status,
                   unit=r.unit, kind=r.form, received_at=r.received_at, late=r.late,
                   findings=list(r.findings), archived=archived.replace(os.sep, "/"),
                   period=r.period, note=note)


@dataclass(frozen=True)
class FindingCounts:
    """The period's problems, 错误 / 警告 / 提示 apart: the one count every output prints."""

    errors: int = 0
    warnings: int = 0
    notices: int = 0


def refused_files(look, receipts: list[ReceiptRow] | None) -> Callable[[str, str], int]:
    """How many refused files a unit sent for a form kind: those of that form and those whose form
    could not be told (the 汇总表's 未报送 list and the 催报通知 count them alike)."""
    sent = Counter((look.unit_name(r.unit), r.kind or "") for r in receipts or []
                   if r.unit and r.status == REJECTED)
    return lambda unit, kind: sent[unit, kind] + sent[unit, ""]


def open_findings(receipts: list[ReceiptRow]) -> list[tuple[ReceiptRow, Finding]]:
    """(file, finding) of every problem that still stands (OPEN_STATUSES), in file order."""
    return [(r, f) for r in receipts if r.status in OPEN_STATUSES for f in r.findings]


def finding_counts(receipts: list[ReceiptRow]) -> FindingCounts:
    """错误 / 警告 / 提示 over the files whose problems still stand."""
    sev = [f.severity for _, f in open_findings(receipts)]
    return FindingCounts(sev.count(ERROR), sev.count(WARNING), sev.count(INFO))


def units_to_fix(plan, receipts: list[ReceiptRow]) -> list[tuple[str, list[ReceiptRow]]]:
    """Per unit, what it must still fix: its current and rejected files with findings (not
    replaced copies, nor rejections its later accepted return made history), in register
    order; files of no known unit ("") last."""
    latest = accepted_times((r.unit, r.kind, r.received_at) for r in receipts if r.status == ACCEPTED)
    by_unit: dict[str, list[ReceiptRow]] = {}
    for r in receipts:
        if r.status == REJECTED and rejected_since(latest, r.unit, r.kind, r.received_at):
            continue  # a later return of the same form was taken: nothing left to fix here
        if r.findings and r.status in OPEN_STATUSES:
            by_unit.setdefault(r.unit, []).append(r)
    order = {u.name: i for i, u in enumerate(plan.units)}
    return [(unit, by_unit[unit])
            for unit in sorted(by_unit, key=lambda u: (u == "", order.get(u, len(order)), u))]


def stamp_status(plan, receipts: list[ReceiptRow]) -> dict[str, str]:
    """{unit: its stamped copy (盖章件) as received, "" when none} for every unit owing a form."""
    from ..collect.stamps import STAMP
    got = {r.unit: r.display for r in receipts if r.kind == STAMP and r.status == ACCEPTED}
    return {name: got.get(name, "") for name, _ in owed_forms(plan)}
