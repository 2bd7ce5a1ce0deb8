"""Unit names: splitting printed lists, group phrases, run-together names, name keys.

Pure functions on strings. Names are returned exactly as printed (outer spaces
trimmed); comparison goes through `name_key`, which forgets only what cannot change
the body meant (spaces, bracket width, 和/与, 人民政府 after a town, 街道办事处/街办).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

LIST_SEPS = "、,\uff0c;\uff1b"
OPENERS = "(\uff08〈<《\uff1c【[〔{\uff5b"
CLOSERS = ")\uff09〉>》\uff1e】]〕}\uff5d"
# Usual endings of a body's name (the list plus a few common ones).
ENDINGS = ("管委会", "分局", "中心", "公司", "政府", "街道", "集团", "大学", "办事处", "街办",
           "局", "委", "办", "镇", "乡", "室", "院", "所", "站", "队", "社", "会", "行", "部",
           "处", "厅", "署", "馆", "校", "园区", "海关", "联", "协")  # (妇联, 残联, 科协)
# Endings certain enough to split on (the list).
SPLIT_ENDINGS = ("管委会", "分局", "中心", "公司", "政府", "街道", "集团", "大学", "局", "委",
                 "办", "镇")
ADMIN_PREFIXES = "区市县省"
_GROUP_RE = re.compile(r"^各|各(部门|单位|成员|镇|乡|街|县|区|市|地|相关|有关)|有关部门|相关部门|"
                       r"有关单位|相关单位|成员单位$|^[区市县]直(?!属)|所有|全体")
_GROUP_TAIL_WORDS = ("镇", "乡", "街道", "街办", "办事处", "街道办事处", "村", "社区", "部门", "单位",
                     "乡镇", "镇街", "园区", "开发区")
_AREA_END_RE = re.compile(r"(区|县|市|镇|乡|街道)$")
_SUFFIX_RE = re.compile(r"(区|县|市|镇|乡)(人民政府|政府|管委会|管理委员会)$")
# a lead marked in a unit list itself: 区发改局(牵头), 区财政局(牵头单位)
LEAD_MARK = re.compile(r"[(\uff08](?:牵头|牵头单位|牵头部门|主办|主责)[)\uff09]$")


@dataclass
class Piece:
    """One printed name of a list and the separator that followed it."""

    name: str
    sep: str = ""
    implied: str = ""  # 荆州开发区 in "荆州开发区、纪南文旅区管委会" implies 荆州开发区管委会
    stem: str = ""  # 纪南文旅区 for the piece that carries the shared suffix (纪南文旅区管委会)


def is_group_phrase(name: str) -> bool:
    """各镇人民政府, 区直各部门, 市政府有关部门, …成员单位: a collective, not one body."""
    return bool(_GROUP_RE.search(squash(name)))


def squash(s: str) -> str:
    """The text without any whitespace (padding in merged or justified cells, line breaks)."""
    return "".join(s.split())


def split_top(text: str, seps: str = LIST_SEPS) -> list[tuple[str, str]]:
    """Split on separators outside any brackets: [(piece, separator after it)]."""
    out: list[tuple[str, str]] = []
    depth = start = 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        if ch in seps and depth == 0:
            out.append((text[start:i], ch))
            start = i + 1
    return out + [(text[start:], "")]


def split_units(text: str) -> list[Piece]:
    """A printed unit list → names as printed, nested parts kept, group phrases kept whole."""
    raw = [(p.strip(" \t。.:\uff1a:"), s) for p, s in split_top(text)]
    pieces: list[Piece] = []
    for name, sep in raw:
        if not name:
            if pieces and sep:
                pieces[-1].sep = pieces[-1].sep or sep
            continue
        # "各镇、街道": the second word only completes the group phrase before it
        if pieces and pieces[-1].sep == "、" and name in _GROUP_TAIL_WORDS \
                and squash(pieces[-1].name).startswith("各"):
            pieces[-1].name += "、" + name
            pieces[-1].sep = sep
            continue
        pieces += [Piece(part) for part in _split_etc(name)]
        pieces[-1].sep = sep
    _imply_shared_suffix(pieces)
    return pieces


def _split_etc(name: str) -> list[str]:
    """"市应急管理局等市政府有关部门" → [市应急管理局, 市政府有关部门]; a trailing 等 dropped."""
    m = re.match(r"^(.+?)等(.+)$", name)
    if m and is_group_phrase(m.group(2)) and not is_group_phrase(m.group(1)):
        return [m.group(1).strip(), m.group(2).strip()]
    if name.endswith("等") and len(name) > 2:
        return [name[:-1]]
    m = re.match(r"^(.{2,}?)等(?:部门|单位)$", name)  # "区发改局等部门": as a trailing 等
    return [m.group(1)] if m else [name]


def _imply_shared_suffix(pieces: list[Piece]) -> None:
    """荆州区、沙市区政府 / 荆州开发区、纪南文旅区管委会: the suffix is shared by the run."""
    run: list[Piece] = []
    for p in pieces:
        run.append(p)
        if p.sep == "、":
            continue
        if (m := _SUFFIX_RE.search(squash(p.name))) and len(run) > 1:
            suffix = m.group(2)
            sharing = [q for q in run[:-1] if _AREA_END_RE.search(n := squash(q.name))
                       and not is_group_phrase(n) and not n.endswith(suffix)]
            for q in sharing:
                q.implied = squash(q.name) + suffix
            if sharing and not is_group_phrase(p.name):
                # the suffix is distributed: 洪湖市 in "…、洪湖市政府" names 洪湖市政府 as much
                # as 监利县 names 监利县政府, so the last one's stem is an alias too
                p.stem = squash(p.name)[:m.start(2)]
        run = []


_KEY_CHARS = (("\uff08", "("), ("\uff09", ")"), ("〈", "<"), ("〉", ">"), ("\uff1c", "<"),
              ("\uff1e", ">"), ("与", "和"), ("及", "和"), ("\u00b7", ""), ("\u30fb", ""), ("\u2022", ""))


def name_key(name: str) -> str:
    """A comparison key: the same key means the same body, certainly."""
    s = squash(name)
    for a, b in _KEY_CHARS:  # str.replace beats str.translate on names this short
        s = s.replace(a, b)
    s = re.sub(r"(镇|乡)人民政府$", r"\1", s)
    return re.sub(r"(街道办事处|街道办|街办)$", "街道", s)


def subsequence_extra(short: str, long: str) -> str | None:
    """The characters `long` has beyond `short` when short is a subsequence of it, else None."""
    extra: list[str] = []
    i = 0
    for ch in long:
        if i < len(short) and ch == short[i]:
            i += 1
        else:
            extra.append(ch)
    return "".join(extra) if i == len(short) else None


def probably_same(a: str, b: str) -> bool:
    """Two spellings of one body, certain enough to merge: 区国土分局/区国土资源分局, 观音镇/观音垱镇.

    The shorter must be the longer with at most two characters left out, keep the
    same first and last character (or drop only the leading 区/市/县), and be at least
    three characters long. Anything looser is a question for the clerk.
    """
    ka, kb = name_key(a), name_key(b)
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    if len(short) < 3 or is_group_phrase(short) or is_group_phrase(long):
        return False
    extra = subsequence_extra(short, long)
    if extra is None or not 1 <= len(extra) <= 2 or short[-1] != long[-1]:
        return False
    return short[0] == long[0] or (long[0] in ADMIN_PREFIXES and long[1:] == short)


def maybe_same(a: str, b: str) -> bool:
    """A looser resemblance worth asking the clerk about (never merged on its own)."""
    ka, kb = name_key(a), name_key(b)
    short, long = sorted((ka, kb), key=len)
    if len(short) < 3 or ka == kb:
        return False
    extra = subsequence_extra(short, long)
    return extra is not None and len(extra) <= 4 and short[-1] == long[-1]


def run_together_splits(name: str, known: set[str] | None = None) -> tuple[list[str], bool]:
    """Possible split of names printed without separator, and whether it is certain.

    Certain when every part is a known name (register, or printed alone elsewhere),
    or when each part ends with a usual ending and starts with the same 区/市/县 as the
    first. ([], False) when nothing suggests a run-together name.
    """
    s = squash(name)
    known_keys = {name_key(k) for k in (known or set())}
    if name_key(s) in known_keys:
        return [], False
    spaced = name.split()  # "区住建局  各街道办事处": names a space apart, each whole
    if len(spaced) > 1 and all(is_group_phrase(x) or len(x) > 2 and x.endswith(ENDINGS)
                               and x[0] in ADMIN_PREFIXES for x in spaced):  # (not 县公安局 交警大队)
        return spaced, True
    if joined := _split_joined(s, known_keys):
        left, right = joined
        known_or_group = [name_key(x) in known_keys or is_group_phrase(x) for x in joined]
        return joined, all(known_or_group) or (
            left[0] in ADMIN_PREFIXES and (right[0] in ADMIN_PREFIXES or known_or_group[1]))
    if is_group_phrase(s):
        return [], False
    if len(parts := _split_known(s, known_keys) or []) > 1:
        return parts, True
    parts = _split_endings(s)
    if len(parts) < 2:
        return [], False
    return parts, s[0] in ADMIN_PREFIXES and all(p[0] == s[0] for p in parts)


_JOINERS = ("以及", "和", "及", "与")


def _split_joined(s: str, keys: set[str]) -> list[str] | None:
    """"区发改局和区商务局", "市发改委及各县市区政府": two names joined by 和/及/与, the first
    a group phrase or ending as a unit's name does (市自然资源和规划局 and 区新闻和信息中心 are
    one name each), the second a unit's name or a group phrase."""
    for joiner in _JOINERS:
        at = s.find(joiner, 3)
        while at > 0:
            left, right = s[:at], s[at + len(joiner):]
            if (left.endswith(SPLIT_ENDINGS) or is_group_phrase(left)) and _depth_ok(left) \
                    and len(right) >= 2 and (
                    right.endswith(ENDINGS) or is_group_phrase(right) or name_key(right) in keys):
                return [left, right]
            at = s.find(joiner, at + 1)
    return None


