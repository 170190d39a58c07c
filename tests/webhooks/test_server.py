"""Requests gunicorn refuses before the app sees them are answered in one line of JSON too."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.processes import ConnectorProcess
from tests.standins.gitlab import StandInGitLab
from webhooks.server import write_json_error


def _answer(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, body


def test_a_refused_request_gets_its_reason_as_json() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        write_json_error(ours, 400, "Bad Request", "Invalid HTTP request line: '\x00\r\n  x'")
        ours.shutdown(socket.SHUT_WR)
        raw = b"".join(iter(lambda: theirs.recv(4096), b""))
    status, headers, body = _answer(raw)
    assert status == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    error = json.loads(body)["error"]
    assert error.startswith("Bad Request: Invalid HTTP request line") and "\n" not in error


@pytest.fixture
def connector(sqlite_url: str, standin_gitlab: StandInGitLab,
              write_config: Callable[..., Path]) -> Iterator[ConnectorProcess]:
    process = ConnectorProcess(write_config(sqlite_url, standin_gitlab, embedded=True))
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


@pytest.mark.slow
@pytest.mark.parametrize(("request_bytes", "code"), [
    pytest.param(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400,
                 id="tls-hello-on-http"),
    pytest.param(b"GET /healthz HTTP/1.1\r\nBad Header Without Colon\r\n\r\n", 400,
                 id="bad-header"),
    pytest.param(b"POST /webhooks/gitlab HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431,
                 id="header-over-8k"),
])
def test_run_answers_unparseable_requests_in_json(
        connector: ConnectorProcess, request_bytes: bytes, code: int) -> None:
    with socket.create_connection(("127.0.0.1", connector.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        raw = b"".join(iter(lambda: sock.recv(4096), b""))
    status, headers, body = _answer(raw)
    assert status.startswith(f"HTTP/1.1 {code} ")
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]
