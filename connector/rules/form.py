"""Reading a request form written as text: Appendix 1's rows as applicants really type them.

A row is its label and a value: `Данные пациента: Петров П.П.`, `ДАННЫЕ ПАЦИЕНТА — …`,
`**Данные пациента**`, `| Данные пациента | Петров П.П. |`, `1. Данные пациента` with the
value on the next line, or the label followed by the form's hint in brackets. Case, «ё» and
extra spaces do not matter. A label of two words or more may be followed by its value after a
plain space; a one-word label (`Пациент`) needs a separator or a line of its own, so ordinary
sentences that start with the word are not taken for a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DECORATION = re.compile(r"^[\s>#*_`|•·\-–—]*(?:\d{1,2}[.)]\s*)?[\s*_`|]*")
_SEPARATOR = re.compile(r"^[\s*_`]*[:：|\-–—=>\t]+")
_BRACKETS = re.compile(r"^\s*\([^)]*\)")
_WORD = re.compile(r"\w", re.UNICODE)


def normal(text: str) -> str:
    """Lower case, «ё» as «е», single spaces: how labels and hints are compared."""
    return " ".join(text.casefold().replace("ё", "е").split())


def _bare(text: str) -> str:
    """Only letters and digits, for comparing a value with the form's hint."""
    return "".join(ch for ch in normal(text) if ch.isalnum())


def form_values(text: str, labels: Iterable[str]) -> dict[str, str]:
    """Label (as given) → the value written for it, for every label that has one."""
    keys = sorted(((normal(label), label) for label in labels), key=lambda kv: -len(kv[0]))
    found: dict[str, str] = {}
    pending: str | None = None  # a label whose value may be on the next line
    for raw in text.splitlines():
        line = normal(_DECORATION.sub("", raw))
        hit = _label(line, keys)
        if hit is None:
            if pending is not None and _WORD.search(line):
                found.setdefault(pending, line)
                pending = None
            continue
        label, rest = hit
        value = _value(rest)
        if value:
            found.setdefault(label, value)
            pending = None
        else:
            pending = label
    return found


def filled(value: str | None, hint: str = "") -> bool:
    """A value that says something: not empty, not punctuation, not the form's own hint."""
    if not value or not _WORD.search(value):
        return False
    return not hint or _bare(value) != _bare(hint)


def _label(line: str, keys: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The row label a line starts with, and the rest of the line."""
    for key, label in keys:
        if not line.startswith(key):
            continue
        rest = line[len(key):]
        if rest and rest[0].isalnum():
            continue  # a longer word that merely starts like the label
        if rest.strip() and " " not in key and not _SEPARATOR.match(rest):
            continue  # a one-word label followed by prose: a sentence, not a row
        return label, rest
    return None


def _value(rest: str) -> str:
    """What follows the label on its line, without separators and a bracketed hint."""
    rest = _SEPARATOR.sub("", rest, count=1)
    rest = _BRACKETS.sub("", rest, count=1)
    rest = _SEPARATOR.sub("", rest, count=1)
    return rest.strip(" \t|*_`:").strip()
