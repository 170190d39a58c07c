"""Stand-in Slack pins and modals (``pins.add``, ``views.open``), mixed into StandInSlack.

A ``trigger_id`` comes with a button press or a slash command in Slack: get one from
:meth:`SlackRooms.trigger_id` (valid 3 s, exchanged once, as in Slack). ``views.open`` answers
``invalid_arguments`` with ``response_metadata.messages`` naming the offending JSON pointer, as
Slack does, when a view breaks Slack's limits. :meth:`SlackRooms.submission` builds the
``view_submission`` interaction Slack would send when the user submits the modal.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.standins.base import Reply

Json = dict[str, Any]
TRIGGER_TTL = 3.0  # seconds a trigger_id can be exchanged
LIMITS = {"title": 24, "submit": 24, "close": 24}  # plain_text lengths in a modal


def _refuse(error: str, **extra: Any) -> Reply:
    return Reply(200, {"ok": False, "error": error, **extra})


def _view_problems(view: Any) -> list[str]:
    """Slack's `[ERROR] … [json-pointer:/view/…]` lines for a modal breaking its limits."""
    if not isinstance(view, dict):
        return ["[ERROR] must be an object [json-pointer:/view]"]
    out = []
    if view.get("type") != "modal":
        out.append("[ERROR] must be one of: modal [json-pointer:/view/type]")
    for key, limit in LIMITS.items():
        text = str((view.get(key) or {}).get("text") or "")
        if key == "title" and not text:
            out.append("[ERROR] missing required field: title [json-pointer:/view]")
        elif len(text) > limit:
            out.append(f"[ERROR] must be less than {limit + 1} characters "
                       f"[json-pointer:/view/{key}/text]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or len(blocks) > 100:
        out.append("[ERROR] must be an array of no more than 100 items "
                   "[json-pointer:/view/blocks]")
        blocks = []
    if any(b.get("type") == "input" for b in blocks) and not view.get("submit"):
        out.append("[ERROR] must provide a submit property when using input blocks "
                   "[json-pointer:/view]")
    for i, block in enumerate(blocks):
        label = str((block.get("label") or {}).get("text") or "")
        if block.get("type") == "input" and not 1 <= len(label) <= 2000:
            out.append(f"[ERROR] must be between 1 and 2000 characters "
                       f"[json-pointer:/view/blocks/{i}/label/text]")
    if len(str(view.get("private_metadata") or "")) > 3000:
        out.append("[ERROR] must be less than 3001 characters "
                   "[json-pointer:/view/private_metadata]")
    return out


class SlackRooms:
    """pins.add and views.open for StandInSlack (which supplies _chan, _find and the lock)."""

    _lock: threading.RLock
    _chan: Callable[..., Json]
    _find: Callable[[Json, str, str], Json]

    def _room_methods(self) -> dict[str, Callable[[Json], Json]]:
        self._pins: dict[str, list[str]] = {}  # channel -> pinned message ts, oldest first
        self._triggers: dict[str, list[Any]] = {}  # trigger_id -> [issued (monotonic), used]
        self.views: list[Json] = []  # modals opened, as Slack answered them
        return {"pins.add": self._pin, "views.open": self._open_view}

    def trigger_id(self, *, age: float = 0.0) -> str:
        """A fresh trigger_id, as a press or a command carries it; `age` seconds old."""
        trigger = f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        with self._lock:
            self._triggers[trigger] = [time.monotonic() - age, False]
        return trigger

    def pinned(self, channel_id: str) -> list[str]:
        """The ts of the channel's pinned messages, oldest pin first."""
        with self._lock:
            return list(self._pins.get(channel_id, []))

    def submission(self, view_id: str, user_id: str, values: dict[str, str]) -> Json:
        """The view_submission interaction Slack posts when the user submits the modal: each
        value under state.values[block_id][action_id] (the field name is both here)."""
        with self._lock:
            view = copy.deepcopy(next(v for v in self.views if v["id"] == view_id))
        view["state"] = {"values": {name: {name: {"type": "plain_text_input",
                                                  "value": value or None}}
                                    for name, value in values.items()}}
        return {"type": "view_submission", "team": {"id": view["team_id"]},
                "user": {"id": user_id, "team_id": view["team_id"]}, "api_app_id": "A0STANDIN",
                "trigger_id": self.trigger_id(), "view": view}

    def _pin(self, p: Json) -> Json:
        ch = self._chan(p, member=True)
        ts = "" if p.get("timestamp") is None else str(p["timestamp"])
        if not ts:
            raise _refuse("no_item_specified")
        self._find(ch, ts, "message_not_found")
        pins = self._pins.setdefault(ch["id"], [])
        if ts in pins:
            raise _refuse("already_pinned")
        pins.append(ts)
        return {}

    def _open_view(self, p: Json) -> Json:
        view = p.get("view")
        try:
            view = json.loads(view) if isinstance(view, str) else view
        except ValueError:
            raise _refuse("invalid_arguments") from None
        if problems := _view_problems(view):
            raise _refuse("invalid_arguments", response_metadata={"messages": problems})
        trigger = self._triggers.get(str(p.get("trigger_id") or ""))
        if trigger is None:
            raise _refuse("invalid_trigger_id")
        if trigger[1]:
            raise _refuse("exchanged_trigger_id")
        if time.monotonic() - trigger[0] > TRIGGER_TTL:
            raise _refuse("expired_trigger_id")
        trigger[1] = True
        view_id = f"V0{len(self.views) + 1:08d}"
        opened = {"id": view_id, "team_id": "T1", "type": "modal", "close": None,
                  "submit": None, "private_metadata": "", "callback_id": "", "external_id": "",
                  **(view or {}), "state": {"values": {}}, "hash": f"{int(time.time())}.{view_id}",
                  "clear_on_close": False, "notify_on_close": False, "root_view_id": view_id,
                  "previous_view_id": None, "app_id": "A0STANDIN", "bot_id": "B0BOT"}
        self.views.append(opened)
        return {"view": copy.deepcopy(opened)}
