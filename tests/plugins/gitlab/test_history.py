"""A GitLab issue's history read back into what it was after each change: labels changed by
one request are one change (no moment with half of them), and the issues open now are listed
whatever their last change."""

from __future__ import annotations

from pydantic import SecretStr

from connector.events import TicketRef
from plugins.gitlab.config import GitLabConfig
from plugins.gitlab.tracker import GitLabTracker
from tests.standins.gitlab import StandInGitLab

REF = TicketRef("gitlab", "1", "23")


def tracker(gl: StandInGitLab) -> GitLabTracker:
    return GitLabTracker(GitLabConfig(base_url=gl.url, token=SecretStr(gl.token),
                                      webhook_secret=SecretStr("x")))


def test_labels_swapped_in_one_request_are_one_snapshot(standin_gitlab: StandInGitLab) -> None:
    """«Priority: High» + «Accident» is Belarus' outage: swapping «Accident» for
    «Incident» in one edit never shows both with «Priority: High»."""
    standin_gitlab.add_issue(1, 23, labels=["Priority: High", "Incident"],
                             created_at="2026-03-05T08:00:00Z")
    standin_gitlab.change_at(1, 23, "2026-03-05T08:10:00Z", add=["Accident"],
                             remove=["Incident"])
    standin_gitlab.change_at(1, 23, "2026-03-05T08:20:00Z", state="closed")

    history = tracker(standin_gitlab).ticket_history(REF)

    assert [(s.at[11:16], s.labels, s.state) for s in history] == [
        ("08:00", ("Incident", "Priority: High"), "opened"),
        ("08:10", ("Accident", "Priority: High"), "opened"),
        ("08:20", ("Accident", "Priority: High"), "closed")]


def test_the_issues_open_now_are_listed_whatever_their_last_change(
        standin_gitlab: StandInGitLab) -> None:
    for iid, state in ((21, "opened"), (22, "closed"), (23, "opened")):
        standin_gitlab.add_issue(1, iid, state=state, created_at=f"2025-01-{iid}T08:00:00Z")
    assert [c.key for c in tracker(standin_gitlab).list_open("1")] == ["21", "23"]
