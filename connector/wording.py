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


TRACKER_NAMES = {"gitlab": "GitLab", "mantis": "Mantis", "otrs": "OTRS"}


def describe_ticket(ref: TicketRef) -> str:
    """`Mantis #42`: which helpdesk, and the ticket as it calls it."""
    return f"{TRACKER_NAMES.get(ref.tracker, ref.tracker)} {ticket_label(ref)}"


def local_time(timestamp: str, zone: str) -> str:
    """`25.11.2026 14:05 MSK` for a canonical UTC timestamp, in the team's time zone."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    name = moment.tzname() or ""
    if not name.isalpha():  # "+03": say it as an offset
        name = "UTC" + moment.strftime("%z")[:3].replace("+0", "+").replace("-0", "-")
    return f"{moment:%d.%m.%Y %H:%M} {name}"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SLACK_SPECIAL = re.compile(r"<([!@#])")  # <!channel>, <@U123>, <#C123>: shown, not acted on
_QUICK_ACTION = re.compile(r"(^|\n)[ \t]*/", re.MULTILINE)  # GitLab runs `/close` at line start


def no_mentions(text: str) -> str:
    """Text from a chat, safe for a tracker note and for a chat post: `@ivan` there is a chat
    handle, and must not notify the tracker user who happens to be called ivan; Slack's
    `<!channel>`, `<!here>`, `<!subteam^…>` and `<@U…>` must not ping anyone when the
    connector repeats them; a line starting with `/` must not run as a GitLab quick action
    (`/close`, `/assign`) in the bot's name; control characters are dropped."""
    text = _CONTROL.sub("", text)
    text = _SLACK_SPECIAL.sub(lambda m: "‹" + m.group(1), text)
    text = _QUICK_ACTION.sub("\\1∕", text)
    return _MENTION.sub(FULLWIDTH_AT, text)
