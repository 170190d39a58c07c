"""no_mentions shows a Slack masked link `<url|text>` as `text (url)` — in one pass. A link
nested in another's place comes out of that pass as a fresh masked link:
`<<https://evil>|Инструкция>` becomes `<https://evil|Инструкция>`, which Slack shows as the
word «Инструкция» leading to evil. An issue title is written by whoever reports the issue; the
connector repeats it in the outage room and the info channels."""

from __future__ import annotations

import re

import pytest

from connector.timestamps import from_epoch
from connector.wording import no_mentions
from tests.conftest import issue_hook
from tests.drive import post_hook, run_until_idle
from tests.test_outage import Outage, world

__all__ = ["world"]

MASKED = re.compile(r"<[a-z][a-z0-9+.\-]*:[^|>\s]+\|[^>]+>", re.IGNORECASE)
NESTED = ["<<https://evil.example/login>|Инструкция ЕРЦ>",
          "<<https://evil.example/login|>|Инструкция ЕРЦ>"]


@pytest.mark.parametrize("text", NESTED)
def test_neutralised_text_holds_no_masked_link(text: str) -> None:
    assert not MASKED.search(no_mentions(text)), no_mentions(text)


@pytest.mark.parametrize("text", NESTED)
def test_an_issue_title_with_a_nested_link_shows_no_masked_link_in_the_room(
        world: Outage, text: str) -> None:
    hook = issue_hook("Priority: High", "Accident", title=f"Не выписываются рецепты, см. {text}")
    hook["object_attributes"]["created_at"] = from_epoch(world.c.clock.now())
    assert post_hook(world.client, hook).status_code == 200
    run_until_idle(world.c)

    said = [m["text"] for m in world.slack.messages(world.room()["id"])]
    assert any("Не выписываются рецепты" in t for t in said)
    assert not [t for t in said if MASKED.search(t)], [t for t in said if MASKED.search(t)]
