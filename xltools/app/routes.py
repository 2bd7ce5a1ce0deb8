"""The desk's routes: every page also as JSON at the same path + ".json" (as Datasette does).

Long work (generate, collect) runs as a background job (jobs.py) with a progress page; short
work (parse, edits) runs in a worker thread under the same per-campaign lock.
"""
from __future__ import annotations

import logging
import os
import secrets
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (FileResponse, HTMLResponse, JSONResponse, RedirectResponse,
                                 Response)
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Route

from .. import api
from ..collect.limits import Limits
from ..model.errors import settings
from ..templating import bundled, environment
from . import accounts, jobs, views
from .security import (checked_form, csrf_token, file_times, is_loopback, save_upload,
                       set_csrf_cookie, uploads)
from .workspace import OUTPUTS, Campaign, NotFound, Refused, Workspace
from ..model.glossary import official_marks

LOG = logging.getLogger("xltools.app")
PLAN_SUFFIXES = (".xlsx", ".yaml", ".yml", ".json")


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _render(request: Request, template: str, data: dict, status: int = 200) -> Response:
    if _wants_json(request):
        return JSONResponse(data, status_code=status)
    html = request.app.state.env.get_template(f"app/{template}").render(
        data=data, csrf=csrf_token(request), request_path=request.url.path,
        posted=request.method != "GET",  # a form's result: no JSON twin to link, a page to go back to
        user=request.session.get("user", ""))
    response = HTMLResponse(html, status_code=status)
    set_csrf_cookie(request, response)
    return response


def _error(request: Request, status: int, message: str) -> Response:
    return _render(request, "error.html.j2", {"error": message, "status": status}, status)


def guarded(fn, public: bool = False):
    """Every failure a one-line Chinese page (or {"error": …}); details only in the log.
    With accounts in the workspace, only a logged-in clerk passes (public: the login page)."""
    async def endpoint(request: Request) -> Response:
        try:
            if not public and _login_needed(request):
                if _wants_json(request) or request.method != "GET":
                    return _error(request, 401, "请先登录。")
                return RedirectResponse("/login?next=" + quote(request.url.path), 303)
            return await fn(request)
        except NotFound:
            return _error(request, 404, "找不到所要的页面或文件。")
        except HTTPException as exc:
            return _error(request, exc.status_code, str(exc.detail))
        except api.XltoolsError as exc:
            return _error(request, 400, " ".join(str(exc).split()))
        except Exception:  # noqa: BLE001 - a bug: logged in full, never a traceback in a page
            if settings.debug:
                raise
            LOG.exception("%s %s", request.method, request.url.path)
            return _error(request, 500, jobs.unexpected(request.app.state.ws.log_path))
    return endpoint


def _login_needed(request: Request) -> bool:
    return not request.session.get("user") and accounts.user_count(request.app.state.ws.root) > 0


def _campaign(request: Request) -> Campaign:
    return request.app.state.ws.campaign(request.path_params["name"])


async def _locked(c: Campaign, fn, *args, **kwargs):
    """Run short work (parse, an edit) in a worker thread under the campaign's lock (409 while a job runs)."""
    if not c.lock.acquire(blocking=False):
        raise HTTPException(409, jobs.BUSY)
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    finally:
        c.lock.release()


async def _posted(request: Request):
    """A POST's campaign, checked form and period (the path's, else the form's; NotFound if unknown)."""
    c = _campaign(request)
    form = await checked_form(request, request.app.state.limits, max_files=0)
    _, period = views.period_of(c, request.path_params.get("period") or str(form.get("period", "")))
    return c, form, period


def _done(request: Request, url: str, data: dict) -> Response:
    """After a POST: the JSON result, or the page to go to (303, so a reload does not repost)."""
    return JSONResponse(data) if _wants_json(request) else RedirectResponse(url, 303)


# -- pages ----------------------------------------------------------------------------------

def _view(template: str, build):
    """A page: build(request) -> its data, in a worker thread (it reads the plan and the
    ledger), shown in the template."""
    async def page(request: Request) -> Response:
        return _render(request, template, await run_in_threadpool(build, request))
    return page


