"""The stage's checklist on the status message (EMIAS's mandatory steps): the duty engineer
ticks a step by its button, the tick goes on the timeline and the status shows ☑; with
`steps_required: true` the outage moves on only once every step is ticked; a step marked
`required` (Belarus §4.3.2's priorities 1–3) must be ticked before its stage is left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.mappings import load_mappings
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import DUTY, L1, OWNER, REPO, Outage, belarus_world
from tests.test_outage_closing import conclude

# Belarus §4.3.2: «1 – сохранность данных; 2 – восстановление работоспособности АИС ЭР;
# 3 – определение причины аварии» — (priority, the stage's step, how the stage is reached by
# `go` presses, the press that leaves it).
PRIORITIES = [
    (1, "diagnosing", "Проверить сохранность данных (приоритет 1, п. 4.3)", [1], 2),
    (2, "fixing", "Восстановить работу сервиса (приоритет 2, п. 4.3)", [1, 2], 3),
    (3, "restored", "Найти причину (приоритет 3, п. 4.3)", [1, 3], 4),
]


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


@pytest.fixture
def shipped(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
            standin_slack: StandInSlack) -> Iterator[Outage]:
    """The shipped Belarus mapping as it is, its required steps kept."""
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               required_steps=True))
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


@pytest.mark.parametrize(("priority", "stage", "step", "path", "leave"), PRIORITIES)
def test_belarus_section_4_3_2_priorities_are_required_steps_in_the_shipped_mapping(
        priority: int, stage: str, step: str, path: list[int], leave: int) -> None:
    outage = load_mappings(REPO / "mappings").get("belarus-ehr").outage
    assert outage is not None
    found = outage.stage(stage)
    required = [s.text for i, s in enumerate(found.steps) if found.required(i)]
    assert required == [step]
    assert f"приоритет {priority}" in step


def tick(world: Outage, text: str, user: str = DUTY) -> None:
    world.press_on(world.status(), step_buttons(world)[f"☐ {text}"], user)


@pytest.mark.parametrize(("priority", "stage", "step", "path", "leave"), PRIORITIES)
def test_a_stage_is_not_left_before_its_section_4_3_2_step_is_ticked(
        shipped: Outage, priority: int, stage: str, step: str, path: list[int],
        leave: int) -> None:
    shipped.declare()
    for index in path:
        for earlier in PRIORITIES:
            if earlier[2] in "".join(step_buttons(shipped)) and earlier[2] != step:
                tick(shipped, earlier[2])
        shipped.press(index, OWNER)
    if stage == "restored":
        conclude(shipped)  # Заключение needs it too: only the step is missing now
    assert f"☐ {step} — обязательно" in shipped.status()["text"]

    shipped.press(leave, OWNER)  # refused: the required step is not ticked
    moves = [s for k, _, s in shipped.timeline() if k == "stage"]
    assert moves[-1] == stage
    tick(shipped, step)
    assert f"☑ {step}\n" in shipped.status()["text"] + "\n"
    shipped.press(leave, OWNER)  # the other steps of the stage are not required

    assert [s for k, _, s in shipped.timeline() if k == "stage"][-1] != stage
