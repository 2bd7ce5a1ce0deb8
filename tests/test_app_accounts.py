"""Desk accounts: argon2 hashes, login required once accounts exist, signed expiring
sessions, rate-limited logins, and the LAN address allowed only with accounts."""
from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from xltools.app import create_app
from xltools.app.accounts import (MAX_FAILURES, SESSION_HOURS, USERS_FILE, LoginThrottle,
                                  add_user, user_count, verify)
from xltools.app.security import CSRF_COOKIE, host_refusal
from xltools.app.workspace import Refused
from xltools.cli import app as cli_app

NAME = "\u5f20\u4e09"  # 张三
PASSWORD = "correct horse 9"


def _token(client: TestClient) -> str:
    client.get("/login")
    return client.cookies[CSRF_COOKIE]


def _login(client: TestClient, password: str = PASSWORD, name: str = NAME):
    return client.post("/login", data={"csrf": _token(client), "user": name,
                                       "password": password, "next": "/"},
                       follow_redirects=False)


@pytest.fixture
def ws(tmp_path):
    add_user(tmp_path, NAME, PASSWORD)
    return tmp_path


def test_the_password_is_kept_only_as_an_argon2_hash(ws):
    text = (ws / USERS_FILE).read_text(encoding="utf-8")
    stored = json.loads(text)[NAME]["hash"]
    assert PASSWORD not in text and stored.startswith("$argon2id$")
    assert verify(ws, NAME, PASSWORD) and not verify(ws, NAME, "wrong one!")
    assert not verify(ws, "\u674e\u56db", PASSWORD)  # 李四: no such user
    with pytest.raises(Refused):
        add_user(ws, "x", "short")


def test_the_cli_adds_a_user_with_a_prompted_password(tmp_path):
    got = CliRunner().invoke(cli_app, ["app", str(tmp_path), "--add-user", NAME],
                             input=f"{PASSWORD}\n{PASSWORD}\n")
    assert got.exit_code == 0, got.output
    assert user_count(tmp_path) == 1 and verify(tmp_path, NAME, PASSWORD)


def test_a_lan_address_is_allowed_only_with_accounts(ws, tmp_path_factory):
    assert host_refusal("192.168.1.20", user_count(ws)) is None
    empty = tmp_path_factory.mktemp("empty")
    got = CliRunner().invoke(cli_app, ["app", str(empty), "--host", "192.168.1.20", "--no-browser"])
    assert got.exit_code == 2 and "--add-user" in got.output


def test_with_accounts_every_page_needs_a_login(ws):
    client = TestClient(create_app(ws), raise_server_exceptions=False)
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/index.json").status_code == 401
    assert client.get("/login").status_code == 200
    got = _login(client)
    assert got.status_code == 303 and got.headers["location"] == "/"
    cookie = next(h for h in got.headers.get_list("set-cookie") if h.startswith("xltools_session="))
    assert f"Max-Age={SESSION_HOURS * 3600}" in cookie and "samesite=strict" in cookie.lower()
    home = client.get("/")
    assert home.status_code == 200 and NAME in home.text
    client.post("/logout", data={"csrf": client.cookies[CSRF_COOKIE]})
    assert client.get("/index.json").status_code == 401


def test_a_forged_session_cookie_is_not_a_login(ws):
    client = TestClient(create_app(ws), raise_server_exceptions=False)
    _login(client)
    value = client.cookies["xltools_session"]
    client.cookies.set("xltools_session", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    assert client.get("/index.json").status_code == 401


def test_logins_are_rate_limited(ws):
    client = TestClient(create_app(ws), raise_server_exceptions=False)
    for _ in range(MAX_FAILURES):
        assert _login(client, "wrong password").status_code == 401
    blocked = _login(client)  # the right password, but too many failures just now
    assert blocked.status_code == 429 and "\u5206\u949f" in blocked.text  # 分钟
    assert client.get("/index.json").status_code == 401


def test_the_throttle_forgets_old_failures():
    now = [1000.0]
    throttle = LoginThrottle(limit=2, window=600, clock=lambda: now[0])
    throttle.failed("a", "1.2.3.4")
    throttle.failed("a", "1.2.3.4")
    assert throttle.wait("a", "5.6.7.8") == 601  # the name is blocked from any address
    assert throttle.wait("b", "1.2.3.4") == 601  # and the address for any name
    now[0] += 601
    assert throttle.wait("a", "1.2.3.4") == 0


def test_without_accounts_the_desk_asks_no_login(tmp_path):
    client = TestClient(create_app(tmp_path), raise_server_exceptions=False)
    assert client.get("/index.json").status_code == 200


def test_a_redirect_after_login_stays_inside_the_desk(ws):
    client = TestClient(create_app(ws), raise_server_exceptions=False)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil"):
        got = client.post("/login", data={"csrf": _token(client), "user": NAME,
                                          "password": PASSWORD, "next": target},
                          follow_redirects=False)
        assert got.headers["location"] == "/"


def test_a_clerks_decision_is_recorded_under_the_logged_in_name(ws):
    """With accounts, the ledger's history names who acted (not 本机)."""
    import shutil
    from urllib.parse import quote

    from xltools import api
    folder = ws / "ws" / "c"
    folder.mkdir(parents=True)
    shutil.copy(api.example_dir() / "plan.xlsx", folder / "plan.xlsx")
    plan = api.load(folder / "plan.xlsx").value
    period, unit = plan.periods[0].id, plan.units_with_tasks()[0].name
    (folder / "inbox").mkdir()
    api.collect([folder / "inbox"], folder / "plan.xlsx", period, folder / "out")  # an empty ledger
    add_user(ws / "ws", NAME, PASSWORD)
    client = TestClient(create_app(ws / "ws"))
    assert _login(client).status_code == 303
    url = f"/c/c/collect/{period}/unit/{quote(unit)}"
    got = client.post(url + "/exempt.json", data={"csrf": client.cookies[CSRF_COOKIE], "on": "1"})
    assert got.status_code == 200, got.text
    assert [(h["who"], h["action"]) for h in client.get(url + ".json").json()["history"]] == \
        [(NAME, "exempt")]
