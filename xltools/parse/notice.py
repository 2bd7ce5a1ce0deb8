"""The notice parser: text → plan + findings, by composing the pure rules of this package."""
from __future__ import annotations

import re

from ..model.check import check_plan
from ..model.findings import Finding, finding, relocate
from ..model.glossary import FW_COMMA
from ..model.plan import Plan, Task, TownMatrix, Unit
from .annex2 import (UnitTasks, grid_is_unit_table, looks_like_table, parse_unit_tasks,
                     unit_tasks_from_grid)
from .annex3 import (CORNER_WORDS, build_matrix_from_grids, is_value, looks_like_matrix, matrix_of,
                     matrix_title, split_tables)
from .cells import cells_of, grid_cells
from .clean import Line, clean_lines, short
from .consistency import check_annex2
from .flat_table import read_tables
from .fold import fold, restore_printed
from .meta import (breakdown_title_check, campaign_title, find_breakdown_title, find_doc_number,
                   find_issuer, find_periods, find_title, find_year)
from .names import LEAD_MARK, Piece, run_together_splits, split_units
from .notes import Notes, note_of, peel_notes, peel_piece_tail, reads_like_sentence
from .resolve import Book, Mention, build_units, infer_group_members, resolve_with_register
from .responsibility import KEYWORD_RE, extract_responsibility
from .result import ParseResult
from .structure import RawItem, Region, Structure, _qualify_restarts, find_structure
from .table1 import Grid, fold_grid
from .targets import extract_targets


def parse_notice_text(text: str, register: Plan | None = None, source: str = "",
                      tables: list[Grid] | None = None) -> ParseResult:
    """Parse a notice's text into a plan; problems come back as findings, never exceptions.

    `tables` are the .docx tables as grids (read.py); a text file's tables are read from
    the text itself. Annex 1 printed as a table is read when it gives more items than
    the numbered paragraphs do.
    """
    src, text = source or "通知", re.sub(r"\r\n?", "\n", text or "")  # old Mac's "\r" lines too
    lines, findings = clean_lines(text, src)
    st = find_structure(lines, src)
    grids = [fold_grid(g) for g in tables or []]  # the grids' side of the fold boundary
    table = read_tables(lines, grids, src)
    if table is not None and len(table.items) > len(st.items):
        # the table's rows as the structure's items (numbers made unique the same way)
        st = Structure(items=table.items, regions=st.regions, findings=list(table.findings))
        _qualify_restarts(st, src)
        st.findings.append(finding("annex1-table-read", file=src, value=" | ".join(table.header),
                                   count=len(table.items)))
        skip = [r for r in st.regions
                if any(r.start <= at < max(r.end, r.start + 1) for at in table.starts)]
    else:
        skip = [st.body]
    findings += st.findings
    if not st.items:
        findings.append(finding("no-items-found", file=src))
        return ParseResult(plan=None, findings=findings, source=source)

    tail = st.tail if st.body and st.body.label else ()  # what an annex's items left: read_annexes
    matrix, entries, af = read_annexes(lines, st.regions, skip, grids, src, tail)
    findings += af
    items_pieces = _carry_rules([_item_pieces(it) for it in st.items])
    known = _known_names(items_pieces, entries, matrix, register)
    mentions: list[Mention] = []
    tasks = [_build_task(it, *pieces, known, register, src, findings, mentions)
             for it, pieces in zip(st.items, items_pieces)]
    mentions += [Mention(r.label, origin="annex3", line=0) for r in (matrix.rows if matrix else [])
                 if r.kind == "town"]
    mentions += [Mention(e.unit, origin="annex2", line=e.line) for e in entries]

    book = (resolve_with_register(register, mentions, src) if register is not None
            else build_units(mentions, src))
    folded = fold(text)
    plan = _assemble(folded, book, tasks, matrix, register)
    plan.breakdown_title = find_breakdown_title(text)  # as printed: from the original
    findings += breakdown_title_check(plan.breakdown_title, find_title(folded), src)
    if register is None:  # the matrix's rows name the towns and subdistricts
        rows = [u for r in plan.town_rows() if (u := plan.unit(r.label)) is not None]
        infer_group_members(book, [u.name for u in rows if u.kind != "街道"],
                            [u.name for u in rows if u.kind == "街道"], matrix is not None, src)
    findings += book.findings
    findings += _leaders(plan, entries, register, src)
    plan.periods, pf = find_periods(folded, plan.year, src)
    findings += pf
    if not plan.year:
        findings.append(finding("year-not-found", file=src))
    item_lines = {t.number: it.line for t, it in zip(tasks, st.items)}
    findings += check_annex2(plan, entries, item_lines, src) if entries else []
    findings += [finding("unnumbered-targets", file=src, line=lt.line, value=short(lt.text),
                         count=len(lt.targets)) for lt in st.target_paragraphs]
    findings = _plan_checks(plan, book, src, findings)
    result = ParseResult(plan=plan, findings=findings, source=source, annex2=entries,
                         loose_targets=st.target_paragraphs, item_lines=item_lines)
    restore_printed(result, text, register_names=register is not None)
    return result