def _period(view: str, mail: bool = False):
    """build() of a page of one period of a campaign: views.<view>(campaign, period); with
    mail, the mail actions it may offer (views.mail_view) and the last fetch."""
    def build(request: Request) -> dict:
        c = _campaign(request)
        data = getattr(views, view)(c, request.path_params["period"])
        return data | {"mail": views.mail_view(c), "fetched": views.last_fetch(c)} if mail else data
    return build


index = _view("index.html.j2", lambda request: views.campaigns(request.app.state.ws))
plan_page = _view("plan.html.j2", lambda request: views.plan_view(_campaign(request))
                  | {"saved": request.session.pop("saved", "")})  # what the last edit changed
issue_page = _view("issue.html.j2", lambda request: views.issue_view(_campaign(request)))
board_page = _view("board.html.j2", _period("board", mail=True))
summary_page = _view("summary.html.j2", _period("summary_view"))
remind_page = _view("remind.html.j2", _period("remind_view", mail=True))
unit_page = _view("unit.html.j2", lambda request: views.unit_view(
    _campaign(request), request.path_params["period"], request.path_params["unit"]))


async def new_campaign(request: Request) -> Response:
    """A new campaign from a notice (parsed) or a plan file (checked and converted)."""
    form = await checked_form(request, request.app.state.limits, max_files=2)
    notice = next(iter(uploads(form, "notice")), None)
    if notice is None:
        raise Refused(official_marks("请选择通知文件(.docx / .txt / .doc)或计划文件(.xlsx / .yaml / .json)。"))
    limits = request.app.state.limits
    # (under the campaign's lock; a refused notice leaves no folder behind)
    with request.app.state.ws.creating(str(form.get("name", ""))) as c:
        source = await save_upload(notice, c.dir / "\u901a\u77e5", limits)  # 通知/
        register = next(iter(uploads(form, "register")), None)
        units = await save_upload(register, c.dir / "\u901a\u77e5", limits) if register else None
        if source.suffix.lower() in PLAN_SUFFIXES:
            await run_in_threadpool(api.convert, source, c.plan_path)
            return _done(request, f"/c/{quote(c.name)}", {"name": c.name, "plan": True})
        result, saved = await run_in_threadpool(api.parse, source, units=units, output=c.plan_path)
    # (no plan made, no plan's pages: the name would lead the menu to pages that are not there)
    data = views.parse_view(result, saved) | ({"name": c.name} if saved else {})
    return _render(request, "parse.html.j2", data)


async def _plan_edit(request: Request, edit) -> Response:
    """An edit of the plan file (edit(plan_path, form) -> what changed); then the plan page
    with `xltools check`'s findings (JSON: both)."""
    c = _campaign(request)
    form = await checked_form(request, request.app.state.limits, max_files=0)
    said = await _locked(c, edit, c.plan_path, form)
    if _wants_json(request):
        findings = await run_in_threadpool(api.check, c.plan_path)
        return JSONResponse({"message": said, "findings": [f.to_dict() for f in findings]})
    request.session["saved"] = said
    return RedirectResponse(f"/c/{quote(c.name)}", 303)


def _given(form, *names: str) -> dict[str, str]:
    """The fields the form sent (one left out is left as it is, not cleared)."""
    return {k: str(form[k]) for k in names if k in form}


# the plan page's edits: the path under /c/{name}/ -> edit(plan_path, form) -> what changed
PLAN_EDITS = {
    "units/set": lambda path, f: api.units_set(path, str(f.get("unit", "")),
                                               **_given(f, *views.UNIT_FIELDS)),
    "units/alias": lambda path, f: api.units_add_alias(path, str(f.get("unit", "")),
                                                       str(f.get("alias", ""))),
    "groups/member": lambda path, f: api.units_add_member(path, str(f.get("group", "")),
                                                          str(f.get("members", ""))),
    "tasks/set": lambda path, f: api.task_set(
        path, str(f.get("number", "")), **_given(f, "lead_units", "responsible_units", "leader")),
}


