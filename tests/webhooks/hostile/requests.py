"""Hostile requests built by hypothesis: spoiled values, junk bodies, odd headers."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.conftest import (
    ALERTS_TOKEN,
    OTRS_HOOK_PASSWORD,
    OTRS_HOOK_USER,
    TELEGRAM_SECRET,
    WEBHOOK_SECRET,
)
from tests.webhooks.hostile.samples import FORM_TYPE, JSON_TYPE, Receiver, Sample
from tests.webhooks.hostile.values import (
    JSON_VALUES,
    changed,
    dotted,
    dumps,
    replacement,
    short,
    to_bytes,
    value_at,
)

MAX_BODY = 1024 * 1024
ALERTS_MAX_BODY = 16 * MAX_BODY  # alerts.max_body_mb's default: a whole Alertmanager group


@dataclass(frozen=True)
class Delivery:
    """One request to send; its repr (what hypothesis prints) says what is odd about it."""

    what: str
    path: str
    body: bytes
    headers: tuple[tuple[str, str], ...]
    method: str = "POST"
    chunked: bool = False  # sent as a server that decodes chunked bodies passes it on

    def __repr__(self) -> str:
        return f"<{self.what}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints dataclasses field by field (a body can be a MiB): use the repr."""
        printer.text(repr(self))


def signed(receiver: Receiver, sample: Sample, body: bytes, what: str,
           content_type: str | None = None) -> Delivery:
    """A delivery with the sample's headers and valid auth for this body."""
    headers = {**dict(sample.headers),
               "Content-Type": sample.content_type if content_type is None else content_type}
    headers.update(receiver.auth(body, headers))
    return Delivery(what, sample.path, body, tuple(headers.items()))


@st.composite
def spoiled(draw: st.DrawFn, receiver: Receiver) -> Delivery:
    """A valid, authenticated delivery with one value anywhere swapped for any JSON value, or
    one key (list item) removed."""
    sample = draw(st.sampled_from(receiver.samples))
    path = draw(sample.paths())
    if draw(st.integers(0, 5)) == 0:
        doc, change = changed(sample.doc, path, None, remove=True), f"{dotted(path)} removed"
    else:
        value = draw(replacement(value_at(sample.doc, path)), label="value")
        doc, change = changed(sample.doc, path, value), f"{dotted(path)} := {short(value)}"
    ensure_ascii = draw(st.booleans())
    body = sample.encode(doc, ensure_ascii=ensure_ascii)
    return signed(receiver, sample, body, f"{sample.name}: {change}"
                  + ("" if ensure_ascii else " (non-ASCII as UTF-8)"))


def _sample(receiver: Receiver, name: str) -> Sample:
    """The receiver's sample of that name."""
    return next(s for s in receiver.samples if s.name == name)


def with_value(receiver: Receiver, name: str, path: tuple[Any, ...], value: Any) -> Delivery:
    """The named sample, authenticated, with the value at `path` replaced."""
    sample = _sample(receiver, name)
    body = sample.encode(changed(sample.doc, path, value))
    return signed(receiver, sample, body, f"{name}: {dotted(path)} := {short(value)}")


def with_body(receiver: Receiver, name: str, body: bytes,
              content_type: str | None = None) -> Delivery:
    """An authenticated request of the named sample's kind carrying `body`."""
    sample = _sample(receiver, name)
    return signed(receiver, sample, body, f"{name}: body {short(body)}", content_type)


def with_header(receiver: Receiver, name: str, header: str, value: str) -> Delivery:
    """The named sample, authenticated (over this header too), with one header set."""
    sample = _sample(receiver, name)
    body = sample.encode(sample.doc)
    headers = {**dict(sample.headers), "Content-Type": sample.content_type, header: value}
    headers = {**receiver.auth(body, headers), **headers}
    return Delivery(f"{name}: {header}: {short(value)}", sample.path, body, tuple(headers.items()))


