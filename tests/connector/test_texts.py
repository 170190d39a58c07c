"""Users speak Russian: every `ru` text the connector writes is Russian in the regulations' own
terms — no English word from a template, no internal value (`firing`, `one-off`,
`issue: Priority: High`, `gitlab:7#10`, Mantis' `urgent`) in what the code fills in."""

from __future__ import annotations

import re
import string

import pytest

from connector.events import Attachment, Person, TicketEvent, TicketRef
from connector.mappings import TEMPLATE_FIELDS, Mappings
from connector.rules.engine import RuleContext, decide
from connector.rules.state import TicketState
from connector.wording import local_time, no_mentions, ticket_label
from tests.appendix1 import without

# Latin words people do read in these texts: the teams' own label names, file formats,
# product names, L1/L2 (the Belarus regulation's own terms).
ALLOWED_LATIN = {"L1", "L2", "SLA", "Priority", "Low", "Medium", "High", "Accident", "JPG", "GIF",
                 "PNG", "zip", "7z", "rar", "doc", "docx", "Slack", "Telegram", "GitLab",
                 "Mantis", "MSK", "UTC", "ErpcApiErrors", "API", "5xx", "Prometheus",
                 "Alertmanager", "petrov", "ivanova"}  # and user data: usernames, alert names
INTERNAL = re.compile(r"\b(firing|resolved|one-off|awaiting_cause|pending|accident|issue:|"
                      r"gitlab:|mantis:|otrs:|urgent|immediate|minor|major|tweak|feedback|"
                      r"acknowledged|critical|warning|None)\b")
# links, file names and chat channel names: user data
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+\b")  # chat commands are Latin everywhere
URL = re.compile(r"https?://\S+|\S+\.[A-Za-z0-9]{2,4}\b|#[a-z0-9][a-z0-9-]*")

