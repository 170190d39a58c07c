"""An undecided group is raised again (issue 21 item 4): while a group fires and L1 has not
decided, a reminder naming L1 goes into its thread every `alerts.remind_after_minutes` (the
mapping's), once per period. A timed job; the group row is claimed by a conditional update
and the reminder's outbox key is the group and the reminder's number, so several processes
running it remind once."""

from __future__ import annotations

import json

from connector.context import FeatureContext
from connector.features.alerts import groups, store
from connector.features.alerts.message import group_title, rules_for
from connector.wording import duration_parts
from connector.work import enqueue_actions

EVERY_SECONDS = 60.0


def remind_undecided(c: FeatureContext) -> list[str]:
    name, rules = rules_for(c)
    every, now, catalog = rules.remind_after_minutes * 60, c.clock.now(), c.mappings.catalog
    with c.engine.begin() as conn:
        for group in store.undecided_since(conn, now - every):
            count = group.raised + 1
            if not store.raised(conn, group.id, count, now):
                continue
            details = json.loads(group.details)
            labels = {**details.get("common_labels", {}), **details.get("group_labels", {})}
            service = catalog.services.get(labels.get(rules.service_label, ""))
            people = [catalog.people[k].name for k in (service.l1 if service else [])
                      if k in catalog.people]
            text = c.render("alert_reminder", name,
                            who=", ".join(people) or c.render("alert_reminder_l1", name),
                            title=group_title(conn, group),
                            waited=c.render("duration", name,
                                            **duration_parts(now - group.created_at)))
            enqueue_actions(c, conn, f"alerts|remind|{group.id}|{count}",
                            [groups.in_thread(c, group.id, text)])
    return []
