"""Belarus §1.1's accident criteria («потери пользовательских данных и (или) недоступность …
более чем для 30% клиентов на срок более 15 минут») as the timeline holds them: recorded on
every declaring path — what `/outage` was told, the alert's start, nothing from labels — each
later `/criteria` in the room filling in or correcting; a criterion nobody gave reads «не
указано» on the status message and in the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connector.context import FeatureContext

FACTS = ("functions", "data_loss", "share", "since")  # in the commands' order


def current(events: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Each criterion as last given (an empty one keeps what was said before)."""
    found: dict[str, str] = {}
    for e in events:
        if e["kind"] == "criteria":
            found.update({k: str(e[k]) for k in FACTS if e.get(k)})
    return found


def criteria_line(c: FeatureContext, mapping: str, facts: dict[str, str]) -> str:
    """The criteria in the regulation's words, «не указано» for those not given."""
    unknown = c.render("outage_fact_unknown", mapping)
    return c.render("outage_criteria", mapping, **{k: facts.get(k) or unknown for k in FACTS})
