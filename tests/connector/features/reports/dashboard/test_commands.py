"""`helpdesk-connector users add NAME --password-stdin` keeps a slow hash of the password (never
the password), refuses an empty password and a name taken, in one line; `list` and `remove`."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from connector.cli import main
from tests.dashboard import dashboard_data

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Run:
    """`helpdesk-connector users ARGS` on a SQLite store, `stdin` fed: (code, out, err)."""
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump(dashboard_data(f"sqlite:///{tmp_path}/hdc.db")),
                      encoding="utf-8")

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["users", *args, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def stored(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "hdc.db") as db:
        return list(db.execute("SELECT name, password_hash FROM dashboard_users ORDER BY name"))


def test_a_user_is_kept_with_a_slow_hash_never_the_password(users: Run, tmp_path: Path) -> None:
    code, out, err = users("add", "head", "--password-stdin", stdin="correct horse battery\n")
    assert (code, err) == (0, "")
    assert out == "head: added; the dashboard is at /dashboard\n"
    [(name, hashed)] = stored(tmp_path)
    assert name == "head" and hashed.startswith("scrypt$")
    assert "correct horse" not in hashed
    with sqlite3.connect(tmp_path / "hdc.db") as db:
        dump = "\n".join(db.iterdump())
    assert "correct horse" not in dump


@pytest.mark.parametrize(("args", "stdin", "said"), [
    (("add", "head", "--password-stdin"), "\n", "error: the password is empty\n"),
    (("add", "head", "--password-stdin"), "", "error: the password is empty\n"),
    (("add", "head", "--password-stdin"), "short\n",
     "error: a password has at least 8 characters\n"),
    (("add", "the head", "--password-stdin"), "correct horse battery\n",
     "error: 'the head': a user name is 1 to 64 characters, no spaces, no ':'\n"),
    (("add", "a:b", "--password-stdin"), "correct horse battery\n",
     "error: 'a:b': a user name is 1 to 64 characters, no spaces, no ':'\n"),
    (("remove", "nobody"), "", "error: no user named 'nobody' (see `users list`)\n"),
])
def test_what_cannot_be_kept_is_refused_in_one_line(users: Run, tmp_path: Path,
                                                    args: tuple[str, ...], stdin: str,
                                                    said: str) -> None:
    assert users(*args, stdin=stdin) == (1, "", said)


def test_a_name_taken_is_refused_and_its_password_kept(users: Run, tmp_path: Path) -> None:
    users("add", "head", "--password-stdin", stdin="correct horse battery\n")
    before = stored(tmp_path)
    code, out, err = users("add", "head", "--password-stdin", stdin="another password\n")
    assert (code, out) == (1, "")
    assert err == ("error: 'head': there is a user of this name already "
                   "(--replace sets a new password)\n")
    assert stored(tmp_path) == before


def test_replace_sets_a_new_password(users: Run, tmp_path: Path) -> None:
    users("add", "head", "--password-stdin", stdin="correct horse battery\n")
    before = stored(tmp_path)
    code, out, _ = users("add", "head", "--replace", "--password-stdin",
                         stdin="another password\n")
    assert (code, out) == (0, "head: password changed; the dashboard is at /dashboard\n")
    assert stored(tmp_path) != before


def test_users_are_listed_and_removed(users: Run, tmp_path: Path) -> None:
    assert users("list")[1] == "no users: the dashboard is off (add one with `users add NAME`)\n"
    users("add", "head", "--password-stdin", stdin="correct horse battery\n")
    users("add", "deputy", "--password-stdin", stdin="correct horse battery\n")
    listed = users("list")[1].splitlines()
    assert [line.split("\t")[0] for line in listed] == ["deputy", "head"]
    assert users("remove", "deputy") == (0, "deputy: removed\n", "")
    assert [name for name, _ in stored(tmp_path)] == ["head"]
