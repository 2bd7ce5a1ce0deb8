"""Gnumeric as a second real client: forms filled by LibreOffice and re-saved by Gnumeric's
`ssconvert` as .xlsx, .xls and .ods, and unfilled forms converted by ssconvert then filled by
LibreOffice, come back through examine() with every value exact and no false finding.

Gnumeric numbers its own number formats from 50 in .xls (python-calamine takes 50-58 for
built-in dates: 45 read as 1900-02-14), indents its .ods content.xml (python-calamine fails on
it): both are the readers' business (xltools.xlsx.cells).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import SHARED_TOOLS, make_small_plan, needs_office
from xltools.collect.examine import examine
from xltools.forms.identity import embed_identity
from xltools.generate.report_form import report_form
from xltools.generate.town_form import town_form
from xltools.model.returns import ACCEPTED, FormReturn, Received
from xltools.office import find_soffice
from xltools.xlsx.writer import write_workbook

FILL = SHARED_TOOLS / "fill_like_user.py"
S, T, Q1 = "季度报表", "镇街指标", "2019Q1"
Q = "量化指标"  # the report form's targets, on a sheet of their own (row 5)
FORMATS = ("xlsx", "xls", "ods")
needs_gnumeric = pytest.mark.skipif(shutil.which("ssconvert") is None,
                                    reason="Gnumeric (ssconvert) 未安装:apt-get install gnumeric")


def _e(sheet, cell, value, typed=False):
    return {"sheet": sheet, "cell": cell, "value": value, **({"typed": True} if typed else {})}


def _header(sheet):
    return [_e(sheet, "E3", "张三"), _e(sheet, "H3", "0716-8880001"),
            _e(sheet, "E4", "2019/4/8", typed=True)]


def _task(row, done, progress, status):
    return [_e(S, f"D{row}", done), _e(S, f"E{row}", progress), _e(S, f"F{row}", status, typed=True),
            _e(S, f"G{row}", "无"), _e(S, f"H{row}", "按计划推进。")]


# numbers a Gnumeric-saved .xls used to turn into dates/times (45 -> 1900-02-14, 0.5 -> 12:00)
CASES = {
    "fg": ("report", "区发改局", _header(S) + _task(6, "已召开专题会议部署,完成45%。", 45, "序时推进")
           + _task(7, "含\u201c引号\u201d、\"双引号\"、% 号", 100, "已完成") + [_e(Q, "E5", 2.5)]),
    "rs": ("report", "区人社局", _header(S) + _task(6, "新增就业3200人", 80, "序时推进")
           + [_e(Q, "E5", 6500.25), _e(Q, "G5", "按月统计")]),
    "lc": ("town", "锣场镇", _header(T) + [_e(T, "F6", 45), _e(T, "F7", 2.5), _e(T, "F8", 12),
                                          _e(T, "F9", 1234.5), _e(T, "F10", 3), _e(T, "H6", "按序时推进")]),
}


def _layout(plan, kind, unit):
    if kind == "report":
        wb, _ = report_form(plan, plan.unit(unit), plan.period(Q1))
    else:
        row = next(r for r in plan.town_rows() if (r.unit or r.label) == unit)
        wb, _ = town_form(plan, row, plan.period(Q1))
    embed_identity(wb, plan.plan_id, kind, unit, Q1)
    return wb


def _ssconvert(src: Path, dst: Path) -> None:
    subprocess.run(["ssconvert", str(src), str(dst)], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def gnumeric(tmp_path_factory):
    """ssconvert the blank forms; one LibreOffice batch filling the generated forms (to .xlsx)
    and the ssconvert'ed blanks (to their own format); ssconvert the LibreOffice returns."""
    base = tmp_path_factory.mktemp("gnumeric")
    plan = make_small_plan()
    out = base / "out"
    out.mkdir()
    jobs, files = [], {}
    for name, (kind, unit, edits) in CASES.items():
        wb = _layout(plan, kind, unit)
        wb.filename = f"{name}.xlsx"
        src = write_workbook(wb, base / "gen")
        jobs.append({"input": str(src), "edits": edits, "output": str(out / f"lo-{name}.xlsx")})
        for fmt in FORMATS:
            blank = out / f"gn-blank-{name}.{fmt}"
            _ssconvert(src, blank)
            files[("gnumeric-then-lo", name, fmt)] = out / f"gnlo-{name}.{fmt}"
            jobs.append({"input": str(blank), "edits": edits,
                         "output": str(files[("gnumeric-then-lo", name, fmt)])})
    (base / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(FILL), "--batch", str(base / "jobs.json"),
                           "--report", str(base / "report.json"), "--allow-locked"],
                          capture_output=True, text=True, timeout=400)
    for name in CASES:
        for fmt in FORMATS:
            files[("lo-then-gnumeric", name, fmt)] = out / f"logn-{name}.{fmt}"
            _ssconvert(out / f"lo-{name}.xlsx", files[("lo-then-gnumeric", name, fmt)])
    return {"plan": plan, "files": files, "proc": proc, "out": out}


def _received(path: Path) -> Received:
    return Received(path=str(path), display=f"收件箱/{path.name}", name=path.name,
                    sha256="0" * 64, size=path.stat().st_size, received_at="2019-04-08T10:00:00")


