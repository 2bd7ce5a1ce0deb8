"""The desk (xltools app): every page and its JSON twin, the loop, and its security."""
from __future__ import annotations

import io
import json
import random
import re
import zipfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, unquote

import docx
import openpyxl
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner
from xlsxwriter.utility import xl_rowcol_to_cell

from xltools import api
from xltools.app import create_app
from xltools.app.security import CSRF_COOKIE, file_times, host_refusal
from xltools.cli import app as cli_app
from xltools.collect.limits import Limits
from xltools.simulate import fill_report
from xltools.xlsx.writer import workbook_bytes

EXAMPLE = api.example_dir()
NAME = "\u6c99\u5e02\uff082019\uff09"  # 沙市(2019): full-width brackets in the URL and folder
PERIOD = "2019Q1"
WORD = "\u57fa\u672c\u5b8c\u6210"  # 基本完成: what fill_report's progress-text mistake writes
SCRIPT = "<script>alert(1)</script>"


def token(client: TestClient) -> str:
    if CSRF_COOKIE not in client.cookies:
        client.get("/")
    return client.cookies[CSRF_COOKIE]


def post(client: TestClient, url: str, data: dict | None = None, files=None, **kw):
    return client.post(url, data={"csrf": token(client), **(data or {})}, files=files, **kw)


def finish(client: TestClient, timeout: float = 300) -> dict:
    """Poll the campaign's job page (as the browser does) until its job is over."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(c_url("job") + ".json").json()["job"]
        if job["state"] != "running":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def c_url(*parts: str) -> str:
    return "/c/" + "/".join(quote(p) for p in (NAME, *parts))


def return_with(plan, unit: str, text: str, seed: int) -> bytes:
    """A filled report of `unit` whose first 完成进度 cell holds `text`; also its cell."""
    wb = fill_report(plan, unit, plan.period(PERIOD), random.Random(seed), "progress-text")
    (r, c), cell = next(((k, v) for k, v in wb.sheets[0].cells.items() if v.value == WORD))
    cell.value = text
    return workbook_bytes(wb), xl_rowcol_to_cell(r, c)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A workspace with one campaign parsed from the bundled notice, generated for 2019Q1 and
    collected from three returns: one clean, one with a word and one with a script as 进度."""
    root = tmp_path_factory.mktemp("desk")
    client = TestClient(create_app(root / "ws"), raise_server_exceptions=False)
    files = {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes()),
             "register": ("units.yaml", (EXAMPLE / "units.yaml").read_bytes())}
    parsed = post(client, "/new", {"name": NAME}, files)
    started = post(client, c_url("issue") + ".json", {"period": PERIOD})
    assert started.status_code == 202 and started.json()["poll"] == c_url("job") + ".json"
    generated = finish(client)
    plan = api.load(root / "ws" / NAME / "plan.xlsx").value
    units = [u.name for u in plan.units_with_tasks()]
    word, word_cell = return_with(plan, units[1], WORD, 1)
    script, _ = return_with(plan, units[2], SCRIPT, 2)
    clean = workbook_bytes(fill_report(plan, units[3], plan.period(PERIOD), random.Random(3)))
    upload = [("files", (f"{units[1]}.xlsx", word)), ("files", (f"{units[2]}.xlsx", script)),
              ("files", (f"{units[3]}.xlsx", clean))]
    page = post(client, c_url("collect", PERIOD), files=upload)  # the job page, after the 303
    assert page.status_code == 200 and 'id="job-bar"' in page.text
    collected = finish(client)
    return {"client": client, "root": root, "parsed": parsed, "generated": generated,
            "collected": collected, "plan": plan, "units": units, "word_cell": word_cell}


def test_the_notice_parses_into_67_items(desk):
    page = desk["parsed"]
    assert page.status_code == 200
    assert '<strong class="items">67</strong>' in page.text
    again = post(desk["client"], "/new.json", {"name": "\u7b2c\u4e8c\u4efd"},
                 {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes())})
    assert again.json()["items"] == 67 and again.json()["lines"]


def test_every_page_and_its_json_twin(desk):
    client, unit = desk["client"], desk["units"][1]
    pages = ["/", c_url(), c_url("issue"), c_url("collect", PERIOD),
             c_url("collect", PERIOD, "unit", unit), c_url("summary", PERIOD),
             c_url("remind", PERIOD), c_url("job")]
    for url in pages:
        html = client.get(url)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html"), url
        assert 'href="/static/app.css"' in html.text
        twin = client.get("/index.json" if url == "/" else url + ".json")
        assert twin.status_code == 200 and isinstance(twin.json(), dict), url
        # the page's own JSON link is its twin (the home page's was "/.json", a 404)
        link = re.search(r'<a class="json" href="([^"]+)"', html.text).group(1)
        assert client.get(link).status_code == 200, (url, link)
    assert NAME in [c["name"] for c in client.get("/index.json").json()["campaigns"]]
    plan = client.get(c_url() + ".json").json()
    assert len(plan["tasks"]) == 67 and plan["units"] and isinstance(plan["findings"], list)
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")


def test_pages_print_chinese_marks_and_link_only_what_exists(desk):
    """The plan page joined a task's targets with an ASCII ";"; the 下发 page offered a zip of
    every period, generated or not (a click on one not generated: an error page); the job
    page's count read "0/?" before the work was counted."""
    client = desk["client"]
    tasks = client.get(c_url() + ".json").json()["tasks"]
    targets = next(t["targets"] for t in tasks if len(t["targets"]) > 1)
    plan_page = client.get(c_url()).text
    assert "<td>" + "\uff1b".join(targets) + "</td>" in plan_page
    assert f"<td>{';'.join(targets)}</td>" not in plan_page
    issue = client.get(c_url("issue")).text
    zips = re.findall(r'href="[^"]*/issue/([^"/]+)\.zip"', issue)
    assert zips == [PERIOD]  # only 2019Q1 was generated
    from xltools.app.jobs import Job
    campaign = client.app.state.ws.campaign(NAME)
    kept, campaign.job = campaign.job, Job("\u56de\u6536", c_url("collect", PERIOD))  # 回收
    try:
        page = client.get(c_url("job")).text
        assert "/?" not in page and "\u51c6\u5907\u4e2d" in page  # 准备中
    finally:
        campaign.job = kept


def test_a_forms_error_page_goes_back_to_the_form_and_links_no_json(desk):
    """After a form's action the page's JSON link was the POST's path (GET: 不支持这种请求);
    its error page offered only 返回首页, losing what the clerk typed: now 返回上一页修改
    (the browser keeps the typed fields)."""
    client = desk["client"]
    bad = post(client, "/new", {"name": "a/b"},
               {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes())})
    assert bad.status_code == 400
    assert 'class="json"' not in bad.text and "history.back()" in bad.text
    parsed = desk["parsed"]  # the parse report, shown by the POST of /new
    assert 'class="json"' not in parsed.text
    for url in re.findall(r'<a class="json" href="([^"]+)"', parsed.text):
        assert client.get(url).status_code == 200, url
    # a page got by GET keeps its twin and has no "back" link on its 404
    missing = client.get(c_url("collect", "2019Q9"))
    assert missing.status_code == 404 and "history.back()" not in missing.text

@pytest.mark.parametrize("name", ["CON", "nul.txt", "com1", "\u6c99\u5e02.", "a/b", "x" * 61])
def test_a_plan_name_windows_cannot_use_as_a_folder_is_refused(desk, name):
    """A plan's folder is named after it: a device name (CON), a trailing dot or a reserved
    character would make a folder Windows cannot create or would name otherwise."""
    before = sorted(p.name for p in (desk["root"] / "ws").iterdir())
    bad = post(desk["client"], "/new", {"name": name},
               {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes())})
    assert bad.status_code == 400 and "\u4e0d\u53ef\u7528" in bad.text  # 不可用
    assert sorted(p.name for p in (desk["root"] / "ws").iterdir()) == before


