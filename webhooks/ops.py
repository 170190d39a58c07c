"""Operations endpoints: health of the store, Prometheus metrics, and the operator's read-only
view of the inbox and outbox (`/ops/…`, behind `ops.token`)."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from connector import __version__, operations
from connector.core import Connector
from connector.store.db import reading

bp = Blueprint("ops", __name__)
LIST_PARAMETERS = ("status", "ticket", "limit")


def _connector() -> Connector:
    found: Connector = current_app.extensions["helpdesk_connector"].connector
    return found


@bp.get("/healthz")
def healthz() -> Any:
    """200 when the store answers, 503 otherwise; with the running version."""
    try:
        with reading(_connector().engine) as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return jsonify(status="unhealthy", store=type(exc).__name__, version=__version__), 503
    return jsonify(status="ok", store="reachable", version=__version__)


@bp.get("/metrics")
def metrics() -> Response:
    registry = _connector().metrics.scrape()
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


@bp.get("/ops/<box>")
def ops_list(box: str) -> Any:
    """Rows of the inbox or outbox, newest first: ?status=failed&ticket=gitlab:1%2323&limit=50."""
    refused = _refused(box)
    if refused is not None:
        return refused
    unknown = sorted(set(request.args) - set(LIST_PARAMETERS))
    if unknown:
        return _error(400, f"unknown parameter {unknown[0][:40]!r}; use "
                           f"{', '.join(LIST_PARAMETERS)}")
    if any(len(request.args.getlist(name)) > 1 for name in LIST_PARAMETERS):
        return _error(400, "give each parameter once")
    try:
        which = operations.make_filter(box, request.args.get("status"),
                                       request.args.get("ticket"), request.args.get("limit"))
    except operations.BadRequest as exc:
        return _error(400, str(exc))
    return _read(lambda conn: {"items": operations.list_rows(conn, box, which)})


@bp.get("/ops/<box>/<row_id>")
def ops_show(box: str, row_id: str) -> Any:
    """Everything about one row, its payload or parameters too; 404 when there is none."""
    refused = _refused(box)
    if refused is not None:
        return refused
    try:
        number = operations.parse_id(box, row_id)
    except operations.BadRequest as exc:
        return _error(400, str(exc))
    found = _read(lambda conn: operations.show(conn, box, number))
    if found is None:
        return _error(404, f"no such {operations.NOUN[box]}: {box}:{number}")
    return found


def _refused(box: str) -> Any:
    """The answer when the request may not see the box: 404 while `ops.token` is not
    configured (the endpoints do not exist) or for an unknown box, 401 for a wrong token."""
    ops = _connector().config.ops
    if ops is None or not ops.enabled or box not in operations.BOXES:
        return _error(404, "not found")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = ops.token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        answer = _error(401, "invalid or missing bearer token (ops.token)")
        answer.headers["WWW-Authenticate"] = 'Bearer realm="helpdesk-connector ops"'
        return answer
    return None


def _read(query: Any) -> Any:
    try:
        with reading(_connector().engine) as conn:
            return query(conn)
    except SQLAlchemyError as exc:
        current_app.logger.error("ops: store unavailable: %s", type(exc).__name__)
        return _error(503, "store unavailable, retry later")


def _error(code: int, reason: str) -> Response:
    answer = jsonify(error=reason)
    answer.status_code = code
    return answer
