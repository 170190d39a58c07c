"""check-config's look at the report schedules: the regulation, the service and the tracker
each names must exist, and the tracker must be able to do what the schedule asks of it (the
chat channels are checked with every channel a feature posts to)."""

from __future__ import annotations

from collections.abc import Callable

from connector.config import Config
from connector.errors import format_problem
from connector.mappings import Mappings


def problems(config: Config, mappings: Mappings,
             supports: Callable[[str], frozenset[str]]) -> list[str]:
    found: list[str] = []

    def problem(key: str, what: str, fix: str) -> None:
        found.append(format_problem(config.source, key, what, fix))

    trackers = config.trackers.configured()
    for i, schedule in enumerate(config.reports.schedules):
        key = f"reports.schedules[{i}]"
        if schedule.regulation and schedule.regulation not in mappings.by_name:
            problem(f"{key}.regulation", f"no regulation named {schedule.regulation!r}",
                    f"use one of: {', '.join(sorted(mappings.by_name))}")
        if schedule.service and schedule.service not in mappings.catalog.services:
            problem(f"{key}.service", f"no service {schedule.service!r} in the catalog",
                    f"use one of: {', '.join(sorted(mappings.catalog.services)) or 'none yet'}")
        if schedule.tracker is None:
            continue
        kind = schedule.tracker.split(":", 1)[0]
        needs = "add_note" if "#" in schedule.tracker else "create_issue"
        if kind not in trackers:
            problem(f"{key}.tracker", f"no {kind} tracker is configured",
                    f"use one of: {', '.join(sorted(trackers)) or 'none configured'}")
        elif needs not in supports(kind):
            problem(f"{key}.tracker", f"{kind} cannot {needs}", "name a tracker that can")
    return found
