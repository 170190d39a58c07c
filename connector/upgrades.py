"""Upgrades that never break: what the admin's copy of the mappings (made by `init`) lacks is
taken from the shipped mappings of the installed release, each key named once, so a new
release's new texts and sections never stop a service whose copy predates them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector.errors import format_problem
from connector.starter import shipped_mappings
from connector.yamlfile import read_yaml

log = logging.getLogger(__name__)

NESTED_TEXTS = "templates"  # a regulation's own wording: filled per language and text


@dataclass(frozen=True)
class Fallback:
    """One key (or file) the admin's copy lacks, served from the shipped mappings."""

    file: str  # the admin's file
    key: str  # dotted key; "" for the whole file

    def line(self) -> str:
        what = "missing from your copy" if self.key else "file missing from your copy"
        return format_problem(self.file, self.key or "<file>",
                              f"{what}, the shipped one is used",
                              "see `helpdesk-connector mappings diff`; copy it into your file "
                              "to make it your own")


def shipped_twin(directory: Path, name: str) -> Path | None:
    """The shipped file a copy's file was made from, or None when the directory is the
    shipped one itself or the release ships no such file."""
    shipped = shipped_mappings()
    if directory.resolve() == shipped:
        return None
    twin = shipped / name
    return twin if twin.is_file() else None


def files_to_load(directory: Path, common: tuple[str, ...]) -> list[tuple[Path, Fallback | None]]:
    """The copy's *.yml files, and the shipped `common` files (those every directory needs) it
    lacks, with their fallback, sorted by name. A regulation file (belarus-ehr.yml …) missing
    from the copy is the admin's choice and stays missing."""
    found: dict[str, tuple[Path, Fallback | None]] = {
        p.name: (p, None) for p in directory.glob("*.yml")}
    for name in common:
        twin = shipped_twin(directory, name)
        if name not in found and twin is not None:
            found[name] = (twin, Fallback(str(directory / name), ""))
    return [found[name] for name in sorted(found)]


def fill_from_shipped(path: Path, data: Any, *, texts: bool) -> tuple[Any, list[Fallback]]:
    """The copy's parsed file with what its shipped twin has and it lacks: per language each
    text of a `texts` file (templates.yml), else top-level keys and each text of a
    regulation's own `templates:`."""
    twin = shipped_twin(path.parent, path.name)
    if twin is None or not isinstance(data, dict):
        return data, []
    shipped = read_yaml(twin)
    if not isinstance(shipped, dict):
        return data, []
    if texts:
        filled_texts, keys = _fill_texts(data, shipped, "")
        return filled_texts, [Fallback(str(path), key) for key in keys]
    filled = dict(data)
    keys = [str(key) for key in shipped if key not in data]
    filled.update({key: shipped[key] for key in shipped if key not in data})
    if isinstance(data.get(NESTED_TEXTS), dict) and isinstance(shipped.get(NESTED_TEXTS), dict):
        filled[NESTED_TEXTS], nested = _fill_texts(data[NESTED_TEXTS], shipped[NESTED_TEXTS],
                                                   f"{NESTED_TEXTS}.")
        keys += nested
    return filled, [Fallback(str(path), key) for key in keys]


def _fill_texts(copy: dict[Any, Any], shipped: dict[Any, Any],
                prefix: str) -> tuple[dict[Any, Any], list[str]]:
    """language → text id → text: every text the shipped languages have and the copy not."""
    filled, keys = dict(copy), []
    for lang, texts in shipped.items():
        if not isinstance(texts, dict):
            continue
        own = copy.get(lang)
        if own is not None and not isinstance(own, dict):
            continue  # not texts at all: the template check names it
        missing = {tid: text for tid, text in texts.items() if tid not in (own or {})}
        if missing:
            filled[lang] = {**(own or {}), **missing}
            keys += [f"{prefix}{lang}.{tid}" for tid in missing]
    return filled, keys


def log_warnings(lines: Iterable[str]) -> None:
    """One warning per key the running connector takes from the shipped mappings, and per
    section moved (the config's people to the catalog)."""
    for line in lines:
        log.warning("%s", line)


def schema_change(before: str | None, after: str | None) -> str:
    """What `db-upgrade` did, in the revisions' names."""
    if before == after:
        return f"store already at revision {after}, the newest: nothing to do"
    start = f"revision {before}" if before else "an empty database"
    return f"store upgraded from {start} to revision {after}"