async def names_check(request: Request) -> Response:
    """{"unknown": [...]} for a typed list of units: the plan page checks as the clerk types
    (a GET that changes nothing). for=members: a group's new members, split as 加入 splits
    them, with the groups among them ({"unknown": [...], "groups": [...]})."""
    text = request.query_params.get("text", "")[:2000]
    names = await run_in_threadpool(views.members_check, _campaign(request), text)
    return JSONResponse(names if request.query_params.get("for") == "members"
                        else {"unknown": names["unknown"]})


async def plan_upload(request: Request) -> Response:
    """An edited plan.xlsx (or .yaml/.json) back: read and checked before it replaces the
    plan; the old one is kept in 计划备份/."""
    c = _campaign(request)
    limits = request.app.state.limits
    form = await checked_form(request, limits, max_files=1)
    upload = next(iter(uploads(form, "plan")), None)
    if upload is None or Path(upload.filename or "").suffix.lower() not in PLAN_SUFFIXES:
        raise Refused(official_marks("\u8bf7\u9009\u62e9\u8ba1\u5212\u6587\u4ef6(.xlsx / .yaml / .json)\u3002"))
    source = await save_upload(upload, c.dir / views.PLAN_UPLOADS, limits)
    return await _plan_edit(request, lambda _path, _form: views.replace_plan(c, source))


async def issue_post(request: Request) -> Response:
    c, form, period = await _posted(request)
    want_pdf = form.get("pdf") == "1"

    def run(job: jobs.Job) -> dict:
        report = api.generate(c.plan_path, c.forms_dir, [period.id], progress=job.progress)
        pdf = api.pdf(report, progress=job.progress) if want_pdf else None
        views.write_manifest(c, report, pdf.pdfs if pdf else ())
        return {"files": len(report.files), "findings": [f.to_dict() for f in report.findings],
                **({"pdf": pdf.to_json()} if pdf else {})}
    return _start(request, c, "\u751f\u6210\u62a5\u8868", f"/c/{quote(c.name)}/issue", run)  # 生成报表


def _start(request: Request, c: Campaign, label: str, next_url: str, work) -> Response:
    """Start a background job; 303 to its page (JSON: 202 and where to poll)."""
    job = jobs.start(c, label, next_url, work, request.app.state.ws.log_path)
    url = f"/c/{quote(c.name)}/job"
    if _wants_json(request):
        return JSONResponse(job.to_json() | {"poll": url + ".json"}, status_code=202)
    return RedirectResponse(url, 303)


async def job_page(request: Request) -> Response:
    """The campaign's running or last job (None when there was none): a progress bar the
    page polls each second."""
    c = _campaign(request)
    return _render(request, "job.html.j2", {"name": c.name, "job": c.job.to_json() if c.job else None})