def test_a_plan_name_too_long_is_refused_saying_so_never_cut_short(desk):
    """The name field's maxlength="60" cut a longer name (pasted, or typed on) without a
    word: the plan got a name the clerk never chose. The field says its limit beside it and
    takes any length; the desk refuses a longer name, saying the field, its length and the
    limit (the folder named after it must leave room within Windows' path limit)."""
    client, ws = desk["client"], desk["root"] / "ws"
    page = client.get("/").text
    field = re.search(r'<input name="name"[^>]*>', page).group(0)
    assert "maxlength" not in field
    assert "\u4e0d\u8d85\u8fc7 60 \u4e2a\u5b57" in page  # 不超过 60 个字
    assert client.get("/index.json").json()["name_max"] == 60
    plan = ("plan.xlsx", (EXAMPLE / "plan.xlsx").read_bytes())
    name = "\u6c99\u5e02\u533a" * 21  # 沙市区 x 21: 63 characters
    bad = post(client, "/new.json", {"name": name}, {"notice": plan})
    said = bad.json()["error"]
    assert bad.status_code == 400 and said.startswith("\u8ba1\u5212\u540d\u79f0")  # 计划名称
    assert name in said and "63 \u4e2a\u5b57" in said and "60 \u4e2a\u5b57" in said  # 个字
    assert not any(p.name.startswith(name[:60]) for p in ws.iterdir())  # not cut, not made
    ok = post(client, "/new.json", {"name": name[:60]}, {"notice": plan})
    assert ok.status_code == 200 and ok.json()["name"] == name[:60]


def test_a_plan_name_too_long_for_a_deep_workspace_folder_is_refused(tmp_path):
    """A workspace folder of 46 characters or more took a 60-character name, and the plan's
    output folder (<workspace>/<name>/汇总/<周期>) ran over sheet.blocks' OUT_DIR_MAX: files
    Windows cannot write. The desk says how long a name the folder leaves, beside the field,
    and refuses a longer one, making nothing; a name of that length gives a 120-character
    output folder."""
    from xltools.sheet.blocks import OUT_DIR_MAX
    ws = tmp_path / ("d" * (OUT_DIR_MAX - 14 - 20 - len(str(tmp_path)) - 1))  # room for 20
    client = TestClient(create_app(ws), raise_server_exceptions=False)
    assert client.get("/index.json").json()["name_max"] == 20
    assert "\u4e0d\u8d85\u8fc7 20 \u4e2a\u5b57" in client.get("/").text  # 不超过 20 个字
    plan = {"notice": ("plan.xlsx", (EXAMPLE / "plan.xlsx").read_bytes())}
    name = "\u6c99\u5e02\u533a" * 7  # 沙市区 x 7: 21 characters
    before = sorted(ws.iterdir())
    bad = post(client, "/new", {"name": name}, plan)
    said = re.search(r'<p class="error">(.*?)</p>', bad.text).group(1)
    assert bad.status_code == 400 and "history.back()" in bad.text  # back to the form as typed
    assert said.startswith("\u8ba1\u5212\u540d\u79f0\u4e0d\u53ef\u7528")  # 计划名称不可用
    assert f"\u201c{ws}\u201d" in said and "21 \u4e2a\u5b57" in said  # “<folder>”, 21 个字
    assert "\u6700\u591a 20 \u4e2a\u5b57" in said and "120 \u4e2a\u5b57\u7b26" in said  # 最多, 个字符
    assert sorted(ws.iterdir()) == before and not any(p.is_dir() for p in before)  # nothing made
    ok = post(client, "/new.json", {"name": name[:20]}, plan)
    assert ok.status_code == 200 and ok.json()["name"] == name[:20]
    assert len(str(ws / name[:20] / "\u6c47\u603b" / "2019\u5e74\u7b2c\u4e00\u5b63\u5ea6")) == OUT_DIR_MAX


def test_a_refused_notice_leaves_nothing_behind_and_the_name_stays_free(desk):
    """A new plan whose notice was refused (no task found in it; a plan file that does not
    read) left its folder behind with the notice in it, and the next attempt at the name
    kept the refused notice beside the good one."""
    client, ws = desk["client"], desk["root"] / "ws"
    name = "\u9000\u56de\u6d4b\u8bd5"  # 退回测试
    before = sorted(p.name for p in ws.iterdir())
    none = post(client, "/new", {"name": name},
                {"notice": ("notice.txt", "\u8fd9\u4e0d\u662f\u901a\u77e5\u3002".encode())})
    assert none.status_code == 200 and "no-items-found" in none.text  # (the parse report)
    assert f"/c/{quote(name)}" not in none.text  # (no menu of the plan that was not made)
    bad = post(client, "/new", {"name": name}, {"notice": ("plan.xlsx", b"not a workbook"),
                                                 "register": ("units.yaml", b"units: []")})
    assert bad.status_code == 400
    assert sorted(p.name for p in ws.iterdir()) == before
    ok = post(client, "/new.json", {"name": name},
              {"notice": ("plan.xlsx", (EXAMPLE / "plan.xlsx").read_bytes())})
    assert ok.status_code == 200 and ok.json()["plan"]
    assert [p.name for p in (ws / name / "\u901a\u77e5").iterdir()] == ["plan.xlsx"]  # 通知/


def test_generate_gives_a_zip_with_a_folder_per_unit(desk):
    assert desk["generated"]["state"] == "done" and desk["generated"]["result"]["files"] > 50
    assert desk["generated"]["next"] == c_url("issue")
    got = desk["client"].get(c_url("issue", PERIOD) + ".zip")
    assert got.status_code == 200
    with zipfile.ZipFile(io.BytesIO(got.content)) as z:
        names = z.namelist()
        folders = {n.split("/")[0] for n in names}
        assert set(desk["units"]) <= folders and "\u5171\u7528" in folders
        unit = desk["units"][0]
        mine = [n for n in names if n.startswith(unit + "/")]
        assert any("\u529e\u7406\u65b9\u6848" in n for n in mine)  # its 办理方案
        form = next(n for n in mine if "\u529e\u7406\u65b9\u6848" not in n)
        assert openpyxl.load_workbook(io.BytesIO(z.read(form))).sheetnames
    listed = desk["client"].get(c_url("issue") + ".json").json()["files"]
    one = desk["client"].get(c_url("files", listed[0]["path"]))
    assert one.status_code == 200 and one.content[:2] == b"PK"


def test_status_board_shows_the_unit_with_an_error(desk):
    client, units = desk["client"], desk["units"]
    assert desk["collected"]["state"] == "done"
    assert desk["collected"]["next"] == c_url("collect", PERIOD)
    rows = {r["unit"]: r for r in client.get(c_url("collect", PERIOD) + ".json").json()["units"]}
    assert rows[units[1]]["status"] == "\u6709\u9519\u8bef"  # 有错误
    assert rows[units[1]]["received_at"]
    # uploaded today, long after the 2019 deadline: the clean return is 逾期, not 已报
    assert rows[units[3]]["status"] == "\u903e\u671f" and rows[units[3]]["received_at"]
    assert rows[units[5]]["status"] == "\u672a\u62a5"  # 未报


def test_unit_page_names_the_cell_and_offers_its_feedback(desk):
    client, unit = desk["client"], desk["units"][1]
    data = client.get(c_url("collect", PERIOD, "unit", unit) + ".json").json()
    errors = [f for file in data["files"] for f in file["findings"] if f["severity"] == "\u9519\u8bef"]
    assert ("progress-not-number", desk["word_cell"]) in {(f["code"], f["cell"]) for f in errors}
    page = client.get(c_url("collect", PERIOD, "unit", unit)).text
    assert f"<td>{desk['word_cell']}</td>" in page and "progress-not-number" in page
    assert data["feedback"]
    copy = client.get(c_url("files", data["feedback"][0]))
    assert copy.status_code == 200 and openpyxl.load_workbook(io.BytesIO(copy.content)).sheetnames