def read_annexes(lines: list[Line], regions: list, skip: list, grids: list, source: str,
                 tail: list[Line] = ()) -> tuple[TownMatrix | None, list[UnitTasks], list[Finding]]:
    """Annex 3 (the town matrix), annex 2's unit blocks and findings, from the regions not in
    `skip`: a region's .docx tables are read as grids, cell by cell; a region without
    any (a text notice) is read from its text, flattened one cell per block. The lines after
    the body's last item that no item took (`tail`: an annex whose 附件 line is missing) are
    one more region, reported when read as neither."""
    extra = Region("", tail[0].no - 1, tail[-1].no) if tail else None
    matrix, entries, findings = None, [], []
    for region in [*regions, *([extra] if tail else [])]:
        if any(region is r for r in skip):
            continue
        had = (matrix, len(entries))
        mine = [g for g in grids if g.rows and g.rows[0]
                and region.start <= g.rows[0][0].line - 1 < max(region.end, region.start + 1)]
        if mine:
            matrix_grids = [g for g in mine if looks_like_matrix(grid_cells(g))]
            if matrix is None and matrix_grids:
                first = matrix_grids[0].rows[0][0].line - 1
                title = matrix_title(cells_of(lines, region.start, first))
                matrix, mf = build_matrix_from_grids(matrix_grids, title, source)
                findings += mf
            if not entries:
                entries = [e for g in mine if grid_is_unit_table(g) for e in unit_tasks_from_grid(g)]
        else:  # annex 2's table run into annex 3's matrix (the 附件3 line missing): each its own
            cells = cells_of(lines, region.start, region.end)
            if cut := _matrix_after_table(cells):
                entries, cells = entries or parse_unit_tasks(cells[:cut]), cells[cut:]
            if looks_like_matrix(cells) and matrix is None:
                matrix, mf = matrix_of(*split_tables(cells), source)
                findings += mf
            elif not entries and looks_like_table(cells):
                entries = parse_unit_tasks(cells)
            if region is not extra and had == (matrix, len(entries)) and cells \
                    and (looks_like_matrix(cells) or looks_like_table(cells)):  # never silently
                findings.append(finding("annex-not-read", file=source, value=region.label,
                                        line=cells[0].line, lines=f"{cells[0].line}-{cells[-1].line}"))
        if region is extra and had == (matrix, len(entries)):
            findings.append(finding("text-not-read", file=source, line=tail[0].no, value=short(tail[0].text),
                                    lines=f"{tail[0].no}-{tail[-1].no}"))
    return matrix, entries, findings


def _matrix_after_table(cells: list) -> int:
    """Where a town matrix (its title, else its corner cell) starts after a unit task table; 0: none."""
    return next((k - (not is_value(cells[k - 2].flat) and bool(matrix_title(cells[k - 1:k])))
                 for k, c in enumerate(cells) if c.flat in CORNER_WORDS
                 and looks_like_table(cells[:k]) and looks_like_matrix(cells[k:])), 0)


def _item_pieces(it: RawItem):
    res = it.resp if it.resp is not None else extract_responsibility(it.text)
    if it.resp is not None and not res.found:
        inline = extract_responsibility(it.text)  # "(责任单位:…)" inside the task cell
        if inline.found:
            inline.deadline = inline.deadline or res.deadline
            inline.leader = inline.leader or res.leader
            res = inline
    from_heading = not res.found and bool(it.heading_resp)
    # "(一)…(牵头单位:甲)" over "1.…(责任单位:乙)" (not over "1.…(乙负责)": 乙 is in charge)
    if res.found and not res.lead and it.heading_resp and KEYWORD_RE.search(res.raw):
        res.lead = extract_responsibility(it.heading_resp).lead
    units = extract_responsibility(it.heading_resp) if from_heading else res
    lead, n1 = peel_notes(units.lead)
    resp, n2 = peel_notes(units.responsible)
    n1.merge(n2)
    res.notes = n1
    lead_p, resp_p = _peel_tails(split_units(lead), lead, n1), _peel_tails(split_units(resp), resp, n1)
    marked = []
    for p in lead_p + resp_p:  # "区发改局(牵头)、区统计局": the marked units lead
        if m := LEAD_MARK.search(p.name):
            p.name = p.name[:m.start()].rstrip()
            marked.append(p)
    if marked:
        lead_p = [p for p in lead_p if p not in marked] + marked
        resp_p = [p for p in resp_p if p not in marked]
    if n1.each_leads and not lead_p:  # 分别牵头: every listed unit leads its own part
        lead_p, resp_p = resp_p, []
    elif n1.first_leads and not lead_p and resp_p:  # 列第一位的为牵头单位
        lead_p, resp_p = resp_p[:1], resp_p[1:]
    return res, from_heading, lead_p, resp_p



