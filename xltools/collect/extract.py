"""Find every row of the expected form in the sheet as returned, and what the unit changed.

Rows are located by their content (task number in column A, the row's label), not only by
position, so inserted, deleted or moved rows still give every value that was received; each
structural change is reported. Pure: works on the rows as read, no I/O.

Matching, per section (task rows, target rows, town lines), in order of certainty:
1. number and label both as sent;
2. the number alone (the label was edited: reported per cell);
3. the label alone (the number was changed: task-renumbered);
4. the same position as sent (both changed: reported per cell).
Expected rows left over were deleted; non-empty rows left over (and empty rows inside the
table) were inserted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..forms.spec import COLONS, HeaderField
from ..model.glossary import FW_COMMA, col_letter
from .expected import ExpectedForm, ExpectedRow
from .grid import Sink, at, canon, is_blank, label, shown

SECTION_MARK = "量化指标完成情况"
WHAT = {"task": "任务", "target": "量化指标", "line": "指标"}
EMPTY_ROW = f"空行{FW_COMMA}无内容"  # what an inserted row holds when it is blank


@dataclass
class Located:
    """Where the expected form's parts are in the returned sheet (0-based)."""

    rows: list[list]
    unit_cell: tuple[int, int] | None = None
    shift: int = 0  # rows the table moved down (negative: up) above the header
    header_fields: dict[str, tuple[int, int]] = field(default_factory=dict)
    cols: dict[int, int | None] = field(default_factory=dict)  # main table: expected -> found
    target_cols: dict[int, int | None] = field(default_factory=dict)
    found: dict[int, int] = field(default_factory=dict)  # index in expected.rows -> found row


def find_unit_cell(ex: ExpectedForm, rows: list[list]) -> tuple[int, int] | None:
    """The cell naming the unit where it is now (where it was sent, tried first)."""
    return unit_cell(ex.spec.unit_field, rows, ex.unit_cell, min(len(rows), ex.header_row + 12))


def unit_cell(uf: HeaderField, rows: list[list], first: tuple[int, int] | None,
              limit: int) -> tuple[int, int] | None:
    """The cell "填报单位:…" itself, or the one right of "单位:": `first`, else the first in
    the rows above `limit`."""
    def names(i: int, j: int) -> bool:
        if uf.inline:
            return canon(at(rows, i, j)).startswith(uf.stem)
        return label(at(rows, i, j - 1)).rstrip(COLONS) == uf.stem
    if first is not None and names(*first):
        return first
    cells = ((i, j) for i in range(limit) for j in range(min(12, len(rows[i])))) if uf.inline \
        else ((i, uf.col) for i in range(limit))
    return next((rc for rc in cells if names(*rc)), None)


def unit_text(uf: HeaderField, rows: list[list], pos: tuple[int, int]) -> str:
    """The unit's name as typed in its cell, without "填报单位:"."""
    text = canon(at(rows, *pos))
    if not uf.inline:
        return text
    return text[len(uf.stem):].lstrip(COLONS + " ") if text.startswith(uf.stem) else ""


def find_header(rows: list[list], labels: tuple[str, ...], expected: int, start: int = 0) -> int | None:
    """The header row: the expected one if it still reads so, else the first row from
    `start` whose first cell is the first label."""
    first = "".join(labels[0].split())
    if label(at(rows, expected, 0)) == first:
        return expected
    return next((i for i in range(max(0, start), len(rows)) if label(at(rows, i, 0)) == first), None)


def column_map(rows: list[list], head: int | None, labels: tuple[str, ...], sink: Sink,
               fill_in: set[int]) -> dict[int, int | None]:
    """Expected column -> found column, by the header labels; moved and missing columns are
    reported (only fill-in columns are reported missing: their values cannot be read)."""
    out: dict[int, int | None] = {c: c for c in range(len(labels))}
    if head is None:
        return out
    found = [label(v) for v in (rows[head] if head < len(rows) else [])]
    want = ["".join(x.split()) for x in labels]
    for c, name in enumerate(want):
        if c < len(found) and found[c] == name:
            continue
        if name in found:
            out[c] = found.index(name)
            sink.add("columns-changed", head, out[c], value=labels[c].replace("\n", ""),
                     expected=col_letter(c), found=col_letter(out[c]))
        elif c in fill_in:
            # only its label edited: a label there, not another column's, between its own two
            # (a deleted column leaves none, or the next column's, or nothing at the end)
            here = found[c] if c < len(found) else ""
            beside = [k for k in (c - 1, c + 1) if 0 <= k < len(want)]
            if here and here not in want and len(beside) == 2 and max(beside) < len(found) \
                    and all(found[k] == want[k] for k in beside):
                sink.add("header-label-changed", head, c, value=here, expected=labels[c].replace("\n", ""))
                continue
            out[c] = None
            sink.add("column-missing", head, c, value=labels[c].replace("\n", ""))
    _added_columns(rows, head, found, out, sink)
    return out


