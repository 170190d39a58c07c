"""The one YAML config: `${ENV}` interpolation, strict keys, and errors that name file, key, fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from connector.assembly import check_config
from connector.config import Config, load_config
from connector.errors import ConfigError
from connector.starter import shipped_mappings
from tests.conftest import REPO

GITLAB = """
trackers:
  gitlab:
    token: {token}
    webhook_secret: {secret}
    projects:
      - id: 1
        mapping: belarus-ehr
"""


def write(tmp_path: Path, text: str, name: str = "config.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    return "\n".join(exc.value.problems)


def test_env_variables_are_interpolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HDC_T_TOKEN", "glpat-123")
    monkeypatch.setenv("HDC_T_SECRET", "s3cret")
    path = write(tmp_path, GITLAB.format(token="${HDC_T_TOKEN}", secret="pre-${HDC_T_SECRET}"))

    gl = load_config(path).trackers.gitlab

    assert gl is not None
    assert gl.token.get_secret_value() == "glpat-123"
    assert gl.webhook_secret.get_secret_value() == "pre-s3cret"


def test_default_is_used_when_variable_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HDC_T_TOKEN", raising=False)
    monkeypatch.setenv("HDC_T_SECRET", "from-env")
    path = write(tmp_path, GITLAB.format(token="${HDC_T_TOKEN:-}",
                                         secret="${HDC_T_SECRET:-unused}"))

    gl = load_config(path).trackers.gitlab

    assert gl is not None
    assert gl.token.get_secret_value() == ""
    assert gl.dry_run
    assert gl.webhook_secret.get_secret_value() == "from-env"


def test_missing_variable_names_file_key_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HDC_T_TOKEN", raising=False)
    path = write(tmp_path, GITLAB.format(token="${HDC_T_TOKEN}", secret="s"))

    with pytest.raises(ConfigError) as exc:
        load_config(path)

    [problem] = exc.value.problems
    assert problem.startswith(f"{path}: trackers.gitlab.token: ")
    assert "HDC_T_TOKEN is not set" in problem
    assert "export HDC_T_TOKEN" in problem


def test_unknown_key_names_file_key_and_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path, """
        trackers:
          gitlab:
            tokn: abc
            webhook_secret: s
        """)

    with pytest.raises(ConfigError) as exc:
        load_config(path)

    [problem] = exc.value.problems
    assert problem.startswith(f"{path}: trackers.gitlab.tokn: unknown key")
    assert "token" in problem.split("use one of:")[1]
    assert "webhook_secret" in problem


def test_unknown_key_in_a_list_item_names_its_index(tmp_path: Path) -> None:
    path = write(tmp_path, """
        trackers:
          gitlab:
            webhook_secret: s
            projects:
              - id: 1
                mapping: belarus-ehr
              - id: 2
                maping: belarus-ehr
        """)

    with pytest.raises(ConfigError) as exc:
        load_config(path)

    text = problems_of(exc)
    assert f"{path}: trackers.gitlab.projects[1].maping: unknown key" in text
    assert "use one of: id, mapping" in text


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        pytest.param("worker:\n  batch_size: many\n", "worker.batch_size", id="not a number"),
        pytest.param("worker:\n  batch_size: 0\n", "worker.batch_size", id="out of range"),
        pytest.param("language: de\n", "language", id="not a choice"),
        pytest.param("roles: [a, b]\n", "roles", id="list instead of mapping"),
        pytest.param("trackers:\n  gitlab: {}\n", "trackers.gitlab.webhook_secret",
                     id="required key missing"),
        pytest.param("alerts:\n  token: t\n  project: 1\n  alertmanager:\n"
                     "    url: alertmanager:9093\n", "alerts.alertmanager.url",
                     id="Alertmanager without a scheme"),
    ],
)
def test_wrong_value_names_file_and_key(tmp_path: Path, yaml_text: str, key: str) -> None:
    path = write(tmp_path, yaml_text)

    with pytest.raises(ConfigError) as exc:
        load_config(path)

    assert problems_of(exc).startswith(f"{path}: {key}: ")


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "store:\n  url: sqlite:///x.db\nroles: [unclosed\nlanguage: ru\n")

    with pytest.raises(ConfigError) as exc:
        load_config(path)

    text = problems_of(exc)
    assert text.startswith(f"{path}: line ")
    assert "invalid YAML" in text


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yml")


def test_relative_paths_follow_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, "store:\n  url: sqlite:///data/hdc.db\nmappings_dir: maps\n")
    config = load_config(path)
    assert config.store.url == f"sqlite:///{tmp_path.resolve()}/data/hdc.db"
    assert config.mappings_dir == tmp_path.resolve() / "maps"


def test_the_default_store_is_in_a_data_dir_next_to_the_config(tmp_path: Path) -> None:
    (etc := tmp_path / "etc").mkdir()
    config = load_config(write(etc, "language: en\n"))
    assert config.store.url == f"sqlite:///{etc.resolve()}/data/helpdesk-connector.db"


def test_a_relative_store_keeps_the_other_store_keys(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "store:\n  url: sqlite:///d/x.db\n"
                                         "  sqlite_synchronous: NORMAL\n"))
    assert config.store.sqlite_synchronous == "NORMAL"


def test_without_mappings_dir_the_shipped_mappings_are_used(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "language: en\n"))
    assert config.mappings_dir == shipped_mappings()
    assert {p.name for p in config.mappings_dir.glob("*.yml")} == {
        p.name for p in (REPO / "mappings").glob("*.yml")}


# --- cross-checks against the mappings -------------------------------------------------------


def checked_config(tmp_path: Path, body: str) -> Path:
    return write(tmp_path, f"mappings_dir: {REPO / 'mappings'}\n" + textwrap.dedent(body))


def test_unknown_mapping_name_is_reported_with_its_key(tmp_path: Path) -> None:
    path = checked_config(tmp_path, """
        roles: {infrastructure_owner: a, new_client_owner: b, head_of_support: c}
        trackers:
          gitlab:
            webhook_secret: s
            projects:
              - id: 1
                mapping: belarus
        """)

    with pytest.raises(ConfigError) as exc:
        check_config(load_config(path))

    [problem] = exc.value.problems
    assert problem.startswith(f"{path}: trackers.gitlab.projects[0].mapping: ")
    assert "'belarus'" in problem
    assert "belarus-ehr" in problem and "sevastopol-miac" in problem


def test_role_the_mapping_needs_must_be_configured(tmp_path: Path) -> None:
    path = checked_config(tmp_path, """
        roles: {new_client_owner: b, head_of_support: c}
        trackers:
          gitlab:
            webhook_secret: s
            default_mapping: belarus-ehr
        """)

    with pytest.raises(ConfigError) as exc:
        check_config(load_config(path))

    [problem] = exc.value.problems
    assert problem.startswith(f"{path}: roles.infrastructure_owner: ")
    assert "belarus-ehr" in problem


def test_chat_channels_the_rules_and_alerts_use_must_exist(tmp_path: Path) -> None:
    path = checked_config(tmp_path, """
        roles: {infrastructure_owner: a, new_client_owner: b, head_of_support: c}
        trackers:
          gitlab: {webhook_secret: s, default_mapping: belarus-ehr}
        chats:
          slack: {signing_secret: x, channels: {alerts: C1}}
        alerts: {token: t, project: 1, channel: monitoring}
        """)

    with pytest.raises(ConfigError) as exc:
        check_config(load_config(path))

    assert exc.value.problems == [
        f"{path}: chats.*.channels.monitoring: alerts.channel posts to channel 'monitoring', "
        "but no chat defines it — add `monitoring: <channel id>` under a chat's channels",
        f"{path}: chats.*.channels.l2: mapping belarus-ehr posts to channel 'l2', but no chat "
        "defines it — add `l2: <channel id>` under a chat's channels",
    ]


def test_shipped_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HDC_STORE_URL", "GITLAB_TOKEN", "GITLAB_WEBHOOK_SECRET", "HDC_INFRA_OWNER"):
        monkeypatch.delenv(name, raising=False)

    config = load_config(REPO / "config.example.yml")
    mappings = check_config(config)

    assert config.language == "ru"
    assert config.roles["infrastructure_owner"] == "infra-head"
    assert config.trackers.gitlab is not None
    assert config.trackers.gitlab.mapping_for("1") == "belarus-ehr"
    assert {"belarus-ehr", "sevastopol-miac"} <= set(mappings.by_name)


def test_secrets_never_show_in_repr_or_str(tmp_path: Path) -> None:
    path = write(tmp_path, GITLAB.format(token="glpat-SeCrEtToKeN", secret="HoOkSeCrEt"))
    config = load_config(path)

    for text in (repr(config), str(config), repr(config.trackers), str(config.trackers.gitlab)):
        assert "glpat-SeCrEtToKeN" not in text
        assert "HoOkSeCrEt" not in text
    assert set(config.secrets()) == {"glpat-SeCrEtToKeN", "HoOkSeCrEt"}


def test_config_is_immutable() -> None:
    config = Config.model_validate({})
    with pytest.raises(ValueError, match="frozen"):
        config.language = "en"  # type: ignore[misc]