def _carry_rules(items_pieces: list) -> list:
    """"列第一位的为牵头单位,下同": the first listed unit leads in the items below too."""
    out, carry = [], False
    for res, from_heading, lead_p, resp_p in items_pieces:
        if carry and not lead_p and resp_p and not res.notes.each_leads:
            lead_p, resp_p = resp_p[:1], resp_p[1:]
        if res.notes.carry:  # set by _item_pieces on every item
            carry = res.notes.first_leads
        out.append((res, from_heading, lead_p, resp_p))
    return out


def _peel_tails(pieces: list[Piece], printed: str, notes: Notes) -> list[Piece]:
    """Annotation tails off each name (市农业农村局分别牵头); a dropped trailing 等 noted."""
    for p in pieces:
        p.name, tail = peel_piece_tail(p.name)
        if tail:
            notes.merge(note_of(tail))
    if re.search(r"等(?:部门|单位)?(?=$|[、,;\s])", printed.strip()) and "等" not in notes.texts:
        notes.texts.append("等")
    return pieces


def _known_names(items_pieces, entries: list[UnitTasks], matrix: TownMatrix | None,
                 register: Plan | None) -> list[str]:
    """Names a run-together split may rely on: the register's, else names printed alone."""
    if register is not None:
        return [n for u in [*register.units, *register.groups] for n in [u.name, *u.aliases]]
    names = [p.name for _, _, lp, rp in items_pieces for p in [*lp, *rp]]
    return names + [e.unit for e in entries] + [r.label for r in (matrix.rows if matrix else [])]


def _split_run_together(pieces: list[Piece], known: list[str], it: RawItem, register: Plan | None,
                        src: str, findings: list[Finding]) -> list[Piece]:
    out: list[Piece] = []
    for p in pieces:  # (a name the register knows is never split)
        parts, certain = ([], False) if register is not None and register.resolve(p.name) else \
            run_together_splits(p.name, {n for n in known if n != p.name})
        if parts:
            findings.append(finding("run-together-units-split" if certain else "run-together-units",
                                    file=src, task=it.number, line=it.line, value=p.name,
                                    parts="、".join(parts)))
        out += [Piece(x) for x in parts] if parts and certain else [p]
    return out


def _build_task(it: RawItem, res, from_heading: bool, lead_p: list[Piece], resp_p: list[Piece],
                known: list[str], register: Plan | None, src: str, findings: list[Finding],
                mentions: list[Mention]) -> Task:
    """The item as a task; its findings and the names it prints added to `findings`, `mentions`."""
    lead_p = _drop_sentences(lead_p, it, src, findings)
    resp_p = _drop_sentences(resp_p, it, src, findings)
    if (notes := res.notes).texts:  # (the rule is shown as given: its comma full width, as the template's)
        rule = (FW_COMMA + "已按“列第一位的为牵头单位”确定牵头单位" if notes.first_leads else
                FW_COMMA + "所列单位分别牵头" if notes.each_leads else "")
        findings.append(finding("unit-annotation-note", file=src, task=it.number, line=it.line,
                                value="\uff1b".join(notes.texts), rule=rule))
    lead_p = _split_run_together(lead_p, known, it, register, src, findings)
    resp_p = _split_run_together(resp_p, known, it, register, src, findings)
    if res.unclosed:
        findings.append(finding("unclosed-bracket", file=src, task=it.number, line=it.line, value=res.raw))
    if res.leader and it.resp is None:  # a table's 责任领导 column is expected, not news
        findings.append(finding("leader-in-responsibility", file=src, task=it.number,
                                line=it.line, value=res.leader))
    if from_heading:
        findings.append(finding("responsibility-from-heading", file=src, task=it.number,
                                line=it.line, value=it.section[-1] if it.section else ""))
    elif not res.found or not (lead_p or resp_p):
        findings.append(finding("missing-responsibility", file=src, task=it.number, line=it.line))
    mentions += [Mention(p.name, p.implied, "annex1", it.number, it.line, stem=p.stem)
                 for p in [*lead_p, *resp_p]]
    return Task(number=it.number, text=res.text, section=list(it.section), kind=it.kind,
                lead_units=[p.name for p in lead_p], responsible_units=[p.name for p in resp_p],
                targets=extract_targets(res.text), deadline=res.deadline,
                lead_leader=res.leader, printed=it.printed,
                notes="\uff1b".join(notes.texts))


