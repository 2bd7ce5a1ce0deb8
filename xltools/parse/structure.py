"""Structure: annexes, headings, numbered items and unnumbered target paragraphs.

Pure functions on cleaned lines. The main body is the part (annex or not) whose
numbered lines carry responsibility; the notice's own preamble and closing are left
out by walking back from the first item over headings and titles only.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import count

from ..model.findings import Finding, finding
from .clean import Line, short
from .kinds import NUMERALS, kind_of_heading, kind_of_section
from .meta import ISSUER_BODY_RE, REPORTING_RE
from .names import OPENERS
from .result import LooseTargets
from .responsibility import KEYWORD_RE, PART_TRIM, extract_responsibility, has_responsibility
from .targets import extract_targets

MARKERS: list[tuple[str, re.Pattern]] = [
    ("cn0", re.compile(rf"^第([{NUMERALS}]+)(?:部分|篇|章)\s*[、.:\uff0e]?\s*")),
    ("cn1", re.compile(rf"^([{NUMERALS}]+)\s*[、.\uff0e]\s*")),
    ("cn2", re.compile(rf"^[(\uff08]\s*([{NUMERALS}]+)\s*[)\uff09]\s*[、.\uff0e]?\s*")),
    # "1.5亿元" is no item, "1.2021年底前…" is (the full-width "\uff0e" folds to "." at the boundary)
    ("ar1", re.compile(r"^(\d{1,3})\s*(?:[、\uff0e]|\.(?!\d)|\.(?=\d{4}\s*年))\s*")),
    ("ar2", re.compile(r"^[(\uff08]\s*(\d{1,3})\s*[)\uff09]\s*[、.\uff0e]?\s*")),
    ("ar3", re.compile(r"^([\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])\s*")),  # circled 1-50
    ("ar4", re.compile(r"^(\d{1,3})\s*[)\uff09]\s*(?=\S)")),  # "1)": no opening bracket
    ("dash", re.compile(r"^(——|—|\uff0d\uff0d|--)\s*(?=\S)")),
]
_ARABIC = ("ar1", "ar2", "ar3", "ar4")
LEVEL = {"cn0": 0, "cn1": 1, "cn2": 2, "ar1": 3, "ar2": 4, "ar4": 4, "ar3": 5, "dash": 6}
ANNEX_RE = re.compile(r"^附\s*件\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:[:\uff1a]\s*(.*))?$")
CLOSING_RE = re.compile(r"^(抄送|抄报|印发|主送|附件\s*[:\uff1a]|[(\uff08]此件|[(\uff08]本件|联系人\s*[:\uff1a]|"
                        r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d〇○零一二三四五六七八九十]{1,3}\s*月\s*"
                        r"[\d〇○零一二三四五六七八九十]{1,3}\s*日$)")
_HEADING_MAX = 60
# items a notice numbers in words or not at all (elsewhere sub-clauses, or headings: ——民生实事)
_WORDED_RE = re.compile(rf"^\s*(?:第[{NUMERALS}]+\s*[,、]|[{NUMERALS}]{{1,3}}是|——|—|--)\s*(?=\S)")


@dataclass
class RawItem:
    """A numbered item as found: number as printed, full text, enclosing headings."""

    number: str
    line: int
    text: str
    section: list[str] = field(default_factory=list)
    heading_resp: str = ""  # responsibility printed on an enclosing heading
    kind: str = "task"
    resp: object = None  # a Responsibility read elsewhere (the cells of a table row)
    printed: str = ""  # the number as printed ("3", "(一)"); `number` becomes the unique key


@dataclass
class Region:
    """A stretch of lines: the text before the first annex, or one annex."""

    label: str  # "" for the text before the annexes, else the annex number as printed
    start: int  # index into the lines list (inclusive)
    end: int  # exclusive
    title: str = ""


@dataclass
class Structure:
    """What the structure pass found."""

    items: list[RawItem] = field(default_factory=list)
    # unnumbered paragraphs of targets (主要预期目标:…) inside the body
    target_paragraphs: list[LooseTargets] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    body: Region | None = None
    findings: list[Finding] = field(default_factory=list)
    tail: list[Line] = field(default_factory=list)  # lines no item took (after the last: unread)


# one character printing a marker, as Word's numbering gives it: "\u2474" (1), "\u2488" 1., "\u3220" (一)
_ENCLOSED = {chr(c): unicodedata.normalize("NFKC", chr(c))
             for c in [*range(0x2474, 0x249C), *range(0x3220, 0x322A)]}


def marker_of(text: str) -> tuple[str, str, str] | None:
    """(kind, number, rest) of a line that starts with a numbering marker."""
    s = text.strip()
    s = _ENCLOSED.get(s[:1], s[:1]) + s[1:]
    for kind, rx in MARKERS:  # a plain loop: this runs on every line, several times
        if m := rx.match(s):
            return kind, m.group(1), s[m.end():]
    return None


def find_regions(lines: list[Line]) -> list[Region]:
    """The text before the first annex and each annex (the last marker of a number wins)."""
    marks: dict[str, tuple[int, str]] = {}
    for i, ln in enumerate(lines):
        if m := ANNEX_RE.match(ln.text.strip()):
            marks[m.group(1)] = (i, (m.group(2) or "").strip())
    ordered = sorted(marks.items(), key=lambda kv: kv[1][0])
    starts = [at for _, (at, _) in ordered]
    return [Region("", 0, [*starts, len(lines)][0])] + [
        Region(label, at + 1, end, title)
        for (label, (at, title)), end in zip(ordered, [*starts[1:], len(lines)])]


def _item_kind_for(lines: list[Line], region: Region) -> tuple[str, int]:
    """The marker kind that numbers the items here, and how many of its items carry units.

    Responsibility printed on a line of its own (under the item) counts for the marker
    line above it, once per item.
    """
    counts: Counter[str] = Counter()
    present: Counter[str] = Counter()
    last: str | None = None  # the kind of the last item-like marker line, until credited
    seen: Counter[str] = Counter()  # the last number of each kind, for an item run into a heading
    for ln in lines[region.start:region.end]:
        mk = marker_of(ln.text)
        if mk and LEVEL[mk[0]] < 3:  # "(一)工业经济1.新增…": the item run into its heading counts
            mk = next((marker_of(p[1]) for k in _ARABIC if len(p := _run_in(ln.text.strip(), k, seen[k])) > 1), mk)
        if mk and mk[0] in (*_ARABIC, "cn2", "cn1"):
            present[mk[0]] += 1
            seen[mk[0]] = _value(mk[1]) or 0
            last = mk[0]
        elif mk or CLOSING_RE.match(ln.text.strip()):
            last = None
        if has_responsibility(ln.text) and last is not None:
            counts[last] += 1
            last = None
    if deeper := [k for k in counts if k != "cn1"]:
        # equal counts: the deeper marker numbers the items (target items (一)… printed above
        # the numbered tasks are leaf headings, read as items by _walk)
        best = max(deeper, key=lambda k: (counts[k], LEVEL[k], present[k]))
        return best, counts[best]
    # 一、… items with units and nothing numbered below them (a short list of 实事)
    return next(((k, 0) for k in _ARABIC if present[k] >= 2),
                ("cn1", counts["cn1"]) if counts["cn1"] >= 2 else ("", 0))


def find_body(lines: list[Line], regions: list[Region]) -> tuple[Region | None, str]:
    """The region holding the numbered items, and their marker kind: most items carrying units,
    then most items (the first region of equals)."""
    best: tuple[tuple[int, int], Region | None, str] = ((-1, -1), None, "")
    for r in regions:
        kind, with_units = _item_kind_for(lines, r)
        items = sum(1 for ln in lines[r.start:r.end] if (mk := marker_of(ln.text)) and mk[0] == kind)
        if kind and (with_units, items) > best[0]:
            best = ((with_units, items), r, kind)
    return best[1], best[2]


def _is_heading_line(kind: str, item_kind: str, text: str) -> bool:
    return (LEVEL[kind] < LEVEL[item_kind] or kind == "dash") and len(text.strip()) <= _HEADING_MAX + 40


def _is_title_like(text: str) -> bool:
    s = text.strip()
    return 0 < len(s) <= 40 and not re.search(r"[。;\uff1b]", s) and not s.endswith((",", "\uff0c"))


def _is_target_paragraph(text: str, heading: str = "") -> bool:
    """Unnumbered text with targets that names itself a target, or stands under a target
    heading ("一、主要预期目标" over "地区生产总值增长6%左右,…")."""
    # (a line opening with a year under the heading looks back: "2024年,全区…完成320亿元")
    said = re.search(r"目标|指标", text) or kind_of_heading(heading) == "indicator" \
        and not re.match(r"\s*(\d{4}|[〇○零一二三四五六七八九]{4})\s*年", text)
    return bool(said) and not REPORTING_RE.search(text) and len(extract_targets(text)) >= 1 \
        and not marker_of(text)


def _heading_above(lines: list[Line], i: int) -> str:
    """The nearest numbered line above line i (within a few lines): its heading, if any."""
    return next((t for ln in reversed(lines[max(0, i - 4):i]) if marker_of(t := ln.text.strip())), "")


def _body_start(lines: list[Line], region: Region, item_kind: str, first_item: int, st: Structure,
                source: str) -> int:
    """Walk back from the first item over headings, titles and target paragraphs; a line
    with a target or units where the walk stops is reported (text-before-items)."""
    start, before = first_item, (_value(marker_of(lines[first_item].text)[1]) or 2) - 2
    for i in range(first_item - 1, region.start - 1, -1):
        # (a heading the item ran into: the heading)
        if not (s := _run_in(lines[i].text.strip(), item_kind, before)[0]):
            continue
        if CLOSING_RE.match(s) or ANNEX_RE.match(s):
            break
        mk = marker_of(s)  # (the notice's reporting rule has days, no targets)
        told = has_responsibility(s) or bool(extract_targets(s)) and not REPORTING_RE.search(s)
        if (mk and (LEVEL[mk[0]] < LEVEL[item_kind] or mk[0] == "dash") and (len(s) <= _HEADING_MAX or told)) or (
                not mk and (_is_title_like(s) or _is_target_paragraph(s, _heading_above(lines, i))
                            or has_responsibility(s))):
            start = i  # a responsibility line belongs to the item above it
        else:
            if told:
                st.findings.append(finding("text-before-items", file=source, line=lines[i].no, value=short(s)))
            break
    return start


def find_structure(lines: list[Line], source: str = "") -> Structure:
    """Annexes, the body, its headings, items and target paragraphs."""
    st = Structure(regions=find_regions(lines))
    body, item_kind = find_body(lines, st.regions)
    if body is None:  # no numbered items: lines opening 第一, / 一是 / —— number them, in order
        n = count(1)
        lines = [Line(ln.no, f"{next(n)}\u3001{ln.text[m.end():]}") if (m := _WORDED_RE.match(ln.text))
                 else ln for ln in lines]
        body, item_kind = find_body(lines, st.regions)
    if body is None:
        return st
    st.body = body
    first = next((i for i in range(body.start, body.end) if (mk := marker_of(lines[i].text))
                  and mk[0] == item_kind and not _annex_entry(lines, i)), None)
    if first is None:  # the annex list's entries only
        return st
    _walk(lines, body, item_kind, _body_start(lines, body, item_kind, first, st, source), st, source)
    if annex_kind := _region_kind(lines, body):  # 附件2:2020年为民办实事项目: the annex title says
        for it in [it for it in st.items if it.kind == "task"]:  # what its items are
            it.kind = annex_kind
    _qualify_restarts(st, source)
    return st


def _walk(lines: list[Line], body: Region, item_kind: str, start: int, st: Structure,
          source: str) -> None:
    stack: dict[int, tuple[str, str]] = {}  # level → (heading, responsibility printed on it)
    cur: RawItem | None = None
    closed = False
    ended = False  # after a closing line: nothing more belongs to an item
    subs: set[str] = set()  # the marker kinds of the sub-items printed inside the current item
    last = 0  # the number of the last item
    sub_units = False  # a sub-item of the current item names units (said once an item)

    def close_item() -> None:
        nonlocal cur
        if cur is not None:
            cur.text = cur.text.strip()
            st.items.append(cur)
        cur = None

    def section(below: int = 99) -> list[str]:
        return [stack[j][0] for j in sorted(stack) if j < below]

    def cut(level: int) -> None:  # a heading at `level` ends those at it and below
        for j in [j for j in stack if j >= level]:
            del stack[j]

    leaves = _leaf_headings(lines[start:body.end], item_kind)
    # a heading with its first item run in ("一、主要目标1.…") is read as the two lines it is
    for k, ln, s in ((k, ln, s) for k, ln in enumerate(lines[start:body.end])
                     for s in _run_in(ln.text.strip(), item_kind, last)):
        if not s:
            continue
        mk = marker_of(s)
        if CLOSING_RE.match(s) or (mk and _annex_entry(lines, start + k)) \
                or _signs_off(s, lines[start + k + 1:start + k + 4]):
            close_item()
            ended = True
            continue
        # a leaf heading, a run-in one, or a "——" line that names units or a target is an item
        leaf = bool(mk) and (k in leaves or mk[0] == "dash") and _heading_is_item(mk, section(LEVEL[mk[0]]))
        odd = bool(mk) and not leaf and mk[0] not in subs \
            and _numbered_unlike(mk, item_kind, cur, closed)
        if odd:  # "(15)" between "14." and "16.": the next item, its marker mistyped
            st.findings.append(finding("item-marker-unlike", file=source, line=ln.no,
                                       task=mk[1], value=printed_number(mk[0], mk[1]),
                                       usual=printed_number(item_kind, cur.number)))
        if leaf or odd or (mk and mk[0] == item_kind):
            close_item()
            if leaf:  # "(一)地区生产总值增长7%(牵头单位:…)" under a target heading
                cut(LEVEL[mk[0]])
            else:
                st.findings += [finding("stray-text", file=source, line=stray.no,
                                        value=short(stray.text, 40)) for stray in st.tail]
                st.tail = []
            inherited = "" if leaf else next(
                (r for _, (_, r) in sorted(stack.items(), reverse=True) if r), "")
            number = str(last + 1) if mk[0] == "dash" else mk[1]  # "——" items counted on
            printed = printed_number(mk[0], number)
            cur = RawItem(number=printed if leaf else number, line=ln.no, text=mk[2], section=section(),
                          heading_resp=inherited, kind=kind_of_section(section()), printed=printed)
            closed = _is_closed(cur.text)
            ended = False
            subs, sub_units, last = set(), False, _value(number) or last
            continue
        if mk and _is_heading_line(mk[0], item_kind, s):
            close_item()
            cut(LEVEL[mk[0]])
            res = extract_responsibility(s)
            stack[LEVEL[mk[0]]] = (res.text, res.raw) if res.found else (s, "")
            ended = False
            continue
        if cur is None and stack and _only_responsibility(s):  # a heading's part on the line below
            level = max(stack)
            stack[level] = (stack[level][0], stack[level][1] + s)
            continue
        if cur is not None and not ended and (not closed or (mk and LEVEL[mk[0]] > LEVEL[item_kind])
                                               or _only_responsibility(s)):
            cur.text += s
            closed = _is_closed(cur.text)
            subs.add(mk[0] if mk else "")
            if mk and has_responsibility(mk[2]) and not sub_units:
                # (1)…(牵头单位:甲)(2)…(牵头单位:乙): one task whose units are the union
                sub_units = True
                st.findings.append(finding("sub-items-with-units", file=source, line=ln.no,
                                           task=cur.number))
            continue
        heading = section()[-1] if stack else _heading_above(lines, start + k)  # (above the body)
        if not ended and _is_target_paragraph(s, heading):
            close_item()
            st.target_paragraphs.append(LooseTargets(ln.no, s, section(), extract_targets(s)))
            continue
        if st.items or cur is not None:
            st.tail.append(ln)
    close_item()


def _run_in(text: str, item_kind: str, last: int) -> list[str]:
    """A heading and its first item run together in one line ("一、主要目标1.地区生产总值…",
    "一、主要目标(一)地区生产总值…(责任单位:…)"), or items one after another's closing bracket
    ("3.…(牵头单位:甲)4.…"), as the lines they are; any other line as it is. The item after
    a heading: the one after the `last` item, or a first one (1, 一) that is an item by
    _heading_is_item."""
    mk, head = marker_of(text), []
    if mk and LEVEL[mk[0]] < LEVEL[item_kind]:
        at = len(text) - len(mk[2])
        for p in range(at + 2, min(len(text), at + 30)):
            if (it := marker_of(text[p:])) and LEVEL[mk[0]] < LEVEL[it[0]] <= LEVEL[item_kind] \
                    and not text[p - 1].isdecimal() and (it[0] == item_kind and _value(it[1]) in (last + 1, 1)
                                                         or (it[1] == "一" or _value(it[1]) == 1)
                                                         and _heading_is_item(it, [text[:p]])):
                head, text = [text[:p]], text[p:].lstrip()
                break
    out = []
    while (mk := marker_of(text)) and mk[0] == item_kind and (n := _value(mk[1])):
        cut = next((close.end() for close in re.finditer(r"[)\uff09\u3011]", text)
                    if (it := marker_of(text[close.end():close.end() + 40].lstrip()))  # (its start)
                    and it[0] == item_kind and _value(it[1]) == n + 1), None)
        if cut is None:
            break
        out.append(text[:cut])
        text = text[cut:].lstrip()
    return head + out + [text]


def _annex_entry(lines: list[Line], i: int) -> bool:
    """"2.《…》任务表" in the notice's list of annexes (附件:1.《…》 above it): no item."""
    for ln in reversed(lines[max(0, i - 20):i]):
        s = ln.text.strip()
        if re.match(r"附\s*件\s*:", s):
            return True
        if s and (has_responsibility(s) or not marker_of(s)):
            return False
    return False


