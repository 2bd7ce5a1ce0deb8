"""The desk's routes: every page also as JSON at the same path + ".json" (as Datasette does).

Long work (generate, collect) runs synchronously in this first version, in a worker thread,
one job at a time per campaign; a second request is told to wait.
"""
from __future__ import annotations

import logging
import os
import secrets
from datetime import datetime
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
from . import accounts, views
from .security import (checked_form, csrf_token, file_times, save_upload, set_csrf_cookie,
                       uploads)
from .workspace import Campaign, NotFound, Refused, Workspace

LOG = logging.getLogger("xltools.app")
PLAN_SUFFIXES = (".xlsx", ".yaml", ".yml", ".json")
BUSY = "本计划正有一项工作(生成或回收)在进行,请稍候再试。"


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _render(request: Request, template: str, data: dict, status: int = 200) -> Response:
    if _wants_json(request):
        return JSONResponse(data, status_code=status)
    env = request.app.state.env
    html = env.get_template(f"app/{template}").render(data=data, csrf=csrf_token(request),
                                                      request_path=request.url.path,
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
            log = request.app.state.ws.log_path
            return _error(request, 500, f"发生意外错误,详细信息已记入日志“{log}”,请提供给系统维护人员。")
    return endpoint


def _login_needed(request: Request) -> bool:
    return not request.session.get("user") and accounts.user_count(request.app.state.ws.root) > 0


def _campaign(request: Request) -> Campaign:
    return request.app.state.ws.campaign(request.path_params["name"])


async def _job(c: Campaign, fn, *args, **kwargs):
    """Run fn in a worker thread, one job at a time per campaign (409 while one runs)."""
    if not c.lock.acquire(blocking=False):
        raise HTTPException(409, BUSY)
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    finally:
        c.lock.release()


def _done(request: Request, url: str, data: dict) -> Response:
    """After a POST: the JSON result, or the page to go to (303, so a reload does not repost)."""
    return JSONResponse(data) if _wants_json(request) else RedirectResponse(url, 303)


# -- pages ----------------------------------------------------------------------------------

async def index(request: Request) -> Response:
    data = await run_in_threadpool(views.campaigns, request.app.state.ws)
    return _render(request, "index.html.j2", data)


async def new_campaign(request: Request) -> Response:
    """A new campaign from a notice (parsed) or a plan file (checked and converted)."""
    form = await checked_form(request, request.app.state.limits, max_files=2)
    notice = next(iter(uploads(form, "notice")), None)
    if notice is None:
        raise Refused("请选择通知文件(.docx / .txt / .doc)或计划文件(.xlsx / .yaml / .json)。")
    ws: Workspace = request.app.state.ws
    c = ws.create(str(form.get("name", "")))
    limits = request.app.state.limits
    source = await save_upload(notice, c.dir / "\u901a\u77e5", limits)  # 通知/
    register = next(iter(uploads(form, "register")), None)
    units = await save_upload(register, c.dir / "\u901a\u77e5", limits) if register else None
    if source.suffix.lower() in PLAN_SUFFIXES:
        await _job(c, api.convert, source, c.plan_path)
        return _done(request, f"/c/{quote(c.name)}", {"name": c.name, "plan": True})
    result, saved = await _job(c, api.parse, source, units=units, output=c.plan_path)
    data = views.parse_view(result, saved) | {"name": c.name}
    return _render(request, "parse.html.j2", data)


async def plan_page(request: Request) -> Response:
    data = await run_in_threadpool(views.plan_view, _campaign(request))
    return _render(request, "plan.html.j2", data)


async def issue_page(request: Request) -> Response:
    data = await run_in_threadpool(views.issue_view, _campaign(request))
    return _render(request, "issue.html.j2", data)


async def issue_post(request: Request) -> Response:
    c = _campaign(request)
    form = await checked_form(request, request.app.state.limits, max_files=0)
    period = str(form.get("period", ""))
    views.period_of(c, period)  # NotFound for a period the plan does not have

    def run():
        report = api.generate(c.plan_path, c.forms_dir, [period])
        views.write_manifest(c, report)
        return report
    report = await _job(c, run)
    return _done(request, f"/c/{quote(c.name)}/issue",
                 {"files": len(report.files), "findings": [f.to_dict() for f in report.findings]})


async def issue_zip(request: Request) -> Response:
    c = _campaign(request)
    period = request.path_params["period"]
    data = await run_in_threadpool(views.issue_zip, c, period)
    name = quote(f"{c.name}_{period}.zip")
    return Response(data, media_type="application/zip",
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"})


async def download(request: Request) -> Response:
    c = _campaign(request)
    path = c.file(request.path_params["path"])
    return FileResponse(path, filename=path.name)


async def board_page(request: Request) -> Response:
    c = _campaign(request)
    data = await run_in_threadpool(views.board, c, request.path_params["period"])
    return _render(request, "board.html.j2", data)


async def collect_post(request: Request) -> Response:
    """Store the uploads in a new inbox folder and collect the period's whole inbox."""
    c = _campaign(request)
    limits: Limits = request.app.state.limits
    _, period = views.period_of(c, request.path_params["period"])
    form = await checked_form(request, limits, max_files=limits.max_members)
    files = uploads(form)
    if not files:
        raise Refused("请选择要上传的回收文件(.xlsx .xls .ods .zip .eml .msg)。")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    folder = c.inbox(period) / f"\u4e0a\u4f20_{stamp}"  # 上传_<time>
    times = file_times(str(form.get("modified", "")), len(files))
    for f, mtime in zip(files, times):
        saved = await save_upload(f, folder, limits)
        if mtime is not None:  # the file's own time, as a mail folder keeps it
            os.utime(saved, (mtime, mtime))
    report = await _job(c, api.collect, [c.inbox(period)], c.plan_path, period.id,
                        c.outputs(period), limits=limits)
    return _done(request, f"/c/{quote(c.name)}/collect/{period.id}", report.to_json())


async def unit_page(request: Request) -> Response:
    c, p = _campaign(request), request.path_params
    data = await run_in_threadpool(views.unit_view, c, p["period"], p["unit"])
    return _render(request, "unit.html.j2", data)


async def summary_page(request: Request) -> Response:
    c = _campaign(request)
    data = await run_in_threadpool(views.summary_view, c, request.path_params["period"])
    return _render(request, "summary.html.j2", data)


async def documents_post(request: Request) -> Response:
    """The issuing notice and the period's 通报 (Word), written beside the period's outputs."""
    c = _campaign(request)
    await checked_form(request, request.app.state.limits, max_files=0)
    _, period = views.period_of(c, request.path_params["period"])
    out = c.outputs(period)

    def run():
        return [api.notice(c.plan_path, out), api.bulletin(c.plan_path, period.id, c.ledger, out)]
    written = await _job(c, run)
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
    wait = throttle.wait(name, address)
    if wait:
        raise HTTPException(429, f"登录失败次数过多,请 {wait // 60 + 1} 分钟后再试。")
    ok = await run_in_threadpool(accounts.verify, request.app.state.ws.root, name, password)
    if not ok:
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


def _page(path: str, fn, public: bool = False) -> list[Route]:
    """The page and its JSON twin (the .json route first, so it wins)."""
    return [Route(path + ".json", guarded(fn, public)), Route(path, guarded(fn, public))]


def create_app(workspace: str | Path, limits: Limits | None = None) -> Starlette:
    """The desk over a workspace folder (created when missing); errors logged beside it."""
    ws = Workspace(Path(workspace))
    ws.root.mkdir(parents=True, exist_ok=True)
    routes = [
        Route("/index.json", guarded(index)), Route("/", guarded(index)),
        Route("/static/app.css", stylesheet),
        *_page("/login", login_page, public=True),
        Route("/login.json", guarded(login_post, public=True), methods=["POST"]),
        Route("/login", guarded(login_post, public=True), methods=["POST"]),
        Route("/logout.json", guarded(logout_post, public=True), methods=["POST"]),
        Route("/logout", guarded(logout_post, public=True), methods=["POST"]),
        Route("/new.json", guarded(new_campaign), methods=["POST"]),
        Route("/new", guarded(new_campaign), methods=["POST"]),
        *_page("/c/{name}", plan_page),
        Route("/c/{name}/issue.json", guarded(issue_post), methods=["POST"]),
        Route("/c/{name}/issue", guarded(issue_post), methods=["POST"]),
        *_page("/c/{name}/issue", issue_page),
        Route("/c/{name}/issue/{period}.zip", guarded(issue_zip)),
        Route("/c/{name}/files/{path:path}", guarded(download)),
        Route("/c/{name}/collect/{period}.json", guarded(collect_post), methods=["POST"]),
        Route("/c/{name}/collect/{period}", guarded(collect_post), methods=["POST"]),
        *_page("/c/{name}/collect/{period}", board_page),
        *_page("/c/{name}/collect/{period}/unit/{unit}", unit_page),
        *_page("/c/{name}/summary/{period}", summary_page),
        Route("/c/{name}/summary/{period}/documents.json", guarded(documents_post), methods=["POST"]),
        Route("/c/{name}/summary/{period}/documents", guarded(documents_post), methods=["POST"]),
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
