"""Done-when: the documented Issue Hook with conflicting priority labels, delivered twice with
one Idempotency-Key, yields exactly one label correction and one note on GitLab."""

from __future__ import annotations

from collections.abc import Callable

from connector.core import Connector
from tests.conftest import issue_hook
from tests.drive import post_hook, run_until_idle
from tests.standins.gitlab import StandInGitLab
from webhooks.app import create_app


def test_redelivered_conflict_is_corrected_once(
    db_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["API", "Priority: Low", "Priority: High"])
    c = make_connector(db_url, gl)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    payload = issue_hook("Priority: Low", "Priority: High")

    first = post_hook(client, payload, **{"Idempotency-Key": "delivery-1"})
    second = post_hook(client, payload, **{"Idempotency-Key": "delivery-1"})
    run_until_idle(c)

    assert first.json["status"] == "accepted"
    assert second.json["status"] == "duplicate"
    label_puts = gl.writes("PUT", r"/issues/23$")
    notes = gl.writes("POST", r"/issues/23/notes$")
    assert len(label_puts) == 1 and len(notes) == 1
    assert label_puts[0].json["remove_labels"] == "Priority: Low"
    assert gl.issue(1, 23)["labels"] == ["API", "Priority: High"]
    assert "Priority: High" in gl.issue(1, 23)["notes"][0]["body"]
