"""Paper the leaders read (issue 15): the demo's annexes, a 季度报表, the 汇总表 and the 校验报告
rendered by LibreOffice to PDF and read back page by page with `pdftotext -layout`. Our own
page breaks must be the only ones (the row-height estimate holds), every page shows its header,
and no block is cut from its label."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from xltools import api
from xltools.generate.annex2 import SHEET_NAME as ANNEX2_SHEET
from xltools.xlsx import pdf as pdfmod

from test_pdf import office_fonts, pages  # noqa: F401  (the fonts fixture applies here too)

pytestmark = pytest.mark.skipif(
    pdfmod.find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice 或 poppler-utils 未安装:bash ../shared/tools/install.sh")


@pytest.fixture(scope="module")
def printed(tmp_path_factory, office_fonts):  # noqa: F811
    demo = api.demo(tmp_path_factory.mktemp("demo"))
    gen, col = demo.generated, demo.collected
    files = {f.kind: f.path for f in gen.files if f.kind.startswith("annex")}
    files["report"] = next(f.path for f in gen.files if f.kind == "report" and f.unit == "区发改局"
                           and f.period == "2019Q1")
    files["summary"], files["validation"] = col.summary_book, col.outputs[1]
    res = pdfmod.to_pdf(files.values(), out_dir=tmp_path_factory.mktemp("pdf"))
    assert not (res.message or res.failed), res.failed
    pdfs = {k: pdfmod.pdf_path(p, res.pdfs[0].parent) for k, p in files.items()}
    return {"plan": api.load(api.example_dir() / "plan.xlsx").value, "xlsx": files, "pdf": pdfs}


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return out.split("\f")[:pages(pdf)]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def manual_pages(xlsx: Path, sheet: str) -> list[tuple[int, int]]:
    """(first, last) 1-based rows of each page our breaks make on `sheet`."""
    ws = openpyxl.load_workbook(xlsx)[sheet]
    cuts = sorted(b.id for b in ws.row_breaks.brk)
    bounds = [0, *cuts, ws.max_row]
    return [(a + 1, b) for a, b in zip(bounds, bounds[1:])]


def numbers_at(text: str, column: str, next_column: str) -> list[str]:
    """The numbers printed in one column of a page, top to bottom (by the header's position)."""
    head = next(ln for ln in text.splitlines() if column in ln and next_column in ln)
    x0, x1 = head.index(column), head.index(next_column)
    got = []
    for ln in text.splitlines():
        for m in re.finditer(r"(?<!\S)(\d+)(?!\S)", ln[:x1]):
            if x0 - 3 <= m.start() <= x0 + 3:
                got.append(m.group(1))
    return got


def test_annex2_every_task_on_the_page_of_its_unit_name(printed):
    plan = printed["plan"]
    texts = page_texts(printed["pdf"]["annex2"])
    assert len(texts) == len(manual_pages(printed["xlsx"]["annex2"], ANNEX2_SHEET))  # no page of LO's
    rows = [(u.name, t.number) for u in plan.units_with_tasks() for t, _ in plan.unit_tasks(u)]
    i = 0
    for n, text in enumerate(texts, start=1):
        assert "责任单位" in text and "全年目标任务" in text, f"page {n}: no header"
        nums = numbers_at(text, "序号", "全年目标任务")
        assert nums, f"page {n}: no task rows"
        units = []
        for num in nums:
            assert rows[i][1] == num, (n, rows[i], num)
            units.append(rows[i][0])
            i += 1
        for unit in dict.fromkeys(units):  # names wrap in the narrow column: compare flat
            assert flat(unit) in flat(text), f"page {n}: tasks of {unit} without its name"
    assert i == len(rows)


def test_summary_by_task_every_task_number_on_each_page_it_reaches(printed):
    xlsx = printed["xlsx"]["summary"]
    segments = manual_pages(xlsx, "按任务汇总")
    ws = openpyxl.load_workbook(xlsx)["按任务汇总"]
    ends = {m.min_row: m.max_row for m in ws.merged_cells.ranges if m.min_col == m.max_col == 1}
    blocks = [(r, ends.get(r, r), str(v)) for r, (v,) in enumerate(
        ws.iter_rows(min_col=1, max_col=1, values_only=True), start=1) if isinstance(v, int)]
    texts = page_texts(printed["pdf"]["summary"])
    for n, (a, b) in enumerate(segments, start=1):
        text = texts[n - 1]
        assert "任务内容" in text and "牵头单位" in text and "本季度完成情况" in text, f"page {n}"
        want = sorted({num for lo, hi, num in blocks if lo <= b and hi >= a}, key=int)
        got = sorted(set(numbers_at(text, "序号", "任务内容")), key=int)
        assert got == want, f"page {n}"
    assert "各单位报送情况" in flat(texts[len(segments)])  # the next sheet: LO added no page


def test_every_page_shows_its_header(printed):
    headers = {"annex1": ("序号", "目标任务", "责任单位"), "annex2": ("责任单位", "全年目标任务"),
               "validation": ("问题说明",)}
    for kind, words in headers.items():
        texts = page_texts(printed["pdf"][kind])
        if kind == "validation":  # the 全部问题 sheet: its pages come first, up to 文件清单
            texts = texts[:next(i for i, t in enumerate(texts) if "收到文件清单" in flat(t))]
        for n, text in enumerate(texts, start=1):
            for w in words:
                assert w in flat(text), (kind, n, w)


def test_annex1_headings_never_end_a_page(printed):
    plan = printed["plan"]
    headings = {flat(h) for t in plan.tasks for h in t.section}
    for n, text in enumerate(page_texts(printed["pdf"]["annex1"]), start=1):
        lines = [flat(ln) for ln in text.splitlines() if flat(ln)]
        body = [ln for ln in lines if not ln.startswith("第") or "页" not in ln]
        assert body[-1] not in headings, f"page {n} ends with the heading {body[-1]}"


def test_quarterly_form_targets_print_under_their_own_header(printed):
    """The 量化指标 table is a sheet of its own: its pages show its header, never the task
    table's; the task pages never show its columns."""
    texts = page_texts(printed["pdf"]["report"])
    at = [n for n, t in enumerate(texts) if "量化指标完成情况" in flat(t)]
    assert len(at) == 1 and at[0] > 0  # its title, on the first page of its sheet
    assert "填报单位:区发改局" in flat(texts[at[0]]) and "地区生产总值增长" in flat(texts[at[0]])
    for n, text in enumerate(texts):
        page = flat(text)
        if n < at[0]:  # the task table's pages
            assert "本季度完成情况" in page and "累计完成" not in page, f"page {n + 1}"
        else:
            assert all(h in page for h in ("全年目标", "累计完成", "完成率", "说明")), f"page {n + 1}"
            assert "本季度完成情况" not in page and "完成进度" not in page, f"page {n + 1}"


def test_annex3_rows_placed_by_the_pager_every_page_has_the_two_level_header(printed):
    xlsx = printed["xlsx"]["annex3"]
    matrix = printed["plan"].matrix
    sheets = openpyxl.load_workbook(xlsx).sheetnames
    segments = [(k, s) for k, name in enumerate(sheets) for s in manual_pages(xlsx, name)]
    assert len(segments) > len(sheets)  # our breaks cut at least one table
    texts = page_texts(printed["pdf"]["annex3"])
    assert len(texts) == len(segments)  # LibreOffice added no page of its own
    towns = [flat(r.label) for r in matrix.rows]
    seen = []
    for n, (text, (k, _)) in enumerate(zip(texts, segments), start=1):
        lines = [flat(ln) for ln in text.splitlines() if flat(ln)]
        head = next(i for i, ln in enumerate(lines) if "责任单位" in ln)
        first_level = flat(next(c.path[0] for c in matrix.columns if c.table == matrix.tables()[k]))
        assert any(first_level in ln for ln in lines[:head]), f"page {n}: no {first_level} above 责任单位"
        rows = [t for ln in lines[head + 1:] for t in towns if ln.startswith(t)]
        assert len(rows) >= 2, f"page {n}: a header over {len(rows)} row(s)"  # never 合计 alone
        seen.extend(rows)
    assert seen == towns * len(sheets)  # every row once, whole, in order


def test_summary_town_blocks_fill_their_pages(printed):
    """镇街指标: whole blocks, two to a page where the page holds them (not one block per page)."""
    xlsx = printed["xlsx"]["summary"]
    segments = manual_pages(xlsx, "镇街指标")
    texts = [t for t in page_texts(printed["pdf"]["summary"])
             if re.search(r"目标\s+完成\s+完成率", t) and "责任单位" in t]
    assert len(texts) == len(segments)  # LibreOffice cut no block: only our breaks
    parts = [re.findall(r"第(\d+)/(\d+)部分", flat(t)) for t in texts]
    n = int(parts[0][0][1])
    assert [int(k) for page in parts for k, _ in page] == list(range(1, n + 1))
    assert len(texts) <= 2 + (n - 1) // 2  # the title's page holds one block, the rest two
    assert all(len(page) == 2 for page in parts[1:-1]), [len(p) for p in parts]
