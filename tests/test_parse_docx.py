""".docx notices with real Word tables: seed 000 built with python-docx at test time
(annex 1 a table, annex 2 with merged unit and leader cells, annex 3 with multi-level
merged headers) parses to the same plan as its text, in both punctuation forms."""
from __future__ import annotations

from pathlib import Path

import pytest

from xltools.parse import parse_notice_file
from xltools.parse.fold import fold

docx = pytest.importorskip("docx")

from docx_seed import build_seed_docx  # noqa: E402  (tests/ is on the path under pytest)

SEED0 = Path(__file__).resolve().parent / "data" / "seed_000_shashi_2019.txt"


@pytest.fixture(scope="module")
def text_result():
    return parse_notice_file(SEED0)


@pytest.fixture(scope="module", params=[False, True], ids=["ascii", "full-width"])
def docx_result(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "seed_000.docx"
    build_seed_docx(SEED0, path, full_width=request.param)
    return parse_notice_file(path), path


def records(plan):
    return [(t.number, fold(t.text), [fold(h) for h in t.section], t.kind,
             [fold(u) for u in t.lead_units], [fold(u) for u in t.responsible_units])
            for t in plan.tasks]


def test_docx_gives_the_same_tasks(text_result, docx_result):
    r, _ = docx_result
    assert len(r.plan.tasks) == 67
    assert records(r.plan) == records(text_result.plan)
    assert any(f.code == "annex1-table-read" for f in r.findings)


def test_docx_annex2_from_merged_cells(text_result, docx_result):
    r, _ = docx_result
    got = [(fold(e.unit), e.leader, e.inherited, [n for n, _, _ in e.tasks]) for e in r.annex2]
    want = [(e.unit, e.leader, e.inherited, [n for n, _, _ in e.tasks]) for e in text_result.annex2]
    assert got == want and len(got) == 40
    assert r.plan.unit("区财政局").leader == "李先刚"


def test_docx_matrix_header_from_merges_and_every_value(text_result, docx_result):
    r, _ = docx_result
    m, m0 = r.plan.matrix, text_result.plan.matrix
    assert [(c.table, [fold(p) for p in c.path], c.measure) for c in m.columns] == \
        [(c.table, c.path, c.measure) for c in m0.columns]
    assert [c.path for c in m.columns if c.table == 2][0][:2] == ["商务经济", "社会消费品零售总额"]
    assert {k: fold(v) for k, v in m.values.items()} == m0.values
    # read from the grid's merged cells, not inferred from flattened text
    assert not [f for f in r.findings if f.code in ("matrix-header-inferred", "matrix-row-length")]


def test_docx_empty_matrix_cell_shifts_nothing(docx_result, tmp_path):
    _, path = docx_result
    doc = docx.Document(str(path))
    second = doc.tables[3]  # annex 1, annex 2, then annex 3's four tables
    row = next(r for r in second.rows if r.cells[0].text == "解放街办")
    row.cells[2].text = ""  # 社会消费品零售总额 / 增幅
    out = tmp_path / "blank.docx"
    doc.save(out)
    r = parse_notice_file(out)
    m = r.plan.matrix
    keys = [c.key for c in m.columns if c.table == 2]
    assert [m.value("解放街办", k) for k in keys] == ["581811", "", "7", "1", "\\", "3", "1", "3"]
    assert [f.code for f in r.findings if f.code.startswith("matrix-") and
            f.code != "matrix-value-missing-measure"] == ["matrix-value-empty"]


def test_docx_multi_line_unit_cell_and_a_row_starting_late(tmp_path):
    doc = docx.Document()
    doc.add_paragraph("附件1")
    table = doc.add_table(rows=3, cols=4)
    for c, h in enumerate(["序号", "重点任务", "牵头单位", "责任单位"]):
        table.cell(0, c).text = h
    for c, v in enumerate(["1", "实施城区排水防涝提升工程。", "县城管局", "县水务局"]):
        table.cell(1, c).text = v
    table.cell(1, 3).add_paragraph("县住建局\u3001")
    table.cell(1, 3).add_paragraph("县护城河指挥部")
    for c, v in enumerate(["2", "建成县城第二水厂。", "县城投公司", "县水务局"]):
        table.cell(2, c).text = v
    path = tmp_path / "t.docx"
    doc.save(path)
    r = parse_notice_file(path)
    assert r.plan.task("1").responsible_units == ["县水务局", "县住建局", "县护城河指挥部"]
    assert r.plan.task("2").lead_units == ["县城投公司"]


def test_cell_identity_pins_python_docx_merges(tmp_path):
    """read.cell_identity relies on python-docx internals: a merged cell is one <w:tc>."""
    from xltools.parse.read import cell_identity, docx_content

    doc = docx.Document()
    t = doc.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1))
    t.cell(1, 2).merge(t.cell(2, 2))
    cells = [list(r.cells) for r in t.rows]
    assert cell_identity(cells[0][0]) is cell_identity(cells[0][1])
    assert cell_identity(cells[1][2]) is cell_identity(cells[2][2])
    assert cell_identity(cells[1][0]) is not cell_identity(cells[2][0])
    t.cell(0, 0).text = "合并"
    t.cell(1, 2).text = "上\n下"
    path = tmp_path / "m.docx"
    doc.save(path)
    _, grids = docx_content(path)
    g = grids[0].rows
    assert [(c.text, c.up, c.left) for c in g[0]] == [("合并", False, False), ("合并", False, True),
                                                       ("", False, False)]
    assert (g[2][2].text, g[2][2].up) == ("上\n下", True)