def _signs_off(text: str, below: list[Line]) -> bool:
    """The issuer's name right above the date (落款): the notice ends, no item goes on."""
    nxt = next((t for ln in below if (t := ln.text.strip())), "")
    return bool(ISSUER_BODY_RE.match("".join(text.split()))) and bool(CLOSING_RE.match(nxt))


def _region_kind(lines: list[Line], region: Region) -> str | None:
    """The kind an annex's title states (on the 附件 line or the first line below it); in the
    notice itself, a title that names 实事 and no other work (…民生实事分工的通知)."""
    if not region.label:
        title = next((t for ln in lines[:6] if "关于" in (t := ln.text.strip())), "")
        plain = title and not re.search("任务|目标|重点项目|重点工作", title)
        return "practical_matter" if plain and kind_of_heading(title) == "practical_matter" else None
    first = next((ln.text.strip() for ln in lines[region.start:region.end] if ln.text.strip()), "")
    titles = (region.title, first if not marker_of(first) and _is_title_like(first) else "")
    return next((kind for t in titles if t and (kind := kind_of_heading(t))), None)


def _leaf_headings(lines: list[Line], item_kind: str) -> set[int]:
    """Indices of heading-level marker lines with no deeper marker line under them."""
    marks = [(k, LEVEL[mk[0]]) for k, ln in enumerate(lines)  # a run-in heading: both its marks
             for s in _run_in(ln.text.strip(), item_kind, 0) if (mk := marker_of(s)) and mk[0] != "dash"]
    return {k for (k, level), nxt in zip(marks, [*marks[1:], (len(lines), 0)])
            if level < LEVEL[item_kind] and nxt[1] <= level}


