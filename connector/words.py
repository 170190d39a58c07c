"""A regulation's own words, as data: what its texts say and what they never say, so a text
worded for one regulation cannot slip another's terms into it (issue 20 item 9)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

_STEM = re.compile(r"^[\wЁё()]+(?: [\wЁё()]+)*$")


def stem_pattern(stem: str) -> re.Pattern[str]:
    """`массов сбо` finds «массовый сбой», «массового сбоя», «Массовые сбои»: each word of the
    stem starts a word of the text, in any case, the words in a row."""
    words = [rf"(?<!\w){re.escape(word)}\w*" for word in stem.split()]
    return re.compile(r"\s+".join(words), re.IGNORECASE)


class Words(BaseModel):
    """`uses`: the regulation's own terms (stems, so every grammatical case matches); `avoids`:
    terms its texts must never hold — another regulation's, or what the applicant's helpdesk
    calls otherwise (MantisBT's Russian interface says «комментарий», never «заметка»)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    uses: list[str] = []
    avoids: list[str] = []

    @field_validator("uses", "avoids")
    @classmethod
    def _stems(cls, stems: list[str]) -> list[str]:
        for stem in stems:
            if not _STEM.match(stem) or len(stem) < 2:
                raise ValueError(f"{stem!r} is not a stem: write word beginnings of two or more "
                                 "letters separated by single spaces, e.g. «заявк» or «массов сбо»")
        return stems

    @model_validator(mode="after")
    def _apart(self) -> Words:
        both = sorted(set(self.uses) & set(self.avoids))
        if both:
            raise ValueError(f"{', '.join(both)} both used and avoided: keep each in one list")
        return self

    def avoided_in(self, text: str) -> list[str]:
        """The avoided stems the text holds, each with the word found: `задач («задачу»)`."""
        found = []
        for stem in self.avoids:
            hit = stem_pattern(stem).search(text)
            if hit:
                found.append(f"{stem} («{hit.group(0)}»)")
        return found

    def used_in(self, text: str) -> list[str]:
        """The regulation's own stems the text holds."""
        return [stem for stem in self.uses if stem_pattern(stem).search(text)]