def _added_columns(rows: list[list], head: int, found: list[str], out: dict[int, int | None],
                   sink: Sink) -> None:
    """A column the unit added (a 备注 of its own) is not summarized: said, with how many of
    its cells hold something, so that nothing typed there is lost without a word."""
    used = {c for c in out.values() if c is not None}
    width = max((len(r) for r in rows[head:]), default=0)
    for c in sorted(set(range(width)) - used):
        filled = sum(1 for r in rows[head + 1:] if c < len(r) and not is_blank(r[c]))
        if filled:
            sink.add("column-added", head, c, value=(found[c] if c < len(found) else "") or col_letter(c),
                     count=filled)


def locate(ex: ExpectedForm, rows: list[list], sink: Sink,
           reference: dict[tuple[int, int], str] | None = None, by_content: bool = False) -> Located:
    """Match the expected form against the rows as returned; structural findings into sink.

    reference: the guarded texts the unit actually received when they differ from the form
    regenerated now ((row, col) -> text, from the identity sheet); None: as regenerated.
    by_content: rows are matched by task number or text only (the file is another unit's
    form: where a task was sent says nothing).
    """
    loc = Located(rows, find_unit_cell(ex, rows))
    if loc.unit_cell is not None:
        loc.shift = loc.unit_cell[0] - ex.unit_cell[0]
    head = find_header(rows, ex.spec.headers, ex.header_row + loc.shift, start=(loc.unit_cell or (0, 0))[0])
    if head is not None:
        loc.shift = head - ex.header_row
    if loc.shift:
        h = head if head is not None else ex.header_row
        sink.add("layout-shifted", h, 0, expected_row=ex.header_row + 1, found_row=h + 1)
    base = loc.unit_cell[0] if loc.unit_cell else ex.unit_cell[0] + loc.shift
    loc.header_fields = {k: _header_cell(rows, k, base + r - ex.unit_cell[0], c)
                         for k, (r, c) in ex.header_fields.items()}
    loc.cols = column_map(rows, head, ex.spec.headers, sink, set(ex.field_cols.values()))
    start = (head if head is not None else ex.header_row + loc.shift) + 1
    end = next((i for i in range(start, len(rows))
                if label(at(rows, i, loc.cols.get(0) or 0)).startswith(ex.end_marker)), len(rows))
    mark = None if ex.section_row is None else next(
        (i for i in range(start, end) if label(at(rows, i, 0)).startswith(SECTION_MARK)), None)
    if mark is None:
        regions = {"task": range(start, end), "target": range(start, end), "line": range(start, end)}
        # a sheet of targets alone (report v2) has them as its main table
        loc.target_cols = loc.cols if ex.section_row is None else {}
    else:
        thead = mark + 1 if "序号" in label(at(rows, mark + 1, 0)) else None
        loc.target_cols = column_map(rows, thead, ex.spec.target_headers(), sink, {ex.actual_col})
        regions = {"task": range(start, mark),
                   "target": range((thead if thead is not None else mark) + 1, end)}
    for section in ("task", "target", "line"):
        expected = [(i, r) for i, r in enumerate(ex.rows) if r.section == section]
        if expected:
            _match(ex, loc, section, expected, regions.get(section, range(0)), sink, reference, by_content)
    return loc


def _header_cell(rows: list[list], name: str, r: int, c: int) -> tuple[int, int]:
    """A header input is the cell right of its label (填报人:); found by the label when the
    columns moved."""
    if label(at(rows, r, c - 1)).startswith(name):
        return _typed_right(rows, r, c)
    if 0 <= r < len(rows):
        for j, v in enumerate(rows[r]):
            if label(v).startswith(name):
                return _typed_right(rows, r, j + 1)
    return r, c


def _typed_right(rows: list[list], r: int, c: int) -> tuple[int, int]:
    """The input right of a label; when that cell is blank, what is typed in the next two
    (a column inserted between the label and its input), unless another label comes first."""
    if not is_blank(at(rows, r, c)):
        return r, c
    for j in (c + 1, c + 2):
        if not is_blank(v := at(rows, r, j)):
            return (r, c) if label(v).endswith(tuple(COLONS)) else (r, j)
    return r, c


