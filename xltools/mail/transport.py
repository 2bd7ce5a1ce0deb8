"""Connections to the office's SMTP and IMAP servers: TLS verified (or pinned by the
certificate's sha256), login only with a user, every failure one Chinese MailError."""
from __future__ import annotations

import contextlib
import hashlib
import imaplib
import smtplib
import socket
import ssl
from typing import Iterator

from .settings import MailError, MailSettings

def fingerprint(der: bytes) -> str:
    """A certificate's sha256 as AB:CD:…, the way browsers and openssl show it."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def _norm(pin: str) -> str:
    return "".join(c for c in pin.upper().removeprefix("SHA256:") if c in "0123456789ABCDEF")


def check_pin(sock, pin: str, where: str) -> None:
    """MailError unless the TLS peer's certificate has the pinned sha256 (no pin: no-op)."""
    if not pin:
        return
    der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
    got = fingerprint(der) if der else "(无证书)"
    if _norm(got) != _norm(pin):
        raise MailError(f"{where}服务器的证书指纹与设置的不一致(设置为 {pin},实际为 {got}),"
                        "可能连到了冒充的服务器,已停止,未发送密码。如服务器确已更换证书,"
                        "请向信息中心核实后更新 fingerprint。")


# (kinds of exception, what is said): the first that matches; {at} is "<where>服务器 host:port"
_FAILURES = [
    (ssl.SSLCertVerificationError, "{at} 的证书无法验证({exc.verify_message})。如是单位内网自己的证书,"
                                   "请向信息中心索取证书指纹,填入设置的 fingerprint。"),
    (ssl.SSLError, "{at} 的加密连接失败({reason})。请核对端口和加密方式(ssl / starttls / none)。"),
    ((smtplib.SMTPServerDisconnected, imaplib.IMAP4.abort), "{at} 断开了连接({text})。请核对端口和加密方式,或稍后重试。"),
    (smtplib.SMTPNotSupportedError, "{at} 不支持所需的功能({text})。如服务器要求加密,"
                                    "请把加密方式设为 starttls 或 ssl。"),
    ((smtplib.SMTPException, imaplib.IMAP4.error), "{at} 拒绝了请求({text})。请核对端口、加密方式和账户设置。"),
    ((socket.timeout, TimeoutError), "{at} 无响应(超时)。请检查网络,或稍后重试。"),
    # refused, unknown host, network down
    (OSError, "无法连接{at}({kind}:{exc})。请检查服务器地址、端口和网络,或稍后重试。"),
    (BaseException, "{at} 出错({kind}:{text})。"),
]
# per server: its name in messages, the TLS and the plain connection, the keyword that hands
# either a TLS context, the error of a refused login, and the polite way to end
_PROTOCOLS = {
    "smtp": ("发信(SMTP)", smtplib.SMTP_SSL, smtplib.SMTP, "context", smtplib.SMTPAuthenticationError,
             "quit"),
    "imap": ("收信(IMAP)", imaplib.IMAP4_SSL, imaplib.IMAP4, "ssl_context", imaplib.IMAP4.error,
             "logout"),
}


def _failure(exc: BaseException, where: str, host: str, port: int) -> MailError:
    """The one Chinese message for a connection failure."""
    if isinstance(exc, MailError):
        return exc
    said = next(text for kinds, text in _FAILURES if isinstance(exc, kinds))
    return MailError(said.format(at=f"{where}服务器 {host}:{port}", exc=exc, text=reply(exc),
                                 kind=type(exc).__name__, reason=getattr(exc, "reason", None) or exc))


@contextlib.contextmanager
def connection(settings: MailSettings, server: str, pw: str | None) -> Iterator:
    """A connection to the "smtp" or "imap" server for a with block (TLS as set, the pin
    checked before anything is sent, logged in when a user is set), closed politely after
    it; MailError on any failure."""
    settings.need(server)
    where, tls, plain, context, bad_login, close = _PROTOCOLS[server]
    host, port = getattr(settings, f"{server}_host"), settings.port(server)
    sec, pin = getattr(settings, f"{server}_security"), getattr(settings, f"{server}_fingerprint")
    try:
        ctx = ssl.create_default_context()
        if pin:  # the server's own certificate is checked by its fingerprint instead (check_pin)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        conn = tls(host, port, timeout=settings.timeout, **{context: ctx}) if sec == "ssl" else \
            plain(host, port, timeout=settings.timeout)
        if sec == "starttls":
            conn.starttls(**{context: ctx})
        if sec != "none":
            check_pin(conn.sock, pin, where)
        if settings.user:
            conn.login(settings.user, pw or "")
    except Exception as exc:  # noqa: BLE001 - every failure is one message
        if isinstance(exc, bad_login) and not isinstance(exc, imaplib.IMAP4.abort):
            raise MailError(f"{where}服务器 {host}:{port} 拒绝登录:用户名或密码不对({reply(exc)})。"
                            "请核对后重新运行(密码见环境变量 XLTOOLS_MAIL_PASSWORD 或系统钥匙串)。"
                            ) from None
        raise _failure(exc, where, host, port) from None
    try:
        yield conn
    finally:
        with contextlib.suppress(Exception):
            getattr(conn, close)()


def reply(exc: BaseException) -> str:
    """What a server replied in a failure (decoded), else the failure's own words."""
    arg = exc.args[0] if exc.args else exc
    if isinstance(arg, bytes):
        return arg.decode("utf-8", "replace")
    smtp_error = getattr(exc, "smtp_error", None)
    return smtp_error.decode("utf-8", "replace") if isinstance(smtp_error, bytes) else str(arg)
