"""The desk in a real browser (Chromium driven by Playwright), the whole loop as a clerk does it:
upload the bundled notice -> 67 items -> generate 2019Q1 -> download the zip (a folder per
unit) -> upload returns that LibreOffice filled, one with a word in a 完成进度 cell -> the board
shows that unit with an error and its page names the cell -> download its feedback copy ->
the 汇总 page's counts equal the 汇总表's.

Screenshots of the board and the unit's page are written to docs/screenshots/ when
XLTOOLS_SCREENSHOTS=1 (the README shows them), else to the test's temporary folder.
"""
from __future__ import annotations

import io
import json
import re
import os
import shutil
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import random

import openpyxl
import pytest

from conftest import ROOT, SHARED_TOOLS, free_port, needs_office
from xltools import api
from xltools.app import create_app
from xltools.simulate import fill_report
from xltools.xlsx.writer import workbook_bytes

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright 未安装:pip install -e .[test]")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [needs_office,
              pytest.mark.skipif(not CHROMIUM, reason="Chromium 未安装:apt-get install chromium")]

FILL = SHARED_TOOLS / "fill_like_user.py"
EXAMPLE = api.example_dir()
NAME = "\u6c99\u5e02\uff082019\uff09"  # 沙市(2019)
PERIOD = "2019Q1"
WORD = "\u57fa\u672c\u5b8c\u6210"  # 基本完成: typed where a number belongs
ERROR = "\u6709\u9519\u8bef"  # 有错误
SHEET = "\u5b63\u5ea6\u62a5\u8868"  # 季度报表


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The desk served by uvicorn on a free loopback port, in a thread."""
    import uvicorn
    ws = tmp_path_factory.mktemp("browser") / "ws"
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "ws": ws}
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _progress_cell(path: Path) -> str:
    """The first task row's 完成进度 cell of a form, found by its header."""
    ws = openpyxl.load_workbook(path)[SHEET]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("\u5b8c\u6210\u8fdb\u5ea6"):
                return f"{cell.column_letter}{cell.row + 1}"
    raise AssertionError(f"no 完成进度 header in {path}")


def _fill(plan, units: list[str], word_unit: str, out: Path) -> dict[str, Path]:
    """Each unit's return as a person makes it: the form filled in (the simulator's plausible
    entries), then opened, typed into and saved by LibreOffice; `word_unit` types a word
    where its first 完成进度 belongs."""
    jobs, outs = [], {}
    (out / "src").mkdir(parents=True, exist_ok=True)
    for i, unit in enumerate(units):
        src = out / "src" / f"{unit}.xlsx"
        src.write_bytes(workbook_bytes(fill_report(plan, unit, plan.period(PERIOD), random.Random(i))))
        edits = [{"sheet": SHEET, "cell": "E3", "value": "\u5f20\u4e09"}]  # 填报人 张三
        if unit == word_unit:
            edits.append({"sheet": SHEET, "cell": _progress_cell(src), "value": WORD})
        outs[unit] = out / f"{SHEET}_{unit}.xlsx"
        jobs.append({"input": str(src), "edits": edits, "output": [str(outs[unit])]})
    (out / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(FILL), "--batch", str(out / "jobs.json")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return outs


def _shot(page, name: str, tmp_path: Path) -> None:
    folder = ROOT / "docs" / "screenshots" if os.environ.get("XLTOOLS_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=False)


def test_the_whole_loop_in_a_browser(server, browser, tmp_path):
    base, ws = server["url"], server["ws"]
    page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})

    # 计划: a new campaign from the bundled notice and its register
    page.goto(base + "/")
    page.fill("input[name=name]", NAME)
    page.set_input_files("input[name=notice]", str(EXAMPLE / "notice.txt"))
    page.set_input_files("input[name=register]", str(EXAMPLE / "units.yaml"))
    page.click("text=\u4e0a\u4f20\u5e76\u89e3\u6790")  # 上传并解析
    assert page.inner_text("strong.items") == "67"
    # the plan page says at once which typed unit is not registered (before any 保存)
    page.goto(f"{base}/c/{NAME}")
    units = page.locator("input.units").first
    units.fill("\u533a\u53d1\u6539\u5c40\u3001\u533a\u4e0d\u5b58\u5728\u5c40")  # 区发改局、区不存在局
    page.wait_for_function("document.querySelector('span.unknown').textContent.length > 0")
    assert "\u533a\u4e0d\u5b58\u5728\u5c40" in page.locator("span.unknown").first.inner_text()

    # 下发: generate 2019Q1, then the zip holds a folder per unit
    page.goto(f"{base}/c/{NAME}/issue")
    page.select_option("select[name=period]", PERIOD)
    page.click("text=\u751f\u6210\u62a5\u8868")  # 生成报表
    page.wait_for_url(re.compile(r"/job$"))  # its bar polled each second until it is done,
    page.wait_for_url(re.compile(r"/issue$"), timeout=120_000)  # then on to the result
    with page.expect_download() as got:
        page.click(f"a[href$='{PERIOD}.zip']")
    bundle = zipfile.ZipFile(io.BytesIO(Path(got.value.path()).read_bytes()))
    folders = {n.split("/")[0] for n in bundle.namelist() if "/" in n}
    plan = api.load(ws / NAME / "plan.xlsx").value
    units = [u.name for u in plan.units_with_tasks()]
    assert set(units) <= folders

    # 回收: three returns filled by LibreOffice, one with a word as its progress
    filled = _fill(plan, units[1:4], units[1], tmp_path / "filled")
    page.goto(f"{base}/c/{NAME}/collect/{PERIOD}")
    page.set_input_files("input[name=files]", [str(p) for p in filled.values()])
    page.click("text=\u4e0a\u4f20\u5e76\u56de\u6536")  # 上传并回收
    page.wait_for_url(re.compile(r"/job$"))
    page.wait_for_url(re.compile(rf"/collect/{PERIOD}$"), timeout=120_000)
    status = {u: page.locator("table.board tr", has_text=u).inner_text() for u in units[1:4]}
    assert ERROR in status[units[1]]
    assert all(ERROR not in status[u] for u in units[2:4]), status  # the clean ones
    row = page.locator("table.board tr", has_text=units[1])
    _shot(page, "board.png", tmp_path)

    # the unit's page names the cell; its feedback copy downloads
    row.locator("a").first.click()
    cell = _progress_cell(filled[units[1]])
    assert cell in page.inner_text("main") and "progress-not-number" in page.content()
    marked = page.locator("table.returned td.bad").first  # the returned table, the cell marked
    assert marked.get_attribute("title").startswith(cell) and marked.inner_text() == WORD
    marked.scroll_into_view_if_needed()
    _shot(page, "unit-table.png", tmp_path)
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "unit.png", tmp_path)
    with page.expect_download() as fb:
        page.click("a[href*='/files/'][href$='.xlsx']")
    assert fb.value.suggested_filename.endswith(".xlsx")
    feedback = openpyxl.load_workbook(io.BytesIO(Path(fb.value.path()).read_bytes()))
    assert SHEET in feedback.sheetnames

    # 汇总: the page's counts are the 汇总表's
    page.goto(f"{base}/c/{NAME}/summary/{PERIOD}")
    said = page.inner_text("p.subtitle")
    book = next((ws / NAME).rglob("\u6c47\u603b\u8868*.xlsx"))
    sheet = openpyxl.load_workbook(book)["\u6309\u4efb\u52a1\u6c47\u603b"]
    subtitle = " ".join(str(v) for row in sheet.iter_rows(max_row=4, values_only=True)
                        for v in row if isinstance(v, str))
    assert said.startswith("\u5171 67 ") and re.search(r"\D3/\d", said)  # 共 67 项任务,3/… 个单位已报送
    assert said in subtitle

    # 催报: the units still owing, with the notice ready to copy
    page.goto(f"{base}/c/{NAME}/remind/{PERIOD}")
    assert units[5] in page.inner_text("table.remind") and units[5] in page.input_value("#remind-text")
    _shot(page, "remind.png", tmp_path)


