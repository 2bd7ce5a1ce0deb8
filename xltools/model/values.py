"""Reading the values printed in target tables: 247,779 / 3.50% / \\ / 118户、345人."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

NOT_APPLICABLE = {"\\", "/", "-", "—", "\uff0d", "、", "无", "\uff0f", "\uff3c"}
_NUM = r"[-+\u2212]?\d[\d,\uff0c]*(?:\.\d+)?"
_NUMBER_RE = re.compile(rf"^\s*({_NUM})\s*([%\uff05])?\s*$")
_PART_RE = re.compile(rf"({_NUM})\s*([^\d\s、,\uff0c;\uff1b]*)")


@dataclass
class CellValue:
    """A printed value understood: kind is na, empty, number, percent, composite or bad."""

    kind: str
    number: float | None = None
    parts: dict[str, float] = field(default_factory=dict)  # composite: measure -> number
    missing_measure: bool = False  # a composite part printed without its measure

    def amounts(self) -> dict[str, float]:
        """The figures a column sums: a composite's parts, a number's under ""; none else."""
        if self.kind == "composite":
            return self.parts
        return {"": self.number} if self.kind in ("number", "percent") else {}

    def target(self, part: str) -> float | None:
        """The figure a matrix leaf (a composite's part, or "") reads in this value."""
        return self.parts.get(part) if self.kind == "composite" else self.amounts().get("")


def to_float(text: str) -> float:
    return float(text.replace(",", "").replace("\uff0c", "").replace("\u2212", "-"))


def parse_value(text: object, measures: list[str] | None = None) -> CellValue:
    """Understand one printed value; `measures` names composite parts (户, 人) by position.
    A figure no float holds (400 digits: infinity) makes the value bad."""
    value = _parse_value(text, measures)
    return value if all(map(math.isfinite, value.amounts().values())) else CellValue("bad")


def _parse_value(text: object, measures: list[str] | None) -> CellValue:
    if text is None:
        return CellValue("empty")
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return CellValue("number", float(text))
    s = str(text).strip()
    if not s:
        return CellValue("empty")
    if s in NOT_APPLICABLE:
        return CellValue("na")
    m = _NUMBER_RE.match(s)
    if m:
        return CellValue("percent" if m.group(2) else "number", to_float(m.group(1)))
    pieces = [_PART_RE.fullmatch(p.strip()) for p in re.split(r"[、,\uff0c;\uff1b]", s) if p.strip()]
    given = measures or []  # a part printed without its measure takes the one at its place
    if len(pieces) < 2 or not all(pm and (pm.group(2) or i < len(given))
                                  for i, pm in enumerate(pieces)):
        return CellValue("bad")
    parts = {pm.group(2) or given[i]: to_float(pm.group(1)) for i, pm in enumerate(pieces)}
    return CellValue("composite", parts=parts,
                     missing_measure=not all(pm.group(2) for pm in pieces))


def format_number(x: float) -> str:
    """A sum as a person would print it: no trailing .0, at most 4 decimals."""
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.4f}".rstrip("0").rstrip(".")
