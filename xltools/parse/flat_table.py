"""Tables flattened in a text notice, one cell per line (or per block), or one row per
line with cells apart by tabs or wide spaces; and every task table of a notice, from
the .docx grids or from the text (see table1 for the columns and the grid reader).

Empty cells vanish in such a copy, so a row with fewer cells than the header is mapped
by what each cell looks like and in order (table1._assign). A cell printed over several
lines is joined (a line ending in 、 , ; goes on; unit lines beyond the unit columns
continue the last unit cell; when every header cell is its own block, so is every cell);
a tab row printed over two lines goes on column by column; a 分类 cell printed before the
row's number heads the rows below it. A line that fits no column is reported
(table-cell-unplaced), never put into another field.

Texts reaching these functions are folded (fold.py): patterns are written in ASCII.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby

from ..model.findings import finding
from .clean import Line, short
from .responsibility import has_responsibility
from .structure import ANNEX_RE, CLOSING_RE
from .table1 import (JOINERS, SECTION_MARK_RE, Annex1Table, Grid, TableBuilder, assign_cells,
                     base_before, cell_text, cell_type, continue_cell, header_role,
                     is_annex1_header, number_of, read_grid, squash_header)

_CELL_SPLIT_RE = re.compile(r"\t+|\s{2,}|\s*[|│]\s*")
_HEADING_WORDS_RE = re.compile(r"目标|任务|指标|实事|民生|工作|领域|篇|部分")


@dataclass
class FlatRow:
    """A table row being read: its number, line, and the cells after the number."""

    number: str
    line: int
    cells: list[tuple[str, int]] = field(default_factory=list)  # (text, line) after the number


def join_wrapped(cells: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Lines of one cell printed over several lines ("县水务局、" / "县住建局、" /
    "县护城河指挥部"; a task broken after its comma) joined: a line ending in 、 , ;
    goes on on the next one."""
    out: list[tuple[str, int]] = []
    for text, line in cells:
        if out and out[-1][0].endswith(JOINERS):
            out[-1] = (out[-1][0] + text, out[-1][1])
        else:
            out.append((text, line))
    return out


def read_tables(lines: list[Line], grids: list[Grid], source: str = "") -> Annex1Table | None:
    """Every task table of the notice as one: from the .docx grids that have a task
    header, else from the text, where each table is flattened (a 重点任务 table, then
    a 民生实事 table …)."""
    # a grid's section: the heading right above the table, whose first cell starts on that line
    found = [t for g in grids if g.rows and g.rows[0] and
             (t := read_grid(g, base_before(lines, g.rows[0][0].line - 1, 0), source)) is not None]
    at = 0
    while not grids and at < len(lines) and (t := read_flat(lines, source=source, start=at)):
        found.append(t)
        at = max(t.end, t.start + 1)
    if not found:
        return None
    return Annex1Table(items=[it for t in found for it in t.items], header=found[0].header,
                       start=min(t.start for t in found), end=max(t.end for t in found),
                       findings=[f for t in found for f in t.findings],
                       starts=[t.start for t in found])


def _split_row(text: str) -> list[str]:
    return [c for c in _CELL_SPLIT_RE.split(text.strip()) if c.strip()]


def find_flat_header(lines: list[Line], start: int, end: int) -> tuple[int, int, list[str], bool] | None:
    """(first line index, index after the header, header cells, one row per line?)."""
    i = start
    while i < end:
        s = lines[i].text.strip()  # (a blank line has no cells and names no column)
        cells = _split_row(s)
        if len(cells) >= 3 and is_annex1_header(cells):
            return i, i + 1, cells, True
        if header_role(s):
            j, got = i, []
            while j < end and len(got) < 10:
                if t := lines[j].text.strip():
                    role = header_role(t)
                    if not role or role in {header_role(g) for g in got} - {"other"}:
                        break  # a column named twice: the header is over (重点任务 is a 分类 cell)
                    got.append(t)
                j += 1
            if len(got) >= 3 and is_annex1_header(got):
                return i, j, got, False
            i = j  # past the cells read (the first always is: it has a role)
            continue
        i += 1
    return None