# What the code fills in, as it fills it in (see the rule and flow modules).
REALISTIC = {
    "ticket": "#42", "title": "Ошибка записи к логопеду", "url": "https://mantis.test/view.php?id=42",
    "kept": "Priority: High", "removed": "Priority: Low", "labels": "Priority: Low, Priority: High",
    "missing": "— «Данные пациента» — фамилия, инициалы, № карты",
    "status": "Обратная связь", "impact": "Малое", "priority": "Низкий", "corrected": "Обычный",
    "allowed": "Высокий, Обычный", "problems": "— вложения занимают 12,3 МБ",
    "size": "12,3", "limit": "10", "files": "схема.bmp", "types": "JPG, GIF, PNG", "count": 7,
    "archives": "zip, 7z, rar", "assignees": "petrov", "author": "Анна Иванова",
    "channel": "l2", "facts": "Данные пациента: Петров П.П.", "text": "Проверили, ошибка в шаблоне",
    "chat": "Telegram", "time": "25.11.2026 14:05 MSK", "severity": "критично",
    "summary": "5xx у API рецептов выше 5%", "decision": "разовое срабатывание",
    "user": "Сидорова", "cause": "Плановый перезапуск", "issue_url": "https://gitlab.test/1/23",
    "label": "Priority: Medium", "listing": "• GitLab #23",
    "percent": 100, "target": "8 ч 00 мин", "elapsed": "8 ч 00 мин", "due": "26.11.2026 16:00 MSK",
    "organisation": "ГБУЗС «Городская больница № 1»",
    "who": "Анна Иванова", "name": "Руководитель поддержки",
    "service": "АИС «Электронный рецепт» — API", "stage": "Диагностика",
    "since": "26.11.2026 16:00 MSK", "steps": "☐ Проверить сохранность данных",
    "room": "erp-api-23-2026-11-26", "responsible": "Анна Иванова",
    "responders": "Анна Иванова, Дежурный инженер", "related": "Отпуск в аптеках",
    "owners": "Анна Иванова, Дежурный инженер", "answer": "затронут",
    "link": "https://slack.com/app_redirect?channel=C0ROOM", "affected": "",
    "samples": "1 204 (Зарегистрирован, 26.11.2026 16:00 MSK)", "users": "1 204",
    "at": "26.11.2026 16:00 MSK", "lines": "Ошибки 5xx, %: 12,5", "value": "12,5",
    "known": "«Электронный рецепт — API»", "services": "сервисы из каталога",
    "minutes": "15", "functions": "выписка рецептов", "hours": 2,
    "measures": "Очистили журналы, расширили диск",
    "tasks": "#31, #32", "downtime": "2 ч 05 мин", "declared": "26.11.2026 14:05 MSK",
    "timeline": "26.11.2026 14:05 MSK — Дежурный инженер: статус «Диагностика»",
    "contractor": "ООО «Подрядчик»", "contract": "ГК № 12/2026", "owner": "Анна Иванова",
    "outage": "#23", "problem": "#40",
    "outages": "#23, #25", "what": "статус «Диагностика»", "data_loss": "нет", "share": "40% аптек",
    "late": " (Отмечено с опозданием: коннектор не работал, когда наступил срок 26.11.2026 16:00 "
            "MSK.)",
    "start": "26.11.2026 13:40 MSK", "end": "26.11.2026 15:45 MSK",
    "source": "со слов заявившего", "start_source": "со слов заявившего",
    "end_source": "по отметке статуса", "comment": "\nКомментарий: Диск расширен",
    "given": "с утра", "id": "555000111",
    "choices": "1. АИС «Электронный рецепт» — API; 2. Электронный рецепт — интеграция с МИС.",
    "from": "01.09.2026", "to": "30.09.2026", "scope": "все сервисы",
    "median": "31,5", "p90": "44,0", "max": "61,0", "norm": "30", "over": 3,
    "opened": "1,2", "restore": "52,0", "policy": "Принятие заявки в работу (п. 4.6)",
    "met": 40, "breached": 2, "running": 5, "feedback": "12,5",
    "regulation": "Севастополь, ГБУЗС «МИАЦ»", "total": 412,
    "weak": "АИС «Электронный рецепт» — API — 50 мин; МИС регионального сегмента ЕГИСЗ — 12 мин",
    "repeated": 1, "requests": 128, "days": 30, "rank": 1, "stages": "Диагностика — 1 из 3",
    "head": "petrov", "eta": "26.11.2026 18:00 MSK", "restored": "26.11.2026 17:10 MSK",
    "criteria": "Признаки аварии (п. 1.1): потеря данных — нет; доля клиентов без сервиса — "
                "40% аптек; начало — с 11:00; недоступные функции — выписка рецептов.",
    "firing": 3, "resolved": 1, "state": "🔴", "waited": "0 ч 30 мин",
    "alerts": "🔴 ErpcApiErrors: 5xx у API рецептов выше 5%\n   сервис: рецепты, узел: 10.0.0.1",
    "details": "Предлагаемый приоритет: Priority: High.", "until": "26.11.2026 17:00 MSK",
    "newest": "🔴 ErpcApiErrors: 5xx у API рецептов выше 5%\n   сервис: рецепты, узел: 10.0.0.1",
}


def latin_words(text: str) -> set[str]:
    words = re.findall(r"\b[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*\b",
                       COMMAND.sub("", URL.sub("", text)))
    return set(words) - ALLOWED_LATIN


def texts_of(mappings: Mappings) -> list[tuple[str, str, str]]:
    """(where, template id, text) for the defaults and every mapping's own wording."""
    found = [("templates.yml", tid, text) for tid, text in mappings.templates["ru"].items()]
    found += [(name, tid, text) for name, m in mappings.by_name.items()
              for tid, text in m.templates.get("ru", {}).items()]
    return found


def test_every_placeholder_has_a_realistic_value() -> None:
    assert set().union(*TEMPLATE_FIELDS.values()) <= set(REALISTIC)


def test_every_ru_template_renders_in_russian(mappings: Mappings) -> None:
    for where, tid, text in texts_of(mappings):
        used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        rendered = text.format(**{k: REALISTIC[k] for k in used})
        assert not latin_words(rendered), (where, tid, latin_words(rendered))
        assert not INTERNAL.search(rendered), (where, tid, rendered)


