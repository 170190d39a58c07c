"""Performs `create_silence` (POST /api/v2/silences) and `expire_silence` (DELETE
/api/v2/silence/{id}). A silence's comment carries a digest of the action's idempotency key, so
a retry after a lost answer finds the silence its first try made instead of making a second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from connector.actions import CreateSilence, ExpireSilence
from connector.adapters import Adapter, Performed
from connector.errors import PermanentActionError, RetryableActionError
from connector.store.outbox import OutboxItem
from plugins.alertmanager.config import AlertmanagerConfig
from plugins.http import JsonClient, digest


class AlertmanagerClient(Adapter):
    def __init__(self, config: AlertmanagerConfig) -> None:
        token = config.bearer_token.get_secret_value()
        self.api = JsonClient(config.url.rstrip("/") + "/api/v2", "alertmanager",
                              {"Authorization": f"Bearer {token}"} if token else {},
                              config.timeout_seconds)

    def perform(self, item: OutboxItem) -> Performed:
        if item.action.kind == "create_silence":
            return self._create(item, item.action.params_as(CreateSilence))
        if item.action.kind == "expire_silence":
            return self._expire(item.action.params_as(ExpireSilence))
        raise PermanentActionError(f"alertmanager cannot {item.action.kind}")

    def _create(self, item: OutboxItem, p: CreateSilence) -> Performed:
        mark = f"[hdc:{digest(item.idempotency_key)}]"
        if item.attempt > 1:
            found = self._find(mark)
            if found is not None:
                return Performed(result=found)
        start = datetime.now(UTC)
        body = {"matchers": [{"name": k, "value": v, "isRegex": False, "isEqual": True}
                             for k, v in sorted(p.matchers.items())],
                "startsAt": start.isoformat(),
                "endsAt": (start + timedelta(hours=p.hours)).isoformat(),
                "createdBy": p.created_by, "comment": f"{p.comment} {mark}"}
        answer = self.api.call("POST", "/silences", json=body)
        silence_id = answer.get("silenceID") if isinstance(answer, dict) else None
        if not isinstance(silence_id, str) or not silence_id:
            raise PermanentActionError("alertmanager answered without a silenceID")
        return Performed(result={"silence_id": silence_id, "ends_at": body["endsAt"]})

    def _find(self, mark: str) -> dict[str, Any] | None:
        """The silence an earlier try created, if it landed."""
        for silence in self.api.call("GET", "/silences") or []:
            if isinstance(silence, dict) and mark in str(silence.get("comment", "")) and \
                    (silence.get("status") or {}).get("state") != "expired":
                return {"silence_id": str(silence.get("id")),
                        "ends_at": str(silence.get("endsAt", ""))}
        return None

    def _expire(self, p: ExpireSilence) -> Performed:
        """Alertmanager 0.25 answers 500 «silence not found» for a silence it lost (restarted
        without its storage, or forgotten after its retention): the 500 is checked against the
        silence itself, and one that is gone or expired is what «Снять» asked for."""
        try:
            self.api.call("DELETE", f"/silence/{p.silence_id}")
        except (RetryableActionError, PermanentActionError):
            if self._still_silencing(p.silence_id):
                raise
        return Performed(result={"silence_id": p.silence_id})

    def _still_silencing(self, silence_id: str) -> bool:
        try:
            silence = self.api.call("GET", f"/silence/{silence_id}")
        except PermanentActionError as exc:
            if "answered 404" in str(exc):
                return False
            raise
        return not (isinstance(silence, dict) and
                    (silence.get("status") or {}).get("state") == "expired")
