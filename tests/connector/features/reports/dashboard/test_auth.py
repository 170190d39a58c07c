"""Who may read the dashboard: nobody until a user exists (404); a user through the login form
(a session cookie, HttpOnly, SameSite=Lax, Secure over https; the form's CSRF token tied to
its own nonce cookie) or by HTTP Basic (scripts); a wrong password refused with the form
again and no cookie; the trusted proxy's header believed only from the proxy."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from connector.clock import FakeClock
from connector.core import Connector
from connector.features.reports.dashboard import users
from connector.features.reports.dashboard.auth import ATTEMPTS, SESSION_COOKIE, WINDOW
from tests.dashboard import (
    NAME,
    PASSWORD,
    add_user,
    connector_of,
    csrf_of,
    dashboard_app,
    log_in,
    problem_line,
    set_cookies,
)

PROXY = "10.0.0.7"


def basic(name: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_the_dashboard_is_off_until_a_user_exists(app: Flask) -> None:
    client = app.test_client()
    for path in ("/dashboard", "/dashboard/login"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.get_data(as_text=True) == (
            "Панель отчётов выключена: в хранилище нет ни одного пользователя.\n")
    assert client.get("/dashboard", headers=basic("anyone", "anything")).status_code == 404
    assert client.post("/dashboard/login", data={"name": "a", "password": "b"}
                       ).status_code == 404


def test_once_a_user_exists_the_page_asks_to_log_in(app: Flask, c: Connector) -> None:
    answer = app.test_client().get("/dashboard")
    assert answer.status_code == 401
    page = answer.get_data(as_text=True)
    assert "Вход в панель отчётов" in page and 'id="reliability"' not in page
    assert SESSION_COOKIE not in set_cookies(answer)


def test_the_login_form_sets_a_session_cookie_that_opens_the_page(app: Flask,
                                                                  c: Connector) -> None:
    client = app.test_client()
    answer = log_in(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/dashboard"
    cookie = set_cookies(answer)[SESSION_COOKIE]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    assert PASSWORD not in cookie
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Вы вошли как head" in page.get_data(as_text=True)


def test_over_https_the_session_cookie_is_secure(app: Flask, c: Connector) -> None:
    client = app.test_client()
    answer = log_in(client, base_url="https://dashboard.test")
    assert answer.status_code == 303
    assert "Secure" in set_cookies(answer)[SESSION_COOKIE]


@pytest.mark.parametrize(("name", "password"), [
    (NAME, "wrong password"), ("nobody", PASSWORD), (NAME, ""), ("", "")])
def test_a_wrong_password_is_refused_with_the_form_and_no_cookie(
        app: Flask, c: Connector, name: str, password: str) -> None:
    client = app.test_client()
    answer = log_in(client, name, password)
    assert answer.status_code == 401
    assert SESSION_COOKIE not in set_cookies(answer)
    page = answer.get_data(as_text=True)
    assert problem_line(page) == "Неверное имя или пароль."
    assert 'id="login"' in page
    assert client.get("/dashboard").status_code == 401


def test_too_many_wrong_passwords_wait_a_minute(app: Flask, c: Connector,
                                                clock: FakeClock) -> None:
    client = app.test_client()
    for _ in range(ATTEMPTS):
        assert log_in(client, NAME, "wrong password").status_code == 401
    refused = log_in(client)  # even the right one, for now
    assert refused.status_code == 429
    assert problem_line(refused.get_data(as_text=True)) == (
        "Слишком много неверных паролей: попробуйте через минуту.")
    clock.advance(WINDOW + 1)
    assert log_in(client).status_code == 303


@pytest.mark.parametrize("token", ["", "0" * 64, "not-hex"])
def test_a_login_form_without_its_own_token_is_refused(app: Flask, c: Connector,
                                                       token: str) -> None:
    client = app.test_client()
    client.get("/dashboard/login")
    answer = client.post("/dashboard/login", data={"csrf": token, "name": NAME,
                                                   "password": PASSWORD})
    assert answer.status_code == 400
    assert problem_line(answer.get_data(as_text=True)) == (
        "Форма устарела — введите имя и пароль ещё раз.")
    assert SESSION_COOKIE not in set_cookies(answer)


def test_a_token_from_another_browser_s_form_is_refused(app: Flask, c: Connector) -> None:
    """Login CSRF: a site that fetched a form of its own cannot post it from the victim's
    browser — the token is tied to the nonce cookie of the browser it was given to."""
    theirs = csrf_of(app.test_client().get("/dashboard/login").get_data(as_text=True))
    victim = app.test_client()
    victim.get("/dashboard/login")
    answer = victim.post("/dashboard/login", data={"csrf": theirs, "name": NAME,
                                                   "password": PASSWORD})
    assert answer.status_code == 400


def test_logout_ends_the_session(reader: FlaskClient) -> None:
    page = reader.get("/dashboard").get_data(as_text=True)
    answer = reader.post("/dashboard/logout", data={"csrf": csrf_of(page)})
    assert answer.status_code == 303
    assert set_cookies(answer)[SESSION_COOKIE].startswith(f"{SESSION_COOKIE}=;")
    assert reader.get("/dashboard").status_code == 401


def test_logout_without_the_session_s_token_keeps_it(reader: FlaskClient) -> None:
    assert reader.post("/dashboard/logout", data={"csrf": "forged"}).status_code == 400
    assert reader.get("/dashboard").status_code == 200


def test_a_removed_user_s_session_ends(reader: FlaskClient, c: Connector) -> None:
    with c.engine.begin() as conn:
        users.remove(conn, NAME)
    add_user(c, "deputy")  # the dashboard stays on
    assert reader.get("/dashboard").status_code == 401


def test_a_session_lasts_its_hours(reader: FlaskClient, clock: FakeClock) -> None:
    clock.advance(12 * 3600 - 60)
    assert reader.get("/dashboard").status_code == 200
    clock.advance(120)
    assert reader.get("/dashboard").status_code == 401


def test_http_basic_is_accepted_for_scripts(app: Flask, c: Connector) -> None:
    answer = app.test_client().get("/dashboard", headers=basic(NAME, PASSWORD))
    assert answer.status_code == 200
    assert SESSION_COOKIE not in set_cookies(answer)
    wrong = app.test_client().get("/dashboard", headers=basic(NAME, "wrong password"))
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith('Basic realm="helpdesk-connector')


@pytest.fixture
def proxied(sqlite_url: str, clock: FakeClock) -> Iterator[Flask]:
    """The dashboard behind a reverse proxy at PROXY that names people in X-Remote-User."""
    made = dashboard_app(sqlite_url, clock, trusted_header="X-Remote-User",
                         trusted_proxies=[f"{PROXY}/32"])
    yield made
    connector_of(made).engine.dispose()


@pytest.mark.parametrize(("peer", "status"), [(PROXY, 200), ("10.0.0.8", 401),
                                              ("127.0.0.1", 401)])
def test_the_trusted_header_is_believed_only_from_the_proxy(proxied: Flask, peer: str,
                                                            status: int) -> None:
    answer = proxied.test_client().get("/dashboard", headers={"X-Remote-User": "ivanova"},
                                       environ_base={"REMOTE_ADDR": peer})
    assert answer.status_code == status
    if status == 200:
        assert "Вы вошли как ivanova" in answer.get_data(as_text=True)


def test_without_the_header_the_proxy_s_requests_log_in_as_anyone(proxied: Flask) -> None:
    answer = proxied.test_client().get("/dashboard", environ_base={"REMOTE_ADDR": PROXY})
    assert answer.status_code == 401


def test_the_header_is_ignored_when_no_proxy_is_configured(app: Flask, c: Connector) -> None:
    answer = app.test_client().get("/dashboard", headers={"X-Remote-User": NAME},
                                   environ_base={"REMOTE_ADDR": PROXY})
    assert answer.status_code == 401
