"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for tests: started on a
free loopback port with a temporary config and storage, clustering off, waited for by its
/-/ready; skipped only where the binary is missing and CI is unset (.ci/run installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.processes import free_port

BINARY = "prometheus-alertmanager"


def binary() -> str:
    found = shutil.which(BINARY) or (f"/usr/bin/{BINARY}" if Path(f"/usr/bin/{BINARY}").exists()
                                     else None)
    if found is None:
        if os.environ.get("CI"):
            raise AssertionError(f"{BINARY} is missing: .ci/run installs it")
        pytest.skip(f"{BINARY} is not installed (apt-get install {BINARY})")
    return found


@contextmanager
def running(tmp: Path, webhook_url: str, token: str, *, port: int | None = None,
            storage: str = "am-data") -> Iterator[str]:
    """Alertmanager sending every group to `webhook_url` at once (short waits); its URL. A
    second one on the same `port` with another `storage` is the first restarted with its
    silences lost."""
    config: dict[str, Any] = {
        "route": {"receiver": "connector", "group_by": ["alertname", "service"],
                  "group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"},
        "receivers": [{"name": "connector", "webhook_configs": [{
            "url": webhook_url, "send_resolved": True,
            "http_config": {"authorization": {"type": "Bearer", "credentials": token}}}]}]}
    (tmp / "alertmanager.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp / "alertmanager.log").open("wb")
    proc = subprocess.Popen([
        binary(), f"--config.file={tmp / 'alertmanager.yml'}",
        f"--storage.path={tmp / storage}", f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=", f"--web.external-url={url}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _ready(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("alertmanager did not start: " +
                                     (tmp / "alertmanager.log").read_text(errors="replace"))
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/-/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False
