"""A refused body is read to its end (within a bound) before the answer goes out.

Most HTTP clients write the whole request before they read: answered while still sending (413
for a body over MAX_BODY, 401 before the body is read), such a client hits a closed or reset
connection and never reads the reason. So what the app left unread is read and dropped first —
exactly the declared rest of a Content-Length body, a chunked one up to its end — up to
DRAIN_LIMIT; then the answer goes out with `Connection: close`. A body declared beyond
DRAIN_LIMIT is not waited for: it is answered at once and the connection closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from webhooks.extension import MAX_BODY

DRAIN_LIMIT = 4 * MAX_BODY  # what of a refused body is read and dropped, at most
PIECE = 64 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _Counted:
    """The request's input stream, counting what is read of it."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.count = 0
        self.broken = False  # a read failed: the stream is out of step, the connection ends

    def read(self, size: int = -1) -> bytes:
        return self._counted(self.stream.read, size)

    def readline(self, size: int = -1) -> bytes:
        return self._counted(self.stream.readline, size)

    def _counted(self, read: Callable[[int], bytes], size: int) -> bytes:
        try:
            data = read(size)
        except Exception:  # noted, and passed on to whoever reads
            self.broken = True
            raise
        self.count += len(data)
        return data


class DrainedBodies:
    """WSGI middleware: the unread rest of a body is dropped before the answer (see above)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        body = _Counted(environ["wsgi.input"])
        environ["wsgi.input"] = body

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            read_by_app = body.count
            whole = not body.broken and _drain(environ, body)
            if body.count > read_by_app or not whole:
                headers = [*headers, ("Connection", "close")]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _drain(environ: dict[str, Any], body: _Counted) -> bool:
    """Read and drop what is left of the body, up to DRAIN_LIMIT: whether that was all."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        return False  # the server would have refused it; nothing sane to read
    try:
        if length >= 0:  # exactly the rest: never into a next request on the connection
            left = length - body.count
            if left > DRAIN_LIMIT:
                return False
            while left > 0:
                got = len(body.read(min(PIECE, left)))
                if not got:
                    return False  # the client stopped short
                left -= got
            return True
        if not environ.get("wsgi.input_terminated"):
            return True  # no length and not chunked: no body
        for _ in range(DRAIN_LIMIT // PIECE):
            if not body.read(PIECE):
                return True
        return not body.read(1)
    except (OSError, ValueError):  # boundary: a client gone or a broken chunk — just close
        return False
