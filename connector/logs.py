"""Structured logs (one JSON object per line) with every configured secret redacted."""

from __future__ import annotations

import json
import logging
import sys
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


def setup_logging(config: LoggingConfig, secrets: list[str]) -> None:
    """Install the root handler once per process."""
    handler = RedactingHandler(secrets)
    handler.setFormatter(JsonFormatter() if config.format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick is noise
