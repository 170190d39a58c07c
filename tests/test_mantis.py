"""Sevastopol on MantisBT, end to end: webhooks exactly as the shipped PHP plugin sends them,
write-back through a stand-in answering as MantisBT 2.28's REST API (its real severity and
priority enums, history, reassign_on_feedback), and polling for what no webhook reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from prometheus_client import generate_latest

from connector.core import Connector
from connector.reconcile import reconcile_all
from tests.appendix1 import FORM, without
from tests.conftest import SLACK_L2
from tests.drive import run_until_idle
from tests.mantis_hooks import delivery, post_delivery
from tests.mantis_hooks import issue_notes as notes
from tests.mantis_hooks import issue_status as status
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from webhooks.app import create_app

APPLICANT = "ivanova"  # a reporter at a medical organisation
NO_PATIENT = without("Данные пациента")
SEVEN_PNG_IN_A_ZIP = [("скриншоты.zip", 2_400_000)]
Http = tuple[Connector, FlaskClient]


@pytest.fixture
def http(db_url: str, standin_mantis: StandInMantis,
         make_connector: Callable[..., Connector]) -> Http:
    c = make_connector(db_url, mantis=standin_mantis)
    return c, create_app(c.config, start_worker=False, setup_logs=False).test_client()


def report(mantis: StandInMantis, description: str = FORM, **issue: Any) -> None:
    fields = {"summary": "Ошибка записи к логопеду", "reporter": APPLICANT,
              "severity": "minor", "priority": "normal", "attachments": SEVEN_PNG_IN_A_ZIP,
              **issue}
    mantis.add_issue(42, description=description, **fields)


def send(http: Http, mantis: StandInMantis, event: str, **kw: Any) -> None:
    """The plugin's webhook for issue 42 as Mantis holds it now; then the worker runs."""
    c, client = http
    headers, body = delivery(event, mantis.issue(42), **kw)
    post_delivery(c, client, headers, body)


def test_request_filled_in_as_appendix_1_with_seven_pngs_in_a_zip_stays_new(
    standin_mantis: StandInMantis, http: Http
) -> None:
    report(standin_mantis)
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)

    assert status(standin_mantis) == "new"
    assert notes(standin_mantis) == []
    assert standin_mantis.writes() == []


def test_missing_patient_data_waits_in_feedback_until_the_applicants_note_supplies_it(
    standin_mantis: StandInMantis, http: Http
) -> None:
    report(standin_mantis, NO_PATIENT)
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)

    assert status(standin_mantis) == "feedback"  # «Обратная связь»
    [held] = notes(standin_mantis)
    assert "— «Данные пациента» — фамилия, инициалы, № карты" in held
    assert held.count("\n— ") == 1  # only that item

    # With Mantis' default rights the applicant answers with a note; Mantis moves the request
    # back to new itself (reassign_on_feedback), then the plugin reports the note.
    standin_mantis.add_note(42, "Данные пациента:\nПетров П.П., карта 123456", reporter=APPLICANT)
    assert status(standin_mantis) == "new"
    send(http, standin_mantis, "note_added", actor=APPLICANT,
         note="Данные пациента:\nПетров П.П., карта 123456")

    assert status(standin_mantis) == "new"  # «Новая»
    assert "заявка дополнена" in notes(standin_mantis)[-1]
    assert len(notes(standin_mantis)) == 3


def test_an_answer_that_does_not_supply_it_goes_back_to_feedback(
    standin_mantis: StandInMantis, http: Http
) -> None:
    report(standin_mantis, NO_PATIENT)
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)
    standin_mantis.add_note(42, "Пациент был вчера, карту не помню", reporter=APPLICANT)
    send(http, standin_mantis, "note_added", actor=APPLICANT,
         note="Пациент был вчера, карту не помню")

    assert status(standin_mantis) == "feedback"
    assert "по-прежнему не хватает" in notes(standin_mantis)[-1]
    assert "«Данные пациента»" in notes(standin_mantis)[-1]