def test_a_unit_whose_name_holds_a_slash_has_its_page_and_actions(tmp_path):
    """区委办/区政府办 (one office, two names): its page and JSON twin answer, and the board
    links to it (before: 404, as "/" split the address)."""
    from conftest import make_small_plan
    from xltools.planfile import save_plan
    plan = make_small_plan()
    name = "区委办/区政府办"
    plan.units[2].name = name
    plan.tasks[1].responsible_units = [name]
    path = save_plan(plan, tmp_path / "plan.xlsx")
    client = TestClient(create_app(tmp_path / "ws"), raise_server_exceptions=False)
    assert post(client, "/new", {"name": NAME}, {"notice": ("plan.xlsx", path.read_bytes())}).status_code == 200
    page = c_url("collect", PERIOD, "unit", name)
    assert "/" in page and client.get(page).status_code == 200
    assert client.get(page + ".json").json()["unit"] == name
    board = client.get(c_url("collect", PERIOD)).text  # (its link there leads to that page)
    assert f'/unit/{quote(name)}"' in board.replace("%2F", "/")


def test_a_workbook_with_an_opening_password_is_read_with_the_password_typed(tmp_path):
    """A unit set an opening password and told the office: the 回收 page takes it for the
    run (never kept), and the return is read; without it, the file is refused as locked."""
    from conftest import make_small_plan
    from hostile_corpus import encrypted
    from xltools.planfile import save_plan
    plan = make_small_plan()
    path = save_plan(plan, tmp_path / "plan.xlsx")
    client = TestClient(create_app(tmp_path / "ws"), raise_server_exceptions=False)
    assert post(client, "/new", {"name": NAME}, {"notice": ("plan.xlsx", path.read_bytes())}).status_code == 200
    assert 'name="book_password"' in client.get(c_url("collect", PERIOD)).text
    unit = plan.units_with_tasks()[0].name
    locked = encrypted(workbook_bytes(fill_report(plan, unit, plan.period(PERIOD), random.Random(1))),
                       "jiami2019")
    post(client, c_url("collect", PERIOD), files=[("files", ("锁.xlsx", locked))])
    [first] = finish(client)["result"]["files"]
    assert first["status"] == "rejected" and [f["code"] for f in first["findings"]] == ["password-protected"]
    post(client, c_url("collect", PERIOD), {"book_password": "jiami2019"})  # the password alone
    files = finish(client)["result"]["files"]
    assert [(f["unit"], f["status"], f["new"]) for f in files] == [(unit, "accepted", True)]
    assert "jiami2019" not in "".join(p.read_text(errors="ignore") for p in (tmp_path / "ws").rglob("*")
                                       if p.is_file() and p.suffix in (".json", ".log", ".txt"))


def test_unit_text_is_shown_as_text(desk):
    client, unit = desk["client"], desk["units"][2]
    page = client.get(c_url("collect", PERIOD, "unit", unit)).text
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    api.units_set(desk["root"] / "ws" / NAME / "plan.xlsx", unit, contact=SCRIPT)
    plan_page = client.get(c_url()).text
    assert SCRIPT not in plan_page and "&lt;script&gt;" in plan_page


def test_summary_counts_equal_the_summary_book(desk):
    data = desk["client"].get(c_url("summary", PERIOD) + ".json").json()
    c = data["counts"]
    assert c["reported"] == 3 and c["tasks"] == 67
    book = next(p for p in data["downloads"] if p.split("/")[-1].startswith("\u6c47\u603b\u8868"))
    got = desk["client"].get(c_url("files", book))
    ws = openpyxl.load_workbook(io.BytesIO(got.content))["\u6309\u4efb\u52a1\u6c47\u603b"]
    subtitle = next(v for row in ws.iter_rows(max_row=4, values_only=True) for v in row
                    if isinstance(v, str) and "\u9879\u4efb\u52a1" in v)
    said = f"\u5171 {c['tasks']} \u9879\u4efb\u52a1\uff0c{c['reported']}/{c['units']} \u4e2a\u5355\u4f4d\u5df2\u62a5\u9001"
    assert said in subtitle
    page = desk["client"].get(c_url("summary", PERIOD)).text
    assert said in page
    # headed by the period's name as every other page; lagging tasks and unit reports apart
    assert "<h1>\u6c47\u603b\uff1a2019\u5e74\u7b2c\u4e00\u5b63\u5ea6</h1>" in page  # 汇总, a full-width colon, 2019年第一季度
    rows = data["lagging"]
    assert data["lagging_tasks"] == len({r["\u5e8f\u53f7"] for r in rows}) <= len(rows)  # 序号
    assert f"{data['lagging_tasks']} \u9879\u4efb\u52a1\uff0c{len(rows)} \u6761" in page
    assert not [r for r in rows if r.get("\u5b8c\u6210\u8fdb\u5ea6", "").endswith(".0")]  # 完成进度


def test_summary_page_writes_the_notice_and_the_bulletin(desk):
    client = desk["client"]
    got = post(client, c_url("summary", PERIOD, "documents") + ".json")
    assert got.status_code == 200, got.text
    docs = got.json()["documents"]
    assert [d.rsplit(".", 1)[-1] for d in docs] == ["docx", "docx"]
    for d in docs:  # each downloads from the campaign and opens as a Word document
        body = client.get(c_url("files", d))
        assert body.status_code == 200
        assert docx.Document(io.BytesIO(body.content)).paragraphs
    listed = client.get(c_url("summary", PERIOD) + ".json").json()["downloads"]
    assert set(docs) <= set(listed)


# -- security ---------------------------------------------------------------------------------

def test_a_non_loopback_host_without_users_is_refused():
    got = CliRunner().invoke(cli_app, ["app", "--host", "0.0.0.0", "--no-browser"])
    assert got.exit_code == 2 and "127.0.0.1" in got.output
    assert host_refusal("192.168.1.20") and host_refusal("desk.example")
    assert all(host_refusal(h) is None for h in ("127.0.0.1", "::1", "localhost", "127.0.0.2"))


def test_a_post_without_its_csrf_token_gets_403(desk, tmp_path):
    client = desk["client"]
    token(client)
    for headers in ({}, {"x-csrf-token": "x" * 43}):
        got = client.post(c_url("issue"), data={"period": PERIOD}, headers=headers)
        assert got.status_code == 403 and "\u5b89\u5168\u4ee4\u724c" in got.text
    other = TestClient(create_app(tmp_path / "ws"))  # a browser without the cookie
    got = other.post("/new", data={"name": "x", "csrf": client.cookies[CSRF_COOKIE]},
                     files={"notice": ("n.txt", b"x")})
    assert got.status_code == 403 and not (tmp_path / "ws" / "x").exists()
    ok = client.post(c_url("issue") + ".json", data={"period": "2030Q9"},
                     headers={"x-csrf-token": client.cookies[CSRF_COOKIE]})
    assert ok.status_code == 404  # past the token check: the period is unknown


@pytest.mark.parametrize("path", ["..%2Fplan.xlsx", "%2e%2e/%2e%2e/etc/passwd", "%2Fetc%2Fpasswd",
                                  "/etc/passwd", "workbooks/..%2F..%2Fplan.xlsx",
                                  "C:%2FWindows%2Fwin.ini", "..%5C..%5Cplan.xlsx",
                                  "%E5%8F%B0%E8%B4%A6.sqlite", "nothing.xlsx"])
def test_downloads_outside_the_campaign_get_404(desk, path):
    got = desk["client"].get(c_url("files") + "/" + path)
    assert got.status_code == 404 and "\u627e\u4e0d\u5230" in got.text  # 找不到


def test_a_download_inside_the_campaign_works(desk):
    assert desk["client"].get(c_url("files", "plan.xlsx")).status_code == 200


