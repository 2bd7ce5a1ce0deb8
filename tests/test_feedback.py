"""Feedback to units (issue 7): the copy of a unit's own form, problems marked, round-trips.

A return with mistakes is collected; the feedback copy written to DIR/反馈/<unit>/ is the
form the unit received (same identity and fingerprint) with its values put back, each problem
cell highlighted with a comment, and a 修改意见 sheet before the hidden identity sheet. Fixed
in LibreOffice (fill_like_user.py, typing only into the highlighted cells, which stay
unlocked) and collected again, it supersedes the first return and its findings are gone.

Layout of 区发改局's 季度报表 in make_small_plan(): 填报人 E3, task 1 row 6, task 3 row 7
(完成进度 E, 状态 F); its target on the sheet 量化指标, 累计完成 E5.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import SHARED_TOOLS, make_small_plan, needs_office
from xltools.collect.limits import DEFAULT_LIMITS as LIMITS
from xltools import api
from xltools.collect.examine import examine
from xltools.collect.ledger import Ledger
from xltools.forms.identity import embed_identity
from xltools.generate.report_form import report_form
from xltools.model.returns import ACCEPTED, FEEDBACK_SHEET, SUPERSEDED, Received
from xltools.planfile import save_plan
from xltools.report.feedback import FEEDBACK_DIR, feedback_copy
from xltools.simulate import fill_report, write_received
from xltools.xlsx.cells import read_identity
from xltools.xlsx.writer import workbook_bytes

FILL = SHARED_TOOLS / "fill_like_user.py"
Q1 = "2019Q1"
UNIT = "区发改局"
S = "季度报表"
T = "量化指标"  # the targets' sheet



def _bad_return(plan) -> bytes:
    """区发改局 with four mistakes: 完成进度 "基本完成" (E6), 状态 "进行中" (F7), no 填报人 (E3),
    累计完成 "约八" (量化指标!E5)."""
    wb = fill_report(plan, UNIT, plan.period(Q1), random.Random(7), mistake="progress-text")
    sh = wb.sheets[0]
    sh.cells[(6, 5)].value = "进行中"
    sh.cells[(2, 4)].value = None
    wb.sheet(T).cells[(4, 4)].value = "约八"
    return workbook_bytes(wb)


@pytest.fixture
def first_run(tmp_path):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    sent = write_received(tmp_path / "inbox1" / "发改局一季度.xlsx", _bad_return(plan), "2019-04-05T09:00:00")
    out, db = tmp_path / "out", tmp_path / "台账.sqlite"
    rep = api.collect([sent.parent], plan_path, Q1, out, db, workers=1)
    return {"plan": plan, "plan_path": plan_path, "sent": sent, "out": out, "db": db, "rep": rep,
            "tmp": tmp_path}


def _pairs(findings) -> set[tuple[str, str]]:
    return {(f.code, f.cell) for f in findings}


def _copy(run) -> Path:
    copies = [p for p in run["rep"].feedback if p.stem.endswith("_退回修改")]
    assert len(copies) == 1, run["rep"].feedback
    return copies[0]


def test_feedback_copy_marks_each_problem_cell(first_run):
    rep = first_run["rep"]
    got = _pairs(rep.files[0].findings)
    assert {("progress-not-number", "E6"), ("status-invalid", "F7"),
            ("header-missing", "E3"), ("target-not-number", "E5")} <= got
    assert next(f.sheet for f in rep.files[0].findings if f.code == "target-not-number") == T
    copy = _copy(first_run)
    assert copy.parent == first_run["out"] / FEEDBACK_DIR / UNIT
    assert "feedback" in rep.to_json() and str(copy) in rep.to_json()["feedback"]
    wb = openpyxl.load_workbook(copy)
    assert [(ws.title, ws.sheet_state) for ws in wb.worksheets] == [
        (S, "visible"), (T, "visible"), (FEEDBACK_SHEET, "visible"), ("表单标识", "hidden")]
    ws = wb[S]
    # the unit's own values are back, as typed (text stays text)
    assert ws["E6"].value == "基本完成" and ws["F7"].value == "进行中" and ws["E3"].value is None
    assert ws["H3"].value.startswith("1387160") and wb[T]["E5"].value == "约八"
    assert isinstance(ws["D6"].value, str) and ws["D6"].value.endswith("。")
    for ref, words in (("E6", "完成进度"), ("F7", "下拉列表"), ("E3", "填报人")):
        cell = ws[ref]
        assert cell.comment is not None and words in cell.comment.text, ref
        assert cell.fill.fgColor.rgb.endswith("FFC7CE"), ref
        assert cell.protection.locked is False, ref
    assert ws["D6"].comment is None and not ws["D6"].fill.fgColor.rgb.endswith("FFC7CE")
    target = wb[T]["E5"]  # marked on the sheet it is on, not on the tasks' E5
    assert "累计完成" in target.comment.text and target.fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["E5"].comment is None and wb[T].protection.sheet
    assert ws.protection.sheet  # the form is still protected like the original
    # the 修改意见 list names each cell and the fix
    text = "\n".join(" ".join(str(v) for v in row if v is not None)
                     for row in wb[FEEDBACK_SHEET].iter_rows(values_only=True))
    assert f"{UNIT}2019年第一季度季度报表修改意见" in text
    for ref in ("季度报表!E6", "季度报表!F7", "季度报表!E3", "量化指标!E5"):
        assert ref in text
    assert "请从下拉列表中选择" in text and "错误 4 处" in text
    assert "“季度报表”“量化指标”工作表" in text


def test_feedback_copy_keeps_identity_and_fingerprint(first_run):
    copy = _copy(first_run)
    mine, theirs = read_identity(copy, LIMITS), read_identity(first_run["sent"], LIMITS)
    assert mine.identity == theirs.identity and mine.identity.unit == UNIT
    assert mine.guarded_ok and not mine.conflict
    assert mine.guarded == theirs.guarded  # nothing of the 修改意见 sheet is guarded
    assert all(sheet != FEEDBACK_SHEET for sheet, _, _ in mine.guarded)


def test_feedback_copy_read_back_as_is_says_the_same(first_run):
    """The copy, collected unchanged, gives exactly the original's findings (values round-trip,
    the 修改意见 sheet is not read as data)."""
    copy = _copy(first_run)
    rec = Received(path=str(copy), display=copy.name, name=copy.name, sha256="0" * 64,
                   size=copy.stat().st_size, received_at="2019-04-06T09:00:00")
    fr = examine(rec, first_run["plan"], Q1)
    assert fr.status == ACCEPTED and fr.identified_by in ("sheet", "property", "name")
    original = first_run["rep"].files[0].findings
    assert _pairs(fr.findings) == _pairs([f for f in original if f.code != "late-return"])


def test_clean_return_gets_no_feedback_and_rejected_gets_the_list(tmp_path):
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox = tmp_path / "inbox"
    clean = fill_report(plan, "区人社局", plan.period(Q1), random.Random(3))
    write_received(inbox / "人社局.xlsx", workbook_bytes(clean), "2019-04-05T09:00:00")
    # saved under an .xls name: a 提示 (extension-mismatch), nothing for the unit to fix
    named = fill_report(plan, UNIT, plan.period(Q1), random.Random(5))
    write_received(inbox / "发改局.xls", workbook_bytes(named), "2019-04-05T09:00:00")
    q2 = fill_report(plan, "区财政局", plan.period("2019Q2"), random.Random(4))
    write_received(inbox / "财政局.xlsx", workbook_bytes(q2), "2019-04-05T09:00:00")
    stray = openpyxl.Workbook()
    stray.active["A1"] = "随便一张表"
    stray.save(inbox / "随便.xlsx")
    rep = api.collect([inbox], plan_path, Q1, tmp_path / "out", tmp_path / "db.sqlite", workers=1)
    assert [[x.code for x in f.findings] for f in rep.files if f.path.endswith("发改局.xls")] \
        == [["extension-mismatch"]]
    names = sorted(p.relative_to(tmp_path / "out" / FEEDBACK_DIR).as_posix() for p in rep.feedback)
    assert names == ["区财政局/修改意见_财政局.xlsx", "未识别单位/修改意见_随便.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "out" / FEEDBACK_DIR / "区财政局" / "修改意见_财政局.xlsx")
    assert wb.sheetnames == [FEEDBACK_SHEET]
    text = " ".join(str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v)
    assert "2019年第二季度" in text and "财政局.xlsx" in text
    wb = openpyxl.load_workbook(tmp_path / "out" / FEEDBACK_DIR / "未识别单位" / "修改意见_随便.xlsx")
    text = " ".join(str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v)
    assert "无法确认这是哪个单位的哪张报表" in text


def test_text_drops_the_place():
    from xltools.model import finding
    f = finding("required-empty", file="a.xlsx", sheet=S, cell="D6", task="1", field="完成情况")
    assert f.message == f"a.xlsx {S} 单元格 D6\uff1a{f.text}"
    assert f.text == "任务 1 的“完成情况”没有填写。请补填后重新报送。"


def test_feedback_copy_none_for_warnings_of_lateness_only(first_run):
    plan = first_run["plan"]
    with Ledger(first_run["db"]) as led:
        fr = led.current(plan.plan_id, Q1)[0]
    fr.findings = [f for f in fr.findings if f.code == "late-return"]
    assert feedback_copy(plan, plan.period(Q1), fr) is None


@needs_office
def test_fixed_copy_supersedes_and_its_findings_are_gone(first_run):
    """The round trip: the copy typed into by LibreOffice (highlighted cells only, no
    --allow-locked) and collected again supersedes the first return, without findings."""
    copy = _copy(first_run)
    tmp = first_run["tmp"]
    fixed = tmp / "inbox2" / "发改局一季度(已修改).xlsx"
    fixed.parent.mkdir()
    edits = [{"sheet": S, "cell": "E3", "value": "张三"},
             {"sheet": S, "cell": "E6", "value": 50},
             {"sheet": S, "cell": "F6", "value": "序时推进", "typed": True},
             {"sheet": S, "cell": "E7", "value": 60},
             {"sheet": S, "cell": "F7", "value": "序时推进", "typed": True},
             {"sheet": T, "cell": "E5", "value": 2.1}]
    (tmp / "edits.json").write_text(json.dumps(edits, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(FILL), str(copy), str(tmp / "edits.json"),
                           str(fixed)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ts = datetime.fromisoformat("2019-04-08T10:00:00").timestamp()
    os.utime(fixed, (ts, ts))
    assert read_identity(fixed, LIMITS).identity == read_identity(first_run["sent"], LIMITS).identity

    rep = api.collect([fixed.parent], first_run["plan_path"], Q1, first_run["out"],
                      first_run["db"], workers=1)
    assert [(f.status, f.unit) for f in rep.files] == [(ACCEPTED, UNIT)]
    assert rep.files[0].findings == [], [f.message for f in rep.files[0].findings]
    # the period, not the run: the other four units have not reported (issue 14)
    assert rep.exit_code == 1 and rep.attention == {"missing": 4}
    assert rep.feedback == [] and not _copy_left(first_run["out"])
    plan = first_run["plan"]
    with Ledger(first_run["db"]) as led:
        subs = {r.name: r.status for r in led.receipts(plan.plan_id, Q1)}
        (now,) = led.current(plan.plan_id, Q1)
    assert subs == {first_run["sent"].name: SUPERSEDED, fixed.name: ACCEPTED}
    assert now.supersedes and now.findings == []
    progress = {t.task: (t.progress, t.status) for t in now.tasks}
    assert progress == {"1": (50.0, "序时推进"), "3": (60.0, "序时推进")}
    assert now.header["填报人"] == "张三"
    assert [(t.actual, t.cells["actual"]) for t in now.targets] == [(2.1, "量化指标!E5")]


def _copy_left(out: Path) -> list[Path]:
    return list((out / FEEDBACK_DIR).rglob("*.xlsx")) if (out / FEEDBACK_DIR).exists() else []


def _book(path: Path) -> dict:
    """Every sheet's cells (value, type, style) and merges, as read back."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: ({(c.coordinate, c.value, c.data_type, repr(c.font), repr(c.fill),
                         repr(c.border), c.protection.locked)
                        for row in ws.iter_rows() for c in row},
                       {str(m) for m in ws.merged_cells.ranges}) for ws in wb.worksheets}


