"""`outages import`: outages read from the tracker's own history are the outages live handling
recorded — Belarus on GitLab (labels and the issue's state), Sevastopol on Mantis (category,
«Влияние» and statuses) — stored as imported on a fresh store, from the command line, reading
the tracker and never writing to it; a second run adds nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from connector.cli import main
from connector.clock import FakeClock
from connector.core import Connector
from connector.features.outage import store
from connector.features.outage.reminders import remind_silent
from connector.store import outbox
from connector.store.db import make_engine, reading
from connector.store.schema import outages
from connector.timestamps import canonical
from connector.timestamps import to_epoch as epoch
from tests.drive import post_telegram, run_until_idle
from tests.mantis_hooks import delivery
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.standins.znuny import StandInZnuny
from tests.test_outage import DUTY, HEAD, OWNER, Outage, belarus_world
from tests.test_outage_closing import button, conclude, submit
from tests.test_outage_telegram import (
    CONCLUSION,
    OUTAGES,
    buttons_of,
    close_with_comment,
    critical_request,
)
from tests.test_outage_telegram import DUTY as TG_DUTY
from tests.test_outage_telegram import OWNER as TG_OWNER
from tests.test_outage_telegram import sevastopol as sevastopol_world

T0 = 1_772_700_000.0  # 2026-03-05 08:40 UTC
RESOLUTION = {"gitlab": 0.001, "mantis": 1.0}  # GitLab's times in ms, Mantis' in seconds
# (service, origin, declared_at, [(stage, at), …] from the «declared» and «stage» entries)
Seen = tuple[str, str, float, list[tuple[str, float]]]


def outages_in(engine: Engine) -> dict[str, Seen]:
    """Every outage of a store as reports read it."""
    with reading(engine) as conn:
        rows = conn.execute(select(outages).where(outages.c.kind == "outage")).all()
        return {r.ticket: (r.service, r.origin, r.declared_at,
                           [(e["stage"], e["at"]) for e in store.timeline(conn, r.id)
                            if e["kind"] in ("declared", "stage")]) for r in rows}


def outages_at(url: str) -> dict[str, Seen]:
    engine = make_engine(url)
    try:
        return outages_in(engine)
    finally:
        engine.dispose()


def assert_same(live: dict[str, Seen], imported: dict[str, Seen], tracker: str) -> None:
    """The same tickets, services and stage sequences; times within the tracker's resolution."""
    assert imported.keys() == live.keys()
    for ticket, (service, origin, declared, stages) in live.items():
        i_service, i_origin, i_declared, i_stages = imported[ticket]
        assert (origin, i_origin, i_service) == ("live", "imported", service)
        assert [s for s, _ in i_stages] == [s for s, _ in stages]
        assert abs(i_declared - declared) < RESOLUTION[tracker]
        assert all(abs(a - b) < RESOLUTION[tracker]
                   for (_, a), (_, b) in zip(i_stages, stages, strict=True))


def run_import(config: Path, *args: str) -> int:
    return main(["outages", "import", "--config", str(config), *args])


# ----- Belarus on GitLab ------------------------------------------------------------------------

@pytest.fixture
def clock(standin_gitlab: StandInGitLab, standin_mantis: StandInMantis) -> FakeClock:
    """Business time, which the trackers stamp their history by too (one time for both)."""
    business = FakeClock(T0)
    for tracker in (standin_gitlab, standin_mantis):
        tracker.use_clock(business)
    return business


@pytest.fixture
def belarus(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
            standin_slack: StandInSlack, clock: FakeClock) -> Iterator[Outage]:
    standin_gitlab.add_user("head", 90)
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               clock=clock))
    yield world
    world.c.engine.dispose()


def belarus_lived(world: Outage, clock: FakeClock) -> None:
    """Issue 23 declared at T0 and moved on by buttons: diagnosis after 10 min, restored an
    hour later, the conclusion, its report, then closed by the head with a comment."""
    world.declare()
    for minutes, stage, who in ((10, 1, DUTY), (60, 3, OWNER)):
        clock.advance(minutes * 60)
        world.press(stage, who)
    clock.advance(20 * 60)
    conclude(world)
    clock.advance(10 * 60)
    world.press(4, OWNER)  # → Заключение
    clock.advance(30 * 60)
    world.press_on(world.status(), button(world, "Закрыть с комментарием"), HEAD)
    submit(world, HEAD, {"comment": "Диск расширен"})


