"""`helpdesk-connector sample gitlab-issue`: a GitLab issue webhook stamped now, for the quick
start's first curl — a sample dated years ago would open SLA clocks already breached."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from connector.jsonstyle import cli_json

PIPE = ("helpdesk-connector sample gitlab-issue | curl -s localhost:8080/webhooks/gitlab "
        "-H 'Content-Type: application/json' -H 'X-Gitlab-Event: Issue Hook' "
        "-H 'X-Gitlab-Token: change-me' --data-binary @-")


def gitlab_issue(now: float, *, project: int = 1, iid: int = 23,
                 labels: tuple[str, ...] = ("Priority: Low", "Priority: High"),
                 title: str = "Не выписывается электронный рецепт") -> dict[str, Any]:
    """An "Issue Hook" as GitLab sends it when an issue is opened `now` (Unix time)."""
    at = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = {"id": 51, "name": "Специалист 1 ЛТП", "username": "l1-user",
            "email": "l1@example.org"}
    label_objects = [{"id": 200 + n, "title": name, "color": "#428bca", "project_id": project,
                      "created_at": at, "updated_at": at, "template": False,
                      "description": None, "type": "ProjectLabel", "group_id": None}
                     for n, name in enumerate(labels)]
    url = f"https://gitlab.example.com/support/helpdesk/-/issues/{iid}"
    return {
        "object_kind": "issue", "event_type": "issue", "user": user,
        "project": {"id": project, "name": "helpdesk", "path_with_namespace": "support/helpdesk",
                    "web_url": "https://gitlab.example.com/support/helpdesk",
                    "default_branch": "main"},
        "object_attributes": {
            "id": 1000 + iid, "iid": iid, "project_id": project, "title": title,
            "description": "Аптека не видит рецепт, выписанный сегодня.",
            "author_id": user["id"], "assignee_ids": [], "assignee_id": None,
            "created_at": at, "updated_at": at, "updated_by_id": user["id"],
            "state": "opened", "state_id": 1, "action": "open", "confidential": False,
            "due_date": None, "type": "Issue", "url": url, "labels": label_objects},
        "labels": label_objects, "assignees": [],
        "changes": {"labels": {"previous": [], "current": label_objects}},
    }


def register(sub: Any) -> None:
    """`sample gitlab-issue` under the CLI's commands."""
    sample = sub.add_parser("sample", help="print a sample webhook, stamped now, to try the "
                                           "connector with curl")
    kinds = sample.add_subparsers(required=True, metavar="KIND")
    issue = kinds.add_parser(
        "gitlab-issue", help="a GitLab issue opened now with two priority labels",
        epilog=f"Try it while `run` serves, in a second terminal:  {PIPE}")
    issue.add_argument("--project", type=int, default=1, help="GitLab project id")
    issue.add_argument("--iid", type=int, default=23, help="the issue's number in its project")
    issue.add_argument("--label", action="append", dest="labels", metavar="LABEL",
                       help="a label (repeat for more; default: Priority: Low and "
                            "Priority: High, which the Belarus rules ask to settle)")
    issue.set_defaults(command=cmd_sample_gitlab_issue)


def cmd_sample_gitlab_issue(args: argparse.Namespace) -> int:
    labels = tuple(args.labels) if args.labels else ("Priority: Low", "Priority: High")
    print(cli_json(gitlab_issue(time.time(), project=args.project, iid=args.iid,
                                labels=labels)))
    return 0