def test_late_return_rewrites_only_its_own_copy(first_run, tmp_path):
    """A late return of another unit: its copy is written, 区发改局's is kept as it was, and
    the folder holds what a full rebuild writes."""
    plan, out = first_run["plan"], first_run["out"]
    kept = _copy(first_run)
    before = kept.stat()
    late = fill_report(plan, "区人社局", plan.period(Q1), random.Random(5), mistake="progress-text")
    sent = write_received(tmp_path / "inbox2" / "人社局.xlsx", workbook_bytes(late),
                          "2019-04-20T09:00:00")
    rep = api.collect([first_run["sent"].parent, sent.parent], first_run["plan_path"], Q1, out,
                      first_run["db"], workers=1)
    copies = {p.relative_to(out) for p in rep.feedback}
    assert kept.relative_to(out) in copies and len(copies) == 2
    after = kept.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    full = api.collect([first_run["sent"].parent, sent.parent], first_run["plan_path"], Q1,
                       tmp_path / "full", first_run["db"], workers=1)
    assert {p.relative_to(tmp_path / "full") for p in full.feedback} == copies
    for rel in copies:
        assert _book(out / rel) == _book(tmp_path / "full" / rel), rel
    kept.write_bytes(kept.read_bytes() + b" ")  # opened and saved by someone: written again
    clean = fill_report(plan, "区财政局", plan.period(Q1), random.Random(6))
    more = write_received(tmp_path / "inbox3" / "财政局.xlsx", workbook_bytes(clean),
                          "2019-04-21T09:00:00")
    api.collect([more.parent], first_run["plan_path"], Q1, out, first_run["db"], workers=1)
    assert kept.stat().st_ino != after.st_ino
    assert _book(kept) == _book(tmp_path / "full" / kept.relative_to(out))


