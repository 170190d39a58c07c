"""The gunicorn worker `run` uses: gunicorn's threaded worker whose own error answers (a request
it cannot parse, before the app sees it) are one-line JSON like the app's, not HTML pages.

Znuny's web service client and the trackers read every answer as JSON; an HTML page from the
HTTP layer would surface there as a parse error instead of the reason. Use it with plain
gunicorn too: `gunicorn -k webhooks.server.JsonErrorWorker …`.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

WORKER_CLASS = "webhooks.server.JsonErrorWorker"


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

    def init_process(self) -> Any:
        # gunicorn's handle_error looks write_error up on its util module at each error; this
        # process serves only the connector, so the replacement is process-wide on purpose.
        util.write_error = write_json_error
        return super().init_process()