def _split_known(s: str, keys: set[str]) -> list[str] | None:
    """s as a concatenation of known names (shortest first part first)."""
    if not s:
        return []
    for i in range(2, len(s) + 1):
        if name_key(s[:i]) in keys and (rest := _split_known(s[i:], keys)) is not None:
            return [s[:i], *rest]
    return None


def _split_endings(s: str) -> list[str]:
    """Cut after a usual ending where an admin prefix (区/市/县/省) starts the next name."""
    for i in range(3, len(s) - 2):
        left, right = s[:i], s[i:]
        if right[0] in ADMIN_PREFIXES and left.endswith(SPLIT_ENDINGS) \
                and not right.startswith(("区委", "市委", "县委")) \
                and right.endswith(ENDINGS) and _depth_ok(left):
            return [left, *_split_endings(right)]
    return [s]


def _depth_ok(s: str) -> bool:
    return sum(ch in OPENERS for ch in s) == sum(ch in CLOSERS for ch in s)


def guess_unit_kind(name: str) -> str:
    """镇 / 街道 / 企业 / 部门 from the name's ending (a guess the clerk can correct)."""
    s = re.sub(r"(人民政府|政府)$", "", squash(name))
    return next((kind for kind, endings in _KIND_ENDINGS if s.endswith(endings)), "部门")


_KIND_ENDINGS = (("镇", ("镇", "乡")), ("街道", ("街道", "街办", "办事处", "街道办")),
                 ("企业", ("公司", "集团")))