def test_the_same_completion_is_found_by_polling_when_no_webhook_arrives(
    standin_mantis: StandInMantis, http: Http
) -> None:
    c, _ = http
    report(standin_mantis, NO_PATIENT)
    assert reconcile_all(c) == 1
    run_until_idle(c)
    assert status(standin_mantis) == "feedback"

    standin_mantis.add_note(42, "Данные пациента: Петров П.П., карта 123456",
                            reporter=APPLICANT)
    reconcile_all(c)
    run_until_idle(c)
    reconcile_all(c)
    run_until_idle(c)

    assert status(standin_mantis) == "new"
    assert "заявка дополнена" in notes(standin_mantis)[-1]
    assert len(notes(standin_mantis)) == 3


def test_low_at_creation_on_minor_becomes_normal_and_l1s_lowering_stays(
    standin_mantis: StandInMantis, http: Http
) -> None:
    report(standin_mantis, priority="low")
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)

    assert standin_mantis.issue(42)["priority"]["name"] == "normal"  # «Обычный»
    [note] = notes(standin_mantis)
    assert "Приоритет «Низкий» не соответствует влиянию «Малое»" in note and "п. 4.10" in note

    # L1 studies the request and lowers the priority in the web UI (§4.5, §4.10).
    before = standin_mantis.issue(42)
    l1 = standin_mantis.add_token("l1-petrov", access_level=55)
    requests.patch(f"{standin_mantis.url}/api/rest/index.php/issues/42", timeout=5,
                   headers={"Authorization": l1}, json={"priority": {"name": "low"}})
    send(http, standin_mantis, "issue_updated", actor="l1-petrov", level=55, before=before)
    c, _ = http
    reconcile_all(c)  # polling sees the same change, with L1 in the issue's history
    run_until_idle(c)

    assert standin_mantis.issue(42)["priority"]["name"] == "low"
    assert len(notes(standin_mantis)) == 1


@pytest.mark.parametrize(("who", "level", "kept"), [
    pytest.param("l1-petrov", 55, True, id="L1 (developer) may change it (§4.5)"),
    pytest.param(APPLICANT, 25, False, id="the applicant may not raise it"),
])
def test_who_raised_the_priority_is_read_from_the_history_when_polling(
    standin_mantis: StandInMantis, http: Http, who: str, level: int, kept: bool
) -> None:
    c, _ = http
    report(standin_mantis, priority="high")
    reconcile_all(c)
    run_until_idle(c)
    token = standin_mantis.add_token(who, access_level=level)
    requests.patch(f"{standin_mantis.url}/api/rest/index.php/issues/42", timeout=5,
                   headers={"Authorization": token}, json={"priority": {"name": "immediate"}})
    reconcile_all(c)
    run_until_idle(c)

    assert standin_mantis.issue(42)["priority"]["name"] == ("immediate" if kept else "high")
    assert len(notes(standin_mantis)) == (0 if kept else 1)


def test_applicant_raising_to_urgent_later_is_corrected(standin_mantis: StandInMantis,
                                                        http: Http) -> None:
    report(standin_mantis, priority="high")
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)
    before = standin_mantis.issue(42)
    own = standin_mantis.add_token(APPLICANT)
    requests.patch(f"{standin_mantis.url}/api/rest/index.php/issues/42", timeout=5,
                   headers={"Authorization": own}, json={"priority": {"name": "urgent"}})
    send(http, standin_mantis, "issue_updated", actor=APPLICANT, before=before)

    assert standin_mantis.issue(42)["priority"]["name"] == "high"
    assert "Приоритет «Срочный» не соответствует влиянию «Малое»" in notes(standin_mantis)[-1]


def test_own_notes_coming_back_from_the_plugin_change_nothing(
    standin_mantis: StandInMantis, http: Http
) -> None:
    report(standin_mantis, NO_PATIENT)
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)
    writes = len(standin_mantis.writes())

    send(http, standin_mantis, "note_added", actor="helpdesk-bot", level=55,
         note=notes(standin_mantis)[0])

    assert len(standin_mantis.writes()) == writes


def test_forged_signature_is_refused(standin_mantis: StandInMantis, http: Http) -> None:
    report(standin_mantis)
    headers, body = delivery("issue_reported", standin_mantis.issue(42), secret="not-the-secret")
    assert http[1].post("/webhooks/mantis", data=body, headers=headers).status_code == 401


