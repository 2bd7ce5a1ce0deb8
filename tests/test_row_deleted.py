"""A deleted row is named by its number (issue 14): `row-deleted` used to name only the
deleted row's old cell (A6), which in the returned file now shows the next task.

Returns are filled and saved by LibreOffice (fill_like_user.py); the row is then deleted
with openpyxl (fill_like_user has no row operation), as a person deletes it in Excel: the
rows below move up. Collected end to end; the finding and the 校验报告 are checked.
"""
from __future__ import annotations

import json
import random
import subprocess

import openpyxl
import pytest

from conftest import SHARED_TOOLS, make_small_plan, needs_office
from xltools import api
from xltools.planfile import save_plan
from xltools.simulate import fill_report, fill_town
from xltools.xlsx.writer import workbook_bytes

FILL = SHARED_TOOLS / "fill_like_user.py"
Q1 = "2019Q1"
FG, LC = "区发改局", "锣场镇"


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """区发改局's 季度报表 and 锣场镇's 镇街指标表, filled and saved by LibreOffice."""
    base = tmp_path_factory.mktemp("rowdel")
    plan = make_small_plan()
    made = {"report": fill_report(plan, FG, plan.period(Q1), random.Random(5)),
            "town": fill_town(plan, LC, plan.period(Q1), random.Random(5))}
    for kind, wb in made.items():
        (base / f"{kind}-sent.xlsx").write_bytes(workbook_bytes(wb))
    jobs = [{"input": str(base / f"{k}-sent.xlsx"), "output": str(base / f"{k}.xlsx"),
             "edits": [{"sheet": 0, "cell": "E3", "value": "张三"}]} for k in made]
    (base / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(FILL), "--batch", str(base / "jobs.json"),
                           "--allow-locked"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {"plan_path": save_plan(plan, base / "plan.xlsx"),
            "outs": {k: base / f"{k}.xlsx" for k in made}}


def _row_of(ws, col: int, text: str) -> int:
    """The 1-based row whose column `col` (1-based) starts with text, the last one when the
    text is a target's label (the task text above starts the same)."""
    rows = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, col).value or "").startswith(text)]
    return rows[-1] if col == 2 else rows[0]


# (form, sheet, column whose text finds the row, that text, what, task, number)
CASES = [
    ("report", 0, 1, "1", "任务", "1", "1"),  # task 1's row: task 3 moves up into it
    ("report", 1, 2, "地区生产总值增长", "量化指标", "1", "1"),  # task 1's target (量化指标)
    ("town", 0, 3, "增幅", "指标", "", None),  # a town line: its sequence number
]


@needs_office
@pytest.mark.parametrize("form,sheet,col,text,what,task,number", CASES,
                         ids=["task", "target", "line"])
def test_row_deleted_names_the_number_not_only_the_old_cell(filled, tmp_path, form, sheet, col,
                                                            text, what, task, number):
    wb = openpyxl.load_workbook(filled["outs"][form])
    ws = wb.worksheets[sheet]
    row = _row_of(ws, col, text)
    number = number or str(ws.cell(row, 1).value).strip()
    below = ws.cell(row + 1, 1).value
    ws.delete_rows(row)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb.save(inbox / f"{form}.xlsx")

    rep = api.collect([inbox], filled["plan_path"], Q1, tmp_path / "out", tmp_path / "db.sqlite")
    [f] = rep.files
    assert f.status == "accepted", [(x.code, x.cell) for x in f.findings]
    [d] = [x for x in f.findings if x.code == "row-deleted"]
    assert d.cell == f"A{row}" and d.task == task and d.sheet == ws.title
    # the old cell now shows the next row: the message says which row was deleted
    check = openpyxl.load_workbook(inbox / f"{form}.xlsx").worksheets[sheet]
    assert check.cell(row, 1).value == below
    assert f"序号 {number} 的{what}" in d.message and f"下发时在第 {row} 行" in d.message, d.message
    if number != str(below):
        assert f"序号 {below} " not in d.message
    # and so does the 校验报告 the clerk sends back
    book = openpyxl.load_workbook(rep.outputs[1])
    texts = [c.value for r in book["全部问题"].iter_rows() for c in r if isinstance(c.value, str)]
    assert any(f"序号 {number} 的{what}" in t for t in texts)
