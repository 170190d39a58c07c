"""The admin's second day: a directory `init` made with the previous release — its config, its
copy of the mappings, its store — upgraded to this checkout keeps working. check-config exits 0
naming each text the copy lacks, db-upgrade names the revisions, and the connector starts and
acts on a webhook.

The previous release is the newest `vX.Y.Z` tag older than this version; until one exists, the
commit before the last change to the shipped templates. Its code runs from a `git archive` of
that commit with this checkout's dependencies (`python -m connector.cli` from the tree)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector import __version__
from connector.cli import main
from connector.config import load_config
from connector.starter import shipped_mappings
from connector.store import outbox
from tests.conftest import REPO, issue_hook
from tests.drive import post_hook, run_until_idle
from webhooks.app import create_app

pytestmark = pytest.mark.slow

TEMPLATES = "mappings/templates.yml"
TREE = ("connector", "mappings", "plugins", "webhooks")  # what `init` and `db-upgrade` import


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True,
                          text=True, timeout=120).stdout.strip()


def _version(tag: str) -> tuple[int, ...]:
    return tuple(int(n) for n in tag[1:].split("."))


def previous_release() -> str:
    """The newest release tag before this version, else the commit before the last change to
    the shipped templates."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        if os.environ.get("CI"):
            pytest.fail("the upgrade test needs a git checkout with git (CI clones one)")
        pytest.skip("not a git checkout: no previous release to upgrade from")
    tags = [t for t in _git("tag", "--list", "v*").split() if re.fullmatch(r"v\d+\.\d+\.\d+", t)
            and _version(t) < _version(f"v{__version__}")]
    if tags:
        return max(tags, key=_version)
    last = _git("log", "-n", "1", "--no-merges", "--format=%H", "--", TEMPLATES)
    assert last, f"no commit changed {TEMPLATES}: a shallow clone? (git fetch --unshallow)"
    return _git("rev-parse", f"{last}^")


def _unpack(ref: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref, *TREE],
                             check=True, capture_output=True, timeout=120).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="tar")
    return into


def _old(tree: Path, *args: str) -> str:
    """A command of the previous release: its code first on sys.path, this venv's packages."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    done = subprocess.run([sys.executable, "-m", "connector.cli", *args], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _texts(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def test_an_init_directory_of_the_previous_release_upgrades_and_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _unpack(previous_release(), tmp_path / "old")
    etc = tmp_path / "etc"
    _old(old, "init", str(etc))
    config_file = etc / "config.yml"
    _old(old, "db-upgrade", "--config", str(config_file))
    copied, now = _texts(etc / TEMPLATES), _texts(shipped_mappings() / "templates.yml")
    assert copied == _texts(old / TEMPLATES)  # the old release's own copy
    lacking = [f"{lang}.{tid}" for lang in ("ru", "en") for tid in now[lang]
               if tid not in copied[lang]]
    capsys.readouterr()

    assert main(["check-config", str(config_file)]) == 0  # the upgrade: this checkout's code

    out, err = capsys.readouterr()
    assert out.startswith("ok: ")
    named = re.findall(r"^warning: .*/mappings/templates\.yml: (\S+): missing from your copy",
                       err, re.MULTILINE)
    assert set(lacking) <= set(named)
    assert not [line for line in err.splitlines() if line.startswith("error")]

    assert main(["db-upgrade", "--config", str(config_file)]) == 0
    said = capsys.readouterr().out
    assert re.fullmatch(r"store (upgraded from revision \d{4} to|already at) revision \d{4}.*\n",
                        said), said

    raw = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    raw["trackers"]["gitlab"]["projects"] = [{"id": 1, "mapping": "belarus-ehr"}]
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    app = create_app(str(config_file), start_worker=False, setup_logs=False)
    connector = app.extensions["helpdesk_connector"].connector
    secret = load_config(config_file).trackers.gitlab
    assert secret is not None

    answer = post_hook(app.test_client(), issue_hook("Priority: High", "Priority: Low"),
                       token=secret.webhook_secret.get_secret_value())

    assert answer.status_code == 200, answer.get_data(as_text=True)
    run_until_idle(connector)
    with connector.engine.connect() as conn:
        assert outbox.count_by_status(conn).get("dry_run", 0) >= 1  # the conflict's note
    connector.engine.dispose()
