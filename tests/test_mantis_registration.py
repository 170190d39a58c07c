"""Sevastopol §2.7 end to end on MantisBT: a request L1 registers is checked against what L1
records — «с указанием МО, ответственного лица от имени МО, приоритета заявки и сервиса» —
not against the applicant's form (Appendix 1), and L1 is never sent to «Обратная связь» on
their own request. Webhooks exactly as the shipped PHP plugin sends them (the reporter with
their access level in the project), write-back through the Mantis stand-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from connector.core import Connector
from connector.reconcile import reconcile_all
from tests.appendix1 import without
from tests.drive import run_until_idle
from tests.mantis_hooks import delivery, post_delivery
from tests.mantis_hooks import issue_notes as notes
from tests.mantis_hooks import issue_status as status
from tests.standins.mantis import StandInMantis
from webhooks.app import create_app

Http = tuple[Connector, FlaskClient]
APPLICANT = "ivanova"  # a reporter at a medical organisation (§2.2)
# Both ways of being L1: the mapping's level (trackers.mantis.l1: developer) or the catalog
# (catalog.yml: sev-l1 is egisz-mis's L1, mantis: sev-l1), whatever their Mantis level.
L1_BY_LEVEL = ("petrova", 55)
L1_BY_CATALOG = ("sev-l1", 25)
REGISTERED = """\
Звонок в 1 ЛТП: не работает запись к логопеду.
МО: ГБУЗС «Городская больница № 1»
Ответственное лицо: Сидоров С. С., инженер ИТ-отдела, +7 978 111-11-11"""
APPLICANT_FORM_LACKING_PATIENT = without("Данные пациента")


@pytest.fixture
def http(db_url: str, standin_mantis: StandInMantis,
         make_connector: Callable[..., Connector]) -> Http:
    c = make_connector(db_url, mantis=standin_mantis)
    return c, create_app(c.config, start_worker=False, setup_logs=False).test_client()


def register(mantis: StandInMantis, reporter: str, level: int, description: str = REGISTERED,
             **issue: Any) -> None:
    mantis.add_user(reporter, 500 + level, access_level=level)
    fields = {"summary": "Не работает запись к логопеду", "reporter": reporter,
              "severity": "minor", "priority": "normal", "category": "МИС", **issue}
    mantis.add_issue(42, description=description, **fields)


def send(http: Http, mantis: StandInMantis, event: str, actor: str, **kw: Any) -> None:
    """The plugin's webhook for issue 42 as Mantis holds it now — the actor and the reporter
    with their access levels — then the worker runs."""
    c, client = http
    reporter = str(mantis.issue(42)["reporter"]["name"])
    headers, body = delivery(event, mantis.issue(42), actor=actor,
                             level=mantis.access_level(actor),
                             reporter_level=mantis.access_level(reporter), **kw)
    post_delivery(c, client, headers, body)


@pytest.mark.parametrize("l1", [L1_BY_LEVEL, L1_BY_CATALOG], ids=["by-access-level", "by-catalog"])
def test_section_2_7_l1_registers_with_its_items_and_is_not_held_for_appendix_1(
    standin_mantis: StandInMantis, http: Http, l1: tuple[str, int]
) -> None:
    """§2.7: L1's request names the МО, the person responsible, the priority and the service;
    it has no patient data or screenshots (Appendix 1 is the applicant's form) and stays
    «Новая» without a comment."""
    name, level = l1
    register(standin_mantis, name, level)
    send(http, standin_mantis, "issue_reported", actor=name)

    assert status(standin_mantis) == "new"
    assert notes(standin_mantis) == []
    assert standin_mantis.writes() == []


def test_section_3_applicant_lacking_appendix_1_still_waits_in_feedback(
    standin_mantis: StandInMantis, http: Http
) -> None:
    """§3.1–3.2: the same check as before for an applicant (a reporter outside the catalog's
    L1): the request without patient data waits in «Обратная связь»."""
    register(standin_mantis, APPLICANT, 25, APPLICANT_FORM_LACKING_PATIENT,
             attachments=[("скриншот.png", 1000)])
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)

    assert status(standin_mantis) == "feedback"
    [held] = notes(standin_mantis)
    assert "«Данные пациента»" in held


# §2.7's items, each left out in turn: how the request lacks it, how the comment names it
MISSING = [
    ("МО", {"description": REGISTERED.replace("МО: ГБУЗС «Городская больница № 1»\n", "")},
     "— МО."),
    ("ответственное лицо от имени МО",
     {"description": REGISTERED.rsplit("\n", 1)[0]}, "— ответственное лицо от имени МО."),
    # Mantis «нет» on an impact the regulation's table lacks: no correction gives it one
    ("приоритет заявки", {"priority": "none", "severity": "trivial"}, "— приоритет заявки."),
    ("сервис", {"category": "General"}, "— сервис технической поддержки (категория заявки)."),
]


@pytest.mark.parametrize("l1", [L1_BY_LEVEL, L1_BY_CATALOG], ids=["by-access-level", "by-catalog"])
@pytest.mark.parametrize(("item", "lacking", "named"), MISSING, ids=[m[0] for m in MISSING])
def test_section_2_7_a_missing_item_gets_l1_one_comment_and_the_status_stays(
    standin_mantis: StandInMantis, http: Http, l1: tuple[str, int], item: str,
    lacking: dict[str, Any], named: str
) -> None:
    """§2.7: a request L1 registered without one of its items gets one comment naming it;
    the status stays «Новая» — L1 is never sent to «Обратная связь» on their own request."""
    name, level = l1
    register(standin_mantis, name, level, **lacking)
    send(http, standin_mantis, "issue_reported", actor=name)

    assert status(standin_mantis) == "new"
    [comment] = notes(standin_mantis)
    assert "п. 2.7" in comment
    assert comment.count("\n— ") == 1 and named in comment, comment
    assert [w.method for w in standin_mantis.writes()] == ["POST"]  # the comment, no PATCH


def test_section_2_7_the_mo_and_the_person_responsible_may_be_custom_fields(
    standin_mantis: StandInMantis, http: Http
) -> None:
    """§2.7's МО and «ответственное лицо от имени МО» as Mantis custom fields count as given."""
    name, level = L1_BY_LEVEL
    register(standin_mantis, name, level, "Звонок в 1 ЛТП: не работает запись к логопеду.",
             custom_fields={"МО": "ГБУЗС «Городская больница № 1»",
                            "Ответственное лицо": "Сидоров С. С."})
    send(http, standin_mantis, "issue_reported", actor=name)

    assert notes(standin_mantis) == []


def test_section_2_7_repeated_events_give_one_comment_per_set_of_missing_items(
    standin_mantis: StandInMantis, http: Http
) -> None:
    """§2.7: the webhook again, an edit, L1's own comment and a poll that all still lack the
    МО — one comment; completed, nothing more; a new gap later is named once again."""
    c, _ = http
    name, level = L1_BY_LEVEL
    no_mo = REGISTERED.replace("МО: ГБУЗС «Городская больница № 1»\n", "")
    register(standin_mantis, name, level, no_mo)
    send(http, standin_mantis, "issue_reported", actor=name)
    send(http, standin_mantis, "issue_reported", actor=name)
    before = standin_mantis.issue(42)
    standin_mantis.touch(42, "Не работает запись к логопеду (уточнено)")
    send(http, standin_mantis, "issue_updated", actor=name, before=before)
    standin_mantis.add_note(42, "Перезвоню заявителю.", reporter=name)
    send(http, standin_mantis, "note_added", actor=name, note="Перезвоню заявителю.")
    reconcile_all(c)
    run_until_idle(c)

    assert len(notes(standin_mantis)) == 2  # one comment of ours, and L1's own
    assert "— МО." in notes(standin_mantis)[0]
    assert status(standin_mantis) == "new"

    standin_mantis.add_note(42, "МО: ГБУЗС «Городская больница № 1»", reporter=name)
    send(http, standin_mantis, "note_added", actor=name,
         note="МО: ГБУЗС «Городская больница № 1»")
    assert len(notes(standin_mantis)) == 3  # L1's completion: nothing to say

    before = standin_mantis.issue(42)
    standin_mantis.change_at(42, standin_mantis.issue(42)["updated_at"], by=name,
                             category="General")
    send(http, standin_mantis, "issue_updated", actor=name, before=before)
    send(http, standin_mantis, "issue_updated", actor=name, before=before)
    assert len(notes(standin_mantis)) == 4
    assert "— сервис технической поддержки (категория заявки)." in notes(standin_mantis)[-1]
    assert status(standin_mantis) == "new"


def test_section_4_10_a_priority_the_impact_bans_is_corrected_not_asked_of_l1(
    standin_mantis: StandInMantis, http: Http
) -> None:
    """§4.10 holds for L1 too (docs/regulations/sevastopol.md): L1's «Нет» on «Малое» is
    corrected to «Обычный» with its note, and the §2.7 comment does not also ask for it."""
    name, level = L1_BY_LEVEL
    register(standin_mantis, name, level, priority="none")
    send(http, standin_mantis, "issue_reported", actor=name)

    [note] = notes(standin_mantis)
    assert "п. 4.10" in note and "п. 2.7" not in note
    assert standin_mantis.issue(42)["priority"]["name"] == "normal"