def test_importing_belarus_from_gitlab_history_yields_the_outage_live_handling_recorded(
        belarus: Outage, clock: FakeClock, standin_gitlab: StandInGitLab, tmp_path: Path,
        write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    belarus_lived(belarus, clock)
    live = outages_in(belarus.c.engine)
    assert [s for s, _ in live["gitlab:1#23"][3]] == [
        "registered", "diagnosing", "restored", "reporting", "closed"]
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    config = write_config(fresh, standin_gitlab)
    before = len(standin_gitlab.requests)

    assert run_import(config, "--since", "2026-03-01") == 0

    engine = make_engine(fresh)
    try:
        assert_same(live, outages_in(engine), "gitlab")
        with reading(engine) as conn:
            declared, *moves = store.timeline(conn, 1)
            assert outbox.count_by_status(conn) == {}  # nothing for any tracker or chat
    finally:
        engine.dispose()
    assert (declared["title"], declared["url"], declared["imported"]) == (
        standin_gitlab.issue(1, 23)["title"],
        f"{standin_gitlab.url}/group/project-1/-/issues/23", True)
    assert declared["reference"] == "group/project-1#23" and declared["created"] == T0
    assert all(m["imported"] is True and m["kind"] == "stage" for m in moves)
    assert {r.method for r in standin_gitlab.requests[before:]} == {"GET"}
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("gitlab:1#23 erp-api: declared 05.03.2026 11:40 UTC+3; registered → "
                      "diagnosing → restored → reporting → closed (since 05.03.2026 13:50 UTC+3)")
    assert out[-1] == "1 outage(s) imported; 0 stored before, left as they were"

    assert run_import(config, "--since", "2026-03-01") == 0  # again: nothing twice
    assert capsys.readouterr().out.splitlines() == [
        "0 outage(s) imported; 1 stored before, left as they were"]
    assert {r.method for r in standin_gitlab.requests[before:]} == {"GET"}


def test_an_outage_handled_live_is_left_as_it_is(
        belarus: Outage, clock: FakeClock, standin_gitlab: StandInGitLab,
        write_config: Callable[..., Path], sqlite_url: str) -> None:
    belarus_lived(belarus, clock)
    before = outages_in(belarus.c.engine)
    config = write_config(sqlite_url, standin_gitlab)  # the store live handling wrote

    assert run_import(config, "--since", "2026-03-01") == 0

    assert outages_in(belarus.c.engine) == before


# Tickets with only a history (from before the connector ran): which are outages. --since
# 2026-01-01 is 2025-12-31 21:00 UTC in Minsk.
# (labels it was created with, created, [(at, change)], (service, declared, stages) or None)
Case = tuple[list[str], str, list[tuple[str, dict[str, Any]]], tuple[str, str, list[str]] | None]
CASES: dict[str, Case] = {
    "met the rule, then lost its labels": (
        ["Priority: High", "Accident", "Сервис: erp-pharmacy"], "2026-02-01T08:00:00Z",
        [("2026-02-01T09:00:00Z", {"remove": ["Accident", "Priority: High"]})],
        ("erp-pharmacy", "2026-02-01T08:00:00Z", ["registered"])),
    "never met the rule": (
        ["Priority: High"], "2026-02-01T08:00:00Z",
        [("2026-02-01T09:00:00Z", {"add": ["Incident"]})], None),
    "met the rule by a later edit, moved on by labels": (
        ["Priority: High"], "2026-02-01T08:00:00Z",
        [("2026-02-01T08:30:00Z", {"add": ["Accident"]}),
         ("2026-02-01T08:45:00Z", {"add": ["Сбой: диагностика"]}),
         ("2026-02-01T10:00:00Z", {"add": ["Сбой: восстановлено"],
                                   "remove": ["Сбой: диагностика"]}),
         ("2026-02-02T10:00:00Z", {"state": "closed"})],
        ("erp-api", "2026-02-01T08:30:00Z", ["registered", "diagnosing", "restored",
                                             "closed"])),
    "open at --since and untouched since": (
        ["Priority: High", "Accident", "Сбой: диагностика"], "2025-12-20T08:00:00Z", [],
        ("erp-api", "2025-12-20T08:00:00Z", ["registered", "diagnosing"])),
    "open at --since, closed after it": (
        ["Priority: High", "Accident"], "2025-12-20T08:00:00Z",
        [("2026-01-02T08:00:00Z", {"state": "closed"})],
        ("erp-api", "2025-12-20T08:00:00Z", ["registered", "closed"])),
    "restored before --since, closed after it": (
        ["Priority: High", "Accident"], "2025-12-20T08:00:00Z",
        [("2025-12-20T09:00:00Z", {"add": ["Сбой: восстановлено"]}),
         ("2026-01-02T08:00:00Z", {"state": "closed"})], None),
    "closed before --since": (
        ["Priority: High", "Accident"], "2025-12-20T08:00:00Z",
        [("2025-12-21T08:00:00Z", {"state": "closed"})], None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_which_tickets_of_the_history_are_outages(
        case: str, standin_gitlab: StandInGitLab, sqlite_url: str,
        write_config: Callable[..., Path]) -> None:
    labels, created, changes, expected = CASES[case]
    standin_gitlab.add_issue(1, 40, labels=labels, created_at=created)
    for at, change in changes:
        standin_gitlab.change_at(1, 40, at, **change)

    assert run_import(write_config(sqlite_url, standin_gitlab), "--since", "2026-01-01") == 0

    found = outages_at(sqlite_url)
    if expected is None:
        assert found == {}
        return
    service, declared, stages = expected
    [(ticket, (got_service, origin, got_declared, got_stages))] = found.items()
    assert (ticket, got_service, origin) == ("gitlab:1#40", service, "imported")
    assert got_declared == pytest.approx(to_epoch(declared))
    assert [s for s, _ in got_stages] == stages


def to_epoch(at: str) -> float:
    return epoch(canonical(at))


def test_an_imported_outage_still_open_gets_no_reminder_and_no_room(
        standin_gitlab: StandInGitLab, standin_slack: StandInSlack, tmp_path: Path,
        sqlite_url: str, write_config: Callable[..., Path]) -> None:
    """It has no room: nobody is asked about related services, nothing goes to a chat."""
    standin_gitlab.add_issue(1, 40, labels=["Priority: High", "Accident"],
                             created_at="2026-02-01T08:00:00Z")
    assert run_import(write_config(sqlite_url, standin_gitlab), "--since", "2026-01-01") == 0
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack))
    try:
        remind_silent(world.c)
        run_until_idle(world.c)
        with reading(world.c.engine) as conn:
            assert outbox.count_by_status(conn) == {}
        assert standin_slack.calls("chat.postMessage") == []
    finally:
        world.c.engine.dispose()


# ----- Sevastopol on Mantis -----------------------------------------------------------------------

@pytest.fixture
def sevastopol(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
               standin_telegram: StandInTelegram, clock: FakeClock
               ) -> Iterator[tuple[Connector, FlaskClient]]:
    """Sevastopol in topic mode on the business clock; request 7 «Массовый сбой», «Критическое»."""
    critical_request(standin_mantis)
    world = sevastopol_world(sqlite_url, standin_gitlab, standin_mantis, standin_telegram, clock)
    yield world
    world[0].engine.dispose()


def sevastopol_lived(c: Connector, client: FlaskClient, tg: StandInTelegram,
                     mantis: StandInMantis, clock: FakeClock) -> None:
    """The plugin's webhook declares it at T0; the duty engineer diagnoses it 10 min later,
    the owner restores it an hour later, answers the conclusion and closes it."""
    headers, body = delivery("issue_reported", mantis.issue(7))
    assert client.post("/webhooks/mantis", data=body, headers=headers).status_code == 200
    run_until_idle(c)

    def status() -> dict[str, Any]:
        [pinned] = tg.pinned(OUTAGES)
        return next(m for m in tg.messages(OUTAGES) if m["message_id"] == pinned)

    for minutes, label, user in ((10, "→ Диагностика", TG_DUTY),
                                 (60, "→ Восстановлено", TG_OWNER),
                                 (10, "📝 Заключение", TG_OWNER)):
        clock.advance(minutes * 60)
        update = tg.callback_update(OUTAGES, status()["message_id"], buttons_of(status())[label],
                                    from_user={"id": user, "first_name": "x"})
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)
    for answer in CONCLUSION:
        question = tg.messages(OUTAGES)[-1]
        update = tg.reply_update(OUTAGES, question["message_id"], answer,
                                 from_user={"id": TG_OWNER, "first_name": "О"})
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)
    clock.advance(30 * 60)
    close_with_comment(c, client, tg, OUTAGES, status(), TG_OWNER, "Работает у всех МО")


