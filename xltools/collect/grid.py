"""Small helpers over a sheet's rows as read (lists of plain values) and a findings sink."""
from __future__ import annotations

from datetime import date, datetime, time

from ..model import Finding, finding
from ..model.glossary import a1
from ..model.identity import canonical_text

MAX_SHOWN = 200  # characters of a found value repeated in a finding
MAX_SHOWN_TEXT = 2000  # a typed text repeated in a finding is cut past this


def at(rows: list[list], r: int | None, c: int | None) -> object:
    """The value at (r, c), None outside the grid."""
    if r is None or c is None or r < 0 or c < 0 or r >= len(rows):
        return None
    row = rows[r]
    return row[c] if c < len(row) else None


def canon(value: object) -> str:
    """Text for comparing with what was generated (canonical_text; dates as ISO)."""
    if value.__class__ is str:  # most cells: canonical_text's answer without two calls
        return value.strip()
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return canonical_text(value)


def label(value: object) -> str:
    """A header label compared without any whitespace (the generator wraps with \\n)."""
    return "".join(canon(value).split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: object) -> str:
    """A found value as the clerk should see it in a finding (never evaluated)."""
    s = canon(value) if isinstance(value, str) else as_text(value)
    return s if len(s) <= MAX_SHOWN else s[:MAX_SHOWN] + "…"


def as_text(value: object) -> str:
    """A typed value for a text field: strings exactly as typed, others in canonical form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # a logical cell as Excel, WPS and LibreOffice show it
        return "TRUE" if value else "FALSE"
    return canon(value)


class Sink:
    """Where findings of one file go, each placed in that file, sheet and unit."""

    def __init__(self, file: str, sheet: str = "", unit: str = "") -> None:
        self.file, self.sheet, self.unit = file, sheet, unit
        self.findings: list[Finding] = []

    def add(self, code: str, r: int | None = None, c: int | None = None, *, task: object = "",
            value: object = "", severity: str | None = None, sheet: str | None = None,
            **params: object) -> None:
        cell = a1(r, c) if r is not None and c is not None and r >= 0 and c >= 0 else ""
        self.findings.append(finding(
            code, file=self.file, sheet=self.sheet if sheet is None else sheet, cell=cell,
            unit=self.unit, task=task,
            value=(value if len(value) <= MAX_SHOWN_TEXT else value[:MAX_SHOWN_TEXT] + "…")
            if isinstance(value, str) else shown(value), severity=severity, **params))