FIXED_JUNK: tuple[tuple[str, bytes], ...] = (
    ("empty", b""), ("spaces", b" " * 1000), ("NUL", b"\x00"),
    ("[ x10000", b"[" * 10_000), ("{ x10000", b"{" * 10_000),
    ("[] nested 10000 deep", b"[" * 10_000 + b"]" * 10_000),
    ('{"a": nested 10000 deep', b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
    ("5000-digit integer", b"1" + b"0" * 5000),
    ("5000-digit update_id", b'{"update_id": 1' + b"0" * 5000 + b"}"),
    ("5000-digit float", b"1." + b"0" * 5000),
    ("1e400", b"1e400"), ("NaN", b"NaN"), ("-Infinity", b"-Infinity"),
    ("UTF-8 BOM + {}", b"\xef\xbb\xbf{}"), ("UTF-16 JSON", '{"a": 1}'.encode("utf-16")),
    ("invalid UTF-8", b'{"a": "\xff\xfe"}'), ("CESU surrogate", b'{"a": "\xed\xa0\x80"}'),
    ("escaped lone surrogate", b'"\\ud800"'), ("surrogate key", b'{"\\ud800": 1}'),
    ("duplicate keys", b'{"a": 1, "a": 2}'), ("null", b"null"), ("true", b"true"),
    ("string", b'"text"'), ("[]", b"[]"), ("{}", b"{}"), ("0", b"0"),
    ("trailing comma", b'{"a": 1,}'), ("single quotes", b"{'a': 1}"),
    ("latin-1 text", "{\"a\": \"Иванова\"}".encode("cp1251")),
)


@st.composite
def junk(draw: st.DrawFn, receiver: Receiver) -> Delivery:
    """An authenticated request whose body is anything: random bytes, any JSON, broken
    encodings, deep nesting, a cut or padded valid body; under any content type."""
    sample = draw(st.sampled_from(receiver.samples))
    valid = sample.encode(sample.doc)
    name, body = draw(st.one_of(
        st.binary(max_size=300).map(lambda b: ("random bytes", b)),
        JSON_VALUES.map(lambda v: (f"JSON {short(v)}", to_bytes(dumps(v)))),
        st.sampled_from(FIXED_JUNK),
        st.integers(0, max(len(valid) - 1, 0)).map(lambda n: (f"cut at byte {n}", valid[:n])),
        st.binary(min_size=1, max_size=20).map(lambda b: (f"valid + {b!r}", valid + b)),
        st.just(("valid in latin-1", sample.encode(sample.doc, ensure_ascii=False)
                 .decode().encode("latin-1", "replace"))),
    ))
    if sample.form and draw(st.booleans()):
        name, body = f"form field payload = {name}", sample.wrap(body)
    content_type = draw(st.one_of(
        st.just(sample.content_type),
        st.sampled_from([JSON_TYPE, FORM_TYPE, "application/json; charset=utf-8",
                         "application/json; charset=latin-1", "text/plain", "",
                         "multipart/form-data", "multipart/form-data; boundary=x",
                         "application/JSON", "application/json;;;", "application/*+json",
                         "*/*", "x" * 5000]),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)))
    return signed(receiver, sample, body, f"{sample.name}: body {name} as {short(content_type)}",
                  content_type)


