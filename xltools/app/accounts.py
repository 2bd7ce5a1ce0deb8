"""Accounts for a desk shared on the office LAN: argon2 password hashes, signed sessions,
rate-limited logins.

Users live in <workspace>/.xltools-users.json (name -> argon2 hash, never the password);
the session key in <workspace>/.xltools-session-key (random, made once). With no user the
desk serves only this PC (127.0.0.1) and asks nobody to log in.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections import deque
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .workspace import Refused

USERS_FILE = ".xltools-users.json"
KEY_FILE = ".xltools-session-key"
SESSION_HOURS = 8  # a working day; the clerk logs in again the next morning
MIN_PASSWORD = 8
MAX_FAILURES = 5  # failed logins allowed per window, per user name and per address
FAILURE_WINDOW = 600.0  # seconds
_HASHER = PasswordHasher()


def load_users(root: Path) -> dict[str, dict]:
    """{name: {"hash": …, "created": …}}; {} when nobody has been added."""
    try:
        data = json.loads((Path(root) / USERS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}


def user_count(root: Path) -> int:
    """How many accounts the workspace has."""
    return len(load_users(root))


def add_user(root: Path, name: str, password: str) -> None:
    """Create or reset an account (the password stored only as an argon2 hash)."""
    name = " ".join(str(name).split())
    if not name or len(name) > 40:
        raise Refused("用户名不能为空,且不超过 40 个字。")
    if len(password) < MIN_PASSWORD:
        raise Refused(f"密码至少 {MIN_PASSWORD} 位。")
    users = load_users(root)
    users[name] = {"hash": _HASHER.hash(password),
                   "created": datetime.now().isoformat(timespec="seconds")}
    _write_private(Path(root) / USERS_FILE, json.dumps(users, ensure_ascii=False, indent=1))


def verify(root: Path, name: str, password: str) -> bool:
    """Whether `password` is `name`'s (constant work for unknown names too)."""
    stored = load_users(root).get(name, {}).get("hash")
    try:
        # an unknown name still costs one hash, so timing does not tell names apart
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def session_key(root: Path) -> str:
    """The key that signs session cookies: made once per workspace, kept beside it."""
    path = Path(root) / KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        _write_private(path, key)
        return key


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read where the OS has modes (on Windows the user's
    profile folder is already private to the user; chmod there only sets read-only); the
    workspace folder made when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


class LoginThrottle:
    """At most MAX_FAILURES failed logins per FAILURE_WINDOW, per user name and per address."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW,
                 clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def wait(self, name: str, address: str) -> int:
        """Seconds until another try is allowed (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [int(self.window - (now - q[0])) + 1 for key in (f"u:{name}", f"a:{address}")
                     if len(q := self._recent(key, now)) >= self.limit]
        return max(waits, default=0)

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (f"u:{name}", f"a:{address}"):
                self._recent(key, now).append(now)