def _heading_is_item(mk: tuple[str, str, str], section: list[str]) -> bool:
    """A leaf heading that is an item itself: it names units, or it is a target under a
    target heading (主要预期目标 › (一)地区生产总值增长7%)."""
    return has_responsibility(mk[2]) or (kind_of_section(section) == "indicator"
                                         and bool(extract_targets(mk[2])))


def _numbered_unlike(mk: tuple[str, str, str], item_kind: str, cur: RawItem | None,
                     closed: bool) -> bool:
    """An arabic marker of another form whose number is the next item's ("(15)" or "15、"
    after item "14."), on a line that starts an item of its own: the item above already has
    its units, or this line names units. (Sub-items are numbered from 1: once one of a
    kind was printed inside the item, that kind numbers sub-items, see _walk.)"""
    if mk[0] == item_kind or mk[0] not in _ARABIC or item_kind not in _ARABIC or cur is None \
            or not (cur.number.isdecimal() and mk[1].isdecimal()  # (not "⑮": isdigit, no int)
                    and int(mk[1]) == int(cur.number) + 1):
        return False
    # "2." over "(1)" items is a heading, unless it names units
    return (closed and LEVEL[mk[0]] >= LEVEL[item_kind]) or has_responsibility(mk[2])


def _only_responsibility(text: str) -> bool:
    """A line that is a responsibility part alone ("责任单位:…" under "牵头单位:…", each its
    own paragraph in Word): it belongs to the item above, even once that item has units."""
    s = text.lstrip()
    s = s[1:].lstrip() if s[:1] in OPENERS else s
    return bool(KEYWORD_RE.match(s)) and not extract_responsibility(text).text.strip(PART_TRIM)


