"""Issue 20 item 9: every text in each regulation's own words. Belarus (seed 002) says «авария»,
«задача», «L1 / первая линия»; Sevastopol (seed 003) says «заявка», «1 ЛТП», «2 ЛТП» and, as
MantisBT's Russian interface does, «комментарий». Every template is rendered under each shipped
mapping with realistic values and read for the other regulation's words (the mapping's
`words.avoids`), internal words, «(а)», list items ending «;», and durations written «4:00»."""

from __future__ import annotations

import re
import string

import pytest

from connector.mappings import TEMPLATE_FIELDS, Mapping, Mappings
from connector.words import Words
from tests.connector.test_texts import REALISTIC

SHIPPED = ["belarus-ehr", "sevastopol-miac"]
# The house's words for its own parts, never the reader's (house rules, issue 20 item 9).
INTERNAL = Words(avoids=["коннектор", "очеред действий", "трекер", "комнат"])
DURATION = re.compile(r"(?<!\d{4} )(?<!\d)\d{1,3}:\d\d(?!\d)")  # 4:00; not a time after a date
# Texts naming a ticket that are no chat message: the ticket's own notes, letters' subjects,
# ticket titles, the room log's lines, the report's lines, a button's label.
NOT_CHAT = {"new_issue_reminder", "sla_note", "sla_note_wall", "sla_head_subject",
            "outage_note_declared", "outage_note_stage", "outage_mail_subject",
            "outage_report_title", "outage_report", "outage_contract_title", "outage_contract",
            "outage_log_header", "problem_title", "problem_description", "problem_note_stage",
            "problem_mail_subject", "problem_choice", "problem_linked",
            "registration_incomplete", "sla_feedback_reminder", "sla_feedback_management",
            "sla_organisation_subject", "sla_organisation_mail", "close_agreement_reminder"}
LINKS = ("{url}", "{link}", "{issue_url}")
# What is no word: an address, a channel (#erp-api-23), a command (/outage), a ticket (#42).
NOT_WORDS = re.compile(r"https?://\S+|[#/][\w-]+")
LATIN = re.compile(r"(?<![\w.@-])[a-z][a-z_]{3,}(?![\w@-])")  # `intake`, `outage_fixing`


def identifiers(mappings: Mappings, mapping: Mapping) -> set[str]:
    """The mapping's internal names a reader must never see: stage and problem stage `name`s,
    SLA policy `name`s, the catalog's service keys."""
    outage = mapping.outage
    stages = [*outage.stages, *(outage.problem.stages if outage.problem else [])] \
        if outage else []
    return {s.name for s in stages} | {p.name for p in mapping.sla} | \
        set(mappings.catalog.services)


def shown(mappings: Mappings, mapping: Mapping) -> list[tuple[str, str]]:
    """What the mapping and the catalog give people to read besides the templates: stage
    titles and steps, SLA policy titles, service titles."""
    outage = mapping.outage
    stages = [*outage.stages, *(outage.problem.stages if outage.problem else [])] \
        if outage else []
    return [*((f"stage {s.name}", "\n".join([s.title, *(step.text for step in s.steps)]))
              for s in stages),
            *((f"sla {p.name}", p.title) for p in mapping.sla),
            *((f"service {sid}", s.title) for sid, s in mappings.catalog.services.items()
              if outage and sid in {outage.default_service, *outage.services})]


def realistic(mappings: Mappings, mapping: Mapping) -> dict[str, object]:
    """One realistic value per placeholder, as this regulation's code fills it in: its stage
    and policy titles, its steps, and the texts the code itself renders into another text."""
    texts = mappings.texts(mapping, "ru")

    def say(tid: str, **values: object) -> str:
        return texts[tid].format(**values)

    outage = mapping.outage
    stage = outage.stages[1] if outage else None
    values: dict[str, object] = {
        **REALISTIC,
        "stage": stage.title if stage else REALISTIC["stage"],
        "steps": "\n".join(f"☐ {s.text}" for s in stage.steps) if stage else REALISTIC["steps"],
        "policy": mapping.sla[0].title if mapping.sla else REALISTIC["policy"],
        "regulation": mapping.description,
        "target": say("duration", hours=8, minutes="00"),
        "elapsed": say("duration", hours=6, minutes="00"),
        "downtime": say("outage_duration", hours=2, minutes="05"),
        "late": say("sla_late", due=REALISTIC["due"]),
        "comment": say("outage_closed_comment", text="Диск расширен"),
        "decision": say("alert_decision_oneoff"), "severity": say("alert_severity_critical"),
        "answer": say("outage_related_hit"),
        "source": say("outage_source_stated"), "start_source": say("outage_source_stated"),
        "end_source": say("outage_source_stage"),
        "scope": say("report_scope_all"),
    }
    values["missing"] = "\n".join([say("reminder_priority_label", labels=REALISTIC["labels"]),
                                   say("reminder_assignee")])
    values["problems"] = "\n".join(f"— {say(t, **REALISTIC)}" for t in (
        "intake_files_too_big", "intake_files_format", "intake_files_archive"))
    values["what"] = say("outage_log_stage", stage=values["stage"], text="")
    values["affected"] = say("outage_affected", samples=REALISTIC["samples"])
    values["criteria"] = say("outage_criteria", data_loss="нет", share="40 %",
                             since=REALISTIC["since"], functions="выписка рецептов")
    return values


def rendered(mappings: Mappings, name: str) -> list[tuple[str, str]]:
    """(template id, text) for every template as the regulation reads it."""
    mapping = mappings.get(name)
    values = realistic(mappings, mapping)
    out = []
    for tid, text in mappings.texts(mapping, "ru").items():
        used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        out.append((tid, text.format(**{k: values[k] for k in used})))
    return out


