"""The hidden form identity: encode/decode, the three carriers in a generated .xlsx, and what
survives a real spreadsheet program (LibreOffice) opening, filling and re-saving a form as
.xlsx, .xls and .ods.

Which carrier `read_identity` finds after LibreOffice 7.4 opens, fills and saves a form
(measured by test_office_identity_survives below):

| saved as | hidden sheet 表单标识 | property xltools_identity | defined name xltools_identity |
|----------|----------------------|---------------------------|-------------------------------|
| .xlsx    | yes (still hidden)   | yes (still text)          | yes (="…" string constant)    |
| .xls     | yes (still hidden)   | in the file, not read     | yes (NAME record, via xlrd)   |
| .ods     | yes (still hidden)   | yes (meta:user-defined)   | yes (table:named-expression)  |

"in the file, not read": LibreOffice writes the property into .xls too
(test_office_xls_still_holds_property_and_name); the reader uses the hidden sheet and the
defined name for .xls. Excel and WPS were not tested here.
"""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from conftest import SHARED_TOOLS, make_small_plan, needs_office
from xltools.collect.limits import DEFAULT_LIMITS as LIMITS, MB
from xltools.forms.identity import embed_identity
from xltools.model.identity import (GUARD_HEADER, GUARD_START_ROW, IDENTITY_SHEET, FormIdentity,
                                    canonical_text, fingerprint)
from xltools.model.glossary import a1
from xltools.sheet.layout import Workbook
from xltools.forms.registry import REPORT_V1, TOWN_V1
from xltools.generate.report_form import report_form
from xltools.generate.town_form import town_form
from xltools.xlsx import identity as xid
from xltools.xlsx.cells import read_identity
from xltools.xlsx.writer import write_workbook
from xltools.xlsx.xls import OLE_MAGIC

FILL = SHARED_TOOLS / "fill_like_user.py"
ALL = ("sheet", "property", "name")
# what read_identity finds after a LibreOffice re-save, per format (see the table above)
SURVIVING = {"xlsx": ALL, "xls": ("sheet", "name"), "ods": ALL}
FORMATS = ("xlsx", "xls", "ods")


def _ident(**kw) -> FormIdentity:
    base = dict(plan_id="2019-2ea295ea", kind="report", unit="区发改局", period="2019Q1",
                version=1, fingerprint="5930184c1cc04fb2")
    base.update(kw)
    return FormIdentity(**base)


# --- pure ------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["区发改局", "区财政局(金融办)", "a;b=c%d\"e\"", "  空格 ",
                                  "=SUM(A1)", "锣场镇人民政府;解放街道办事处", "100%", ""])
def test_encode_decode_round_trip(unit):
    ident = _ident(unit=unit, plan_id=f"计划;{unit}", period="2019年第一季度")
    text = ident.encode()
    assert text.startswith("xltools1;") and len(text) < 255
    assert '"' not in text and "\n" not in text  # safe inside a formula string constant
    assert FormIdentity.decode(text) == ident
    # the same text as a defined name's formula in every spelling a program writes back
    for formula in (f'="{text}"', f'"{text}"', f'of:="{text}"', f' ="{text}" '):
        assert FormIdentity.decode(xid.name_text(formula)) == ident


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text(), st.integers(0, 10**6))
def test_encode_decode_round_trip_any_text(plan_id, unit, period, version):
    ident = _ident(plan_id=plan_id, unit=unit, period=period, version=version)
    assert FormIdentity.decode(ident.encode()) == ident


@pytest.mark.parametrize("junk", [None, 123, 1.5, b"xltools1;", "", "xltools1", "xltools1;",
                                  "xltools2;plan=a;kind=b;unit=c;period=d;v=1;fp=e",
                                  "xltools1;plan=a;kind=b;unit=c;period=d;fp=e",
                                  "xltools1;plan=a;kind=b;unit=c;period=d;v=abc;fp=e",
                                  "xltools1;plan;kind=b", "随便写的文字", "=A1", "#NAME?"])
