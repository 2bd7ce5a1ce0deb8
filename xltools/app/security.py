"""What keeps the desk safe: loopback by default, CSRF tokens, bounded uploads."""
from __future__ import annotations

import hmac
import ipaddress
import json
import time
import secrets
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..collect.limits import Limits
from ..model.glossary import official_marks
from ..sheet.blocks import safe_filename
from .workspace import Refused

CSRF_COOKIE = "xltools_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
CHUNK = 1 << 20


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost"."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything, so it is not loopback
        return False


def host_refusal(host: str, users: int = 0) -> str | None:
    """Why the desk must not listen on `host` (a Chinese sentence), or None when it may."""
    if is_loopback(host) or users > 0:
        return None
    return (f"不能在地址“{host}”上启动:只有建立了账户才允许局域网中的其他电脑访问。"
            "请先用 xltools app --add-user 用户名 建立账户,或不加 --host(只在本机 127.0.0.1 上使用)。")


def csrf_token(request: Request) -> str:
    """The browser's CSRF token (from its cookie), or a new one the response will set."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) < 32:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return token


def set_csrf_cookie(request: Request, response) -> None:
    """Set the cookie when csrf_token() made a new token (SameSite=Strict, not for scripts)."""
    if token := getattr(request.state, "new_csrf", None):
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")


async def checked_form(request: Request, limits: Limits, max_files: int = 200):
    """The POST's form, parsed within collect's intake limits; 403 without a valid token.

    The header is checked before the body is read, so a forged upload is not even stored.
    """
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if header and not _same(cookie, header):
        raise HTTPException(403, official_marks("请求缺少有效的安全令牌,请刷新页面后重试。"))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max(1, max_files) * limits.max_file_bytes + (1 << 20):
        raise HTTPException(413, official_marks("上传的内容超过大小上限,未接收。请分批上传。"))
    try:
        form = await request.form(max_files=max_files, max_fields=100, max_part_size=1 << 20)
    except HTTPException as exc:  # the parser's own (English) reason: too many files or fields
        raise HTTPException(400, official_marks(f"上传的文件或字段过多(每次最多 {max_files} 个文件),未接收。")) from exc
    if not header and not _same(cookie, str(form.get(CSRF_FIELD, ""))):
        await form.close()
        raise HTTPException(403, official_marks("请求缺少有效的安全令牌,请刷新页面后重试。"))
    return form


def _same(cookie: str, sent: str) -> bool:
    return len(cookie) >= 32 and hmac.compare_digest(cookie.encode(), sent.encode())


def uploads(form, name: str = "files") -> list[UploadFile]:
    """The uploaded files of a form field (empty file inputs left out)."""
    return [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]


async def save_upload(upload: UploadFile, folder: Path, limits: Limits) -> Path:
    """Store an upload under a safe name in `folder`; Refused past the size limit,
    the part written so far removed."""
    name = Path(upload.filename.replace("\\", "/")).name
    stem, dot, ext = name.rpartition(".")
    base, suffix = (stem, f".{ext}") if dot else (name, "")
    folder.mkdir(parents=True, exist_ok=True)
    target, n = folder / safe_filename(base, suffix), 1
    while True:  # two uploads of the same name (the same attachment from two e-mails) both kept
        try:
            out = open(target, "xb")
            break
        except FileExistsError:
            n += 1
            target = folder / safe_filename(f"{base} ({n})", suffix)
    size = 0
    with out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limits.max_file_bytes:
                break
            out.write(chunk)
    if size > limits.max_file_bytes:
        target.unlink(missing_ok=True)
        raise Refused(official_marks(f"文件“{name}”超过 {limits.max_file_bytes // (1 << 20)} MB 的上限,未接收。"))
    return target


def file_times(sent: str, count: int) -> list[float | None]:
    """The uploaded files' own modification times (seconds), as the page's script sends them
    (JSON milliseconds, one per file, in order); None for each when missing or implausible —
    the file then keeps the upload's time."""
    try:
        times = json.loads(sent) if sent else []
    except ValueError:
        times = []
    if not isinstance(times, list) or len(times) != count:
        return [None] * count
    latest = time.time() + 86400  # a clock a day fast is a wrong clock, not a future file
    return [t / 1000 if isinstance(t, (int, float)) and 0 < t / 1000 <= latest else None
            for t in times]
