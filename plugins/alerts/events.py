"""Alert webhook bodies → Alert records, each alert judged alone. Pure.

Alertmanager (webhook_config, version 4)::

    {"version": "4", "status": "firing", "groupKey": "…", "truncatedAlerts": 0,
     "alerts": [{"status": "firing", "labels": {"alertname": "…", "severity": "…"},
      "annotations": {"summary": "…"}, "startsAt": "…", "generatorURL": "…", "fingerprint": "…"}]}

Generic (for any other monitoring)::

    {"alerts": [{"id": "disk-full-db1", "status": "firing" | "resolved", "title": "…",
      "severity": "critical", "summary": "…", "url": "…", "started_at": "…"}]}

`id` + `started_at` identify one firing; a resolved alert repeats them. Alertmanager's body
also names its group (`groupKey`, `groupLabels`, `commonLabels`, `externalURL`,
`truncatedAlerts`): each alert carries them, so the alerts channel shows one message per group.
A generic alert is a group of its own.

Alertmanager sends a whole group in one body and never retries a 4xx, so one bad alert must not
cost the others: only a body that is no alerts body at all is refused (`check_shape`); a bad
alert inside one becomes a Rejected (its place, a reason for the metric, one line) and the rest
are kept (`normalize`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from connector.errors import PayloadError
from connector.events import Alert
from connector.timestamps import canonical

STATUSES = ("firing", "resolved")
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
SAID_AT_MOST = 10  # rejections each stored alert repeats for its group's message


class BadAlert(ValueError):
    """One alert of a body is not what its sender documents."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason, self.detail = reason, detail
        super().__init__(detail)


@dataclass(frozen=True)
class Rejected:
    """An alert left out of its group: where it was, why (a metric label) and in one line."""

    index: int
    reason: str  # not_object | missing_alertname | missing_field | bad_status | bad_type |
    #              bad_timestamp | bad_text
    detail: str


@dataclass(frozen=True)
class Body:
    """What one body brought: its group, the alerts kept and the ones left out."""

    group_key: str
    truncated: int  # alerts Alertmanager left out of the body (max_alerts)
    alerts: list[Alert]
    rejected: list[Rejected]


def check_shape(payload: Any) -> None:
    """PayloadError (422) unless the payload is an alerts body at all: an object with a
    non-empty list of alerts. What is inside each alert is `normalize`'s to judge."""
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise PayloadError("alerts: expected a JSON object with a list of alerts")
    if not payload["alerts"]:
        raise PayloadError("alerts: the list is empty")


def parse_body(text: str) -> Body:
    """A stored body, normalised (PayloadError if it is not JSON or no alerts body)."""
    try:
        payload = loads_by_pieces(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"malformed JSON: {exc.msg} at line {exc.lineno} column "
                           f"{exc.colno}", 400) from None
    except RecursionError:
        raise PayloadError("JSON nested too deep", 400) from None
    return normalize(payload)


def loads_by_pieces(text: str) -> Any:
    """json.loads, but a body's alerts decoded one at a time: one json.loads of megabytes
    holds the interpreter for a tenth of a second, and the receivers' threads in the same
    process wait that long to answer; a few hundred bytes at a time lets them in between. Any
    other shape, or a fault, is left to json.loads (the same value, or its error)."""
    try:
        return _object_by_pieces(text)
    except (ValueError, IndexError):
        return json.loads(text)


def _object_by_pieces(text: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    i = _skip(text, 0)
    if text[i] != "{":
        raise ValueError("not an object")
    i = _skip(text, i + 1)
    while text[i] != "}":
        if text[i] != '"':
            raise ValueError("not a key")
        key, i = _DECODER.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] != ":":
            raise ValueError("no colon")
        i = _skip(text, i + 1)
        pieces = key == "alerts" and text[i] == "["
        found[key], i = _array_by_pieces(text, i) if pieces else _DECODER.raw_decode(text, i)
        i = _next(text, i, "}")
    if _skip(text, i + 1) != len(text):
        raise ValueError("text after the object")
    return found


