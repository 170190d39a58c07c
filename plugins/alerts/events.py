"""Alert webhook bodies → Alert records. Pure.

Alertmanager (webhook_config, version 4)::

    {"version": "4", "status": "firing", "alerts": [{"status": "firing",
      "labels": {"alertname": "…", "severity": "…"}, "annotations": {"summary": "…"},
      "startsAt": "…", "generatorURL": "…", "fingerprint": "…"}]}

Generic (for any other monitoring)::

    {"alerts": [{"id": "disk-full-db1", "status": "firing" | "resolved", "title": "…",
      "severity": "critical", "summary": "…", "url": "…", "started_at": "…"}]}

`id` + `started_at` identify one firing; a resolved alert repeats them. Alertmanager's body
also names its group (`groupKey`, `groupLabels`, `commonLabels`, `externalURL`,
`truncatedAlerts`): each alert carries them, so the alerts channel shows one message per group.
A generic alert is a group of its own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connector.errors import PayloadError
from connector.events import Alert
from connector.timestamps import canonical

STATUSES = ("firing", "resolved")


def normalize(payload: Any) -> list[Alert]:
    """Every alert of the body, or PayloadError naming the first bad field."""
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise PayloadError("alerts: expected a JSON object with a list of alerts")
    if not payload["alerts"]:
        raise PayloadError("alerts: the list is empty")
    is_alertmanager = "version" in payload or any(
        isinstance(a, dict) and "labels" in a for a in payload["alerts"])
    parse = _alertmanager if is_alertmanager else _generic
    found = [parse(a, f"alerts[{i}]") for i, a in enumerate(payload["alerts"])]
    return [_in_group(a, payload) for a in found] if is_alertmanager else found


def _in_group(alert: Alert, body: dict[str, Any]) -> Alert:
    """The alert with what its body says of its group; a body without a groupKey (a sender
    imitating Alertmanager) makes each alert a group of its own."""
    key = body.get("groupKey")
    truncated = body.get("truncatedAlerts")
    return replace(
        alert, group_key=key[:500] if isinstance(key, str) and key else "",
        group_labels=_strings(body.get("groupLabels")),
        common_labels=_strings(body.get("commonLabels")),
        external_url=str(body.get("externalURL") or "")[:500],
        truncated=truncated if isinstance(truncated, int) and truncated > 0 else 0)


def _strings(value: Any) -> dict[str, str]:
    """A label or annotation set as text (Alertmanager sends strings; anything else is
    shown as written)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def _alertmanager(a: Any, where: str) -> Alert:
    if not isinstance(a, dict):
        raise PayloadError(f"{where}: expected an object")
    labels: dict[str, Any] = a["labels"] if isinstance(a.get("labels"), dict) else {}
    notes: dict[str, Any] = a["annotations"] if isinstance(a.get("annotations"), dict) else {}
    name = labels.get("alertname")
    if not isinstance(name, str) or not name:
        raise PayloadError(f"{where}.labels.alertname: required string is missing")
    fingerprint = a.get("fingerprint") or ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return Alert(
        fingerprint=f"am:{fingerprint}@{a.get('startsAt', '')}", status=_status(a, where),
        title=name, severity=str(labels.get("severity") or ""),
        summary=str(notes.get("summary") or notes.get("description") or ""),
        url=str(a.get("generatorURL") or ""), started_at=_started(a.get("startsAt")),
        labels=_strings(labels), annotations=_strings(notes),
        source_fingerprint=str(a.get("fingerprint") or ""),
    )


def _generic(a: Any, where: str) -> Alert:
    if not isinstance(a, dict):
        raise PayloadError(f"{where}: expected an object")
    for key in ("id", "title"):
        if not isinstance(a.get(key), str) or not a[key]:
            raise PayloadError(f"{where}.{key}: required string is missing")
    return Alert(
        fingerprint=f"generic:{a['id']}@{a.get('started_at', '')}", status=_status(a, where),
        title=a["title"], severity=str(a.get("severity") or ""),
        summary=str(a.get("summary") or ""), url=str(a.get("url") or ""),
        started_at=_started(a.get("started_at")),
    )


def _started(value: Any) -> str:
    """When the alert began firing, if the sender said so in a form a calendar holds; it
    only dates an outage's downtime, so an odd one is left out rather than refused."""
    try:
        moment = canonical(value) if isinstance(value, str) else ""
    except ValueError:
        return ""
    return "" if moment.startswith("0001-") else moment  # Alertmanager's zero time


def _status(a: dict[str, Any], where: str) -> str:
    status = a.get("status")
    if status not in STATUSES:
        raise PayloadError(f"{where}.status: must be firing or resolved")
    return str(status)
