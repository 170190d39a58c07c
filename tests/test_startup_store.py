"""`run` and `worker` open and migrate the store before anything forks: a store that cannot be
used stops the start with one line naming the path or host and the cause, exit 1, no traceback
(not a 38-line traceback and "Worker failed to boot")."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from connector.config import DEFAULT_CONFIG_ENV
from tests.pgserver import DedicatedPostgres, PostgresUnavailable
from tests.processes import REPO, free_port

COMMANDS = ["run", "worker", "gunicorn"]


def start(config: Path, command: str) -> subprocess.CompletedProcess[str]:
    """The command as an admin starts it; it must stop by itself, the store being unusable.
    `gunicorn`: plain gunicorn with the connector's settings, as docs/operations.md runs it."""
    env = {**os.environ, DEFAULT_CONFIG_ENV: str(config)}
    args = [sys.executable, "-m", "connector.cli", command, "--config", str(config)]
    if command == "run":
        args += ["--port", str(free_port())]
    if command == "gunicorn":
        args = [sys.executable, "-m", "gunicorn", "-c", "python:webhooks.gunicorn_conf",
                "-w", "1", "-b", f"127.0.0.1:{free_port()}", "webhooks.app:create_app()"]
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def one_error(done: subprocess.CompletedProcess[str]) -> str:
    """The start failed with exit 1 and exactly one error line (a summary may come before)."""
    said = done.stdout + done.stderr
    assert "Traceback" not in said and "Worker failed to boot" not in said, said
    assert done.returncode == 1, said
    [line] = [line for line in said.splitlines() if line.startswith("error:")]
    return line


def file_as_parent(tmp: Path) -> tuple[Path, str]:
    (tmp / "afile").write_text("not a directory", encoding="utf-8")
    return tmp / "afile" / "data" / "hdc.db", "Not a directory"


def read_only_parent(tmp: Path) -> tuple[Path, str]:
    if os.geteuid() == 0:
        pytest.skip("root writes any directory; the other cases fail for root too")
    (tmp / "ro").mkdir(mode=0o500)
    return tmp / "ro" / "hdc.db", "permission denied"


def read_only_file(tmp: Path) -> tuple[Path, str]:
    if os.geteuid() == 0:
        pytest.skip("root writes any file; the other cases fail for root too")
    (tmp / "hdc.db").write_bytes(b"")
    (tmp / "hdc.db").chmod(0o400)
    return tmp / "hdc.db", "permission denied"


def uncreatable_directory(tmp: Path) -> tuple[Path, str]:
    return Path("/proc/hdc-connector-test/hdc.db"), "No such file or directory"


def unopenable_file(tmp: Path) -> tuple[Path, str]:
    return Path("/proc/hdc-connector-test.db"), "cannot"  # /proc takes no new file, even root's


SQLITE_CASES = [file_as_parent, read_only_parent, read_only_file, uncreatable_directory,
                unopenable_file]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", SQLITE_CASES, ids=lambda f: f.__name__)
def test_an_unusable_sqlite_store_is_one_line_naming_the_path(
    case: Callable[[Path], tuple[Path, str]], command: str, tmp_path: Path,
    write_config: Callable[..., Path],
) -> None:
    database, cause = case(tmp_path)

    line = one_error(start(write_config(f"sqlite:///{database}"), command))

    assert str(database.parent) in line and cause.lower() in line.lower()


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unreachable_postgresql_is_one_line_naming_the_host(
    command: str, write_config: Callable[..., Path]
) -> None:
    port = free_port()  # nobody listens there
    url = f"postgresql+psycopg://connector:secret-pw@127.0.0.1:{port}/helpdesk_connector"

    line = one_error(start(write_config(url), command))

    assert line.startswith(f"error: store: cannot reach PostgreSQL at 127.0.0.1:{port} "
                           "(connection refused)")
    assert "secret-pw" not in line


@pytest.fixture(scope="module")
def password_postgres() -> Iterator[str]:
    """A PostgreSQL of the test's own that asks TCP clients for a password (the throwaway one
    trusts everyone): its URL for the user `app` with the password `right`."""
    try:
        server = DedicatedPostgres()
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL here: {exc}")
    try:
        admin = sa.create_engine(server.url, poolclass=NullPool)
        with admin.begin() as conn:
            conn.execute(sa.text("CREATE ROLE app LOGIN PASSWORD 'right'"))
            hba = conn.execute(sa.text("SHOW hba_file")).scalar_one()
        admin.dispose()
        Path(hba).write_text("local all all trust\n"
                             "host all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8")
        server._pg_ctl("reload")
        yield make_url(server.url).set(username="app", password="right").render_as_string(
            hide_password=False)
    finally:
        server.stop()


@pytest.mark.postgres
@pytest.mark.parametrize("command", COMMANDS)
def test_a_wrong_postgresql_password_is_one_line(
    command: str, password_postgres: str, write_config: Callable[..., Path]
) -> None:
    url = make_url(password_postgres)

    line = one_error(start(write_config(
        url.set(password="wrong").render_as_string(hide_password=False)), command))

    assert line == (f"error: store: PostgreSQL at {url.host}:{url.port} refused user app: "
                    "wrong password — check the password in store.url")


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_one_line(
    password_postgres: str, write_config: Callable[..., Path]
) -> None:
    url = make_url(password_postgres)

    line = one_error(start(write_config(
        url.set(database="no_such_db").render_as_string(hide_password=False)), "worker"))

    assert line == (f"error: store: PostgreSQL at {url.host}:{url.port} has no database "
                    "no_such_db — create it (createdb -O app no_such_db) or correct store.url")
