"""Where the worker listens for the receivers' wake-ups, and that a datagram wakes the lanes
of its source; a worker started again replaces the socket file a killed one left."""

from __future__ import annotations

import socket
import tempfile
import threading
from pathlib import Path

import pytest

from connector.config import Config, load_config
from connector.wakeup import WakeListener, WakeSender, wake_path

SHORT = "/var/lib/helpdesk-connector/helpdesk-connector.db"
LONG = "/var/lib/" + "x" * 120 + "/helpdesk-connector.db"


def config(store: str, wake: str | None = None) -> Config:
    return Config.model_validate({"store": {"url": store}, "worker": {"wake_socket": wake}})


@pytest.mark.parametrize(("store", "wake", "expected"), [
    (f"sqlite:///{SHORT}", None, f"{SHORT}.wake"),  # beside the database: its data directory
    (f"sqlite:///{LONG}", None, "temp"),  # too long for a socket address
    ("postgresql+psycopg://c@db/hdc", None, "temp"),
    ("postgresql+psycopg://c@db/hdc", "/run/helpdesk-connector/wake",
     "/run/helpdesk-connector/wake"),
])
def test_the_worker_listens_where_the_receivers_send(store: str, wake: str | None,
                                                      expected: str) -> None:
    found = wake_path(config(store, wake))
    if expected == "temp":
        assert Path(found).parent == Path(tempfile.gettempdir())
        assert found == wake_path(config(store, wake))  # the same for every process
    else:
        assert found == expected


def test_a_relative_wake_socket_follows_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text("worker: {wake_socket: run/wake}\n", encoding="utf-8")
    assert load_config(path).worker.wake_socket == str(tmp_path / "run" / "wake")


def test_a_datagram_wakes_its_source_and_a_stale_socket_is_replaced(tmp_path: Path) -> None:
    path = str(tmp_path / "c.db.wake")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    stale.bind(path)
    stale.close()  # a killed worker's file: nobody receives on it
    woken: list[str | None] = []
    got = threading.Event()

    def wake(source: str | None) -> None:
        woken.append(source)
        got.set()

    listener = WakeListener(path, wake)
    assert listener.start()
    try:
        WakeSender(path)("gitlab")
        assert got.wait(30)
        assert woken == ["gitlab"]
        assert not WakeListener(path, wake).start()  # a second worker: it polls instead
    finally:
        listener.stop()
    assert not Path(path).exists()
    WakeSender(path)("gitlab")  # nobody listening: no error, the ack goes on
