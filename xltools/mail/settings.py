"""Mail settings: xltools.toml beside the plan, overridden by command-line options; the
password from XLTOOLS_MAIL_PASSWORD, the system keyring or a prompt, never from a file."""
from __future__ import annotations

import dataclasses
import getpass
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..model.errors import XltoolsError

SETTINGS_FILE = "xltools.toml"
PASSWORD_ENV = "XLTOOLS_MAIL_PASSWORD"
KEYRING_SERVICE = "xltools"
SECURITY = ("ssl", "starttls", "none")
PORTS = {"smtp": {"ssl": 465, "starttls": 587, "none": 25},
         "imap": {"ssl": 993, "starttls": 143, "none": 143}}
# toml key (under [mail], [mail.smtp], [mail.imap]) -> setting
_KEYS = {("mail", "user"): "user", ("mail", "from"): "mail_from", ("mail", "name"): "from_name",
         ("mail", "phone"): "phone", ("mail", "timeout"): "timeout",
         **{(server, key): f"{server}_{key}" for server in ("smtp", "imap")
            for key in ("host", "port", "security", "fingerprint")},
         ("imap", "folder"): "imap_folder"}


class MailError(XltoolsError):
    """Mail cannot go on (settings, login, server, certificate): the message is for the user."""


@dataclass(frozen=True)
class MailSettings:
    """The office's mail servers and account; ports default by security."""

    smtp_host: str = ""
    smtp_port: int = 0
    smtp_security: str = "ssl"
    smtp_fingerprint: str = ""
    imap_host: str = ""
    imap_port: int = 0
    imap_security: str = "ssl"
    imap_fingerprint: str = ""
    imap_folder: str = "INBOX"
    user: str = ""
    mail_from: str = ""
    from_name: str = ""
    phone: str = ""
    timeout: float = 30.0
    source: str = ""  # the settings file read, for messages

    def port(self, server: str) -> int:
        """The port of "smtp" / "imap": as set, else the usual one for its security."""
        return getattr(self, f"{server}_port") or PORTS[server][getattr(self, f"{server}_security")]

    @property
    def sender(self) -> str:
        """The From address: mail_from, else the login user."""
        return self.mail_from or self.user

    def need(self, server: str) -> None:
        """MailError unless the server (and a sender, to send) is configured."""
        if not getattr(self, f"{server}_host"):
            raise MailError(f"没有设置{server.upper()}服务器:请在计划文件旁的 {SETTINGS_FILE} 中填写 "
                            f"[mail.{server}] host,或用 --{server}-host 指定。")
        if server == "smtp" and "@" not in self.sender:
            raise MailError(f"没有设置发件地址:请在 {SETTINGS_FILE} 的 [mail] 中填写 from(或 user),"
                            "或用 --mail-from 指定。")


def load_settings(plan_path: str | os.PathLike | None, **overrides) -> MailSettings:
    """Settings from xltools.toml in the plan's folder (when there), then the options given
    (None = not given). MailError for a file that cannot be read or holds a password."""
    path = Path(plan_path).resolve().parent / SETTINGS_FILE if plan_path else None
    values = _read_file(path) | {"source": str(path)} if path is not None and path.is_file() else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    for server in ("smtp", "imap"):
        sec = str(values.get(f"{server}_security", "ssl")).lower()
        if sec not in SECURITY:
            raise MailError(f"{server.upper()} 的加密方式“{sec}”无效,应为 ssl、starttls 或 none。")
        values[f"{server}_security"] = sec
    try:
        values |= {f"{server}_port": int(values.get(f"{server}_port") or 0) for server in ("smtp", "imap")}
        values["timeout"] = float(values.get("timeout") or 30.0)
    except (TypeError, ValueError) as exc:
        raise MailError(f"邮件设置中的端口或超时不是数字({exc})。") from exc
    return MailSettings(**{k: v for k, v in values.items()
                           if k in {f.name for f in dataclasses.fields(MailSettings)}})


def _read_file(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MailError(f"无法读取邮件设置文件“{path}”:{exc}。请按 README 的示例改正。") from exc
    mail = data.get("mail", {})
    if not isinstance(mail, dict):
        raise MailError(f"邮件设置文件“{path}”中的 [mail] 不是一节设置。请按 README 的示例改正。")
    sections = {"mail": mail, "smtp": mail.get("smtp", {}), "imap": mail.get("imap", {})}
    if any("password" in s for s in sections.values() if isinstance(s, dict)):
        raise MailError(f"邮件设置文件“{path}”中写有密码:为安全起见,xltools 不读取文件中的密码。"
                        f"请删去 password 一行,改用环境变量 {PASSWORD_ENV}、系统钥匙串(keyring)"
                        "或运行时输入。")
    return {name: sections[section][key] for (section, key), name in _KEYS.items()
            if isinstance(sections[section], dict) and key in sections[section]}


def password(settings: MailSettings, prompt: bool = True) -> str | None:
    """The account's password: $XLTOOLS_MAIL_PASSWORD, the keyring, or a prompt at a
    terminal; None when no user is set (no login). MailError when there is none."""
    if not settings.user:
        return None
    if pw := os.environ.get(PASSWORD_ENV):
        return pw
    pw, note = _keyring(settings.user)
    if pw:
        return pw
    if prompt and sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"邮箱 {settings.user} 的密码{note}:")
    how = "或在终端中运行以便输入密码。" if prompt else "然后重新启动工作台(xltools app)。"
    raise MailError(f"没有邮箱 {settings.user} 的密码{note}。请设置环境变量 {PASSWORD_ENV},"
                    f"或用 keyring set {KEYRING_SERVICE} {settings.user} 存入系统钥匙串,{how}")


def _keyring(user: str) -> tuple[str | None, str]:
    """(password or None, why not) from the system keyring through the `keyring` command of
    the optional keyring package (run, not imported: xltools does not depend on it)."""
    exe = shutil.which("keyring")
    if exe is None:
        return None, "(未安装 keyring,无法从系统钥匙串读取密码)"
    try:
        proc = subprocess.run([exe, "get", KEYRING_SERVICE, user], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"(系统钥匙串不可用:{type(exc).__name__})"
    pw = proc.stdout.rstrip("\r\n") if proc.returncode == 0 else ""
    return (pw, "") if pw else (None, "(系统钥匙串中没有该邮箱的密码)")
