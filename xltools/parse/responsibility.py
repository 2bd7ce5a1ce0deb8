"""Responsibility: (责任单位:…), (牵头单位:…;责任单位:…) and their variants, out of an item's text.

Pure functions on strings. Handles full-width and ASCII brackets and colons, ; or , of
either width between the parts, no bracket at all, and a bracket that is never closed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .names import ADMIN_PREFIXES, CLOSERS, ENDINGS, LEAD_MARK, OPENERS, is_group_phrase, split_top
from .notes import reads_like_sentence

LEAD_WORDS = ("牵头单位", "牵头部门", "主办单位", "主责单位", "主责部门", "主抓单位", "牵头责任单位",
              "牵头")
# 责任单位 and the like: the units in charge (they lead when a 配合单位 part is printed
# beside them and no 牵头单位 part is); 配合单位 and the like: the supporting units.
PRIMARY_WORDS = ("责任单位", "责任部门", "责任主体", "承办单位", "实施单位")
SUPPORT_WORDS = ("配合单位", "配合部门", "协办单位", "协助单位", "参与单位", "协同单位")
RESP_WORDS = PRIMARY_WORDS + SUPPORT_WORDS
DEADLINE_WORDS = ("完成时限", "完成时间", "时间节点", "时限要求", "时间要求", "完成期限", "时限")
LEADER_WORDS = ("责任领导", "牵头领导", "分管领导", "联系领导", "包保领导", "牵头市领导",
                "牵头区领导", "牵头县领导", "责任市领导", "责任区领导", "责任县领导",
                "分管市领导", "分管区领导", "分管县领导", "联系市领导", "联系区领导", "联系县领导")
_ALL = sorted(LEAD_WORDS + RESP_WORDS + DEADLINE_WORDS + LEADER_WORDS, key=len, reverse=True)
_UNIT_WORDS = "|".join(w for w in _ALL if w in LEAD_WORDS[:-1] + RESP_WORDS)


def _keyword_re(after: str) -> re.Pattern:
    """A keyword and its colon; a unit keyword right after one of `after` needs no colon."""
    return re.compile(rf"({'|'.join(_ALL)})\s*[:\uff1a]|(?<=[{after}])\s*({_UNIT_WORDS})\s*(?=[\u4e00-\u9fff])")


# "(责任单位 区发改局)", "(牵头单位区财政局)": after a bracket or a ";"
KEYWORD_RE = _keyword_re("(\uff08\u3010\\[\u3014;\uff1b")
# inside a responsibility part a comma separates keywords too: (牵头单位 县人社局,责任单位 各乡镇人民政府)
_PART_RE = _keyword_re("(\uff08\u3010\\[\u3014;\uff1b,\uff0c")
PART_TRIM = " \t;\uff1b,\uff0c。.、"
_CN_DIGITS = "〇○零一二三四五六七八九十"
_DATE_RE = re.compile(
    rf"^(?:(?:\d{{4}}|[{_CN_DIGITS}]{{4}})年)?(?:(?:\d{{1,2}}|[{_CN_DIGITS}]{{1,3}})月(?:\d{{1,2}}日)?)?"
    r"(?:上旬|中旬|下旬|上半年|下半年|年底|年末|年内|年中|底|末|中)?"
    r"(?:前|以前|之前|内|以内)?(?:全面|基本)?(?:完成|实现|建成|到位|见效)?$")
_ONGOING_RE = re.compile(r"^(长期坚持|长期推进|长期|持续推进|持续开展|持续|常态化推进|常态化|全年推进|全年|"
                         r"年内|年底前|年底|年末|每季度|每月|每年|分年度推进|分年度|分阶段推进|按年度推进)"
                         r"(完成|推进|实施)?$")


@dataclass
class Responsibility:
    """What an item's responsibility part says, and what was odd about it."""

    text: str  # the item text without the responsibility part
    lead: str = ""  # raw list text after 牵头单位:
    responsible: str = ""  # raw list text after 责任单位: (and 配合单位: …)
    deadline: str = ""
    leader: str = ""  # 牵头领导 / 责任领导 as printed (never a unit)
    found: bool = False
    unclosed: bool = False
    raw: str = ""  # the responsibility part as printed
    notes: object = None  # notes.Notes peeled off the unit lists (分别牵头, 下同 …)


# "(市发改委牵头,市统计局配合)", "(区人社局、区农业农村局分别牵头)", "(县交通运输局负责)",
# "(县住建局牵头,县公安局配合,2025年9月底前完成;责任领导:王明)": units before a verb with
# no keyword, in the bracket ending the item ("(由县财政局负责)": 由 is no part of the unit).
# (one level of brackets inside: "各镇(街道)配合"; sub-items may follow: "(甲负责)①…;②…")
_TAIL_RE = re.compile(r"[(\uff08]((?:[^()\uff08\uff09]|[(\uff08][^()\uff08\uff09]{1,30}[)\uff09])"
                      r"{2,200})[)\uff09]\s*[。.]?\s*(?=$|[\u2460-\u2473]|[(\uff08]\d{1,2}[)\uff09])")
