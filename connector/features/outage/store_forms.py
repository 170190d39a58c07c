"""Room forms' progress per outage and chat: whom each was opened for, in which stage, and
(Telegram asks one field a message) the answers so far."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from connector.store.db import insert_ignore, now
from connector.store.schema import outage_forms


def start(conn: Connection, outage_id: int, form: str, chat: str, who: str,
          user_id: str, stage: str) -> None:
    """Begin (or begin again) filling the form in this chat, answered by `user_id` while the
    outage stands in `stage` (a later press opens it for its own presser instead)."""
    if insert_ignore(conn, outage_forms, {"outage_id": outage_id, "form": form, "chat": chat,
                                          "prompt_id": "", "answers": "[]", "who": who,
                                          "user_id": user_id, "stage": stage,
                                          "updated_at": now(conn)}) is None:
        conn.execute(update(outage_forms).where(*_key(outage_id, form, chat)).values(
            prompt_id="", answers="[]", who=who, user_id=user_id, stage=stage,
            updated_at=now(conn)))


def claim_once(conn: Connection, outage_id: int, form: str) -> bool:
    """True for the first caller only, across processes (a unique row): what is done once
    per outage (its conclusion) is done by whoever claims it."""
    return insert_ignore(conn, outage_forms, {
        "outage_id": outage_id, "form": f"{form}:done", "chat": "*", "prompt_id": "",
        "answers": "[]", "who": "", "user_id": "", "updated_at": now(conn)}) is not None


def get(conn: Connection, outage_id: int, form: str, chat: str) -> Row[Any] | None:
    return conn.execute(select(outage_forms).where(*_key(outage_id, form, chat))).first()


def asked(conn: Connection, outage_id: int, form: str, chat: str, prompt_id: str) -> None:
    conn.execute(update(outage_forms).where(*_key(outage_id, form, chat)).values(
        prompt_id=prompt_id, updated_at=now(conn)))


def answered(conn: Connection, row_id: int, answers: list[str], prompt_id: str) -> bool:
    """Record the answers, only if the row still waits on `prompt_id` (a reply once)."""
    return bool(conn.execute(update(outage_forms).where(
        outage_forms.c.id == row_id, outage_forms.c.prompt_id == prompt_id).values(
        answers=json.dumps(answers, ensure_ascii=False), prompt_id="",
        updated_at=now(conn))).rowcount)


def answers(row: Row[Any]) -> list[str]:
    loaded = json.loads(row.answers)
    return [str(a) for a in loaded] if isinstance(loaded, list) else []


def _key(outage_id: int, form: str, chat: str) -> tuple[Any, ...]:
    return (outage_forms.c.outage_id == outage_id, outage_forms.c.form == form,
            outage_forms.c.chat == chat)
