"""No input ever gets a 5xx: whatever arrives — spoiled payloads, junk bodies, odd headers, odd
paths, chunked floods — every receiver answers a 4xx with a one-line JSON `error` (and stores
nothing) or a documented 200, and what it stores the worker settles without choking."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.standins.fixtures import serve
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.standins.znuny import StandInZnuny
from tests.webhooks.hostile.checks import answer_is_sound, one_line_error, send
from tests.webhooks.hostile.receivers import (
    ALERTS,
    GITLAB,
    MANTIS,
    OTRS,
    RECEIVERS,
    SLACK_COMMANDS,
    SLACK_EVENTS,
    SLACK_INTERACTIONS,
    TELEGRAM,
)
from tests.webhooks.hostile.requests import (
    ALERTS_MAX_BODY,
    MAX_BODY,
    Delivery,
    junk,
    odd_headers,
    signed,
    spoiled,
    with_body,
    with_header,
    with_value,
)
from tests.webhooks.hostile.samples import Receiver, Sample
from tests.webhooks.hostile.store import inbox_since, last_inbox_id, reset

HOSTILE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                         HealthCheck.too_slow])
BY_RECEIVER = [pytest.param(r, id=r.name) for r in RECEIVERS]
SAMPLES = [pytest.param(r, s, id=f"{r.name}:{s.name}") for r in RECEIVERS for s in r.samples]


@pytest.fixture(scope="module")
def standins() -> Iterator[dict[str, Any]]:
    """Stand-ins for the config's vendor URLs (and Slack's users.info), shared by the module:
    stopping a stand-in takes half a second."""
    with ExitStack() as stack:
        yield {"slack": stack.enter_context(serve(StandInSlack, "Slack")),
               "telegram": stack.enter_context(serve(StandInTelegram, "Telegram")),
               "mantis": stack.enter_context(serve(StandInMantis, "Mantis")),
               "otrs": stack.enter_context(serve(StandInZnuny, "Znuny"))}


@pytest.fixture
def app(sqlite_url: str, make_app: Callable[..., Flask], standins: dict[str, Any]) -> Flask:
    """One app with every receiver, built once per test function (SQLite)."""
    return make_app(sqlite_url, alerts=True, **standins)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


# --- the samples themselves are good ---------------------------------------------------------


@pytest.mark.parametrize(("receiver", "sample"), SAMPLES)
def test_every_unspoiled_sample_is_answered_200_and_settled(
    app: Flask, client: FlaskClient, receiver: Receiver, sample: Sample,
) -> None:
    reset(app)
    delivery = signed(receiver, sample, sample.encode(sample.doc), sample.name)

    assert answer_is_sound(app, client, delivery).status_code == 200


# --- inputs that broke the receivers before --------------------------------------------------


SURROGATE, NOT_A_DIGIT = "\ud800", "²"
FOUND_BEFORE = [
    pytest.param(lambda: with_header(SLACK_EVENTS, "reply in a thread",
                                     "X-Slack-Request-Timestamp", "9" * 400),
                 id="slack: 400-digit timestamp"),
    pytest.param(lambda: with_header(SLACK_COMMANDS, "/helpdesk", "X-Slack-Request-Timestamp",
                                     "-" + "9" * 400), id="slack command: -400-digit timestamp"),
    pytest.param(lambda: with_header(OTRS, "TicketCreate", "Authorization", "Basic \xff\xff"),
                 id="otrs: non-ASCII Basic auth"),
    pytest.param(lambda: with_body(GITLAB, "issue hook", b"[" * 10_000 + b"]" * 10_000),
                 id="gitlab: JSON nested 10000 deep"),
    pytest.param(lambda: with_body(SLACK_INTERACTIONS, "one-off button",
                                   b"payload=" + b"%5B" * 10_000),
                 id="slack interactions: payload nested 10000 deep"),
    pytest.param(lambda: with_body(TELEGRAM, "reply in a topic",
                                   b'{"update_id": 1' + b"0" * 5000 + b"}"),
                 id="telegram: 5000-digit integer"),
    pytest.param(lambda: with_value(SLACK_EVENTS, "reply in a thread", ("event_id",), SURROGATE),
                 id="slack: lone surrogate in event_id"),
    pytest.param(lambda: with_value(SLACK_INTERACTIONS, "one-off button",
                                    ("container", "message_ts"), SURROGATE),
                 id="slack interactions: lone surrogate in message_ts"),
    pytest.param(lambda: with_value(ALERTS, "generic", ("alerts", 0, "title"), SURROGATE),
                 id="alerts: lone surrogate in a title"),
    pytest.param(lambda: with_value(GITLAB, "issue hook", ("object_attributes", "updated_at"),
                                    "0001-01-01T00:00:00+01:00"), id="gitlab: year 1 timestamp"),
    pytest.param(lambda: with_value(MANTIS, "issue_updated", ("issue", "updated_at"),
                                    "9999-12-31T23:59:59-01:00"), id="mantis: year 9999 timestamp"),
    pytest.param(lambda: with_value(OTRS, "TicketCreate", ("Ticket", "Changed"),
                                    "0001-01-01 00:00:00+01:00"), id="otrs: year 1 timestamp"),
    pytest.param(lambda: with_value(OTRS, "ArticleCreate",
                                    ("Ticket", "Articles", 0, "Attachment", 0, "FilesizeRaw"),
                                    NOT_A_DIGIT), id="otrs: a file size that only looks numeric"),
    pytest.param(lambda: with_value(OTRS, "TicketPriorityUpdate", ("Ticket", "Priority"),
                                    f"3 normal{SURROGATE}"),
                 id="otrs: lone surrogate in the priority"),
    pytest.param(lambda: with_value(GITLAB, "issue hook", ("labels", 3, "title"),
                                    f"L2{SURROGATE}"), id="gitlab: lone surrogate in a label"),
    pytest.param(lambda: with_value(TELEGRAM, "reply in a topic", ("message", "date"), {"a": 1}),
                 id="telegram: date an object"),
    pytest.param(lambda: with_value(TELEGRAM, "reply in a topic", ("message", "date"), 1e20),
                 id="telegram: date out of range"),
    pytest.param(lambda: with_value(TELEGRAM, "button press", ("callback_query", "data"),
                                    "hdc:oneoff:99999999999999999999"),
                 id="telegram: alert id beyond 64 bits"),
    pytest.param(lambda: with_value(TELEGRAM, "button press", ("callback_query", "data"),
                                    f"hdc:oneoff:1{NOT_A_DIGIT}"),
                 id="telegram: alert id that only looks numeric"),
    pytest.param(lambda: with_value(SLACK_EVENTS, "reply in a thread", ("event", "ts"), "1e999"),
                 id="slack: infinite ts"),
    pytest.param(lambda: with_value(SLACK_EVENTS, "reply in a thread", ("event", "files"), 5),
                 id="slack: files a number"),
    pytest.param(lambda: with_value(SLACK_EVENTS, "reply in a thread", ("event", "user"),
                                    SURROGATE), id="slack: lone surrogate in the user id"),
    pytest.param(lambda: with_body(GITLAB, "issue hook", b"{}", "x" * 5000),
                 id="gitlab: 5000-character content type"),
]


@pytest.mark.parametrize("build", FOUND_BEFORE)
def test_inputs_that_broke_a_receiver_before_get_a_4xx_or_a_documented_200(
    app: Flask, client: FlaskClient, build: Callable[[], Delivery],
) -> None:
    reset(app)
    answer_is_sound(app, client, build())


# --- valid auth, one value of a valid payload spoiled ------------------------------------------


@pytest.mark.parametrize("receiver", BY_RECEIVER)
@settings(HOSTILE, max_examples=400)
@given(data=st.data())
def test_one_value_spoiled_anywhere_in_a_valid_payload_is_never_a_5xx(
    app: Flask, client: FlaskClient, receiver: Receiver, data: st.DataObject,
) -> None:
    reset(app)
    answer_is_sound(app, client, data.draw(spoiled(receiver), label="delivery"))


# --- valid auth, any body ------------------------------------------------------------------


@pytest.mark.parametrize("receiver", BY_RECEIVER)
@settings(HOSTILE, max_examples=120)
@given(data=st.data())
def test_any_body_under_any_content_type_with_valid_auth_is_never_a_5xx(
    app: Flask, client: FlaskClient, receiver: Receiver, data: st.DataObject,
) -> None:
    reset(app)
    answer_is_sound(app, client, data.draw(junk(receiver), label="delivery"))


# --- odd headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("receiver", BY_RECEIVER)
@settings(HOSTILE, max_examples=100)
@given(data=st.data())
def test_odd_headers_with_or_without_valid_auth_are_never_a_5xx(
    app: Flask, client: FlaskClient, receiver: Receiver, data: st.DataObject,
) -> None:
    reset(app)
    answer_is_sound(app, client, data.draw(odd_headers(receiver), label="delivery"))


@settings(HOSTILE, max_examples=60)
@given(event=st.one_of(st.text(max_size=40), st.sampled_from(
    ["ticketcreate", "TicketCreate ", "Reconcile", "x" * 5000, "\ud800", "%ff", "..", "a/b"])))
def test_any_otrs_event_name_in_the_path_is_never_a_5xx(
    app: Flask, client: FlaskClient, event: str,
) -> None:
    reset(app)
    sample = OTRS.samples[0]
    delivery = signed(OTRS, sample, sample.encode(sample.doc), f"event {event!r}")
    path = "/webhooks/otrs/" + quote(event.encode("utf-8", "surrogatepass"), safe="")

    answer_is_sound(app, client, dataclasses.replace(delivery, path=path), redirect_ok=True)


# --- bodies over the limit -----------------------------------------------------------------


def _padded_inside(sample: Sample, limit: int) -> bytes:
    """The sample with an extra field that takes it past the receiver's limit."""
    return sample.encode({**sample.doc, "pad": "x" * limit})


