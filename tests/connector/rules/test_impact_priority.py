"""Sevastopol regulation §4.5, §4.9–4.10: the impact decides which priorities a request may have.

«Влияние» is MantisBT's severity, the priorities are Mantis' own: the events below are what
the Mantis normaliser makes of a request, in MantisBT's enum names. The ban is on *creating*
a request whose priority does not fit its impact (and on later raises by the applicant); a
change made by L1 staff is their right. A disallowed priority goes to the nearest allowed one.
"""

from __future__ import annotations

import pytest

from connector.events import Person, TicketEvent, TicketRef
from connector.mappings import Mapping, Mappings
from connector.rules.engine import Decision, RuleContext, decide
from connector.rules.models import ImpactPriority
from connector.rules.state import TicketState

REF = TicketRef("mantis", "1", "7")
APPLICANT = Person("ivanova", level=25)  # a reporter from a medical organisation
L1 = Person("l1-petrov", level=55)  # support staff: developer in the project

# The words: regulation value → MantisBT enum name.
SEVERITY = {"Нововведение": "feature", "Текст/опечатка": "text", "Настройка": "tweak",
            "Малое": "minor", "Большое": "major", "Критическое": "crash",
            "Блокирующее": "block"}
PRIORITY = {"Неотложный": "immediate", "Срочный": "urgent", "Высокий": "high",
            "Обычный": "normal", "Низкий": "low", "Нет": "none"}

# §4.10, written out: impact → chosen priority → what it becomes at creation (None: it fits).
# Nearest allowed: Низкий on «Малое» → Обычный, not Высокий; Mantis «срочный» ranks above
# Высокий and is never allowed.
AT_CREATION: dict[str, dict[str, str | None]] = {
    "Блокирующее": {"Неотложный": None, "Срочный": "Неотложный", "Высокий": "Неотложный",
                    "Обычный": "Неотложный", "Низкий": "Неотложный", "Нет": "Неотложный"},
    "Критическое": {"Неотложный": None, "Срочный": "Неотложный", "Высокий": "Неотложный",
                    "Обычный": "Неотложный", "Низкий": "Неотложный", "Нет": "Неотложный"},
    "Большое": {"Неотложный": "Высокий", "Срочный": "Высокий", "Высокий": None,
                "Обычный": "Высокий", "Низкий": "Высокий", "Нет": "Высокий"},
    "Малое": {"Неотложный": "Высокий", "Срочный": "Высокий", "Высокий": None,
              "Обычный": None, "Низкий": "Обычный", "Нет": "Обычный"},
    "Настройка": {"Неотложный": "Обычный", "Срочный": "Обычный", "Высокий": "Обычный",
                  "Обычный": None, "Низкий": None, "Нет": "Низкий"},
    "Текст/опечатка": {"Неотложный": "Низкий", "Срочный": "Низкий", "Высокий": "Низкий",
                       "Обычный": "Низкий", "Низкий": None, "Нет": "Низкий"},
    "Нововведение": {"Неотложный": "Низкий", "Срочный": "Низкий", "Высокий": "Низкий",
                     "Обычный": "Низкий", "Низкий": None, "Нет": "Низкий"},
}
RANK = list(PRIORITY)
HIGHEST_ALLOWED = {"Блокирующее": "Неотложный", "Критическое": "Неотложный",
                   "Большое": "Высокий", "Малое": "Высокий", "Настройка": "Обычный",
                   "Текст/опечатка": "Низкий", "Нововведение": "Низкий"}


def expected(impact: str, priority: str, who: str) -> str | None:
    """The regulation's answer for one cell of the table and one kind of change."""
    at_creation = AT_CREATION[impact][priority]
    if who == "L1 afterwards":
        return None  # §4.5, §4.9, §4.10: L1's right, even below the table
    if who == "applicant afterwards":
        # from the highest allowed priority: a raise is banned like at creation, a lowering
        # of their own request is left alone
        raised = RANK.index(priority) < RANK.index(HIGHEST_ALLOWED[impact])
        return at_creation if raised else None
    return at_creation


CASES = [pytest.param(impact, priority, who, id=f"{priority} on {impact}, {who}")
         for impact, row in AT_CREATION.items() for priority in row
         for who in ("applicant at creation", "applicant afterwards", "L1 afterwards")]


@pytest.fixture(scope="module")
def sevastopol(mappings: Mappings) -> Mapping:
    """The shipped impact table and Mantis vocabulary alone (no intake, no escalation)."""
    shipped = mappings.get("sevastopol-miac")
    rules = [r for r in shipped.rules if isinstance(r, ImpactPriority)]
    return Mapping(name=shipped.name, trackers=shipped.trackers, rules=rules)


