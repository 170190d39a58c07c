"""Part 2 of the Belarus accident on GitLab and Slack: from «Восстановлено» the conclusion
form (a modal) records cause, measures, tasks and affected users; the downtime comes from the
timeline; the report issue is created from the template for the head of support and linked in
the room; then one of the three closing decisions closes it, the channel is archived and the
room's log is attached to the issue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.clock import FakeClock
from connector.features.outage import store as outages
from connector.store.db import reading
from tests.drive import post_slack, run_until_idle, slack_reply
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import DUTY, HEAD, OWNER, Outage, belarus_world

T0 = 1_772_700_000.0  # 2026-03-05 08:40 UTC
MIS = "U0MISOWNER"
CONCLUSION = {"cause": "Переполнение диска на сервере БД",
              "measures": "Очистили журналы, расширили диск", "tasks": "#31",
              "affected": "около 40% аптек"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack, clock: FakeClock) -> Iterator[Outage]:
    standin_gitlab.add_user("head", 90)
    worlds = belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, clock=clock)
    world = next(worlds)
    yield world
    world.c.engine.dispose()


def restored(world: Outage, clock: FakeClock) -> None:
    """Declared at T0, diagnosed, restored 2 h 05 min later; someone talks in the room."""
    world.declare()
    world.press(1, DUTY)
    slack_reply(world.client, channel=world.room()["id"], thread_ts="", text="БД не отвечает",
                user=DUTY, event_id="Ev1", ts=f"{T0 + 60:.6f}")
    clock.advance(2 * 3600 + 5 * 60)
    world.press(3, OWNER)  # → Восстановлено


def button(world: Outage, label: str) -> str:
    status = world.status()
    return next(e["value"] for b in status["blocks"] if b["type"] == "actions"
                for e in b["elements"] if e["text"]["text"] == label)


def submit(world: Outage, user: str, values: dict[str, str]) -> Any:
    [view] = world.slack.views[-1:]
    body = f"payload={json.dumps(world.slack.submission(view['id'], user, values))}"
    answer = post_slack(world.client, "/webhooks/slack/interactions", body.encode(),
                        content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    return answer


def conclude(world: Outage, user: str = OWNER) -> None:
    world.press_on(world.status(), button(world, "📝 Заключение"), user)
    assert submit(world, user, CONCLUSION).status_code == 200


def test_the_conclusion_makes_the_report_for_the_head_of_support(
        world: Outage, clock: FakeClock) -> None:
    restored(world, clock)
    conclude(world)
    submit(world, OWNER, CONCLUSION)  # Slack delivers the submission again: still once

    note = next(n["body"] for n in world.gl.issue(1, 23)["notes"] if "📝 Заключение" in
                n["body"])
    assert "Время простоя: 2 ч 05 мин" in note
    assert "Причина аварии: Переполнение диска на сервере БД" in note
    report = world.gl.issue(1, 24)
    assert report["title"] == "Отчёт об аварии: АИС «Электронный рецепт» — API (#23)"
    assert "Отчёт об аварии" in report["labels"] and report["assignee_ids"] == [90]
    assert "- Время простоя: 2 ч 05 мин" in report["description"]
    assert "Из хронологии аварии (заполнено автоматически)" in report["description"]
    assert "статус «Диагностика»" in report["description"]
    said = [m["text"] for m in world.slack.messages(world.room()["id"])]
    assert any(t.startswith("📄 Отчёт об аварии: #24") for t in said)
    assert not any("📄 Задача исполнителю по аварии" in t for t in said)  # erp-api has no contract
    with reading(world.c.engine) as conn:
        kinds = [e["kind"] for e in outages.timeline(conn, 1)]
    assert kinds.count("conclusion") == 1 and kinds.count("report") == 1


def test_the_conclusion_is_refused_to_someone_without_the_role(
        world: Outage, clock: FakeClock) -> None:
    from tests.test_outage import L1
    restored(world, clock)
    world.press_on(world.status(), button(world, "📝 Заключение"), L1)
    assert world.slack.views == []
    assert world.slack.responses[-1]["response_type"] == "ephemeral"


@pytest.mark.parametrize(("decision", "note"), [
    ("Закрыть с комментарием", "Закрыть с комментарием"),
    ("Закрыть и создать проблему", "Закрыть и создать проблему"),
])
def test_a_closing_decision_closes_archives_and_attaches_the_log(
        world: Outage, clock: FakeClock, decision: str, note: str) -> None:
    restored(world, clock)
    room = world.room()["id"]
    world.press(4, HEAD)  # → Заключение: refused, no conclusion yet
    assert "Восстановлено" in world.status()["text"]
    conclude(world)
    world.press(4, OWNER)  # → Заключение
    world.press_on(world.status(), button(world, decision), OWNER)  # only the head closes
    assert world.slack.channel(room)["is_archived"] is False
    world.press_on(world.status(), button(world, decision), HEAD)
    if decision == "Закрыть с комментарием":  # the comment is asked first (EMIAS)
        assert world.gl.issue(1, 23)["state"] == "opened"
        assert world.slack.views[-1]["callback_id"] == "hdc:outage:closing:1"
        submit(world, OWNER, {"comment": "Не мой комментарий"})  # the form is the head's
        assert world.gl.issue(1, 23)["state"] == "opened"
        submit(world, HEAD, {"comment": "Диск расширен, наблюдаем неделю"})

    issue = world.gl.issue(1, 23)
    assert "Сбой: заключение" not in issue["labels"]  # the closed stage has no label
    assert issue["state"] == "closed"
    assert any(f"Авария «АИС «Электронный рецепт» — API» закрыта (Руководитель поддержки): "
               f"{note}." in n["body"] for n in issue["notes"])
    if decision == "Закрыть с комментарием":
        assert any("Комментарий: Диск расширен, наблюдаем неделю" in n["body"]
                   for n in issue["notes"])
    assert world.slack.channel(room)["is_archived"] is True
    [log_note] = [n["body"] for n in issue["notes"] if "Журнал обсуждения аварии" in n["body"]]
    [(url, content)] = [(u, c) for u, c in world.gl.uploads.items()
                        if u.endswith("/outage-log-23.txt")]
    assert url in log_note
    text = content.decode()
    assert "— Дежурный инженер: БД не отвечает" in text  # named as the catalog names them
    assert "статус «Восстановлено»" in text
    if decision == "Закрыть и создать проблему":
        problem = world.gl.issue(1, 25)  # 24 is the report
        assert problem["title"].startswith("Проблема: АИС «Электронный рецепт» — API")
        assert "Проблема: зарегистрирована" in problem["labels"]
        assert problem["assignee_ids"] == [77]  # the first stage's owner: the responsible
        p_room = world.slack.channel("problem-erp-api-25-" + world.room()["name"][-10:])
        assert {OWNER, DUTY} <= set(p_room["members"])
        [p_status] = world.slack.pinned(p_room["id"])
        status_text = next(m["text"] for m in world.slack.messages(p_room["id"])
                           if m["ts"] == p_status)
        assert "Связанные аварии: #23" in status_text
        assert any("Авария #23 связана с проблемой #25" in n["body"] for n in issue["notes"])


def test_the_room_log_names_everyone_who_wrote(world: Outage, clock: FakeClock) -> None:
    """Slack's message event carries only the user id: the catalog's name, else the name
    Slack gives (asked once), never a blank."""
    from tests.test_outage import STRANGER
    restored(world, clock)
    room = world.room()["id"]
    for n, text in enumerate(["Кто-нибудь видит ошибки?", "У нас тоже падает"]):
        slack_reply(world.client, channel=room, thread_ts="", text=text, user=STRANGER,
                    event_id=f"EvS{n}", ts=f"{T0 + 120 + n:.6f}")
    run_until_idle(world.c)
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), button(world, "Закрыть и создать проблему"), HEAD)

    [(_, content)] = [(u, c) for u, c in world.gl.uploads.items() if u.endswith("-23.txt")]
    text = content.decode()
    assert "— Дежурный инженер: БД не отвечает" in text
    # not in the catalog: said so, with their Slack id, whatever name they give themselves
    assert "— U0Stranger (не из каталога; в чате — U0STRANGER): Кто-нибудь видит ошибки?" \
        in text
    assert "— U0Stranger (не из каталога; в чате — U0STRANGER): У нас тоже падает" in text
    assert " — —: " not in text
    asked = [r for r in world.slack.calls("users.info") if "U0STRANGER" in str(r.params)]
    assert len(asked) == 1


def test_under_a_contract_the_contractor_gets_its_ticket_with_the_timeline(
        tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
        standin_slack: StandInSlack, clock: FakeClock) -> None:
    """«Электронный рецепт — интеграция с МИС» is supported under a state contract: after the
    conclusion «Сбой на исполнителя» is created in the contractor's project, assigned to its
    work group, with the timeline, and named on the outage's ticket and in the room."""
    standin_gitlab.add_user("head", 90)
    standin_gitlab.add_user("contractor-wg", 91)
    standin_gitlab.add_user("mis-owner", 78)
    standin_slack.add_user(MIS, "mis-owner", "Mis Owner", "mis@example.org")
    standin_gitlab.add_issue(2, 1, labels=["старая заявка"])  # the contractor's project exists
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               clock=clock, people={"contractor-wg": {"gitlab": "contractor-wg"},
                                                    "mis-owner": {"slack": MIS}}))
    world.service = "erp-mis"
    world.declare("hook-1", "Сервис: erp-mis")
    world.press(1, DUTY)
    clock.advance(3600)
    world.press(3, MIS)
    conclude(world, MIS)

    ticket = standin_gitlab.issue(2, 2)
    iid = 2
    assert ticket["title"] == ("Авария по вине исполнителя: Электронный рецепт — интеграция с МИС "
                               "(gitlabhq/gitlab-test#23)")
    assert "Сбой на исполнителя" in ticket["labels"] and ticket["assignee_ids"] == [91]
    assert "Подрядчик по интеграции" in ticket["description"]
    assert "Хронология аварии (подтверждение для претензионной работы)" in ticket["description"]
    assert "статус «Восстановлено»" in ticket["description"]
    notes = [n["body"] for n in world.gl.issue(1, 23)["notes"]]
    # across GitLab projects a bare #2 would link project 1's own #2: the full reference
    assert any(n.startswith(f"📄 Задача исполнителю по аварии: group/project-2#{iid} ")
               and f"project-2/-/issues/{iid}" in n
               and "Рабочая группа подрядчика" in n for n in notes)
    assert "авария gitlabhq/gitlab-test#23:" in ticket["description"]  # and the other way
    world.c.engine.dispose()