def test_rows_reordered_not_marked_on_another_tasks_row(tmp_path):
    """A unit sorted its task rows (task 3 now on row 6, task 1 on row 7). The copy puts the
    rows back as sent; the rows-reordered note was pinned to A6 as received, which on the
    copy is task 1's row: the note about task 3 sat on another task. It is listed, not pinned."""
    plan = make_small_plan()
    wb = fill_report(plan, UNIT, plan.period(Q1), random.Random(7), mistake="progress-text")
    sh = wb.sheets[0]
    for c in range(8):  # swap rows 6 and 7 (0-based 5 and 6)
        a, b = sh.cells.get((5, c)), sh.cells.get((6, c))
        for rc, cell in (((5, c), b), ((6, c), a)):
            if cell is None:
                sh.cells.pop(rc, None)
            else:
                sh.cells[rc] = cell
    sent = write_received(tmp_path / "发改局.xlsx", workbook_bytes(wb), "2019-04-05T09:00:00")
    rec = Received(path=str(sent), display=sent.name, name=sent.name, sha256="0" * 64,
                   size=sent.stat().st_size, received_at="2019-04-05T09:00:00")
    fr = examine(rec, plan, Q1)
    moved = [f for f in fr.findings if f.code == "rows-reordered"]
    assert moved and fr.status == ACCEPTED
    assert {f.cell for f in fr.findings if f.code == "progress-not-number"} == {"E7"}
    fb = feedback_copy(plan, plan.period(Q1), fr)
    items = {f.finding.code: f for f in fb.items}
    # the wrong progress typed for task 1 (row 7 as received) is marked on task 1's row (6)
    assert (items["progress-not-number"].sheet, items["progress-not-number"].cell) == (S, "E6")
    for f in moved:
        item = next(i for i in fb.items if i.finding is f)
        assert item.cell == "" and item.restored
    copy = fb.workbook.sheet(S)
    noted = {(r, c): cell.comment for (r, c), cell in copy.cells.items() if cell.comment}
    assert all("位置被移动" not in text for text in noted.values()), noted


