"""The gunicorn worker `run` uses: gunicorn's threaded worker whose own error answers (a request
it cannot parse, before the app sees it) are one-line JSON like the app's, not HTML pages, and
which closes the connection after an answer that says `Connection: close` (a refused body the
app drained, webhooks/draining.py) — gunicorn drops that header from an app's answer.

Znuny's web service client and the trackers read every answer as JSON; an HTML page from the
HTTP layer would surface there as a parse error instead of the reason. Use it with plain
gunicorn too: `gunicorn -k webhooks.server.JsonErrorWorker …`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from gunicorn import util
from gunicorn.http.errors import ParseException
from gunicorn.workers.gthread import ThreadWorker

from connector.jsonstyle import http_json

WORKER_CLASS = "webhooks.server.JsonErrorWorker"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """What gunicorn writes for a request it refuses, as {"error": "..."} on one line."""
    error = f"{reason}: {mesg}" if mesg else reason
    body = http_json({"error": " ".join(error.split())[:300]}).encode()
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


BODY_SECONDS = 5.0  # a body that sends nothing for this long is not coming (408)


def closing_when_asked(app: WsgiApp) -> WsgiApp:
    """The app's `Connection: close` made gunicorn's: the start_response gunicorn passes is a
    method of its response, whose force_close ends the connection after the answer. Reading a
    body waits BODY_SECONDS for each piece: a client that stops mid-body (a chunk declared far
    beyond the limit, then silence) holds no thread longer."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        if isinstance(sock, socket.socket):
            sock.settimeout(BODY_SECONDS)  # gthread puts it back to non-blocking after
        environ["wsgi.input"] = _Body(environ["wsgi.input"])
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if any(k.lower() == "connection" and v.strip().lower() == "close"
                   for k, v in headers):
                getattr(getattr(start_response, "__self__", None), "force_close", _no_op)()
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return serve


class _Body:
    """gunicorn's request body, its chunk errors (ParseException, no OSError) as ValueError:
    a body the client broke is the client's error (400), not the app's (webhooks/body.py)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def read(self, size: int | None = None) -> bytes:
        return self._guarded(self.stream.read, size)

    def readline(self, size: int | None = None) -> bytes:
        return self._guarded(self.stream.readline, size)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        lines: list[bytes] = self._guarded(self.stream.readlines, hint)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    @staticmethod
    def _guarded(read: Callable[[Any], Any], size: Any) -> Any:
        try:
            return read(size)
        except ParseException as exc:
            raise ValueError(f"malformed body: {type(exc).__name__}") from None


def _no_op() -> None:
    """Nothing to tell a start_response that is not gunicorn's response."""
