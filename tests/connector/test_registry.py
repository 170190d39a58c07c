"""Features plug into the spine through the registry: names are unique, old buttons still
reach their feature, and check-config insists on the texts a turned-on feature speaks with."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from connector import upgrades
from connector.assembly import build_registry, check_config
from connector.chat import button, button_data
from connector.config import load_config
from connector.errors import ConfigError
from connector.events import Action, ChatButton
from connector.features.templates import FEATURE_TEMPLATES
from connector.registry import Job, Registry, RegistryError
from tests.conftest import REPO


class Noop:
    def refusal(self, c: object, ev: ChatButton) -> str | None:
        return None

    def press(self, c: object, conn: object, ev: ChatButton) -> list[Action]:
        return []


def press(data: str) -> ChatButton:
    parsed = button_data(data)
    assert parsed is not None
    feature, action, value = parsed
    return ChatButton("slack", "C1", None, "1.0", "U1", "u", feature, action, value)


def test_two_features_cannot_claim_one_name() -> None:
    registry = Registry()
    registry.button("alerts", Noop())
    registry.source("alerts", lambda c, row: "done")
    registry.job(Job("poll", 60, lambda c: []))

    with pytest.raises(RegistryError, match="button namespace 'alerts'"):
        registry.button("alerts", Noop())
    with pytest.raises(RegistryError, match="inbox source 'alerts'"):
        registry.source("alerts", lambda c, row: "done")
    with pytest.raises(RegistryError, match="'poll'"):
        registry.job(Job("poll", 30, lambda c: []))


@pytest.mark.parametrize(("data", "feature", "action", "value"), [
    ("hdc:alerts:register:12:1", "alerts", "register", "12:1"),
    ("hdc:alerts:oneoff:12", "alerts", "oneoff", "12"),
    ("hdc:register:12:1", "alerts", "register", "12:1"),  # posted before namespaces
    ("hdc:oneoff:12", "alerts", "oneoff", "12"),
])
def test_a_press_reaches_the_feature_that_owns_the_button(
        data: str, feature: str, action: str, value: str) -> None:
    registry, handler = Registry(), Noop()
    registry.button("alerts", handler, legacy=("oneoff", "register", "accident"))

    found = registry.buttons_for(press(data))

    assert found is not None
    owner, ev = found
    assert owner is handler and (ev.feature, ev.action, ev.value) == (feature, action, value)


@pytest.mark.parametrize("data", ["hdc:outage:close:1", "hdc:12:1"])
def test_a_button_no_feature_owns_has_no_handler(data: str) -> None:
    registry = Registry()
    registry.button("alerts", Noop(), legacy=("oneoff",))

    assert registry.buttons_for(press(data)) is None


def test_button_data_fits_telegram() -> None:
    assert button("alerts", "register", 10**17, 9) == f"hdc:alerts:register:{10**17}:9"
    with pytest.raises(ValueError, match="64 bytes"):
        button("alerts", "register", "x" * 60)


def config_with_alerts(tmp_path: Path, mappings: Path) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(textwrap.dedent(f"""
        mappings_dir: {mappings}
        trackers:
          gitlab:
            webhook_secret: s3cret
            projects:
              - id: 1
                mapping: belarus-ehr
        chats:
          slack:
            signing_secret: s3cret
            channels:
              alerts: C0ALERTS
              l2: C0L2
        alerts:
          token: t0ken
          tracker: gitlab
          project: 1
    """), encoding="utf-8")
    return path


def test_alerts_register_only_when_configured(tmp_path: Path) -> None:
    with_alerts = load_config(config_with_alerts(tmp_path, REPO / "mappings"))
    without = with_alerts.model_copy(update={"alerts": None})

    assert "alerts" in build_registry(with_alerts).sources
    assert "alerts" not in build_registry(without).sources
    assert build_registry(without).default_reply is not None  # replies in ticket threads


def test_the_mappings_must_have_every_text_a_feature_speaks_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    monkeypatch.setattr(upgrades, "shipped_mappings", mappings.resolve)  # the shipped ones
    templates = yaml.safe_load((mappings / "templates.yml").read_text(encoding="utf-8"))
    for texts in templates.values():  # from every language: the file alone is consistent
        del texts["button_accident"]
    (mappings / "templates.yml").write_text(yaml.safe_dump(templates, allow_unicode=True),
                                            encoding="utf-8")

    with pytest.raises(ConfigError) as exc:
        check_config(load_config(config_with_alerts(tmp_path, mappings)))

    assert sorted(exc.value.problems) == [
        f"{mappings / 'templates.yml'}: {lang}.button_accident: template is missing — add the text"
        for lang in ("en", "ru")]
    assert "button_accident" in FEATURE_TEMPLATES
