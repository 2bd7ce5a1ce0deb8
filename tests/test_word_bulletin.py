"""The 通报 in Word (issue 17): every count the same as the demo's 2019Q1 汇总表 (read back
with python-calamine), fonts and tables, the half-year and year versions, and the PDF."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from python_calamine import CalamineWorkbook

from xltools import api
from xltools.office import find_soffice
from xltools.model.errors import PeriodError
from xltools.xlsx.pdf import to_pdf

from conftest import EXAMPLE, SHARED_TOOLS

LAGGING = ("滞后", "未启动")
needs_soffice = pytest.mark.skipif(
    find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice 或 poppler-utils 未安装:bash ../shared/tools/install.sh")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return api.demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def book(demo):
    return CalamineWorkbook.from_path(str(demo.collected.summary_book))


@pytest.fixture(scope="module")
def bulletin(demo, tmp_path_factory):
    path = api.bulletin(EXAMPLE / "plan.xlsx", "2019Q1", demo.collected.db_path,
                        tmp_path_factory.mktemp("bulletin"), when=date(2019, 4, 12))
    return path, docx.Document(str(path))


def sheet(book, name) -> list[list]:
    return book.get_sheet_by_name(name).to_python()


def table_after(doc, header: list[str]) -> list[list[str]]:
    """The body rows of the Word table whose header row is `header`."""
    for t in doc.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        if rows[0] == header:
            return rows[1:]
    raise AssertionError(f"no table headed {header}")


def test_task_counts_by_status_equal_the_summary_book(bulletin, book):
    rows = sheet(book, "状态统计")
    head = next(r for r in rows if r and r[0] == "总体状态")
    counts = next(r for r in rows if r and r[0] == "任务数")
    expected = {k: int(v) for k, v in zip(head[1:], counts[1:]) if k != "合计" and v}
    got = {r[0]: int(r[1]) for r in table_after(bulletin[1], ["任务状态", "任务数\uff08项\uff09", "占比"])}
    assert got == expected and sum(got.values()) == 67
    text = "\n".join(p.text for p in bulletin[1].paragraphs)
    assert f"共督办任务 {int(counts[-1])} 项" in text


def test_units_on_time_late_and_missing_equal_the_summary_book(bulletin, book):
    rows = sheet(book, "未报送单位")
    i_late = next(i for i, r in enumerate(rows) if str(r[0]).startswith("二、"))
    missing = {r[1] for r in rows[:i_late] if isinstance(r[0], float)}
    late = {r[1] for r in rows[i_late:] if isinstance(r[0], float)}
    doc = bulletin[1]
    assert {r[0] for r in table_after(doc, ["单位", "未报表单"])} == missing == {"区综治办"}
    late_rows = table_after(doc, ["单位", "逾期情况"])
    assert {r[0] for r in late_rows} == late and all("逾期 1 天" in r[1] for r in late_rows)
    units = sheet(book, "按单位汇总")
    head = next(r for r in units if r and r[0] == "序号")
    cols = [head.index("季度报表"), next(i for i, h in enumerate(head) if "指标表" in h)]
    on_time = [r[1] for r in units if isinstance(r[0], float)
               and not any(r[c] in ("逾期", "未报送") for c in cols)]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert re.search(rf"(^|\n){len(on_time)} 个单位按时报送\uff0c{len(late)} 个单位逾期报送"
                     rf"\uff0c{len(missing)} 个单位未报送", text)


def test_lagging_tasks_and_their_lead_units_equal_the_summary_book(bulletin, book):
    rows = sheet(book, "按任务汇总")
    head = next(r for r in rows if r and r[0] == "序号")
    c_status, c_lead = head.index("总体\n状态"), head.index("牵头单位")
    expected = {(str(int(r[0])) if isinstance(r[0], float) else r[0], r[c_lead])
                for r in rows if r[0] not in ("", "序号") and r[c_status] in LAGGING}
    got = table_after(bulletin[1], ["序号", "任务", "牵头单位", "状态", "存在问题"])
    assert {(r[0], r[2]) for r in got} == expected and len(got) == 34
    assert all(r[3] in LAGGING for r in got)
    # the units' own 存在问题, named
    assert any("\uff1a" in r[4] and "用地指标紧张" in r[4] for r in got)


def test_headings_fonts_and_tables(bulletin):
    doc = bulletin[1]
    h1 = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    h2 = next(p for p in doc.paragraphs if p.text.startswith("\uff08一\uff09"))
    assert h1.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert h2.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    title = doc.paragraphs[0]
    assert title.text.startswith("关于2019年第一季度") and title.runs[0].font.size == Pt(22)
    assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in doc.tables)
    assert "下一步要求" in "".join(p.text for p in doc.paragraphs)
    ranking = table_after(doc, ["名次", "镇街", "平均完成率"])
    assert len(ranking) == 10 and ranking[0][0] == "1"


def test_half_year_and_year_sum_the_periods(demo, tmp_path):
    half = docx.Document(str(api.bulletin(EXAMPLE / "plan.xlsx", "2019H1", demo.collected.db_path,
                                          tmp_path, when=date(2019, 7, 15))))
    assert half.paragraphs[0].text.startswith("关于2019年上半年")
    counts = {r[0]: int(r[1]) for r in table_after(half, ["任务状态", "任务数\uff08项\uff09", "占比"])}
    assert sum(counts.values()) == 67
    # the second quarter has no returns yet and is due: every unit owes it
    missing = table_after(half, ["单位", "未报表单"])
    assert any("第二季度" in r[1] for r in missing)
    year = api.bulletin(EXAMPLE / "plan.xlsx", None, demo.collected.db_path, tmp_path,
                        whole_year=True, when=date(2019, 4, 15))
    assert docx.Document(str(year)).paragraphs[0].text.startswith("关于2019年《")
    with pytest.raises(PeriodError, match="2019X1"):
        api.bulletin(EXAMPLE / "plan.xlsx", "2019X1", demo.collected.db_path, tmp_path)


@needs_soffice
def test_bulletin_prints_with_page_numbers(bulletin, monkeypatch):
    conf = SHARED_TOOLS / "fontconfig" / "fonts.conf"
    if conf.is_file():
        monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    res = to_pdf([bulletin[0]])  # Writer's PDF export for a .docx
    assert not (res.message or res.failed), res.message or res.failed
    pdf = res.pdfs[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert n > 1
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "通报" in text.replace(" ", "") and "区综治办" in text.replace(" ", "")
    numbers = [int(x) for x in re.findall(r"\u2014\s*(\d+)\s*\u2014", text)]
    assert numbers == list(range(1, n + 1))


def test_a_unit_exempt_from_the_quarter_is_not_listed_missing(demo, tmp_path):
    db = tmp_path / "ledger.sqlite"
    shutil.copy(demo.collected.db_path, db)
    api.exempt(EXAMPLE / "plan.xlsx", "2019Q1", "区综治办", db=db, reason="本季度无任务")
    doc = docx.Document(str(api.bulletin(EXAMPLE / "plan.xlsx", "2019Q1", db, tmp_path,
                                         when=date(2019, 4, 12))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert re.search(r"\d+ 个单位按时报送", text) and not re.search(r"\d+ 个单位未报送", text)
    assert not any(t.rows[0].cells[0].text == "单位" and t.rows[0].cells[1].text == "未报表单"
                   and len(t.rows) > 1 for t in doc.tables)
