"""The gunicorn worker `run` uses: gunicorn's threaded worker whose own error answers (a request
it cannot parse, before the app sees it) are one-line JSON like the app's, not HTML pages, and
which closes the connection after an answer that says `Connection: close` (a refused body the
app drained, webhooks/draining.py) — gunicorn drops that header from an app's answer.

Znuny's web service client and the trackers read every answer as JSON; an HTML page from the
HTTP layer would surface there as a parse error instead of the reason. Use it with plain
gunicorn too: `gunicorn -k webhooks.server.JsonErrorWorker …`.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

WORKER_CLASS = "webhooks.server.JsonErrorWorker"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """What gunicorn writes for a request it refuses, as {"error": "..."} on one line."""
    error = f"{reason}: {mesg}" if mesg else reason
    body = json.dumps({"error": " ".join(error.split())[:300]}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1", "replace")
    util.write_nonblock(sock, head + body)


class JsonErrorWorker(ThreadWorker):  # type: ignore[misc,unused-ignore]
    """gunicorn's gthread worker answering its own errors in JSON."""

    wsgi: WsgiApp  # set by gunicorn's load_wsgi

    def init_process(self) -> Any:
        # gunicorn's handle_error looks write_error up on its util module at each error; this
        # process serves only the connector, so the replacement is process-wide on purpose.
        util.write_error = write_json_error
        return super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = closing_when_asked(self.wsgi)


def closing_when_asked(app: WsgiApp) -> WsgiApp:
    """The app's `Connection: close` made gunicorn's: the start_response gunicorn passes is a
    method of its response, whose force_close ends the connection after the answer."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if any(k.lower() == "connection" and v.strip().lower() == "close"
                   for k, v in headers):
                getattr(getattr(start_response, "__self__", None), "force_close", _no_op)()
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return serve


def _no_op() -> None:
    """Nothing to tell a start_response that is not gunicorn's response."""
