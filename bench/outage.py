"""Benchmark of outage rooms (issue 11's targets), beside a baseline measured in the same run.

    .venv/bin/python -m bench.outage [--outages 40] [--store URL]

The connector serves its real app on loopback with its embedded worker; the stand-in GitLab
and Slack answer over HTTP in this process. One outage at a time, as they come:

- declaration: from the GitLab webhook sent to the ticket assigned + labelled + noted, the
  room created, responders invited, intro and status posted, the status pinned, the related
  services asked and the notice posted in the info channel (the last of those requests to
  reach a stand-in) — target p50 < 150 ms, p99 < 1 s;
- a press: from the Slack interaction sent to the stage label and note written to GitLab and
  the status message updated — target p50 < 150 ms.

Baseline: the same HTTP requests to the same stand-ins, made one after another by a bare
client (`requests`), with no connector: what the effects alone cost on this machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests
from pytest_httpserver import HTTPServer
from werkzeug.serving import make_server

from bench.report import percentile
from connector.config import Config
from plugins.slack.verify import sign
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from webhooks.app import create_app

REPO = Path(__file__).resolve().parent.parent
SECRET, SIGNING = "bench-hook-secret", "bench-signing-secret"
L2, OUTAGES = "C0L2", "C0OUTAGES"
PEOPLE = {"U0DUTY0001": "duty", "U0L100001": "l1-user", "U0ERP0001": "erp-owner",
          "U0PHARM01": "pharmacy-owner", "U0MIS0001": "mis-owner"}
DUTY = "U0DUTY0001"


@contextmanager
def standin(factory: Callable[[HTTPServer], Any]) -> Iterator[Any]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield factory(server)
    finally:
        server.clear()
        server.stop()


def _config(store: str, gitlab: StandInGitLab, slack: StandInSlack) -> Config:
    return Config.model_validate({
        "store": {"url": store}, "mappings_dir": str(REPO / "mappings"),
        "roles": {"infrastructure_owner": "infra", "new_client_owner": "sales",
                  "head_of_support": "head"},
        "trackers": {"gitlab": {"base_url": gitlab.url, "token": gitlab.token,
                                "webhook_secret": SECRET,
                                "projects": [{"id": 1, "mapping": "belarus-ehr"}],
                                "reconcile": {"interval_seconds": 3600}}},
        "chats": {"slack": {"bot_token": slack.token, "signing_secret": SIGNING,
                            "base_url": slack.url, "channels": {"l2": L2, "outages": OUTAGES}}},
        "worker": {"embedded": True, "poll_interval_seconds": 0.5},
        "logging": {"format": "text", "level": "WARNING"}})


def _hook(iid: int) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(
        (REPO / "tests" / "fixtures" / "gitlab" / "gitlab_issue_hook.json").read_text("utf-8"))
    labels = [{"id": 900 + i, "title": t, "type": "ProjectLabel"}
              for i, t in enumerate(("Priority: High", "Accident"))]
    payload["labels"] = payload["object_attributes"]["labels"] = payload["labels"] + labels
    payload["object_attributes"].update(iid=iid, action="open")
    payload["project"]["id"] = 1
    payload["user"]["username"] = "l1-user"
    return payload


def _room(iid: int) -> str:
    return f"erp-api-{iid}-{datetime.now(ZoneInfo('Europe/Minsk')):%Y-%m-%d}"


def _wait(done: Callable[[], float | None], timeout: float = 30.0) -> float:
    """The time `done` reports once it reports one (polled every 2 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = done()
        if found is not None:
            return found
        time.sleep(0.002)
    raise TimeoutError("the outage's effects did not all arrive in 30 s")


def declared_at(gitlab: StandInGitLab, slack: StandInSlack, iid: int) -> float | None:
    """When the last of an outage's declaration effects reached a stand-in, once all have."""
    try:
        cid = slack.channel(_room(iid))["id"]
    except StopIteration:
        return None
    pins = [r.at for r in slack.calls("pins.add") if r.params.get("channel") == cid]
    notices = [r.at for r in slack.calls("chat.postMessage")
               if r.params.get("channel") == L2 and cid in str(r.params.get("text"))]
    notes = [r.at for r in gitlab.requests if r.method == "POST" and r.status == 201
             and r.path.endswith(f"/issues/{iid}/notes")]
    assigned = [r.at for r in gitlab.requests if r.method == "PUT" and r.status == 200
                and r.path.endswith(f"/issues/{iid}") and "assignee_ids" in (r.json or {})]
    asks = [r.at for r in slack.calls("chat.postMessage")
            if r.params.get("channel") == cid]
    if not (pins and notices and notes and assigned and len(asks) >= 4):
        return None
    return max(pins + notices + notes + assigned + asks)


def pressed_at(gitlab: StandInGitLab, slack: StandInSlack, iid: int, cid: str,
               notes_before: int) -> float | None:
    updates = [r.at for r in slack.calls("chat.update") if r.params.get("channel") == cid]
    notes = [r.at for r in gitlab.requests if r.method == "POST" and r.status == 201
             and r.path.endswith(f"/issues/{iid}/notes")]
    if not updates or len(notes) <= notes_before:
        return None
    return max(updates[-1], notes[-1])


def _press(url: str, slack: StandInSlack, cid: str, iid: int, outage_id: int) -> None:
    status = slack.pinned(cid)[0]
    data = f"hdc:outage:go:{outage_id}:1"
    payload = {"type": "block_actions", "user": {"id": DUTY, "username": "duty"},
               "channel": {"id": cid}, "response_url": slack.response_url,
               "container": {"type": "message", "message_ts": status, "channel_id": cid},
               "actions": [{"action_id": data, "value": data, "action_ts": f"{iid}.1"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()))
    answer = requests.post(f"{url}/webhooks/slack/interactions", data=body, timeout=10,
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "X-Slack-Request-Timestamp": ts,
                                    "X-Slack-Signature": sign(SIGNING, ts, body)})
    answer.raise_for_status()


def connector_run(store: str, outages: int) -> dict[str, list[float]]:
    with standin(StandInGitLab) as gitlab, standin(StandInSlack) as slack:
        gitlab.add_user("erp-owner", 77)
        for uid, name in PEOPLE.items():
            slack.add_user(uid, name, name, f"{name}@example.org")
        slack.add_channel(L2, "ehr_community")
        slack.add_channel(OUTAGES, "outages")
        app = create_app(_config(store, gitlab, slack), setup_logs=False)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        declare, press = [], []
        try:
            for n in range(outages):
                iid = 100 + n
                gitlab.add_issue(1, iid, labels=["API", "Priority: High", "Accident"])
                sent = time.monotonic()
                requests.post(f"{url}/webhooks/gitlab", json=_hook(iid), timeout=10, headers={
                    "X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": SECRET}
                    ).raise_for_status()
                declare.append(_wait(partial(declared_at, gitlab, slack, iid)) - sent)
                time.sleep(0.3)  # let the tail of this outage's work settle
                cid = slack.channel(_room(iid))["id"]
                before = len([r for r in gitlab.requests if r.method == "POST"
                              and r.path.endswith(f"/issues/{iid}/notes")])
                sent = time.monotonic()
                _press(url, slack, cid, iid, n + 1)
                press.append(_wait(partial(pressed_at, gitlab, slack, iid, cid, before))
                             - sent)
        finally:
            server.shutdown()
        return {"declare": declare, "press": press}


def baseline_run(outages: int) -> dict[str, list[float]]:
    """The same requests, one after another, from a bare client: the effects alone."""
    with standin(StandInGitLab) as gitlab, standin(StandInSlack) as slack:
        gitlab.add_user("erp-owner", 77)
        for uid, name in PEOPLE.items():
            slack.add_user(uid, name, name, f"{name}@example.org")
        slack.add_channel(L2, "ehr_community")
        gl, sl = requests.Session(), requests.Session()
        gl.headers["PRIVATE-TOKEN"] = gitlab.token
        sl.headers["Authorization"] = f"Bearer {slack.token}"
        issue = f"{gitlab.url}/api/v4/projects/1/issues"
        declare, press = [], []

        def slack_call(method: str, **params: Any) -> Any:
            answer = sl.post(f"{slack.url}{method}", json=params, timeout=10)
            answer.raise_for_status()
            return answer.json()

        for n in range(outages):
            iid = 100 + n
            gitlab.add_issue(1, iid, labels=["API", "Priority: High", "Accident"])
            start = time.monotonic()
            gl.put(f"{issue}/{iid}", json={"assignee_ids": [77]}, timeout=10)
            gl.put(f"{issue}/{iid}", json={"add_labels": "Сбой: зарегистрирован"}, timeout=10)
            gl.post(f"{issue}/{iid}/notes", json={"body": "Зарегистрирован сбой"}, timeout=10)
            cid = slack_call("conversations.create", name=_room(iid))["channel"]["id"]
            slack_call("conversations.invite", channel=cid, users=",".join(PEOPLE))
            slack_call("chat.postMessage", channel=cid, text="Сбой: intro")
            status = slack_call("chat.postMessage", channel=cid, text="Статус")["ts"]
            slack_call("pins.add", channel=cid, timestamp=status)
            for _ in range(2):
                slack_call("chat.postMessage", channel=cid, text="Смежный сервис?")
            slack_call("chat.postMessage", channel=L2, text=f"Сбой: {cid}")
            declare.append(time.monotonic() - start)
            start = time.monotonic()
            gl.put(f"{issue}/{iid}", json={"add_labels": "Сбой: диагностика",
                                           "remove_labels": "Сбой: зарегистрирован"},
                   timeout=10)
            gl.post(f"{issue}/{iid}/notes", json={"body": "Статус: Диагностика"}, timeout=10)
            slack_call("chat.update", channel=cid, ts=status, text="Статус: Диагностика")
            press.append(time.monotonic() - start)
        return {"declare": declare, "press": press}


def _row(name: str, base: list[float], ours: list[float], target: str) -> str:
    b50, b99 = percentile(base, 50) * 1000, percentile(base, 99) * 1000
    o50, o99 = percentile(ours, 50) * 1000, percentile(ours, 99) * 1000
    return (f"| {name} | {b50:.1f} / {b99:.1f} | {o50:.1f} / {o99:.1f} | "
            f"{o50 / b50:.1f}× | {target} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outages", type=int, default=40)
    parser.add_argument("--store", default="", help="a PostgreSQL URL (default: SQLite)")
    opts = parser.parse_args()
    logging.disable(logging.WARNING)
    base = baseline_run(opts.outages)
    with tempfile.TemporaryDirectory() as tmp:
        store = opts.store or f"sqlite:///{tmp}/bench.db"
        ours = connector_run(store, opts.outages)
    print("| measure | baseline p50 / p99 (ms) | connector p50 / p99 (ms) | ratio (p50) | target |")
    print("|---|---:|---:|---:|---|")
    print(_row("webhook → room, invites, pin, asks, notice, ticket assigned + noted",
               base["declare"], ours["declare"], "p50 < 150 ms, p99 < 1 s"))
    print(_row("press → label + note on the ticket, status message updated",
               base["press"], ours["press"], "p50 < 150 ms"))


if __name__ == "__main__":
    main()
