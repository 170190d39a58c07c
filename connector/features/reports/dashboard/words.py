"""The dashboard's words in the page's language (Russian or English, whichever the config says
or the reader picked), worded as the regulation shown words them; numbers and days as people
of that language write them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from connector.context import FeatureContext
from connector.features.reports import formats
from connector.mappings import render

DAY_FORMATS = {"ru": "%d.%m.%Y", "en": "%Y-%m-%d"}


class Words:
    def __init__(self, c: FeatureContext, lang: str, regulation: str | None = None) -> None:
        self.lang = lang
        own = c.mappings.by_name.get(regulation) if regulation else None
        self.texts = c.mappings.texts(own, lang)

    def __call__(self, template_id: str, **values: Any) -> str:
        return render(self.texts, template_id,
                      **{k: self.day(v) if isinstance(v, date) else v for k, v in values.items()})

    def columns(self, template_id: str) -> list[str]:
        """A table's column names (one text, split at `|`)."""
        return self(template_id).split("|")

    def number(self, value: float | None, digits: int = 0) -> str:
        """1 234,5 in Russian, 1,234.5 in English; — for none."""
        if value is None or self.lang == "ru":
            return formats.number(value, digits)
        return f"{value:,.{digits}f}"

    def day(self, day: date | str) -> str:
        found = date.fromisoformat(day) if isinstance(day, str) else day
        return found.strftime(DAY_FORMATS[self.lang])

    def moment(self, iso: str | None) -> str:
        """A report's local time (ISO with its offset) as a day and hours:minutes."""
        if not iso:
            return ""
        found = datetime.fromisoformat(iso)
        return f"{found.strftime(DAY_FORMATS[self.lang])} {found:%H:%M}"