def test_an_error_after_a_form_goes_back_to_what_the_clerk_typed(server, browser):
    """An error page after a form's action offered only 返回首页: what was typed was lost.
    Its 返回上一页修改 goes back to the form as it was filled in."""
    page = browser.new_page()
    page.goto(server["url"] + "/")
    page.fill("input[name=name]", "a/b")  # a name with "/": refused
    page.set_input_files("input[name=notice]", str(EXAMPLE / "notice.txt"))
    page.click("text=\u4e0a\u4f20\u5e76\u89e3\u6790")  # 上传并解析
    assert "a/b" in page.inner_text("p.error")
    assert page.locator("a.json").count() == 0  # (a POST's path has no JSON twin to link)
    page.click("a.back")
    page.wait_for_selector("input[name=name]")
    assert page.input_value("input[name=name]") == "a/b"
    assert page.evaluate("document.querySelector('input[name=notice]').files.length") == 1
    page.close()


def test_a_groups_new_members_are_checked_as_typed(server, browser):
    """The plan page's 加入成员 box of a group said nothing as a name was typed (the task
    boxes did): one the plan does not know was registered as a new unit on 加入, said only
    afterwards. Now it says at once what 加入 would register, before anything is saved."""
    page = browser.new_page()
    page.goto(server["url"] + "/")
    page.fill("input[name=name]", "\u6210\u5458\u68c0\u67e5")  # 成员检查
    page.set_input_files("input[name=notice]", str(EXAMPLE / "plan.xlsx"))
    page.click("text=\u4e0a\u4f20\u5e76\u89e3\u6790")  # 上传并解析 (a plan file: its page next)
    page.wait_for_selector("input[name=members]")
    before = (server["ws"] / "\u6210\u5458\u68c0\u67e5" / "plan.xlsx").read_bytes()
    box = page.locator("input[name=members]").first
    box.fill("\u533a\u53d1\u6539\u5c40\u3001\u533a\u65b0\u8bbe\u5c40")  # 区发改局、区新设局
    note = "document.querySelector('input[name=members] + span.unknown')"
    page.wait_for_function(f"{note} && {note}.textContent.length > 0", timeout=10_000)
    said = page.locator("input[name=members] + span.unknown").first.inner_text()
    assert "\u533a\u65b0\u8bbe\u5c40" in said and "\u533a\u53d1\u6539\u5c40" not in said
    assert "\u65b0\u767b\u8bb0" in said  # 新登记: what 加入 would do with it
    assert (server["ws"] / "\u6210\u5458\u68c0\u67e5" / "plan.xlsx").read_bytes() == before
    page.close()