def test_linking_to_an_open_problem_picks_it_from_the_list(
        world: Outage, clock: FakeClock, standin_gitlab: StandInGitLab) -> None:
    """A problem already open (from an earlier outage) is offered; picking it closes the
    outage and lists it on the problem's status."""
    from connector.events import TicketRef
    from connector.features.outage.problems import KIND
    restored(world, clock)
    with world.c.engine.begin() as conn:
        pid = outages.declare(conn, str(TicketRef("gitlab", "1", "40")), "belarus-ehr",
                              "erp-api", "analysis", KIND)
    standin_gitlab.add_issue(1, 40, labels=["Проблема"])
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), button(world, "Закрыть и связать с проблемой"), HEAD)
    offer = next(m for m in world.slack.messages(world.room()["id"])
                 if m["text"].startswith("Выберите проблему"))
    [choice] = [e for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert choice["text"]["text"] == "#40 — АИС «Электронный рецепт» — API"
    world.press_on(offer, choice["value"], HEAD)
    world.press_on(offer, choice["value"], HEAD)  # a second press: closed already

    with reading(world.c.engine) as conn:
        timeline = outages.timeline(conn, 1)
        linked = [e for e in outages.timeline(conn, pid) if e["kind"] == "outage"]
    assert [e["ticket"] for e in timeline if e["kind"] == "problem"] == ["gitlab:1#40"]
    assert len(linked) == 1 and timeline[-2]["decision"] == "link_problem"
    assert any("Авария #23 связана с проблемой #40" in n["body"]
               for n in world.gl.issue(1, 40)["notes"])
    assert world.slack.channel(world.room()["id"])["is_archived"] is True


def test_a_problem_moves_on_by_its_own_stages_and_owners(
        world: Outage, clock: FakeClock, standin_gitlab: StandInGitLab) -> None:
    restored(world, clock)
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), button(world, "Закрыть и создать проблему"), HEAD)
    p_room = world.slack.channel("problem-erp-api-25-" + world.room()["name"][-10:])
    [pinned] = world.slack.pinned(p_room["id"])
    status = next(m for m in world.slack.messages(p_room["id"]) if m["ts"] == pinned)
    go = next(e["value"] for b in status["blocks"] if b["type"] == "actions"
              for e in b["elements"] if e["text"]["text"] == "→ Анализ причины")

    world.press_on(status, go, DUTY, channel=p_room["id"])  # not a role the stage allows
    world.press_on(status, go, OWNER, channel=p_room["id"])

    problem = world.gl.issue(1, 25)
    assert "Проблема: анализ" in problem["labels"]
    assert "Проблема: зарегистрирована" not in problem["labels"]
    assert any("Статус проблемы «АИС «Электронный рецепт» — API»: Анализ причины" in n["body"]
               for n in problem["notes"])
    status = next(m for m in world.slack.messages(p_room["id"]) if m["ts"] == pinned)
    assert "Анализ причины" in status["text"] and "Связанные аварии: #23" in status["text"]


