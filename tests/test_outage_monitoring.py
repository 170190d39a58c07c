"""Around the Belarus outage room: the notice with the room's link in the info channel and the
letter to the mailing list once the room is open; `/metrics` answered from Prometheus in the
room; affected users sampled at declaration and at restore, shown on the status message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from connector.features.outage import store as outages
from connector.store.db import reading
from connector.store.schema import outbox
from tests.conftest import SLACK_L2
from tests.drive import post_slack, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.prometheus import StandInPrometheus
from tests.standins.slack import StandInSlack
from tests.standins.smtp import StandInSmtp
from tests.test_outage import DUTY, OWNER, STRANGER, Outage, belarus_world

ERRORS = ('sum(rate(http_requests_total{job="erp-api",code=~"5.."}[5m])) / '
          'sum(rate(http_requests_total{job="erp-api"}[5m])) * 100')
LATENCY = ('histogram_quantile(0.99, sum by (le) '
           '(rate(http_request_duration_seconds_bucket{job="erp-api"}[5m])))')
USERS = "sum(erp_active_sessions)"


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack, standin_prometheus: StandInPrometheus,
          standin_smtp: StandInSmtp) -> Iterator[Outage]:
    yield from belarus_world(
        tmp_path, sqlite_url, standin_gitlab, standin_slack,
        mail={"host": "127.0.0.1", "port": standin_smtp.port, "security": "none",
              "sender": "Сбои ЛТП <support@example.org>"},
        prometheus={"url": standin_prometheus.url})


def command(world: Outage, name: str, text: str, user: str = DUTY,
            trigger: str = "1.1") -> Any:
    body = urlencode({"command": f"/{name}", "text": text, "channel_id": world.room()["id"],
                      "user_id": user, "user_name": user.lower(), "trigger_id": trigger})
    answer = post_slack(world.client, "/webhooks/slack/commands", body.encode(),
                        content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    return answer


def test_the_info_channel_gets_the_room_link_and_the_list_a_letter(
        world: Outage, standin_smtp: StandInSmtp) -> None:
    world.declare()
    world.declare("hook-2")  # GitLab again: no second notice, no second letter

    room = world.room()["id"]
    [notice] = [m for m in world.slack.messages(SLACK_L2) if "Обсуждение аварии" in m["text"]]
    assert f"https://slack.com/app_redirect?channel={room}" in notice["text"]
    assert "«АИС «Электронный рецепт» — API» (#23)" in notice["text"]
    [(to, letter)] = standin_smtp.letters()
    assert to == ["ehr-support@example.org"]
    assert letter["Subject"] == "Авария «АИС «Электронный рецепт» — API» (#23)"
    assert letter["Message-ID"].endswith("@example.org>")
    assert room in letter.get_payload(decode=True).decode()


def test_a_relay_that_says_try_later_gets_the_letter_once_later(
        world: Outage, standin_smtp: StandInSmtp) -> None:
    standin_smtp.refuse_next("451 4.3.0 Try again later")
    world.declare()  # the worker retries with backoff until the relay takes it

    [(to, _)] = standin_smtp.letters()
    assert to == ["ehr-support@example.org"]
    with reading(world.c.engine) as conn:
        [mail] = conn.execute(select(outbox).where(outbox.c.kind == "send_mail")).all()
    assert (mail.status, mail.attempts) == ("done", 2)


def test_a_relay_that_refuses_for_good_parks_the_letter_and_nothing_else(
        world: Outage, standin_smtp: StandInSmtp) -> None:
    standin_smtp.refuse_next("550 5.1.1 Mailbox unavailable")
    world.declare()

    assert standin_smtp.letters() == []
    with reading(world.c.engine) as conn:
        kinds = {r.kind: r.status for r in conn.execute(select(outbox))}
    assert kinds["send_mail"] == "failed"
    assert kinds["notify"] == kinds["open_room"] == "done"


def test_metrics_in_the_room_are_answered_from_prometheus(
        world: Outage, standin_prometheus: StandInPrometheus) -> None:
    standin_prometheus.set(ERRORS, 12.5)
    standin_prometheus.set(LATENCY, ({"le": "+Inf"}, 2.75))
    world.declare()

    assert command(world, "metrics", "", trigger="5.5").status_code == 200
    command(world, "metrics", "", trigger="5.5")  # Slack's retry of the same command

    answers = [m["text"] for m in world.slack.messages(world.room()["id"])
               if m["text"].startswith("📈")]
    assert answers == ["📈 Показатели «АИС «Электронный рецепт» — API» (запросил: Дежурный "
                       "инженер)\nОшибки 5xx, %: 12,5\nЗадержка p99, с: le=+Inf 2,75"]
    assert standin_prometheus.queries().count(ERRORS) == 1
    assert world.timeline()[-1] == ("metrics", "Дежурный инженер", "")


def test_metrics_for_a_service_without_queries_names_those_that_have_them(
        world: Outage, standin_prometheus: StandInPrometheus) -> None:
    world.declare()
    command(world, "metrics", "erp-pharmacy")
    [answer] = [m["text"] for m in world.slack.messages(world.room()["id"])
                if "нет запросов" in m["text"]]
    assert "«АИС «Электронный рецепт» — API» — erp-api" in answer
    assert ERRORS not in standin_prometheus.queries()


def test_a_query_prometheus_refuses_is_said_so_without_its_english(
        world: Outage, standin_prometheus: StandInPrometheus) -> None:
    standin_prometheus.refuse(LATENCY)
    standin_prometheus.set(ERRORS, 3)
    world.declare()
    command(world, "metrics", "erp-api")
    [answer] = [m["text"] for m in world.slack.messages(world.room()["id"])
                if m["text"].startswith("📈")]
    assert "Ошибки 5xx, %: 3" in answer
    assert "Задержка p99, с: Prometheus не принял запрос" in answer
    assert "parse error" not in answer


def test_metrics_outside_an_outage_room_do_nothing(
        world: Outage, standin_prometheus: StandInPrometheus) -> None:
    world.declare()
    body = urlencode({"command": "/metrics", "text": "erp-api", "channel_id": SLACK_L2,
                      "user_id": STRANGER, "user_name": "x", "trigger_id": "9.9"})
    post_slack(world.client, "/webhooks/slack/commands", body.encode(),
               content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    assert ERRORS not in standin_prometheus.queries()


def test_affected_users_are_sampled_at_declaration_and_restore_on_the_status(
        world: Outage, standin_prometheus: StandInPrometheus) -> None:
    standin_prometheus.set(USERS, 1204)
    world.declare()
    assert "Затронуто пользователей: 1 204 (Зарегистрирован, " in world.status()["text"]

    standin_prometheus.set(USERS, 87)
    world.press(1, DUTY)
    world.press(3, OWNER)  # → Восстановлено

    status = world.status()["text"]
    assert "1 204 (Зарегистрирован, " in status and "87 (Восстановлено, " in status
    with reading(world.c.engine) as conn:
        samples = [(e["stage"], e["users"]) for e in outages.timeline(conn, 1)
                   if e["kind"] == "affected"]
    assert samples == [("registered", 1204.0), ("restored", 87.0)]


def test_prometheus_down_is_retried_and_answered_once(
        world: Outage, standin_prometheus: StandInPrometheus) -> None:
    standin_prometheus.set(ERRORS, 7)
    world.declare()
    standin_prometheus.fail_next(503, times=2)
    command(world, "metrics", "")

    answers = [m["text"] for m in world.slack.messages(world.room()["id"])
               if m["text"].startswith("📈")]
    assert len(answers) == 1 and "Ошибки 5xx, %: 7" in answers[0]


def test_past_a_stages_norm_the_room_is_reminded_and_at_twice_the_head_is_told(
        tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
        standin_slack: StandInSlack, standin_smtp: StandInSmtp) -> None:
    """Belarus' diagnosing norm is 30 minutes, timed from the stage's move (not from the
    label GitLab's webhook would bring back): at 30 the room hears of it; at 60 the head of
    support is named in the room, gets a letter and the issue gets «SLA: нарушен»."""
    from connector.clock import FakeClock
    from connector.features.outage.norms import remind_norms
    clock = FakeClock(1_772_700_000.0)
    world = next(belarus_world(
        tmp_path, sqlite_url, standin_gitlab, standin_slack, clock=clock,
        mail={"host": "127.0.0.1", "port": standin_smtp.port, "security": "none",
              "sender": "support@example.org"}))
    world.declare()
    world.press(1, DUTY)  # → Диагностика
    room = world.room()["id"]

    def reminders() -> list[str]:
        remind_norms(world.c)
        remind_norms(world.c)  # another process's job: nothing twice
        run_until_idle(world.c)
        return [m["text"] for m in world.slack.messages(room) if m["text"].startswith("⏱")]

    clock.advance(29 * 60)
    assert reminders() == []
    clock.advance(2 * 60)
    [first] = reminders()
    assert "#23: Норма этапа «Диагностика» — прошло 100% нормы (0 ч 30 мин из 0 ч 30 мин)" in first
    assert first.endswith("/issues/23")  # every chat message about a ticket links it
    assert not [to for to, _ in standin_smtp.letters() if "head@example.org" in to]
    assert "SLA: нарушен" not in world.gl.issue(1, 23)["labels"]

    clock.advance(30 * 60)
    later = reminders()
    assert len(later) == 2 and "200%" in later[1] and "Руководитель поддержки" in later[1]
    [letter] = [m for to, m in standin_smtp.letters() if "head@example.org" in to]
    assert letter["Subject"] == "Норма этапа «Диагностика»: #23 — прошло 200% нормы"
    assert "/issues/23" in letter.get_payload(decode=True).decode()
    assert "SLA: нарушен" in world.gl.issue(1, 23)["labels"]
    notes = [n["body"] for n in world.gl.issue(1, 23)["notes"] if n["body"].startswith("⏱")]
    assert len(notes) == 2 and "рабочего" not in notes[0]  # wall-clock time
    with reading(world.c.engine) as conn:
        assert [(e["kind"], e["stage"], e["percent"]) for e in outages.timeline(conn, 1)
                if e["kind"].startswith("norm")] == [("norm", "diagnosing", 100),
                                                     ("norm_twice", "diagnosing", 200)]
    world.c.engine.dispose()


def test_a_related_service_silent_past_the_norm_is_reminded_once(
        tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
        standin_slack: StandInSlack) -> None:
    """Pharmacy answers; the MIS integration stays silent: after 15 minutes its people are
    reminded in the room, once, however many processes run the job."""
    from connector.clock import FakeClock
    from connector.features.outage.reminders import remind_silent
    clock = FakeClock(1_772_700_000.0)
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               clock=clock))
    world.declare()
    room = world.room()["id"]
    pharmacy = next(m for m in world.slack.messages(room) if "аптечный" in m["text"])
    world.press_on(pharmacy, "hdc:outage:ok:1:0", "U0PHARM")

    clock.advance(14 * 60)
    remind_silent(world.c)
    clock.advance(2 * 60)
    remind_silent(world.c)
    remind_silent(world.c)  # another process's job: no second reminder
    run_until_idle(world.c)

    reminders = [m["text"] for m in world.slack.messages(room) if m["text"].startswith("⏰")]
    assert reminders == ["⏰ Ответственный за интеграцию с МИС, Дежурный инженер: за 15 мин "
                         "нет ответа, затронут ли «Электронный рецепт — интеграция с МИС». "
                         "Ответьте кнопкой выше."]
    assert world.timeline()[-1] == ("related_reminder", "", "")
    world.c.engine.dispose()


def test_prometheus_down_for_good_is_said_in_the_room(
        world: Outage, standin_prometheus: StandInPrometheus) -> None:
    """Rather than silence: after a few tries the room hears that Prometheus is down."""
    world.declare()
    standin_prometheus.fail_next(502, times=10)
    command(world, "metrics", "")

    [answer] = [m["text"] for m in world.slack.messages(world.room()["id"])
                if m["text"].startswith("📈")]
    assert "Ошибки 5xx, %: Prometheus недоступен — попробуйте позже" in answer


def test_progress_by_someone_outside_the_catalog_stays_out_of_the_ticket(
        world: Outage) -> None:
    world.declare()
    command(world, "progress", "<!channel> всё сломали", user=STRANGER, trigger="8.8")
    command(world, "progress", "Данные целы\n/close", user=DUTY, trigger="8.9")

    notes = [n["body"] for n in world.gl.issue(1, 23)["notes"]]
    assert not any("всё сломали" in n for n in notes)
    [line] = [n for n in notes if "Данные целы" in n]
    assert "\n∕close" in line and "\n/close" not in line


def test_when_no_room_can_be_opened_the_info_channel_and_ticket_hear_of_it(
        world: Outage) -> None:
    """Every name of the room is held by someone else's channel: the outage is still
    announced, with the room missing, rather than silence."""
    from tests.test_outage import _today
    name = "erp-api-23-" + _today(world.c)
    for n in ["", *(f"-{i}" for i in range(2, 10))]:
        world.slack.add_channel(f"C0SQ{n or '1'}", f"{name}{n}", creator=STRANGER)
    world.declare()

    [notice] = [m["text"] for m in world.slack.messages(SLACK_L2)
                if "обсуждение аварии открыть не удалось" in m["text"]]
    assert "«АИС «Электронный рецепт» — API» (#23)" in notice
    assert any("обсуждение аварии открыть не удалось" in n["body"]
               for n in world.gl.issue(1, 23)["notes"])
    assert ("room_failed", "", "") in world.timeline(everything=True)


def test_a_problem_is_announced_as_a_problem_not_as_an_outage(
        world: Outage, standin_smtp: StandInSmtp, standin_gitlab: StandInGitLab) -> None:
    """EMIAS: «информирование о регистрации проблемы» — its own notice and letter."""
    from tests.test_outage import HEAD, OWNER
    from tests.test_outage_closing import button, conclude
    standin_gitlab.add_user("head", 90)
    world.declare()
    world.press(1, DUTY)
    world.press(3, OWNER)
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), button(world, "Закрыть и создать проблему"), HEAD)

    notices = [m["text"] for m in world.slack.messages(SLACK_L2)]
    [problem] = [t for t in notices if "проблема" in t]
    assert problem.startswith("🧩 Зарегистрирована проблема «Проблема: АИС «Электронный "
                              "рецепт» — API (после аварии #23)» (#25) по аварии #23. "
                              "Обсуждение проблемы: ")
    assert len([t for t in notices if t.startswith("🔴 Авария")]) == 1  # the outage's own only
    subjects = [letter["Subject"] for _, letter in standin_smtp.letters()]
    assert subjects == ["Авария «АИС «Электронный рецепт» — API» (#23)",
                        "Зарегистрирована проблема «Проблема: АИС «Электронный рецепт» — API "
                        "(после аварии #23)» (#25)"]
