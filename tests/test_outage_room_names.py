"""Two GitLab projects under one regulation number their issues each from 1. An accident in
project 1 (#23) and one in project 3 (#23) on the same day both want the Slack channel
`erp-api-23-<date>`: the second is given the first one's channel (taken for «an earlier try's
own channel»), so both statuses are pinned in one room, what is said there goes to the newer
outage only, and closing either archives the other's room. Each outage must get a room of its
own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.timestamps import from_epoch
from tests.conftest import config_data, issue_hook
from tests.drive import post_hook, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import Outage, belarus_world


@pytest.fixture
def two_projects(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
                 standin_slack: StandInSlack) -> Iterator[Outage]:
    """Belarus on GitLab projects 1 and 3, and Slack."""
    trackers = config_data(sqlite_url, standin_gitlab)["trackers"]
    trackers["gitlab"]["projects"].append({"id": 3, "mapping": "belarus-ehr"})
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               trackers=trackers))
    standin_gitlab.add_issue(3, 23, labels=["Priority: High", "Accident"])
    yield world
    world.c.engine.dispose()


def test_accidents_numbered_alike_in_two_projects_get_a_room_each(two_projects: Outage) -> None:
    world = two_projects
    world.declare()  # project 1, #23
    room = world.room()["id"]
    hook = issue_hook("Priority: High", "Accident", project_id=3)  # project 3, #23
    hook["object_attributes"]["created_at"] = from_epoch(world.c.clock.now())
    assert post_hook(world.client, hook).status_code == 200
    run_until_idle(world.c)

    statuses = [m["text"].splitlines()[0] for m in world.slack.messages(room)
                if m["ts"] in world.slack.pinned(room)]
    assert len(statuses) == 1, statuses