def _values(fr: FormReturn) -> dict[str, object]:
    """Cell -> the value examine() took from it."""
    out = {fr.header_cells[k]: v for k, v in fr.header.items() if k in fr.header_cells}
    for t in fr.tasks:
        for field, attr in (("完成情况", "completion"), ("完成进度", "progress_raw"),
                            ("状态", "status"), ("存在问题", "problems"),
                            ("下一步计划", "next_steps")):
            if field in t.cells:
                out[t.cells[field]] = getattr(t, attr)
    for g in [*fr.targets, *fr.town]:
        if "actual" in g.cells:
            out[g.cells["actual"]] = g.actual_raw
        if "note" in g.cells:
            out[g.cells["note"]] = g.note
    return out


def _same(got, want) -> bool:
    if isinstance(want, (int, float)):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and got == want
    if want == "2019/4/8":
        return got in (date(2019, 4, 8), datetime(2019, 4, 8))
    return got == want


@needs_office
@needs_gnumeric
@pytest.mark.parametrize("route", ["lo-then-gnumeric", "gnumeric-then-lo"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(CASES))
def test_every_value_exact_and_no_false_finding(gnumeric, route, fmt, name):
    path = gnumeric["files"][(route, name, fmt)]
    assert path.is_file(), gnumeric["proc"].stderr[-2000:]
    kind, unit, edits = CASES[name]
    fr = examine(_received(path), gnumeric["plan"], Q1)
    assert [(f.code, f.cell, f.message) for f in fr.findings] == []
    assert fr.status == ACCEPTED and fr.unit == unit and fr.kind == kind
    got = _values(fr)
    for e in edits:
        cell = fr.place(e["sheet"], e["cell"])
        assert _same(got.get(cell), e["value"]), (cell, got.get(cell), e["value"])


@needs_office
@needs_gnumeric
def test_percent_typed_then_gnumeric_is_understood(tmp_path):
    """"100%" and "80%" typed in LibreOffice, then saved by Gnumeric: its .ods writes the cells
    as office:value-type="float" (1, 0.8) with a percentage number style, not as
    "percentage"; read as a bare 1 the task was 1% done and its 已完成 an 错误."""
    plan = make_small_plan()
    wb = _layout(plan, "report", "区发改局")
    wb.filename = "fg.xlsx"
    src = write_workbook(wb, tmp_path / "gen")
    edits = _header(S) + [_e(S, "D6", "已完成。"), _e(S, "E6", "100%", typed=True),
                          _e(S, "F6", "已完成", typed=True), _e(S, "D7", "推进中。"),
                          _e(S, "E7", "80%", typed=True), _e(S, "F7", "序时推进", typed=True),
                          _e(Q, "E5", 2.5)]
    (tmp_path / "edits.json").write_text(json.dumps(edits, ensure_ascii=False), encoding="utf-8")
    lo = tmp_path / "lo.xlsx"
    proc = subprocess.run(["/usr/bin/python3", str(FILL), str(src), str(tmp_path / "edits.json"),
                           str(lo)], capture_output=True, text=True, timeout=300)
    assert lo.is_file(), proc.stderr[-2000:]
    for fmt in FORMATS:
        path = tmp_path / f"gn.{fmt}"
        _ssconvert(lo, path)
        fr = examine(_received(path), plan, Q1)
        assert [(f.code, f.cell) for f in fr.findings] == [], fmt
        assert [(t.task, t.progress, t.status) for t in fr.tasks] == \
            [(fr.tasks[0].task, 100.0, "已完成"), (fr.tasks[1].task, 80.0, "序时推进")], fmt


@needs_office
@needs_gnumeric
def test_a_tab_inside_a_text_comes_back_from_an_ods(tmp_path):
    """A text with a tab (pasted from a document) typed in LibreOffice, the return then saved
    as .ods by Gnumeric and by LibreOffice: read with its tab, as from the .xlsx. The .ods
    holds <text:tab/>, which python-calamine's reader drops ("a<tab>b" came back "ab")."""
    plan = make_small_plan()
    wb = _layout(plan, "report", "区人社局")
    wb.filename = "rs.xlsx"
    src = write_workbook(wb, tmp_path / "gen")
    text = "新增就业3200人\t其中高校毕业生800人  两个空格"
    edits = tmp_path / "edits.json"
    edits.write_text(json.dumps(_header(S) + _task(6, text, 80, "序时推进"), ensure_ascii=False),
                     encoding="utf-8")
    filled = tmp_path / "lo-rs.xlsx"
    subprocess.run(["/usr/bin/python3", str(FILL), str(src), str(edits), str(filled)],
                   check=True, capture_output=True, timeout=300)
    _ssconvert(filled, tmp_path / "gnumeric.ods")
    subprocess.run([find_soffice(), "--headless", "--convert-to", "ods", "--outdir",
                    str(tmp_path / "lo"), str(filled)], check=True, capture_output=True, timeout=300)
    for path in (filled, tmp_path / "gnumeric.ods", tmp_path / "lo" / "lo-rs.ods"):
        fr = examine(_received(path), plan, Q1)
        assert fr.status == ACCEPTED and fr.tasks[0].completion == text, (path.name, fr.tasks[0].completion)