def _drop_sentences(pieces: list[Piece], it: RawItem, src: str,
                    findings: list[Finding]) -> list[Piece]:
    """Names that read like sentences are no units: reported, and no form is made for them."""
    findings += [finding("unit-name-sentence", file=src, task=it.number, line=it.line,
                         value=p.name) for p in pieces if reads_like_sentence(p.name)]
    return [p for p in pieces if not reads_like_sentence(p.name)]


def _assemble(text: str, book: Book, tasks: list[Task], matrix: TownMatrix | None,
              register: Plan | None) -> Plan:
    doc_number = find_doc_number(text)
    year = find_year(text, doc_number) or (register.year if register is not None else 0)
    title = campaign_title(find_title(text), year) or (register.title if register is not None else "")
    plan = Plan(title=title, year=year, issuer=find_issuer(text), doc_number=doc_number,
                units=book.units, groups=book.groups, tasks=tasks, matrix=matrix)
    if register is not None:
        plan.issuer = register.issuer or plan.issuer
        plan.first_responsible_leads = register.first_responsible_leads
    for r in matrix.rows if matrix is not None else []:
        if r.kind == "town":
            r.unit = u.name if (u := plan.unit(r.label)) else ""
    return plan


def _leaders(plan: Plan, entries: list[UnitTasks], register: Plan | None, src: str) -> list[Finding]:
    """Annex 2's 责任领导 onto the units (the register's own leader, when it has one, wins)."""
    out: list[Finding] = []
    set_by: dict[str, tuple[str, bool]] = {}  # unit → (leader, inherited from the unit above)
    keep = {u.name for u in plan.units if register is not None and u.leader}
    for e in entries:
        if (u := plan.unit(e.unit)) is None or not e.leader:
            continue
        if (prev := set_by.get(u.name)) is not None:
            if e.inherited or prev[0] == e.leader:
                continue
            if not prev[1]:  # two leader cells disagree for one unit
                out.append(finding("annex2-leader-conflict", file=src, unit=u.name, value=e.leader,
                                   other=prev[0], line=e.leader_line or e.line))
                continue
        set_by[u.name] = (e.leader, e.inherited)
        if u.name not in keep:
            u.leader = e.leader
    return out


def _plan_checks(plan: Plan, book: Book, src: str, findings: list[Finding]) -> list[Finding]:
    """The parser's `findings`, then check_plan's less unknown-unit for names the parser already
    reported and task-without-unit for tasks it reported, with their line, as printed without
    units. A group its tasks leave empty is one error (group-empty-fill: its tasks, how to fill
    it), not also empty-group nor the warning that the notice does not say its members."""
    unitless = {f.task for f in findings if f.code == "missing-responsibility"}
    fill = _empty_groups_to_fill(plan, src)
    empty = {x.value for x in fill}
    return [f for f in findings if not (f.code == "group-members-unknown" and f.value in empty)] + [
        relocate(f, file=src) for f in check_plan(plan)
        if not (f.code == "unknown-unit" and f.value in book.unresolved)
        and not (f.code == "task-without-unit" and f.task in unitless)
        and not (f.code == "empty-group" and f.value in empty)] + fill


def _empty_groups_to_fill(plan: Plan, src: str) -> list[Finding]:
    """Each empty group that tasks name, with those tasks and how the clerk fills it."""
    tasks: dict[str, list[str]] = {}
    for t in plan.tasks:
        for n in [*t.lead_units, *t.responsible_units]:
            if (g := plan.resolve(n)) is not None and not isinstance(g, Unit) and not g.members:
                tasks.setdefault(g.name, []).append(t.number)
    return [finding("group-empty-fill", file=src, value=g, tasks="、".join(dict.fromkeys(ns)))
            for g, ns in tasks.items()]
