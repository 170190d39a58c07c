"""Structured logs (one JSON object per line) with every configured secret redacted."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from typing import Any

from connector.config import LoggingConfig

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record and its `extra` fields as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """A stream handler that redacts after formatting, so `extra` fields are covered too."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(sys.stderr)
        self.secrets = [s for s in secrets if len(s) >= 4]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class RepeatFilter(logging.Filter):
    """A warning or error identical to one logged in the last `window` seconds is dropped;
    the first one after the window says how many were (a flood of one failure is one line)."""

    def __init__(self, window: float = 60.0) -> None:
        super().__init__()
        self.window = window
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int, str], list[float]] = {}  # key → [first seen, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key, now = (record.name, record.levelno, record.getMessage()), time.monotonic()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[0] < self.window:
                seen[1] += 1
                return False
            self._seen[key] = [now, 0]
            if len(self._seen) > 2000:  # forget what has not recurred
                self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.window}
        if seen is not None and seen[1]:
            record.repeated = int(seen[1])
            record.msg = f"{record.getMessage().replace('%', '%%')} (%d more like it were " \
                         "not logged)"
            record.args = (int(seen[1]),)
        return True


def every_so_often(log: logging.Logger, message: str, *, exc_info: bool = False) -> None:
    """A warning that may recur at every tick: the RepeatFilter keeps it to a line a minute."""
    log.warning("%s", message, exc_info=exc_info)


def setup_logging(config: LoggingConfig, secrets: list[str]) -> None:
    """Install the root handler once per process."""
    handler = RedactingHandler(secrets)
    handler.addFilter(RepeatFilter())
    handler.setFormatter(JsonFormatter() if config.format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick is noise
