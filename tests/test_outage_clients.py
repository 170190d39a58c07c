"""Clients and MOs are told of an outage (Belarus §4.3.1 «информировать клиентов»; Sevastopol
§2.7 «информирование пользователей … и ориентировочные сроки их завершения»): what is down,
since when and the expected end the responsible sets by /eta — at declaring, on a new expected
end, at restore — in the catalog's client channels and to its client mailing lists, each once,
one failing target holding none of the others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from connector.clock import SYSTEM_CLOCK, Clock, FakeClock
from connector.core import speak
from connector.features.outage import clients
from connector.features.outage import store as outages
from connector.features.outage.downtime import shown
from connector.features.outage.eta import parse_ahead
from connector.mappings import load_mappings
from connector.store.db import reading
from connector.store.schema import outbox
from tests.conftest import REPO
from tests.drive import post_slack, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.smtp import StandInSmtp
from tests.test_outage import DUTY, HEAD, L1, OWNER, Outage, belarus_world
from tests.test_outage_closing import T0, button, conclude

CLIENTS, GONE = "C0CLIENTS", "C0GONE"  # GONE: a channel Slack no longer has
LISTS = ["mo@example.org", "pharmacies@example.org"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)  # 05.03.2026 11:40 in Minsk


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack, standin_smtp: StandInSmtp,
          clock: FakeClock) -> Iterator[Outage]:
    yield from told_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, standin_smtp,
                          clock)


@pytest.fixture
def live(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
         standin_slack: StandInSlack, standin_smtp: StandInSmtp) -> Iterator[Outage]:
    """On the system clock: a retry's backoff passes."""
    yield from told_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, standin_smtp,
                          SYSTEM_CLOCK)


def told_world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
               standin_slack: StandInSlack, standin_smtp: StandInSmtp,
               clock: Clock) -> Iterator[Outage]:
    """Belarus with erp-api's clients in two channels (one Slack no longer has) and two
    mailing lists."""
    standin_gitlab.add_user("head", 90)
    standin_slack.add_channel(CLIENTS, "clients")
    world = next(belarus_world(
        tmp_path, sqlite_url, standin_gitlab, standin_slack, clock=clock,
        services={"erp-api": {"client_channels": ["gone", "clients"],
                              "client_mailing_lists": LISTS}},
        channels={"clients": CLIENTS, "gone": GONE},
        mail={"host": "127.0.0.1", "port": standin_smtp.port, "security": "none",
              "sender": "Поддержка <support@example.org>"}))
    yield world
    world.c.engine.dispose()


def eta(world: Outage, text: str, user: str = OWNER, trigger: str = "") -> None:
    """/eta as Slack sends it; each command its own trigger_id (a redelivery has the same)."""
    world.presses += 1
    body = urlencode({"command": "/eta", "text": text, "channel_id": world.room()["id"],
                      "user_id": user, "user_name": user.lower(),
                      "trigger_id": trigger or f"{world.presses}.9"})
    assert post_slack(world.client, "/webhooks/slack/commands", body.encode(),
                      content_type="application/x-www-form-urlencoded").status_code == 200
    run_until_idle(world.c)


def told(world: Outage) -> list[str]:
    return [m["text"] for m in world.slack.messages(CLIENTS)]


def letters(smtp: StandInSmtp, to: str) -> list[tuple[str, str]]:
    return [(m["Subject"], m.get_body().get_content().strip().replace("\r\n", "\n"))
            for rcpt, m in smtp.letters()
            if rcpt == [to]]


SERVICE = "«АИС «Электронный рецепт» — API»"
# Belarus §4.3.1: (moment, what clients read, the letter's subject)
MOMENTS = [
    ("declared", f"⚠️ Авария: {SERVICE} — с 05.03.2026 11:40 UTC+3. Проводятся технические "
                 "работы по восстановлению.\nОриентировочный срок восстановления: уточняется.",
     f"Авария: {SERVICE} — с 05.03.2026 11:40 UTC+3"),
    ("eta", f"⚠️ Авария: {SERVICE} — с 05.03.2026 11:40 UTC+3. Технические работы "
            "продолжаются.\nНовый ориентировочный срок восстановления: 05.03.2026 14:00 UTC+3.",
     f"Авария: {SERVICE} — новый срок восстановления 05.03.2026 14:00 UTC+3"),
    ("restored", f"✅ Авария устранена: {SERVICE} — работа восстановлена 05.03.2026 12:40 "
                 "UTC+3 (недоступность с 05.03.2026 11:40 UTC+3).",
     f"Авария устранена: {SERVICE}"),
]


