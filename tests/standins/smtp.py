"""A stand-in SMTP server (aiosmtpd on 127.0.0.1): takes every letter and keeps it; can refuse
the next transactions with a 4xx (try later) or 5xx (never) code, as a mail relay does."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Handler:
    def __init__(self) -> None:
        self.letters: list[tuple[list[str], Message]] = []
        self.refusals: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
            raw = envelope.content if isinstance(envelope.content, bytes) else \
                str(envelope.content).encode()
            self.letters.append((list(envelope.rcpt_tos),
                                 email.message_from_bytes(raw, policy=email.policy.default)))
        return "250 OK"


class StandInSmtp:
    def __init__(self) -> None:
        self._handler = _Handler()
        self._port = _free_port()  # aiosmtpd's Controller cannot start on port 0
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self._port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return self._port

    def refuse_next(self, reply: str = "451 4.3.0 Try again later") -> None:
        with self._handler.lock:
            self._handler.refusals.append(reply)

    def letters(self) -> list[tuple[list[str], Message]]:
        with self._handler.lock:
            return list(self._handler.letters)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