def test_an_upload_over_the_size_limit_is_refused_and_not_kept(desk, tmp_path):
    app = create_app(tmp_path / "ws", Limits(max_file_bytes=1000))
    client = TestClient(app)
    files = {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes())}
    got = post(client, "/new", {"name": "big"}, files)
    assert got.status_code == 400 and "notice.txt" in got.text and "MB" in got.text
    assert not list((tmp_path / "ws" / "big").rglob("notice*"))


@pytest.mark.as_user
def test_an_unexpected_error_is_one_chinese_line_and_logged(desk, monkeypatch):
    from xltools.app import views

    def boom(*_):
        raise RuntimeError("boom-detail")
    monkeypatch.setattr(views, "plan_view", boom)
    got = desk["client"].get(c_url())
    assert got.status_code == 500 and "Traceback" not in got.text and "boom" not in got.text
    assert "\u65e5\u5fd7" in got.text  # 日志
    log = (desk["root"] / "ws.log").read_text(encoding="utf-8")
    assert "boom-detail" in log and "Traceback" in log
    assert desk["client"].get(c_url() + ".json").json()["error"]


def test_one_job_at_a_time_per_campaign(desk):
    app = desk["client"].app
    campaign = app.state.ws.campaign(NAME)
    with campaign.lock:
        got = post(desk["client"], c_url("issue"), {"period": PERIOD})
    assert got.status_code == 409 and "\u7a0d\u5019" in got.text  # 稍候


def test_unknown_pages_are_chinese_404s(desk):
    for url in ("/c/nope", c_url("collect", "2030Q9"), "/nothing/here",
                c_url("collect", PERIOD, "unit", "\u4e0d\u5b58\u5728\u7684\u5355\u4f4d")):
        got = desk["client"].get(url)
        assert got.status_code == 404 and "\u627e\u4e0d\u5230" in got.text, url


def test_an_uploaded_zip_bomb_is_a_finding_and_the_desk_keeps_serving(desk):
    import hostile_corpus as hc
    bomb = hc.deflate_repeat(b"", b"\x00" * hc.MB, 200)  # 200 MB of zeros in ~200 KB
    attachment = hc.raw_zip([("\u70b8\u5f39.xlsx", bomb[0], 8, bomb[1], bomb[2])])
    got = post(desk["client"], c_url("collect", PERIOD) + ".json",
               files=[("files", ("\u9644\u4ef6.zip", attachment))])
    assert got.status_code == 202
    job = finish(desk["client"])
    codes = {f["code"] for file in job["result"]["files"] for f in file["findings"]}
    assert "zip-bomb" in codes
    assert desk["client"].get(c_url("collect", PERIOD)).status_code == 200


def test_campaign_files_refuse_escapes_directly(desk):
    from xltools.app.workspace import NotFound
    campaign = desk["client"].app.state.ws.campaign(NAME)
    assert campaign.file("plan.xlsx").name == "plan.xlsx"
    for bad in ("../plan.xlsx", "a/../../x", "/etc/passwd", "C:/Windows/win.ini", "..\\x",
                "", "\u53f0\u8d26.sqlite", "workbooks"):
        with pytest.raises(NotFound):
            campaign.file(bad)


def test_two_uploads_of_the_same_name_are_both_kept(tmp_path):
    import asyncio

    from starlette.datastructures import UploadFile

    from xltools.app.security import save_upload
    folder = tmp_path / "in"
    saved = [asyncio.run(save_upload(UploadFile(io.BytesIO(data), filename="..\\\u62a5\u8868.xlsx"),
                                     folder, Limits())) for data in (b"one", b"two")]
    assert [p.read_bytes() for p in saved] == [b"one", b"two"]
    assert all(p.parent == folder for p in saved) and saved[0] != saved[1]


def test_too_many_files_or_bytes_in_one_upload_are_refused(tmp_path):
    client = TestClient(create_app(tmp_path / "ws", Limits(max_file_bytes=1000)))
    many = [("notice", (f"{i}.txt", b"x")) for i in range(3)]
    got = post(client, "/new", {"name": "many"}, many)
    assert got.status_code == 400 and "\u8fc7\u591a" in got.text  # 过多
    big = {"notice": ("n.txt", b"x" * ((1 << 20) + 10_000))}  # past 2 files × 1000 bytes + 1 MB
    got = post(client, "/new", {"name": "big"}, big)
    assert got.status_code == 413 and not (tmp_path / "ws" / "big").exists()


def test_upload_refusals_print_full_width_marks(tmp_path):
    """The desk's own refusals printed ASCII "," and "(" inside their Chinese sentences."""
    client = TestClient(create_app(tmp_path / "ws", Limits(max_file_bytes=1000)))
    said = [post(client, "/new.json", {"name": "many"},
                 [("notice", (f"{i}.txt", b"x")) for i in range(3)]).json()["error"],
            post(client, "/new.json", {"name": "big"},
                 {"notice": ("n.txt", b"x" * ((1 << 20) + 10_000))}).json()["error"],
            post(client, "/new.json", {"name": "one"}, {"notice": ("n.txt", b"x" * 2000)}).json()["error"],
            client.post("/new.json", data={"name": "x"}, files={"notice": ("n.txt", b"x")}).json()["error"]]
    assert all(re.search(r"[\u4e00-\u9fff][,(]|[,)][\u4e00-\u9fff]", m) is None for m in said), said
    assert all("\uff0c" in m for m in said), said


def test_an_upload_keeps_the_files_own_time_as_received(desk):
    """The page's script sends each file's lastModified: a return saved before the deadline
    and uploaded today is 已报, received at its own time, not 逾期."""
    client, plan, unit = desk["client"], desk["plan"], desk["units"][4]
    on_time = datetime(2019, 3, 28, 9, 30)  # before 2019Q1's deadline (2019-03-31)
    data = workbook_bytes(fill_report(plan, unit, plan.period(PERIOD), random.Random(4)))
    got = post(client, c_url("collect", PERIOD) + ".json",
               {"modified": json.dumps([on_time.timestamp() * 1000])},
               files=[("files", (f"{unit}.xlsx", data))])
    assert got.status_code == 202 and finish(client)["state"] == "done"
    rows = {r["unit"]: r for r in client.get(c_url("collect", PERIOD) + ".json").json()["units"]}
    assert rows[unit]["status"] == "\u5df2\u62a5"  # 已报
    assert rows[unit]["received_at"].startswith("2019-03-28")


def test_the_unit_page_shows_the_return_that_counts_first(desk, tmp_path):
    """The same return sent again under another name is a 重复文件, the latest received:
    the accepted one still leads the unit's page (before: "状态:重复文件" on top)."""
    plan, unit = desk["plan"], desk["units"][5]
    client = TestClient(create_app(tmp_path / "ws"), raise_server_exceptions=False)
    post(client, "/new", {"name": NAME},
         {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes()),
          "register": ("units.yaml", (EXAMPLE / "units.yaml").read_bytes())})
    data = workbook_bytes(fill_report(plan, unit, plan.period(PERIOD), random.Random(5)))
    for name, when in (("first.xlsx", datetime(2019, 3, 20)), ("again.xlsx", datetime(2019, 3, 25))):
        got = post(client, c_url("collect", PERIOD) + ".json",
                   {"modified": json.dumps([when.timestamp() * 1000])},
                   files=[("files", (f"{unit}{name}", data))])
        assert got.status_code == 202 and finish(client)["state"] == "done"
    files = client.get(c_url("collect", PERIOD, "unit", unit) + ".json").json()["files"]
    assert [f["status"] for f in files] == ["accepted", "duplicate"], files


@pytest.mark.parametrize("sent", ["", "not json", "[1, 2]", "[-5]", "[9e15]"])
def test_file_times_that_are_missing_or_implausible_are_ignored(sent):
    assert file_times(sent, 1) == [None]


