"""What people read instead of internal values: `#42` for a ticket, local times, no stray
@-mentions in text that comes from somewhere else."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from connector.events import TicketRef

_MENTION = re.compile(r"(?<![\w.+\-])@(?=[\w.\-])")
FULLWIDTH_AT = "\uff20"  # "＠": reads as @, never mentions a tracker user


def ticket_label(ref: TicketRef) -> str:
    """How the helpdesk itself refers to a ticket: `#42` (a link in GitLab and Mantis notes)."""
    return f"#{ref.key}"


def ticket_mention(ref: TicketRef, seen_from: TicketRef, reference: str = "") -> str:
    """How a text on `seen_from` names `ref`: `#7` where the helpdesk links it to the right
    ticket (one Mantis, one GitLab project), `group/project#7` across GitLab projects — a bare
    `#7` there links the reader's own #7. "" when that reference is not known (the ticket's
    link, beside it in every text, names it)."""
    if ref.tracker == "gitlab" and (seen_from.tracker, seen_from.project) != ("gitlab",
                                                                               ref.project):
        return reference
    return ticket_label(ref)


TRACKER_NAMES = {"gitlab": "GitLab", "mantis": "Mantis", "otrs": "OTRS"}


def describe_ticket(ref: TicketRef) -> str:
    """`Mantis #42`: which helpdesk, and the ticket as it calls it."""
    return f"{TRACKER_NAMES.get(ref.tracker, ref.tracker)} {ticket_label(ref)}"


def duration_parts(seconds: float) -> dict[str, object]:
    """The `duration` template's values: whole hours and two-digit minutes, rounded to the
    minute — «4 ч 00 мин», never «4:00», which reads as a time of day."""
    minutes = round(seconds / 60)
    return {"hours": minutes // 60, "minutes": f"{minutes % 60:02d}"}


def local_time(timestamp: str, zone: str) -> str:
    """`25.11.2026 14:05 MSK` for a canonical UTC timestamp, in the team's time zone."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    name = moment.tzname() or ""
    if not name.isalpha():  # "+03": say it as an offset
        name = "UTC" + moment.strftime("%z")[:3].replace("+0", "+").replace("-0", "-")
    return f"{moment:%d.%m.%Y %H:%M} {name}"


# C0 and C1 controls, and the bidi embeddings, overrides and isolates that make a line read
# otherwise than it is (U+202A–U+202E, U+2066–U+2069; the marks U+200E, U+200F, U+061C too).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                      "\u200e\u200f\u061c]")
_SLACK_LINK = re.compile(r"<([a-z][a-z0-9+.\-]*:[^|>\s]+)(?:\|([^>]*))?>",
                         re.IGNORECASE)  # <https://x|text>: a link whose text hides where it goes
_SLACK_SPECIAL = re.compile(r"<([!@#])")  # <!channel>, <@U123>, <#C123>: shown, not acted on
_QUICK_ACTION = re.compile(r"(^|\n)[ \t]*/", re.MULTILINE)  # GitLab runs `/close` at line start
_FENCE = re.compile(r"(^|\n)([ \t]{0,3})([`~])(?=\3\3)")  # ``` or ~~~ opening a code block
LINK_PASSES = 8
ZERO_WIDTH = "\u200b"  # between a fence's first two marks: shown as typed, opens nothing


def no_mentions(text: str) -> str:
    """Text from a chat, safe for a tracker note and for a chat post: `@ivan` there is a chat
    handle, and must not notify the tracker user who happens to be called ivan; Slack's
    `<!channel>`, `<!here>`, `<!subteam^…>` and `<@U…>` must not ping anyone when the
    connector repeats them, and a masked link `<https://…|text>` is shown as `text (url)`;
    a line starting with `/` must not run as a GitLab quick action (`/close`, `/assign`) in
    the bot's name, nor a line starting with a code fence swallow what follows it; control
    and bidi characters are dropped."""
    text = _CONTROL.sub("", text)
    for _ in range(LINK_PASSES):  # `<<https://x|>|y>` makes a masked link once unwrapped
        unwrapped = _SLACK_LINK.sub(lambda m: f"{m.group(2).strip()} ({m.group(1)})"
                                    if m.group(2) and m.group(2).strip() else m.group(1), text)
        if unwrapped == text:
            break
        text = unwrapped
    text = _SLACK_LINK.sub(lambda m: "‹" + m.group(0)[1:], text)  # nested deeper: shown inert
    text = _SLACK_SPECIAL.sub(lambda m: "‹" + m.group(1), text)
    text = _QUICK_ACTION.sub("\\1∕", text)
    text = _FENCE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{ZERO_WIDTH}", text)
    return _MENTION.sub(FULLWIDTH_AT, text)
