"""What the ledger returns: typed, frozen records instead of rows and dicts.

Ledger columns keep their names (a rename needs a migration): files.kind is a record's
`file_type` (xlsx / xls / ods / zip / mail / stamp / other), submissions.kind its `form`
(report / town / workplan / stamp).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model.findings import Finding
from ..model.returns import FormReturn


@dataclass(frozen=True)
class Receipt:
    """One file a run for a period saw, and its fate in that period."""

    path: str
    display: str  # what the clerk recognises: original path, "附件.zip › 区发改局.xlsx"
    name: str
    sha256: str
    status: str  # model.returns ACCEPTED / REJECTED / SUPERSEDED / DUPLICATE / IGNORED
    size: int = 0
    file_type: str = "other"
    form: str = ""
    unit: str = ""
    plan_id: str = ""
    period: str = ""
    received_at: str = ""
    recorded_at: str = ""
    late: bool = False
    supersedes: str = ""
    superseded_by: str = ""  # the display name of the file that replaced it
    duplicate_of: str = ""  # the display name of the first copy of the same bytes
    archived: str = ""  # absolute path of the archived copy, "" when none
    run_id: int = 0
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Submission:
    """One recorded return, found by its file number (Ledger.find_file)."""

    sha256: str
    display: str
    status: str
    archived: str  # relative to the ledger's folder, "" when the bytes could not be kept
    ret: FormReturn = field(compare=False)


@dataclass(frozen=True)
class FormStatus:
    """A unit's submissions of one form in a period (Ledger.status)."""

    unit: str
    form: str
    first_received_at: str
    last_received_at: str
    late: bool = False
    submissions: int = 0
    display: str = ""  # the accepted one ("" when every submission was superseded)
    sha256: str = ""


@dataclass(frozen=True)
class PeriodStatus:
    """Counts by status of a period's receipts, and each unit's forms (Ledger.status)."""

    plan_id: str
    period: str
    counts: dict[str, int]
    units: tuple[FormStatus, ...]


@dataclass(frozen=True)
class Decision:
    """A clerk's decision on a recorded return (Ledger.history)."""

    at: str
    who: str
    action: str  # collect.settle CREDIT / RECEIVED
    sha256: str
    detail: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class KnownFile:
    """A file in an inbox folder as a run read it: its path, the stat that shows it
    unchanged since, and what its bytes were (intake's stat cache, the ledger's
    intake_stats). path is os.fsencode'd, so that any name a folder holds can be stored.
    On Windows ctime_ns is the creation time and ino is 0 (a directory listing's stat):
    bytes rewritten at the same size with the modification time set back would pass there,
    as they would pass git's index."""

    path: bytes
    display: str
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    sha256: str
    file_type: str

    @property
    def stat(self) -> tuple[int, int, int, int]:
        return (self.size, self.mtime_ns, self.ctime_ns, self.ino)