def test_importing_sevastopol_from_mantis_history_yields_the_outage_live_handling_recorded(
        sevastopol: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis, standin_gitlab: StandInGitLab, clock: FakeClock,
        tmp_path: Path, write_config: Callable[..., Path]) -> None:
    c, client = sevastopol
    sevastopol_lived(c, client, standin_telegram, standin_mantis, clock)
    live = outages_in(c.engine)
    assert [s for s, _ in live["mantis:1#7"][3]] == [
        "registered", "diagnosing", "restored", "closed"]
    assert standin_mantis.issue(7)["status"]["name"] == "closed"
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    config = write_config(fresh, standin_gitlab, mantis=standin_mantis)
    before = len(standin_mantis.requests)

    assert run_import(config, "--since", "2026-03-05", "--tracker", "mantis") == 0
    assert run_import(config, "--since", "2026-03-05", "--tracker", "mantis") == 0

    engine = make_engine(fresh)
    try:
        assert_same(live, outages_in(engine), "mantis")  # the report issue #8 is no outage
        with reading(engine) as conn:
            assert outbox.count_by_status(conn) == {}
            assert len(store.timeline(conn, 1)) == 4  # the second run added nothing
    finally:
        engine.dispose()
    assert {r.method for r in standin_mantis.requests[before:]} == {"GET"}