def test_a_blank_form_then_a_filled_one_leaves_nothing_to_fix(tmp_path):
    """A unit first sends its form back untouched (rejected: form-not-filled), then filled
    (accepted): the rejection is history in every output, as in the clerk's counts: no unit
    sheet in the 校验报告, no 修改意见, nothing in the HTML's list of units to fix."""
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    blank, _ = report_form(plan, plan.unit(UNIT), plan.period(Q1))
    embed_identity(blank, plan.plan_id, "report", UNIT, Q1)
    write_received(inbox / "发改局_空表.xlsx", workbook_bytes(blank), "2019-04-03T09:00:00")
    filled = fill_report(plan, UNIT, plan.period(Q1), random.Random(3))
    write_received(inbox / "发改局.xlsx", workbook_bytes(filled), "2019-04-05T09:00:00")
    rep = api.collect([inbox], plan_path, Q1, out, tmp_path / "db.sqlite", workers=1)
    statuses = {Path(f.path).name: (f.status, [x.code for x in f.findings]) for f in rep.files}
    assert statuses["发改局_空表.xlsx"] == ("rejected", ["form-not-filled"])
    assert statuses["发改局.xlsx"][0] == ACCEPTED and "rejected" not in rep.attention
    assert UNIT not in openpyxl.load_workbook(rep.outputs[1], read_only=True).sheetnames
    assert not rep.feedback
    assert f'class="unit-findings" data-unit="{UNIT}"' not in rep.html.read_text(encoding="utf-8")
