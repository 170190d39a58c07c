"""What an admin gets wrong on the first day is answered in one line naming the file, the key
and the fix — never a traceback, and a read never creates a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.cli import main
from connector.config import OpsConfig
from connector.errors import ConfigError
from connector.metrics import clear_multiprocess_dir
from connector.starter import init_dir


@pytest.fixture
def config(tmp_path: Path) -> Path:
    init_dir(tmp_path / "x", tmp_path / "data")
    return tmp_path / "x" / "config.yml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip()


@pytest.mark.parametrize("command", [["outbox", "list"], ["inbox", "show", "1"], ["failed"]])
def test_a_read_on_a_store_never_started_says_to_upgrade_and_creates_nothing(
        capsys: pytest.CaptureFixture[str], config: Path, command: list[str]) -> None:
    code, err = run(capsys, *command, "--config", str(config))

    assert code == 1
    assert err.startswith(f"error: {config}: store.url: no store at ")
    assert "helpdesk-connector db-upgrade" in err
    assert not (config.parent / "data" / "helpdesk-connector.db").exists()


def test_a_store_without_its_schema_says_to_upgrade(
        capsys: pytest.CaptureFixture[str], config: Path) -> None:
    (config.parent.parent / "data").mkdir()  # init's data dir
    (config.parent.parent / "data" / "helpdesk-connector.db").touch()

    code, err = run(capsys, "outbox", "list", "--config", str(config))

    assert (code, err) == (1, f"error: {config}: store.url: the store has no schema yet — run "
                              "`helpdesk-connector db-upgrade`")


def test_an_empty_ticket_filter_is_a_usage_error(
        capsys: pytest.CaptureFixture[str], config: Path) -> None:
    assert main(["db-upgrade", "--config", str(config)]) == 0
    code, err = run(capsys, "outbox", "list", "--ticket", "", "--config", str(config))
    assert code == 2 and err == "error: ticket must be 1 to 255 characters, e.g. gitlab:1#23"


@pytest.mark.parametrize(("text", "expected"), [
    ("store:\n\turl: x\n", "line 2, column 1: invalid YAML: found character '\\t' that cannot "
                           "start any token — fix the syntax (indent with spaces, not tabs)"),
    ("store:\n  url: bogus://x\n", "store.url: Value error, write sqlite:///path/to/file.db or "
                                   "postgresql+psycopg://user:password@host/database"),
])
def test_a_broken_config_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     text: str, expected: str) -> None:
    path = tmp_path / "config.yml"
    path.write_text(text, encoding="utf-8")
    code, err = run(capsys, "check-config", str(path))
    assert code == 1 and err.startswith(f"error: {path}: {expected}") and "\n" not in err


def test_a_directory_given_as_the_config(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    code, err = run(capsys, "check-config", str(tmp_path))
    assert code == 1 and "a directory, not a file — name the YAML file itself" in err


def test_several_workers_need_a_shared_metrics_directory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    clear_multiprocess_dir(1)  # one worker: nothing to share
    with pytest.raises(ConfigError, match="PROMETHEUS_MULTIPROC_DIR: not set, with 2 gunicorn"):
        clear_multiprocess_dir(2)


@pytest.mark.parametrize(("token", "enabled"), [("", False), ("x" * 16, True)])
def test_an_empty_ops_token_turns_the_ops_view_off(token: str, enabled: bool) -> None:
    assert OpsConfig.model_validate({"token": token}).enabled is enabled


def test_a_short_ops_token_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 characters"):
        OpsConfig.model_validate({"token": "short"})
