"""The stage's checklist on the status message (EMIAS's mandatory steps): the duty engineer
ticks a step by its button, the tick goes on the timeline and the status shows ☑; with
`steps_required: true` the outage moves on only once every step is ticked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import DUTY, L1, OWNER, REPO, Outage, belarus_world


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack) -> Iterator[Outage]:
    text = (REPO / "mappings" / "belarus-ehr.yml").read_text(encoding="utf-8").replace(
        '      label: "Сбой: диагностика"\n',
        '      label: "Сбой: диагностика"\n      steps_required: true\n')
    assert "steps_required: true" in text
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               mapping_text={"belarus-ehr.yml": text}))
    yield world
    world.c.engine.dispose()


def step_buttons(world: Outage) -> dict[str, str]:
    return {e["text"]["text"]: e["value"] for b in world.status()["blocks"]
            if b["type"] == "actions" for e in b["elements"] if e["text"]["text"][0] == "☐"}


def test_steps_are_ticked_by_button_and_required_before_moving_on(world: Outage) -> None:
    world.declare()
    world.press(1, DUTY)  # → Диагностика (three steps, all required)
    steps = step_buttons(world)
    assert list(steps) == ["☐ Проверить сохранность данных (приоритет 1, п. 4.3)",
                           "☐ Назвать недоступные бизнес-функции и долю клиентов",
                           "☐ Спросить ответственных за смежные сервисы"]

    world.press(2, OWNER)  # → Устранение: refused, nothing ticked yet
    assert "Диагностика" in world.status()["text"]
    first = steps["☐ Проверить сохранность данных (приоритет 1, п. 4.3)"]
    world.press_on(world.status(), first, L1)  # L1 may not tick
    world.press_on(world.status(), first, DUTY)
    world.press_on(world.status(), first, DUTY)  # ticked already: refused
    assert "☑ Проверить сохранность данных" in world.status()["text"]
    assert len(step_buttons(world)) == 2
    for value in step_buttons(world).values():
        world.press_on(world.status(), value, OWNER)
    world.press(2, OWNER)  # → Устранение, every step ticked

    assert "Устранение" in world.status()["text"]
    ticks = [(k, who) for k, who, _ in world.timeline() if k == "step"]
    assert ticks == [("step", "Дежурный инженер")] + [
        ("step", "Ответственный за АИС «Электронный рецепт»")] * 2


def test_the_conclusion_and_the_log_carry_the_ticked_steps(world: Outage) -> None:
    """A ticked step once made the conclusion fail (no text for it): the report and the room
    log must be written with it on the timeline."""
    from tests.test_outage_closing import HEAD, button, conclude
    world.gl.add_user("head", 90)
    world.declare()
    world.press(1, DUTY)
    for value in step_buttons(world).values():
        world.press_on(world.status(), value, DUTY)
    world.press(3, OWNER)  # → Восстановлено
    conclude(world)
    world.press(4, OWNER)  # → Заключение

    report = world.gl.issue(1, 24)
    assert "выполнен шаг «Проверить сохранность данных" in report["description"]
    world.press_on(world.status(), button(world, "Закрыть и создать проблему"), HEAD)
    [(_, log)] = [(u, c) for u, c in world.gl.uploads.items() if u.endswith("-23.txt")]
    assert "выполнен шаг «Спросить ответственных за смежные сервисы» (Диагностика)" in \
        log.decode()