def _is_closed(text: str) -> bool:
    """True when the item's responsibility has been printed at its end (a part printed at
    the start, "【牵头单位:…】推进…", leaves the item open for the lines that follow)."""
    res = extract_responsibility(text)
    if not res.found or res.unclosed or res.raw.rstrip().endswith((":", "、", ",")):  # "责任单位:", "甲、"
        return False
    s = text.lstrip()
    if s[:1] in OPENERS and KEYWORD_RE.match(s[1:].lstrip()):
        rest = text[text.find(res.raw) + len(res.raw):] if res.raw and res.raw in text else ""
        return has_responsibility(rest) or not rest.strip()
    return True


def printed_number(kind: str, number: str) -> str:
    """The item's number as printed: "3", "(一)" (folded; restore_printed gives it back)."""
    return f"({number})" if kind in ("cn2", "ar2") else f"{number})" if kind == "ar4" else number


def _heading_mark(head: str) -> str:
    """"(三)聚焦…" → "(三)", "二、主要任务" → "二." (for qualified numbers), else ""; an arabic
    heading over the items (一、(一)1.(1) in four levels): "1." → "1", "(2)" → "(2)"."""
    mk = marker_of(head)
    return _HEADING_MARKS.get(mk[0], "").format(mk[1]) if mk else ""


