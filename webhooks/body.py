"""Reading a request body strictly: bounded in size (also when it comes chunked), JSON bounded
in depth and numbers, and only text that can be stored. Anything else is a PayloadError."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import request

from connector.errors import PayloadError
from webhooks.extension import MAX_BODY

MAX_DEPTH = 64  # real webhooks nest a dozen levels
MAX_DIGITS = 40  # ids and timestamps; no sender needs a longer integer
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def raw_body(limit: int = MAX_BODY) -> bytes:
    """The whole body, read once. Over `limit` (MAX_BODY but for a receiver that allows more)
    it is refused (413): werkzeug refuses a Content-Length over it, but only cuts a chunked
    body there, so what is left is checked. A chunked body the server cannot decode is the
    client's error (400), and one that stops coming (the connector's gunicorn worker waits
    BODY_SECONDS for each piece) a 408."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadError(f"body larger than {limit} bytes", 413)
    try:
        data = request.get_data(cache=True)
        chunked = request.content_length is None
        more = chunked and len(data) >= limit and request.environ["wsgi.input"].read(1)
    except TimeoutError:
        raise PayloadError("the body stopped coming before its end", 408) from None
    except (OSError, ValueError) as exc:  # gunicorn's InvalidChunkSize, werkzeug's own
        raise PayloadError(f"malformed chunked body: {type(exc).__name__}", 400) from None
    if more:
        raise PayloadError(f"body larger than {limit} bytes", 413)
    return data


def parse_json(text: str, *, whole: bool = True) -> Any:
    """JSON as a receiver accepts it: at most MAX_DEPTH deep, integers of at most MAX_DIGITS
    digits, finite numbers, no lone surrogates (they cannot be stored as UTF-8). Not `whole`:
    depth and text are left to whoever judges the parts (the alerts worker, alert by alert);
    the body is stored as the text that came, which is UTF-8 whatever it escapes."""
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float,
                           parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                           400) from None
    except RecursionError:
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels", 400) from None
    if whole and (_SURROGATE_ESCAPE.search(text) or _deep(text)):  # rare: only then walk it
        _check(value)
    return value


def _deep(text: str) -> bool:
    """Could the document nest deeper than MAX_DEPTH? Not with fewer brackets than that."""
    return text.count("[") + text.count("{") > MAX_DEPTH


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise PayloadError(f"a number of more than {MAX_DIGITS} digits", 400)
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError("a number out of range", 400)
    return value


def _constant(name: str) -> Any:
    raise PayloadError(f"{name} is not JSON", 400)


def _check(value: Any) -> None:
    """Walk the document without recursion: depth and storable text."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels", 400)
        if isinstance(node, str):
            _storable(node)
        elif isinstance(node, dict):
            for key, item in node.items():
                _storable(key)
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)


def _storable(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise PayloadError("text with a lone surrogate (e.g. \\ud800) cannot be stored",
                               400) from None
