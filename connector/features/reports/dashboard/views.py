"""The dashboard's web pages, a blueprint the reports feature gives the app through the
registry: GET /dashboard (the figures for its filters, read-only), the login form and logout.
Off (404) until a user exists; a wrong password is a 401 with the form, too many a 429, a bad
filter a 400 with the page and one line — never a 5xx; the store down is a 503."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from connector.context import FeatureContext
from connector.features.reports.dashboard import filters, page
from connector.features.reports.dashboard.auth import (
    LOGIN_COOKIE,
    LOGIN_SECONDS,
    SESSION_COOKIE,
    Gate,
    Reader,
    Refused,
    client_address,
    same,
)
from connector.features.reports.dashboard.words import Words
from connector.features.reports.formats import regulation_title
from connector.store.db import reading

POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'")
REALM = 'Basic realm="helpdesk-connector dashboard", charset="UTF-8"'

log = logging.getLogger(__name__)


def blueprint(c: FeatureContext) -> Blueprint:
    """The dashboard's pages for one app, reading `c`."""
    bp = Blueprint("dashboard", __name__, template_folder="templates", url_prefix="/dashboard")
    gate = Gate(c)

    @bp.after_request
    def _guarded(answer: Response) -> Response:
        answer.headers.update({"Content-Security-Policy": POLICY, "X-Frame-Options": "DENY",
                               "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
                               "X-Content-Type-Options": "nosniff"})
        return answer

    @bp.get("/")
    @bp.get("")  # registered first: the one url_for gives
    def dashboard() -> Any:
        words = Words(c, filters.language(c, request.args), request.args.get("regulation"))
        try:
            return _dashboard(c, gate, words)
        except SQLAlchemyError as exc:
            return _store_down(words, exc)

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        words = Words(c, filters.language(c, request.values))
        try:
            if not _enabled(gate):
                return _off(words)
            if request.method == "GET":
                return _login_page(gate, words, 200)
            return _log_in(gate, words)
        except SQLAlchemyError as exc:
            return _store_down(words, exc)

    @bp.post("/logout")
    def logout() -> Any:
        words = Words(c, filters.language(c, request.values))
        try:
            who = gate.reader(request)
        except (Refused, SQLAlchemyError):
            who = None
        if who is not None and who.via == "session" and not same(who.csrf,
                                                                 request.form.get("csrf", "")):
            return _login_page(gate, words, 400, "dashboard_login_expired")
        answer = redirect(url_for(".login", lang=words.lang), 303)
        answer.delete_cookie(SESSION_COOKIE, path="/dashboard")
        return answer

    return bp


def _dashboard(c: FeatureContext, gate: Gate, words: Words) -> Any:
    if not _enabled(gate):
        return _off(words)
    try:
        who = gate.reader(request)
    except Refused as refused:
        return _refused(gate, words, refused, basic=True)
    if who is None:
        return _login_page(gate, words, 401)
    try:
        chosen = filters.read(c, request.args)
    except filters.FilterError as bad:
        return _page(c, words, who, None, 400, words(bad.template, **bad.values))
    return _page(c, words, who, chosen, 200)


def _page(c: FeatureContext, words: Words, who: Reader, chosen: filters.Filters | None,
          status: int, problem: str = "") -> Any:
    given = chosen.given if chosen else filters.given(request.args)
    body = render_template(
        "dashboard/page.html", t=words, who=who, problem=problem, given=given,
        view=page.view(c, chosen, words) if chosen else None,
        services=sorted(((sid, s.title) for sid, s in c.mappings.catalog.services.items()),
                        key=lambda p: p[1]),
        regulations=[(name, regulation_title(c, name)) for name in sorted(c.mappings.by_name)],
        other=filters.query_of(given, lang="en" if words.lang == "ru" else "ru"))
    return Response(body, status, mimetype="text/html")


def _log_in(gate: Gate, words: Words) -> Any:
    form = request.form
    if not gate.token_ok("login", request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf", "")):
        return _login_page(gate, words, 400, "dashboard_login_expired")
    name = form.get("name", "").strip()[:64]
    try:
        gate.check(name, form.get("password", ""), client_address(request, gate.trusted))
    except Refused as refused:
        return _refused(gate, words, refused, basic=False, name=name)
    value, _ = gate.session(name)
    back = filters.query_of(filters.given(dict(parse_qsl(form.get("next", "")[:512]))))
    answer = redirect(url_for(".dashboard") + (f"?{back}" if back else ""), 303)
    answer.set_cookie(SESSION_COOKIE, value, max_age=gate.lifetime, path="/dashboard",
                      httponly=True, samesite="Lax", secure=gate.secure(request))
    answer.delete_cookie(LOGIN_COOKIE, path="/dashboard")
    return answer


def _refused(gate: Gate, words: Words, refused: Refused, basic: bool, name: str = "") -> Any:
    answer = _login_page(gate, words, 429 if refused.limited else 401,
                         "dashboard_login_limited" if refused.limited
                         else "dashboard_login_wrong", name)
    if basic:
        answer.headers["WWW-Authenticate"] = REALM
    return answer


def _login_page(gate: Gate, words: Words, status: int, problem: str = "",
                name: str = "") -> Response:
    """The login form, with a fresh nonce in its cookie and the token tied to it."""
    nonce, token = gate.login_nonce()
    following = request.form.get("next", "") if request.method == "POST" else (
        filters.query_of(filters.given(request.args)))
    body = render_template("dashboard/login.html", t=words, csrf=token, name=name,
                           problem=words(problem) if problem else "", following=following,
                           lang=words.lang)
    answer = Response(body, status, mimetype="text/html")
    answer.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_SECONDS, path="/dashboard",
                      httponly=True, samesite="Lax", secure=gate.secure(request))
    return answer


def _enabled(gate: Gate) -> bool:
    with reading(gate.c.engine) as conn:
        return gate.enabled(conn)


def _off(words: Words) -> Response:
    return Response(words("dashboard_off") + "\n", 404, mimetype="text/plain")


def _store_down(words: Words, exc: Exception) -> Response:
    log.error("dashboard: store unavailable: %s", type(exc).__name__)
    return Response(words("dashboard_store_down") + "\n", 503, mimetype="text/plain")