def read_flat(lines: list[Line], source: str = "", start: int = 0) -> Annex1Table | None:
    """An annex-1 table flattened in the text from line `start` on, or None."""
    end = len(lines)
    if (found := find_flat_header(lines, start, end)) is None:
        return None
    h0, h1, header, row_mode = found
    b = TableBuilder(header, base_before(lines, h0, start), source)
    at = list(range(len(lines)))  # index in the notice's lines of each line read below
    head = [ln.text.strip() for ln in lines[h0:h1]]
    if not row_mode and "" in head[:len(head) - head[::-1].index(header[-1])]:
        # every header cell its own block: so is every cell, its lines one cell
        lines, at = _blocks_as_lines(lines, h1, end)
        h1, end = 0, len(lines)
    cur: FlatRow | None = None
    pending: tuple[str, int, dict[int, str]] | None = None  # a positional row, maybe going on
    category = ""
    stop = end

    def flush(with_category: bool = True) -> None:  # the row being read is complete
        nonlocal cur
        if cur is not None:
            _flush(b, cur, category if with_category else "")
        cur = None

    def settle() -> None:  # the positional row is complete
        nonlocal pending
        if pending is not None:
            b.item(*pending, False, len(pending[2]))
        pending = None

    i = h1
    while i < end:
        ln = lines[i]
        s = ln.text.strip()
        i += 1
        if not s:
            continue
        if ANNEX_RE.match(s) or CLOSING_RE.match(s):
            stop = i - 1
            break
        cells = _split_row(s) if row_mode else [s]
        if row_mode and len(cells) >= 3 and is_annex1_header(cells):
            continue
        tabbed = [c.strip() for c in ln.text.split("\t")]
        if row_mode and b.numbered and 2 <= len(tabbed) <= len(header):
            # tab-separated cells in place, empty ones included (trailing ones may be cut)
            got = _positional(b, tabbed)
            if got is not None and got[0]:
                flush(with_category=False)
                settle()
                category = got[2] or category
                if b.category_at is not None and category:
                    got[1][b.category_at] = category
                pending = (got[0], ln.no, got[1])
                continue
            if got is not None and pending is not None and not got[2]:
                # the row printed over two lines: each cell goes on in its own column
                for k, v in got[1].items():
                    pending[2][k] = continue_cell(pending[2].get(k, ""), v, b.value_roles[k])
                continue
        settle()
        if not row_mode and b.category_at is not None and _is_category(s, lines, i, end):
            flush()
            category = s  # 分类 printed once before the first row of its block
            continue
        if not row_mode and header_role(s) and \
                (past := _past_repeated_header(lines, i - 1, end, header)) is not None:
            i = past
            continue
        number = number_of(cells[0]) if b.numbered else None
        if number is None and b.numbered and (m := re.match(r"^(\d{1,3})[.、](?=\S)", cells[0])) and \
                not row_mode and cur is not None and len(cur.cells) >= 2:
            # "12.推进…" printed with its text: the number and the text in one cell
            number, cells = m.group(1), [cells[0][m.end():]] + cells[1:]
        if number is not None or (not b.numbered and row_mode and len(cells) >= 2):
            flush()
            cur = FlatRow(number or "", ln.no, [(c, ln.no) for c in cells[number is not None:]])
            continue
        if _is_section_cell(s, cur, len(b.value_roles)):
            flush()
            b.section(s)
            continue
        if cur is None:
            if b.items:
                b.findings.append(finding("table-row-unnumbered", file=source, line=ln.no, value=short(s)))
            continue
        cur.cells += [(c, ln.no) for c in cells]
    flush()
    settle()
    if not b.items:
        return None
    stop = at[stop] if stop < len(at) else (at[-1] + 1 if at else stop)
    return Annex1Table(items=b.items, header=[squash_header(h) for h in header], start=h0, end=stop,
                       findings=b.findings)


