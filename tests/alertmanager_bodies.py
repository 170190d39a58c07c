"""Alertmanager webhook bodies as Alertmanager 0.25 writes them (its field order, its zero
time), of any size: a storm of one group is one body of thousands of alerts (≈ 480 bytes each)."""

from __future__ import annotations

import json
from typing import Any

ZERO_TIME = "0001-01-01T00:00:00Z"


def am_alert(i: int, *, service: str = "erpc", status: str = "firing",
             alertname: str = "HighLatency") -> dict[str, Any]:
    """Alert `i` of a group for `service`: its own instance and fingerprint."""
    return {
        "status": status,
        "labels": {"alertname": alertname, "env": "prod", "instance": f"node-{i:05d}:9100",
                   "job": "node", "service": service, "severity": "critical"},
        "annotations": {"runbook_url": f"https://wiki.example.org/runbooks/{service}-latency",
                        "summary": f"{service}: p99 latency above 2 s on node-{i:05d}"},
        "startsAt": "2026-11-20T10:00:00.000Z",
        "endsAt": "2026-11-20T10:30:00.000Z" if status == "resolved" else ZERO_TIME,
        "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=latency_p99"
                        "%3E2&g0.tab=1",
        "fingerprint": f"{service[:4]}{i:012x}",
    }


def group_body(alerts: list[dict[str, Any]], *, service: str = "erpc",
               truncated: int = 0) -> dict[str, Any]:
    """The body of one group (grouped by service), fields in Alertmanager's order."""
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {"receiver": "helpdesk-connector", "status": status, "alerts": alerts,
            "groupLabels": {"service": service}, "commonLabels": {"service": service},
            "commonAnnotations": {}, "externalURL": "http://alertmanager.example.org:9093",
            "version": "4", "groupKey": f'{{}}:{{service="{service}"}}',
            "truncatedAlerts": truncated}


def storm(n: int, *, service: str = "erpc", first: int = 0) -> bytes:
    """One body of `n` firing alerts for `service` (5,000 ≈ 2.4 MB), compact as Go writes it."""
    alerts = [am_alert(first + i, service=service) for i in range(n)]
    return json.dumps(group_body(alerts, service=service), separators=(",", ":")).encode()
