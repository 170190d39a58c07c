"""People are named once, in the catalog (mappings/catalog.yml `people:`): the config's old
`people:` list is still read for one release — merged into the catalog's people, the catalog
winning where both name someone — with one warning naming the move."""

from __future__ import annotations

from collections.abc import Iterator

from connector.config import Config, PersonConfig
from connector.errors import format_problem
from connector.features.outage.catalog import Catalog, Person

CHATS = ("slack", "telegram")  # ids compared exactly
TRACKERS = ("gitlab", "mantis", "otrs")  # usernames compared without case
FIELDS = ("name", "roles", *CHATS, *TRACKERS)  # what a config entry may tell of a person


def identities(person: PersonConfig | Person) -> Iterator[tuple[str, str]]:
    """(system, identity) for every name the person has, in lookup form."""
    for system in (*CHATS, *TRACKERS):
        value = getattr(person, system)
        if value is not None and value != "":
            yield system, str(value).casefold() if system in TRACKERS else str(value)


def merge_people(config: Config, catalog: Catalog,
                 catalog_file: str) -> tuple[Catalog, list[str]]:
    """The catalog with the config's people it lacks added, and the warnings: one for the
    move, one per person both name differently (the catalog's values kept)."""
    if not config.people:
        return catalog, []
    people = dict(catalog.people)
    warnings = [format_problem(config.source, "people",
                               f"moved to the catalog ({catalog_file} people: …)",
                               "move these entries there")]
    for i, entry in enumerate(config.people):
        key = _same_person(entry, people)
        if key is None:
            people[_new_key(entry, people)] = Person(
                **{f: getattr(entry, f) for f in FIELDS})
            continue
        kept, differing = _merged(people[key], entry)
        people[key] = kept
        if differing:
            warnings.append(format_problem(
                catalog_file, f"people.{key}",
                f"{kept.name} is also {config.source} people[{i}] with another "
                f"{', '.join(differing)}; the catalog's is used",
                "keep the one entry in the catalog"))
    return catalog.model_copy(update={"people": people}), warnings


def _same_person(entry: PersonConfig, people: dict[str, Person]) -> str | None:
    """The catalog's key for someone the entry names: by an identity in common, else by name."""
    mine = set(identities(entry))
    return next((k for k, p in people.items() if mine & set(identities(p))),
                next((k for k, p in people.items() if p.name == entry.name), None))


def _merged(person: Person, entry: PersonConfig) -> tuple[Person, list[str]]:
    """The catalog's person with what only the entry tells filled in; the fields where both
    tell something different (the catalog's kept)."""
    filled: dict[str, object] = {}
    differing: list[str] = []
    for field in FIELDS:
        ours, theirs = getattr(person, field), getattr(entry, field)
        if theirs in (None, "", []) or _alike(field, ours, theirs):
            continue
        if ours in (None, "", []):
            filled[field] = theirs
        else:
            differing.append(field)
    return person.model_copy(update=filled), differing


def _alike(field: str, ours: object, theirs: object) -> bool:
    if field in TRACKERS:
        return str(ours).casefold() == str(theirs).casefold()
    if field == "roles":
        return set(ours) == set(theirs)  # type: ignore[call-overload]
    return ours == theirs


def _new_key(entry: PersonConfig, people: dict[str, Person]) -> str:
    """A key for someone only the config names: a tracker username, else a chat id."""
    base = next((str(v) for v in (entry.gitlab, entry.mantis, entry.otrs, entry.slack,
                                  entry.telegram) if v), entry.name)
    key, n = base, 2
    while key in people:
        key, n = f"{base}-{n}", n + 1
    return key


def check_people(config: Config) -> list[str]:
    """check-config's problems with the deprecated `people:`: an identity two entries claim,
    an entry no lookup can ever find."""
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
