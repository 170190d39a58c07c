"""How one tracker spells a regulation's words, and who on it counts as L1 staff."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from connector.events import Person

# MantisBT's default $g_access_levels_enum_string; an instance may define others (use numbers).
ACCESS_LEVELS = {"viewer": 10, "reporter": 25, "updater": 40, "developer": 55, "manager": 70,
                 "administrator": 90}


class Staff(BaseModel):
    """Who counts as L1 on a tracker: what they change is their right (Sevastopol §4.5, §4.9,
    §4.10), not a violation. Anyone matching any one of the ways counts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    access_level: int | None = None  # Mantis: this access level or higher in the project
    users: list[str] = []  # Mantis usernames; OTRS agent ids (ChangeBy) or logins
    agents: bool = False  # OTRS: every agent (a customer cannot reprioritise a ticket)

    @field_validator("access_level", mode="before")
    @classmethod
    def _level_by_name(cls, value: object) -> object:
        if isinstance(value, str) and not value.isdigit():
            if value.lower() not in ACCESS_LEVELS:
                raise ValueError(f"unknown access level {value!r}: use one of "
                                 f"{', '.join(ACCESS_LEVELS)} or the number")
            return ACCESS_LEVELS[value.lower()]
        return value

    def covers(self, person: Person) -> bool:
        """Whether this person is L1 staff."""
        if person.name and person.name in self.users:
            return True
        if self.access_level is not None and person.level is not None \
                and person.level >= self.access_level:
            return True
        return self.agents and person.agent


class Vocabulary(BaseModel):
    """How one tracker spells the regulation's statuses, priorities and impact values.

    Tables map the regulation's word to the tracker's value (`Малое: minor`); `aliases` map
    further tracker values to a regulation word, for reading only.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    impact_field: str | None = None  # e.g. Mantis' built-in `severity`, or a custom field name
    statuses: dict[str, str] = {}
    priorities: dict[str, str] = {}
    impacts: dict[str, str] = {}
    aliases: dict[str, str] = {}
    l1: Staff = Staff()

    def read(self, value: str | None, table: dict[str, str]) -> str | None:
        """A tracker value in the regulation's words (unknown values pass through)."""
        if value is None:
            return None
        for ours, theirs in table.items():
            if theirs.lower() == value.lower():
                return ours
        return self.aliases.get(value, value)
