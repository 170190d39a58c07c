"""`run` tries its listening address before gunicorn does: a busy or forbidden port is one
line naming `--port`, not gunicorn's retry loop and traceback."""

from __future__ import annotations

import errno
import socket

from connector.errors import ConfigError

HINTS = {errno.EADDRINUSE: "another process listens there: stop it, or choose a free port "
                           "with --port",
         errno.EACCES: "ports below 1024 need root: choose one above with --port",
         errno.EADDRNOTAVAIL: "no interface of this host has that address: fix --host"}


def ensure_free(host: str, port: int) -> None:
    """Bind and release host:port the way gunicorn will (SO_REUSEADDR), or raise ConfigError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            hint = HINTS.get(exc.errno or 0, "choose another address with --host or --port")
            raise ConfigError([f"cannot listen on {host}:{port}: "
                               f"{exc.strerror or exc} — {hint}"]) from None