def _array_by_pieces(text: str, i: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    i = _skip(text, i + 1)
    while text[i] != "]":
        item, i = _DECODER.raw_decode(text, i)
        items.append(item)
        i = _next(text, i, "]")
    return items, i + 1


def _next(text: str, i: int, close: str) -> int:
    """After an item: past its comma to the next item, or at the closing bracket."""
    i = _skip(text, i)
    if text[i] == ",":
        i = _skip(text, i + 1)
        if text[i] == close:
            raise ValueError("a trailing comma")
    elif text[i] != close:
        raise ValueError("no comma")
    return i


def _skip(text: str, i: int) -> int:
    """The index of the next character that is not JSON whitespace."""
    found = _SPACE.match(text, i)
    return found.end() if found else i


def normalize(payload: Any) -> Body:
    """Every good alert of the body, each bad one as a Rejected; the group's facts on each."""
    check_shape(payload)
    raw: list[Any] = payload["alerts"]
    is_alertmanager = "version" in payload or any(
        isinstance(a, dict) and "labels" in a for a in raw)
    parse: Callable[[Any, str], Alert] = _alertmanager if is_alertmanager else _generic
    group_key = storable_text(payload["groupKey"])[:500] \
        if isinstance(payload.get("groupKey"), str) else ""
    truncated = payload.get("truncatedAlerts")
    truncated = truncated if isinstance(truncated, int) and truncated > 0 else 0
    alerts, rejected = [], []
    for i, a in enumerate(raw):
        try:
            alerts.append(_storable(parse(a, f"alerts[{i}]")))
        except BadAlert as exc:
            rejected.append(Rejected(i, exc.reason, exc.detail))
    said = tuple(r.detail for r in rejected[:SAID_AT_MOST])
    group: dict[str, Any] = {"rejected": said, "rejected_count": len(rejected)}
    if is_alertmanager:  # a body without a groupKey makes each alert a group of its own
        group.update(group_key=str(group_key), truncated=truncated,
                     group_labels=_strings(payload.get("groupLabels")),
                     common_labels=_strings(payload.get("commonLabels")),
                     external_url=storable_text(str(payload.get("externalURL") or ""))[:500])
    return Body(str(group_key), truncated, [replace(a, **group) for a in alerts], rejected)


def _strings(value: Any) -> dict[str, str]:
    """A label or annotation set as text (Alertmanager sends strings; anything else is
    shown as written)."""
    if not isinstance(value, dict):
        return {}
    return {storable_text(str(k)): storable_text(str(v)) for k, v in value.items()
            if v is not None}


def _alertmanager(a: Any, where: str) -> Alert:
    if not isinstance(a, dict):
        raise BadAlert("not_object", f"{where}: expected an object")
    labels = _mapping(a, "labels", where)
    notes = _mapping(a, "annotations", where)
    name = labels.get("alertname")
    if not isinstance(name, str) or not name:
        raise BadAlert("missing_alertname", f"{where}.labels.alertname: required string is "
                                            "missing")
    fingerprint = _text(a, "fingerprint", where) or \
        ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    starts = _text(a, "startsAt", where)
    return Alert(
        fingerprint=f"am:{fingerprint}@{starts}", status=_status(a, where), title=name,
        severity=labels.get("severity") or "",
        summary=notes.get("summary") or notes.get("description") or "",
        url=_text(a, "generatorURL", where), started_at=_started(starts, f"{where}.startsAt"),
        labels=_strings(labels), annotations=_strings(notes),
        source_fingerprint=_text(a, "fingerprint", where),
    )


def _generic(a: Any, where: str) -> Alert:
    if not isinstance(a, dict):
        raise BadAlert("not_object", f"{where}: expected an object")
    for key in ("id", "title"):
        if not isinstance(a.get(key), str) or not a[key]:
            raise BadAlert("missing_field", f"{where}.{key}: required string is missing")
    starts = _text(a, "started_at", where)
    return Alert(
        fingerprint=f"generic:{a['id']}@{starts}", status=_status(a, where),
        title=a["title"], severity=_text(a, "severity", where),
        summary=_text(a, "summary", where), url=_text(a, "url", where),
        started_at=_started(starts, f"{where}.started_at"),
    )


def _mapping(a: dict[str, Any], key: str, where: str) -> dict[str, str]:
    """Labels or annotations: an object of strings (absent: none)."""
    value = a.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BadAlert("bad_type", f"{where}.{key}: expected an object of strings")
    return value


def _text(a: dict[str, Any], key: str, where: str) -> str:
    """An optional text field ("" when absent or null)."""
    value = a.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadAlert("bad_type", f"{where}.{key}: expected a string")
    return value


def _started(value: str, where: str) -> str:
    """When the alert began firing, canonical ("" when not said, or Alertmanager's zero)."""
    try:
        moment = canonical(value)
    except ValueError:
        raise BadAlert("bad_timestamp", f"{where}: not a timestamp: {value[:40]!r}") from None
    return "" if moment.startswith("0001-") else moment


def _status(a: dict[str, Any], where: str) -> str:
    status = a.get("status")
    if status not in STATUSES:
        raise BadAlert("bad_status", f"{where}.status: must be firing or resolved")
    return str(status)


def storable_text(text: str) -> str:
    """The text, or where it holds a lone surrogate (no UTF-8 has one) that escaped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _storable(alert: Alert) -> Alert:
    """Only text the store can hold as UTF-8 (a lone surrogate such as \\ud800 cannot be)."""
    try:
        alert.to_json().encode("utf-8")
    except UnicodeEncodeError:
        raise BadAlert("bad_text", f"alert {alert.title[:40]!r}: text with a lone surrogate "
                                   "cannot be stored") from None
    return alert
