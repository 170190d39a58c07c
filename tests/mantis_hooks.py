"""Mantis webhooks built by the shipped PHP plugin's own Payload/Signer code, so the tests see
exactly what the plugin sends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest
from flask.testing import FlaskClient

from connector.core import Connector
from tests.conftest import MANTIS_SECRET, REPO
from tests.drive import run_until_idle
from tests.standins.mantis import StandInMantis

SCRIPT = REPO / "tests" / "fixtures" / "mantis" / "webhook.php"


def require_php() -> None:
    if shutil.which("php") is None:
        if os.environ.get("CI"):
            pytest.fail("php is not installed; .ci/run installs php-cli")
        pytest.skip("php is not installed (apt-get install php-cli)")


ACCESS = {25: "reporter", 40: "updater", 55: "developer", 70: "manager", 90: "administrator"}


def plugin_input(issue: dict[str, Any], reporter_level: int = 25) -> dict[str, Any]:
    """The arrays the plugin gathers from Mantis, from the stand-in's REST view of the issue;
    the reporter with their access level in the project (MantisData::member)."""
    def ref(value: Any) -> Any:
        return {"id": value["id"], "name": value["name"]} if value else None
    reporter = ref(issue["reporter"])
    if reporter is not None:
        reporter["access_level"] = {"id": reporter_level,
                                    "name": ACCESS.get(reporter_level, f"@{reporter_level}@")}
    return {
        "id": issue["id"], "project": ref(issue["project"]),
        "category": issue["category"]["name"], "summary": issue["summary"],
        "description": issue.get("description", ""),
        "steps_to_reproduce": issue.get("steps_to_reproduce", ""),
        "additional_information": issue.get("additional_information", ""),
        "status": ref(issue["status"]), "priority": ref(issue["priority"]),
        "severity": ref(issue["severity"]), "reporter": reporter,
        "handler": ref(issue.get("handler")),
        "custom_fields": [{"id": cf["field"]["id"], "name": cf["field"]["name"],
                           "value": cf["value"]} for cf in issue.get("custom_fields", [])],
        "attachments": [{"id": a["id"], "filename": a["filename"], "size": a["size"],
                         "content_type": a["content_type"]} for a in issue.get("attachments", [])],
        "created_at": issue["created_at"], "updated_at": issue["updated_at"],
    }


def snapshot(issue: dict[str, Any]) -> dict[str, Any]:
    """What the plugin compares before and after a web update (MantisData::snapshot)."""
    return {"status": issue["status"]["name"], "priority": issue["priority"]["name"],
            "severity": issue["severity"]["name"],
            "handler": (issue.get("handler") or {}).get("name"),
            "custom_fields": {cf["field"]["name"]: cf["value"]
                              for cf in issue.get("custom_fields", [])}}


def delivery(event: str, issue: dict[str, Any], *, actor: str = "reporter", level: int = 25,
             note: str | None = None, before: dict[str, Any] | None = None,
             secret: str = MANTIS_SECRET,
             reporter_level: int = 25) -> tuple[dict[str, str], bytes]:
    """(headers, body) of one webhook as the plugin would POST it: `actor` with their access
    `level` in the project, the issue's reporter with theirs (`reporter_level`); for
    issue_updated, `before` is the issue as it was (its snapshot against the issue's gives
    the changes)."""
    require_php()
    spec: dict[str, Any] = {
        "event": event, "secret": secret, "mantis_url": "https://mantis.test/",
        "actor": {"id": 5, "name": actor,
                  "access_level": {"id": level, "name": ACCESS.get(level, f"@{level}@")}},
        "issue": plugin_input(issue, reporter_level)}
    if before is not None:
        spec["before"], spec["after"] = snapshot(before), snapshot(issue)
    if note is not None:
        spec["note"] = {"id": 900, "text": note, "reporter": {"id": 5, "name": actor},
                        "view_state": "public", "created_at": issue["updated_at"]}
    done = subprocess.run(["php", str(SCRIPT)], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=60, check=True)
    out = json.loads(done.stdout)
    return out["headers"], out["body"].encode()


def post_delivery(c: Connector, client: FlaskClient, headers: dict[str, str],
                  body: bytes) -> None:
    """POST one plugin delivery to the receiver, then let the worker run."""
    answer = client.post("/webhooks/mantis", data=body, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    run_until_idle(c)


def issue_status(mantis: StandInMantis, issue_id: int = 42) -> str:
    return str(mantis.issue(issue_id)["status"]["name"])


def issue_notes(mantis: StandInMantis, issue_id: int = 42) -> list[str]:
    return [n["text"] for n in mantis.issue(issue_id).get("notes", [])]
