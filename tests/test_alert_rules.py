"""The alerting rules an admin copies (docs/deploy/alerts.rules.yml) are valid for Prometheus,
watch metrics /metrics really exports, and fire when the documented condition lasts: checked
with Prometheus's own promtool. Skipped only where promtool is missing and CI is unset (.ci/run
installs Debian's `prometheus` package, which ships it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from connector.config import Config
from tests.conftest import REPO, config_data
from tests.tools import installed
from webhooks.app import create_app

RULES = REPO / "docs" / "deploy" / "alerts.rules.yml"


def promtool() -> str:
    return installed("promtool", "prometheus")


def rules() -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule
            for group in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
            for rule in group["rules"]}


def test_prometheus_accepts_the_rules() -> None:
    done = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_metric_the_rules_watch_is_exported(sqlite_url: str) -> None:
    app = create_app(Config.model_validate(config_data(sqlite_url)), start_worker=False,
                     setup_logs=False)
    scrape = app.test_client().get("/metrics").get_data(as_text=True)
    app.extensions["helpdesk_connector"].connector.engine.dispose()
    exported = {name for family in text_string_to_metric_families(scrape)
                for name in (family.name, f"{family.name}_total",
                             *(s.name for s in family.samples))}
    watched = {name for rule in rules().values()
               for name in re.findall(r"\bhdc_[a-z_]+", rule["expr"])}

    assert watched - exported == set()
    assert {"hdc_inbox_oldest_pending_seconds", "hdc_outbox_oldest_pending_seconds",
            "hdc_reconcile_last_success_timestamp_seconds", "hdc_reconcile_errors_total",
            "hdc_circuit_open"} <= watched


# alert, its input series ('0+60x30': 0, 60, 120… one a minute), when it is still quiet,
# when it fires, the labels and summary it fires with
FIRING = [
    ("ConnectorInboxStuck", 'hdc_inbox_oldest_pending_seconds{source="gitlab"}', "0+60x30",
     "14m", "16m", {"severity": "critical", "source": "gitlab"},
     "gitlab events wait 16m 0s to be processed"),
    ("ConnectorOutboxStuck", 'hdc_outbox_oldest_pending_seconds{target="mantis"}', "0+60x30",
     "19m", "21m", {"severity": "warning", "target": "mantis"},
     "actions for mantis wait 21m 0s"),
    ("ConnectorCircuitOpen", 'hdc_circuit_open{target="slack",instance="a"}', "1x30",
     "9m", "11m", {"severity": "warning", "target": "slack"},
     "slack failed 3 times in a row and is left alone between tries"),
    ("ConnectorReconcileStale", 'hdc_reconcile_last_success_timestamp_seconds{tracker="gitlab"}',
     "0x60", "29m", "31m", {"severity": "warning", "tracker": "gitlab"},
     "gitlab has not been polled to the end for 31m 0s"),
]


@pytest.mark.parametrize(("alert", "series", "values", "quiet", "fires", "labels", "summary"),
                         FIRING, ids=[row[0] for row in FIRING])
def test_the_alert_fires_when_the_condition_lasts(
    tmp_path: Path, alert: str, series: str, values: str, quiet: str, fires: str,
    labels: dict[str, str], summary: str
) -> None:
    description = re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m.group(1)],
                         rules()[alert]["annotations"]["description"])
    case = tmp_path / "case.yml"
    case.write_text(yaml.safe_dump({
        "rule_files": [str(RULES)], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": [{"series": series, "values": values}],
                   "alert_rule_test": [
                       {"eval_time": quiet, "alertname": alert},
                       {"eval_time": fires, "alertname": alert, "exp_alerts": [{
                           "exp_labels": labels,
                           "exp_annotations": {"summary": summary,
                                               "description": description}}]}]}]}))

    done = subprocess.run([promtool(), "test", "rules", str(case)], capture_output=True,
                          text=True, timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr
