"""The status message's buttons: a press moves the outage to the next stage when it comes from
the outage's own room, under its status message, by someone the catalog gives a role the
stage allows; the ticket and the room follow, and the timeline records it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.core import Connector
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage import store
from connector.features.outage.catalog import Catalog, Person
from connector.features.outage.flows import (
    HOME,
    RULE,
    affected_line,
    buttons,
    is_over,
    sample_affected,
    stage_actions,
    status_text,
)
from connector.features.outage.models import Role, Stage
from connector.mappings import Mapping
from connector.store import threads
from connector.store.db import reading
from connector.wording import ticket_label


def roles_of(catalog: Catalog, service: str, key: str) -> set[Role]:
    """What a catalog person is for a service."""
    entry = catalog.services[service]
    found: set[Role] = set()
    if key in entry.responsible:
        found.add("responsible")
    if key in entry.duty:
        found.add("duty")
    if key in entry.l1:
        found.add("l1")
    if key == catalog.head_of_support:
        found.add("head")
    return found


def presser(catalog: Catalog, ev: ChatButton) -> tuple[str, Person] | None:
    """The catalog person behind a press."""
    return catalog.keyed(ev.chat, ev.user_id)


def presser_roles(c: Connector, service: str, chat: str, user_id: str) -> set[Role]:
    """What the person behind a chat identity is for a service (nothing if unknown)."""
    catalog, found = c.mappings.catalog, c.mappings.catalog.keyed(chat, user_id)
    return roles_of(catalog, service, found[0]) if found and service in catalog.services \
        else set()


def status_actions(c: Connector, conn: Connection, row: Row[Any], stage: Stage,
                   since: float) -> list[Action]:
    """The pinned status redrawn: `stage` since `since`, its ticked steps, its buttons."""
    from connector.features.outage.steps import done
    mapping, ref = c.mappings.by_name[row.mapping], TicketRef.parse(row.ticket)
    ticked = done(conn, row.id, stage.name)
    return [Action("update_room", "chat", ref, {
        "channel": HOME,
        "status": status_text(c, mapping, ref, row.service, stage, since,
                              affected=_extra(c, mapping, conn, row), kind=row.kind,
                              done=ticked),
        "buttons": buttons(c, mapping, row.id, stage, row.kind, ticked)}, RULE)]


def _extra(c: Connector, mapping: Mapping, conn: Connection, row: Row[Any]) -> str:
    """The status message's extra line: affected users (an outage), its outages (a problem)."""
    if row.kind == "problem":
        from connector.features.outage.problems import outages_line
        return outages_line(c, conn, row)
    return affected_line(c, mapping, conn, row.id)


def owner_actions(c: Connector, ref: TicketRef, service: str, stage: Stage) -> list[Action]:
    """A problem's stage with an owner: the ticket assigned to that role's person."""
    if stage.owner is None:
        return []
    entry, catalog = c.mappings.catalog.services[service], c.mappings.catalog
    keys = {"responsible": entry.responsible, "duty": entry.duty, "l1": entry.l1,
            "head": [catalog.head_of_support] if catalog.head_of_support else []}[stage.owner]
    person = catalog.people.get(keys[0]) if keys else None
    username = getattr(person, ref.tracker, "") if person else ""
    return [Action("assign", ref.tracker, ref, {"username": username, "role": stage.owner},
                   RULE)] if username else []


