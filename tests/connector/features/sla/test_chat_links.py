"""Issue 20 item 9: every chat message about a ticket links it — an SLA threshold that posts
to a chat (`chat: l2`, Sevastopol's §4.6 comment in its mapping names that option; Belarus §4.1
triage here) carries the ticket's web address, kept with the ticket's SLA history from the
events, however long after the event the threshold fires; so does the reminder in the
ticket's room and the head of support's letter."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from connector.events import TicketRef
from connector.features.sla import store
from connector.features.sla.flows import tick
from connector.features.sla.repair import repair
from connector.inbox_processing import drain_inbox
from connector.outbox_dispatch import dispatch_outbox
from connector.store import inbox
from tests.conftest import REPO, SLACK_L2, config_data, issue_hook
from tests.connector.features.sla.test_flows import DUE, OPENED
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack

ISSUE_URL = "http://example.com/diaspora/issues/23"  # the Issue Hook sample's object_attributes.url
STAMP = OPENED.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
TRIAGE = '      - {at: 100, label: "SLA: нарушен"}\n'


@pytest.fixture
def mappings_dir(tmp_path: Path) -> Path:
    """The shipped mappings, Belarus' triage breach told in the L2 chat too."""
    target = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", target)
    belarus = target / "belarus-ehr.yml"
    text = belarus.read_text(encoding="utf-8")
    assert TRIAGE in text
    belarus.write_text(text.replace(TRIAGE, '      - {at: 100, label: "SLA: нарушен", '
                                            'chat: l2}\n', 1), encoding="utf-8")
    return target


@pytest.fixture
def c(db_url: str, standin_gitlab: StandInGitLab, standin_slack: StandInSlack,
      mappings_dir: Path) -> Iterator[Connector]:
    standin_gitlab.add_issue(1, 23, labels=["API"], assignee_ids=[51], created_at=STAMP)
    data: dict[str, Any] = config_data(db_url, standin_gitlab, slack=standin_slack)
    data["mappings_dir"] = str(mappings_dir)
    connector = build_connector(Config.model_validate(data),
                                clock=FakeClock(OPENED.timestamp() + 60))
    yield connector
    connector.engine.dispose()


def opened(c: Connector, key: str, url: str | None = ISSUE_URL) -> None:
    payload = issue_hook()
    payload["object_attributes"].update(created_at=STAMP, updated_at=STAMP)
    if url is None:
        del payload["object_attributes"]["url"]
    with c.engine.begin() as conn:
        inbox.add_event(conn, source="gitlab", dedup_key=key, event_name="Issue Hook",
                        ordering_key="gitlab:1#23", payload=json.dumps(payload))
    drain_inbox(c)


def breach(c: Connector) -> None:
    assert isinstance(c.clock, FakeClock)
    c.clock.set(DUE + 5)
    tick(c)
    dispatch_outbox(c)


def test_an_sla_message_in_a_chat_links_the_ticket(c: Connector,
                                                   standin_slack: StandInSlack) -> None:
    """Belarus §4.1 triage breached: the L2 channel is told, with the issue's link."""
    opened(c, "hook-1")
    breach(c)

    [message] = standin_slack.messages(SLACK_L2)
    assert "#23" in message["text"] and "Приоритет и ответственный L1" in message["text"]
    assert message["text"].rstrip().endswith(ISSUE_URL)


def test_the_link_is_kept_when_a_later_event_does_not_tell_it(
        c: Connector, standin_slack: StandInSlack) -> None:
    """An event without the address (a poll's, a hook's copy) keeps the one seen."""
    opened(c, "hook-1")
    opened(c, "hook-2", url=None)
    breach(c)

    [message] = standin_slack.messages(SLACK_L2)
    assert ISSUE_URL in message["text"]


def test_repair_keeps_the_link(c: Connector, standin_slack: StandInSlack) -> None:
    """`sla repair` rebuilds the clocks from the tracker's history, which tells no address:
    what the events told of the ticket stays."""
    opened(c, "hook-1")
    repair(c, TicketRef("gitlab", "1", "23"))
    with c.engine.connect() as conn:
        assert store.history_of(conn, "gitlab:1#23").facts.get("url") == ISSUE_URL
    breach(c)

    [message] = standin_slack.messages(SLACK_L2)
    assert ISSUE_URL in message["text"]
