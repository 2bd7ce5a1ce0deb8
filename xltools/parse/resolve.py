"""Resolving printed names to units and groups, through the clerk's register or built from the notice.

One body printed two ways is merged only when certain (same key, a shared suffix, or
`probably_same` with a single candidate), and every merge is reported; anything looser
is listed for the clerk and the names stay apart.
"""
from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field

from ..model.findings import Finding, finding
from ..model.plan import Group, Plan, Unit, normalize_name
from .names import (guess_unit_kind, is_group_phrase, maybe_same, name_key, probably_same)


@dataclass
class Mention:
    """A name as printed somewhere in the notice."""

    name: str
    implied: str = ""  # the full name a shared suffix implies (荆州开发区 → 荆州开发区管委会)
    origin: str = "annex1"  # annex1 / annex2 / annex3
    task: str = ""
    line: int = 0
    stem: str = ""  # the suffix-holder's stem (洪湖市 of "监利县、洪湖市政府"): an alias of it


@dataclass
class Book:
    """Units and groups of the plan, and where each printed name led."""

    units: list[Unit] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unresolved: set[str] = field(default_factory=set)

    def names(self) -> dict[str, Unit | Group]:
        out: dict[str, Unit | Group] = {}
        for e in [*self.groups, *self.units]:  # a group's name wins over a unit's alias
            for n in [e.name, *e.aliases]:
                out.setdefault(name_key(n), e)
        return out


def _add_alias(entity: Unit | Group, alias: str) -> None:
    if normalize_name(alias) not in {normalize_name(n) for n in [entity.name, *entity.aliases]}:
        entity.aliases.append(alias)


def _report(book: Book, code: str, m: Mention, source: str, **params) -> None:
    book.findings.append(finding(code, file=source, value=m.name, task=m.task, line=m.line, **params))


def _candidates(book: Book, name: str, test) -> list[Unit]:
    return [u for u in book.units if any(test(name, n) for n in [u.name, *u.aliases])]


def resolve_with_register(register: Plan, mentions: list[Mention], source: str = "") -> Book:
    """Names through the clerk's register: aliases learned only when certain."""
    book = Book(units=copy.deepcopy(register.units), groups=copy.deepcopy(register.groups))
    for key, m in _distinct(mentions).items():
        index = book.names()
        if key in {normalize_name(n) for e in index.values() for n in [e.name, *e.aliases]}:
            continue
        hit = index.get(name_key(m.name)) or (index.get(name_key(m.implied)) if m.implied else None)
        if hit is None and not is_group_phrase(m.name):
            cands = _candidates(book, m.name, probably_same)
            if len(cands) == 1:
                hit = cands[0]
            elif len(cands) > 1:
                _ambiguous(book, m, cands, source)
                continue
        if hit is not None:
            _add_alias(hit, m.name)
            _report(book, "unit-alias-recorded", m, source, canonical=hit.name)
            continue
        if not is_group_phrase(m.name) and (loose := _candidates(book, m.name, maybe_same)):
            _ambiguous(book, m, loose, source)
            continue
        book.unresolved.add(m.name)
        _report(book, "unresolved-unit", m, source, kind="单位分组" if is_group_phrase(m.name) else "单位")
    _add_stems(book, mentions)
    return book


def _add_stems(book: Book, mentions: list[Mention]) -> None:
    """洪湖市 of "监利县、洪湖市政府" becomes an alias of 洪湖市政府, as 监利县 is of 监利县政府
    (only when the stem names nothing else)."""
    for m in [m for m in mentions if m.stem]:
        index = book.names()
        hit = index.get(name_key(m.name))
        other = index.get(name_key(m.stem))
        if isinstance(hit, Unit) and (other is None or other is hit):
            _add_alias(hit, m.stem)


def _ambiguous(book: Book, m: Mention, cands: list[Unit], source: str) -> None:
    book.unresolved.add(m.name)
    _report(book, "ambiguous-unit-alias", m, source, candidates="、".join(u.name for u in cands))


def build_units(mentions: list[Mention], source: str = "") -> Book:
    """Units and groups built from the notice itself (no register given)."""
    book = Book()
    for m in _canonical_order(mentions):
        index = book.names()
        if is_group_phrase(m.name):  # a group printed again (the same key) is one group
            if isinstance(g := index.get(name_key(m.name)), Group):
                _add_alias(g, m.name)
            else:
                book.groups.append(Group(name=m.name))
            continue
        full = m.implied or m.name
        hit = index.get(name_key(full)) or index.get(name_key(m.name))
        if isinstance(hit, Unit):
            known = {normalize_name(n) for n in [hit.name, *hit.aliases]}
            _add_alias(hit, m.name)
            if m.implied:
                _add_alias(hit, m.implied)
            if normalize_name(m.name) not in known and not m.implied:
                # same key (区新闻和信息中心 / 区新闻与信息中心, 锣场镇 / 锣场镇人民政府): certain,
                # but the clerk still sees that two spellings became one unit
                _report(book, "unit-alias-recorded", m, source, canonical=hit.name)
            continue
        cands = _candidates(book, full, probably_same)
        if len(cands) == 1:
            _add_alias(cands[0], m.name)
            _report(book, "unit-alias-recorded", m, source, canonical=cands[0].name)
            continue
        # 市住建局(市人防办) beside 市住建局: the same office under its second name, or the
        # office of that second name: the clerk says which (the names stay apart)
        stem = _PAREN_TAIL.match(normalize_name(full))
        paren = [hit] if stem and isinstance(hit := index.get(name_key(stem.group(1))), Unit) else []
        if loose := cands or paren or _candidates(book, full, maybe_same):
            _report(book, "ambiguous-unit-alias", m, source, candidates="、".join(u.name for u in loose))
        book.units.append(Unit(name=full, kind=guess_unit_kind(full),
                               aliases=[m.name] if m.implied else []))
    _add_stems(book, mentions)
    return book


