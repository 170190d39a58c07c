"""The template ids features speak with, for the mapping loader to insist on (kept apart from
the features' flows so the loader can import it without the rest of the connector)."""

from __future__ import annotations

from connector.features.alerts.texts import TEMPLATES as ALERTS
from connector.features.outage.texts import TEMPLATES as OUTAGE
from connector.features.sla.texts import TEMPLATES as SLA

FEATURE_TEMPLATES: dict[str, set[str]] = {**ALERTS, **SLA, **OUTAGE}
