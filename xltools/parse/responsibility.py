"""Responsibility: (责任单位:…), (牵头单位:…;责任单位:…) and their variants, out of an item's text.

Pure functions on strings. Handles full-width and ASCII brackets and colons, any of
;;,, between the parts, no bracket at all, and a bracket that is never closed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .names import CLOSERS, OPENERS

LEAD_WORDS = ("牵头单位", "牵头部门", "主办单位", "主责单位", "主抓单位", "牵头")
RESP_WORDS = ("责任单位", "责任部门", "配合单位", "配合部门", "协办单位", "协助单位", "参与单位",
              "协同单位", "责任主体", "承办单位", "实施单位")
DEADLINE_WORDS = ("完成时限", "完成时间", "时间节点", "时限要求", "时限")
LEADER_WORDS = ("责任领导", "牵头领导", "分管领导", "联系领导")
_ALL = sorted(LEAD_WORDS + RESP_WORDS + DEADLINE_WORDS + LEADER_WORDS, key=len, reverse=True)
KEYWORD_RE = re.compile(r"(" + "|".join(_ALL) + r")\s*[::]")
_PART_TRIM = " \t;;,,。.、"


@dataclass
class Responsibility:
    """What an item's responsibility part says, and what was odd about it."""

    text: str  # the item text without the responsibility part
    lead: str = ""  # raw list text after 牵头单位:
    responsible: str = ""  # raw list text after 责任单位: (and 配合单位: …)
    deadline: str = ""
    leader: str = ""
    found: bool = False
    unclosed: bool = False
    raw: str = ""  # the responsibility part as printed
    issues: list[str] = field(default_factory=list)


def has_responsibility(text: str) -> bool:
    """True when the text names responsible units with one of the usual keywords."""
    return bool(KEYWORD_RE.search(text))


def extract_responsibility(text: str) -> Responsibility:
    """Split an item's text into its content and its responsibility part(s)."""
    body: list[str] = []
    res = Responsibility(text=text)
    pos = 0
    while True:
        m = KEYWORD_RE.search(text, pos)
        if not m:
            body.append(text[pos:])
            break
        open_at = _opening_before(text, m.start(), pos)
        if open_at is None:
            # bare "责任单位:…" — the rest of the text is the list
            cut = m.start()
            body.append(text[pos:cut])
            _read_parts(text[m.start():], res)
            res.raw += text[cut:]
            res.found = True
            break
        close_at = _matching_close(text, open_at)
        body.append(text[pos:open_at])
        inner_end = len(text) if close_at is None else close_at
        _read_parts(text[m.start():inner_end], res)
        res.raw += text[open_at:inner_end + (0 if close_at is None else 1)]
        res.found = True
        if close_at is None:
            res.unclosed = True
            break
        pos = close_at + 1
    res.text = "".join(body).strip()
    return res


def _opening_before(text: str, kw_at: int, floor: int) -> int | None:
    """The bracket opening right before the keyword (spaces allowed), if any."""
    i = kw_at - 1
    while i >= floor and text[i] in " \t":
        i -= 1
    if i >= floor and text[i] in OPENERS:
        return i
    return None


def _matching_close(text: str, open_at: int) -> int | None:
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth -= 1
            if depth == 0:
                return i
    return None


def _read_parts(segment: str, res: Responsibility) -> None:
    """Each keyword's value runs to the next keyword; separators between parts dropped."""
    hits = list(KEYWORD_RE.finditer(segment))
    for i, m in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(segment)
        value = segment[m.end():end].strip(_PART_TRIM)
        word = m.group(1)
        if word in LEAD_WORDS:
            res.lead = _join(res.lead, value)
        elif word in RESP_WORDS:
            res.responsible = _join(res.responsible, value)
        elif word in DEADLINE_WORDS:
            res.deadline = _join(res.deadline, value)
        else:
            res.leader = _join(res.leader, value)


def _join(a: str, b: str) -> str:
    return f"{a}、{b}" if a and b else (a or b)