_CLAUSE_RE = re.compile(r"由?(.{2,120}?)((?:分别)?牵头|配合|参与|协助|协办|(?:分别|具体|按职责分工|按职责)?负责)")


def _tail(text: str) -> re.Match | None:
    """The last bracket that ends the text or comes before its sub-items."""
    return next(reversed([*_TAIL_RE.finditer(text)]), None)


def has_responsibility(text: str) -> bool:
    """True when the text names responsible units with one of the usual keywords."""
    return bool(KEYWORD_RE.search(text) or _lead_tail(text))


def _lead_tail(text: str) -> Responsibility | None:
    # the last closing bracket that names units ("(甲牵头)①…;②…(6月底前)": not the time's)
    for m in reversed([*_TAIL_RE.finditer(text)]):
        if KEYWORD_RE.search(text[:m.start()]):
            return None
        if (res := _read_tail(text, m)) is not None:
            return res
    return None


def _read_tail(text: str, m: re.Match) -> Responsibility | None:
    rest = (text[:m.start()] + text[m.end():]).strip()  # (the sub-items after it stay text)
    res, labelled = Responsibility(text=rest, found=True, raw=m.group(0)), ""
    after_stop = text[:m.start()].rstrip()[-1:] in "。.;\uff1b"
    for part, _ in split_top(m.group(1), ",;\uff0c\uff1b。"):
        if _PART_RE.match(part := part.strip(PART_TRIM)):  # 责任领导:王明
            labelled += f";{part}"
        elif is_deadline(part):
            res.deadline = _join(res.deadline, part)
        elif (c := _CLAUSE_RE.fullmatch(part)) and not reads_like_sentence(c.group(1)):
            units = c.group(1) + (c.group(2) if c.group(2).startswith(("分别", "按职责")) else "")
            if c.group(2).endswith("牵头"):
                res.lead = _join(res.lead, units)
            else:
                res.responsible = _join(res.responsible, units)
        elif _names_units(part, after_stop) and not labelled:  # "(区住建局,各街道办事处)"
            res.responsible = _join(res.responsible, part)
        elif part:
            return None  # (names beside 配合单位:… are that keyword's list: read part by part)
    if not (res.lead or res.responsible):
        return None
    _read_parts(labelled, res)
    return res


# a bracket of names alone in the middle of a sentence may list examples ("设施(区图书馆、
# 区文化馆)"): there, only names ending as offices and the like do
_OFFICE_ENDINGS = ("局", "委", "办", "政府", "办事处", "街道", "镇", "乡", "管委会", "中心", "公司",
                   "集团", "联", "协", "部", "厅", "会")


def _names_units(part: str, after_stop: bool) -> bool:
    """"区住建局、区财政局", "各街道办事处", "区发改局(牵头)": bodies' names alone (a usual
    ending, no digit, and an admin prefix, 各 or an office word: not "(国家级示范站)")."""
    names = [LEAD_MARK.sub("", n.strip()) for n in part.split("\u3001")]
    return bool(part) and not reads_like_sentence(part) and all(
        2 <= len(n) <= 30 and not re.search(r"\d|含|包括|设在|位于|其中|例如", n)
        and not n.startswith(tuple(_ALL))  # ("责任单位 区发改局": a label without its colon)
        and (is_group_phrase(n) or n.endswith(ENDINGS if after_stop else _OFFICE_ENDINGS)
             and (n[0] in ADMIN_PREFIXES + "各" or re.search("局|委|办|政府|中心|公司", n)))
        for n in names)


def extract_responsibility(text: str) -> Responsibility:
    """Split an item's text into its content and its responsibility part(s), and a completion
    time printed in a bracket of its own beside them: "(甲牵头,乙配合)(6月底前完成)"."""
    rest, due = _due_bracket(text)
    res = _extract(rest)
    if not res.found or not rest.rstrip(" \t。.").endswith(res.raw.rstrip(" \t。.")):
        return _extract(text) if due else res  # (a time only beside a part ending the item)
    res.text, before = _due_bracket(res.text)  # "(6月底前完成)(甲牵头,乙配合)"
    res.deadline = _join(res.deadline, _join(before, due))
    res.raw += text[len(rest):]
    return res


def _due_bracket(text: str) -> tuple[str, str]:
    """(the text before it, the time) when the text ends with a bracket holding only a time."""
    m = _tail(text)
    if m and not text[m.end():].strip() and is_deadline(due := m.group(1).strip(PART_TRIM)):
        return text[:m.start()].rstrip(), due
    return text, ""


# "…1800人。——县人社局": the units after a closing dash
_DASH_TAIL_RE = re.compile(r"(?:\u2014\u2014|\u2014|--)\s*([^\u2014\-]{2,200}?)\s*[。.]?\s*$")


_SAID_SEPS = re.compile(r"([。;\uff1b,\uff0c])")