def _padded_after(sample: Sample, limit: int) -> bytes:
    """The sample followed by the limit's worth of filler: up to the limit it is valid."""
    body = sample.encode(sample.doc)
    return body + (b"&pad=" + b"x" * limit if sample.form else b" " * limit)


@pytest.mark.parametrize("pad", [_padded_inside, _padded_after], ids=["inside", "after"])
@pytest.mark.parametrize("receiver", BY_RECEIVER)
def test_a_chunked_body_over_the_limit_is_413_not_a_cut_body(
    app: Flask, client: FlaskClient, receiver: Receiver, pad: Callable[[Sample, int], bytes],
) -> None:
    """1 MiB for every receiver but the alerts one, which takes a whole Alertmanager group."""
    reset(app)
    sample = receiver.samples[0]
    body = pad(sample, ALERTS_MAX_BODY if receiver is ALERTS else MAX_BODY)
    delivery = dataclasses.replace(signed(receiver, sample, body, "over the limit"),
                                   chunked=True)
    before = last_inbox_id(app)

    response = send(client, delivery)

    assert response.status_code == 413, response.get_data()[:200]
    assert "larger than" in one_line_error(response)
    assert inbox_since(app, before) == []


@pytest.mark.parametrize("receiver", BY_RECEIVER)
def test_a_chunked_body_under_the_limit_arrives_whole(
    app: Flask, client: FlaskClient, receiver: Receiver,
) -> None:
    reset(app)
    sample = receiver.samples[0]
    body = sample.encode(sample.doc)
    delivery = dataclasses.replace(signed(receiver, sample, body, "chunked"), chunked=True)
    before = last_inbox_id(app)

    assert answer_is_sound(app, client, delivery).status_code == 200
    stored = [row.payload for row in inbox_since(app, before)]
    if receiver is ALERTS:  # the body as it came, then one event per alert the worker made
        assert stored[0] == body.decode() and len(stored) == 1 + len(sample.doc["alerts"])
    elif not sample.form:  # the other JSON receivers store the body as it came
        assert stored == [body.decode()]


