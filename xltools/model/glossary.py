"""The project's domain words and small rules, each said once.

Form kinds and their Chinese names, cell addresses ("A1" at the user's edge, 0-based
(row, col) inside) and the printed width of a text. Stages import these; nothing here
imports anything of the project.
"""
from __future__ import annotations

import re

# The forms a unit fills and sends back (FormIdentity.kind), with the names users see.
FORM_REPORT, FORM_TOWN, FORM_WORKPLAN = "report", "town", "workplan"
FORM_KINDS = (FORM_REPORT, FORM_TOWN, FORM_WORKPLAN)
FORM_NAMES = {FORM_REPORT: "季度报表", FORM_TOWN: "镇街指标表", FORM_WORKPLAN: "办理方案"}


def form_name(kind: str) -> str:
    """季度报表 / 镇街指标表 / 办理方案 for a form kind (the kind itself when unknown)."""
    return FORM_NAMES.get(kind, kind)


def col_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """(0, 0) -> "A1": for messages and formulas only."""
    return f"{col_letter(col)}{row + 1}"


_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def col_index(letters: str) -> int:
    """"A" -> 0, "AA" -> 26 (col_letter's inverse)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def from_a1(ref: str) -> tuple[int, int] | None:
    """"C7" -> (6, 2); None when `ref` is not a cell address."""
    m = _A1.fullmatch(str(ref).strip())
    if not m or int(m.group(2)) < 1:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


_NARROW_RUNS = re.compile(r"[\x00-\u2e7f]+")  # what is not CJK (from U+2E80 on) counts one


def text_width(text: object) -> int:
    """Printed width of a text in column units: a CJK character counts two, others one."""
    s = "" if text is None else str(text)
    if s.isascii():
        return len(s)
    # every character counts two, less one per narrow one; narrow ones come in runs, so
    # this matches far fewer times than a match per wide character would
    return 2 * len(s) - sum(map(len, _NARROW_RUNS.findall(s)))


def strip_endings(name: str, endings: tuple[str, ...]) -> str:
    """A document's name without the kind words it ends in, as often as they repeat
    (…重点任务分解意见 -> …重点任务 for ("意见", "分解")); never down to nothing."""
    changed = True
    while changed:
        changed = False
        for end in endings:
            if name.endswith(end) and len(name) > len(end):
                name, changed = name[:-len(end)], True
    return name