def mantis_event(impact: str, priority: str, *, new: bool = False,
                 set_by: Person | None = None, severity: str | None = None) -> TicketEvent:
    """A request as the Mantis normaliser reports it; `set_by` changed priority and severity."""
    changed = {"priority": set_by, "severity": set_by} if set_by else {}
    return TicketEvent(ref=REF, kind="ticket", action="open" if new else "update",
                       actor=set_by.name if set_by else APPLICANT.name, author=APPLICANT.name,
                       title="Не открывается карта пациента", is_new=new,
                       priority=PRIORITY.get(priority, priority),
                       fields={"severity": severity or SEVERITY[impact]}, changed_by=changed)


def settled(sevastopol: Mapping, ctx: RuleContext, impact: str, priority: str) -> TicketState:
    """The state after the connector saw the request created with this allowed combination."""
    decision = decide(sevastopol, mantis_event(impact, priority, new=True), TicketState(), ctx)
    assert decision.actions == []
    return decision.state


def corrected_to(decision: Decision) -> str | None:
    """The Mantis priority the rule sets, checking it comes with exactly one explaining note."""
    if not decision.actions:
        return None
    set_priority, note = decision.actions
    assert (set_priority.kind, note.kind) == ("set_priority", "add_note")
    assert set_priority.target == note.target == "mantis"
    assert set_priority.ticket == note.ticket == REF
    return str(set_priority.params["priority"])


def test_table_covers_every_impact_and_priority(sevastopol: Mapping) -> None:
    [rule] = sevastopol.rules
    assert isinstance(rule, ImpactPriority)
    assert rule.priorities == RANK
    assert list(rule.allowed) == list(AT_CREATION)
    assert sevastopol.trackers["mantis"].impacts == SEVERITY
    assert sevastopol.trackers["mantis"].priorities == PRIORITY


@pytest.mark.parametrize(("impact", "priority", "who"), CASES)
def test_priority_follows_impact(sevastopol: Mapping, ctx: RuleContext, impact: str,
                                 priority: str, who: str) -> None:
    if who == "applicant at creation":
        decision = decide(sevastopol, mantis_event(impact, priority, new=True), TicketState(),
                          ctx)
    else:
        state = settled(sevastopol, ctx, impact, HIGHEST_ALLOWED[impact])
        person = L1 if who == "L1 afterwards" else APPLICANT
        decision = decide(sevastopol, mantis_event(impact, priority, set_by=person), state, ctx)
    want = expected(impact, priority, who)
    assert corrected_to(decision) == (PRIORITY[want] if want else None)


def test_low_on_minor_at_creation_becomes_normal_with_a_note(sevastopol: Mapping,
                                                             ctx: RuleContext) -> None:
    """The issue's done-when: Низкий at creation on «Малое» → Обычный, with a note citing
    §4.10; the same lowering made by L1 afterwards stays."""
    created = decide(sevastopol, mantis_event("Малое", "Низкий", new=True), TicketState(), ctx)
    set_priority, note = created.actions
    assert set_priority.params == {"priority": "normal", "was": "Низкий"}
    body = note.params["body"]
    assert "Приоритет «Низкий» не соответствует влиянию «Малое»" in body
    assert "п. 4.10" in body and "Высокий, Обычный" in body
    assert "ближайший допустимый — «Обычный»" in body
    assert "(п. 4.5)" in body

    # Mantis now holds Обычный; L1 lowers it to Низкий while studying the request.
    lowered = decide(sevastopol, mantis_event("Малое", "Низкий", set_by=L1), created.state, ctx)
    assert lowered.actions == []
    later = decide(sevastopol, mantis_event("Малое", "Низкий", set_by=L1), lowered.state, ctx)
    assert later.actions == []  # and stays lowered on every later event


def test_l1_lowering_the_impact_is_respected(sevastopol: Mapping, ctx: RuleContext) -> None:
    state = settled(sevastopol, ctx, "Критическое", "Неотложный")
    event = mantis_event("Малое", "Неотложный", set_by=L1)
    assert decide(sevastopol, event, state, ctx).actions == []


