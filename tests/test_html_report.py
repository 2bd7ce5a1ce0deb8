"""The HTML report (汇总报告): rendered from a real collect, same numbers as the 汇总表,
unit text escaped, self-contained; a headless-browser screenshot and print where
Debian's chromium is installed."""
from __future__ import annotations

import copy
import os
import random
import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from xltools import api
from xltools.forms.registry import REPORT_V1
from xltools.merge.common import OVERALL_STATUSES, UNIT_CATEGORIES
from xltools.planfile import save_plan
from xltools.report.html import num, stacked_bars
from xltools.simulate import fill_report, simulate_returns
from xltools.templating import template_dirs
from xltools.xlsx.writer import workbook_bytes

from conftest import make_small_plan

Q1 = "2019Q1"
SCRIPT = '<script>alert("x")</script>'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium 未安装(apt-get install chromium)")


def _set_time(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Simulated returns of the small plan, with one unit missing, one late, and one unit's
    corrected return carrying a <script> in 存在问题 and a progress typed as text."""
    tmp = tmp_path_factory.mktemp("html")
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp / "plan.xlsx")
    inbox = tmp / "inbox"
    simulate_returns(plan, Q1, inbox)
    period = plan.period(Q1)
    deadline = datetime.fromisoformat(period.deadline)
    shutil.rmtree(next(inbox.rglob("*_区财政局")))  # 区财政局 does not report
    for late in next(inbox.rglob("*_区发改局")).glob("*.xlsx"):  # 区发改局 is late
        _set_time(late, deadline + timedelta(days=2, hours=3))
    wb = fill_report(plan, "区人社局", period, random.Random(7), "progress-text")
    sh = wb.sheets[0]
    status_col = REPORT_V1.col("状态")
    first = min(r for (r, c), cell in sh.cells.items()
                if c == status_col and cell.value in ("已完成", "序时推进", "滞后", "未启动"))
    sh.cells[(first, REPORT_V1.col("状态"))].value = "滞后"
    sh.cells[(first, REPORT_V1.col("存在问题"))].value = SCRIPT
    fixed = inbox / "部门" / "区人社局(修改后).xlsx"
    fixed.write_bytes(workbook_bytes(wb))
    _set_time(fixed, deadline - timedelta(days=1))
    ticks: list[tuple[int, int]] = []
    report = api.collect([inbox], plan_path, Q1, tmp / "out", tmp / "台账.sqlite",
                         progress=lambda d, t: ticks.append((d, t)))
    html = report.html.read_text(encoding="utf-8")
    return {"report": report, "html": html, "tables": _tables(html), "ticks": ticks,
            "plan": plan, "tmp": tmp}


# -- a small reader of the report's tables (data-unit rows, data-col cells) --------------

class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self.stack: list[str] = []
        self.row: dict | None = None
        self.col: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.stack.append(a.get("id", ""))
        elif tag == "tr" and self.stack:
            self.row = {"_unit": a.get("data-unit"), "_cells": []}
        elif tag in ("td", "th") and self.row is not None:
            self.col, self.text = a.get("data-col"), []

    def handle_data(self, data):
        if self.col is not None or self.row is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            value = "".join(self.text).strip()
            self.row["_cells"].append(value)
            if self.col:
                self.row[self.col] = value
            self.col = None
        elif tag == "tr" and self.row is not None:
            self.tables.setdefault(self.stack[-1], []).append(self.row)
            self.row = None
        elif tag == "table" and self.stack:
            self.stack.pop()


def _tables(html: str) -> dict[str, list[dict]]:
    p = _Cells()
    p.feed(html)
    return p.tables


def _sheet_rows(path: Path, sheet: str, first_label: str) -> list[list]:
    """Rows after the header row whose first cell is `first_label`."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_label)
    return rows[start:]


# -- content ------------------------------------------------------------------------------

def test_report_is_written_beside_the_workbooks(run):
    report = run["report"]
    assert report.html.parent == report.outputs[0].parent
    assert report.html.name == "汇总报告_2019年第一季度.html"
    assert report.to_json()["html"] == str(report.html)
    assert "<title>2019年《政府工作报告》目标任务第一季度落实情况报告</title>" in run["html"]


def test_units_and_statuses_match_the_summary_workbook(run):
    report, tables = run["report"], run["tables"]
    summary = report.summary_book
    rows = _sheet_rows(summary, "按单位汇总", "序号")
    header = [str(h).replace("\n", "") if h else "" for h in rows[0]]
    book = {}
    for r in rows[1:]:
        if r[1] and isinstance(r[0], (int, float)):
            book[r[1]] = {k: int(r[header.index(k)]) for k in ("任务数", *UNIT_CATEGORIES, "错误数", "警告数")}
        elif r[0] == "合计":
            book["合计"] = {k: int(r[header.index(k)]) for k in ("任务数", *UNIT_CATEGORIES, "错误数", "警告数")}
    html = {r["_unit"]: {k: int(r[k]) for k in ("任务数", *UNIT_CATEGORIES, "错误数", "警告数")}
            for r in tables["by-unit"] if r["_unit"]}
    assert set(html) == {u.name for u in run["plan"].units} | {"合计"}
    assert html == book
    statuses = {r["_unit"]: r["季度报表"] for r in tables["by-unit"] if r["_unit"] not in (None, "合计")}
    assert statuses == {"区发改局": "逾期", "区财政局": "未报送", "区人社局": "按时",
                        "锣场镇": "按时", "解放街办": "按时"}
    assert report.missing_units == ["区财政局"] and report.late_units == ["区发改局"]
    assert [r["_unit"] for r in tables["missing"] if r["_unit"]] == ["区财政局"]
    assert [r["_unit"] for r in tables["late"] if r["_unit"]] == ["区发改局"]


def test_overall_status_and_chart_match_the_workbook(run):
    rows = _sheet_rows(run["report"].summary_book, "状态统计", "总体状态")
    labels, values = rows[0], rows[1]
    book = {labels[i]: int(values[i]) for i in range(1, len(labels)) if labels[i]}
    html = {k: int(v) for k, v in run["tables"]["overall"][-1].items() if not k.startswith("_")}
    assert html == book and set(html) == {*OVERALL_STATUSES, "合计"}
    # the chart: one <g> per unit, its segments add up to the unit's task count
    bars = re.findall(r'<g class="bar" data-unit="([^"]+)" data-total="(\d+)">(.*?)</g>',
                      run["html"], re.S)
    by_unit = {r["_unit"]: int(r["任务数"]) for r in run["tables"]["by-unit"] if r["_unit"] not in (None, "合计")}
    unit_bars = {u: (int(t), body) for u, t, body in bars if u != "全部任务"}
    assert {u: t for u, (t, _) in unit_bars.items()} == by_unit
    for unit, (total, body) in unit_bars.items():
        assert sum(int(n) for n in re.findall(r'data-count="(\d+)"', body)) == total, unit


def test_counts_and_cards_match_the_summary(run):
    tables, html = run["tables"], run["html"]
    cards = dict(re.findall(r'data-key="(\w+)"><span class="value">([^<]+)</span>', html))
    assert cards["reported"] == "4/5" and cards["missing"] == "1" and cards["late"] == "1"
    assert cards["tasks"] == "3"
    labels = dict(re.findall(r'data-key="(\w+)"><span class="value">[^<]+</span>'
                             r'<span class="label">([^<]+)<', html))
    assert labels["missing"] == "未报送\uff08份\uff09"  # forms, beside 已报送单位 (units)
    assert int(cards["lagging"]) == len(tables["lagging-table"]) - 1  # minus the header row
    assert int(cards["files"]) == len(tables["files"]) - 1


def test_lagging_tasks_and_findings_with_cell_and_fix(run):
    tables, html = run["tables"], run["html"]
    lag = [r for r in tables["lagging-table"] if r["_unit"] == "区人社局"]
    assert lag and lag[0]["_cells"][4] == "滞后"
    block = re.search(r'<div class="unit-findings" data-unit="区人社局">(.*?)</div>', html, re.S)
    assert block, "区人社局 has a finding"
    text = block.group(1)
    assert 'data-code="progress-not-number"' in text
    assert re.search(r"<td class=\"c\">[^<]*![A-Z]+\d+</td>", text), "sheet!cell shown"
    assert "基本完成" in text  # what the unit typed
    assert "请" in text  # the message says what to do
    msg = re.search(r'<td class="msg">([^<]*)</td>', text).group(1)
    assert msg.startswith("任务 ") and "单元格" not in msg  # its place is in the columns


def test_unit_text_is_escaped_and_nothing_is_fetched(run):
    html = run["html"]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=", html, re.I)
    assert "url(" not in html and "@import" not in html
    assert "<link" not in html.lower()


def test_progress_counts_only_grow(run):
    ticks = run["ticks"]
    assert ticks[0][0] == 0 and ticks[-1][0] == ticks[-1][1] > 0
    assert all(t == ticks[0][1] for _, t in ticks)
    done = [d for d, _ in ticks]
    assert done == sorted(done)


def test_generate_progress_counts_only_grow(tmp_path):
    ticks: list[tuple[int, int]] = []
    rep = api.generate(make_small_plan(), tmp_path, [Q1], progress=lambda d, t: ticks.append((d, t)))
    assert ticks[0] == (0, len(rep.files)) and ticks[-1] == (len(rep.files), len(rep.files))
    assert [d for d, _ in ticks] == list(range(len(rep.files) + 1))


def test_templates_are_found_and_chart_geometry():
    assert any((d / "report.html.j2").is_file() for d in template_dirs())
    charts = stacked_bars([("甲", [1, 0, 2, 0, 0, 0]), ("乙乙乙", [0, 0, 0, 0, 0, 3])],
                          list(UNIT_CATEGORIES), per_chart=1)
    assert len(charts) == 2 and charts[0]["last"] == 1 and charts[1]["first"] == 2
    a, b = charts[0]["bars"][0], charts[1]["bars"][0]
    assert [s["n"] for s in a["segs"]] == [1, 2] and a["total"] == b["total"] == 3
    assert a["segs"][-1]["x"] + a["segs"][-1]["w"] == pytest.approx(b["segs"][0]["x"] + b["segs"][0]["w"])
    assert num(8000.0) == "8000" and num(12345.0) == "12,345" and num(37.50) == "37.5"
    assert num(float("nan")) == "" and num("文字") == "文字"


# -- in a browser ---------------------------------------------------------------------------

def _chromium(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    profile = tmp / "chromium-profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=120)


def png_pixels(path: Path, max_rows: int = 600) -> tuple[int, int, list[int]]:
    """(width, height, grey values of the first max_rows rows) of an 8-bit RGB(A) PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    grey: list[int] = []
    for y in range(min(height, max_rows)):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        f, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            if f == 1:
                cur[i] = (cur[i] + a) & 255
            elif f == 2:
                cur[i] = (cur[i] + b) & 255
            elif f == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif f == 4:
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        grey.extend((cur[i] + cur[i + 1] + cur[i + 2]) // 3 for i in range(0, stride, bpp))
        prev = cur
    return width, height, grey


@needs_chromium
def test_screenshot_in_headless_chromium_is_not_blank(run, tmp_path):
    shot = tmp_path / "report.png"
    res = _chromium([f"--screenshot={shot}", "--window-size=1200,900",
                     run["report"].html.absolute().as_uri()], tmp_path)
    assert shot.is_file() and shot.stat().st_size > 10_000, res.stderr[-2000:]
    width, height, grey = png_pixels(shot)
    assert (width, height) == (1200, 900)
    mean = sum(grey) / len(grey)
    variance = sum((g - mean) ** 2 for g in grey) / len(grey)
    dark = sum(g < 128 for g in grey) / len(grey)
    assert variance > 200 and 0.005 < dark < 0.5, (variance, dark)


@needs_chromium
def test_report_prints_on_a4_with_page_numbers(run, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils 未安装")
    pdf = tmp_path / "report.pdf"
    res = _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                     run["report"].html.absolute().as_uri()], tmp_path)
    assert pdf.is_file(), res.stderr[-2000:]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 4 and "A4" in info
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                             text=True).stdout)
    assert "一、报送情况" in text and "五、各单位问题及修改意见" in text and "四、量化指标" in text
    assert f"第1页共{pages}页" in text
    assert '<script>alert("x")</script>' in text  # shown as text, not run


@needs_chromium
def test_collect_pdf_prints_the_html_report_without_browser_headers(run, tmp_path):
    """api.pdf (collect --pdf) also prints the HTML report through Chromium's print-to-PDF:
    no date/time or file:// header or footer line on any page, the report's own page numbers."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils 未安装")
    report = run["report"]
    res = api.pdf(report)
    made = report.html.with_suffix(".pdf")
    assert made in res.pdfs and not any(p == report.html for p, _ in res.failed), res.failed
    text = subprocess.run(["pdftotext", "-layout", str(made), "-"], capture_output=True,
                          text=True).stdout
    pages_ = [p for p in text.split("\f") if p.strip()]
    assert len(pages_) >= 4 and "一、报送情况" in text
    browser_date = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}")  # Chromium's header
    for n, page in enumerate(pages_, 1):
        assert not browser_date.search(page) and "file:" not in page, (n, page[:300])
        assert f"第{n}页共{len(pages_)}页" in re.sub(r"\s+", "", page), n


@needs_chromium
def test_printing_from_the_browser_adds_no_date_or_url(run, tmp_path):
    """Printed as a clerk's browser does (headers and footers on): the report's own @page
    margin boxes leave no room for the browser's date, title or URL."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils 未安装")
    pdf = tmp_path / "browser.pdf"
    res = _chromium([f"--print-to-pdf={pdf}", run["report"].html.absolute().as_uri()], tmp_path)
    assert pdf.is_file(), res.stderr[-2000:]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    assert "一、报送情况" in text
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}", text) and "file:" not in text
    assert "第1页共" in re.sub(r"\s+", "", text)


def test_html_pdf_without_chromium_is_said_and_a_failing_one_is_reported(tmp_path, monkeypatch):
    from xltools.xlsx import pdf as pdfmod

    html = tmp_path / "汇总报告_2019年第一季度.html"
    html.write_text("<p>报告</p>", encoding="utf-8")
    monkeypatch.setattr(pdfmod, "find_chromium", lambda: None)
    res = pdfmod.PdfResult()
    pdfmod.html_to_pdf(html, res)
    assert not res.pdfs and not res.failed and html.name in res.notes[0] and "Chromium" in res.notes[0]
    assert res.to_json()["notes"] == res.notes
    bad = pdfmod.PdfResult()
    pdfmod.html_to_pdf(html, bad, chromium=shutil.which("false") or "/bin/false")
    assert not bad.pdfs and bad.failed[0][0] == html and "Chromium" in bad.failed[0][1]
    assert not html.with_suffix(".pdf").exists()


# -- an office's own template, and the cached sections ----------------------------------

def _inputs(run):
    """What collect rendered the report from, rebuilt from its ledger."""
    from xltools.collect.ledger import Ledger
    from xltools.merge import ReceiptRow, summarize

    plan, period = run["plan"], run["plan"].period(Q1)
    with Ledger(run["tmp"] / "台账.sqlite") as led:
        current = led.current(plan.plan_id, Q1)
        receipts = [ReceiptRow.from_ledger(r) for r in led.receipts(plan.plan_id, Q1)]
    return plan, period, summarize(plan, period, current, receipts), receipts


def test_an_office_template_from_before_the_sections_still_renders(run, monkeypatch):
    from xltools.report.html import render_html

    monkeypatch.setenv("XLTOOLS_TEMPLATES", str(Path(__file__).parent / "data" / "templates_before_sections"))
    plan, period, summary, receipts = _inputs(run)
    when = datetime(2019, 4, 12, 9, 0)
    theirs = render_html(plan, period, summary, receipts, when)
    monkeypatch.delenv("XLTOOLS_TEMPLATES")
    ours = render_html(plan, period, summary, receipts, when)
    assert "区人社局" in theirs and theirs.count("data-code=") == ours.count("data-code=") > 0
    assert SCRIPT not in theirs  # its units' text is escaped as before


def test_a_mistake_in_an_office_template_is_named(run, tmp_path, monkeypatch):
    from xltools.model.errors import TemplateError
    from xltools.report.html import render_html

    (tmp_path / "report.html.j2").write_text("{% for u in findings %}{{ u.nope.deeper }}{% endfor %}",
                                             encoding="utf-8")
    monkeypatch.setenv("XLTOOLS_TEMPLATES", str(tmp_path))
    with pytest.raises(TemplateError, match="report.html.j2"):
        render_html(*_inputs(run))


def test_cached_sections_are_used_only_beside_the_page_that_shows_them(run, tmp_path, monkeypatch):
    import json

    from xltools.report import html as html_mod

    plan, period, summary, receipts = _inputs(run)
    page = html_mod.write_html_report(plan, period, summary, receipts, tmp_path)
    cache = json.loads((tmp_path / html_mod.SECTIONS).read_text(encoding="utf-8"))
    assert cache["sections"] and cache["html_sha256"]

    def rendered(*_):
        raise AssertionError("a section was rendered again")
    with monkeypatch.context() as m:  # the page and its own cache: every section comes from it
        m.setattr(html_mod, "_unit_findings", rendered)
        html_mod.write_html_report(plan, period, summary, receipts, tmp_path)
    # a cache edited (or copied in) to carry markup the page never showed: not used
    cache = json.loads((tmp_path / html_mod.SECTIONS).read_text(encoding="utf-8"))
    cache["sections"][next(iter(cache["sections"]))] = SCRIPT
    (tmp_path / html_mod.SECTIONS).write_text(json.dumps(cache), encoding="utf-8")
    html_mod.write_html_report(plan, period, summary, receipts, tmp_path)
    assert SCRIPT not in page.read_text(encoding="utf-8") and "data-code=" in page.read_text(encoding="utf-8")


def test_a_unit_written_by_its_alias_shows_one_contact_with_either_template(run, monkeypatch):
    """The findings section's contact comes from the register, the unit's name resolved alike
    (aliases too) for the bundled template and an office's own."""
    import dataclasses
    from xltools.report.html import render_html

    plan, period, summary, receipts = _inputs(run)
    plan = copy.deepcopy(plan)
    u = plan.unit("区人社局")
    u.aliases.append("人社局")
    u.contact, u.phone = "李四", "0716-0000001"
    receipts = [dataclasses.replace(r, unit="人社局") if r.unit == "区人社局" else r for r in receipts]
    when = datetime(2019, 4, 12, 9, 0)
    ours = render_html(plan, period, summary, receipts, when)
    monkeypatch.setenv("XLTOOLS_TEMPLATES", str(Path(__file__).parent / "data" / "templates_before_sections"))
    theirs = render_html(plan, period, summary, receipts, when)
    for page in (ours, theirs):
        block = re.search(r'<div class="unit-findings" data-unit="人社局">(.*?)</h3>', page, re.S).group(1)
        assert "李四\u3001" + "0716-0000001" in block
