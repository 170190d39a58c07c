"""`helpdesk-connector init DIR`: a config and mappings an admin can edit, never an overwrite."""

from __future__ import annotations

import filecmp
import stat
from pathlib import Path

import pytest
import yaml

from connector.assembly import check_config
from connector.cli import main
from connector.config import load_config
from connector.starter import DATA_DIR_ENV, default_data_dir, shipped_mappings
from tests.conftest import REPO

SHIPPED = sorted(p.name for p in (REPO / "mappings").glob("*.yml"))


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where these tests' init puts the store without --data-dir (never /var/lib here)."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "platform-data"))
    return tmp_path / "platform-data"


@pytest.mark.parametrize(("environ", "euid", "found"), [
    ({DATA_DIR_ENV: "/srv/hdc", "XDG_DATA_HOME": "/x", "HOME": "/home/a"}, 0, "/srv/hdc"),
    ({DATA_DIR_ENV: "/srv/hdc", "HOME": "/home/a"}, 1000, "/srv/hdc"),
    ({"HOME": "/root", "XDG_DATA_HOME": "/x"}, 0, "/var/lib/helpdesk-connector"),
    ({"HOME": "/home/a", "XDG_DATA_HOME": "/x/share"}, 1000, "/x/share/helpdesk-connector"),
    ({"HOME": "/home/a"}, 1000, "/home/a/.local/share/helpdesk-connector"),
    ({"HOME": "/home/a", DATA_DIR_ENV: ""}, 1000, "/home/a/.local/share/helpdesk-connector"),
])
def test_the_store_goes_to_the_platforms_data_directory(
    environ: dict[str, str], euid: int, found: str
) -> None:
    assert default_data_dir(environ, euid) == Path(found)


def test_the_shipped_mappings_are_the_checkouts() -> None:
    assert sorted(p.name for p in shipped_mappings().glob("*.yml")) == SHIPPED
    assert not filecmp.dircmp(shipped_mappings(), REPO / "mappings").diff_files


def test_init_writes_a_config_and_mappings_check_config_accepts(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "etc" / "helpdesk-connector"

    assert main(["init", str(target)]) == 0

    assert f"wrote {target / 'config.yml'}" in capsys.readouterr().out
    assert sorted(p.name for p in (target / "mappings").iterdir()) == SHIPPED
    config = load_config(target / "config.yml")
    assert config.mappings_dir == target.resolve() / "mappings"
    assert config.store.url == f"sqlite:///{data_dir.resolve()}/helpdesk-connector.db"
    assert str(target) not in config.store.url  # never inside DIR
    assert sorted(check_config(config).by_name) == ["belarus-ehr", "sevastopol-miac"]
    assert stat.S_IMODE((target / "config.yml").stat().st_mode) == 0o600  # holds a secret


def test_each_init_generates_its_own_webhook_secret(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "a")]) == main(["init", str(tmp_path / "b")]) == 0
    gitlab = [load_config(tmp_path / d / "config.yml").trackers.gitlab for d in "ab"]
    secrets = {g.webhook_secret.get_secret_value() for g in gitlab if g is not None}
    assert len(secrets) == 2 and all(len(s) >= 24 for s in secrets)


def test_init_with_a_data_dir_puts_the_store_there(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "etc"), "--data-dir", str(tmp_path / "var")]) == 0
    raw = yaml.safe_load((tmp_path / "etc" / "config.yml").read_text(encoding="utf-8"))
    assert raw["store"]["url"] == f"sqlite:///{tmp_path.resolve()}/var/helpdesk-connector.db"


@pytest.mark.parametrize("existing", ["config.yml", "mappings"])
def test_init_never_overwrites(
    tmp_path: Path, existing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if existing == "config.yml":
        (tmp_path / "config.yml").write_text("mine\n", encoding="utf-8")
    else:
        (tmp_path / "mappings").mkdir()

    assert main(["init", str(tmp_path)]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"error: {tmp_path / existing}: already exists; init never overwrites — "
                    "move it away or run init on another directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]  # nothing else written
    if existing == "config.yml":
        assert (tmp_path / "config.yml").read_text(encoding="utf-8") == "mine\n"