_PAREN_TAIL = re.compile(r"^(.{2,}?)[(\uff08][^()\uff08\uff09]{2,}[)\uff09]$")


def _canonical_order(mentions: list[Mention]) -> list[Mention]:
    """Annex-1 names first, the most printed form of each first; then annex 3, then annex 2."""
    rank = {"annex1": 0, "annex3": 1, "annex2": 2}
    counts = Counter(normalize_name(m.name) for m in mentions if m.origin == "annex1")
    # a stable sort: equals stay in the order first printed
    return sorted(_distinct(mentions).values(), key=lambda m: (rank.get(m.origin, 3),
                                                              -counts[normalize_name(m.name)]))


def _distinct(mentions: list[Mention]) -> dict[str, Mention]:
    """Each printed name once, where first printed: the first mention that implies a full
    name when any does. 纪南文旅区 printed alone in one list and as "纪南文旅区、荆州高新区
    管委会" in another is one body whichever is printed first."""
    out: dict[str, Mention] = {}
    for m in mentions:
        key = normalize_name(m.name)
        if key not in out or (m.implied and not out[key].implied):
            out[key] = m  # (a dict keeps the key where it was first put)
    return out


_COUNTY_GROUP_RE = re.compile(r"^各([县市区、()\uff08\uff09]+?)(人民政府|政府)?$")
_COUNTY_UNIT_RE = re.compile(r"^(.{2,10}?)([县市区])(人民政府|政府)$")
_TOWN_GROUP_RE = re.compile(r"镇|乡")
_STREET_GROUP_RE = re.compile(r"街道|街办|办事处|镇街|[(\uff08]街")


def county_governments(book: Book, group_name: str) -> list[str] | None:
    """各县市区政府 / 各县(市、区)人民政府 / 各县市区: the county-level governments the
    notice names (荆州区政府 …); None when the name is no such group."""
    m = _COUNTY_GROUP_RE.match(normalize_name(group_name))
    if not m or not re.search(r"[县区]", m.group(1)):
        return None
    levels = set(re.sub(r"[^县市区]", "", m.group(1)))
    return [u.name for u in book.units if (um := _COUNTY_UNIT_RE.match(normalize_name(u.name)))
            and um.group(2) in levels and um.group(1)[0] not in "市区县"]


def infer_group_members(book: Book, towns: list[str], streets: list[str], has_matrix: bool,
                        source: str = "") -> None:
    """Members of groups built from the notice, each inference reported for the clerk:
    towns/subdistricts from the matrix rows (else from the towns the notice names),
    各县市区政府 from the county-level governments the notice names, 区直各部门 /
    市政府各部门 from the departments printed with the same 区/市 prefix. Groups the
    notice cannot define (有关部门, …成员单位) stay empty: never a guess."""
    for g in book.groups:
        members, basis = _group_members(book, g.name, towns, streets, has_matrix)
        if not members:
            book.findings.append(finding("group-members-unknown", file=source, value=g.name))
            continue
        g.members = list(dict.fromkeys(members))
        book.findings.append(finding("group-members-inferred", file=source, value=g.name,
                                     count=len(g.members), basis=basis))


def _group_members(book: Book, name: str, towns: list[str], streets: list[str],
                   has_matrix: bool) -> tuple[list[str], str]:
    """A group's members and what they were read from; ([], "") when the notice cannot say."""
    if (county := county_governments(book, name)) is not None:
        return county, f"通知中写明的县(市、区)政府({'、'.join(county)};通知未写明的请补充)"
    s = normalize_name(name)
    if re.search(r"有关|相关|成员单位|县市区|县市|各地|各县", s):
        return [], ""
    members, basis, missing = [], [], []  # names, what they come from, kinds the notice lacks
    for pattern, in_matrix, kind, word in ((_TOWN_GROUP_RE, towns, "镇", "乡镇"),
                                           (_STREET_GROUP_RE, streets, "街道", "街道")):
        if not pattern.search(s):
            continue
        named = [u.name for u in book.units if u.kind == kind]
        if has_matrix and in_matrix:
            members += in_matrix
            basis.append(f"附件中镇街目标表的{kind}")
        elif named:
            members += named
            basis.append(f"通知中写明的{word}({'、'.join(named)};通知未写明的请补充)")
        else:
            missing.append(word)
    if missing and not members:
        return [], ""
    if missing:  # 各镇(街道) with towns named but no subdistrict
        basis[-1] += f";通知中没有写明任何{'、'.join(missing)},请补充"
    if re.search(r"部门|单位", s) and re.search(r"[区市县]直|各部门|各单位", s):
        direct = re.search(r"([区市县])直", s)
        prefix = s[0] if s[0] in "区市县" else (direct.group(1) if direct else "")
        depts = [u.name for u in book.units if u.kind == "部门"
                 and (not prefix or normalize_name(u.name).startswith(prefix))]
        if not depts:
            return [], ""
        members += depts
        basis.append(f"通知中出现的{prefix}级部门")
    return members, "、".join(basis)