# -- background jobs ----------------------------------------------------------------------------

def test_a_job_runs_in_the_background_and_a_second_is_told_to_wait(desk, monkeypatch):
    """The POST returns at once; two tabs see the same job and its progress; a second request
    gets 409 in Chinese; when it is done the job names the page of its result."""
    import threading
    client, gate, reached = desk["client"], threading.Event(), threading.Event()

    def slow_generate(plan_path, out_dir, periods, progress=None):
        progress(3, 10)
        reached.set()
        assert gate.wait(30)
        progress(10, 10)
        return SimpleNamespace(files=[], findings=[])
    monkeypatch.setattr(api, "generate", slow_generate)
    monkeypatch.setattr("xltools.app.views.write_manifest", lambda c, report, pdfs=(): None)
    got = post(client, c_url("issue"), {"period": PERIOD}, follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"] == c_url("job")
    assert reached.wait(30)
    try:
        tab1, tab2 = client.get(c_url("job")), TestClient(client.app).get(c_url("job") + ".json")
        assert 'id="job-bar"' in tab1.text and 'value="3"' in tab1.text and "setTimeout" in tab1.text
        assert (tab2.json()["job"]["state"], tab2.json()["job"]["done"]) == ("running", 3)
        busy = post(client, c_url("collect", PERIOD), files=[("files", ("a.xlsx", b"x"))])
        assert busy.status_code == 409 and "\u7a0d\u5019" in busy.text  # 稍候
        assert post(client, c_url("issue") + ".json", {"period": PERIOD}).status_code == 409
    finally:
        gate.set()
    job = finish(client)
    assert (job["state"], job["done"], job["next"]) == ("done", 10, c_url("issue"))


def test_a_failed_job_shows_one_chinese_line_and_logs_the_details(desk, monkeypatch):
    def broken(*_, **__):
        raise RuntimeError("job-boom-detail")
    monkeypatch.setattr(api, "generate", broken)
    post(desk["client"], c_url("issue"), {"period": PERIOD})
    job = finish(desk["client"])
    assert job["state"] == "failed" and "\u65e5\u5fd7" in job["error"] and "boom" not in job["error"]
    page = desk["client"].get(c_url("job")).text
    assert "\u672a\u80fd\u5b8c\u6210" in page and "Traceback" not in page  # 未能完成
    log = (desk["root"] / "ws.log").read_text(encoding="utf-8")
    assert "job-boom-detail" in log
    # the lock is free again: the next job starts
    monkeypatch.undo()
    assert post(desk["client"], c_url("issue") + ".json", {"period": PERIOD}).status_code == 202
    assert finish(desk["client"])["state"] == "done"


# -- 回收: a unit's page and the clerk's decisions ------------------------------------------------

def test_unit_page_shows_the_returned_table_with_the_problem_cell_marked(desk):
    client, unit, cell = desk["client"], desk["units"][1], desk["word_cell"]
    data = client.get(c_url("collect", PERIOD, "unit", unit) + ".json").json()
    tables = {t["sheet"]: t for t in data["files"][0]["tables"]}
    assert set(tables) == {"\u5b63\u5ea6\u62a5\u8868", "\u91cf\u5316\u6307\u6807"}  # 季度报表 量化指标
    marked = {c["cell"]: c for row in tables["\u5b63\u5ea6\u62a5\u8868"]["rows"] for c in row
              if c["marks"]}
    assert cell in marked and marked[cell]["text"] == WORD
    page = client.get(c_url("collect", PERIOD, "unit", unit)).text
    # (the cell and what is wrong with it, in full-width marks: was "E6:…;…")
    assert f'<td class="bad" title="{cell}\uff1a' in page and f">{WORD}</td>" in page
    # a unit's text in its table is escaped, never markup
    other = client.get(c_url("collect", PERIOD, "unit", desk["units"][2])).text
    assert SCRIPT not in other and "&lt;script&gt;alert(1)&lt;/script&gt;</td>" in other


def test_setting_the_time_received_is_recorded_with_who_and_when(desk):
    client, unit = desk["client"], desk["units"][3]
    url = c_url("collect", PERIOD, "unit", unit)
    sha = client.get(url + ".json").json()["files"][0]["sha256"]
    got = post(client, url + "/received", {"sha": sha, "when": "2019-03-30 10:00"})
    assert got.status_code == 200 and got.url.path == unquote(url)  # back on the unit's page
    rows = {r["unit"]: r for r in client.get(c_url("collect", PERIOD) + ".json").json()["units"]}
    assert rows[unit]["status"] == "\u5df2\u62a5" and rows[unit]["received_at"].startswith("2019-03-30")
    history = client.get(url + ".json").json()["history"]
    assert [(h["who"], h["action"], h["received_at"]) for h in history] == \
        [("\u672c\u673a", "set-received", "2019-03-30T10:00:00")]  # 本机
    assert "\u8bbe\u5b9a\u6536\u5230\u65f6\u95f4" in got.text  # 设定收到时间
    assert f"{history[0]['display']}\uff1a" in got.text  # the file, then what changed (was "…xlsx:")
    bad = post(client, url + "/received", {"sha": sha, "when": "yesterday-ish"})
    assert bad.status_code == 400 and "2019-04-09 16:30" in bad.text


def test_a_unit_marked_exempt_is_not_missing_nor_reminded(desk):
    client, unit = desk["client"], desk["units"][6]
    url = c_url("collect", PERIOD, "unit", unit)
    board = client.get(c_url("collect", PERIOD) + ".json").json()
    assert {r["unit"]: r["status"] for r in board["units"]}[unit] == "\u672a\u62a5"
    missing = client.get(c_url("summary", PERIOD) + ".json").json()["counts"]["missing_reports"]
    post(client, url + "/exempt", {"on": "1", "reason": "\u672c\u5b63\u5ea6\u65e0\u4efb\u52a1"})
    summary = client.get(c_url("summary", PERIOD) + ".json").json()
    assert summary["counts"]["missing_reports"] == missing - 1  # the 汇总 does not count it
    ws = desk["root"] / "ws" / NAME  # nor the 汇总表 of the next collect
    period = desk["plan"].period(PERIOD)
    again = api.collect([ws / "\u56de\u6536" / period.name], ws / "plan.xlsx", PERIOD,
                        ws / "\u6c47\u603b" / period.name)
    assert unit not in again.missing_units and desk["units"][5] in again.missing_units
    board = client.get(c_url("collect", PERIOD) + ".json").json()
    assert {r["unit"]: r["status"] for r in board["units"]}[unit] == "\u514d\u62a5"  # 免报
    assert board["counts"]["\u514d\u62a5"] == 1
    plan_path = desk["root"] / "ws" / NAME / "plan.xlsx"
    assert unit not in api.status(plan_path, PERIOD).missing_units
    assert unit not in {e.unit for e in api.remind(plan_path, PERIOD, write=False).entries}
    assert unit not in client.get(c_url("remind", PERIOD)).text
    page = client.get(url).text
    assert "\u53d6\u6d88\u514d\u62a5" in page and "\u672c\u5b63\u5ea6\u65e0\u4efb\u52a1" in page
    post(client, url + "/exempt", {"on": "0"})  # taken back: missing again
    assert unit in api.status(plan_path, PERIOD).missing_units
    history = client.get(url + ".json").json()["history"]
    assert [(h["action"], h["exempt"], h["who"]) for h in history] == \
        [("exempt", True, "\u672c\u673a"), ("exempt", False, "\u672c\u673a")]
    bad = post(client, c_url("collect", PERIOD, "unit", "\u4e0d\u5b58\u5728") + "/exempt", {"on": "1"})
    assert bad.status_code == 400 and "\u4e0d\u5b58\u5728" in bad.text  # names the unit


def test_a_held_return_is_credited_from_the_board(desk, tmp_path):
    client, plan, units = desk["client"], desk["plan"], desk["units"]
    held = _held(plan, units[7], units[8], tmp_path)  # the hidden sheet names another unit: held
    post(client, c_url("collect", PERIOD), files=[("files", ("held.xlsx", held))])
    assert finish(client)["state"] == "done"
    board = client.get(c_url("collect", PERIOD) + ".json").json()
    assert board["counts"]["\u5f85\u786e\u8ba4"] == 1
    assert "\u8bb0\u4e3a\u8be5\u5355\u4f4d\u7684\u62a5\u8868" in client.get(c_url("collect", PERIOD)).text
    got = post(client, c_url("collect", PERIOD, "credit"), {"sha": board["held"][0]["sha256"],
                                                            "unit": units[7]})
    assert got.status_code == 200 and got.url.path == unquote(c_url("collect", PERIOD, "unit", units[7]))
    data = client.get(c_url("collect", PERIOD, "unit", units[7]) + ".json").json()
    assert [(h["action"], h["unit"], h["who"]) for h in data["history"]] == \
        [("credit", units[7], "\u672c\u673a")]
    assert client.get(c_url("collect", PERIOD) + ".json").json()["counts"]["\u5f85\u786e\u8ba4"] == 0


def _held(plan, unit: str, other: str, tmp_path) -> bytes:
    """A return of `unit` whose hidden identity names `other`: held for the clerk to credit."""
    import dataclasses

    from xltools.collect.limits import DEFAULT_LIMITS
    from xltools.xlsx.cells import read_identity
    src = tmp_path / "src.xlsx"
    src.write_bytes(workbook_bytes(fill_report(plan, unit, plan.period(PERIOD), random.Random(7))))
    ident = read_identity(src, DEFAULT_LIMITS).identity
    old, new = (f">{i.encode()}<".encode() for i in (ident, dataclasses.replace(ident, unit=other)))
    held = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(held, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data.replace(old, new) if info.filename == "xl/sharedStrings.xml"
                          else data)
    return held.getvalue()


def test_a_file_no_unit_could_be_named_for_is_listed_on_the_board(tmp_path):
    """An upload that is no form at all (text saved as .xlsx) was rejected by collect
    and shown nowhere: the clerk saw no trace of it. The board lists it with the reason
    and its 修改意见 (not those of the held files, which collect keeps in the same folder)."""
    client = TestClient(create_app(tmp_path / "ws"), raise_server_exceptions=False)
    post(client, "/new", {"name": NAME},
         {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes()),
          "register": ("units.yaml", (EXAMPLE / "units.yaml").read_bytes())})
    assert post(client, c_url("issue") + ".json", {"period": PERIOD}).status_code == 202
    assert finish(client)["state"] == "done"
    plan = api.load(tmp_path / "ws" / NAME / "plan.xlsx").value
    units = [u.name for u in plan.units_with_tasks()]
    post(client, c_url("collect", PERIOD), files=[
        ("files", ("\u574f\u6587\u4ef6.xlsx", b"not a workbook")),  # 坏文件.xlsx
        ("files", ("held.xlsx", _held(plan, units[7], units[8], tmp_path)))])
    assert finish(client)["state"] == "done"
    board = client.get(c_url("collect", PERIOD) + ".json").json()
    assert [Path(u["display"]).name for u in board["unread"]] == ["\u574f\u6587\u4ef6.xlsx"]
    assert [Path(h["display"]).name for h in board["held"]] == ["held.xlsx"]
    reason = board["unread"][0]["reason"]
    assert reason and board["unread"][0]["received_at"]
    page = client.get(c_url("collect", PERIOD)).text
    assert "\u574f\u6587\u4ef6.xlsx" in page and reason in page
    assert [Path(f).name for f in board["unread_feedback"]] == [
        "\u4fee\u6539\u610f\u89c1_\u574f\u6587\u4ef6.xlsx"]  # 修改意见_坏文件.xlsx
    assert client.get(c_url("files", board["unread_feedback"][0])).status_code == 200


