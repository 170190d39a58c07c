"""Custom field names MantisBT cannot hold: it refuses a comma in a field's name (error 1307),
so a mapping naming one can never match a field. Said as a warning, not refused: a copy of
the mappings made before this check still starts."""

from __future__ import annotations

from pydantic import BaseModel

from connector.conditions import When
from connector.errors import format_problem
from connector.rules.models import Condition, Detect

FIX = ("rename the field without one, e.g. «ФИО пользователя и логин», and write that name "
       "here")


def comma_names(source: str, node: object, key: str = "") -> list[str]:
    """`file: key: problem — fix` for each custom field name with a comma under `node`."""
    found = [format_problem(source, at, f"{name!r}: MantisBT refuses a comma in a custom "
                            "field's name (error 1307), so no field is named so and this "
                            "never matches", FIX)
             for at, name in _named(node, key) if "," in name]
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += comma_names(source, getattr(node, name), f"{key}.{name}" if key else name)
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            found += comma_names(source, item, f"{key}[{i}]")
    elif isinstance(node, dict):
        for name, item in node.items():
            found += comma_names(source, item, f"{key}.{name}")
    return found


def _named(node: object, key: str) -> list[tuple[str, str]]:
    """(key, name) of each custom field this one node names."""
    if isinstance(node, Detect):
        return [(f"{key}.custom_fields[{i}]", n) for i, n in enumerate(node.custom_fields)]
    if isinstance(node, When | Condition):
        return [(f"{key}.field", n) for n in node.field or {}]
    return []