def test_changes_made_through_rest_are_found_by_polling(standin_mantis: StandInMantis,
                                                        http: Http) -> None:
    c, _ = http
    report(standin_mantis, NO_PATIENT, priority="urgent")
    assert reconcile_all(c) == 1  # no webhook at all: REST changes fire no plugin event
    run_until_idle(c)

    assert status(standin_mantis) == "feedback"
    assert standin_mantis.issue(42)["priority"]["name"] == "high"
    reconcile_all(c)  # the connector's own writes are seen, and change nothing
    run_until_idle(c)
    assert len(notes(standin_mantis)) == 2


def test_l2_line_field_escalates_the_request_into_slack(
    db_url: str, standin_mantis: StandInMantis, standin_slack: StandInSlack,
    make_connector: Callable[..., Connector],
) -> None:
    report(standin_mantis, priority="high", custom_fields={"Линия": "L2"})
    c = make_connector(db_url, mantis=standin_mantis, slack=standin_slack)
    send((c, create_app(c.config, start_worker=False, setup_logs=False).test_client()),
         standin_mantis, "issue_updated", actor="l1-petrov", level=55)

    [root] = standin_slack.messages(SLACK_L2)
    text = str(root["text"])
    assert "Заявка #42 передана на 2 ЛТП: Ошибка записи к логопеду" in text
    assert "Приоритет: Высокий" in text and f"Заявитель: {APPLICANT}" in text
    assert "Данные пациента: Петров П.П." in text  # what L1 collected, read back from Mantis
    assert "mantis:" not in text and "high" not in text


def test_an_impact_the_regulation_lacks_is_logged_and_counted_not_guessed(
    standin_mantis: StandInMantis, http: Http, caplog: pytest.LogCaptureFixture
) -> None:
    report(standin_mantis, severity="trivial", priority="immediate")  # Mantis' «пустяк»
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)
    send(http, standin_mantis, "note_added", actor=APPLICANT, note="Есть новости?")

    assert standin_mantis.writes() == []  # nothing corrected on a guess
    [line] = [r.getMessage() for r in caplog.records if "regulation's table" in r.getMessage()]
    assert line.startswith("mantis:1#42: impact 'trivial'") and "trackers vocabulary" in line
    metrics = generate_latest(http[0].metrics.registry).decode()  # the worker's counters
    assert 'hdc_rule_warnings_total{field="impact",tracker="mantis"} 1.0' in metrics


def test_a_request_the_connector_itself_reported_is_not_held_for_the_form(
    standin_mantis: StandInMantis, http: Http
) -> None:
    """Seen against a real MantisBT: holding the bot's own issue made its own note (as the
    reporter) move it back to new at once, the note then saying the opposite of the status."""
    c, _ = http
    report(standin_mantis, "Оповещение мониторинга: 5xx у API", reporter="helpdesk-bot")
    reconcile_all(c)
    run_until_idle(c)
    assert status(standin_mantis) == "new" and notes(standin_mantis) == []


def test_issues_edited_while_the_poll_pages_through_them_are_all_seen(
    standin_mantis: StandInMantis, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mantis lists the last updated first: an issue edited mid-poll jumps to page 1, and the
    one after it slips into a page already read. Every issue must still be corrected once."""
    monkeypatch.setattr("plugins.mantis.tracker.PAGE", 10)
    c, _ = http
    for issue_id in range(1, 41):
        standin_mantis.add_issue(issue_id, summary=f"Заявка {issue_id}", description=FORM,
                                 reporter=APPLICANT, priority="urgent",
                                 attachments=SEVEN_PNG_IN_A_ZIP)
    requests_seen = iter(range(1, 1000))

    def edit_while_paging(_page: int) -> None:
        """Before the 2nd to 7th requests, someone edits the oldest issue not yet read."""
        if 1 < next(requests_seen) < 8:
            oldest = min(range(1, 41), key=lambda i: standin_mantis.issue(i)["updated_at"])
            standin_mantis.touch(oldest, "Изменена во время опроса")

    standin_mantis.on_list_issues(edit_while_paging)
    reconcile_all(c)
    standin_mantis.on_list_issues(None)
    run_until_idle(c)

    for issue_id in range(1, 41):
        issue = standin_mantis.issue(issue_id)
        assert issue["priority"]["name"] == "high", issue_id  # Срочный on «Малое» → Высокий
        assert len(issue.get("notes", [])) == 1, issue_id