# -- 催报 ------------------------------------------------------------------------------------------

def test_remind_page_lists_the_units_with_contacts_and_the_notice_text(desk):
    client, plan, missing = desk["client"], desk["plan"], desk["units"][5]
    data = client.get(c_url("remind", PERIOD) + ".json").json()
    entry = next(e for e in data["entries"] if e["unit"] == missing)
    unit = plan.unit(missing)
    assert entry["reason"] == "\u672a\u62a5\u9001" and entry["contact"] == unit.contact  # 未报送
    assert entry["phone"] == unit.phone and missing in data["text"]
    assert desk["units"][1] in {e["unit"] for e in data["entries"]}  # reported with 错误
    page = client.get(c_url("remind", PERIOD)).text
    assert '<textarea id="remind-text"' in page and "\u590d\u5236\u5168\u6587" in page  # 复制全文
    txt = client.get(c_url("remind", PERIOD) + ".txt")
    assert txt.status_code == 200 and "attachment" in txt.headers["content-disposition"]
    assert txt.content.startswith("\ufeff".encode()) and txt.content.decode("utf-8-sig") == data["text"]
    written = post(client, c_url("remind", PERIOD) + ".json").json()["documents"]
    assert [d.rsplit(".", 1)[-1] for d in written] == ["txt", "xlsx"]
    book = client.get(c_url("files", written[1]))
    cells = [v for row in openpyxl.load_workbook(io.BytesIO(book.content)).active.iter_rows(
        values_only=True) for v in row]
    assert missing in cells
    assert set(written) <= set(client.get(c_url("remind", PERIOD) + ".json").json()["downloads"])


# -- 计划: editing in place, and an edited plan.xlsx uploaded back ----------------------------------

EDIT = "\u7f16\u8f91"  # 编辑: a campaign of its own, so the edits touch no other test


def e_url(*parts: str) -> str:
    return "/c/" + "/".join(quote(p) for p in (EDIT, *parts))


@pytest.fixture(scope="module")
def editing(desk):
    client = desk["client"]
    plan_bytes = (desk["root"] / "ws" / NAME / "plan.xlsx").read_bytes()
    got = post(client, "/new.json", {"name": EDIT}, {"notice": ("plan.xlsx", plan_bytes)})
    assert got.status_code == 200 and got.json()["plan"]
    return desk | {"path": desk["root"] / "ws" / EDIT / "plan.xlsx"}


def test_a_units_contacts_are_edited_in_place_and_checked_after_saving(editing):
    client, unit = editing["client"], editing["units"][0]
    got = post(client, e_url("units", "set"), {"unit": unit, "leader": "\u674e\u56db",
                                               "contact": "\u738b\u4e94", "phone": "0716-1234567",
                                               "email": "wang@example.cn"})
    assert got.status_code == 200 and got.url.path == unquote(e_url())
    saved = api.load(editing["path"]).value.unit(unit)
    assert (saved.leader, saved.contact, saved.phone) == ("\u674e\u56db", "\u738b\u4e94", "0716-1234567")
    assert 'class="ok saved"' in got.text and "\u738b\u4e94" in got.text
    assert '<div class="check">' in got.text  # the check's findings, after the save
    twin = post(client, e_url("units", "set") + ".json", {"unit": unit, "email": "not-an-address"})
    assert twin.status_code == 400 and "not-an-address" in twin.json()["error"]
    ok = post(client, e_url("units", "set") + ".json", {"unit": unit, "leader": "\u674e\u56db",
                                                       "contact": "\u738b\u4e94", "phone": "1",
                                                       "email": ""})
    assert ok.status_code == 200 and isinstance(ok.json()["findings"], list) and ok.json()["message"]


