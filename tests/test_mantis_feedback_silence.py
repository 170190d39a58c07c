"""Sevastopol §2.9 end to end on MantisBT: «Ответственный от МО … обязан … оперативно
реагировать на запрос данных со стороны 1 ЛТП. В случае несвоевременного предоставления
запрашиваемой информации, данная информация будет доводиться до сведения руководства МО».
A request waiting in «Обратная связь» gets a reminder after one working day of the
`sevastopol` calendar and, after three (the team's term: the regulation names none), a comment
that the MO's management is told and a letter to the MO's mailing list. The business clock
is frozen and advanced; Mantis, the plugin's webhooks and the mail relay are stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from connector.features.sla.flows import tick
from connector.outbox_dispatch import dispatch_outbox
from connector.reconcile import reconcile_all
from tests.appendix1 import without
from tests.conftest import config_data
from tests.drive import run_until_idle
from tests.mantis_hooks import delivery, post_delivery
from tests.mantis_hooks import issue_notes as notes
from tests.mantis_hooks import issue_status as status
from tests.standins.mantis import BOT_NAME, StandInMantis
from tests.standins.smtp import StandInSmtp
from webhooks.app import create_app

SEV = ZoneInfo("Europe/Simferopol")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=SEV)  # a working Monday
REMINDER = "ожидает ответа заявителя на запрос 1 ЛТП"
MANAGEMENT = "доведено до сведения руководства"
L1 = "petrova"  # developer: L1 by the mapping's access level


class World:
    """A connector on the stand-in Mantis with mail, at a frozen business time."""

    def __init__(self, c: Connector, mantis: StandInMantis, smtp: StandInSmtp,
                 clock: FakeClock) -> None:
        self.c, self.mantis, self.smtp, self.clock = c, mantis, smtp, clock
        self.client: FlaskClient = create_app(c.config, start_worker=False,
                                              setup_logs=False).test_client()

    def send(self, event: str, actor: str, **kw: Any) -> None:
        reporter = str(self.mantis.issue(42)["reporter"]["name"])
        headers, body = delivery(event, self.mantis.issue(42), actor=actor,
                                 level=self.mantis.access_level(actor),
                                 reporter_level=self.mantis.access_level(reporter), **kw)
        post_delivery(self.c, self.client, headers, body)

    def set_status(self, to: str, by: str) -> None:
        """Someone moves the request in the web UI; the plugin reports it."""
        self.clock.advance(2)  # after the request's last change
        before = self.mantis.issue(42)
        self.mantis.change_at(42, datetime.fromtimestamp(self.clock.now(), SEV).isoformat(),
                              by=by, status=to)
        self.send("issue_updated", actor=by, before=before)

    def at(self, when: datetime) -> None:
        """The business clock reaches `when`; due thresholds fire and their actions go out."""
        self.clock.set(when.timestamp())
        tick(self.c)
        dispatch_outbox(self.c)

    def ours(self, text: str) -> list[str]:
        return [n for n in notes(self.mantis) if text in n]


@pytest.fixture
def world(db_url: str, standin_mantis: StandInMantis,
          standin_smtp: StandInSmtp) -> Iterator[World]:
    clock = FakeClock(MONDAY.timestamp())
    standin_mantis.use_clock(clock)
    standin_mantis.add_user(L1, 555, access_level=55)
    data = config_data(db_url, mantis=standin_mantis)
    data["mail"] = {"host": "127.0.0.1", "port": standin_smtp.port, "security": "none",
                    "sender": "СТП ГБУЗС «МИАЦ» <help@example.org>"}
    c = build_connector(Config.model_validate(data), clock=clock)
    yield World(c, standin_mantis, standin_smtp, clock)
    c.engine.dispose()


def held_in_feedback(world: World, reporter: str = "ivanova",
                     description: str = without("Данные пациента")) -> None:
    """An applicant's request lacking a row of Appendix 1: the connector moves it to
    «Обратная связь»; the plugin reports the move (the bot's change) back."""
    world.mantis.add_issue(42, summary="Ошибка записи к логопеду", reporter=reporter,
                           description=description, severity="minor", priority="normal",
                           attachments=[("скриншот.png", 1000)])
    world.send("issue_reported", actor=reporter)
    assert status(world.mantis) == "feedback"
    before = dict(world.mantis.issue(42), status={"id": 10, "name": "new"})
    world.send("issue_updated", actor=BOT_NAME, before=before)


# One working day of 08:00–17:00 after the move, on the Russian production calendar.
WORKING_DAY = [
    ("monday 10:00 → tuesday 10:00", datetime(2026, 3, 2, 10, 0, tzinfo=SEV),
     datetime(2026, 3, 3, 10, 0, tzinfo=SEV)),
    ("friday 16:00 → tuesday 16:00 over a weekend and 9 March (8 March moved)",
     datetime(2026, 3, 6, 16, 0, tzinfo=SEV), datetime(2026, 3, 10, 16, 0, tzinfo=SEV)),
    ("saturday → monday 17:00", datetime(2026, 3, 14, 11, 0, tzinfo=SEV),
     datetime(2026, 3, 16, 17, 0, tzinfo=SEV)),
]


@pytest.mark.parametrize(("case", "moved", "due"), WORKING_DAY, ids=[w[0] for w in WORKING_DAY])
def test_section_2_9_a_reminder_after_one_working_day_in_feedback(
        world: World, case: str, moved: datetime, due: datetime) -> None:
    """§2.9: the applicant silent for a working day of the calendar gets one reminder."""
    world.clock.set(moved.timestamp())
    held_in_feedback(world)
    world.at(datetime.fromtimestamp(due.timestamp() - 60, SEV))
    assert world.ours(REMINDER) == []

    world.at(datetime.fromtimestamp(due.timestamp() + 60, SEV))
    world.at(datetime.fromtimestamp(due.timestamp() + 120, SEV))
    [reminder] = world.ours(REMINDER)
    assert "п. 2.9" in reminder
    assert status(world.mantis) == "feedback"
    assert world.smtp.letters() == []


MO = [  # whose management is told: the МО the request names, else its reporter's, else nobody's
    ("the reporter's МО", "ivanova", without("Данные пациента"),
     ["management@gb1.example.org"], "Городская больница № 1"),
    ("the МО line L1 wrote", L1, "МО: ГБ № 1\nОтветственное лицо: Сидоров С. С.",
     ["management@gb1.example.org"], "Городская больница № 1"),
    ("unknown: the head of support", "sidorov", without("Данные пациента"),
     ["head@example.org"], "МО не определена"),
]


@pytest.mark.parametrize(("case", "reporter", "description", "to", "named"), MO,
                         ids=[m[0] for m in MO])
def test_section_2_9_after_three_working_days_the_mos_management_is_told(
        world: World, case: str, reporter: str, description: str, to: list[str],
        named: str) -> None:
    """§2.9: still silent after three working days (Mon 10:00 → Thu 10:00): a comment that
    the MO's management is told, and one letter to the MO's mailing list."""
    world.mantis.add_user("sidorov", 556, access_level=25)
    world.mantis.add_issue(42, summary="Ошибка записи", reporter=reporter,
                           description=description, severity="minor", priority="normal",
                           attachments=[("скриншот.png", 1000)])
    world.send("issue_reported", actor=reporter)
    if status(world.mantis) != "feedback":  # L1's own request: L1 asks the applicant
        world.set_status("feedback", by=L1)
    else:
        before = dict(world.mantis.issue(42), status={"id": 10, "name": "new"})
        world.send("issue_updated", actor=BOT_NAME, before=before)

    world.at(datetime(2026, 3, 5, 9, 59, tzinfo=SEV))
    assert world.ours(MANAGEMENT) == [] and world.smtp.letters() == []
    world.at(datetime(2026, 3, 5, 10, 1, tzinfo=SEV))
    world.at(datetime(2026, 3, 5, 10, 2, tzinfo=SEV))

    [told] = world.ours(MANAGEMENT)
    assert named in told and "п. 2.9" in told
    [(sent_to, letter)] = world.smtp.letters()
    assert sent_to == to
    assert "#42" in letter["Subject"] and "п. 2.9" in letter["Subject"]
    assert named in letter.get_payload(decode=True).decode()


def test_section_2_9_an_answer_stops_the_clock_and_a_new_question_starts_a_new_one(
        world: World) -> None:
    """§2.9 counts from each request for data: the applicant's answer before the day is out
    stops it (no reminder); sent back to «Обратная связь», a new working day begins."""
    held_in_feedback(world)
    world.at(datetime(2026, 3, 2, 15, 0, tzinfo=SEV))
    world.mantis.add_note(42, "Данные пациента: Петров П. П., карта 123456",
                          reporter="ivanova")
    world.send("note_added", actor="ivanova", note="Данные пациента: Петров П. П., карта 123456")
    assert status(world.mantis) == "new"  # Mantis moved it back itself (reassign_on_feedback)
    reconcile_all(world.c)  # which no webhook reports: the poll finds it at its own time
    run_until_idle(world.c)
    world.at(datetime(2026, 3, 3, 12, 0, tzinfo=SEV))
    assert world.ours(REMINDER) == []

    world.set_status("feedback", by=L1)  # Tue 12:00: L1 asks again
    world.at(datetime(2026, 3, 4, 11, 59, tzinfo=SEV))
    assert world.ours(REMINDER) == []
    world.at(datetime(2026, 3, 4, 12, 1, tzinfo=SEV))
    assert len(world.ours(REMINDER)) == 1