class OutageButtons:
    """The outage feature's `Buttons`."""

    def refusal(self, c: Connector, ev: ChatButton) -> str | None:
        if ev.action in ("ok", "hit"):
            return self._related_refusal(c, ev)
        if ev.action in ("conclude", "close"):
            from connector.features.outage import closing
            return closing.refusal(c, ev)
        if ev.action == "step":
            from connector.features.outage import steps
            return steps.refusal(c, ev)
        target = self._target(c, ev)
        if isinstance(target, str):
            return target
        row, stage = target
        mapping = c.mappings.by_name[row.mapping]
        with reading(c.engine) as conn:
            room = store.room_of(conn, row.ticket, ev.chat, HOME)
        if room is None or room.channel_id != ev.channel_id or room.message_id != ev.message_id:
            return "not the status message of this outage's room"
        assert mapping.outage is not None
        if stage.name not in mapping.outage.of(row.kind).stage(row.stage).next:
            return f"the outage is no longer where the button was ({row.stage})"
        found = presser(c.mappings.catalog, ev)
        if found is None:
            return "not in the service catalog"
        key, _ = found
        if not roles_of(c.mappings.catalog, row.service, key) & set(stage.roles):
            return f"{key} may not move it to {stage.name} (roles: {', '.join(stage.roles)})"
        if stage.closing:
            return "closed only by a closing decision"
        from connector.features.outage.steps import missing
        with reading(c.engine) as conn:
            left = missing(conn, row, mapping.outage.of(row.kind).stage(row.stage))
        if left:
            return f"steps not ticked yet: {'; '.join(left)}"
        if "conclusion" in stage.requires:
            from connector.features.outage.conclusion import concluded
            with reading(c.engine) as conn:
                if not concluded(conn, row.id):
                    return f"{stage.name} needs the conclusion first"
        return None

    def press(self, c: Connector, conn: Connection, ev: ChatButton) -> list[Action]:
        if ev.action in ("ok", "hit"):
            return self._related_press(c, conn, ev)
        if ev.action in ("conclude", "close"):
            from connector.features.outage import closing
            return closing.press(c, conn, ev)
        if ev.action == "step":
            from connector.features.outage import steps
            return steps.press(c, conn, ev)
        target = self._target(c, ev)
        actions: list[Action] = []
        answer = {"callback_id": ev.callback_id, "text": c.render("button_answer")}
        if isinstance(target, str):
            return actions
        row, stage = target
        ref = TicketRef.parse(row.ticket)
        if ev.callback_id:
            actions.append(Action("answer_button", ev.chat, ref, answer, RULE))
        mapping = c.mappings.by_name[row.mapping]
        assert mapping.outage is not None
        old = mapping.outage.of(row.kind).stage(row.stage)
        if not store.move(conn, row.id, old.name, stage.name):
            return actions  # pressed twice: the first press moved it
        found = presser(c.mappings.catalog, ev)
        who = found[1].name if found else ev.user_name
        store.record(conn, row.id, "stage", who, stage=stage.name, previous=old.name,
                     chat=ev.chat, user=ev.user_id)
        values = {"service": c.mappings.catalog.services[row.service].title,
                  "ticket": ticket_label(ref), "title": "", "url": ""}
        actions += stage_actions(mapping, ref, old, stage)
        actions += owner_actions(c, ref, row.service, stage)
        actions.append(Action("add_note", ref.tracker, ref, {"body": c.render(
            f"{row.kind}_note_stage", mapping.name, stage=stage.title, who=who, **values)},
            RULE))
        actions += status_actions(c, conn, row, stage, c.clock.now())
        if stage.sample_affected:
            actions += sample_affected(c, ref, row.service)
        if row.kind == "problem" and not stage.next:  # a problem's last stage ends its room
            from connector.features.outage.closing import room_closing
            actions += room_closing(c, conn, row)
        return actions

    def _related_refusal(self, c: Connector, ev: ChatButton) -> str | None:
        found = self._related(c, ev)
        if isinstance(found, str):
            return found
        row, other = found
        with reading(c.engine) as conn:
            room = store.room_of(conn, row.ticket, ev.chat, HOME)
            posted = threads.posted_button(conn, ev.chat, ev.channel_id, ev.message_id,
                                           ev.data)
        if room is None or room.channel_id != ev.channel_id:
            return "not in this outage's room"
        if is_over(c, row):
            return "the outage is over"
        if not posted:
            return "not a question the connector asked in this room"
        person = presser(c.mappings.catalog, ev)
        if person is None or not roles_of(c.mappings.catalog, other, person[0]) & {
                "responsible", "duty"}:
            return f"only the people of {other} answer for it"
        return None

    def _related_press(self, c: Connector, conn: Connection, ev: ChatButton) -> list[Action]:
        """The answer goes to the timeline and to the ticket; the presser is thanked."""
        found = self._related(c, ev)
        if isinstance(found, str):
            return []
        row, other = found
        ref, mapping = TicketRef.parse(row.ticket), c.mappings.by_name[row.mapping]
        person = presser(c.mappings.catalog, ev)
        who = person[1].name if person else ev.user_name
        store.record(conn, row.id, "related", who, service=other,
                     answer="healthy" if ev.action == "ok" else "affected")
        answer = c.render("outage_related_ok" if ev.action == "ok" else "outage_related_hit",
                          mapping.name)
        text = c.render("outage_related_answer", mapping.name, who=who, answer=answer,
                        related=c.mappings.catalog.services[other].title)
        actions = [Action("add_note", ref.tracker, ref, {"body": text}, RULE),
                   Action("post_in_room", "chat", ref, {"channel": HOME, "text": text}, RULE)]
        if ev.callback_id:
            actions.append(Action("answer_button", ev.chat, ref, {
                "callback_id": ev.callback_id, "text": c.render("button_answer")}, RULE))
        return actions

    @staticmethod
    def _related(c: Connector, ev: ChatButton) -> tuple[Row[Any], str] | str:
        """The outage and the related service an answer is about."""
        parts = ev.value.split(":")
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 18
                                      for p in parts):
            return "not a button the connector posts"
        with reading(c.engine) as conn:
            row = store.get(conn, int(parts[0]))
        if row is None or row.service not in c.mappings.catalog.services:
            return "no such outage"
        related = c.mappings.catalog.services[row.service].related
        if int(parts[1]) >= len(related):
            return "no such related service"
        return row, related[int(parts[1])]

    @staticmethod
    def _target(c: Connector, ev: ChatButton) -> tuple[Row[Any], Stage] | str:
        """The outage and the stage a `go` press asks for, or why it is not one."""
        parts = ev.value.split(":")
        if ev.action != "go" or len(parts) != 2 or not all(p.isascii() and p.isdigit()
                                                           and len(p) <= 18 for p in parts):
            return "not a button the connector posts"
        with reading(c.engine) as conn:
            row = store.get(conn, int(parts[0]))
        if row is None or row.mapping not in c.mappings.by_name:
            return "no such outage"
        rules = c.mappings.by_name[row.mapping].outage
        if rules is None or int(parts[1]) >= len(rules.of(row.kind).stages):
            return "no such stage"
        return row, rules.of(row.kind).stages[int(parts[1])]
