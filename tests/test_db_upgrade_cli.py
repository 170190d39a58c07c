"""`db-upgrade` says what it did: from which schema revision to which, or that the store was
already at the newest — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig

from connector.cli import main
from connector.store.db import MIGRATIONS, make_engine

# The newest migration, by its file's number (0013_alert_groups.py → 0013).
NEWEST = max(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def _migrate_to(db_url: str, revision: str) -> None:
    """The store as an older release left it."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with make_engine(db_url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@pytest.mark.parametrize(("before", "said"), [
    (None, f"store upgraded from an empty database to revision {NEWEST}"),
    ("0010", f"store upgraded from revision 0010 to revision {NEWEST}"),
    (NEWEST, f"store already at revision {NEWEST}, the newest: nothing to do"),
])
def test_db_upgrade_names_the_revisions(
    db_url: str, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    before: str | None, said: str,
) -> None:
    config = write_config(db_url)
    if before is not None:
        _migrate_to(db_url, before)
    capsys.readouterr()

    assert main(["db-upgrade", "--config", str(config)]) == 0

    assert capsys.readouterr().out == said + "\n"
