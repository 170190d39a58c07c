"""What a realistic delivery and a receiver are: a document, how it travels, how it is signed."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from tests.webhooks.hostile.values import dotted, dumps, paths, to_bytes

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Sample:
    """A realistic delivery: its JSON document and how it travels (JSON, form field, form)."""

    name: str
    path: str
    doc: Any
    headers: tuple[tuple[str, str], ...] = ()
    form: str = ""  # "": JSON body; "payload": JSON in that form field; "fields": a form
    hot: tuple[str, ...] = ()  # in a big document, the places the connector reads (`a[*].b`)

    def paths(self) -> st.SearchStrategy[tuple[Any, ...]]:
        """Any place in the document; half of the time a hot one."""
        every = paths(self.doc)
        hot = re.compile("|".join(re.escape(h).replace(r"\[\*\]", r"\[\d+\]") for h in self.hot))
        chosen = [p for p in every if self.hot and hot.fullmatch(dotted(p))]
        anywhere = st.sampled_from(every)
        return st.one_of(st.sampled_from(chosen), anywhere) if chosen else anywhere

    @property
    def content_type(self) -> str:
        """The content type the sender uses for this sample."""
        return FORM_TYPE if self.form else JSON_TYPE

    def encode(self, doc: Any, *, ensure_ascii: bool = True) -> bytes:
        """The body carrying `doc` as the sender would put it."""
        if self.form == "payload":
            return form_body({"payload": dumps(doc, ensure_ascii=ensure_ascii)})
        if self.form == "fields":
            if not isinstance(doc, dict):
                return to_bytes(dumps(doc, ensure_ascii=ensure_ascii))
            return form_body({str(k): v if isinstance(v, str) else dumps(v) for k, v in
                              doc.items()})
        return to_bytes(dumps(doc, ensure_ascii=ensure_ascii))

    def wrap(self, text: bytes) -> bytes:
        """Arbitrary bytes where this sample's JSON goes (the `payload` field for a form)."""
        if self.form == "payload":
            return b"payload=" + urlencode({"": text}).encode()[1:]
        return text


def form_body(fields: Mapping[str, str]) -> bytes:
    """A urlencoded form; lone surrogates go out as (invalid) UTF-8 bytes."""
    return urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()


Auth = Callable[[bytes, Mapping[str, str]], dict[str, str]]


@dataclass(frozen=True)
class Receiver:
    """One receiver: realistic samples, how to authenticate a body, the headers it reads."""

    name: str
    samples: tuple[Sample, ...]
    auth: Auth
    header_names: tuple[str, ...]