def test_a_severity_lowered_later_still_leaves_the_outage(
        standin_gitlab: StandInGitLab, standin_mantis: StandInMantis, sqlite_url: str,
        write_config: Callable[..., Path]) -> None:
    """Declared by «Массовый сбой» + «Блокирующее» at 08:10; today it is «Малое» in another
    category, and resolved («Решена», the restored stage) at 09:00."""
    standin_mantis.add_issue(9, category="Массовый сбой", severity="minor",
                             updated_at="2026-03-02T08:00:00Z")
    standin_mantis.add_issue(10, category="General", severity="block",
                             updated_at="2026-03-02T08:00:00Z")  # never in the category
    standin_mantis.change_at(9, "2026-03-02T08:10:00Z", severity="block")
    standin_mantis.change_at(9, "2026-03-02T09:00:00Z", status="resolved")
    standin_mantis.change_at(9, "2026-03-02T09:30:00Z", severity="minor", category="General")

    assert run_import(write_config(sqlite_url, standin_gitlab, mantis=standin_mantis),
                      "--since", "2026-03-01", "--tracker", "mantis") == 0

    [(ticket, (service, _, declared, stages))] = outages_at(sqlite_url).items()
    assert (ticket, service, declared) == ("mantis:1#9", "egisz-mis",
                                           to_epoch("2026-03-02T08:10:00Z"))
    assert [(s, at - declared) for s, at in stages] == [("registered", 0), ("restored", 3000)]


def test_znuny_says_its_history_cannot_be_read(
        standin_gitlab: StandInGitLab, standin_znuny: StandInZnuny, sqlite_url: str,
        write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    standin_znuny.add_ticket(1, title="Не открывается МИС", state="open")

    code = run_import(write_config(sqlite_url, standin_gitlab, otrs=standin_znuny),
                      "--since", "2026-01-01", "--tracker", "otrs")

    assert code == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "error: otrs project Support: Znuny: the connector cannot read ticket history "
        "through the shipped web service (HelpdeskConnector.yml has no operation that "
        "tells it)"]
    assert "Traceback" not in captured.err + captured.out
    assert captured.out.splitlines() == [
        "0 outage(s) imported; 0 stored before, left as they were"]
