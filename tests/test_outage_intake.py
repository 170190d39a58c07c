"""Sevastopol, issue 17 item 5: a request in the outage category («Массовый сбой») belongs to
the outage process, declared or not — it is never held in «Обратная связь» for Appendix 1,
whoever writes in it later. Webhooks exactly as the shipped PHP plugin sends them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from connector.core import Connector
from tests.drive import run_until_idle
from tests.mantis_hooks import delivery
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from tests.test_outage_telegram import OUTAGES, sevastopol

L1 = "l1-petrova"  # 1 ЛТП (developer in the project) reports the outage herself
APPLICANT = "ivanova"  # a reporter at a medical organisation
INCOMPLETE = "Не открывается МИС ни в одной МО с 9:00"  # no row of Appendix 1


@pytest.fixture
def world(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
          standin_telegram: StandInTelegram) -> Iterator[tuple[Connector, FlaskClient]]:
    standin_mantis.add_user("sev-owner", 31)
    standin_mantis.add_user(L1, 32, access_level=55)
    c, client = sevastopol(sqlite_url, standin_gitlab, standin_mantis, standin_telegram)
    yield c, client
    c.engine.dispose()


def send(world: tuple[Connector, FlaskClient], mantis: StandInMantis, event: str,
         issue_id: int, **kw: Any) -> None:
    """The plugin's webhook for the issue as Mantis holds it now; then the worker runs."""
    c, client = world
    headers, body = delivery(event, mantis.issue(issue_id), **kw)
    answer = client.post("/webhooks/mantis", data=body, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    run_until_idle(c)


def statuses_set(mantis: StandInMantis, issue_id: int) -> list[str]:
    """Every status the connector wrote to the issue, in order."""
    return [w.json["status"]["name"] for w in mantis.writes("PATCH", rf"^/issues/{issue_id}$")
            if isinstance(w.json, dict) and "status" in w.json]


def test_an_outage_reported_by_l1_is_never_sent_to_feedback(
        world: tuple[Connector, FlaskClient], standin_mantis: StandInMantis,
        standin_telegram: StandInTelegram) -> None:
    """The tester's sequence: L1 reports in «Массовый сбой» with «Критическое» /
    «Неотложный» and no Appendix 1 rows; the outage moves it to «Назначена»; L1's next note
    while the outage is at its first stage leaves it there."""
    standin_mantis.add_issue(7, summary="Не открывается МИС", description=INCOMPLETE,
                             severity="crash", priority="immediate", category="Массовый сбой",
                             reporter=L1)
    send(world, standin_mantis, "issue_reported", 7, actor=L1, level=55)

    assert len(standin_telegram.topics(OUTAGES)) == 1  # declared
    assert standin_mantis.issue(7)["status"]["name"] == "assigned"  # «Назначена»

    standin_mantis.add_note(7, "Сбой подтверждают три МО, собираю список", reporter=L1)
    send(world, standin_mantis, "note_added", 7, actor=L1, level=55,
         note="Сбой подтверждают три МО, собираю список")

    assert standin_mantis.issue(7)["status"]["name"] == "assigned"
    assert "feedback" not in statuses_set(standin_mantis, 7)
    assert not any("Приложени" in n["text"] for n in standin_mantis.issue(7)["notes"])


def test_a_minor_request_in_the_outage_category_is_not_held_for_appendix_1(
        world: tuple[Connector, FlaskClient], standin_mantis: StandInMantis,
        standin_telegram: StandInTelegram) -> None:
    """«Малое» declares no outage, but the category is the outage process's all the same."""
    standin_mantis.add_issue(8, summary="Медленно открывается МИС", description=INCOMPLETE,
                             severity="minor", priority="high", category="Массовый сбой",
                             reporter=APPLICANT)
    send(world, standin_mantis, "issue_reported", 8, actor=APPLICANT)

    assert standin_telegram.topics(OUTAGES) == {}
    assert standin_mantis.issue(8)["status"]["name"] == "new"
    assert statuses_set(standin_mantis, 8) == []
    assert standin_mantis.issue(8).get("notes", []) == []
