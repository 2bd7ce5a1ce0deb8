"""The issuing notice in Word (issue 17): GB/T 9704 page, fonts, 主送, annex tables, the
low-level XML pinned, and the .docx printed by LibreOffice with "— N —" page numbers."""
from __future__ import annotations

import copy
import dataclasses
import re
import shutil
import subprocess
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from xltools import api
from xltools.generate.annex1 import annex1
from xltools.generate.annex2 import annex2
from xltools.model.periods import make_period
from xltools.model.plan import Group, Task
from xltools.model.errors import TemplateError
from xltools.planfile import load_plan, save_plan
from xltools.sheet.paging import CONTINUED
from xltools.word import gbt9704 as fmt
from xltools.word.notice import addressees, notice_title
from xltools.word.ooxml import doc_grid, page_field, row_flags
from xltools.xlsx.pdf import to_pdf
from xltools.office import find_soffice

from conftest import EXAMPLE, SHARED_TOOLS

WHEN = date(2019, 2, 20)
needs_soffice = pytest.mark.skipif(
    find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice 或 poppler-utils 未安装:bash ../shared/tools/install.sh")


@pytest.fixture(scope="module")
def plan():
    return load_plan(EXAMPLE / "plan.xlsx").value


@pytest.fixture(scope="module")
def notice_path(tmp_path_factory):
    return api.notice(EXAMPLE / "plan.xlsx", tmp_path_factory.mktemp("notice"), when=WHEN)


@pytest.fixture(scope="module")
def doc(notice_path):
    return docx.Document(str(notice_path))


def east_asia(run) -> str:
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def para(doc, text):
    return next(p for p in doc.paragraphs if p.text == text)


def test_page_is_a4_with_the_standard_margins_and_grid(doc):
    s = doc.sections[0]
    near = lambda a, b: abs(a - b) < Mm(0.1)  # noqa: E731  (EMU rounding)
    assert near(s.page_width, Mm(210)) and near(s.page_height, Mm(297))
    assert near(s.top_margin, Mm(37)) and near(s.left_margin, Mm(28))
    assert near(s.page_width - s.left_margin - s.right_margin, Mm(156))
    assert near(s.page_height - s.top_margin - s.bottom_margin, Mm(225))
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert int(grid.get(qn("w:linePitch"))) * 22 <= Mm(225).twips < (int(grid.get(qn("w:linePitch"))) + 1) * 22


def test_title_and_body_fonts(doc, plan):
    title = para(doc, notice_title(plan))
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(r.font.size == Pt(22) and east_asia(r) == "方正小标宋简体" for r in title.runs)
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    body = next(p for p in doc.paragraphs if p.text.startswith("一、提高思想认识"))
    assert all(r.font.size == Pt(16) and east_asia(r) == "仿宋_GB2312" for r in body.runs)
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters


def test_addressee_names_the_plans_groups(doc, plan):
    names = addressees(plan)
    leaf = [g.name for g in plan.groups if not any(isinstance(plan.resolve(m), Group) for m in g.members)]
    assert names == leaf and len(names) == 3
    assert para(doc, "\uff0c".join(names) + "\uff1a")


def test_annex_note_signature_and_chinese_date(doc):
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("附件\uff1a1.") for t in texts)
    assert "二〇一九年二月二十日" in texts
    assert fmt.chinese_date(date(2020, 10, 1)) == "二\u3007二\u3007年十月一日"
    assert fmt.chinese_date(date(2019, 12, 31)) == "二\u3007一九年十二月三十一日"
    assert fmt.chinese_date(date(2019, 3, 15)) == "二\u3007一九年三月十五日"


def test_each_annex_has_its_heading_and_a_repeating_header_table(doc, plan):
    marks = [p for p in doc.paragraphs if re.fullmatch(r"附件\d", p.text)]
    assert [p.text for p in marks] == ["附件1", "附件2", "附件3"]
    assert all(east_asia(p.runs[0]) == "黑体" and p.paragraph_format.first_line_indent == 0 for p in marks)
    assert len(doc.sections) == 1 + 1 + 1 + len(plan.matrix.tables())  # body, 附件1, 附件2, 附件3's tables
    assert len(doc.tables) == 2 + len(plan.matrix.tables())
    for t in doc.tables:
        first = t.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows)
    # 附件1 as its workbook: the same header and one row per layout row
    sheet = annex1(plan).sheets[0]
    t1 = doc.tables[0]
    head = sheet.page.repeat_rows[0]
    labels = [sheet.cells[(head, c)].value for c in range(sheet.last_col + 1)]
    assert [c.text for c in t1.rows[0].cells] == labels and labels[:2] == ["序号", "目标任务"]
    assert len(t1.rows) == sheet.last_row + 1 - sheet.page.repeat_rows[0]
    assert any(c.text == "1" for c in t1.columns[0].cells)


def test_footers_put_the_page_number_right_on_odd_pages_and_left_on_even(doc):
    s = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        xml = p._p.xml
        assert "PAGE" in xml and p.runs[0].text == "\u2014 " and p.runs[-1].text == " \u2014"
        assert all(r.font.size == Pt(14) and east_asia(r) == "宋体" for r in p.runs)


