"""Benchmark: webhook ingest and rule processing, as ratios against a bare Flask baseline.

    python bench/ingest.py [--events N] [--store URL]

Baseline: the same Flask stack answering a JSON POST without touching a store. Measured: the
GitLab receiver (verify, validate, dedupe, commit to the inbox), and the worker turning those
events into outbox actions (dry run, no network). All in one process, one run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request

from connector.config import Config
from connector.core import build_connector
from connector.pipeline import drain_inbox
from webhooks.app import create_app

REPO = Path(__file__).resolve().parent.parent
SAMPLE = json.loads((REPO / "tests/fixtures/gitlab/gitlab_issue_hook.json").read_text())
SECRET = "bench-secret"


def payload(i: int) -> dict[str, Any]:
    body = json.loads(json.dumps(SAMPLE))
    body["object_attributes"]["iid"] = i
    body["labels"] += [{"title": "Priority: Low"}, {"title": "Priority: High"}]
    return body


def rate(n: int, fn: Any) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--events", type=int, default=2000)
    args.add_argument("--store", default="")
    opts = args.parse_args()
    store = opts.store or f"sqlite:///{tempfile.mkdtemp()}/bench.db"

    bare = Flask("baseline")

    @bare.post("/hook")
    def hook() -> Any:
        request.get_json()
        return jsonify(status="ok")

    base_client = bare.test_client()
    rate(200, lambda i: base_client.post("/hook", json=payload(i)))  # warm up
    baseline = rate(opts.events, lambda i: base_client.post("/hook", json=payload(i)))

    config = Config.model_validate({
        "store": {"url": store}, "mappings_dir": str(REPO / "mappings"),
        "roles": {"infrastructure_owner": "a", "new_client_owner": "b"},
        "trackers": {"gitlab": {"webhook_secret": SECRET, "default_mapping": "belarus-ehr"}},
        "worker": {"embedded": False, "batch_size": 100}, "logging": {"level": "ERROR"}})
    client = create_app(config, start_worker=False).test_client()
    headers = {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": SECRET}
    run = uuid.uuid4().hex  # a store reused between runs must see new deliveries
    ingest = rate(opts.events, lambda i: client.post(
        "/webhooks/gitlab", json=payload(i),
        headers={**headers, "Idempotency-Key": f"{run}-{i}"}))

    connector = build_connector(config)
    start = time.perf_counter()
    processed = drain_inbox(connector)
    process = processed / (time.perf_counter() - start)

    print(f"store: {store.split('://')[0]}; events: {opts.events}")
    print(f"baseline (bare Flask JSON POST): {baseline:8.0f} req/s")
    for name, value, unit in (("receiver (validate+dedupe+commit)", ingest, "req/s"),
                              ("worker (rules → outbox)", process, "ev/s")):
        print(f"{name:34} {value:8.0f} {unit}  = {value / baseline:.2f}× baseline")


if __name__ == "__main__":
    main()
