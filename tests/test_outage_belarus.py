"""Belarus §4.3.1 as shipped: «Все сотрудники фиксируют свои действия в Slack: #ehr_community в
tread к сообщению об аварии». The shipped mappings/ (belarus-ehr.yml with `room: thread`, the
catalog's example people) run an accident from GitLab's webhook to its closing, and every
message of it lands in the one thread of #ehr_community."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from tests.conftest import REPO, SLACK_L2, config_data, issue_hook
from tests.drive import post_hook, post_slack, run_until_idle, slack_reply
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import BOT_ID, StandInSlack
from webhooks.app import create_app

T0 = 1_772_700_000.0  # 2026-03-05 08:40 UTC
SHIPPED = REPO / "mappings"
PEOPLE = yaml.safe_load((SHIPPED / "catalog.yml").read_text(encoding="utf-8"))["catalog"]["people"]
DUTY, OWNER, HEAD = (PEOPLE[k]["slack"] for k in ("duty", "erp-owner", "head"))


class Accident:
    """The shipped Belarus regulation on GitLab and Slack, driven as people drive it."""

    def __init__(self, c: Connector, client: FlaskClient, gl: StandInGitLab,
                 slack: StandInSlack, clock: FakeClock) -> None:
        self.c, self.client, self.gl, self.slack, self.clock = c, client, gl, slack, clock
        self.presses = 0

    def intro(self) -> dict[str, Any]:
        return next(m for m in self.slack.messages(SLACK_L2) if "🔴" in m["text"])

    def thread(self) -> list[dict[str, Any]]:
        return self.slack.messages(SLACK_L2, self.intro()["ts"])

    def status(self) -> dict[str, Any]:
        [pinned] = self.slack.pinned(SLACK_L2)
        return next(m for m in self.thread() if m["ts"] == pinned)

    def button(self, label: str) -> str:
        return next(e["value"] for b in self.status()["blocks"] if b["type"] == "actions"
                    for e in b["elements"] if e["text"]["text"] == label)

    def press(self, label: str, user: str) -> None:
        """A press on the pinned status, as Slack's interaction posts it."""
        self.presses += 1
        data = self.button(label)
        payload = {"type": "block_actions", "user": {"id": user, "username": user.lower()},
                   "channel": {"id": SLACK_L2}, "response_url": self.slack.response_url,
                   "trigger_id": self.slack.trigger_id(),
                   "container": {"type": "message", "message_ts": self.status()["ts"],
                                 "channel_id": SLACK_L2},
                   "actions": [{"action_id": data, "value": data,
                                "action_ts": f"{self.presses}.1"}]}
        assert self._interaction(payload).status_code == 200

    def submit(self, user: str, values: dict[str, str]) -> None:
        [view] = self.slack.views[-1:]
        assert self._interaction(self.slack.submission(view["id"], user, values)) \
            .status_code == 200

    def _interaction(self, payload: dict[str, Any]) -> Any:
        answer = post_slack(self.client, "/webhooks/slack/interactions",
                            f"payload={json.dumps(payload)}".encode(),
                            content_type="application/x-www-form-urlencoded")
        run_until_idle(self.c)
        return answer


@pytest.fixture
def accident(sqlite_url: str, standin_gitlab: StandInGitLab,
             standin_slack: StandInSlack) -> Iterator[Accident]:
    for key, person in PEOPLE.items():
        if person.get("slack"):
            standin_slack.add_user(person["slack"], key, person["name"], f"{key}@example.org")
    standin_gitlab.add_user("erp-owner", 77)
    standin_gitlab.add_user("head", 90)
    standin_gitlab.add_issue(1, 23, labels=["API", "Priority: High", "Accident"])
    data = config_data(sqlite_url, standin_gitlab, slack=standin_slack, alerts=True)
    assert data["mappings_dir"] == str(SHIPPED)  # the shipped files, not a copy
    data["chats"]["slack"]["channels"]["outages"] = SLACK_L2  # #ehr_community
    clock = FakeClock(T0)
    c = build_connector(Config.model_validate(data), clock=clock)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    yield Accident(c, client, standin_gitlab, standin_slack, clock)
    c.engine.dispose()


def test_section_4_3_1_the_shipped_mapping_keeps_the_accident_log_in_one_thread(
        accident: Accident) -> None:
    """From the GitLab webhook (Priority: High + Accident) through the stages by buttons to
    the closing: one thread in #ehr_community, no channel, and the thread is the log."""
    hook = issue_hook("Priority: High", "Accident")
    assert post_hook(accident.client, hook, **{"Idempotency-Key": "hook-1"}).status_code == 200
    run_until_idle(accident.c)

    assert "Сбой: зарегистрирован" in accident.gl.issue(1, 23)["labels"]
    assert "Зарегистрирован" in accident.status()["text"]
    accident.press("→ Диагностика", DUTY)
    slack_reply(accident.client, channel=SLACK_L2, thread_ts=accident.intro()["ts"],
                text="БД не отвечает, перезапускаем", user=DUTY, event_id="Ev1",
                ts=f"{T0 + 60:.6f}")
    run_until_idle(accident.c)
    accident.press("☐ Проверить сохранность данных (приоритет 1, п. 4.3)", DUTY)  # §4.3.2
    accident.press("→ Устранение", OWNER)
    accident.clock.advance(2 * 3600)
    accident.press("☐ Восстановить работу сервиса (приоритет 2, п. 4.3)", OWNER)
    accident.press("→ Восстановлено", OWNER)
    accident.press("☐ Найти причину (приоритет 3, п. 4.3)", OWNER)
    accident.press("📝 Заключение", OWNER)  # the form (§4.3.4)
    accident.submit(OWNER, {"cause": "Переполнение диска", "measures": "Расширили диск",
                            "tasks": "#31", "affected": "около 40% аптек"})
    accident.press("→ Заключение", OWNER)
    assert "Заключение" in accident.status()["text"]
    accident.press("Закрыть с комментарием", HEAD)
    accident.submit(HEAD, {"comment": "Диск расширен, наблюдаем неделю"})

    issue = accident.gl.issue(1, 23)
    assert issue["state"] == "closed"
    assert any("БД не отвечает, перезапускаем" in n["body"] for n in issue["notes"])
    assert accident.slack.calls("conversations.create") == []
    assert accident.slack.calls("conversations.archive") == []
    top = [m for m in accident.slack.messages(SLACK_L2) if m["user"] == BOT_ID]
    assert top == [accident.intro()]  # the accident's message; everything else under it
    said = "\n".join(m["text"] for m in accident.thread())
    for expected in ("Закрыт, с", "📝 Заключение", "📄 Отчёт об аварии: #24",
                     "Диск расширен, наблюдаем неделю"):
        assert expected in said
    assert all(m["channel"] == SLACK_L2 for m in
               (r.params for r in accident.slack.calls("chat.postMessage")))
