"""A seeded mutation test over real returns: forms filled by LibreOffice, then edited at the
byte level the way damage and fuzzers do (shared-string indexes, cell types, references,
duplicated and misplaced cells, control characters, missing parts).

Property: every value examine() accepts from a mutant equals what LibreOffice reads in that
cell (each mutant is opened and re-saved by LibreOffice in one batch; its re-save is LibreOffice's
reading), unless a finding names that cell; and no mutant credits values to a unit other than
the one its form was made for.
"""
from __future__ import annotations

import json
import random
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import SHARED_TOOLS, make_small_plan, needs_office
from test_gnumeric import CASES, _layout, _received, _values
from xltools.collect.examine import examine
from xltools.model.identity import canonical_text
from xltools.model.findings import ERROR
from xltools.model.returns import ACCEPTED
from xltools.xlsx.writer import write_workbook

FILL = SHARED_TOOLS / "fill_like_user.py"
Q1, SEED, N = "2019Q1", 14, 60
SHEET = "xl/worksheets/sheet1.xml"
_C = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*?)(/>|>.*?</c>)', re.S)


def _cells(xml: bytes) -> list[re.Match]:
    return [m for m in _C.finditer(xml) if m.group(4) != b"/>"]


def _mutate(rng: random.Random, parts: dict[str, bytes]) -> str:
    """One random damage to the parts of a real .xlsx (in place); returns what was done."""
    xml = parts[SHEET]
    cells = _cells(xml)
    m = rng.choice(cells)
    whole, ref = m.group(0), (m.group(1) + m.group(2)).decode()
    op = rng.choice(["index", "index", "type", "ref", "twice", "control", "control", "part"])
    if op == "index":
        bad = rng.choice([b"-1", b"1.5", b"abc", b" 3 ", b"99999", b"0", b"2"])
        new = b'<c r="' + m.group(1) + m.group(2) + b'" t="s"><v>' + bad + b"</v></c>"
    elif op == "type":
        t = rng.choice([b"n", b"str", b"b", b"e", b"s", b"d"])
        attrs = re.sub(rb'\st="[^"]*"', b"", m.group(3)) + b' t="' + t + b'"'
        new = b'<c r="' + m.group(1) + m.group(2) + b'"' + attrs + m.group(4)
    elif op == "ref":
        other = rng.choice(cells)
        new = whole.replace(b'r="' + m.group(1) + m.group(2) + b'"',
                            b'r="' + other.group(1) + str(int(other.group(2)) + rng.choice(
                                [0, 1, -1])).encode() + b'"', 1)
        ref += "->" + (other.group(1) + other.group(2)).decode()
    elif op == "twice":
        other = rng.choice(cells)
        new = whole + whole.replace(m.group(4), other.group(4), 1)
    elif op == "control":
        sst = parts.get("xl/sharedStrings.xml", b"")
        texts = list(re.finditer(rb"<t(?: [^>]*)?>([^<]+)</t>", sst))
        t = rng.choice(texts)
        ch = rng.choice([b"&#1;", b"&#x1F;", b"\x00", b"&#11;"])
        cut = t.start(1) + rng.randrange(len(t.group(1)) + 1)
        # keep UTF-8 whole: move the cut to a character boundary
        while cut < t.end(1) and (sst[cut] & 0xC0) == 0x80:
            cut += 1
        parts["xl/sharedStrings.xml"] = sst[:cut] + ch + sst[cut:]
        return f"control {ch!r} in shared string"
    else:
        name = rng.choice(["xl/sharedStrings.xml", "xl/styles.xml", "xl/worksheets/sheet2.xml",
                           "xl/_rels/workbook.xml.rels", "docProps/custom.xml"])
        parts.pop(name, None)
        return f"part {name} removed"
    parts[SHEET] = xml.replace(whole, new, 1)
    return f"{op} at {ref}"


@pytest.fixture(scope="module")
def mutants(tmp_path_factory):
    base = tmp_path_factory.mktemp("mutants")
    plan = make_small_plan()
    (base / "out").mkdir()
    jobs, real = [], {}
    for name in ("fg", "lc"):
        kind, unit, edits = CASES[name]
        wb = _layout(plan, kind, unit)
        wb.filename = f"{name}.xlsx"
        src = write_workbook(wb, base / "gen")
        real[name] = base / "out" / f"real-{name}.xlsx"
        jobs.append({"input": str(src), "edits": edits, "output": str(real[name])})
    _batch(base, "fill", jobs)
    rng = random.Random(SEED)
    made, jobs = [], []
    for i in range(N):
        name = ("fg", "lc")[i % 2]
        with zipfile.ZipFile(real[name]) as z:
            parts = {info.filename: z.read(info) for info in z.infolist()}
        what = _mutate(rng, parts)
        path = base / "mut" / f"m{i:02d}-{name}.xlsx"
        path.parent.mkdir(exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for pname, data in parts.items():
                z.writestr(pname, data)
        lo = base / "lo" / path.name
        made.append((name, what, path, lo))
        jobs.append({"input": str(path), "edits": [], "output": str(lo)})
    (base / "lo").mkdir()
    report = _batch(base, "resave", jobs)
    return {"plan": plan, "made": made, "report": report}


def _batch(base: Path, tag: str, jobs: list[dict]) -> dict:
    (base / f"{tag}.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    subprocess.run(["/usr/bin/python3", str(FILL), "--batch", str(base / f"{tag}.json"),
                    "--report", str(base / f"{tag}-report.json"), "--timeout", "60"],
                   capture_output=True, text=True, timeout=900)
    return json.loads((base / f"{tag}-report.json").read_text(encoding="utf-8"))


def _lo_cells(path: Path, sheet: str) -> dict[str, object]:
    from xltools.model.glossary import a1
    wb = CalamineWorkbook.from_path(str(path))
    try:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        wb.close()
    return {a1(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row)}


@needs_office
def test_every_accepted_value_is_what_libreoffice_reads(mutants):
    plan, checked, accepted = mutants["plan"], 0, 0
    for name, what, path, lo in mutants["made"]:
        kind, unit, _ = CASES[name]
        fr = examine(_received(path), plan, Q1)
        if fr.status == ACCEPTED:
            accepted += 1
            # never credited to another unit
            assert fr.unit == unit and fr.kind == kind, (path.name, what, fr.unit)
        named = {fr.place(f.sheet, f.cell) for f in fr.findings if f.cell and f.severity == ERROR}
        ours = {cell: v for cell, v in _values(fr).items() if v not in (None, "")
                and cell not in named}
        if not ours:
            continue
        assert lo.is_file(), (path.name, what, "LibreOffice could not open it, values were taken")
        theirs: dict[str, dict] = {}  # sheet -> cells (the targets are on a sheet of their own)
        for cell, v in ours.items():
            checked += 1
            sheet, ref = fr.sheet_cell(cell)
            got = (theirs.get(sheet) or theirs.setdefault(sheet, _lo_cells(lo, sheet))).get(ref, "")
            assert canonical_text(v) == canonical_text(got), (path.name, what, cell, v, got)
    # the test means something: most mutants still give values that were compared
    assert accepted >= N // 3 and checked >= 200, (accepted, checked)
