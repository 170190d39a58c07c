"""A body over the limit is answered 413 even while its sender keeps sending it: the server reads
and drops the rest (up to DRAIN_LIMIT), then answers in one line of JSON and closes, so a client
that writes its whole body before reading — as most do — reads the reason instead of a reset
connection. A body declared beyond DRAIN_LIMIT is answered at once, without waiting for it.
Checked on real servers: werkzeug's (the dev server) and gunicorn's (`helpdesk-connector run`)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import yaml
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import WEBHOOK_SECRET, config_data, issue_hook
from tests.processes import ConnectorProcess
from webhooks.draining import DRAIN_LIMIT
from webhooks.extension import MAX_BODY

HEAD = ("POST /webhooks/gitlab HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Gitlab-Event: Issue Hook\r\nX-Gitlab-Token: {WEBHOOK_SECRET}\r\n")
PIECE = 64 * 1024


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`helpdesk-connector run` (gunicorn) on SQLite; no vendor is ever called."""
    tmp = tmp_path_factory.mktemp("run")
    config = tmp / "config.yml"
    config.write_text(yaml.safe_dump(config_data(f"sqlite:///{tmp / 'hdc.db'}")),
                      encoding="utf-8")
    process = ConnectorProcess(config)
    try:
        process.wait_healthy()
        yield process.port
    finally:
        process.stop()


@pytest.fixture
def werkzeug_port(sqlite_url: str, make_app: Callable[..., Flask]) -> Iterator[int]:
    """The dev server werkzeug runs (`flask run`), threaded, in this process."""
    server = make_server("127.0.0.1", 0, make_app(sqlite_url), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join()


SERVERS = [pytest.param("werkzeug_port", id="werkzeug"),
           pytest.param("gunicorn_port", id="gunicorn", marks=pytest.mark.slow)]


def sent_whole(port: int, head: str, body: Iterator[bytes], *, closed: bool = True) -> bytes:
    """The answer a client reads that writes the whole request first and only then reads;
    with `closed`, the server must close the connection after it."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode() + b"\r\n")
        for piece in body:
            sock.sendall(piece)
        raw = read_answer(sock)
        if closed:
            assert sock.recv(PIECE) == b"", "the connection stays open after a refused body"
        return raw


def read_answer(sock: socket.socket) -> bytes:
    """One HTTP answer: its head and as much body as its Content-Length says."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        raw += sock.recv(PIECE) or pytest.fail(f"closed before an answer: {raw[:300]!r}")
    top, _, rest = raw.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in top.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(rest) < length:
        rest += sock.recv(PIECE) or pytest.fail(f"answer cut short: {raw[:300]!r}")
    return top + b"\r\n\r\n" + rest


def pieces(size: int, chunked: bool = False) -> Iterator[bytes]:
    """`size` bytes of a JSON-looking body, in pieces (HTTP chunks when chunked)."""
    sent = 0
    while sent < size:
        n = min(PIECE, size - sent)
        piece = b"{" if sent == 0 else b" " * n
        piece = piece + b" " * (n - len(piece))
        yield f"{n:x}\r\n".encode() + piece + b"\r\n" if chunked else piece
        sent += n
    if chunked:
        yield b"0\r\n\r\n"


def refused_too_large(raw: bytes) -> None:
    """A 413 with a one-line JSON reason."""
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ") or head.startswith(b"HTTP/1.0 413 "), raw[:300]
    error = json.loads(body)["error"]
    assert "larger than" in error and "\n" not in error


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("size", [MAX_BODY + 1, 3 * MAX_BODY, DRAIN_LIMIT],
                         ids=["just over", "3 MiB", "the drain limit"])
def test_a_body_declared_over_the_limit_and_sent_whole_is_answered_413(
        request: pytest.FixtureRequest, server: str, size: int) -> None:
    port = request.getfixturevalue(server)
    raw = sent_whole(port, f"{HEAD}Content-Length: {size}\r\n", pieces(size))
    refused_too_large(raw)


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("size", [MAX_BODY + 1, 3 * MAX_BODY], ids=["just over", "3 MiB"])
def test_a_chunked_body_over_the_limit_sent_whole_is_answered_413(
        request: pytest.FixtureRequest, server: str, size: int) -> None:
    port = request.getfixturevalue(server)
    raw = sent_whole(port, f"{HEAD}Transfer-Encoding: chunked\r\n", pieces(size, chunked=True))
    refused_too_large(raw)


@pytest.mark.parametrize("server", SERVERS)
def test_a_body_declared_beyond_the_drain_limit_is_answered_without_waiting_for_it(
        request: pytest.FixtureRequest, server: str) -> None:
    port = request.getfixturevalue(server)
    head = f"{HEAD}Content-Length: {100 * DRAIN_LIMIT}\r\n"
    raw = sent_whole(port, head, iter([b"{" + b" " * (PIECE - 1)]),  # and then nothing
                     closed=False)  # werkzeug's dev server waits for more; gunicorn closes
    refused_too_large(raw)



@pytest.mark.parametrize("server", SERVERS)
def test_a_body_refused_before_it_is_read_is_drained_too(
        request: pytest.FixtureRequest, server: str) -> None:
    """A wrong token is answered 401 before the body is read: the sender still reads it."""
    port = request.getfixturevalue(server)
    head = HEAD.replace(WEBHOOK_SECRET, "wrong") + f"Content-Length: {MAX_BODY}\r\n"
    raw = sent_whole(port, head, pieces(MAX_BODY))
    assert raw.startswith(b"HTTP/1.1 401 ") or raw.startswith(b"HTTP/1.0 401 "), raw[:300]


@pytest.mark.slow
def test_gunicorn_keeps_the_connection_of_a_request_whose_body_was_read(
        gunicorn_port: int) -> None:
    """Only a refused body closes the connection: a body read whole keeps it alive."""
    body = json.dumps(issue_hook("L2")).encode()
    head = f"{HEAD}Content-Length: {len(body)}\r\n"
    with socket.create_connection(("127.0.0.1", gunicorn_port), timeout=20) as sock:
        for _ in range(2):  # the second on the same connection
            sock.sendall(head.encode() + b"\r\n" + body)
            raw = read_answer(sock)
            assert raw.startswith(b"HTTP/1.1 200 "), raw[:300]
            assert b"connection: close" not in raw.lower()
