"""Issue 20 item 9: no two notes for one event contradict. A request lacking a row of Appendix 1
(§3.1–3.2: «рассматриваться не будут», held until completed) and breaking §3.5 on files got
«Заявка не может быть рассмотрена» beside «Заявка принята к рассмотрению». One event, one
note: the hold names the §3.5 problems too; a complete request gets the §3.5 advice alone,
which accepts nothing — taking a request into work is L1's (§4.6, «Рассматривается»)."""

from __future__ import annotations

import pytest

from tests.appendix1 import FORM, without
from tests.standins.mantis import StandInMantis
from tests.test_mantis import APPLICANT, Http, http, notes, report, send, status

__all__ = ["http"]

SEVEN_LOOSE_PNGS = [(f"{i}.png", 300_000) for i in range(7)]
TOO_BIG = [("скриншоты.zip", 12_000_000)]
BMP = [("схема.bmp", 200_000), ("1.png", 100_000)]


@pytest.mark.parametrize(("description", "files", "held", "said"), [
    # §3.1–3.2 hold and §3.5 advice in one note
    (without("Данные пациента"), SEVEN_LOOSE_PNGS, True, "больше 5 файлов"),
    (without("Данные пациента"), TOO_BIG, True, "не более 10 МБ"),
    (without("Описание ошибки"), BMP, True, "схема.bmp"),
    # §3.5 advice alone: the request is complete
    (FORM, SEVEN_LOOSE_PNGS, False, "больше 5 файлов"),
    (FORM, TOO_BIG, False, "не более 10 МБ"),
])
def test_section_3_5_advice_and_the_appendix_1_hold_are_one_note_that_agrees_with_itself(
        standin_mantis: StandInMantis, http: Http, description: str,
        files: list[tuple[str, int]], held: bool, said: str) -> None:
    report(standin_mantis, description, attachments=files)
    send(http, standin_mantis, "issue_reported", actor=APPLICANT)

    [note] = notes(standin_mantis)
    assert said in note
    assert "принята к рассмотрению" not in note
    assert ("не может быть рассмотрена" in note) is held
    assert status(standin_mantis) == ("feedback" if held else "new")