def test_low_level_xml_is_pinned():
    d = docx.Document()
    p = d.add_paragraph()
    page_field(p)
    kinds = [el.get(qn("w:fldCharType")) for el in p._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert [el.text for el in p._p.iter(qn("w:instrText"))] == [" PAGE "]
    t = d.add_table(rows=2, cols=1)
    row_flags(t.rows[0], header=True)
    row_flags(t.rows[1])
    assert [c.tag for c in t.rows[0]._tr.trPr] == [qn("w:cantSplit"), qn("w:tblHeader")]
    assert [c.tag for c in t.rows[1]._tr.trPr] == [qn("w:cantSplit")]
    s = d.sections[0]
    doc_grid(s, 579, 0)
    g = s._sectPr.find(qn("w:docGrid"))
    assert (g.get(qn("w:type")), g.get(qn("w:linePitch")), g.get(qn("w:charSpace"))) == ("linesAndChars", "579", "0")
    doc_grid(s, None)
    assert s._sectPr.find(qn("w:docGrid")) is None


def test_own_template_with_headings_and_a_clear_message_for_a_typo(tmp_path, plan):
    own = tmp_path / "mine.txt.j2"
    own.write_text("# 一、总体要求\n## (一)明确责任\n{{ plan_title }}共 {{ task_count }} 项。\n", encoding="utf-8")
    path = api.notice(EXAMPLE / "plan.xlsx", tmp_path, own, when=WHEN)
    d = docx.Document(str(path))
    assert east_asia(para(d, "一、总体要求").runs[0]) == "黑体"
    assert east_asia(para(d, "(一)明确责任").runs[0]) == "楷体_GB2312"
    assert para(d, f"{plan.title}共 {len(plan.tasks)} 项。")
    own.write_text("{{ no_such_name }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="mine.txt.j2"):
        api.notice(EXAMPLE / "plan.xlsx", tmp_path, own, when=WHEN)
    with pytest.raises(TemplateError, match="找不到模板"):
        api.notice(EXAMPLE / "plan.xlsx", tmp_path, tmp_path / "none.j2", when=WHEN)


def pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def pdf_pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture()
def office_fonts(monkeypatch):
    """The tests (never the product) map the official font names to the Noto CJK fonts."""
    conf = SHARED_TOOLS / "fontconfig" / "fonts.conf"
    if conf.is_file():
        monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


@needs_soffice
def test_notice_prints_with_page_numbers(notice_path, office_fonts):
    res = to_pdf([notice_path])  # Writer's PDF export for a .docx
    assert not (res.message or res.failed), res.message or res.failed
    pdf = res.pdfs[0]
    n = pdf_pages(pdf)
    assert n > 3
    text = pdf_text(pdf)
    assert "附件1" in text.replace(" ", "") and "通知" in text.replace(" ", "")
    numbers = [int(x) for x in re.findall(r"\u2014\s*(\d+)\s*\u2014", text)]
    assert numbers[:3] == [1, 2, 3] and max(numbers) == n


def test_the_notice_reads_back_into_the_same_plan(notice_path, plan):
    """xltools parse reads our own .docx (body, Word tables of 附件1-3) into the same tasks."""
    from xltools.parse import parse_notice_file

    back = parse_notice_file(notice_path).plan
    assert [(t.number, t.text) for t in back.tasks] == [(t.number, t.text) for t in plan.tasks]
    assert {u.name for u in back.units} == {u.name for u in plan.units}
    assert [r.label for r in back.matrix.rows] == [r.label for r in plan.matrix.rows]


def test_cli_writes_the_notice_and_asks_for_a_period(tmp_path):
    from typer.testing import CliRunner

    from xltools.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["notice", str(EXAMPLE / "plan.xlsx"), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    written = list(tmp_path.glob("印发通知_*.docx"))
    assert len(written) == 1 and docx.Document(str(written[0])).tables
    res = runner.invoke(app, ["bulletin", "--plan", str(EXAMPLE / "plan.xlsx"), "-o", str(tmp_path)])
    assert res.exit_code == 2 and "--period" in res.output and "Traceback" not in res.output


def test_a_unit_block_over_three_pages_is_one_merge_in_word(tmp_path, plan):
    """The workbook's 附件2 cuts a long unit block at each printed page and labels the later
    pieces (续); Word breaks pages itself, so the block is one merge again with no (续),
    however many pages it spans (before, only the first two pieces were joined)."""
    big = copy.deepcopy(plan)
    unit = big.units_with_tasks()[0]
    for i in range(150):
        big.tasks.append(Task(number=f"9{i:03d}", text=plan.tasks[0].text, lead_units=[unit.name]))
    sheet = annex2(big).sheets[0]
    labels = [sheet.cells[(m.first_row, 0)].value for m in sheet.merges if m.first_col == 0]
    assert labels.count(unit.name + CONTINUED) >= 2  # the workbook's block: 3 pieces or more
    path = api.notice(save_plan(big, tmp_path / "plan.xlsx"), tmp_path / "out", when=WHEN)
    table = next(t for t in docx.Document(str(path)).tables
                 if t.rows[0].cells[0].text == "责任单位")
    assert not [c.text for r in table.rows for c in r.cells if CONTINUED in c.text]
    rows = [i for i, r in enumerate(table.rows) if r.cells[0].text == unit.name]
    assert len(rows) == len(big.unit_tasks(unit)) and rows == list(range(rows[0], rows[-1] + 1))
    assert len({table.rows[i].cells[0]._tc for i in rows}) == 1  # one vertical merge


@pytest.mark.parametrize("ids,cadence", [(("2019H1", "2019H2"), "半年"), (("2019H1", "2019Q3"), "期")])
def test_the_notice_says_how_often_units_report(tmp_path, plan, notice_path, ids, cadence):
    """按季度 for the demo's quarters; a half-year plan's notice says 按半年, a mixed one 按期."""
    def body(path) -> str:
        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)

    assert "须按季度将各项任务完成情况" in body(notice_path)
    own = dataclasses.replace(plan, periods=[make_period(i) for i in ids])
    text = body(api.notice(save_plan(own, tmp_path / "plan.xlsx"), tmp_path, when=WHEN))
    assert f"须按{cadence}将各项任务完成情况" in text and "按季度" not in text
