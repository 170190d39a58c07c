"""A vendor payload read field by field, each value of the type its vendor documents: anything
else is a PayloadError (422) naming the field, so a wrongly typed body is refused at receive
time instead of being guessed into a value (or crashing the worker) later. Optional fields may be
absent or null, never of another type."""

from __future__ import annotations

from typing import Any

from connector.errors import PayloadError

INT64 = 2**63 - 1  # what an id must fit: the store's and every SDK's integer


class Fields:
    """One JSON object of a payload and where it sits in it (`message.from`)."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise PayloadError(f"{path}: expected an object")
        self.raw: dict[str, Any] = value
        self.path = path

    def name(self, key: str) -> str:
        """The field's path as people write it: `message.entities[0].type`."""
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        """Present and not null."""
        return self.raw.get(key) is not None

    def obj(self, key: str) -> Fields:
        return Fields(self.raw.get(key), self.name(key))

    def optional_obj(self, key: str) -> Fields | None:
        return self.obj(key) if self.has(key) else None

    def text(self, key: str, *, required: bool = False) -> str:
        """A string; absent or null is "" unless required, and then it must not be empty. NUL
        characters are dropped: they mean nothing in a message, and PostgreSQL stores no text
        holding one."""
        value = self.raw.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value):
            raise PayloadError(f"{self.name(key)}: expected "
                               f"{'non-empty text' if required else 'text'}")
        return value.replace("\x00", "")

    def first_text(self, *keys: str) -> str:
        """The first non-empty of these optional strings, every one of them checked."""
        values = [self.text(key) for key in keys]
        return next((value for value in values if value), "")

    def integer(self, key: str, low: int, high: int) -> int:
        """An integer (not a bool, not a float) from low to high."""
        value = self.raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise PayloadError(f"{self.name(key)}: expected an integer from {low} to {high}")
        return value

    def optional_integer(self, key: str, low: int, high: int) -> int | None:
        return self.integer(key, low, high) if self.has(key) else None

    def flag(self, key: str) -> bool:
        """true or false; absent or null is false."""
        value = self.raw.get(key)
        if value is not None and not isinstance(value, bool):
            raise PayloadError(f"{self.name(key)}: expected true or false")
        return bool(value)

    def items(self, key: str) -> list[Any]:
        """A list; absent or null is empty."""
        value = self.raw.get(key)
        if value is not None and not isinstance(value, list):
            raise PayloadError(f"{self.name(key)}: expected a list")
        return value or []

    def objects(self, key: str) -> list[Fields]:
        """A list of objects; absent or null is empty."""
        return [Fields(item, f"{self.name(key)}[{i}]") for i, item in enumerate(self.items(key))]
