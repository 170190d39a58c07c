"""Chunked bodies as a broken or hostile client sends them, on the servers the connector runs
on (werkzeug's, and gunicorn's under `helpdesk-connector run`), over raw sockets: a chunk-size
line that is not hexadecimal is the client's error — a 4xx with a one-line reason, never the
app's «internal error» 503 (which tells GitLab to retry the same broken body) on a connection
kept alive; and one chunk declared far beyond the limit, then silence, is refused within the
body timeout, not waited for forever."""

from __future__ import annotations

import json
import socket

import pytest

from tests.webhooks.conftest import make_app
from tests.webhooks.test_body_limit import HEAD, PIECE, gunicorn_port, werkzeug_port
from webhooks.draining import DRAIN_LIMIT

__all__ = ["gunicorn_port", "make_app", "werkzeug_port"]

SERVERS = [pytest.param("werkzeug_port", id="werkzeug"),
           pytest.param("gunicorn_port", id="gunicorn", marks=pytest.mark.slow)]


def answer_to(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of the one answer to `request`."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(request)
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += sock.recv(PIECE) or pytest.fail(f"closed before an answer: {raw[:300]!r}")
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:])}
        while len(body) < int(headers.get("content-length", "0")):
            body += sock.recv(PIECE) or pytest.fail("answer cut short")
        return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("chunks", [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n"],
                         ids=["size not hex", "no CRLF after the data"])
def test_a_malformed_chunked_body_is_a_4xx_not_an_internal_error(
        request: pytest.FixtureRequest, server: str, chunks: bytes) -> None:
    port = request.getfixturevalue(server)
    status, headers, body = answer_to(
        port, f"{HEAD}Transfer-Encoding: chunked\r\n\r\n".encode() + chunks)

    assert 400 <= status < 500, (status, body)
    assert "\n" not in json.loads(body)["error"]
    assert headers.get("connection", "").lower() == "close"  # the stream is out of step


@pytest.mark.parametrize("server", SERVERS[1:])  # what `run` serves with; not the dev server
def test_a_chunk_declared_beyond_the_drain_limit_is_refused_without_waiting_for_it(
        request: pytest.FixtureRequest, server: str) -> None:
    port = request.getfixturevalue(server)
    size = f"{100 * DRAIN_LIMIT:x}"
    status, _, body = answer_to(port, f"{HEAD}Transfer-Encoding: chunked\r\n\r\n{size}\r\n"
                                .encode() + b"{" + b" " * (PIECE - 1))  # and then nothing

    # The app cannot see a chunk's declared size (the server decodes chunks): under the
    # connector's gunicorn worker the body that stops coming is refused after BODY_SECONDS of
    # silence, within this socket's 15 s (408); werkzeug's server refuses the chunk itself.
    assert 400 <= status < 500, (status, body)
