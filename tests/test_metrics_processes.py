"""/metrics across processes. Two gunicorn workers count into PROMETHEUS_MULTIPROC_DIR and every
scrape, whichever worker answers it, shows the same totals: both workers' counters summed,
the store read once, earlier runs' files cleared at start. In split mode the `worker` serves its
own counters on worker.metrics_port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from connector.config import DEFAULT_CONFIG_ENV, Config
from connector.metrics import MULTIPROC_ENV
from tests.conftest import REPO, WEBHOOK_SECRET, config_data, issue_hook
from tests.drive import post_hook
from tests.processes import free_port, wait_for
from tests.standins.gitlab import StandInGitLab
from webhooks.app import create_app

pytestmark = pytest.mark.slow
Scrape = dict[tuple[str, tuple[tuple[str, str], ...]], float]
LOW, HIGH = "Priority: Low", "Priority: High"
ISSUES = 200  # more than the test will need to deliver


def write_config(path: Path, store: str, gitlab: StandInGitLab, **worker: Any) -> Path:
    """Issues of project 1 under belarus-ehr by default, no reconciliation (only the test's
    webhooks make work, so the totals are known)."""
    data = config_data(store, gitlab, embedded=True, **worker)
    data["trackers"]["gitlab"].update(projects=[], default_mapping="belarus-ehr")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def scrape(url: str) -> Scrape:
    """Every sample of one scrape, on a connection of its own."""
    response = requests.get(f"{url}/metrics", timeout=30, headers={"Connection": "close"})
    assert response.status_code == 200, response.text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def total(sc: Scrape, name: str, **labels: str) -> float:
    return sc.get((name, tuple(sorted(labels.items()))), 0.0)


def counters(sc: Scrape) -> Scrape:
    """The samples the processes count (not the store depth)."""
    return {k: v for k, v in sc.items() if k[0].startswith(("hdc_events_", "hdc_actions_",
                                                            "hdc_action_latency_"))}


def pids_counting(shared: Path) -> set[str]:
    return {f.stem.rsplit("_", 1)[1] for f in shared.glob("counter_*.db")}


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture
def gitlab(standin_gitlab: StandInGitLab) -> StandInGitLab:
    for iid in range(1, ISSUES + 1):
        standin_gitlab.add_issue(1, iid, labels=[LOW, HIGH], assignee_ids=[51])
    return standin_gitlab


@pytest.fixture
def gunicorn(sqlite_url: str, gitlab: StandInGitLab, tmp_path: Path) -> Iterator[
        tuple[str, Path, Path]]:
    """`gunicorn -c python:webhooks.gunicorn_conf -k … -w 2` as docs/operations.md runs it;
    yields its URL, its multiprocess directory (holding a stale file of an earlier run at
    start) and log."""
    shared = tmp_path / "prometheus"
    env = {**os.environ, MULTIPROC_ENV: str(shared),
           DEFAULT_CONFIG_ENV: str(write_config(tmp_path / "config.yml", sqlite_url, gitlab))}
    earlier_run = ("from prometheus_client import Counter\n"
                   "Counter('hdc_events_received', '', ['source']).labels('gitlab').inc(1000)")
    shared.mkdir()
    subprocess.run([sys.executable, "-c", earlier_run], env=env, check=True, timeout=60)
    assert pids_counting(shared)
    port, log = free_port(), tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:webhooks.gunicorn_conf",
             "-k", "webhooks.server.JsonErrorWorker", "-w", "2", "--threads", "4",
             "-b", f"127.0.0.1:{port}", "webhooks.app:create_app()"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(url, proc, log), timeout=120, what="gunicorn to answer")
        # On a busy machine the second worker may still be importing while the first answers
        # every request: deliveries start once both have loaded the app and started its lanes.
        wait_for(lambda: log.read_text(errors="replace").count(" started: ") >= 2,
                 timeout=120, what="both gunicorn workers to start their lanes")
        yield url, shared, log
    finally:
        stop(proc)


def healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> bool:
    assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False  # not listening yet, or too busy to answer


def test_every_scrape_shows_the_same_totals_with_two_gunicorn_workers(
    gunicorn: tuple[str, Path, Path],
) -> None:
    url, shared, log = gunicorn
    sent = 0

    def deliver(iid: int) -> None:
        response = requests.post(f"{url}/webhooks/gitlab", json=issue_hook(LOW, HIGH, iid=iid),
                                 timeout=30, headers={
                                     "X-Gitlab-Event": "Issue Hook", "Connection": "close",
                                     "X-Gitlab-Token": WEBHOOK_SECRET,
                                     "Idempotency-Key": f"mp-{iid}"})
        assert response.json()["status"] == "accepted"

    # Deliver in concurrent batches, each on fresh connections, until both workers have
    # counted something (received a webhook or processed one).
    with ThreadPoolExecutor(8) as pool:
        while len(pids_counting(shared)) < 2:
            assert sent < ISSUES, f"one worker did everything: {log.read_text()[-3000:]}"
            list(pool.map(deliver, range(sent + 1, sent + 21)))
            sent += 20
            wait_for(lambda n=sent: total(scrape(url), "hdc_inbox_events", status="done") == n,
                     timeout=120, what="the inbox to be processed")
    wait_for(lambda: total(scrape(url), "hdc_outbox_actions", status="done") == 2 * sent,
             timeout=180, what="both actions of every event to be done")

    scrapes = [scrape(url) for _ in range(8)]

    first = counters(scrapes[0])
    assert all(counters(s) == first for s in scrapes[1:])
    assert all(s == scrapes[0] for s in scrapes[1:])  # the store gauges too
    assert total(first, "hdc_events_received_total", source="gitlab") == sent  # not +1000
    assert total(first, "hdc_events_processed_total", source="gitlab", outcome="done") == sent
    done = sum(v for (name, labels), v in first.items()
               if name == "hdc_actions_total" and ("outcome", "done") in labels)
    assert done == 2 * sent
    assert total(first, "hdc_action_latency_seconds_count", target="gitlab") == 2 * sent
    # SQLite under several workers: said once, at start, pointing to `run`.
    assert log.read_text(errors="replace").count("2 gunicorn workers on a SQLite store") == 1


def test_the_worker_serves_its_own_counters_in_split_mode(
    sqlite_url: str, gitlab: StandInGitLab, tmp_path: Path,
) -> None:
    port = free_port()
    config = write_config(tmp_path / "config.yml", sqlite_url, gitlab, metrics_port=port)
    web = create_app(Config.model_validate(yaml.safe_load(config.read_text())),
                     start_worker=False, setup_logs=False)
    client = web.test_client()
    for iid in range(1, 6):
        post_hook(client, issue_hook(LOW, HIGH, iid=iid))
    env = {k: v for k, v in os.environ.items() if k != MULTIPROC_ENV}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "worker", "--config", str(config)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        def worker_counted(n: float) -> Callable[[], bool]:
            def check() -> bool:
                assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
                try:
                    sc = scrape(url)
                except (requests.ConnectionError, requests.Timeout):
                    return False
                return (total(sc, "hdc_events_processed_total", source="gitlab",
                              outcome="done"),
                        total(sc, "hdc_actions_total", target="gitlab", kind="add_note",
                              outcome="done")) == (n, n)
            return check

        wait_for(worker_counted(5), timeout=120, what="the worker's own /metrics")
        sc = scrape(url)
        assert not any(name in ("hdc_inbox_events", "hdc_outbox_actions") for name, _ in sc)
    finally:
        stop(worker)
        web.extensions["helpdesk_connector"].connector.engine.dispose()


def test_the_worker_refuses_the_shared_directory_with_its_own_port(
    sqlite_url: str, gitlab: StandInGitLab, tmp_path: Path,
) -> None:
    config = write_config(tmp_path / "config.yml", sqlite_url, gitlab, metrics_port=free_port())
    env = {**os.environ, MULTIPROC_ENV: str(tmp_path / "prometheus")}
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "worker", "--config", str(config)], cwd=REPO,
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"error: {config}: worker.metrics_port: {MULTIPROC_ENV} is set for this worker: its "
        f"counters would be counted twice — unset {MULTIPROC_ENV} for `worker`")
