"""The worker reads a stored alerts body a piece at a time (so the receivers in its process
answer in between): for any text it gets what json.loads gets, or fails as json.loads fails."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.alerts.events import loads_by_pieces

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) |
                      st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20)
BODIES = st.dictionaries(st.sampled_from(["alerts", "groupKey", "version", "x"]),
                         VALUES | st.lists(VALUES, max_size=5), max_size=4)


def outcome(read: Any, text: str) -> Any:
    try:
        return ("value", read(text))
    except (ValueError, RecursionError) as exc:
        return ("error", type(exc).__name__)


@given(body=BODIES, indent=st.sampled_from([None, 0, 2]), cut=st.integers(0, 400))
def test_any_body_reads_as_json_loads_reads_it_whole_or_cut(
        body: dict[str, Any], indent: int | None, cut: int) -> None:
    text = json.dumps(body, indent=indent)
    for piece in (text, text[:cut], text + " x", text.replace("]", ",]", 1)):
        assert outcome(loads_by_pieces, piece) == outcome(json.loads, piece)


@pytest.mark.parametrize("text", ['{"alerts": [1,]}', '{"a": 1,}', '{"alerts": [1] , }',
                                  '{"alerts": [1 2]}', '{"alerts" [1]}', '{"alerts": [1]}}',
                                  ' {"alerts": [] } ', '{"alerts": [{"a": [1, {"b": 2}]}]}'])
def test_odd_texts_read_as_json_loads_reads_them(text: str) -> None:
    assert outcome(loads_by_pieces, text) == outcome(json.loads, text)


def test_nan_reads_as_json_loads_reads_it() -> None:
    assert math.isnan(loads_by_pieces('{"alerts": [NaN]}')["alerts"][0])
