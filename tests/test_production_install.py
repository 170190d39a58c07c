"""The admin's first day, as docs/install.md does it: a fresh venv, a real
(non-editable) `pip install`, `helpdesk-connector init DIR` and `run` from a directory outside
the checkout, and GET /healthz answers 200.

Offline and quick: the checkout is copied (so building leaves nothing in it), the new venv
borrows the test venv's dependencies through a .pth line (a plain path: the editable install's
own .pth files there are not processed), and pip builds with --no-build-isolation --no-deps."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO
from tests.processes import free_port

pytestmark = pytest.mark.slow

SLOW = 600  # seconds a step may take on a busy 2-core machine
NOT_SHIPPED = (".git", ".venv", "tests", "bench", "build", "dist", "var", "*.egg-info",
               "__pycache__", ".*_cache", "*.db", "*.db-*")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv with the package installed from a copy of the checkout."""
    if importlib.util.find_spec("wheel") is None:
        pytest.fail("building without isolation needs `wheel`: pip install -e '.[test]'")
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=SLOW)
    python = venv / "bin" / "python"
    purelib = Path(_out([str(python), "-c", "import sysconfig; print(sysconfig.get_path"
                                            "('purelib'))"], root))
    (purelib / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _out([str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
          "--disable-pip-version-check", "-q", str(source)], root)
    shutil.rmtree(source)  # nothing of the checkout is left to fall back on
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory outside the checkout."""
    (cwd := tmp_path / "cwd").mkdir()
    return cwd


def test_the_package_is_installed_not_borrowed_from_the_checkout(
    installed: Path, elsewhere: Path
) -> None:
    code = "import connector.starter as s; print(s.__file__); print(s.shipped_mappings())"
    module, mappings = _out([str(installed / "python"), "-c", code], elsewhere).splitlines()
    assert Path(module).is_relative_to(installed.parent), module
    assert Path(mappings).is_relative_to(installed.parent), mappings
    assert sorted(p.name for p in Path(mappings).glob("*.yml")) == sorted(
        p.name for p in (REPO / "mappings").glob("*.yml"))


def test_init_then_run_serves_healthz(installed: Path, elsewhere: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HDC_DATA_DIR", str(tmp_path / "data"))  # as root: not /var/lib here
    hdc = str(installed / "helpdesk-connector")
    target = tmp_path / "helpdesk-connector"
    config = target / "config.yml"
    _out([hdc, "init", str(target)], elsewhere)
    assert _out([hdc, "check-config", "--config", str(config)], elsewhere).startswith("ok: ")

    port = free_port()
    run = _Running([hdc, "run", "--config", str(config), "--port", str(port)], elsewhere,
                   tmp_path / "run.log")
    with run:
        _wait_healthy(f"http://127.0.0.1:{port}/healthz", run)

    text = run.output()
    assert "Traceback" not in text, text
    assert (tmp_path / "data" / "helpdesk-connector.db").is_file()  # the data dir, not DIR


def _env() -> dict[str, str]:
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "HELPDESK_CONNECTOR_CONFIG", "PYTHONHOME")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _out(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=SLOW)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout.strip()


class _Running:
    """A process in its own session, logged to a file, SIGTERMed on exit (exit code 0)."""

    def __init__(self, args: list[str], cwd: Path, log: Path) -> None:
        self.args, self.cwd, self.log = args, cwd, log

    def __enter__(self) -> _Running:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(self.args, cwd=self.cwd, env=_env(), stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            code = self.proc.wait(SLOW / 4)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)
            raise AssertionError(f"no clean stop: {self.output()}") from None
        if exc == (None, None, None):
            assert code == 0, self.output()


def _wait_healthy(url: str, run: _Running) -> None:
    """Until /healthz answers 200: refused connections and timeouts both mean "not yet"."""
    deadline = time.monotonic() + SLOW
    while time.monotonic() < deadline:
        assert run.proc.poll() is None, f"exited: {run.output()}"
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never answered 200: {run.output()}")

