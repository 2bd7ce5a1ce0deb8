"""Paper: --pdf through LibreOffice. PDFs of the annexes, forms and 汇总表 are checked for
page count and text (titles, repeated headers, page numbers, embedded Chinese fonts);
without LibreOffice a clear Chinese message and no traceback."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xltools import api
from xltools.cli import app
from xltools.planfile import save_plan
from xltools.xlsx import pdf as pdfmod

from conftest import SHARED_TOOLS, make_small_plan

FONTS_CONF = SHARED_TOOLS / "fontconfig" / "fonts.conf"
needs_soffice = pytest.mark.skipif(
    pdfmod.find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice 或 poppler-utils 未安装:bash ../shared/tools/install.sh")
runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def office_fonts():
    """The tests (never the product) map 仿宋_GB2312 / 方正小标宋简体 to the Noto CJK fonts."""
    old = os.environ.get("FONTCONFIG_FILE")
    if FONTS_CONF.is_file():
        os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)
    yield
    if old is None:
        os.environ.pop("FONTCONFIG_FILE", None)
    else:
        os.environ["FONTCONFIG_FILE"] = old


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def text(pdf: Path, page: int | None = None) -> str:
    """The PDF's text with all white space removed (CJK text extracts with odd spaces)."""
    args = ["pdftotext"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return re.sub(r"\s+", "", subprocess.run(args, capture_output=True, text=True).stdout)


def fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def demo_pdfs(tmp_path_factory):
    """The demo loop, then the annexes, the 2019Q1 forms of a few units and the 汇总表 as PDF."""
    demo = api.demo(tmp_path_factory.mktemp("demo"))
    gen = demo.generated
    units = {"区发改局", "锣场镇"}
    gen.files = [f for f in gen.files if f.kind.startswith("annex") or f.kind == "sending_list"
                 or (f.unit in units and f.period in ("", "2019Q1"))]
    ticks: list[tuple[int, int]] = []
    api.pdf(gen, progress=lambda d, t: ticks.append((d, t)))
    api.pdf(demo.collected)
    return {"demo": demo, "gen": gen, "col": demo.collected, "ticks": ticks}


@needs_soffice
def test_every_printable_file_has_its_pdf_beside_it(demo_pdfs):
    gen, col = demo_pdfs["gen"], demo_pdfs["col"]
    assert not (gen.pdf.message or gen.pdf.failed or col.pdf.message or col.pdf.failed), \
        (gen.pdf.failed, col.pdf.failed)
    assert [p.with_suffix(".xlsx") for p in gen.pdf.pdfs] == [f.path for f in gen.files]
    html = [col.html.with_suffix(".pdf")] if pdfmod.find_chromium() else []  # via Chromium
    assert col.pdf.pdfs == [col.summary_book.with_suffix(".pdf"), *html]
    ticks = demo_pdfs["ticks"]
    assert ticks[0] == (0, len(gen.files)) and ticks[-1] == (len(gen.files), len(gen.files))
    assert [d for d, _ in ticks] == sorted(d for d, _ in ticks)


@needs_soffice
def test_summary_pdf_official_look(demo_pdfs):
    col = demo_pdfs["col"]
    pdf = col.summary_book.with_suffix(".pdf")
    n = pages(pdf)
    assert n >= 7  # seven sheets, 按任务汇总 alone runs over several pages
    first, second = text(pdf, 1), text(pdf, 2)
    assert "2019年《政府工作报告》重点任务第一季度落实情况汇总表" in first
    assert f"第1页共{n}页" in first and f"第2页共{n}页" in second
    for header in ("序号", "任务内容", "牵头单位", "本季度完成情况"):  # repeated on page 2
        assert header in second, header
    whole = text(pdf)
    for title in ("各单位报送情况", "滞后任务清单", "未报送及逾期报送单位", "任务状态统计"):
        assert title in whole, title
    assert "CJK" in fonts(pdf) or "WenQuanYi" in fonts(pdf)


@needs_soffice
def test_annex_and_form_pdfs(demo_pdfs):
    gen = demo_pdfs["gen"]
    by_kind = {f.kind: f.path.with_suffix(".pdf") for f in gen.files}
    annex1 = by_kind["annex1"]
    n = pages(annex1)
    assert n >= 2
    assert "附件1" in text(annex1, 1) and "分解意见" in text(annex1, 1)
    assert "目标任务" in text(annex1, 2) and "责任单位" in text(annex1, 2)  # repeated header
    assert f"第2页共{n}页" in text(annex1, 2)
    form = next(f.path.with_suffix(".pdf") for f in gen.files if f.kind == "report" and f.unit == "区发改局")
    t = text(form)
    assert "落实情况报表" in t and "填报单位:区发改局" in t and "第1页" in t
    assert "xltools" not in t.lower()  # the hidden identity sheet is not printed
    assert "CJK" in fonts(form) or "WenQuanYi" in fonts(form)


@needs_soffice
def test_one_bad_file_does_not_sink_the_batch(tmp_path):
    rep = api.generate(make_small_plan(), tmp_path / "out", ["2019Q1"])
    good = [f.path for f in rep.files if f.kind.startswith("annex")]
    bad = tmp_path / "out" / "不存在.xlsx"
    res = pdfmod.to_pdf([good[0], bad, *good[1:]], out_dir=tmp_path / "pdf")
    assert [p.name for p in res.pdfs] == [p.stem + ".pdf" for p in good]
    assert [p for p, _ in res.failed] == [bad] and res.failed[0][1]
    assert res.failed and not res.message


def test_batches_never_share_a_stem():
    files = [Path("a/表.xlsx"), Path("b/表.xlsx"), Path("a/甲.xlsx"), Path("c/表.xlsx")]
    groups = pdfmod._batches(files, 40)
    assert groups == [[files[0], files[2]], [files[1]], [files[3]]]
    assert pdfmod._batches(files[:3], 1) == [[f] for f in files[:3]]
    assert pdfmod.pdf_path(Path("x/表.xlsx")) == Path("x/表.pdf")


def test_without_libreoffice_a_chinese_message(tmp_path, monkeypatch):
    monkeypatch.setattr(pdfmod, "find_soffice", lambda: None)
    res = pdfmod.to_pdf([tmp_path / "x.xlsx"])
    assert res.pdfs == [] and "LibreOffice" in res.message and "Excel 文件已照常写好" in res.message
    plan = save_plan(make_small_plan(), tmp_path / "plan.yaml")
    out = tmp_path / "out"
    got = runner.invoke(app, ["generate", str(plan), "-o", str(out), "--period", "2019Q1", "--pdf", "-q"])
    assert got.exit_code == 1
    assert "未找到 LibreOffice" in got.output and "Traceback" not in got.output
    assert list(out.glob("附件1*.xlsx")) and not list(out.rglob("*.pdf"))


@needs_soffice
def test_cli_collect_pdf_json(tmp_path):
    from xltools.simulate import simulate_returns
    plan = make_small_plan()
    plan_path = save_plan(plan, tmp_path / "plan.xlsx")
    simulate_returns(plan, "2019Q1", tmp_path / "inbox")
    got = runner.invoke(app, ["collect", str(tmp_path / "inbox"), "--plan", str(plan_path),
                              "--period", "2019Q1", "-o", str(tmp_path / "out"),
                              "--db", str(tmp_path / "db.sqlite"), "--pdf", "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert data["html"].endswith("汇总报告_2019年第一季度.html")
    html = ["汇总报告_2019年第一季度.pdf"] if pdfmod.find_chromium() else []  # via Chromium
    assert [Path(p).name for p in data["pdf"]["pdfs"]] == ["汇总表_2019年第一季度.pdf", *html]
    assert pages(Path(data["pdf"]["pdfs"][0])) >= 7
