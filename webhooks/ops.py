"""Operations endpoints: health of the store and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from connector.store.db import reading

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    """200 when the store answers, 503 otherwise."""
    connector = current_app.extensions["helpdesk_connector"].connector
    try:
        with reading(connector.engine) as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return jsonify(status="unhealthy", store=type(exc).__name__), 503
    return jsonify(status="ok", store="reachable")


@bp.get("/metrics")
def metrics() -> Response:
    connector = current_app.extensions["helpdesk_connector"].connector
    return Response(generate_latest(connector.metrics.registry), mimetype=CONTENT_TYPE_LATEST)