_b64 = base64.b64encode
ODD_HEADERS: dict[str, tuple[str, ...]] = {
    "x-slack-request-timestamp": (
        "9" * 400, "-" + "9" * 400, str(10**20), "1e10", "nan", "inf", "-1", "0", "",
        " 1700000000 ", "+1700000000", "1_700_000_000", "0x10", "²", "\xb9\xb2\xb3"),
    "x-slack-signature": ("", "v0=", "v0=" + "f" * 64, "v1=x", "v0=\xff", "x" * 100_000),
    "authorization": (
        "", "Basic", "Basic ", "Basic !!!!", "Basic ====", "Basic " + "A" * 10_001,
        "Basic " + _b64(b"\xff\xfe:\xff").decode(), "Basic " + _b64(b"znuny").decode(),
        "Basic " + _b64("znuny:пароль".encode()).decode(), "Basic émoji", "Basic \xff\xff",
        "Basic " + _b64(f"{OTRS_HOOK_USER}:{OTRS_HOOK_PASSWORD}".encode()).decode() + "\xe9",
        "Bearer", "Bearer ", "Bearer \xff", "bearer " + ALERTS_TOKEN, "Bearer  " + ALERTS_TOKEN,
        "Bearer " + ALERTS_TOKEN + "\xe9"),
    "x-signature": ("", "sha256=", "sha256=" + "0" * 64, "SHA256=zz", "sha256=\xff",
                    "md5=" + "0" * 32),
    "x-gitlab-token": ("", WEBHOOK_SECRET + "\xe9", WEBHOOK_SECRET.upper(), "\xff" * 10),
    "x-telegram-bot-api-secret-token": ("", TELEGRAM_SECRET + "\xe9", "\xff" * 10),
    "x-gitlab-event": ("Issue Hook", "Note Hook", "Confidential Note Hook", "Push Hook",
                       "issue hook", "Issue Hook\xe9", ""),
    "x-mantis-event": ("issue_reported", "issue_updated", "note_added", "Reconcile", "x"),
    "content-type": ("application/json; charset=latin-1", "text/plain", "", "*/*",
                     "multipart/form-data", FORM_TYPE, JSON_TYPE),
    "transfer-encoding": ("chunked", "gzip", "identity", "chunked, chunked"),
    "content-encoding": ("gzip", "deflate", "br", "x"),
}
ANY_HEADER = ("", " ", "x" * 100_000, "Иванов".encode().decode("latin-1"), "\xff\xfe\xfd",
              "é", "\x00", "\x7f", "-1", "9" * 400, "\t")
GENERIC_HEADERS = ("Content-Type", "Authorization", "Idempotency-Key", "User-Agent", "Accept",
                   "Content-Encoding", "Transfer-Encoding", "X-Forwarded-For", "Host")
HEADER_NAMES = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E,
                                     exclude_characters=":"), min_size=1, max_size=20)


def header_value(name: str) -> st.SearchStrategy[str]:
    """Odd values for a header: those known to upset its reader, or any latin-1 text."""
    known = st.sampled_from(ODD_HEADERS.get(name.lower(), ANY_HEADER))
    return st.one_of(known, known, known, st.sampled_from(ANY_HEADER),
                     st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=50))


@st.composite
def header_edit(draw: st.DrawFn, receiver: Receiver) -> tuple[str, str, str]:
    """(name, how, value): set, repeat or remove a header, mostly one the receiver reads."""
    own = st.sampled_from(receiver.header_names)
    name = draw(st.one_of(own, own, own, st.sampled_from(GENERIC_HEADERS), HEADER_NAMES))
    return name, draw(st.sampled_from(["set", "repeat", "remove"])), draw(header_value(name))


@st.composite
def odd_headers(draw: st.DrawFn, receiver: Receiver) -> Delivery:
    """A valid body with some headers odd (huge, non-ASCII, empty, repeated, removed) and
    with or without valid auth (a Slack signature is made over an odd timestamp too)."""
    sample = draw(st.sampled_from(receiver.samples))
    body = sample.encode(sample.doc)
    edits = draw(st.lists(header_edit(receiver), min_size=1, max_size=3))
    with_auth = draw(st.booleans())
    headers: list[tuple[str, str]] = [*sample.headers, ("Content-Type", sample.content_type)]
    touched = set()
    for name, how, value in edits:
        touched.add(name.lower())
        if how != "repeat":
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        if how != "remove":
            headers.append((name, value))
    if with_auth:
        auth = receiver.auth(body, dict(headers))
        headers += [(k, v) for k, v in auth.items() if k.lower() not in touched]
    shown = ", ".join(f"{how} {n}: {short(v, 40)}" for n, how, v in edits)
    return Delivery(f"{sample.name}, {'valid' if with_auth else 'no'} auth, {shown}",
                    sample.path, body, tuple(headers))