def _blocks_as_lines(lines: list[Line], start: int, end: int) -> tuple[list[Line], list[int]]:
    """Each block of non-blank lines as one line (a cell printed over several lines),
    blank lines between; with the index of each block's first line."""
    out: list[Line] = []
    at: list[int] = []
    for filled, run in groupby(range(start, end), key=lambda k: bool(lines[k].text.strip())):
        if filled:
            block = list(run)
            texts = [lines[j].text.strip() for j in block]
            units = len(texts) > 1 and all(cell_type(t) == "units" for t in texts)
            text = cell_text("\n".join(texts), "lead" if units else "task")
            out += [Line(lines[block[0]].no, text), Line(lines[block[-1]].no, "")]
            at += [block[0], block[-1] + 1]
    return out, at


def _positional(b: TableBuilder, tabbed: list[str]) -> tuple[str, dict[int, str], str] | None:
    """A tab-separated line read by position: (number, {value column: text}, 分类 cell);
    None when its number cell holds something else than a number."""
    at = b.roles.index("number")
    number = number_of(tabbed[at]) if at < len(tabbed) and tabbed[at] else ""
    if number is None:
        return None
    rest = [text for pos, text in enumerate(tabbed) if pos != at]
    cat = b.category_at
    category = rest[cat] if cat is not None and cat < len(rest) else ""
    return number, {k: text for k, text in enumerate(rest) if text and k != cat}, category


def _is_category(s: str, lines: list[Line], i: int, end: int) -> bool:
    """A short label right before a row's number: the 分类 cell of a table printing
    分类 before 序号 (merged down its rows, so printed once per block)."""
    flat = "".join(s.split())
    if number_of(flat) is not None or len(flat) > 20 or re.search(r"[。,;]", flat):
        return False
    t = cell_type(flat)
    # 发展目标 looks like a person's name; a leader's name before the next row is the leader
    if t not in ("text", "person") or (t == "person" and not _HEADING_WORDS_RE.search(flat)):
        return False
    nxt = next((ln.text.strip() for ln in lines[i:end] if ln.text.strip()), "")
    return number_of(nxt) is not None


def _flush(b: TableBuilder, row: FlatRow, category: str = "") -> None:
    cells = join_wrapped(row.cells)
    texts = [t for t, _ in cells]
    # 分类 printed before 序号: set by read_flat, never assigned
    roles = [("fixed" if k == b.category_at else r) for k, r in enumerate(b.value_roles)]
    values, uncertain, unplaced = assign_cells(roles, texts)
    if b.category_at is not None and category:
        values[b.category_at] = category
    number = row.number or str(len(b.items) + 1)
    b.findings += [finding("table-cell-unplaced", file=b.source, line=cells[n][1], task=number,
                           value=short(texts[n]), columns=" | ".join(b.header)) for n in unplaced]
    b.item(row.number, row.line, values, uncertain, len(texts) - len(unplaced))


def _is_section_cell(s: str, cur: FlatRow | None, ncols: int) -> bool:
    if has_responsibility(s):
        return False
    if SECTION_MARK_RE.match(s) and len(s) <= 60:
        return True
    flat = "".join(s.split())
    complete = cur is None or len(cur.cells) >= ncols
    return complete and len(flat) <= 20 and not re.search(r"[。,;]", flat) and \
        cell_type(flat) == "text" and bool(_HEADING_WORDS_RE.search(flat))


def _past_repeated_header(lines: list[Line], i: int, end: int, header: list[str]) -> int | None:
    """The index after the header printed again from line i (a table per page), else None."""
    got = [k for k in range(i, min(end, i + 3 * len(header))) if lines[k].text.strip()][:len(header)]
    if [squash_header(lines[k].text) for k in got] != [squash_header(h) for h in header]:
        return None
    return got[-1] + 1
