"""Builds a .docx of seed 000 at test time: body paragraphs, annexes as real Word tables.

Annex 1: 序号 | 目标任务 | 责任单位, section rows merged across the table (gridSpan).
Annex 2: 责任单位 | 序号 | 全年目标任务 | 责任领导, each unit merged down its tasks and
each leader down its block of units (vMerge); a unit name printed over two lines.
Annex 3: four tables, each with a multi-level merged header (gridSpan + vMerge) and the
目标任务/责任单位 corner merged down the header rows.
The content comes from the parse of the text version, so both must give the same plan.
"""
from __future__ import annotations

from pathlib import Path


def build_seed_docx(seed: Path, path: Path, full_width: bool = False) -> Path:
    """Write seed 000 as a .docx with its three annexes as Word tables; return the path."""
    import docx

    from xltools.parse import parse_notice_file
    from marks import restore_marks

    result = parse_notice_file(seed)
    plan = result.plan
    fw = restore_marks if full_width else (lambda s: s)
    doc = docx.Document()
    lines = seed.read_text(encoding="utf-8").splitlines()
    for line in lines[:lines.index("附件1")]:
        if line.strip():
            doc.add_paragraph(fw(line.strip()))

    doc.add_paragraph("附件1")
    doc.add_paragraph(fw("《政府工作报告》目标任务分解意见"))
    rows: list[list[str] | str] = []
    section: list[str] = []
    for t in plan.tasks:
        for level, heading in enumerate(t.section):
            if section[level:level + 1] != [heading]:
                rows.append(heading)
        section = list(t.section)
        rows.append([t.number, t.text, "、".join([*t.lead_units, *t.responsible_units])])
    table = doc.add_table(rows=len(rows) + 1, cols=3)
    cells = [list(r.cells) for r in table.rows]  # table.cell() re-reads the whole table
    for c, h in enumerate(["序号", "目标任务", "责任单位"]):
        cells[0][c].text = h
    for r, row in enumerate(rows, start=1):
        if isinstance(row, str):
            cells[r][0].text = fw(row)
            cells[r][0].merge(cells[r][2])
            continue
        for c, v in enumerate(row):
            cells[r][c].text = fw(v)

    doc.add_paragraph("附件2")
    doc.add_paragraph(fw("2019年《政府工作报告》各责任单位任务表"))
    n = sum(len(e.tasks) for e in result.annex2)
    table = doc.add_table(rows=n + 1, cols=4)
    cells = [list(r.cells) for r in table.rows]
    for c, h in enumerate(["责任单位", "序号", "全年目标任务", "责任领导"]):
        cells[0][c].text = h
    merges = []  # done after all text is in: a merge moves the cells' content together
    r = 1
    leader_at = None
    for e in result.annex2:
        first, last = r, r + len(e.tasks) - 1
        for number, text, _ in e.tasks:
            cells[r][1].text = number
            cells[r][2].text = fw(text)
            r += 1
        cells[first][0].text = fw(e.unit.replace("\u00b7", "\u00b7\n"))  # 各镇、街道 middle dot / 区直各部门
        if last > first:
            merges.append((first, last, 0))
        if not e.inherited or leader_at is None:
            if leader_at is not None and prev_last > leader_at:
                merges.append((leader_at, prev_last, 3))
            leader_at = first
            cells[first][3].text = e.leader
        prev_last = last
    if leader_at is not None and prev_last > leader_at:
        merges.append((leader_at, prev_last, 3))
    for a, b, c in merges:
        cells[a][c].merge(cells[b][c])

    doc.add_paragraph("附件3")
    doc.add_paragraph(fw(plan.matrix.title))
    for number in sorted({c.table for c in plan.matrix.columns}):
        _matrix_table(doc, plan.matrix, number, fw)
        doc.add_paragraph("")
    doc.save(path)
    return path


def _matrix_table(doc, matrix, number: int, fw) -> None:
    cols = [c for c in matrix.columns if c.table == number]
    depth = max(len(c.path) for c in cols)
    table = doc.add_table(rows=depth + len(matrix.rows), cols=len(cols) + 1)
    corner = table.cell(0, 0).merge(table.cell(depth - 1, 0))
    corner.text = "目标任务\n责任单位"  # a diagonal corner: two lines in one cell
    for level in range(depth):
        k = 0
        while k < len(cols):
            path = cols[k].path
            if level >= len(path):
                k += 1
                continue
            end = k
            while end + 1 < len(cols) and cols[end + 1].path[:level + 1] == path[:level + 1] \
                    and len(path) > level + 1:
                end += 1
            leaf = level == len(path) - 1
            bottom = depth - 1 if leaf else level
            if end > k or bottom > level:
                table.cell(level, k + 1).merge(table.cell(bottom, end + 1))
            name = path[level] + (f"({cols[k].measure})" if leaf and cols[k].measure else "")
            table.cell(level, k + 1).text = fw(name)
            k = end + 1
    for r, row in enumerate(matrix.rows, start=depth):
        table.cell(r, 0).text = row.label
        for c, col in enumerate(cols, start=1):
            table.cell(r, c).text = fw(matrix.values.get((row.label, col.key), ""))
