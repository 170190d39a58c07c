"""Flask application factory: receivers and operations endpoints around one Connector."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from connector.assembly import build_connector
from connector.clock import SYSTEM_CLOCK, Clock
from connector.config import Config, config_path, load_config
from connector.logs import setup_logging
from connector.runner import Runner
from webhooks import alerts, gitlab, mantis, ops, otrs, slack, telegram
from webhooks.draining import DrainedBodies
from webhooks.extension import MAX_BODY, ConnectorExtension

log = logging.getLogger(__name__)
IN_PROCESS = ("worker.embedded: the worker runs inside this web process, and webhook answers "
              "wait behind its work when it is busy: serve with `helpdesk-connector run` (the "
              "worker as its own process), or set worker.embedded: false and run "
              "`helpdesk-connector worker` beside (docs/install.md)")

def create_app(config: Config | str | None = None, *, start_worker: bool | None = None,
               setup_logs: bool = True, clock: Clock = SYSTEM_CLOCK) -> Flask:
    """Build the app; with no argument the config path comes from $HELPDESK_CONNECTOR_CONFIG.

    `helpdesk-connector run` passes start_worker=False: it runs the worker as a process of its
    own. Under plain `gunicorn 'webhooks.app:create_app()'` the worker runs inside every web
    process when `worker.embedded` is true (acks then share the interpreter with it: a warning
    says so). Tests pass a `clock` to freeze business time.
    """
    if not isinstance(config, Config):
        config = load_config(config_path(config))
    if setup_logs:
        setup_logging(config.logging, config.secrets())
    connector = build_connector(config, clock=clock)
    runner = None
    if config.worker.embedded if start_worker is None else start_worker:
        runner = Runner(connector)
        runner.start()
        if start_worker is None:
            log.warning(IN_PROCESS)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.json.compact, app.json.ensure_ascii, app.json.sort_keys = True, False, False  # type: ignore[attr-defined]
    app.wsgi_app = DrainedBodies(app.wsgi_app)  # type: ignore[method-assign]
    ConnectorExtension(connector, runner).init_app(app)

    app.register_blueprint(ops.bp)
    optional = [(config.trackers.gitlab, gitlab.bp), (config.trackers.mantis, mantis.bp),
                (config.trackers.otrs, otrs.bp), (config.chats.slack, slack.bp),
                (config.chats.telegram, telegram.bp), (config.alerts, alerts.bp)]
    for section, blueprint in optional:
        if section is not None:
            app.register_blueprint(blueprint)
    for page in connector.registry.pages:  # features' own pages (the reports' dashboard)
        app.register_blueprint(page(connector))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        limit = request.max_content_length or MAX_BODY  # a receiver may allow more
        reason = {413: f"body larger than {limit} bytes"}.get(exc.code or 0, exc.description)
        return jsonify(error=reason), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:  # boundary: log, answer without internals
        log.exception("unhandled error")
        return jsonify(error="internal error; the event was not stored"), 503

    return app