_HEADING_MARKS = {"cn0": "第{}部分", "cn1": "{}.", "cn2": "({})", "ar1": "{}", "ar2": "({})"}


def _qualified(mark: str, it: RawItem) -> str:
    """The item's number under the heading marks: after an arabic heading's "1" the item's
    own marker as printed ("1(2)"), so that the digits never run together ("12")."""
    return mark + (it.printed or it.number) if mark[-1:].isdigit() else mark + it.number


_KIND_MARK = {"practical_matter": "实事"}  # a key prefix for items whose section has no number


def _value(number: str) -> int | None:
    """What an item's number counts: 3 for "3" and for "\u2462" (circled); None for others."""
    if number.isdecimal():
        return int(number)
    return int(unicodedata.numeric(number)) if len(number) == 1 and unicodedata.category(number) == "No" else None


def _qualify_restarts(st: Structure, source: str) -> None:
    """Task numbers stay unique (Task.number is the key of every form).

    Numbers that restart under each heading get the heading's marker: "(三)2" under "(三)…", "二.3"
    under "二、…", "实事2" in a 民生实事 table of its own; when that still repeats (1. under (一) under
    both 一、 and 二、) the whole path of markers: "二(一)3". A number printed twice anyway (a typo)
    keeps the first and becomes "6-2" for the second, reported.
    """
    nums = [_value(it.number) for it in st.items]
    restarts = any(b is not None and a is not None and b <= a and b == 1 for a, b in zip(nums, nums[1:]))
    numbers = [it.number for it in st.items]
    if restarts:
        # a 民生实事 table restarting at 1 under no numbered heading: "实事1", not a "1-2" typo
        inner = [(_heading_mark(it.section[-1]) if it.section else "") or _KIND_MARK.get(it.kind, "")
                 for it in st.items]
        numbers = [_qualified(m, it) for m, it in zip(inner, st.items)]
        if len(set(numbers)) < len(numbers):
            full = ["".join(_heading_mark(h).rstrip(".") if k < len(it.section) - 1
                            else _heading_mark(h) for k, h in enumerate(it.section))
                    for it in st.items]
            numbers = [_qualified(m, it) for m, it in zip(full, st.items)]
    for k in range(1, len(st.items)):  # a number skipped (under one heading, when they restart): 1. 3.
        a, b, it = nums[k - 1], nums[k], st.items[k]
        if a is not None and b is not None and b not in (a, a + 1) and not (
                restarts and (b == 1 or it.section != st.items[k - 1].section)):
            st.findings.append(finding("item-number-gap", file=source, task=numbers[k],
                                       line=it.line, previous=numbers[k - 1]))
    seen: dict[str, int] = {}  # number → the last k of "number-k" given out
    for it, printed in zip(st.items, numbers):
        it.number = printed
        if printed in seen:
            k = seen[printed] + 1
            while f"{printed}-{k}" in seen:
                k += 1
            seen[printed], it.number = k, f"{printed}-{k}"
            st.findings.append(finding("item-number-duplicate", file=source, task=it.number,
                                       line=it.line, value=printed))
        seen.setdefault(it.number, 1)