def _in_order(found: list[tuple[int, int, int]]) -> set[int]:
    """Of (index, row found, row as sent) in the order sent, the indexes of the rows left in
    that order: the longest run of rising rows, preferring rows still where they were sent,
    then the earlier ones; the others were moved (a row at its own place never is)."""
    best: list[tuple[int, int]] = []  # per row: (length, rows at their place) of the best run
    prev: list[int] = []
    for j, (_, r, home) in enumerate(found):
        score, back = (1, int(r == home)), -1
        for k in range(j):
            if found[k][1] < r and (best[k][0] + 1, best[k][1] + int(r == home)) > score:
                score, back = (best[k][0] + 1, best[k][1] + int(r == home)), k
        best.append(score)
        prev.append(back)
    j = max(range(len(found)), key=lambda k: (best[k], -k), default=-1)
    kept = set()
    while j >= 0:
        kept.add(found[j][0])
        j = prev[j]
    return kept


def _match(ex: ExpectedForm, loc: Located, section: str, expected: list[tuple[int, ExpectedRow]],
           region: range, sink: Sink, reference, by_content: bool = False) -> None:
    rows = loc.rows
    text_col = ex.text_col(section)
    cols = loc.target_cols if section == "target" else loc.cols
    mapped = [cols.get(c, c) for c in range(ex.spec.ncols)]  # where each expected column is now

    def values(r: int) -> list:
        """The row's values in the expected columns, as `at` gives them (one row look-up)."""
        row = rows[r] if 0 <= r < len(rows) else ()
        n = len(row)
        return [row[c] if c is not None and 0 <= c < n else None for c in mapped]

    taken = set(loc.found.values())
    keys = {}
    for r in region:
        if r not in taken:
            vals = values(r)
            if not all(map(is_blank, vals)):
                keys[r] = (label(vals[0]), canon(at(rows, r, cols.get(text_col, text_col))))
    free = list(keys)
    how: dict[int, str] = {}
    for kind, test in (("exact", lambda e, r: keys[r] == (e.num, e.text)),
                       ("number", lambda e, r: keys[r][0] == e.num),
                       ("text", lambda e, r: keys[r][1] == e.text and keys[r][1] != ""),
                       # both changed: the row where it was sent
                       ("position", lambda e, r: not by_content and r == e.row + loc.shift)):
        for i, e in expected:
            r = None if i in loc.found else next((r for r in free if test(e, r)), None)
            if r is not None:
                loc.found[i], how[i] = r, kind
                free.remove(r)
    # deleted, reordered
    in_order = _in_order([(i, loc.found[i], e.row + loc.shift) for i, e in expected if i in loc.found])
    for i, e in expected:
        if (r := loc.found.get(i)) is None:
            # The old cell now shows the next row, so the finding names the row by its number.
            sink.add("row-deleted", e.row + loc.shift, 0, task=e.task, value="", what=WHAT[section],
                     expected=e.text[:80], number=e.task or e.num, expected_row=e.row + 1)
            continue
        if i not in in_order:
            sink.add("rows-reordered", r, 0, task=e.task, value=f"{e.num} {e.text}"[:80],
                     what=WHAT[section], expected_row=e.row + 1, found_row=r + 1)
    # inserted: leftover non-empty rows, and empty rows inside the matched span
    matched = [loc.found[i] for i, _ in expected if i in loc.found]
    inserted = set(free)
    if matched:
        inserted |= {r for r in range(min(matched), max(matched))
                     if r not in matched and r not in taken and all(map(is_blank, values(r)))}
    for r in sorted(inserted):
        text = " | ".join(shown(v) for v in rows[r][:ex.spec.ncols] if not is_blank(v)) if r < len(rows) else ""
        sink.add("row-inserted", r, 0, value=text[:200] or EMPTY_ROW, what=WHAT[section])
    # guarded cells of every matched row
    for i, e in expected:
        if (r := loc.found.get(i)) is None:
            continue
        for c, text in e.guarded:
            want = reference.get((e.row, c), text) if reference else text
            fc = cols.get(c, c)
            got = canon(at(rows, r, fc))
            if got == want or (c == 0 and "".join(got.split()) == "".join(want.split())):
                continue
            if c == 0 and section == "task" and how[i] == "text":
                sink.add("task-renumbered", r, fc, task=e.task, value=got, expected=want)
            else:
                sink.add("guarded-cell-changed", r, fc, task=e.task, value=got, expected=want)


def check_unit_cell(ex: ExpectedForm, loc: Located, sink: Sink,
                    reference: dict[tuple[int, int], str] | None = None) -> None:
    """The 填报单位 cell must still name the unit the form was sent to."""
    want = (reference or {}).get(ex.unit_cell, ex.unit_text)
    if loc.unit_cell is None:
        sink.add("guarded-cell-changed", ex.unit_cell[0], ex.unit_cell[1], value="", expected=want)
        return
    got = canon(at(loc.rows, *loc.unit_cell))
    if "".join(got.split()) != "".join(want.split()):
        sink.add("guarded-cell-changed", *loc.unit_cell, value=got, expected=want)
