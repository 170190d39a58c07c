"""Who is who: one person's chat ids and tracker usernames, and the roles buttons allow by."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from connector.config import Config, PersonConfig
from connector.errors import format_problem

CHATS = ("slack", "telegram")  # ids compared exactly
TRACKERS = ("gitlab", "mantis", "otrs")  # usernames compared without case


def identities(person: PersonConfig) -> Iterator[tuple[str, str]]:
    """(system, identity) for every name the person has, in lookup form."""
    for system in (*CHATS, *TRACKERS):
        value = getattr(person, system)
        if value is not None and value != "":
            yield system, _key(system, str(value))


def _key(system: str, identity: str) -> str:
    _known(system)
    return identity.casefold() if system in TRACKERS else identity


def _known(system: str) -> None:
    if system not in CHATS and system not in TRACKERS:
        raise ValueError(f"unknown system {system!r}: one of {', '.join(CHATS + TRACKERS)}")


class People:
    """Lookups over the `people:` section; the first entry wins where check-config would
    report two entries sharing an identity."""

    def __init__(self, persons: Sequence[PersonConfig]) -> None:
        self.persons = tuple(persons)
        self._by_identity: dict[tuple[str, str], PersonConfig] = {}
        for person in self.persons:
            for found in identities(person):
                self._by_identity.setdefault(found, person)

    @classmethod
    def from_config(cls, config: Config) -> People:
        return cls(config.people)

    def find(self, system: str, identity: str) -> PersonConfig | None:
        """The person with this Slack or Telegram user id, or GitLab/Mantis/OTRS username."""
        return self._by_identity.get((system, _key(system, identity))) if identity else None

    def with_role(self, role: str) -> list[PersonConfig]:
        """Everyone holding `role`, in the config's order."""
        return [p for p in self.persons if role in p.roles]

    def ids(self, role: str, system: str) -> list[str]:
        """The ids (or usernames) in `system` of everyone holding `role` who has one there,
        e.g. the Slack ids of the duty engineers, to invite them into a room."""
        _known(system)
        return [str(value) for p in self.with_role(role)
                if (value := getattr(p, system)) is not None and value != ""]

    def allowed(self, chat: str, user_id: str, roles: Iterable[str]) -> bool:
        """Whether the chat user is a known person holding one of `roles` (none: nobody)."""
        person = self.find(chat, user_id)
        return person is not None and not set(person.roles).isdisjoint(roles)


def check_people(config: Config) -> list[str]:
    """check-config's problems with `people:`: an identity two entries claim, an entry no
    lookup can ever find."""
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for i, person in enumerate(config.people):
        found = list(identities(person))
        if not found:
            problems.append(format_problem(
                config.source, f"people[{i}]", f"{person.name!r} has no chat id or username",
                f"add one of: {', '.join(CHATS + TRACKERS)}"))
        for system, identity in found:
            first = seen.setdefault((system, identity), i)
            if first != i:
                problems.append(format_problem(
                    config.source, f"people[{i}].{system}",
                    f"{identity!r} is already people[{first}] ({config.people[first].name})",
                    "one entry per person: merge the two"))
    return problems
