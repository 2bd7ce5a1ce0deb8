"""Annotations inside or after a unit list: notes on the item, never unit names.

(分别牵头), (列第一位的为牵头单位,下同), (除标注"分别牵头"外,列第一位为牵头或汇总单位),
按职责分工负责, a trailing 等: peeled off the list, kept as printed, and read for the rule
they state (the first listed unit leads; each listed unit leads). Pure functions on
folded text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .names import CLOSERS, OPENERS

# Words that make a bracketed remark (or a tail) an annotation rather than part of a name.
_NOTE_WORDS = re.compile(r"分别牵头|下同|除.{0,24}外|列第一位|排第一位|排在第一位|排名第一|位列第一|"
                         r"为牵头|为汇总|按职责|按职能|分工负责|各负其责|共同负责|负责落实|牵头或汇总")
_FIRST_LEADS = re.compile(r"(列|排|排在|位列)?第一(位|个)?的?(单位)?为(牵头|汇总)|第一位为牵头|"
                          r"第一(位|个)?(单位)?(牵头|负责汇总)")
_EACH_LEADS = re.compile(r"分别牵头|分别负责|各自牵头")
_CARRY = re.compile(r"下同|以下同|后同")
_TAIL_RE = re.compile(r"(分别牵头|分别负责|按职责分工负责|按职责分工落实|按职责负责|按职能分工负责|"
                      r"按职责分工|各负其责|共同负责|负责落实)$")
_SENTENCE_VERBS = re.compile(r"负责|落实|推进|完成|开展|确保|加强|做好|按照|根据|进行|实施|组织|"
                             r"统筹|协调|督促|指导|下同|除.*外|列第一位|为牵头")
SENTENCE_LEN = 20
_BRACKETED_RE = re.compile(rf"[{re.escape(OPENERS)}]([^{re.escape(OPENERS + CLOSERS)}]*)"
                           rf"[{re.escape(CLOSERS)}]")


@dataclass
class Notes:
    """What was peeled off a unit list: the remarks as printed and the rules they state."""

    texts: list[str] = field(default_factory=list)
    first_leads: bool = False  # the first listed unit leads (列第一位为牵头单位)
    each_leads: bool = False  # every listed unit leads its own part (分别牵头)
    carry: bool = False  # the rule holds for the items below too (下同)

    def merge(self, other: "Notes") -> None:
        self.texts += [t for t in other.texts if t not in self.texts]
        self.first_leads |= other.first_leads
        self.each_leads |= other.each_leads
        self.carry |= other.carry


def _read_rule(note: str, out: Notes) -> None:
    # "除标注分别牵头外,列第一位为牵头单位": the exception names 分别牵头 without stating it
    stated = re.sub(r"除.{0,24}?外", "", note)
    out.first_leads |= bool(_FIRST_LEADS.search(stated))
    out.each_leads |= bool(_EACH_LEADS.search(stated))
    out.carry |= bool(_CARRY.search(note))


def note_of(text: str) -> Notes:
    """One annotation as printed, with the rule it states."""
    out = Notes(texts=[text])
    _read_rule(text, out)
    return out


def peel_notes(units_text: str) -> tuple[str, Notes]:
    """A unit list without its annotations, and the annotations (as printed, with rules)."""
    notes = Notes()
    text = units_text
    # bracketed remarks: (分别牵头), (列第一位的为牵头单位,下同) — innermost first
    while m := next((m for m in _BRACKETED_RE.finditer(text) if _NOTE_WORDS.search(m.group(1))),
                    None):
        notes.texts.append(m.group(0))
        _read_rule(m.group(1), notes)
        text = text[:m.start()] + text[m.end():]
    # tails: "市农业农村局分别牵头", "各镇按职责分工负责", "…等"
    stripped = text.rstrip(" ,;、。.\uff0c\uff1b")
    if m := _TAIL_RE.search(stripped):
        notes.texts.append(m.group(0))
        _read_rule(m.group(0), notes)
        text = stripped[:m.start()]
    return text.strip(), notes


def peel_piece_tail(name: str) -> tuple[str, str]:
    """One unit name with an annotation tail removed: ("市农业农村局", "分别牵头")."""
    m = _TAIL_RE.search(name)
    return (name[:m.start()].strip(), m.group(0)) if m and m.start() > 1 else (name, "")


def reads_like_sentence(name: str) -> bool:
    """A "unit name" that is a sentence: long, with verbs or annotation words."""
    s = "".join(name.split())
    return bool(len(s) > SENTENCE_LEN and _SENTENCE_VERBS.search(s)
                or re.search(r"下同|除.{0,24}外|列第一位|排第一位", s))