def test_applicant_raising_the_impact_gets_the_priority_it_needs(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    state = settled(sevastopol, ctx, "Малое", "Обычный")
    event = mantis_event("Критическое", "Обычный", set_by=APPLICANT)
    assert corrected_to(decide(sevastopol, event, state, ctx)) == "immediate"


def test_applicant_lowering_the_impact_under_a_high_priority_is_corrected(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    state = settled(sevastopol, ctx, "Критическое", "Неотложный")
    event = mantis_event("Малое", "Неотложный", set_by=APPLICANT)
    assert corrected_to(decide(sevastopol, event, state, ctx)) == "high"


def test_a_change_by_someone_unknown_counts_as_the_applicants(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    """A user below the staff level (or an access level nobody told us) is not L1."""
    state = settled(sevastopol, ctx, "Малое", "Высокий")
    for who in (Person("someone"), Person("updater-user", level=40)):
        event = mantis_event("Малое", "Неотложный", set_by=who)
        assert corrected_to(decide(sevastopol, event, state, ctx)) == "high"


def test_l1_by_username_list(sevastopol: Mapping, ctx: RuleContext) -> None:
    vocab = sevastopol.trackers["mantis"].model_copy(update={"l1": sevastopol.trackers[
        "mantis"].l1.model_copy(update={"users": ["sidorova"]})})
    mapping = sevastopol.model_copy(update={"trackers": {"mantis": vocab}})
    state = settled(mapping, ctx, "Малое", "Высокий")
    event = mantis_event("Малое", "Низкий", set_by=Person("sidorova"))
    assert decide(mapping, event, state, ctx).actions == []


def test_correction_is_made_once_and_stays_made(sevastopol: Mapping, ctx: RuleContext) -> None:
    first = decide(sevastopol, mantis_event("Малое", "Срочный", new=True), TicketState(), ctx)
    assert corrected_to(first) == "high"
    # Before the correction lands, the applicant edits something else: the view still shows
    # Срочный, but nobody set it again.
    stale = decide(sevastopol, mantis_event("Малое", "Срочный"), first.state, ctx)
    echo = decide(sevastopol, mantis_event("Малое", "Высокий"), stale.state, ctx)
    assert stale.actions == [] and echo.actions == []
    raised_again = decide(sevastopol, mantis_event("Малое", "Срочный", set_by=APPLICANT),
                          echo.state, ctx)
    assert corrected_to(raised_again) == "high"  # a raise back to Срочный is corrected again


def test_correction_note_in_english(sevastopol: Mapping, mappings: Mappings) -> None:
    ctx = RuleContext(mappings, "en", {})
    _, note = decide(sevastopol, mantis_event("Малое", "Срочный", new=True), TicketState(),
                     ctx).actions
    assert 'Priority "Срочный" does not fit impact "Малое"' in note.params["body"]
    assert 'nearest allowed one, "Высокий"' in note.params["body"]


@pytest.mark.parametrize(("severity", "priority", "field"), [
    pytest.param("trivial", "normal", "impact", id="Mantis «пустяк» is not a regulation impact"),
    pytest.param("cosmetic", "normal", "impact", id="a severity this Mantis defined itself"),
    pytest.param("minor", "@0@", "priority", id="a priority id Mantis has no name for"),
])
def test_unknown_values_are_warned_about_once_never_guessed(
    sevastopol: Mapping, ctx: RuleContext, severity: str, priority: str, field: str
) -> None:
    event = mantis_event("Малое", priority, new=True, severity=severity)
    first = decide(sevastopol, event, TicketState(), ctx)
    again = decide(sevastopol, event, first.state, ctx)

    assert first.actions == [] and again.actions == []
    [warning] = first.warnings
    assert warning.field == field and warning.value in (severity, priority)
    assert "trackers vocabulary" in warning.text
    assert again.warnings == []


@pytest.mark.parametrize(("fields", "priority"), [
    pytest.param({}, "normal", id="no impact"),
    pytest.param({"severity": "minor"}, None, id="no priority"),
])
def test_nothing_to_check_means_no_action(sevastopol: Mapping, ctx: RuleContext,
                                          fields: dict[str, str], priority: str | None) -> None:
    event = TicketEvent(ref=REF, kind="ticket", action="open", actor="ivanova", is_new=True,
                        priority=priority, fields=fields)
    decision = decide(sevastopol, event, TicketState(), ctx)
    assert decision.actions == [] and decision.warnings == []


def test_otrs_agents_are_l1_customers_are_not(mappings: Mappings, ctx: RuleContext) -> None:
    """Znuny reports who changed a ticket as ChangeBy: an agent id, or 1 for a customer."""
    shipped = mappings.get("sevastopol-miac")
    mapping = Mapping(name=shipped.name, trackers=shipped.trackers,
                      rules=[r for r in shipped.rules if isinstance(r, ImpactPriority)])
    ref = TicketRef("otrs", "Support", "7")

    def otrs(priority: str, who: Person | None, new: bool = False) -> TicketEvent:
        return TicketEvent(ref=ref, kind="ticket", action="update", actor="", is_new=new,
                           priority=priority, fields={"Impact": "minor"},
                           changed_by={"priority": who} if who else {})

    created = decide(mapping, otrs("5 very high", None, new=True), TicketState(), ctx)
    assert [a.params.get("priority") for a in created.actions][:1] == ["4 high"]
    settled_state = decide(mapping, otrs("4 high", Person("2", agent=True)), created.state,
                           ctx).state
    by_agent = decide(mapping, otrs("2 low", Person("5", agent=True)), settled_state, ctx)
    by_customer = decide(mapping, otrs("5 very high", Person("1")), settled_state, ctx)
    assert by_agent.actions == []
    assert [a.params.get("priority") for a in by_customer.actions][:1] == ["4 high"]