# --- operations endpoints, unknown paths and methods -----------------------------------------


KNOWN_PATHS = ["/healthz", "/metrics", "/", "//", "/webhooks", "/webhooks/", "/webhooks/gitlab/",
               "/webhooks/otrs", "/webhooks/otrs/", "/webhooks/otrs/TicketCreate/x",
               "/webhooks/slack", "/webhooks/slack/events/", "/webhooks/unknown", "/healthz/",
               "/metrics?name[]=x", "/healthz?%ff=%ff", "/webhooks/%ff", "/%00",
               "/webhooks/../healthz", "/" + "x" * 10_000,
               *sorted({s.path for r in RECEIVERS for s in r.samples})]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
           "BREW", "get", "X" * 100]


@settings(HOSTILE, max_examples=150)
@given(method=st.sampled_from(METHODS), body=st.binary(max_size=100),
       path=st.one_of(st.sampled_from(KNOWN_PATHS),
                      st.text(max_size=30).map(lambda s: "/" + quote(s.encode(), safe=""))))
def test_any_method_on_any_path_is_never_a_5xx(
    app: Flask, client: FlaskClient, method: str, body: bytes, path: str,
) -> None:
    reset(app)
    before = last_inbox_id(app)

    response = client.open(path, method=method, data=body)

    assert response.status_code < 500, response.get_data()[:200]
    if response.status_code >= 400 and method != "HEAD":
        one_line_error(response)
    assert inbox_since(app, before) == []