def test_belarus_section_4_3_1_clients_are_told_at_declaring_eta_and_restore_once_each(
        world: Outage, clock: FakeClock, standin_smtp: StandInSmtp) -> None:
    world.declare()
    world.declare("hook-2")  # GitLab again: told once
    eta(world, "14:00", user=L1)  # L1 may not set it: refused in the room
    eta(world, "вечером")  # not a moment: asked again
    eta(world, "до 14:00", trigger="7.7")
    eta(world, "до 14:00", trigger="7.7")  # Slack redelivers it: recorded once
    eta(world, "14:00")  # the same end again: not a new one
    world.press(1, DUTY)  # → Диагностика
    clock.advance(3600)
    world.press(3, OWNER)  # → Восстановлено
    eta(world, "15:00")  # restored: no expected end any more
    conclude(world)
    world.press(4, OWNER)  # → Заключение
    world.press_on(world.status(), button(world, "Закрыть и создать проблему"), HEAD)

    assert told(world) == [text for _, text, _ in MOMENTS]
    for address in LISTS:
        assert letters(standin_smtp, address) == [(subject, text)
                                                  for _, text, subject in MOMENTS]
    room = [m["text"] for m in world.slack.messages(world.room()["id"])]
    assert sum("Ориентировочный срок устанавливают" in t for t in room) == 1
    assert sum("не распознан" in t for t in room) == 1
    assert sum("больше не нужен" in t for t in room) == 1
    assert any("ориентировочный срок восстановления «АИС «Электронный рецепт» — API» (#23) "
               "— 05.03.2026 14:00 UTC+3" in n["body"] for n in world.gl.issue(1, 23)["notes"])
    with reading(world.c.engine) as conn:
        rows = conn.execute(select(outbox).where(outbox.c.reason == "outage_clients")).all()
        [row] = [r for r in conn.execute(select(outages.outages)) if r.kind == "outage"]
        again = [clients.tell(world.c, conn, row, kind)  # type: ignore[arg-type]
                 for kind, _, _ in MOMENTS]
    assert again == [0, 0, 0]  # each notice's key is taken: a retry tells nobody twice
    assert sorted((r.target, r.status) for r in rows) == sorted(
        [("slack", "done")] * 3 + [("slack", "failed")] * 3 + [("mail", "done")] * 6)
    assert len({r.ordering_key for r in rows}) == 4  # a lane per target


def test_a_relay_refusing_one_letter_retries_it_and_sends_it_once(
        live: Outage, standin_smtp: StandInSmtp) -> None:
    standin_smtp.refuse_next("451 4.3.0 Try again later")
    live.declare()

    assert sorted(to for to, _ in standin_smtp.letters() if to[0] in LISTS) == [
        [LISTS[0]], [LISTS[1]]]
    assert len(told(live)) == 1
    with reading(live.c.engine) as conn:
        mails = conn.execute(select(outbox.c.status, outbox.c.attempts).where(
            outbox.c.reason == "outage_clients", outbox.c.kind == "send_mail")).all()
    assert sorted(mails) == [("done", 1), ("done", 2)]  # the refused one, once more


@pytest.mark.parametrize(("mapping", "words", "not_words"), [
    ("belarus-ehr", ["Авария", "Ориентировочный срок восстановления", "технические работы"],
     ["Массовый сбой", "заявка", "коннектор", "трекер", "комната"]),
    ("sevastopol-miac", ["Массовый сбой", "Ориентировочный срок завершения"],
     ["Авария", "задача", "коннектор", "трекер", "комната"]),
])
def test_each_regulation_tells_its_clients_in_its_own_words(
        mapping: str, words: list[str], not_words: list[str]) -> None:
    """Belarus §4.3.1 «авария», «технические работы»; Sevastopol §2.7 «ориентировочные
    сроки их завершения», its «массовый сбой»."""
    shipped = load_mappings(REPO / "mappings")
    texts = " ".join(speak(shipped, "ru", f"outage_clients_{kind}{part}", mapping, **VALUES)
                     for kind in ("declared", "eta", "restored") for part in ("", "_subject"))
    assert all(w.lower() in texts.lower() for w in words), texts
    assert not [w for w in not_words if w.lower() in texts.lower()], texts


VALUES: dict[str, Any] = {"service": "МИС", "since": "05.03.2026 11:40 MSK",
                          "eta": "05.03.2026 14:00 MSK", "restored": "05.03.2026 12:40 MSK"}


NOW = 1_772_700_000.0  # Thursday 05.03.2026 11:40 in Minsk


@pytest.mark.parametrize(("text", "expected"), [
    ("14:00", "05.03.2026 14:00"),
    ("до 14:00", "05.03.2026 14:00"),
    ("09:00", "06.03.2026 09:00"),  # gone today: tomorrow
    ("06.03 09:30", "06.03.2026 09:30"),
    ("01.03 09:30", None),  # next year's is more than a month on
    ("06.03.2026 09:30", "06.03.2026 09:30"),
    ("05.03.2026 10:00", None),  # gone
    ("вечером", None),
    ("25:00", None),
])
def test_the_expected_end_is_a_moment_ahead_in_the_teams_zone(
        text: str, expected: str | None) -> None:
    """Sevastopol §2.7 «ориентировочные сроки их завершения»: a moment still ahead."""
    found = parse_ahead(text, NOW, "Europe/Minsk")
    if expected is None:
        assert found is None
    else:
        assert found is not None and shown(found, "Europe/Minsk") == expected