def test_decode_of_junk_is_none(junk):
    assert FormIdentity.decode(junk) is None


def test_name_text_never_unwraps_a_formula():
    assert xid.name_text('="a""b"') == 'a"b'
    assert xid.name_text("=表单标识!$B$2") == "表单标识!$B$2"  # a reference stays as written
    assert xid.name_text('="a"&"b"') == '"a"&"b"'  # not a single literal: not evaluated
    assert FormIdentity.decode(xid.name_text('="a"&"b"')) is None


# --- generated .xlsx, no office ----------------------------------------------------------------

def _report_layout(plan, unit_name="区发改局", period=0):
    unit = plan.unit(unit_name)
    layout, fmap = report_form(plan, unit, plan.periods[period])
    ident = embed_identity(layout, plan.plan_id, "report", unit.name, plan.periods[period].id)
    return layout, fmap, ident


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    plan = make_small_plan()
    layout, fmap, ident = _report_layout(plan)
    path = write_workbook(layout, tmp_path_factory.mktemp("gen"))
    return plan, layout, ident, path


def test_generated_xlsx_all_carriers_agree(generated):
    _, layout, ident, path = generated
    r = read_identity(path, LIMITS)
    assert (r.format, r.reason, r.notes) == ("xlsx", "", [])
    assert r.found == ALL and r.checked == ALL
    assert r.carriers == {"sheet": ident, "property": ident, "name": ident}
    assert r.identity == ident and r.source == "sheet" and not r.conflict
    assert r.identity_sheet == IDENTITY_SHEET


def test_generated_xlsx_guarded_table_rehashes(generated):
    _, layout, ident, path = generated
    r = read_identity(path, LIMITS)
    assert r.guarded_ok is True
    assert fingerprint(r.guarded) == ident.fingerprint
    assert ("季度报表", "A3", "填报单位:区发改局") in r.guarded
    assert ("季度报表", "B6", "地区生产总值增长8.5%。") in r.guarded
    # the table lies where the writer put it, under its header
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(IDENTITY_SHEET).to_python()
    assert rows[GUARD_START_ROW][:3] == GUARD_HEADER


def test_generated_identity_sheet_is_hidden_and_not_first(generated):
    _, _, _, path = generated
    wb = CalamineWorkbook.from_path(str(path))
    metas = wb.sheets_metadata
    assert metas[0].name != IDENTITY_SHEET and str(metas[0].visible).endswith("Visible")
    vis = {m.name: str(m.visible).split(".")[-1] for m in metas}
    assert vis[IDENTITY_SHEET] == "Hidden"  # plainly hidden: "very hidden" would not survive