def test_aliases_members_and_a_tasks_units_are_edited_in_place(editing):
    client, units, path = editing["client"], editing["units"], editing["path"]
    assert post(client, e_url("units", "alias"), {"unit": units[0], "alias": "\u5c0f\u540d"}).status_code == 200
    assert api.load(path).value.resolve("\u5c0f\u540d").name == units[0]
    taken = post(client, e_url("units", "alias"), {"unit": units[1], "alias": "\u5c0f\u540d"})
    assert taken.status_code == 400 and "\u5c0f\u540d" in taken.text
    plan = api.load(path).value
    group = plan.groups[0]
    got = post(client, e_url("groups", "member"), {"group": group.name, "members": f"{units[2]}\u3001{units[3]}"})
    assert got.status_code == 200
    assert {units[2], units[3]} <= set(api.load(path).value.resolve(group.name).members)
    # a space typed inside a name is no separator: one new member, not two units unasked
    got = post(client, e_url("groups", "member"), {"group": group.name, "members": "新设镇 测试"})
    members = api.load(path).value.resolve(group.name).members
    assert "新设镇 测试" in members and "新设镇" not in members and "测试" not in members
    task = plan.tasks[0]
    got = post(client, e_url("tasks", "set"), {"number": task.number, "lead_units": units[4],
                                               "responsible_units": f"{units[5]}\u3001\u5c0f\u540d",
                                               "leader": "\u8d75\u516d"})
    assert got.status_code == 200
    saved = api.load(path).value.tasks[0]
    assert (saved.lead_units, saved.responsible_units, saved.lead_leader) == \
        ([units[4]], [units[5], "\u5c0f\u540d"], "\u8d75\u516d")
    bad = post(client, e_url("tasks", "set"), {"number": task.number, "lead_units": "\u65e0\u6b64\u5355\u4f4d"})
    assert bad.status_code == 400 and "\u65e0\u6b64\u5355\u4f4d" in bad.text
    assert api.load(path).value.tasks[0].lead_units == [units[4]]  # unchanged
    only = post(client, e_url("tasks", "set") + ".json", {"number": task.number, "leader": "\u94b1\u4e03"})
    assert only.status_code == 200  # a field left out is kept, not cleared
    saved = api.load(path).value.tasks[0]
    assert (saved.lead_units, saved.lead_leader) == ([units[4]], "\u94b1\u4e03")


def test_an_edited_plan_is_uploaded_back_and_the_old_one_kept(editing, tmp_path):
    from xltools.planfile import save_plan
    client, path = editing["client"], editing["path"]
    plan = api.load(path).value
    plan.units[0].contact = "\u5728Excel\u4e2d\u6539"  # 在Excel中改
    edited = save_plan(plan, tmp_path / "plan.xlsx")
    got = post(client, e_url("plan"), files={"plan": ("plan.xlsx", edited.read_bytes())})
    assert got.status_code == 200 and "\u5907\u4efd" in got.text  # 备份
    assert api.load(path).value.units[0].contact == "\u5728Excel\u4e2d\u6539"
    backups = list((path.parent / "\u8ba1\u5212\u5907\u4efd").glob("plan-*.xlsx"))
    assert backups and api.load(backups[0]).value.units
    junk = post(client, e_url("plan"), files={"plan": ("plan.xlsx", b"PK\x03\x04 not a workbook")})
    assert junk.status_code == 400 and "Traceback" not in junk.text
    assert api.load(path).value.units[0].contact == "\u5728Excel\u4e2d\u6539"  # unchanged
    wrong = post(client, e_url("plan"), files={"plan": ("notice.txt", b"x")})
    assert wrong.status_code == 400
    # a JSON plan with nothing in it reads as no plan once saved: refused, the plan kept
    for empty in (b"{}", '{"units": [{"name": "\u7532\u5c40"}]}'.encode()):
        got = post(client, e_url("plan"), files={"plan": ("empty.json", empty)})
        assert got.status_code == 400 and "Traceback" not in got.text
        assert api.load(path).value.units[0].contact == "\u5728Excel\u4e2d\u6539"
    assert not list(path.parent.glob(".plan-upload*"))  # nothing half-done left behind


def test_pages_are_rebuilt_only_when_the_plan_or_the_ledger_changes(desk, monkeypatch):
    from xltools.app import views
    client, unit = desk["client"], desk["units"][9]
    calls = []
    real = views._recorded
    monkeypatch.setattr(views, "_recorded", lambda *a: calls.append(1) or real(*a))
    board = c_url("collect", PERIOD) + ".json"
    first = client.get(board).json()
    assert client.get(board).json() == first and len(calls) <= 1  # the second from the cache
    before = len(calls)
    post(client, c_url("collect", PERIOD, "unit", unit, "exempt"), {"on": "1"},
         follow_redirects=False)  # the ledger changes
    rows = {r["unit"]: r["status"] for r in client.get(board).json()["units"]}
    assert rows[unit] == "\u514d\u62a5" and len(calls) == before + 1
    post(client, c_url("collect", PERIOD, "unit", unit, "exempt"), {"on": "0"})


def test_each_generated_periods_zip_keeps_its_own_forms(tmp_path):
    """Generating 2019Q2 after 2019Q1: the 2019Q1 zip still has a folder per unit with its
    forms (before, the desk remembered only the last generate: every 2019Q1 form went into
    共用/, and into the 2019Q2 zip too); a period not generated yet is refused, not an
    empty-looking zip."""
    client = TestClient(create_app(tmp_path / "ws"), raise_server_exceptions=False)
    post(client, "/new", {"name": NAME},
         {"notice": ("notice.txt", (EXAMPLE / "notice.txt").read_bytes()),
          "register": ("units.yaml", (EXAMPLE / "units.yaml").read_bytes())})
    for period in (PERIOD, "2019Q2"):
        assert post(client, c_url("issue") + ".json", {"period": period}).status_code == 202
        assert finish(client)["state"] == "done"
    for period, name in ((PERIOD, "第一季度"), ("2019Q2", "第二季度")):
        got = client.get(c_url("issue", period) + ".zip")
        with zipfile.ZipFile(io.BytesIO(got.content)) as z:
            forms = [n for n in z.namelist() if "季度报表" in n]  # 季度报表
        assert forms and all(name in n for n in forms), (period, forms[:3])
        assert not [n for n in forms if n.startswith("共用/")]  # 共用
    q3 = client.get(c_url("issue", "2019Q3") + ".zip")
    assert q3.status_code == 400 and "还没有生成" in q3.text


def test_collecting_from_a_folder_on_this_pc(desk, tmp_path):
    """A clerk at the desk's own PC names the folder where the e-mail attachments were
    saved; the returns there are collected like uploads, at their files' own times."""
    plan, unit = desk["plan"], desk["units"][6]
    local = TestClient(desk["client"].app, client=("127.0.0.1", 50000),
                       raise_server_exceptions=False)
    folder = tmp_path / "\u56de\u6536\u9644\u4ef6"  # 回收附件
    folder.mkdir()
    src = folder / f"{unit}.xlsx"
    src.write_bytes(workbook_bytes(fill_report(plan, unit, plan.period(PERIOD), random.Random(6))))
    got = post(local, c_url("collect", PERIOD) + ".json", {"folder": f'"{folder}"'})
    assert got.status_code == 202 and finish(local)["state"] == "done"
    rows = {r["unit"]: r for r in local.get(c_url("collect", PERIOD) + ".json").json()["units"]}
    assert rows[unit]["submissions"] == 1 and src.exists()  # read in place, never moved
    # a period nothing was uploaded for yet (its own inbox folder not made): the folder alone
    q3 = tmp_path / "q3"
    q3.mkdir()
    (q3 / f"{unit}.xlsx").write_bytes(workbook_bytes(
        fill_report(plan, unit, plan.period("2019Q3"), random.Random(6))))
    got = post(local, c_url("collect", "2019Q3") + ".json", {"folder": str(q3)})
    assert got.status_code == 202 and finish(local)["state"] == "done"
    rows = {r["unit"]: r for r in local.get(c_url("collect", "2019Q3") + ".json").json()["units"]}
    assert rows[unit]["submissions"] == 1