def test_tracked_changes_and_content_controls_read_as_word_shows_them(tmp_path):
    """A unit added with Track Changes on (w:ins), one struck out (w:del), one inside a
    content control (w:sdt): python-docx's Paragraph.text drops the inserted and the
    controlled text; read as Word shows the document, changes accepted."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_paragraph("1.推进甲。(牵头单位:区发改局;责任单位:区财政局)")
    p = d.add_paragraph("2.推进乙。(牵头单位:区商务局;责任单位:")
    p._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="a" w:date="2020-01-01T00:00:00Z">'
                          "<w:r><w:t>区税务局、</w:t></w:r></w:ins>"))
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="a" w:date="2020-01-01T00:00:00Z">'
                          "<w:r><w:delText>区人社局、</w:delText></w:r></w:del>"))
    p._p.append(parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtContent><w:r><w:t>区统计局</w:t></w:r>'
                          "</w:sdtContent></w:sdt>"))
    p.add_run(")")
    d.add_paragraph("3.推进丙。(牵头单位:区教育局)")
    d.save(tmp_path / "n.docx")
    plan = parse_notice_file(tmp_path / "n.docx").plan
    assert plan.task("2").responsible_units == ["区税务局", "区统计局"]
    assert plan.unit("区人社局") is None
    assert [t.number for t in plan.tasks] == ["1", "2", "3"]


def test_tasks_numbered_by_word_itself(tmp_path):
    """Tasks in Word's "List Number" style carry no digits in their text: before, such a
    notice gave "no numbered task". They read as Word shows them, 1. 2. 3., the count going
    on across paragraphs between them."""
    d = docx.Document()
    d.add_paragraph("一、重点任务")
    for text in ("推进甲。(牵头单位:区发改局)", "推进乙。(牵头单位:区财政局)"):
        d.add_paragraph(text, style="List Number")
    d.add_paragraph("(责任单位:区税务局)")
    d.add_paragraph("推进丙。(牵头单位:区商务局)", style="List Number")
    d.save(tmp_path / "n.docx")
    plan = parse_notice_file(tmp_path / "n.docx").plan
    assert [(t.number, t.lead_units) for t in plan.tasks] == [
        ("1", ["区发改局"]), ("2", ["区财政局"]), ("3", ["区商务局"])]
    assert plan.task("2").responsible_units == ["区税务局"]


@pytest.mark.parametrize("n,fmt,shown", [
    (3, "decimal", "3"), (12, "chineseCounting", "十二"), (20, "chineseCountingThousand", "二十"),
    (35, "ideographDigital", "三十五"), (2, "ideographTraditional", "乙"),
    (4, "decimalEnclosedCircle", "\u2463"), (7, "decimalFullWidth", "\uff17"), (9, "lowerRoman", "ix"),
    (2, "upperLetter", "B"), (5, "decimalZero", "05"), (11, "chineseLegalSimplified", "拾壹"),
    (3, "decimalEnclosedParen", "\u2476"), (3, "decimalEnclosedFullstop", "\u248a")])
def test_word_number_formats(n, fmt, shown):
    from xltools.parse.docx_numbering import format_number
    assert format_number(n, fmt) == shown


def test_word_lists_over_one_definition_share_its_count_unless_one_restarts(tmp_path):
    """Two lists (w:num) over the same definition, as Word writes after a copy-paste: the
    count goes on (1-5), as Word shows it; a list that restarts it (startOverride) starts
    again where it begins."""
    import copy

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    from xltools.parse.read import docx_content
    d = docx.Document()
    paras = [d.add_paragraph(f"推进{x}。(牵头单位:区发改局)", style="List Number")
             for x in "甲乙丙丁戊己"]
    numbering = d.part.numbering_part.element
    style = d.styles["List Number"].element
    num_id = style.find(qn("w:pPr")).find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
    src = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id)
    again, restart = copy.deepcopy(src), copy.deepcopy(src)
    again.set(qn("w:numId"), "98")
    restart.set(qn("w:numId"), "99")
    restart.append(parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="0">'
                             '<w:startOverride w:val="1"/></w:lvlOverride>'))
    numbering.extend([again, restart])
    for p, num in zip(paras[3:], (98, 98, 99)):
        num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_numId().val, num_pr.get_or_add_ilvl().val = num, 0
    d.save(tmp_path / "n.docx")
    text, _ = docx_content(tmp_path / "n.docx")
    assert [line.split(".")[0] for line in text.split("\n\n") if line.strip()] == \
        ["1", "2", "3", "4", "5", "1"]


def test_a_word_notice_s_findings_say_the_opening_words_not_a_line(tmp_path):
    """Word shows no line numbers: a finding of a .docx notice names its place by the
    paragraph's opening words (found with Ctrl+F); a .txt notice keeps its line."""
    lines = ["关于印发2021年重点任务分解的通知", "一、重点任务",
             "1.推进城区排水防涝提升工程建设。(牵头单位:县城管局)",
             "3.建成县城第二水厂并投入使用。(牵头单位:县水务局)"]
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    path = tmp_path / "通知.docx"
    doc.save(path)
    [gap] = [f for f in parse_notice_file(path).findings if f.code == "item-number-gap"]
    assert gap.near == "3.建成县城第二水厂并投入使用。\u2026"
    assert "“3.建成县城第二水厂并投入使用。\u2026”处" in gap.message and "行" not in gap.where()
    text = tmp_path / "通知.txt"
    text.write_text("\n".join(lines), encoding="utf-8")
    [gap] = [f for f in parse_notice_file(text).findings if f.code == "item-number-gap"]
    assert gap.near == "" and gap.where() == "通知.txt第4行"