def _said_tail(text: str) -> Responsibility | None:
    """"…。由甲牵头,乙配合。", "…,乙负责。", "…。责任单位为甲。": units said in the item's
    closing clauses without a bracket, read as the bracket they stand for."""
    pieces = _SAID_SEPS.split(text.rstrip(" \t。."))
    k = len(pieces)
    while k > 2 and _said(pieces[k - 1].strip()):
        k -= 2
    if k == len(pieces):
        return None
    said = [_said(p.strip()) for p in pieces[k + 1::2]]
    tail = _extract("".join(pieces[:k + 1]) + "(" + ";".join(said) + ")")
    if not tail.found:
        return None
    tail.text, tail.raw = tail.text.rstrip(",\uff0c;\uff1b"), "".join(pieces[k + 1:])
    return tail


def _said(part: str) -> str:
    """A clause that names units as a bracket would ("由甲牵头", "责任单位为甲" as "责任单位:甲")
    when its units read as names; "" when it is no such clause."""
    if m := re.fullmatch(rf"({_UNIT_WORDS})为(.{{2,80}})", part):
        return f"{m.group(1)}:{m.group(2)}"
    c = _CLAUSE_RE.fullmatch(part)
    return part if c and _names_units(c.group(1), True) else ""


def _extract(text: str) -> Responsibility:
    if (tail := _lead_tail(text)) is not None:
        return tail
    if (m := _DASH_TAIL_RE.search(text)) and not KEYWORD_RE.search(m.group(1)) and \
            (tail := _lead_tail(f"{text[:m.start()]}({m.group(1)})")) is not None:
        tail.raw = m.group(0)  # (read as the bracket it stands for)
        return tail
    if (tail := _said_tail(text)) is not None:
        return tail
    body: list[str] = []
    res = Responsibility(text=text)
    pos = 0
    while m := KEYWORD_RE.search(text, pos):
        before = text[pos:m.start()].rstrip(" \t")  # a bracket opening right before the keyword?
        open_at = pos + len(before) - 1 if before and before[-1] in OPENERS else None
        # bare "责任单位:…" (no bracket before it): the rest of the text is the list
        cut = m.start() if open_at is None else open_at
        close_at = None if open_at is None else _matching_close(text, open_at)
        inner_end = len(text) if close_at is None else close_at
        body.append(text[pos:cut])
        _read_parts(text[cut:inner_end], res)  # (from its bracket: see KEYWORD_RE)
        res.raw += text[cut:inner_end + (0 if close_at is None else 1)]
        res.found = True
        if close_at is None:
            res.unclosed = open_at is not None
            break  # the part runs to the end: no text after it
        pos = close_at + 1
    else:  # no more parts: the rest is text
        body.append(text[pos:])
    # "…23家。(牵头单位:…)。": the full stop printed after the part is the one before it
    res.text = _DOUBLE_STOP.sub("\\1", "".join(body).strip())
    return res


_DOUBLE_STOP = re.compile(r"([。.])\s*[。.]+$")


def _matching_close(text: str, open_at: int) -> int | None:
    depth = 0
    for i, ch in enumerate(text[open_at:], open_at):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth -= 1
            if depth == 0:
                return i
    return None


def _read_parts(segment: str, res: Responsibility) -> None:
    """Each keyword's value runs to the next keyword; separators between parts dropped.

    With no 牵头单位 part, a 责任单位 part printed beside a 配合单位 part is the lead
    (责任单位:A;配合单位:B → A leads, B supports). A deadline printed inside a unit list
    without its keyword ("…,市财政局,2021年6月底前") is moved to the deadline.
    """
    hits = list(_PART_RE.finditer(segment))
    units = {"lead": res.lead, "primary": "", "support": ""}
    for i, m in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(segment)
        value = segment[m.end():end].strip(PART_TRIM)
        word = m.group(1) or m.group(2)
        if word in DEADLINE_WORDS:
            res.deadline = _join(res.deadline, value)
        elif word in LEADER_WORDS:
            res.leader = _join(res.leader, value)
        else:
            value, due = peel_deadline(value)
            part = "lead" if word in LEAD_WORDS else "primary" if word in PRIMARY_WORDS else "support"
            units[part] = _join(units[part], value)
            res.deadline = _join(res.deadline, due)
    res.lead, primary, support = units["lead"], units["primary"], units["support"]
    if primary and support and not res.lead:
        res.lead, primary = primary, ""
    res.responsible = _join(res.responsible, _join(primary, support))


def is_deadline(text: str) -> bool:
    """"2021年6月底前", "年底前", "长期坚持", "6月30日前完成": a completion time, not a unit."""
    s = "".join(text.split())
    return 0 < len(s) <= 24 and bool(_ONGOING_RE.match(s)
                                     or _DATE_RE.match(s) and re.search(r"[年月旬底末]", s))


def peel_deadline(value: str) -> tuple[str, str]:
    """A unit list with deadline pieces taken out: (the list, the deadline)."""
    parts = split_top(value)
    if not (dues := [p.strip() for p, _ in parts if is_deadline(p)]):
        return value, ""
    kept = "".join(p + sep for p, sep in parts if not is_deadline(p)).strip(PART_TRIM)
    return kept, "、".join(dues)


def _join(a: str, b: str) -> str:
    return f"{a}、{b}" if a and b else (a or b)
