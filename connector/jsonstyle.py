"""JSON written one way: HTTP answers compact on one line (machines read them), CLI output
indented (people read it); both keep Russian text as it is, keys in the order written."""

from __future__ import annotations

import json
from typing import Any

COMPACT = {"separators": (",", ":"), "ensure_ascii": False}


def http_json(value: Any) -> str:
    """An HTTP answer's body, as Flask's jsonify writes it in every app (webhooks/app.py)."""
    return json.dumps(value, **COMPACT) + "\n"  # type: ignore[arg-type]


def cli_json(value: Any) -> str:
    """A command's `--json` output."""
    return json.dumps(value, ensure_ascii=False, indent=2)
