"""The alerts section's `alertmanager:` (its API base for silences, its UI for links)."""

from __future__ import annotations

from connector.configbase import HttpService


class AlertmanagerConfig(HttpService):
    """url: http://alertmanager:9093 (the API is its /api/v2)."""
