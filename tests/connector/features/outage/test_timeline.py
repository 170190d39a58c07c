"""Every kind of timeline entry has its line in the room log and the report, in the
regulation's words: stage and service titles, answers as the room heard them, never a stored
internal value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connector.core import Connector
from connector.events import TicketRef
from connector.features.outage.texts import TIMELINE_KINDS
from connector.features.outage.timeline import timeline_text

AT = 1_772_700_000.0  # 2026-03-05 08:40 UTC: 11:40 in Minsk
# Each kind with what the code records for it (the detail the flows write).
RECORDED: dict[str, dict[str, Any]] = {
    "declared": {"service": "erp-api", "stage": "registered", "title": "API недоступен",
                 "url": "https://gitlab.example/g/p/-/issues/23"},
    "criteria": {"functions": "выписка рецептов", "since": "11:00"},
    "start": {"start": AT - 2400, "source": "stated"},
    "room": {"chat": "slack", "room": "erp-api-23", "link": "https://slack.example/C1"},
    "room_failed": {"chat": "telegram"},
    "stage": {"stage": "diagnosing", "previous": "registered", "chat": "slack", "user": "U1"},
    "step": {"stage": "diagnosing", "step": 0, "text": "Проверить сохранность данных"},
    "join": {"chat": "telegram", "user": "555", "approved": False},
    "related": {"service": "erp-pharmacy", "answer": "affected"},
    "related_reminder": {"service": "erp-pharmacy"},
    "progress": {"text": "Перезапустили сервер", "chat": "slack", "user": "U1"},
    "metrics": {"service": "erp-api"},
    "affected": {"stage": "registered", "users": 1234.0},
    "conclusion": {"cause": "Переполнение диска", "measures": "Очистили", "tasks": "",
                   "affected": "", "downtime": 3000.0},
    "downtime": {"start": AT - 2400, "source": "stated", "end": AT + 600,
                 "end_source": "stage", "minutes": 50},
    "report": {"ticket": "gitlab:1#24", "url": "https://gitlab.example/g/p/-/issues/24"},
    "contract": {"ticket": "gitlab:2#1", "url": "https://gitlab.example/g/c/-/issues/1"},
    "problem": {"ticket": "gitlab:1#40"},
    "outage": {"ticket": "gitlab:1#23"},
    "ticket_failed": {"title": "Отчёт об аварии"},
    "eta": {"end": AT + 7200, "chat": "slack", "user": "U1"},
    "clients": {"text": "⚠️ Авария: «АИС «Электронный рецепт» — API» — с 05.03.2026 11:00"},
    "norm": {"stage": "diagnosing", "since": AT - 1800, "percent": 100},
    "norm_twice": {"stage": "diagnosing", "since": AT - 3600, "percent": 200},
}
INTERNAL = ("diagnosing", "registered", "erp-pharmacy", "affected", "healthy", "stated",
            "gitlab:", "True", "False", "None", "{", "}")


@pytest.fixture
def belarus(sqlite_url: str, make_connector: Callable[..., Connector]) -> Connector:
    return make_connector(sqlite_url)


def test_the_table_names_every_kind() -> None:
    assert set(RECORDED) == set(TIMELINE_KINDS)


@pytest.mark.parametrize("kind", TIMELINE_KINDS)
def test_every_kind_renders_as_people_read_it(belarus: Connector, kind: str) -> None:
    mapping = belarus.mappings.by_name["belarus-ehr"]
    line = timeline_text(belarus, mapping, [{"at": AT, "kind": kind, "who": "Дежурный инженер",
                                             **RECORDED[kind]}])
    assert line.startswith("05.03.2026 11:40 ") and "Дежурный инженер" in line
    assert not [word for word in INTERNAL if word in line], line


@pytest.mark.parametrize("kind", TIMELINE_KINDS)
def test_an_entry_with_no_detail_still_renders(belarus: Connector, kind: str) -> None:
    mapping = belarus.mappings.by_name["belarus-ehr"]
    assert timeline_text(belarus, mapping, [{"at": AT, "kind": kind, "who": ""}])


@pytest.mark.parametrize(("kind", "detail", "said"), [
    ("join", {"approved": True}, "запрос на вступление в чат — допущен"),
    ("join", {"approved": False}, "запрос на вступление в чат — отклонён"),
    ("related", {"service": "erp-pharmacy", "answer": "healthy"},
     "«Электронный рецепт — отпуск в аптеках» — работает"),
    ("step", {"stage": "diagnosing", "text": "Спросить смежников"},
     "выполнен шаг «Спросить смежников» (Диагностика)"),
    ("problem", {"ticket": "gitlab:1#40"}, "связан с проблемой #40"),
    ("norm", {"stage": "diagnosing", "percent": 100},
     "этап «Диагностика» дольше нормы — напоминание"),
    ("norm_twice", {"stage": "diagnosing", "percent": 200},
     "этап «Диагностика» вдвое дольше нормы — сообщено руководителю службы технической поддержки"),
    ("downtime", {"start": AT - 2400, "source": "stated", "end": AT + 600, "end_source": "stage",
                  "minutes": 50},
     "простой 0 ч 50 мин: с 05.03.2026 11:00 UTC+3 (со слов заявившего) по 05.03.2026 11:50 "
     "UTC+3 (по отметке статуса)"),
    ("start", {"start": AT - 2400, "source": "stated"},
     "начало простоя — 05.03.2026 11:00 UTC+3 (со слов заявившего)"),
])
def test_lines_say_what_happened(belarus: Connector, kind: str, detail: dict[str, Any],
                                 said: str) -> None:
    mapping = belarus.mappings.by_name["belarus-ehr"]
    line = timeline_text(belarus, mapping, [{"at": AT, "kind": kind, "who": "x", **detail}])
    assert line.endswith(said)


def test_a_problems_stages_are_named_by_the_problems_lifecycle(belarus: Connector) -> None:
    mapping = belarus.mappings.by_name["belarus-ehr"]
    assert mapping.outage is not None and mapping.outage.problem is not None
    first = mapping.outage.problem.stages[1]
    line = timeline_text(belarus, mapping, [{"at": AT, "kind": "stage", "who": "x",
                                             "stage": first.name}], "problem")
    assert line.endswith(f"статус «{first.title}»")


@pytest.mark.parametrize(("seen_from", "named"), [
    (None, "#24"),
    (TicketRef("gitlab", "1", "23"), "#24"),  # the same project: GitLab links #24 there
    (TicketRef("gitlab", "2", "1"), "group/project-1#24"),  # another: #24 would be its own
])
def test_a_linked_ticket_is_named_as_the_reader_s_project_links_it(
        belarus: Connector, seen_from: TicketRef | None, named: str) -> None:
    mapping = belarus.mappings.by_name["belarus-ehr"]
    line = timeline_text(belarus, mapping, [{
        "at": AT, "kind": "report", "who": "x", "ticket": "gitlab:1#24",
        "reference": "group/project-1#24", "url": "https://gitlab.example/i/24"}],
        seen_from=seen_from)
    assert line.endswith(f"отчёт об аварии {named} https://gitlab.example/i/24")