def test_every_placeholder_has_a_realistic_value() -> None:
    assert set().union(*TEMPLATE_FIELDS.values()) <= set(REALISTIC)


@pytest.mark.parametrize("name", SHIPPED)
def test_no_text_holds_a_word_the_regulation_does_not_use(mappings: Mappings, name: str) -> None:
    """Belarus §1.1–1.2, §4.3 and Sevastopol §1, §2.6–2.7, §4.8: each regulation's terms."""
    words = mappings.get(name).words
    assert words.avoids, f"{name}.yml lists no words its texts avoid"
    wrong = {tid: found for tid, text in rendered(mappings, name)
             if (found := words.avoided_in(text))}
    assert not wrong, wrong


@pytest.mark.parametrize("name", SHIPPED)
def test_each_regulation_speaks_its_own_words(mappings: Mappings, name: str) -> None:
    words = mappings.get(name).words
    said = "\n".join(text for _, text in rendered(mappings, name))
    assert words.uses and not set(words.uses) - set(words.used_in(said))


@pytest.mark.parametrize("name", SHIPPED)
def test_one_regulations_own_words_are_avoided_by_the_other(mappings: Mappings,
                                                           name: str) -> None:
    """What one regulation says, the other's texts are checked for — or say too (both GitLab's
    and MantisBT's Russian interfaces say «комментарий»)."""
    own = mappings.get(name).words
    for other in SHIPPED:
        if other != name:
            theirs = mappings.get(other).words
            assert not [s for s in own.uses if not theirs.avoided_in(s)
                        and not theirs.used_in(s)], (name, other)


@pytest.mark.parametrize("name", SHIPPED)
def test_no_internal_word_gender_hack_semicolon_item_or_clock_duration(
        mappings: Mappings, name: str) -> None:
    for tid, text in rendered(mappings, name):
        assert not INTERNAL.avoided_in(text), (tid, INTERNAL.avoided_in(text))
        assert "(а)" not in text, tid
        assert not [line for line in text.splitlines() if line.rstrip().endswith(";")], tid
        assert not DURATION.search(text), (tid, text)


@pytest.mark.parametrize("name", ["templates.yml", *SHIPPED])
def test_every_chat_message_naming_a_ticket_links_it(mappings: Mappings, name: str) -> None:
    texts = mappings.templates["ru"] if name == "templates.yml" else \
        mappings.get(name).templates.get("ru", {})
    unlinked = [tid for tid, text in texts.items() if "{ticket}" in text
                and tid not in NOT_CHAT and not tid.startswith(("outage_log_", "report_"))
                and not any(link in text for link in LINKS)]
    assert not unlinked


@pytest.mark.parametrize("name", SHIPPED)
def test_no_text_shows_an_internal_name(mappings: Mappings, name: str) -> None:
    """House rules: no internal English value leaks into a Russian text — a stage, policy or
    service is shown by its title (`outage_fixing` → «Устранение», `erp-api` → «АИС
    «Электронный рецепт» — API»); nor does any snake_case or lower-case Latin word, which is
    always somebody's identifier (`intake`, `one_off`)."""
    mapping = mappings.get(name)
    internal = identifiers(mappings, mapping)
    assert internal
    own = {tid: re.sub(r"\{\w+\}", " ", text)  # the texts' own words; values are people's
           for tid, text in mappings.texts(mapping, "ru").items()}
    leaks = {tid: found for tid, text in [*rendered(mappings, name), *shown(mappings, mapping)]
             if (found := LATIN.findall(NOT_WORDS.sub(" ", own.get(tid, text)))
                 + [i for i in internal if re.search(rf"(?<![\w/#-]){re.escape(i)}(?![\w-])",
                                                     NOT_WORDS.sub(" ", text))])}
    assert not leaks, leaks


@pytest.mark.parametrize("name", SHIPPED)
def test_stage_policy_and_service_titles_speak_the_regulations_words(mappings: Mappings,
                                                                     name: str) -> None:
    """Belarus §1.1, §4.3 (its problem stages' steps say «аварии», never «сбои»); Sevastopol
    §2.6–2.7: the mapping's own titles and steps are read like its templates."""
    mapping = mappings.get(name)
    wrong = {what: found for what, text in shown(mappings, mapping)
             if (found := mapping.words.avoided_in(text) + INTERNAL.avoided_in(text))}
    assert not wrong, wrong


@pytest.mark.parametrize(("stems", "text", "found"), [
    (["массов сбо"], "Сообщение о массовом сбое в МО", ["массов сбо («массовом сбое»)"]),
    (["заявк"], "Заявку #42 передали", ["заявк («Заявку»)"]),
    (["заявок"], "Поступило заявок: 7", ["заявок («заявок»)"]),  # «заявк» misses it
    (["сбой", "сбоя"], "Статус сбоя «API»", ["сбоя («сбоя»)"]),  # «сбо» would hit «сбор»
    (["задач"], "назначить ответственного", []),
    (["L2"], "на 2 ЛТП", []),
    (["авари"], "Аварийная ситуация", ["авари («Аварийная»)"]),
])
def test_a_stem_finds_every_grammatical_case(stems: list[str], text: str,
                                             found: list[str]) -> None:
    assert Words(avoids=stems).avoided_in(text) == found


@pytest.mark.parametrize("bad", [["з"], ["массов  сбо"], ["задач|заявк"]])
def test_a_stem_is_word_beginnings(bad: list[str]) -> None:
    with pytest.raises(ValueError, match="not a stem"):
        Words(avoids=bad)
