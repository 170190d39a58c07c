"""JSON values that break naive parsers, and the helpers to put them anywhere in a document."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Raw:
    """JSON text put into a body verbatim: what json.dumps cannot (or will not) write."""

    text: str

    def __repr__(self) -> str:
        return f"Raw({short(self.text)})"


def short(value: Any, limit: int = 80) -> str:
    """repr of a value, cut to `limit` characters with its full length said."""
    text = value.text if isinstance(value, Raw) else repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


RAW_VALUES = (
    Raw("1" + "0" * 5000),  # more digits than int() converts (sys.get_int_max_str_digits)
    Raw("-" + "9" * 4301),
    Raw("1e400"), Raw("-1e400"), Raw("1e-400"), Raw("0." + "0" * 5000 + "1"),
    Raw("[" * 10_000 + "]" * 10_000),  # deeper than the recursion limit
    Raw('{"a":' * 3000 + "1" + "}" * 3000),
    Raw("[" * 900 + "]" * 900),
    Raw('"\\ud800"'), Raw('"\\udfff"'), Raw('"a\\ud83d"'), Raw('"\\u0000"'),
    Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("-0"),
)
SPECIAL_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**300,
    -(10**300), 1e308, -1e308, 5e-324, -0.0, 1.5,
    "", " ", "0", "-1", "1", "1e999", "nan", "inf", "NaN", "null", "true", "[]", "{}",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01 00:00:00",
    "9999-12-31 23:59:59 UTC", "2026-02-30T00:00:00Z", "2026-11-20T10:00:00", "yesterday",
    "1700000000.000100", "1e20", "-1e20", "99999999999999999999", "9" * 5000, "²",
    "\ud800", "\udfff", "x\udc00y", "\x00", "\u2028", "\ufeff", "ЭМК «Печать»", "🚨",
    "x" * 70_000, "Ж" * 40_000, "a\nb", "%s%d{0}", "../../etc/passwd",
    "hdc:oneoff:1", "hdc:oneoff:99999999999999999999", "hdc:oneoff:²", "hdc:oneoff:" + "9" * 5000,
    "hdc:register:1:" + "9" * 5000, "hdc:register:1:²", "hdc:accident:1", "hdc:",
    "Priority: High", "L2", "TicketCreate", "customer", "closed", "merged", "opened",
    [], {}, [[]], [{}], {"": {}}, {"id": None}, {"name": None}, [None], ["x"], [1, "a", None],
)
_SURROGATES = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
_ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(SPECIAL_VALUES), st.sampled_from(RAW_VALUES), st.none(), st.booleans(),
    st.integers(), st.floats(), st.text(max_size=30), _ANY_TEXT, _SURROGATES)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.text(max_size=10), _SURROGATES), inner, max_size=4),
    max_leaves=8)
ODD_TIMES = ("0001-01-01T00:00:00+01:00", "0001-01-01 00:30:00+14:00", "0001-01-01T00:00:00Z",
             "9999-12-31T23:59:59-01:00", "9999-12-31 23:00:00 -12:00", "9999-12-31 23:59:59 UTC",
             "2026-11-20T24:00:00Z", "2026-11-20T10:00:00+25:00", "2026-02-30 10:00:00",
             "2026-W47-5", "1e20", "1763632800", "")
ODD_NUMBERS: tuple[Any, ...] = (Raw("1" + "0" * 5000), Raw("1e400"), Raw("NaN"), Raw("-Infinity"),
                                10**30, -(10**30), 2**63, -1, 0, True, 1.5, 1e20, -1e20, "1",
                                "9" * 5000, "²", None)


def odd_like(original: Any) -> st.SearchStrategy[Any]:
    """Values a careless sender might put where `original` was: the same type at its limits,
    a near type, the value spelled differently."""
    if isinstance(original, bool):
        return st.sampled_from((0, 1, "true", "false", None, [], {}))
    if isinstance(original, int | float):
        return st.sampled_from(ODD_NUMBERS)
    if isinstance(original, str):
        variants = [original + "\ud800", "\udc00" + original, original * (70_000 // max(
            len(original), 1) + 1), original.upper(), f" {original} ", original + "\x00"]
        if original[:1].isdigit():
            variants += ["9" * 5000 + original, original + "e999", "-" + original]
        if original[-1:].isdigit():  # ids and numbers inside strings: "7", "hdc:oneoff:1"
            variants += [original + "9" * 30, original + "9" * 5000, original + "²"]
        if ":" in original and original[:2].isdigit():
            return st.sampled_from((*ODD_TIMES, *variants))
        return st.sampled_from((*variants, *ODD_NUMBERS))
    if isinstance(original, list):
        return st.sampled_from(([], [None], [[]], [{}], [1], original * 500, {"0": original}, "x",
                                1, True, 1.5, None))
    if isinstance(original, dict):
        return st.sampled_from(({}, [original], dict.fromkeys(original),
                                {k: {} for k in original}, {k: [] for k in original},
                                "x", 1, True, [], None))
    return JSON_VALUES


def replacement(original: Any) -> st.SearchStrategy[Any]:
    """Anything at all, but more often an odd variant of the value replaced."""
    return st.one_of(odd_like(original), odd_like(original), JSON_VALUES)


def dumps(doc: Any, *, ensure_ascii: bool = True) -> str:
    """JSON text of a document whose leaves may be Raw."""
    raws: dict[str, str] = {}

    def swap(node: Any) -> Any:
        if isinstance(node, Raw):
            marker = f"\x00raw{len(raws)}\x00"
            raws[json.dumps(marker)] = node.text
            return marker
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = json.dumps(swap(doc), ensure_ascii=ensure_ascii)
    for marker, raw in raws.items():
        text = text.replace(marker, raw)
    return text


def to_bytes(text: str) -> bytes:
    """UTF-8 bytes of a text; lone surrogates come out as (invalid) UTF-8 sequences."""
    return text.encode("utf-8", "surrogatepass")


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document where a value can be swapped or removed."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def changed(doc: Any, path: tuple[Any, ...], value: Any, *, remove: bool = False) -> Any:
    """A copy of the document with the value at `path` replaced (or removed)."""
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if remove:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def value_at(doc: Any, path: tuple[Any, ...]) -> Any:
    """The value at `path` in a JSON document."""
    for key in path:
        doc = doc[key]
    return doc


def dotted(path: tuple[Any, ...]) -> str:
    """A path as people write it: `labels[3].title`."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