def sevastopol_texts(mappings: Mappings) -> list[str]:
    """Notes the Sevastopol rules write, produced by the rules themselves from Mantis events."""
    ctx, mapping = RuleContext(mappings, "ru"), mappings.get("sevastopol-miac")
    ref = TicketRef("mantis", "1", "42")

    def event(description: str, **kw: object) -> TicketEvent:
        base = {"ref": ref, "kind": "ticket", "action": "update", "actor": "ivanova",
                "author": "ivanova", "title": "Ошибка", "status": "new", "priority": "urgent",
                "description": description, "fields": {"severity": "minor", "Линия": "L2"},
                "attachments": tuple(Attachment(f"{i}.png", 2_000_000) for i in range(7)),
                "is_new": True}
        return TicketEvent(**{**base, **kw})  # type: ignore[arg-type]

    first = decide(mapping, event(without("Данные пациента")), TicketState(), ctx)
    answer = event(without("Данные пациента"), kind="note", supplements=("Карта не помню",),
                   is_new=False, priority="high", note="Карта не помню")
    still = decide(mapping, answer, first.state, ctx)
    relay = decide(mapping, event("", kind="note", note="Передали разработчику", actor="petrov",
                                  is_new=False, priority="high"), still.state, ctx)
    done = decide(mapping, event(without(), status="feedback", is_new=False, priority="high",
                                 changed_by={"status": Person("ivanova", 25)}), still.state, ctx)
    actions = first.actions + still.actions + relay.actions + done.actions
    return [str(a.params.get("body") or a.params.get("text")) for a in actions
            if a.kind in ("add_note", "relay_note", "deescalate")]


def test_texts_the_sevastopol_rules_write_are_russian(mappings: Mappings) -> None:
    written = sevastopol_texts(mappings)
    assert len(written) >= 5
    for text in written:
        assert not INTERNAL.search(text), text
    joined = "\n".join(written)
    for phrase in ("«Срочный»", "«Малое»", "«Высокий»", "«Данные пациента»", "«Обратная связь»",
                   "п. 3.5", "в заявке #42"):
        assert phrase in joined


def test_a_ticket_is_shown_as_the_helpdesk_shows_it() -> None:
    assert ticket_label(TicketRef("gitlab", "7", "10")) == "#10"


@pytest.mark.parametrize(("zone", "shown"), [
    ("Europe/Simferopol", "25.11.2026 14:05 MSK"),
    ("Europe/Moscow", "25.11.2026 14:05 MSK"),
    ("Europe/Minsk", "25.11.2026 14:05 UTC+3"),
])
def test_times_are_in_the_teams_time_zone(zone: str, shown: str) -> None:
    assert local_time("2026-11-25T11:05:00.000000Z", zone) == shown


@pytest.mark.parametrize(("text", "safe"), [
    ("Иван Петров (@ivan_tg)", "Иван Петров (＠ivan_tg)"),
    ("@petrov посмотри", "＠petrov посмотри"),
    ("пишите на help@sevmiac.ru", "пишите на help@sevmiac.ru"),  # an e-mail is not a mention
])
def test_chat_handles_never_mention_tracker_users(text: str, safe: str) -> None:
    assert no_mentions(text) == safe


@pytest.mark.parametrize(("text", "safe"), [
    ("<!channel> упал API <!here|here>", "‹!channel> упал API ‹!here|here>"),
    ("<!subteam^S0123|@l2> и <#C0L2>", "‹!subteam^S0123|＠l2> и ‹#C0L2>"),
    ("Перезапустили\n/close\n  /label ~\"Priority: Low\"", "Перезапустили\n∕close\n∕label "
     "~\"Priority: Low\""),
    ("/assign @l1-user", "∕assign ＠l1-user"),
    ("путь /var/log в середине строки", "путь /var/log в середине строки"),
    ("\x00\x1b[31mкрасный\x07\tтаб", "[31mкрасный\tтаб"),
    ("счёт \u202eтxt.exe\u202c и \u2066изоляция\u2069", "счёт тxt.exe и изоляция"),
    ("C1:\x85\x9bконец", "C1:конец"),
    ("вход: <https://evil.example/login|Портал МИАЦ>", "вход: Портал МИАЦ "
     "(https://evil.example/login)"),
    ("<https://miac.example/status>", "https://miac.example/status"),
    ("```\nвсё ниже — код\n```", "`\u200b``\nвсё ниже — код\n`\u200b``"),
    ("  ~~~\nтоже", "  ~\u200b~~\nтоже"),
    ("в середине ``` не ограда", "в середине ``` не ограда"),
])
def test_chat_text_repeated_by_the_connector_pings_nobody_and_runs_no_quick_action(
        text: str, safe: str) -> None:
    """Slack's <!channel> shown, not acted on, a masked link shown with where it goes;
    GitLab's /close at a line's start not run in the bot's name, a code fence opening nothing;
    control and bidi characters dropped."""
    assert no_mentions(text) == safe