def _rewrite(src: Path, dst: Path, changes: dict[str, bytes | None]) -> Path:
    """Copy an .xlsx, replacing (or with None dropping) some members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in changes:
                if changes[info.filename] is not None:
                    zout.writestr(info.filename, changes[info.filename])
            else:
                zout.writestr(info, zin.read(info))
    return dst


def _member(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def test_conflict_prefers_the_sheet_whose_table_rehashes(generated, tmp_path):
    _, _, ident, path = generated
    other = _ident(unit="区财政局", fingerprint=ident.fingerprint)
    custom = _member(path, "docProps/custom.xml").replace(ident.encode(), other.encode())
    r = read_identity(_rewrite(path, tmp_path / "a.xlsx", {"docProps/custom.xml": custom.encode()}),
                      LIMITS)
    assert r.conflict and r.carriers["property"] == other
    assert r.identity == ident and r.source == "sheet" and r.guarded_ok


def test_conflict_with_tampered_sheet_prefers_property_then_name(generated, tmp_path):
    _, _, ident, path = generated
    # the unit edited the hidden guarded table and the 标识 cell: the table no longer re-hashes
    sheet = _member(path, "xl/sharedStrings.xml")
    forged = _ident(unit="区人社局", fingerprint=ident.fingerprint)
    sheet = sheet.replace(ident.encode(), forged.encode()).replace("地区生产总值增长8.5%。", "改过了")
    p = _rewrite(path, tmp_path / "b.xlsx", {"xl/sharedStrings.xml": sheet.encode()})
    r = read_identity(p, LIMITS)
    assert r.carriers["sheet"] == forged and r.guarded_ok is False
    assert r.conflict and r.identity == ident and r.source == "property"
    # without the property, the name decides
    p2 = _rewrite(p, tmp_path / "c.xlsx", {"docProps/custom.xml": None})
    r2 = read_identity(p2, LIMITS)
    assert r2.found == ("sheet", "name") and r2.conflict
    assert r2.identity == ident and r2.source == "name"


def test_any_one_carrier_is_enough(generated, tmp_path):
    _, _, ident, path = generated
    wb_xml = _member(path, "xl/workbook.xml")
    no_name = re.sub(r'<definedName name="xltools_identity">[^<]*</definedName>', "", wb_xml)
    p = _rewrite(path, tmp_path / "d.xlsx", {"docProps/custom.xml": None,
                                             "xl/workbook.xml": no_name.encode()})
    r = read_identity(p, LIMITS)
    assert r.found == ("sheet",) and r.identity == ident and not r.conflict
    # the sheet gone too (renamed and emptied): property alone
    strings = _member(path, "xl/sharedStrings.xml").replace(ident.encode(), "删掉了")
    p = _rewrite(path, tmp_path / "e.xlsx", {"xl/sharedStrings.xml": strings.encode(),
                                             "xl/workbook.xml": no_name.encode()})
    r = read_identity(p, LIMITS)
    assert r.found == ("property",) and r.identity == ident and r.source == "property"
    assert r.raw["sheet"] == "删掉了" and r.carriers["sheet"] is None


def test_broken_files_give_an_empty_reading_with_a_reason(generated, tmp_path):
    _, _, _, path = generated
    data = path.read_bytes()
    cases = {"empty.xlsx": b"", "text.xlsx": "不是表格".encode(), "half.xlsx": data[: len(data) // 2],
             "ole.xls": OLE_MAGIC + b"\0" * 600, "garbage.ods": b"PK\x03\x04" + b"\xff" * 100}
    with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as z:
        z.writestr("readme.txt", "hello")
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    for name in [*cases, "other.xlsx", "missing.xlsx"]:
        r = read_identity(tmp_path / name, LIMITS)
        assert r.identity is None and r.reason, name
        assert r.found == () and not r.conflict


def test_parts_inflating_past_the_limit_refuse_the_file(generated, tmp_path):
    _, _, ident, path = generated
    custom = _member(path, "docProps/custom.xml") + " " * (2 * MB)
    p = _rewrite(path, tmp_path / "big.xlsx", {"docProps/custom.xml": custom.encode()})
    assert read_identity(p, LIMITS).identity == ident  # within the run's limits: read
    r = read_identity(p, dataclasses.replace(LIMITS, max_uncompressed_bytes=2 * MB))
    assert r.identity is None and r.found == () and "超过上限" in r.reason


def test_sheet_claiming_a_huge_grid_is_not_handed_to_calamine(generated, tmp_path):
    _, _, ident, path = generated
    with zipfile.ZipFile(path) as z:
        wb_rels = z.read("xl/_rels/workbook.xml.rels").decode()
    # the hidden sheet is the last worksheet part (after 季度报表 and 量化指标)
    n = wb_rels.count("worksheets/sheet")
    part = f"xl/worksheets/sheet{n}.xml"
    assert n == 3
    xml = _member(path, part).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    p = _rewrite(path, tmp_path / "huge.xlsx", {part: xml.encode()})
    # in a child process: if calamine got the sheet it would abort the interpreter
    code = ("import sys; from xltools.xlsx.cells import read_identity as r; "
            "from xltools.collect.limits import DEFAULT_LIMITS as L; x = r(sys.argv[1], L); "
            "print(x.source, ','.join(x.found), x.identity is not None)")
    out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True,
                         timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.split() == ["property", "property,name", "True"]


# --- a real spreadsheet program -------------------------------------------------------------

@dataclass
class Case:
    """One generated form, what to type into it and what must come back."""

    name: str
    layout: Workbook
    ident: FormIdentity
    path: Path
    edits: list[dict]
    expect: dict[tuple[str, str], object] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)


def _header_cells(layout: Workbook, sheet: str) -> tuple[str, str, str, str]:
    """填报单位 cell and the 填报人 / 联系电话 / 填报日期 inputs (see common.header_fields)."""
    sh = next(s for s in layout.sheets if s.name == sheet)
    r, c = next(rc for rc, cell in sh.cells.items()
                if isinstance(cell.value, str) and cell.value.startswith("填报单位:"))
    return a1(r, c), a1(r, 4), a1(r, 7), a1(r + 1, 4)


def _report_case(plan, unit_name: str, folder: Path, done: float, progress: str) -> Case:
    layout, fmap, ident = _report_layout(plan, unit_name)
    path = write_workbook(layout, folder)
    s = "季度报表"
    _, who, phone, when = _header_cells(layout, s)
    row = fmap.first_task_row
    c = {k: a1(row, col) for k, col in REPORT_V1.fill_in().items()}
    text = f"{unit_name}本季度已完成年度任务的80%;含“引号”、\"双引号\"、= 号和 % 号。"
    edits = [{"sheet": s, "cell": who, "value": "张三"},
             {"sheet": s, "cell": phone, "value": "0716-8880001"},
             {"sheet": s, "cell": when, "value": "2019/4/8", "typed": True},
             {"sheet": s, "cell": c["完成情况"], "value": text},
             {"sheet": s, "cell": c["完成进度"], "value": 80},
             {"sheet": s, "cell": c["状态"], "value": "序时推进", "typed": True},
             {"sheet": s, "cell": c["存在问题"], "value": "无"},
             {"sheet": s, "cell": c["下一步计划"], "value": progress}]
    expect = {(s, who): "张三", (s, phone): "0716-8880001", (s, when): date(2019, 4, 8),
              (s, c["完成情况"]): text, (s, c["完成进度"]): 80.0, (s, c["状态"]): "序时推进",
              (s, c["存在问题"]): "无", (s, c["下一步计划"]): progress}
    for _, _, trow in fmap.target_rows[:1]:  # on the targets' own sheet (量化指标)
        cell = a1(trow, REPORT_V1.target_col("累计完成"))
        edits.append({"sheet": fmap.target_sheet, "cell": cell, "value": done})
        expect[(fmap.target_sheet, cell)] = done
    return Case(f"report-{unit_name}", layout, ident, path, edits, expect)


def _town_case(plan, town: str, folder: Path) -> Case:
    row = next(r for r in plan.town_rows() if (r.unit or r.label) == town)
    period = plan.periods[0]
    layout, lines = town_form(plan, row, period)
    ident = embed_identity(layout, plan.plan_id, "town", town, period.id)
    path = write_workbook(layout, folder)
    s = "镇街指标"
    _, who, phone, when = _header_cells(layout, s)
    edits = [{"sheet": s, "cell": who, "value": "李四"},
             {"sheet": s, "cell": phone, "value": "13900000000"},
             {"sheet": s, "cell": when, "value": "2019/4/8", "typed": True}]
    expect = {(s, who): "李四", (s, phone): "13900000000", (s, when): date(2019, 4, 8)}
    for i, line in enumerate(lines):
        cell = a1(line.row, TOWN_V1.col("累计完成"))
        value = float(100 * i + 12.5)
        edits.append({"sheet": s, "cell": cell, "value": value})
        expect[(s, cell)] = value
    note = a1(lines[0].row, 7)
    edits.append({"sheet": s, "cell": note, "value": "按序时推进"})
    expect[(s, note)] = "按序时推进"
    return Case(f"town-{town}", layout, ident, path, edits, expect)


@pytest.fixture(scope="module")
def office_run(tmp_path_factory):
    return office_batch(tmp_path_factory.mktemp("office"))


def office_batch(base: Path) -> dict:
    """One LibreOffice batch: fill three forms and save each as .xlsx, .xls, .ods; plus two
    edits of locked cells that must be refused (bench/budgets.py times it)."""
    plan = make_small_plan()
    cases = [_report_case(plan, "区发改局", base / "gen", 7.9, "继续抓好项目建设。"),
             _report_case(plan, "区人社局", base / "gen", 6500.0, "开展春风行动。"),
             _town_case(plan, "锣场镇", base / "gen")]
    jobs = []
    for case in cases:
        case.outputs = {fmt: base / "out" / f"{case.name}.{fmt}" for fmt in FORMATS}
        jobs.append({"input": str(case.path), "edits": case.edits,
                     "output": [str(p) for p in case.outputs.values()]})
    rep, rep_cells = cases[0], _header_cells(cases[0].layout, "季度报表")
    locked = {"task-text": {"sheet": "季度报表", "cell": "B6", "value": "改写任务内容"},
              "unit-cell": {"sheet": "季度报表", "cell": rep_cells[0], "value": "填报单位:区财政局"}}
    refused = {}
    for key, edit in locked.items():
        refused[key] = base / "out" / f"refused-{key}.xlsx"
        # a good edit first: a refused edit must save nothing at all
        jobs.append({"input": str(rep.path), "output": str(refused[key]),
                     "edits": [{"sheet": "季度报表", "cell": rep_cells[1], "value": "张三"}, edit]})
    # a second round: a unit re-opens its .xls / .ods and saves it as .xlsx again
    chained = {}
    for fmt in ("xls", "ods"):
        chained[fmt] = base / "out" / f"again-from-{fmt}.xlsx"
        jobs.append({"input": str(rep.outputs[fmt]), "output": str(chained[fmt]), "edits": []})
    (base / "out").mkdir()
    (base / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(FILL), "--batch", str(base / "jobs.json"),
                           "--report", str(base / "report.json")],
                          capture_output=True, text=True, timeout=300)
    report = json.loads((base / "report.json").read_text(encoding="utf-8"))
    return {"cases": cases, "refused": refused, "chained": chained, "proc": proc, "report": report,
            "base": base}


def _outputs(office_run):
    for case in office_run["cases"]:
        for fmt, path in case.outputs.items():
            yield case, fmt, path


@needs_office
def test_office_batch_ran(office_run):
    rep = office_run["report"]
    codes = [job["code"] for job in rep["jobs"]]
    assert codes == [0, 0, 0, 3, 3, 0, 0], office_run["proc"].stderr[-2000:]
    assert office_run["proc"].returncode == 3  # the highest job code
    for case, fmt, path in _outputs(office_run):
        assert path.is_file(), (case.name, fmt)


@needs_office
def test_office_identity_survives(office_run):
    table = {}
    for case, fmt, path in _outputs(office_run):
        r = read_identity(path, LIMITS)
        assert r.format == fmt and r.reason == "" and r.notes == [], (case.name, fmt, r)
        assert r.found == SURVIVING[fmt], (case.name, fmt, r.raw)
        assert all(r.carriers[c] == case.ident for c in r.found)
        assert r.identity == case.ident and r.source == "sheet" and not r.conflict
        # the guarded table survives intact and still re-hashes to the fingerprint
        assert r.guarded_ok is True and r.guarded == _guarded_expected(case)
        table.setdefault(fmt, set()).update(r.found)
    assert {f: tuple(c for c in ALL if c in s) for f, s in table.items()} == SURVIVING


def _guarded_expected(case: Case) -> list[tuple[str, str, str]]:
    from xltools.forms.identity import guarded_cells
    return [g for g in guarded_cells(case.layout) if g[0] != IDENTITY_SHEET]


@needs_office
def test_office_identity_sheet_stays_hidden_and_not_first(office_run):
    for case, fmt, path in _outputs(office_run):
        wb = CalamineWorkbook.from_path(str(path))
        metas = wb.sheets_metadata
        assert [m.name for m in metas] == [s.name for s in case.layout.sheets], (case.name, fmt)
        assert str(metas[0].visible).endswith("Visible")
        vis = {m.name: str(m.visible).split(".")[-1] for m in metas}
        assert vis[IDENTITY_SHEET] == "Hidden", (case.name, fmt)


def _cell(rows: list[list], ref: str) -> object:
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    r, c = int(m.group(2)) - 1, col - 1
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


@needs_office
def test_office_typed_values_read_back_in_the_right_cells(office_run):
    for case, fmt, path in _outputs(office_run):
        wb = CalamineWorkbook.from_path(str(path))
        sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                  for name in {s for s, _ in case.expect}}
        for (sheet, ref), want in case.expect.items():
            got = _cell(sheets[sheet], ref)
            # calamine gives a whole number from .xls as int (an RK record), float elsewhere
            same_type = (isinstance(got, (int, float)) and not isinstance(got, bool)
                         if isinstance(want, float) else type(got) is type(want))
            assert got == want and same_type, (case.name, fmt, ref, got, want)
        # and every guarded cell on the visible sheet still reads as the table says
        for sheet, ref, text in _guarded_expected(case):
            assert canonical_text(_cell(sheets.get(sheet) or sheets.setdefault(
                sheet, wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)), ref)) == text


@needs_office
def test_office_refuses_locked_cells_and_saves_nothing(office_run):
    jobs = office_run["report"]["jobs"][3:5]
    for job, (key, path) in zip(jobs, office_run["refused"].items()):
        assert job["code"] == 3 and not job["ok"], (key, job)
        assert "locked" in job["error"]
        assert not path.exists(), key


@needs_office
def test_office_xls_still_holds_property_and_name(office_run):
    """LibreOffice writes the property (DocumentSummaryInformation) and the defined name (a
    NAME record) into .xls as well; the reader reads the name (xlrd), not the property.
    A byte search is enough to document that they are there."""
    for case in office_run["cases"]:
        data = case.outputs["xls"].read_bytes()
        text = case.ident.encode()
        assert data.count(b"xltools_identity") == 2  # the NAME record and the property's name
        # the name's string constant and the sheet's cell (BIFF8 UTF-16 strings) ...
        assert data.count(text.encode("utf-16-le")) == 2
        # ... and the property's value (the property set is written in code page 65001)
        assert data.count(text.encode("utf-8")) == 1


@needs_office
def test_office_second_save_from_xls_and_ods_keeps_every_carrier(office_run):
    """.xlsx -> .xls -> .xlsx and .xlsx -> .ods -> .xlsx: LibreOffice carries the property and
    the name through .xls and .ods, so they are back when the unit saves as .xlsx again."""
    case = office_run["cases"][0]
    for fmt, path in office_run["chained"].items():
        r = read_identity(path, LIMITS)
        assert r.found == ALL and r.identity == case.ident and not r.conflict, (fmt, r.raw)
        assert r.guarded_ok is True
        assert _cell(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("季度报表")
                     .to_python(skip_empty_area=False), _header_cells(case.layout, "季度报表")[3]) == date(2019, 4, 8)


@needs_office
def test_office_renamed_file_is_still_identified(office_run, tmp_path):
    for case in office_run["cases"]:
        for fmt in FORMATS:
            # a unit saves under a new name, sometimes with an extension that does not match
            dst = tmp_path / fmt / "新建 Microsoft Excel 工作表 (2).xlsx"
            dst.parent.mkdir(exist_ok=True)
            shutil.copyfile(case.outputs[fmt], dst)
            r = read_identity(dst, LIMITS)
            assert r.identity == case.ident and r.format == fmt and not r.conflict, (case.name, fmt)
            assert r.found == SURVIVING[fmt]