def test_a_folder_is_refused_to_a_browser_elsewhere_or_when_missing(desk, tmp_path):
    far = post(desk["client"], c_url("collect", PERIOD) + ".json", {"folder": str(tmp_path)})
    assert far.status_code == 400 and "\u672c\u673a" in far.json()["error"]  # 本机
    local = TestClient(desk["client"].app, client=("127.0.0.1", 50000),
                       raise_server_exceptions=False)
    gone = post(local, c_url("collect", PERIOD) + ".json", {"folder": str(tmp_path / "nope")})
    assert gone.status_code == 400 and "\u627e\u4e0d\u5230" in gone.json()["error"]  # 找不到


def test_the_manifest_pairs_each_pdf_with_its_form(tmp_path):
    from pathlib import Path

    from xltools.app.views import MANIFEST, write_manifest
    from xltools.app.workspace import Campaign
    c = Campaign("c", tmp_path)
    form = api.WrittenFile(tmp_path / "workbooks" / "q" / "a.xlsx", "report",
                           "\u533a\u53d1\u6539\u5c40", PERIOD)
    c.forms_dir.mkdir()
    write_manifest(c, SimpleNamespace(files=[form]),
                   [form.path.with_suffix(".pdf"), tmp_path / "stray.pdf"])
    rows = json.loads((c.forms_dir / MANIFEST).read_text(encoding="utf-8"))
    assert [(r["path"], r["unit"], r["kind"]) for r in rows] == [
        ("workbooks/q/a.xlsx", form.unit, "report"), ("workbooks/q/a.pdf", form.unit, "pdf")]


def test_the_summary_page_shows_the_html_report_and_writes_the_year(desk):
    client = desk["client"]
    data = client.get(c_url("summary", PERIOD) + ".json").json()
    assert data["report"].endswith(".html")
    shown = client.get(c_url("files", data["report"]))
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    assert "inline" in shown.headers["content-disposition"]
    assert "script-src 'none'" in shown.headers["content-security-policy"]
    other = client.get(c_url("files", data["downloads"][0]))  # a workbook still downloads
    assert "attachment" in other.headers["content-disposition"]
    year = post(client, c_url("summary", PERIOD, "year") + ".json")
    assert year.status_code == 200, year.text
    book = client.get(c_url("files", year.json()["year"]))
    assert book.status_code == 200 and openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    assert year.json()["year"] in client.get(c_url("summary", PERIOD) + ".json").json()["years"]


def test_an_uploaded_html_file_is_never_shown_as_a_page(desk):
    """Only xltools' own report shows inline: a unit's .html sent as a return downloads."""
    client = desk["client"]
    post(client, c_url("collect", PERIOD) + ".json",
         files=[("files", ("\u6c47\u603b\u62a5\u544a_x.html", b"<script>alert(1)</script>"))])
    finish(client)
    inbox = desk["root"] / "ws" / NAME / "\u56de\u6536"
    saved = next(inbox.rglob("\u6c47\u603b\u62a5\u544a_x.html"))
    rel = saved.relative_to(desk["root"] / "ws" / NAME).as_posix()
    got = client.get(c_url("files", rel))
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]


def test_unit_names_are_checked_as_the_clerk_types(desk):
    """The plan page asks, while a list of units is typed, which names are not registered."""
    client = desk["client"]
    typed = "\u533a\u53d1\u6539\u5c40\uff0c\u533a\u4e0d\u5b58\u5728\u5c40"  # 区发改局,区不存在局
    got = client.get(c_url("names") + ".json", params={"text": typed})
    assert got.status_code == 200 and got.json() == {"unknown": ["\u533a\u4e0d\u5b58\u5728\u5c40"]}
    assert client.get(c_url("names") + ".json", params={"text": ""}).json() == {"unknown": []}
    twice = client.get(c_url("names") + ".json", params={"text": f"{typed}\n{typed}"}).json()
    assert twice == {"unknown": ["\u533a\u4e0d\u5b58\u5728\u5c40"]}  # named once, as for members
    assert 'class="units"' in client.get(c_url()).text


def test_a_groups_new_members_are_checked_as_the_clerk_types(desk):
    """A group's 加入成员 box had no check as it was typed (the task boxes had): a name the
    plan does not know was registered as a new unit on 加入, said only afterwards. The box
    is checked as the others are, split as 加入 splits it, naming what 加入 would register
    and the groups it would refuse."""
    client = desk["client"]
    group = client.get(c_url() + ".json").json()["groups"][0]["name"]
    typed = f"\u533a\u53d1\u6539\u5c40\uff1b\u65b0\u8bbe\u9547\n{group}"  # 区发改局, a full-width semicolon, 新设镇 / a group
    got = client.get(c_url("names") + ".json", params={"text": typed, "for": "members"})
    assert got.status_code == 200
    assert got.json() == {"unknown": ["\u65b0\u8bbe\u9547"], "groups": [group]}  # 新设镇
    page = client.get(c_url()).text
    boxes = re.findall(r'<input form="g\d+" name="members" class="units members"[^>]*>'
                       r'<span class="unknown"></span>', page)
    assert len(boxes) == len(client.get(c_url() + ".json").json()["groups"])
    assert "for=members" in page  # (the script asks as 加入 splits)
    # one rule for every box: a registered name holding 、 stays whole; a line break splits
    groups = [g["name"] for g in client.get(c_url() + ".json").json()["groups"]]
    joined = next(g for g in groups if "\u3001" in g)  # 各镇、街道
    got = client.get(c_url("names") + ".json", params={"text": joined, "for": "members"})
    assert got.json() == {"unknown": [], "groups": [joined]}
    got = client.get(c_url("names") + ".json", params={"text": "\u533a\u53d1\u6539\u5c40\n\u65b0\u8bbe\u9547"})
    assert got.json() == {"unknown": ["\u65b0\u8bbe\u9547"]}  # 区发改局 / 新设镇: only 新设镇


def test_the_collect_job_leaves_the_board_and_summary_built(desk):
    """The first look after a collect is as quick as the next: the job builds both pages' data
    for the ledger it just wrote (no page has been opened since)."""
    from xltools.app.cache import state
    client, plan, unit = desk["client"], desk["plan"], desk["units"][8]
    data = workbook_bytes(fill_report(plan, unit, plan.period(PERIOD), random.Random(8)))
    got = post(client, c_url("collect", PERIOD) + ".json", files=[("files", (f"{unit}.xlsx", data))])
    assert got.status_code == 202 and finish(client)["state"] == "done"
    c = client.app.state.ws.campaign(NAME)
    now = state(c)
    kept = {key[0] for key, (at, _) in c.cache.items() if at == now}
    assert {"board", "_summary"} <= kept


def test_xltools_app_serves_the_desk_on_the_port_it_bound(tmp_path):
    """`xltools app` as a clerk starts it (a process of its own): the home page answers."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "xltools", "app", str(tmp_path / "ws"),
                             "--no-browser", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as got:
                    assert got.status == 200 and "\u7763\u529e" in got.read().decode()  # 督办
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_second_desk_on_a_taken_port_says_so_in_chinese(tmp_path):
    """A clerk who clicks the desk's icon twice: one Chinese line saying where the running
    desk is (before: the address printed as if it started, then uvicorn's English error)."""
    import socket

    from xltools.app.server import serve
    from xltools.model.errors import DeskError
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(DeskError) as e:
            serve(tmp_path / "ws", "127.0.0.1", port, open_browser=False)
    assert f"http://127.0.0.1:{port}/" in str(e.value) and "\u5df2\u88ab\u5360\u7528" in str(e.value)
    # not this PC's address: no "already running" (a page that is not there)
    with pytest.raises(DeskError) as e:
        serve(tmp_path / "ws", "192.0.2.7", port, open_browser=False)
    assert "\u5df2\u88ab\u5360\u7528" not in str(e.value) and "--host" in str(e.value)
