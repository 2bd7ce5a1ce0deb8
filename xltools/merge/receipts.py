"""What the reports need to know about every file received for a period (from the ledger)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from ..model.findings import ERROR, WARNING, Finding

FORM_LABELS = {"report": "季度报表", "town": "镇街指标表", "workplan": "工作计划"}


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

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def form_label(self) -> str:
        return FORM_LABELS.get(self.kind, self.kind or "未识别")

    @classmethod
    def from_ledger(cls, d: dict, out_dir: str | os.PathLike | None = None) -> "ReceiptRow":
        """From one dict of `Ledger.receipts()`; `archived` made relative to `out_dir`."""
        names = {f.name for f in fields(Finding)}
        found = [f if isinstance(f, Finding) else
                 Finding(**{k: v for k, v in f.items() if k in names}) for f in d.get("findings", [])]
        archived = d.get("archived") or ""
        if archived and out_dir is not None:
            try:
                archived = os.path.relpath(archived, out_dir)
            except ValueError:  # another drive on Windows: keep it absolute
                pass
        note = ""
        if d.get("superseded_by"):
            note = f"已被“{d['superseded_by']}”替代"
        elif d.get("duplicate_of"):
            note = f"与“{d['duplicate_of']}”相同"
        return cls(display=d.get("display") or d.get("name", ""), name=d.get("name", ""),
                   sha256=d.get("sha256", ""), status=d.get("status", ""),
                   unit=d.get("unit") or "", kind=d.get("form") or "",
                   received_at=d.get("received_at") or "", late=bool(d.get("late")),
                   findings=found, archived=archived.replace(os.sep, "/"),
                   period=d.get("period") or "", note=note)
