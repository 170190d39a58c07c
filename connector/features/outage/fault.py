"""EMIAS: «Если сбой возник по вине сервиса, на котором оказывается техническая поддержка в
рамках государственного контракта» — «Сбой на Исполнителя» goes to THAT service's contract.
The conclusion asks which service was at fault (the declared one by default), among the
services this outage could be blamed on: the declared one, its related services and the
services the regulation's mapping handles."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from connector.context import FeatureContext
from connector.forms import SKIP

FIELD = "fault"


def choices(c: FeatureContext, row: Row[Any]) -> list[str]:
    """The catalog services the form offers, the declared one first."""
    catalog, rules = c.mappings.catalog, c.mappings.by_name[row.mapping].outage
    declared = catalog.services[row.service]
    offered = [row.service, *declared.related,
               *([rules.default_service, *rules.services] if rules else [])]
    return [sid for sid in dict.fromkeys(offered) if sid in catalog.services]


def label_values(c: FeatureContext, row: Row[Any]) -> dict[str, dict[str, str]]:
    """The form's question lists the choices by number and title: `1. title; 2. …`."""
    services = c.mappings.catalog.services
    listed = "; ".join(f"{n}. {services[sid].title}"
                       for n, sid in enumerate(choices(c, row), 1))
    return {FIELD: {"choices": f"{listed}."}}


def resolved(c: FeatureContext, row: Row[Any], given: str) -> tuple[str, bool]:
    """The service at fault from the answer (its number in the list, title or id); the
    declared one when none is given, or — refused, True — when the answer names none."""
    text, offered = given.strip().casefold(), choices(c, row)
    if not text or text == SKIP:
        return row.service, False
    services = c.mappings.catalog.services
    for n, sid in enumerate(offered, 1):
        if text in (sid, services[sid].title.casefold(), str(n)):
            return sid, False
    return row.service, True


def initial(c: FeatureContext, row: Row[Any]) -> str:
    """Pre-filled: the declared service, as people call it."""
    return c.mappings.catalog.services[row.service].title