async def issue_zip(request: Request) -> Response:
    c = _campaign(request)
    period = request.path_params["period"]
    data = await run_in_threadpool(views.issue_zip, c, period)
    return _attachment(data, "application/zip", f"{c.name}_{period}.zip")


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    """A download under its own (Chinese) name."""
    return Response(data, media_type=media_type, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


# The period's HTML report is xltools' own page (units' text escaped in it): shown in the
# browser, with scripts and plug-ins switched off all the same. Anything else downloads.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'"


async def download(request: Request) -> Response:
    c = _campaign(request)
    path = c.file(request.path_params["path"])
    if views.is_own_report(c, path):
        return FileResponse(path, media_type="text/html", content_disposition_type="inline",
                            filename=path.name, headers={"content-security-policy": REPORT_CSP})
    return FileResponse(path, filename=path.name)


async def collect_post(request: Request) -> Response:
    """Store the uploads in a new inbox folder and collect the period's whole inbox."""
    c = _campaign(request)
    limits: Limits = request.app.state.limits
    _, period = views.period_of(c, request.path_params["period"])
    form = await checked_form(request, limits, max_files=limits.max_members)
    files = uploads(form)
    local = _local_folder(request, str(form.get("folder", "")))
    if c.lock.locked():  # do not keep files for a run that cannot start
        raise HTTPException(409, jobs.BUSY)
    book_password = str(form.get("book_password", "")) or None  # (kept for this run only)
    if not files and local is None and book_password is None:  # (a password alone: the
        # files refused for it are read again)
        raise Refused(official_marks("请选择要上传的回收文件(.xlsx .xls .ods .zip .eml .msg),"
                                     "或填写本机上存放回收文件的文件夹。"))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    folder = c.inbox(period) / f"\u4e0a\u4f20_{stamp}"  # 上传_<time>, made by the first upload
    for f, mtime in zip(files, file_times(str(form.get("modified", "")), len(files))):
        saved = await save_upload(f, folder, limits)
        if mtime is not None:  # the file's own time, as a mail folder keeps it
            os.utime(saved, (mtime, mtime))
    c.inbox(period).mkdir(parents=True, exist_ok=True)  # (a folder alone, nothing uploaded yet)
    inboxes = [c.inbox(period), *([local] if local else [])]
    want_pdf = form.get("pdf") == "1"

    def run(job: jobs.Job) -> dict:
        report = api.collect(inboxes, c.plan_path, period.id, c.outputs(period), limits=limits,
                             progress=job.progress, password=book_password)
        if want_pdf:
            api.pdf(report, progress=job.progress)
        _warm(c, period.id)
        return report.to_json()
    return _start(request, c, "\u56de\u6536", f"/c/{quote(c.name)}/collect/{period.id}", run)  # 回收


def _local_folder(request: Request, text: str) -> Path | None:
    """A folder on this PC to collect from (the clerk's mail-attachment folder): only for a
    clerk at this PC, never for a browser elsewhere on the LAN; None when none was named."""
    text = text.strip().strip('"')
    if not text:
        return None
    if not (request.client and is_loopback(request.client.host)):
        raise Refused(official_marks("只有在运行工作台的这台电脑上,才能从本机文件夹回收;请改为上传文件。"))
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise Refused(f"找不到文件夹“{text}”" + official_marks(",请检查路径(例如 D:\\回收\\2019年第一季度)。"))
    return folder


async def _mail_action(request: Request):
    """A mail action's campaign, period and password (from the environment or the keyring,
    never a prompt: the desk has no terminal; MailError, shown on the page, saying how to
    set one)."""
    c, _, period = await _posted(request)
    return c, period, await run_in_threadpool(api.ask, api.mail_settings(c.plan_path), prompt=False)


def _mail_send(send, view, template: str):
    """A send of mail, send(plan, period, db=, password=), then the page view(campaign, period)."""
    async def endpoint(request: Request) -> Response:
        c, period, pw = await _mail_action(request)
        rep = await _locked(c, send, c.plan_path, period.id, db=c.ledger, password=pw)
        data = await run_in_threadpool(view, c, period.id)
        return _render(request, template, data | {"mail": views.mail_view(c), "sent": rep.to_json()})
    return endpoint


# 发送邮件: each unit with an address its forms of the period (only what was not sent)
send_post = _mail_send(api.send, lambda c, _period: views.issue_view(c), "issue.html.j2")
# 邮件催报: each unit that owes a return (or a correction) its 催报, at most once a day
remind_send_post = _mail_send(api.remind_send, views.remind_view, "remind.html.j2")


async def fetch_post(request: Request) -> Response:
    """收取邮件: fetch the mailbox's new messages and collect the period (a job, as 回收)."""
    c, period, pw = await _mail_action(request)
    limits: Limits = request.app.state.limits

    def run(job: jobs.Job) -> dict:
        got = api.fetch(c.plan_path, period.id, c.ledger, c.outputs(period), limits=limits,
                        password=pw, inputs=[], progress=job.progress).to_json()
        _warm(c, period.id)
        return got
    return _start(request, c, views.FETCH_LABEL, f"/c/{quote(c.name)}/collect/{period.id}", run)


def _warm(c: Campaign, period_id: str) -> None:
    """Build the period's summary, and with it its board, inside the job (kept until the plan
    or the ledger changes), so that the clerk's first look after a large collect is as quick
    as the next (a 1,000-return summary takes seconds). Only a head start: should it fail,
    the page itself shows the error when opened."""
    try:
        views.summary_view(c, period_id)
    except Exception:  # noqa: BLE001 - the collect itself succeeded; logged, shown by the page
        if settings.debug:
            raise
        LOG.exception("warming the pages of %s %s", c.name, period_id)


def _unit_action(act):
    """A clerk's decision on a unit of a period, act(plan, period id, form, unit, who), the
    unit the path's (credit: the form's, the unit the clerk chose); then that unit's page."""
    async def endpoint(request: Request) -> Response:
        c, form, period = await _posted(request)
        unit = request.path_params.get("unit") or str(form.get("unit", ""))
        who = request.session.get("user") or views.LOCAL_USER  # (本机: a desk without accounts)
        await _locked(c, act, c.plan_path, period.id, form, unit, who)
        return _done(request, f"/c/{quote(c.name)}/collect/{quote(period.id)}/unit/{quote(unit)}",
                     {"ok": True, "unit": unit})
    return endpoint


# set the time a return was received (the clerk's evidence)
received_post = _unit_action(lambda plan, period, form, _unit, who: api.set_received(
    plan, period, str(form.get("sha", "")), str(form.get("when", "")), who=who))
# mark the unit exempt from the period (免报), or take the mark back
exempt_post = _unit_action(lambda plan, period, form, unit, who: api.exempt(
    plan, period, unit, on=form.get("on", "1") == "1", reason=str(form.get("reason", "")),
    who=who))
# credit a held return to the unit the clerk chose
credit_post = _unit_action(lambda plan, period, form, unit, who: api.credit(
    plan, period, str(form.get("sha", "")), unit, who=who))


async def remind_text(request: Request) -> Response:
    """The 催报通知 as a .txt download (with a BOM: Windows Notepad reads it right)."""
    c = _campaign(request)
    data = await run_in_threadpool(views.remind_view, c, request.path_params["period"])
    if not data["collected"]:
        raise NotFound(data["period"])
    return _attachment(("\ufeff" + data["text"]).encode("utf-8"), "text/plain; charset=utf-8",
                       data["filename"])


async def remind_post(request: Request) -> Response:
    """Write the 催报通知 and the 催报名单 workbook beside the period's outputs."""
    c, _, period = await _posted(request)
    res = await _locked(c, api.remind, c.plan_path, period.id, c.ledger, c.outputs(period))
    return _done(request, f"/c/{quote(c.name)}/remind/{quote(period.id)}",
                 {"documents": [c.rel(res.notice), c.rel(res.contacts)]})


async def year_post(request: Request) -> Response:
    """年度汇总 of every period collected so far, written in the campaign's 汇总 folder."""
    c, _, period = await _posted(request)
    res = await _locked(c, api.year, c.plan_path, c.ledger, c.dir / OUTPUTS)
    return _done(request, f"/c/{quote(c.name)}/summary/{period.id}", {"year": c.rel(res.path)})


async def documents_post(request: Request) -> Response:
    """The issuing notice and the period's 通报 (Word), written beside the period's outputs."""
    c, _, period = await _posted(request)
    out = c.outputs(period)
    written = await _locked(c, lambda: [api.notice(c.plan_path, out),
                                        api.bulletin(c.plan_path, period.id, c.ledger, out)])
    return _done(request, f"/c/{quote(c.name)}/summary/{period.id}",
                 {"documents": [c.rel(p) for p in written]})


async def login_page(request: Request) -> Response:
    return _render(request, "login.html.j2", {"next": _local(request.query_params.get("next", "/")),
                                              "accounts": accounts.user_count(request.app.state.ws.root)})


async def login_post(request: Request) -> Response:
    """Log in: a rate-limited password check, then a signed session cookie for the day."""
    form = await checked_form(request, request.app.state.limits, max_files=0)
    name, password = str(form.get("user", "")).strip(), str(form.get("password", ""))
    address = request.client.host if request.client else ""
    throttle: accounts.LoginThrottle = request.app.state.throttle
    if wait := throttle.wait(name, address):
        raise HTTPException(429, official_marks(f"登录失败次数过多,请 {wait // 60 + 1} 分钟后再试。"))
    if not await run_in_threadpool(accounts.verify, request.app.state.ws.root, name, password):
        throttle.failed(name, address)
        LOG.warning("login failed: %r from %s", name, address)
        raise HTTPException(401, "用户名或密码不正确。")
    request.session.clear()
    request.session["user"] = name
    LOG.info("login: %r from %s", name, address)
    return _done(request, _local(str(form.get("next", "/"))), {"user": name})


async def logout_post(request: Request) -> Response:
    await checked_form(request, request.app.state.limits, max_files=0)
    request.session.clear()
    return _done(request, "/login", {"user": ""})


def _local(url: str) -> str:
    """A redirect target inside the desk only (never another site)."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/"


async def stylesheet(request: Request) -> Response:
    return FileResponse(bundled("app/app.css"), media_type="text/css")


def _page(path: str, fn, public: bool = False, methods: list[str] | None = None) -> list[Route]:
    """The page and its JSON twin (the .json route first, so it wins)."""
    return [Route(p, guarded(fn, public), methods=methods) for p in (path + ".json", path)]


_action = partial(_page, methods=["POST"])  # a POST route and its JSON twin


def create_app(workspace: str | Path, limits: Limits | None = None) -> Starlette:
    """The desk over a workspace folder (created when missing); errors logged beside it."""
    ws = Workspace(Path(workspace))
    ws.root.mkdir(parents=True, exist_ok=True)
    routes = [
        Route("/index.json", guarded(index)), Route("/", guarded(index)),
        Route("/static/app.css", stylesheet),
        *_page("/login", login_page, public=True),
        *_action("/login", login_post, public=True),
        *_action("/logout", logout_post, public=True),
        *_action("/new", new_campaign),
        *_page("/c/{name}", plan_page),
        *_page("/c/{name}/job", job_page),
        *_action("/c/{name}/plan", plan_upload),
        *(r for path, edit in PLAN_EDITS.items()
          for r in _action(f"/c/{{name}}/{path}", partial(_plan_edit, edit=edit))),
        Route("/c/{name}/names.json", guarded(names_check)),
        *_action("/c/{name}/issue", issue_post),
        *_action("/c/{name}/issue/send", send_post),
        *_page("/c/{name}/issue", issue_page),
        Route("/c/{name}/issue/{period}.zip", guarded(issue_zip)),
        Route("/c/{name}/files/{path:path}", guarded(download)),
        *_action("/c/{name}/collect/{period}", collect_post),
        *_page("/c/{name}/collect/{period}", board_page),
        *_action("/c/{name}/collect/{period}/credit", credit_post),
        *_action("/c/{name}/collect/{period}/fetch", fetch_post),
        # (a unit's name may hold "/": 区委办/区政府办)
        *_action("/c/{name}/collect/{period}/unit/{unit:path}/received", received_post),
        *_action("/c/{name}/collect/{period}/unit/{unit:path}/exempt", exempt_post),
        *_page("/c/{name}/collect/{period}/unit/{unit:path}", unit_page),
        *_page("/c/{name}/summary/{period}", summary_page),
        Route("/c/{name}/remind/{period}.txt", guarded(remind_text)),
        *_action("/c/{name}/remind/{period}", remind_post),
        *_action("/c/{name}/remind/{period}/send", remind_send_post),
        *_page("/c/{name}/remind/{period}", remind_page),
        *_action("/c/{name}/summary/{period}/documents", documents_post),
        *_action("/c/{name}/summary/{period}/year", year_post),
    ]

    async def not_found(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, "找不到所要的页面。" if exc.status_code == 404
                      else "不支持这种请求。")
    # a signed cookie (itsdangerous) that expires after a working day; SameSite=Strict
    session = Middleware(SessionMiddleware, secret_key=accounts.session_key(ws.root),
                         session_cookie="xltools_session", max_age=accounts.SESSION_HOURS * 3600,
                         same_site="strict")
    app = Starlette(routes=routes, middleware=[session],
                    exception_handlers={404: not_found, 405: not_found})
    app.state.ws, app.state.limits = ws, limits or Limits()
    app.state.throttle = accounts.LoginThrottle()
    app.state.env = environment(autoescape=True)
    _log_to(ws.log_path)
    return app


def _log_to(path: Path) -> None:
    if not any(getattr(h, "baseFilename", None) == str(path.absolute()) for h in LOG.handlers):
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