def test_a_problem_reaching_its_last_stage_closes_its_room_with_its_log(
        world: Outage, clock: FakeClock) -> None:
    restored(world, clock)
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), button(world, "Закрыть и создать проблему"), HEAD)
    p_room = world.slack.channel("problem-erp-api-25-" + world.room()["name"][-10:])
    for label, user in (("→ Анализ причины", OWNER), ("→ Устранение причины", OWNER),
                        ("→ Решена", HEAD)):
        [pinned] = world.slack.pinned(p_room["id"])
        status = next(m for m in world.slack.messages(p_room["id"]) if m["ts"] == pinned)
        go = next(e["value"] for b in status["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["text"]["text"] == label)
        world.press_on(status, go, user, channel=p_room["id"])

    problem = world.gl.issue(1, 25)
    assert problem["state"] == "closed" and problem["assignee_ids"] == [90]  # owner: head
    assert world.slack.channel(p_room["id"])["is_archived"] is True
    assert [u for u in world.gl.uploads if u.endswith("/problem-log-25.txt")]


def test_a_submission_the_button_would_refuse_records_nothing(
        world: Outage, clock: FakeClock) -> None:
    """The modal's id names the outage, but a submission is checked as the press was: an
    outage not yet restored takes no conclusion."""
    world.declare()
    world.press(1, DUTY)  # diagnosing: no conclusion offered
    view = {"id": "V0FORGED", "hash": "1.x", "team_id": "T1",
            "callback_id": "hdc:outage:conclusion:1",
            "state": {"values": {k: {k: {"value": v}} for k, v in CONCLUSION.items()}}}
    payload = {"type": "view_submission", "user": {"id": OWNER}, "view": view}
    answer = post_slack(world.client, "/webhooks/slack/interactions",
                        f"payload={json.dumps(payload)}".encode(),
                        content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    assert answer.status_code == 200
    assert "conclusion" not in [k for k, _, _ in world.timeline()]
    assert not any("Заключение" in n["body"] for n in world.gl.issue(1, 23)["notes"])


def test_a_conclusion_is_claimed_once_whoever_comes_second(world: Outage) -> None:
    from connector.features.outage import store_forms
    world.declare()
    with world.c.engine.begin() as conn:
        assert store_forms.claim_once(conn, 1, "conclusion") is True
    with world.c.engine.begin() as conn:
        assert store_forms.claim_once(conn, 1, "conclusion") is False


def test_a_closing_comment_of_invisible_characters_closes_nothing_and_says_so(
        world: Outage, clock: FakeClock) -> None:
    restored(world, clock)
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), button(world, "Закрыть с комментарием"), HEAD)
    submit(world, HEAD, {"comment": "\u202e \u2066\u2069"})

    assert world.gl.issue(1, 23)["state"] == "opened"
    said = world.slack.messages(world.room()["id"])[-1]["text"]
    assert said.startswith("Руководитель поддержки: в комментарии к закрытию не осталось текста")


@pytest.mark.parametrize(("fault", "contractor_ticket", "said"), [
    # (the form's answer, «Сбой на исполнителя» made in project 2, what the room is told)
    ("", False, "не оказывается в рамках государственного контракта"),  # default: declared
    ("erp-mis", True, "📄 Задача исполнителю по аварии"),
    ("3", True, "📄 Задача исполнителю по аварии"),  # its number in the list
    ("АИС «Электронный рецепт» — API", False, "не оказывается в рамках"),  # as pre-filled
    ("электронный рецепт — интеграция с мис", True, "📄 Задача исполнителю по аварии"),  # its title
    ("erp-pharmacy", False, "не оказывается в рамках государственного контракта"),
    ("кто-то другой", False, "«кто-то другой» не принят"),  # kept the declared one
])
def test_emias_contractor_ticket_only_by_fault_of_a_contracted_service(
        tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
        standin_slack: StandInSlack, clock: FakeClock, fault: str, contractor_ticket: bool,
        said: str) -> None:
    """EMIAS: «Если сбой возник по вине сервиса, на котором оказывается техническая поддержка
    в рамках государственного контракта (ГК) … автоматически создается Инцидент категории
    "Сбой на Исполнителя"». The conclusion asks which service was at fault (the declared one
    by default); the ticket goes to that service's contract, none without one — said."""
    standin_gitlab.add_user("head", 90)
    standin_gitlab.add_user("contractor-wg", 91)
    standin_gitlab.add_issue(2, 1, labels=["старая заявка"])  # the contractor's project exists
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               clock=clock, people={"contractor-wg": {"gitlab": "contractor-wg"}}))
    restored(world, clock)  # an outage of erp-api, which has no contract
    world.press_on(world.status(), button(world, "📝 Заключение"), OWNER)
    fields = [b["block_id"] for b in world.slack.views[-1]["blocks"]]
    assert "fault" in fields
    fault_field = next(b for b in world.slack.views[-1]["blocks"] if b["block_id"] == "fault")
    assert fault_field["element"]["initial_value"] == "АИС «Электронный рецепт» — API"
    assert "; 3. Электронный рецепт — интеграция с МИС." in fault_field["label"]["text"]
    assert submit(world, OWNER, {**CONCLUSION, "fault": fault}).status_code == 200

    made = [standin_gitlab.issue(2, 2)] if contractor_ticket else []
    with pytest.raises(KeyError):  # nothing more in the contractor's project
        standin_gitlab.issue(2, 2 + len(made))
    if made:
        assert "Сбой на исполнителя" in made[0]["labels"] and made[0]["assignee_ids"] == [91]
    room = [m["text"] for m in world.slack.messages(world.room()["id"])]
    assert any(said in t for t in room)
    world.c.engine.dispose()
